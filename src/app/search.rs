//! Search by path (`f`, `Screen::Search`): "who invalidated `/checkout/*`, and when?" over
//! every distribution of the profile, from what the session holds: the listings, and the
//! details (paths, CallerReference) cfdash has fetched or the journal gave back. Nothing is
//! asked of CloudFront or the journal while typing.
//!
//! An invalidation matches when its id or one of its paths holds the query, case ignored
//! (`/checkout/*` finds the path `/checkout/*` itself). A query that starts with `/` also
//! finds the wildcard paths that cover it, the journal's history rule: `/checkout/*` and
//! `/*` both cover `/checkout/cart.html` (the wildcard's text before `*` starts the query's
//! text before its own first `*`). An invalidation whose paths are not known yet matches by
//! its id only: the screen says for how many, so a miss is never a definite "nothing".
//!
//! The screen keeps an index of the session, made when it opens and kept up with it
//! (`App::sync_search`, once a batch of actions: details that arrive are taken in place,
//! anything else builds it again): a lowercase copy of each invalidation's id and paths,
//! newest first. A keystroke scans that copy, and a query that only grows scans only what
//! matched before, as the palette does (`benches/search.rs`: ≤ 5 ms a keystroke, drawn,
//! over 100,000 paths).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};

use jiff::Timestamp;
use tui_input::Input;

use super::keys::{self, Cmd};
use super::palette::QUERY_MAX;
use super::{App, Effect, InvKey, Mode, NoticeKind, Pane, Remote, Screen, Scroll, Session};
use crate::cloudfront::{Invalidation, InvalidationStatus};

/// Who made an invalidation, from its CallerReference, as the tables write it.
pub fn origin(reference: &str) -> &'static str {
    match crate::journal::origin(reference) {
        "aws-cli" => "aws CLI",
        "unknown" => "?",
        other => other,
    }
}

/// One invalidation of the index.
struct Entry {
    /// Index into `Index::dists`.
    dist: u32,
    create_time: Timestamp,
    /// The id as written (its first `id_len` bytes), then the id and the paths in
    /// lowercase, one a line: a query (one line) matches within one. One allocation an
    /// invalidation.
    hay: Box<str>,
    id_len: u32,
    /// The wildcard paths' text before the `*`, lowercase, one a line; empty if none.
    wild: Box<str>,
    /// Its paths are known: it can match by path.
    known: bool,
}

impl Entry {
    fn new(dist: u32, id: &str, create_time: Timestamp, detail: Option<&Invalidation>) -> Self {
        let paths = detail.map_or(&[][..], |d| &d.paths[..]);
        let size = 2 * id.len() + 1 + paths.iter().map(|p| p.len() + 1).sum::<usize>();
        let mut hay = String::with_capacity(size);
        hay.push_str(id);
        hay.push('\n');
        push_lower(&mut hay, id);
        let mut wild = String::new();
        for path in paths {
            hay.push('\n');
            let start = hay.len();
            push_lower(&mut hay, path);
            if let Some(prefix) = hay[start..].strip_suffix('*') {
                if !wild.is_empty() {
                    wild.push('\n');
                }
                wild.push_str(prefix);
            }
        }
        Self {
            dist,
            create_time,
            id_len: id.len() as u32,
            hay: hay.into_boxed_str(),
            wild: wild.into_boxed_str(),
            known: detail.is_some(),
        }
    }

    fn id(&self) -> &str {
        &self.hay[..self.id_len as usize]
    }

    fn matches(&self, needle: &str, literal: Option<&str>) -> bool {
        self.hay.contains(needle)
            || literal.is_some_and(|l| {
                !self.wild.is_empty() && self.wild.split('\n').any(|w| l.starts_with(w))
            })
    }
}

/// What an index was made from, to tell cheaply whether the session has changed since.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Stamp {
    /// Each listing's distribution, length, newest and oldest id, summed.
    lists: u64,
    /// How many details are known, and how many paths they hold.
    details: (usize, usize),
    /// When the distributions (and so their names) were listed.
    names: Option<Timestamp>,
}

