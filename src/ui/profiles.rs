//! The welcome screen, the profile switcher, the profile form and the delete question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use super::{Theme, dialog, open_dialog, popup};
use crate::app::profiles::{Check, RowValue};
use crate::app::{App, Mode};
use crate::text::{columns, fit};

/// No profile open: what cfdash is, why there is nothing yet, and what to do.
pub fn welcome(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut lines = vec![
        Line::styled("Welcome to cfdash", theme.title),
        Line::raw(""),
        Line::raw("A dashboard for CloudFront cache invalidations: every distribution, its"),
        Line::raw("invalidations live, and a form that checks paths before they are sent."),
        Line::raw(""),
    ];
    match &app.catalog.config_error {
        Some(e) => {
            lines.push(Line::styled(
                "The profiles file cannot be read:",
                theme.error,
            ));
            lines.push(Line::styled(e.clone(), theme.error));
            lines.push(Line::raw(
                "cfdash leaves it as it is. Fix it in an editor, then press r to read it again.",
            ));
        }
        None => {
            lines.push(Line::raw(format!(
                "No profiles yet: {} does not exist.",
                app.catalog.config_path.display()
            )));
            lines.push(Line::raw(
                "A profile names how to reach an account; credentials stay in the AWS chain.",
            ));
        }
    }
    if !app.catalog.aws_profiles.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled("~/.aws/config has: ", theme.dim),
            Span::raw(app.catalog.aws_profiles.join(", ")),
        ]));
    }
    lines.push(Line::raw(""));
    if app.catalog.config_error.is_none() {
        lines.push(Line::from(vec![
            Span::styled("  c  ", theme.key),
            Span::raw("create a profile"),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled("  d  ", theme.key),
        Span::raw("open the demo: a simulated account, nothing saved"),
    ]));
    lines.push(Line::from(vec![
        Span::styled("  q  ", theme.key),
        Span::raw("quit"),
    ]));
    // Wrapped lines take more rows than one.
    let inner_width = area.width.min(84).saturating_sub(2).max(1) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1))
        .sum();
    let rect = popup(area, 84, rows as u16 + 2);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.focus_border);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The longest a name is shown in the switcher; longer ones are cut with "…".
const NAME_MAX: usize = 24;

/// How a profile reaches its account, in `room` columns: the endpoint (host and port) is
/// what tells two emulators apart, so it stays whole and what comes before it is cut.
fn reach(all: &str, endpoint: Option<&str>, room: usize) -> String {
    match endpoint {
        Some(url) if columns(all) > room && columns(url) + 4 <= room => {
            let head = all.strip_suffix(url).unwrap_or("");
            let head = head.strip_suffix(" · ").unwrap_or(head);
            format!("{} · {url}", fit(head, room - columns(url) - 3))
        }
        _ => fit(all, room).into_owned(),
    }
}

pub fn switcher(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rect = super::switcher_rect(app, area);
    let inner = open_dialog(
        frame,
        rect,
        dialog(
            theme,
            " Profiles ",
            Line::styled(
                " Enter switches · a add · e edit · d delete · s default ",
                theme.dim,
            ),
        ),
    );
    // The names' column is as wide as the longest name; the tags' as the longest tags; the
    // rest of the row says how the profile reaches its account. Where both do not fit, a
    // name gets NAME_MAX, and more while the reach keeps its endpoint whole (which tells
    // two emulators apart) or 20 columns.
    let longest = |f: &dyn Fn(&crate::app::profiles::ProfileEntry) -> usize| {
        app.catalog.profiles.iter().map(f).max().unwrap_or(0)
    };
    let names = longest(&|p| columns(&p.name)).max(4);
    let reaches = longest(&|p| {
        let least = p
            .profile
            .endpoint_url
            .as_deref()
            .map_or(20, |u| columns(u) + 4);
        columns(&p.profile.reach()).min(least)
    });
    let tags: Vec<String> = app
        .catalog
        .profiles
        .iter()
        .map(|p| {
            let mut tags = Vec::new();
            if app.catalog.default_profile.as_deref() == Some(p.name.as_str()) {
                tags.push("default");
            }
            if p.builtin {
                tags.push("built in");
            }
            if p.profile.read_only {
                tags.push("read-only");
            }
            tags.join(", ")
        })
        .collect();
    let tags_width = tags.iter().map(|t| columns(t)).max().unwrap_or(0);
    let spare = (inner.width as usize).saturating_sub(3 + 2 + tags_width + 2);
    let width = names.min(NAME_MAX.max(spare.saturating_sub(reaches)));
    let room = spare.saturating_sub(width);
    let mut lines: Vec<Line> = app
        .catalog
        .profiles
        .iter()
        .zip(&tags)
        .enumerate()
        .map(|(i, (p, tags))| {
            let open = p.name == app.profile;
            let name = fit(&p.name, width);
            let pad = width - columns(&name);
            let spans = vec![
                Span::styled(if open { " ● " } else { "   " }, theme.success),
                Span::styled(format!("{name}{:pad$}", ""), theme.text),
                Span::raw("  "),
                Span::styled(format!("{tags:<tags_width$}  "), theme.warning),
                Span::styled(
                    reach(&p.profile.reach(), p.profile.endpoint_url.as_deref(), room),
                    theme.dim,
                ),
            ];
            let line = Line::from(spans);
            if i == app.catalog.switcher {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("  No profiles yet: a adds one.", theme.dim));
    }
    let watching = app.watch.background.len();
    let [list, foot] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), list);
    let foot_line = match &app.catalog.config_error {
        Some(_) => Line::styled(
            " editing is off: the profiles file cannot be read",
            theme.error,
        ),
        None if watching > 0 => Line::styled(
            format!(" ◆ {watching} watched on other profiles, still polled"),
            theme.watched,
        ),
        None => Line::styled(format!(" {}", app.catalog.config_path.display()), theme.dim),
    };
    frame.render_widget(Paragraph::new(foot_line), foot);
}

