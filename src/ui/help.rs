//! The `?` overlay, written from the key tables themselves and the symbols' legend
//! (`app::help` works out its rows and its place).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::{Theme, open_dialog};
use crate::app::Mode;
use crate::app::help::{HelpRow, LABEL, help_view};

pub fn render(theme: &Theme, frame: &mut Frame, area: Rect, from: Mode, scroll: usize) {
    let view = help_view(area, from);
    let scroll = scroll.min(view.max_scroll);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.focus_border)
        .title(Line::styled(" Keys ", theme.title))
        .title_bottom(Line::styled(" Esc closes ", theme.dim).right_aligned());
    if scroll < view.max_scroll {
        block = block.title_bottom(Line::styled(" ↓ more: j/PgDn ", theme.key));
    }
    let inner = open_dialog(frame, view.rect, block);
    for (rows, rect) in view.rows.iter().zip(view.columns) {
        let lines: Vec<Line> = rows
            .iter()
            .skip(scroll)
            .take(inner.height as usize)
            .map(|row| line(theme, row))
            .collect();
        frame.render_widget(Paragraph::new(lines), rect);
    }
}

/// The overlay's frame in a terminal of `area`.
pub fn rect(area: Rect, from: Mode) -> Rect {
    help_view(area, from).rect
}

fn line(theme: &Theme, row: &HelpRow) -> Line<'static> {
    match row {
        HelpRow::Heading(h) => Line::styled(*h, theme.title),
        HelpRow::Key(label, desc) => Line::from(vec![
            Span::styled(format!(" {label:<w$}", w = LABEL - 1), theme.key),
            Span::raw(desc.clone()),
        ]),
        HelpRow::More(desc) => Line::raw(format!("{:LABEL$}{desc}", "")),
        HelpRow::Note(note) => Line::styled(*note, theme.dim),
        HelpRow::Blank => Line::raw(""),
    }
}
