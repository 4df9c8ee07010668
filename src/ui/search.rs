//! Search by path (`f`): the query on top, what cfdash knows the paths of under it, then
//! the invalidations that match, newest first, the match highlighted.

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::invalidations::status_symbol;
use super::{Theme, draw_dialog};
use crate::app::App;
use crate::app::search::{Hit, Matched, Search};
use crate::text::{columns as text_columns, fit};
use crate::timefmt::{day_and_time, thousands};

/// A column of the results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    /// The status's symbol, with its word where there is room.
    Status,
    When,
    Distribution,
    Id,
    Origin,
    Path,
}

/// Widths: "2026-11-20 17:42", an id, "aws CLI", "⠋ InProgress".
const WHEN: u16 = 16;
const ID: u16 = 14;
const ORIGIN: u16 = 7;
const STATUS_WORD: u16 = 12;
/// The least a distribution's name and the path get, and the most the name takes.
const NAME_MIN: u16 = 12;
const NAME_MAX: u16 = 24;
const PATH_MIN: u16 = 18;

/// The columns at an inner width, and their widths; `names` is the widest name on screen.
/// The status's symbol, the time, the distribution and the path always show; then, as far
/// as there is room, the origin, the names' whole width, the id and the status's word; the
/// path takes the rest.
pub fn columns(width: u16, names: u16) -> Vec<(Col, u16)> {
    let mut cols = vec![
        (Col::Status, 1),
        (Col::When, WHEN),
        (Col::Distribution, NAME_MIN),
    ];
    let used = |cols: &[(Col, u16)]| cols.iter().map(|c| c.1 + 1).sum::<u16>() + PATH_MIN;
    // `<`: a column and the gap before it.
    if used(&cols) + ORIGIN < width {
        cols.push((Col::Origin, ORIGIN));
    }
    let wanted = names.clamp(NAME_MIN, NAME_MAX) - NAME_MIN;
    cols[2].1 += wanted.min(width.saturating_sub(used(&cols)));
    if used(&cols) + ID < width {
        cols.push((Col::Id, ID));
        if used(&cols) + STATUS_WORD - 1 <= width {
            cols[0].1 = STATUS_WORD;
        }
    }
    let path = width.saturating_sub(used(&cols) - PATH_MIN);
    cols.push((Col::Path, path));
    // The table's order: when, status, where, which, who, what.
    let order = [
        Col::When,
        Col::Status,
        Col::Distribution,
        Col::Id,
        Col::Origin,
        Col::Path,
    ];
    order
        .iter()
        .filter_map(|o| cols.iter().find(|c| c.0 == *o).copied())
        .collect()
}

pub fn render(app: &App, search: &Search, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (hits, total) = (search.hit_count(), search.total());
    let title = if search.query().is_empty() {
        format!(
            " Search · {} invalidations, newest first ",
            thousands(total)
        )
    } else {
        format!(" Search · {} of {} ", thousands(hits), thousands(total))
    };
    let keys = " Enter goes to it · Esc closes ";
    let Some(inner) = draw_dialog(app, theme, frame, area, title, keys) else {
        return;
    };
    if inner.height < 4 {
        return;
    }
    let hint = "a path or an id, any case";
    super::query_line(frame, theme, inner, ("find ", &search.input, hint));
    let known = Rect {
        y: inner.y + 1,
        height: 1,
        ..inner
    };
    frame.render_widget(known_line(search, theme, inner.width), known);
    let list = Rect {
        y: inner.y + 2,
        height: inner.height - 2,
        ..inner
    };
    if hits == 0 {
        let text = if total == 0 {
            "Nothing listed yet: invalidations show as each distribution is listed.".to_string()
        } else {
            format!(
                "No invalidation matches “{}”: ids of all {} searched, paths of {}.",
                fit(search.query(), 40),
                thousands(total),
                thousands(search.known()),
            )
        };
        let line = Line::styled(fit(&text, inner.width as usize).into_owned(), theme.dim);
        frame.render_widget(Paragraph::new(line), list);
        return;
    }
    let rows = list.height.saturating_sub(1) as usize;
    let mut scroll = search.scroll;
    scroll.clamp(hits, rows);
    let shown = search.hits(&app.session, scroll.offset, rows);
    let names = shown
        .iter()
        .map(|h| text_columns(&h.name) as u16)
        .max()
        .unwrap_or(0);
    let cols = columns(inner.width, names);
    let id_shown = cols.iter().any(|c| c.0 == Col::Id);
    let body = shown.iter().enumerate().map(|(i, hit)| {
        let selected = scroll.offset + i == scroll.selected;
        let cells = cols
            .iter()
            .map(|&(col, w)| cell(app, hit, (col, w as usize, id_shown), selected, theme));
        theme.row(Row::new(cells), selected, true)
    });
    let header = cols.iter().map(|&(col, w)| match col {
        Col::Status if w > 1 => "Status",
        Col::Status => "",
        Col::When => "Created",
        Col::Distribution => "Distribution",
        Col::Id => "ID",
        Col::Origin => "Origin",
        Col::Path => "Path",
    });
    let table = Table::new(body, cols.iter().map(|c| Constraint::Length(c.1)))
        .header(Row::new(header).style(theme.header_row))
        .column_spacing(1)
        .flex(ratatui::layout::Flex::Start);
    frame.render_widget(table, list);
    if let Some(d) = super::dialog_rect(app, area) {
        place(frame, theme, d.rect, list, (scroll, hits, rows));
    }
}

