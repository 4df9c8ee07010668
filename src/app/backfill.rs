//! The background fetch of details, and the month's count it feeds.
//!
//! A listing gives an invalidation's id, create time and status only: its paths and its
//! CallerReference take one GetInvalidation each. Search by path and the month's count
//! need them for every invalidation, so cfdash
//!
//! - reads every detail the journal has once, when a profile opens (nothing cached is
//!   asked again: an invalidation's paths never change);
//! - fetches the rest one at a time, newest first (this month's count first, the oldest
//!   last), each in the limiter's last line ([`crate::pace::Priority::Background`]), which
//!   takes at most [`crate::pace::BACKGROUND_SHARE`] of the profile's rate;
//! - lists older pages of a distribution whose listing stops inside this month, so the
//!   month's count sees every invalidation of the month;
//! - and says while the answer is partial: the count reads "≥ N" until every
//!   distribution is listed back to the month's start and every one of the month's
//!   invalidations has its details.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};

use super::{App, Effect, InvKey, Remote, Request, Slot};
use crate::cloudfront::{CfError, Invalidation, InvalidationStatus};
use crate::pace::Priority;

/// How long the background fetch rests after an answer that was neither the details nor
/// a "no such" (a throttle, a 5xx, a lost connection).
pub const REST: SignedDuration = SignedDuration::from_secs(30);

/// One session's background fetch.
#[derive(Debug, Default)]
pub struct Backfill {
    /// Listed invalidations whose details were not known when listed, oldest first (the
    /// last goes next). Stale entries (details known since, distribution gone) are
    /// skipped when their turn comes.
    wanted: BTreeSet<(Timestamp, InvKey)>,
    /// The fetch running, if any, as it stood in `wanted` (asked again from there after a
    /// failure).
    running: Option<(Timestamp, InvKey)>,
    /// Nothing is fetched before this (after a failed answer).
    rest_until: Option<Timestamp>,
    /// GetInvalidation is denied on this profile: what CloudFront said. Nothing more is
    /// asked; the search and the month's count stay partial and say why.
    pub denied: Option<String>,
    /// Details fetched in the background this session.
    pub fetched: usize,
    /// The month's count, as of the last change of a listing or a detail.
    pub month: MonthCount,
    /// Each distribution's part of the count, and those to count again (`all_stale`:
    /// every one).
    parts: std::collections::HashMap<String, DistMonth>,
    stale: std::collections::HashSet<String>,
    all_stale: bool,
}

/// The paths submitted this calendar month (UTC) across the profile's distributions, from
/// what cfdash knows: an exact count only when nothing is missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthCount {
    /// The month's first instant, UTC.
    pub since: Option<Timestamp>,
    /// Paths of the month's invalidations whose details are known.
    pub paths: usize,
    /// The month's invalidations (listed, or known from the journal).
    pub invalidations: usize,
    /// Of those, how many have no details yet.
    pub missing: usize,
    /// Distributions whose listing does not reach back to the month's start (not listed
    /// yet, or listed no further than this month): there may be more.
    pub uncovered: Vec<String>,
    /// The distributions themselves are not all listed yet, or the profile's pins leave
    /// some of the account's out (the free paths are the account's).
    pub partial_listing: bool,
}

impl MonthCount {
    /// Every invalidation of the month is known, with its paths.
    pub fn is_exact(&self) -> bool {
        self.missing == 0 && self.uncovered.is_empty() && !self.partial_listing
    }

    /// Whether `items` more paths this month may cost: past the free paths left, or, while
    /// the count is a lower bound, any at all.
    pub fn may_cost(&self, items: usize) -> bool {
        let free_left = crate::paths::FREE_PATHS_PER_MONTH.saturating_sub(self.paths);
        if self.is_exact() {
            items > free_left
        } else {
            items > 0
        }
    }
}

/// The first instant of `now`'s calendar month, UTC: what CloudFront's free paths count
/// from.
pub fn month_start(now: Timestamp) -> Timestamp {
    let utc = jiff::tz::TimeZone::UTC;
    let first = utc.to_datetime(now).date().first_of_month();
    utc.to_timestamp(first.to_datetime(jiff::civil::Time::midnight()))
        .unwrap_or(now)
}