impl Stamp {
    fn of(session: &Session) -> Self {
        let mut lists = 0u64;
        for (dist, entry) in &session.invalidations {
            let Some(list) = entry.list.data() else {
                continue;
            };
            let mut h = DefaultHasher::new();
            (dist, list.len(), list.first().map(|r| &r.id)).hash(&mut h);
            list.last().map(|r| &r.id).hash(&mut h);
            lists = lists.wrapping_add(h.finish());
        }
        let mut details = (0, 0);
        for d in session.details.values() {
            if let Some(inv) = d.data() {
                details.0 += 1;
                details.1 += inv.paths.len();
            }
        }
        let names = match &session.distributions {
            Remote::Ready { at, .. } => Some(*at),
            _ => None,
        };
        Self {
            lists,
            details,
            names,
        }
    }
}

/// Every invalidation the session knows of, newest first, with its text in lowercase.
struct Index {
    /// Distribution ids, and their names as the dashboard shows them.
    dists: Vec<(String, String)>,
    entries: Vec<Entry>,
    stamp: Stamp,
    /// Of the entries, how many have their paths known.
    known: usize,
    /// Distributions whose invalidations are not listed yet, of those the account has.
    unlisted: usize,
    /// Each entry by the hash of its distribution and id (`key_hash`), and whether two
    /// share one (then nothing is looked up: the index is built again instead).
    slots: HashMap<u64, u32, FnvBuild>,
    collided: bool,
}

impl Index {
    fn build(session: &Session) -> Self {
        let mut names: HashMap<&str, &str> = HashMap::new();
        let mut unlisted = 0;
        if let Some(all) = session.distributions.data() {
            for d in all {
                names.insert(&d.id, d.display_name());
                let listed = session
                    .invalidations
                    .get(&d.id)
                    .is_some_and(|e| e.list.data().is_some());
                unlisted += usize::from(!listed);
            }
        }
        // The details known, by distribution and id, borrowed: no key is copied.
        let mut details: HashMap<(&str, &str), &Invalidation, FnvBuild> =
            HashMap::with_capacity_and_hasher(session.details.len(), FnvBuild::default());
        details.extend(
            session
                .details
                .iter()
                .filter_map(|(k, d)| Some(((k.distribution.as_str(), k.id.as_str()), d.data()?))),
        );
        let mut dists = Dists::default();
        let mut entries = Vec::with_capacity(details.len());
        let mut listed: HashSet<(&str, &str), FnvBuild> =
            HashSet::with_capacity_and_hasher(details.len(), FnvBuild::default());
        for (dist, entry) in &session.invalidations {
            let Some(list) = entry.list.data() else {
                continue;
            };
            let d = dists.index(dist, &names);
            // Rows of batches still queued in cfdash are not invalidations yet.
            for row in list
                .iter()
                .filter(|r| r.status != InvalidationStatus::Queued)
            {
                let key = (dist.as_str(), row.id.as_str());
                if listed.insert(key) {
                    let detail = details.get(&key).copied();
                    entries.push(Entry::new(d, &row.id, row.create_time, detail));
                }
            }
        }
        // Details the journal or an earlier listing gave, of invalidations no listing
        // holds now (older than the newest page).
        for (&(dist, id), inv) in &details {
            if !listed.contains(&(dist, id)) {
                let d = dists.index(dist, &names);
                entries.push(Entry::new(d, id, inv.create_time, Some(inv)));
            }
        }
        let dists = dists.list;
        entries.sort_unstable_by(|a, b| {
            b.create_time
                .cmp(&a.create_time)
                .then_with(|| dists[a.dist as usize].0.cmp(&dists[b.dist as usize].0))
                .then_with(|| a.id().cmp(b.id()))
        });
        let known = entries.iter().filter(|e| e.known).count();
        let mut slots = HashMap::with_capacity_and_hasher(entries.len(), FnvBuild::default());
        let mut collided = false;
        for (i, e) in entries.iter().enumerate() {
            let hash = key_hash(&dists[e.dist as usize].0, e.id());
            collided |= slots.insert(hash, i as u32).is_some();
        }
        Self {
            dists,
            entries,
            stamp: Stamp::of(session),
            known,
            unlisted,
            slots,
            collided,
        }
    }

