//! Drawing: reads the state, writes the frame, nothing else. One file per view.

mod detail;
mod distributions;
mod form;
mod header;
mod help;
mod invalidations;
mod status;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use crate::app::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::app::{App, Mode, Pane};
pub use theme::Theme;

pub fn render(app: &App, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    let Some(areas) = app.areas().filter(|_| app.size == area) else {
        too_small(theme, frame, area);
        return;
    };
    header::render(app, theme, frame, areas.header);
    match (&app.form, app.form_areas()) {
        (Some(f), Some(form_areas)) => form::render(app, f, theme, frame, form_areas),
        _ => {
            distributions::render(app, theme, frame, areas.distributions);
            invalidations::render(app, theme, frame, areas.invalidations);
            if let Some(rect) = areas.detail {
                detail::render(app, theme, frame, rect);
            }
        }
    }
    status::render_status(app, theme, frame, areas.status);
    status::render_footer(app, theme, frame, areas.footer);
    if app.mode == Mode::Help {
        help::render(theme, frame, area, app.help_from.in_form());
    }
}

fn too_small(theme: &Theme, frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::from("Terminal too small"),
        Line::from(format!("{}×{}", area.width, area.height)),
        Line::from(format!("cfdash needs at least {MIN_WIDTH}×{MIN_HEIGHT}")),
        Line::from("q quits"),
    ];
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(text.len() as u16),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(text)
            .style(theme.warning)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        middle,
    );
}

/// A pane's frame, brighter when it has the focus.
fn pane_block<'a>(app: &App, theme: &Theme, pane: Pane, title: Line<'a>) -> Block<'a> {
    let focused = app.focus == pane && app.mode != Mode::Help;
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(if focused {
            theme.focus_border
        } else {
            theme.border
        })
        .title(title)
}

/// A message in the middle of an empty pane.
fn placeholder(frame: &mut Frame, inner: Rect, lines: Vec<Line>) {
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(lines.len() as u16),
        Constraint::Fill(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        middle,
    );
}