/// What the search can see: the paths of how many invalidations, and distributions not
/// listed yet; a miss among the others is not a "nothing".
fn known_line<'a>(search: &Search, theme: &Theme, width: u16) -> Line<'a> {
    let (known, total, unlisted) = (search.known(), search.total(), search.unlisted());
    let (k, t) = (thousands(known), thousands(total));
    let mut long = if known < total {
        let rest = thousands(total - known);
        format!(
            "paths known for {k} of {t} invalidations; the other {rest} match by id only until their paths are fetched"
        )
    } else {
        format!("paths known for all {t} invalidations")
    };
    let mut short = if known < total {
        format!("paths known for {k} of {t}; the rest match by id until fetched")
    } else {
        long.clone()
    };
    if unlisted > 0 {
        let more = format!(" · {} distributions not listed yet", thousands(unlisted));
        long.push_str(&more);
        short.push_str(&more);
    }
    let text = if text_columns(&long) <= width as usize {
        long
    } else {
        fit(&short, width as usize).into_owned()
    };
    let partial = known < total || unlisted > 0;
    let style = if partial && !search.query().is_empty() {
        theme.warning
    } else {
        theme.dim
    };
    Line::styled(text, style)
}

/// A row's cell of column `col`, `width` wide; `id_shown`: the id has a column of its own.
fn cell<'a>(
    app: &App,
    hit: &Hit,
    (col, width, id_shown): (Col, usize, bool),
    selected: bool,
    theme: &Theme,
) -> Cell<'a> {
    let faint = if selected {
        Style::default()
    } else {
        theme.dim
    };
    match col {
        Col::Status => {
            let symbol = status_symbol(app, &hit.status);
            let text = if width > 1 {
                format!("{symbol} {}", hit.status)
            } else {
                symbol.to_string()
            };
            Cell::from(Span::styled(text, theme.status(&hit.status)))
        }
        Col::When => Cell::from(day_and_time(&app.tz, app.now, hit.create_time)),
        Col::Distribution => Cell::from(fit(&hit.name, width).into_owned()),
        Col::Id => match &hit.matched {
            Matched::Id(range) => {
                Cell::from(marked(&hit.key.id, Some(range.clone()), width, theme))
            }
            _ => Cell::from(fit(&hit.key.id, width).into_owned()),
        },
        Col::Origin => Cell::from(Span::styled(hit.origin.unwrap_or(""), faint)),
        // Matched by its id, with no column for it: the id takes the path's place.
        Col::Path => match &hit.matched {
            Matched::Id(range) if !id_shown => {
                let mut line = Line::from(Span::styled("id ", faint));
                let id = marked(
                    &hit.key.id,
                    Some(range.clone()),
                    width.saturating_sub(3),
                    theme,
                );
                line.spans.extend(id.spans);
                Cell::from(line)
            }
            _ => Cell::from(path_cell(hit, width, faint, theme)),
        },
    }
}

/// The path that matched (else the first), the match marked, then "+N" for the others;
/// "covers" after a wildcard that covers the query.
fn path_cell<'a>(hit: &Hit, width: usize, faint: Style, theme: &Theme) -> Line<'a> {
    let Some(paths) = &hit.paths else {
        let text = if hit.fetching {
            "fetching…"
        } else {
            "not fetched yet"
        };
        return Line::styled(fit(text, width).into_owned(), faint);
    };
    let (n, range, covers) = match &hit.matched {
        Matched::Path(n, range) => (*n, range.clone(), false),
        Matched::Covers(n) => (*n, None, true),
        _ => (0, None, false),
    };
    let Some(path) = paths.get(n) else {
        return Line::default();
    };
    let mut tail = Vec::new();
    if covers {
        tail.push(Span::styled(" covers it", faint));
    }
    if paths.len() > 1 {
        tail.push(Span::styled(format!(" +{}", paths.len() - 1), faint));
    }
    // The tail gives way before the path does, "covers it" first.
    let tail_width =
        |tail: &[Span]| -> usize { tail.iter().map(|s| text_columns(&s.content)).sum() };
    while !tail.is_empty() && tail_width(&tail) + 8 > width {
        tail.remove(0);
    }
    let room = width - tail_width(&tail);
    let mut line = if covers {
        let cut = fit(path, room).into_owned();
        Line::from(Span::styled(cut, theme.warning))
    } else {
        marked(path, range, room, theme)
    };
    line.spans.extend(tail);
    line
}

