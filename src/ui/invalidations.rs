//! The selected distribution's recent invalidations.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::{Theme, pane_block, placeholder, position};
use crate::app::form::QuotaUse;
use crate::app::layout::table_rows;
use crate::app::session::InvColumn;
use crate::app::{App, InvKey, Mode, Pane, Remote, Slot, arrow};
use crate::cloudfront::{Distribution, InvalidationStatus};
use crate::paths;
use crate::text::{columns as text_columns, fit};
use crate::timefmt::{self, thousands};

/// A column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Mark,
    Id,
    Status,
    Created,
    Age,
    Took,
}

const WIDTHS: [(Col, u16); 6] = [
    (Col::Mark, 1),
    (Col::Id, 14),
    (Col::Status, 12),
    (Col::Created, 19),
    (Col::Age, 8),
    (Col::Took, 9),
];

/// The columns drawn at an inner width, and their widths: all of them from [`crate::app::layout::INV_ALL`];
/// below it the local creation time goes first (the age stays), then "took".
pub fn columns(width: u16) -> Vec<(Col, Constraint)> {
    let fits = |cols: &[Col]| {
        let sum: u16 = WIDTHS
            .iter()
            .filter(|(c, _)| cols.contains(c))
            .map(|(_, w)| w + 1)
            .sum();
        sum.saturating_sub(1) <= width
    };
    let mut shown = vec![Col::Mark, Col::Id, Col::Status, Col::Age];
    for extra in [Col::Took, Col::Created] {
        let mut with = shown.clone();
        with.push(extra);
        if fits(&with) {
            shown = with;
        }
    }
    WIDTHS
        .iter()
        .filter(|(c, _)| shown.contains(c))
        .map(|&(c, w)| (c, Constraint::Length(w)))
        .collect()
}

/// The pane's title after "Invalidations ·": every alias of the distribution (else its
/// domain), cut to `width` columns: as many whole aliases as fit, then "+N" for the others.
fn names(d: &Distribution, width: usize) -> String {
    let n = d.aliases.len();
    if n <= 1 {
        return fit(d.display_name(), width).into_owned();
    }
    let mut shown = String::new();
    for (i, alias) in d.aliases.iter().enumerate() {
        let candidate = if i == 0 {
            alias.clone()
        } else {
            format!("{shown}, {alias}")
        };
        let left = n - i - 1;
        let after = if left == 0 {
            0
        } else {
            text_columns(&format!(" +{left}"))
        };
        if text_columns(&candidate) + after > width {
            if i == 0 {
                let tail = format!(" +{left}");
                return format!(
                    "{}{tail}",
                    fit(alias, width.saturating_sub(text_columns(&tail)))
                );
            }
            return format!("{shown} +{}", n - i);
        }
        shown = candidate;
    }
    shown
}

/// The in-progress quotas as the title shows them, and whether either is nearly used up
/// (four fifths). "≥" while some in progress have no details yet.
pub fn quota_text(q: &QuotaUse, width: u16) -> (String, bool) {
    let ge = if q.unknown > 0 { "≥" } else { "" };
    let (files, wildcards) = (thousands(q.used.files), q.used.wildcards);
    let (max_files, max_wildcards) = (
        thousands(paths::MAX_FILES_IN_PROGRESS),
        paths::MAX_WILDCARDS_IN_PROGRESS,
    );
    let text = if width >= 100 {
        format!(
            " in progress {ge}{files}/{max_files} files · {ge}{wildcards}/{max_wildcards} wildcards "
        )
    } else {
        format!(" {ge}{files}/{max_files} · {ge}{wildcards}/{max_wildcards}* ")
    };
    let near = q.used.files * 5 >= paths::MAX_FILES_IN_PROGRESS * 4
        || q.used.wildcards * 5 >= paths::MAX_WILDCARDS_IN_PROGRESS * 4;
    (text, near)
}

