//! The embedded CloudFront simulator: a seeded account that follows the real API's rules
//! (paging, newest-first listings, NoSuch* errors, CallerReference idempotency) and whose
//! invalidations go InProgress → Completed after a realistic delay on the injected clock.
//!
//! Status is derived from the clock at every read, so a test that moves a `ManualClock`
//! past an invalidation's completion time sees it Completed, with no timer in between.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::{
    CfError, CfResult, CloudFront, Distribution, Invalidation, InvalidationStatus,
    InvalidationSummary, Page, Tenant, is_tenant,
};
use crate::clock::Clock;
use crate::paths::{InProgress, MAX_ITEMS_PER_REQUEST};
use crate::text::line_column;

/// The demo account shipped with cfdash.
pub const DEMO_DATA: &str = include_str!("../../assets/demo.toml");

/// How the simulator behaves. Every knob has a flag and a `CFDASH_SIM_*` variable.
#[derive(Clone, Debug)]
pub struct SimSettings {
    pub seed: u64,
    /// Multiplies every completion delay: 0 completes at once, 0.1 is ten times faster.
    pub delay_scale: f64,
    /// Mean latency of each call (jittered ±50%).
    pub latency: Duration,
    /// Probability that a call is throttled.
    pub throttle_rate: f64,
    /// Probability that a call fails with a 5xx.
    pub fault_rate: f64,
    /// Mean seconds between invalidations made by "someone else" (a pipeline, the
    /// console); 0 turns that off.
    pub activity_secs: f64,
    /// Panic on this call (counting from 1), to test that a panic in a task restores the
    /// terminal. Not a CloudFront behaviour: a fault injected into cfdash itself.
    pub panic_on_call: Option<u64>,
    /// CloudFront's rate limits, a token bucket per family of calls; None for no limit.
    pub rate_limit: Option<SimRates>,
}

/// What `--sim-rate-limit` takes, for its errors.
const RATES_HINT: &str =
    "give off, cloudfront, or FAMILY=RATE/BURST pairs such as list=5/20,get=5/20,create=0.5/6";

/// The simulator's rate model: a token bucket per family of calls, answered `Throttling`
/// ("Rate exceeded") beyond it, as CloudFront answers. Its numbers are its own, taken from
/// what is reported of CloudFront, not from cfdash's limiter (a test of the limiter against
/// its own numbers would prove nothing).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimRates {
    /// ListDistributions and ListInvalidations: requests a second, burst.
    pub list: (f64, u32),
    /// GetInvalidation.
    pub get: (f64, u32),
    /// CreateInvalidation.
    pub create: (f64, u32),
}

impl SimRates {
    /// What is reported of CloudFront. CreateInvalidation: AWS support gave 0.5 a second
    /// per account, and a Lambda was throttled after its first 6-7 single-path creates
    /// (aws/aws-sdk-js#3983), so a burst of 6. The read calls: nothing is documented or
    /// reported beyond "a few requests a second", so 5 a second per family with a burst of
    /// 20, an assumption stated in the README.
    pub const CLOUDFRONT: SimRates = SimRates {
        list: (5.0, 20),
        get: (5.0, 20),
        create: (0.5, 6),
    };

    /// `off`, `cloudfront` (the numbers above), or families to change from them:
    /// `list=5/20,get=5/20,create=0.5/6` (requests a second / burst).
    pub fn parse(text: &str) -> Result<Option<SimRates>, String> {
        let text = text.trim();
        match text {
            "off" | "none" | "0" => return Ok(None),
            "cloudfront" | "on" | "default" => return Ok(Some(Self::CLOUDFRONT)),
            "" => return Err(RATES_HINT.into()),
            _ => {}
        }
        let mut rates = Self::CLOUDFRONT;
        for part in text.split(',') {
            let (family, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{}: {RATES_HINT}", crate::text::quote(part)))?;
            let (rate, burst) = value.split_once('/').unwrap_or((value, "1"));
            let rate: f64 = rate
                .trim()
                .parse()
                .ok()
                .filter(|r: &f64| r.is_finite() && *r > 0.0 && *r <= 10_000.0)
                .ok_or_else(|| {
                    format!(
                        "{}: the rate must be a number of requests a second, above 0 and at most 10000",
                        crate::text::quote(part)
                    )
                })?;
            let burst: u32 = burst
                .trim()
                .parse()
                .ok()
                .filter(|b| (1..=100_000).contains(b))
                .ok_or_else(|| {
                    format!(
                        "{}: the burst must be a whole number from 1 to 100000",
                        crate::text::quote(part)
                    )
                })?;
            let slot = match family.trim() {
                "list" => &mut rates.list,
                "get" => &mut rates.get,
                "create" => &mut rates.create,
                other => {
                    return Err(format!(
                        "{}: no such family of calls; give list, get or create",
                        crate::text::quote(other)
                    ));
                }
            };
            *slot = (rate, burst);
        }
        Ok(Some(rates))
    }
}

impl Default for SimSettings {
    fn default() -> Self {
        Self {
            seed: 1,
            delay_scale: 1.0,
            latency: Duration::ZERO,
            throttle_rate: 0.0,
            fault_rate: 0.0,
            activity_secs: 0.0,
            panic_on_call: None,
            rate_limit: None,
        }
    }
}

/// The account a simulator starts with: distributions and how much history to invent.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimData {
    #[serde(rename = "distribution", default)]
    pub distributions: Vec<SimDistributionSpec>,
    /// Named path lists for the form, as a profile's `presets` would give.
    #[serde(default)]
    pub presets: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimDistributionSpec {
    pub id: String,
    pub domain_name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub origins: Vec<String>,
    #[serde(default = "deployed")]
    pub status: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub modified_days_ago: f64,
    /// Completed invalidations spread over the past 30 days.
    #[serde(default)]
    pub history: u32,
    /// Invalidations started moments ago that complete after a seeded delay.
    #[serde(default)]
    pub in_progress: u32,
    /// The paths the invented invalidations draw from.
    #[serde(default = "root_paths")]
    pub paths: Vec<String>,
    /// A multi-tenant distribution (`ConnectionMode` `tenant-only`), serving `tenant`s.
    #[serde(default)]
    pub tenant_only: bool,
    /// Its `CacheTagConfig.HeaderName`: tag invalidations (`#tag`) reach its objects.
    #[serde(default)]
    pub cache_tag_header: Option<String>,
    /// A plain CreateInvalidation on this (tenant-only) distribution is refused, as one
    /// user reports; AWS documents neither outcome, so the simulator can give both.
    #[serde(default)]
    pub refuses_plain_invalidation: bool,
    /// Its distribution tenants.
    #[serde(rename = "tenant", default)]
    pub tenants: Vec<SimTenantSpec>,
}

/// A distribution tenant of a multi-tenant distribution.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimTenantSpec {
    /// `dt_…`.
    pub id: String,
    pub name: String,
    pub domains: Vec<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default = "deployed")]
    pub status: String,
    #[serde(default)]
    pub modified_days_ago: f64,
    #[serde(default)]
    pub history: u32,
    #[serde(default)]
    pub in_progress: u32,
    /// The paths its invented invalidations draw from; its distribution's when empty.
    #[serde(default)]
    pub paths: Vec<String>,
}

fn deployed() -> String {
    "Deployed".into()
}
fn yes() -> bool {
    true
}
fn root_paths() -> Vec<String> {
    vec!["/*".into()]
}

impl SimData {
    pub fn demo() -> Self {
        Self::parse(DEMO_DATA).expect("the bundled demo data parses")
    }

