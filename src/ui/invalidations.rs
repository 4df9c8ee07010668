//! The selected distribution's recent invalidations.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::{Theme, pane_block, placeholder};
use crate::app::layout::table_rows;
use crate::app::{App, InvKey, Mode, Pane, Remote, Slot};
use crate::cloudfront::InvalidationStatus;
use crate::timefmt;

/// Below this inner width the local creation time gives way to the age alone.
const WITH_CREATED: u16 = 70;
/// Below this inner width "took" goes too.
const WITH_TOOK: u16 = 50;

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let dist = app.selected_distribution();
    let loading = dist.is_some_and(|d| app.is_loading(&Slot::Invalidations(d.id.clone())));
    let mut title = vec![Span::styled(" Invalidations ", theme.title)];
    if let Some(d) = dist {
        title.push(Span::styled(format!("· {} ", d.display_name()), theme.text));
    }
    if loading {
        title.push(Span::styled(format!("{} ", app.spinner()), theme.info));
    }
    let mut block = pane_block(app, theme, Pane::Invalidations, Line::from(title));
    // The listing holds the newest page only: older ones come on demand.
    if app.session.more_to_load(app.settings.list_limit) {
        block = block.title_bottom(Line::from(vec![
            Span::styled(" L", theme.key),
            Span::styled(" older ", theme.dim),
        ]));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let Some(dist) = dist else {
        let line = match app.session.distributions {
            Remote::Ready { .. } => "Select a distribution.",
            _ => "",
        };
        return placeholder(frame, inner, vec![Line::styled(line, theme.dim)]);
    };
    let rows = match app.selected_invalidations().map(|e| &e.list) {
        // In the table's order (`s`/`S`).
        Some(Remote::Ready { .. }) => app.invalidation_rows(),
        Some(Remote::Failed { error, .. }) => {
            return placeholder(
                frame,
                inner,
                vec![Line::styled(error.to_string(), theme.error)],
            );
        }
        _ => {
            let line = format!("{} listing invalidations…", app.spinner());
            return placeholder(frame, inner, vec![Line::styled(line, theme.info)]);
        }
    };
    if rows.is_empty() {
        let lines = vec![Line::from("No invalidations on this distribution yet.")];
        return placeholder(frame, inner, lines);
    }

    let created = inner.width >= WITH_CREATED;
    let took = inner.width >= WITH_TOOK;
    let height = table_rows(area);
    let start = app.session.inv_scroll.offset.min(rows.len());
    let end = (start + height).min(rows.len());
    let focused = app.session.focus == Pane::Invalidations && app.mode() != Mode::Help;
    let body = rows[start..end].iter().enumerate().map(|(i, inv)| {
        let selected = start + i == app.session.inv_scroll.selected;
        // Faint text would vanish on the selection's background.
        let faint = if selected {
            Style::default()
        } else {
            theme.dim
        };
        let key = InvKey::new(&dist.id, &inv.id);
        let mark = if app.watch.watched.contains(&key) {
            Span::styled("◆", theme.watched)
        } else {
            Span::raw(" ")
        };
        let symbol = match inv.status {
            InvalidationStatus::InProgress => app.spinner(),
            InvalidationStatus::Completed => '✓',
            InvalidationStatus::Queued => '◌',
            InvalidationStatus::Other(_) => '?',
        };
        let status = Span::styled(
            format!("{symbol} {}", inv.status),
            theme.status(&inv.status),
        );
        let mut cells = vec![
            Cell::from(mark),
            Cell::from(inv.id.as_str()),
            Cell::from(status),
        ];
        if created {
            cells.push(Cell::from(timefmt::local(&app.tz, inv.create_time)));
        }
        cells.push(Cell::from(Span::styled(
            timefmt::ago(app.now, inv.create_time),
            faint,
        )));
        if took {
            cells.push(match app.session.took.get(&key) {
                Some(d) => Cell::from(format!("≤ {}", timefmt::short_duration(*d))),
                None => Cell::from(Span::styled("—", faint)),
            });
        }
        theme.row(Row::new(cells), selected, focused)
    });
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(14),
        Constraint::Length(12),
    ];
    let mut header = vec!["", "ID", "Status"];
    if created {
        widths.push(Constraint::Length(19));
        header.push("Created");
    }
    widths.push(Constraint::Length(8));
    header.push("Age");
    if took {
        widths.push(Constraint::Length(9));
        header.push("Took");
    }
    let table = Table::new(body, widths)
        .header(Row::new(header).style(theme.header_row))
        .column_spacing(1);
    frame.render_widget(table, inner);
}
