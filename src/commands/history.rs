//! `cfdash history` and `cfdash journal info | prune`: what was invalidated, when and by
//! whom, from the journal brought up to date from CloudFront's listings.

use futures::stream::{self, StreamExt};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::cloud::{Fail, resolve};
use crate::cli::HistoryArgs;
use crate::cloudfront::{self, CloudFront, Distribution, InvalidationSummary};
use crate::journal::{HistoryRow, Info, Link, Query, Write};
use crate::text::{print, print_raw, say};
use crate::timefmt;

/// How many listings and detail fetches run at once.
const AT_ONCE: usize = 8;
/// The most invalidations listed per distribution.
const MAX_LISTED: usize = 1000;

/// `cfdash history`: brings the journal up to date (unless `--offline`), then answers
/// from it.
pub async fn history(cf: &dyn CloudFront, link: &Link, args: &HistoryArgs) -> Result<(), Fail> {
    let now = Timestamp::now();
    let since = now - SignedDuration::try_from(args.since).unwrap_or(SignedDuration::MAX);
    let mut distribution = args.distribution.clone();
    if let (true, Some(wanted)) = (args.offline, &args.distribution) {
        // Offline, the journal's last listing says which distribution an alias names.
        let (profile, owned) = (link.scope.profile.clone(), wanted.clone());
        match link
            .handle
            .read(move |j| j.resolve_distribution(&profile, &owned))
            .await
        {
            Some(Ok(Some(id))) => distribution = Some(id),
            Some(Ok(None)) => {
                return Err(Fail::Usage(format!(
                    "{} is not a distribution the journal knows for profile {}: give its id, or leave out --offline to ask CloudFront",
                    crate::text::quote(wanted),
                    link.scope.profile
                )));
            }
            _ => {}
        }
    }
    if let Some(glob) = &args.path {
        check_glob(glob)?;
    }
    if !args.offline {
        let dists = match &args.distribution {
            Some(d) => {
                let found = resolve(cf, std::slice::from_ref(d)).await?;
                link.handle.write(Write::SomeDistributions {
                    scope: link.scope.clone(),
                    list: found.clone(),
                    at: now,
                });
                found
            }
            None => {
                let all = cloudfront::list_all_distributions(cf).await?;
                link.handle.write(Write::Distributions {
                    scope: link.scope.clone(),
                    list: all.clone(),
                    at: now,
                });
                all
            }
        };
        if let (Some(_), Some(d)) = (&args.distribution, dists.first()) {
            distribution = Some(d.id.clone());
        }
        refresh(cf, link, &dists, since, now).await?;
    }
    let query = Query {
        profile: Some(link.scope.profile.clone()),
        distribution,
        path: args.path.clone(),
        since: Some(since),
        limit: args.limit,
    };
    let rows = match link.handle.read(move |j| j.history(&query)).await {
        Some(Ok(rows)) => rows,
        Some(Err(e)) => {
            return Err(Fail::Aws(format!(
                "the journal cannot be read ({e}): move it away, or answer from CloudFront alone with --no-journal"
            )));
        }
        None => return Err(Fail::Aws("the journal stopped".into())),
    };
    print_history(&rows, args.json);
    Ok(())
}

/// A `--path` glob SQLite's GLOB reads as meant: not empty, every `[` closed.
fn check_glob(glob: &str) -> Result<(), Fail> {
    if glob.is_empty() {
        return Err(Fail::Usage(
            "--path is empty: give a path or a glob, such as '/products/*'".into(),
        ));
    }
    let mut open = false;
    for c in glob.chars() {
        match c {
            '[' if !open => open = true,
            ']' if open => open = false,
            _ => {}
        }
    }
    if open {
        return Err(Fail::Usage(format!(
            "--path {}: a '[' is not closed (in a glob, [abc] is one of a, b or c)",
            crate::text::quote(glob)
        )));
    }
    Ok(())
}

