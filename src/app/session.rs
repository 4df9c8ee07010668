//! One profile's session: what it shows, where the cursor is, and when it next refreshes.
//! The profile shown has the `App`'s session; the others wait in a map, as they were left,
//! and switching moves one value out and another in.

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use tui_input::Input;

use super::profiles::ProfileEntry;
use super::{Backoff, DistInvalidations, InvKey, Pane, Poll, Remote, Scroll};
use crate::cloudfront::{Distribution, Invalidation, InvalidationStatus, InvalidationSummary};

/// Named path lists the form can insert.
pub type Presets = Vec<(String, Vec<String>)>;

/// The most invalidations a distribution's listing holds, older ones loaded (`L`) included.
pub const OLDER_MAX: usize = 1000;

/// A table's order: a column, and its direction (`s` cycles the column, `S` the way).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Order<C> {
    pub column: C,
    pub descending: bool,
}

/// What the distributions table can be sorted by; `Listed` is the account's own order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DistColumn {
    #[default]
    Listed,
    Name,
    Id,
    Status,
    Enabled,
    Running,
    Comment,
}

impl DistColumn {
    const CYCLE: [Self; 7] = [
        Self::Listed,
        Self::Name,
        Self::Id,
        Self::Status,
        Self::Enabled,
        Self::Running,
        Self::Comment,
    ];

    pub fn next(self) -> Self {
        let at = Self::CYCLE.iter().position(|&c| c == self).unwrap_or(0);
        Self::CYCLE[(at + 1) % Self::CYCLE.len()]
    }

    /// The column's header, as the table writes it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Listed => "listed",
            Self::Name => "Name",
            Self::Id => "ID",
            Self::Status => "Status",
            Self::Enabled => "Enabled",
            Self::Running => "Running",
            Self::Comment => "Comment",
        }
    }
}

/// What the invalidations table can be sorted by; newest first is CloudFront's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InvColumn {
    #[default]
    Created,
    Id,
    Status,
}

impl InvColumn {
    pub fn next(self) -> Self {
        match self {
            Self::Created => Self::Id,
            Self::Id => Self::Status,
            Self::Status => Self::Created,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Id => "ID",
            Self::Status => "Status",
        }
    }
}

impl Default for Order<DistColumn> {
    fn default() -> Self {
        Self {
            column: DistColumn::Listed,
            descending: false,
        }
    }
}

impl Default for Order<InvColumn> {
    fn default() -> Self {
        Self {
            column: InvColumn::Created,
            descending: true,
        }
    }
}

pub struct Session {
    pub distributions: Remote<Vec<Distribution>>,
    /// Indices into the distributions that pass the filter, in listing order.
    pub view: Vec<usize>,
    /// The widest name and comment among the rows of the view, in columns (the table
    /// gives its spare room to names first, and comments only the room they use), and
    /// how many rows are tenants.
    pub view_stats: ViewStats,
    pub filter: Input,
    pub focus: Pane,
    pub dist_scroll: Scroll,
    pub inv_scroll: Scroll,
    pub detail_scroll: Scroll,
    pub detail_open: bool,
    /// The invalidation the detail pane fetched last.
    pub detail_key: Option<InvKey>,

    pub invalidations: HashMap<String, DistInvalidations>,
    pub details: HashMap<InvKey, Remote<Invalidation>>,
    pub polls: HashMap<InvKey, Poll>,
    /// How long invalidations took, for those cfdash saw complete: an upper bound, since
    /// the API gives no completion time.
    pub took: HashMap<InvKey, SignedDuration>,
    pub last_refresh: Option<Timestamp>,
    /// Distributions marked with Space: `n` targets all of them.
    pub marked: BTreeSet<String>,

    /// The profile's pinned distributions, and whether to show all anyway.
    pub pins: Vec<String>,
    pub show_all: bool,
    /// How many of the account's distributions the pins left out of the last listing: the
    /// month's free paths are the account's, so its count cannot be exact while any are.
    pub pinned_out: usize,
    /// The profile may not create invalidations.
    pub read_only: bool,
    /// The profile asks to type the distribution's name to confirm a submit.
    pub confirm_by_typing: bool,
    pub presets: Presets,

