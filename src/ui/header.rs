//! The top line: profile, counts, freshness, and a spinner while requests run.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use crate::app::backfill::MonthCount;
use crate::app::{App, Remote};
use crate::paths::FREE_PATHS_PER_MONTH;
use crate::timefmt::{self, thousands};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let sep = || Span::styled(" │ ", theme.dim);
    let mut spans = vec![Span::styled(" cfdash ", theme.title)];
    if app.profile.is_empty() {
        spans.push(Span::styled("no profile open", theme.dim));
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }
    spans.push(Span::styled("profile ", theme.dim));
    spans.push(Span::styled(app.profile.as_str(), theme.text));
    if app.session.read_only {
        spans.push(Span::styled(" read-only", theme.warning));
    }
    // The zone the times are shown in: UTC (`t`), else the local zone by name (or its
    // offset from UTC when it has none), which goes in last, where there is room.
    let zone_at = spans.len();
    let local_zone = if app.utc {
        spans.push(Span::styled(" · UTC", theme.info));
        None
    } else {
        Some(match app.tz.iana_name() {
            Some(name) => format!(" · {name}"),
            None => format!(" · UTC{}", app.tz.to_offset(app.now)),
        })
    };
    spans.push(sep());
    let pinned = !app.session.pins.is_empty() && !app.session.show_all;
    // Tenants are rows of the list, but not distributions: counted apart, where it fits.
    let tenants = app.session.tenant_rows();
    let count = match &app.session.distributions {
        Remote::Ready { data, .. } => {
            let n = data.len() - tenants;
            let s = if n == 1 { "" } else { "s" };
            if app.session.schedule.paging.is_some() {
                // Pages still coming: the count is only a lower bound.
                format!("{}+ distributions", thousands(n))
            } else if pinned {
                format!("{} pinned distribution{s}", thousands(n))
            } else {
                format!("{} distribution{s}", thousands(n))
            }
        }
        Remote::Failed { .. } => "distributions unavailable".into(),
        Remote::Idle | Remote::Loading => "loading distributions".into(),
    };
    spans.push(Span::styled(count, theme.text));
    let tenants_at = spans.len();
    // Until the distributions are listed, nothing is known of what is in progress or of
    // the month: no count rather than a 0.
    let listed_any = matches!(app.session.distributions, Remote::Ready { .. });
    let (running, listed) = app.session.progress();
    let total = app.session.distributions.data().map_or(0, Vec::len);
    let partial = listed < total || app.session.schedule.paging.is_some();
    if listed_any {
        spans.push(sep());
        spans.push(Span::styled(
            format!("{running}{} in progress", if partial { "+" } else { "" }),
            if running > 0 {
                theme.in_progress
            } else {
                theme.text
            },
        ));
    }
    // A large account is listed at the pace CloudFront allows: until every distribution's
    // invalidations are in, the count above is partial, and this says so.
    if partial && listed_any {
        spans.push(Span::styled(
            format!(
                " · listing {} of {}{}",
                thousands(listed),
                thousands(total),
                if app.session.schedule.paging.is_some() {
                    "+"
                } else {
                    ""
                }
            ),
            theme.warning,
        ));
    }
    // The month's free paths go here, where there is room for them (the form always
    // says them).
    let month_at = spans.len();
    spans.push(sep());
    match (
        app.memory.restored_at,
        app.session.last_refresh,
        app.session.failing(),
    ) {
        // Shown from the journal until the first listing answers.
        (Some(at), None, _) => spans.push(Span::styled(
            format!(
                "last known, {} · refreshing",
                timefmt::ago_coarse(app.now, at)
            ),
            theme.warning,
        )),
        // Listings failing (throttled, or the network): the header says how old the data
        // they would have refreshed is, not that something else was refreshed just now.
        (_, Some(_), Some((n, since))) => {
            // Short: it has to fit at 80 columns. The help's legend says the rest.
            let age = since.map_or_else(String::new, |t| {
                format!(
                    " · {} old",
                    timefmt::ago(app.now, t).trim_end_matches(" ago")
                )
            });
            spans.push(Span::styled(format!("! {n} failing{age}"), theme.warning));
        }
        (_, Some(at), None) => spans.push(Span::styled(
            format!("refreshed {}", timefmt::ago_coarse(app.now, at)),
            theme.dim,
        )),
        (None, None, _) => spans.push(Span::styled("not refreshed yet", theme.dim)),
    }
    // The month, the tenants and the zone go in where they fit beside the room kept for
    // the spinner, whether it shows or not: a request coming and going must not make them
    // come and go too.
    let room = (area.width as usize).saturating_sub(SPINNER_ROOM);
    let fits =
        |spans: &[Span], more: usize| spans.iter().map(Span::width).sum::<usize>() + more <= room;
    let month = month_text(&app.session.backfill.month);
    if listed_any && fits(&spans, 3 + month.chars().count()) {
        spans.splice(month_at..month_at, [sep(), Span::styled(month, theme.text)]);
    }
    if tenants > 0 {
        let s = if tenants == 1 { "" } else { "s" };
        let text = format!(" · {} tenant{s}", thousands(tenants));
        if fits(&spans, text.chars().count()) {
            spans.insert(tenants_at, Span::styled(text, theme.text));
        }
    }
    if let Some(zone) = local_zone
        && fits(&spans, zone.chars().count())
    {
        spans.insert(zone_at, Span::styled(zone, theme.dim));
    }
    // The spinner says how many requests run as far as there is room: "⠋ 3 requests",
    // "⠋ 3", or the spinner alone.
    let shown = app.requests.shown();
    if shown > 0 {
        let left = (area.width as usize).saturating_sub(spans.iter().map(Span::width).sum());
        let spinner = app.spinner();
        let text = [
            format!("  {spinner} {}", requests(shown)),
            format!("  {spinner} {}", thousands(shown)),
        ]
        .into_iter()
        .find(|t| t.chars().count() <= left)
        .unwrap_or_else(|| format!("  {spinner}"));
        spans.push(Span::styled(text, theme.info));
    }
    let spans = super::fit_spans(spans, area.width as usize);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The spinner's room at the header's end, kept whether it shows or not ("  ⠋"; the
/// count and "requests" come where there is more).
const SPINNER_ROOM: usize = 3;

/// "612/1,000 free paths this month", "1,127 paths this month, 1,000 free": "≥" while
/// the month is not all known (a lower bound).
pub fn month_text(m: &MonthCount) -> String {
    let ge = if m.is_exact() { "" } else { "≥" };
    let (n, free) = (thousands(m.paths), thousands(FREE_PATHS_PER_MONTH));
    if m.paths > FREE_PATHS_PER_MONTH {
        format!("{ge}{n} paths this month, {free} free")
    } else {
        format!("{ge}{n}/{free} free paths this month")
    }
}

fn requests(n: usize) -> String {
    if n == 1 {
        "1 request".into()
    } else {
        format!("{} requests", thousands(n))
    }
}
