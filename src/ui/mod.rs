//! Drawing: reads the state, writes the frame, nothing else. One file per view.

mod detail;
mod distributions;
mod form;
mod header;
mod help;
mod inprogress;
mod invalidations;
mod memory;
mod palette;
mod profiles;
mod search;
mod status;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Borders, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Wrap,
};

use crate::app::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::app::palette::palette_height;
use crate::app::{App, Dialog, Mode, Pane, Screen};
pub use theme::Theme;

pub fn render(app: &App, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    let Some(areas) = app.areas().filter(|_| app.size == area) else {
        too_small(app, theme, frame, area);
        return;
    };
    header::render(app, theme, frame, areas.header);
    let body = areas.distributions.union(areas.invalidations);
    match (app.form(), app.form_areas()) {
        _ if app.profile.is_empty() => profiles::welcome(app, theme, frame, body),
        (Some(f), Some(form_areas)) => form::render(app, f, theme, frame, form_areas),
        _ => {
            let title = invalidations::Title::of(app, areas.invalidations);
            distributions::render(app, theme, frame, areas.distributions, title.every_alias);
            invalidations::render(app, theme, frame, areas.invalidations, title);
            if let Some(rect) = areas.detail {
                detail::render(app, theme, frame, rect);
            }
        }
    }
    status::render_status(app, theme, frame, areas.status);
    status::render_footer(app, theme, frame, areas.footer);
    match &app.screen {
        Screen::Profiles => profiles::switcher(app, theme, frame, area),
        Screen::ProfileForm(_) => profiles::profile_form(app, theme, frame, area),
        Screen::DeleteProfile => {
            profiles::switcher(app, theme, frame, area);
            profiles::delete(app, theme, frame, area);
        }
        Screen::Help { from, scroll } => help::render(theme, frame, area, from.mode(), *scroll),
        Screen::QuitUnsent { .. } => profiles::quit_unsent(app, theme, frame, area),
        Screen::Resume { .. } => memory::resume(app, theme, frame, area),
        Screen::Notices => memory::notices(app, theme, frame, area),
        Screen::Palette(p) => palette::render(app, p, theme, frame, area),
        Screen::Copy(menu) => palette::copy_menu(app, menu, theme, frame, area),
        Screen::InProgress { selected } => inprogress::render(app, *selected, theme, frame, area),
        Screen::Search(search) => search::render(app, search, theme, frame, area),
        _ => {}
    }
}