    pub schedule: Schedule,
    /// The background fetch of details, and the month's count.
    pub backfill: super::backfill::Backfill,
    /// Distributions whose older invalidations were asked for (`L`): how many rows their
    /// listings ask for beyond the usual.
    pub older: HashMap<String, usize>,
    /// Distributions whose older invalidations were asked for (`L`) and have not come:
    /// what their listing held then (its length, its oldest row), to say what came.
    pub older_asked: HashMap<String, (usize, Option<String>)>,
    /// `/` in the invalidations pane: the selected distribution's invalidations whose id,
    /// or one of whose paths (when cfdash has them), holds this text.
    pub inv_filter: Input,
    /// The tables' orders.
    pub dist_order: Order<DistColumn>,
    pub inv_order: Order<InvColumn>,
    /// Tenant-only distributions whose tenants are shown under them (Enter).
    pub expanded: HashSet<String>,
    /// Tenant-only distributions whose tenants were listed since the profile opened: the
    /// month's count is a lower bound until every one's are.
    pub tenants_listed: HashSet<String>,
    /// ListDistributionTenants was refused: tenants are not asked for again.
    pub tenants_denied: bool,
    /// Per distribution, its cache-tag header as last read.
    pub cache_tags: HashMap<String, super::tenants::TagState>,
}

/// The widest cells of the distributions' view, and how many rows are tenants, worked out
/// when the view changes (not on each frame: an account may have thousands of rows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewStats {
    /// The name cell: the name, "+N" for the other aliases, and a tree's marks.
    pub name: usize,
    /// The comment ("?" when the answer had none).
    pub comment: usize,
    /// How many rows of the whole list (not only the view) are tenants.
    pub tenants: usize,
}

impl ViewStats {
    /// Of the rows of `all` the view shows (`view`, indices into it).
    pub fn of(all: &[Distribution], view: &[usize]) -> ViewStats {
        let mut w = ViewStats {
            tenants: all.iter().filter(|d| d.tenant.is_some()).count(),
            ..ViewStats::default()
        };
        for d in view.iter().map(|&i| &all[i]) {
            let more = d.more_aliases().map_or(0, |m| crate::text::columns(&m));
            // A tenant hangs under its distribution ("  └ "); a multi-tenant distribution
            // says "▸ " and " [N tenants]" (two digits counted).
            let tree = if d.tenant.is_some() {
                4
            } else if d.tenant_only {
                2 + 13
            } else {
                0
            };
            let name = crate::text::columns(d.display_name()) + more + tree;
            let comment = d.comment.as_deref().map_or(1, crate::text::columns);
            w.name = w.name.max(name);
            w.comment = w.comment.max(comment);
        }
        w
    }
}

/// When the session next lists and polls, and how far throttling has pushed that back.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// The next full listing.
    pub sweep_due: Timestamp,
    /// Distributions whose listing of invalidations failed, retried together at
    /// `retry_lists_at`. One stays here, its retry in flight or not, until a listing of
    /// it answers: its count is as last known until then.
    pub failed_lists: HashSet<String>,
    pub retry_lists_at: Option<Timestamp>,
    /// The last listing of distributions failed: the list is as last known until one
    /// answers (the sweep tries again at `sweep_due`).
    pub sweep_failed: bool,
    pub sweep_backoff: Backoff,
    pub list_backoff: Backoff,
    pub poll_backoff: Backoff,
    /// When the running sweep's listing of distributions was asked for.
    pub sweep_started: Timestamp,
    /// Distributions whose listing waits in the sweep's line: lifted to the screen's when
    /// they come on screen.
    pub swept: HashSet<String>,
    /// The listing whose pages are shown as they come (while nothing else is), by its
    /// request's number: the list on screen is only part of the account until its answer.
    /// It stays after a failed listing (what is shown is still partial); the next
    /// listing's first page replaces what it showed.
    pub paging: Option<u64>,
}

