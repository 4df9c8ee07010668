//! The simulator's HTTP face (`cfdash sim serve`): the simulated account over CloudFront's
//! REST-XML API (version 2020-05-31) on loopback, well enough for aws-sdk-cloudfront and
//! the aws CLI. It accepts any signature and checks none.
//!
//! It serves distributions (ListDistributions, GetDistribution, GetDistributionConfig),
//! their invalidations, and distribution tenants (ListDistributionTenants,
//! GetDistributionTenant, GetDistributionTenantByDomain, and the three invalidation
//! operations `…ForDistributionTenant`), on the paths, with the element names and status
//! codes of the service model (botocore's `cloudfront/2020-05-31/service-2.json`).
//!
//! Faults come from the simulator's settings (throttling as HTTP 400 `Throttling`, 5xx as
//! 503 `ServiceUnavailable`) plus dropped connections: the request is carried out, then the
//! connection is closed without an answer, as when a response is lost on the way back. An
//! in-process server can also refuse operations 403 `AccessDenied` ([`Server::deny`]).
//!
//! Path segments are percent-decoded (a bad escape or non-UTF-8 is a 400 `InvalidURI`);
//! request bodies are read up to [`MAX_BODY_BYTES`] (more is a 413); every text put in XML
//! goes through [`esc`].

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use jiff::Timestamp;
use tokio::net::TcpListener;

use super::sim::{Rng, SimCloudFront};
use super::{
    CfError, CloudFront, Distribution, Invalidation, InvalidationSummary, Tenant, is_tenant,
};

const NS: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";
/// Every operation's path starts here, then names its resource ([`Resource`]).
const API: &str = "/2020-05-31/";
/// What GetDistribution, GetDistributionConfig and the tenant reads answer in `ETag`.
const ETAG: &str = "E1SIMULATED";

/// The most of a request body the server reads: 16 MiB. CreateInvalidation's is the largest
/// CloudFront takes, and a full one — 3,000 paths of 4,000 characters — is about 12 MB (more
/// only if the paths are mostly characters XML escapes, `&` becoming `&amp;`).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// What the server has answered, for tests and the curious (`GET /cfdash-sim/stats`).
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub throttled: AtomicU64,
    pub unavailable: AtomicU64,
    pub dropped: AtomicU64,
}

pub struct Server {
    sim: Arc<SimCloudFront>,
    stats: Stats,
    drop_rate: f64,
    /// Decides which connections drop, apart from the simulator's own draws.
    rng: Mutex<Rng>,
    /// Operations answered 403 AccessDenied (see [`Server::deny`]).
    denied: Mutex<Vec<String>>,
}