    /// The entry of `key`, if indexed.
    fn find(&self, key: &InvKey) -> Option<u32> {
        let &i = self.slots.get(&key_hash(&key.distribution, &key.id))?;
        let e = &self.entries[i as usize];
        (e.id() == key.id && self.dists[e.dist as usize].0 == key.distribution).then_some(i)
    }

    /// Takes in the paths of the invalidations whose details arrived since it was built,
    /// in place; returns their entries, in order. `None` when more changed (a detail of
    /// an invalidation not indexed, or one gone): the index must be built again.
    fn learn(&mut self, session: &Session) -> Option<Vec<u32>> {
        if self.collided {
            return None;
        }
        let mut fresh = Vec::new();
        let mut known = 0;
        for (key, d) in &session.details {
            let Some(inv) = d.data() else {
                continue;
            };
            known += 1;
            let i = self.find(key)?;
            if !self.entries[i as usize].known {
                fresh.push((i, inv));
            }
        }
        // Each known detail is one entry's: fewer than before means one went.
        if known != self.known + fresh.len() {
            return None;
        }
        let mut learned = Vec::with_capacity(fresh.len());
        for (i, inv) in fresh {
            let e = &self.entries[i as usize];
            let id = e.id().to_string();
            self.entries[i as usize] = Entry::new(e.dist, &id, e.create_time, Some(inv));
            learned.push(i);
        }
        self.known += learned.len();
        learned.sort_unstable();
        Some(learned)
    }

    fn key(&self, entry: &Entry) -> InvKey {
        InvKey::new(&self.dists[entry.dist as usize].0, entry.id())
    }
}

/// The distributions an index names, each once, with the name the dashboard shows.
#[derive(Default)]
struct Dists<'s> {
    list: Vec<(String, String)>,
    at: HashMap<&'s str, u32>,
}

impl<'s> Dists<'s> {
    fn index(&mut self, id: &'s str, names: &HashMap<&str, &str>) -> u32 {
        if let Some(&at) = self.at.get(id) {
            return at;
        }
        let name = names.get(id).copied().unwrap_or(id);
        self.list.push((id.to_string(), name.to_string()));
        let at = (self.list.len() - 1) as u32;
        self.at.insert(id, at);
        at
    }
}

/// FNV-1a, for the index's maps of short ids: SipHash's defence against chosen keys buys
/// nothing there, and cost a third of the build.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type FnvBuild = BuildHasherDefault<Fnv>;

/// An invalidation's place in the index's slots.
fn key_hash(dist: &str, id: &str) -> u64 {
    let mut h = Fnv::default();
    h.write(dist.as_bytes());
    h.write(&[0xff]);
    h.write(id.as_bytes());
    h.finish()
}

/// `s` added to `out` in lowercase.
fn push_lower(out: &mut String, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&s.to_lowercase());
    }
}

/// The query as matched: trimmed, lowercase; and for a path (it starts with `/`), its text
/// before the first `*`, which covering wildcards are matched against.
fn needle(query: &str) -> (String, Option<String>) {
    let needle = query.trim().to_lowercase();
    let literal = needle
        .starts_with('/')
        .then(|| needle.split('*').next().unwrap_or("").to_string());
    (needle, literal)
}

/// The search screen's state.
pub struct Search {
    pub input: Input,
    index: Index,
    /// Indices into the index's entries that match, newest first.
    hits: Vec<u32>,
    /// The needle `hits` answers.
    needle: String,
    pub scroll: Scroll,
}

/// How the hit's row shows its match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matched {
    /// The query is empty: the row is one of the most recent.
    Nothing,
    /// The id holds the query, at these bytes of it.
    Id(std::ops::Range<usize>),
    /// The path at this index holds the query, at these bytes of it (none when the case
    /// folding of a non-ASCII path moves them).
    Path(usize, Option<std::ops::Range<usize>>),
    /// The wildcard path at this index covers the query.
    Covers(usize),
}

