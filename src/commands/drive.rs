//! The headless driver of the submission engine: it carries the engine's requests to
//! CloudFront, hands back the answers with the time, says on stderr what happened, and
//! stops on the deadline or a signal. The engine decides; this only carries and prints.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use jiff::{SignedDuration, Timestamp};
use tokio::signal::unix::{Signal, SignalKind, signal};

use super::cloud::Fail;
use crate::cloudfront::{CfResult, CloudFront, Invalidation};
use crate::engine::{Engine, Event};
use crate::paths::InProgress;
use crate::text::say;
use crate::timefmt;

/// A signal that ends a command; each has its exit code (128 + its number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Interrupt,
    Terminate,
    HangUp,
}

impl Stop {
    pub fn code(self) -> u8 {
        match self {
            Self::Interrupt => 130,
            Self::Terminate => 143,
            Self::HangUp => 129,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Self::Interrupt => "interrupted",
            Self::Terminate => "terminated",
            Self::HangUp => "hung up",
        }
    }
}

/// SIGINT, SIGTERM and SIGHUP, caught from the moment a command may create something, so
/// that it reports what it did before it exits (a CI system cancels a job with SIGTERM).
pub struct Signals {
    int: Signal,
    term: Signal,
    hup: Signal,
}

impl Signals {
    pub fn catch() -> Result<Self, Fail> {
        let make = |kind| signal(kind).map_err(|e| Fail::Aws(format!("cannot catch signals: {e}")));
        Ok(Self {
            int: make(SignalKind::interrupt())?,
            term: make(SignalKind::terminate())?,
            hup: make(SignalKind::hangup())?,
        })
    }

    pub async fn recv(&mut self) -> Stop {
        tokio::select! {
            _ = self.int.recv() => Stop::Interrupt,
            _ = self.term.recv() => Stop::Terminate,
            _ = self.hup.recv() => Stop::HangUp,
        }
    }
}

/// How a drive ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Everything sent and answered (and, when waiting, completed).
    Done,
    TimedOut,
    Stopped(Stop),
}

/// What a drive is about, for its messages.
pub struct Ctx<'a> {
    pub cf: &'a dyn CloudFront,
    /// Distribution id → how messages name it (id and name) …
    pub labels: &'a HashMap<String, String>,
    /// … and how progress lines name it (its name).
    pub names: &'a HashMap<String, String>,
    /// Follow every created invalidation until it completes (`--wait`).
    pub wait: bool,
    pub deadline: Timestamp,
    /// Where each batch is recorded before it is sent, and what became of it.
    pub journal: Option<&'a crate::journal::Link>,
}

enum Answer {
    Created(String, CfResult<Invalidation>),
    Polled(String, String, CfResult<Invalidation>),
}

/// Runs the engine until it settles (and, with `wait`, everything completed), the
/// deadline passes, or a signal comes; then stops whatever is unfinished, so every batch
/// has its outcome. Error sentences of batches given up go to `failures`.
pub async fn run(
    ctx: &Ctx<'_>,
    engine: &mut Engine,
    signals: &mut Signals,
    failures: &mut Vec<String>,
) -> Ended {
    let ended = {
        let work = drive(ctx, engine, failures);
        tokio::pin!(work);
        tokio::select! {
            ended = &mut work => ended,
            stop = signals.recv() => Ended::Stopped(stop),
        }
    };
    // Creates still waiting their turn at the account's pace never left: not sent.
    let held: Vec<String> = engine
        .entries()
        .iter()
        .filter(|e| matches!(e.state, crate::engine::State::Sending))
        .map(|e| e.batch.caller_reference.clone())
        .filter(|r| !ctx.cf.create_left(r))
        .collect();
    for reference in held {
        engine.held_back(&reference);
    }
    engine.stop();
    if let Some(j) = ctx.journal {
        j.record(engine.take_changes(), Timestamp::now());
        j.handle.finish();
    }
    if ctx.wait && std::io::stderr().is_terminal() {
        say("");
    }
    ended
}

