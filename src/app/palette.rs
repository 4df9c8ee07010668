//! The `:` palette: one fuzzy list of the distributions (by alias, id or domain), the
//! profiles, and the dashboard's commands. Typing narrows it, Enter jumps, switches or runs.
//!
//! The entries are gathered once when the palette opens; each keystroke scores them all
//! with `nucleo-matcher` (the matcher of the helix editor), in its greedy mode: each word
//! of the query must appear in order, case ignored, and closer, earlier runs score higher.
//! A query that only grows scores the entries that matched before. Typing into 5,000
//! distributions stays within the 2 ms a keystroke that `benches/palette.rs` checks.

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};
use tui_input::Input;

use super::keys::{self, Cmd};
use super::{App, Effect, NoticeKind, Pane, Screen, Scroll};

/// What an entry does when chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Select the distribution with this id.
    Distribution(String),
    /// Open this profile.
    Profile(String),
    /// Run a dashboard command, as its key would.
    Command(Cmd),
    /// Open the search (`f`) with this query.
    Search(String),
}

/// One line of the palette.
#[derive(Clone, Debug)]
pub struct Entry {
    pub target: Target,
    /// `dist`, `profile` or `cmd`.
    pub kind: &'static str,
    /// What the line shows; the query is matched against it.
    pub text: String,
    /// Shown dim after the text: a command's key, a profile's endpoint.
    pub extra: String,
    haystack: Utf32String,
}

impl Entry {
    pub fn new(target: Target, kind: &'static str, text: String, extra: String) -> Self {
        Self::with_keywords(target, kind, text, extra, "")
    }

    /// An entry also found by `keywords`, which are not shown (matched after the text).
    pub fn with_keywords(
        target: Target,
        kind: &'static str,
        text: String,
        extra: String,
        keywords: &str,
    ) -> Self {
        let haystack = if keywords.is_empty() {
            Utf32String::from(text.as_str())
        } else {
            Utf32String::from(format!("{text} {keywords}").as_str())
        };
        Self {
            target,
            kind,
            text,
            extra,
            haystack,
        }
    }
}

/// The most characters the query holds.
pub const QUERY_MAX: usize = 200;

pub struct Palette {
    pub input: Input,
    entries: Vec<Entry>,
    /// Indices into `entries` of those that match, best first.
    matches: Vec<u32>,
    /// The query `matches` answers.
    query: String,
    pub scroll: Scroll,
    matcher: Matcher,
    /// "search invalidations for “…”", offered for any query: first when the query is a
    /// path (nothing else holds a `/` to match), else last.
    search: Option<Entry>,
}

impl Palette {
    pub fn new(entries: Vec<Entry>) -> Self {
        let mut palette = Self {
            input: Input::default(),
            matches: Vec::new(),
            query: String::new(),
            entries,
            scroll: Scroll::default(),
            matcher: Words::matcher(),
            search: None,
        };
        palette.set_query("");
        palette
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries that match, best first.
    pub fn matches(&self) -> impl ExactSizeIterator<Item = &Entry> + '_ {
        self.matches.iter().map(|&i| &self.entries[i as usize])
    }

    pub fn match_count(&self) -> usize {
        self.matches.len()
    }

    /// The lines shown: the entries that match, and the search line.
    pub fn lines(&self) -> impl Iterator<Item = &Entry> + '_ {
        let first = self.query.trim_start().starts_with('/');
        let lead = self.search.as_ref().filter(|_| first);
        let tail = self.search.as_ref().filter(|_| !first);
        lead.into_iter().chain(self.matches()).chain(tail)
    }

    pub fn line_count(&self) -> usize {
        self.matches.len() + usize::from(self.search.is_some())
    }

    pub fn selected(&self) -> Option<&Entry> {
        self.lines().nth(self.scroll.selected)
    }

    /// Narrows the list to `query`. An empty query lists everything, in the order given.
    pub fn set_query(&mut self, query: &str) {
        if query == self.query && !self.matches.is_empty() {
            return;
        }
        self.scroll = Scroll::default();
        let wanted = query.trim();
        self.search = (!wanted.is_empty()).then(|| {
            Entry::new(
                Target::Search(wanted.to_string()),
                "search",
                format!("paths and ids holding “{wanted}”"),
                "f".into(),
            )
        });
        if query.trim().is_empty() {
            self.matches = (0..self.entries.len() as u32).collect();
            self.query = query.to_string();
            return;
        }
        let words = Words::new(query);
        // A query that grows by plain characters can only match fewer entries.
        let narrowing = !self.query.trim().is_empty()
            && query.starts_with(&self.query)
            && !query[self.query.len()..].contains(char::is_whitespace);
        let candidates: Vec<u32> = if narrowing {
            std::mem::take(&mut self.matches)
        } else {
            (0..self.entries.len() as u32).collect()
        };
        let (entries, matcher) = (&self.entries, &mut self.matcher);
        let mut scored: Vec<(u32, u32)> = candidates
            .into_iter()
            .filter_map(|i| {
                let hay = entries[i as usize].haystack.slice(..);
                words.score(hay, matcher).map(|s| (s, i))
            })
            .collect();
        // Best score first; equal scores keep the order given (commands, profiles, rows).
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.matches = scored.into_iter().map(|(_, i)| i).collect();
        self.query = query.to_string();
    }

    /// For each entry, the character positions of its text the query matched (to
    /// highlight); one matcher for them all, as it is costly to make.
    pub fn highlights<'a>(&self, entries: impl Iterator<Item = &'a Entry>) -> Vec<Vec<u32>> {
        if self.query.trim().is_empty() {
            return entries.map(|_| Vec::new()).collect();
        }
        let words = Words::new(&self.query);
        let mut matcher = Words::matcher();
        entries
            .map(|entry| {
                let mut indices = Vec::new();
                words.indices(entry.haystack.slice(..), &mut matcher, &mut indices);
                indices.sort_unstable();
                indices.dedup();
                indices
            })
            .collect()
    }
}

