//! What the app remembers across runs, through the journal (`crate::journal`): the last
//! known state shown at start, batches left unsent by an earlier run (offered: resume,
//! drop, look), watches that survive a restart (and completions that happened while
//! cfdash was closed), and the log of notices. The runtime records; this decides.

use std::collections::HashSet;

use jiff::Timestamp;

use super::{App, Effect, InvKey, NoticeKind, Poll, Remote, Screen};
use crate::cloudfront::InvalidationStatus;
use crate::journal::{LoggedNotice, Snapshot, StoredBatch};

/// The most notices the log keeps in memory (the journal keeps them all, for a while).
pub const LOG_MAX: usize = 500;

/// A question to the journal's thread; the answer comes back as an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalOp {
    /// The last known state of a profile, with `limit` invalidations per distribution
    /// (`Action::Restored`).
    Restore { profile: String, limit: usize },
    /// Every cached detail of a profile (`Action::CachedDetails`).
    Details { profile: String },
    /// Take these batches to send them (`Action::Claimed`).
    Claim(Vec<String>),
    /// Mark these batches dropped.
    Drop(Vec<String>),
}

#[derive(Debug, Default)]
pub struct Memory {
    /// A journal is kept: what is not sent at a quit stays for the next start.
    pub enabled: bool,
    /// Notices of this run and the last ones of earlier runs, oldest first.
    pub log: Vec<LoggedNotice>,
    /// Notices not yet handed to the journal.
    pub unsaved: Vec<LoggedNotice>,
    /// Batches an earlier run left unsent, offered to resume once the profile's first
    /// listing shows it still reaches their account.
    pub offered: Vec<StoredBatch>,
    /// How many of them were asked for on resume (the journal's answer says how many this
    /// process got).
    pub claiming: usize,
    /// The account they were made in (empty: not known).
    pub offered_account: String,
    /// The account the profile's listing showed (`Some("")`: listed, no ARN to tell).
    pub live_account: Option<String>,
    /// The distributions shown come from the journal, listed then; cleared by a listing.
    pub restored_at: Option<Timestamp>,
    /// Watches restored at start, not yet seen since: a completion is "while you were away".
    pub away: HashSet<InvKey>,
    /// The profiles whose last known state was asked for.
    pub asked: HashSet<String>,
    /// The profiles whose cached details were asked for, and those whose answer came.
    pub details_asked: HashSet<String>,
    pub details_loaded: HashSet<String>,
    /// The notices view's first row.
    pub scroll: usize,
}

impl Memory {
    pub fn log(&mut self, kind: NoticeKind, text: &str, at: Timestamp) {
        let entry = LoggedNotice {
            at,
            kind: match kind {
                NoticeKind::Info => "info",
                NoticeKind::Success => "success",
                NoticeKind::Error => "error",
            }
            .into(),
            text: text.to_string(),
        };
        if self.enabled {
            self.unsaved.push(entry.clone());
        }
        self.log.push(entry);
        if self.log.len() > LOG_MAX {
            let extra = self.log.len() - LOG_MAX;
            self.log.drain(..extra);
        }
    }
}