fn too_small(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let last = if matches!(app.screen, Screen::QuitUnsent { .. }) {
        // The question must be readable at any size: y quits, n stays.
        format!("{} y/n", app.quit_question())
    } else {
        "q quits".to_string()
    };
    let text = vec![
        Line::from("Terminal too small"),
        Line::from(format!("{}×{}", area.width, area.height)),
        Line::from(format!("cfdash needs at least {MIN_WIDTH}×{MIN_HEIGHT}")),
        Line::from(last),
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
    let focused = app.session.focus == pane && app.mode() != Mode::Help;
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

/// The widths a table gives its columns in `width` (one column between each), as
/// `Table` lays them out with `Flex::Start`: what each cell's text is cut to.
pub(super) fn column_widths<C>(cols: &[(C, Constraint)], width: u16) -> Vec<u16> {
    Layout::horizontal(cols.iter().map(|c| c.1))
        .flex(ratatui::layout::Flex::Start)
        .spacing(1)
        .split(Rect::new(0, 0, width, 1))
        .iter()
        .map(|r| r.width)
        .collect()
}

/// A table pane's place in its rows: "12/200" (the selected row of those shown) on the
/// bottom border's right, and a scrollbar on the right border when the rows do not fit.
fn position(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    (selected, offset, len): (usize, usize, usize),
) {
    if len == 0 || area.height < 3 {
        return;
    }
    let label = format!(" {}/{len} ", (selected + 1).min(len));
    let width = label.chars().count() as u16;
    if width + 4 <= area.width {
        let at = Rect::new(area.right() - 1 - width, area.bottom() - 1, width, 1);
        frame.render_widget(Span::styled(label, theme.dim), at);
    }
    let rows = crate::app::layout::table_rows(area);
    // Beside the rows: below the column header, above the bottom border.
    let track = Rect::new(area.x, area.y + 2, area.width, area.height - 3);
    scrollbar(frame, theme, track, (offset, len, rows));
}

/// A scrollbar on the right edge of `track` when `len` rows do not fit in `rows`, the first
/// shown being `offset`. No track: the border stays, the thumb is drawn over it.
fn scrollbar(
    frame: &mut Frame,
    theme: &Theme,
    track: Rect,
    (offset, len, rows): (usize, usize, usize),
) {
    if len <= rows || rows == 0 {
        return;
    }
    // Positions 0..=len-rows for the first row shown, `rows` of them in view.
    let mut state = ScrollbarState::new(len - rows + 1)
        .position(offset)
        .viewport_content_length(rows);
    frame.render_stateful_widget(
        Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None)
            .track_symbol(None)
            .thumb_style(theme.focus_border),
        track,
        &mut state,
    );
}

/// A query being typed, on the first line of `area`: `prompt`, then the text, which
/// scrolls with the cursor when wider than the line ("…" says there is more before);
/// `hint`, dim, while it is empty. The terminal's cursor goes to the input's.
fn query_line(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    (prompt, input, hint): (&str, &tui_input::Input, &str),
) {
    let room = (area.width as usize)
        .saturating_sub(prompt.len() + 1)
        .max(1);
    let scroll = input.visual_scroll(room);
    let mut shown: String = input.value().chars().skip(scroll).take(room).collect();
    if scroll > 0 {
        shown.replace_range(..shown.chars().next().map_or(0, char::len_utf8), "…");
    }
    let mut spans = vec![
        Span::styled(prompt.to_string(), theme.key),
        Span::styled(shown, theme.text),
    ];
    if input.value().is_empty() && !hint.is_empty() {
        spans.push(Span::styled(hint.to_string(), theme.dim));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)),
        Rect { height: 1, ..area },
    );
    let cursor = input.visual_cursor().saturating_sub(scroll) as u16;
    frame.set_cursor_position(ratatui::layout::Position::new(
        (area.x + prompt.len() as u16 + cursor).min(area.right().saturating_sub(1)),
        area.y,
    ));
}

/// Where the dialog on screen goes, and the inside of what it is drawn over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DialogRect {
    /// The inside of its parent: the form's inside for the form's dialogs, the switcher's
    /// for the delete question, the whole terminal for the others.
    pub parent: Rect,
    pub rect: Rect,
}

/// The inside of a bordered rectangle.
fn inside(r: Rect) -> Rect {
    r.inner(ratatui::layout::Margin::new(1, 1))
}

/// The switcher's frame in a terminal of `area`: a row a profile, at least room inside for
/// the delete question.
pub fn switcher_rect(app: &App, area: Rect) -> Rect {
    popup(area, 96, (app.catalog.profiles.len() as u16 + 4).max(7))
}

/// Where the profile form goes.
pub fn profile_form_rect(form: &crate::app::profiles::ProfileForm, area: Rect) -> Rect {
    popup(area, 96, form.field_count() as u16 * 2 + 5)
}

