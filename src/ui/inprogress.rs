//! "In progress, everywhere" (`i`): one table of every invalidation in progress.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{Theme, draw_dialog};
use crate::app::App;
use crate::text::fit;
use crate::timefmt::{short_duration, thousands};

pub fn render(app: &App, selected: usize, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rows = app.in_progress_rows();
    let title = format!(" In progress ({}) ", thousands(rows.len()));
    let keys = " Enter goes to it · Esc closes ";
    let Some(inner) = draw_dialog(app, theme, frame, area, title, keys) else {
        return;
    };
    if rows.is_empty() {
        let line = Line::styled("Nothing in progress on this profile.", theme.dim);
        frame.render_widget(Paragraph::new(line), inner);
        return;
    }
    let height = inner.height.saturating_sub(1) as usize;
    let offset = selected.saturating_sub(height.saturating_sub(1));
    let name_width = (inner.width as usize)
        .saturating_sub(2 + 15 + 9 + 7 + 10 + 5)
        .max(8);
    let body = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, r)| {
            let mark = if r.watched { "◆" } else { " " };
            let name = match &r.profile {
                Some(p) => format!("{} ({p})", r.name),
                None => r.name.clone(),
            };
            let age = short_duration(app.now.duration_since(r.create_time));
            let paths = r.paths.map_or("?".to_string(), thousands);
            let usually = r
                .usually
                .map_or("—".to_string(), |d| format!("~{}", short_duration(d)));
            let row = Row::new(vec![
                Cell::from(Span::styled(mark, theme.watched)),
                Cell::from(fit(&name, name_width).into_owned()),
                Cell::from(r.key.id.clone()),
                Cell::from(age),
                Cell::from(Line::from(paths).right_aligned()),
                Cell::from(Span::styled(usually, theme.dim)),
            ]);
            theme.row(row, i == selected, true)
        });
    let widths = [
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(14),
        Constraint::Length(8),
        Constraint::Length(6),
        Constraint::Length(9),
    ];
    let header = Row::new(vec![
        Cell::from(""),
        Cell::from("Distribution"),
        Cell::from("ID"),
        Cell::from("Age"),
        Cell::from(Line::from("Paths").right_aligned()),
        Cell::from("Usually"),
    ])
    .style(theme.header_row);
    let table = Table::new(body, widths).header(header).column_spacing(1);
    frame.render_widget(table, inner);
}