    /// The account a TOML text describes. A control character anywhere in it (but the tab
    /// and line ends between values) or in any key or string of it, escaped or not, is
    /// refused with its line and column: CloudFront's ids, names, paths and comments never
    /// hold one, and XML could not carry most of them.
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(c) = crate::text::raw_control(text) {
            return Err(control_error(text, c.at, c.char, &c.what));
        }
        // Parsed once for the places of what is wrong; `toml` reads the values.
        let doc = toml_edit::Document::parse(text).ok();
        let root = doc.as_ref().map(|d| d.as_table());
        if let Some(c) = root.and_then(crate::text::toml_control) {
            return Err(control_error(text, c.at, c.char, &c.what));
        }
        let data: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        data.check_ranges(text, root)?;
        Ok(data)
    }

    /// Numbers the simulator turns into times and lists stay where it can: days ago to a
    /// timestamp (a huge one would overflow the clock), histories and in-progress counts
    /// into memory (a huge one would fill it).
    fn check_ranges(&self, text: &str, root: Option<&toml_edit::Table>) -> Result<(), String> {
        for (i, d) in self.distributions.iter().enumerate() {
            let problem = if !(0.0..=MAX_DAYS_AGO).contains(&d.modified_days_ago) {
                Some(("modified_days_ago", format!("from 0 to {MAX_DAYS_AGO}")))
            } else if d.history > MAX_HISTORY {
                Some(("history", format!("at most {MAX_HISTORY}")))
            } else if d.in_progress > MAX_IN_PROGRESS {
                Some(("in_progress", format!("at most {MAX_IN_PROGRESS}")))
            } else if d.paths.is_empty() {
                Some(("paths", "a list of at least one path".to_string()))
            } else {
                None
            };
            if let Some((key, range)) = problem {
                let at = root
                    .and_then(|root| {
                        let table = root.get("distribution")?.as_array_of_tables()?.get(i)?;
                        table.get(key)?.span().map(|s| s.start)
                    })
                    .unwrap_or(0);
                let (line, column) = line_column(text, at);
                return Err(format!(
                    "line {line}, column {column}: {key} of distribution {} must be {range}",
                    crate::text::quote(&d.id)
                ));
            }
        }
        for d in &self.distributions {
            for t in &d.tenants {
                let problem = if !is_tenant(&t.id) {
                    Some("an id that starts with `dt_`".to_string())
                } else if !d.tenant_only {
                    Some(format!(
                        "on a distribution with tenant_only = true, not {}",
                        d.id
                    ))
                } else if !(0.0..=MAX_DAYS_AGO).contains(&t.modified_days_ago)
                    || t.history > MAX_HISTORY
                    || t.in_progress > MAX_IN_PROGRESS
                {
                    Some(format!(
                        "modified_days_ago from 0 to {MAX_DAYS_AGO}, history at most {MAX_HISTORY} and in_progress at most {MAX_IN_PROGRESS}"
                    ))
                } else {
                    None
                };
                if let Some(what) = problem {
                    return Err(format!(
                        "tenant {} of distribution {} needs {what}",
                        crate::text::quote(&t.id),
                        crate::text::quote(&d.id)
                    ));
                }
            }
        }
        let invented: u64 = self
            .distributions
            .iter()
            .map(|d| {
                u64::from(d.history)
                    + u64::from(d.in_progress)
                    + d.tenants
                        .iter()
                        .map(|t| u64::from(t.history) + u64::from(t.in_progress))
                        .sum::<u64>()
            })
            .sum();
        if invented > MAX_INVENTED {
            return Err(format!(
                "the account would hold {invented} invalidations (history and in_progress of \
                 every distribution): at most {MAX_INVENTED} in all"
            ));
        }
        Ok(())
    }

    /// Reads at most [`MAX_DATA_BYTES`], so `/dev/zero`, a pipe or a huge file stop there.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let shown = path.display();
        let cannot = |e: std::io::Error| format!("cannot read simulator data {shown}: {e}");
        let file = std::fs::File::open(path).map_err(cannot)?;
        if file.metadata().map_err(cannot)?.is_dir() {
            return Err(format!(
                "cannot read simulator data {shown}: it is a directory, not a TOML file"
            ));
        }
        let text = crate::text::read_capped(
            file,
            MAX_DATA_BYTES,
            &format!("simulator data {shown}"),
            "point --sim-data at a TOML account like assets/demo.toml",
        )?;
        Self::parse(&text).map_err(|e| format!("simulator data {shown}: {e}"))
    }

    /// A large invented account, for benchmarks and scale tests.
    pub fn generated(distributions: usize, history: u32) -> Self {
        let distributions = (0..distributions)
            .map(|i| SimDistributionSpec {
                id: format!("E{i:013X}"),
                domain_name: format!("d{i:013x}.cloudfront.net"),
                aliases: vec![format!("site-{i}.example.com")],
                comment: format!("generated distribution {i}"),
                origins: vec![format!("origin-{i}.s3.amazonaws.com")],
                status: deployed(),
                enabled: i % 7 != 0,
                modified_days_ago: (i % 30) as f64,
                history,
                in_progress: 0,
                paths: vec!["/index.html".into(), "/assets/*".into()],
                tenant_only: false,
                cache_tag_header: None,
                refuses_plain_invalidation: false,
                tenants: Vec::new(),
            })
            .collect();
        Self {
            distributions,
            presets: Default::default(),
        }
    }
}

/// Limits of a simulated distribution: ten years, and more invalidations than cfdash lists.
const MAX_DAYS_AGO: f64 = 3650.0;
const MAX_HISTORY: u32 = 10_000;
const MAX_IN_PROGRESS: u32 = 100;
/// Invented invalidations in a whole account.
const MAX_INVENTED: u64 = 200_000;

/// The most `--sim-data` reads: 16 MiB, far above any account worth simulating (the demo is
/// 4 KB) and small enough that a wrong path (`/dev/zero`) is refused at once.
pub const MAX_DATA_BYTES: u64 = 16 * 1024 * 1024;

/// A control character (C0, tab included, DEL or C1) where `what` is.
fn control_error(text: &str, offset: usize, c: char, what: &str) -> String {
    let (line, column) = line_column(text, offset);
    format!(
        "line {line}, column {column}: control character U+{:04X} in {what}; \
         simulator ids, names, paths and comments may not hold one",
        c as u32
    )
}

pub struct SimCloudFront {
    clock: Arc<dyn Clock>,
    settings: SimSettings,
    account: Mutex<Account>,
}

struct Account {
    calls: u64,
    /// Invalidations CreateInvalidation made (not those it answered again).
    created: u64,
    /// The rate model's buckets: list, get, create.
    buckets: Option<[crate::pace::Bucket; 3]>,
    rng: Rng,
    /// Its own stream, so "someone else's" invalidations do not depend on call order.
    activity_rng: Rng,
    /// The creates' own stream (their ids and delays): the n-th create is the same
    /// whatever reads came before it, so a test's invalidation does not take minutes
    /// because the dashboard asked one more thing first.
    create_rng: Rng,
    next_activity: Option<Timestamp>,
    distributions: Vec<SimDistribution>,
    /// Every distribution's tenants, each holding its own invalidations.
    tenants: Vec<SimDistribution>,
}

/// A distribution, or a tenant (its `distribution` is the tenant's row).
struct SimDistribution {
    distribution: Distribution,
    cache_tag_header: Option<String>,
    refuses_plain_invalidation: bool,
    path_pool: Vec<String>,
    /// Newest first, as CloudFront lists them.
    invalidations: Vec<SimInvalidation>,
}

struct SimInvalidation {
    id: String,
    created: Timestamp,
    completes: Timestamp,
    paths: Vec<String>,
    caller_reference: String,
}

impl SimInvalidation {
    /// An invalidation with a new id (drawn after everything else about it).
    fn new(
        rng: &mut Rng,
        created: Timestamp,
        completes: Timestamp,
        paths: Vec<String>,
        caller_reference: String,
    ) -> Self {
        Self {
            id: format!("I{}", rng.token(13)),
            created,
            completes,
            paths,
            caller_reference,
        }
    }

    fn status(&self, now: Timestamp) -> InvalidationStatus {
        if now >= self.completes {
            InvalidationStatus::Completed
        } else {
            InvalidationStatus::InProgress
        }
    }

    fn summary(&self, now: Timestamp) -> InvalidationSummary {
        InvalidationSummary {
            id: self.id.clone(),
            status: self.status(now),
            create_time: self.created,
        }
    }

    fn full(&self, now: Timestamp) -> Invalidation {
        Invalidation {
            id: self.id.clone(),
            status: self.status(now),
            create_time: self.created,
            paths: self.paths.clone(),
            caller_reference: self.caller_reference.clone(),
        }
    }
}

impl SimCloudFront {
    pub fn new(data: SimData, settings: SimSettings, clock: Arc<dyn Clock>) -> Self {
        let now = clock.now();
        let mut rng = Rng::new(settings.seed);
        let scale = settings.delay_scale.max(0.0);
        let mut distributions = Vec::new();
        let mut tenants = Vec::new();
        for mut spec in data.distributions {
            let specs = std::mem::take(&mut spec.tenants);
            let (id, pool) = (spec.id.clone(), spec.paths.clone());
            distributions.push(SimDistribution::invent(spec, now, scale, &mut rng));
            for t in specs {
                tenants.push(SimDistribution::invent_tenant(
                    t, &id, &pool, now, scale, &mut rng,
                ));
            }
        }
        let mut activity_rng = Rng::new(settings.seed ^ 0x5EED_AC71_0000_0000);
        // Any constant gives a stream; this one was picked so that the first three creates
        // of the seeds the tests use take realistic, short times (seed 1: 56 s, 8 s, 24 s
        // at a delay scale of 1), which the whole-program tests wait for.
        let create_rng = Rng::new(settings.seed ^ CREATE_STREAM);
        let buckets = settings.rate_limit.map(|r| {
            [r.list, r.get, r.create]
                .map(|(rate, burst)| crate::pace::Bucket::full(rate, burst as f64, now))
        });
        let next_activity = (settings.activity_secs > 0.0)
            .then(|| now + activity_rng.exp_secs(settings.activity_secs));
        Self {
            clock,
            settings,
            account: Mutex::new(Account {
                calls: 0,
                created: 0,
                buckets,
                rng,
                activity_rng,
                create_rng,
                next_activity,
                distributions,
                tenants,
            }),
        }
    }

