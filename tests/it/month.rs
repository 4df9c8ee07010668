//! The background fetch of details and the month's count it feeds: newest first, one at a
//! time, in the limiter's last line; nothing the journal has is asked again; a lower bound
//! ("≥", "up to $X") until every invalidation of the month is known, then the exact count
//! of a simulated account whose history the test reads for itself.

use crate::common::{Harness, START};
use cfdash::app::backfill::{REST, month_start};
use cfdash::app::memory::JournalOp;
use cfdash::app::{Action, Effect, InvKey, Request, Slot};
use cfdash::cloudfront::sim::{SimData, SimSettings};
use cfdash::cloudfront::{self, CfError};
use crossterm::event::KeyCode;
use jiff::Timestamp;

/// Three distributions with 80 completed invalidations each over the past 30 days: most
/// are this month, more than a first listing (50) holds.
fn account() -> Harness {
    Harness::with(SimData::generated(3, 80), SimSettings::default(), 120, 35)
}

/// The paths of the month, counted from the simulator itself: every invalidation listed,
/// each one's details asked for.
fn month_paths(h: &Harness) -> (usize, usize) {
    let since = month_start(START.parse().unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let cf: &dyn cloudfront::CloudFront = h.sim.as_ref();
        let (mut paths, mut invalidations) = (0, 0);
        for d in cloudfront::list_distributions_with(cf, &mut |_| {})
            .await
            .unwrap()
        {
            let all = cloudfront::list_recent_invalidations(cf, &d.id, 10_000)
                .await
                .unwrap();
            for i in all.iter().filter(|i| i.create_time >= since) {
                invalidations += 1;
                paths += cf.get_invalidation(&d.id, &i.id).await.unwrap().paths.len();
            }
        }
        (paths, invalidations)
    })
}

/// The count the app keeps up to date, one distribution at a time, is the count made from
/// scratch.
fn as_from_scratch(h: &Harness) {
    let since = month_start(h.now());
    let kept = &h.app.session.backfill.month;
    assert_eq!(*kept, h.app.session.month_count(since, 50));
}

fn create_time(h: &Harness, key: &InvKey) -> Timestamp {
    h.app.session.invalidations[&key.distribution]
        .list
        .data()
        .unwrap()
        .iter()
        .find(|i| i.id == key.id)
        .unwrap()
        .create_time
}

#[test]
fn the_month_is_a_lower_bound_until_every_detail_is_fetched_then_exact() {
    let mut h = account();
    let (want, invalidations) = month_paths(&h);
    assert!(
        invalidations > 150,
        "{invalidations}: more than the first listings hold"
    );
    assert!(!h.app.session.backfill.month.is_exact());
    as_from_scratch(&h);
    h.ch('n');
    h.typed("/one.html");
    let screen = h.screen();
    assert!(
        screen.contains("free used this month · this submit: 1 → up to $0.005"),
        "{screen}"
    );
    assert!(screen.contains("≥"), "{screen}");
    h.key(KeyCode::Esc);
    // Part of the way: each answer counts its own distribution again.
    for _ in 0..5 {
        h.backfill(37);
        as_from_scratch(&h);
    }
    let fetched = h.backfill(10_000) + 5 * 37;
    as_from_scratch(&h);
    let month = h.app.session.backfill.month.clone();
    assert!(month.is_exact(), "{month:?}");
    assert_eq!((month.paths, month.invalidations), (want, invalidations));
    assert!(fetched >= invalidations, "{fetched} fetched");
    // Listings that stopped inside the month were paged back, at the background's pace.
    assert_eq!(h.app.session.older.len(), 3, "{:?}", h.app.session.older);
    let header = h.screen().lines().next().unwrap().to_string();
    assert!(
        header.contains(&format!("{}/1,000 free paths this month", thousands(want)))
            && !header.contains('≥'),
        "{header}"
    );
    // The form says the exact count, and the price of a submit past the free paths.
    h.ch('n');
    h.typed("/one.html");
    let (used, usd) = if want >= 1000 {
        (
            format!("{} paths this month, past the 1,000 free", thousands(want)),
            "$0.005",
        )
    } else {
        (format!("{want} of 1,000 free used this month"), "$0.000")
    };
    let screen = h.screen();
    assert!(
        screen.contains(&format!("{used} · this submit: 1 → {usd}")),
        "{screen}"
    );
}

