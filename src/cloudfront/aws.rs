//! `AwsCloudFront`: the `CloudFront` trait on aws-sdk-cloudfront. SDK types stop here; the
//! rest of cfdash sees the domain types and `CfError`.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::environment::EnvironmentVariableRegionProvider;
use aws_config::identity::IdentityCache;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::config::Region;
use aws_sdk_cloudfront::config::interceptors::AfterDeserializationInterceptorContextRef;
use aws_sdk_cloudfront::config::{ConfigBag, Intercept, RuntimeComponents, SharedHttpClient};
use aws_sdk_cloudfront::error::BoxError;
use aws_sdk_cloudfront::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::primitives::DateTime;
use aws_sdk_cloudfront::types;
use aws_smithy_http_client::ConnectorBuilder;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use futures::future::BoxFuture;
use jiff::Timestamp;

use crate::endpoint;

use super::{
    CfError, CfResult, CloudFront, Distribution, Invalidation, InvalidationStatus,
    InvalidationSummary, Page, Tenant, is_tenant,
};

/// How to reach an account: the AWS side of a cfdash profile.
#[derive(Clone, Debug, Default)]
pub struct AwsSettings {
    /// A profile of `~/.aws/config`; `None` follows AWS_PROFILE, then `default`.
    pub aws_profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub allow_insecure_endpoint: bool,
    /// The cfdash profile these settings are of, named in the advice without credentials.
    pub name: Option<String>,
}

/// CloudFront signs in us-east-1 (its global endpoint) unless told otherwise.
pub const DEFAULT_REGION: &str = "us-east-1";

pub struct AwsCloudFront {
    client: Client,
    /// Named in "run `aws sso login --profile …`".
    aws_profile: String,
    /// The cfdash profile, named first in "no AWS credentials for …".
    name: Option<String>,
    /// The endpoint is on this machine: without credentials, the advice is dummy keys.
    emulator: bool,
}

impl AwsCloudFront {
    /// Builds a client through aws-config's chain: env vars, `~/.aws` profiles, SSO,
    /// assume-role, credential_process. Nothing is read from or written to cfdash's files,
    /// and nothing is sent: the endpoint the client would use is checked first.
    pub async fn connect(settings: &AwsSettings) -> Result<Self, String> {
        Self::build(settings, None).await
    }

    /// As [`connect`](Self::connect), signing with `credentials` instead of the chain's:
    /// for emulators and tests, which then need no credentials in the process environment.
    /// The provider is handed to the SDK as it is: never logged, stored or written.
    pub async fn with_credentials(
        settings: &AwsSettings,
        credentials: SharedCredentialsProvider,
    ) -> Result<Self, String> {
        Self::build(settings, Some(credentials)).await
    }

    async fn build(
        settings: &AwsSettings,
        credentials: Option<SharedCredentialsProvider>,
    ) -> Result<Self, String> {
        let (config, aws_profile) = load(settings, credentials).await?;
        Ok(Self {
            client: Client::new(&config),
            aws_profile,
            name: settings.name.clone(),
            emulator: endpoint::is_local(&config),
        })
    }
}

