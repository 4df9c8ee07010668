//! CloudFront as cfdash sees it: the domain types, the error kinds the app acts on, the
//! page-at-a-time trait both backends implement, and the one pager that walks its pages.

pub mod aws;
pub mod paced;
pub mod serve;
pub mod sim;

use std::fmt;

use futures::future::BoxFuture;
use jiff::Timestamp;

/// A distribution, with what the dashboard shows and the filter searches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Distribution {
    pub id: String,
    pub arn: String,
    pub domain_name: String,
    pub aliases: Vec<String>,
    /// The answer did not say which aliases (moto's listing leaves them out): `aliases` is
    /// empty, and unknown rather than none.
    pub aliases_unknown: bool,
    /// `Deployed` or `InProgress` (a configuration change rolling out).
    pub status: String,
    /// `None`: the answer did not say (an emulator may leave it out).
    pub enabled: Option<bool>,
    /// `None`: the answer did not say.
    pub comment: Option<String>,
    /// The origins' domain names.
    pub origins: Vec<String>,
    pub last_modified: Timestamp,
    /// A multi-tenant distribution (`ConnectionMode` `tenant-only`): it has no routing
    /// endpoint of its own, its tenants serve its content.
    pub tenant_only: bool,
    /// `Some`: this row is not a distribution but one of its tenants (`dt_…`), listed by
    /// ListDistributionTenants. Its invalidations are listed, read and made with the
    /// tenant operations; everywhere else it is a row like any other.
    pub tenant: Option<TenantOf>,
}

/// Whose tenant a row is, and the tenant's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantOf {
    pub distribution: String,
    pub name: String,
}

impl Distribution {
    /// The name an operator knows the distribution by: a tenant's name, else the first
    /// alias, else the domain.
    pub fn display_name(&self) -> &str {
        match &self.tenant {
            Some(t) => &t.name,
            None => self.aliases.first().unwrap_or(&self.domain_name),
        }
    }

    /// What follows the name where a cell shows one: " +N" for the other aliases, " +?"
    /// when the endpoint did not say them (the domain stands in), else nothing.
    pub fn more_aliases(&self) -> Option<String> {
        match self.aliases.len() {
            _ if self.aliases_unknown => Some(" +?".into()),
            0 | 1 => None,
            n => Some(format!(" +{}", n - 1)),
        }
    }

    /// Case-insensitive match over id, domain, aliases, comment and a tenant's name.
    /// `needle` is lowercase.
    pub fn matches(&self, needle: &str) -> bool {
        let has = |s: &str| contains_ignore_case(s, needle);
        has(&self.id)
            || has(&self.domain_name)
            || self.aliases.iter().any(|a| has(a))
            || self.comment.as_deref().is_some_and(has)
            || self.tenant.as_ref().is_some_and(|t| has(&t.name))
    }

    /// This row is a tenant of the distribution `dist`.
    pub fn is_tenant_of(&self, dist: &str) -> bool {
        self.tenant.as_ref().is_some_and(|t| t.distribution == dist)
    }

    /// The distribution whose quotas this row's invalidations count against: its own id,
    /// or a tenant's distribution.
    pub fn quota_owner(&self) -> &str {
        self.tenant.as_ref().map_or(&self.id, |t| &t.distribution)
    }
}

/// Whether an id names a distribution tenant (`dt_…`) rather than a distribution
/// (CloudFront's distribution ids are upper-case letters and digits). Every invalidation
/// operation takes either: the backends send a tenant's to the tenant operations
/// (`…ForDistributionTenant`).
pub fn is_tenant(id: &str) -> bool {
    id.starts_with("dt_")
}

/// A distribution tenant, as ListDistributionTenants and GetDistributionTenant answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    /// `dt_…`.
    pub id: String,
    pub distribution_id: String,
    pub name: String,
    pub arn: String,
    /// Its domains, the first being the one it is known by.
    pub domains: Vec<String>,
    /// `None`: the answer did not say.
    pub enabled: Option<bool>,
    /// `Deployed` or `InProgress`; `None`: the answer did not say.
    pub status: Option<String>,
    pub last_modified: Timestamp,
}

