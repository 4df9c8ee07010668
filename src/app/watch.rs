//! The watchlist: invalidations the operator watches, rung for when they complete — those
//! of the profile shown (polled with its session) and those of profiles not shown (polled
//! from here until they complete).

use std::collections::HashSet;

use jiff::Timestamp;

use super::requests::Requests;
use super::{App, Effect, InvKey, NoticeKind, Poll, Request, Slot};
use crate::cloudfront::{CfError, Invalidation};

/// A watched invalidation of a profile that is not the one shown.
#[derive(Clone, Debug)]
pub struct BgWatch {
    pub profile: String,
    pub key: InvKey,
    /// The distribution's name, for the notice.
    pub name: String,
    pub create_time: Timestamp,
    pub next_at: Timestamp,
}

impl BgWatch {
    pub fn slot(&self) -> Slot {
        Slot::Watch(self.profile.clone(), self.key.clone())
    }
}

#[derive(Debug, Default)]
pub struct Watchlist {
    /// Watched invalidations of the profile shown.
    pub watched: HashSet<InvKey>,
    /// Watched invalidations of the profiles not shown, still polled.
    pub background: Vec<BgWatch>,
    /// A watched invalidation completed: ring once, whatever else completed with it.
    pub ring: bool,
}

impl Watchlist {
    /// When the next background watch is due.
    pub fn due(&self, requests: &Requests) -> Option<Timestamp> {
        self.background
            .iter()
            .filter(|w| !requests.is_running(&w.slot()))
            .map(|w| w.next_at)
            .min()
    }

    /// The background watches to poll now.
    pub fn due_now(&self, now: Timestamp, requests: &Requests) -> Vec<(String, InvKey)> {
        self.background
            .iter()
            .filter(|w| w.next_at <= now && !requests.is_running(&w.slot()))
            .map(|w| (w.profile.clone(), w.key.clone()))
            .collect()
    }

    /// Where a background watch is.
    pub fn find(&self, profile: &str, key: &InvKey) -> Option<usize> {
        self.background
            .iter()
            .position(|w| w.profile == profile && w.key == *key)
    }

    /// The background watches of `profile`, taken out: it is being shown again.
    pub fn take_profile(&mut self, profile: &str) -> Vec<BgWatch> {
        let (mine, others) = std::mem::take(&mut self.background)
            .into_iter()
            .partition(|w| w.profile == profile);
        self.background = others;
        mine
    }
}

impl App {
    /// The profile shown is left: its watched invalidations go on being polled from here.
    pub(super) fn watch_in_background(&mut self, profile: &str) {
        let mut keys: Vec<InvKey> = self.watch.watched.iter().cloned().collect();
        keys.sort();
        for key in keys {
            if let Some(poll) = self.session.polls.get(&key) {
                let name = self.distribution_name(&key.distribution);
                self.watch.background.push(BgWatch {
                    profile: profile.to_string(),
                    name,
                    create_time: poll.create_time,
                    next_at: poll.next_at,
                    key,
                });
            }
        }
    }

    /// `profile` is shown again: its background watches come back to its session's polls.
    pub(super) fn watch_in_foreground(&mut self, profile: &str, fx: &mut Vec<Effect>) {
        self.watch.watched.clear();
        for w in self.watch.take_profile(profile) {
            if self.requests.cancel(&w.slot()) {
                fx.push(Effect::Abort(w.slot()));
            }
            self.watch.watched.insert(w.key.clone());
            let poll = Poll {
                create_time: w.create_time,
                next_at: self.now,
            };
            self.session.polls.insert(w.key, poll);
        }
    }

    pub(super) fn poll_background(&mut self, fx: &mut Vec<Effect>) {
        for (profile, key) in self.watch.due_now(self.now, &self.requests) {
            let request = Request::GetInvalidation(key.clone());
            self.request(Slot::Watch(profile, key), request, fx);
        }
    }

    pub(super) fn on_background(
        &mut self,
        profile: String,
        key: InvKey,
        result: Result<Invalidation, CfError>,
    ) {
        let Some(pos) = self.watch.find(&profile, &key) else {
            return;
        };
        let now = self.now;
        let steady = self.settings.poll_steady;
        match result {
            Ok(inv) if !inv.status.is_in_progress() => {
                let w = self.watch.background.remove(pos);
                let took = now.duration_since(w.create_time);
                if let Some(session) = self.sessions.get_mut(&profile) {
                    session.completed_elsewhere(&key, took);
                }
                let text = format!(
                    "✓ completed: {} on {} (profile {profile}, took ≤ {})",
                    key.id,
                    w.name,
                    crate::timefmt::short_duration(took)
                );
                self.notify(NoticeKind::Success, text);
                self.watch.ring = true;
            }
            Ok(_) => self.watch.background[pos].next_at = now + steady,
            Err(CfError::NoSuchInvalidation { .. }) => {
                self.watch.background.remove(pos);
            }
            Err(_) => self.watch.background[pos].next_at = now + steady * 2,
        }
        self.redraw.dirty = true;
    }
}