/// Lists each distribution's invalidations back to `since` and fetches the details the
/// journal lacks; all of it is recorded.
async fn refresh(
    cf: &dyn CloudFront,
    link: &Link,
    dists: &[Distribution],
    since: Timestamp,
    now: Timestamp,
) -> Result<(), Fail> {
    let listed: Vec<(String, cloudfront::CfResult<Vec<InvalidationSummary>>)> = stream::iter(dists)
        .map(|d| async move {
            (
                d.id.clone(),
                cloudfront::list_invalidations_since(cf, &d.id, MAX_LISTED, Some(since)).await,
            )
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    for (d, list) in listed {
        match list {
            Ok(list) => link.handle.write(Write::Invalidations {
                scope: link.scope.clone(),
                distribution: d,
                list,
                at: now,
            }),
            Err(e) => say(format!("cfdash: {d}: cannot list its invalidations: {e}")),
        }
    }
    let scope = link.scope.clone();
    let wanted: Vec<String> = dists.iter().map(|d| d.id.clone()).collect();
    let missing = link
        .handle
        .read(move |j| j.missing_details(&scope, Some(since), now))
        .await
        .and_then(Result::ok)
        .unwrap_or_default();
    let missing: Vec<(String, String)> = missing
        .into_iter()
        .filter(|(d, _)| wanted.contains(d))
        .collect();
    if !missing.is_empty() {
        say(format!(
            "fetching the paths of {} invalidation{} (once: the journal keeps them)",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        ));
    }
    let fetched: Vec<_> = stream::iter(&missing)
        .map(|(d, id)| async move { (d.clone(), cf.get_invalidation(d, id).await) })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    for (d, got) in fetched {
        match got {
            Ok(inv) => link.handle.write(Write::Details {
                scope: link.scope.clone(),
                distribution: d,
                inv,
                at: now,
            }),
            Err(e) => say(format!("cfdash: {d}: {e}")),
        }
    }
    link.handle.flushed().await;
    Ok(())
}

fn print_history(rows: &[HistoryRow], json: bool) {
    if json {
        let list: Vec<_> = rows
            .iter()
            .map(|r| {
                let reference = r.caller_reference.as_deref();
                json!({
                    "profile": r.profile,
                    "account": r.account,
                    "distribution": r.distribution,
                    "id": r.id,
                    "status": r.status,
                    "create_time": r.create_time.to_string(),
                    "took_at_most_secs": r.took.map(|t| t.as_secs()),
                    "caller_reference": reference,
                    "origin": reference.map(|_| r.origin()),
                    "paths": r.path_count.map(|_| &r.paths),
                })
            })
            .collect();
        print_raw(serde_json::to_string_pretty(&list).expect("json"));
        return;
    }
    if rows.is_empty() {
        say("no invalidation matches (widen --since, or leave out --path)");
        return;
    }
    print(format!(
        "{:<20}  {:<14}  {:<14}  {:<10}  {:>5}  {:<7}  {:<44}  FIRST PATH",
        "CREATED", "DISTRIBUTION", "INVALIDATION", "STATUS", "PATHS", "ORIGIN", "CALLER REFERENCE"
    ));
    for r in rows {
        let reference = r.caller_reference.as_deref();
        print(format!(
            "{:<20}  {:<14}  {:<14}  {:<10}  {:>5}  {:<7}  {:<44}  {}",
            format!("{:.0}", r.create_time),
            r.distribution,
            r.id,
            r.status,
            r.path_count.map_or("?".to_string(), |n| n.to_string()),
            if reference.is_some() { r.origin() } else { "?" },
            reference.unwrap_or("? (details not fetched)"),
            match r.paths.len() {
                0 => String::new(),
                1 => r.paths[0].clone(),
                n => format!("{} (+{})", r.paths[0], n - 1),
            }
        ));
    }
}

/// `cfdash journal info`.
pub fn print_info(info: &Info, json: bool) {
    if json {
        print_raw(
            serde_json::to_string_pretty(&json!({
                "path": info.path.display().to_string(),
                "bytes": info.bytes,
                "wal_bytes": info.wal_bytes,
                "mode": info.mode,
                "schema": info.version,
                "scopes": info.scopes,
                "distributions": info.distributions,
                "invalidations": info.invalidations,
                "paths": info.paths,
                "batches": info.batches,
                "unsettled_batches": info.unsettled,
                "notices": info.notices,
            }))
            .expect("json"),
        );
        return;
    }
    print(format!("path           {}", info.path.display()));
    print(format!(
        "size           {} ({} bytes), and a WAL of {} while cfdash runs",
        timefmt::bytes(info.bytes),
        timefmt::thousands(info.bytes as usize),
        timefmt::bytes(info.wal_bytes)
    ));
    print(format!(
        "mode           {} · schema {}",
        info.mode, info.version
    ));
    print(format!(
        "holds          {} profile scopes · {} distributions · {} invalidations · {} paths",
        info.scopes,
        timefmt::thousands(info.distributions as usize),
        timefmt::thousands(info.invalidations as usize),
        timefmt::thousands(info.paths as usize)
    ));
    print(format!(
        "batches        {} ({} not settled) · {} notices",
        info.batches, info.unsettled, info.notices
    ));
}
