//! Pacing: the token bucket, and the limiter every CloudFront request of an account waits
//! in, in priority order.
//!
//! CloudFront throttles its control-plane API per account at a few requests a second and
//! documents no number for it (docs/ARCHITECTURE.md, "Pacing", says what is reported). A
//! client that lists 5,000 distributions as fast as it can spends its first minutes
//! throttled, and so does every other tool on that account. So every request cfdash makes
//! takes a token from its account's [`Limiter`] first:
//!
//! - one bucket for every request (`rate`, `burst`);
//! - creates also take from a bucket of their own (`create_rate`, `create_burst`), since
//!   CreateInvalidation has the lowest reported limit;
//! - the sweep (the background listing of every distribution) also takes from a bucket of
//!   `rate × sweep_share` with half the burst, so the other half of the rate is always left
//!   for the operator: an action never waits behind the sweep;
//! - the background fetch of details (the paths and CallerReference search and the
//!   month's count need, one GetInvalidation each) takes from a bucket of
//!   `rate × BACKGROUND_SHARE` with no burst, and goes last.
//!
//! Waiting requests are served in [`Priority`] order, first come first served within one
//! priority. [`Bucket`] is also the simulator's rate model (with numbers of its own).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;

use crate::clock::Clock;

/// A token bucket: holds up to `burst` tokens and gains `per_sec` a second.
#[derive(Clone, Debug)]
pub struct Bucket {
    per_sec: f64,
    burst: f64,
    tokens: f64,
    at: Timestamp,
}

impl Bucket {
    /// A full bucket.
    pub fn full(per_sec: f64, burst: f64, now: Timestamp) -> Self {
        let burst = burst.max(1.0);
        Self {
            per_sec: per_sec.max(f64::MIN_POSITIVE),
            burst,
            tokens: burst,
            at: now,
        }
    }

    fn refill(&mut self, now: Timestamp) {
        if now > self.at {
            let secs = (now - self.at).as_secs_f64();
            self.tokens = (self.tokens + secs * self.per_sec).min(self.burst);
        }
        // A clock that steps back gives nothing, and refills from where it now is (waiting
        // for it to come back would stall every request for the size of the step).
        self.at = now;
    }

    /// How long until a token is there: zero if one is there now.
    pub fn ready_in(&mut self, now: Timestamp) -> Duration {
        self.refill(now);
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(((1.0 - self.tokens) / self.per_sec).min(86_400.0))
        }
    }

    /// Takes a token if one is there.
    pub fn take(&mut self, now: Timestamp) -> bool {
        if self.ready_in(now).is_zero() {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Empties the bucket and owes `secs` of refill on top: after a throttled answer. Owing
    /// again before that is paid does not add up: one throttle is one pause, not a lockout.
    pub fn owe(&mut self, now: Timestamp, secs: f64) {
        self.refill(now);
        self.tokens = self.tokens.min(-secs * self.per_sec);
    }

    /// From now on, `per_sec` a second (what was gained until now at the old rate stays).
    pub fn set_rate(&mut self, now: Timestamp, per_sec: f64) {
        self.refill(now);
        self.per_sec = per_sec.max(f64::MIN_POSITIVE);
    }
}

/// Who is asking, most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Polls of invalidations in progress and the operator's own actions: a create, a
    /// detail, copy to new, a manual refresh, the selected distribution.
    Operator,
    /// The invalidations of distributions on screen.
    Visible,
    /// The rest of the sweep: every other distribution, and the distribution pages after
    /// the first. Capped at `sweep_share` of the rate.
    Sweep,
    /// Details fetched in the background (paths, CallerReference), and listings paged
    /// back to the month's start. Capped at `BACKGROUND_SHARE` of the rate, one at a time.
    Background,
}

/// What a request costs: a create also takes a create token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Read,
    Create,
}

/// The limiter's numbers. Per profile in the profiles file (`rate`, `burst`); the rest are
/// cfdash's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pacing {
    /// Requests a second, every kind together.
    pub rate: f64,
    pub burst: u32,
    /// CreateInvalidations a second.
    pub create_rate: f64,
    pub create_burst: u32,
    /// The part of `rate` the sweep may use.
    pub sweep_share: f64,
}

impl Pacing {
    /// Conservative on purpose: AWS documents no request rate for CloudFront's
    /// control-plane API. AWS support stated 0.5 CreateInvalidation a second per account,
    /// and users were throttled after 6-7 creates in a row (aws/aws-sdk-js#3983); nothing
    /// is reported of the read calls, so cfdash stays at 4 a second with a burst of 10,
    /// which lists a screenful at once and 5,000 distributions in about 40 minutes.
    pub const DEFAULT: Pacing = Pacing {
        rate: 4.0,
        burst: 10,
        create_rate: 0.4,
        create_burst: 5,
        sweep_share: 0.5,
    };