impl App {
    /// The last known state of `profile` from the journal: shown (marked stale) until the
    /// first listing answers; its watches polled again; its unsent batches offered.
    pub fn restore(&mut self, profile: &str, snap: Snapshot) {
        if profile != self.profile {
            return;
        }
        let now = self.now;
        for (dist, (header, modified)) in snap.cache_tags {
            let state = super::tenants::TagState::Known { header, modified };
            self.session.cache_tags.entry(dist).or_insert(state);
        }
        if self.session.distributions.data().is_none() && !snap.distributions.is_empty() {
            let at = snap.listed_at.unwrap_or(now);
            let list = self.pinned(snap.distributions);
            self.session.distributions = Remote::Ready { data: list, at };
            // Listed by an earlier run: never "listed this sweep", whatever the journal
            // knows of when.
            let listed = snap.listed_at.unwrap_or(jiff::Timestamp::MIN);
            for (dist, list) in snap.invalidations {
                let session = &mut self.session;
                session.backfill.listed(&dist, &list, &session.details);
                let entry = session.invalidations.entry(dist).or_default();
                if entry.list.data().is_none() {
                    entry.list = Remote::Ready {
                        data: list,
                        at: listed,
                    };
                }
            }
            self.memory.restored_at = Some(at);
            self.rebuild_view(None);
        }
        for (dist, id, took) in snap.took {
            self.session
                .took
                .entry(InvKey::new(dist, id))
                .or_insert(took);
        }
        for w in snap.watches {
            let key = InvKey::new(&w.distribution, &w.id);
            if self.watch.watched.insert(key.clone()) {
                self.memory.away.insert(key.clone());
                self.session.polls.entry(key).or_insert(Poll {
                    create_time: w.create_time,
                    next_at: now,
                });
            }
        }
        if self.memory.log.is_empty() {
            self.memory.log = snap.notices;
        }
        // Batches this run already holds are not offered again.
        let offered: Vec<StoredBatch> = snap
            .unsettled
            .into_iter()
            .filter(|b| self.outbox.entry(&b.batch.caller_reference).is_none())
            .collect();
        if !offered.is_empty() {
            self.memory.offered = offered;
            self.memory.offered_account = snap.account;
            self.offer_unsent();
        }
        self.redraw.dirty = true;
    }

    /// Asks about the batches an earlier run left unsent, once the listing showed the
    /// profile still reaches their account (credentials changed since would send them to
    /// another one) and the dashboard has the keyboard.
    pub(super) fn offer_unsent(&mut self) {
        let Some(live) = self.memory.live_account.clone() else {
            return; // not listed yet
        };
        if self.memory.offered.is_empty() {
            return;
        }
        let made_in = &self.memory.offered_account;
        if !made_in.is_empty() && !live.is_empty() && *made_in != live {
            let n = std::mem::take(&mut self.memory.offered).len();
            tracing::warn!(made_in = %made_in, now = %live, batches = n, "unsent batches of another account are not offered");
            let text = format!(
                "{n} unsent batch{} of account {made_in} not offered: profile {} now reaches account {live}",
                if n == 1 { "" } else { "es" },
                self.profile
            );
            self.notify(NoticeKind::Error, text);
            return;
        }
        if matches!(self.screen, Screen::Dashboard) {
            self.screen = Screen::Resume { look: false };
            self.redraw.dirty = true;
        }
    }

    /// "2 batches not sent from yesterday 17:42 (3 paths)", or, for batches sent with no
    /// answer, "1 batch sent today 09:12 with no answer (3 paths): resuming adopts it if
    /// CloudFront has it".
    pub fn offered_summary(&self) -> String {
        let b = &self.memory.offered;
        let Some(first) = b.iter().map(|s| s.queued_at).min() else {
            return String::new();
        };
        let plural = |n: usize, one: &str, many: &str| {
            format!(
                "{} {}",
                crate::timefmt::thousands(n),
                if n == 1 { one } else { many }
            )
        };
        let paths: usize = b.iter().map(|s| s.batch.paths.len()).sum();
        let unknown = b
            .iter()
            .filter(|s| s.state != crate::journal::BatchState::Waiting)
            .count();
        let when = crate::timefmt::day_and_time(&self.tz, self.now, first);
        let paths = plural(paths, "path", "paths");
        match (b.len() - unknown, unknown) {
            (_, 0) => format!(
                "{} not sent from {when} ({paths})",
                plural(b.len(), "batch", "batches")
            ),
            (0, n) => format!(
                "{} sent {when} with no answer ({paths}): resuming adopts {} CloudFront has",
                plural(n, "batch", "batches"),
                if n == 1 { "it if" } else { "each one" }
            ),
            (waiting, n) => format!(
                "{} from {when} ({paths}): {waiting} not sent, {n} sent with no answer (resuming adopts what CloudFront has)",
                plural(b.len(), "batch", "batches")
            ),
        }
    }