/// A query's words, each to be found in order in an entry (case ignored).
struct Words(Vec<Atom>);

impl Words {
    fn new(query: &str) -> Self {
        Self(
            query
                .split_whitespace()
                .map(|w| {
                    Atom::new(
                        w,
                        CaseMatching::Ignore,
                        Normalization::Smart,
                        AtomKind::Fuzzy,
                        false,
                    )
                })
                .collect(),
        )
    }

    fn matcher() -> Matcher {
        let mut config = Config::DEFAULT;
        config.ignore_case = true;
        config.normalize = true;
        Matcher::new(config)
    }

    /// The sum of the words' scores, if every word is found.
    fn score(&self, hay: Utf32Str<'_>, matcher: &mut Matcher) -> Option<u32> {
        self.0.iter().try_fold(0u32, |sum, atom| {
            let s = matcher.fuzzy_match_greedy(hay, atom.needle_text())?;
            Some(sum + u32::from(s))
        })
    }

    fn indices(&self, hay: Utf32Str<'_>, matcher: &mut Matcher, out: &mut Vec<u32>) {
        for atom in &self.0 {
            matcher.fuzzy_indices_greedy(hay, atom.needle_text(), out);
        }
    }
}

/// Words a command is also found by: what an operator may call it.
fn keywords(cmd: Cmd) -> &'static str {
    match cmd {
        Cmd::Notices => "history log",
        Cmd::ToggleUtc => "zone timezone",
        Cmd::Refresh => "reload",
        Cmd::Copy => "yank clipboard",
        Cmd::OpenConsole => "browser console url",
        Cmd::LoadOlder => "more page",
        Cmd::Search => "search path who when grep",
        _ => "",
    }
}

/// Whether a dashboard command belongs in the palette: moving about does not.
fn is_command(cmd: Cmd) -> bool {
    !matches!(
        cmd,
        Cmd::Up
            | Cmd::Down
            | Cmd::PageUp
            | Cmd::PageDown
            | Cmd::Top
            | Cmd::Bottom
            | Cmd::NextPane
            | Cmd::PrevPane
            | Cmd::Back
            | Cmd::Open
            | Cmd::Mark
            | Cmd::Palette
    )
}

impl App {
    /// The palette's entries: the commands first (few, and what an empty query offers),
    /// then the profiles, then the distributions in the table's order.
    pub fn palette_entries(&self) -> Vec<Entry> {
        let mut entries: Vec<Entry> = keys::DASHBOARD
            .iter()
            // A binding sharing the line before it (`S` of `s/S`) is no line of its own.
            .filter(|b| is_command(b.cmd) && !b.desc.is_empty())
            .filter(|b| !(self.session.read_only && b.cmd == Cmd::NewInvalidation))
            .map(|b| {
                Entry::with_keywords(
                    Target::Command(b.cmd),
                    "cmd",
                    b.desc.to_string(),
                    b.label.to_string(),
                    keywords(b.cmd),
                )
            })
            .collect();
        for p in &self.catalog.profiles {
            let extra = match (&p.profile.endpoint_url, p.profile.simulated) {
                (_, true) => "simulated".to_string(),
                (Some(url), _) => url.clone(),
                (None, _) => "AWS".to_string(),
            };
            let text = if p.name == self.profile {
                format!("profile {} (open)", p.name)
            } else {
                format!("profile {}", p.name)
            };
            entries.push(Entry::new(
                Target::Profile(p.name.clone()),
                "profile",
                text,
                extra,
            ));
        }
        if let Some(all) = self.session.distributions.data() {
            entries.reserve(all.len());
            for d in all {
                let mut text = String::with_capacity(80);
                // A tenant by its name first (then its domains and id).
                if let Some(t) = &d.tenant {
                    text.push_str(&t.name);
                    text.push(' ');
                }
                for a in &d.aliases {
                    text.push_str(a);
                    text.push(' ');
                }
                text.push_str(&d.id);
                text.push(' ');
                text.push_str(&d.domain_name);
                let (kind, extra) = match &d.tenant {
                    Some(t) => ("tenant", format!("of {}", t.distribution)),
                    None => ("dist", String::new()),
                };
                entries.push(Entry::new(
                    Target::Distribution(d.id.clone()),
                    kind,
                    text,
                    extra,
                ));
            }
        }
        entries
    }