async fn drive(ctx: &Ctx<'_>, engine: &mut Engine, failures: &mut Vec<String>) -> Ended {
    let cf = ctx.cf;
    let tty = ctx.wait && std::io::stderr().is_terminal();
    let started = Timestamp::now();
    let mut inflight: FuturesUnordered<BoxFuture<'_, Answer>> = FuturesUnordered::new();
    let mut said_held: Vec<String> = Vec::new();
    loop {
        let now = Timestamp::now();
        for reference in engine.expire(now) {
            if let Some(e) = engine.entry(&reference) {
                say(format!(
                    "{}: batch {}/{} not sent: the deadline passed",
                    label(ctx, &e.batch.distribution),
                    e.batch.number,
                    e.batch.of
                ));
            }
        }
        // Room is counted from this command's own invalidations only: those made elsewhere
        // may complete at any time, and CloudFront is the judge (a refusal holds the batch
        // until one of ours completes, or a while).
        let room: HashMap<String, InProgress> = ctx
            .labels
            .keys()
            .map(|d| (d.clone(), engine.created_in_progress(d)))
            .collect();
        let due = engine.due(now, |d| room.get(d).copied().unwrap_or_default());
        if let Some(j) = ctx.journal {
            // On disk before it is sent: a crash from here on leaves a batch to resume.
            j.record(engine.take_changes(), now);
            if !due.is_empty() {
                j.handle.flushed().await;
            }
            if j.key.is_some() && !due.is_empty() {
                // Another run with the same key recorded it first: that run's to create.
                let refs: Vec<String> = due.iter().map(|b| b.caller_reference.clone()).collect();
                let first = j.handle.read(move |jr| jr.recorded_elsewhere(&refs)).await;
                for reference in first.and_then(Result::ok).unwrap_or_default() {
                    engine.created_before(&reference);
                }
            }
        }
        for b in due {
            inflight.push(Box::pin(async move {
                let r = cf
                    .create_invalidation(&b.distribution, &b.paths, &b.caller_reference)
                    .await;
                Answer::Created(b.caller_reference, r)
            }));
        }
        for (d, id) in engine.polls_due(now, ctx.wait) {
            inflight.push(Box::pin(async move {
                let r = cf.get_invalidation(&d, &id).await;
                Answer::Polled(d, id, r)
            }));
        }
        if tty {
            progress(engine, started, now);
        }
        let finished = engine.settled() && (!ctx.wait || engine.all_completed());
        if finished && inflight.is_empty() {
            return Ended::Done;
        }
        if now >= ctx.deadline {
            return Ended::TimedOut;
        }
        let mut next = engine
            .next_due(ctx.wait)
            .map_or(ctx.deadline, |t| t.min(ctx.deadline));
        if tty {
            next = next.min(now + SignedDuration::from_millis(200)); // the spinner
        }
        // Never a busy loop, whatever is due: a signal must always get its turn.
        let sleep = tokio::time::sleep(until(now, next).max(std::time::Duration::from_millis(5)));
        let mut aborted = false;
        tokio::select! {
            Some(answer) = inflight.next(), if !inflight.is_empty() => {
                aborted = apply(ctx, engine, answer, failures, &mut said_held, tty);
            }
            _ = sleep => {}
        }
        if aborted {
            return Ended::Done;
        }
    }
}

pub fn until(now: Timestamp, at: Timestamp) -> std::time::Duration {
    std::time::Duration::try_from(at.duration_since(now)).unwrap_or_default()
}

fn label(ctx: &Ctx<'_>, distribution: &str) -> String {
    ctx.labels
        .get(distribution)
        .cloned()
        .unwrap_or_else(|| distribution.to_string())
}

/// Hands an answer to the engine and says what it did. True when a poll was refused for
/// good (access denied, say): waiting on cannot end well, so the drive stops.
fn apply(
    ctx: &Ctx<'_>,
    engine: &mut Engine,
    answer: Answer,
    failures: &mut Vec<String>,
    said_held: &mut Vec<String>,
    tty: bool,
) -> bool {
    let now = Timestamp::now();
    match answer {
        Answer::Created(reference, result) => {
            let Some(event) = engine.answer(&reference, result, now) else {
                return false;
            };
            let Some(e) = engine.entry(&reference) else {
                return false;
            };
            let (name, n, of) = (
                label(ctx, &e.batch.distribution),
                e.batch.number,
                e.batch.of,
            );
            match event {
                Event::Created(inv) if e.adopted() => say(format!(
                    "adopted {} on {name} (batch {n}/{of}): CloudFront made it at {:.0} under the same caller reference, nothing was created twice",
                    inv.id, inv.create_time
                )),
                Event::Created(inv) => say(format!(
                    "created {} on {name} (batch {n}/{of}, {} path{})",
                    inv.id,
                    e.batch.paths.len(),
                    if e.batch.paths.len() == 1 { "" } else { "s" }
                )),
                Event::Held => {
                    if !said_held.contains(&reference) {
                        say(format!(
                            "{name}: batch {n}/{of} waits: the in-progress quota is full"
                        ));
                        said_held.push(reference);
                    }
                }
                Event::Retrying { error, at } => say(format!(
                    "{name}: batch {n}/{of}: {error}; sending it again in {} under the same caller reference",
                    timefmt::short_duration(at.duration_since(now))
                )),
                Event::GaveUp(error) => {
                    let sentence = format!("{name}: batch {n}/{of}: {error}");
                    say(&sentence);
                    failures.push(sentence);
                }
            }
        }
        Answer::Polled(d, id, result) => {
            if let Err(e) = &result
                && !crate::engine::is_retryable(e)
            {
                let sentence = format!("{}: {id}: {e}", label(ctx, &d));
                say(&sentence);
                failures.push(sentence);
                return true;
            }
            if let Some(inv) = engine.polled(&d, &id, result, now)
                && !tty
            {
                say(format!(
                    "{now} {} on {}: {} (took ≤ {})",
                    inv.id,
                    ctx.names.get(&d).map_or(d.as_str(), String::as_str),
                    inv.status,
                    timefmt::short_duration(now.duration_since(inv.create_time))
                ));
            }
        }
    }
    false
}

/// One live line on a terminal: how many completed, for how long.
fn progress(engine: &Engine, started: Timestamp, now: Timestamp) {
    let created: Vec<_> = engine
        .entries()
        .iter()
        .filter_map(|e| e.created())
        .collect();
    let done = created
        .iter()
        .filter(|i| !i.status.is_in_progress())
        .count();
    let _ = write!(
        std::io::stderr(),
        "\r\x1b[K{} {done} of {} completed · {}",
        timefmt::spinner(now.as_millisecond() / 100),
        engine.entries().len(),
        timefmt::short_duration(now.duration_since(started))
    );
}
