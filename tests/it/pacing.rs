//! Pacing in the reducer: a large account's first screen is listed first, the rest at the
//! sweep's pace, what comes on screen moves up the line, and the sweep's interval stretches
//! to what its share of the rate allows.

use crate::common::Harness;
use cfdash::app::{Action, Effect, Response, Slot};
use cfdash::cloudfront::Distribution;
use cfdash::cloudfront::sim::{SimData, SimSettings};
use cfdash::pace::Priority;
use crossterm::event::KeyCode;

/// The invalidation listings asked for since `mark`: (distribution, priority).
fn lists_since(h: &Harness, mark: usize) -> Vec<(String, Priority)> {
    h.listings_since(mark)
        .into_iter()
        .map(|(d, _, p)| (d, p))
        .collect()
}

/// The listing of distributions in the queue, taken out: the request, its number, the
/// whole account it answers, and that answer (not yet handed to the app).
fn take_listing(h: &mut Harness) -> (Effect, u64, Vec<Distribution>, Action) {
    let listing = h
        .queue
        .iter()
        .position(|e| {
            matches!(
                e,
                Effect::Request {
                    slot: Slot::Distributions,
                    ..
                }
            )
        })
        .map(|i| h.queue.remove(i))
        .expect("a listing of distributions");
    let Effect::Request { seq, .. } = listing else {
        unreachable!()
    };
    let answer = h.answer(&listing);
    let Action::Response {
        response: Response::Distributions(Ok(all)),
        ..
    } = &answer
    else {
        panic!("{answer:?}")
    };
    let all = all.clone();
    (listing, seq, all, answer)
}

/// Moves the clock to the next sweep and lets it start.
fn next_sweep(h: &mut Harness) {
    let due = h.app.session.schedule.sweep_due - h.now();
    h.clock.advance(due);
    h.act(Action::Tick);
}

#[test]
fn a_large_account_fills_its_first_screen_first_and_lists_the_rest_at_the_sweeps_pace() {
    let data = SimData::generated(1_000, 1);
    let ids: Vec<String> = data.distributions.iter().map(|d| d.id.clone()).collect();
    let mut h = Harness::unsettled(data, SimSettings::default(), 120, 35);
    let (_, seq, all, answer) = take_listing(&mut h);
    // The first page, with more to come: shown at once, its rows on screen listed first.
    let mark = h.mark();
    h.act(Action::DistributionsPage {
        seq,
        page: all[..100].to_vec(),
    });
    let screen = h.screen();
    assert!(screen.contains("100+ distributions"), "{screen}");
    assert!(screen.contains("listing 0 of 100+"), "{screen}");
    let rows = h.app.on_screen();
    assert!(rows.len() >= 5 && rows.len() < 100, "{}", rows.len());
    let asked = lists_since(&h, mark);
    assert_eq!(asked.len(), rows.len(), "only the rows on screen");
    assert_eq!(
        asked[0],
        (ids[0].clone(), Priority::Operator),
        "the selected one"
    );
    assert!(asked[1..].iter().all(|(_, p)| *p == Priority::Visible));
    // A page of an older listing (another seq) is not shown.
    h.act(Action::DistributionsPage {
        seq: seq + 1_000,
        page: all[100..200].to_vec(),
    });
    assert_eq!(h.app.session.distributions.data().unwrap().len(), 100);

    // The whole listing: everything else is asked for at the sweep's pace, the first
    // screen not again.
    let mark = h.mark();
    h.act(answer);
    let asked = lists_since(&h, mark);
    assert_eq!(asked.len(), 1_000 - rows.len());
    assert!(
        asked
            .iter()
            .all(|(id, p)| *p == Priority::Sweep && !rows.contains(id))
    );
    assert!(h.screen().contains("1,000 distributions"));
    // 1,000 listings and 10 pages at half of 4 a second: the next sweep in 505 s, not 300.
    let due = h.app.session.schedule.sweep_due - h.now();
    assert_eq!(due.as_secs(), 505);

    // Jumping to the bottom moves the rows now on screen up the line.
    let mark = h.mark();
    h.key(KeyCode::End);
    let bottom = h.app.on_screen();
    assert!(bottom.contains(&ids[999]));
    let lifted = lists_since(&h, mark);
    assert_eq!(lifted.len(), bottom.len(), "{lifted:?}");
    assert!(
        lifted
            .iter()
            .all(|(id, p)| bottom.contains(id) && *p != Priority::Sweep)
    );
    // And they are asked once: moving within the screen asks nothing more.
    let mark = h.mark();
    h.key(KeyCode::Up);
    assert!(lists_since(&h, mark).is_empty());
}

#[test]
fn with_rows_on_screen_already_a_new_listing_asks_for_theirs_at_its_first_page() {
    let mut h = Harness::with(SimData::generated(300, 1), SimSettings::default(), 120, 35);
    // The next sweep: its listing pages in while the last one's rows stay on screen.
    let mark = h.mark();
    next_sweep(&mut h);
    let (_, seq, all, answer) = take_listing(&mut h);
    let page = all[..100].to_vec();
    h.act(Action::DistributionsPage { seq, page });
    assert_eq!(
        h.app.session.distributions.data().unwrap().len(),
        300,
        "not replaced"
    );
    let rows = h.app.on_screen();
    let asked = lists_since(&h, mark);
    let mut ids: Vec<&String> = asked.iter().map(|(id, _)| id).collect();
    ids.sort();
    let mut want: Vec<&String> = rows.iter().collect();
    want.sort();
    assert_eq!(ids, want, "the rows on screen, at once");
    assert!(asked.iter().all(|(_, p)| *p != Priority::Sweep));
    // The next page asks nothing more; the whole listing asks for the rest only.
    let mark = h.mark();
    h.act(Action::DistributionsPage {
        seq,
        page: all[100..200].to_vec(),
    });
    assert!(lists_since(&h, mark).is_empty());
    h.act(answer);
    let asked = lists_since(&h, mark);
    assert_eq!(asked.len(), 300 - rows.len());
    assert!(asked.iter().all(|(id, _)| !rows.contains(id)));
}