impl Tenant {
    /// The tenant as a row of the distributions table.
    pub fn row(&self) -> Distribution {
        Distribution {
            id: self.id.clone(),
            arn: self.arn.clone(),
            domain_name: self.domains.first().cloned().unwrap_or_default(),
            aliases: self.domains.clone(),
            status: self.status.clone().unwrap_or_else(|| "?".into()),
            enabled: self.enabled,
            // The comment column of a tenant row says what it is and where it serves.
            comment: Some(format!("tenant · {}", self.domains.join(", "))),
            origins: Vec::new(),
            last_modified: self.last_modified,
            aliases_unknown: false,
            tenant_only: false,
            tenant: Some(TenantOf {
                distribution: self.distribution_id.clone(),
                name: self.name.clone(),
            }),
        }
    }
}

/// `haystack` contains `needle` (already lowercase), ignoring case, without allocating.
pub fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if haystack.is_ascii() && needle.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle.as_bytes());
        return h
            .windows(n.len())
            .any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b));
    }
    haystack.to_lowercase().contains(needle)
}

/// An invalidation's status. CloudFront knows no failed state; anything unknown is kept as
/// written so the operator still sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvalidationStatus {
    InProgress,
    Completed,
    /// cfdash's own: a batch held back until the in-progress quotas leave room for it.
    /// CloudFront never answers it.
    Queued,
    Other(String),
}

impl InvalidationStatus {
    /// AWS answers `Completed`, moto `COMPLETED`: compare without case.
    pub fn parse(s: &str) -> Self {
        if s.eq_ignore_ascii_case("completed") {
            Self::Completed
        } else if s.eq_ignore_ascii_case("inprogress") {
            Self::InProgress
        } else {
            Self::Other(s.to_string())
        }
    }

    pub fn is_in_progress(&self) -> bool {
        matches!(self, Self::InProgress)
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::InProgress => "InProgress",
            Self::Completed => "Completed",
            Self::Queued => "Queued",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for InvalidationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of ListInvalidations: no paths (GetInvalidation has them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidationSummary {
    pub id: String,
    pub status: InvalidationStatus,
    pub create_time: Timestamp,
}

/// A whole invalidation, as GetInvalidation and CreateInvalidation answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalidation {
    pub id: String,
    pub status: InvalidationStatus,
    pub create_time: Timestamp,
    pub paths: Vec<String>,
    pub caller_reference: String,
}

/// One page of a paginated listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as the next call's marker; `None` on the last page.
    pub next_marker: Option<String>,
}

/// What can go wrong talking to CloudFront, in kinds the app and the headless commands act
/// on. `Display` is the one sentence an operator sees, saying what to do; `Debug` carries
/// the detail that goes to the log file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CfError {
    #[error("{}", no_credentials(profile, cfdash_profile.as_deref(), *emulator))]
    NoCredentials {
        /// The AWS profile whose chain found none.
        profile: String,
        /// The cfdash profile the operator chose, when known: what the advice names first.
        cfdash_profile: Option<String>,
        detail: String,
        /// The endpoint is on this machine (an emulator): dummy keys are the advice.
        emulator: bool,
    },
    #[error("access denied to cloudfront:{action}: ask for that permission on this account")]
    AccessDenied { action: String, detail: String },
    #[error("distribution {id} does not exist in this account: check the id and the profile")]
    NoSuchDistribution { id: String },
    #[error(
        "distribution tenant {id} does not exist in this account: check the id, name or domain (`cfdash tenants -d DIST` lists them) and the profile"
    )]
    NoSuchTenant { id: String },
    #[error("invalidation {id} does not exist on {}", target_name(distribution))]
    NoSuchInvalidation { distribution: String, id: String },
    #[error(
        "too many invalidations in progress on {distribution}: wait for some to complete, then submit again"
    )]
    TooManyInvalidationsInProgress {
        distribution: String,
        detail: String,
    },
    #[error(
        "an invalidation with caller reference {caller_reference} already exists with other paths: send these under a new reference (a new --caller-reference key)"
    )]
    BatchAlreadyExists { caller_reference: String },
    #[error("CloudFront is throttling requests: cfdash is backing off and will retry")]
    Throttled { detail: String },
    #[error("cannot reach CloudFront: check the network, proxy settings or endpoint_url")]
    Network { detail: String },
    #[error("CloudFront did not answer in time: it will be retried")]
    Timeout { detail: String },
    #[error("CloudFront refused the request ({code}): {message}")]
    Other { code: String, message: String },
    /// CloudFront failed on its side (HTTP 5xx), or answered a success cfdash could not read
    /// (`UnreadableAnswer`): a create may or may not have happened.
    #[error("CloudFront answered HTTP {status} ({code}): {message}")]
    ServerError {
        status: u16,
        code: String,
        message: String,
    },
    /// The profile's backend could not be made (a bad endpoint, a missing data file).
    #[error("{message}")]
    Setup { message: String },
}

