//! What the `?` overlay holds and where it goes, worked out once for the view (which draws
//! it) and the reducer (which scrolls it): the key tables of the screen under it, and a
//! legend of the symbols cfdash draws.

use ratatui::layout::{Constraint, Layout, Rect};

use super::keys::{Binding, Cmd, FILTER, FORM, SEARCH, SECTIONS};
use super::{App, Mode, Screen};
use crate::text::wrap;

/// What the symbols on the dashboard and in the switcher mean.
pub const LEGEND: &[(&str, &str)] = &[
    ("●", "marked distribution; the open profile in the switcher"),
    ("default", "the default profile, in the switcher's tags"),
    ("◆", "watched: rings when it completes"),
    (
        "!",
        "in Running: listing failed or throttled, to be retried (2! = 2 when last listed); the header says how old",
    ),
    ("?", "not sent by the endpoint: unknown"),
    (
        "+N",
        "more aliases: the selected one's are on its pane's bottom border",
    ),
    (
        "▸ ▾",
        "multi-tenant distribution: Enter shows (▾) or hides (▸) its tenants",
    ),
    ("└", "a tenant, under its distribution"),
    (
        "⚠",
        "in the form: a #tag for a distribution with no cache-tag header",
    ),
    ("…", "cut to fit"),
];

/// The width of the key column (a space and the label).
pub const LABEL: usize = 12;

/// One line of the overlay, already wrapped to its column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelpRow {
    Heading(&'static str),
    /// A key (or a symbol) and the first line of what it does.
    Key(&'static str, String),
    /// More of what a key does, under it.
    More(String),
    Note(&'static str),
    Blank,
}

/// The overlay for a terminal of `area` over a screen of mode `from`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpView {
    /// The frame, inside `area`.
    pub rect: Rect,
    /// The two columns inside the frame.
    pub columns: [Rect; 2],
    pub rows: [Vec<HelpRow>; 2],
    /// The most the columns scroll: 0 when everything shows.
    pub max_scroll: usize,
}

/// The overlay's widest frame.
const WIDTH: u16 = 84;

/// `n` sections of the help, from the one headed `first` (SECTIONS keeps each screen's
/// together: the dashboard's, the form's, the profiles').
fn sections(first: &str, n: usize) -> &'static [(&'static str, &'static [Binding])] {
    let at = SECTIONS
        .iter()
        .position(|(heading, _)| *heading == first)
        .unwrap_or(0);
    &SECTIONS[at..(at + n).min(SECTIONS.len())]
}

pub fn help_view(area: Rect, from: Mode) -> HelpView {
    // The main table on the left; its dialogs' and the legend on the right: the
    // dashboard's, the form's, or the profiles'.
    let (left, right) = if from.in_form() {
        (sections("New invalidation", 1), sections("Confirmation", 3))
    } else if from.in_profiles() {
        (sections("Profiles (p)", 1), sections("Profile form", 2))
    } else {
        (sections("Dashboard", 1), sections("Filter (after /)", 6))
    };
    let width = WIDTH.min(area.width);
    let inner = Rect::new(0, 0, width.saturating_sub(2), 1);
    let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
        .spacing(1)
        .areas(inner);
    let mut right_rows = section_rows(right, r.width);
    right_rows.push(HelpRow::Blank);
    right_rows.push(HelpRow::Heading("Symbols"));
    for (symbol, meaning) in LEGEND {
        push_key(&mut right_rows, symbol, meaning, r.width);
    }
    let rows = [section_rows(left, l.width), right_rows];
    let content = rows[0].len().max(rows[1].len());
    let height = (content as u16).saturating_add(2).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width)])
        .flex(ratatui::layout::Flex::Center)
        .areas(row);
    let inside = Rect::new(
        rect.x + 1,
        rect.y + 1,
        rect.width.saturating_sub(2),
        rect.height.saturating_sub(2),
    );
    let columns = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
        .spacing(1)
        .areas(inside);
    HelpView {
        rect,
        columns,
        rows,
        max_scroll: content.saturating_sub(inside.height as usize),
    }
}