impl Backfill {
    /// A listing of `dist`: its invalidations with no details join the wanted.
    pub fn listed<'a>(
        &mut self,
        dist: &str,
        list: impl IntoIterator<Item = &'a crate::cloudfront::InvalidationSummary>,
        details: &std::collections::HashMap<InvKey, Remote<Invalidation>>,
    ) {
        // A batch still queued is not an invalidation yet: it has no id to ask for.
        for inv in list
            .into_iter()
            .filter(|i| i.status != InvalidationStatus::Queued)
        {
            let key = InvKey::new(dist, &inv.id);
            if !matches!(details.get(&key), Some(Remote::Ready { .. })) {
                self.wanted.insert((inv.create_time, key));
            }
        }
        self.stale.insert(dist.to_string());
    }

    /// Something the count reads changed, beyond one distribution's listing: every part
    /// is counted again.
    pub fn touch(&mut self) {
        self.all_stale = true;
    }

    /// A detail of `dist` may have arrived: its part is counted again, with the details.
    pub fn touch_detail(&mut self, dist: &str) {
        self.stale.insert(dist.to_string());
    }

    /// When the background fetch goes on after a rest.
    pub fn rest_until(&self) -> Option<Timestamp> {
        self.rest_until
    }
}

impl App {
    /// The profile's cached details, from the journal: known from now on.
    pub(super) fn on_cached_details(
        &mut self,
        profile: &str,
        details: Vec<(String, Invalidation)>,
    ) {
        let at = self.now;
        let session = if profile == self.profile {
            &mut self.session
        } else if let Some(s) = self.sessions.get_mut(profile) {
            s
        } else {
            return;
        };
        for (dist, inv) in details {
            let key = InvKey::new(dist, &inv.id);
            // What this run fetched is newer than the journal's copy.
            if !matches!(session.details.get(&key), Some(Remote::Ready { .. })) {
                session.details.insert(key, Remote::Ready { data: inv, at });
            }
        }
        session.backfill.touch();
        self.memory.details_loaded.insert(profile.to_string());
        self.redraw.dirty = true;
    }

    /// The next background fetch, if one is due: the profile's cached details first, then
    /// the newest invalidation of the month with none, an older page of a listing that
    /// stops inside the month, and the rest, newest first. One at a time.
    pub(super) fn backfill(&mut self, fx: &mut Vec<Effect>) {
        if self.profile.is_empty() {
            return;
        }
        if self.memory.enabled && !self.memory.details_loaded.contains(&self.profile) {
            if self.memory.details_asked.insert(self.profile.clone()) {
                fx.push(Effect::Journal(super::memory::JournalOp::Details {
                    profile: self.profile.clone(),
                }));
            }
            return;
        }
        self.count_month();
        let b = &self.session.backfill;
        if b.denied.is_some() || b.rest_until.is_some_and(|t| t > self.now) {
            return;
        }
        if let Some((_, key)) = &b.running
            && self.requests.is_running(&Slot::Backfill(key.clone()))
        {
            return;
        }
        // Stale entries go: details known since, or a distribution no longer listed.
        let session = &mut self.session;
        while let Some((_, key)) = session.backfill.wanted.last() {
            let known = matches!(session.details.get(key), Some(Remote::Ready { .. }));
            if known || !session.invalidations.contains_key(&key.distribution) {
                session.backfill.wanted.pop_last();
            } else {
                break;
            }
        }
        let since = month_start(self.now);
        let next = session.backfill.wanted.last().cloned();
        // Past this month's invalidations: first page back the listings that stop inside it.
        if next.as_ref().is_none_or(|(t, _)| *t < since)
            && let Some(dist) = self.month_page()
        {
            let base = self.settings.list_limit;
            *self.session.older.entry(dist.clone()).or_insert(0) += base;
            self.request_list_at(&dist, Priority::Background, fx);
            return;
        }
        let Some(next) = next else {
            return;
        };
        self.session.backfill.wanted.pop_last();
        let key = next.1.clone();
        self.session.backfill.running = Some(next);
        self.request(Slot::Backfill(key.clone()), Request::Backfill(key), fx);
    }

    /// A distribution whose listing stops inside this month and can page further, if its
    /// listing is not running now.
    fn month_page(&self) -> Option<String> {
        let base = self.settings.list_limit;
        self.session
            .backfill
            .month
            .uncovered
            .iter()
            .find(|d| {
                let listed = self
                    .session
                    .invalidations
                    .get(*d)
                    .is_some_and(|e| e.list.data().is_some());
                listed
                    && self.session.list_limit(d, base) < super::session::OLDER_MAX
                    && !self.requests.is_running(&Slot::Invalidations((*d).clone()))
            })
            .cloned()
    }