impl Server {
    pub fn new(sim: Arc<SimCloudFront>, drop_rate: f64, seed: u64) -> Arc<Self> {
        Arc::new(Self {
            sim,
            stats: Stats::default(),
            drop_rate,
            rng: Mutex::new(Rng::new(seed ^ 0xD409_D409_D409_D409)),
            denied: Mutex::new(Vec::new()),
        })
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Binds 127.0.0.1 (`port` 0 picks a free one); loopback only, always.
    pub async fn bind(port: u16) -> std::io::Result<TcpListener> {
        TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await
    }

    /// Answers connections until the task is dropped.
    pub async fn run(self: Arc<Self>, listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                // Out of file descriptors (clients holding connections open), or another
                // passing failure: one full table must not end the server.
                Err(e) => {
                    tracing::warn!(error = %e, "sim serve cannot accept a connection now");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let server = self.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let server = server.clone();
                    async move { server.handle(req).await }
                });
                // An error here is a dropped connection, on purpose or by the client.
                // A client that never finishes its headers is dropped, as CloudFront's
                // front end would: held connections must not use up the server.
                let _ = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(std::time::Duration::from_secs(10))
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    fn roll_drop(&self) -> bool {
        if self.drop_rate <= 0.0 {
            return false;
        }
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        rng.f64() < self.drop_rate
    }

    async fn handle(&self, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let query = req.uri().query().unwrap_or("").to_string();
        let body = match read_body(req.into_body()).await {
            Ok(b) => match String::from_utf8(b.to_vec()) {
                Ok(text) => text,
                // An XML document in no encoding it declares: nothing can be read from it.
                Err(_) if method == Method::POST => {
                    return Ok(error(
                        StatusCode::BAD_REQUEST,
                        "MalformedXML",
                        "The XML you provided was not well-formed or did not validate: it is not UTF-8",
                    ));
                }
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            },
            Err(BodyError::TooLarge) => return Ok(too_large()),
            Err(BodyError::Broken) => return Err(Dropped),
        };
        if path == "/cfdash-sim/stats" {
            return Ok(self.stats_response());
        }
        // When the simulator completes (or completed) an invalidation, for measuring how
        // soon a client notices: /cfdash-sim/completion/DISTRIBUTION/ID.
        if let Some(rest) = path.strip_prefix("/cfdash-sim/completion/") {
            let mut parts = rest.splitn(2, '/').map(decode_segment);
            let text = match (parts.next(), parts.next()) {
                (Some(Ok(d)), Some(Ok(i))) => match self.sim.completion_time(&d, &i) {
                    Some(t) => format!("{t}\n"),
                    None => "unknown\n".to_string(),
                },
                _ => "unknown\n".to_string(),
            };
            return Ok(Response::new(Full::new(Bytes::from(text))));
        }
        let response = match decode_path(&path) {
            Ok(Some((resource, segments))) => {
                self.route(&method, &path, resource, &segments, &query, &body)
                    .await
            }
            Ok(None) => error(
                StatusCode::NOT_FOUND,
                "InvalidURI",
                &format!("no such resource {path}"),
            ),
            Err(e) => error(StatusCode::BAD_REQUEST, "InvalidURI", &e),
        };
        if self.roll_drop() {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            return Err(Dropped);
        }
        Ok(response)
    }

    /// `segments`: the `path` after the API prefix and its `resource`, split at `/` and
    /// percent-decoded.
    async fn route(
        &self,
        method: &Method,
        path: &str,
        resource: Resource,
        segments: &[String],
        query: &str,
        body: &str,
    ) -> Response<Full<Bytes>> {
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let Some(op) = Op::of(method, resource, &segments, query) else {
            return error(
                StatusCode::NOT_FOUND,
                "InvalidURI",
                &format!("{method} {path} is not served"),
            );
        };
        if self.is_denied(op.name()) {
            return error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                &format!(
                    "User: arn:aws:iam::123456789012:user/cfdash-sim is not authorized to perform: cloudfront:{}",
                    op.name()
                ),
            );
        }
        // ListDistributionTenants takes its Marker and MaxItems in its body; the others
        // that page, in the query.
        let listing = match &op {
            Op::ListTenants => read_tenants_request(body),
            _ => Listing::from_query(query).map_err(|e| ("InvalidArgument", e)),
        };
        let listing = match listing {
            Ok(l) => l,
            Err((code, e)) => return error(StatusCode::BAD_REQUEST, code, &e),
        };
        let (marker, max_items) = (listing.marker.as_deref(), listing.max_items);
        // A tenant's id on the distribution paths names no distribution, and anything but
        // a tenant's id on the tenant paths names no tenant: the simulator itself takes
        // both on either.
        if let Some((target, tenant)) = op.target()
            && is_tenant(target) != tenant
        {
            return self.error_response(&if tenant {
                CfError::NoSuchTenant {
                    id: target.to_string(),
                }
            } else {
                CfError::NoSuchDistribution {
                    id: target.to_string(),
                }
            });
        }
        let result = match op {
            Op::ListDistributions => self
                .sim
                .list_distributions_page(marker, max_items)
                .await
                .map(|page| {
                    ok(
                        StatusCode::OK,
                        distribution_list(
                            &page.items,
                            marker,
                            page.next_marker.as_deref(),
                            max_items,
                        ),
                    )
                }),
            Op::GetDistribution(id) => self.sim.distribution(id).and_then(|(d, running)| {
                let header = self.sim.cache_tag_header(id)?;
                Ok(with_etag(ok(
                    StatusCode::OK,
                    distribution_xml(&d, running, header.as_deref()),
                )))
            }),
            Op::GetDistributionConfig(id) => match self.sim.get_cache_tag_header(id).await {
                Ok(header) => self
                    .sim
                    .distribution(id)
                    .map(|(d, _)| with_etag(ok(StatusCode::OK, config_xml(&d, header.as_deref())))),
                Err(e) => Err(e),
            },
            Op::ListInvalidations { target, .. } => self
                .sim
                .list_invalidations_page(target, marker, max_items)
                .await
                .map(|page| {
                    ok(
                        StatusCode::OK,
                        invalidation_list(
                            &page.items,
                            marker,
                            page.next_marker.as_deref(),
                            max_items,
                        ),
                    )
                }),
            Op::GetInvalidation { target, id, .. } => self
                .sim
                .get_invalidation(target, id)
                .await
                .map(|i| ok(StatusCode::OK, invalidation_xml(&i))),
            Op::CreateInvalidation { target, tenant } => {
                let batch = match read_batch(body) {
                    Ok(batch) => batch,
                    Err(refused) => return refused,
                };
                if let Some(refused) = batch_refusal(&batch) {
                    return refused;
                }
                let reference = batch
                    .reference
                    .as_deref()
                    .expect("batch_refusal refuses a batch without a CallerReference");
                self.sim
                    .create_invalidation(target, &batch.paths, reference)
                    .await
                    .map(|i| {
                        let mut r = ok(StatusCode::CREATED, invalidation_xml(&i));
                        let location = format!(
                            "https://cloudfront.amazonaws.com{API}{}/{}/invalidation/{}",
                            if tenant {
                                "distribution-tenant"
                            } else {
                                "distribution"
                            },
                            encode_segment(target),
                            encode_segment(&i.id)
                        );
                        if let Ok(v) = location.parse() {
                            r.headers_mut().insert("Location", v);
                        }
                        r
                    })
            }
            Op::ListTenants => match listing.connection_group {
                // The simulator has no connection groups: none holds a tenant.
                Some(_) => Ok(ok(StatusCode::OK, tenant_list(&[], None))),
                None => self
                    .sim
                    .list_tenants(listing.distribution.as_deref(), marker, max_items)
                    .await
                    .map(|page| {
                        ok(
                            StatusCode::OK,
                            tenant_list(&page.items, page.next_marker.as_deref()),
                        )
                    }),
            },
            Op::GetTenant(identifier) => self
                .sim
                .get_tenant(identifier)
                .await
                .map(|t| with_etag(ok(StatusCode::OK, tenant_xml(&t)))),
            Op::GetTenantByDomain => match param(query, "domain") {
                Err(e) => Ok(error(StatusCode::BAD_REQUEST, "InvalidArgument", &e)),
                Ok(Some(domain)) => self
                    .sim
                    .get_tenant_by_domain(&domain)
                    .await
                    .map(|t| with_etag(ok(StatusCode::OK, tenant_xml(&t)))),
                Ok(None) => Ok(error(
                    StatusCode::BAD_REQUEST,
                    "InvalidArgument",
                    "GetDistributionTenantByDomain needs the domain query parameter",
                )),
            },
        };
        result.unwrap_or_else(|e| self.error_response(&e))
    }

    /// Answers every later request for `action` (`ListDistributionTenants`,
    /// `CreateInvalidationForDistributionTenant`, …) 403 `AccessDenied`, as CloudFront does
    /// a principal without that permission: for tests of what a client makes of it.
    pub fn deny(&self, action: &str) {
        self.denied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(action.to_string());
    }

    fn is_denied(&self, action: &str) -> bool {
        self.denied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|a| a == action)
    }

    fn error_response(&self, e: &CfError) -> Response<Full<Bytes>> {
        let (status, code, message) = match e {
            CfError::NoSuchDistribution { .. } => (
                StatusCode::NOT_FOUND,
                "NoSuchDistribution",
                "The specified distribution does not exist.".to_string(),
            ),
            CfError::NoSuchInvalidation { .. } => (
                StatusCode::NOT_FOUND,
                "NoSuchInvalidation",
                "The specified invalidation does not exist.".to_string(),
            ),
            // The tenant operations' "not found" (service model: EntityNotFound, 404).
            CfError::NoSuchTenant { .. } => (
                StatusCode::NOT_FOUND,
                "EntityNotFound",
                "The specified distribution tenant does not exist.".to_string(),
            ),
            // The API reference names InvalidationBatchAlreadyExists (409) for this, but
            // what CloudFront answers is 400 InvalidArgument with this message: botocore
            // users in 2019 (jonls/s3-deploy-website#26, aws/aws-cdk#3878). cfdash's client
            // reads both as the same refusal (cloudfront/aws.rs).
            CfError::BatchAlreadyExists { .. } => (
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                super::REUSED_REFERENCE.to_string(),
            ),
            CfError::TooManyInvalidationsInProgress { .. } => (
                StatusCode::BAD_REQUEST,
                "TooManyInvalidationsInProgress",
                e.to_string(),
            ),
            CfError::Throttled { .. } => {
                self.stats.throttled.fetch_add(1, Ordering::Relaxed);
                (
                    StatusCode::BAD_REQUEST,
                    "Throttling",
                    "Rate exceeded".to_string(),
                )
            }
            CfError::ServerError { code, message, .. } => {
                self.stats.unavailable.fetch_add(1, Ordering::Relaxed);
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    code.as_str(),
                    message.clone(),
                )
            }
            CfError::Other { code, message } => {
                return error(StatusCode::BAD_REQUEST, code, message);
            }
            other => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                other.to_string(),
            ),
        };
        error(status, code, &message)
    }

    fn stats_response(&self) -> Response<Full<Bytes>> {
        let s = &self.stats;
        let text = format!(
            "requests={} throttled={} unavailable={} dropped={} created={}\n",
            s.requests.load(Ordering::Relaxed),
            s.throttled.load(Ordering::Relaxed),
            s.unavailable.load(Ordering::Relaxed),
            s.dropped.load(Ordering::Relaxed),
            self.sim.created(),
        );
        let mut r = Response::new(Full::new(Bytes::from(text)));
        r.headers_mut()
            .insert("Content-Type", "text/plain".parse().expect("valid"));
        r
    }
}

