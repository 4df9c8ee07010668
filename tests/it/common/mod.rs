//! A test harness that drives `App` against the in-process simulator with a manual clock:
//! the runtime's job (run effects, feed answers back) done inline, no terminal, no timers;
//! and, in its modules, the servers and clients the other tests share.

pub mod moto;
pub mod proxy;
pub mod sdk;
pub mod serve;

use std::collections::HashMap;
use std::sync::Arc;

use cfdash::app::{Action, App, Batch, Effect, InvKey, Request, Settings, Slot};
use cfdash::clock::{Clock, ManualClock};
use cfdash::cloudfront::sim::{SimCloudFront, SimData, SimSettings};
use cfdash::tui::perform;
use cfdash::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const START: &str = "2026-11-27T12:00:00Z";

pub use serve::run_journal;

pub struct Harness {
    pub app: App,
    /// The simulator of the profile shown.
    pub sim: Arc<SimCloudFront>,
    /// Every profile's simulator, by profile name (the one at start is "demo").
    pub sims: HashMap<String, Arc<SimCloudFront>>,
    settings: SimSettings,
    pub clock: Arc<ManualClock>,
    rt: tokio::runtime::Runtime,
    /// Requests issued and not yet answered, in order.
    pub queue: Vec<Effect>,
    /// Every effect `update` returned, for assertions.
    pub seen: Vec<Effect>,
    pub bells: usize,
    /// What the app put on the clipboard, opened, and sent to the desktop, in order.
    pub clipboard: Vec<String>,
    pub opened: Vec<String>,
    pub desktop: Vec<String>,
}

impl Harness {
    /// The demo account, no latency, no activity elsewhere, 80×24.
    pub fn demo() -> Self {
        Self::with(SimData::demo(), SimSettings::default(), 80, 24)
    }

    pub fn with(data: SimData, settings: SimSettings, width: u16, height: u16) -> Self {
        let mut h = Self::unsettled(data, settings, width, height);
        h.settle();
        h
    }

