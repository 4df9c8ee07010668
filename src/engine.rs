//! The submission engine: everything between "submit" and "done", written once for the
//! form and for `cfdash invalidate` / `status --wait`. It is pure and clock-injected: the
//! caller hands it the time and CloudFront's answers, and asks it what to send next and
//! when to come back. The drivers (the app's reducer, the headless commands) only carry
//! requests and print.
//!
//! A batch's life: `Waiting` → `Sending` → `Created` (then polled until it completes), or,
//! once it gives up, `Unknown` (an attempt's answer never came: it may exist) or `NotSent`
//! (known not to exist). Every retry sends the batch's CallerReference again, fixed when
//! the submit was confirmed, so CloudFront answers a retry of a batch it already created
//! with that invalidation instead of making a second one.

use jiff::{SignedDuration, Timestamp};

use crate::cloudfront::{CfError, Invalidation};
use crate::paths::InProgress;

// ---- names -------------------------------------------------------------------------------

/// One submit's id, unique across runs and processes: the time, the process (`instance`,
/// e.g. `"4242-"`), and a count within the process.
pub fn submission_id(now: Timestamp, instance: &str, seq: u64) -> String {
    format!("cfdash-{}-{instance}{seq}", now.as_millisecond())
}

/// The CallerReference of a submit's `number`th batch (1-based) on `distribution`.
pub fn caller_reference(submission: &str, distribution: &str, number: usize) -> String {
    format!("{submission}-{distribution}-{number}")
}

/// One CreateInvalidation: a batch of paths for one distribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub distribution: String,
    pub paths: Vec<String>,
    pub caller_reference: String,
    /// 1-based, of `of`, within its distribution.
    pub number: usize,
    pub of: usize,
    /// The submission it belongs to.
    pub submission: String,
}

/// A submit's batches, in the order they are sent: each distribution's batches in order.
pub fn plan<'a>(
    submission: &str,
    per_distribution: impl IntoIterator<Item = (&'a str, &'a [Vec<String>])>,
) -> Vec<Batch> {
    let mut batches = Vec::new();
    for (distribution, lists) in per_distribution {
        let of = lists.len();
        for (i, paths) in lists.iter().enumerate() {
            batches.push(Batch {
                distribution: distribution.to_string(),
                paths: paths.clone(),
                caller_reference: caller_reference(submission, distribution, i + 1),
                number: i + 1,
                of,
                submission: submission.to_string(),
            });
        }
    }
    batches
}

// ---- timing ------------------------------------------------------------------------------

/// How many times an interval has been doubled because CloudFront throttled. A burst of
/// throttled answers to requests sent together counts once: the level rises again only
/// for a throttle that comes after the backed-off interval has passed.
#[derive(Clone, Copy, Debug, Default)]
pub struct Backoff {
    level: u32,
    raised_at: Option<Timestamp>,
}

impl Backoff {
    /// The most doublings (2 s doubled 5 times is past the 60 s ceiling anyway).
    const MAX_LEVEL: u32 = 6;

    pub fn throttled(&mut self, now: Timestamp, base: SignedDuration, max: SignedDuration) {
        let window = self.apply(base, max);
        if self.raised_at.is_none_or(|at| now >= at + window) {
            self.level = (self.level + 1).min(Self::MAX_LEVEL);
            self.raised_at = Some(now);
        }
    }

    pub fn relax(&mut self) {
        self.level = self.level.saturating_sub(1);
        if self.level == 0 {
            self.raised_at = None;
        }
    }

    pub fn apply(self, base: SignedDuration, max: SignedDuration) -> SignedDuration {
        if self.level == 0 {
            return base;
        }
        (base * (1i32 << self.level)).min(max.max(base))
    }
}

/// When to ask CloudFront again about an invalidation in progress: the one poll policy of
/// the app and the headless commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollPolicy {
    /// While the invalidation is young (most complete within a minute or two).
    pub fast: SignedDuration,
    /// After that; the jitter only shortens it.
    pub steady: SignedDuration,
    /// No interval grows past this while throttled.
    pub max: SignedDuration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            fast: SignedDuration::from_secs(2),
            steady: SignedDuration::from_secs(5),
            max: SignedDuration::from_secs(60),
        }
    }
}

impl PollPolicy {
    /// An invalidation younger than this is polled at the fast interval.
    pub const YOUNG: SignedDuration = SignedDuration::from_secs(30);

    /// The interval for invalidation `id` at `age`: a jitter of up to 400 ms from its id
    /// keeps many invalidations (and many pipelines) from being asked about together;
    /// doubled while throttled, up to `max`.
    pub fn interval(&self, id: &str, age: SignedDuration, backoff: Backoff) -> SignedDuration {
        let jitter_ms = id
            .bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
            % 400;
        let jitter = SignedDuration::from_millis(jitter_ms as i64);
        let base = if age < Self::YOUNG {
            self.fast + jitter
        } else {
            self.steady - jitter
        };
        backoff.apply(base, self.max)
    }
}

/// How the engine waits between attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// After CloudFront said TooManyInvalidationsInProgress, unless one of the
    /// distribution's invalidations completes first.
    pub hold_after_quota: SignedDuration,
    /// The first retry of an unknown outcome; each next one waits twice as long …
    pub retry_first: SignedDuration,
    /// … up to this.
    pub retry_max: SignedDuration,
    pub poll: PollPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            hold_after_quota: SignedDuration::from_secs(30),
            retry_first: SignedDuration::from_secs(1),
            retry_max: SignedDuration::from_secs(10),
            poll: PollPolicy::default(),
        }
    }
}

// ---- batches -----------------------------------------------------------------------------

/// Where a batch is.
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    /// To be sent once `at` has passed (at once when `None`). `held`: the in-progress
    /// quota had no room at the last attempt.
    Waiting { at: Option<Timestamp>, held: bool },
    /// Sent, not answered yet.
    Sending,
    /// CloudFront created it (or had it already, under this reference). Its status is
    /// kept up to date by polling.
    Created(Invalidation),
    /// Given up while an attempt's outcome was unknown: it may exist, and a submit with
    /// the same reference adopts it.
    Unknown(CfError),
    /// Given up, and known not to exist: refused, or never sent.
    NotSent(Option<CfError>),
}

/// A batch's state as the reports name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Unknown,
    NotSent,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Unknown => "unknown",
            Self::NotSent => "not_sent",
        }
    }
}

/// A batch in the engine.
#[derive(Clone, Debug)]
pub struct Entry {
    pub batch: Batch,
    pub state: State,
    pub queued_at: Timestamp,
    /// Give up retrying at this time; `None` keeps trying (the app's queue).
    pub deadline: Option<Timestamp>,
    /// An attempt's answer never came back (lost, timed out, a server error): the batch
    /// may exist, so giving up makes it `Unknown`, never `NotSent`.
    pub maybe_sent: bool,
    /// The last error CloudFront (or the way to it) answered, quota refusals aside: a
    /// batch given up with one failed, one given up without one only ran out of time.
    pub last_error: Option<CfError>,
    /// Unknown outcomes or throttles in a row: the next retry waits longer.
    retries: u32,
    /// When to poll a created invalidation next.
    poll_at: Option<Timestamp>,
    /// When it was first sent by this process.
    pub first_sent: Option<Timestamp>,
    /// The journal says an earlier run created it under this reference.
    pub created_before: bool,
    /// An earlier run sent it and never had the answer (resumed from the journal).
    pub sent_before: bool,
}

impl Entry {
    /// What a report says of it; `None` while it is still being worked on.
    pub fn outcome(&self) -> Option<Outcome> {
        match self.state {
            State::Created(_) => Some(Outcome::Created),
            State::Unknown(_) => Some(Outcome::Unknown),
            State::NotSent(_) => Some(Outcome::NotSent),
            State::Waiting { .. } | State::Sending => None,
        }
    }