impl CfError {
    pub fn is_throttled(&self) -> bool {
        matches!(self, Self::Throttled { .. })
    }
}

pub type CfResult<T> = Result<T, CfError>;

/// "distribution E…" or "distribution tenant dt_…".
fn target_name(id: &str) -> String {
    if is_tenant(id) {
        format!("distribution tenant {id}")
    } else {
        format!("distribution {id}")
    }
}

/// What to do without credentials: an emulator takes any keys; AWS wants a login. Names
/// the cfdash profile the operator chose, and the AWS profile too when it is another name.
fn no_credentials(profile: &str, cfdash_profile: Option<&str>, emulator: bool) -> String {
    let whose = match cfdash_profile {
        Some(name) if name != profile => format!("cfdash profile {name} (AWS profile {profile})"),
        Some(_) => format!("profile {profile}"),
        None => format!("AWS profile {profile}"),
    };
    if emulator {
        format!(
            "no AWS credentials for {whose}: its endpoint is on this machine (an emulator), which takes any keys: set dummy AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (e.g. both `testing`)"
        )
    } else {
        format!(
            "no AWS credentials for {whose}: run `aws sso login --profile {profile}` or set AWS_ACCESS_KEY_ID"
        )
    }
}

/// What CloudFront answers (400 `InvalidArgument`) to a CallerReference used before with
/// other paths; `sim serve` answers the same.
pub const REUSED_REFERENCE: &str = "Your request contains a caller reference that was used for a previous invalidation batch for the same distribution.";

/// The CloudFront API, a page at a time. Object-safe and `Send` so the runtime holds one
/// `Arc<dyn CloudFront>` per profile; `AwsCloudFront` and `SimCloudFront` implement it.
pub trait CloudFront: Send + Sync {
    fn list_distributions_page<'a>(
        &'a self,
        marker: Option<&'a str>,
        max_items: u32,
    ) -> BoxFuture<'a, CfResult<Page<Distribution>>>;

    /// Newest first, as CloudFront lists them.
    fn list_invalidations_page<'a>(
        &'a self,
        distribution: &'a str,
        marker: Option<&'a str>,
        max_items: u32,
    ) -> BoxFuture<'a, CfResult<Page<InvalidationSummary>>>;

    fn get_invalidation<'a>(
        &'a self,
        distribution: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, CfResult<Invalidation>>;

    /// Idempotent by `caller_reference`: the same reference and paths return the existing
    /// invalidation; the same reference with other paths is `BatchAlreadyExists`.
    fn create_invalidation<'a>(
        &'a self,
        distribution: &'a str,
        paths: &'a [String],
        caller_reference: &'a str,
    ) -> BoxFuture<'a, CfResult<Invalidation>>;

    /// One page of a distribution's tenants (ListDistributionTenants with an association
    /// filter on the distribution).
    fn list_tenants_page<'a>(
        &'a self,
        distribution: &'a str,
        marker: Option<&'a str>,
        max_items: u32,
    ) -> BoxFuture<'a, CfResult<Page<Tenant>>>;

    /// GetDistributionTenant: `identifier` is the tenant's id, name or ARN.
    fn get_tenant<'a>(&'a self, identifier: &'a str) -> BoxFuture<'a, CfResult<Tenant>>;

    /// GetDistributionTenantByDomain.
    fn get_tenant_by_domain<'a>(&'a self, domain: &'a str) -> BoxFuture<'a, CfResult<Tenant>>;

    /// The header a distribution's cache tags come in (`CacheTagConfig.HeaderName` of
    /// GetDistributionConfig); `None`: the distribution has no CacheTagConfig.
    fn get_cache_tag_header<'a>(
        &'a self,
        distribution: &'a str,
    ) -> BoxFuture<'a, CfResult<Option<String>>>;

    /// Whether a create under this reference may have left this process. A backend that
    /// holds creates back (the pacing's `Paced`) says no for one still waiting its turn;
    /// any other may have sent it.
    fn create_left(&self, _caller_reference: &str) -> bool {
        true
    }
}

