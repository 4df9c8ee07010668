//! Styles, in colour or (with NO_COLOR) in bold, dim and reverse only.

use ratatui::style::{Color, Modifier, Style};

use crate::cloudfront::InvalidationStatus;

#[derive(Clone, Debug)]
pub struct Theme {
    pub title: Style,
    pub text: Style,
    pub dim: Style,
    pub border: Style,
    pub focus_border: Style,
    pub header_row: Style,
    pub selected: Style,
    pub selected_unfocused: Style,
    pub in_progress: Style,
    pub completed: Style,
    pub other: Style,
    pub watched: Style,
    pub error: Style,
    pub warning: Style,
    pub success: Style,
    pub info: Style,
    pub key: Style,
    pub disabled: Style,
}

impl Theme {
    /// A table row's style: the selection's when selected (dimmer in a pane without focus).
    pub fn row<'a>(
        &self,
        row: ratatui::widgets::Row<'a>,
        selected: bool,
        focused: bool,
    ) -> ratatui::widgets::Row<'a> {
        match (selected, focused) {
            (false, _) => row,
            (true, true) => row.style(self.selected),
            (true, false) => row.style(self.selected_unfocused),
        }
    }

    /// Colour unless NO_COLOR is set (to anything non-empty), as no-color.org asks.
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color {
            Self::mono()
        } else {
            Self::color()
        }
    }

    pub fn color() -> Self {
        let s = Style::default();
        Self {
            title: s.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            text: s,
            dim: s.fg(Color::DarkGray),
            border: s.fg(Color::DarkGray),
            focus_border: s.fg(Color::Cyan),
            header_row: s.fg(Color::Gray).add_modifier(Modifier::BOLD),
            selected: s
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            selected_unfocused: s.bg(Color::DarkGray).fg(Color::White),
            in_progress: s.fg(Color::Yellow),
            completed: s.fg(Color::Green),
            other: s.fg(Color::Magenta),
            watched: s.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            error: s.fg(Color::Red).add_modifier(Modifier::BOLD),
            warning: s.fg(Color::Yellow),
            success: s.fg(Color::Green).add_modifier(Modifier::BOLD),
            info: s.fg(Color::Cyan),
            key: s.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            disabled: s.fg(Color::DarkGray),
        }
    }

    pub fn mono() -> Self {
        let s = Style::default();
        let bold = s.add_modifier(Modifier::BOLD);
        Self {
            title: bold,
            text: s,
            dim: s.add_modifier(Modifier::DIM),
            border: s,
            focus_border: bold,
            header_row: bold,
            selected: s.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            selected_unfocused: s.add_modifier(Modifier::REVERSED),
            in_progress: bold,
            completed: s,
            other: s.add_modifier(Modifier::ITALIC),
            watched: bold,
            error: bold,
            warning: bold,
            success: bold,
            info: s,
            key: bold,
            disabled: s.add_modifier(Modifier::DIM),
        }
    }

    pub fn status(&self, status: &InvalidationStatus) -> Style {
        match status {
            InvalidationStatus::InProgress => self.in_progress,
            InvalidationStatus::Completed => self.completed,
            InvalidationStatus::Queued => self.dim,
            InvalidationStatus::Other(_) => self.other,
        }
    }
}
