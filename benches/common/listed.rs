//! An app that has listed a generated account through the simulator, for the benchmarks
//! of what a keystroke costs.

use std::sync::Arc;

use cfdash::app::{Action, App, Effect, Settings};
use cfdash::clock::{Clock, ManualClock};
use cfdash::cloudfront::sim::{SimCloudFront, SimData, SimSettings};
use cfdash::tui::perform;
use jiff::tz::TimeZone;

/// An app `width`×`height` started on a simulated account `data`: the effects of its
/// start (the listing of the distributions first), and the simulator, runtime and clock to
/// answer them with.
pub struct Started {
    pub app: App,
    pub effects: Vec<Effect>,
    pub sim: SimCloudFront,
    pub rt: tokio::runtime::Runtime,
    pub clock: Arc<ManualClock>,
}

pub fn started(data: SimData, width: u16, height: u16) -> Started {
    let clock = Arc::new(ManualClock::new("2026-11-27T12:00:00Z".parse().unwrap()));
    let sim = SimCloudFront::new(data, SimSettings::default(), clock.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let mut app = App::new("bench", TimeZone::UTC, Settings::default(), clock.now());
    let effects = app
        .apply(clock.now(), [Action::Resize { width, height }])
        .effects;
    Started {
        app,
        effects,
        sim,
        rt,
        clock,
    }
}

/// An app `width`×`height` that has listed `n` distributions (their invalidations are not
/// listed).
pub fn listed(n: usize, width: u16, height: u16) -> App {
    let Started {
        mut app,
        effects,
        sim,
        rt,
        clock,
    } = started(SimData::generated(n, 0), width, height);
    let Effect::Request { slot, seq, request } = &effects[0] else {
        panic!("the first effect lists the distributions");
    };
    let response = rt.block_on(perform(&sim, request));
    app.apply(
        clock.now(),
        [Action::Response {
            slot: slot.clone(),
            seq: *seq,
            response,
        }],
    );
    assert_eq!(app.session.distributions.data().unwrap().len(), n);
    app
}
