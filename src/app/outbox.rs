//! The app's side of the submission engine (`crate::engine`, held as `App::outbox`): a
//! confirmed form becomes batches with fixed CallerReferences; the engine says what to
//! send and what an answer means; this turns that into requests, rows ("queued 2/3"),
//! notices and the form's outcome. An unknown outcome is retried under the same reference
//! while the form waits; batches the quotas have no room for wait in the queue as long as
//! it takes, and a quit asks before dropping them.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};

use super::form::Submission;
use super::{App, Dialog, Effect, InvKey, NoticeKind, Poll, Remote, Request, Slot};
use crate::cloudfront::{CfError, Invalidation, InvalidationStatus, InvalidationSummary};
use crate::engine::{self, Batch, Event, Outcome, State};
use crate::paths::InProgress;

/// How long a submit the form waits for is retried after an unknown outcome (a lost
/// answer, a timeout, a 5xx) or a throttle before the form shows the error.
const FORM_RETRIES_FOR: SignedDuration = SignedDuration::from_secs(30);

impl App {
    /// The submit is confirmed: fix its references (or reuse those of the failed attempt
    /// at the same text), put its batches in the outbox, and send what fits now.
    pub(super) fn confirm(&mut self, fx: &mut Vec<Effect>) {
        let plans = self.form_plans();
        let seq = self.requests.next_seq();
        let fresh_id = engine::submission_id(self.now, &self.requests.instance, seq);
        let Some(form) = self.screen.form_mut() else {
            return;
        };
        let text = form.editor.text();
        let submission = match &mut form.submission {
            // A retry of the same text sends the same references again.
            Some(s) if s.text == text && s.drop_covered == form.drop_covered => s,
            slot => {
                let lists = plans
                    .iter()
                    .map(|tp| (tp.distribution.as_str(), tp.plan.batches.as_slice()));
                let batches = engine::plan(&fresh_id, lists);
                slot.insert(Submission {
                    id: fresh_id,
                    text,
                    drop_covered: form.drop_covered,
                    targets: form.targets.clone(),
                    batches,
                    created: BTreeMap::new(),
                })
            }
        };
        let id = submission.id.clone();
        let targets = form.targets.clone();
        form.failures.clear();
        form.held = 0;
        form.awaiting = true;
        let waiting: Vec<Batch> = submission
            .batches
            .iter()
            .filter(|b| !submission.created.contains_key(&b.caller_reference))
            .cloned()
            .collect();
        // While the form waits, an unknown outcome is retried for a while; then the
        // operator has the form back (C-s sends the same references again).
        let deadline = Some(self.now + FORM_RETRIES_FOR);
        for batch in waiting {
            self.outbox.add(batch, self.now, deadline);
        }
        let sent = self.pump(fx);
        let held = self
            .outbox
            .entries()
            .iter()
            .filter(|e| e.batch.submission == id && matches!(e.state, State::Waiting { .. }))
            .count();
        if let Some(form) = self.screen.form_mut() {
            form.sending = sent
                .into_iter()
                .filter(|b| b.submission == id)
                .map(|b| b.caller_reference)
                .collect();
            form.held = held;
        }
        self.keep_queued(&id);
        for dist in targets {
            self.sync_queued_rows(&dist);
        }
        self.check_submit_done(fx);
    }

    /// Batches of `submission` the form does not wait for are the background queue's:
    /// they wait for room as long as it takes.
    fn keep_queued(&mut self, submission: &str) {
        let awaited: BTreeSet<String> = self.form().map(|f| f.sending.clone()).unwrap_or_default();
        let queued: Vec<String> = self
            .outbox
            .entries()
            .iter()
            .filter(|e| e.batch.submission == submission && e.is_live())
            .map(|e| e.batch.caller_reference.clone())
            .filter(|r| !awaited.contains(r))
            .collect();
        for reference in queued {
            self.outbox.set_deadline(&reference, None);
        }
    }