/// Page size cfdash asks for when listing distributions.
pub const DISTRIBUTIONS_PAGE: u32 = 100;

/// Every distribution of the account, following NextMarker to the end.
pub async fn list_all_distributions(cf: &dyn CloudFront) -> CfResult<Vec<Distribution>> {
    list_distributions_with(cf, &mut |_| {}).await
}

/// As [`list_all_distributions`], showing `more` each page that has more after it: the
/// dashboard fills its first screen while a large account is still being listed.
pub async fn list_distributions_with(
    cf: &dyn CloudFront,
    more: &mut (dyn FnMut(&[Distribution]) + Send),
) -> CfResult<Vec<Distribution>> {
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = cf
            .list_distributions_page(marker.as_deref(), DISTRIBUTIONS_PAGE)
            .await?;
        if page.next_marker.is_some() {
            more(&page.items);
        }
        all.extend(page.items);
        match page.next_marker {
            Some(next) if Some(&next) != marker.as_ref() => marker = Some(next),
            _ => return Ok(all),
        }
    }
}

/// The `limit` most recent invalidations of a distribution, across pages as needed.
pub async fn list_recent_invalidations(
    cf: &dyn CloudFront,
    distribution: &str,
    limit: usize,
) -> CfResult<Vec<InvalidationSummary>> {
    list_invalidations_since(cf, distribution, limit, None).await
}

/// As [`list_recent_invalidations`], keeping only those created at or after `since`: the
/// list is newest first, so paging stops at the first page that reaches older ones.
pub async fn list_invalidations_since(
    cf: &dyn CloudFront,
    distribution: &str,
    limit: usize,
    since: Option<Timestamp>,
) -> CfResult<Vec<InvalidationSummary>> {
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    while all.len() < limit {
        let want = (limit - all.len()).min(100) as u32;
        let page = cf
            .list_invalidations_page(distribution, marker.as_deref(), want)
            .await?;
        let recent = |i: &InvalidationSummary| since.is_none_or(|t| i.create_time >= t);
        let older = !page.items.iter().all(recent);
        all.extend(page.items.into_iter().filter(recent));
        match page.next_marker {
            Some(next) if !older && Some(&next) != marker.as_ref() => marker = Some(next),
            _ => break,
        }
    }
    all.truncate(limit);
    Ok(all)
}

/// Page size cfdash asks for when listing a distribution's tenants.
pub const TENANTS_PAGE: u32 = 100;

/// Every tenant of a distribution, following NextMarker to the end.
pub async fn list_all_tenants(cf: &dyn CloudFront, distribution: &str) -> CfResult<Vec<Tenant>> {
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = cf
            .list_tenants_page(distribution, marker.as_deref(), TENANTS_PAGE)
            .await?;
        all.extend(page.items);
        match page.next_marker {
            Some(next) if Some(&next) != marker.as_ref() => marker = Some(next),
            _ => return Ok(all),
        }
    }
}

