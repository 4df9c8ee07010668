//! The new-invalidation form: the path editor with its gutter, the counts and price, the
//! buttons, and its dialogs (confirmation, presets, discard).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use super::{Theme, dialog, open_dialog};
use crate::app::backfill::MonthCount;
use crate::app::form::{self, BUTTON_GAP, BUTTONS, Field, Form, LineMark};
use crate::app::layout::FormAreas;
use crate::app::{App, Dialog, Mode};
use crate::paths::{self, Estimate, FREE_PATHS_PER_MONTH, PRICE_PER_PATH};
use crate::text::fit;
use crate::timefmt::thousands;

pub fn render(app: &App, form: &Form, theme: &Theme, frame: &mut Frame, areas: FormAreas) {
    let editing = app.mode() == Mode::Form;
    let lines = form.editor.lines().len();
    let count = format!(" {lines} line{} ", if lines == 1 { "" } else { "s" });
    // The title keeps clear of the line count on the right, cut with "…" if need be.
    let room = (areas.block.width as usize).saturating_sub(count.chars().count() + 4);
    let title = Line::from(super::fit_spans(
        vec![
            Span::styled(" New invalidation ", theme.title),
            Span::styled(format!("· {} ", targets_label(app, form)), theme.text),
        ],
        room,
    ));
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border)
        .title(title)
        .title_top(Line::styled(count, theme.dim).right_aligned());
    // Why the targets are tenants; whose cache-tag support cannot be read.
    let mut bottom = Vec::new();
    if let Some(steered) = &form.steered {
        bottom.push(Span::styled(format!(" {steered} "), theme.warning));
    }
    if !form.tags_unknown.is_empty() {
        bottom.push(Span::styled(
            format!(
                " cache-tag support of {} unknown (no cloudfront:GetDistributionConfig) ",
                form.tags_unknown.join(", ")
            ),
            theme.dim,
        ));
    }
    if !bottom.is_empty() {
        let room = (areas.block.width as usize).saturating_sub(4);
        block = block.title_bottom(Line::from(super::fit_spans(bottom, room)));
    }
    frame.render_widget(block, areas.block);

    editor(app, form, theme, frame, &areas);
    detail_line(form, theme, frame, areas.detail);
    summary_line(app, form, theme, frame, areas.summary);
    let (price, costs) = month_price_text(
        &app.session.backfill.month,
        form.estimate.items() * form.targets.len(),
    );
    let style = if costs { theme.warning } else { theme.dim };
    let price = super::fit_spans(vec![Span::styled(price, style)], areas.price.width as usize);
    frame.render_widget(Paragraph::new(Line::from(price)), areas.price);
    buttons(form, theme, frame, areas.buttons, editing);

    let Some(rect) = super::dialog_rect(app, frame.area()).map(|d| d.rect) else {
        return;
    };
    match app.screen.dialog() {
        Some(Dialog::Confirm | Dialog::ConfirmTyped) => confirm(app, form, theme, frame, rect),
        Some(Dialog::Presets) => presets(app, form, theme, frame, rect),
        Some(Dialog::Discard { then_quit }) => discard(form, then_quit, theme, frame, rect),
        _ => {}
    }
}