fn thousands(n: usize) -> String {
    cfdash::timefmt::thousands(n)
}

#[test]
fn the_background_fetch_goes_newest_first_one_at_a_time_in_the_last_line() {
    let mut h = account();
    let mut order = Vec::new();
    for _ in 0..40 {
        let waiting: Vec<_> = h
            .queue
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Request {
                        slot: Slot::Backfill(_),
                        ..
                    }
                )
            })
            .collect();
        assert_eq!(waiting.len(), 1, "one at a time: {waiting:?}");
        let Effect::Request { request, .. } = waiting[0] else {
            unreachable!()
        };
        let key = h.backfill_waiting().unwrap();
        assert_eq!(*request, Request::Backfill(key.clone()));
        order.push(create_time(&h, &key));
        h.backfill(1);
    }
    // The first was asked for as soon as the first listing came (the others were not
    // in yet); from then on, the newest of what is listed.
    let mut newest_first = order[1..].to_vec();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(order[1..], newest_first);
    // What was fetched is known: the paths pane needs no request for it.
    assert_eq!(h.app.session.backfill.fetched, 40);
}

#[test]
fn details_the_journal_has_are_not_asked_again() {
    let mut h = Harness::unsettled(SimData::generated(2, 10), SimSettings::default(), 120, 35);
    h.app.memory.enabled = true;
    h.settle();
    h.act(Action::Tick);
    let asked: Vec<_> = h
        .seen
        .iter()
        .filter(|e| matches!(e, Effect::Journal(JournalOp::Details { .. })))
        .collect();
    assert_eq!(asked.len(), 1, "asked once: {asked:?}");
    assert_eq!(
        h.backfill_waiting(),
        None,
        "nothing fetched before the journal answers"
    );
    // The journal has the details of every invalidation of the first distribution.
    let first = h.selected_dist();
    let list = h.app.session.invalidations[&first]
        .list
        .data()
        .unwrap()
        .clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let details: Vec<(String, cloudfront::Invalidation)> = list
        .iter()
        .map(|i| {
            let inv = rt
                .block_on(cloudfront::CloudFront::get_invalidation(
                    h.sim.as_ref(),
                    &first,
                    &i.id,
                ))
                .unwrap();
            (first.clone(), inv)
        })
        .collect();
    h.act(Action::CachedDetails {
        profile: "demo".into(),
        details,
    });
    let mut fetched = Vec::new();
    while let Some(key) = h.backfill_waiting() {
        fetched.push(key);
        h.backfill(1);
    }
    assert_eq!(
        fetched.len(),
        10,
        "only the other distribution's: {fetched:?}"
    );
    assert!(fetched.iter().all(|k| k.distribution != first));
    assert!(h.app.session.backfill.month.is_exact());
}

#[test]
fn a_denied_fetch_stops_the_background_and_says_what_stays_partial() {
    let mut h = account();
    let key = h.backfill_fails(CfError::AccessDenied {
        action: "GetInvalidation".into(),
        detail: "not authorized".into(),
    });
    assert!(
        h.notice_text()
            .contains("search and the month's count stay partial"),
        "{}",
        h.notice_text()
    );
    h.advance(jiff::SignedDuration::from_secs(600));
    assert_eq!(h.backfill_waiting(), None, "not asked again");
    assert!(h.app.session.backfill.denied.is_some());
    assert!(!h.app.session.details.contains_key(&key));
}