/// One line of the results, worked out for the rows on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub key: InvKey,
    /// The distribution's name, as the dashboard shows it.
    pub name: String,
    pub create_time: Timestamp,
    pub status: InvalidationStatus,
    /// Its paths, when known.
    pub paths: Option<Vec<String>>,
    /// Who made it, when its details are known.
    pub origin: Option<&'static str>,
    /// Its details are being fetched.
    pub fetching: bool,
    pub matched: Matched,
}

impl Search {
    pub fn new(session: &Session, query: &str) -> Self {
        let query: String = query
            .chars()
            .filter(|c| !c.is_control())
            .take(QUERY_MAX)
            .collect();
        let mut search = Self {
            input: Input::new(query.clone()),
            index: Index::build(session),
            hits: Vec::new(),
            needle: String::new(),
            scroll: Scroll::default(),
        };
        search.rescan(&query);
        search
    }

    /// Narrows the hits to `query`: an empty one lists every invalidation, newest first.
    pub fn set_query(&mut self, query: &str) {
        let (needle, _) = self::needle(query);
        if needle == self.needle {
            return;
        }
        self.scroll = Scroll::default();
        self.rescan(query);
    }

    fn rescan(&mut self, query: &str) {
        let (needle, literal) = self::needle(query);
        // A query that grows matches only what the shorter one did: a longer text is held
        // by fewer ids and paths, and a wildcard that covers it covers the shorter one, or
        // holds it.
        let narrowing = !self.needle.is_empty() && needle.starts_with(&self.needle);
        let entries = &self.index.entries;
        let literal = literal.as_deref();
        self.hits = if needle.is_empty() {
            (0..entries.len() as u32).collect()
        } else if narrowing {
            let mut hits = std::mem::take(&mut self.hits);
            hits.retain(|&i| entries[i as usize].matches(&needle, literal));
            hits
        } else {
            (0..entries.len() as u32)
                .filter(|&i| entries[i as usize].matches(&needle, literal))
                .collect()
        };
        self.needle = needle;
    }

    /// Follows the session, if it changed since the index was made: the paths that
    /// arrived are taken in place (what a fetch of details does, many times a minute), and
    /// anything else builds the index again. The query and the row selected are kept.
    /// Whether anything changed.
    fn sync(&mut self, session: &Session, rows: usize) -> bool {
        let stamp = Stamp::of(session);
        let was = self.index.stamp;
        if stamp == was {
            return false;
        }
        let selected = self.selected_key();
        let same_rows = stamp.lists == was.lists && stamp.names == was.names;
        match same_rows.then(|| self.index.learn(session)).flatten() {
            Some(learned) => {
                self.index.stamp = stamp;
                let (needle, literal) = self::needle(&self.needle);
                let entries = &self.index.entries;
                // Hits are in the entries' order: each new one goes in its place.
                for i in learned {
                    if !needle.is_empty()
                        && entries[i as usize].matches(&needle, literal.as_deref())
                        && let Err(at) = self.hits.binary_search(&i)
                    {
                        self.hits.insert(at, i);
                    }
                }
            }
            None => {
                self.index = Index::build(session);
                self.needle.clear();
                let query = self.input.value().to_string();
                self.rescan(&query);
            }
        }
        if let Some(i) = selected.and_then(|k| self.index.find(&k))
            && let Ok(at) = self.hits.binary_search(&i)
        {
            self.scroll.selected = at;
        }
        self.scroll.clamp(self.hits.len(), rows);
        true
    }

    pub fn hit_count(&self) -> usize {
        self.hits.len()
    }

    /// Every invalidation indexed: listed, or known from its details.
    pub fn total(&self) -> usize {
        self.index.entries.len()
    }

    /// Of them, how many have their paths known.
    pub fn known(&self) -> usize {
        self.index.known
    }

    /// Distributions whose invalidations are not listed yet: none of theirs can match.
    pub fn unlisted(&self) -> usize {
        self.index.unlisted
    }

    pub fn query(&self) -> &str {
        &self.needle
    }

    pub fn selected_key(&self) -> Option<InvKey> {
        let &i = self.hits.get(self.scroll.selected)?;
        Some(self.index.key(&self.index.entries[i as usize]))
    }