    /// Resume: take the offered batches (the journal's thread answers with `Claimed`).
    pub(super) fn resume_offered(&mut self, fx: &mut Vec<Effect>) {
        // Out of the offer at once: until the journal answers, the next tick must not ask
        // again.
        let offered = std::mem::take(&mut self.memory.offered);
        self.memory.claiming = offered.len();
        let refs = offered
            .iter()
            .map(|b| b.batch.caller_reference.clone())
            .collect();
        fx.push(Effect::Journal(JournalOp::Claim(refs)));
        self.screen = Screen::Dashboard;
        self.redraw.dirty = true;
    }

    /// Drop: the offered batches are not sent; the journal keeps them as dropped.
    pub(super) fn drop_offered(&mut self, fx: &mut Vec<Effect>) {
        let offered = std::mem::take(&mut self.memory.offered);
        let refs: Vec<String> = offered
            .iter()
            .map(|b| b.batch.caller_reference.clone())
            .collect();
        for b in &offered {
            tracing::warn!(
                distribution = %b.batch.distribution,
                caller_reference = %b.batch.caller_reference,
                paths = ?b.batch.paths,
                "an unsent batch of an earlier run was dropped"
            );
        }
        fx.push(Effect::Journal(JournalOp::Drop(refs)));
        self.screen = Screen::Dashboard;
        self.notify(
            NoticeKind::Info,
            format!(
                "dropped {} batch{} of an earlier run (the log lists their paths)",
                offered.len(),
                if offered.len() == 1 { "" } else { "es" }
            ),
        );
    }

    /// Later: nothing is sent now; the next start asks again.
    pub(super) fn postpone_offered(&mut self) {
        let n = std::mem::take(&mut self.memory.offered).len();
        self.screen = Screen::Dashboard;
        self.notify(
            NoticeKind::Info,
            format!(
                "{n} batch{} of an earlier run left for later: cfdash offers {} again at the next start",
                if n == 1 { "" } else { "es" },
                if n == 1 { "it" } else { "them" }
            ),
        );
    }

    /// The journal gave this process the batches: they join the queue, in order, under
    /// their own caller references (one CloudFront already has is adopted).
    pub fn on_claimed(&mut self, taken: Vec<StoredBatch>, fx: &mut Vec<Effect>) {
        let asked = std::mem::take(&mut self.memory.claiming);
        let n = taken.len();
        let mut dists = Vec::new();
        for stored in taken {
            let dist = stored.batch.distribution.clone();
            let reference = stored.batch.caller_reference.clone();
            self.outbox.add(stored.batch, self.now, None);
            if stored.sent_at.is_some() {
                self.outbox.sent_before(&reference);
            }
            if !dists.contains(&dist) {
                dists.push(dist);
            }
        }
        for dist in &dists {
            self.sync_queued_rows(dist);
        }
        let mut text = format!(
            "resumed {n} batch{} under {} own caller reference{}: what CloudFront already has is adopted, not made twice",
            if n == 1 { "" } else { "es" },
            if n == 1 { "its" } else { "their" },
            if n == 1 { "" } else { "s" }
        );
        if n < asked {
            text.push_str(&format!("; {} taken by another cfdash first", asked - n));
        }
        self.notify(NoticeKind::Success, text);
        self.pump(fx);
    }

    /// A restored watch was polled: a completion is "while you were away".
    pub(super) fn was_away(&mut self, key: &InvKey) -> bool {
        self.memory.away.remove(key)
    }

    /// Every watched invalidation, of this profile and the others, with its create time:
    /// what the journal keeps.
    pub fn watch_list(&self) -> Vec<(String, InvKey, Timestamp)> {
        let mut all: Vec<(String, InvKey, Timestamp)> = self
            .watch
            .watched
            .iter()
            .map(|k| {
                let created = self
                    .session
                    .polls
                    .get(k)
                    .map(|p| p.create_time)
                    .or_else(|| {
                        self.session
                            .listing(&k.distribution)
                            .and_then(|l| l.iter().find(|r| r.id == k.id))
                            .filter(|r| r.status != InvalidationStatus::Queued)
                            .map(|r| r.create_time)
                    })
                    .unwrap_or(self.now);
                (self.profile.clone(), k.clone(), created)
            })
            .collect();
        all.extend(
            self.watch
                .background
                .iter()
                .map(|w| (w.profile.clone(), w.key.clone(), w.create_time)),
        );
        all.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        all
    }
}