    pub(super) fn open_palette(&mut self) {
        let palette = Palette::new(self.palette_entries());
        self.screen = Screen::Palette(Box::new(palette));
    }

    pub(super) fn on_palette_key(&mut self, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
        self.redraw.dirty = true;
        let height = self.palette_rows();
        let Screen::Palette(palette) = &mut self.screen else {
            return;
        };
        let len = palette.line_count();
        match keys::lookup(super::Mode::Palette, &key) {
            Some(Cmd::Quit) => fx.push(Effect::Quit),
            Some(Cmd::Back) => self.screen = Screen::Dashboard,
            Some(Cmd::Down) => palette
                .scroll
                .select(palette.scroll.selected + 1, len, height),
            Some(Cmd::Up) => {
                let to = palette.scroll.selected.saturating_sub(1);
                palette.scroll.select(to, len, height);
            }
            Some(Cmd::PageDown) => {
                palette
                    .scroll
                    .select(palette.scroll.selected + height, len, height)
            }
            Some(Cmd::PageUp) => {
                let to = palette.scroll.selected.saturating_sub(height);
                palette.scroll.select(to, len, height);
            }
            Some(Cmd::Confirm) => {
                let target = palette.selected().map(|e| e.target.clone());
                self.screen = Screen::Dashboard;
                match target {
                    Some(target) => self.palette_run(target, fx),
                    None => self.notify(
                        NoticeKind::Info,
                        "nothing matches: Esc closes the palette".into(),
                    ),
                }
            }
            _ => {
                if let Some(query) = type_key(&mut palette.input, key) {
                    palette.set_query(&query);
                }
            }
        }
    }

    /// Pasted text types into the query: its first line, without control characters.
    pub(super) fn palette_paste(&mut self, text: &str) {
        let Screen::Palette(palette) = &mut self.screen else {
            return;
        };
        let query = paste_into(&mut palette.input, text);
        palette.set_query(&query);
        self.redraw.dirty = true;
    }

    /// Rows of results the palette shows at this size.
    pub fn palette_rows(&self) -> usize {
        palette_height(self.size.height).saturating_sub(3) as usize
    }

    fn palette_run(&mut self, target: Target, fx: &mut Vec<Effect>) {
        match target {
            Target::Command(cmd) => self.run(cmd, fx),
            Target::Profile(name) => self.switch_to(&name, fx),
            Target::Distribution(id) => self.jump_to(&id, fx),
            Target::Search(query) => self.open_search(&query),
        }
    }

    /// Selects the distribution `id`, clearing a filter that hides it.
    pub(super) fn jump_to(&mut self, id: &str, fx: &mut Vec<Effect>) {
        // A tenant shows under its distribution, opened.
        let parent = self
            .session
            .distribution(id)
            .and_then(|d| d.tenant.as_ref())
            .map(|t| t.distribution.clone());
        if let Some(parent) = parent
            && self.session.expanded.insert(parent)
        {
            let before = self.selected_distribution_id();
            self.rebuild_view(before.as_deref());
        }
        let position = |app: &Self| {
            let all = app.session.distributions.data()?;
            app.session.view.iter().position(|&i| all[i].id == id)
        };
        if position(self).is_none() && !self.session.filter.value().is_empty() {
            self.session.filter.reset();
            let before = self.selected_distribution_id();
            self.rebuild_view(before.as_deref());
            self.notify(NoticeKind::Info, format!("filter cleared to show {id}"));
        }
        let Some(index) = position(self) else {
            return self.notify(
                NoticeKind::Error,
                format!("{id} is no longer listed: r lists the distributions again"),
            );
        };
        self.set_focus(Pane::Distributions);
        self.select_distribution(index, fx);
    }
}