impl Schedule {
    fn new(now: Timestamp) -> Self {
        Self {
            sweep_due: now,
            failed_lists: HashSet::new(),
            retry_lists_at: None,
            sweep_failed: false,
            sweep_backoff: Backoff::default(),
            list_backoff: Backoff::default(),
            poll_backoff: Backoff::default(),
            sweep_started: now,
            swept: HashSet::new(),
            paging: None,
        }
    }

    /// Back in the foreground: list at once. What failed is still as old as it was, and
    /// is asked again at once (the retries sent before the switch were aborted).
    fn resume(&mut self, now: Timestamp) {
        self.sweep_due = now;
        self.retry_lists_at = (!self.failed_lists.is_empty()).then_some(now);
        self.swept.clear();
        // `paging` stays: a list cut short by a switch is still partial, and the next
        // listing's first page replaces it.
    }
}

impl Session {
    pub fn new(now: Timestamp) -> Self {
        Self {
            distributions: Remote::Idle,
            view: Vec::new(),
            view_stats: ViewStats::default(),
            filter: Input::default(),
            focus: Pane::Distributions,
            dist_scroll: Scroll::default(),
            inv_scroll: Scroll::default(),
            detail_scroll: Scroll::default(),
            detail_open: false,
            detail_key: None,
            invalidations: HashMap::new(),
            details: HashMap::new(),
            polls: HashMap::new(),
            took: HashMap::new(),
            last_refresh: None,
            marked: BTreeSet::new(),
            pins: Vec::new(),
            show_all: false,
            pinned_out: 0,
            read_only: false,
            confirm_by_typing: false,
            presets: Vec::new(),
            schedule: Schedule::new(now),
            backfill: Default::default(),
            older: HashMap::new(),
            older_asked: HashMap::new(),
            inv_filter: Input::default(),
            dist_order: Order::default(),
            inv_order: Order::default(),
            expanded: HashSet::new(),
            tenants_listed: HashSet::new(),
            tenants_denied: false,
            cache_tags: HashMap::new(),
        }
    }

    /// Shown again after another profile was: everything refreshes at once (the polls of
    /// its watched invalidations went on from the watchlist meanwhile).
    pub fn resume(&mut self, now: Timestamp) {
        self.detail_key = None;
        self.schedule.resume(now);
        for p in self.polls.values_mut() {
            p.next_at = now;
        }
    }

    /// Takes on the settings of its profile's entry.
    pub fn adopt(&mut self, entry: &ProfileEntry, sim_presets: &Presets) {
        let p = &entry.profile;
        self.read_only = p.read_only;
        self.confirm_by_typing = p.confirm_by_typing;
        self.pins = p.distributions.clone();
        self.presets = if p.presets.is_empty() && p.simulated {
            sim_presets.clone()
        } else {
            p.presets.clone().into_iter().collect()
        };
    }

    /// How many invalidations are in progress, over every listed distribution.
    pub fn in_progress_total(&self) -> usize {
        self.progress().0
    }

    /// How many distributions have a listing of their invalidations: until all have, the
    /// in-progress total is only a lower bound.
    pub fn listed(&self) -> usize {
        self.progress().1
    }

    /// How many rows of the list are tenants (the rest are distributions): counted when
    /// the view is rebuilt, not on each frame.
    pub fn tenant_rows(&self) -> usize {
        match self.distributions {
            Remote::Ready { .. } => self.view_stats.tenants,
            _ => 0,
        }
    }

    /// How many invalidations are in progress, and how many distributions have a listing
    /// of theirs: [`Session::in_progress_total`] and [`Session::listed`] in one pass (the
    /// header wants both).
    pub fn progress(&self) -> (usize, usize) {
        self.invalidations
            .values()
            .filter(|d| d.list.data().is_some())
            .fold((0, 0), |(running, listed), d| {
                (running + d.in_progress(), listed + 1)
            })
    }

    /// The row with this id (a distribution or a tenant), if listed.
    pub fn distribution(&self, id: &str) -> Option<&Distribution> {
        self.distributions.data()?.iter().find(|d| d.id == id)
    }

    /// The distribution under the cursor.
    pub fn selected_distribution(&self) -> Option<&Distribution> {
        let all = self.distributions.data()?;
        self.view.get(self.dist_scroll.selected).map(|&i| &all[i])
    }

