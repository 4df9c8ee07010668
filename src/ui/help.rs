//! The `?` overlay, written from the key tables themselves.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use super::{Theme, open_dialog, popup};
use crate::app::Mode;
use crate::app::keys::{Binding, FILTER, FORM, SECTIONS};

pub fn render(theme: &Theme, frame: &mut Frame, area: Rect, from: Mode) {
    // The main table on the left, its dialogs' on the right: the dashboard's, the form's,
    // or the profiles'.
    let (left, right) = if from.in_form() {
        (&SECTIONS[3..4], &SECTIONS[4..7])
    } else if from.in_profiles() {
        (&SECTIONS[7..8], &SECTIONS[8..9])
    } else {
        (&SECTIONS[..1], &SECTIONS[1..3])
    };
    let left = section_lines(theme, left);
    let right = section_lines(theme, right);
    let height = left.len().max(right.len()) as u16 + 2;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.focus_border)
        .title(Line::styled(" Keys ", theme.title))
        .title_bottom(Line::styled(" Esc closes ", theme.dim).right_aligned());
    let inner = open_dialog(frame, popup(area, 84, height), block);
    let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
        .spacing(1)
        .areas(inner);
    for (lines, rect) in [(left, l), (right, r)] {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rect);
    }
}

fn section_lines(
    theme: &Theme,
    sections: &[(&'static str, &'static [Binding])],
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (i, (heading, table)) in sections.iter().enumerate() {
        if i > 0 {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(*heading, theme.title));
        // A binding without a label shares the line of the one before it (↑/↓).
        for b in table.iter().filter(|b| !b.label.is_empty()) {
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<11}", b.label), theme.key),
                Span::raw(b.desc),
            ]));
        }
        if std::ptr::eq(*table, FILTER) || std::ptr::eq(*table, FORM) {
            lines.push(Line::styled(" other keys edit the text", theme.dim));
        }
    }
    lines
}