    /// The hits from `start`, at most `n` of them, with what the session says of each.
    pub fn hits(&self, session: &Session, start: usize, n: usize) -> Vec<Hit> {
        let (needle, literal) = self::needle(&self.needle);
        let end = (start + n).min(self.hits.len());
        self.hits[start.min(end)..end]
            .iter()
            .map(|&i| {
                let entry = &self.index.entries[i as usize];
                let (dist, name) = &self.index.dists[entry.dist as usize];
                let key = InvKey::new(dist, entry.id());
                let detail = session.details.get(&key);
                let inv = detail.and_then(Remote::data);
                let status = session
                    .listing(dist)
                    .and_then(|l| l.iter().find(|r| r.id == entry.id()))
                    .map(|r| r.status.clone())
                    .or_else(|| inv.map(|d| d.status.clone()))
                    .unwrap_or(InvalidationStatus::Other("?".into()));
                Hit {
                    name: name.clone(),
                    create_time: entry.create_time,
                    status,
                    paths: inv.map(|d| d.paths.clone()),
                    origin: inv.map(|d| origin(&d.caller_reference)),
                    fetching: matches!(detail, Some(Remote::Loading)),
                    matched: matched(&key.id, inv, &needle, literal.as_deref()),
                    key,
                }
            })
            .collect()
    }
}

/// Where a hit holds the query: a path rather than the id, a path holding it rather than
/// one covering it.
fn matched(id: &str, inv: Option<&Invalidation>, needle: &str, literal: Option<&str>) -> Matched {
    if needle.is_empty() {
        return Matched::Nothing;
    }
    let paths = inv.map_or(&[][..], |d| &d.paths[..]);
    for (n, path) in paths.iter().enumerate() {
        if path.is_ascii() && needle.is_ascii() {
            if let Some(at) = path.to_ascii_lowercase().find(needle) {
                return Matched::Path(n, Some(at..at + needle.len()));
            }
        } else if path.to_lowercase().contains(needle) {
            return Matched::Path(n, None);
        }
    }
    if let Some(at) = id.to_lowercase().find(needle) {
        return Matched::Id(at..at + needle.len());
    }
    let covering = paths.iter().position(|p| {
        let lower = p.to_lowercase();
        lower
            .strip_suffix('*')
            .is_some_and(|w| literal.is_some_and(|l| l.starts_with(w)))
    });
    covering.map_or(Matched::Nothing, Matched::Covers)
}

impl App {
    /// Opens the search over the dashboard, with `query` typed.
    pub(super) fn open_search(&mut self, query: &str) {
        let search = Search::new(&self.session, query);
        self.screen = Screen::Search(Box::new(search));
        self.redraw.dirty = true;
    }

    /// Rows of results the search shows at this size: the dialog's inside, less the
    /// query, the line of what is known, and the column header.
    pub fn search_rows(&self) -> usize {
        self.size.height.saturating_sub(2 + 2 + 3) as usize
    }

    /// Once a batch of actions is handled: if the session changed under the open search,
    /// index it again.
    pub(super) fn sync_search(&mut self) {
        let rows = self.search_rows();
        let Screen::Search(search) = &mut self.screen else {
            return;
        };
        if search.sync(&self.session, rows) {
            self.redraw.dirty = true;
        }
    }

    pub(super) fn on_search_key(&mut self, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
        self.redraw.dirty = true;
        let height = self.search_rows();
        let Screen::Search(search) = &mut self.screen else {
            return;
        };
        let len = search.hit_count();
        let scroll = &mut search.scroll;
        match keys::lookup(Mode::Search, &key) {
            Some(Cmd::Quit) => fx.push(Effect::Quit),
            Some(Cmd::Back) => self.screen = Screen::Dashboard,
            Some(Cmd::Down) => scroll.select(scroll.selected + 1, len, height),
            Some(Cmd::Up) => scroll.select(scroll.selected.saturating_sub(1), len, height),
            Some(Cmd::PageDown) => scroll.select(scroll.selected + height, len, height),
            Some(Cmd::PageUp) => scroll.select(scroll.selected.saturating_sub(height), len, height),
            Some(Cmd::Open) => {
                let Some(key) = search.selected_key() else {
                    return self.notify(
                        NoticeKind::Info,
                        "nothing to go to: Esc closes the search".into(),
                    );
                };
                self.screen = Screen::Dashboard;
                self.go_to_key(&key, fx);
            }
            _ => {
                if let Some(query) = super::palette::type_key(&mut search.input, key) {
                    search.set_query(&query);
                }
            }
        }
    }

