//! What the journal brings back: the batches an earlier run left unsent, and the notices log.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Theme, draw_dialog};
use crate::app::{App, Screen};
use crate::journal::BatchState;
use crate::text::one_line;
use crate::timefmt;

/// The height of the resume question: the list, when looked at, gets what room there is.
pub fn resume_height(app: &App, area: Rect) -> u16 {
    if !matches!(app.screen, Screen::Resume { look: true }) {
        return 6;
    }
    let lines = 3 + app.memory.offered.len().saturating_sub(app.memory.scroll);
    area.height.saturating_sub(4).min(lines as u16 + 4).max(8)
}

/// "2 batches not sent from yesterday 17:42 — resume / drop / look"
pub fn resume(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let look = matches!(app.screen, Screen::Resume { look: true });
    let mut lines = vec![
        Line::styled(app.offered_summary(), theme.warning),
        Line::raw(
            "Resume sends each under its own caller reference: one CloudFront already made is adopted, not made twice.",
        ),
    ];
    if look {
        lines.push(Line::raw(""));
        for b in app.memory.offered.iter().skip(app.memory.scroll) {
            let state = match b.state {
                BatchState::Waiting => "not sent",
                BatchState::Sending | BatchState::Unknown => "sent, no answer",
                _ => b.state.as_str(),
            };
            let first = b.batch.paths.first().map_or("", String::as_str);
            let more = b.batch.paths.len().saturating_sub(1);
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", b.batch.distribution), theme.text),
                Span::styled(format!("{}/{} ", b.batch.number, b.batch.of), theme.dim),
                Span::styled(format!("{state} · "), theme.info),
                Span::raw(one_line(first)),
                Span::styled(
                    if more > 0 {
                        format!(" +{more}")
                    } else {
                        String::new()
                    },
                    theme.dim,
                ),
            ]));
        }
    }
    let keys = " r resume · d drop · l look · Esc later ";
    let title = " Unfinished batches of an earlier run ";
    let Some(inner) = draw_dialog(app, theme, frame, area, title, keys) else {
        return;
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

/// The notices log: what cfdash said, newest at the bottom, with times.
pub fn notices(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let log = &app.memory.log;
    let title = format!(" Notices ({}) ", log.len());
    let keys = " j/k scroll · g/G oldest/newest · Esc close ";
    let Some(inner) = draw_dialog(app, theme, frame, area, title, keys) else {
        return;
    };
    if log.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("Nothing said yet.", theme.dim)),
            inner,
        );
        return;
    }
    // The notice under `scroll` is the last shown, so the newest is at the bottom; a long
    // one wraps under its text.
    let rows = inner.height as usize;
    let end = (app.memory.scroll + 1).min(log.len());
    let time_width = 21;
    let width = (inner.width as usize).saturating_sub(time_width).max(10);
    let mut lines: Vec<Line> = Vec::new();
    for n in log[..end].iter().rev() {
        let style = match n.kind.as_str() {
            "error" => theme.error,
            "success" => theme.success,
            _ => theme.text,
        };
        let chars: Vec<char> = one_line(&n.text).chars().collect();
        let mut own: Vec<Line> = chars
            .chunks(width)
            .enumerate()
            .map(|(i, chunk)| {
                let time = if i == 0 {
                    format!("{}  ", timefmt::local(&app.tz, n.at))
                } else {
                    " ".repeat(time_width)
                };
                Line::from(vec![
                    Span::styled(time, theme.dim),
                    Span::styled(chunk.iter().collect::<String>(), style),
                ])
            })
            .collect();
        own.reverse();
        lines.extend(own);
        if lines.len() >= rows {
            break;
        }
    }
    lines.truncate(rows);
    lines.reverse();
    frame.render_widget(Paragraph::new(lines), inner);
}
