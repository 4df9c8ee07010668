//! The distributions table. Only the rows on screen are built, whatever the account's size.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::{Theme, column_widths, pane_block, placeholder, position};
use crate::app::arrow;
use crate::app::layout::{DIST_ALL, table_rows};
use crate::app::session::DistColumn;
use crate::app::{App, Mode, Pane, Remote, Slot};
use crate::text::fit;
use crate::timefmt::thousands;

/// A column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Mark,
    Id,
    Name,
    Status,
    Enabled,
    Running,
    Comment,
}

/// Width of the columns but the name and the comment, with the gaps between all seven.
const FIXED: u16 = 1 + 14 + 12 + 7 + 7 + 6;

/// The columns drawn at an inner width, and their widths: the comment from [`DIST_ALL`],
/// the spare room to the name (the first alias, else the domain).
pub fn columns(width: u16) -> Vec<(Col, Constraint)> {
    let mut cols = vec![
        (Col::Mark, Constraint::Length(1)),
        (Col::Id, Constraint::Length(14)),
        (Col::Name, Constraint::Fill(1)),
        (Col::Status, Constraint::Length(12)),
        (Col::Enabled, Constraint::Length(7)),
        (Col::Running, Constraint::Length(7)),
    ];
    if width >= DIST_ALL {
        let comment = (width.saturating_sub(FIXED) / 2).clamp(16, 40);
        cols.push((Col::Comment, Constraint::Length(comment)));
    }
    cols
}

/// The name cell: the first alias (else the domain) cut to `width`, with how many other
/// aliases there are (the invalidations pane's title lists them all).
fn name_cell(d: &crate::cloudfront::Distribution, width: usize) -> String {
    let more = d.aliases.len().saturating_sub(1);
    if more == 0 {
        return fit(d.display_name(), width).into_owned();
    }
    let suffix = format!(" +{more}");
    let name = fit(d.display_name(), width.saturating_sub(suffix.len()).max(1));
    format!("{name}{suffix}")
}

/// The name cell in the tree: a multi-tenant distribution opens (`▸`/`▾`, Enter) on its
/// tenants, each under it (`└`) by its name and domains.
fn tree_cell(app: &App, d: &crate::cloudfront::Distribution, width: usize) -> String {
    if d.tenant.is_some() {
        return format!("  └ {}", name_cell(d, width.saturating_sub(4).max(1)));
    }
    if !d.tenant_only {
        return name_cell(d, width);
    }
    let open = if app.session.expanded.contains(&d.id) {
        "▾"
    } else {
        "▸"
    };
    let tenants = app.tenants_of(&d.id).len();
    let suffix = if tenants > 0 || app.session.tenants_listed.contains(&d.id) {
        format!(" [{tenants} tenants]")
    } else {
        " [tenants]".to_string()
    };
    let room = width.saturating_sub(2 + suffix.chars().count()).max(1);
    format!("{open} {}{suffix}", name_cell(d, room))
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let total = app
        .session
        .distributions
        .data()
        .map(|all| all.len() - app.session.tenant_rows());
    let mut title = vec![Span::styled(" Distributions ", theme.title)];
    let filter = app.filter_text();
    match total {
        Some(total) if filter.is_empty() => {
            title.push(Span::styled(format!("{} ", thousands(total)), theme.dim));
        }
        Some(total) => {
            let shown = app.session.view.len();
            let (shown, total) = (thousands(shown), thousands(total));
            title.push(Span::styled(format!("{shown}/{total} "), theme.dim));
            title.push(Span::styled(format!("filter “{filter}” "), theme.warning));
        }
        None => {}
    }
    // Sorted (`s`/`S`): by what, and which way; the column's header is marked too.
    let order = app.session.dist_order;
    if order != Default::default() {
        let by = match order.column {
            DistColumn::Listed => "account's order".to_string(),
            column => column.label().to_string(),
        };
        title.push(Span::styled(
            format!("by {by}{} ", arrow(order.descending)),
            theme.info,
        ));
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

    let cols = columns(inner.width);
    let widths = column_widths(&cols, inner.width);
    let width_of = |col: Col| {
        cols.iter()
            .position(|c| c.0 == col)
            .map_or(0, |i| widths[i] as usize)
    };
    let (name_w, status_w, comment_w) = (
        width_of(Col::Name),
        width_of(Col::Status),
        width_of(Col::Comment),
    );
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
            // Its last listing failed (throttled, or the network) and waits for a retry:
            // the count is as last known, marked `!`.
            let stale = app.session.schedule.failed_lists.contains(&d.id);
            let count = match running {
                Some((Remote::Ready { .. }, n)) if stale => {
                    Span::styled(format!("{n}!"), theme.warning)
                }
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
                Span::styled(fit(&d.status, status_w), theme.in_progress)
            };
            // "?": the answer did not say (an emulator may leave it out); not a guess.
            let enabled = match d.enabled {
                Some(true) => Span::styled("yes", theme.text),
                Some(false) => Span::styled("no", if selected { faint } else { theme.disabled }),
                None => Span::styled("?", faint),
            };
            let style = if d.enabled == Some(false) {
                theme.disabled
            } else {
                theme.text
            };
            let mark = if app.session.marked.contains(&d.id) {
                Span::styled("●", theme.watched)
            } else {
                Span::raw(" ")
            };
            let cells = cols.iter().map(|(col, _)| match col {
                Col::Mark => Cell::from(mark.clone()),
                Col::Id => Cell::from(fit(&d.id, 14)),
                Col::Name => Cell::from(tree_cell(app, d, name_w)),
                Col::Status => Cell::from(status.clone()),
                Col::Enabled => Cell::from(enabled.clone()),
                Col::Running => Cell::from(Line::from(count.clone()).right_aligned()),
                Col::Comment => Cell::from(Span::styled(
                    fit(d.comment.as_deref().unwrap_or("?"), comment_w),
                    faint,
                )),
            });
            theme.row(Row::new(cells).style(style), selected, focused)
        });
    let sorted = |col: &Col| {
        let by = match order.column {
            DistColumn::Listed => return false,
            DistColumn::Name => Col::Name,
            DistColumn::Id => Col::Id,
            DistColumn::Status => Col::Status,
            DistColumn::Enabled => Col::Enabled,
            DistColumn::Running => Col::Running,
            DistColumn::Comment => Col::Comment,
        };
        *col == by
    };
    let header = cols.iter().map(|(col, _)| {
        let cell = match col {
            Col::Mark => Cell::from(""),
            Col::Id => Cell::from("ID"),
            Col::Name => Cell::from("Name"),
            Col::Status => Cell::from("Status"),
            Col::Enabled => Cell::from("Enabled"),
            Col::Running => Cell::from(Line::from("Running").right_aligned()),
            Col::Comment => Cell::from("Comment"),
        };
        if sorted(col) {
            cell.style(theme.key.add_modifier(Modifier::UNDERLINED))
        } else {
            cell
        }
    });
    let table = Table::new(rows, cols.iter().map(|c| c.1))
        .header(Row::new(header).style(theme.header_row))
        .column_spacing(1)
        .flex(ratatui::layout::Flex::Start);
    frame.render_widget(table, inner);
    let scroll = &app.session.dist_scroll;
    position(
        frame,
        theme,
        area,
        (scroll.selected, start, app.session.view.len()),
    );
}