#[test]
fn a_failed_fetch_rests_then_the_fetch_goes_on_and_gets_it_too() {
    let mut h = account();
    let key = h.backfill_fails(CfError::Throttled {
        detail: "Rate exceeded".into(),
    });
    assert_eq!(h.backfill_waiting(), None, "resting");
    h.advance(REST - jiff::SignedDuration::from_secs(1));
    assert_eq!(h.backfill_waiting(), None, "still resting");
    h.advance(jiff::SignedDuration::from_secs(1));
    assert!(h.backfill_waiting().is_some(), "going on after the rest");
    h.backfill(10_000);
    assert!(
        matches!(
            h.app.session.details.get(&key),
            Some(cfdash::app::Remote::Ready { .. })
        ),
        "the one that failed is fetched too"
    );
}

#[test]
fn form_with_the_quota_and_the_month_known_screens() {
    for (w, hh) in [(80, 24), (160, 48)] {
        let mut h = Harness::with(SimData::demo(), SimSettings::default(), w, hh);
        h.backfill(10_000);
        assert!(h.app.session.backfill.month.is_exact());
        h.ch('n');
        h.typed("/checkout/*\n/index.html\n/cart.html");
        insta::assert_snapshot!(format!("form_month_{w}x{hh}"), h.screen());
    }
}

/// The binary against `sim serve`: the header's month count against what the aws CLI
/// lists, and the background fetch's request rate counted by the server.
mod binary {
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    use crate::common::serve::{CREDS, SimServe, emulator_profile};
    use crate::e2e_tmux::Tmux;

    /// A directory of its own, and in it an account of `n` distributions (`E000…0`,
    /// `d00000.cloudfront.net`, …) with `history` invalidations each of the `paths` (TOML).
    fn account(name: &str, n: usize, history: u32, paths: &str) -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!("cfdash-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let data = dir.join("account.toml");
        let text: String = (0..n)
            .map(|i| {
                format!(
                    "[[distribution]]\nid = \"E{i:013}\"\ndomain_name = \"d{i:05}.cloudfront.net\"\nhistory = {history}\npaths = {paths}\n\n"
                )
            })
            .collect();
        std::fs::write(&data, text).unwrap();
        (dir, data)
    }

    /// The dashboard on `sim`, its profile paced at `per_minute` requests.
    fn dashboard(name: &str, dir: &Path, sim: &SimServe, per_minute: u32, width: u16) -> Tmux {
        let pace = format!("requests_per_minute = {per_minute}\n");
        let args = emulator_profile(&dir.join("config.toml"), "emu", &sim.url, &pace);
        Tmux::cfdash_with(name, width, 40, CREDS, &args).0
    }