/// The resources of the API this server knows: the first segment after [`API`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resource {
    /// `distribution`: distributions, their configurations and invalidations.
    Distribution,
    /// `distribution-tenant`: one tenant, and a tenant's invalidations.
    Tenant,
    /// `distribution-tenants`: ListDistributionTenants.
    Tenants,
}

/// The operation a request names, as the service model routes it.
#[derive(Debug, PartialEq, Eq)]
enum Op<'s> {
    ListDistributions,
    GetDistribution(&'s str),
    GetDistributionConfig(&'s str),
    /// `tenant`: by the tenant operation (`…ForDistributionTenant`), `target` a tenant.
    ListInvalidations {
        target: &'s str,
        tenant: bool,
    },
    GetInvalidation {
        target: &'s str,
        id: &'s str,
        tenant: bool,
    },
    CreateInvalidation {
        target: &'s str,
        tenant: bool,
    },
    ListTenants,
    /// An id, name or ARN.
    GetTenant(&'s str),
    /// The domain is the `domain` query parameter.
    GetTenantByDomain,
}

impl<'s> Op<'s> {
    fn of(method: &Method, resource: Resource, segments: &[&'s str], query: &str) -> Option<Self> {
        use Resource::*;
        let tenant = resource == Tenant;
        Some(match (method, resource, segments) {
            (&Method::GET, Distribution, []) => Self::ListDistributions,
            (&Method::GET, Distribution, [id]) => Self::GetDistribution(id),
            (&Method::GET, Distribution, [id, "config"]) => Self::GetDistributionConfig(id),
            (&Method::GET, Distribution | Tenant, [target, "invalidation"]) => {
                Self::ListInvalidations { target, tenant }
            }
            (&Method::GET, Distribution | Tenant, [target, "invalidation", id]) => {
                Self::GetInvalidation { target, id, tenant }
            }
            (&Method::POST, Distribution | Tenant, [target, "invalidation"]) => {
                Self::CreateInvalidation { target, tenant }
            }
            (&Method::POST, Tenants, []) => Self::ListTenants,
            (&Method::GET, Tenant, [identifier]) => Self::GetTenant(identifier),
            // By the query it has: `domain` is GetDistributionTenantByDomain's only member.
            (&Method::GET, Tenant, []) if query.split('&').any(|p| p.starts_with("domain=")) => {
                Self::GetTenantByDomain
            }
            _ => return None,
        })
    }

    /// Its name in the API (and in IAM).
    fn name(&self) -> &'static str {
        match self {
            Self::ListDistributions => "ListDistributions",
            Self::GetDistribution(_) => "GetDistribution",
            Self::GetDistributionConfig(_) => "GetDistributionConfig",
            Self::ListInvalidations { tenant: false, .. } => "ListInvalidations",
            Self::ListInvalidations { tenant: true, .. } => {
                "ListInvalidationsForDistributionTenant"
            }
            Self::GetInvalidation { tenant: false, .. } => "GetInvalidation",
            Self::GetInvalidation { tenant: true, .. } => "GetInvalidationForDistributionTenant",
            Self::CreateInvalidation { tenant: false, .. } => "CreateInvalidation",
            Self::CreateInvalidation { tenant: true, .. } => {
                "CreateInvalidationForDistributionTenant"
            }
            Self::ListTenants => "ListDistributionTenants",
            Self::GetTenant(_) => "GetDistributionTenant",
            Self::GetTenantByDomain => "GetDistributionTenantByDomain",
        }
    }

    /// The distribution or tenant whose invalidations it reaches, and whether a tenant.
    fn target(&self) -> Option<(&'s str, bool)> {
        match *self {
            Self::ListInvalidations { target, tenant }
            | Self::GetInvalidation { target, tenant, .. }
            | Self::CreateInvalidation { target, tenant } => Some((target, tenant)),
            Self::GetDistribution(id) | Self::GetDistributionConfig(id) => Some((id, false)),
            _ => None,
        }
    }
}

/// What a listing asks for: a page after `marker`, `max_items` long; ListDistributionTenants
/// also its association filter.
#[derive(Debug, Default, PartialEq, Eq)]
struct Listing {
    marker: Option<String>,
    max_items: u32,
    distribution: Option<String>,
    connection_group: Option<String>,
}

impl Listing {
    /// `Marker` and `MaxItems` of the query (100 when left out).
    fn from_query(query: &str) -> Result<Self, String> {
        Ok(Self {
            marker: param(query, "Marker")?,
            max_items: max_items(param(query, "MaxItems")?.as_deref())?,
            ..Self::default()
        })
    }
}

/// `MaxItems` as given (100 when left out): a positive number.
fn max_items(given: Option<&str>) -> Result<u32, String> {
    match given.map(|m| m.trim().parse::<u32>()) {
        None => Ok(100),
        Some(Ok(n)) if n > 0 => Ok(n),
        Some(_) => Err("MaxItems must be a positive number".into()),
    }
}

/// Reads ListDistributionTenants' body (`ListDistributionTenantsRequest`): every member is
/// optional, and an empty body asks for the first page of every tenant.
fn read_tenants_request(body: &str) -> Result<Listing, (&'static str, String)> {
    /// The members whose content is a value.
    const VALUES: [&[&str]; 4] = [
        &["ListDistributionTenantsRequest", "Marker"],
        &["ListDistributionTenantsRequest", "MaxItems"],
        &[
            "ListDistributionTenantsRequest",
            "AssociationFilter",
            "DistributionId",
        ],
        &[
            "ListDistributionTenantsRequest",
            "AssociationFilter",
            "ConnectionGroupId",
        ],
    ];
    let mut listing = Listing::default();
    if body.trim().is_empty() {
        listing.max_items = 100;
        return Ok(listing);
    }
    let mut max = None;
    read_xml(
        body,
        "ListDistributionTenantsRequest",
        &VALUES,
        |path, value| {
            let value = (!value.trim().is_empty()).then(|| value.trim().to_string());
            match path {
                [_, "Marker"] => listing.marker = value,
                [_, "MaxItems"] => max = value,
                [_, _, "DistributionId"] => listing.distribution = value,
                [_, _, "ConnectionGroupId"] => listing.connection_group = value,
                _ => {}
            }
            Ok(())
        },
    )
    .map_err(|why| {
        (
            "MalformedXML",
            format!("The XML you provided was not well-formed or did not validate: {why}"),
        )
    })?;
    listing.max_items = max_items(max.as_deref()).map_err(|e| ("InvalidArgument", e))?;
    Ok(listing)
}

fn with_etag(mut r: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    r.headers_mut().insert("ETag", ETAG.parse().expect("valid"));
    r
}

enum BodyError {
    /// More than [`MAX_BODY_BYTES`], said by Content-Length or found reading.
    TooLarge,
    /// The client went away or broke the framing.
    Broken,
}

/// The request body, refused unread when its Content-Length says it is too large, and read
/// no further than [`MAX_BODY_BYTES`] when it does not say (chunked).
async fn read_body<B>(body: B) -> Result<Bytes, BodyError>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    // Exact when the client sent Content-Length.
    if body.size_hint().lower() > MAX_BODY_BYTES as u64 {
        return Err(BodyError::TooLarge);
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(b) => Ok(b.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Broken),
    }
}

fn too_large() -> Response<Full<Bytes>> {
    let mut r = error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLarge",
        &format!(
            "the request body is larger than {} MiB, the most cfdash sim serve reads",
            MAX_BODY_BYTES >> 20
        ),
    );
    // The rest of the body is not read: the connection cannot carry another request.
    r.headers_mut()
        .insert("Connection", "close".parse().expect("valid"));
    r
}