pub fn profile_form(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(form) = app.profile_form() else {
        return;
    };
    let rect = super::profile_form_rect(form, area);
    let title = match &form.from {
        Some(name) => format!(" Edit profile {name} "),
        None => " New profile ".to_string(),
    };
    let bottom = if form.saving {
        " saving… "
    } else {
        " Enter saves · Tab next · Esc cancels "
    };
    let inner = open_dialog(
        frame,
        rect,
        dialog(theme, title, Line::styled(bottom, theme.dim)),
    );
    let checks = form.checks(&app.catalog.profiles, &app.catalog.aws_profiles);
    let label_width = 19u16;
    let mut y = inner.y;
    for (i, field) in form.rows.iter().enumerate() {
        let focused = form.focus == i;
        let label_style = if focused { theme.key } else { theme.dim };
        let row = Rect::new(inner.x, y, inner.width, 1);
        let [label, value] =
            Layout::horizontal([Constraint::Length(label_width), Constraint::Min(0)]).areas(row);
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {}", field.label()), label_style)),
            label,
        );
        match &field.value {
            RowValue::Text(input) => {
                let width = value.width.saturating_sub(1) as usize;
                let scroll = input.visual_scroll(width);
                let text: String = input.value().chars().skip(scroll).collect();
                let style = if focused { theme.selected } else { theme.text };
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        format!("{text:<width$}", width = width),
                        style,
                    )),
                    value,
                );
                if focused && app.mode() == Mode::ProfileForm {
                    let x = value.x + (input.visual_cursor() - scroll) as u16;
                    frame.set_cursor_position(Position::new(x.min(value.right() - 1), y));
                }
            }
            RowValue::Flag(on) => {
                let style = if focused { theme.selected } else { theme.text };
                frame.render_widget(
                    Paragraph::new(Span::styled(if *on { "[x]" } else { "[ ]" }, style)),
                    value,
                );
            }
        }
        let note_row = Rect::new(inner.x + label_width, y + 1, inner.width - label_width, 1);
        let note = match &checks[i] {
            Some(Check::Error(e)) => Line::styled(format!("✗ {e}"), theme.error),
            Some(Check::Warning(w)) => Line::styled(format!("! {w}"), theme.warning),
            None => Line::styled(field.hint(), theme.dim),
        };
        frame.render_widget(Paragraph::new(note), note_row);
        y += 2;
    }
    if let Some(e) = &form.error {
        let row = Rect::new(inner.x, y, inner.width, inner.bottom().saturating_sub(y));
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" ✗ {e}"), theme.error)).wrap(Wrap { trim: true }),
            row,
        );
    }
    if form.discarding {
        let what = match &form.from {
            Some(name) => format!("Discard the changes to the profile {name}?"),
            None => "Discard the new profile?".to_string(),
        };
        let text = vec![
            Line::styled(what, theme.warning),
            Line::raw("Nothing is written to the profiles file."),
        ];
        let keys = (" Discard? ", " y discards · n keeps editing ");
        question(app, theme, frame, area, keys, text);
    }
}

/// "2 batches (3,400 paths) not sent — quit anyway?"
pub fn quit_unsent(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::styled(app.quit_question(), theme.warning),
        Line::raw(if app.memory.enabled {
            "They wait for room in the in-progress quotas; the journal keeps them, unsent, and the next start offers them."
        } else {
            "They wait for room in the in-progress quotas; quitting drops them (no journal is kept)."
        }),
    ];
    question(
        app,
        theme,
        frame,
        area,
        (" Quit? ", " y quits · n stays "),
        text,
    );
}

/// A yes/no question in a small box: its title and key hint, and what it asks.
fn question(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    (title, keys): (&str, &str),
    text: Vec<Line<'_>>,
) {
    let Some(inner) = super::draw_dialog(app, theme, frame, area, title, keys) else {
        return;
    };
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
}

pub fn delete(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(entry) = app.catalog.profiles.get(app.catalog.switcher) else {
        return;
    };
    let text = vec![
        Line::styled(
            format!("Delete profile {} from the profiles file?", entry.name),
            theme.warning,
        ),
        Line::raw("Its comments go with it; nothing in ~/.aws changes."),
    ];
    question(
        app,
        theme,
        frame,
        area,
        (" Delete? ", " y deletes · n keeps "),
        text,
    );
}

#[cfg(test)]
mod tests {
    use super::reach;

    #[test]
    fn the_endpoint_stays_whole_and_what_comes_before_it_is_cut() {
        let all = "aws profile (default chain) · us-east-1 · http://127.0.0.1:4566";
        let url = Some("http://127.0.0.1:4566");
        assert_eq!(reach(all, url, 100), all);
        assert_eq!(
            reach(all, url, 40),
            "aws profile (de… · http://127.0.0.1:4566"
        );
        assert_eq!(reach("simulator", None, 5), "simu…");
        // No room even for the endpoint: the whole is cut.
        assert_eq!(reach(all, url, 10), "aws profi…");
    }
}