/// A key typed into a query of at most [`QUERY_MAX`] characters (the palette's, the
/// search's): the query, if the key changed it.
pub(super) fn type_key(input: &mut Input, key: crossterm::event::KeyEvent) -> Option<String> {
    use tui_input::backend::crossterm::EventHandler;
    let full = input.value().chars().count() >= QUERY_MAX;
    if full && matches!(key.code, crossterm::event::KeyCode::Char(_)) {
        return None;
    }
    input.handle_event(&crossterm::event::Event::Key(key))?;
    Some(input.value().to_string())
}

/// A paste added at the end of a query: its first line, without control characters, up
/// to [`QUERY_MAX`] characters in all. The query it makes.
pub(super) fn paste_into(input: &mut Input, text: &str) -> String {
    let line = crate::text::strip_bom(text.lines().next().unwrap_or(""));
    let mut query = input.value().to_string();
    let room = QUERY_MAX.saturating_sub(query.chars().count());
    query.extend(line.chars().filter(|c| !c.is_control()).take(room));
    *input = Input::new(query.clone());
    query
}

/// The palette's height for a terminal `rows` high: its border, the query, the results.
pub fn palette_height(rows: u16) -> u16 {
    rows.saturating_sub(6).clamp(5, 22)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(texts: &[&str]) -> Vec<Entry> {
        texts
            .iter()
            .map(|t| {
                Entry::new(
                    Target::Distribution(t.to_string()),
                    "dist",
                    t.to_string(),
                    String::new(),
                )
            })
            .collect()
    }

    fn shown(p: &Palette) -> Vec<&str> {
        p.matches().map(|e| e.text.as_str()).collect()
    }

    #[test]
    fn an_empty_query_lists_everything_in_order() {
        let p = Palette::new(entries(&["b", "a", "c"]));
        assert_eq!(shown(&p), ["b", "a", "c"]);
    }

    #[test]
    fn fuzzy_query_ranks_the_closest_first() {
        let mut p = Palette::new(entries(&[
            "shop.example.com E1 d1.cloudfront.net",
            "static.example.com E2 d2.cloudfront.net",
            "api.example.org E3 d3.cloudfront.net",
        ]));
        p.set_query("static");
        assert_eq!(shown(&p), ["static.example.com E2 d2.cloudfront.net"]);
        p.set_query("exmplorg");
        assert_eq!(shown(&p), ["api.example.org E3 d3.cloudfront.net"]);
        p.set_query("EXAMPLE");
        assert_eq!(p.match_count(), 3, "case is ignored");
    }

    #[test]
    fn a_growing_query_gives_what_a_fresh_one_gives() {
        let texts: Vec<String> = (0..300)
            .map(|i| format!("site{i}.example.com E{i:05} d{i}.cloudfront.net"))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut typed = Palette::new(entries(&refs));
        for q in ["s", "si", "sit", "site", "site1", "site12"] {
            typed.set_query(q);
            let mut fresh = Palette::new(entries(&refs));
            fresh.set_query(q);
            assert_eq!(shown(&typed), shown(&fresh), "{q}");
        }
        // Deleting a character widens the list again.
        typed.set_query("site1");
        let mut fresh = Palette::new(entries(&refs));
        fresh.set_query("site1");
        assert_eq!(shown(&typed), shown(&fresh));
        assert!(typed.match_count() > 100);
        // A second word narrows (both must match), and is not taken as a growing query.
        typed.set_query("site1 E0001");
        let mut fresh = Palette::new(entries(&refs));
        fresh.set_query("site1 E0001");
        assert_eq!(shown(&typed), shown(&fresh));
    }

    #[test]
    fn highlights_name_the_matched_characters() {
        let mut p = Palette::new(entries(&["abc"]));
        p.set_query("ac");
        assert_eq!(p.highlights(p.matches()), [vec![0, 2]]);
    }

    #[test]
    fn a_query_matching_nothing_selects_nothing() {
        let mut p = Palette::new(entries(&["abc"]));
        p.set_query("zzz");
        assert_eq!(p.match_count(), 0);
        // What is left is the search line.
        assert_eq!(p.line_count(), 1);
        assert_eq!(
            p.selected().map(|e| &e.target),
            Some(&Target::Search("zzz".into()))
        );
        // No query, no search line.
        p.set_query("");
        assert_eq!(p.lines().count(), 1);
        assert_eq!(p.selected().map(|e| e.kind), Some("dist"));
    }

    #[test]
    fn the_search_line_comes_last_unless_the_query_is_a_path() {
        let mut p = Palette::new(entries(&["checkout.example.com", "sort / reverse"]));
        p.set_query("check");
        let kinds: Vec<&str> = p.lines().map(|e| e.kind).collect();
        assert_eq!(kinds, ["dist", "search"]);
        p.set_query("/ch");
        let lines: Vec<&Target> = p.lines().map(|e| &e.target).collect();
        assert_eq!(lines[0], &Target::Search("/ch".into()));
    }
}