/// The tenants an operator's word may name: an id (`dt_…`) or an ARN is one tenant
/// (GetDistributionTenant); a word with a dot may be a domain (GetDistributionTenantByDomain)
/// and a name too (AWS lets a name hold dots), so it is looked up both ways: none, one, or
/// two different tenants (the word is then ambiguous). Errors other than "no such tenant"
/// are returned.
pub async fn tenants_named(cf: &dyn CloudFront, named: &str) -> CfResult<Vec<Tenant>> {
    let found = |got: CfResult<Tenant>| match got {
        Ok(t) => Ok(Some(t)),
        Err(CfError::NoSuchTenant { .. }) => Ok(None),
        Err(e) => Err(e),
    };
    if is_tenant(named) || named.starts_with("arn:") || !named.contains('.') {
        return Ok(found(cf.get_tenant(named).await)?.into_iter().collect());
    }
    let (by_domain, by_name) = futures::join!(cf.get_tenant_by_domain(named), cf.get_tenant(named));
    let mut out: Vec<Tenant> = found(by_domain)?.into_iter().collect();
    if let Some(t) = found(by_name)?
        && !out.iter().any(|o| o.id == t.id)
    {
        out.push(t);
    }
    Ok(out)
}

/// The tenant an operator named: its id (`dt_…`), one of its domains, its name or its ARN
/// (see [`tenants_named`]); a domain wins over another tenant's name.
pub async fn resolve_tenant(cf: &dyn CloudFront, named: &str) -> CfResult<Tenant> {
    tenants_named(cf, named)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| CfError::NoSuchTenant {
            id: named.to_string(),
        })
}

/// How many listings run at once when listing a whole account: about 8.
pub const LIST_CONCURRENCY: usize = 8;