    /// Sends, for every distribution with batches waiting, the first one if nothing of it is
    /// being sent and the quotas have room. Returns the batches sent.
    pub(super) fn pump(&mut self, fx: &mut Vec<Effect>) -> Vec<Batch> {
        self.expire_outbox(fx);
        // A tenant's batches count against its distribution's quotas, with its other
        // tenants' (the safe side: AWS does not say whether tenants have their own).
        // Only targets with a batch waiting can send: after a fan-out goes out, its answers
        // come one by one, and each pumps.
        let targets: BTreeSet<String> = self
            .outbox
            .entries()
            .iter()
            .filter(|e| matches!(e.state, State::Waiting { .. }))
            .map(|e| e.batch.distribution.clone())
            .collect();
        if targets.is_empty() {
            return Vec::new();
        }
        let targets: Vec<String> = targets.into_iter().collect();
        let owners = self.owners_of(&targets);
        // What is in progress, once per owner (a fan-out to thousands of tenants of one
        // distribution counts it once).
        let mut by_owner: BTreeMap<&String, InProgress> = BTreeMap::new();
        let mut rooms: BTreeMap<String, InProgress> = BTreeMap::new();
        for (target, owner) in targets.iter().zip(&owners) {
            if target != owner {
                self.outbox.share_quota(target, owner);
            }
            let used = *by_owner
                .entry(owner)
                .or_insert_with(|| self.in_progress_on(owner));
            rooms.insert(target.clone(), used);
        }
        let sent = self
            .outbox
            .due(self.now, |d| rooms.get(d).copied().unwrap_or_default());
        for batch in &sent {
            self.request(
                Slot::Create(batch.caller_reference.clone()),
                Request::CreateInvalidation {
                    distribution: batch.distribution.clone(),
                    paths: batch.paths.clone(),
                    caller_reference: batch.caller_reference.clone(),
                },
                fx,
            );
        }
        sent
    }

    /// Batches whose time ran out before they could be sent again (no room came in time).
    fn expire_outbox(&mut self, fx: &mut Vec<Effect>) {
        let gone = self.outbox.expire(self.now);
        if gone.is_empty() {
            return;
        }
        for reference in &gone {
            let error = self
                .outbox
                .entry(reference)
                .and_then(|e| e.error().map(ToString::to_string))
                .unwrap_or_else(|| "no answer from CloudFront in time".into());
            if let Some(f) = self.screen.form_mut()
                && f.sending.remove(reference)
            {
                f.failures.push(error);
            }
        }
        self.prune_outbox();
        self.check_submit_done(fx);
    }

    /// The question before a quit drops the batches not sent: "2 batches (3,400 paths) not
    /// sent — quit anyway?"
    pub fn quit_question(&self) -> String {
        let batches = self.outbox.len();
        let paths: usize = self
            .outbox
            .entries()
            .iter()
            .filter(|e| e.is_live())
            .map(|e| e.batch.paths.len())
            .sum();
        let tail = if self.memory.enabled {
            "kept for the next start — quit?"
        } else {
            "quit anyway?"
        };
        format!(
            "{batches} batch{} ({} path{}) not sent — {tail}",
            if batches == 1 { "" } else { "es" },
            crate::timefmt::thousands(paths),
            if paths == 1 { "" } else { "s" }
        )
    }

    /// Writes to the log each batch a quit (or a signal) drops: its distribution,
    /// reference and paths, so nothing goes without a trace.
    pub fn log_unsent(&self, why: &str) {
        log_dropped(self.outbox.entries(), why, self.memory.enabled);
    }

    /// When the outbox next has something to try again.
    pub(super) fn outbox_due(&self) -> Option<Timestamp> {
        self.outbox.next_send()
    }