    /// The rate the sweep may use, in requests a second.
    pub fn sweep_rate(&self) -> f64 {
        self.rate * self.sweep_share
    }

    /// The sweep's interval for `requests` requests: what its share allows, never
    /// shorter than `floor`.
    pub fn sweep_interval(&self, requests: usize, floor: Duration) -> Duration {
        let secs = requests as f64 / self.sweep_rate().max(f64::MIN_POSITIVE);
        Duration::from_secs_f64(secs.min(86_400.0)).max(floor)
    }
}

impl Default for Pacing {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A waiting request's ticket: its priority and its place in the line.
pub type Ticket = (Priority, u64);

/// The limiter's state, with no clock and no waiting: what [`Limiter`] decides with.
#[derive(Debug)]
pub struct Queue<W> {
    pacing: Pacing,
    all: Bucket,
    create: Bucket,
    sweep: Bucket,
    /// The background fetch: `BACKGROUND_SHARE` of the rate, no burst.
    background: Bucket,
    /// The operator's line while others wait: at most `OPERATOR_SHARE` of the rate, so
    /// polls of many invalidations in progress never stop the screen and the sweep.
    operator: Bucket,
    /// One line per priority, in arrival order; `W` is how a waiter is told its turn came.
    lines: [BTreeMap<u64, (Kind, W)>; 4],
    next: u64,
    /// The share of `pacing` in force: halved by each throttled answer (down to 1/16),
    /// doubled back after each `CALM` without one.
    slow: f64,
    calm_since: Timestamp,
    /// When the pace was last halved.
    last_cut: Option<Timestamp>,
    /// Tokens handed out, and throttled answers reported.
    pub stats: Stats,
}

/// How long without a throttled answer before the pace doubles back.
pub const CALM: Duration = Duration::from_secs(30);
/// The slowest the limiter goes after throttled answers: this share of its pace.
pub const SLOWEST: f64 = 1.0 / 16.0;
/// The share of the rate the operator's line may use while the screen or the sweep wait.
pub const OPERATOR_SHARE: f64 = 0.75;
/// The share of the rate the background fetch of details may use.
pub const BACKGROUND_SHARE: f64 = 0.25;
/// Throttled answers this close to the last halving are the same episode.
pub const EPISODE: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub granted: u64,
    pub throttled: u64,
}

fn line(priority: Priority) -> usize {
    match priority {
        Priority::Operator => 0,
        Priority::Visible => 1,
        Priority::Sweep => 2,
        Priority::Background => 3,
    }
}

impl<W> Queue<W> {
    pub fn new(pacing: Pacing, now: Timestamp) -> Self {
        Self {
            all: Bucket::full(pacing.rate, pacing.burst as f64, now),
            create: Bucket::full(pacing.create_rate, pacing.create_burst as f64, now),
            sweep: Bucket::full(
                pacing.sweep_rate(),
                (pacing.burst as f64 * pacing.sweep_share).floor(),
                now,
            ),
            background: Bucket::full(pacing.rate * BACKGROUND_SHARE, 1.0, now),
            operator: Bucket::full(pacing.rate * OPERATOR_SHARE, pacing.burst as f64, now),
            pacing,
            lines: Default::default(),
            next: 0,
            slow: 1.0,
            calm_since: now,
            last_cut: None,
            stats: Stats::default(),
        }
    }

    /// The share of its pace the limiter keeps now (1: all of it).
    pub fn slowed(&self) -> f64 {
        self.slow
    }

    fn set_slow(&mut self, now: Timestamp, slow: f64) {
        self.slow = slow;
        let p = self.pacing;
        self.all.set_rate(now, p.rate * slow);
        self.create.set_rate(now, p.create_rate * slow);
        self.sweep.set_rate(now, p.sweep_rate() * slow);
        self.operator.set_rate(now, p.rate * OPERATOR_SHARE * slow);
        self.background
            .set_rate(now, p.rate * BACKGROUND_SHARE * slow);
    }

    /// Puts a request at the end of its priority's line.
    pub fn join(&mut self, priority: Priority, kind: Kind, waiter: W) -> Ticket {
        self.next += 1;
        self.lines[line(priority)].insert(self.next, (kind, waiter));
        (priority, self.next)
    }

    /// Takes a request out of the line (it gave up waiting).
    pub fn leave(&mut self, ticket: Ticket) {
        self.lines[line(ticket.0)].remove(&ticket.1);
    }