    /// A background fetch answered.
    pub(super) fn on_backfill(&mut self, key: InvKey, result: Result<Invalidation, CfError>) {
        let now = self.now;
        let b = &mut self.session.backfill;
        let running = b.running.take();
        b.touch_detail(&key.distribution);
        match result {
            Ok(inv) => {
                b.fetched += 1;
                self.session
                    .details
                    .insert(key, Remote::Ready { data: inv, at: now });
            }
            // Gone since it was listed: nothing to fetch.
            Err(CfError::NoSuchInvalidation { .. } | CfError::NoSuchDistribution { .. }) => {}
            Err(e @ CfError::AccessDenied { .. }) => {
                let text = format!(
                    "paths of past invalidations cannot be fetched, so search and the month's count stay partial: {e}"
                );
                b.denied = Some(e.to_string());
                self.notify(super::NoticeKind::Error, text);
            }
            Err(_) => {
                // Asked again after a rest; the limiter has slowed down if it was a throttle.
                if let Some(wanted) = running.filter(|(_, k)| *k == key) {
                    b.wanted.insert(wanted);
                }
                b.rest_until = Some(now + REST);
            }
        }
    }

    /// Counts the month's paths again if a listing or a detail changed, or the month did:
    /// the details in full (a pass over a map), each listing only when it or one of its
    /// details changed (`Backfill::stale`), so a sweep's answer costs its own distribution.
    fn count_month(&mut self) {
        let since = month_start(self.now);
        let base = self.settings.list_limit;
        let b = &mut self.session.backfill;
        if b.month.since != Some(since) {
            b.all_stale = true;
        }
        if !b.all_stale && b.stale.is_empty() {
            return;
        }
        let mut parts = std::mem::take(&mut b.parts);
        let stale = std::mem::take(&mut b.stale);
        if std::mem::take(&mut b.all_stale) {
            parts.clear();
        }
        for id in &stale {
            parts.remove(id);
        }
        let session = &self.session;
        let month = session.month_from(since, |id| {
            *parts
                .entry(id.to_string())
                .or_insert_with(|| session.dist_month(id, since, base))
        });
        let b = &mut self.session.backfill;
        b.month = month;
        b.parts = parts;
    }
}

/// What one distribution's listing says of the month: its listed invalidations of the
/// month with no details yet, and whether it may hold more of the month than it shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DistMonth {
    pub missing: usize,
    pub uncovered: bool,
}

impl super::Session {
    /// The month's count from the listings and the details known (see [`MonthCount`]),
    /// made from scratch: the paths of every detail of the month (listed or not: older
    /// pages, a distribution deleted since, all submitted this month), and the listed
    /// invalidations of the month with no details yet. The app keeps it up to date one
    /// distribution at a time instead (`App::count_month`); this is what it must equal.
    pub fn month_count(&self, since: Timestamp, base: usize) -> MonthCount {
        self.month_from(since, |id| self.dist_month(id, since, base))
    }

    /// The month's count with each distribution's part from `part`.
    fn month_from(&self, since: Timestamp, mut part: impl FnMut(&str) -> DistMonth) -> MonthCount {
        let mut count = MonthCount {
            since: Some(since),
            // A multi-tenant distribution's tenants have invalidations of their own: until
            // they are listed, the count cannot hold theirs.
            partial_listing: self.distributions.data().is_none_or(|all| {
                all.iter()
                    .any(|d| d.tenant_only && !self.tenants_listed.contains(&d.id))
            }) || self.schedule.paging.is_some()
                || self.pinned_out > 0,
            ..MonthCount::default()
        };
        for detail in self.details.values() {
            if let Remote::Ready { data, .. } = detail
                && data.create_time >= since
            {
                count.invalidations += 1;
                count.paths += data.paths.len();
            }
        }
        let dists = self.distributions.data().map(Vec::as_slice).unwrap_or(&[]);
        for d in dists {
            let m = part(&d.id);
            count.invalidations += m.missing;
            count.missing += m.missing;
            if m.uncovered {
                count.uncovered.push(d.id.clone());
            }
        }
        count
    }

    /// One distribution's part of the month's count.
    pub fn dist_month(&self, id: &str, since: Timestamp, base: usize) -> DistMonth {
        let Some(list) = self.listing(id) else {
            return DistMonth {
                missing: 0,
                uncovered: true,
            };
        };
        // A batch still queued is not an invalidation yet.
        let sent = list
            .iter()
            .filter(|i| i.status != InvalidationStatus::Queued);
        let missing = sent
            .clone()
            .filter(|i| i.create_time >= since)
            .filter(|i| {
                let key = InvKey::new(id, &i.id);
                !matches!(self.details.get(&key), Some(Remote::Ready { .. }))
            })
            .count();
        // Full, and its oldest row is still this month: there may be more before it.
        let full = sent.clone().count() >= self.list_limit(id, base);
        let uncovered = full
            && sent
                .map(|i| i.create_time)
                .min()
                .is_some_and(|t| t >= since);
        DistMonth { missing, uncovered }
    }
}