/// The SDK's configuration for a profile, its endpoint checked, and the AWS profile named
/// in "run `aws sso login --profile …`". Credentials come from aws-config's chain unless
/// `credentials` is given.
async fn load(
    settings: &AwsSettings,
    credentials: Option<SharedCredentialsProvider>,
) -> Result<(SdkConfig, String), String> {
    let aws_profile = settings
        .aws_profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".into());

    // Region: the profile's, else AWS_REGION, else ~/.aws/config, else us-east-1;
    // never the instance metadata service, which hangs off EC2.
    let mut file_region = ProfileFileRegionProvider::builder();
    if let Some(p) = &settings.aws_profile {
        file_region = file_region.profile_name(p);
    }
    let region = RegionProviderChain::first_try(settings.region.clone().map(Region::new))
        .or_else(EnvironmentVariableRegionProvider::new())
        .or_else(file_region.build())
        .or_else(Region::from_static(DEFAULT_REGION))
        .region()
        .await
        .unwrap_or(Region::from_static(DEFAULT_REGION));

    let credentials = match credentials {
        Some(given) => given,
        None => SharedCredentialsProvider::new(chain(settings, &region).await),
    };

    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(region)
        .credentials_provider(credentials)
        .identity_cache(
            IdentityCache::lazy()
                .load_timeout(Duration::from_secs(10))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(4))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_attempt_timeout(Duration::from_secs(10))
                .operation_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(p) = &settings.aws_profile {
        loader = loader.profile_name(p);
    }
    if let Some(bundle) = std::env::var_os("AWS_CA_BUNDLE").filter(|b| !b.is_empty()) {
        loader = loader.http_client(client_trusting(Path::new(&bundle))?);
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    // Before any client exists: nothing has been sent anywhere yet.
    endpoint::check_config(&config, settings.allow_insecure_endpoint)?;
    Ok((config, aws_profile))
}

/// aws-config's default credentials chain for a profile.
async fn chain(settings: &AwsSettings, region: &Region) -> DefaultCredentialsChain {
    // Off EC2 the metadata service never answers: give up on it quickly, so "no
    // credentials" is said within about two seconds instead of after a long hang.
    let imds = aws_config::imds::Client::builder()
        .connect_timeout(Duration::from_millis(500))
        .read_timeout(Duration::from_millis(500))
        .max_attempts(1)
        .build();
    let mut chain = DefaultCredentialsChain::builder()
        .imds_client(imds)
        .region(region.clone());
    if let Some(p) = &settings.aws_profile {
        chain = chain.profile_name(p);
    }
    chain.build().await
}

impl AwsCloudFront {
    /// One distribution with its whole configuration (GetDistribution): what a listing
    /// item may lack on an emulator (moto leaves out aliases, comment, enabled, origins).
    pub async fn get_distribution(&self, id: &str) -> CfResult<Distribution> {
        let out = self
            .client
            .get_distribution()
            .id(id)
            .send()
            .await
            .map_err(|e| self.classify(e, Call::new("GetDistribution").on(id)))?;
        let d = out.distribution().ok_or_else(|| empty("GetDistribution"))?;
        let config = d.distribution_config();
        Ok(Distribution {
            id: d.id().to_string(),
            arn: d.arn().to_string(),
            domain_name: d.domain_name().to_string(),
            aliases: config
                .and_then(|c| c.aliases())
                .map(|a| a.items().to_vec())
                .unwrap_or_default(),
            status: d.status().to_string(),
            enabled: config.map(|c| c.enabled()),
            comment: config.map(|c| c.comment().to_string()),
            origins: config
                .and_then(|c| c.origins())
                .map(|o| {
                    o.items()
                        .iter()
                        .map(|o| o.domain_name().to_string())
                        .collect()
                })
                .unwrap_or_default(),
            last_modified: timestamp(d.last_modified_time()),
            aliases_unknown: config.is_none(),
            tenant_only: config.and_then(|c| c.connection_mode())
                == Some(&types::ConnectionMode::TenantOnly),
            tenant: None,
        })
    }
}

/// The SDK's default client (rustls, HTTPS_PROXY / NO_PROXY from the environment), trusting
/// the certificates of a PEM bundle as well, as the aws CLI does with AWS_CA_BUNDLE.
fn client_trusting(bundle: &Path) -> Result<SharedHttpClient, String> {
    let what = format!("the CA bundle {} (AWS_CA_BUNDLE)", bundle.display());
    if std::fs::metadata(bundle).is_ok_and(|m| !m.is_file()) {
        return Err(format!(
            "{what} is not a regular file: point it at a PEM file"
        ));
    }
    let file = std::fs::File::open(bundle).map_err(|e| format!("cannot read {what}: {e}"))?;
    // 16 MiB: thousands of certificates; a wrong path (a device) stops there.
    let pem =
        crate::text::read_capped(file, 16 << 20, &what, "point it at a PEM file")?.into_bytes();
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(format!(
            "the CA bundle {} (AWS_CA_BUNDLE) holds no PEM certificate",
            bundle.display()
        ));
    }
    let context = TlsContext::builder()
        .with_trust_store(TrustStore::default().with_pem_certificate(pem))
        .build()
        .map_err(|e| format!("the CA bundle {} is not usable: {e}", bundle.display()))?;
    Ok(
        aws_smithy_http_client::Builder::new().build_with_connector_fn(
            move |settings, components| {
                let mut builder = ConnectorBuilder::default()
                    .tls_provider(tls::Provider::Rustls(
                        tls::rustls_provider::CryptoMode::AwsLc,
                    ))
                    .tls_context(context.clone());
                builder.set_connector_settings(settings.cloned());
                if let Some(components) = components {
                    builder.set_sleep_impl(components.sleep_impl());
                }
                builder.set_proxy_config(Some(ProxyConfig::from_env()));
                builder.build()
            },
        ),
    )
}