#[test]
fn a_listing_cut_short_stays_partial_and_the_next_one_starts_over() {
    let data = SimData::generated(300, 1);
    let mut h = Harness::unsettled(data, SimSettings::default(), 120, 35);
    let (_, seq, all, _) = take_listing(&mut h);
    h.act(Action::DistributionsPage {
        seq,
        page: all[..100].to_vec(),
    });
    // The listing's next page is throttled to the end.
    h.act(Action::Response {
        slot: Slot::Distributions,
        seq,
        response: Response::Distributions(Err(cfdash::cloudfront::CfError::Throttled {
            detail: "Rate exceeded".into(),
        })),
    });
    assert!(h.screen().contains("100+ distributions"), "{}", h.screen());
    // The retry's first page replaces what the cut listing showed; its answer, everything.
    next_sweep(&mut h);
    let (_, again, _, answer) = take_listing(&mut h);
    assert_ne!(again, seq);
    h.act(Action::DistributionsPage {
        seq: again,
        page: all[..100].to_vec(),
    });
    assert_eq!(
        h.app.session.distributions.data().unwrap().len(),
        100,
        "no row twice"
    );
    h.act(Action::DistributionsPage {
        seq: again,
        page: all[100..200].to_vec(),
    });
    assert_eq!(h.app.session.distributions.data().unwrap().len(), 200);
    h.act(answer);
    assert!(h.screen().contains("300 distributions"), "{}", h.screen());
}

/// The binary against `sim serve` with CloudFront's rate limits.
mod binary {
    use std::time::Duration;

    use crate::common::serve::{CREDS, SimServe, emulator_profile};
    use crate::e2e_tmux::Tmux;

    /// A simulated account of `n` distributions, one invalidation in progress in every
    /// tenth, written to a file `sim serve --sim-data` reads.
    fn account(name: &str, n: usize) -> std::path::PathBuf {
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!(
                "[[distribution]]\nid = \"E{i:013}\"\ndomain_name = \"d{i:05}.cloudfront.net\"\nhistory = 2\nin_progress = {}\n\n",
                u32::from(i % 10 == 0)
            ));
        }
        let path =
            std::env::temp_dir().join(format!("cfdash-pacing-{name}-{}.toml", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The dashboard on 300 distributions, against CloudFront's reported limits: its
    /// first screen is listed, the sweep goes on, and nothing is throttled. (Unpaced, it
    /// asked for 300 listings eight at a time and was throttled within a second.)
    #[test]
    fn the_dashboard_on_a_large_account_is_never_throttled() {
        let data = account("dashboard", 300);
        let sim = SimServe::start(&[
            "--sim-data",
            data.to_str().unwrap(),
            "--sim-rate-limit",
            "cloudfront",
        ]);
        let dir = std::env::temp_dir().join(format!("cfdash-pacing-dash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let args = emulator_profile(&dir.join("config.toml"), "big", &sim.url, "");
        let (t, _) = Tmux::cfdash_with("pacing-dashboard", 120, 35, CREDS, &args);
        // The header says the count is partial while the sweep lists the rest.
        let screen = t.wait_text("of 300", Duration::from_secs(30));
        assert!(screen.contains("300 distributions"), "{screen}");
        assert!(screen.contains("+ in progress · listing"), "{screen}");
        // The first screen is in while the sweep goes on at its share.
        crate::common::until("the sweep to go on", Duration::from_secs(30), || {
            sim.stat("requests") >= 40
        });
        assert_eq!(sim.stat("throttled"), 0, "throttled while pacing");
        t.keys(&["q"]);
        t.wait_text("EXITED=0", Duration::from_secs(10));
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_file(&data).unwrap();
    }

    /// `invalidations --all --rate N` stays under N: below the account's limit nothing is
    /// throttled; the same report at a rate above it is.
    #[test]
    fn invalidations_all_keeps_to_its_rate() {
        let data = account("report", 120);
        let sim = SimServe::start(&[
            "--sim-data",
            data.to_str().unwrap(),
            "--sim-rate-limit",
            "list=40/10",
        ]);
        let o = sim.cfdash(&["invalidations", "--all", "--json", "--rate", "30"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let dists: std::collections::HashSet<&str> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["distribution"].as_str().unwrap())
            .collect();
        assert_eq!(dists.len(), 120, "every distribution listed");
        assert_eq!(sim.stat("throttled"), 0);
        // Above the account's limit the same report is throttled (and the SDK's retries
        // carry it through).
        let o = sim.cfdash(&["invalidations", "--all", "--json", "--rate", "100"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(sim.stat("throttled") > 0);
        std::fs::remove_file(&data).unwrap();
    }
}