    /// Started, with its first requests queued and not yet answered.
    pub fn unsettled(data: SimData, settings: SimSettings, width: u16, height: u16) -> Self {
        let clock = Arc::new(ManualClock::new(START.parse().unwrap()));
        let sim = Arc::new(SimCloudFront::new(data, settings.clone(), clock.clone()));
        let sims = HashMap::from([("demo".to_string(), sim.clone())]);
        let app = App::new("demo", TimeZone::UTC, Settings::default(), clock.now());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let mut h = Self {
            app,
            sim,
            sims,
            settings,
            clock,
            rt,
            queue: Vec::new(),
            seen: Vec::new(),
            bells: 0,
            clipboard: Vec::new(),
            opened: Vec::new(),
            desktop: Vec::new(),
        };
        h.act(Action::Resize { width, height });
        h
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Hands one action to the app at the clock's time and queues what it asks for.
    pub fn act(&mut self, action: Action) -> Batch {
        self.act_all(vec![action])
    }

    /// Hands several actions to the app as one drained batch.
    pub fn act_all(&mut self, actions: Vec<Action>) -> Batch {
        let batch = self.app.apply(self.clock.now(), actions);
        if batch.bell {
            self.bells += 1;
        }
        self.clipboard.extend(batch.clipboard.clone());
        self.opened.extend(batch.open.iter().cloned());
        self.desktop.extend(batch.desktop.iter().cloned());
        for effect in &batch.effects {
            self.seen.push(effect.clone());
            match effect {
                Effect::UseProfile { name, profile } => {
                    let sim = self.sims.entry(name.clone()).or_insert_with(|| {
                        let data = match &profile.sim_data {
                            Some(p) => SimData::from_file(p).unwrap(),
                            None => SimData::demo(),
                        };
                        let mut settings = self.settings.clone();
                        if let Some(seed) = profile.sim_seed {
                            settings.seed = seed;
                        }
                        Arc::new(SimCloudFront::new(data, settings, self.clock.clone()))
                    });
                    self.sim = sim.clone();
                }
                Effect::Request { .. } => self.queue.push(effect.clone()),
                Effect::Abort(slot) => self
                    .queue
                    .retain(|e| !matches!(e, Effect::Request { slot: s, .. } if s == slot)),
                _ => {}
            }
        }
        batch
    }

    /// Answers one queued request against the simulator, without handing it to the app.
    pub fn answer(&mut self, effect: &Effect) -> Action {
        let Effect::Request { slot, seq, request } = effect else {
            panic!("not a request: {effect:?}");
        };
        let sim = match slot {
            Slot::Watch(profile, _) => self.sims[profile].clone(),
            _ => self.sim.clone(),
        };
        let response = self.rt.block_on(perform(sim.as_ref(), request));
        Action::Response {
            slot: slot.clone(),
            seq: *seq,
            response,
        }
    }

    /// Runs every queued request, and those their answers cause, until none is left but
    /// the background fetch's (see [`Harness::backfill`]): it would run until every
    /// invalidation of the account has its details.
    pub fn settle(&mut self) {
        self.settle_with(|_| None);
    }

    /// Takes the queued requests but the background fetch's, unanswered.
    pub fn take_queue(&mut self) -> Vec<Effect> {
        let (background, queued): (Vec<Effect>, Vec<Effect>) = std::mem::take(&mut self.queue)
            .into_iter()
            .partition(is_backfill);
        self.queue = background;
        queued
    }

    /// The background fetch's request waiting, if any.
    pub fn backfill_waiting(&self) -> Option<InvKey> {
        self.queue.iter().find_map(|e| match e {
            Effect::Request {
                slot: Slot::Backfill(key),
                ..
            } => Some(key.clone()),
            _ => None,
        })
    }

    /// Answers the background fetch's request waiting with `error`: returns what it asked.
    pub fn backfill_fails(&mut self, error: cfdash::cloudfront::CfError) -> InvKey {
        let at = self
            .queue
            .iter()
            .position(is_backfill)
            .expect("a fetch waiting");
        let Effect::Request {
            slot: Slot::Backfill(key),
            seq,
            ..
        } = self.queue.remove(at)
        else {
            unreachable!()
        };
        self.act(Action::Response {
            slot: Slot::Backfill(key.clone()),
            seq,
            response: cfdash::app::Response::Invalidation(Err(error)),
        });
        key
    }

    /// Answers up to `n` background fetches, one after the other (the next is asked for
    /// when the one before answers), settling what else they cause. Returns how many were
    /// answered.
    pub fn backfill(&mut self, n: usize) -> usize {
        let mut done = 0;
        while done < n {
            let Some(at) = self.queue.iter().position(is_backfill) else {
                break;
            };
            let effect = self.queue.remove(at);
            let answer = self.answer(&effect);
            self.act(answer);
            self.settle();
            done += 1;
        }
        done
    }

    /// As [`Harness::settle`], but a request `answer` has an answer for gets that one
    /// instead of the simulator's (a fault, say).
    pub fn settle_with(&mut self, answer: impl Fn(&Request) -> Option<cfdash::app::Response>) {
        let mut rounds = 0;
        while self.queue.iter().any(|e| !is_backfill(e)) {
            rounds += 1;
            assert!(rounds < 100, "requests never settle: {:?}", self.queue);
            let queued = self.take_queue();
            let answers: Vec<Action> = queued
                .iter()
                .map(|e| match e {
                    Effect::Request { slot, seq, request } => match answer(request) {
                        Some(response) => Action::Response {
                            slot: slot.clone(),
                            seq: *seq,
                            response,
                        },
                        None => self.answer(e),
                    },
                    _ => self.answer(e),
                })
                .collect();
            for a in answers {
                self.act(a);
            }
        }
    }

    /// Moves the clock, lets due timers fire, and settles what they asked for.
    pub fn advance(&mut self, by: SignedDuration) {
        self.clock.advance(by);
        self.act(Action::Tick);
        self.settle();
    }

    pub fn key(&mut self, code: KeyCode) -> Batch {
        self.act(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    pub fn ch(&mut self, c: char) -> Batch {
        self.key(KeyCode::Char(c))
    }

    pub fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.ch(c);
        }
    }

    /// Requests issued since the call to `mark`.
    pub fn requests_since(&self, mark: usize) -> Vec<&Effect> {
        self.seen[mark..]
            .iter()
            .filter(|e| matches!(e, Effect::Request { .. }))
            .collect()
    }

    /// The invalidation listings asked for since `mark`: distribution, limit, priority.
    pub fn listings_since(&self, mark: usize) -> Vec<(String, usize, cfdash::pace::Priority)> {
        self.requests_since(mark)
            .into_iter()
            .filter_map(|e| match e {
                Effect::Request {
                    request:
                        Request::ListInvalidations {
                            distribution,
                            limit,
                            priority,
                        },
                    ..
                } => Some((distribution.clone(), *limit, *priority)),
                _ => None,
            })
            .collect()
    }

    /// The status bar's notice, or "" when there is none.
    pub fn notice_text(&self) -> String {
        self.app
            .notice
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default()
    }

    pub fn mark(&self) -> usize {
        self.seen.len()
    }

    /// The screen as text, drawn at the app's size.
    pub fn screen(&self) -> String {
        let size = self.app.size;
        let mut terminal = Terminal::new(TestBackend::new(size.width, size.height)).unwrap();
        terminal
            .draw(|frame| ui::render(&self.app, &Theme::color(), frame))
            .unwrap();
        terminal.backend().to_string()
    }

    /// The selected distribution's id.
    pub fn selected_dist(&self) -> String {
        self.app.selected_distribution().unwrap().id.clone()
    }

    /// The id of the distribution with the alias `alias`.
    pub fn dist_id(&self, alias: &str) -> String {
        let all = self.app.session.distributions.data().unwrap();
        all.iter()
            .find(|d| d.aliases.iter().any(|a| a == alias))
            .unwrap()
            .id
            .clone()
    }
}

/// Waits, looking every 100 ms, until `ok` holds; fails after `timeout`.
fn is_backfill(e: &Effect) -> bool {
    matches!(
        e,
        Effect::Request {
            slot: Slot::Backfill(_),
            ..
        }
    )
}

pub fn until(what: &str, timeout: std::time::Duration, ok: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !ok() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
