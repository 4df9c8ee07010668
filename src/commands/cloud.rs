//! The headless CloudFront commands for pipelines: `invalidate`, `status`, `distributions`,
//! `invalidations`. The same trait and `paths` rules as the dashboard; data on stdout (a
//! table, or JSON with `--json`), messages on stderr; exit codes that say what happened.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::join_all;
use jiff::Timestamp;
use serde_json::json;

use crate::cli::{InvalidateArgs, InvalidationsArgs, StatusArgs};
use crate::cloudfront::{
    self, CfError, CloudFront, Distribution, Invalidation, InvalidationStatus, InvalidationSummary,
};
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
    /// `--timeout` passed first. Exit 4.
    TimedOut(String),
    /// Ctrl-C. Exit 130.
    Interrupted,
}

impl Fail {
    pub fn code(&self) -> u8 {
        match self {
            Fail::Usage(_) => 2,
            Fail::Aws(_) => 3,
            Fail::TimedOut(_) => 4,
            Fail::Interrupted => 130,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Fail::Usage(m) | Fail::Aws(m) | Fail::TimedOut(m) => m.clone(),
            Fail::Interrupted => "interrupted".into(),
        }
    }
}

impl From<CfError> for Fail {
    fn from(e: CfError) -> Self {
        Fail::Aws(e.to_string())
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
fn label(d: &Distribution) -> String {
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
                    "aliases": d.aliases,
                    "status": d.status,
                    "enabled": d.enabled,
                    "comment": d.comment,
                    "last_modified": d.last_modified.to_string(),
                })
            })
            .collect();
        print_raw(serde_json::to_string_pretty(&list).expect("json"));
        return Ok(());
    }
    let width = all
        .iter()
        .map(|d| d.display_name().chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    print(format!(
        "{:<14}  {:<width$}  {:<10}  {:<7}  COMMENT",
        "ID", "NAME", "STATUS", "ENABLED"
    ));
    for d in &all {
        print(format!(
            "{:<14}  {:<width$}  {:<10}  {:<7}  {}",
            d.id,
            d.display_name(),
            d.status,
            if d.enabled { "yes" } else { "no" },
            d.comment
        ));
    }
    Ok(())
}

// ---- listings ----------------------------------------------------------------------------

struct Listed {
    distribution: Distribution,
    rows: Vec<InvalidationSummary>,
}

pub async fn invalidations(cf: &dyn CloudFront, args: &InvalidationsArgs) -> Result<(), Fail> {
    let limit = args.limit as usize;
    let mut failures = Vec::new();
    let listed: Vec<Listed> = if args.all {
        cloudfront::list_account(cf, limit)
            .await?
            .into_iter()
            .filter_map(|(d, rows)| match rows {
                Ok(rows) => Some(Listed {
                    distribution: d,
                    rows,
                }),
                Err(e) => {
                    failures.push(format!("{}: {e}", d.id));
                    None
                }
            })
            .collect()
    } else {
        let wanted = args.distribution.clone().into_iter().collect::<Vec<_>>();
        let d = resolve(cf, &wanted).await?.remove(0);
        let rows = cloudfront::list_recent_invalidations(cf, &d.id, limit).await?;
        vec![Listed {
            distribution: d,
            rows,
        }]
    };
    if args.json {
        let list: Vec<_> = listed
            .iter()
            .flat_map(|l| {
                l.rows.iter().map(|r| {
                    json!({
                        "distribution": l.distribution.id,
                        "distribution_name": l.distribution.display_name(),
                        "id": r.id,
                        "status": r.status.as_str(),
                        "create_time": r.create_time.to_string(),
                    })
                })
            })
            .collect();
        print_raw(serde_json::to_string_pretty(&list).expect("json"));
    } else {
        print(format!(
            "{:<14}  {:<14}  {:<10}  {:<20}  NAME",
            "DISTRIBUTION", "INVALIDATION", "STATUS", "CREATED"
        ));
        for l in &listed {
            for r in &l.rows {
                print(format!(
                    "{:<14}  {:<14}  {:<10}  {:<20}  {}",
                    l.distribution.id,
                    r.id,
                    r.status.as_str(),
                    format!("{:.0}", r.create_time),
                    l.distribution.display_name()
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
    pub distribution: String,
    pub name: String,
    pub inv: Invalidation,
}

fn rows_json(rows: &[Row]) -> serde_json::Value {
    serde_json::Value::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "distribution": r.distribution,
                    "distribution_name": r.name,
                    "id": r.inv.id,
                    "status": r.inv.status.as_str(),
                    "create_time": r.inv.create_time.to_string(),
                    "caller_reference": r.inv.caller_reference,
                    "paths": r.inv.paths,
                })
            })
            .collect(),
    )
}