    /// The listing of `dist`'s invalidations, when there is one.
    pub fn listing(&self, dist: &str) -> Option<&Vec<InvalidationSummary>> {
        self.invalidations.get(dist)?.list.data()
    }

    /// The listing of the selected distribution's invalidations, when there is one.
    pub fn selected_listing(&self) -> Option<&Vec<InvalidationSummary>> {
        self.listing(&self.selected_distribution()?.id)
    }

    /// The invalidations of the selected distribution.
    pub fn selected_invalidations(&self) -> Option<&DistInvalidations> {
        self.invalidations.get(&self.selected_distribution()?.id)
    }

    /// Listings that failed and have not answered since (throttled, or the network),
    /// their retries in flight or not: how many, and when the oldest data they would have
    /// refreshed was listed. The distributions' listing counts as one.
    pub fn failing(&self) -> Option<(usize, Option<Timestamp>)> {
        let failed = &self.schedule.failed_lists;
        let sweep = self.schedule.sweep_failed;
        if failed.is_empty() && !sweep {
            return None;
        }
        let oldest = failed
            .iter()
            .filter_map(|id| self.invalidations.get(id)?.list.listed_at())
            .chain(sweep.then(|| self.distributions.listed_at()).flatten())
            .min();
        Some((failed.len() + usize::from(sweep), oldest))
    }

    /// Of the selected distribution's invalidations, how many cfdash has the paths of, and
    /// how many there are: a filter by path only sees the first.
    pub fn paths_known(&self) -> (usize, usize) {
        let (Some(d), Some(list)) = (self.selected_distribution(), self.selected_listing()) else {
            return (0, 0);
        };
        let known = list
            .iter()
            .filter(|r| {
                self.details
                    .get(&InvKey::new(&d.id, &r.id))
                    .is_some_and(|x| x.data().is_some())
            })
            .count();
        (known, list.len())
    }

    /// How many invalidations a listing of `dist` asks for: `base`, and the older ones
    /// asked for since.
    pub fn list_limit(&self, dist: &str, base: usize) -> usize {
        base + self.older.get(dist).copied().unwrap_or(0)
    }

    /// The selected distribution's listing may stop short of its oldest invalidation: it
    /// holds as many as it asked for.
    pub fn more_to_load(&self, base: usize) -> bool {
        let Some(d) = self.selected_distribution() else {
            return false;
        };
        let limit = self.list_limit(&d.id, base);
        self.selected_listing()
            .is_some_and(|l| l.len() >= limit && limit < OLDER_MAX)
    }

    /// The selected distribution's invalidations, in the table's order.
    pub fn invalidation_rows(&self) -> Vec<&InvalidationSummary> {
        let Some(list) = self.selected_listing() else {
            return Vec::new();
        };
        let mut rows: Vec<&InvalidationSummary> = list.iter().collect();
        let needle = self.inv_filter.value().trim().to_lowercase();
        if !needle.is_empty() {
            let dist = self.selected_distribution().map(|d| d.id.as_str());
            rows.retain(|r| {
                crate::cloudfront::contains_ignore_case(&r.id, &needle)
                    || dist
                        .map(|d| InvKey::new(d, &r.id))
                        .and_then(|k| self.details.get(&k))
                        .and_then(|d| d.data())
                        .is_some_and(|inv| {
                            inv.paths
                                .iter()
                                .any(|p| crate::cloudfront::contains_ignore_case(p, &needle))
                        })
            });
        }
        let order = self.inv_order;
        // CloudFront lists newest first: that order needs no sorting.
        if order != Order::default() {
            rows.sort_by(|a, b| {
                let o = match order.column {
                    InvColumn::Created => a.create_time.cmp(&b.create_time),
                    InvColumn::Id => a.id.cmp(&b.id),
                    InvColumn::Status => a.status.to_string().cmp(&b.status.to_string()),
                };
                if order.descending { o.reverse() } else { o }
            });
        }
        rows
    }