    /// The demo account on the given settings.
    pub fn demo(settings: SimSettings, clock: Arc<dyn Clock>) -> Self {
        Self::new(SimData::demo(), settings, clock)
    }

    fn account(&self) -> std::sync::MutexGuard<'_, Account> {
        self.account.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What every call does first: wait the injected latency, then maybe fail as asked.
    async fn enter(&self, action: &str) -> CfResult<Timestamp> {
        let (latency, fault) = {
            let mut account = self.account();
            account.calls += 1;
            if self.settings.panic_on_call == Some(account.calls) {
                let call = account.calls;
                drop(account);
                panic!("simulated panic on call {call} ({action})");
            }
            // The rate model first, on the injected clock: the same calls at the same
            // times are throttled the same way, whatever the seed.
            let family = match action {
                "GetInvalidation" | "GetInvalidationForDistributionTenant" => 1,
                "CreateInvalidation" | "CreateInvalidationForDistributionTenant" => 2,
                _ => 0,
            };
            let now = self.clock.now();
            if let Some(buckets) = &mut account.buckets
                && !buckets[family].take(now)
            {
                return Err(CfError::Throttled {
                    detail: "Rate exceeded".into(),
                });
            }
            let latency = if self.settings.latency.is_zero() {
                Duration::ZERO
            } else {
                self.settings.latency.mul_f64(0.5 + account.rng.f64())
            };
            let roll = account.rng.f64();
            let fault = if roll < self.settings.throttle_rate {
                Some(CfError::Throttled {
                    detail: format!("simulated throttling on {action}"),
                })
            } else if roll < self.settings.throttle_rate + self.settings.fault_rate {
                Some(CfError::ServerError {
                    status: 503,
                    code: "ServiceUnavailable".into(),
                    message: format!("simulated fault on {action}"),
                })
            } else {
                None
            };
            (latency, fault)
        };
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        match fault {
            Some(e) => Err(e),
            None => {
                let now = self.clock.now();
                self.account().catch_up(now, &self.settings);
                Ok(now)
            }
        }
    }

    /// How many invalidations CreateInvalidation has made.
    pub fn created(&self) -> u64 {
        self.account().created
    }

    /// Creates an invalidation as if someone else (the console, a pipeline) had: a test's
    /// way to make the refresh policy find something new.
    pub fn create_elsewhere(&self, distribution: &str, paths: &[String]) -> CfResult<Invalidation> {
        let now = self.clock.now();
        let mut account = self.account();
        let scale = self.settings.delay_scale;
        let Account {
            rng,
            distributions,
            tenants,
            ..
        } = &mut *account;
        let dist = find(distributions, tenants, distribution)?;
        let reference = format!("elsewhere-{}", rng.token(10));
        Ok(dist.create(rng, now, scale, paths.to_vec(), reference))
    }

    /// When the invalidation will complete, for tests that move the clock past it.
    pub fn completion_time(&self, distribution: &str, id: &str) -> Option<Timestamp> {
        let account = self.account();
        let dist = account
            .distributions
            .iter()
            .chain(&account.tenants)
            .find(|d| d.distribution.id == distribution)?;
        dist.invalidations
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.completes)
    }

    /// One distribution and how many of its invalidations are in progress (GetDistribution
    /// of `sim serve`; not a trait method, the dashboard has no use for it yet).
    pub fn distribution(&self, id: &str) -> CfResult<(Distribution, usize)> {
        let now = self.clock.now();
        let mut account = self.account();
        account.catch_up(now, &self.settings);
        let dist = find_distribution(&mut account.distributions, id)?;
        let running = dist
            .invalidations
            .iter()
            .filter(|i| i.status(now).is_in_progress())
            .count();
        Ok((dist.distribution.clone(), running))
    }

    /// How many invalidations exist on a distribution, for tests that check nothing was sent.
    pub fn invalidation_count(&self, distribution: &str) -> usize {
        let account = self.account();
        account
            .distributions
            .iter()
            .chain(&account.tenants)
            .find(|d| d.distribution.id == distribution)
            .map_or(0, |d| d.invalidations.len())
    }

    /// ListDistributionTenants: one page of a distribution's tenants (an association filter
    /// on it; one that does not exist lists nothing), or with `None` of the whole account's
    /// (no filter), in the order the data gives them.
    pub async fn list_tenants(
        &self,
        distribution: Option<&str>,
        marker: Option<&str>,
        max_items: u32,
    ) -> CfResult<Page<Tenant>> {
        self.enter("ListDistributionTenants").await?;
        let account = self.account();
        let all: Vec<&SimDistribution> = account
            .tenants
            .iter()
            .filter(|t| distribution.is_none_or(|d| t.distribution.quota_owner() == d))
            .collect();
        let (items, next_marker) = page(&all, marker, max_items, |t| &t.distribution.id)?;
        Ok(Page {
            items: items.into_iter().map(SimDistribution::tenant).collect(),
            next_marker,
        })
    }

    /// A distribution's `CacheTagConfig.HeaderName`, read as GetDistribution of `sim serve`
    /// reads the rest (no call counted, no fault drawn).
    pub fn cache_tag_header(&self, id: &str) -> CfResult<Option<String>> {
        let mut account = self.account();
        let dist = find_distribution(&mut account.distributions, id)?;
        Ok(dist.cache_tag_header.clone())
    }

    /// One tenant by id, name or ARN (GetDistributionTenant's identifier).
    pub fn tenant(&self, identifier: &str) -> CfResult<Tenant> {
        let account = self.account();
        account
            .tenants
            .iter()
            .find(|t| {
                let d = &t.distribution;
                d.id == identifier
                    || d.arn == identifier
                    || d.tenant.as_ref().is_some_and(|o| o.name == identifier)
            })
            .map(SimDistribution::tenant)
            .ok_or_else(|| CfError::NoSuchTenant {
                id: identifier.to_string(),
            })
    }
}

/// The distribution, or the tenant (`dt_…`), whose invalidations `id` names.
fn find<'a>(
    distributions: &'a mut [SimDistribution],
    tenants: &'a mut [SimDistribution],
    id: &str,
) -> CfResult<&'a mut SimDistribution> {
    if is_tenant(id) {
        tenants
            .iter_mut()
            .find(|d| d.distribution.id == id)
            .ok_or_else(|| CfError::NoSuchTenant { id: id.to_string() })
    } else {
        find_distribution(distributions, id)
    }
}

fn find_distribution<'a>(
    distributions: &'a mut [SimDistribution],
    id: &str,
) -> CfResult<&'a mut SimDistribution> {
    distributions
        .iter_mut()
        .find(|d| d.distribution.id == id)
        .ok_or_else(|| CfError::NoSuchDistribution { id: id.to_string() })
}

impl Account {
    /// CloudFront's limits: 3,000 items a request; 3,000 file paths and 15 wildcard paths
    /// in progress at once. AWS does not say whether a tenant's invalidations count on
    /// their own or with their distribution's: the simulator counts them together, on the
    /// distribution, as cfdash does (the safe side).
    fn check_quotas(&self, target: &str, paths: &[String], now: Timestamp) -> CfResult<()> {
        if paths.len() > MAX_ITEMS_PER_REQUEST {
            return Err(CfError::Other {
                code: "BatchTooLarge".into(),
                message: format!(
                    "{} paths in one request: at most {MAX_ITEMS_PER_REQUEST}",
                    paths.len()
                ),
            });
        }
        let owner = self
            .distributions
            .iter()
            .chain(&self.tenants)
            .find(|d| d.distribution.id == target)
            .map_or(target, |d| d.distribution.quota_owner());
        let mut running = InProgress::default();
        for inv in self
            .distributions
            .iter()
            .chain(&self.tenants)
            .filter(|d| d.distribution.quota_owner() == owner)
            .flat_map(|d| &d.invalidations)
            .filter(|i| i.status(now).is_in_progress())
        {
            running.add(InProgress::of(&inv.paths));
        }
        let batch = InProgress::of(paths);
        if !running.fits(batch) {
            let (files, wildcards) = (running.files, running.wildcards);
            let (new_f, new_w) = (batch.files, batch.wildcards);
            return Err(CfError::TooManyInvalidationsInProgress {
                distribution: target.to_string(),
                detail: format!(
                    "in progress on {owner} and its tenants: {files} file paths and {wildcards} wildcards; this batch adds {new_f} and {new_w}"
                ),
            });
        }
        Ok(())
    }
}