/// A status's symbol: the spinner while in progress.
pub fn status_symbol(app: &App, status: &InvalidationStatus) -> char {
    match status {
        InvalidationStatus::InProgress => app.spinner(),
        InvalidationStatus::Completed => '✓',
        InvalidationStatus::Queued => '◌',
        InvalidationStatus::Other(_) => '?',
    }
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let dist = app.selected_distribution();
    let loading = dist.is_some_and(|d| app.is_loading(&Slot::Invalidations(d.id.clone())));
    let mut title = vec![Span::styled(" Invalidations ", theme.title)];
    // The in-progress quotas, on the right of the top border, while anything is in progress.
    let quota = dist
        .map(|d| app.quota_on(&d.id))
        .filter(|q| !q.is_idle())
        .map(|q| quota_text(&q, area.width));
    let quota_width = quota.as_ref().map_or(0, |(text, _)| text_columns(text) + 1);
    // Filtered (`/` here): by what, and how many of the rows cfdash can match by path.
    // It goes after the names, which give way to it.
    let filter = app.session.inv_filter.value();
    let mut filtered = Vec::new();
    if !filter.is_empty() {
        let (known, all) = app.session.paths_known();
        filtered.push(Span::styled(
            format!("filter “{}” ", fit(filter, 20)),
            theme.warning,
        ));
        if known < all {
            filtered.push(Span::styled(
                format!("(paths known for {known} of {all}) "),
                theme.dim,
            ));
        }
    }
    let filtered_width: usize = filtered.iter().map(|s| text_columns(&s.content)).sum();
    if let Some(d) = dist {
        // Room on the top border: its corners, the words above, a spinner, spaces.
        let room = (area.width as usize)
            .saturating_sub(2 + 15 + 2 + 3 + quota_width + filtered_width)
            .max(8);
        title.push(Span::styled(format!("· {} ", names(d, room)), theme.text));
    }
    if loading {
        title.push(Span::styled(format!("{} ", app.spinner()), theme.info));
    }
    title.extend(filtered);
    // The title keeps clear of the quotas on the right; what does not fit ends in "…".
    let room = (area.width as usize).saturating_sub(3 + quota_width);
    let title = super::fit_spans(title, room);
    let mut block = pane_block(app, theme, Pane::Invalidations, Line::from(title));
    if let Some((text, near)) = quota {
        let style = if near { theme.warning } else { theme.dim };
        block = block.title_top(Line::styled(text, style).right_aligned());
    }
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
    if rows.is_empty() && !filter.is_empty() {
        let (known, all) = app.session.paths_known();
        let lines = vec![
            Line::from(format!("No invalidation matches “{}”.", fit(filter, 40))),
            Line::styled(
                format!("Ids of all {all} are searched, paths of the {known} cfdash has fetched."),
                theme.dim,
            ),
            Line::styled("Esc clears the filter", theme.dim),
        ];
        return placeholder(frame, inner, lines);
    }
    if rows.is_empty() {
        let lines = vec![Line::from("No invalidations on this distribution yet.")];
        return placeholder(frame, inner, lines);
    }

    let cols = columns(inner.width);
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
        let symbol = status_symbol(app, &inv.status);
        let status = Span::styled(
            format!("{symbol} {}", inv.status),
            theme.status(&inv.status),
        );
        let cells = cols.iter().map(|(col, _)| match col {
            Col::Mark => Cell::from(mark.clone()),
            Col::Id => Cell::from(fit(&inv.id, 14)),
            Col::Status => Cell::from(status.clone()),
            Col::Created => Cell::from(timefmt::local(&app.tz, inv.create_time)),
            Col::Age => Cell::from(Span::styled(
                fit(&timefmt::ago(app.now, inv.create_time), 8).into_owned(),
                faint,
            )),
            Col::Took => match app.session.took.get(&key) {
                Some(d) => Cell::from(format!("≤ {}", timefmt::short_duration(*d))),
                None => Cell::from(Span::styled("—", faint)),
            },
        });
        theme.row(Row::new(cells), selected, focused)
    });
    let order = app.session.inv_order;
    let by = match order.column {
        InvColumn::Created => Col::Created,
        InvColumn::Id => Col::Id,
        InvColumn::Status => Col::Status,
    };
    let header = cols.iter().map(|(col, _)| {
        let text = match col {
            Col::Mark => "",
            Col::Id => "ID",
            Col::Status => "Status",
            Col::Created => "Created",
            Col::Age => "Age",
            Col::Took => "Took",
        };
        // The column sorted by, with its direction, unless it is CloudFront's own order.
        if *col == by && order != Default::default() {
            Cell::from(format!("{text} {}", arrow(order.descending).trim()))
                .style(theme.key.add_modifier(Modifier::UNDERLINED))
        } else {
            Cell::from(text)
        }
    });
    let table = Table::new(body, cols.iter().map(|c| c.1))
        .header(Row::new(header).style(theme.header_row))
        .column_spacing(1)
        .flex(ratatui::layout::Flex::Start);
    frame.render_widget(table, inner);
    let selected = app.session.inv_scroll.selected;
    position(frame, theme, area, (selected, start, rows.len()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_line_is_a_lower_bound_until_every_detail_is_known() {
        use crate::paths::InProgress;
        let q = QuotaUse {
            used: InProgress {
                files: 1_204,
                wildcards: 2,
            },
            unknown: 0,
        };
        assert_eq!(
            quota_text(&q, 120),
            (
                " in progress 1,204/3,000 files · 2/15 wildcards ".to_string(),
                false
            )
        );
        assert_eq!(quota_text(&q, 80).0, " 1,204/3,000 · 2/15* ");
        let unknown = QuotaUse { unknown: 1, ..q };
        assert!(
            quota_text(&unknown, 120)
                .0
                .contains("≥1,204/3,000 files · ≥2/15")
        );
        let near = QuotaUse {
            used: InProgress {
                files: 2_400,
                wildcards: 0,
            },
            unknown: 0,
        };
        assert!(quota_text(&near, 120).1, "four fifths used: the line warns");
        let wild = QuotaUse {
            used: InProgress {
                files: 0,
                wildcards: 12,
            },
            unknown: 0,
        };
        assert!(quota_text(&wild, 120).1);
    }
    use crate::app::layout::{INV_ALL, WIDE, layout};
    use crate::ui::distributions;

    /// The set of columns each table draws at every terminal width from 60 to 250, with the
    /// paths pane shut and open: a wider terminal never shows fewer.
    #[test]
    fn a_wider_terminal_never_shows_fewer_columns() {
        for detail in [false, true] {
            let mut before: Option<(Vec<distributions::Col>, Vec<Col>)> = None;
            for w in 60..=250u16 {
                let a = layout(Rect::new(0, 0, w, 40), detail).unwrap();
                let d: Vec<_> = distributions::columns(a.distributions.width - 2)
                    .into_iter()
                    .map(|c| c.0)
                    .collect();
                let i: Vec<_> = columns(a.invalidations.width - 2)
                    .into_iter()
                    .map(|c| c.0)
                    .collect();
                if let Some((pd, pi)) = &before {
                    assert!(
                        pd.iter().all(|c| d.contains(c)),
                        "{w} detail={detail}: {pd:?} -> {d:?}"
                    );
                    assert!(
                        pi.iter().all(|c| i.contains(c)),
                        "{w} detail={detail}: {pi:?} -> {i:?}"
                    );
                }
                if w >= WIDE {
                    assert_eq!(d.len(), 7, "{w}: every distribution column side by side");
                    assert_eq!(i.len(), 6, "{w}: every invalidation column side by side");
                }
                before = Some((d, i));
            }
        }
    }

    #[test]
    fn every_column_fits_from_inv_all() {
        assert_eq!(columns(INV_ALL).len(), 6);
        assert_eq!(columns(INV_ALL - 1).len(), 5);
        let sum: u16 = WIDTHS.iter().map(|(_, w)| w + 1).sum::<u16>() - 1;
        assert_eq!(sum, INV_ALL);
        assert!(!columns(INV_ALL - 1).iter().any(|c| c.0 == Col::Created));
    }

    fn dist(aliases: &[&str]) -> Distribution {
        Distribution {
            id: "E1".into(),
            arn: String::new(),
            domain_name: "d111.cloudfront.net".into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            status: "Deployed".into(),
            enabled: Some(true),
            comment: None,
            origins: vec![],
            last_modified: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_title_lists_every_alias_or_says_how_many_are_left_out() {
        assert_eq!(names(&dist(&[]), 40), "d111.cloudfront.net");
        let d = dist(&["a.example.com", "b.example.com", "c.example.com"]);
        assert_eq!(names(&d, 60), "a.example.com, b.example.com, c.example.com");
        assert_eq!(names(&d, 40), "a.example.com, b.example.com +1");
        assert_eq!(names(&d, 20), "a.example.com +2");
        assert_eq!(names(&d, 12), "a.exampl… +2");
        assert_eq!(names(&dist(&["only.example.com"]), 10), "only.exam…");
    }
}