/// Which summaries of a ListDistributions answer hold an `Enabled`, a `Comment` and
/// `Aliases`, in order, read from the answer's body: the SDK fills an absent field with
/// false, "" or none, and an emulator (moto) leaves all three out.
#[derive(Clone, Debug, Default)]
struct Present(Arc<Mutex<Vec<Fields>>>);

/// Whether a summary holds its `Enabled`, `Comment` and `Aliases`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fields {
    enabled: bool,
    comment: bool,
    aliases: bool,
}

impl Fields {
    const NONE: Fields = Fields {
        enabled: false,
        comment: false,
        aliases: false,
    };
    const ALL: Fields = Fields {
        enabled: true,
        comment: true,
        aliases: true,
    };
}

impl Present {
    fn take(&self) -> Vec<Fields> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Intercept for Present {
    fn name(&self) -> &'static str {
        "cfdash::Present"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(body) = context.response().body().bytes() {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = present_fields(body);
        }
        Ok(())
    }
}

/// For each `DistributionSummary` of a ListDistributions body: whether it has an
/// `Enabled`, a `Comment` and `Aliases` of its own.
fn present_fields(xml: &[u8]) -> Vec<Fields> {
    use xmlparser::{ElementEnd, Token, Tokenizer};
    let Ok(text) = std::str::from_utf8(xml) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut summary: Option<usize> = None;
    for token in Tokenizer::from(text) {
        let Ok(token) = token else { break };
        match token {
            Token::ElementStart { local, .. } => {
                depth += 1;
                match (summary, local.as_str()) {
                    (None, "DistributionSummary") => {
                        summary = Some(depth);
                        out.push(Fields::NONE);
                    }
                    (Some(at), field) if depth == at + 1 => {
                        if let Some(f) = out.last_mut() {
                            match field {
                                "Enabled" => f.enabled = true,
                                "Comment" => f.comment = true,
                                "Aliases" => f.aliases = true,
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            Token::ElementEnd { end, .. } => {
                if matches!(end, ElementEnd::Close(..) | ElementEnd::Empty) {
                    if summary == Some(depth) {
                        summary = None;
                    }
                    depth = depth.saturating_sub(1);
                }
            }
            _ => {}
        }
    }
    out
}

fn timestamp(t: &DateTime) -> Timestamp {
    Timestamp::new(t.secs(), t.subsec_nanos() as i32).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn distribution(d: &types::DistributionSummary) -> Distribution {
    Distribution {
        id: d.id().to_string(),
        arn: d.arn().to_string(),
        domain_name: d.domain_name().to_string(),
        aliases: d.aliases().map(|a| a.items().to_vec()).unwrap_or_default(),
        status: d.status().to_string(),
        enabled: Some(d.enabled()),
        comment: Some(d.comment().to_string()),
        origins: d
            .origins()
            .map(|o| {
                o.items()
                    .iter()
                    .map(|o| o.domain_name().to_string())
                    .collect()
            })
            .unwrap_or_default(),
        last_modified: timestamp(d.last_modified_time()),
        aliases_unknown: false,
        tenant_only: d.connection_mode() == Some(&types::ConnectionMode::TenantOnly),
        tenant: None,
    }
}

fn invalidation(i: &types::Invalidation) -> Invalidation {
    let batch = i.invalidation_batch();
    Invalidation {
        id: i.id().to_string(),
        status: InvalidationStatus::parse(i.status()),
        create_time: timestamp(i.create_time()),
        paths: batch
            .and_then(|b| b.paths())
            .map(|p| p.items().to_vec())
            .unwrap_or_default(),
        caller_reference: batch
            .map(|b| b.caller_reference().to_string())
            .unwrap_or_default(),
    }
}

/// One page of ListInvalidations or ListInvalidationsForDistributionTenant, newest first.
fn invalidation_page(list: Option<&types::InvalidationList>) -> Page<InvalidationSummary> {
    let mut items: Vec<InvalidationSummary> = list
        .map(|l| {
            l.items()
                .iter()
                .map(|i| InvalidationSummary {
                    id: i.id().to_string(),
                    status: InvalidationStatus::parse(i.status()),
                    create_time: timestamp(i.create_time()),
                })
                .collect()
        })
        .unwrap_or_default();
    // CloudFront lists newest first; emulators may not (moto lists oldest first).
    items.sort_by_key(|i| std::cmp::Reverse(i.create_time));
    Page {
        items,
        next_marker: list
            .filter(|l| l.is_truncated())
            .and_then(|l| l.next_marker())
            .map(str::to_string),
    }
}

fn domains(list: &[types::DomainResult]) -> Vec<String> {
    list.iter().map(|d| d.domain().to_string()).collect()
}

/// A ListDistributionTenants item.
fn tenant_summary(t: &types::DistributionTenantSummary) -> Tenant {
    Tenant {
        id: t.id().to_string(),
        distribution_id: t.distribution_id().to_string(),
        name: t.name().to_string(),
        arn: t.arn().to_string(),
        domains: domains(t.domains()),
        enabled: t.enabled(),
        status: t.status().map(str::to_string),
        last_modified: timestamp(t.last_modified_time()),
    }
}

/// GetDistributionTenant's (or …ByDomain's) answer: every member is optional in the
/// model, but one without an id names nothing.
fn tenant(t: Option<&types::DistributionTenant>, operation: &str) -> CfResult<Tenant> {
    let t = t.ok_or_else(|| empty(operation))?;
    let id = t
        .id()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| empty(operation))?;
    Ok(Tenant {
        id: id.to_string(),
        distribution_id: t.distribution_id().unwrap_or_default().to_string(),
        name: t.name().unwrap_or(id).to_string(),
        arn: t.arn().unwrap_or_default().to_string(),
        domains: domains(t.domains()),
        enabled: t.enabled(),
        status: t.status().map(str::to_string),
        last_modified: t
            .last_modified_time()
            .or(t.created_time())
            .map_or(Timestamp::UNIX_EPOCH, timestamp),
    })
}

/// The batch CreateInvalidation and CreateInvalidationForDistributionTenant send.
fn batch(paths: &[String], caller_reference: &str) -> CfResult<types::InvalidationBatch> {
    let invalid = |e: aws_sdk_cloudfront::error::BuildError| CfError::Other {
        code: "InvalidArgument".into(),
        message: e.to_string(),
    };
    types::InvalidationBatch::builder()
        .paths(
            types::Paths::builder()
                .quantity(paths.len() as i32)
                .set_items(Some(paths.to_vec()))
                .build()
                .map_err(invalid)?,
        )
        .caller_reference(caller_reference)
        .build()
        .map_err(invalid)
}

/// One attempt: the submission engine retries, under the same CallerReference, and must
/// see every attempt's outcome — an SDK retry after a lost answer would hide that the first
/// attempt may have created it.
fn one_attempt() -> aws_sdk_cloudfront::config::Builder {
    aws_sdk_cloudfront::config::Builder::default()
        .retry_config(RetryConfig::standard().with_max_attempts(1))
}

/// What a failed call was about, for the error's sentence.
struct Call<'a> {
    action: &'static str,
    distribution: &'a str,
    invalidation: &'a str,
    caller_reference: &'a str,
}

impl<'a> Call<'a> {
    fn new(action: &'static str) -> Self {
        Self {
            action,
            distribution: "",
            invalidation: "",
            caller_reference: "",
        }
    }

    fn on(self, distribution: &'a str) -> Self {
        Self {
            distribution,
            ..self
        }
    }

    fn invalidation(self, invalidation: &'a str) -> Self {
        Self {
            invalidation,
            ..self
        }
    }

    fn reference(self, caller_reference: &'a str) -> Self {
        Self {
            caller_reference,
            ..self
        }
    }
}

/// A 2xx answer cfdash could not read: whatever it asked for may have been done.
fn unreadable(status: u16, message: String) -> CfError {
    CfError::ServerError {
        status,
        code: "UnreadableAnswer".into(),
        message,
    }
}

/// The answer had no body where one was due.
fn empty(operation: &str) -> CfError {
    CfError::Other {
        code: "EmptyResponse".into(),
        message: format!("{operation} answered without a result"),
    }
}

impl AwsCloudFront {
    fn classify<E>(&self, err: SdkError<E>, call: Call<'_>) -> CfError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let detail = format!("{}", aws_sdk_cloudfront::error::DisplayErrorContext(&err));
        if credentials_failed(&err) {
            return CfError::NoCredentials {
                profile: self.aws_profile.clone(),
                cfdash_profile: self.name.clone(),
                detail,
                emulator: self.emulator,
            };
        }
        match &err {
            SdkError::ServiceError(ctx) => {
                let code = ctx.err().code().unwrap_or("Unknown").to_string();
                let message = ctx.err().message().unwrap_or("").to_string();
                let status = ctx.raw().status().as_u16();
                let mut e =
                    classify_code(&code, &message, status, &call, &self.aws_profile, detail);
                if let CfError::NoCredentials { cfdash_profile, .. } = &mut e {
                    *cfdash_profile = self.name.clone();
                }
                e
            }
            SdkError::TimeoutError(_) => CfError::Timeout { detail },
            SdkError::DispatchFailure(d) if d.is_timeout() => CfError::Timeout { detail },
            SdkError::DispatchFailure(_) => CfError::Network { detail },
            SdkError::ResponseError(_) => CfError::Network { detail },
            _ => CfError::Other {
                code: "ClientError".into(),
                message: detail,
            },
        }
    }
}

/// Whether anywhere in the error's chain the credentials could not be had.
fn credentials_failed(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if e.downcast_ref::<CredentialsError>().is_some() {
            return true;
        }
        next = e.source();
    }
    false
}

/// Maps CloudFront's error codes onto the kinds cfdash acts on.
fn classify_code(
    code: &str,
    message: &str,
    status: u16,
    call: &Call<'_>,
    profile: &str,
    detail: String,
) -> CfError {
    match code {
        "NoSuchDistribution" => CfError::NoSuchDistribution {
            id: call.distribution.to_string(),
        },
        "NoSuchInvalidation" => CfError::NoSuchInvalidation {
            distribution: call.distribution.to_string(),
            id: call.invalidation.to_string(),
        },
        // The tenant operations' "not found": what was not found depends on the call.
        // ListDistributionTenants filtered on a distribution: that distribution. A tenant's
        // invalidation: the model names NoSuchInvalidation for it, but should the service
        // say EntityNotFound of the invalidation, its message says which.
        "EntityNotFound" if call.action == "ListDistributionTenants" => {
            CfError::NoSuchDistribution {
                id: call.distribution.to_string(),
            }
        }
        "EntityNotFound"
            if !call.invalidation.is_empty()
                && message.to_ascii_lowercase().contains("invalidation") =>
        {
            CfError::NoSuchInvalidation {
                distribution: call.distribution.to_string(),
                id: call.invalidation.to_string(),
            }
        }
        "EntityNotFound" => CfError::NoSuchTenant {
            id: call.distribution.to_string(),
        },
        "AccessDenied" | "AccessDeniedException" => CfError::AccessDenied {
            action: call.action.to_string(),
            detail,
        },
        "TooManyInvalidationsInProgress" => CfError::TooManyInvalidationsInProgress {
            distribution: call.distribution.to_string(),
            detail,
        },
        // The API reference's name for a reused CallerReference, and what CloudFront
        // answers in practice (see `REUSED_REFERENCE`).
        "InvalidationBatchAlreadyExists" => CfError::BatchAlreadyExists {
            caller_reference: call.caller_reference.to_string(),
        },
        "InvalidArgument" if message.contains("caller reference that was used") => {
            CfError::BatchAlreadyExists {
                caller_reference: call.caller_reference.to_string(),
            }
        }
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "SlowDown" => CfError::Throttled { detail },
        "ExpiredToken"
        | "ExpiredTokenException"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "MissingAuthenticationToken" => CfError::NoCredentials {
            profile: profile.to_string(),
            cfdash_profile: None,
            detail,
            // AWS's own codes: keys it knows and refuses.
            emulator: false,
        },
        _ if status == 429 => CfError::Throttled { detail },
        _ if status < 300 => unreadable(
            status,
            format!("an answer cfdash could not read ({code}): {message}"),
        ),
        _ if status >= 500 => CfError::ServerError {
            status,
            code: code.to_string(),
            message: message.to_string(),
        },
        _ => CfError::Other {
            code: code.to_string(),
            message: if message.is_empty() {
                format!("HTTP {status}")
            } else {
                message.to_string()
            },
        },
    }
}

impl CloudFront for AwsCloudFront {
    fn list_distributions_page<'a>(
        &'a self,
        marker: Option<&'a str>,
        max_items: u32,
    ) -> BoxFuture<'a, CfResult<Page<Distribution>>> {
        Box::pin(async move {
            let present = Present::default();
            let out = self
                .client
                .list_distributions()
                .set_marker(marker.map(str::to_string))
                .max_items(max_items.min(1000) as i32)
                .customize()
                .interceptor(present.clone())
                .send()
                .await
                .map_err(|e| self.classify(e, Call::new("ListDistributions")))?;
            let list = out.distribution_list();
            let present = present.take();
            Ok(Page {
                items: list
                    .map(|l| {
                        l.items()
                            .iter()
                            .enumerate()
                            .map(|(i, d)| {
                                let mut d = distribution(d);
                                // The SDK reads an absent Enabled as false, an absent
                                // Comment as "" and absent Aliases as none: what the
                                // answer did not hold is unknown.
                                let f = present.get(i).copied().unwrap_or(Fields::ALL);
                                if !f.enabled {
                                    d.enabled = None;
                                }
                                if !f.comment {
                                    d.comment = None;
                                }
                                d.aliases_unknown = !f.aliases;
                                d
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                next_marker: list
                    .filter(|l| l.is_truncated())
                    .and_then(|l| l.next_marker())
                    .map(str::to_string),
            })
        })
    }

    fn list_invalidations_page<'a>(
        &'a self,
        distribution: &'a str,
        marker: Option<&'a str>,
        max_items: u32,
    ) -> BoxFuture<'a, CfResult<Page<InvalidationSummary>>> {
        Box::pin(async move {
            let marker = marker.map(str::to_string);
            let max_items = max_items.min(1000) as i32;
            if is_tenant(distribution) {
                let action = "ListInvalidationsForDistributionTenant";
                let out = self
                    .client
                    .list_invalidations_for_distribution_tenant()
                    .id(distribution)
                    .set_marker(marker)
                    .max_items(max_items)
                    .send()
                    .await
                    .map_err(|e| self.classify(e, Call::new(action).on(distribution)))?;
                return Ok(invalidation_page(out.invalidation_list()));
            }
            let out = self
                .client
                .list_invalidations()
                .distribution_id(distribution)
                .set_marker(marker)
                .max_items(max_items)
                .send()
                .await
                .map_err(|e| self.classify(e, Call::new("ListInvalidations").on(distribution)))?;
            Ok(invalidation_page(out.invalidation_list()))
        })
    }

    fn get_invalidation<'a>(
        &'a self,
        distribution: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, CfResult<Invalidation>> {
        Box::pin(async move {
            let call = |action| Call::new(action).on(distribution).invalidation(id);
            if is_tenant(distribution) {
                let action = "GetInvalidationForDistributionTenant";
                let out = self
                    .client
                    .get_invalidation_for_distribution_tenant()
                    .distribution_tenant_id(distribution)
                    .id(id)
                    .send()
                    .await
                    .map_err(|e| self.classify(e, call(action)))?;
                return out
                    .invalidation()
                    .map(invalidation)
                    .ok_or_else(|| empty(action));
            }
            let out = self
                .client
                .get_invalidation()
                .distribution_id(distribution)
                .id(id)
                .send()
                .await
                .map_err(|e| self.classify(e, call("GetInvalidation")))?;
            out.invalidation()
                .map(invalidation)
                .ok_or_else(|| empty("GetInvalidation"))
        })
    }

    fn create_invalidation<'a>(
        &'a self,
        distribution: &'a str,
        paths: &'a [String],
        caller_reference: &'a str,
    ) -> BoxFuture<'a, CfResult<Invalidation>> {
        Box::pin(async move {
            let batch = batch(paths, caller_reference)?;
            let call = |action| {
                Call::new(action)
                    .on(distribution)
                    .reference(caller_reference)
            };
            // A success without a readable invalidation may still have created it.
            let unread =
                |action: &str| unreadable(200, format!("{action} answered without a result"));
            if is_tenant(distribution) {
                let action = "CreateInvalidationForDistributionTenant";
                let out = self
                    .client
                    .create_invalidation_for_distribution_tenant()
                    .id(distribution)
                    .invalidation_batch(batch)
                    .customize()
                    .config_override(one_attempt())
                    .send()
                    .await
                    .map_err(|e| self.classify(e, call(action)))?;
                return out
                    .invalidation()
                    .map(invalidation)
                    .ok_or_else(|| unread(action));
            }
            let out = self
                .client
                .create_invalidation()
                .distribution_id(distribution)
                .invalidation_batch(batch)
                .customize()
                .config_override(one_attempt())
                .send()
                .await
                .map_err(|e| self.classify(e, call("CreateInvalidation")))?;
            out.invalidation()
                .map(invalidation)
                .ok_or_else(|| unread("CreateInvalidation"))
        })
    }

    fn list_tenants_page<'a>(
        &'a self,
        distribution: &'a str,
        marker: Option<&'a str>,
        max_items: u32,
    ) -> BoxFuture<'a, CfResult<Page<Tenant>>> {
        Box::pin(async move {
            let action = "ListDistributionTenants";
            let out = self
                .client
                .list_distribution_tenants()
                .association_filter(
                    types::DistributionTenantAssociationFilter::builder()
                        .distribution_id(distribution)
                        .build(),
                )
                .set_marker(marker.map(str::to_string))
                .max_items(max_items.min(1000) as i32)
                .send()
                .await
                .map_err(|e| self.classify(e, Call::new(action).on(distribution)))?;
            Ok(Page {
                items: out
                    .distribution_tenant_list()
                    .iter()
                    .map(tenant_summary)
                    .collect(),
                // No IsTruncated here: a NextMarker is the only sign of more.
                next_marker: out
                    .next_marker()
                    .filter(|m| !m.is_empty())
                    .map(str::to_string),
            })
        })
    }

    fn get_tenant<'a>(&'a self, identifier: &'a str) -> BoxFuture<'a, CfResult<Tenant>> {
        Box::pin(async move {
            let action = "GetDistributionTenant";
            let out = self
                .client
                .get_distribution_tenant()
                .identifier(identifier)
                .send()
                .await
                .map_err(|e| self.classify(e, Call::new(action).on(identifier)))?;
            tenant(out.distribution_tenant(), action)
        })
    }

    fn get_tenant_by_domain<'a>(&'a self, domain: &'a str) -> BoxFuture<'a, CfResult<Tenant>> {
        Box::pin(async move {
            let action = "GetDistributionTenantByDomain";
            let out = self
                .client
                .get_distribution_tenant_by_domain()
                .domain(domain)
                .send()
                .await
                .map_err(|e| self.classify(e, Call::new(action).on(domain)))?;
            tenant(out.distribution_tenant(), action)
        })
    }

    fn get_cache_tag_header<'a>(
        &'a self,
        distribution: &'a str,
    ) -> BoxFuture<'a, CfResult<Option<String>>> {
        Box::pin(async move {
            let action = "GetDistributionConfig";
            let out = self
                .client
                .get_distribution_config()
                .id(distribution)
                .send()
                .await
                .map_err(|e| self.classify(e, Call::new(action).on(distribution)))?;
            let config = out.distribution_config().ok_or_else(|| empty(action))?;
            Ok(config
                .cache_tag_config()
                .map(|c| c.header_name().to_string())
                .filter(|h| !h.is_empty()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_enabled_comment_and_aliases_are_found_per_summary() {
        let xml = br#"<?xml version="1.0"?><DistributionList><Items>
            <DistributionSummary><Id>E1</Id><Aliases><Quantity>0</Quantity></Aliases>
              <Enabled>false</Enabled><Comment/>
              <Origins><Items><Origin><Comment>x</Comment></Origin></Items></Origins>
            </DistributionSummary>
            <DistributionSummary><Id>E2</Id>
              <Origins><Items><Origin><Enabled>true</Enabled><Comment>o</Comment>
                <Aliases/></Origin></Items></Origins>
            </DistributionSummary>
            <DistributionSummary><Id>E3</Id><Comment>c</Comment></DistributionSummary>
        </Items></DistributionList>"#;
        let f = |enabled, comment, aliases| Fields {
            enabled,
            comment,
            aliases,
        };
        assert_eq!(
            present_fields(xml),
            vec![
                f(true, true, true),
                f(false, false, false),
                f(false, true, false)
            ]
        );
    }

    fn call() -> Call<'static> {
        Call::new("CreateInvalidation")
            .on("E123")
            .invalidation("I456")
            .reference("ref-1")
    }

    #[test]
    fn error_codes_become_kinds() {
        let kind = |code, status| classify_code(code, "msg", status, &call(), "prod", "d".into());
        assert_eq!(
            kind("NoSuchDistribution", 404),
            CfError::NoSuchDistribution { id: "E123".into() }
        );
        assert_eq!(
            kind("NoSuchInvalidation", 404),
            CfError::NoSuchInvalidation {
                distribution: "E123".into(),
                id: "I456".into()
            }
        );
        assert!(
            matches!(kind("AccessDenied", 403), CfError::AccessDenied { action, .. } if action == "CreateInvalidation")
        );
        assert!(matches!(
            kind("TooManyInvalidationsInProgress", 400),
            CfError::TooManyInvalidationsInProgress { .. }
        ));
        assert_eq!(
            kind("InvalidationBatchAlreadyExists", 409),
            CfError::BatchAlreadyExists {
                caller_reference: "ref-1".into()
            }
        );
        assert_eq!(
            classify_code(
                "InvalidArgument",
                super::super::REUSED_REFERENCE,
                400,
                &call(),
                "prod",
                String::new()
            ),
            CfError::BatchAlreadyExists {
                caller_reference: "ref-1".into()
            },
            "what CloudFront answers in practice"
        );
        assert!(matches!(
            classify_code("InvalidArgument", "Your request contains one or more invalid invalidation paths.", 400, &call(), "prod", String::new()),
            CfError::Other { code, .. } if code == "InvalidArgument"
        ));
        assert!(kind("Throttling", 400).is_throttled());
        assert!(kind("Whatever", 429).is_throttled());
        assert!(
            matches!(kind("ExpiredToken", 403), CfError::NoCredentials { profile, .. } if profile == "prod")
        );
        assert_eq!(
            kind("ServiceUnavailable", 503),
            CfError::ServerError {
                status: 503,
                code: "ServiceUnavailable".into(),
                message: "msg".into()
            }
        );
        assert!(matches!(kind("Whatever", 400), CfError::Other { .. }));
    }

    #[test]
    fn the_tenant_operations_not_found_names_what_is_missing() {
        let kind = |call: Call<'_>, message: &str| {
            classify_code("EntityNotFound", message, 404, &call, "prod", "d".into())
        };
        let tenant = "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB";
        for action in [
            "ListInvalidationsForDistributionTenant",
            "CreateInvalidationForDistributionTenant",
            "GetDistributionTenant",
            "GetDistributionTenantByDomain",
        ] {
            assert_eq!(
                kind(
                    Call::new(action).on(tenant),
                    "The specified distribution tenant does not exist."
                ),
                CfError::NoSuchTenant { id: tenant.into() },
                "{action}"
            );
        }
        let get = || {
            Call::new("GetInvalidationForDistributionTenant")
                .on(tenant)
                .invalidation("I1")
        };
        assert_eq!(
            kind(get(), "The specified distribution tenant does not exist."),
            CfError::NoSuchTenant { id: tenant.into() }
        );
        assert_eq!(
            kind(get(), "The specified invalidation does not exist."),
            CfError::NoSuchInvalidation {
                distribution: tenant.into(),
                id: "I1".into()
            }
        );
        assert_eq!(
            classify_code("NoSuchInvalidation", "", 404, &get(), "prod", "d".into()),
            CfError::NoSuchInvalidation {
                distribution: tenant.into(),
                id: "I1".into()
            }
        );
        // Listing a distribution's tenants: the distribution is what is missing.
        assert_eq!(
            kind(
                Call::new("ListDistributionTenants").on("ENOPE"),
                "not found"
            ),
            CfError::NoSuchDistribution { id: "ENOPE".into() }
        );
        // AccessDenied names the operation refused.
        for action in [
            "ListDistributionTenants",
            "CreateInvalidationForDistributionTenant",
            "GetDistributionConfig",
        ] {
            assert!(matches!(
                classify_code("AccessDenied", "", 403, &Call::new(action).on(tenant), "prod", "d".into()),
                CfError::AccessDenied { action: a, .. } if a == action
            ));
        }
    }

    #[test]
    fn the_sentences_say_what_to_do() {
        let e = CfError::NoCredentials {
            profile: "prod".into(),
            cfdash_profile: None,
            detail: String::new(),
            emulator: false,
        };
        assert!(e.to_string().contains("aws sso login --profile prod"));
        assert!(e.to_string().contains("for AWS profile prod:"), "{e}");
        let e = CfError::NoCredentials {
            profile: "emu".into(),
            cfdash_profile: Some("emu".into()),
            detail: String::new(),
            emulator: true,
        };
        assert!(e.to_string().contains("set dummy AWS_ACCESS_KEY_ID"), "{e}");
        assert!(!e.to_string().contains("sso"), "{e}");
        assert!(e.to_string().contains("for profile emu:"), "{e}");
        // The cfdash profile chosen, and the AWS profile behind it.
        let e = CfError::NoCredentials {
            profile: "default".into(),
            cfdash_profile: Some("moto".into()),
            detail: String::new(),
            emulator: true,
        };
        assert!(
            e.to_string()
                .starts_with("no AWS credentials for cfdash profile moto (AWS profile default): its endpoint is on this machine (an emulator)"),
            "{e}"
        );
        let e = CfError::NoCredentials {
            profile: "lab".into(),
            cfdash_profile: Some("prod".into()),
            detail: String::new(),
            emulator: false,
        };
        assert!(
            e.to_string().starts_with(
                "no AWS credentials for cfdash profile prod (AWS profile lab): run `aws sso login --profile lab`"
            ),
            "{e}"
        );
        let e = CfError::AccessDenied {
            action: "CreateInvalidation".into(),
            detail: String::new(),
        };
        assert!(e.to_string().contains("cloudfront:CreateInvalidation"));
    }
}