    /// CloudFront answered a create.
    pub(super) fn on_created(
        &mut self,
        reference: &str,
        result: Result<Invalidation, CfError>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(event) = self.outbox.answer(reference, result, self.now) else {
            return;
        };
        let Some(entry) = self.outbox.entry(reference) else {
            return;
        };
        let batch = entry.batch.clone();
        let outcome = entry.outcome();
        // Its target's part of the month's count, counted again.
        self.session.backfill.touch_detail(&batch.distribution);
        let in_form = self.form().is_some_and(|f| f.sending.contains(reference));
        let name = self.distribution_name(&batch.distribution);
        match event {
            Event::Created(inv) => {
                let key = InvKey::new(&batch.distribution, &inv.id);
                if let Some(s) = self.screen.form_mut().and_then(|f| f.submission.as_mut())
                    && s.id == batch.submission
                {
                    s.created.insert(reference.to_string(), key.clone());
                }
                let adopted = self.outbox.entry(reference).is_some_and(|e| e.adopted());
                let created_at = crate::timefmt::local(&self.tz, inv.create_time);
                self.add_created(&batch.distribution, inv);
                if adopted {
                    self.notify(
                        NoticeKind::Success,
                        format!(
                            "adopted {} on {name}, made at {created_at} by an earlier run: nothing made twice",
                            key.id
                        ),
                    );
                } else if !in_form {
                    self.notify(
                        NoticeKind::Success,
                        format!(
                            "sent queued batch {}/{} to {name}: {}",
                            batch.number, batch.of, key.id
                        ),
                    );
                }
            }
            Event::Held => {
                // Not a failure: the quota is full (with invalidations cfdash did not know
                // the paths of). It waits in the queue until one completes, or a while.
                self.outbox.set_deadline(reference, None);
                if in_form && let Some(f) = self.screen.form_mut() {
                    f.held += 1;
                }
            }
            Event::Retrying { error, .. } => {
                // Sent again under the same reference when due; the form keeps waiting.
                if !in_form {
                    self.notify_error(&error);
                }
            }
            Event::GaveUp(error) if in_form => {
                // The form shows it and the operator retries with the same references.
                if let Some(f) = self.screen.form_mut() {
                    let maybe = if outcome == Some(Outcome::Unknown) {
                        " (it may have been created: C-s adopts it)"
                    } else {
                        ""
                    };
                    f.failures.push(if f.targets.len() > 1 {
                        format!("{name}: {error}{maybe}")
                    } else {
                        format!("{error}{maybe}")
                    });
                }
            }
            Event::GaveUp(error) => {
                let tail = if outcome == Some(Outcome::Unknown) {
                    format!(" (it may exist: caller reference {reference})")
                } else {
                    String::new()
                };
                tracing::warn!(reference, %error, "a queued batch was given up");
                self.notify(
                    NoticeKind::Error,
                    format!(
                        "queued batch {}/{} for {name} was not sent: {error}{tail}",
                        batch.number, batch.of
                    ),
                );
            }
        }
        let answered = self
            .outbox
            .entry(reference)
            .is_none_or(|e| !matches!(e.state, State::Waiting { held: false, .. }));
        if answered && let Some(f) = self.screen.form_mut() {
            f.sending.remove(reference);
        }
        self.prune_outbox();
        self.sync_queued_rows(&batch.distribution);
        if in_form {
            self.check_submit_done(fx);
        }
        self.pump(fx);
    }

    /// Forgets batches that are done with, except the open form's (a retry of the form
    /// sends its given-up batches again).
    fn prune_outbox(&mut self) {
        let form = self
            .form()
            .and_then(|f| f.submission.as_ref())
            .map(|s| s.id.clone());
        self.outbox
            .prune(|e| form.as_deref() == Some(e.batch.submission.as_str()));
    }

    /// Every batch of the submit that could be sent has been answered: close the form on
    /// success, or keep it open with the text and the error.
    fn check_submit_done(&mut self, fx: &mut Vec<Effect>) {
        let Some(form) = self.screen.form_mut() else {
            return;
        };
        if !form.awaiting || !form.sending.is_empty() {
            return;
        }
        // Awaiting answers means a submit was confirmed.
        let Some(submission) = form.submission.clone() else {
            return;
        };
        form.awaiting = false;
        if !form.failures.is_empty() {
            // Hold nothing back for a submit that failed: a retry sends it all again, in
            // order, under the same references.
            self.outbox.drop_waiting(&submission.id);
            let created = submission.created.len();
            let failures = std::mem::take(&mut form.failures);
            let mut text = failures[0].clone();
            if created > 0 {
                text = format!(
                    "{created} of {} invalidations created; the rest failed: {text}",
                    submission.batches.len()
                );
            }
            form.error = Some(format!("{text} — C-s retries (nothing is created twice)"));
            if self.mode().confirming() {
                self.screen.set_dialog(Dialog::Editing);
            }
            for dist in &submission.targets {
                self.sync_queued_rows(dist);
            }
            return;
        }
        let held = self
            .outbox
            .entries()
            .iter()
            .filter(|e| e.batch.submission == submission.id && e.is_live())
            .count();
        self.close_form(fx);
        self.prune_outbox();
        for dist in &submission.targets {
            self.session.marked.remove(dist);
        }
        // Show the new invalidations: the first target's, selected.
        let first = submission.created.values().next().cloned();
        let target = first
            .as_ref()
            .map_or(&submission.targets[0], |k| &k.distribution)
            .clone();
        if let Some(all) = self.session.distributions.data()
            && let Some(pos) = self.session.view.iter().position(|&i| all[i].id == target)
        {
            self.select_distribution(pos, fx);
            self.set_focus(super::Pane::Invalidations);
            let row = first
                .as_ref()
                .and_then(|k| self.invalidation_rows().iter().position(|r| r.id == k.id));
            self.select_invalidation(row.unwrap_or(0), fx);
        }
        let created: Vec<String> = submission.created.values().map(|k| k.id.clone()).collect();
        let batches = |n: usize| format!("{n} batch{}", if n == 1 { "" } else { "es" });
        let text = match (created.len(), held) {
            (0, held) => format!(
                "{} queued: sent in order as the invalidations in progress complete",
                batches(held)
            ),
            (1, 0) => format!(
                "created {} on {} — watching, cfdash rings when it completes",
                created[0],
                self.distribution_name(&target)
            ),
            (n, 0) => format!(
                "created {n} invalidations ({}) — watching, cfdash rings when they complete",
                created.join(", ")
            ),
            (n, held) => format!(
                "created {} ({}); {} queued until there is room — watching",
                if n == 1 {
                    "1 invalidation".to_string()
                } else {
                    format!("{n} invalidations")
                },
                created.join(", "),
                batches(held)
            ),
        };
        self.notify(NoticeKind::Success, text);
    }