/// The connection is closed without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the simulator")
    }
}

impl std::error::Error for Dropped {}

/// What CloudFront refuses in an invalidation batch before it looks at the distribution,
/// as it answers it; `None` for a batch it takes (or one the rest of the handler refuses).
/// - A body that is not XML at all: 400 `MalformedXML`, "Value null at 'invalidationBatch'"
///   (reported by SDK users: aws/aws-sdk-php#1973, s3tools/s3cmd#1214; not in the service
///   model). An empty body stays `MissingBody`.
/// - `Quantity` other than the number of items: 400 `InconsistentQuantities` (service model).
/// - An empty (or left out) CallerReference: 400 `InvalidArgument`.
/// - More than 3,000 items: 413 `BatchTooLarge` (service model).
/// - A path without its leading `/`, a `*` anywhere but last, a path over 4,000 characters,
///   or a cache tag (`#…`) breaking its rules: 400 `InvalidArgument`, "Your request contains
///   one or more invalid invalidation paths." (the aws CLI's report in
///   rust-lang/promote-release#94).
fn batch_refusal(batch: &Batch) -> Option<Response<Full<Bytes>>> {
    let refuse = |status, code, message: &str| Some(error(status, code, message));
    let Batch {
        paths,
        quantity,
        reference,
    } = batch;
    let Some(quantity) = quantity else {
        // As the service validates a missing required member (aws/aws-sdk-php#1973 for the
        // whole batch; awslabs/aws-powershell-extensions#4 for this one).
        return refuse(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            "1 validation error detected: Value null at 'invalidationBatch.paths.quantity' failed to satisfy constraint: Member must not be null",
        );
    };
    if quantity.trim().parse::<usize>().ok() != Some(paths.len()) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InconsistentQuantities",
            "The value of Quantity and the size of Items don't match.",
        );
    }
    // botocore leaves an empty CallerReference out; either way there is none.
    if reference.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "The CallerReference must not be empty.",
        );
    }
    if paths.len() > crate::paths::MAX_FILES_IN_PROGRESS {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BatchTooLarge",
            "Invalidation batch specified is too large.",
        );
    }
    if paths.iter().any(|p| !valid_item(p)) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Your request contains one or more invalid invalidation paths.",
        );
    }
    // Most could not even be written back in XML.
    if paths
        .iter()
        .chain(reference)
        .any(|t| t.chars().any(char::is_control))
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "paths and the CallerReference may not hold control characters",
        );
    }
    None
}

/// An invalidation item CloudFront takes: a path (a leading `/`, at most 4,000
/// characters, `*` only last) or a cache tag (`#`, then 1 to 256 printable ASCII
/// characters, no comma, no `*`).
fn valid_item(item: &str) -> bool {
    if let Some(tag) = item.strip_prefix('#') {
        return !tag.is_empty()
            && tag.len() <= 256
            && tag
                .bytes()
                .all(|b| (33..=126).contains(&b) && b != b',' && b != b'*');
    }
    let star = item.find('*');
    item.starts_with('/')
        && item.chars().count() <= 4000
        && star.is_none_or(|at| at == item.len() - 1)
}

fn ok(status: StatusCode, xml: String) -> Response<Full<Bytes>> {
    answer(status, xml, &request_id())
}

/// An answer with its `x-amz-request-id`.
fn answer(status: StatusCode, xml: String, id: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(xml)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert("Content-Type", "text/xml".parse().expect("valid"));
    h.insert("x-amz-request-id", id.parse().expect("valid"));
    r
}

/// CloudFront's error shape; the body's `RequestId` is the header's.
fn error(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let kind = if status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    let id = request_id();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"{NS}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{id}</RequestId></ErrorResponse>",
        esc(code),
        esc(message),
    );
    answer(status, xml, &id)
}

fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("cfdash-sim-{:012}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Escapes text for XML: every text the server writes into XML goes through here. The five
/// markup characters become entities; line ends and tabs become character references (as the
/// SDK writes them, so no parser normalises them away); a character XML 1.0 cannot carry at
/// all (other C0 controls, U+FFFE, U+FFFF) becomes U+FFFD.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' | '\u{85}' | '\u{2028}' => {
                let _ = write!(out, "&#x{:X};", c as u32);
            }
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Undoes XML escaping: the five entities and character references (`&#10;`, `&#xA;`). A
/// reference that names no character is left as written.
fn unesc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // Entity names are short: looking no further keeps a body of `&`s linear.
        let entity = rest
            .bytes()
            .take(12)
            .position(|b| b == b';')
            .map(|end| (&rest[1..end], end))
            .and_then(|(name, end)| {
                let c = match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => {
                        let code = match name.strip_prefix("#x") {
                            Some(hex) => u32::from_str_radix(hex, 16).ok(),
                            None => name.strip_prefix('#').and_then(|d| d.parse().ok()),
                        };
                        code.and_then(char::from_u32)
                    }
                };
                c.map(|c| (c, end))
            });
        match entity {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a CreateInvalidation body holds.
#[derive(Debug, Default, PartialEq, Eq)]
struct Batch {
    /// `Paths/Items/Path`, in order.
    paths: Vec<String>,
    /// `Paths/Quantity`, as written.
    quantity: Option<String>,
    /// `CallerReference`.
    reference: Option<String>,
}

/// Reads a CreateInvalidation body as XML: a body that is not well-formed XML, whose root is
/// not `InvalidationBatch`, or that says a value twice or puts an element inside one, is
/// 400 `MalformedXML` (what SDK users report CloudFront answers to a body it cannot read:
/// aws/aws-sdk-php#1973, s3tools/s3cmd#1214); an empty body is `MissingBody`. Only the
/// service model's places count: a `Path` under an unknown element is not a path.
#[allow(clippy::result_large_err)]
fn read_batch(body: &str) -> Result<Batch, Response<Full<Bytes>>> {
    if body.trim().is_empty() {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "MissingBody",
            "the request needs an InvalidationBatch with a CallerReference",
        ));
    }
    parse_batch(body).map_err(|why| {
        error(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            &format!("The XML you provided was not well-formed or did not validate: {why}"),
        )
    })
}