    /// The rows that pass the filter (`needle`, lowercase), in listing order. A tenant
    /// shows under an expanded distribution, or when the filter finds it (and then its
    /// distribution shows too, as the row it hangs from).
    pub fn tree_view(&self, needle: &str) -> Vec<usize> {
        let Some(all) = self.distributions.data() else {
            return Vec::new();
        };
        let filtering = !needle.is_empty();
        let mut shown: Vec<bool> = all
            .iter()
            .map(|d| {
                d.matches(needle)
                    && d.tenant
                        .as_ref()
                        .is_none_or(|t| filtering || self.expanded.contains(&t.distribution))
            })
            .collect();
        if filtering && all.iter().any(|d| d.tenant.is_some()) {
            let at: HashMap<&str, usize> = all
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id.as_str(), i))
                .collect();
            for (i, d) in all.iter().enumerate() {
                if shown[i]
                    && let Some(t) = &d.tenant
                    && let Some(&p) = at.get(t.distribution.as_str())
                {
                    shown[p] = true;
                }
            }
        }
        (0..all.len()).filter(|&i| shown[i]).collect()
    }

    /// `view` in the table's order with every tenant right under its distribution (the
    /// tenants in the table's order too).
    pub fn group_tenants(&self, view: Vec<usize>) -> Vec<usize> {
        let Some(all) = self.distributions.data() else {
            return view;
        };
        if !view.iter().any(|&i| all[i].tenant.is_some()) {
            return view;
        }
        let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut top = Vec::with_capacity(view.len());
        for i in view {
            match &all[i].tenant {
                Some(t) => children.entry(t.distribution.as_str()).or_default().push(i),
                None => top.push(i),
            }
        }
        let mut out = Vec::with_capacity(all.len());
        for p in top {
            out.push(p);
            if let Some(c) = children.remove(all[p].id.as_str()) {
                out.extend(c);
            }
        }
        // Tenants whose distribution is not listed (pins): at the end, in order.
        let mut rest: Vec<usize> = children.into_values().flatten().collect();
        rest.sort_unstable();
        out.extend(rest);
        out
    }

    /// Sorts `view` (indices into the distributions) in the table's order; ties keep the
    /// account's order, whichever the direction.
    pub fn sort_view(&self, view: &mut [usize]) {
        let Some(all) = self.distributions.data() else {
            return;
        };
        let order = self.dist_order;
        if order.column == DistColumn::Listed && !order.descending {
            return;
        }
        let running = |d: &Distribution| {
            self.invalidations
                .get(&d.id)
                .and_then(|e| e.list.data().map(|_| e.in_progress()))
        };
        view.sort_by(|&a, &b| {
            let (x, y) = (&all[a], &all[b]);
            let o = match order.column {
                DistColumn::Listed => a.cmp(&b),
                DistColumn::Name => x
                    .display_name()
                    .to_lowercase()
                    .cmp(&y.display_name().to_lowercase()),
                DistColumn::Id => x.id.cmp(&y.id),
                DistColumn::Status => x.status.cmp(&y.status),
                DistColumn::Enabled => x.enabled.cmp(&y.enabled),
                DistColumn::Running => running(x).cmp(&running(y)),
                // Unknown (the backend did not say) sorts first.
                DistColumn::Comment => {
                    let lower = |d: &Distribution| d.comment.as_deref().map(str::to_lowercase);
                    lower(x).cmp(&lower(y))
                }
            };
            if order.descending { o.reverse() } else { o }
        });
    }

    pub fn selected_invalidation(&self) -> Option<InvKey> {
        let dist = self.selected_distribution()?;
        let id = self
            .invalidation_rows()
            .get(self.inv_scroll.selected)?
            .id
            .clone();
        Some(InvKey::new(&dist.id, id))
    }

    /// A watched invalidation of this session completed while another profile was shown.
    pub fn completed_elsewhere(&mut self, key: &InvKey, took: SignedDuration) {
        self.took.entry(key.clone()).or_insert(took);
        self.polls.remove(key);
        if let Some(entry) = self.invalidations.get_mut(&key.distribution)
            && let Remote::Ready { data, .. } = &mut entry.list
            && let Some(row) = data.iter_mut().find(|r| r.id == key.id)
            && row.status.is_in_progress()
        {
            row.status = InvalidationStatus::Completed;
        }
    }
}