impl Account {
    /// Lays down the invalidations "someone else" made since the last call.
    fn catch_up(&mut self, now: Timestamp, settings: &SimSettings) {
        while let Some(at) = self.next_activity.filter(|at| *at <= now) {
            if !self.distributions.is_empty() {
                let pick = self.activity_rng.below(self.distributions.len());
                let dist = &mut self.distributions[pick];
                let paths = dist.pick_paths(&mut self.activity_rng);
                let reference = format!("pipeline-{}", self.activity_rng.token(10));
                dist.create(
                    &mut self.activity_rng,
                    at,
                    settings.delay_scale,
                    paths,
                    reference,
                );
            }
            self.next_activity = Some(at + self.activity_rng.exp_secs(settings.activity_secs));
        }
    }
}

impl SimDistribution {
    fn invent(spec: SimDistributionSpec, now: Timestamp, scale: f64, rng: &mut Rng) -> Self {
        let modified = now - secs(spec.modified_days_ago * 86_400.0);
        let mut dist = SimDistribution {
            distribution: Distribution {
                arn: format!("arn:aws:cloudfront::123456789012:distribution/{}", spec.id),
                id: spec.id,
                domain_name: spec.domain_name,
                aliases: spec.aliases,
                status: spec.status,
                enabled: Some(spec.enabled),
                comment: Some(spec.comment),
                origins: spec.origins,
                last_modified: modified,
                aliases_unknown: false,
                tenant_only: spec.tenant_only,
                tenant: None,
            },
            cache_tag_header: spec.cache_tag_header,
            refuses_plain_invalidation: spec.refuses_plain_invalidation,
            path_pool: spec.paths,
            invalidations: Vec::new(),
        };
        // History: completed invalidations spread over the past 30 days, oldest first so
        // that `create` keeps the list newest first.
        let mut ages: Vec<f64> = (0..spec.history)
            .map(|_| 120.0 + rng.f64() * 30.0 * 86_400.0)
            .collect();
        ages.sort_by(|a, b| b.total_cmp(a));
        // Made oldest first and turned round once (not put on top one by one, which is
        // quadratic); the same draws in the same order as `push`.
        let mut made = Vec::with_capacity((spec.history + spec.in_progress) as usize);
        for age in ages {
            let created = now - secs(age);
            let paths = dist.pick_paths(rng);
            let reference = format!("deploy-{}", rng.token(8));
            let completes = created + sample_delay(rng);
            made.push(SimInvalidation::new(
                rng, created, completes, paths, reference,
            ));
        }
        // In progress: started moments ago, completing over the next minute or so.
        for _ in 0..spec.in_progress {
            let created = now - secs(1.0 + rng.f64() * 14.0);
            let remaining = sample_delay(rng).mul_f64(scale);
            let paths = dist.pick_paths(rng);
            let reference = format!("deploy-{}", rng.token(8));
            made.push(SimInvalidation::new(
                rng,
                created,
                now + remaining,
                paths,
                reference,
            ));
        }
        made.reverse();
        dist.invalidations = made;
        dist
    }

    /// The tenant this holder is (its row turned back).
    fn tenant(&self) -> Tenant {
        let d = &self.distribution;
        let of = d.tenant.clone().unwrap_or_else(|| super::TenantOf {
            distribution: d.id.clone(),
            name: d.id.clone(),
        });
        Tenant {
            id: d.id.clone(),
            distribution_id: of.distribution,
            name: of.name,
            arn: d.arn.clone(),
            domains: d.aliases.clone(),
            enabled: d.enabled,
            status: Some(d.status.clone()),
            last_modified: d.last_modified,
        }
    }

    /// A tenant and its invented history, drawing paths from its distribution's pool
    /// unless it has its own.
    fn invent_tenant(
        spec: SimTenantSpec,
        distribution: &str,
        pool: &[String],
        now: Timestamp,
        scale: f64,
        rng: &mut Rng,
    ) -> Self {
        let as_distribution = SimDistributionSpec {
            id: spec.id.clone(),
            domain_name: spec.domains.first().cloned().unwrap_or_default(),
            aliases: spec.domains.clone(),
            comment: String::new(),
            origins: Vec::new(),
            status: spec.status.clone(),
            enabled: spec.enabled,
            modified_days_ago: spec.modified_days_ago,
            history: spec.history,
            in_progress: spec.in_progress,
            paths: if spec.paths.is_empty() {
                pool.to_vec()
            } else {
                spec.paths.clone()
            },
            tenant_only: false,
            cache_tag_header: None,
            refuses_plain_invalidation: false,
            tenants: Vec::new(),
        };
        let mut made = Self::invent(as_distribution, now, scale, rng);
        let tenant = Tenant {
            id: spec.id,
            distribution_id: distribution.to_string(),
            name: spec.name,
            arn: format!(
                "arn:aws:cloudfront::123456789012:distribution-tenant/{}",
                made.distribution.id
            ),
            domains: spec.domains,
            enabled: Some(spec.enabled),
            status: Some(spec.status),
            last_modified: made.distribution.last_modified,
        };
        made.distribution = tenant.row();
        made
    }

    fn pick_paths(&self, rng: &mut Rng) -> Vec<String> {
        let n = 1 + rng.below(self.path_pool.len().clamp(1, 4));
        let mut paths: Vec<String> = Vec::with_capacity(n);
        for _ in 0..n {
            let p = &self.path_pool[rng.below(self.path_pool.len().max(1))];
            if !paths.contains(p) {
                paths.push(p.clone());
            }
        }
        paths
    }

    fn create(
        &mut self,
        rng: &mut Rng,
        now: Timestamp,
        scale: f64,
        paths: Vec<String>,
        caller_reference: String,
    ) -> Invalidation {
        let completes = now + sample_delay(rng).mul_f64(scale.max(0.0));
        self.push(rng, now, completes, paths, caller_reference);
        // CloudFront answers a create InProgress, always: with delays scaled to 0 it is
        // complete by the next read, never in the create's own answer.
        let mut made = self.invalidations[0].full(now);
        made.status = InvalidationStatus::InProgress;
        made
    }

    /// Puts a new invalidation on top (the list is newest first).
    fn push(
        &mut self,
        rng: &mut Rng,
        created: Timestamp,
        completes: Timestamp,
        paths: Vec<String>,
        caller_reference: String,
    ) {
        let made = SimInvalidation::new(rng, created, completes, paths, caller_reference);
        self.invalidations.insert(0, made);
    }
}

/// How long a real invalidation takes since 2026: most under 25 s, some minutes, a few long.
fn sample_delay(rng: &mut Rng) -> SignedDuration {
    let u = rng.f64();
    let s = if u < 0.75 {
        6.0 + rng.f64() * 19.0
    } else if u < 0.95 {
        25.0 + rng.f64() * 155.0
    } else {
        180.0 + rng.f64() * 720.0
    };
    secs(s)
}

fn secs(s: f64) -> SignedDuration {
    SignedDuration::from_secs_f64(s)
}