fn parse_batch(body: &str) -> Result<Batch, String> {
    /// The elements whose content is a value.
    const VALUES: [&[&str]; 3] = [
        &["InvalidationBatch", "CallerReference"],
        &["InvalidationBatch", "Paths", "Quantity"],
        &["InvalidationBatch", "Paths", "Items", "Path"],
    ];
    let mut batch = Batch::default();
    read_xml(body, "InvalidationBatch", &VALUES, |path, value| {
        let twice = |what: &str| Err(format!("{what} is given twice"));
        match path {
            ["InvalidationBatch", "CallerReference"] => {
                if batch.reference.is_some() {
                    return twice("CallerReference");
                }
                batch.reference = Some(value);
            }
            ["InvalidationBatch", "Paths", "Quantity"] => {
                if batch.quantity.is_some() {
                    return twice("Quantity");
                }
                batch.quantity = Some(value);
            }
            ["InvalidationBatch", "Paths", "Items", "Path"] => batch.paths.push(value),
            _ => {}
        }
        Ok(())
    })?;
    Ok(batch)
}

/// Reads an XML request body whose one root element is `root`, handing `on` the path and
/// text of each element as it closes. Nothing may nest in the elements of `values`; a
/// DOCTYPE, a second root, text outside the root and an element left open are refused
/// (why, as a sentence).
fn read_xml(
    body: &str,
    root: &str,
    values: &[&[&str]],
    mut on: impl FnMut(&[&str], String) -> Result<(), String>,
) -> Result<(), String> {
    use xmlparser::{ElementEnd, Token, Tokenizer};
    let mut stack: Vec<&str> = Vec::new();
    let mut text = String::new();
    let mut rooted = false;
    let in_value = |stack: &[&str]| values.contains(&stack);
    for token in Tokenizer::from(body) {
        match token.map_err(|e| e.to_string())? {
            Token::Declaration { .. } | Token::Comment { .. } | Token::Attribute { .. } => {}
            Token::ProcessingInstruction { .. } => {}
            Token::DtdStart { .. }
            | Token::EmptyDtd { .. }
            | Token::EntityDeclaration { .. }
            | Token::DtdEnd { .. } => return Err("a DOCTYPE is not allowed".into()),
            Token::ElementStart { local, .. } => {
                let local = local.as_str();
                if stack.is_empty() {
                    if rooted {
                        return Err("more than one root element".into());
                    }
                    if local != root {
                        return Err(format!("the root element is {local}, not {root}"));
                    }
                    rooted = true;
                }
                if in_value(&stack) {
                    return Err(format!("{local} inside {}", stack.join("/")));
                }
                stack.push(local);
                text.clear();
            }
            Token::ElementEnd { end, .. } => {
                let closed = match end {
                    ElementEnd::Open => continue,
                    ElementEnd::Empty => stack.pop(),
                    ElementEnd::Close(_, local) => {
                        let open = stack.pop();
                        if open != Some(local.as_str()) {
                            return Err(format!("</{}> closes nothing open", local.as_str()));
                        }
                        open
                    }
                };
                let Some(name) = closed else {
                    return Err("an element closed twice".into());
                };
                let mut path = stack.clone();
                path.push(name);
                on(&path, std::mem::take(&mut text))?;
            }
            Token::Text { text: t } => {
                if stack.is_empty() {
                    if !t.as_str().trim().is_empty() {
                        return Err("text outside the root element".into());
                    }
                } else {
                    text.push_str(&unesc(t.as_str()));
                }
            }
            Token::Cdata { text: t, .. } => {
                if stack.is_empty() {
                    return Err("CDATA outside the root element".into());
                }
                text.push_str(t.as_str());
            }
        }
    }
    if !rooted {
        return Err(format!("no {root} element"));
    }
    if let Some(open) = stack.last() {
        return Err(format!("{open} is never closed"));
    }
    Ok(())
}

/// A query parameter, percent-decoded (`+` is a space); `None` when absent or empty.
fn param(query: &str, name: &str) -> Result<Option<String>, String> {
    let Some(v) = query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name && !v.is_empty()).then_some(v)
    }) else {
        return Ok(None);
    };
    percent_decode(v, true)
        .map(Some)
        .map_err(|e| format!("the {name} parameter {e}"))
}

/// The API path's resource, and the rest split at `/` and each segment percent-decoded;
/// `None` when it is not under the API prefix or names no resource served here.
fn decode_path(path: &str) -> Result<Option<(Resource, Vec<String>)>, String> {
    let Some(rest) = path.strip_prefix(API) else {
        return Ok(None);
    };
    let (resource, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let resource = match resource {
        "distribution" => Resource::Distribution,
        "distribution-tenant" => Resource::Tenant,
        "distribution-tenants" => Resource::Tenants,
        _ => return Ok(None),
    };
    rest.split('/')
        .filter(|s| !s.is_empty())
        .map(decode_segment)
        .collect::<Result<_, _>>()
        .map(|segments| Some((resource, segments)))
        .map_err(|e| format!("the path segment {e}"))
}

/// One path segment, percent-decoded (`+` stays a `+`: it means a space only in a query).
fn decode_segment(segment: &str) -> Result<String, String> {
    percent_decode(segment, false)
}

/// `%XX` escapes to bytes, which must make UTF-8. The error says what was wrong, after the
/// text it was found in.
fn percent_decode(s: &str, plus_is_space: bool) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
                let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) else {
                    return Err(format!(
                        "{s:?} has an invalid percent escape at byte {}: % must be followed by two hex digits",
                        i + 1
                    ));
                };
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} is not UTF-8 once percent-decoded"))
}