    /// A new invalidation goes to the top of its distribution's list, watched and polled.
    fn add_created(&mut self, dist: &str, inv: Invalidation) {
        let key = InvKey::new(dist, &inv.id);
        let summary = InvalidationSummary {
            id: inv.id.clone(),
            status: inv.status.clone(),
            create_time: inv.create_time,
        };
        let in_progress = inv.status.is_in_progress();
        let at = self.now;
        self.session
            .details
            .insert(key.clone(), Remote::Ready { data: inv, at });
        if in_progress {
            self.watch.watched.insert(key.clone());
            self.session.polls.entry(key.clone()).or_insert(Poll {
                create_time: summary.create_time,
                next_at: at + self.settings.poll_fast,
            });
        }
        let keep = self.kept_selection(dist);
        if let Some(entry) = self.session.invalidations.get_mut(dist)
            && let Remote::Ready { data, .. } = &mut entry.list
            && !data.iter().any(|r| r.id == summary.id)
        {
            let at = data
                .iter()
                .position(|r| r.status != InvalidationStatus::Queued)
                .unwrap_or(data.len());
            data.insert(at, summary);
        }
        self.restore_selection(dist, keep);
    }

    /// The row id a queued batch shows.
    pub fn queued_row_id(&self, batch: &Batch) -> String {
        format!("queued {}/{}", batch.number, batch.of)
    }

    /// The queued batches of a distribution lead its list, as "Queued" rows.
    pub(super) fn sync_queued_rows(&mut self, dist: &str) {
        let rows = self.queued_rows(dist);
        let keep = self.kept_selection(dist);
        if let Some(entry) = self.session.invalidations.get_mut(dist)
            && let Remote::Ready { data, .. } = &mut entry.list
        {
            data.retain(|r| r.status != InvalidationStatus::Queued);
            data.splice(0..0, rows);
        }
        self.restore_selection(dist, keep);
        self.redraw.dirty = true;
    }

    /// Queued rows of the outbox for a fresh listing of `dist`.
    pub(super) fn queued_rows(&self, dist: &str) -> Vec<InvalidationSummary> {
        self.outbox
            .entries()
            .iter()
            .filter(|e| e.is_live() && e.batch.distribution == dist)
            .map(|e| InvalidationSummary {
                id: self.queued_row_id(&e.batch),
                status: InvalidationStatus::Queued,
                create_time: e.queued_at,
            })
            .collect()
    }

    fn kept_selection(&self, dist: &str) -> Option<String> {
        (self.selected_distribution().map(|d| d.id.as_str()) == Some(dist))
            .then(|| self.selected_invalidation().map(|k| k.id))
            .flatten()
    }

    fn restore_selection(&mut self, dist: &str, keep: Option<String>) {
        if let Some(id) = keep
            && self.selected_distribution().map(|d| d.id.as_str()) == Some(dist)
            && let Some(pos) = self.invalidation_rows().iter().position(|r| r.id == id)
        {
            self.session.inv_scroll.selected = pos;
            self.clamp_all();
        }
    }

    /// An invalidation on `dist` completed: batches held by the quota may try now.
    pub(super) fn quota_freed(&mut self, dist: &str) {
        self.outbox.quota_freed(dist);
    }
}

/// Logs each live batch of `entries` as dropped, or as `kept` in the journal for the next
/// start (see `App::log_unsent`); the runtime also calls it with the copy it keeps for a
/// hang-up, which cannot reach the app.
pub fn log_dropped(entries: &[engine::Entry], why: &str, kept: bool) {
    let what = if kept {
        "a batch not sent is kept in the journal for the next start"
    } else {
        "a batch not sent was dropped"
    };
    for e in entries.iter().filter(|e| e.is_live()) {
        let b = &e.batch;
        tracing::warn!(
            why,
            distribution = %b.distribution,
            batch = b.number,
            of = b.of,
            caller_reference = %b.caller_reference,
            sending = e.state == State::Sending,
            paths = ?b.paths,
            "{what}"
        );
    }
}
