//! The status bar (notices, the filter being typed, what is watched) and the footer hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use crate::app::keys;
use crate::app::{App, FILTER_MAX, Mode, NoticeKind};
use crate::text::{columns, fit};

/// The columns a message may take left of a badge `badge` columns wide: one is kept
/// between the two, so a cut message's "…" never touches the badge.
fn message_room(left: u16, badge: u16) -> usize {
    let gap = u16::from(badge > 0);
    left.saturating_sub(gap) as usize
}

pub fn render_status(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let watched = app.watch.watched.len();
    let queued = app.outbox.len();
    let mut right = String::new();
    if queued > 0 {
        right.push_str(&format!("◌ {queued} queued "));
    }
    let elsewhere = app.watch.background.len();
    match (watched, elsewhere) {
        (0, 0) => {}
        (w, 0) => right.push_str(&format!("◆ {w} watched ")),
        (w, e) => right.push_str(&format!("◆ {} watched ({e} on other profiles) ", w + e)),
    }
    // [message | badge]: the badge has its own room, the message is cut before it.
    let badge_width = (columns(&right) as u16).min(area.width);
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(badge_width)]).areas(area);
    frame.render_widget(
        Paragraph::new(Span::styled(right, theme.watched)).right_aligned(),
        right_area,
    );

    if matches!(app.mode(), Mode::Filter | Mode::InvFilter) {
        let input = if app.mode() == Mode::Filter {
            &app.session.filter
        } else {
            &app.session.inv_filter
        };
        // A full filter says so beside the text: the notice line is the filter's now.
        let full = input.value().chars().count() >= FILTER_MAX;
        let note = if full {
            format!(" at most {FILTER_MAX} characters ")
        } else {
            String::new()
        };
        let [left_area, note_area] = Layout::horizontal([
            Constraint::Min(0),
            Constraint::Length(note.chars().count() as u16),
        ])
        .areas(left_area);
        frame.render_widget(Span::styled(note, theme.info), note_area);
        let prefix = " / ";
        let width = left_area.width.saturating_sub(prefix.len() as u16 + 1) as usize;
        let scroll = input.visual_scroll(width);
        let visible: String = input.value().chars().skip(scroll).collect();
        let line = Line::from(vec![Span::styled(prefix, theme.key), Span::raw(visible)]);
        frame.render_widget(Paragraph::new(line), left_area);
        let x = left_area.x + prefix.len() as u16 + (input.visual_cursor() - scroll) as u16;
        frame.set_cursor_position(Position::new(
            x.min(left_area.right().saturating_sub(1)),
            left_area.y,
        ));
        return;
    }
    if let Some(notice) = &app.notice {
        let style = match notice.kind {
            NoticeKind::Info => theme.info,
            NoticeKind::Success => theme.success,
            NoticeKind::Error => theme.error,
        };
        let prefix = if notice.kind == NoticeKind::Error {
            " ✗ "
        } else {
            " "
        };
        let room = message_room(left_area.width, badge_width);
        frame.render_widget(
            Paragraph::new(Span::styled(
                fit(&format!("{prefix}{}", notice.text), room),
                style,
            )),
            left_area,
        );
    }
}

/// The current mode's hints, from the same table that handles its keys.
pub fn render_footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let hints: Vec<&keys::Binding> = keys::table(app.mode())
        .iter()
        // A read-only profile creates nothing: its footer does not offer to.
        .filter(|b| !(app.session.read_only && b.cmd == keys::Cmd::NewInvalidation))
        .filter(|b| b.hint.is_some())
        .collect();
    let shown = footer_fit(&hints, area.width as usize);
    let mut spans = vec![Span::raw(" ")];
    for binding in shown {
        spans.push(Span::styled(binding.label, theme.key));
        let hint = binding.hint.unwrap_or_default();
        spans.push(Span::styled(format!(" {hint}  "), theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The hints that fit in `width` columns: when they do not all fit, the last ones give
/// way first, but the help, the palette and quit always stay (they lead to the rest).
fn footer_fit<'a>(hints: &[&'a keys::Binding], width: usize) -> Vec<&'a keys::Binding> {
    use keys::Cmd;
    let cost =
        |b: &keys::Binding| b.label.chars().count() + b.hint.map_or(0, |h| h.chars().count()) + 3;
    let mut shown: Vec<&keys::Binding> = hints.to_vec();
    let kept = |b: &keys::Binding| matches!(b.cmd, Cmd::Help | Cmd::Palette | Cmd::Quit);
    while 1 + shown.iter().map(|b| cost(b)).sum::<usize>() > width {
        match shown.iter().rposition(|b| !kept(b)) {
            Some(i) => {
                shown.remove(i);
            }
            None => break,
        }
    }
    shown
}