    /// Grants every waiting request whose tokens are there, most urgent first: `grant` is
    /// called with each, in order. Returns how long until the next one can go (None:
    /// nobody waits).
    pub fn dispatch(&mut self, now: Timestamp, mut grant: impl FnMut(W)) -> Option<Duration> {
        self.recover(now);
        let mut soonest: Option<Duration> = None;
        let mut sooner = |d: Duration| soonest = Some(soonest.map_or(d, |s: Duration| s.min(d)));
        for priority in [
            Priority::Operator,
            Priority::Visible,
            Priority::Sweep,
            Priority::Background,
        ] {
            let i = line(priority);
            let others_wait = !self.lines[1].is_empty() || !self.lines[2].is_empty();
            let mut go = Vec::new();
            for (&seq, (kind, _)) in &self.lines[i] {
                // Every request needs a token of the shared bucket: with none, nobody
                // behind goes either.
                let all = self.all.ready_in(now);
                if !all.is_zero() {
                    sooner(all);
                    break;
                }
                if priority == Priority::Operator {
                    // The operator's line keeps a share back for the others while they
                    // wait; alone, it may use the whole rate.
                    let wait = self.operator.ready_in(now);
                    if others_wait && !wait.is_zero() {
                        sooner(wait);
                        break;
                    }
                    self.operator.take(now);
                }
                let share = match priority {
                    Priority::Sweep => Some(&mut self.sweep),
                    Priority::Background => Some(&mut self.background),
                    _ => None,
                };
                if let Some(share) = share {
                    let wait = share.ready_in(now);
                    if !wait.is_zero() {
                        // The whole line waits for its share.
                        sooner(wait);
                        break;
                    }
                    share.take(now);
                }
                if *kind == Kind::Create {
                    let wait = self.create.ready_in(now);
                    if !wait.is_zero() {
                        // A create waits for its own bucket; reads behind it go on.
                        sooner(wait);
                        continue;
                    }
                    self.create.take(now);
                }
                self.all.take(now);
                go.push(seq);
            }
            for seq in go {
                if let Some((_, waiter)) = self.lines[i].remove(&seq) {
                    self.stats.granted += 1;
                    grant(waiter);
                }
            }
        }
        soonest
    }

    /// Doubles the pace back once for each whole `CALM` without a throttled answer (however
    /// long nobody asked for anything).
    fn recover(&mut self, now: Timestamp) {
        if self.slow >= 1.0 || now <= self.calm_since {
            return;
        }
        let calm = (now - self.calm_since).as_secs_f64();
        let steps = (calm / CALM.as_secs_f64()).floor();
        if steps >= 1.0 {
            self.calm_since = now;
            self.set_slow(now, (self.slow * 2f64.powf(steps.min(16.0))).min(1.0));
        }
    }

    /// CloudFront throttled a request despite the pacing (another tool on the account, or
    /// a limit lower than the pacing's): every request waits a second more than the bucket
    /// says, and the pace halves until `CALM` passes without another. Answers throttled
    /// together (requests in flight at once) are one episode: the pace halves once a
    /// second at most.
    pub fn throttled(&mut self, now: Timestamp) {
        self.stats.throttled += 1;
        let episode = self
            .last_cut
            .is_some_and(|at| now >= at && now.duration_since(at).unsigned_abs() < EPISODE);
        if !episode {
            self.last_cut = Some(now);
            self.set_slow(now, (self.slow / 2.0).max(SLOWEST));
        }
        self.calm_since = now;
        self.all.owe(now, 1.0);
    }

    pub fn waiting(&self) -> usize {
        self.lines.iter().map(BTreeMap::len).sum()
    }
}

type Waiter = tokio::sync::oneshot::Sender<()>;

struct Shared {
    clock: Arc<dyn Clock>,
    queue: Mutex<Queue<Waiter>>,
}

impl Shared {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue<Waiter>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One account's limiter, shared by every task that calls CloudFront for it. A task of
/// its own (started by the first request) hands out the tokens: it sleeps until the next
/// one is due or someone joins the line.
pub struct Limiter {
    shared: Arc<Shared>,
    kick: Arc<tokio::sync::Notify>,
    started: std::sync::Once,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("stats", &self.stats())
            .finish()
    }
}

impl Limiter {
    pub fn new(pacing: Pacing, clock: Arc<dyn Clock>) -> Self {
        let now = clock.now();
        Self {
            shared: Arc::new(Shared {
                clock,
                queue: Mutex::new(Queue::new(pacing, now)),
            }),
            kick: Arc::new(tokio::sync::Notify::new()),
            started: std::sync::Once::new(),
        }
    }