fn print_rows(rows: &[Row], json: bool) {
    if json {
        print_raw(serde_json::to_string_pretty(&rows_json(rows)).expect("json"));
        return;
    }
    print(format!(
        "{:<14}  {:<14}  {:<10}  {:<20}  {:>5}  NAME",
        "DISTRIBUTION", "INVALIDATION", "STATUS", "CREATED", "PATHS"
    ));
    for r in rows {
        print(format!(
            "{:<14}  {:<14}  {:<10}  {:<20}  {:>5}  {}",
            r.distribution,
            r.inv.id,
            r.inv.status.as_str(),
            format!("{:.0}", r.inv.create_time),
            r.inv.paths.len(),
            r.name
        ));
    }
}

// ---- waiting -----------------------------------------------------------------------------

/// Polls until every row is Completed or the deadline passes: about every 2 s while an
/// invalidation is young, at most every 5 s after (jitter included), doubled while
/// throttled (up to 60 s). Progress on stderr: one live line on a terminal, timestamped
/// lines otherwise.
async fn wait_all(
    cf: &dyn CloudFront,
    rows: &Mutex<Vec<Row>>,
    deadline: Instant,
) -> Result<(), Fail> {
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut backoff: u32 = 0;
    let mut round: u64 = 0;
    loop {
        let pending: Vec<(usize, String, String, Timestamp)> = {
            let rows = rows.lock().expect("rows");
            rows.iter()
                .enumerate()
                .filter(|(_, r)| r.inv.status != InvalidationStatus::Completed)
                .map(|(i, r)| {
                    (
                        i,
                        r.distribution.clone(),
                        r.inv.id.clone(),
                        r.inv.create_time,
                    )
                })
                .collect()
        };
        let total = rows.lock().expect("rows").len();
        if tty {
            let done = total - pending.len();
            let _ = write!(
                std::io::stderr(),
                "\r\x1b[K{} {done} of {total} completed · {}",
                timefmt::spinner(round as i64),
                timefmt::short_duration(
                    jiff::SignedDuration::try_from(started.elapsed()).unwrap_or_default()
                )
            );
        }
        if pending.is_empty() {
            if tty {
                say("");
            }
            return Ok(());
        }
        if Instant::now() >= deadline {
            if tty {
                say("");
            }
            let ids: Vec<&str> = pending.iter().map(|p| p.2.as_str()).collect();
            return Err(Fail::TimedOut(format!(
                "timed out with {} still in progress: {}",
                ids.len(),
                ids.join(" ")
            )));
        }
        // The interval: fast while the youngest is young, steady after, doubled when
        // throttled; a jitter from the round keeps many pipelines from polling together.
        let now = Timestamp::now();
        let youngest = pending
            .iter()
            .map(|p| now.duration_since(p.3))
            .min()
            .unwrap_or_default();
        let jitter = Duration::from_millis((round * 7919 + std::process::id() as u64) % 400);
        let base = if youngest < jiff::SignedDuration::from_secs(30) {
            Duration::from_secs(2) + jitter
        } else {
            Duration::from_secs(5) - jitter
        };
        let wait = (base * 2u32.pow(backoff)).min(Duration::from_secs(60));
        let wait = wait.min(deadline.saturating_duration_since(Instant::now()));
        tokio::time::sleep(wait).await;
        round += 1;
        let answers = join_all(
            pending
                .iter()
                .map(|(_, d, id, _)| cf.get_invalidation(d, id)),
        )
        .await;
        let mut throttled = false;
        for ((i, _, _, _), answer) in pending.iter().zip(answers) {
            match answer {
                Ok(inv) => {
                    let mut rows = rows.lock().expect("rows");
                    let row = &mut rows[*i];
                    if inv.status != row.inv.status {
                        let took = Timestamp::now().duration_since(row.inv.create_time);
                        if !tty {
                            say(format!(
                                "{} {} on {}: {} (took ≤ {})",
                                Timestamp::now(),
                                inv.id,
                                row.name,
                                inv.status,
                                timefmt::short_duration(took)
                            ));
                        }
                    }
                    row.inv = inv;
                }
                Err(e) if e.is_throttled() => throttled = true,
                Err(CfError::Network { .. } | CfError::Timeout { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        backoff = if throttled {
            (backoff + 1).min(5)
        } else {
            backoff.saturating_sub(1)
        };
    }
}

// ---- status ------------------------------------------------------------------------------

pub async fn status(cf: &dyn CloudFront, args: &StatusArgs) -> Result<(), Fail> {
    let deadline = Instant::now() + args.timeout;
    let d = resolve(cf, std::slice::from_ref(&args.distribution))
        .await?
        .remove(0);
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
        args.ids.clone()
    };
    if ids.is_empty() {
        say(format!("nothing in progress on {}", label(&d)));
    }
    let got = join_all(ids.iter().map(|id| cf.get_invalidation(&d.id, id))).await;
    let mut rows = Vec::new();
    for inv in got {
        rows.push(Row {
            distribution: d.id.clone(),
            name: d.display_name().to_string(),
            inv: inv?,
        });
    }
    let rows = Mutex::new(rows);
    let result = if args.wait {
        let waited = wait_all(cf, &rows, deadline).await;
        if let Err(Fail::TimedOut(_)) = &waited {
            hint_status(&d.id, &rows.lock().expect("rows"));
        }
        waited
    } else {
        Ok(())
    };
    print_rows(&rows.lock().expect("rows"), args.json);
    result
}

/// How to pick up invalidations still in progress later.
fn hint_status(dist: &str, rows: &[Row]) {
    let ids: Vec<&str> = rows
        .iter()
        .filter(|r| r.inv.status != InvalidationStatus::Completed)
        .map(|r| r.inv.id.as_str())
        .collect();
    if !ids.is_empty() {
        say(format!(
            "still in progress; wait for them later with: cfdash status --distribution {dist} {} --wait",
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

pub async fn invalidate(cf: &dyn CloudFront, args: &InvalidateArgs) -> Result<(), Fail> {
    let deadline = Instant::now() + args.timeout;
    let text = gather(args)?;
    let values = check_paths(&text, args.drop_covered)?;
    let analysis = paths::analyse(&values.join("\n"));
    let items = analysis.to_send(false).expect("checked");
    let estimate = analysis.estimate(false);
    let dists = resolve(cf, &args.distributions).await?;
    let mut plans = Vec::new();
    for d in &dists {
        let now = in_progress(cf, &d.id).await?;
        plans.push((d.clone(), paths::plan(&items, now)));
    }
    let usd = estimate.usd * dists.len() as f64;
    let summary = format!(
        "{} · {} · {} on {} · {} if past the free tier",
        plural(estimate.paths, "path"),
        plural(estimate.wildcards, "wildcard"),
        plural(estimate.tags, "tag"),
        plural(dists.len(), "distribution"),
        paths::format_usd(usd)
    );
    if args.dry_run {
        if args.json {
            let list: Vec<_> = plans
                .iter()
                .map(|(d, p)| {
                    json!({
                        "distribution": d.id,
                        "distribution_name": d.display_name(),
                        "batches": p.batches,
                        "now": p.now,
                    })
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
                        "usd_if_past_free_tier": usd,
                    },
                    "distributions": list,
                }))
                .expect("json"),
            );
        } else {
            for v in &values {
                print(v);
            }
            say(format!("dry run, nothing sent: {summary}"));
            for (d, p) in &plans {
                say(format!(
                    "{}: {} invalidation{} ({} now{})",
                    label(d),
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
        return Ok(());
    }
    say(format!("invalidating {summary}"));
    let created: Arc<Mutex<Vec<Row>>> = Arc::new(Mutex::new(Vec::new()));
    let submit_id = format!(
        "cfdash-{}-{}",
        Timestamp::now().as_millisecond(),
        std::process::id()
    );
    let work = async {
        let sent = join_all(plans.iter().map(|(d, plan)| {
            submit(
                cf,
                d,
                &plan.batches,
                plan.now,
                &submit_id,
                &created,
                deadline,
            )
        }))
        .await;
        for result in sent {
            result?;
        }
        if args.wait {
            wait_all(cf, &created, deadline).await?;
        }
        Ok::<(), Fail>(())
    };
    let result = tokio::select! {
        r = work => r,
        _ = tokio::signal::ctrl_c() => Err(Fail::Interrupted),
    };
    let rows = created.lock().expect("rows").clone();
    if !rows.is_empty() || result.is_ok() {
        print_rows(&rows, args.json);
    }
    if let Err(Fail::TimedOut(_)) = &result {
        let mut by_dist: HashMap<String, Vec<Row>> = HashMap::new();
        for r in &rows {
            by_dist
                .entry(r.distribution.clone())
                .or_default()
                .push(r.clone());
        }
        for (d, rs) in by_dist {
            hint_status(&d, &rs);
        }
    }
    if let Err(Fail::Interrupted) = &result
        && !rows.is_empty()
    {
        say(format!(
            "interrupted: {} invalidation{} created (listed above) go on in CloudFront",
            rows.len(),
            if rows.len() == 1 { " was" } else { "s were" }
        ));
    }
    result
}

/// Creates the batches of one distribution in order. A batch the in-progress quotas have
/// no room for waits until an earlier one completes (CloudFront says
/// TooManyInvalidationsInProgress: the same CallerReference is sent again later, so it is
/// never created twice).
async fn submit(
    cf: &dyn CloudFront,
    d: &Distribution,
    batches: &[Vec<String>],
    fit_now: usize,
    submit_id: &str,
    created: &Mutex<Vec<Row>>,
    deadline: Instant,
) -> Result<(), Fail> {
    let of = batches.len();
    if fit_now < of {
        say(format!(
            "{}: {} of {of} batches wait for earlier invalidations to complete (at most {} paths and {} wildcards in progress)",
            label(d),
            of - fit_now,
            paths::MAX_FILES_IN_PROGRESS,
            paths::MAX_WILDCARDS_IN_PROGRESS
        ));
    }
    for (i, batch) in batches.iter().enumerate() {
        let reference = format!("{submit_id}-{}-{}", d.id, i + 1);
        let mut said_waiting = false;
        let mut transient = 0;
        let inv = loop {
            match cf.create_invalidation(&d.id, batch, &reference).await {
                Ok(inv) => break inv,
                Err(CfError::TooManyInvalidationsInProgress { .. }) => {
                    if !said_waiting {
                        say(format!(
                            "{}: batch {}/{of} waits: the in-progress quota is full",
                            label(d),
                            i + 1
                        ));
                        said_waiting = true;
                    }
                    if Instant::now() >= deadline {
                        return Err(Fail::TimedOut(format!(
                            "timed out waiting for room for batch {}/{of} on {}",
                            i + 1,
                            d.id
                        )));
                    }
                    wait_for_room(cf, d, created, deadline).await?;
                }
                Err(e)
                    if (e.is_throttled()
                        || matches!(e, CfError::Network { .. } | CfError::Timeout { .. }))
                        && transient < 5 =>
                {
                    // The same reference again: if the first went through, CloudFront
                    // answers with that invalidation.
                    transient += 1;
                    tokio::time::sleep(Duration::from_secs(2u64.pow(transient))).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        say(format!(
            "created {} on {} (batch {}/{of}, {})",
            inv.id,
            label(d),
            i + 1,
            plural(batch.len(), "path")
        ));
        created.lock().expect("rows").push(Row {
            distribution: d.id.clone(),
            name: d.display_name().to_string(),
            inv,
        });
    }
    Ok(())
}

/// Waits until one of this command's invalidations on `d` completes (or a while passes,
/// for quota held by invalidations made elsewhere).
async fn wait_for_room(
    cf: &dyn CloudFront,
    d: &Distribution,
    created: &Mutex<Vec<Row>>,
    deadline: Instant,
) -> Result<(), Fail> {
    let give_up = (Instant::now() + Duration::from_secs(30)).min(deadline);
    loop {
        let mine: Vec<String> = created
            .lock()
            .expect("rows")
            .iter()
            .filter(|r| r.distribution == d.id && r.inv.status.is_in_progress())
            .map(|r| r.inv.id.clone())
            .collect();
        let wait = Duration::from_secs(3).min(give_up.saturating_duration_since(Instant::now()));
        tokio::time::sleep(wait).await;
        for id in mine {
            if let Ok(inv) = cf.get_invalidation(&d.id, &id).await
                && !inv.status.is_in_progress()
            {
                let mut rows = created.lock().expect("rows");
                if let Some(r) = rows.iter_mut().find(|r| r.inv.id == id) {
                    r.inv = inv;
                }
                return Ok(());
            }
        }
        if Instant::now() >= give_up {
            return Ok(());
        }
    }
}