/// The dialog on top in a terminal of `area`, if any, and its parent: every view of a
/// dialog draws where this says, so none draws over its parent's border.
pub fn dialog_rect(app: &App, area: Rect) -> Option<DialogRect> {
    let top = |rect| DialogRect { parent: area, rect };
    let d = match &app.screen {
        Screen::Profiles => top(switcher_rect(app, area)),
        Screen::DeleteProfile => {
            let parent = inside(switcher_rect(app, area));
            DialogRect {
                parent,
                rect: popup(parent, 64, 5),
            }
        }
        // "Discard the changes?" inside the profile form's border.
        Screen::ProfileForm(form) if form.discarding => {
            let parent = inside(profile_form_rect(form, area));
            DialogRect {
                parent,
                rect: popup(parent, 64, 5),
            }
        }
        Screen::ProfileForm(form) => top(profile_form_rect(form, area)),
        Screen::Help { from, .. } => top(help::rect(area, from.mode())),
        Screen::QuitUnsent { .. } => top(popup(area, 64, 5)),
        Screen::Resume { .. } => top(popup(area, 76, memory::resume_height(app, area))),
        // Lists over the whole dashboard.
        Screen::Notices | Screen::InProgress { .. } | Screen::Search(_) => top(popup(
            area,
            area.width.saturating_sub(4),
            area.height.saturating_sub(2),
        )),
        // The palette and the copy menu, over the dashboard.
        Screen::Palette(_) => top(popup(
            area,
            area.width.saturating_sub(4).min(100),
            palette_height(area.height),
        )),
        // The copy menu inside the pane it copies from, where it fits; else over both.
        Screen::Copy(menu) => {
            let height = menu.choices.len() as u16 + 2;
            match app.areas().and_then(|a| a.pane(app.session.focus)) {
                Some(pane) if pane.height >= height + 2 && pane.width >= 46 => {
                    let parent = inside(pane);
                    DialogRect {
                        parent,
                        rect: popup(parent, parent.width.min(100), height),
                    }
                }
                _ => top(popup(area, area.width.saturating_sub(4).min(100), height)),
            }
        }
        Screen::Form { dialog, .. } => {
            let parent = inside(app.form_areas()?.block);
            let rect = match dialog {
                Dialog::Editing => return None,
                // The list of paths gets every row there is.
                Dialog::Confirm | Dialog::ConfirmTyped => parent,
                Dialog::Presets => popup(parent, 72, app.session.presets.len() as u16 + 2),
                Dialog::Discard { .. } => popup(parent, 60, 5),
            };
            DialogRect { parent, rect }
        }
        _ => return None,
    };
    Some(d)
}

/// `spans` cut to `width` columns: the span that crosses the edge ends in "…", and those
/// after it go. Text cut by the terminal's edge instead would end mid-word, unmarked.
fn fit_spans(spans: Vec<Span<'_>>, width: usize) -> Vec<Span<'_>> {
    use unicode_width::UnicodeWidthStr;
    let mut used = 0;
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let w = span.content.width();
        if used + w <= width {
            used += w;
            out.push(span);
            continue;
        }
        let cut = crate::text::fit(&span.content, width - used).into_owned();
        out.push(Span::styled(cut, span.style));
        break;
    }
    out
}

/// A rectangle of at most `width`×`height` in the middle of `area`.
fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(ratatui::layout::Flex::Center)
        .areas(row);
    rect
}

/// The frame of a dialog: a double border, its title, and its keys at the bottom.
fn dialog<'a>(theme: &Theme, title: impl Into<String>, bottom: Line<'a>) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.focus_border)
        .title(Line::styled(title.into(), theme.title))
        .title_bottom(bottom.right_aligned())
}

/// Draws the dialog on top where [`dialog_rect`] puts it: its frame, `title`, and `keys`
/// (dim, bottom right); returns the space inside it, or `None` when no dialog is open.
fn draw_dialog(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    title: impl Into<String>,
    keys: impl Into<String>,
) -> Option<Rect> {
    let rect = dialog_rect(app, area)?.rect;
    let keys = Line::styled(keys.into(), theme.dim);
    Some(open_dialog(frame, rect, dialog(theme, title, keys)))
}

/// Draws a dialog's frame over whatever is under `rect`; returns the space inside it.
fn open_dialog(frame: &mut Frame, rect: Rect, block: Block) -> Rect {
    frame.render_widget(ratatui::widgets::Clear, rect);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

/// A message in the middle of an empty pane.
fn placeholder(frame: &mut Frame, inner: Rect, lines: Vec<Line>) {
    let text = Paragraph::new(lines)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    // As tall as the lines once wrapped (a long error takes several), centred.
    let height = text.line_count(inner.width).min(inner.height as usize) as u16;
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height),
        Constraint::Fill(1),
    ])
    .areas(inner);
    frame.render_widget(text, middle);
}