    pub fn stats(&self) -> Stats {
        self.shared.queue().stats
    }

    /// Requests waiting for their turn.
    pub fn waiting(&self) -> usize {
        self.shared.queue().waiting()
    }

    /// Waits for this request's turn. Dropping the future (an aborted task) leaves the
    /// line.
    pub async fn acquire(&self, priority: Priority, kind: Kind) {
        self.started.call_once(|| {
            tokio::spawn(hand_out(Arc::downgrade(&self.shared), self.kick.clone()));
        });
        let (tx, rx) = tokio::sync::oneshot::channel();
        let ticket = self.shared.queue().join(priority, kind, tx);
        let guard = Leave {
            shared: &self.shared,
            ticket: Some(ticket),
        };
        self.kick.notify_one();
        if rx.await.is_ok() {
            std::mem::forget(guard);
        }
    }

    /// Reports a throttled answer.
    pub fn throttled(&self) {
        let now = self.shared.clock.now();
        self.shared.queue().throttled(now);
    }
}

impl Drop for Limiter {
    fn drop(&mut self) {
        // The hand-out task wakes, finds the limiter gone and ends.
        self.kick.notify_one();
    }
}

/// The limiter's task: grants what can go, then sleeps until the next token or a kick.
async fn hand_out(shared: std::sync::Weak<Shared>, kick: Arc<tokio::sync::Notify>) {
    loop {
        let wait = {
            let Some(shared) = shared.upgrade() else {
                return;
            };
            let now = shared.clock.now();
            let mut queue = shared.queue();
            queue.dispatch(now, |waiter| {
                // A waiter that gave up meanwhile: its token is lost, as it would be.
                let _ = waiter.send(());
            })
        };
        match wait {
            Some(wait) => {
                tokio::select! {
                    _ = kick.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
            None => kick.notified().await,
        }
    }
}

/// The limiters of a run: one per account. A profile has its own until its first listing
/// shows its account (by the ARNs); then profiles found to reach the same account (through
/// the same endpoint) share the limiter of the first one found.
#[derive(Default)]
pub struct Pacers {
    by_profile: std::collections::HashMap<String, Arc<Limiter>>,
    /// The pacing each profile asked for last (a shared limiter keeps the first one's).
    asked: std::collections::HashMap<String, Pacing>,
    /// The account each profile was last found to reach.
    account_of: std::collections::HashMap<String, String>,
    /// Each account's limiter, and the profile whose own limiter it was.
    by_account: std::collections::HashMap<String, (String, Arc<Limiter>)>,
}

impl Pacers {
    /// The profile's limiter: the one it has (its own, or its account's), or a new one when
    /// it has none or the profile's own pacing changed.
    pub fn profile(&mut self, name: &str, pacing: Pacing, clock: &Arc<dyn Clock>) -> Arc<Limiter> {
        if let Some(l) = self.by_profile.get(name)
            && self.asked.get(name) == Some(&pacing)
        {
            return l.clone();
        }
        // New, or its pacing changed: a limiter of its own again, and an account whose
        // limiter was this profile's old one takes the next one found there.
        self.by_account.retain(|_, (owner, _)| owner != name);
        self.account_of.remove(name);
        self.asked.insert(name.to_string(), pacing);
        let l = Arc::new(Limiter::new(pacing, clock.clone()));
        self.by_profile.insert(name.to_string(), l.clone());
        l
    }

    /// The profile's listing showed its account (`endpoint|account`): from now on it
    /// shares that account's limiter. A profile that now reaches another account than
    /// before takes a limiter of its own first, so two accounts are never paced as one.
    pub fn found(&mut self, name: &str, account: &str, clock: &Arc<dyn Clock>) {
        let Some(pacing) = self.asked.get(name).copied() else {
            return;
        };
        if self
            .account_of
            .get(name)
            .is_some_and(|before| before != account)
        {
            self.by_profile.insert(
                name.to_string(),
                Arc::new(Limiter::new(pacing, clock.clone())),
            );
        }
        let Some(mine) = self.by_profile.get(name).cloned() else {
            return;
        };
        let shared = self
            .by_account
            .entry(account.to_string())
            .or_insert_with(|| (name.to_string(), mine))
            .1
            .clone();
        self.by_profile.insert(name.to_string(), shared);
        self.account_of
            .insert(name.to_string(), account.to_string());
    }
}

struct Leave<'a> {
    shared: &'a Shared,
    ticket: Option<Ticket>,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.shared.queue().leave(ticket);
        }
    }
}

#[cfg(test)]
mod tests;
