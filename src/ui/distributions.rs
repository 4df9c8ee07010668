//! The distributions table. Only the rows on screen are built, whatever the account's size.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::{Theme, pane_block, placeholder};
use crate::app::layout::table_rows;
use crate::app::{App, Mode, Pane, Remote, Slot};

/// From this inner width the table also shows each distribution's comment.
const WITH_COMMENT: u16 = 90;

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let total = app.session.distributions.data().map(Vec::len);
    let mut title = vec![Span::styled(" Distributions ", theme.title)];
    let filter = app.filter_text();
    match total {
        Some(total) if filter.is_empty() => {
            title.push(Span::styled(format!("{total} "), theme.dim));
        }
        Some(total) => {
            let shown = app.session.view.len();
            title.push(Span::styled(format!("{shown}/{total} "), theme.dim));
            title.push(Span::styled(format!("filter “{filter}” "), theme.warning));
        }
        None => {}
    }
    if !app.session.marked.is_empty() {
        let n = app.session.marked.len();
        title.push(Span::styled(
            format!("● {n} marked: n targets them "),
            theme.watched,
        ));
    }
    let block = pane_block(app, theme, Pane::Distributions, Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let all = match &app.session.distributions {
        Remote::Ready { data, .. } => data,
        Remote::Failed { error, .. } => {
            let lines = vec![
                Line::styled(error.to_string(), theme.error),
                Line::styled("r retries", theme.dim),
            ];
            return placeholder(frame, inner, lines);
        }
        Remote::Idle | Remote::Loading => {
            let line = format!("{} listing distributions…", app.spinner());
            return placeholder(frame, inner, vec![Line::styled(line, theme.info)]);
        }
    };
    if app.session.view.is_empty() {
        let lines = if filter.is_empty() {
            vec![Line::from("This account has no distributions.")]
        } else {
            vec![
                Line::from(format!("No distribution matches “{filter}”.")),
                Line::styled("Esc clears the filter", theme.dim),
            ]
        };
        return placeholder(frame, inner, lines);
    }

    let comment = inner.width >= WITH_COMMENT;
    let height = table_rows(area);
    let start = app.session.dist_scroll.offset.min(app.session.view.len());
    let end = (start + height).min(app.session.view.len());
    let focused = app.session.focus == Pane::Distributions && app.mode() != Mode::Help;
    let rows = app.session.view[start..end]
        .iter()
        .enumerate()
        .map(|(i, &index)| {
            let d = &all[index];
            let selected = start + i == app.session.dist_scroll.selected;
            // Faint text would vanish on the selection's background.
            let faint = if selected {
                Style::default()
            } else {
                theme.dim
            };
            let running = app
                .session
                .invalidations
                .get(&d.id)
                .map(|e| (&e.list, e.in_progress()));
            let loading = app.is_loading(&Slot::Invalidations(d.id.clone()));
            let count = match running {
                Some((Remote::Ready { .. }, 0)) => Span::styled("0", faint),
                Some((Remote::Ready { .. }, n)) => Span::styled(format!("{n}"), theme.in_progress),
                Some((Remote::Failed { .. }, _)) => Span::styled("!", theme.error),
                _ if loading => Span::styled(app.spinner().to_string(), theme.info),
                _ => Span::styled("·", faint),
            };
            // A configuration change rolling out: the console calls it "Deploying".
            let status = if d.status.eq_ignore_ascii_case("deployed") {
                Span::styled("Deployed", theme.text)
            } else if d.status.eq_ignore_ascii_case("inprogress") {
                Span::styled("Deploying", theme.in_progress)
            } else {
                Span::styled(d.status.as_str(), theme.in_progress)
            };
            let enabled = if d.enabled {
                Span::styled("yes", theme.text)
            } else {
                Span::styled("no", if selected { faint } else { theme.disabled })
            };
            let style = if d.enabled {
                theme.text
            } else {
                theme.disabled
            };
            let mark = if app.session.marked.contains(&d.id) {
                Span::styled("●", theme.watched)
            } else {
                Span::raw(" ")
            };
            let mut cells = vec![
                Cell::from(mark),
                Cell::from(d.id.as_str()),
                Cell::from(d.display_name()),
                Cell::from(status),
                Cell::from(enabled),
                Cell::from(Line::from(count).right_aligned()),
            ];
            if comment {
                cells.push(Cell::from(Span::styled(d.comment.as_str(), faint)));
            }
            theme.row(Row::new(cells).style(style), selected, focused)
        });
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(14),
        Constraint::Fill(2),
        Constraint::Length(12),
        Constraint::Length(7),
        Constraint::Length(8),
    ];
    let mut header: Vec<Cell> = ["", "ID", "Name", "Status", "Enabled"]
        .into_iter()
        .map(Cell::from)
        .collect();
    header.push(Cell::from(Line::from("Running").right_aligned()));
    if comment {
        widths.push(Constraint::Fill(1));
        header.push(Cell::from("Comment"));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header_row))
        .column_spacing(1);
    frame.render_widget(table, inner);
}
