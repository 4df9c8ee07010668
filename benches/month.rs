//! The month's count on a big account: 5,000 distributions × 20 invalidations, every one
//! listed and its details known. The count is made again after every listing and every
//! detail that changes it, so a sweep (one answer per distribution) must not cost
//! O(distributions × invalidations). Run with `cargo bench --bench month`.
//!
//! `month_count` is the count from scratch; `listing_answer` is one answer handled with
//! the count kept up to date, one distribution at a time (`App::count_month`). Before that,
//! the app made the count from scratch after every answer: an answer cost what
//! `month_count` costs, and more. Medians in BENCHMARKS.md ("Issue 15").

use std::time::{Duration, Instant};

use cfdash::app::{Action, App, Effect, Request, Response, Slot};
use cfdash::clock::Clock;
use cfdash::cloudfront::sim::{SimCloudFront, SimData};
use cfdash::tui::perform;

#[path = "common/listed.rs"]
#[allow(dead_code)] // the benches' helper: this uses part of it
mod common;

const DISTRIBUTIONS: usize = 5_000;
const HISTORY: u32 = 20;

fn main() {
    divan::main();
}

struct Account {
    app: App,
    /// One listing answer of a distribution, to hand to the app again.
    listing: (Slot, Request),
    sim: SimCloudFront,
    rt: tokio::runtime::Runtime,
    /// How long the app took over the sweep's listing answers (its own work only).
    sweep: Duration,
}

/// An app that has listed every distribution and fetched every detail in the background.
fn account() -> Account {
    let common::Started {
        mut app,
        effects: mut queue,
        sim,
        rt,
        clock,
    } = common::started(SimData::generated(DISTRIBUTIONS, HISTORY), 120, 40);
    let mut sweep = Duration::ZERO;
    let mut listing = None;
    let mut rounds = 0;
    while !queue.is_empty() {
        rounds += 1;
        assert!(rounds < 2_000_000, "never settles");
        let effect = queue.remove(0);
        let Effect::Request { slot, seq, request } = effect else {
            continue;
        };
        // The background fetch is left to the end (below): its 100,000 answers one by one
        // would take the bench minutes.
        if let Request::Backfill(_) = &request {
            continue;
        }
        let response = rt.block_on(perform(&sim, &request));
        let is_listing = matches!(request, Request::ListInvalidations { .. })
            && matches!(response, Response::Invalidations(Ok(_)));
        if is_listing {
            listing.get_or_insert_with(|| (slot.clone(), request.clone()));
        }
        let action = Action::Response {
            slot: slot.clone(),
            seq,
            response,
        };
        let start = Instant::now();
        let batch = app.apply(clock.now(), [action]);
        if is_listing {
            sweep += start.elapsed();
        }
        queue.extend(batch.effects);
    }
    // Every detail, as if fetched: straight into the session.
    for d in app.session.distributions.data().unwrap().clone() {
        for inv in app.session.invalidations[&d.id]
            .list
            .data()
            .unwrap()
            .clone()
        {
            let got = rt
                .block_on(cfdash::cloudfront::CloudFront::get_invalidation(
                    &sim, &d.id, &inv.id,
                ))
                .unwrap();
            app.session.details.insert(
                cfdash::app::InvKey::new(&d.id, &inv.id),
                cfdash::app::Remote::Ready {
                    data: got,
                    at: clock.now(),
                },
            );
        }
    }
    Account {
        app,
        listing: listing.unwrap(),
        sweep,
        sim,
        rt,
    }
}

/// The count itself, over every listing and detail.
#[divan::bench(sample_count = 30)]
fn month_count(bencher: divan::Bencher) {
    let a = account();
    eprintln!(
        "{DISTRIBUTIONS} distributions: the app's work over the sweep's listings {:?}, month {:?}",
        a.sweep, a.app.session.backfill.month.paths
    );
    let since = cfdash::app::backfill::month_start(a.app.now);
    bencher.bench_local(|| divan::black_box(a.app.session.month_count(since, 50)));
}

/// One listing answer handled (and the count brought up to date): what each of a sweep's
/// 5,000 answers costs.
#[divan::bench(sample_count = 30)]
fn listing_answer(bencher: divan::Bencher) {
    let a = account();
    let now = a.app.now;
    let app = std::cell::RefCell::new(a.app);
    bencher
        .with_inputs(|| {
            let (slot, request) = a.listing.clone();
            let response = a.rt.block_on(perform(&a.sim, &request));
            // As if the slot had asked again: its answer is the latest.
            let seq = app.borrow_mut().requests.start(slot.clone());
            Action::Response {
                slot,
                seq,
                response,
            }
        })
        .bench_local_values(|action| app.borrow_mut().apply(now, [action]));
}
