//! The selected distribution's recent invalidations.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::{Theme, pane_block, placeholder, position};
use crate::app::form::QuotaUse;
use crate::app::layout::{INV_BASE, WIDE, table_rows};
use crate::app::session::InvColumn;
use crate::app::tenants::TagSupport;
use crate::app::{App, InvKey, Mode, Pane, Remote, Slot, arrow, search};
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
    /// Who made it (its CallerReference), once its details are known.
    Origin,
    /// Its first path and how many more, once its details are known.
    Paths,
}

/// Each column's width; the paths' is the least they get, and they take what is left.
const WIDTHS: [(Col, u16); 8] = [
    (Col::Mark, 1),
    (Col::Id, 14),
    (Col::Status, 12),
    (Col::Created, 19),
    (Col::Age, 8),
    (Col::Took, 9),
    (Col::Origin, 7),
    (Col::Paths, 14),
];

/// The columns drawn at an inner width, and their widths: all of them from
/// [`crate::app::layout::INV_ALL`], the paths taking the room past it. Narrower, they give
/// way in turn: the paths, the origin, the local creation time (the age stays), "took".
/// Each needs the ones before it, so a wider pane never shows fewer. `side_by_side`: the
/// origin and the paths may show; above the distributions they never do, as the pane
/// side by side at [`crate::app::layout::WIDE`] could not show them.
pub fn columns(width: u16, side_by_side: bool) -> Vec<(Col, Constraint)> {
    let width = if side_by_side {
        width
    } else {
        width.min(INV_BASE)
    };
    let mut shown = vec![Col::Mark, Col::Id, Col::Status, Col::Age];
    let mut used: u16 = WIDTHS
        .iter()
        .filter(|(c, _)| shown.contains(c))
        .map(|(_, w)| w + 1)
        .sum();
    for extra in [Col::Took, Col::Created, Col::Origin, Col::Paths] {
        let w = WIDTHS.iter().find(|(c, _)| *c == extra).map_or(0, |c| c.1);
        if used + w > width {
            break;
        }
        used += w + 1;
        shown.push(extra);
    }
    WIDTHS
        .iter()
        .filter(|(c, _)| shown.contains(c))
        .map(|&(c, w)| match c {
            Col::Paths => (c, Constraint::Fill(1)),
            _ => (c, Constraint::Length(w)),
        })
        .collect()
}

/// The first path, and "+N" for the others, in `width` columns: the path is cut, the
/// count stays.
pub fn paths_text(paths: &[String], width: usize) -> String {
    let Some(first) = paths.first() else {
        return String::new();
    };
    let more = match paths.len() {
        1 => String::new(),
        n => format!(" +{}", n - 1),
    };
    let room = width.saturating_sub(text_columns(&more));
    format!("{}{more}", fit(first, room))
}