impl CloudFront for SimCloudFront {
    fn list_distributions_page<'a>(
        &'a self,
        marker: Option<&'a str>,
        max_items: u32,
    ) -> BoxFuture<'a, CfResult<Page<Distribution>>> {
        Box::pin(async move {
            self.enter("ListDistributions").await?;
            let account = self.account();
            let all: Vec<&Distribution> = account
                .distributions
                .iter()
                .map(|d| &d.distribution)
                .collect();
            let (items, next_marker) = page(&all, marker, max_items, |d| &d.id)?;
            Ok(Page {
                items: items.into_iter().cloned().collect(),
                next_marker,
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
            let now = self
                .enter(for_target("ListInvalidations", distribution))
                .await?;
            let mut account = self.account();
            let Account {
                distributions,
                tenants,
                ..
            } = &mut *account;
            let dist = find(distributions, tenants, distribution)?;
            let all: Vec<&SimInvalidation> = dist.invalidations.iter().collect();
            let (items, next_marker) = page(&all, marker, max_items, |i| &i.id)?;
            Ok(Page {
                items: items.into_iter().map(|i| i.summary(now)).collect(),
                next_marker,
            })
        })
    }

    fn get_invalidation<'a>(
        &'a self,
        distribution: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, CfResult<Invalidation>> {
        Box::pin(async move {
            let now = self
                .enter(for_target("GetInvalidation", distribution))
                .await?;
            let mut account = self.account();
            let Account {
                distributions,
                tenants,
                ..
            } = &mut *account;
            let dist = find(distributions, tenants, distribution)?;
            dist.invalidations
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.full(now))
                .ok_or_else(|| CfError::NoSuchInvalidation {
                    distribution: distribution.to_string(),
                    id: id.to_string(),
                })
        })
    }

    fn create_invalidation<'a>(
        &'a self,
        distribution: &'a str,
        paths: &'a [String],
        caller_reference: &'a str,
    ) -> BoxFuture<'a, CfResult<Invalidation>> {
        Box::pin(async move {
            let now = self
                .enter(for_target("CreateInvalidation", distribution))
                .await?;
            if paths.is_empty() {
                return Err(CfError::Other {
                    code: "InvalidArgument".into(),
                    message: "an invalidation needs at least one path".into(),
                });
            }
            let scale = self.settings.delay_scale;
            let mut account = self.account();
            let Account {
                distributions,
                tenants,
                ..
            } = &mut *account;
            let dist = find(distributions, tenants, distribution)?;
            if dist.refuses_plain_invalidation {
                return Err(CfError::Other {
                    code: "InvalidArgument".into(),
                    message: format!(
                        "{distribution} is a multi-tenant distribution: invalidate its tenants with CreateInvalidationForDistributionTenant"
                    ),
                });
            }
            if let Some(existing) = dist
                .invalidations
                .iter()
                .find(|i| i.caller_reference == caller_reference)
            {
                return if existing.paths == paths {
                    Ok(existing.full(now))
                } else {
                    Err(CfError::BatchAlreadyExists {
                        caller_reference: caller_reference.to_string(),
                    })
                };
            }
            account.check_quotas(distribution, paths, now)?;
            let Account {
                create_rng,
                distributions,
                tenants,
                ..
            } = &mut *account;
            let dist = find(distributions, tenants, distribution)?;
            let made = dist.create(
                create_rng,
                now,
                scale,
                paths.to_vec(),
                caller_reference.to_string(),
            );
            // Counted under the lock that made it: racing creates of one reference count once.
            account.created += 1;
            Ok(made)
        })
    }

    fn list_tenants_page<'a>(
        &'a self,
        distribution: &'a str,
        marker: Option<&'a str>,
        max_items: u32,
    ) -> BoxFuture<'a, CfResult<Page<Tenant>>> {
        Box::pin(self.list_tenants(Some(distribution), marker, max_items))
    }

    fn get_tenant<'a>(&'a self, identifier: &'a str) -> BoxFuture<'a, CfResult<Tenant>> {
        Box::pin(async move {
            self.enter("GetDistributionTenant").await?;
            self.tenant(identifier)
        })
    }

    fn get_tenant_by_domain<'a>(&'a self, domain: &'a str) -> BoxFuture<'a, CfResult<Tenant>> {
        Box::pin(async move {
            self.enter("GetDistributionTenantByDomain").await?;
            let account = self.account();
            account
                .tenants
                .iter()
                .find(|t| {
                    t.distribution
                        .aliases
                        .iter()
                        .any(|d| d.eq_ignore_ascii_case(domain))
                })
                .map(SimDistribution::tenant)
                .ok_or_else(|| CfError::NoSuchTenant {
                    id: domain.to_string(),
                })
        })
    }

    fn get_cache_tag_header<'a>(
        &'a self,
        distribution: &'a str,
    ) -> BoxFuture<'a, CfResult<Option<String>>> {
        Box::pin(async move {
            self.enter("GetDistributionConfig").await?;
            let mut account = self.account();
            let dist = find_distribution(&mut account.distributions, distribution)?;
            Ok(dist.cache_tag_header.clone())
        })
    }
}

