//! The journal with the app: a real journal file and the app's reducer, the runtime's part
//! (recording the engine's changes, answering the journal's questions) done inline, so a
//! crash is dropping one harness and a restart is a second one on the same journal.

use cfdash::app::memory::JournalOp;
use cfdash::app::{Action, Effect, Mode, Request};
use cfdash::cloudfront::InvalidationStatus;
use cfdash::journal::{self, BatchState, Journal, Scope, Snapshot};
use crossterm::event::KeyCode;
use jiff::SignedDuration;

use crate::common::Harness;

fn scope() -> Scope {
    Scope {
        profile: "demo".into(),
        endpoint: "sim".into(),
    }
}

/// A harness that keeps a journal, as the runtime does when one is open.
fn journaled() -> Harness {
    let mut h = Harness::demo();
    h.app.memory.enabled = true;
    h.app.outbox.record_changes();
    h
}

/// What the runtime hands the journal after each batch of actions.
fn record(h: &mut Harness, j: &mut Journal) {
    let now = h.now();
    let mut writes = Vec::new();
    for change in h.app.outbox.take_changes() {
        writes.extend(journal::writes_for(change, &scope(), None, now));
    }
    j.apply(&writes, now).unwrap();
}

fn snapshot(h: &Harness, j: &mut Journal) -> Snapshot {
    j.snapshot(&scope(), 50, 500, h.now()).unwrap()
}