/// The pane's title after "Invalidations ·": every alias of the distribution (else its
/// domain), cut to `width` columns: as many whole aliases as fit, then "+N" for the others.
pub(super) fn names(d: &Distribution, width: usize) -> String {
    // A tenant: its name, then its domains.
    if let Some(t) = &d.tenant {
        let name = fit(&t.name, width).into_owned();
        let rest = width.saturating_sub(text_columns(&name) + 3);
        if d.aliases.is_empty() || rest < 6 {
            return name;
        }
        let plain = Distribution {
            tenant: None,
            ..d.clone()
        };
        return format!("{name} · {}", names(&plain, rest));
    }
    let n = d.aliases.len();
    if d.aliases_unknown {
        let tail = " (aliases ?)";
        let room = width.saturating_sub(text_columns(tail));
        return format!("{}{tail}", fit(d.display_name(), room.max(1)));
    }
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

/// The title's words on the pane's filter (`/` here): by what, and how many of the rows
/// cfdash can match by path.
fn filter_words(app: &App) -> Vec<String> {
    let filter = app.session.inv_filter.value();
    let mut words = Vec::new();
    if !filter.is_empty() {
        words.push(format!("filter “{}” ", fit(filter, 20)));
        let (known, all) = app.session.paths_known();
        if known < all {
            words.push(format!("(paths known for {known} of {all}) "));
        }
    }
    words
}

/// The room for the names on the title of a pane of `area` whose other words take
/// `others` columns: its corners, the words above, a spinner, spaces.
fn title_room(area: Rect, others: usize) -> usize {
    (area.width as usize)
        .saturating_sub(2 + 15 + 2 + 3 + others)
        .max(8)
}

/// Whether [`names`] in `width` columns says every name whole, worked out from their
/// widths (a distribution may have hundreds of aliases: joining them all each frame to
/// compare would cost their square).
fn names_fit(d: &Distribution, width: usize) -> bool {
    if let Some(t) = &d.tenant {
        let name = text_columns(&t.name);
        if d.aliases.is_empty() {
            return name <= width;
        }
        let plain = Distribution {
            tenant: None,
            ..d.clone()
        };
        // `names` leaves the domains out under 6 columns of room.
        let rest = width.saturating_sub(name + 3);
        return name + 3 <= width && rest >= 6 && names_fit(&plain, rest);
    }
    let n = d.aliases.len();
    let total = if d.aliases_unknown {
        text_columns(d.display_name()) + text_columns(" (aliases ?)")
    } else if n <= 1 {
        text_columns(d.display_name())
    } else {
        d.aliases.iter().map(|a| text_columns(a)).sum::<usize>() + 2 * (n - 1)
    };
    total <= width
}

/// What the pane's top border says besides its names, worked out once a frame: the
/// distributions pane asks whether the names fit beside it.
pub struct Title {
    /// The in-progress quotas (on the right) and whether either is nearly used up.
    quota: Option<(String, bool)>,
    /// The words on the pane's filter.
    filter: Vec<String>,
    /// The title shows every alias of the selected distribution (else the distributions
    /// pane lists them on its bottom border).
    pub every_alias: bool,
}

impl Title {
    pub fn of(app: &App, area: Rect) -> Title {
        let dist = app.selected_distribution();
        // The in-progress quotas, on the right of the top border, while anything is in
        // progress. (Counted once a frame: a tenant's take its thousands of siblings.)
        let quota = dist
            .map(|d| app.quota_on(&d.id))
            .filter(|q| !q.is_idle())
            .map(|q| quota_text(&q, area.width));
        let filter = filter_words(app);
        let every_alias =
            dist.is_none_or(|d| names_fit(d, title_room(area, Self::others(&quota, &filter))));
        Title {
            quota,
            filter,
            every_alias,
        }
    }

    /// The columns the quotas and the filter's words take.
    fn others(quota: &Option<(String, bool)>, filter: &[String]) -> usize {
        quota.as_ref().map_or(0, |(text, _)| text_columns(text) + 1)
            + filter.iter().map(|w| text_columns(w)).sum::<usize>()
    }
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

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, top: Title) {
    let dist = app.selected_distribution();
    let loading = dist.is_some_and(|d| app.is_loading(&Slot::Invalidations(d.id.clone())));
    let mut title = vec![Span::styled(" Invalidations ", theme.title)];
    let others = Title::others(&top.quota, &top.filter);
    let quota_width = top
        .quota
        .as_ref()
        .map_or(0, |(text, _)| text_columns(text) + 1);
    let quota = top.quota;
    // Filtered (`/` here): by what, and how many of the rows cfdash can match by path.
    // It goes after the names, which give way to it.
    let filter = app.session.inv_filter.value();
    let filtered: Vec<Span> = top
        .filter
        .into_iter()
        .zip([theme.warning, theme.dim])
        .map(|(text, style)| Span::styled(text, style))
        .collect();
    if let Some(d) = dist {
        let names = names(d, title_room(area, others));
        title.push(Span::styled(format!("· {names} "), theme.text));
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
    // What the distribution (a tenant's: its distribution) does with cache tags, as far as
    // cfdash has read its config; and whose tenant a tenant is.
    if let Some(d) = dist {
        let mut bottom = Vec::new();
        if let Some(t) = &d.tenant {
            let parent = app.distribution_name(&t.distribution);
            bottom.push(Span::styled(format!(" tenant of {parent} "), theme.dim));
        }
        let tags = match app.tag_support(&d.id) {
            TagSupport::Header(h) => Some(format!(" cache-tag header {h} ")),
            TagSupport::None => Some(" no cache tags ".to_string()),
            TagSupport::Denied => {
                Some(" cache tags: unknown (GetDistributionConfig denied) ".to_string())
            }
            TagSupport::Unknown => None,
        };
        bottom.extend(tags.map(|t| Span::styled(t, theme.dim)));
        if !bottom.is_empty() {
            // Clear of "L older" on the left and the position on the right.
            let room = (area.width as usize).saturating_sub(24);
            block = block.title_bottom(Line::from(super::fit_spans(bottom, room)).centered());
        }
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

    let cols = columns(inner.width, app.size.width >= WIDE);
    let paths_width = super::column_widths(&cols, inner.width)
        .last()
        .filter(|_| cols.last().is_some_and(|c| c.0 == Col::Paths))
        .map_or(0, |&w| w as usize);
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
        let detail = app.session.details.get(&key).and_then(|d| d.data());
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
            Col::Origin => Cell::from(Span::styled(
                detail.map_or("", |d| search::origin(&d.caller_reference)),
                faint,
            )),
            Col::Paths => {
                Cell::from(detail.map_or(String::new(), |d| paths_text(&d.paths, paths_width)))
            }
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
            Col::Origin => "Origin",
            Col::Paths => "Paths",
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
    use crate::app::layout::{DIST_ALL, INV_ALL, INV_ORIGIN, layout};
    use crate::ui::distributions;

    /// The set of columns each table draws at every terminal width from 60 to 250, with the
    /// paths pane shut and open: a wider terminal never shows fewer.
    #[test]
    fn a_wider_terminal_never_shows_fewer_columns() {
        for detail in [false, true] {
            let mut before: Option<(Vec<distributions::Col>, Vec<Col>)> = None;
            for w in 60..=250u16 {
                let a = layout(Rect::new(0, 0, w, 40), detail).unwrap();
                let d: Vec<_> =
                    distributions::columns(a.distributions.width - 2, Default::default())
                        .into_iter()
                        .map(|c| c.0)
                        .collect();
                let i: Vec<_> = columns(a.invalidations.width - 2, w >= WIDE)
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
                    assert!(i.len() >= 6, "{w}: every invalidation column but two");
                }
                // The distributions' spare room goes to the origin, then the paths.
                assert_eq!(
                    i.contains(&Col::Origin),
                    w >= DIST_ALL + 2 + INV_ORIGIN + 2,
                    "{w}"
                );
                assert_eq!(
                    i.contains(&Col::Paths),
                    w >= DIST_ALL + 2 + INV_ALL + 2,
                    "{w}"
                );
                before = Some((d, i));
            }
        }
    }

    #[test]
    fn every_column_fits_from_inv_all() {
        assert_eq!(columns(INV_ALL, true).len(), 8);
        assert_eq!(columns(INV_ALL - 1, true).len(), 7);
        let sum: u16 = WIDTHS.iter().map(|(_, w)| w + 1).sum::<u16>() - 1;
        assert_eq!(sum, INV_ALL);
        assert!(!columns(INV_ALL - 1, true).iter().any(|c| c.0 == Col::Paths));
        // In the order they give way: the paths, the origin, the time, "took".
        let at = |w| {
            columns(w, true)
                .into_iter()
                .map(|c| c.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(at(INV_ORIGIN).last(), Some(&Col::Origin));
        assert!(!at(INV_ORIGIN - 1).contains(&Col::Origin));
        assert!(at(INV_BASE).contains(&Col::Created));
        assert!(!at(INV_BASE - 1).contains(&Col::Created));
        assert!(at(INV_BASE - 1).contains(&Col::Took));
        // Above the distributions, never the origin or the paths, however wide.
        assert_eq!(columns(200, false).len(), 6);
    }

    #[test]
    fn the_paths_column_keeps_the_count_and_cuts_the_path() {
        let paths = |ps: &[&str]| ps.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(paths_text(&paths(&[]), 20), "");
        assert_eq!(paths_text(&paths(&["/index.html"]), 20), "/index.html");
        assert_eq!(
            paths_text(&paths(&["/products/*", "/css/*", "/js/*"]), 14),
            "/products/* +2"
        );
        assert_eq!(
            paths_text(&paths(&["/checkout/cart.html", "/a"]), 14),
            "/checkout/… +1"
        );
    }

    /// `names_fit` says whether `names` shows every name whole, at every width, for
    /// distributions with no, one, several and unknown aliases, and for tenants.
    #[test]
    fn names_fit_agrees_with_names() {
        let many = dist(&["www.example.com", "example.com", "shop.example.com", "a.io"]);
        let unknown = Distribution {
            aliases_unknown: true,
            ..dist(&[])
        };
        let tenant = |domains: &[&str]| Distribution {
            tenant: Some(crate::cloudfront::TenantOf {
                distribution: "E1".into(),
                name: "shop-one".into(),
            }),
            ..dist(domains)
        };
        let cases = [
            dist(&[]),
            dist(&["www.example.com"]),
            many,
            unknown,
            tenant(&[]),
            tenant(&["a.io"]),
            tenant(&["one.example.com", "two.example.com"]),
        ];
        for d in &cases {
            let whole = names(d, usize::MAX);
            for width in 0..80 {
                assert_eq!(
                    names_fit(d, width),
                    names(d, width) == whole,
                    "{whole:?} at {width}"
                );
            }
        }
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
            aliases_unknown: false,
            tenant_only: false,
            tenant: None,
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