/// The operation's name for a tenant's invalidations: `…ForDistributionTenant`.
fn for_target(action: &'static str, target: &str) -> &'static str {
    match (action, is_tenant(target)) {
        ("ListInvalidations", true) => "ListInvalidationsForDistributionTenant",
        ("GetInvalidation", true) => "GetInvalidationForDistributionTenant",
        ("CreateInvalidation", true) => "CreateInvalidationForDistributionTenant",
        _ => action,
    }
}

/// One page of `all` after `marker` (the key of the last item of the previous page).
fn page<'t, T>(
    all: &[&'t T],
    marker: Option<&str>,
    max_items: u32,
    key: impl Fn(&T) -> &String,
) -> CfResult<(Vec<&'t T>, Option<String>)> {
    let start = match marker {
        None => 0,
        Some(m) => {
            all.iter()
                .position(|item| key(item) == m)
                .ok_or_else(|| CfError::Other {
                    code: "InvalidArgument".into(),
                    message: format!("marker {m} does not name an item of this listing"),
                })?
                + 1
        }
    };
    let end = (start + max_items.max(1) as usize).min(all.len());
    let items = all[start.min(end)..end].to_vec();
    let next = (end < all.len()).then(|| key(all[end - 1]).clone());
    Ok((items, next))
}

/// What a seed is mixed with for the creates' own stream (see `Account::create_rng`).
const CREATE_STREAM: u64 = 0xC2EA_8DB0_0000_0000;

/// SplitMix64: small, seeded, and the same on every platform. The simulator's one
/// generator (`sim serve` draws its lost answers from one too).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Exponentially distributed seconds with the given mean.
    fn exp_secs(&mut self, mean: f64) -> SignedDuration {
        secs(-mean * (1.0 - self.f64()).ln())
    }

    /// Uppercase letters and digits, as CloudFront's ids.
    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len)
            .map(|_| ALPHABET[self.below(ALPHABET.len())] as char)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::cloudfront::{list_all_distributions, list_recent_invalidations};

    fn start() -> Timestamp {
        "2026-11-27T12:00:00Z".parse().unwrap()
    }

    fn sim(settings: SimSettings) -> (Arc<ManualClock>, SimCloudFront) {
        let clock = Arc::new(ManualClock::new(start()));
        let sim = SimCloudFront::demo(settings, clock.clone());
        (clock, sim)
    }

    fn block<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn demo_data_has_a_dozen_varied_distributions() {
        let data = SimData::demo();
        let d = &data.distributions;
        assert!((10..=14).contains(&d.len()), "{} distributions", d.len());
        assert!(d.iter().any(|d| !d.enabled));
        assert!(d.iter().any(|d| d.status == "InProgress"));
        assert!(d.iter().map(|d| d.in_progress).sum::<u32>() >= 2);
        assert!(d.iter().all(|d| !d.origins.is_empty()));
    }

    #[test]
    fn control_characters_in_data_are_refused_with_line_and_column() {
        let err = |text: &str| SimData::parse(text).unwrap_err();
        let dist = "[[distribution]]\nid = \"E1\"\ndomain_name = \"d.example\"\n";
        // Escaped in a value: at the value.
        let e = err(&format!("{dist}comment = \"a\\u0001b\"\n"));
        assert!(
            e.starts_with(
                "line 4, column 11: control character U+0001 in the value of distribution.comment"
            ),
            "{e}"
        );
        // Written as is, in a TOML comment: at the character itself.
        let e = err(&format!("{dist}# a note \u{1b}[31m\n"));
        assert!(
            e.starts_with("line 4, column 10: control character U+001B in the file"),
            "{e}"
        );
        // A tab inside a string, DEL and C1, escaped or not; a key (a preset's name).
        for (text, at) in [
            (format!("{dist}comment = \"a\tb\"\n"), "line 4, column 11"),
            (
                format!("{dist}comment = \"é\u{7f}\"\n"),
                "line 4, column 13",
            ),
            (
                format!("{dist}paths = [\"/\", \"/a\\u0085\"]\n"),
                "line 4, column 15",
            ),
            (
                format!("{dist}aliases = [\"\u{9b}\"]\n"),
                "line 4, column 13",
            ),
            (
                "[presets]\n\"x\\u0007\" = [\"/\"]\n".to_string(),
                "line 2, column 1",
            ),
            (format!("{dist}id2 = 1\r\r\n"), "line 4, column 8"),
        ] {
            let e = err(&text);
            assert!(
                e.starts_with(&format!("{at}: control character")),
                "{text:?}: {e}"
            );
        }
        // Tabs between values and CRLF line ends are fine.
        let ok = format!("{dist}comment\t=\t\"fine\"\r\n");
        assert_eq!(
            SimData::parse(&ok).unwrap().distributions[0].comment,
            "fine"
        );
    }

    #[test]
    fn numbers_that_would_overflow_the_clock_or_fill_the_memory_are_refused() {
        let spec = |field: &str| {
            format!(
                "[[distribution]]\nid = \"E1\"\ndomain_name = \"d\"\n\n[[distribution]]\nid = \"E2\"\ndomain_name = \"d2\"\n{field}\n"
            )
        };
        for (field, key) in [
            ("modified_days_ago = 1e15", "modified_days_ago"),
            ("modified_days_ago = -1e308", "modified_days_ago"),
            ("modified_days_ago = nan", "modified_days_ago"),
            ("history = 4294967295", "history"),
            ("history = 100000000", "history"),
            ("in_progress = 100000000", "in_progress"),
        ] {
            let e = SimData::parse(&spec(field)).unwrap_err();
            let column = key.len() + 4;
            assert!(
                e.starts_with(&format!(
                    "line 8, column {column}: {key} of distribution E2 must be"
                )),
                "{field}: {e}"
            );
        }
        let ok = spec("modified_days_ago = 3650.0\nhistory = 10000\nin_progress = 100");
        assert!(SimData::parse(&ok).is_ok());
        // A list to draw paths from, or the simulator has nothing to invent with.
        let e = SimData::parse(&spec("paths = []")).unwrap_err();
        assert!(
            e.contains("paths of distribution E2 must be a list of at least one path"),
            "{e}"
        );
        // Per distribution within bounds, but too many in all.
        let many: String = (0..25)
            .map(|i| {
                format!("[[distribution]]\nid = \"E{i}\"\ndomain_name = \"d\"\nhistory = 10000\n")
            })
            .collect();
        let e = SimData::parse(&many).unwrap_err();
        assert!(e.contains("250000 invalidations"), "{e}");
    }

    #[test]
    fn data_files_are_read_up_to_16_mib() {
        let dir = std::env::temp_dir().join(format!("cfdash-sim-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.toml");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(MAX_DATA_BYTES + 1).unwrap();
        drop(file);
        for path in [big.as_path(), Path::new("/dev/zero")] {
            let e = SimData::from_file(path).unwrap_err();
            assert_eq!(
                e,
                format!(
                    "simulator data {} is larger than 16 MiB, the most cfdash reads: \
                     point --sim-data at a TOML account like assets/demo.toml",
                    path.display()
                )
            );
        }
        // Exactly at the cap is read (and then is not TOML).
        let at_cap = dir.join("at-cap.toml");
        std::fs::File::create(&at_cap)
            .unwrap()
            .set_len(MAX_DATA_BYTES)
            .unwrap();
        let e = SimData::from_file(&at_cap).unwrap_err();
        assert!(
            e.contains("line 1, column 1: control character U+0000"),
            "{e}"
        );
        let latin1 = dir.join("latin1.toml");
        std::fs::write(&latin1, b"# ok\n# caf\xe9\n").unwrap();
        let e = SimData::from_file(&latin1).unwrap_err();
        assert!(e.contains("line 2, column 6: not UTF-8 text"), "{e}");
        assert!(
            SimData::from_file(&dir)
                .unwrap_err()
                .contains("is a directory")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_same_seed_gives_the_same_account() {
        let ids = |seed| {
            let (_, sim) = sim(SimSettings {
                seed,
                ..Default::default()
            });
            block(list_recent_invalidations(&sim, "E2QWRUHAPOMQZL", 50))
                .unwrap()
                .into_iter()
                .map(|i| i.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(7), ids(7));
        assert_ne!(ids(7), ids(8));
    }

    #[test]
    fn paging_walks_every_distribution_once() {
        let clock = Arc::new(ManualClock::new(start()));
        let sim = SimCloudFront::new(SimData::generated(250, 0), SimSettings::default(), clock);
        let first = block(sim.list_distributions_page(None, 100)).unwrap();
        assert_eq!(first.items.len(), 100);
        assert_eq!(
            first.next_marker.as_deref(),
            Some(first.items[99].id.as_str())
        );
        let all = block(list_all_distributions(&sim)).unwrap();
        assert_eq!(all.len(), 250);
        let mut ids: Vec<_> = all.iter().map(|d| &d.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 250);
    }

    #[test]
    fn invalidations_list_newest_first_across_pages() {
        let (_, sim) = sim(SimSettings::default());
        let dist = "E2QWRUHAPOMQZL";
        let page = block(sim.list_invalidations_page(dist, None, 5)).unwrap();
        assert_eq!(page.items.len(), 5);
        assert!(page.next_marker.is_some());
        let all = block(list_recent_invalidations(&sim, dist, 1000)).unwrap();
        assert_eq!(all.len(), sim.invalidation_count(dist));
        assert!(all.windows(2).all(|w| w[0].create_time >= w[1].create_time));
        let some = block(list_recent_invalidations(&sim, dist, 7)).unwrap();
        assert_eq!(some.len(), 7);
        assert_eq!(some[..], all[..7]);
    }

    #[test]
    fn in_progress_completes_when_the_clock_passes_its_delay() {
        let (clock, sim) = sim(SimSettings::default());
        let dist = "E2QWRUHAPOMQZL";
        let list = block(list_recent_invalidations(&sim, dist, 50)).unwrap();
        let running = list
            .iter()
            .find(|i| i.status.is_in_progress())
            .expect("the demo starts with work in progress here");
        let done_at = sim.completion_time(dist, &running.id).unwrap();
        clock.set(done_at - SignedDuration::from_millis(1));
        let inv = block(sim.get_invalidation(dist, &running.id)).unwrap();
        assert_eq!(inv.status, InvalidationStatus::InProgress);
        clock.set(done_at);
        let inv = block(sim.get_invalidation(dist, &running.id)).unwrap();
        assert_eq!(inv.status, InvalidationStatus::Completed);
    }

    #[test]
    fn unknown_ids_are_no_such_errors() {
        let (_, sim) = sim(SimSettings::default());
        assert_eq!(
            block(sim.list_invalidations_page("ENOPE", None, 10)),
            Err(CfError::NoSuchDistribution { id: "ENOPE".into() })
        );
        assert_eq!(
            block(sim.get_invalidation("E2QWRUHAPOMQZL", "INOPE")),
            Err(CfError::NoSuchInvalidation {
                distribution: "E2QWRUHAPOMQZL".into(),
                id: "INOPE".into()
            })
        );
    }

    #[test]
    fn caller_reference_makes_create_idempotent() {
        let (_, sim) = sim(SimSettings::default());
        let dist = "E2QWRUHAPOMQZL";
        let before = sim.invalidation_count(dist);
        let paths = vec!["/index.html".to_string()];
        let a = block(sim.create_invalidation(dist, &paths, "ref-1")).unwrap();
        let b = block(sim.create_invalidation(dist, &paths, "ref-1")).unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(sim.invalidation_count(dist), before + 1);
        let other = vec!["/other".to_string()];
        assert_eq!(
            block(sim.create_invalidation(dist, &other, "ref-1")),
            Err(CfError::BatchAlreadyExists {
                caller_reference: "ref-1".into()
            })
        );
        let c = block(sim.create_invalidation(dist, &other, "ref-2")).unwrap();
        assert_ne!(c.id, a.id);
        assert_eq!(c.status, InvalidationStatus::InProgress);
    }

    #[test]
    fn in_progress_quotas_are_enforced() {
        let (clock, sim) = sim(SimSettings::default());
        let dist = "E3HB8D6PLWQ0UF"; // nothing in progress
        let wild: Vec<String> = (0..15).map(|i| format!("/w{i}/*")).collect();
        block(sim.create_invalidation(dist, &wild, "w-1")).unwrap();
        let one_more = vec!["/x/*".to_string()];
        let err = block(sim.create_invalidation(dist, &one_more, "w-2")).unwrap_err();
        assert!(
            matches!(err, CfError::TooManyInvalidationsInProgress { .. }),
            "{err:?}"
        );
        // File paths have their own quota.
        let files: Vec<String> = (0..3000).map(|i| format!("/f{i}")).collect();
        block(sim.create_invalidation(dist, &files, "f-1")).unwrap();
        let err = block(sim.create_invalidation(dist, &["/g".to_string()], "f-2")).unwrap_err();
        assert!(matches!(
            err,
            CfError::TooManyInvalidationsInProgress { .. }
        ));
        // The same reference again is still the existing invalidation, not a quota error.
        assert!(block(sim.create_invalidation(dist, &wild, "w-1")).is_ok());
        // Once they complete, there is room again.
        clock.advance(SignedDuration::from_hours(1));
        block(sim.create_invalidation(dist, &one_more, "w-2")).unwrap();
        let too_many: Vec<String> = (0..3001).map(|i| format!("/t{i}")).collect();
        let err = block(sim.create_invalidation(dist, &too_many, "t-1")).unwrap_err();
        assert!(matches!(&err, CfError::Other { code, .. } if code == "BatchTooLarge"));
    }

    #[test]
    fn delay_scale_zero_completes_at_once() {
        let (_, sim) = sim(SimSettings {
            delay_scale: 0.0,
            ..Default::default()
        });
        let dist = "E2QWRUHAPOMQZL";
        let all = block(list_recent_invalidations(&sim, dist, 100)).unwrap();
        assert!(
            all.iter()
                .all(|i| i.status == InvalidationStatus::Completed)
        );
        // A create still answers InProgress, as CloudFront's do; the next read sees it done.
        let made = block(sim.create_invalidation(dist, &["/now".to_string()], "zero-1")).unwrap();
        assert_eq!(made.status, InvalidationStatus::InProgress);
        let read = block(sim.get_invalidation(dist, &made.id)).unwrap();
        assert_eq!(read.status, InvalidationStatus::Completed);
    }

    #[test]
    fn throttling_and_faults_are_injected_at_the_asked_rate() {
        let (_, sim) = sim(SimSettings {
            throttle_rate: 0.3,
            fault_rate: 0.2,
            ..Default::default()
        });
        let results: Vec<_> = (0..1000)
            .map(|_| block(sim.list_distributions_page(None, 10)))
            .collect();
        let throttled = results
            .iter()
            .filter(|r| matches!(r, Err(CfError::Throttled { .. })))
            .count();
        let faults = results
            .iter()
            .filter(|r| matches!(r, Err(CfError::ServerError { status: 503, .. })))
            .count();
        assert!((250..350).contains(&throttled), "{throttled} throttled");
        assert!((150..250).contains(&faults), "{faults} faults");
    }

    #[test]
    fn activity_creates_invalidations_elsewhere_over_time() {
        let (clock, sim) = sim(SimSettings {
            activity_secs: 10.0,
            ..Default::default()
        });
        let total = |sim: &SimCloudFront| {
            block(list_all_distributions(sim))
                .unwrap()
                .iter()
                .map(|d| sim.invalidation_count(&d.id))
                .sum::<usize>()
        };
        let before = total(&sim);
        clock.advance(SignedDuration::from_secs(600));
        let after = total(&sim);
        assert!(after > before + 20, "{before} → {after}");
    }

    #[test]
    fn the_rate_model_throttles_beyond_each_familys_bucket_on_the_clock() {
        let (clock, sim) = sim(SimSettings {
            rate_limit: Some(SimRates {
                list: (2.0, 3),
                get: (1.0, 1),
                create: (0.5, 1),
            }),
            ..Default::default()
        });
        let list = |sim: &SimCloudFront| block(sim.list_distributions_page(None, 10));
        for _ in 0..3 {
            list(&sim).unwrap();
        }
        let err = list(&sim).unwrap_err();
        assert!(err.is_throttled(), "{err:?}");
        // Families are apart: gets still go.
        let dist = "E3HB8D6PLWQ0UF";
        let id = block(sim.list_invalidations_page(dist, None, 1));
        assert!(
            id.unwrap_err().is_throttled(),
            "list invalidations is the list family"
        );
        let missing = block(sim.get_invalidation(dist, "INOPE"));
        assert!(matches!(missing, Err(CfError::NoSuchInvalidation { .. })));
        assert!(
            block(sim.get_invalidation(dist, "INOPE"))
                .unwrap_err()
                .is_throttled()
        );
        // Half a second later, one more list (2 a second), and no more.
        clock.advance(SignedDuration::from_millis(500));
        list(&sim).unwrap();
        assert!(list(&sim).unwrap_err().is_throttled());
        // A throttled create makes nothing.
        let paths = vec!["/a".to_string()];
        let before = sim.invalidation_count(dist);
        block(sim.create_invalidation(dist, &paths, "r1")).unwrap();
        assert!(
            block(sim.create_invalidation(dist, &paths, "r2"))
                .unwrap_err()
                .is_throttled()
        );
        assert_eq!(sim.invalidation_count(dist), before + 1);
        clock.advance(SignedDuration::from_secs(2));
        block(sim.create_invalidation(dist, &paths, "r2")).unwrap();
    }

    #[test]
    fn rate_limits_parse_with_errors_that_say_what_to_give() {
        assert_eq!(SimRates::parse("off"), Ok(None));
        assert_eq!(
            SimRates::parse("cloudfront"),
            Ok(Some(SimRates::CLOUDFRONT))
        );
        let some = SimRates::parse("create=2/3, list=10").unwrap().unwrap();
        assert_eq!(some.create, (2.0, 3));
        assert_eq!(some.list, (10.0, 1));
        assert_eq!(some.get, SimRates::CLOUDFRONT.get);
        for bad in [
            "list",
            "list=0/1",
            "list=nan/2",
            "list=1e9/2",
            "list=1/0",
            "put=1/1",
            "list=1/x",
        ] {
            let e = SimRates::parse(bad).unwrap_err();
            assert!(e.contains("give") || e.contains("must be"), "{bad}: {e}");
        }
    }

    const MULTI: &str = "E3MT5K7W2QXR9B";
    const BAKERY: &str = "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB";
    const NORTHWIND: &str = "dt_2wjE0qLxN4cPbR7tUvWyZ1aK3Cd";

    /// A multi-tenant distribution with two tenants and nothing in progress, and a plain
    /// one; `extra` goes into the multi-tenant distribution's table.
    fn tenants_data(extra: &str) -> SimData {
        SimData::parse(&format!(
            "[[distribution]]\nid = \"EMULTI\"\ndomain_name = \"dm.cloudfront.net\"\ntenant_only = true\n{extra}\n\
             [[distribution.tenant]]\nid = \"dt_a\"\nname = \"alpha\"\ndomains = [\"a.example\"]\nhistory = 3\n\
             [[distribution.tenant]]\nid = \"dt_b\"\nname = \"beta\"\ndomains = [\"b.example\"]\n\
             [[distribution]]\nid = \"EPLAIN\"\ndomain_name = \"dp.cloudfront.net\"\n"
        ))
        .unwrap()
    }

    fn tenants_sim(extra: &str) -> (Arc<ManualClock>, SimCloudFront) {
        let clock = Arc::new(ManualClock::new(start()));
        let sim = SimCloudFront::new(tenants_data(extra), SimSettings::default(), clock.clone());
        (clock, sim)
    }

    #[test]
    fn tenants_list_a_page_at_a_time_for_their_distribution_only() {
        let (_, sim) = sim(SimSettings::default());
        let first = block(sim.list_tenants_page(MULTI, None, 2)).unwrap();
        assert_eq!(first.items.len(), 2);
        assert_eq!(first.items[0].id, BAKERY);
        assert_eq!(
            first.next_marker.as_deref(),
            Some(first.items[1].id.as_str())
        );
        let mut all = first.items.clone();
        let mut marker = first.next_marker;
        let mut pages = 1;
        while let Some(m) = marker {
            let page = block(sim.list_tenants_page(MULTI, Some(&m), 2)).unwrap();
            all.extend(page.items);
            marker = page.next_marker;
            pages += 1;
        }
        assert_eq!(pages, 3, "five tenants in pages of two");
        assert_eq!(
            all,
            block(crate::cloudfront::list_all_tenants(&sim, MULTI)).unwrap()
        );
        let mut ids: Vec<_> = all.iter().map(|t| t.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 5);
        assert!(all.iter().all(|t| t.distribution_id == MULTI));
        let bakery = &all[0];
        assert_eq!(bakery.name, "bakery-bliss");
        assert_eq!(
            bakery.domains,
            vec!["shop.bakerybliss.com", "www.bakerybliss.com"]
        );
        assert_eq!(
            bakery.arn,
            format!("arn:aws:cloudfront::123456789012:distribution-tenant/{BAKERY}")
        );
        assert!(all.iter().any(|t| t.enabled == Some(false)));
        // As a row, a tenant counts against its distribution's quotas.
        let row = bakery.row();
        assert_eq!(row.quota_owner(), MULTI);
        assert_eq!(row.display_name(), "bakery-bliss");
        // Not a distribution's tenants: nothing, not an error.
        for other in ["E2QWRUHAPOMQZL", "ENOPE"] {
            let page = block(sim.list_tenants_page(other, None, 10)).unwrap();
            assert_eq!(
                page,
                Page {
                    items: vec![],
                    next_marker: None
                }
            );
        }
        // Without a filter: every tenant of the account.
        let everyone = block(sim.list_tenants(None, None, 100)).unwrap();
        assert_eq!(everyone.items, all);
        // A marker that names no tenant of this listing.
        assert!(matches!(
            block(sim.list_tenants_page(MULTI, Some("dt_nope"), 2)),
            Err(CfError::Other { code, .. }) if code == "InvalidArgument"
        ));
    }

    #[test]
    fn a_tenant_is_found_by_id_name_arn_or_domain() {
        let (_, sim) = sim(SimSettings::default());
        let by_id = block(sim.get_tenant(NORTHWIND)).unwrap();
        assert_eq!(by_id.name, "northwind-outfitters");
        assert_eq!(
            block(sim.get_tenant("northwind-outfitters")).unwrap(),
            by_id
        );
        assert_eq!(block(sim.get_tenant(&by_id.arn)).unwrap(), by_id);
        assert_eq!(
            block(sim.get_tenant_by_domain("Store.Northwind.example")).unwrap(),
            by_id,
            "domains match without case"
        );
        // Any of its domains, not only the first.
        assert_eq!(
            block(sim.get_tenant_by_domain("www.bakerybliss.com"))
                .unwrap()
                .id,
            BAKERY
        );
        // What an operator types, through the one resolver.
        let resolve = |named| block(crate::cloudfront::resolve_tenant(&sim, named));
        assert_eq!(resolve("store.northwind.example").unwrap(), by_id);
        assert_eq!(resolve("northwind-outfitters").unwrap(), by_id);
        assert_eq!(resolve(NORTHWIND).unwrap(), by_id);
        for missing in [
            "dt_nope",
            "nope",
            "arn:aws:cloudfront::123456789012:distribution-tenant/dt_nope",
            MULTI,
        ] {
            assert_eq!(
                block(sim.get_tenant(missing)),
                Err(CfError::NoSuchTenant { id: missing.into() })
            );
        }
        assert_eq!(
            block(sim.get_tenant_by_domain("nope.example")),
            Err(CfError::NoSuchTenant {
                id: "nope.example".into()
            })
        );
        // A distribution's alias is no tenant's domain.
        assert!(matches!(
            block(sim.get_tenant_by_domain("www.acme-shop.com")),
            Err(CfError::NoSuchTenant { .. })
        ));
    }

    #[test]
    fn a_tenants_invalidations_are_its_own_and_idempotent_by_caller_reference() {
        let (_, sim) = sim(SimSettings::default());
        // Its history, newest first, across pages.
        let page = block(sim.list_invalidations_page(NORTHWIND, None, 10)).unwrap();
        assert_eq!(page.items.len(), 10);
        assert!(page.next_marker.is_some());
        let all = block(list_recent_invalidations(&sim, NORTHWIND, 1000)).unwrap();
        assert_eq!(all.len(), 45);
        assert!(all.windows(2).all(|w| w[0].create_time >= w[1].create_time));
        let before = sim.invalidation_count(NORTHWIND);
        let multi_before = sim.invalidation_count(MULTI);
        let paths = vec!["/catalog/*".to_string()];
        let a = block(sim.create_invalidation(NORTHWIND, &paths, "t-1")).unwrap();
        assert_eq!(a.status, InvalidationStatus::InProgress);
        let b = block(sim.create_invalidation(NORTHWIND, &paths, "t-1")).unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(sim.invalidation_count(NORTHWIND), before + 1);
        assert_eq!(sim.created(), 1);
        assert_eq!(
            block(sim.create_invalidation(NORTHWIND, &["/other".into()], "t-1")),
            Err(CfError::BatchAlreadyExists {
                caller_reference: "t-1".into()
            })
        );
        // References are a target's own: the same one on another tenant, or on the
        // distribution, is another invalidation.
        let c = block(sim.create_invalidation(BAKERY, &paths, "t-1")).unwrap();
        assert_ne!(c.id, a.id);
        let d = block(sim.create_invalidation(MULTI, &paths, "t-1")).unwrap();
        assert_ne!(d.id, a.id);
        assert_eq!(sim.invalidation_count(MULTI), multi_before + 1);
        assert_eq!(sim.created(), 3);
        // Read back through the tenant, and only through it.
        let got = block(sim.get_invalidation(NORTHWIND, &a.id)).unwrap();
        assert_eq!(
            (got.paths, got.caller_reference),
            (paths.clone(), "t-1".into())
        );
        assert_eq!(
            block(sim.get_invalidation(BAKERY, &a.id)),
            Err(CfError::NoSuchInvalidation {
                distribution: BAKERY.into(),
                id: a.id.clone()
            })
        );
        assert!(matches!(
            block(sim.get_invalidation(MULTI, &a.id)),
            Err(CfError::NoSuchInvalidation { .. })
        ));
        // A tenant that does not exist, whatever the operation.
        let nope = || CfError::NoSuchTenant {
            id: "dt_nope".into(),
        };
        assert_eq!(
            block(sim.list_invalidations_page("dt_nope", None, 10)),
            Err(nope())
        );
        assert_eq!(block(sim.get_invalidation("dt_nope", &a.id)), Err(nope()));
        assert_eq!(
            block(sim.create_invalidation("dt_nope", &paths, "t-2")),
            Err(nope())
        );
        assert_eq!(sim.created(), 3, "nothing made for a missing tenant");
    }

    #[test]
    fn in_progress_quotas_count_a_distribution_and_its_tenants_together() {
        let (clock, sim) = tenants_sim("");
        let wild = |n: usize, tag: &str| -> Vec<String> {
            (0..n).map(|i| format!("/{tag}{i}/*")).collect()
        };
        block(sim.create_invalidation("dt_a", &wild(10, "a"), "a-1")).unwrap();
        block(sim.create_invalidation("dt_b", &wild(4, "b"), "b-1")).unwrap();
        block(sim.create_invalidation("EMULTI", &wild(1, "m"), "m-1")).unwrap();
        // Fifteen wildcards in progress across the distribution and its tenants: full,
        // whichever of them is asked.
        for target in ["dt_a", "dt_b", "EMULTI"] {
            let err = block(sim.create_invalidation(target, &wild(1, "x"), "x-1")).unwrap_err();
            assert!(
                matches!(&err, CfError::TooManyInvalidationsInProgress { distribution, detail }
                    if distribution == target && detail.contains("EMULTI and its tenants")),
                "{target}: {err:?}"
            );
        }
        // Another distribution has its own.
        block(sim.create_invalidation("EPLAIN", &wild(15, "p"), "p-1")).unwrap();
        // The same reference again is the existing invalidation, not a quota error.
        assert!(block(sim.create_invalidation("dt_a", &wild(10, "a"), "a-1")).is_ok());
        // File paths: 3,000 in progress across them.
        clock.advance(SignedDuration::from_hours(1));
        let files = |n: usize, tag: &str| -> Vec<String> {
            (0..n).map(|i| format!("/{tag}{i}.html")).collect()
        };
        block(sim.create_invalidation("dt_a", &files(2000, "a"), "fa-1")).unwrap();
        block(sim.create_invalidation("EMULTI", &files(1000, "m"), "fm-1")).unwrap();
        assert!(matches!(
            block(sim.create_invalidation("dt_b", &files(1, "b"), "fb-1")),
            Err(CfError::TooManyInvalidationsInProgress { .. })
        ));
        // Once they complete there is room again.
        clock.advance(SignedDuration::from_hours(1));
        block(sim.create_invalidation("dt_b", &files(1, "b"), "fb-1")).unwrap();
    }

    #[test]
    fn a_plain_create_on_a_tenant_only_distribution_is_refused_only_when_asked() {
        let (_, sim) = tenants_sim("refuses_plain_invalidation = true");
        let paths = vec!["/index.html".to_string()];
        let err = block(sim.create_invalidation("EMULTI", &paths, "r-1")).unwrap_err();
        assert!(
            matches!(&err, CfError::Other { code, message }
                if code == "InvalidArgument" && message.contains("CreateInvalidationForDistributionTenant")),
            "{err:?}"
        );
        assert_eq!(sim.invalidation_count("EMULTI"), 0);
        assert_eq!(sim.created(), 0);
        // Its tenants take theirs.
        block(sim.create_invalidation("dt_a", &paths, "r-1")).unwrap();
        // By default (and in the demo) a plain create is taken.
        let (_, sim) = tenants_sim("");
        block(sim.create_invalidation("EMULTI", &paths, "r-1")).unwrap();
        let (_, demo) = self::sim(SimSettings::default());
        block(demo.create_invalidation(MULTI, &paths, "r-1")).unwrap();
        let multi = block(list_all_distributions(&demo))
            .unwrap()
            .into_iter()
            .find(|d| d.id == MULTI)
            .unwrap();
        assert!(multi.tenant_only);
        assert_eq!(multi.tenant, None);
    }

    #[test]
    fn cache_tag_headers_are_read_from_the_distribution_config() {
        let (_, sim) = sim(SimSettings::default());
        let header = |id| block(sim.get_cache_tag_header(id));
        assert_eq!(header("E2QWRUHAPOMQZL"), Ok(Some("Cache-Tag".into())));
        assert_eq!(header("E7GX2MBS9KD4HW"), Ok(Some("Edge-Cache-Tag".into())));
        assert_eq!(header("E1M7ZXKQ4RT2VN"), Ok(None));
        assert_eq!(header(MULTI), Ok(None));
        assert_eq!(
            sim.cache_tag_header("E2QWRUHAPOMQZL"),
            Ok(Some("Cache-Tag".into()))
        );
        // A tenant has no DistributionConfig of its own; an unknown id is no distribution.
        for id in ["ENOPE", BAKERY] {
            assert_eq!(
                header(id),
                Err(CfError::NoSuchDistribution { id: id.into() })
            );
        }
    }
}
