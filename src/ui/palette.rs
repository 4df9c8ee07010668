//! The `:` palette: the query on top, the best matches under it, the count on the border.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, draw_dialog};
use crate::app::App;
use crate::app::clip::CopyMenu;
use crate::app::palette::Palette;
use crate::timefmt::thousands;

/// Columns for an entry's kind (`profile` and a space).
const KIND: usize = 8;

pub fn render(app: &App, palette: &Palette, theme: &Theme, frame: &mut Frame, area: Rect) {
    let count = format!(
        " {}/{} ",
        thousands(palette.match_count()),
        thousands(palette.len())
    );
    let Some(inner) = draw_dialog(app, theme, frame, area, " : palette ", count) else {
        return;
    };
    if inner.height < 2 {
        return;
    }
    super::query_line(frame, theme, inner, (": ", &palette.input, ""));
    let list = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    if palette.line_count() == 0 {
        let line = Line::styled("nothing to choose yet", theme.dim);
        frame.render_widget(Paragraph::new(line), list);
        return;
    }
    let rows = list.height as usize;
    let start = palette.scroll.offset;
    let text_width = (list.width as usize).saturating_sub(KIND + 1);
    let marks = palette.highlights(palette.lines().skip(start).take(rows));
    let mut lines: Vec<Line> = palette
        .lines()
        .skip(start)
        .take(rows)
        .zip(marks)
        .enumerate()
        .map(|(i, (entry, marks))| {
            let selected = start + i == palette.scroll.selected;
            let mut spans = vec![
                Span::raw(if selected { "▶" } else { " " }),
                Span::styled(format!("{:<KIND$}", entry.kind), theme.dim),
            ];
            let chars: Vec<char> = entry.text.chars().collect();
            let room = text_width.saturating_sub(if entry.extra.is_empty() {
                0
            } else {
                entry.extra.chars().count() + 2
            });
            let cut = chars.len() > room;
            let shown = if cut {
                room.saturating_sub(1)
            } else {
                chars.len()
            };
            let mut run = String::new();
            let mut run_hit = false;
            for (n, c) in chars[..shown].iter().enumerate() {
                let hit = marks.binary_search(&(n as u32)).is_ok();
                if hit != run_hit && !run.is_empty() {
                    spans.push(styled(std::mem::take(&mut run), run_hit, theme));
                }
                run_hit = hit;
                run.push(*c);
            }
            if !run.is_empty() {
                spans.push(styled(run, run_hit, theme));
            }
            if cut {
                spans.push(Span::styled("…", theme.dim));
            }
            if !entry.extra.is_empty() {
                spans.push(Span::styled(format!("  {}", entry.extra), theme.dim));
            }
            let line = Line::from(spans);
            if selected {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    // Only the search line: nothing else holds the query.
    if palette.match_count() == 0 {
        let text = " no distribution, profile or command matches: fewer letters, or Esc";
        let text = crate::text::fit(text, list.width as usize).into_owned();
        lines.push(Line::styled(text, theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), list);
}

fn styled(text: String, hit: bool, theme: &Theme) -> Span<'static> {
    if hit {
        Span::styled(text, theme.key.add_modifier(Modifier::BOLD))
    } else {
        Span::styled(text, theme.text)
    }
}

/// The copy menu: a letter, what it copies, and a preview of the text.
pub fn copy_menu(app: &App, menu: &CopyMenu, theme: &Theme, frame: &mut Frame, area: Rect) {
    let keys = " letter or Enter copies · Esc closes ";
    let Some(inner) = draw_dialog(app, theme, frame, area, " Copy ", keys) else {
        return;
    };
    let what_width = menu
        .choices
        .iter()
        .map(|c| c.what.chars().count())
        .max()
        .unwrap_or(0);
    let lines: Vec<Line> = menu
        .choices
        .iter()
        .enumerate()
        .map(|(i, choice)| {
            let room = (inner.width as usize).saturating_sub(what_width + 6);
            let preview = choice.preview().replace('\n', " ");
            let preview = if preview.chars().count() > room {
                let cut: String = preview.chars().take(room.saturating_sub(1)).collect();
                format!("{cut}…")
            } else {
                preview
            };
            let line = Line::from(vec![
                Span::raw(if i == menu.selected { "▶" } else { " " }),
                Span::styled(format!("{} ", choice.key), theme.key),
                Span::styled(format!("{:<what_width$}  ", choice.what), theme.text),
                Span::styled(preview, theme.dim),
            ]);
            if i == menu.selected {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