    pub fn created(&self) -> Option<&Invalidation> {
        match &self.state {
            State::Created(inv) => Some(inv),
            _ => None,
        }
    }

    /// Still to be sent or answered.
    pub fn is_live(&self) -> bool {
        matches!(self.state, State::Waiting { .. } | State::Sending)
    }

    pub fn is_held(&self) -> bool {
        matches!(self.state, State::Waiting { held: true, .. })
    }

    /// Created, and not yet seen complete.
    pub fn in_progress(&self) -> bool {
        self.created()
            .is_some_and(|inv| inv.status.is_in_progress())
    }

    /// The error that ended it, for a batch given up.
    pub fn error(&self) -> Option<&CfError> {
        match &self.state {
            State::Unknown(e) | State::NotSent(Some(e)) => Some(e),
            _ => None,
        }
    }

    /// CloudFront answered with an invalidation it had made before this process first
    /// sent the batch: an earlier run (or process) created it under the same reference.
    /// A second of slack allows for CreateTime's rounding and clock skew.
    pub fn adopted(&self) -> bool {
        if self.created_before && self.created().is_some() {
            return true;
        }
        // Sent before by a run that died: made before this process sent it is that run's.
        let slack = if self.sent_before {
            SignedDuration::ZERO
        } else {
            SignedDuration::from_secs(1)
        };
        match (self.created(), self.first_sent) {
            (Some(inv), Some(sent)) => inv.create_time + slack < sent,
            _ => false,
        }
    }

    /// Given up after an error answer (not only for want of time).
    pub fn failed(&self) -> bool {
        !self.is_live() && self.created().is_none() && self.last_error.is_some()
    }

    fn give_up(&mut self, error: Option<CfError>) {
        let error = error.or_else(|| self.last_error.clone());
        self.state = match (self.maybe_sent, error) {
            (true, Some(e)) => State::Unknown(e),
            (true, None) => State::Unknown(CfError::Timeout {
                detail: "no answer before the deadline".into(),
            }),
            (false, e) => State::NotSent(e),
        };
    }
}

/// A batch's move from one state to another, for a driver that records them (the
/// journal): `Added` when it is queued, before anything is sent.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Added(Batch),
    State {
        reference: String,
        distribution: String,
        state: State,
        /// Created before this process first sent it (`Entry::adopted`).
        adopted: bool,
    },
}

/// What an answer did to its batch, for the driver to tell the operator.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Created(Invalidation),
    /// The quota had no room: it waits, and is sent again later.
    Held,
    /// The outcome is unknown or CloudFront throttled: sent again at `at`.
    Retrying {
        error: CfError,
        at: Timestamp,
    },
    /// Given up: the batch is `Unknown` or `NotSent` now.
    GaveUp(CfError),
}

/// An error after which the batch may have been created, or CloudFront may take it if
/// asked again: worth another attempt under the same reference.
pub fn is_retryable(error: &CfError) -> bool {
    matches!(
        error,
        CfError::Throttled { .. }
            | CfError::Network { .. }
            | CfError::Timeout { .. }
            | CfError::ServerError { .. }
    )
}

/// An error after which CloudFront may have created the batch.
fn maybe_created(error: &CfError) -> bool {
    is_retryable(error) && !error.is_throttled()
}

/// The batches of every submit in flight, in the order they are sent.
#[derive(Clone, Debug, Default)]
pub struct Engine {
    policy: Policy,
    entries: Vec<Entry>,
    poll_backoff: Backoff,
    /// The changes since `take_changes`, when they are recorded.
    changes: Option<Vec<Change>>,
    /// Targets whose invalidations count against another distribution's in-progress
    /// quotas (a tenant `dt_…` → its distribution); any other counts against its own.
    owners: std::collections::HashMap<String, String>,
}