/// Opens the form, types `path`, submits and confirms; the mark of the confirmation.
fn submit(h: &mut Harness, path: &str) -> usize {
    h.ch('n');
    h.typed(path);
    h.act(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('s'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    let mark = h.mark();
    h.key(KeyCode::Enter);
    mark
}

/// The queued create requests, by caller reference.
fn creates(h: &Harness, mark: usize) -> Vec<String> {
    h.requests_since(mark)
        .into_iter()
        .filter_map(|e| match e {
            Effect::Request {
                request:
                    Request::CreateInvalidation {
                        caller_reference, ..
                    },
                ..
            } => Some(caller_reference.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_submit_lost_with_the_process_is_offered_resumed_and_adopted_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let mut j = Journal::open(&path, Harness::demo().now()).unwrap();
    // The first run confirms a submit; CloudFront creates it, and the process dies before
    // the answer arrives.
    let mut first = journaled();
    let dist = first.selected_dist();
    let before = first.sim.invalidation_count(&dist);
    let mark = submit(&mut first, "/lost-with-the-process.html");
    let sent = creates(&first, mark);
    assert_eq!(sent.len(), 1, "one batch sent");
    record(&mut first, &mut j);
    let stored = j
        .batch(&sent[0])
        .unwrap()
        .expect("recorded before it is sent");
    assert_eq!(stored.state, BatchState::Sending);
    let create = first.queue.pop().unwrap();
    let _lost = first.answer(&create);
    assert_eq!(first.sim.invalidation_count(&dist), before + 1);
    let (sim, clock) = (first.sim.clone(), first.clock.clone());
    drop(first);

    // A minute later (its lease long gone), the next start offers it.
    clock.advance(SignedDuration::from_secs(60));
    let mut second = journaled();
    second.sim = sim.clone();
    second.sims.insert("demo".into(), sim.clone());
    second.clock = clock;
    let snap = snapshot(&second, &mut j);
    assert_eq!(snap.unsettled.len(), 1);
    second.act(Action::Restored {
        profile: "demo".into(),
        snapshot: Box::new(snap),
    });
    assert_eq!(second.app.mode(), Mode::Resume);
    let screen = second.screen();
    assert!(
        screen.contains("1 batch sent today 12:00 with no answer"),
        "{screen}"
    );
    let fx = second.ch('r').effects;
    let refs = match fx.as_slice() {
        [Effect::Journal(JournalOp::Claim(refs))] => refs.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(refs, sent);
    // Until the journal answers, the offer is not asked again.
    second.act(Action::Tick);
    assert_eq!(second.app.mode(), Mode::Normal, "the offer came back");
    let taken = j.claim(&refs, second.now()).unwrap();
    let mark = second.mark();
    second.act(Action::Claimed(taken));
    assert_eq!(
        creates(&second, mark),
        sent,
        "sent again under its own reference"
    );
    second.settle();
    record(&mut second, &mut j);
    assert_eq!(
        second.sim.invalidation_count(&dist),
        before + 1,
        "adopted, not made twice"
    );
    let notice = second.app.notice.as_ref().unwrap().text.clone();
    assert!(notice.starts_with("adopted "), "{notice}");
    assert_eq!(
        j.batch(&sent[0]).unwrap().unwrap().state,
        BatchState::Adopted
    );
    assert!(snapshot(&second, &mut j).unsettled.is_empty());
}

/// A run that confirmed a submit of `path` and died before the answer, a minute ago: its
/// journal and its clock.
struct Crashed {
    _dir: tempfile::TempDir,
    j: Journal,
    clock: std::sync::Arc<cfdash::clock::ManualClock>,
}

fn crashed_run(path: &str) -> Crashed {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("j.sqlite"), Harness::demo().now()).unwrap();
    let mut first = journaled();
    submit(&mut first, path);
    record(&mut first, &mut j);
    let clock = first.clock.clone();
    drop(first);
    clock.advance(SignedDuration::from_secs(60));
    Crashed {
        _dir: dir,
        j,
        clock,
    }
}

/// The next start after `c`: a journaled harness on its clock, given the last known state.
fn restart(c: &mut Crashed) -> Harness {
    let mut h = journaled();
    h.clock = c.clock.clone();
    let snap = snapshot(&h, &mut c.j);
    h.act(Action::Restored {
        profile: "demo".into(),
        snapshot: Box::new(snap),
    });
    h
}

#[test]
fn offered_batches_can_be_dropped_or_left_for_later() {
    let mut c = crashed_run("/a.html");
    let mut later = restart(&mut c);
    // Look: the batches, each with its state and first path.
    later.ch('l');
    let screen = later.screen();
    assert!(screen.contains("1/1 sent, no answer · /a.html"), "{screen}");
    let fx = later.key(KeyCode::Esc).effects;
    assert!(fx.is_empty(), "later: nothing asked of the journal: {fx:?}");
    assert_eq!(later.app.mode(), Mode::Normal);
    assert!(later.app.outbox.is_empty());
    // Still offered at the next start.
    let mut dropping = restart(&mut c);
    assert_eq!(dropping.app.memory.offered.len(), 1);
    let reference = dropping.app.memory.offered[0]
        .batch
        .caller_reference
        .clone();
    let fx = dropping.ch('d').effects;
    assert_eq!(
        fx,
        vec![Effect::Journal(JournalOp::Drop(vec![reference.clone()]))]
    );
    c.j.drop_batches(std::slice::from_ref(&reference), dropping.now())
        .unwrap();
    assert_eq!(
        c.j.batch(&reference).unwrap().unwrap().state,
        BatchState::Dropped
    );
    assert!(snapshot(&dropping, &mut c.j).unsettled.is_empty());
    assert!(dropping.app.outbox.is_empty(), "nothing sent");
}

#[test]
fn a_watch_restored_at_start_says_it_completed_while_you_were_away() {
    let h = journaled();
    let dist = h.selected_dist();
    let running = h
        .app
        .invalidation_rows()
        .iter()
        .find(|r| r.status == InvalidationStatus::InProgress)
        .cloned()
        .expect("the demo has an invalidation in progress");
    // Seen by another harness (the first run), then restarted after it completed.
    let mut fresh = journaled();
    fresh.sim = h.sim.clone();
    fresh.sims.insert("demo".into(), h.sim.clone());
    fresh.clock = h.clock.clone();
    h.clock.advance(SignedDuration::from_secs(3600));
    let snap = Snapshot {
        watches: vec![journal::Watched {
            distribution: dist.clone(),
            id: running.id.clone(),
            create_time: running.create_time,
        }],
        ..Snapshot::default()
    };
    fresh.act(Action::Restored {
        profile: "demo".into(),
        snapshot: Box::new(snap),
    });
    fresh.advance(SignedDuration::from_secs(1));
    let notice = fresh.app.notice.as_ref().unwrap().text.clone();
    assert!(
        notice.contains("completed while you were away") && notice.contains(&running.id),
        "{notice}"
    );
    assert_eq!(fresh.bells, 1, "rung once");
    let logged = &fresh.app.memory.log;
    assert!(
        logged
            .iter()
            .any(|n| n.text.contains("while you were away")),
        "in the notices log: {logged:?}"
    );
    drop(h);
}

#[test]
fn the_first_frame_shows_the_last_known_state_marked_stale() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("j.sqlite"), Harness::demo().now()).unwrap();
    // A run that listed everything, recorded as the runtime records answers.
    let seen = Harness::demo();
    let list: Vec<_> = seen.app.session.distributions.data().unwrap().clone();
    let mut writes = vec![journal::Write::Distributions {
        scope: scope(),
        list: list.clone(),
        at: seen.now(),
    }];
    for d in &list {
        if let Some(rows) = seen.app.session.invalidations[&d.id].list.data() {
            writes.push(journal::Write::Invalidations {
                scope: scope(),
                distribution: d.id.clone(),
                list: rows.clone(),
                at: seen.now(),
            });
        }
    }
    j.apply(&writes, seen.now()).unwrap();
    seen.clock.advance(SignedDuration::from_secs(7200));
    // The next start: nothing answered yet, and the screen is full.
    let mut next = crate::common::Harness::unsettled(
        cfdash::cloudfront::sim::SimData::demo(),
        Default::default(),
        120,
        30,
    );
    next.clock = seen.clock.clone();
    next.app.memory.enabled = true;
    let snap = snapshot(&next, &mut j);
    next.act(Action::Restored {
        profile: "demo".into(),
        snapshot: Box::new(snap),
    });
    let screen = next.screen();
    assert!(
        screen.contains("last known, 2h ago · refreshing"),
        "{screen}"
    );
    assert!(screen.contains(list[0].display_name()), "{screen}");
    let first_rows = seen.app.session.invalidations[&list[0].id]
        .list
        .data()
        .unwrap();
    assert!(screen.contains(&first_rows[0].id), "{screen}");
    // The listing answers: no longer stale.
    next.settle();
    assert!(!next.screen().contains("last known"));
}

/// Batches left by an earlier run, as the next start's snapshot has them.
fn left_over(account: &str) -> Snapshot {
    let mut c = crashed_run("/left.html");
    let now = cfdash::clock::Clock::now(c.clock.as_ref());
    let mut snap = c.j.snapshot(&scope(), 50, 500, now).unwrap();
    snap.account = account.into();
    snap
}

#[test]
fn batches_of_another_account_are_not_offered() {
    // The demo's ARNs say 123456789012.
    let snap = left_over("999999999999");
    let mut h = journaled();
    h.act(Action::Restored {
        profile: "demo".into(),
        snapshot: Box::new(snap),
    });
    assert_eq!(h.app.mode(), Mode::Normal, "not offered");
    let notice = h.app.notice.as_ref().unwrap().text.clone();
    assert!(
        notice.contains("account 999999999999 not offered") && notice.contains("123456789012"),
        "{notice}"
    );
    // The same account is offered.
    let snap = left_over("123456789012");
    let mut h = journaled();
    h.act(Action::Restored {
        profile: "demo".into(),
        snapshot: Box::new(snap),
    });
    assert_eq!(h.app.mode(), Mode::Resume);
}

#[test]
fn the_offer_waits_for_the_listing_to_tell_the_account() {
    let snap = left_over("123456789012");
    let mut h = Harness::unsettled(
        cfdash::cloudfront::sim::SimData::demo(),
        Default::default(),
        80,
        24,
    );
    h.app.memory.enabled = true;
    h.act(Action::Restored {
        profile: "demo".into(),
        snapshot: Box::new(snap),
    });
    assert_eq!(h.app.mode(), Mode::Normal, "not before the listing answers");
    h.settle();
    assert_eq!(h.app.mode(), Mode::Resume);
}

#[test]
fn keys_do_nothing_unseen_in_a_terminal_too_small() {
    let snap = left_over("");
    let mut h = journaled();
    h.act(Action::Restored {
        profile: "demo".into(),
        snapshot: Box::new(snap),
    });
    assert_eq!(h.app.mode(), Mode::Resume);
    h.act(Action::Resize {
        width: 40,
        height: 12,
    });
    assert!(h.screen().contains("Terminal too small"));
    for c in ['r', 'd', 'l'] {
        assert!(h.ch(c).effects.is_empty(), "{c} did something unseen");
    }
    assert_eq!(h.app.mode(), Mode::Resume);
    assert!(h.ch('q').quit, "q quits, as the screen says");
    h.act(Action::Resize {
        width: 80,
        height: 24,
    });
    let fx = h.ch('r').effects;
    assert!(
        matches!(fx.as_slice(), [Effect::Journal(JournalOp::Claim(_))]),
        "{fx:?}"
    );
}

#[test]
fn the_quit_question_says_the_batches_are_kept() {
    let mut h = journaled();
    let dist = h.selected_dist();
    // A full quota: the batch waits in the queue.
    for i in 0..15 {
        h.sim
            .create_elsewhere(&dist, &[format!("/w{i}/*")])
            .unwrap();
    }
    h.advance(SignedDuration::from_secs(1));
    h.ch('r');
    h.settle();
    submit(&mut h, "/more/*");
    h.settle();
    assert!(!h.app.outbox.is_empty(), "queued");
    h.key(KeyCode::Esc);
    h.ch('q');
    assert_eq!(h.app.mode(), Mode::QuitUnsent);
    let question = h.app.quit_question();
    assert!(question.contains("kept for the next start"), "{question}");
}

// ---- the binary --------------------------------------------------------------------------

mod binary {
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::Duration;

    use crate::common::proxy::{LossyProxy, Lost};
    use crate::common::serve::{self, CREDS, SimServe, emulator_profile};
    use crate::common::until;
    use crate::e2e_tmux::Tmux;

    /// A folder for one test: its profiles file (one profile, `emu`, at `endpoint`) and
    /// its journal.
    fn setup(name: &str, endpoint: &str) -> (PathBuf, PathBuf, String) {
        let dir =
            std::env::temp_dir().join(format!("cfdash-journal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let args = emulator_profile(&dir.join("config.toml"), "emu", endpoint, "");
        let journal = dir.join("journal.sqlite");
        (dir, journal, args)
    }

    fn env(journal: &Path) -> String {
        format!("{CREDS} CFDASH_JOURNAL='{}'", journal.display())
    }

    /// The dashboard's process under the pane's shell.
    fn pid(t: &Tmux) -> String {
        let shell = t.display("#{pane_pid}");
        let out = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn states(journal: &Path) -> Vec<(String, String)> {
        let c = rusqlite::Connection::open(journal).unwrap();
        let mut q = c
            .prepare("SELECT reference, state FROM batches ORDER BY reference")
            .unwrap();
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn first_distribution(sim: &SimServe) -> String {
        let o = sim.cfdash(&["distributions", "--json", "--no-journal"]);
        let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        list[0]["id"].as_str().unwrap().to_string()
    }

    #[test]
    fn killed_after_the_confirmation_then_resumed_creates_exactly_one() {
        let sim = SimServe::start(&[]);
        // The first create reaches CloudFront, and its answer never comes back.
        let proxy = LossyProxy::with(&sim.url, Lost::Held, (503, "ServiceUnavailable"), 0);
        let (dir, journal, args) = setup("kill9", &proxy.url);
        let long = Duration::from_secs(30);
        let (t, _) = Tmux::cfdash_with("journal-kill9", 120, 35, &env(&journal), &args);
        t.wait_text("Invalidations ·", long);
        t.wait_text("refreshed", long);
        t.keys(&["n"]);
        t.wait_text("New invalidation", long);
        t.keys(&["/killed-mid-submit.html", "C-s"]);
        t.wait_text("send", long);
        t.keys(&["Enter"]);
        until("the create to reach the server", long, || {
            sim.created() == 1
        });
        let pid = pid(&t);
        assert!(!pid.is_empty());
        assert!(
            Command::new("kill")
                .args(["-9", &pid])
                .status()
                .unwrap()
                .success()
        );
        t.wait_text("EXITED=137", long);
        let recorded = states(&journal);
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].1, "sending", "recorded before it was sent");

        let (again, _) = Tmux::cfdash_with("journal-kill9-again", 120, 35, &env(&journal), &args);
        let screen = again.wait_text("Unfinished batches of an earlier run", long);
        assert!(
            screen.contains("1 batch sent today") && screen.contains("with no answer"),
            "{screen}"
        );
        again.keys(&["r"]);
        // ("resumed … adopted, not made twice" comes first; the adoption after.)
        let screen = again.wait_text("by an earlier run", long);
        assert!(screen.contains("adopted I"), "{screen}");
        assert_eq!(sim.created(), 1, "exactly one invalidation");
        assert_eq!(states(&journal)[0].1, "adopted");
        again.keys(&["q"]);
        again.wait_text("EXITED=0", long);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_batch_queued_at_quit_is_offered_at_the_next_start_sent_and_completed() {
        let sim = SimServe::start(&["--sim-delay-scale", "0.5"]);
        let (dir, journal, args) = setup("queued", &sim.url);
        let long = Duration::from_secs(60);
        // 3,001 files: a batch of 3,000, and one that waits for room.
        let paths: String = (0..3001).map(|i| format!("/q/{i}.html\n")).collect();
        let file = dir.join("paths.txt");
        std::fs::write(&file, paths).unwrap();
        let (t, _) = Tmux::cfdash_with("journal-queued", 120, 35, &env(&journal), &args);
        t.wait_text("Invalidations ·", long);
        // This distribution has nothing in progress: the first batch goes at once.
        t.keys(&["/", "static", "Enter"]);
        t.wait_text("Invalidations · static.acme-shop.com", long);
        t.keys(&["n"]);
        t.wait_text("New invalidation", long);
        let tmux = |args: &[&str]| {
            let ok = t.cmd().args(args).status().unwrap();
            assert!(ok.success(), "{args:?}");
        };
        tmux(&["load-buffer", file.to_str().unwrap()]);
        tmux(&["paste-buffer", "-p", "-t", "e2e"]);
        t.wait_text("3002 lines", long);
        t.keys(&["C-s"]);
        t.wait_text("send", long);
        t.keys(&["Enter"]);
        t.wait_text("queued until there is room", long);
        t.keys(&["q"]);
        let screen = t.wait_text("kept for the next start", long);
        assert!(screen.contains("1 batch (1 path) not sent"), "{screen}");
        t.keys(&["y"]);
        t.wait_text("EXITED=0", long);
        let recorded = states(&journal);
        let waiting = recorded.iter().filter(|(_, s)| s == "waiting").count();
        assert_eq!((recorded.len(), waiting), (2, 1), "{recorded:?}");
        assert_eq!(sim.created(), 1);

        let (again, _) = Tmux::cfdash_with("journal-queued-again", 120, 35, &env(&journal), &args);
        again.wait_text("1 batch not sent from", long);
        again.keys(&["r"]);
        until(
            "the queued batch to be created",
            Duration::from_secs(120),
            || states(&journal).iter().all(|(_, s)| s == "created"),
        );
        assert_eq!(sim.created(), 2);
        again.wait_for("its completion", Duration::from_secs(120), |s| {
            s.contains("✓ completed") && !s.contains("Queued")
        });
        again.keys(&["q"]);
        again.wait_text("EXITED=0", long);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_rerun_with_the_same_caller_reference_adopts_and_pays_once() {
        let sim = SimServe::start(&[]);
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.sqlite");
        let d = first_distribution(&sim);
        let run = |paths: &[&str], extra: &[&str]| {
            let mut args = vec![
                "invalidate",
                "-d",
                &d,
                "--json",
                "--caller-reference",
                "0123abcd",
            ];
            args.extend(paths);
            args.extend(extra);
            serve::cfdash_command(&sim.url, &args)
                .env("CFDASH_JOURNAL", &journal)
                .output()
                .unwrap()
        };
        let state = |o: &std::process::Output| -> String {
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            v[0]["state"].as_str().unwrap().to_string()
        };
        let first = run(&["/app.js", "/index.html"], &[]);
        assert!(first.status.success(), "{first:?}");
        assert_eq!(state(&first), "created");
        // The same paths in another order are the same batch.
        let second = run(&["/index.html", "/app.js"], &[]);
        assert!(second.status.success(), "{second:?}");
        assert_eq!(state(&second), "adopted");
        let err = String::from_utf8_lossy(&second.stderr);
        assert!(err.contains("adopted"), "{err}");
        assert_eq!(sim.created(), 1, "paid once");
        // Without the journal, the create time tells.
        std::thread::sleep(Duration::from_millis(1100));
        let third = run(&["/app.js", "/index.html"], &["--no-journal"]);
        assert_eq!(state(&third), "adopted");
        // The same key for other content: refused, naming the first run's paths.
        let other = run(&["/other.css"], &[]);
        assert_eq!(other.status.code(), Some(2), "{other:?}");
        let err = String::from_utf8_lossy(&other.stderr);
        assert!(err.contains("/app.js /index.html"), "{err}");
        assert!(err.contains("nothing was sent"), "{err}");
        let other = run(&["/other.css"], &["--no-journal"]);
        assert_eq!(
            other.status.code(),
            Some(2),
            "CloudFront refuses it too: {other:?}"
        );
        assert_eq!(sim.created(), 1);
        // Kept in history, with its reference's origin.
        let o = serve::cfdash_command(
            &sim.url,
            &["history", "--offline", "--path", "/app.*", "--json"],
        )
        .env("CFDASH_JOURNAL", &journal)
        .output()
        .unwrap();
        let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
        assert_eq!(
            rows[0]["origin"], "cfdash",
            "its reference is a batch of the journal"
        );
        // Offline, an alias in any case names the distribution the journal listed.
        let history = |args: &[&str]| -> serde_json::Value {
            let o = serve::cfdash_command(&sim.url, args)
                .env("CFDASH_JOURNAL", &journal)
                .output()
                .unwrap();
            assert!(o.status.success(), "{o:?}");
            serde_json::from_slice(&o.stdout).unwrap()
        };
        let ids = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].to_string())
                .collect()
        };
        let online = ids(&history(&["history", "--json", "-d", &d]));
        let alias = first_alias(&sim).to_uppercase();
        let offline = ids(&history(&["history", "--json", "--offline", "-d", &alias]));
        assert_eq!(offline, online);
        assert!(!online.is_empty());
        let o = serve::cfdash_command(&sim.url, &["history", "--offline", "-d", "nope.example"])
            .env("CFDASH_JOURNAL", &journal)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{o:?}");
        // Thirty runs at once with one key: one invalidation, one run says it made it.
        let runs: Vec<_> = (0..30)
            .map(|_| {
                serve::cfdash_command(
                    &sim.url,
                    &[
                        "invalidate",
                        "-d",
                        &d,
                        "--json",
                        "--caller-reference",
                        "same-key",
                        "/all.css",
                    ],
                )
                .env("CFDASH_JOURNAL", &journal)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
            })
            .collect();
        let states: Vec<String> = runs
            .into_iter()
            .map(|r| state(&r.wait_with_output().unwrap()))
            .collect();
        let created = states.iter().filter(|s| *s == "created").count();
        assert_eq!(created, 1, "{states:?}");
        assert!(
            states.iter().all(|s| s == "created" || s == "adopted"),
            "{states:?}"
        );
        assert_eq!(sim.created(), 2);
    }

    fn first_alias(sim: &SimServe) -> String {
        let o = sim.cfdash(&["distributions", "--json", "--no-journal"]);
        let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        list[0]["aliases"][0].as_str().unwrap().to_string()
    }

    /// Runs `cfdash invalidate` at the sim with `journal`; the journal's warning, if any.
    fn invalidate_with(sim: &SimServe, journal: &Path, d: &str) -> String {
        let o = serve::cfdash_command(&sim.url, &["invalidate", "-d", d, "/j.html"])
            .env("CFDASH_JOURNAL", journal)
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        String::from_utf8_lossy(&o.stderr).into_owned()
    }

    #[test]
    fn a_journal_that_cannot_be_used_is_said_and_left_untouched() {
        let sim = SimServe::start(&[]);
        let d = first_distribution(&sim);
        let dir = tempfile::tempdir().unwrap();
        // Not a journal.
        let corrupt = dir.path().join("corrupt.sqlite");
        let junk: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 256) as u8).collect();
        std::fs::write(&corrupt, &junk).unwrap();
        let err = invalidate_with(&sim, &corrupt, &d);
        assert!(err.contains("not a cfdash journal"), "{err}");
        assert!(
            err.contains(corrupt.to_str().unwrap()),
            "names the path: {err}"
        );
        assert_eq!(std::fs::read(&corrupt).unwrap(), junk);
        // Locked by another process for longer than cfdash waits.
        let locked = dir.path().join("locked.sqlite");
        invalidate_with(&sim, &locked, &d);
        let holder = rusqlite::Connection::open(&locked).unwrap();
        holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let before = states(&locked).len();
        let err = invalidate_with(&sim, &locked, &d);
        assert!(err.contains("locked"), "{err}");
        holder.execute_batch("ROLLBACK").unwrap();
        drop(holder);
        assert_eq!(states(&locked).len(), before, "nothing written");
        // On a read-only disk (a read-only bind mount of its folder).
        let ro = dir.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        let file = ro.join("journal.sqlite");
        invalidate_with(&sim, &file, &d);
        let bytes = std::fs::read(&file).unwrap();
        let script = format!(
            "mount --bind -o ro '{0}' '{0}' && exec '{1}' invalidate -d {d} /ro.html",
            ro.display(),
            env!("CARGO_BIN_EXE_cfdash")
        );
        let c = serve::cfdash_command(&sim.url, &[]);
        let o = Command::new("unshare")
            .args(["-m", "sh", "-c", &script])
            .envs(c.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .env("CFDASH_JOURNAL", &file)
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("read-only"), "{err}");
        assert_eq!(std::fs::read(&file).unwrap(), bytes);
    }

    #[test]
    fn the_app_runs_without_a_journal_it_cannot_use() {
        let sim = SimServe::start(&[]);
        let (dir, journal, args) = setup("corrupt-app", &sim.url);
        let junk = b"this is not a database, and it stays as it is".repeat(100);
        std::fs::write(&journal, &junk).unwrap();
        let long = Duration::from_secs(30);
        let (t, _) = Tmux::cfdash_with("journal-corrupt", 120, 35, &env(&journal), &args);
        let screen = t.wait_text("not a cfdash journal", long);
        assert!(
            screen.contains(journal.to_str().unwrap()),
            "names the file: {screen}"
        );
        t.wait_text("Invalidations ·", long);
        t.keys(&["q"]);
        t.wait_text("EXITED=0", long);
        assert_eq!(std::fs::read(&journal).unwrap(), junk);

        // Locked by another process for longer than cfdash waits.
        let locked = dir.join("locked.sqlite");
        drop(cfdash::journal::Journal::open(&locked, jiff::Timestamp::now()).unwrap());
        let holder = rusqlite::Connection::open(&locked).unwrap();
        holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let (t, _) = Tmux::cfdash_with("journal-locked", 120, 35, &env(&locked), &args);
        let screen = t.wait_text("locked by another process", long);
        assert!(screen.contains(locked.to_str().unwrap()), "{screen}");
        t.wait_text("Invalidations ·", long);
        t.keys(&["q"]);
        t.wait_text("EXITED=0", long);
        holder.execute_batch("ROLLBACK").unwrap();
        assert_eq!(states(&locked).len(), 0, "nothing written");

        // On a read-only disk: its folder mounted read-only for the dashboard alone.
        let ro = dir.join("ro");
        std::fs::create_dir(&ro).unwrap();
        let file = ro.join("journal.sqlite");
        drop(cfdash::journal::Journal::open(&file, jiff::Timestamp::now()).unwrap());
        let before = std::fs::read(&file).unwrap();
        let command = format!(
            "unshare -m sh -c \"mount --bind -o ro '{ro}' '{ro}' && exec env {env} '{bin}' {args} --log-file '{log}'\"; echo EXITED=$?; sleep 120",
            ro = ro.display(),
            env = env(&file),
            bin = env!("CARGO_BIN_EXE_cfdash"),
            log = dir.join("ro.log").display(),
        );
        let t = Tmux::start("journal-ro", 120, 35, &command);
        let screen = t.wait_text("read-only", long);
        assert!(screen.contains(file.to_str().unwrap()), "{screen}");
        t.wait_text("Invalidations ·", long);
        t.keys(&["q"]);
        t.wait_text("EXITED=0", long);
        assert_eq!(std::fs::read(&file).unwrap(), before);

        // Removed while the dashboard runs: said, never made again behind its back, and
        // the quit question no longer promises to keep anything.
        let gone = dir.join("gone.sqlite");
        let (t, _) = Tmux::cfdash_with("journal-gone", 120, 35, &env(&gone), &args);
        t.wait_text("Invalidations ·", long);
        for end in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{end}", gone.display())).unwrap();
        }
        // A refresh writes what it lists; the notices log keeps what the status bar said
        // (a later notice may have replaced it there).
        t.keys(&["r", "N"]);
        let screen = t.wait_text("removed or replaced", long);
        assert!(
            screen.contains("Notices") && screen.contains("nothing is kept"),
            "the whole line in the log: {screen}"
        );
        assert!(!gone.exists());
        t.keys(&["Escape", "q"]);
        t.wait_text("EXITED=0", long);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_app_and_pipelines_write_the_journal_at_once() {
        let sim = SimServe::start(&[]);
        let (dir, journal, args) = setup("shared", &sim.url);
        let d = first_distribution(&sim);
        let long = Duration::from_secs(60);
        let (t, _) = Tmux::cfdash_with("journal-shared", 120, 35, &env(&journal), &args);
        // A distribution listed and selected, which `n` needs ("refreshed" alone would
        // match the first frame's "not refreshed yet", and an `n` then is answered with
        // "select a distribution first").
        t.wait_text("Invalidations ·", long);
        // Eight pipelines at once, while the app lists and records.
        let runs: Vec<_> = (0..8)
            .map(|i| {
                serve::cfdash_command(&sim.url, &["invalidate", "-d", &d, &format!("/p{i}.html")])
                    .env("CFDASH_JOURNAL", &journal)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        t.keys(&["n"]);
        t.wait_text("New invalidation", long);
        t.keys(&["/from-the-app.html", "C-s"]);
        t.wait_text("send", long);
        t.keys(&["Enter"]);
        for run in runs {
            let o = run.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.success() && !err.contains("journal"), "{err}");
        }
        until("the app's batch", long, || states(&journal).len() == 9);
        until("every batch created", long, || {
            states(&journal).iter().all(|(_, s)| s == "created")
        });
        assert_eq!(sim.created(), 9);
        t.keys(&["q"]);
        t.wait_text("EXITED=0", long);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