/// `text` cut to `width` columns with the bytes `range` marked; when the mark would fall
/// past the cut, the text is shown from nearer its end ("…" first) so the mark shows.
fn marked<'a>(text: &str, range: Option<Range<usize>>, width: usize, theme: &Theme) -> Line<'a> {
    let hit = theme.key.add_modifier(Modifier::BOLD);
    let Some(range) = range.filter(|r| text.is_ascii() && r.end <= text.len()) else {
        return Line::from(fit(text, width).into_owned());
    };
    if width < 2 {
        return Line::from(fit(text, width).into_owned());
    }
    let (mut start, mut lead) = (0, "");
    if text.len() > width && range.end > width - 1 {
        // "…" and then the text up to the mark's end, the mark as far left as it fits.
        start = (range.end + 1).saturating_sub(width - 1).min(range.start);
        lead = "…";
    }
    let room = if lead.is_empty() { width } else { width - 1 };
    let shown = &text[start..];
    let cut = text_columns(shown) > room;
    let end = if cut { room - 1 } else { shown.len() };
    let piece = |r: Range<usize>| &shown[r.start.min(end)..r.end.min(end)];
    let (a, b) = (range.start - start, range.end - start);
    let mut spans = Vec::new();
    if !lead.is_empty() {
        spans.push(Span::raw(lead));
    }
    spans.push(Span::raw(piece(0..a).to_string()));
    spans.push(Span::styled(piece(a..b).to_string(), hit));
    spans.push(Span::raw(piece(b..shown.len()).to_string()));
    if cut {
        spans.push(Span::raw("…"));
    }
    Line::from(spans)
}

/// "12/340" on the bottom border, left, and a scrollbar beside the rows when they do not
/// all fit.
fn place(
    frame: &mut Frame,
    theme: &Theme,
    rect: Rect,
    list: Rect,
    (scroll, len, rows): (crate::app::Scroll, usize, usize),
) {
    let label = format!(" {}/{} ", thousands(scroll.selected + 1), thousands(len));
    let width = text_columns(&label) as u16;
    if width + 4 <= rect.width {
        let at = Rect::new(rect.x + 2, rect.bottom() - 1, width, 1);
        frame.render_widget(Span::styled(label, theme.dim), at);
    }
    let track = Rect::new(rect.x, list.y + 1, rect.width, rows as u16);
    super::scrollbar(frame, theme, track, (scroll.offset, len, rows));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn marks(line: &Line) -> String {
        line.spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::BOLD))
            .map(|s| s.content.as_ref())
            .collect()
    }

    #[test]
    fn a_match_past_the_cut_is_shown_from_nearer_the_end() {
        let theme = Theme::color();
        let path = "/very/long/directory/name/checkout/cart.html";
        let at = path.find("checkout").unwrap();
        let l = marked(path, Some(at..at + 8), 20, &theme);
        assert_eq!(text_columns(&text(&l)), 20, "{}", text(&l));
        assert!(text(&l).starts_with('…'), "{}", text(&l));
        assert_eq!(marks(&l), "checkout");
        // A match within the room: cut at the end as usual.
        let l = marked(path, Some(0..5), 20, &theme);
        assert_eq!(text(&l), "/very/long/director…");
        assert_eq!(marks(&l), "/very");
        // It all fits.
        let l = marked("/a/checkout", Some(3..11), 20, &theme);
        assert_eq!(text(&l), "/a/checkout");
        assert_eq!(marks(&l), "checkout");
    }

    #[test]
    fn the_columns_fill_the_width_and_give_way_in_order() {
        let sum = |cols: &[(Col, u16)]| cols.iter().map(|c| c.1 + 1).sum::<u16>() - 1;
        for width in [54u16, 74, 100, 152] {
            let cols = columns(width, 17);
            assert_eq!(sum(&cols), width, "{width}: {cols:?}");
            let path = cols.iter().find(|c| c.0 == Col::Path).unwrap().1;
            assert!(path >= PATH_MIN, "{width}: {cols:?}");
        }
        let has = |w, col| columns(w, 17).iter().any(|c| c.0 == col);
        assert!(!has(54, Col::Origin) && !has(54, Col::Id));
        // At 80×24 the whole names and the origin before the id; short names leave room.
        assert!(has(74, Col::Origin) && !has(74, Col::Id));
        assert_eq!(columns(74, 17)[2], (Col::Distribution, 17));
        assert!(columns(74, 12).iter().any(|c| c.0 == Col::Id));
        assert_eq!(columns(74, 12)[1], (Col::Status, 1), "the symbol only");
        assert_eq!(columns(152, 17)[1], (Col::Status, STATUS_WORD));
        assert_eq!(columns(152, 17)[2], (Col::Distribution, 17));
        assert_eq!(columns(152, 60)[2], (Col::Distribution, NAME_MAX));
    }
}