impl Engine {
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            entries: Vec::new(),
            poll_backoff: Backoff::default(),
            changes: None,
            owners: std::collections::HashMap::new(),
        }
    }

    /// `target`'s invalidations count against `owner`'s in-progress quotas (a tenant's
    /// against its distribution's: AWS does not say, and this is the safe side). Batches of
    /// targets with one owner then share its room, its freed quota and its polls.
    pub fn share_quota(&mut self, target: &str, owner: &str) {
        if target != owner {
            self.owners.insert(target.to_string(), owner.to_string());
        }
    }

    /// The distribution whose quotas `target`'s invalidations count against.
    fn owner<'a>(&'a self, target: &'a str) -> &'a str {
        self.owners.get(target).map_or(target, String::as_str)
    }

    /// From now on, every change of a batch's state is kept for `take_changes`.
    pub fn record_changes(&mut self) {
        self.changes.get_or_insert_with(Vec::new);
    }

    /// The changes since the last call, oldest first.
    pub fn take_changes(&mut self) -> Vec<Change> {
        self.changes
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Notes the state of the entry at `i`, if changes are recorded.
    fn changed(&mut self, i: usize) {
        if let Some(log) = &mut self.changes {
            let e = &self.entries[i];
            log.push(Change::State {
                reference: e.batch.caller_reference.clone(),
                distribution: e.batch.distribution.clone(),
                state: e.state.clone(),
                adopted: e.adopted(),
            });
        }
    }

    fn index(&self, reference: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.batch.caller_reference == reference)
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn entry(&self, reference: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.batch.caller_reference == reference)
    }

    fn entry_mut(&mut self, reference: &str) -> Option<&mut Entry> {
        self.entries
            .iter_mut()
            .find(|e| e.batch.caller_reference == reference)
    }

    /// Queues a batch to send. A batch already here under the same reference keeps its
    /// place; one that gave up is tried again (still `maybe_sent` if it was).
    pub fn add(&mut self, batch: Batch, now: Timestamp, deadline: Option<Timestamp>) {
        if let Some(i) = self.index(&batch.caller_reference) {
            let e = &mut self.entries[i];
            if matches!(e.state, State::Unknown(_) | State::NotSent(_)) {
                e.state = State::Waiting {
                    at: None,
                    held: false,
                };
                e.deadline = deadline;
                e.retries = 0;
                self.changed(i);
            }
            return;
        }
        if let Some(log) = &mut self.changes {
            log.push(Change::Added(batch.clone()));
        }
        self.entries.push(Entry {
            batch,
            state: State::Waiting {
                at: None,
                held: false,
            },
            queued_at: now,
            deadline,
            maybe_sent: false,
            last_error: None,
            retries: 0,
            poll_at: None,
            first_sent: None,
            created_before: false,
            sent_before: false,
        });
    }

    /// An invalidation that exists already, to follow until it completes (`status --wait`).
    pub fn follow(&mut self, distribution: &str, inv: Invalidation, now: Timestamp) {
        let batch = Batch {
            distribution: distribution.to_string(),
            paths: inv.paths.clone(),
            caller_reference: inv.caller_reference.clone(),
            number: 1,
            of: 1,
            submission: String::new(),
        };
        let poll_at = Some(now + self.poll_interval(&inv, now));
        self.entries.push(Entry {
            batch,
            state: State::Created(inv),
            queued_at: now,
            deadline: None,
            maybe_sent: true,
            last_error: None,
            retries: 0,
            poll_at,
            first_sent: None,
            created_before: false,
            sent_before: false,
        });
    }

    /// The batches to send now, marked `Sending`: of each distribution, the first batch not
    /// created yet, when nothing of that distribution is being sent, its time has come,
    /// and `in_progress` (what is in progress on the distribution) leaves room for it.
    pub fn due(&mut self, now: Timestamp, in_progress: impl Fn(&str) -> InProgress) -> Vec<Batch> {
        // Sets, not lists: a fan-out to thousands of targets is asked after every answer.
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut send = Vec::new();
        // What this call lets go, per owner of the quotas: targets sharing them (a
        // distribution's tenants) must not each take the same room.
        let mut taking: std::collections::HashMap<&str, InProgress> =
            std::collections::HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            if !e.is_live() {
                continue;
            }
            let dist = e.batch.distribution.as_str();
            if !seen.insert(dist) {
                continue; // in order: only the first of each distribution
            }
            let State::Waiting { at, .. } = e.state else {
                continue; // being sent
            };
            if at.is_some_and(|t| t > now) || e.deadline.is_some_and(|d| now >= d) {
                continue;
            }
            let owner = self.owner(dist);
            let mut room = in_progress(dist);
            if let Some(more) = taking.get(owner) {
                room.add(*more);
            }
            let batch = InProgress::of(&e.batch.paths);
            if room.fits(batch) {
                send.push(i);
                taking.entry(owner).or_default().add(batch);
            }
        }
        send.into_iter()
            .map(|i| {
                let e = &mut self.entries[i];
                e.state = State::Sending;
                e.first_sent.get_or_insert(now);
                self.changed(i);
                self.entries[i].batch.clone()
            })
            .collect()
    }

    /// CloudFront answered the create of `reference`. `None` for a reference the engine
    /// does not hold (or no longer sends).
    pub fn answer(
        &mut self,
        reference: &str,
        result: Result<Invalidation, CfError>,
        now: Timestamp,
    ) -> Option<Event> {
        let policy = self.policy;
        let i = self.index(reference)?;
        let e = &mut self.entries[i];
        if e.state != State::Sending {
            return None;
        }
        let event = match result {
            Ok(inv) => {
                e.retries = 0;
                e.poll_at = Some(
                    now + policy
                        .poll
                        .interval(&inv.id, SignedDuration::ZERO, Backoff::default()),
                );
                e.state = State::Created(inv.clone());
                Event::Created(inv)
            }
            Err(CfError::TooManyInvalidationsInProgress { .. }) => {
                // Not a failure: the quota is full (perhaps with invalidations made
                // elsewhere). Hold it until one completes, or a while.
                e.state = State::Waiting {
                    at: Some(now + policy.hold_after_quota),
                    held: true,
                };
                Event::Held
            }
            Err(error) if is_retryable(&error) => {
                e.maybe_sent |= maybe_created(&error);
                e.last_error = Some(error.clone());
                let wait = (policy.retry_first * (1i32 << e.retries.min(10))).min(policy.retry_max);
                e.retries += 1;
                let at = now + wait;
                if e.deadline.is_some_and(|d| at >= d) {
                    e.give_up(Some(error.clone()));
                    Event::GaveUp(error)
                } else {
                    e.state = State::Waiting {
                        at: Some(at),
                        held: false,
                    };
                    Event::Retrying { error, at }
                }
            }
            Err(error) => {
                e.last_error = Some(error.clone());
                e.give_up(Some(error.clone()));
                Event::GaveUp(error)
            }
        };
        self.changed(i);
        Some(event)
    }

    /// The journal says an earlier run created the batch of `reference`: its answer will
    /// be an adoption.
    pub fn created_before(&mut self, reference: &str) {
        if let Some(e) = self.entry_mut(reference) {
            e.created_before = true;
        }
    }

    /// An earlier run sent the batch of `reference` and never had the answer: an
    /// invalidation made before this process sends it is that run's, adopted.
    pub fn sent_before(&mut self, reference: &str) {
        if let Some(e) = self.entry_mut(reference) {
            e.sent_before = true;
        }
    }

    /// Gives up every batch whose deadline has passed and that is not being sent.
    /// Returns their references.
    pub fn expire(&mut self, now: Timestamp) -> Vec<String> {
        let mut gone = Vec::new();
        for i in 0..self.entries.len() {
            let e = &mut self.entries[i];
            if matches!(e.state, State::Waiting { .. }) && e.deadline.is_some_and(|d| now >= d) {
                e.give_up(None);
                gone.push(e.batch.caller_reference.clone());
                self.changed(i);
            }
        }
        gone
    }

    /// A batch handed out to be sent that never left this process (it was still waiting
    /// its turn at the account's pace): it waits again, so stopping now gives it up as not
    /// sent (unless an earlier attempt may have made it).
    pub fn held_back(&mut self, reference: &str) {
        let Some(i) = self
            .entries
            .iter()
            .position(|e| e.batch.caller_reference == reference)
        else {
            return;
        };
        if matches!(self.entries[i].state, State::Sending) {
            self.entries[i].state = State::Waiting {
                at: None,
                held: false,
            };
            self.changed(i);
        }
    }

    /// Stops everything still to do (a signal, a deadline, a quit): a batch being sent may
    /// exist, one waiting does not (unless an earlier attempt may have made it).
    pub fn stop(&mut self) {
        for i in 0..self.entries.len() {
            let e = &mut self.entries[i];
            match e.state {
                State::Sending => {
                    e.maybe_sent = true;
                    e.give_up(None);
                }
                State::Waiting { .. } => e.give_up(None),
                _ => continue,
            }
            self.changed(i);
        }
    }

    /// Gives up the waiting batches of one submission (the form failed: a retry sends them
    /// all again, in order, under the same references).
    pub fn drop_waiting(&mut self, submission: &str) {
        for i in 0..self.entries.len() {
            let e = &mut self.entries[i];
            if e.batch.submission == submission && matches!(e.state, State::Waiting { .. }) {
                e.give_up(None);
                self.changed(i);
            }
        }
    }

    /// Forgets the batches that are done with (created or given up) and that `keep` does
    /// not want.
    pub fn prune(&mut self, keep: impl Fn(&Entry) -> bool) {
        self.entries.retain(|e| e.is_live() || keep(e));
    }

    /// An invalidation on `distribution` completed: held batches may try now.
    pub fn quota_freed(&mut self, distribution: &str) {
        let owner = self.owner(distribution).to_string();
        let owners = &self.owners;
        for e in &mut self.entries {
            let of = owners
                .get(&e.batch.distribution)
                .unwrap_or(&e.batch.distribution);
            if *of == owner
                && let State::Waiting { at, held: true } = &mut e.state
            {
                *at = None;
            }
        }
    }

    /// When something waiting is next due (a retry, a hold's end, a deadline, a poll that
    /// `polls_due` with the same `all` would make).
    pub fn next_due(&self, all: bool) -> Option<Timestamp> {
        let polls = self
            .entries
            .iter()
            .filter(|e| self.wants_poll(e, all))
            .filter_map(|e| e.poll_at);
        polls.chain(self.next_send()).min()
    }

    /// When a waiting batch is next due (a retry, a hold's end, a deadline).
    pub fn next_send(&self) -> Option<Timestamp> {
        self.entries
            .iter()
            .filter_map(|e| match e.state {
                State::Waiting { at, .. } => match (at, e.deadline) {
                    (Some(a), Some(d)) => Some(a.min(d)),
                    (a, d) => a.or(d),
                },
                _ => None,
            })
            .min()
    }

    /// Batches still to send or answer.
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| e.is_live()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sets how long a batch is tried: `None` keeps it until it is sent (the app's queue).
    pub fn set_deadline(&mut self, reference: &str, deadline: Option<Timestamp>) {
        if let Some(e) = self.entry_mut(reference) {
            e.deadline = deadline;
        }
    }

    /// Whether a created invalidation is followed: all of them (`--wait`), or those of a
    /// distribution where a batch waits (for room, or after a quota refusal), since their
    /// completion is what lets it go.
    fn wants_poll(&self, e: &Entry, all: bool) -> bool {
        e.in_progress()
            && (all
                || self.entries.iter().any(|o| {
                    self.owner(&o.batch.distribution) == self.owner(&e.batch.distribution)
                        && matches!(o.state, State::Waiting { .. })
                }))
    }

    /// Nothing left to send or answer.
    pub fn settled(&self) -> bool {
        !self.entries.iter().any(Entry::is_live)
    }

    /// Every created batch has completed.
    pub fn all_completed(&self) -> bool {
        !self.entries.iter().any(Entry::in_progress)
    }

    /// What the engine's own created invalidations hold of `distribution`'s quotas (with
    /// those of the targets sharing them, see `share_quota`).
    pub fn created_in_progress(&self, distribution: &str) -> InProgress {
        let owner = self.owner(distribution);
        let mut total = InProgress::default();
        for e in &self.entries {
            if self.owner(&e.batch.distribution) == owner && e.in_progress() {
                total.add(InProgress::of(&e.batch.paths));
            }
        }
        total
    }

    /// Invalidations to ask about now: created, in progress, followed (see `wants_poll`),
    /// and due.
    pub fn polls_due(&mut self, now: Timestamp, all: bool) -> Vec<(String, String)> {
        let wanted: Vec<bool> = self
            .entries
            .iter()
            .map(|e| self.wants_poll(e, all))
            .collect();
        let mut due = Vec::new();
        for (e, wanted) in self.entries.iter_mut().zip(wanted) {
            if wanted
                && e.poll_at.is_some_and(|t| t <= now)
                && let State::Created(inv) = &e.state
            {
                due.push((e.batch.distribution.clone(), inv.id.clone()));
                e.poll_at = None; // asked; the answer sets the next time
            }
        }
        due
    }

    fn poll_interval(&self, inv: &Invalidation, now: Timestamp) -> SignedDuration {
        let age = now.duration_since(inv.create_time);
        self.policy.poll.interval(&inv.id, age, self.poll_backoff)
    }

    /// The answer to a poll. Returns the invalidation when its status changed.
    pub fn polled(
        &mut self,
        distribution: &str,
        id: &str,
        result: Result<Invalidation, CfError>,
        now: Timestamp,
    ) -> Option<Invalidation> {
        let poll = self.policy.poll;
        let throttled = matches!(&result, Err(e) if e.is_throttled());
        if throttled {
            self.poll_backoff.throttled(now, poll.steady, poll.max);
        } else if result.is_ok() {
            self.poll_backoff.relax();
        }
        let backoff = self.poll_backoff;
        let e = self.entries.iter_mut().find(|e| {
            e.batch.distribution == distribution && e.created().is_some_and(|i| i.id == id)
        })?;
        let State::Created(current) = &mut e.state else {
            return None;
        };
        let changed = match result {
            Ok(inv) if inv.status != current.status => {
                *current = inv.clone();
                Some(inv)
            }
            Ok(inv) => {
                *current = inv;
                None
            }
            Err(_) => None,
        };
        let age = now.duration_since(current.create_time);
        e.poll_at = Some(now + poll.interval(id, age, backoff));
        if changed.as_ref().is_some_and(|i| !i.status.is_in_progress()) {
            self.quota_freed(distribution);
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudfront::InvalidationStatus;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    fn inv(
        id: &str,
        reference: &str,
        paths: &[String],
        status: InvalidationStatus,
    ) -> Invalidation {
        Invalidation {
            id: id.into(),
            status,
            create_time: t(0),
            caller_reference: reference.into(),
            paths: paths.to_vec(),
        }
    }

    fn files(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("/f{i}")).collect()
    }

    fn two_batches() -> Vec<Batch> {
        let lists = vec![files(2), files(3)];
        plan("cfdash-1-7", [("E1", lists.as_slice())])
    }

    fn nothing(_: &str) -> InProgress {
        InProgress::default()
    }

    #[test]
    fn references_are_fixed_by_the_plan() {
        let b = two_batches();
        assert_eq!(b[0].caller_reference, "cfdash-1-7-E1-1");
        assert_eq!(b[1].caller_reference, "cfdash-1-7-E1-2");
        assert_eq!((b[1].number, b[1].of), (2, 2));
        assert_eq!(submission_id(t(0), "42-", 3), "cfdash-1800000000000-42-3");
    }

    #[test]
    fn a_distribution_sends_in_order_one_at_a_time() {
        let mut e = Engine::new(Policy::default());
        for b in two_batches() {
            e.add(b, t(0), None);
        }
        let sent = e.due(t(0), nothing);
        assert_eq!(sent.len(), 1, "only the first batch of a distribution");
        assert!(
            e.due(t(0), nothing).is_empty(),
            "nothing while it is being sent"
        );
        let ev = e.answer(
            &sent[0].caller_reference,
            Ok(inv("I1", "r", &files(2), InvalidationStatus::InProgress)),
            t(1),
        );
        assert!(matches!(ev, Some(Event::Created(_))));
        let next = e.due(t(1), nothing);
        assert_eq!(next[0].number, 2);
    }

    #[test]
    fn a_batch_without_room_waits() {
        let mut e = Engine::new(Policy::default());
        e.add(two_batches().remove(0), t(0), None);
        let full = |_: &str| InProgress {
            files: 2999,
            wildcards: 0,
        };
        assert!(e.due(t(0), full).is_empty());
        assert_eq!(e.due(t(0), nothing).len(), 1);
    }

    #[test]
    fn a_lost_answer_is_retried_with_the_same_reference_until_the_deadline() {
        let mut e = Engine::new(Policy::default());
        let b = two_batches().remove(0);
        let r = b.caller_reference.clone();
        e.add(b, t(0), Some(t(5)));
        let server = CfError::ServerError {
            status: 503,
            code: "ServiceUnavailable".into(),
            message: String::new(),
        };
        let mut now = t(0);
        let mut tries = 0;
        for round in 0.. {
            assert!(round < 100, "the retries never end");
            let sent = e.due(now, nothing);
            if let Some(s) = sent.first() {
                assert_eq!(s.caller_reference, r, "always the same reference");
                tries += 1;
                match e.answer(&r, Err(server.clone()), now) {
                    Some(Event::Retrying { at, .. }) => now = at,
                    Some(Event::GaveUp(_)) => break,
                    other => panic!("{other:?}"),
                }
            } else {
                now = e.next_due(false).expect("a retry is due");
                e.expire(now);
            }
            if !e.entries()[0].is_live() {
                break;
            }
        }
        assert!(tries >= 3, "retried {tries} times");
        assert_eq!(
            e.entries()[0].outcome(),
            Some(Outcome::Unknown),
            "a 5xx may have created it"
        );
    }

    #[test]
    fn a_refusal_is_not_sent_but_a_refusal_after_a_lost_answer_is_unknown() {
        let mut e = Engine::new(Policy::default());
        let b = two_batches().remove(0);
        let r = b.caller_reference.clone();
        e.add(b, t(0), None);
        e.due(t(0), nothing);
        let denied = CfError::AccessDenied {
            action: "CreateInvalidation".into(),
            detail: String::new(),
        };
        assert!(matches!(
            e.answer(&r, Err(denied.clone()), t(0)),
            Some(Event::GaveUp(_))
        ));
        assert_eq!(e.entries()[0].outcome(), Some(Outcome::NotSent));

        let mut e = Engine::new(Policy::default());
        e.add(two_batches().remove(0), t(0), None);
        e.due(t(0), nothing);
        e.answer(
            &r,
            Err(CfError::Timeout {
                detail: String::new(),
            }),
            t(0),
        );
        let sent = e.due(t(60), nothing);
        assert_eq!(sent.len(), 1);
        e.answer(&r, Err(denied), t(60));
        assert_eq!(e.entries()[0].outcome(), Some(Outcome::Unknown));
    }

    #[test]
    fn throttling_alone_never_makes_a_batch_unknown() {
        let mut e = Engine::new(Policy::default());
        let b = two_batches().remove(0);
        let r = b.caller_reference.clone();
        e.add(b, t(0), Some(t(3)));
        e.due(t(0), nothing);
        e.answer(
            &r,
            Err(CfError::Throttled {
                detail: String::new(),
            }),
            t(0),
        );
        e.expire(t(3));
        assert_eq!(e.entries()[0].outcome(), Some(Outcome::NotSent));
        assert!(
            e.entries()[0].failed(),
            "throttled to the end is a failure, not a timeout"
        );
        assert!(e.entries()[0].error().is_some_and(CfError::is_throttled));
    }

    #[test]
    fn the_tenants_of_a_distribution_share_its_room() {
        let mut e = Engine::new(Policy::default());
        let ten: Vec<Vec<String>> = vec![(0..10).map(|i| format!("/w{i}/*")).collect()];
        let lists = [
            ("dt_a", ten.as_slice()),
            ("dt_b", ten.as_slice()),
            ("E9", ten.as_slice()),
        ];
        for b in plan("s", lists) {
            e.add(b, t(0), None);
        }
        e.share_quota("dt_a", "E1");
        e.share_quota("dt_b", "E1");
        // 10 wildcards each: the two tenants of E1 do not both fit its 15; E9 is its own.
        let sent: Vec<String> = e
            .due(t(0), nothing)
            .into_iter()
            .map(|b| b.distribution)
            .collect();
        assert_eq!(sent, ["dt_a", "E9"]);
        e.answer(
            "s-dt_a-1",
            Ok(inv(
                "I1",
                "s-dt_a-1",
                &ten[0],
                InvalidationStatus::InProgress,
            )),
            t(1),
        );
        assert_eq!(e.created_in_progress("dt_b").wildcards, 10, "dt_a's counts");
        assert_eq!(e.created_in_progress("E9").wildcards, 0);
        let room = e.created_in_progress("dt_b");
        assert!(e.due(t(1), |_| room).is_empty(), "dt_b waits for room");
        // dt_a's invalidation is followed, though only dt_b waits: its completion frees it.
        let polls = e.polls_due(t(3600), false);
        assert_eq!(polls, [("dt_a".to_string(), "I1".to_string())]);
        e.polled(
            "dt_a",
            "I1",
            Ok(inv(
                "I1",
                "s-dt_a-1",
                &ten[0],
                InvalidationStatus::Completed,
            )),
            t(3600),
        );
        assert_eq!(e.created_in_progress("dt_b"), InProgress::default());
        assert_eq!(e.due(t(3600), nothing)[0].distribution, "dt_b");
    }

    #[test]
    fn a_quota_refusal_holds_until_room_is_freed() {
        let mut e = Engine::new(Policy::default());
        let b = two_batches().remove(0);
        let r = b.caller_reference.clone();
        e.add(b, t(0), None);
        e.due(t(0), nothing);
        let full = CfError::TooManyInvalidationsInProgress {
            distribution: "E1".into(),
            detail: String::new(),
        };
        assert_eq!(e.answer(&r, Err(full), t(0)), Some(Event::Held));
        assert!(e.entries()[0].is_held());
        assert!(e.due(t(1), nothing).is_empty(), "held for a while");
        assert_eq!(e.next_due(false), Some(t(30)));
        e.quota_freed("E1");
        assert_eq!(e.due(t(1), nothing).len(), 1, "room freed: sent again");
    }

    #[test]
    fn a_batch_held_back_before_it_left_is_not_sent_when_stopped() {
        let mut e = Engine::new(Policy::default());
        for b in two_batches() {
            e.add(b, t(0), None);
        }
        let sent: Vec<String> = e
            .due(t(0), nothing)
            .iter()
            .map(|b| b.caller_reference.clone())
            .collect();
        assert_eq!(sent.len(), 1);
        e.held_back(&sent[0]);
        e.held_back("no-such-reference");
        e.stop();
        let outcomes: Vec<_> = e.entries().iter().map(Entry::outcome).collect();
        assert_eq!(outcomes, [Some(Outcome::NotSent), Some(Outcome::NotSent)]);
    }

    #[test]
    fn stopping_reports_every_batch() {
        let mut e = Engine::new(Policy::default());
        for b in two_batches() {
            e.add(b, t(0), None);
        }
        e.due(t(0), nothing);
        e.stop();
        let outcomes: Vec<_> = e.entries().iter().map(Entry::outcome).collect();
        assert_eq!(outcomes, [Some(Outcome::Unknown), Some(Outcome::NotSent)]);
        assert!(
            !e.entries().iter().any(Entry::failed),
            "stopped, not failed"
        );
        // A retry of the same submit tries them again.
        for b in two_batches() {
            e.add(b, t(1), None);
        }
        assert!(e.entries().iter().all(Entry::is_live));
        assert!(e.entries()[0].maybe_sent, "still may exist");
    }

    #[test]
    fn polls_follow_created_invalidations_until_they_complete() {
        let mut e = Engine::new(Policy::default());
        let b = two_batches().remove(0);
        let r = b.caller_reference.clone();
        e.add(b.clone(), t(0), None);
        e.due(t(0), nothing);
        e.answer(
            &r,
            Ok(inv("I1", &r, &b.paths, InvalidationStatus::InProgress)),
            t(0),
        );
        assert_eq!(
            e.created_in_progress("E1"),
            InProgress {
                files: 2,
                wildcards: 0
            }
        );
        assert!(e.polls_due(t(0), true).is_empty(), "not yet");
        let at = e.next_due(true).unwrap();
        assert!(at > t(0) && at <= t(3), "fast while young: {at}");
        assert_eq!(
            e.polls_due(at, true),
            [("E1".to_string(), "I1".to_string())]
        );
        let done = e.polled(
            "E1",
            "I1",
            Ok(inv("I1", &r, &b.paths, InvalidationStatus::Completed)),
            at,
        );
        assert!(done.is_some());
        assert!(e.all_completed());
        assert_eq!(e.created_in_progress("E1"), InProgress::default());
    }

    #[test]
    fn a_batch_waiting_for_room_follows_the_invalidations_ahead_of_it() {
        let mut e = Engine::new(Policy::default());
        let lists = vec![files(3000), files(10)];
        let batches = plan("s", [("E1", lists.as_slice())]);
        let r = batches[0].caller_reference.clone();
        for b in batches.clone() {
            e.add(b, t(0), None);
        }
        e.due(t(0), nothing);
        e.answer(
            &r,
            Ok(inv(
                "I1",
                &r,
                &batches[0].paths,
                InvalidationStatus::InProgress,
            )),
            t(0),
        );
        let room = |_: &str| InProgress {
            files: 3000,
            wildcards: 0,
        };
        assert!(e.due(t(0), room).is_empty(), "no room");
        let at = e.next_due(false).expect("a poll of I1 is due");
        assert!(at > t(0));
        assert_eq!(e.polls_due(at, false).len(), 1, "polled without --wait");
        assert!(
            e.next_due(false).is_none_or(|next| next > at),
            "nothing is due in the past while the poll is out"
        );
        e.polled(
            "E1",
            "I1",
            Ok(inv(
                "I1",
                &r,
                &batches[0].paths,
                InvalidationStatus::Completed,
            )),
            at,
        );
        assert_eq!(e.due(at, nothing).len(), 1, "the second batch goes");
        assert!(
            e.next_due(false).is_none(),
            "nothing to poll once nothing waits"
        );
    }

    #[test]
    fn the_poll_interval_is_fast_when_young_steady_later_and_backs_off() {
        let p = PollPolicy::default();
        let young = p.interval("I1", SignedDuration::from_secs(3), Backoff::default());
        assert!(young >= p.fast && young < p.fast + SignedDuration::from_millis(400));
        let old = p.interval("I1", SignedDuration::from_secs(300), Backoff::default());
        assert!(old <= p.steady && old > p.steady - SignedDuration::from_millis(400));
        let mut b = Backoff::default();
        b.throttled(t(0), p.steady, p.max);
        assert!(p.interval("I1", SignedDuration::from_secs(300), b) > old);
    }

    #[test]
    fn a_burst_of_throttles_doubles_once() {
        let t0 = t(0);
        let (base, max) = (SignedDuration::from_secs(5), SignedDuration::from_secs(60));
        let mut b = Backoff::default();
        for _ in 0..5 {
            b.throttled(t0, base, max);
        }
        assert_eq!(b.apply(base, max), SignedDuration::from_secs(10));
        // Throttled again after waiting the backed-off interval: doubled again.
        b.throttled(t0 + SignedDuration::from_secs(10), base, max);
        assert_eq!(b.apply(base, max), SignedDuration::from_secs(20));
        for i in 0..10 {
            b.throttled(t0 + SignedDuration::from_secs(100 * (i + 1)), base, max);
        }
        assert_eq!(b.apply(base, max), max, "never past the ceiling");
        for _ in 0..10 {
            b.relax();
        }
        assert_eq!(b.apply(base, max), base);
    }

    fn server_error() -> CfError {
        CfError::ServerError {
            status: 503,
            code: "ServiceUnavailable".into(),
            message: String::new(),
        }
    }

    fn quota_full(distribution: &str) -> CfError {
        CfError::TooManyInvalidationsInProgress {
            distribution: distribution.into(),
            detail: String::new(),
        }
    }

    fn ms(n: i64) -> SignedDuration {
        SignedDuration::from_millis(n)
    }

    fn secs(n: i64) -> SignedDuration {
        SignedDuration::from_secs(n)
    }

    fn full(_: &str) -> InProgress {
        InProgress {
            files: 3000,
            wildcards: 0,
        }
    }

    /// The first of `two_batches` queued at t(0) with `deadline`, and sent at t(0).
    fn one_sent(deadline: Option<Timestamp>) -> (Engine, String) {
        let mut e = Engine::new(Policy::default());
        let b = two_batches().remove(0);
        let r = b.caller_reference.clone();
        e.add(b, t(0), deadline);
        assert_eq!(e.due(t(0), nothing).len(), 1);
        (e, r)
    }

    fn outcomes(e: &Engine) -> Vec<Option<Outcome>> {
        e.entries().iter().map(Entry::outcome).collect()
    }

    #[test]
    fn outcomes_are_named_as_the_reports_print_them() {
        assert_eq!(Outcome::Created.as_str(), "created");
        assert_eq!(Outcome::Unknown.as_str(), "unknown");
        assert_eq!(Outcome::NotSent.as_str(), "not_sent");
    }

    #[test]
    fn retries_wait_1_2_4_8_then_10_seconds_and_go_exactly_when_due() {
        let (mut e, r) = one_sent(None);
        let mut now = t(0);
        for wait in [1, 2, 4, 8, 10, 10] {
            let Some(Event::Retrying { error, at }) = e.answer(&r, Err(server_error()), now) else {
                panic!("a 5xx is retried");
            };
            assert_eq!(error, server_error());
            assert_eq!(at, now + secs(wait), "after {wait} s");
            assert_eq!(e.next_send(), Some(at));
            assert!(!e.entries()[0].failed(), "still retrying: not failed");
            assert!(e.due(at - ms(1), nothing).is_empty(), "not before {at}");
            let again = e.due(at, nothing);
            assert_eq!(again.len(), 1, "due at {at}");
            assert_eq!(again[0].caller_reference, r);
            now = at;
        }
        let ok = e.answer(
            &r,
            Ok(inv("I1", &r, &files(2), InvalidationStatus::InProgress)),
            now,
        );
        assert!(matches!(ok, Some(Event::Created(_))));
        assert!(!e.entries()[0].failed(), "created in the end: not failed");
    }

    #[test]
    fn a_retry_due_at_or_past_the_deadline_gives_up_instead() {
        // Deadline t(3): the first retry (t(1)) comes before it, the second (t(1) + 2 s) at it.
        let (mut e, r) = one_sent(Some(t(3)));
        let first = e.answer(&r, Err(server_error()), t(0));
        assert!(matches!(first, Some(Event::Retrying { at, .. }) if at == t(1)));
        assert_eq!(e.due(t(1), nothing).len(), 1);
        assert_eq!(
            e.answer(&r, Err(server_error()), t(1)),
            Some(Event::GaveUp(server_error()))
        );
        assert_eq!(e.entries()[0].outcome(), Some(Outcome::Unknown));
        assert_eq!(e.entries()[0].error(), Some(&server_error()));
        assert!(e.entries()[0].failed());

        // A millisecond more and the second retry still goes, at t(3).
        let (mut e, r) = one_sent(Some(t(3) + ms(1)));
        e.answer(&r, Err(server_error()), t(0));
        e.due(t(1), nothing);
        assert_eq!(
            e.answer(&r, Err(server_error()), t(1)),
            Some(Event::Retrying {
                error: server_error(),
                at: t(3)
            })
        );
        assert_eq!(e.due(t(3), nothing).len(), 1);
    }

    #[test]
    fn only_answers_that_may_have_created_the_batch_make_it_maybe_sent() {
        let cases = [
            (
                CfError::Throttled {
                    detail: String::new(),
                },
                false,
            ),
            (
                CfError::Network {
                    detail: String::new(),
                },
                true,
            ),
            (
                CfError::Timeout {
                    detail: String::new(),
                },
                true,
            ),
            (server_error(), true),
        ];
        for (error, maybe) in cases {
            assert!(is_retryable(&error));
            let (mut e, r) = one_sent(None);
            let ev = e.answer(&r, Err(error.clone()), t(0));
            assert!(
                matches!(ev, Some(Event::Retrying { at, .. }) if at == t(1)),
                "{error:?} is retried: {ev:?}"
            );
            assert_eq!(e.entries()[0].maybe_sent, maybe, "{error:?}");
            assert_eq!(e.entries()[0].last_error.as_ref(), Some(&error));
            e.stop();
            let expected = if maybe {
                Outcome::Unknown
            } else {
                Outcome::NotSent
            };
            assert_eq!(e.entries()[0].outcome(), Some(expected), "{error:?}");
            assert_eq!(e.entries()[0].error(), Some(&error));
        }
        let other = CfError::Other {
            code: "InvalidArgument".into(),
            message: String::new(),
        };
        assert!(!is_retryable(&other));
        let (mut e, r) = one_sent(None);
        assert_eq!(
            e.answer(&r, Err(other.clone()), t(0)),
            Some(Event::GaveUp(other))
        );
        assert!(!e.entries()[0].maybe_sent);
        assert_eq!(e.entries()[0].outcome(), Some(Outcome::NotSent));
    }

    #[test]
    fn quota_freed_lets_go_only_the_held_batches_of_its_distribution() {
        let mut e = Engine::new(Policy::default());
        let one = [files(1)];
        let b = plan("s", [("E1", &one[..]), ("E2", &one[..]), ("E3", &one[..])]);
        for x in b.clone() {
            e.add(x, t(0), None);
        }
        assert!(!e.entries().iter().any(Entry::is_held), "queued, not held");
        assert_eq!(e.due(t(0), nothing).len(), 3);
        assert_eq!(
            e.answer(&b[0].caller_reference, Err(quota_full("E1")), t(0)),
            Some(Event::Held)
        );
        assert_eq!(
            e.answer(&b[1].caller_reference, Err(quota_full("E2")), t(0)),
            Some(Event::Held)
        );
        let lost = CfError::Timeout {
            detail: String::new(),
        };
        assert!(matches!(
            e.answer(&b[2].caller_reference, Err(lost), t(0)),
            Some(Event::Retrying { .. })
        ));
        let held: Vec<bool> = e.entries().iter().map(Entry::is_held).collect();
        assert_eq!(held, [true, true, false], "a retry is not held");
        assert_eq!(e.next_send(), Some(t(1)));

        e.quota_freed("E1");
        let sent: Vec<String> = e
            .due(t(0) + ms(500), nothing)
            .into_iter()
            .map(|b| b.distribution)
            .collect();
        assert_eq!(sent, ["E1"], "E2 still held, E3's retry not due yet");
        e.quota_freed("E3");
        assert_eq!(e.next_send(), Some(t(1)), "a retry keeps its time");
        assert!(e.due(t(0) + ms(500), nothing).is_empty());
    }

    #[test]
    fn a_held_batch_waits_the_policys_hold() {
        let policy = Policy {
            hold_after_quota: secs(7),
            ..Policy::default()
        };
        let mut e = Engine::new(policy);
        assert_eq!(e.policy(), &policy);
        let b = two_batches().remove(0);
        let r = b.caller_reference.clone();
        e.add(b, t(0), None);
        e.due(t(0), nothing);
        assert_eq!(e.answer(&r, Err(quota_full("E1")), t(0)), Some(Event::Held));
        assert_eq!(e.next_send(), Some(t(7)));
        assert!(e.due(t(7) - ms(1), nothing).is_empty());
        assert_eq!(e.due(t(7), nothing).len(), 1);
    }

    #[test]
    fn entries_are_found_by_reference_and_take_a_new_deadline() {
        let mut e = Engine::new(Policy::default());
        let b = two_batches();
        for x in b.clone() {
            e.add(x, t(0), None);
        }
        let (r1, r2) = (&b[0].caller_reference, &b[1].caller_reference);
        assert_eq!(e.entry(r2).map(|x| x.batch.number), Some(2));
        assert_eq!(e.entry(r1).map(|x| x.batch.number), Some(1));
        assert!(e.entry("cfdash-1-7-E1-3").is_none());

        e.set_deadline(r1, Some(t(2)));
        assert_eq!(e.entry(r1).unwrap().deadline, Some(t(2)));
        assert_eq!(e.entry(r2).unwrap().deadline, None);
        assert_eq!(e.next_send(), Some(t(2)));
        assert!(e.due(t(2), nothing).is_empty(), "not sent at its deadline");
        assert_eq!(e.expire(t(2)), [r1.as_str()]);
        assert_eq!(e.due(t(2), nothing)[0].caller_reference, *r2);
    }

    #[test]
    fn expire_gives_up_only_waiting_batches_whose_deadline_has_come() {
        let mut e = Engine::new(Policy::default());
        let one = [files(1)];
        let b = plan("s", [("E1", &one[..]), ("E2", &one[..]), ("E3", &one[..])]);
        e.add(b[0].clone(), t(0), Some(t(5)));
        e.add(b[1].clone(), t(0), None);
        e.add(b[2].clone(), t(0), Some(t(5)));
        // E3 is being sent; E1 and E2 wait for room.
        let sent = e.due(t(0), |d| if d == "E3" { nothing(d) } else { full(d) });
        assert_eq!(sent.len(), 1);
        assert_eq!(e.next_send(), Some(t(5)));
        assert!(e.expire(t(5) - ms(1)).is_empty());
        assert_eq!(outcomes(&e), [None, None, None]);
        assert_eq!(e.expire(t(5)), [b[0].caller_reference.clone()]);
        assert_eq!(outcomes(&e), [Some(Outcome::NotSent), None, None]);
        assert!(!e.entries()[0].failed(), "ran out of time: not failed");
        assert_eq!(e.entries()[2].state, State::Sending, "its answer decides");
        assert!(e.expire(t(100)).is_empty(), "nothing else expires");
    }

    #[test]
    fn drop_waiting_gives_up_the_waiting_batches_of_one_submission() {
        let mut e = Engine::new(Policy::default());
        let lists = [files(1), files(1)];
        let a = plan("a", [("E1", &lists[..])]);
        let b = plan("b", [("E2", &lists[..])]);
        for x in a.iter().chain(&b) {
            e.add(x.clone(), t(0), None);
        }
        assert_eq!(e.due(t(0), nothing).len(), 2);
        e.drop_waiting("a");
        assert_eq!(outcomes(&e), [None, Some(Outcome::NotSent), None, None]);
        assert_eq!(e.entries()[0].state, State::Sending);
        assert_eq!(e.len(), 3);
    }

    #[test]
    fn prune_forgets_finished_batches_unless_kept_and_never_live_ones() {
        let mut e = Engine::new(Policy::default());
        let lists = [files(1), files(1)];
        let one = [files(1)];
        let b = plan("s", [("E1", &lists[..]), ("E2", &one[..])]);
        for x in b.clone() {
            e.add(x, t(0), None);
        }
        assert_eq!(e.due(t(0), nothing).len(), 2);
        let r = &b[0].caller_reference;
        e.answer(
            r,
            Ok(inv("I1", r, &b[0].paths, InvalidationStatus::InProgress)),
            t(0),
        );
        let denied = CfError::AccessDenied {
            action: "CreateInvalidation".into(),
            detail: String::new(),
        };
        e.answer(&b[2].caller_reference, Err(denied), t(0));
        let refs = |e: &Engine| -> Vec<String> {
            e.entries()
                .iter()
                .map(|x| x.batch.caller_reference.clone())
                .collect()
        };
        e.prune(|x| x.created().is_some());
        assert_eq!(
            refs(&e),
            [b[0].caller_reference.clone(), b[1].caller_reference.clone()]
        );
        e.prune(|_| false);
        assert_eq!(
            refs(&e),
            [b[1].caller_reference.clone()],
            "the live one stays"
        );
    }

    #[test]
    fn len_is_empty_and_settled_count_only_live_batches() {
        let mut e = Engine::new(Policy::default());
        assert_eq!(e.len(), 0);
        assert!(e.is_empty() && e.settled());
        let b = two_batches();
        for x in b.clone() {
            e.add(x, t(0), None);
        }
        assert_eq!(e.len(), 2);
        assert!(!e.is_empty() && !e.settled());
        let r = &b[0].caller_reference;
        e.due(t(0), nothing);
        e.answer(
            r,
            Ok(inv("I1", r, &b[0].paths, InvalidationStatus::InProgress)),
            t(0),
        );
        assert_eq!(e.len(), 1);
        assert!(!e.is_empty() && !e.settled());
        e.due(t(0), nothing);
        assert_eq!(e.len(), 1, "being sent is live");
        let other = CfError::Other {
            code: "InvalidArgument".into(),
            message: String::new(),
        };
        e.answer(&b[1].caller_reference, Err(other), t(0));
        assert_eq!(e.len(), 0);
        assert!(e.is_empty() && e.settled());
        assert_eq!(e.entries().len(), 2, "finished batches are still reported");
    }

    #[test]
    fn next_due_counts_polls_only_when_they_are_wanted() {
        let (mut e, r) = one_sent(None);
        e.answer(
            &r,
            Ok(inv("I1", &r, &files(2), InvalidationStatus::InProgress)),
            t(0),
        );
        assert!(!e.all_completed());
        // Fast while young: 2 s and I1's jitter (239 ms).
        let at = t(0) + secs(2) + ms(239);
        assert_eq!(e.next_due(true), Some(at), "followed with --wait");
        assert_eq!(e.next_due(false), None, "nothing waits on E1");
        assert!(e.polls_due(t(100), false).is_empty());
        // A batch waiting on another distribution does not make E1's followed.
        let one = [files(1)];
        e.add(plan("s", [("E2", &one[..])]).remove(0), t(0), None);
        assert_eq!(e.next_due(false), None);
        assert!(e.polls_due(t(100), false).is_empty());

        assert!(e.polls_due(at - ms(1), true).is_empty());
        assert_eq!(
            e.polls_due(at, true),
            [("E1".to_string(), "I1".to_string())]
        );
        assert!(
            e.polls_due(at, true).is_empty(),
            "asked: not again until answered"
        );
        assert_eq!(e.next_due(true), None);

        // Another distribution's answer about an I1 is not this one's.
        let completed = inv("I1", &r, &files(2), InvalidationStatus::Completed);
        assert_eq!(e.polled("E2", "I1", Ok(completed.clone()), at), None);
        assert!(!e.all_completed());
        // Still in progress: no change, asked again after the interval (I1 is 2 s old).
        let same = inv("I1", &r, &files(2), InvalidationStatus::InProgress);
        assert_eq!(e.polled("E1", "I1", Ok(same), at), None);
        let next = at + secs(2) + ms(239);
        assert_eq!(e.next_due(true), Some(next));
        assert!(e.polls_due(at, true).is_empty());
        assert_eq!(e.polls_due(next, true).len(), 1);
        assert_eq!(
            e.polled("E1", "I1", Ok(completed.clone()), next),
            Some(completed)
        );
        assert!(e.all_completed());
        assert_eq!(e.next_due(true), None, "a completed one is not polled");
    }

    #[test]
    fn a_completion_seen_by_a_poll_lets_a_held_batch_go() {
        let mut e = Engine::new(Policy::default());
        let b = two_batches();
        for x in b.clone() {
            e.add(x, t(0), None);
        }
        let (r1, r2) = (&b[0].caller_reference, &b[1].caller_reference);
        e.due(t(0), nothing);
        let running = inv("I1", r1, &b[0].paths, InvalidationStatus::InProgress);
        e.answer(r1, Ok(running.clone()), t(0));
        e.due(t(0), nothing);
        assert_eq!(e.answer(r2, Err(quota_full("E1")), t(0)), Some(Event::Held));

        let at = e
            .next_due(false)
            .expect("I1 is polled: a batch waits on E1");
        assert!(at < t(30));
        assert_eq!(e.polls_due(at, false).len(), 1);
        assert_eq!(e.polled("E1", "I1", Ok(running), at), None);
        assert!(
            e.due(at, nothing).is_empty(),
            "still in progress: still held"
        );

        let at = e.next_due(false).unwrap();
        assert!(at < t(30));
        assert_eq!(e.polls_due(at, false).len(), 1);
        let done = inv("I1", r1, &b[0].paths, InvalidationStatus::Completed);
        assert!(e.polled("E1", "I1", Ok(done), at).is_some());
        assert_eq!(e.due(at, nothing).len(), 1, "its completion frees the hold");
    }

    #[test]
    fn a_followed_invalidation_is_polled_after_its_interval() {
        let mut e = Engine::new(Policy::default());
        let i = inv("I9", "elsewhere", &files(1), InvalidationStatus::InProgress);
        // Created at t(0), followed at t(100): steady, less I9's jitter (247 ms).
        e.follow("E1", i.clone(), t(100));
        assert_eq!(e.len(), 0, "nothing to send");
        assert!(e.settled() && !e.all_completed());
        let followed = e.entry("elsewhere").expect("followed");
        assert_eq!(followed.created(), Some(&i));
        assert_eq!(followed.outcome(), Some(Outcome::Created));
        let at = t(105) - ms(247);
        assert_eq!(e.next_due(true), Some(at));
        assert!(e.polls_due(t(100), true).is_empty());
        assert_eq!(
            e.polls_due(at, true),
            [("E1".to_string(), "I9".to_string())]
        );
    }

    #[test]
    fn the_poll_interval_turns_steady_at_30_s_exactly() {
        let p = PollPolicy::default();
        let calm = Backoff::default();
        assert_eq!(
            p.interval("I1", PollPolicy::YOUNG - ms(1), calm),
            p.fast + ms(239)
        );
        assert_eq!(
            p.interval("I1", PollPolicy::YOUNG, calm),
            p.steady - ms(239)
        );
    }

    #[test]
    fn relaxing_keeps_the_burst_window_until_the_level_is_back_to_zero() {
        let (base, max) = (secs(5), secs(60));
        let mut b = Backoff::default();
        b.throttled(t(0), base, max);
        b.throttled(t(10), base, max);
        assert_eq!(b.apply(base, max), secs(20));
        b.relax();
        assert_eq!(b.apply(base, max), secs(10));
        // Within 10 s of the last rise: the same burst.
        b.throttled(t(15), base, max);
        assert_eq!(b.apply(base, max), secs(10));
        b.relax();
        assert_eq!(b.apply(base, max), base);
        // Back to zero: the next throttle starts afresh at once.
        b.throttled(t(16), base, max);
        assert_eq!(b.apply(base, max), secs(10));
    }

    /// Adopted: CloudFront answered with an invalidation made before this process first
    /// sent the batch — more than a second before, unless an earlier run sent it (then any
    /// time before) or the journal says an earlier run made it (then always).
    #[test]
    fn adoption_is_told_by_the_create_time_or_the_journal() {
        let at = |ms: i64| Timestamp::from_millisecond(t(10).as_millisecond() + ms).unwrap();
        let answer = |made: Timestamp, mark: fn(&mut Engine, &str)| {
            let mut e = Engine::new(Policy::default());
            let b = two_batches().remove(0);
            let r = b.caller_reference.clone();
            e.add(b, t(0), None);
            mark(&mut e, &r);
            assert!(!e.entry(&r).unwrap().adopted(), "not before an answer");
            e.due(t(10), nothing);
            let mut made_inv = inv("I1", &r, &files(2), InvalidationStatus::InProgress);
            made_inv.create_time = made;
            e.answer(&r, Ok(made_inv), t(11));
            e.entry(&r).unwrap().adopted()
        };
        let plain: fn(&mut Engine, &str) = |_, _| {};
        let sent: fn(&mut Engine, &str) = |e, r| e.sent_before(r);
        let made: fn(&mut Engine, &str) = |e, r| e.created_before(r);
        // First sent at t(10).
        assert!(answer(at(-1001), plain), "made more than a second before");
        assert!(!answer(at(-1000), plain), "a second of slack");
        assert!(!answer(at(-500), plain));
        assert!(!answer(at(200), plain), "made by this send");
        assert!(
            answer(at(-500), sent),
            "an earlier run sent it: any time before"
        );
        assert!(!answer(at(0), sent));
        assert!(
            answer(at(500), made),
            "the journal says an earlier run made it"
        );
        // Given up, it is not adopted, whatever the journal says.
        let mut e = Engine::new(Policy::default());
        let b = two_batches().remove(0);
        let r = b.caller_reference.clone();
        e.add(b, t(0), None);
        e.created_before(&r);
        e.due(t(10), nothing);
        e.answer(
            &r,
            Err(CfError::AccessDenied {
                action: "CreateInvalidation".into(),
                detail: String::new(),
            }),
            t(11),
        );
        assert!(!e.entry(&r).unwrap().adopted());
    }
}
