//! The headless CloudFront commands for pipelines: `invalidate`, `status`, `distributions`,
//! `invalidations`. The same trait and `paths` rules as the dashboard; data on stdout (a
//! table, or JSON with `--json`), messages on stderr; exit codes that say what happened.

use std::collections::{HashMap, HashSet};

use futures::future::join_all;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::drive::{self, Ctx, Ended, Signals, Stop};
use super::tenants::{self, Target};
use crate::engine::{self, Engine, Entry, Outcome, Policy};

use crate::cli::{InvalidateArgs, InvalidationsArgs, StatusArgs};
use crate::cloudfront::{
    self, CfError, CloudFront, Distribution, Invalidation, InvalidationStatus, InvalidationSummary,
};
use crate::journal::{BatchState, Link};
use crate::paths::{self, InProgress, Note};
use crate::text::{self, print, print_raw, say};
use crate::timefmt;

/// How a command ended when it did not succeed; each has its exit code.
#[derive(Debug)]
pub enum Fail {
    /// Bad input or usage: nothing was sent. Exit 2.
    Usage(String),
    /// CloudFront refused or failed (an unknown distribution too). Exit 3.
    Aws(String),
    /// CloudFront failed in a way worth another try (throttled, unreachable, 5xx). Exit 3.
    Transient(String),
    /// `--timeout` passed first. Exit 4.
    TimedOut(String),
    /// SIGINT, SIGTERM or SIGHUP. Exit 130, 143 or 129.
    Stopped(Stop),
}