/// One path segment, percent-encoded: all but RFC 3986's unreserved characters.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn list_header(
    out: &mut String,
    marker: Option<&str>,
    next: Option<&str>,
    max_items: u32,
    quantity: usize,
) {
    let _ = write!(out, "<Marker>{}</Marker>", esc(marker.unwrap_or("")));
    if let Some(n) = next {
        let _ = write!(out, "<NextMarker>{}</NextMarker>", esc(n));
    }
    let _ = write!(
        out,
        "<MaxItems>{max_items}</MaxItems><IsTruncated>{}</IsTruncated><Quantity>{quantity}</Quantity>",
        next.is_some()
    );
}

fn distribution_list(
    items: &[Distribution],
    marker: Option<&str>,
    next: Option<&str>,
    max_items: u32,
) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DistributionList xmlns=\"{NS}\">");
    list_header(&mut out, marker, next, max_items, items.len());
    if !items.is_empty() {
        out.push_str("<Items>");
        for d in items {
            distribution_summary(&mut out, d);
        }
        out.push_str("</Items>");
    }
    out.push_str("</DistributionList>");
    out
}

fn distribution_summary(out: &mut String, d: &Distribution) {
    out.push_str("<DistributionSummary>");
    distribution_head(out, d);
    distribution_settings(out, d);
    out.push_str("<Staging>false</Staging>");
    connection_mode(out, d);
    out.push_str("</DistributionSummary>");
}

/// GetDistribution's answer: the summary's fields, and the settings as a DistributionConfig.
fn distribution_xml(
    d: &Distribution,
    in_progress: usize,
    cache_tag_header: Option<&str>,
) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Distribution xmlns=\"{NS}\">");
    distribution_head(&mut out, d);
    let _ = write!(
        out,
        "<InProgressInvalidationBatches>{in_progress}</InProgressInvalidationBatches>\
         <ActiveTrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedSigners>\
         <ActiveTrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedKeyGroups>\
         <DistributionConfig>",
    );
    distribution_config(&mut out, d, cache_tag_header);
    out.push_str("</DistributionConfig></Distribution>");
    out
}

/// GetDistributionConfig's answer: the DistributionConfig alone (its payload).
fn config_xml(d: &Distribution, cache_tag_header: Option<&str>) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DistributionConfig xmlns=\"{NS}\">");
    distribution_config(&mut out, d, cache_tag_header);
    out.push_str("</DistributionConfig>");
    out
}

/// A DistributionConfig's members: `CacheTagConfig` only when the distribution has one.
fn distribution_config(out: &mut String, d: &Distribution, cache_tag_header: Option<&str>) {
    let _ = write!(
        out,
        "<CallerReference>{}</CallerReference><DefaultRootObject>index.html</DefaultRootObject>\
         <Logging><Enabled>false</Enabled><IncludeCookies>false</IncludeCookies><Bucket></Bucket><Prefix></Prefix></Logging>",
        esc(&d.id)
    );
    distribution_settings(out, d);
    connection_mode(out, d);
    if let Some(header) = cache_tag_header {
        let _ = write!(
            out,
            "<CacheTagConfig><HeaderName>{}</HeaderName></CacheTagConfig>",
            esc(header)
        );
    }
}

/// `direct`, or `tenant-only` for a multi-tenant distribution.
fn connection_mode(out: &mut String, d: &Distribution) {
    let mode = if d.tenant_only {
        "tenant-only"
    } else {
        "direct"
    };
    let _ = write!(out, "<ConnectionMode>{mode}</ConnectionMode>");
}

fn distribution_head(out: &mut String, d: &Distribution) {
    let _ = write!(
        out,
        "<Id>{}</Id><ARN>{}</ARN><Status>{}</Status><LastModifiedTime>{}</LastModifiedTime><DomainName>{}</DomainName>",
        esc(&d.id),
        esc(&d.arn),
        esc(&d.status),
        time(d.last_modified),
        esc(&d.domain_name)
    );
}

/// What a distribution summary and a DistributionConfig share.
fn distribution_settings(out: &mut String, d: &Distribution) {
    let _ = write!(out, "<Aliases><Quantity>{}</Quantity>", d.aliases.len());
    if !d.aliases.is_empty() {
        out.push_str("<Items>");
        for a in &d.aliases {
            let _ = write!(out, "<CNAME>{}</CNAME>", esc(a));
        }
        out.push_str("</Items>");
    }
    out.push_str("</Aliases>");
    let _ = write!(
        out,
        "<Origins><Quantity>{}</Quantity><Items>",
        d.origins.len()
    );
    for (i, o) in d.origins.iter().enumerate() {
        let _ = write!(
            out,
            "<Origin><Id>origin-{i}</Id><DomainName>{}</DomainName><OriginPath></OriginPath><CustomHeaders><Quantity>0</Quantity></CustomHeaders><S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig><ConnectionAttempts>3</ConnectionAttempts><ConnectionTimeout>10</ConnectionTimeout></Origin>",
            esc(o)
        );
    }
    out.push_str("</Items></Origins>");
    let _ = write!(
        out,
        "<DefaultCacheBehavior><TargetOriginId>origin-0</TargetOriginId><TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners><TrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></TrustedKeyGroups><ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy><AllowedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items><CachedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items></CachedMethods></AllowedMethods><SmoothStreaming>false</SmoothStreaming><Compress>true</Compress><LambdaFunctionAssociations><Quantity>0</Quantity></LambdaFunctionAssociations><FunctionAssociations><Quantity>0</Quantity></FunctionAssociations><FieldLevelEncryptionId></FieldLevelEncryptionId><CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId></DefaultCacheBehavior>\
         <CacheBehaviors><Quantity>0</Quantity></CacheBehaviors><CustomErrorResponses><Quantity>0</Quantity></CustomErrorResponses><Comment>{}</Comment><PriceClass>PriceClass_All</PriceClass><Enabled>{}</Enabled>\
         <ViewerCertificate><CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate><SSLSupportMethod>vip</SSLSupportMethod><MinimumProtocolVersion>TLSv1</MinimumProtocolVersion><CertificateSource>cloudfront</CertificateSource></ViewerCertificate>\
         <Restrictions><GeoRestriction><RestrictionType>none</RestrictionType><Quantity>0</Quantity></GeoRestriction></Restrictions><WebACLId></WebACLId><HttpVersion>http2</HttpVersion><IsIPV6Enabled>true</IsIPV6Enabled>",
        esc(d.comment.as_deref().unwrap_or("")),
        d.enabled.unwrap_or(false)
    );
}

/// ListDistributionTenants' answer. Its list has no Marker, MaxItems, IsTruncated or
/// Quantity: a NextMarker is the only sign of more.
fn tenant_list(items: &[Tenant], next: Option<&str>) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListDistributionTenantsResult xmlns=\"{NS}\">"
    );
    if let Some(n) = next {
        let _ = write!(out, "<NextMarker>{}</NextMarker>", esc(n));
    }
    out.push_str("<DistributionTenantList>");
    for t in items {
        out.push_str("<DistributionTenantSummary>");
        tenant_head(&mut out, t);
        let _ = write!(out, "<ETag>{ETAG}</ETag>");
        tenant_state(&mut out, t);
        out.push_str("</DistributionTenantSummary>");
    }
    out.push_str("</DistributionTenantList></ListDistributionTenantsResult>");
    out
}

