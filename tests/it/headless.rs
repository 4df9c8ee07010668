//! The headless commands as a pipeline runs them: the built binary against `cfdash sim
//! serve` (one simulated account across the processes of a test) and against moto, with
//! credentials from the environment only and no profiles file.

use crate::common::moto;
use crate::common::proxy::{LossyProxy, Lost};
use crate::common::serve::{self, SimServe};

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", out(o), err(o)))
}

/// A distribution of the demo with nothing in progress.
const QUIET: &str = "E3HB8D6PLWQ0UF";

#[test]
fn invalidate_then_pick_it_up_with_status_from_another_process() {
    let sim = SimServe::start(&["--sim-delay-scale", "0.05"]);
    // The deploy step's one string of paths, unchanged; the distribution by its alias.
    let o = sim.cfdash(&[
        "invalidate",
        "--distribution",
        "www.acme-shop.com",
        "/index.html /images/*",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let made = json(&o);
    let inv = &made[0];
    assert_eq!(inv["distribution"], "E2QWRUHAPOMQZL");
    assert_eq!(inv["distribution_name"], "www.acme-shop.com");
    assert_eq!(inv["status"], "InProgress");
    assert_eq!(
        inv["paths"],
        serde_json::json!(["/index.html", "/images/*"])
    );
    let created: jiff::Timestamp = inv["create_time"].as_str().unwrap().parse().unwrap();
    assert!(created <= jiff::Timestamp::now());
    assert!(
        inv["caller_reference"]
            .as_str()
            .unwrap()
            .starts_with("cfdash-")
    );
    assert_eq!(sim.created(), 1);
    let id = inv["id"].as_str().unwrap().to_string();

    // Another process waits for it by id.
    let o = sim.cfdash(&[
        "status",
        "--distribution",
        "E2QWRUHAPOMQZL",
        &id,
        "--wait",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let got = json(&o);
    assert_eq!(got[0]["id"], id.as_str());
    assert_eq!(got[0]["status"], "Completed");
    // Plain lines with times on a pipe, not a live line.
    assert!(
        err(&o).contains(&format!("{id} on www.acme-shop.com: Completed")),
        "{}",
        err(&o)
    );
}

#[test]
fn invalidate_and_wait() {
    let sim = SimServe::start(&["--sim-delay-scale", "0.05"]);
    let o = sim.cfdash(&[
        "invalidate",
        "-d",
        "d3u9t7c2m8nq4z.cloudfront.net",
        "/fonts/*",
        "img/logo.svg",
        "--wait",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let stdout = out(&o);
    assert!(stdout.starts_with("DISTRIBUTION"), "{stdout}");
    let row = stdout.lines().nth(1).unwrap();
    assert!(row.starts_with(QUIET) && row.contains("Completed"), "{row}");
    // The normalisation is reported on stderr.
    assert!(
        err(&o).contains("img/logo.svg → /img/logo.svg (leading / added)"),
        "{}",
        err(&o)
    );
}

#[test]
fn a_dry_run_sends_nothing() {
    let sim = SimServe::start(&[]);
    let o = sim.cfdash(&[
        "invalidate",
        "-d",
        "acme-shop.com",
        "/index.html /images/*",
        "/my file.html",
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o), "/index.html\n/images/*\n/my%20file.html\n");
    let e = err(&o);
    assert!(e.contains("dry run, nothing sent"), "{e}");
    assert!(e.contains("$0.015 if past the free tier"), "{e}");
    let o = sim.cfdash(&["invalidate", "-d", QUIET, "/x", "--dry-run", "--json"]);
    let plan = json(&o);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(
        plan["distributions"][0]["batches"],
        serde_json::json!([["/x"]])
    );
    assert_eq!(sim.created(), 0, "nothing was created");
}

#[test]
fn bad_input_exits_2_and_sends_nothing() {
    let sim = SimServe::start(&[]);
    let o = sim.cfdash(&["invalidate", "-d", QUIET, "/ok", "/a*/b", "/c\u{7}"]);
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(e.contains("2 invalid paths (nothing was sent)"), "{e}");
    assert!(
        e.contains("line 2: /a*/b: * is only allowed as the last character"),
        "{e}"
    );
    let o = sim.cfdash(&["invalidate", "-d", "www acme", "/x"]);
    assert_eq!(o.status.code(), Some(2), "a malformed distribution");
    let o = sim.cfdash(&["invalidate", "-d", QUIET]);
    assert_eq!(o.status.code(), Some(2), "no paths");
    assert!(err(&o).contains("no paths to invalidate"));
    let o = sim.cfdash(&["invalidate", "/x"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "usage: --distribution is required"
    );
    assert_eq!(sim.created(), 0);
}

#[test]
fn an_unknown_distribution_exits_3_naming_candidates() {
    let sim = SimServe::start(&[]);
    let o = sim.cfdash(&["invalidate", "-d", "shop.example.org", "/x"]);
    assert_eq!(o.status.code(), Some(3));
    let e = err(&o);
    assert!(
        e.contains("no distribution shop.example.org in this account"),
        "{e}"
    );
    assert!(e.contains("E2QWRUHAPOMQZL (www.acme-shop.com)"), "{e}");
    let o = sim.cfdash(&["status", "-d", QUIET, "INOPE"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        err(&o).contains("invalidation INOPE does not exist"),
        "{}",
        err(&o)
    );
    assert_eq!(sim.created(), 0);
}

#[test]
fn a_timeout_exits_4_with_the_ids_still_in_progress() {
    // Real delays: nothing completes within a second.
    let sim = SimServe::start(&[]);
    let o = sim.cfdash(&[
        "invalidate",
        "-d",
        QUIET,
        "/x",
        "--wait",
        "--timeout",
        "1s",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    let made = json(&o);
    let id = made[0]["id"].as_str().unwrap();
    assert_eq!(made[0]["status"], "InProgress");
    let e = err(&o);
    assert!(e.contains(&format!("still in progress: {id}")), "{e}");
    assert!(
        e.contains(&format!("cfdash status --distribution {QUIET} {id} --wait")),
        "{e}"
    );
}

#[test]
fn seven_thousand_paths_become_three_invalidations_under_the_quota() {
    let sim = SimServe::start(&["--sim-delay-scale", "0.02"]);
    let dir = std::env::temp_dir().join(format!("cfdash-headless-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("paths.txt");
    let text: String = (0..7000).map(|i| format!("/p/{i}.html\n")).collect();
    std::fs::write(&file, text).unwrap();
    let o = sim.cfdash(&[
        "invalidate",
        "-d",
        QUIET,
        "--paths-file",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let made = json(&o);
    let sizes: Vec<usize> = made
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["paths"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [3000, 3000, 1000]);
    assert_eq!(sim.created(), 3, "each batch created once");
    let e = err(&o);
    assert!(
        e.contains("2 of 3 batches wait for earlier invalidations to complete"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn listings_in_tables_and_json() {
    let sim = SimServe::start(&[]);
    let o = sim.cfdash(&["distributions", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let list = json(&o);
    assert_eq!(list.as_array().unwrap().len(), 13);
    assert_eq!(list[0]["id"], "E2QWRUHAPOMQZL");
    assert_eq!(list[0]["tenant_only"], false);
    assert_eq!(list[12]["tenant_only"], true, "the multi-tenant one");
    assert_eq!(list[0]["aliases"][0], "www.acme-shop.com");

    let o = sim.cfdash(&["invalidations", "-d", "www.acme-shop.com", "--limit", "5"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(out(&o).lines().count(), 6, "a header and five rows");

    let o = sim.cfdash(&["invalidations", "--all", "--limit", "3", "--json"]);
    let all = json(&o);
    let rows = all.as_array().unwrap();
    let dists: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r["distribution"].as_str().unwrap())
        .collect();
    // Twelve distributions with invalidations of their own, and the multi-tenant one's
    // five tenants, each with theirs.
    assert_eq!(dists.len(), 13);
    let tenants: std::collections::BTreeSet<&str> =
        rows.iter().filter_map(|r| r["tenant"].as_str()).collect();
    assert_eq!(tenants.len(), 5);
    assert!(rows.len() <= 17 * 3);
    assert!(rows.iter().all(|r| {
        r["create_time"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok()
    }));

    let o = sim.cfdash(&["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(out(&o).contains("invalidate"));
}

#[test]
fn the_aws_cli_reads_back_what_cfdash_created_on_moto() {
    let server = moto::Moto::start();
    server.reset();
    let seeded = server.seed(2, 0);
    let dist = &seeded[1];
    let o = serve::cfdash_at(
        &server.endpoint,
        &["invalidate", "-d", &dist.id, "/index.html /img/*", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let made = json(&o);
    let id = made[0]["id"].as_str().unwrap();
    let got = serve::aws_json(
        &server.endpoint,
        &[
            "get-invalidation",
            "--distribution-id",
            &dist.id,
            "--id",
            id,
        ],
    );
    assert_eq!(
        got["Invalidation"]["InvalidationBatch"]["Paths"]["Items"],
        serde_json::json!(["/index.html", "/img/*"])
    );
    assert_eq!(
        got["Invalidation"]["InvalidationBatch"]["CallerReference"],
        made[0]["caller_reference"]
    );
    // Its domain name resolves too, and --wait ends at once (moto completes at once).
    let o = serve::cfdash_at(
        &server.endpoint,
        &["invalidate", "-d", &dist.domain_name, "/a", "--wait"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

/// Runs a headless command until its stderr has a line starting with `ready`, then sends it
/// `signal` (`INT`, `TERM`, `HUP`) and returns what it printed.
fn signal_when(sim: &SimServe, args: &[&str], ready: &str, signal: &str) -> std::process::Output {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let mut child = serve::cfdash_command(&sim.url, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    let mut line = String::new();
    while !line.starts_with(ready) {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "ended before saying {ready:?}: {said}"
        );
        said.push_str(&line);
    }
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let mut o = child.wait_with_output().unwrap();
    o.stderr = format!("{said}{rest}").into_bytes();
    o
}

#[test]
fn ctrl_c_while_waiting_prints_what_was_created_and_exits_130() {
    let sim = SimServe::start(&[]);
    let o = signal_when(
        &sim,
        &["invalidate", "-d", QUIET, "/x", "--wait"],
        "created ",
        "INT",
    );
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    let id = err(&o)
        .split("created ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(
        out(&o).contains(&id),
        "the created invalidation is printed: {}",
        out(&o)
    );
}

#[test]
fn sigterm_and_sighup_print_the_report_before_exiting() {
    let sim = SimServe::start(&[]);
    for (signal, code) in [("TERM", 143), ("HUP", 129)] {
        let args = ["invalidate", "-d", QUIET, "/x", "--wait", "--json"];
        let o = signal_when(&sim, &args, "created ", signal);
        assert_eq!(o.status.code(), Some(code), "{signal}: {}", err(&o));
        let report = json(&o);
        assert_eq!(report.as_array().unwrap().len(), 1, "{report}");
        assert_eq!(report[0]["state"], "created");
        assert_eq!(report[0]["status"], "InProgress");
        assert_eq!(
            (report[0]["batch"].as_u64(), report[0]["of"].as_u64()),
            (Some(1), Some(1))
        );
        assert!(report[0]["id"].as_str().is_some_and(|id| !id.is_empty()));
        let id = report[0]["id"].as_str().unwrap().to_string();
        // status --wait on the same invalidation: the rows are printed on a signal too.
        let args = ["status", "-d", QUIET, &id, "--wait", "--json"];
        let o = signal_when(&sim, &args, "waiting for ", signal);
        assert_eq!(o.status.code(), Some(code), "{signal}: {}", err(&o));
        assert_eq!(json(&o)[0]["id"], id.as_str());
    }
}

#[test]
fn an_interrupt_while_a_batch_waits_for_quota_room_lists_its_paths() {
    // 16 wildcards: the second batch waits until the first (15 wildcards) completes.
    let sim = SimServe::start(&[]);
    let wildcards: Vec<String> = (0..16).map(|i| format!("/w{i}/*")).collect();
    let mut args = vec!["invalidate", "-d", QUIET, "--json"];
    args.extend(wildcards.iter().map(String::as_str));
    let o = signal_when(&sim, &args, "created ", "INT");
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    let report = json(&o);
    let report = report.as_array().unwrap();
    assert_eq!(report.len(), 2, "{report:?}");
    assert_eq!(report[0]["state"], "created");
    assert_eq!(report[1]["state"], "not_sent");
    assert_eq!(report[1]["id"], serde_json::Value::Null);
    assert_eq!(
        (report[1]["batch"].as_u64(), report[1]["of"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(report[1]["paths"], serde_json::json!(["/w15/*"]));
    assert!(
        report[1]["caller_reference"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{QUIET}-2"))
    );
    assert_eq!(sim.created(), 1);
    // The table lists the same (on an account of its own: the first batch above is still
    // in progress there).
    let sim = SimServe::start(&[]);
    let mut args = vec!["invalidate", "-d", QUIET];
    args.extend(wildcards.iter().map(String::as_str));
    let o = signal_when(&sim, &args, "created ", "TERM");
    assert_eq!(o.status.code(), Some(143), "{}", err(&o));
    let table = out(&o);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].contains("STATE") && lines[0].contains("CALLER REFERENCE"),
        "{table}"
    );
    assert!(
        lines[2].contains("not_sent") && lines[2].contains("2/2"),
        "{table}"
    );
}

#[test]
fn a_lost_answer_then_503s_is_reported_unknown_and_never_created_twice() {
    let sim = SimServe::start(&[]);
    let proxy = LossyProxy::start(&sim.url, usize::MAX);
    let o = serve::cfdash_at(
        &proxy.url,
        &[
            "invalidate",
            "-d",
            QUIET,
            "/index.html",
            "--json",
            "--timeout",
            "8s",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    let report = json(&o);
    assert_eq!(report.as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report[0]["state"], "unknown", "{report}");
    assert_eq!(report[0]["id"], serde_json::Value::Null);
    assert_eq!(report[0]["paths"], serde_json::json!(["/index.html"]));
    assert!(
        report[0]["caller_reference"]
            .as_str()
            .unwrap()
            .starts_with("cfdash-")
    );
    assert!(err(&o).contains("HTTP 503"), "{}", err(&o));
    assert_eq!(sim.created(), 1, "it exists, and only once");
}

#[test]
fn a_lost_answer_is_retried_with_the_same_reference_and_adopted() {
    let sim = SimServe::start(&[]);
    let proxy = LossyProxy::start(&sim.url, 4);
    let o = serve::cfdash_at(
        &proxy.url,
        &["invalidate", "-d", QUIET, "/index.html", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let report = json(&o);
    assert_eq!(report[0]["state"], "created", "{report}");
    assert_eq!(
        sim.created(),
        1,
        "the retry got the invalidation the lost answer made"
    );
    let listed = sim.json(&["list-invalidations", "--distribution-id", QUIET]);
    let items = listed["InvalidationList"]["Items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["Id"] == report[0]["id"]), "{listed}");
}

#[test]
fn throttling_is_absorbed_while_creating_and_waiting() {
    // Every third call is throttled: the SDK's retries and the wait loop's backoff absorb
    // it, and the same CallerReference keeps a retried create from creating twice.
    let sim = SimServe::start(&["--sim-delay-scale", "0.05", "--sim-throttle-rate", "0.3"]);
    let o = sim.cfdash(&["invalidate", "-d", QUIET, "/a", "/b/*", "--wait", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let made = json(&o);
    assert_eq!(made[0]["status"], "Completed");
    assert_eq!(sim.created(), 1);
}

#[test]
fn an_unreadable_success_is_retried_and_adopted_not_reported_as_not_sent() {
    let sim = SimServe::start(&[]);
    let proxy = LossyProxy::with(&sim.url, Lost::Garbled, (503, "ServiceUnavailable"), 0);
    let args = ["invalidate", "-d", QUIET, "/index.html", "--json"];
    let o = serve::cfdash_at(&proxy.url, &args);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(json(&o)[0]["state"], "created");
    assert_eq!(sim.created(), 1);
}

#[test]
fn a_refusal_after_a_lost_answer_is_unknown_not_not_sent() {
    // The SDK does not retry a create by itself: the engine sees the lost attempt, so a
    // refusal that follows cannot make an invalidation that exists look "not sent".
    let sim = SimServe::start(&[]);
    let proxy = LossyProxy::with(
        &sim.url,
        Lost::Dropped,
        (400, "InvalidArgument"),
        usize::MAX,
    );
    let args = [
        "invalidate",
        "-d",
        QUIET,
        "/index.html",
        "--json",
        "--timeout",
        "20s",
    ];
    let o = serve::cfdash_at(&proxy.url, &args);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    let report = json(&o);
    assert_eq!(report[0]["state"], "unknown", "{report}");
    assert_eq!(sim.created(), 1);
}

#[test]
fn a_dead_endpoint_during_the_plan_is_bounded_by_the_timeout_with_an_empty_report() {
    // A listener that accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let started = std::time::Instant::now();
    let o = serve::cfdash_at(
        &url,
        &["invalidate", "-d", QUIET, "/a", "--json", "--timeout", "2s"],
    );
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert_eq!(json(&o), serde_json::json!([]));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    drop(listener);
}

/// Creates held back by the account's pace (a burst of 5, then 0.4 a second) never left:
/// an interrupt reports them not sent, not "may exist" (before, every batch handed out was
/// reported unknown, and the journal kept them in doubt).
#[test]
fn an_interrupt_reports_creates_still_waiting_their_turn_as_not_sent() {
    let sim = SimServe::start(&[]);
    let o = sim.cfdash(&["distributions", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Every distribution but the multi-tenant one (a plain invalidation is steered from it).
    let ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["tenant_only"] == false)
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 12);
    let mut args = vec!["invalidate", "--json", "/paced.html"];
    for id in &ids {
        args.extend(["-d", id.as_str()]);
    }
    let o = signal_when(&sim, &args, "created ", "INT");
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    let report = json(&o);
    let states: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 12, "{report}");
    let not_sent = states.iter().filter(|s| **s == "not_sent").count();
    assert!(not_sent >= 7, "{states:?}");
    assert!(sim.created() <= 5, "{}", sim.created());
    let created = states.iter().filter(|s| **s == "created").count() as u64;
    assert!(created >= 1 && created <= sim.created(), "{states:?}");
}
