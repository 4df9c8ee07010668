//! The distributions table. Only the rows on screen are built, whatever the account's size.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::{Theme, column_widths, pane_block, placeholder, position};
use crate::app::arrow;
use crate::app::layout::{DIST_ALL, table_rows};
use crate::app::session::{DistColumn, ViewStats};
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

/// The columns drawn at an inner width, and their widths. The comment shows from
/// [`DIST_ALL`]. The spare room goes to the names first, up to 30 columns (most names
/// whole), then to the comments, up to the longest (at most 40, at least 12), then the rest
/// to the names again.
pub fn columns(width: u16, widths: ViewStats) -> Vec<(Col, Constraint)> {
    let mut cols = vec![
        (Col::Mark, Constraint::Length(1)),
        (Col::Id, Constraint::Length(14)),
        (Col::Name, Constraint::Fill(1)),
        (Col::Status, Constraint::Length(12)),
        (Col::Enabled, Constraint::Length(7)),
        (Col::Running, Constraint::Length(7)),
    ];
    if width >= DIST_ALL {
        let spare = usize::from(width.saturating_sub(FIXED));
        let names_first = widths.name.min(30).min(spare.saturating_sub(12));
        // "Comment" is the header's width.
        let comment = spare
            .saturating_sub(names_first)
            .min(widths.comment.clamp(7, 40));
        cols.push((Col::Comment, Constraint::Length(comment as u16)));
    }
    cols
}

/// The name cell: the first alias (else the domain) cut to `width`, with how many other
/// aliases there are (the invalidations pane's title or this pane's bottom border lists
/// them).
fn name_cell(d: &crate::cloudfront::Distribution, width: usize) -> String {
    let Some(suffix) = d.more_aliases() else {
        return fit(d.display_name(), width).into_owned();
    };
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
        let s = if tenants == 1 { "" } else { "s" };
        format!(" [{tenants} tenant{s}]")
    } else {
        " [tenants]".to_string()
    };
    let room = width.saturating_sub(2 + suffix.chars().count()).max(1);
    format!("{open} {}{suffix}", name_cell(d, room))
}

/// `aliases_elsewhere`: the invalidations' title shows every alias of the selection.
pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, aliases_elsewhere: bool) {
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

    let cols = columns(inner.width, app.session.view_stats);
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
    if !aliases_elsewhere {
        aliases_line(app, theme, frame, area);
    }
}

/// The selected distribution's aliases on the bottom border, left of the position, when
/// the invalidations' title has no room for them all (or for a long one whole): a name
/// cell shows the first and "+N".
fn aliases_line(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(d) = app.session.selected_distribution() else {
        return;
    };
    if d.aliases.is_empty() || area.height < 3 {
        return;
    }
    let len = app.session.view.len();
    let position = format!(" {len}/{len} ").chars().count();
    // The corners, a border's column either side, and the position's place.
    let room = (area.width as usize).saturating_sub(position + 6);
    // A tenant's are its domains (its name is in the row already).
    let (head, plain);
    let d = if d.tenant.is_some() {
        plain = crate::cloudfront::Distribution {
            tenant: None,
            ..d.clone()
        };
        head = " domains: ";
        &plain
    } else {
        head = " aliases: ";
        d
    };
    if room < head.len() + 8 {
        return;
    }
    let text = format!(
        "{head}{} ",
        super::invalidations::names(d, room - head.len() - 1)
    );
    let width = crate::text::columns(&text) as u16;
    let at = Rect::new(area.x + 2, area.bottom() - 1, width, 1);
    frame.render_widget(Span::styled(text, theme.dim), at);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::column_widths;

    fn widths(width: u16, name: usize, comment: usize) -> (u16, u16) {
        let cols = columns(
            width,
            ViewStats {
                name,
                comment,
                tenants: 0,
            },
        );
        let w = column_widths(&cols, width);
        let of = |col| cols.iter().position(|c| c.0 == col).map_or(0, |i| w[i]);
        (of(Col::Name), of(Col::Comment))
    }

    #[test]
    fn the_spare_room_goes_to_the_names_first_and_comments_take_what_they_use() {
        // No comment sent ("?"): the comment column is as wide as its header.
        assert_eq!(widths(88, 29, 1), (34, 7));
        // Names get up to 30 first, comments at least 12 …
        assert_eq!(widths(84, 43, 40), (25, 12));
        assert_eq!(widths(88, 43, 40), (29, 12));
        // … then the comments up to their longest, then the names the rest.
        assert_eq!(widths(104, 43, 40), (30, 27));
        assert_eq!(widths(118, 20, 25), (46, 25));
        // Below DIST_ALL, no comment: the names take it all.
        assert_eq!(widths(83, 10, 40), (37, 0));
    }
}