/// GetDistributionTenant's (and …ByDomain's) answer: the DistributionTenant (its payload).
fn tenant_xml(t: &Tenant) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DistributionTenant xmlns=\"{NS}\">");
    tenant_head(&mut out, t);
    tenant_state(&mut out, t);
    out.push_str("</DistributionTenant>");
    out
}

/// What a DistributionTenantSummary and a DistributionTenant share, up to the times. The
/// domains' list has no member name in the model: its items are `member`.
fn tenant_head(out: &mut String, t: &Tenant) {
    let _ = write!(
        out,
        "<Id>{}</Id><DistributionId>{}</DistributionId><Name>{}</Name><Arn>{}</Arn><Domains>",
        esc(&t.id),
        esc(&t.distribution_id),
        esc(&t.name),
        esc(&t.arn)
    );
    for d in &t.domains {
        let _ = write!(
            out,
            "<member><Domain>{}</Domain><Status>active</Status></member>",
            esc(d)
        );
    }
    // The simulator keeps no creation time apart: the last change stands for both.
    let at = time(t.last_modified);
    let _ = write!(
        out,
        "</Domains><CreatedTime>{at}</CreatedTime><LastModifiedTime>{at}</LastModifiedTime>"
    );
}

fn tenant_state(out: &mut String, t: &Tenant) {
    if let Some(enabled) = t.enabled {
        let _ = write!(out, "<Enabled>{enabled}</Enabled>");
    }
    if let Some(status) = &t.status {
        let _ = write!(out, "<Status>{}</Status>", esc(status));
    }
}

fn invalidation_list(
    items: &[InvalidationSummary],
    marker: Option<&str>,
    next: Option<&str>,
    max_items: u32,
) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InvalidationList xmlns=\"{NS}\">");
    list_header(&mut out, marker, next, max_items, items.len());
    if !items.is_empty() {
        out.push_str("<Items>");
        for i in items {
            let _ = write!(
                out,
                "<InvalidationSummary><Id>{}</Id><CreateTime>{}</CreateTime><Status>{}</Status></InvalidationSummary>",
                esc(&i.id),
                time(i.create_time),
                i.status
            );
        }
        out.push_str("</Items>");
    }
    out.push_str("</InvalidationList>");
    out
}