impl Fail {
    pub fn code(&self) -> u8 {
        match self {
            Fail::Usage(_) => 2,
            Fail::Aws(_) | Fail::Transient(_) => 3,
            Fail::TimedOut(_) => 4,
            Fail::Stopped(stop) => stop.code(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            Fail::Usage(m) | Fail::Aws(m) | Fail::Transient(m) | Fail::TimedOut(m) => m.clone(),
            Fail::Stopped(stop) => stop.word().into(),
        }
    }
}

impl From<CfError> for Fail {
    fn from(e: CfError) -> Self {
        if engine::is_retryable(&e) {
            Fail::Transient(e.to_string())
        } else {
            Fail::Aws(e.to_string())
        }
    }
}

// ---- distributions -----------------------------------------------------------------------

/// Finds each distribution by id, alias or domain name. Unknown: exit 3 (the account was
/// asked); ambiguous or malformed: exit 2.
pub async fn resolve(cf: &dyn CloudFront, wanted: &[String]) -> Result<Vec<Distribution>, Fail> {
    let mut clean = Vec::new();
    for w in wanted {
        let w = w
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .trim_end_matches('.');
        if w.is_empty() || w.contains(|c: char| c.is_whitespace() || c == '/' || c == ',') {
            return Err(Fail::Usage(format!(
                "\"{}\" is not a distribution: give its id (E2EXAMPLE1), an alias or its domain name",
                text::quote(w)
            )));
        }
        clean.push(w.to_string());
    }
    let all = cloudfront::list_all_distributions(cf).await?;
    let mut found: Vec<Distribution> = Vec::new();
    for w in clean {
        let hits: Vec<&Distribution> = all
            .iter()
            .filter(|d| {
                d.id.eq_ignore_ascii_case(&w)
                    || d.domain_name.eq_ignore_ascii_case(&w)
                    || d.aliases.iter().any(|a| a.eq_ignore_ascii_case(&w))
            })
            .collect();
        match hits.as_slice() {
            [one] => {
                if !found.iter().any(|d| d.id == one.id) {
                    found.push((*one).clone());
                }
            }
            [] => {
                let near: Vec<String> = all
                    .iter()
                    .filter(|d| d.matches(&w.to_ascii_lowercase()))
                    .take(10)
                    .map(label)
                    .collect();
                let listing = if near.is_empty() {
                    all.iter().take(10).map(label).collect::<Vec<_>>()
                } else {
                    near
                };
                return Err(Fail::Aws(format!(
                    "no distribution {} in this account ({} distributions{}{}); check the id or alias, and the profile",
                    text::quote(&w),
                    all.len(),
                    if listing.is_empty() {
                        ""
                    } else {
                        "; for example: "
                    },
                    listing.join(", ")
                )));
            }
            many => {
                return Err(Fail::Usage(format!(
                    "{} matches {} distributions: {}; give the id",
                    text::quote(&w),
                    many.len(),
                    many.iter().map(|d| label(d)).collect::<Vec<_>>().join(", ")
                )));
            }
        }
    }
    Ok(found)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A distribution in a message: its id and name as the account has them, escaped (a line
/// break in an alias must not start a line of its own on stderr).
pub fn label(d: &Distribution) -> String {
    let name = d.display_name();
    if name == d.id {
        text::quote(&d.id)
    } else {
        format!("{} ({})", text::quote(&d.id), text::quote(name))
    }
}

pub async fn distributions(cf: &dyn CloudFront, json: bool) -> Result<(), Fail> {
    let all = cloudfront::list_all_distributions(cf).await?;
    if json {
        let list: Vec<_> = all
            .iter()
            .map(|d| {
                json!({
                    "id": d.id,
                    "domain_name": d.domain_name,
                    // null: the endpoint did not say (moto's listing).
                    "aliases": (!d.aliases_unknown).then_some(&d.aliases),
                    "status": d.status,
                    "enabled": d.enabled,
                    "comment": d.comment,
                    "last_modified": d.last_modified.to_string(),
                    // A multi-tenant distribution: `cfdash tenants -d ID` lists who serves it.
                    "tenant_only": d.tenant_only,
                })
            })
            .collect();
        print_raw(serde_json::to_string_pretty(&list).expect("json"));
        return Ok(());
    }
    // A multi-tenant distribution says so after its name; "+?" when the endpoint did not
    // say its aliases (the name is then its domain, perhaps not what the account calls it).
    let name = |d: &Distribution| {
        let unknown = if d.aliases_unknown { " +?" } else { "" };
        if d.tenant_only {
            format!("{}{unknown} (multi-tenant)", d.display_name())
        } else {
            format!("{}{unknown}", d.display_name())
        }
    };
    let width = all
        .iter()
        .map(|d| name(d).chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, crate::text::MAX_COLUMN);
    print(format!(
        "{:<14}  {:<width$}  {:<10}  {:<7}  COMMENT",
        "ID", "NAME", "STATUS", "ENABLED"
    ));
    for d in &all {
        print(format!(
            "{:<14}  {:<width$}  {:<10}  {:<7}  {}",
            d.id,
            name(d),
            d.status,
            match d.enabled {
                Some(true) => "yes",
                Some(false) => "no",
                None => "?",
            },
            d.comment.as_deref().unwrap_or("?")
        ));
    }
    Ok(())
}

// ---- listings ----------------------------------------------------------------------------

struct Listed {
    target: Target,
    rows: Vec<InvalidationSummary>,
}

/// Every tenant of the account's multi-tenant distributions, each with its `limit` most
/// recent invalidations (or why its distribution's tenants or its own invalidations could
/// not be listed), up to `LIST_CONCURRENCY` listings at a time.
async fn list_tenants_of(
    cf: &dyn CloudFront,
    distributions: &[Distribution],
    limit: usize,
) -> Vec<(String, Result<(Target, Vec<InvalidationSummary>), CfError>)> {
    use futures::stream::{self, StreamExt};
    let multi: Vec<&Distribution> = distributions.iter().filter(|d| d.tenant_only).collect();
    let mut out = Vec::new();
    let mut targets = Vec::new();
    for d in multi {
        match cloudfront::list_all_tenants(cf, &d.id).await {
            Ok(ts) => targets.extend(ts.iter().map(|t| Target::tenant(t, Some(d)))),
            Err(e) => out.push((format!("{} (its tenants)", d.id), Err(e))),
        }
    }
    let lists: Vec<_> = stream::iter(targets)
        .map(|t| async move {
            let rows = cloudfront::list_recent_invalidations(cf, t.id(), limit).await;
            (t.id().to_string(), rows.map(|rows| (t, rows)))
        })
        .buffered(cloudfront::LIST_CONCURRENCY)
        .collect()
        .await;
    out.extend(lists);
    out
}

pub async fn invalidations(cf: &dyn CloudFront, args: &InvalidationsArgs) -> Result<(), Fail> {
    let limit = args.limit as usize;
    let mut failures = Vec::new();
    let listed: Vec<Listed> = if args.all {
        let account = cloudfront::list_account(cf, limit).await?;
        let dists: Vec<Distribution> = account.iter().map(|(d, _)| d.clone()).collect();
        let tenant_lists = list_tenants_of(cf, &dists, limit).await;
        let mut failed = |id: &str, e: CfError| {
            failures.push(if e.is_throttled() {
                format!(
                    "{id}: CloudFront kept throttling (Rate exceeded) after {} tries at a slower pace: give a lower --rate, or run it when the account is quieter",
                    crate::cloudfront::paced::READ_RETRIES + 1
                )
            } else {
                format!("{id}: {e}")
            });
        };
        let mut listed = Vec::new();
        for (d, rows) in account {
            match rows {
                Ok(rows) => listed.push(Listed {
                    target: Target::distribution(d),
                    rows,
                }),
                Err(e) => failed(&d.id, e),
            }
        }
        for (id, got) in tenant_lists {
            match got {
                Ok((target, rows)) => listed.push(Listed { target, rows }),
                Err(e) => failed(&id, e),
            }
        }
        listed
    } else {
        let target = match (&args.tenant, &args.distribution) {
            (Some(t), _) => tenants::find(cf, t).await?,
            (None, Some(d)) => {
                Target::distribution(resolve(cf, std::slice::from_ref(d)).await?.remove(0))
            }
            (None, None) => return Err(Fail::Usage("give -d DIST, --tenant T or --all".into())),
        };
        let rows = cloudfront::list_recent_invalidations(cf, target.id(), limit).await?;
        vec![Listed { target, rows }]
    };
    if args.json {
        let list: Vec<_> = listed
            .iter()
            .flat_map(|l| {
                l.rows.iter().map(|r| {
                    let mut j = l.target.json();
                    j.insert("id".into(), json!(r.id));
                    j.insert("status".into(), json!(r.status.as_str()));
                    j.insert("create_time".into(), json!(r.create_time.to_string()));
                    serde_json::Value::Object(j)
                })
            })
            .collect();
        print_raw(serde_json::to_string_pretty(&list).expect("json"));
    } else {
        let tenant = Tenants::column(listed.iter().map(|l| &l.target));
        print(format!(
            "{:<14}  {}{:<14}  {:<10}  {:<20}  NAME",
            "DISTRIBUTION",
            tenant.head(),
            "INVALIDATION",
            "STATUS",
            "CREATED"
        ));
        for l in &listed {
            for r in &l.rows {
                print(format!(
                    "{:<14}  {}{:<14}  {:<10}  {:<20}  {}",
                    l.target.distribution,
                    tenant.cell(&l.target),
                    r.id,
                    r.status.as_str(),
                    format!("{:.0}", r.create_time),
                    l.target.name()
                ));
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        for f in &failures {
            say(format!("cfdash: {f}"));
        }
        Err(Fail::Aws(format!(
            "{} distributions could not be listed",
            failures.len()
        )))
    }
}

// ---- results -----------------------------------------------------------------------------

/// One invalidation as the commands report it.
#[derive(Clone, Debug)]
pub struct Row {
    pub target: Target,
    pub inv: Invalidation,
}

/// A table's TENANT column, there only when a row is a tenant's: a table of plain
/// distributions keeps the columns it always had.
struct Tenants(bool);

impl Tenants {
    const WIDTH: usize = 29;

    fn column<'a>(mut targets: impl Iterator<Item = &'a Target>) -> Self {
        Self(targets.any(|t| t.tenant_name().is_some()))
    }

    fn head(&self) -> String {
        self.text("TENANT")
    }

    fn cell(&self, t: &Target) -> String {
        self.text(if t.tenant_name().is_some() {
            t.id()
        } else {
            "-"
        })
    }

    fn text(&self, s: &str) -> String {
        if self.0 {
            format!("{s:<w$}  ", w = Self::WIDTH)
        } else {
            String::new()
        }
    }
}

fn rows_json(rows: &[Row]) -> serde_json::Value {
    serde_json::Value::Array(
        rows.iter()
            .map(|r| {
                let mut j = r.target.json();
                j.insert("id".into(), json!(r.inv.id));
                j.insert("status".into(), json!(r.inv.status.as_str()));
                j.insert("create_time".into(), json!(r.inv.create_time.to_string()));
                j.insert("caller_reference".into(), json!(r.inv.caller_reference));
                j.insert("paths".into(), json!(r.inv.paths));
                serde_json::Value::Object(j)
            })
            .collect(),
    )
}

fn print_rows(rows: &[Row], json: bool) {
    if json {
        print_raw(serde_json::to_string_pretty(&rows_json(rows)).expect("json"));
        return;
    }
    let tenant = Tenants::column(rows.iter().map(|r| &r.target));
    print(format!(
        "{:<14}  {}{:<14}  {:<10}  {:<20}  {:>5}  NAME",
        "DISTRIBUTION",
        tenant.head(),
        "INVALIDATION",
        "STATUS",
        "CREATED",
        "PATHS"
    ));
    for r in rows {
        print(format!(
            "{:<14}  {}{:<14}  {:<10}  {:<20}  {:>5}  {}",
            r.target.distribution,
            tenant.cell(&r.target),
            r.inv.id,
            r.inv.status.as_str(),
            format!("{:.0}", r.inv.create_time),
            r.inv.paths.len(),
            r.target.name()
        ));
    }
}

// ---- status ------------------------------------------------------------------------------

pub async fn status(cf: &dyn CloudFront, args: &StatusArgs) -> Result<(), Fail> {
    let deadline =
        Timestamp::now() + SignedDuration::try_from(args.timeout).unwrap_or(SignedDuration::MAX);
    let target = match (&args.tenant, &args.distribution) {
        (Some(t), _) => tenants::find(cf, t).await?,
        (None, Some(d)) => {
            Target::distribution(resolve(cf, std::slice::from_ref(d)).await?.remove(0))
        }
        (None, None) => return Err(Fail::Usage("give -d DIST or --tenant T".into())),
    };
    let d = target.row.clone();
    let ids: Vec<String> = if args.ids.is_empty() {
        let recent = cloudfront::list_recent_invalidations(cf, &d.id, 100).await?;
        recent
            .into_iter()
            .filter(|r| r.status.is_in_progress())
            .map(|r| r.id)
            .collect()
    } else {
        for id in &args.ids {
            if id.is_empty() || id.len() > 128 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(Fail::Usage(format!(
                    "\"{}\" is not an invalidation id: ids are letters and digits, like I2J0I21PCUYOIK",
                    text::quote(id)
                )));
            }
        }
        // Each id once, in the order given.
        let mut ids = args.ids.clone();
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(id.clone()));
        ids
    };
    if ids.is_empty() {
        say(format!("nothing in progress on {}", label(&d)));
    }
    let got = join_all(ids.iter().map(|id| cf.get_invalidation(&d.id, id))).await;
    let mut engine = Engine::new(Policy::default());
    engine.share_quota(&d.id, d.quota_owner());
    let now = Timestamp::now();
    for inv in got {
        engine.follow(&d.id, inv?, now);
    }
    let mut failures = Vec::new();
    let ended = if args.wait {
        let labels = HashMap::from([(d.id.clone(), label(&d))]);
        let names = HashMap::from([(d.id.clone(), d.display_name().to_string())]);
        // From here on a signal is caught: the rows are printed before exiting.
        let mut signals = Signals::catch()?;
        say(format!(
            "waiting for {} on {} to complete",
            plural(engine.entries().len(), "invalidation"),
            label(&d)
        ));
        let ctx = Ctx {
            cf,
            labels: &labels,
            names: &names,
            wait: true,
            deadline,
            journal: None,
        };
        drive::run(&ctx, &mut engine, &mut signals, &mut failures).await
    } else {
        Ended::Done
    };
    let rows: Vec<Row> = engine
        .entries()
        .iter()
        .filter_map(|e| e.created())
        .map(|inv| Row {
            target: target.clone(),
            inv: inv.clone(),
        })
        .collect();
    print_rows(&rows, args.json);
    match ended {
        Ended::Stopped(stop) => Err(Fail::Stopped(stop)),
        _ if !failures.is_empty() => Err(Fail::Aws(failures.join("; "))),
        Ended::TimedOut => {
            hint_status(&d.id, &rows);
            let ids: Vec<&str> = rows
                .iter()
                .filter(|r| r.inv.status.is_in_progress())
                .map(|r| r.inv.id.as_str())
                .collect();
            Err(Fail::TimedOut(format!(
                "timed out with {} still in progress: {}",
                ids.len(),
                ids.join(" ")
            )))
        }
        Ended::Done => Ok(()),
    }
}

/// How to pick up invalidations still in progress later.
fn hint_status(dist: &str, rows: &[Row]) {
    let ids: Vec<&str> = rows
        .iter()
        .filter(|r| r.inv.status != InvalidationStatus::Completed)
        .map(|r| r.inv.id.as_str())
        .collect();
    if !ids.is_empty() {
        let flag = if cloudfront::is_tenant(dist) {
            "--tenant"
        } else {
            "--distribution"
        };
        say(format!(
            "still in progress; wait for them later with: cfdash status {flag} {dist} {} --wait",
            ids.join(" ")
        ));
    }
}

// ---- invalidate --------------------------------------------------------------------------

/// The path list from the arguments and the paths file: each argument is a line (so one
/// argument may be a deploy step's space-separated list).
fn gather(args: &InvalidateArgs) -> Result<String, Fail> {
    let mut list = args.paths.join("\n");
    if let Some(file) = &args.paths_file {
        let max = text::PATHS_MAX_BYTES;
        let hint = "split the list into several runs";
        let more = if file.as_os_str() == "-" {
            text::read_capped(std::io::stdin().lock(), max, "the paths on stdin", hint)
        } else {
            let what = format!("the paths file {}", text::quote(&file.to_string_lossy()));
            std::fs::File::open(file)
                .map_err(|e| format!("cannot read {what}: {e}"))
                .and_then(|f| text::read_capped(f, max, &what, hint))
        }
        .map_err(Fail::Usage)?;
        if !list.is_empty() {
            list.push('\n');
        }
        list.push_str(&more);
    }
    Ok(list)
}

/// Says on stderr what the rules changed, and refuses the list if a path is wrong.
fn check_paths(list: &str, drop_covered: bool) -> Result<Vec<String>, Fail> {
    let analysis = paths::analyse(list);
    let problems: Vec<String> = analysis
        .problems()
        .map(|i| {
            format!(
                "line {}: {}: {}",
                i.line,
                text::quote(&i.raw),
                i.problem.as_ref().expect("a problem")
            )
        })
        .collect();
    if !problems.is_empty() {
        let shown = problems.iter().take(20).cloned().collect::<Vec<_>>();
        let more = if problems.len() > 20 {
            format!("\n… and {} more", problems.len() - 20)
        } else {
            String::new()
        };
        return Err(Fail::Usage(format!(
            "{} invalid path{} (nothing was sent):\n{}{more}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            shown.join("\n")
        )));
    }
    let mut notes = 0;
    for item in &analysis.items {
        let changes: Vec<String> = item
            .notes
            .iter()
            .filter(|n| !matches!(n, Note::Trimmed | Note::SplitFromList))
            .map(ToString::to_string)
            .collect();
        if !changes.is_empty() {
            notes += 1;
            if notes <= 20 {
                say(format!(
                    "line {}: {} → {} ({})",
                    item.line,
                    item.raw,
                    item.value,
                    changes.join("; ")
                ));
            }
        }
    }
    if notes > 20 {
        say(format!("… and {} more paths normalised", notes - 20));
    }
    let repeated = analysis
        .items
        .iter()
        .filter(|i| i.duplicate_of.is_some())
        .count();
    if repeated > 0 {
        say(format!("{repeated} repeated paths sent once"));
    }
    let covered = analysis
        .items
        .iter()
        .filter(|i| i.covered_by.is_some())
        .count();
    if covered > 0 {
        say(if drop_covered {
            format!("{covered} paths covered by a wildcard of the list left out")
        } else {
            format!(
                "{covered} paths are covered by a wildcard of the list (--drop-covered leaves them out)"
            )
        });
    }
    let send = analysis.to_send(drop_covered).expect("no problems");
    if send.is_empty() {
        return Err(Fail::Usage(
            "no paths to invalidate: give PATH arguments or --paths-file".into(),
        ));
    }
    Ok(send.iter().map(|i| i.value.clone()).collect())
}

/// What is in progress on a distribution now: its in-progress invalidations' paths.
async fn in_progress(cf: &dyn CloudFront, dist: &str) -> Result<InProgress, Fail> {
    let recent = cloudfront::list_recent_invalidations(cf, dist, 100).await?;
    let running: Vec<&InvalidationSummary> = recent
        .iter()
        .filter(|r| r.status.is_in_progress())
        .collect();
    let got = join_all(running.iter().map(|r| cf.get_invalidation(dist, &r.id))).await;
    let mut total = InProgress::default();
    for inv in got.into_iter().flatten() {
        if inv.status.is_in_progress() {
            total.add(InProgress::of(&inv.paths));
        }
    }
    Ok(total)
}

/// The targets, each with its plan of batches (how many fit what is in progress now). A
/// tenant's invalidations count against its distribution's quotas, with the distribution's
/// own and every other tenant's (AWS does not say; this is the safe side), so the targets
/// of one distribution share its room in the order they come.
async fn plan_all(
    cf: &dyn CloudFront,
    args: &InvalidateArgs,
    items: &[&paths::Item],
) -> Result<Vec<(Target, paths::Plan)>, Fail> {
    use futures::stream::{self, StreamExt, TryStreamExt};
    let targets = tenants::targets(cf, args).await?;
    let mut running: HashMap<String, InProgress> = HashMap::new();
    for t in &targets {
        let owner = t.row.quota_owner();
        if running.contains_key(owner) {
            continue;
        }
        let mut total = in_progress(cf, owner).await?;
        let shared = t.row.tenant_only
            || targets
                .iter()
                .any(|o| o.row.tenant.is_some() && o.row.quota_owner() == owner);
        if shared {
            let ids: Vec<String> = cloudfront::list_all_tenants(cf, owner)
                .await?
                .into_iter()
                .map(|t| t.id)
                .collect();
            let each: Vec<InProgress> = stream::iter(&ids)
                .map(|id| in_progress(cf, id))
                .buffered(cloudfront::LIST_CONCURRENCY)
                .try_collect()
                .await?;
            for more in each {
                total.add(more);
            }
        }
        running.insert(owner.to_string(), total);
    }
    let mut plans = Vec::new();
    for t in targets {
        let room = running.entry(t.row.quota_owner().to_string()).or_default();
        let plan = paths::plan(items, *room);
        for batch in &plan.batches[..plan.now] {
            room.add(InProgress::of(batch));
        }
        plans.push((t, plan));
    }
    Ok(plans)
}

/// `plan_all`, tried again after a failure worth another try (1, 2, 4, 8, then 10 s apart),
/// until it succeeds, fails for good, or `deadline` passes (exit 4, nothing sent).
async fn plan_within(
    cf: &dyn CloudFront,
    args: &InvalidateArgs,
    items: &[&paths::Item],
    deadline: Timestamp,
) -> Result<Vec<(Target, paths::Plan)>, Fail> {
    let policy = Policy::default();
    let mut wait = policy.retry_first;
    loop {
        let left = drive::until(Timestamp::now(), deadline);
        let fail = match tokio::time::timeout(left, plan_all(cf, args, items)).await {
            Ok(Ok(plans)) => return Ok(plans),
            Ok(Err(Fail::Transient(why))) => why,
            Ok(Err(fail)) => return Err(fail),
            Err(_) => "no answer".into(),
        };
        if Timestamp::now() + wait >= deadline {
            return Err(Fail::TimedOut(format!(
                "timed out before anything was sent: {fail}"
            )));
        }
        say(format!(
            "{fail}; trying again in {}",
            timefmt::short_duration(wait)
        ));
        tokio::time::sleep(std::time::Duration::try_from(wait).unwrap_or_default()).await;
        wait = (wait * 2).min(policy.retry_max);
    }
}

pub async fn invalidate(
    cf: &dyn CloudFront,
    args: &InvalidateArgs,
    journal: Option<&Link>,
) -> Result<(), Fail> {
    let deadline =
        Timestamp::now() + SignedDuration::try_from(args.timeout).unwrap_or(SignedDuration::MAX);
    let text = gather(args)?;
    let values = check_paths(&text, args.drop_covered)?;
    let analysis = paths::analyse(&values.join("\n"));
    let mut items = analysis.to_send(false).expect("checked");
    if args.caller_reference.is_some() {
        // A keyed rerun makes the same batches whatever order the paths come in.
        items.sort_by(|a, b| a.value.cmp(&b.value));
    }
    let estimate = analysis.estimate(false);
    // From here on a signal is caught: what was created is reported before exiting.
    let mut signals = Signals::catch()?;
    let plans = tokio::select! {
        planned = plan_within(cf, args, &items, deadline) => planned,
        stop = signals.recv() => Err(Fail::Stopped(stop)),
    };
    let plans = match plans {
        Ok(plans) => plans,
        Err(fail) => {
            // Nothing was sent: the report is empty, and still a report.
            if !args.dry_run {
                print_report(&[], &HashMap::new(), args.json);
            }
            if let Fail::Stopped(stop) = &fail {
                say(format!("{}: nothing was sent", stop.word()));
            }
            return Err(fail);
        }
    };
    let dists: Vec<Distribution> = plans.iter().map(|(t, _)| t.row.clone()).collect();
    let usd = estimate.usd * dists.len() as f64;
    let tenant_count = dists.iter().filter(|d| d.tenant.is_some()).count();
    let on = match (dists.len() - tenant_count, tenant_count) {
        (n, 0) => plural(n, "distribution"),
        (0, n) => plural(n, "tenant"),
        (d, t) => format!("{} and {}", plural(d, "distribution"), plural(t, "tenant")),
    };
    // A fan-out pays for every path once per target, against the month's free paths.
    let fan_out = if dists.len() > 1 {
        format!(
            " · {} in all ({} × {}; {} are free each month)",
            plural(estimate.items() * dists.len(), "path"),
            estimate.items(),
            dists.len(),
            paths::FREE_PATHS_PER_MONTH
        )
    } else {
        String::new()
    };
    let summary = format!(
        "{} · {} · {} on {on}{fan_out} · {} if past the free tier",
        plural(estimate.paths, "path"),
        plural(estimate.wildcards, "wildcard"),
        plural(estimate.tags, "tag"),
        paths::format_usd(usd)
    );
    if args.dry_run {
        print_dry_run(&plans, &values, &estimate, usd, &summary, args.json);
        return Ok(());
    }
    say(format!("invalidating {summary}"));
    for (t, p) in &plans {
        if p.now < p.batches.len() {
            say(format!(
                "{}: {} of {} batches wait for earlier invalidations to complete (at most {} paths and {} wildcards in progress{})",
                label(&t.row),
                p.batches.len() - p.now,
                p.batches.len(),
                paths::MAX_FILES_IN_PROGRESS,
                paths::MAX_WILDCARDS_IN_PROGRESS,
                if t.row.tenant.is_some() {
                    format!(" on {} and its tenants together", t.distribution)
                } else {
                    String::new()
                }
            ));
        }
    }
    let now = Timestamp::now();
    // With a key, the references are the key's: a rerun sends the same ones again.
    let submission = match &args.caller_reference {
        Some(key) => key.clone(),
        None => engine::submission_id(now, &super::instance(), 1),
    };
    let lists = plans.iter().map(|(t, p)| (t.id(), p.batches.as_slice()));
    let batches = engine::plan(&submission, lists);
    let earlier = match (&args.caller_reference, journal) {
        (Some(key), Some(j)) => earlier_runs(j, key, &batches).await?,
        _ => HashSet::new(),
    };
    let mut engine = Engine::new(Policy::default());
    if let Some(j) = journal {
        engine.record_changes();
        // The batches belong to the account the distributions are in (recorded with them).
        j.handle.write(crate::journal::Write::SomeDistributions {
            scope: j.scope.clone(),
            list: dists.clone(),
            at: now,
        });
    }
    for d in &dists {
        engine.share_quota(&d.id, d.quota_owner());
    }
    for batch in batches {
        engine.add(batch, now, Some(deadline));
    }
    for reference in &earlier {
        engine.created_before(reference);
    }
    let labels: HashMap<String, String> = dists.iter().map(|d| (d.id.clone(), label(d))).collect();
    let names: HashMap<String, String> = dists
        .iter()
        .map(|d| (d.id.clone(), d.display_name().to_string()))
        .collect();
    let ctx = Ctx {
        cf,
        labels: &labels,
        names: &names,
        wait: args.wait,
        deadline,
        journal,
    };
    let mut failures = Vec::new();
    let ended = drive::run(&ctx, &mut engine, &mut signals, &mut failures).await;
    let targets: HashMap<String, Target> = plans
        .into_iter()
        .map(|(t, _)| (t.id().to_string(), t))
        .collect();
    print_report(engine.entries(), &targets, args.json);
    let result = conclude(ended, engine.entries(), failures, &labels, &targets);
    // CloudFront refused a plain invalidation of a tenant-only distribution: say what to
    // do instead, as the refusal before sending does.
    let result = match result {
        Err(Fail::Aws(why)) => {
            let refused = dists.iter().filter(|d| d.tenant_only).find(|d| {
                engine
                    .entries()
                    .iter()
                    .any(|e| e.failed() && e.batch.distribution == d.id)
            });
            match refused {
                Some(d) => Err(Fail::Aws(format!("{why}; {}", tenants::steer(cf, d).await))),
                None => Err(Fail::Aws(why)),
            }
        }
        other => other,
    };
    let refused = engine
        .entries()
        .iter()
        .any(|e| matches!(e.error(), Some(CfError::BatchAlreadyExists { .. })));
    match &args.caller_reference {
        Some(key) if refused => Err(Fail::Usage(format!(
            "--caller-reference {key}: CloudFront holds an invalidation under this key with other paths (an earlier run's); \
             give a new key, such as the commit SHA, whenever the content changes"
        ))),
        _ => result,
    }
}

/// The references of `batches` that earlier runs with the same `--caller-reference` key
/// created. The same key with other paths is refused (exit 2), naming the first run's.
async fn earlier_runs(
    j: &Link,
    key: &str,
    batches: &[engine::Batch],
) -> Result<HashSet<String>, Fail> {
    let owned = key.to_string();
    let stored = match j.handle.read(move |jr| jr.batches_with_key(&owned)).await {
        Some(Ok(stored)) => stored,
        Some(Err(e)) => {
            say(format!(
                "cfdash: the journal cannot be read ({e}): runs with this key are not checked"
            ));
            return Ok(HashSet::new());
        }
        None => return Ok(HashSet::new()),
    };
    for b in batches {
        if let Some(first) = stored
            .iter()
            .find(|s| s.batch.caller_reference == b.caller_reference && s.batch.paths != b.paths)
        {
            let shown: Vec<&str> = first
                .batch
                .paths
                .iter()
                .take(5)
                .map(String::as_str)
                .collect();
            let more = first.batch.paths.len().saturating_sub(shown.len());
            return Err(Fail::Usage(format!(
                "--caller-reference {key} was used at {:.0} for other paths on {} (batch {}/{}): {}{}; \
                 nothing was sent. Give a new key, such as the commit SHA, whenever the content changes",
                first.queued_at,
                b.distribution,
                b.number,
                b.of,
                shown.join(" "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )));
        }
    }
    Ok(stored
        .into_iter()
        .filter(|s| matches!(s.state, BatchState::Created | BatchState::Adopted))
        .map(|s| s.batch.caller_reference)
        .collect())
}

/// What a dry run would do: the final paths, the batches and the price.
fn print_dry_run(
    plans: &[(Target, paths::Plan)],
    values: &[String],
    estimate: &paths::Estimate,
    usd: f64,
    summary: &str,
    json: bool,
) {
    if json {
        let list: Vec<_> = plans
            .iter()
            .map(|(t, p)| {
                let mut j = t.json();
                j.insert("batches".into(), json!(p.batches));
                j.insert("now".into(), json!(p.now));
                serde_json::Value::Object(j)
            })
            .collect();
        print_raw(
            serde_json::to_string_pretty(&json!({
                "dry_run": true,
                "paths": values,
                "estimate": {
                    "paths": estimate.paths,
                    "wildcards": estimate.wildcards,
                    "tags": estimate.tags,
                    "targets": plans.len(),
                    "paths_in_all": estimate.items() * plans.len(),
                    "usd_if_past_free_tier": usd,
                },
                "distributions": list,
            }))
            .expect("json"),
        );
    } else {
        for v in values {
            print(v);
        }
        say(format!("dry run, nothing sent: {summary}"));
        for (t, p) in plans {
            say(format!(
                "{}: {} invalidation{} ({} now{})",
                label(&t.row),
                p.batches.len(),
                if p.batches.len() == 1 { "" } else { "s" },
                p.now,
                if p.now < p.batches.len() {
                    format!(
                        ", {} queued until earlier ones complete",
                        p.batches.len() - p.now
                    )
                } else {
                    String::new()
                }
            ));
        }
    }
}

/// The exit of `invalidate` once the report is printed: a signal first, then a failure,
/// then a timeout (with how to pick up what is still in progress).
fn conclude(
    ended: Ended,
    entries: &[Entry],
    mut failures: Vec<String>,
    labels: &HashMap<String, String>,
    targets: &HashMap<String, Target>,
) -> Result<(), Fail> {
    // Batches that ran out of time after an error answer failed too (exit 3, not 4).
    for e in entries.iter().filter(|e| e.failed()) {
        let sentence = format!(
            "{}: batch {}/{}: {}",
            labels[&e.batch.distribution],
            e.batch.number,
            e.batch.of,
            e.error().map(ToString::to_string).unwrap_or_default()
        );
        if !failures.contains(&sentence) {
            failures.push(sentence);
        }
    }
    let created = entries.iter().filter(|e| e.created().is_some()).count();
    let unfinished = entries.len() - created;
    if unfinished > 0 {
        say(format!(
            "{unfinished} of {} batch{} not created (listed above): \
             \"unknown\" may exist (a submit with its caller reference adopts it), \
             \"not_sent\" does not",
            entries.len(),
            if entries.len() == 1 { "" } else { "es" }
        ));
    }
    match ended {
        Ended::Stopped(stop) => {
            if created > 0 {
                say(format!(
                    "{}: {created} invalidation{} created (listed above) {} on in CloudFront",
                    stop.word(),
                    if created == 1 { "" } else { "s" },
                    if created == 1 { "goes" } else { "go" }
                ));
            }
            Err(Fail::Stopped(stop))
        }
        _ if !failures.is_empty() => Err(Fail::Aws(if failures.len() == 1 {
            failures.remove(0)
        } else {
            format!(
                "{} batches failed, the first: {}",
                failures.len(),
                failures[0]
            )
        })),
        Ended::TimedOut | Ended::Done if unfinished > 0 || ended == Ended::TimedOut => {
            let mut by_dist: HashMap<String, Vec<Row>> = HashMap::new();
            for e in entries {
                if let Some(inv) = e.created() {
                    by_dist
                        .entry(e.batch.distribution.clone())
                        .or_default()
                        .push(Row {
                            target: targets[&e.batch.distribution].clone(),
                            inv: inv.clone(),
                        });
                }
            }
            for (d, rs) in by_dist {
                hint_status(&d, &rs);
            }
            let waiting: Vec<&str> = entries
                .iter()
                .filter(|e| e.in_progress())
                .filter_map(|e| e.created())
                .map(|inv| inv.id.as_str())
                .collect();
            Err(Fail::TimedOut(if unfinished > 0 {
                format!(
                    "timed out with {unfinished} batch{} not created and {} in progress",
                    if unfinished == 1 { "" } else { "es" },
                    waiting.len()
                )
            } else {
                format!(
                    "timed out with {} still in progress: {}",
                    waiting.len(),
                    waiting.join(" ")
                )
            }))
        }
        Ended::TimedOut | Ended::Done => Ok(()),
    }
}

/// Every batch of the plan, whatever happened to it: `state` is created, unknown (may
/// exist) or not_sent; `id` is null where nothing is known to exist.
fn print_report(entries: &[Entry], targets: &HashMap<String, Target>, json: bool) {
    let unknown = |d: &str| {
        Target::distribution(Distribution {
            id: d.to_string(),
            arn: String::new(),
            domain_name: d.to_string(),
            aliases: Vec::new(),
            status: String::new(),
            enabled: None,
            comment: None,
            origins: Vec::new(),
            last_modified: Timestamp::UNIX_EPOCH,
            aliases_unknown: false,
            tenant_only: false,
            tenant: None,
        })
    };
    let target = |d: &str| targets.get(d).cloned().unwrap_or_else(|| unknown(d));
    // Created by an earlier run under the same reference: adopted, nothing paid twice.
    let state = |e: &Entry| {
        if e.adopted() {
            "adopted"
        } else {
            e.outcome().map_or("not_sent", Outcome::as_str)
        }
    };
    if json {
        let list: Vec<_> = entries
            .iter()
            .map(|e| {
                let b = &e.batch;
                let inv = e.created();
                let mut j = target(&b.distribution).json();
                let more = json!({
                    "id": inv.map(|i| i.id.clone()),
                    "status": inv.map(|i| i.status.as_str()),
                    "create_time": inv.map(|i| i.create_time.to_string()),
                    "caller_reference": b.caller_reference,
                    "paths": inv.map_or(&b.paths, |i| &i.paths),
                    "state": state(e),
                    "batch": b.number,
                    "of": b.of,
                });
                if let serde_json::Value::Object(more) = more {
                    j.extend(more);
                }
                serde_json::Value::Object(j)
            })
            .collect();
        print_raw(serde_json::to_string_pretty(&list).expect("json"));
        return;
    }
    let tenant = Tenants::column(targets.values());
    print(format!(
        "{:<14}  {}{:<14}  {:<10}  {:<8}  {:<20}  {:>5}  {:>5}  {:<48}  NAME",
        "DISTRIBUTION",
        tenant.head(),
        "INVALIDATION",
        "STATUS",
        "STATE",
        "CREATED",
        "BATCH",
        "PATHS",
        "CALLER REFERENCE"
    ));
    for e in entries {
        let b = &e.batch;
        let inv = e.created();
        let t = target(&b.distribution);
        print(format!(
            "{:<14}  {}{:<14}  {:<10}  {:<8}  {:<20}  {:>5}  {:>5}  {:<48}  {}",
            t.distribution,
            tenant.cell(&t),
            inv.map_or("-", |i| i.id.as_str()),
            inv.map_or("-", |i| i.status.as_str()),
            state(e),
            inv.map_or("-".to_string(), |i| format!("{:.0}", i.create_time)),
            format!("{}/{}", b.number, b.of),
            b.paths.len(),
            b.caller_reference,
            t.name()
        ));
    }
}