    /// Pasted text types into the query: its first line, without control characters.
    pub(super) fn search_paste(&mut self, text: &str) {
        let Screen::Search(search) = &mut self.screen else {
            return;
        };
        let query = super::palette::paste_into(&mut search.input, text);
        search.set_query(&query);
        self.redraw.dirty = true;
    }

    /// Selects the invalidation `key` on the dashboard: its distribution (clearing a
    /// filter that hides it), then its row (clearing the invalidations' filter if that
    /// hides it), the invalidations pane focused.
    pub(super) fn go_to_key(&mut self, key: &InvKey, fx: &mut Vec<Effect>) {
        self.jump_to(&key.distribution, fx);
        if self.selected_distribution_id().as_deref() != Some(&key.distribution) {
            return;
        }
        let position = |app: &Self| app.invalidation_rows().iter().position(|r| r.id == key.id);
        if position(self).is_none() && !self.session.inv_filter.value().is_empty() {
            self.session.inv_filter.reset();
        }
        self.set_focus(Pane::Invalidations);
        match position(self) {
            Some(pos) => self.select_invalidation(pos, fx),
            None => {
                let name = self.distribution_name(&key.distribution);
                let listed = self.session.selected_listing().map(Vec::len);
                let text = match listed {
                    Some(n) => format!(
                        "{} is older than the {n} of {name} listed: L loads older ones",
                        key.id
                    ),
                    None => format!("{} is on {name}, whose invalidations are listing…", key.id),
                };
                self.notify(NoticeKind::Info, text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, paths: &[&str]) -> Entry {
        let inv = Invalidation {
            id: id.into(),
            status: InvalidationStatus::Completed,
            create_time: Timestamp::UNIX_EPOCH,
            paths: paths.iter().map(|p| p.to_string()).collect(),
            caller_reference: "cli-1".into(),
        };
        Entry::new(0, id, Timestamp::UNIX_EPOCH, Some(&inv))
    }

    fn hits(e: &Entry, query: &str) -> bool {
        let (needle, literal) = needle(query);
        e.matches(&needle, literal.as_deref())
    }

    #[test]
    fn a_query_matches_an_id_or_a_path_case_ignored() {
        let e = entry("I2ABC", &["/Checkout/*", "/index.html"]);
        assert!(hits(&e, "i2a"));
        assert!(hits(&e, "/checkout/*"));
        assert!(hits(&e, "CHECKOUT"));
        assert!(hits(&e, "  index.html "));
        assert!(!hits(&e, "/cart"));
        // One line at a time: a query never joins the end of one path to the next.
        assert!(!hits(&e, "*/index"));
    }

    #[test]
    fn a_wildcard_covers_a_path_query_that_starts_with_its_text() {
        let root = entry("I1", &["/*"]);
        let checkout = entry("I2", &["/checkout/*"]);
        let other = entry("I3", &["/check/*", "/css/app.css"]);
        for q in ["/checkout/cart.html", "/checkout/*", "/checkout/step*"] {
            assert!(hits(&root, q), "{q}");
            assert!(hits(&checkout, q), "{q}");
            assert!(!hits(&other, q), "{q}");
        }
        // A text that is not a path is matched as text only.
        assert!(!hits(&root, "checkout"));
        assert!(!hits(&entry("I4", &["/css/app.css"]), "/checkout/x"));
    }

    /// A session of `n` listed invalidations on two distributions, the paths of every
    /// third known.
    fn session(n: usize) -> Session {
        let now = Timestamp::UNIX_EPOCH + jiff::SignedDuration::from_hours(1000);
        let mut session = Session::new(now);
        for dist in ["E1", "E2"] {
            let list = (0..n)
                .map(|i| crate::cloudfront::InvalidationSummary {
                    id: format!("I{dist}{i:04}"),
                    status: InvalidationStatus::Completed,
                    create_time: now - jiff::SignedDuration::from_mins(i as i64 * 7),
                })
                .collect::<Vec<_>>();
            for row in list.iter().step_by(3) {
                arrive(&mut session, dist, row);
            }
            let entry = session.invalidations.entry(dist.into()).or_default();
            entry.list = Remote::Ready {
                data: list,
                at: now,
            };
        }
        session
    }

    fn arrive(session: &mut Session, dist: &str, row: &crate::cloudfront::InvalidationSummary) {
        let n: usize = row.id[3..].parse().unwrap();
        let inv = Invalidation {
            id: row.id.clone(),
            status: row.status.clone(),
            create_time: row.create_time,
            paths: vec![format!("/checkout/{}", n % 5), "/*".into()],
            caller_reference: String::new(),
        };
        let at = row.create_time;
        session
            .details
            .insert(InvKey::new(dist, &row.id), Remote::Ready { data: inv, at });
    }

    fn keys(search: &Search, session: &Session) -> Vec<InvKey> {
        let hits = search.hits(session, 0, search.hit_count());
        hits.into_iter().map(|h| h.key).collect()
    }

    #[test]
    fn paths_that_arrive_while_open_give_what_a_fresh_search_gives() {
        let mut session = session(40);
        for (n, query) in ["", "/checkout/3", "checkout/1", "IE2"]
            .into_iter()
            .enumerate()
        {
            let mut search = Search::new(&session, query);
            // The paths of a few more arrive; the row selected stays selected.
            search.scroll.selected = search.hit_count() / 2;
            let selected = search.selected_key();
            for dist in ["E1", "E2"] {
                let list = session.invalidations[dist].list.data().unwrap().clone();
                for row in list.iter().skip(n + 1).step_by(4) {
                    arrive(&mut session, dist, row);
                }
            }
            let before = search.known();
            assert!(search.sync(&session, 10), "{query}");
            assert!(search.known() > before, "{query}: learned in place");
            assert!(!search.sync(&session, 100), "nothing changed since");
            let fresh = Search::new(&session, query);
            assert_eq!(keys(&search, &session), keys(&fresh, &session), "{query}");
            assert_eq!(search.known(), fresh.known());
            if let Some(k) = selected {
                assert_eq!(search.selected_key(), Some(k), "{query}");
            }
        }
        // A detail of an invalidation no listing holds (the journal's): built again.
        let mut search = Search::new(&session, "/checkout/2");
        let old = crate::cloudfront::InvalidationSummary {
            id: "IE10999".into(),
            status: InvalidationStatus::Completed,
            create_time: Timestamp::UNIX_EPOCH,
        };
        arrive(&mut session, "E1", &old);
        assert!(search.sync(&session, 10));
        let fresh = Search::new(&session, "/checkout/2");
        assert_eq!(keys(&search, &session), keys(&fresh, &session));
        assert_eq!(
            keys(&search, &session).last().map(|k| &*k.id),
            Some("IE10999")
        );
    }

    #[test]
    fn the_origin_reads_the_caller_reference() {
        assert_eq!(origin("cfdash-1764244800000-42-ab12-1"), "cfdash");
        assert_eq!(origin("cli-1764244800-123456"), "aws CLI");
        assert_eq!(origin("deploy-42"), "other");
        assert_eq!(origin(""), "?");
    }

    #[test]
    fn the_match_shown_prefers_a_path_holding_the_query() {
        let inv = Invalidation {
            id: "IPRODUCTS".into(),
            status: InvalidationStatus::Completed,
            create_time: Timestamp::UNIX_EPOCH,
            paths: vec!["/*".into(), "/a.css".into(), "/Products/shoes.html".into()],
            caller_reference: String::new(),
        };
        let m = |q: &str| {
            let (needle, literal) = needle(q);
            matched(&inv.id, Some(&inv), &needle, literal.as_deref())
        };
        assert_eq!(m("products"), Matched::Path(2, Some(1..9)));
        assert_eq!(m("iprod"), Matched::Id(0..5));
        assert_eq!(m("/checkout"), Matched::Covers(0));
        assert_eq!(m(""), Matched::Nothing);
    }
}