    #[test]
    fn the_month_count_is_exact_once_fetched_and_the_fetch_keeps_to_its_share() {
        // One path per invalidation: the month's paths are its invalidations.
        let (dir, data) = account("month", 2, 80, "[\"/a.html\"]");
        let sim = SimServe::start(&["--sim-data", data.to_str().unwrap()]);
        let since = cfdash::app::backfill::month_start(jiff::Timestamp::now());
        let mut want = 0;
        for i in 0..2 {
            let id = format!("E{i:013}");
            let list = sim.json(&["list-invalidations", "--distribution-id", &id]);
            want += list["InvalidationList"]["Items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| {
                    let t: jiff::Timestamp = i["CreateTime"].as_str().unwrap().parse().unwrap();
                    t >= since
                })
                .count();
        }
        assert!(want > 100, "{want}: more than two first listings hold");
        // 20 requests a second: 5 for the background fetch.
        let t = dashboard("month", &dir, &sim, 1200, 160);
        // Listed ("not refreshed yet" would match "refreshed"), and past the start's burst.
        t.wait_text("refreshed just now", Duration::from_secs(60));
        std::thread::sleep(Duration::from_secs(1));
        // The fetch goes on at its share: counted by the server over a few seconds.
        let (r0, t0) = (sim.stat("requests"), Instant::now());
        std::thread::sleep(Duration::from_secs(4));
        let (r1, secs) = (sim.stat("requests"), t0.elapsed().as_secs_f64());
        let per_sec = (r1 - r0) as f64 / secs;
        // 5 a second, and the selected distribution's refresh now and then.
        assert!(per_sec <= 5.0 + 1.0, "{per_sec:.1} requests a second");
        assert!(
            per_sec >= 2.0,
            "{per_sec:.1} requests a second: the fetch is running"
        );
        // Lower bound until every detail is in; then the exact count.
        let exact = format!("│ {want}/1,000 free paths this month");
        let screen = t.wait_for("the exact month count", Duration::from_secs(120), |s| {
            s.contains(&exact)
        });
        assert!(!screen.lines().next().unwrap().contains('≥'), "{screen}");
        assert_eq!(sim.stat("throttled"), 0);
        t.keys(&["q"]);
        t.wait_text("EXITED=0", Duration::from_secs(10));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// "Who invalidated /checkout/…?": `f` finds it on another distribution than the one
    /// selected while the background fetch is still going through the account (at a
    /// quarter of 60 requests a minute), says the answer is partial, and Enter opens it.
    #[test]
    fn search_finds_another_distributions_invalidation_while_details_are_fetched() {
        let (dir, data) = account("find", 3, 40, "[\"/index.html\", \"/assets/*\"]");
        // Completed at once: found by the background fetch, not by a poll.
        let sim = SimServe::start(&[
            "--sim-data",
            data.to_str().unwrap(),
            "--sim-delay-scale",
            "0",
        ]);
        let made = sim.json(&[
            "create-invalidation",
            "--distribution-id",
            "E0000000000002",
            "--paths",
            "/checkout/special-42.html",
        ]);
        let id = made["Invalidation"]["Id"].as_str().unwrap().to_string();
        let long = Duration::from_secs(60);
        let t = dashboard("find", &dir, &sim, 60, 120);
        let screen = t.wait_text("Invalidations ·", long);
        assert!(
            screen.contains("Invalidations · d00000.cloudfront.net"),
            "{screen}"
        );
        t.keys(&["f"]);
        t.wait_text("Search ·", long);
        for c in "checkout/special".chars() {
            t.keys(&[&c.to_string()]);
        }
        let screen = t.wait_text("/checkout/special-42.html", long);
        assert!(screen.contains("d00002.cloudfront.net"), "{screen}");
        assert!(
            screen.contains("paths known for") && !screen.contains("paths known for all"),
            "still fetching: {screen}"
        );
        t.keys(&["Enter"]);
        let screen = t.wait_text("Invalidations · d00002.cloudfront.net", long);
        assert!(screen.contains(&id), "{screen}");
        t.keys(&["q"]);
        t.wait_text("EXITED=0", Duration::from_secs(10));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The free paths are the account's: a profile that pins some of its distributions sees
/// only theirs, so its count stays a lower bound ("≥", "up to"), never an exact count that
/// leaves the others out; showing every distribution (`a`) makes it exact again.
#[test]
fn pins_that_leave_distributions_out_keep_the_month_a_lower_bound() {
    let mut h = Harness::unsettled(SimData::generated(3, 80), SimSettings::default(), 120, 35);
    h.app.session.pins = vec!["E0000000000000".into()];
    h.settle();
    let (want, invalidations) = month_paths(&h);
    h.backfill(10_000);
    let month = h.app.session.backfill.month.clone();
    assert!(month.paths < want, "{month:?}: only the pinned one's");
    assert!(
        !month.is_exact(),
        "{month:?}: exact with two distributions left out"
    );
    let header = h.screen().lines().next().unwrap().to_string();
    assert!(header.contains('≥'), "{header}");
    h.ch('n');
    h.typed("/one.html");
    let screen = h.screen();
    assert!(screen.contains("this submit: 1 → up to $0.005"), "{screen}");
    h.key(KeyCode::Esc);
    h.ch('y');
    h.ch('a');
    h.advance(jiff::SignedDuration::from_secs(1));
    h.backfill(10_000);
    let month = h.app.session.backfill.month.clone();
    assert!(month.is_exact(), "{month:?}");
    assert_eq!((month.paths, month.invalidations), (want, invalidations));
    as_from_scratch(&h);
}