fn invalidation_xml(i: &Invalidation) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Invalidation xmlns=\"{NS}\"><Id>{}</Id><Status>{}</Status><CreateTime>{}</CreateTime><InvalidationBatch><Paths><Quantity>{}</Quantity>",
        esc(&i.id),
        i.status,
        time(i.create_time),
        i.paths.len()
    );
    if !i.paths.is_empty() {
        out.push_str("<Items>");
        for p in &i.paths {
            let _ = write!(out, "<Path>{}</Path>", esc(p));
        }
        out.push_str("</Items>");
    }
    let _ = write!(
        out,
        "</Paths><CallerReference>{}</CallerReference></InvalidationBatch></Invalidation>",
        esc(&i.caller_reference)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_read_as_xml_and_escaping_round_trips() {
        let body = "<?xml version=\"1.0\"?><InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Paths><Quantity>2</Quantity><Items><Path>/a&amp;b</Path><Path xml:lang=\"en\"><![CDATA[/c?x=<1>]]></Path></Items></Paths><!-- a note --><CallerReference>ref 1</CallerReference></InvalidationBatch>";
        assert_eq!(
            parse_batch(body).unwrap(),
            Batch {
                paths: vec!["/a&b".into(), "/c?x=<1>".into()],
                quantity: Some("2".into()),
                reference: Some("ref 1".into()),
            }
        );
        // Unknown elements are passed over, and what they hold is not a path.
        let junk = "<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path><Junk><Path>/evil</Path></Junk></Items></Paths><Extra/><CallerReference>r</CallerReference></InvalidationBatch>";
        assert_eq!(parse_batch(junk).unwrap().paths, ["/a"]);
        for bad in [
            "zzz <InvalidationBatch zzz <Path>/a</Path> <CallerReference>R</CallerReference>",
            "<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths><CallerReference>r</CallerReference>",
            "<InvalidationBatch><CallerReference><Path>/b</Path></CallerReference></InvalidationBatch>",
            "<InvalidationBatch><Paths><Quantity>1</Quantity><Quantity>1</Quantity></Paths></InvalidationBatch>",
            "<InvalidationBatch><CallerReference>a</CallerReference><CallerReference>b</CallerReference></InvalidationBatch>",
            "<Batch><Paths/></Batch>",
            "<InvalidationBatch></InvalidationBatch><InvalidationBatch></InvalidationBatch>",
            "<InvalidationBatch></Paths></InvalidationBatch>",
            "<!DOCTYPE x [<!ENTITY a \"b\">]><InvalidationBatch/>",
            "<InvalidationBatch/> trailing",
        ] {
            assert!(parse_batch(bad).is_err(), "{bad}");
        }
        assert_eq!(unesc(&esc("a<&>\"'")), "a<&>\"'");
    }

    #[test]
    fn character_references_round_trip() {
        // As the SDK writes a path with line ends and a line separator.
        assert_eq!(unesc("a&#xD;&#xA; b&#10;&#x2028;"), "a\r\n b\n\u{2028}");
        assert_eq!(
            unesc("&#xZZ; &bogus; &#1114112; & ;"),
            "&#xZZ; &bogus; &#1114112; & ;"
        );
        let odd = "tab\there\r\nand\u{2028}";
        assert_eq!(unesc(&esc(odd)), odd);
        assert!(!esc(odd).contains(['\t', '\r', '\n', '\u{2028}']));
        // What XML 1.0 cannot carry never reaches the output.
        assert_eq!(esc("a\u{1}b\u{ffff}"), "a\u{fffd}b\u{fffd}");
    }

    #[test]
    fn query_parameters_decode() {
        let p = |q, name| param(q, name).unwrap();
        assert_eq!(p("Marker=E1&MaxItems=5", "MaxItems").as_deref(), Some("5"));
        assert_eq!(p("Marker=a%2Fb+c", "Marker").as_deref(), Some("a/b c"));
        assert_eq!(p("Marker=&MaxItems=5", "Marker"), None);
        assert_eq!(p("", "Marker"), None);
        assert!(param("Marker=%zz", "Marker").is_err());
    }

    #[test]
    fn path_segments_percent_decode_strictly() {
        let segments = |p| decode_path(p).unwrap().unwrap();
        assert_eq!(
            segments("/2020-05-31/distribution/E1%20a%2Fb%26%3C%C3%A9+/invalidation"),
            (
                Resource::Distribution,
                vec!["E1 a/b&<é+".to_string(), "invalidation".to_string()]
            )
        );
        assert_eq!(
            segments("/2020-05-31/distribution"),
            (Resource::Distribution, Vec::<String>::new())
        );
        assert_eq!(
            segments(
                "/2020-05-31/distribution-tenant/arn%3Aaws%3Acloudfront%3A%3A1%3Adistribution-tenant%2Fdt_1"
            ),
            (
                Resource::Tenant,
                vec!["arn:aws:cloudfront::1:distribution-tenant/dt_1".to_string()]
            )
        );
        assert_eq!(
            segments("/2020-05-31/distribution-tenants"),
            (Resource::Tenants, Vec::<String>::new())
        );
        assert_eq!(decode_path("/2020-05-31/distributions"), Ok(None));
        assert_eq!(
            decode_path("/2020-05-31/distribution-tenantx/dt_1"),
            Ok(None)
        );
        assert_eq!(decode_path("/other"), Ok(None));
        for bad in ["%", "%4", "%G1", "a%é", "%FF", "%C3"] {
            let path = format!("/2020-05-31/distribution/{bad}");
            assert!(decode_path(&path).is_err(), "{bad}");
        }
        let id = "E1 a/b&<é+%";
        assert_eq!(decode_segment(&encode_segment(id)).unwrap(), id);
        assert_eq!(encode_segment("E1-a.b~c_D"), "E1-a.b~c_D");
    }

    #[test]
    fn operations_are_routed_as_the_service_model_says() {
        let op = |method: Method, path: &str, query: &str| {
            let (resource, segments) = decode_path(path).unwrap().unwrap();
            let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
            Op::of(&method, resource, &segments, query).map(|o| o.name())
        };
        let d = "/2020-05-31/distribution";
        let t = "/2020-05-31/distribution-tenant";
        for (method, path, query, name) in [
            (Method::GET, d.to_string(), "", Some("ListDistributions")),
            (Method::GET, format!("{d}/E1"), "", Some("GetDistribution")),
            (
                Method::GET,
                format!("{d}/E1/config"),
                "",
                Some("GetDistributionConfig"),
            ),
            (
                Method::GET,
                format!("{d}/E1/invalidation"),
                "",
                Some("ListInvalidations"),
            ),
            (
                Method::GET,
                format!("{d}/E1/invalidation/I1"),
                "",
                Some("GetInvalidation"),
            ),
            (
                Method::POST,
                format!("{d}/E1/invalidation"),
                "",
                Some("CreateInvalidation"),
            ),
            (
                Method::POST,
                "/2020-05-31/distribution-tenants".into(),
                "",
                Some("ListDistributionTenants"),
            ),
            (
                Method::GET,
                format!("{t}/dt_1"),
                "",
                Some("GetDistributionTenant"),
            ),
            (
                Method::GET,
                t.to_string(),
                "domain=a.example",
                Some("GetDistributionTenantByDomain"),
            ),
            (
                Method::GET,
                format!("{t}/dt_1/invalidation"),
                "MaxItems=2",
                Some("ListInvalidationsForDistributionTenant"),
            ),
            (
                Method::GET,
                format!("{t}/dt_1/invalidation/I1"),
                "",
                Some("GetInvalidationForDistributionTenant"),
            ),
            (
                Method::POST,
                format!("{t}/dt_1/invalidation"),
                "",
                Some("CreateInvalidationForDistributionTenant"),
            ),
            (
                Method::GET,
                "/2020-05-31/distribution-tenants".into(),
                "",
                None,
            ),
            (Method::GET, t.to_string(), "", None),
            (Method::POST, format!("{t}/dt_1"), "", None),
            (Method::GET, format!("{t}/dt_1/config"), "", None),
            (Method::DELETE, format!("{d}/E1"), "", None),
        ] {
            assert_eq!(
                op(method.clone(), &path, query),
                name,
                "{method} {path}?{query}"
            );
        }
    }

    #[test]
    fn list_tenants_requests_are_read_from_the_body() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListDistributionTenantsRequest xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><AssociationFilter><DistributionId>E3MT</DistributionId></AssociationFilter><Marker>dt_a&amp;b</Marker><MaxItems>2</MaxItems></ListDistributionTenantsRequest>";
        assert_eq!(
            read_tenants_request(body).unwrap(),
            Listing {
                marker: Some("dt_a&b".into()),
                max_items: 2,
                distribution: Some("E3MT".into()),
                connection_group: None,
            }
        );
        let none = Listing {
            max_items: 100,
            ..Listing::default()
        };
        assert_eq!(read_tenants_request("").unwrap(), none);
        assert_eq!(
            read_tenants_request("<ListDistributionTenantsRequest/>").unwrap(),
            none
        );
        let group = "<ListDistributionTenantsRequest><AssociationFilter><ConnectionGroupId>cg_1</ConnectionGroupId></AssociationFilter></ListDistributionTenantsRequest>";
        assert_eq!(
            read_tenants_request(group)
                .unwrap()
                .connection_group
                .as_deref(),
            Some("cg_1")
        );
        for (bad, code) in [
            ("<Other/>", "MalformedXML"),
            ("<ListDistributionTenantsRequest>", "MalformedXML"),
            ("not xml", "MalformedXML"),
            (
                "<ListDistributionTenantsRequest><MaxItems>0</MaxItems></ListDistributionTenantsRequest>",
                "InvalidArgument",
            ),
            (
                "<ListDistributionTenantsRequest><MaxItems>x</MaxItems></ListDistributionTenantsRequest>",
                "InvalidArgument",
            ),
        ] {
            assert_eq!(read_tenants_request(bad).unwrap_err().0, code, "{bad}");
        }
    }

    #[test]
    fn bodies_stop_at_the_cap() {
        fn block<T>(f: impl Future<Output = T>) -> T {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(f)
        }
        let legal = format!(
            "<InvalidationBatch><Paths><Quantity>3000</Quantity><Items>{}</Items></Paths><CallerReference>r</CallerReference></InvalidationBatch>",
            format!("<Path>/{}</Path>", "a".repeat(3999)).repeat(3000)
        );
        assert!(block(read_body(Full::new(Bytes::from(legal)))).is_ok());
        let huge = Bytes::from(vec![b'a'; MAX_BODY_BYTES + 1]);
        assert!(matches!(
            block(read_body(Full::new(huge))),
            Err(BodyError::TooLarge)
        ));
        // Without a length up front (chunked), the cap stops the reading.
        let stream = http_body_util::StreamBody::new(futures::stream::iter((0..17).map(|_| {
            Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(Bytes::from(vec![
                b'a';
                1 << 20
            ])))
        })));
        assert!(matches!(block(read_body(stream)), Err(BodyError::TooLarge)));
    }
}