impl App {
    /// Scrolls the overlay for `cmd` if it is a scrolling key; says whether it was.
    pub(super) fn scroll_help(&mut self, cmd: Option<Cmd>) -> bool {
        let Screen::Help { from, scroll } = &mut self.screen else {
            return false;
        };
        let view = help_view(self.size, from.mode());
        let page = view.columns[0].height.max(1) as usize;
        *scroll = match cmd {
            Some(Cmd::Down) => *scroll + 1,
            Some(Cmd::Up) => scroll.saturating_sub(1),
            Some(Cmd::PageDown) => *scroll + page,
            Some(Cmd::PageUp) => scroll.saturating_sub(page),
            _ => return false,
        }
        .min(view.max_scroll);
        self.redraw.dirty = true;
        true
    }
}

fn push_key(rows: &mut Vec<HelpRow>, label: &'static str, desc: &str, width: u16) {
    let room = (width as usize).saturating_sub(LABEL).max(8);
    let mut lines = wrap(desc, room).into_iter();
    rows.push(HelpRow::Key(label, lines.next().unwrap_or("").to_string()));
    rows.extend(lines.map(|l| HelpRow::More(l.to_string())));
}

fn section_rows(sections: &[(&'static str, &'static [Binding])], width: u16) -> Vec<HelpRow> {
    let mut rows = Vec::new();
    for (i, (heading, table)) in sections.iter().enumerate() {
        if i > 0 {
            rows.push(HelpRow::Blank);
        }
        rows.push(HelpRow::Heading(heading));
        // A binding without a label shares the line of the one before it (↑/↓).
        for b in table.iter().filter(|b| !b.label.is_empty()) {
            push_key(&mut rows, b.label, b.desc, width);
        }
        if [FILTER, FORM, SEARCH]
            .iter()
            .any(|t| std::ptr::eq(*table, *t))
        {
            rows.push(HelpRow::Note(" other keys edit the text"));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_screens_sections_are_found_by_their_headings() {
        let names = |first, n| -> Vec<&str> { sections(first, n).iter().map(|s| s.0).collect() };
        assert_eq!(names("New invalidation", 1), ["New invalidation"]);
        assert_eq!(
            names("Confirmation", 3),
            ["Confirmation", "Presets (C-p)", "Discard?"]
        );
        assert_eq!(names("Profiles (p)", 1), ["Profiles (p)"]);
        assert_eq!(
            names("Profile form", 2),
            ["Profile form", "Discard the profile's changes?"]
        );
        assert_eq!(
            names("Filter (after /)", 6),
            [
                "Filter (after /)",
                "Palette (after :)",
                "Copy (after y)",
                "In progress (i)",
                "Search (f)",
                "Help"
            ]
        );
    }

    #[test]
    fn the_overlay_fits_its_terminal_and_scrolls_to_the_last_line() {
        for (w, h) in [(60, 15), (80, 24), (160, 48)] {
            for from in [Mode::Normal, Mode::Form, Mode::Profiles] {
                let area = Rect::new(0, 0, w, h);
                let v = help_view(area, from);
                assert!(area.contains(v.rect.as_position()), "{w}x{h}");
                assert!(v.rect.bottom() <= h && v.rect.right() <= w, "{w}x{h}");
                let shown = v.columns[0].height as usize;
                let longest = v.rows[0].len().max(v.rows[1].len());
                assert_eq!(v.max_scroll + shown, longest.max(shown), "{w}x{h} {from:?}");
            }
        }
        // At 80×24 the dashboard's help does not fit: it scrolls, and the legend's last
        // line is the right column's last row.
        let v = help_view(Rect::new(0, 0, 80, 24), Mode::Normal);
        assert!(v.max_scroll > 0);
        assert!(matches!(v.rows[1].last(), Some(HelpRow::Key("…", _))));
    }
}
