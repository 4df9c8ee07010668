//! The paths of the selected invalidation, fetched when the pane opens.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, pane_block, placeholder};
use crate::app::layout::{DETAIL_FIELDS, PATH_CONTINUED, PATH_INDENT, path_lines};
use crate::app::{App, Pane, Remote};
use crate::text::fit;
use crate::timefmt;

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let key = app.selected_invalidation();
    let mut title = vec![Span::styled(" Paths ", theme.title)];
    if let Some(k) = &key {
        title.push(Span::styled(format!("· {} ", k.id), theme.text));
    }
    let block = pane_block(app, theme, Pane::Detail, Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let Some(key) = key else {
        return placeholder(
            frame,
            inner,
            vec![Line::styled("No invalidation selected.", theme.dim)],
        );
    };
    let inv = match app.session.details.get(&key) {
        Some(Remote::Ready { data, .. }) => data,
        Some(Remote::Failed { error, .. }) => {
            return placeholder(
                frame,
                inner,
                vec![Line::styled(error.to_string(), theme.error)],
            );
        }
        _ => {
            let line = format!("{} fetching paths…", app.spinner());
            return placeholder(frame, inner, vec![Line::styled(line, theme.info)]);
        }
    };
    // The listing is polled and may be fresher than the fetched copy.
    let status = app
        .invalidation_rows()
        .get(app.session.inv_scroll.selected)
        .map_or(&inv.status, |row| &row.status);
    let room = (inner.width as usize).saturating_sub(11);
    let field = |name: &'static str, value: Span<'static>| {
        let value = Span::styled(fit(&value.content, room).into_owned(), value.style);
        Line::from(vec![Span::styled(format!("{name:<11}"), theme.dim), value])
    };
    let took = match app.session.took.get(&key) {
        Some(d) => Span::raw(format!(
            "≤ {} (seen by cfdash)",
            timefmt::short_duration(*d)
        )),
        None => Span::styled("—", theme.dim),
    };
    let count = inv.paths.len();
    let fields = vec![
        field(
            "Status",
            Span::styled(status.to_string(), theme.status(status)),
        ),
        field(
            "Created",
            Span::raw(format!(
                "{} ({})",
                timefmt::local(&app.tz, inv.create_time),
                timefmt::ago(app.now, inv.create_time)
            )),
        ),
        field("Took", took),
        field("Caller ref", Span::raw(inv.caller_reference.clone())),
        field(
            "Paths",
            Span::raw(format!("{count} path{}", if count == 1 { "" } else { "s" })),
        ),
    ];
    let [top, rest] =
        Layout::vertical([Constraint::Length(DETAIL_FIELDS), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(fields), top);
    // The paths scroll by lines: a long path wraps, its continuation indented further.
    let mut lines: Vec<Line> = Vec::with_capacity(rest.height as usize);
    let mut skip = app.session.detail_scroll.offset;
    'paths: for p in &inv.paths {
        for (i, piece) in path_lines(area, p).into_iter().enumerate() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if lines.len() >= rest.height as usize {
                break 'paths;
            }
            let indent = if i == 0 { PATH_INDENT } else { PATH_CONTINUED };
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(indent)),
                Span::raw(piece.to_string()),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines), rest);
}