/// Every distribution, each with its `limit` most recent invalidations (or why they could
/// not be listed), listing up to `LIST_CONCURRENCY` distributions at a time. In the order
/// ListDistributions gives.
pub async fn list_account(
    cf: &dyn CloudFront,
    limit: usize,
) -> CfResult<Vec<(Distribution, CfResult<Vec<InvalidationSummary>>)>> {
    use futures::stream::{self, StreamExt};
    let distributions = list_all_distributions(cf).await?;
    let lists: Vec<CfResult<Vec<InvalidationSummary>>> = stream::iter(&distributions)
        .map(|d| list_recent_invalidations(cf, &d.id, limit))
        .buffered(LIST_CONCURRENCY)
        .collect()
        .await;
    Ok(distributions.into_iter().zip(lists).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_parses_without_case() {
        assert_eq!(
            InvalidationStatus::parse("COMPLETED"),
            InvalidationStatus::Completed
        );
        assert_eq!(
            InvalidationStatus::parse("InProgress"),
            InvalidationStatus::InProgress
        );
        assert_eq!(
            InvalidationStatus::parse("Weird"),
            InvalidationStatus::Other("Weird".into())
        );
    }

    #[test]
    fn list_account_lists_every_distribution_eight_at_a_time() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::Duration;

        /// Counts how many listings run at once, each taking a little while.
        struct Counting {
            sim: sim::SimCloudFront,
            now: AtomicUsize,
            most: AtomicUsize,
        }
        impl CloudFront for Counting {
            fn list_distributions_page<'a>(
                &'a self,
                m: Option<&'a str>,
                n: u32,
            ) -> BoxFuture<'a, CfResult<Page<Distribution>>> {
                self.sim.list_distributions_page(m, n)
            }
            fn list_invalidations_page<'a>(
                &'a self,
                d: &'a str,
                m: Option<&'a str>,
                n: u32,
            ) -> BoxFuture<'a, CfResult<Page<InvalidationSummary>>> {
                Box::pin(async move {
                    let at_once = self.now.fetch_add(1, Ordering::SeqCst) + 1;
                    self.most.fetch_max(at_once, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    let r = self.sim.list_invalidations_page(d, m, n).await;
                    self.now.fetch_sub(1, Ordering::SeqCst);
                    r
                })
            }
            fn get_invalidation<'a>(
                &'a self,
                d: &'a str,
                i: &'a str,
            ) -> BoxFuture<'a, CfResult<Invalidation>> {
                self.sim.get_invalidation(d, i)
            }
            fn create_invalidation<'a>(
                &'a self,
                d: &'a str,
                p: &'a [String],
                r: &'a str,
            ) -> BoxFuture<'a, CfResult<Invalidation>> {
                self.sim.create_invalidation(d, p, r)
            }
            fn list_tenants_page<'a>(
                &'a self,
                d: &'a str,
                m: Option<&'a str>,
                n: u32,
            ) -> futures::future::BoxFuture<'a, CfResult<Page<Tenant>>> {
                self.sim.list_tenants_page(d, m, n)
            }
            fn get_tenant<'a>(
                &'a self,
                i: &'a str,
            ) -> futures::future::BoxFuture<'a, CfResult<Tenant>> {
                self.sim.get_tenant(i)
            }
            fn get_tenant_by_domain<'a>(
                &'a self,
                d: &'a str,
            ) -> futures::future::BoxFuture<'a, CfResult<Tenant>> {
                self.sim.get_tenant_by_domain(d)
            }
            fn get_cache_tag_header<'a>(
                &'a self,
                d: &'a str,
            ) -> futures::future::BoxFuture<'a, CfResult<Option<String>>> {
                self.sim.get_cache_tag_header(d)
            }
        }
        let clock = Arc::new(crate::clock::ManualClock::new(
            "2026-11-27T12:00:00Z".parse().unwrap(),
        ));
        let cf = Counting {
            sim: sim::SimCloudFront::new(
                sim::SimData::generated(40, 3),
                sim::SimSettings::default(),
                clock,
            ),
            now: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let account = rt.block_on(list_account(&cf, 50)).unwrap();
        assert_eq!(account.len(), 40);
        assert!(account.iter().all(|(_, l)| l.as_ref().unwrap().len() == 3));
        assert_eq!(cf.most.load(Ordering::SeqCst), LIST_CONCURRENCY);
    }

    #[test]
    fn listing_since_a_time_keeps_the_newer_ones_across_pages() {
        let clock = std::sync::Arc::new(crate::clock::ManualClock::new(
            "2026-11-27T12:00:00Z".parse().unwrap(),
        ));
        let sim = sim::SimCloudFront::new(
            sim::SimData::generated(1, 250),
            sim::SimSettings::default(),
            clock,
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let dist = sim::SimData::generated(1, 250).distributions[0].id.clone();
        let all = rt
            .block_on(list_recent_invalidations(&sim, &dist, 1000))
            .unwrap();
        assert_eq!(all.len(), 250, "three pages of 100");
        // A time between the 150th and the 151st: the newer 150, over two pages.
        let since = all[149].create_time;
        let newer: Vec<_> = all
            .iter()
            .filter(|i| i.create_time >= since)
            .cloned()
            .collect();
        let got = rt
            .block_on(list_invalidations_since(&sim, &dist, 1000, Some(since)))
            .unwrap();
        assert_eq!(got, newer);
        assert!(got.len() >= 150 && got.len() < 250);
        let capped = rt
            .block_on(list_invalidations_since(&sim, &dist, 120, Some(since)))
            .unwrap();
        assert_eq!(capped, newer[..120]);
    }

    #[test]
    fn contains_ignore_case_matches_ascii_and_unicode() {
        assert!(contains_ignore_case("WWW.Example.COM", "example.c"));
        assert!(!contains_ignore_case("www.example.com", "shop"));
        assert!(contains_ignore_case("Café Ünïcode", "ünï"));
        assert!(contains_ignore_case("anything", ""));
    }
}