fn targets_label(app: &App, form: &Form) -> String {
    let targets = &form.targets;
    // Tenants of one distribution: "5 tenants of NAME: a, b, …" (the title cuts it).
    if targets.len() > 1
        && targets.iter().all(|t| crate::cloudfront::is_tenant(t))
        && let Some(owner) = form.owners.first()
        && form.owners.iter().all(|o| o == owner)
    {
        return format!(
            "{} tenants of {}: {}",
            thousands(targets.len()),
            app.distribution_name(owner),
            targets
                .iter()
                .take(20)
                .map(|t| app.distribution_name(t))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    match targets.as_slice() {
        [one] => app.distribution_label(one),
        many => format!(
            "{} distributions: {}",
            many.len(),
            many.iter()
                .map(|id| app.distribution_label(id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn mark_style(theme: &Theme, mark: LineMark) -> (char, Style) {
    match mark {
        LineMark::Blank => (' ', theme.dim),
        LineMark::Ok => ('✓', theme.completed),
        LineMark::Hint => ('!', theme.warning),
        LineMark::Normalised => ('~', theme.info),
        LineMark::Duplicate => ('=', theme.dim),
        LineMark::Covered => ('⊂', theme.warning),
        LineMark::TagWarning => ('⚠', theme.warning),
        LineMark::Error => ('✗', theme.error),
    }
}

fn editor(app: &App, form: &Form, theme: &Theme, frame: &mut Frame, areas: &FormAreas) {
    let e = &form.editor;
    let height = areas.text.height as usize;
    let width = areas.text.width as usize;
    if e.is_empty() && e.lines().len() == 1 {
        let hint = if form.loading_copy.is_some() {
            vec![Line::styled(
                format!("{} fetching the paths to copy…", app.spinner()),
                theme.info,
            )]
        } else {
            vec![
                Line::styled(
                    "One path per line: /index.html, /images/*, #cache-tag",
                    theme.dim,
                ),
                Line::styled(
                    "or paste a deploy step's list: /index.html /images/*",
                    theme.dim,
                ),
            ]
        };
        frame.render_widget(Paragraph::new(hint).wrap(Wrap { trim: true }), areas.text);
    }
    let end = (e.top + height).min(e.lines().len());
    let mut gutter = Vec::with_capacity(height);
    let mut text = Vec::with_capacity(height);
    let mut notes = Vec::with_capacity(height);
    for row in e.top..end {
        let mark = form.mark(row);
        let (symbol, style) = mark_style(theme, mark);
        gutter.push(Line::from(vec![
            Span::styled(format!("{symbol} "), style),
            Span::styled(format!("{:>5} ", row + 1), theme.dim),
        ]));
        let line = &e.lines()[row];
        let visible: String = line.chars().skip(e.left).take(width).collect();
        let dropped =
            mark == LineMark::Duplicate || (mark == LineMark::Covered && form.drop_covered);
        text.push(Line::styled(
            visible,
            if dropped { theme.dim } else { theme.text },
        ));
        if areas.notes.is_some() {
            notes.push(match form::line_note(form, row) {
                Some((mark, note)) => {
                    let style = match mark {
                        LineMark::Error => theme.error,
                        LineMark::Normalised => theme.info,
                        LineMark::Covered | LineMark::Hint => theme.warning,
                        _ => theme.dim,
                    };
                    // Cut with "…" where the notes' column ends.
                    let room = areas.notes.map_or(0, |r| r.width as usize);
                    Line::styled(fit(&note, room).into_owned(), style)
                }
                None => Line::raw(""),
            });
        }
    }
    frame.render_widget(Paragraph::new(gutter), areas.gutter);
    if !(e.is_empty() && e.lines().len() == 1) {
        frame.render_widget(Paragraph::new(text), areas.text);
    }
    if let Some(rect) = areas.notes {
        frame.render_widget(Paragraph::new(notes), rect);
    }
    if app.mode() == Mode::Form && form.field == Field::Editor {
        let (row, col) = e.cursor();
        if row >= e.top && row < e.top + height && col >= e.left {
            let x = areas.text.x + (col - e.left).min(width.saturating_sub(1)) as u16;
            let y = areas.text.y + (row - e.top) as u16;
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}

fn detail_line(form: &Form, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (text, style) = if let Some(error) = &form.error {
        (format!("✗ {error}"), theme.error)
    } else if let Some(pasted) = &form.pasted {
        (format!("~ {pasted}"), theme.info)
    } else if let Some((mark, text)) = form::cursor_detail(form) {
        let style = match mark {
            LineMark::Error => theme.error,
            LineMark::Ok => theme.dim,
            LineMark::Normalised => theme.info,
            _ => theme.warning,
        };
        (text, style)
    } else {
        (String::new(), Style::default())
    };
    // One line: cut with "…" where it ends.
    let line = Line::styled(fit(&text, area.width as usize).into_owned(), style);
    frame.render_widget(Paragraph::new(line), area);
}

/// The month's free paths and what a submit of `items` paths costs: "612 of 1,000 free
/// used this month · this submit: 40 → $0.000". While the month is not all known, the
/// count is a lower bound and the price the most it can be: "≥612 … → up to $0.200",
/// never a "$0.000" that a later count could prove wrong. True when it may cost.
pub fn month_price_text(m: &MonthCount, items: usize) -> (String, bool) {
    let exact = m.is_exact();
    let ge = if exact { "" } else { "≥" };
    let used = if m.paths >= FREE_PATHS_PER_MONTH {
        format!(
            "{ge}{} paths this month, past the {} free",
            thousands(m.paths),
            thousands(FREE_PATHS_PER_MONTH)
        )
    } else {
        format!(
            "{ge}{} of {} free used this month",
            thousands(m.paths),
            thousands(FREE_PATHS_PER_MONTH)
        )
    };
    let free_left = FREE_PATHS_PER_MONTH.saturating_sub(m.paths);
    let (usd, up_to) = if exact || items == 0 {
        (items.saturating_sub(free_left) as f64 * PRICE_PER_PATH, "")
    } else {
        (items as f64 * PRICE_PER_PATH, "up to ")
    };
    let text = format!(
        "{used} · this submit: {} → {up_to}{}",
        thousands(items),
        paths::format_usd(usd)
    );
    (text, usd > 0.0)
}

/// How many targets the confirmation names before "… and N more".
const CONFIRM_TARGETS: usize = 5;

/// What several targets are: tenants, distributions, or both.
fn target_noun(targets: &[String]) -> &'static str {
    let tenants = targets
        .iter()
        .filter(|t| crate::cloudfront::is_tenant(t))
        .count();
    match tenants {
        0 => "distributions",
        n if n == targets.len() => "tenants",
        _ => "distributions and tenants",
    }
}

/// "4 paths · 1 wildcard · 1 batch": what a submit sends, without its price.
pub fn counts_text(e: &Estimate, targets: &[String]) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = vec![plural(e.paths, "path", "paths")];
    if e.wildcards > 0 {
        parts.push(plural(e.wildcards, "wildcard", "wildcards"));
    }
    if e.tags > 0 {
        parts.push(plural(e.tags, "tag", "tags"));
    }
    parts.push(plural(e.batches, "batch", "batches"));
    let mut text = parts.join(" · ");
    if targets.len() > 1 {
        text.push_str(&format!(" × {} {}", targets.len(), target_noun(targets)));
    }
    text
}

fn summary_line(app: &App, form: &Form, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(
        counts_text(&form.estimate, &form.targets),
        theme.text,
    )];
    if let Some((room, upper)) = app.form_room() {
        let (text, over) = room_text(&form.estimate, room, upper);
        spans.push(Span::styled(
            text,
            if over { theme.warning } else { theme.dim },
        ));
    }
    let spans = super::fit_spans(spans, area.width as usize);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The room the in-progress quotas leave now (the least of the targets'), and whether
/// the paths typed are more than that: what does not fit waits for earlier invalidations
/// to complete. "≤" while some in progress have no details yet.
pub fn room_text(e: &Estimate, room: paths::InProgress, upper: bool) -> (String, bool) {
    let le = if upper { "≤" } else { "" };
    let over = e.paths + e.tags > room.files || e.wildcards > room.wildcards;
    let mut text = format!(
        " · room now: {le}{} files, {le}{} wildcards",
        thousands(room.files),
        room.wildcards
    );
    if over {
        text.push_str(" (the rest waits its turn)");
    }
    (text, over)
}

/// The buttons on the left; on the right, what needs the operator's eye, as room allows.
fn buttons(form: &Form, theme: &Theme, frame: &mut Frame, area: Rect, editing: bool) {
    let mut spans = Vec::new();
    for (i, (field, label)) in Field::ALL[1..].iter().zip(BUTTONS).enumerate() {
        if i > 0 {
            spans.push(Span::raw(" ".repeat(BUTTON_GAP)));
        }
        let style = if editing && form.field == *field {
            theme.selected
        } else {
            theme.key
        };
        spans.push(Span::styled(label, style));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let (errors, covered, repeated) = (form.errors, form.covered, form.repeated);
    let mut flags: Vec<Span> = Vec::new();
    if errors > 0 {
        flags.push(Span::styled(format!("✗ {errors} to fix"), theme.error));
    }
    if covered > 0 {
        let text = if form.drop_covered {
            format!("⊂ {covered} covered, dropped")
        } else {
            format!("⊂ {covered} covered")
        };
        flags.push(Span::styled(text, theme.warning));
    }
    if repeated > 0 {
        flags.push(Span::styled(format!("= {repeated} repeated"), theme.dim));
    }
    let room = (area.width as usize).saturating_sub(used + 2);
    while !flags.is_empty() && flags.iter().map(|s| s.width() + 2).sum::<usize>() > room {
        flags.pop();
    }
    let flags_width: usize = flags.iter().map(|s| s.width() + 2).sum();
    spans.push(Span::raw(
        " ".repeat((area.width as usize).saturating_sub(used + flags_width)),
    ));
    for flag in flags {
        spans.push(Span::raw("  "));
        spans.push(flag);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn confirm(app: &App, form: &Form, theme: &Theme, frame: &mut Frame, rect: Rect) {
    let bottom = if form.is_sending() {
        Line::styled(format!(" {} creating… ", app.spinner()), theme.info)
    } else {
        Line::styled(" Enter sends · Esc goes back ", theme.dim)
    };
    let inner = open_dialog(
        frame,
        rect,
        dialog(theme, " Create the invalidation? ", bottom),
    );

    let send = form.to_send().unwrap_or_default();
    let field = |name: &'static str, value: String, style: Style| {
        Line::from(vec![
            Span::styled(format!("{name:<9}"), theme.dim),
            Span::styled(value, style),
        ])
    };
    let mut head = Vec::new();
    // Which account this lands in, before anything is sent.
    let account = app.memory.live_account.as_deref().filter(|a| !a.is_empty());
    head.push(field(
        "Profile",
        match account {
            Some(a) => format!("{} · account {a}", app.profile),
            None => app.profile.clone(),
        },
        theme.text,
    ));
    // A fan-out to many tenants names the first few: the paths must stay in sight.
    let shown = if form.targets.len() > CONFIRM_TARGETS + 1 {
        CONFIRM_TARGETS
    } else {
        form.targets.len()
    };
    for (i, id) in form.targets[..shown].iter().enumerate() {
        let name = if i == 0 { "On" } else { "" };
        head.push(field(name, app.distribution_label(id), theme.text));
    }
    if shown < form.targets.len() {
        head.push(field(
            "",
            format!(
                "… and {} more {}",
                thousands(form.targets.len() - shown),
                target_noun(&form.targets)
            ),
            theme.text,
        ));
    }
    head.push(field(
        "Sends",
        counts_text(&form.estimate, &form.targets),
        theme.text,
    ));
    let (price, costs) = month_price_text(
        &app.session.backfill.month,
        form.estimate.items() * form.targets.len(),
    );
    head.push(field(
        "Price",
        price,
        if costs { theme.warning } else { theme.text },
    ));
    let batches = form.batches.first().map_or(0, |b| b.0);
    let now_min = form.batches.iter().map(|b| b.1).min().unwrap_or(0);
    let now_max = form.batches.iter().map(|b| b.1).max().unwrap_or(0);
    let per = if form.targets.len() > 1 {
        if form.targets.iter().all(|t| crate::cloudfront::is_tenant(t)) {
            " per tenant"
        } else {
            " per distribution"
        }
    } else {
        ""
    };
    let s = if batches == 1 { "" } else { "s" };
    if batches == 1 && now_min == 1 {
        head.push(field(
            "Batches",
            format!("1 invalidation{per}, sent now"),
            theme.text,
        ));
    } else {
        let now = if now_min == now_max {
            format!("{now_min} sent now, {} queued", batches - now_min)
        } else {
            format!("{now_min}–{now_max} sent now, the rest queued")
        };
        head.push(field(
            "Batches",
            format!("{batches} invalidation{s}{per}: {now}"),
            theme.warning,
        ));
        head.push(field(
            "",
            "queued ones go in order as earlier ones complete:".into(),
            theme.dim,
        ));
        head.push(field(
            "",
            "at most 3,000 paths and 15 wildcards may be in progress at once".into(),
            theme.dim,
        ));
    }
    if let Some(s) = &form.submission
        && s.text == form.editor.text()
        && s.drop_covered == form.drop_covered
    {
        head.push(field(
            "Retry",
            format!(
                "same caller references as before ({} already created)",
                s.created.len()
            ),
            theme.info,
        ));
    }
    let covered = form.covered;
    if covered > 0 {
        let text = if form.drop_covered {
            format!("{covered} covered by a wildcard: dropped")
        } else {
            format!("{covered} covered by a wildcard: sent too (C-d in the form drops them)")
        };
        head.push(field("Covered", text, theme.warning));
    }
    if app.mode() == Mode::ConfirmTyped
        && let Some((name, id)) = app.confirm_word()
    {
        head.push(Line::raw(""));
        head.push(Line::from(vec![
            Span::styled(format!("Type {name}"), theme.warning),
            Span::styled(
                if name == id {
                    " to confirm: ".to_string()
                } else {
                    format!(" (or {id}) to confirm: ")
                },
                theme.dim,
            ),
            Span::styled(form.typed.value().to_string(), theme.key),
            Span::styled("▏", theme.key),
        ]));
        if form.typed_wrong {
            head.push(Line::styled(
                "✗ that is not the name: type it exactly (case does not matter)",
                theme.error,
            ));
        }
    }
    head.push(Line::raw(""));
    head.push(Line::styled(
        format!("Paths ({}):", send.len()),
        theme.header_row,
    ));
    let head_height = head.len() as u16;
    let [top, list] =
        Layout::vertical([Constraint::Length(head_height), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(head), top);
    let start = form.confirm_scroll.min(send.len());
    let end = (start + list.height as usize).min(send.len());
    let lines: Vec<Line> = send[start..end]
        .iter()
        .map(|it| Line::from(vec![Span::raw("  "), Span::raw(it.value.as_str())]))
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}

fn presets(app: &App, form: &Form, theme: &Theme, frame: &mut Frame, rect: Rect) {
    let inner = open_dialog(
        frame,
        rect,
        dialog(
            theme,
            " Insert a preset ",
            Line::styled(" Enter inserts · Esc back ", theme.dim),
        ),
    );
    let lines: Vec<Line> = app
        .session
        .presets
        .iter()
        .enumerate()
        .map(|(i, (name, paths))| {
            let line = Line::from(vec![
                Span::styled(format!(" {name:<16}"), theme.key),
                Span::raw(format!("{:>3} · ", paths.len())),
                Span::styled(paths.join(" "), theme.dim),
            ]);
            if i == form.preset {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn discard(form: &Form, then_quit: bool, theme: &Theme, frame: &mut Frame, rect: Rect) {
    let inner = open_dialog(
        frame,
        rect,
        dialog(
            theme,
            if then_quit { " Quit? " } else { " Discard? " },
            Line::styled(" y discards · n keeps editing ", theme.dim),
        ),
    );
    let lines = form.editor.lines().len();
    let what = if form.is_sending() {
        "A submit is waiting for CloudFront's answer.".to_string()
    } else {
        format!(
            "{lines} line{} of paths will be lost.",
            if lines == 1 { "" } else { "s" }
        )
    };
    let text = vec![
        Line::styled(what, theme.warning),
        Line::raw(if then_quit {
            "Quit cfdash anyway?"
        } else {
            "Close the form anyway?"
        }),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(paths: usize, wildcards: usize) -> Estimate {
        Estimate {
            paths,
            wildcards,
            tags: 0,
            batches: 1,
            usd: 0.0,
        }
    }

    #[test]
    fn the_room_line_says_when_the_paths_do_not_fit_now() {
        let room = paths::InProgress {
            files: 1_796,
            wildcards: 13,
        };
        let (text, over) = room_text(&estimate(1_204, 2), room, false);
        assert_eq!(text, " · room now: 1,796 files, 13 wildcards");
        assert!(!over);
        let (text, over) = room_text(&estimate(1_797, 0), room, false);
        assert!(
            over && text.ends_with("(the rest waits its turn)"),
            "{text}"
        );
        let (_, over) = room_text(&estimate(0, 14), room, false);
        assert!(over, "wildcards count against their own quota");
        let (text, _) = room_text(&estimate(1, 0), room, true);
        assert!(text.contains("≤1,796 files, ≤13 wildcards"), "{text}");
    }
}
