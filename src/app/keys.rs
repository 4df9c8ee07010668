//! Keys are data: one table per mode. The same tables answer key presses, write the footer
//! hints and build the `?` help overlay, so the three can never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Mode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextPane,
    PrevPane,
    Open,
    Back,
    Filter,
    Refresh,
    Watch,
    Help,
    Quit,
    FilterAccept,
    FilterClear,
}

pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written in the help and the footer.
    pub label: &'static str,
    /// What the key does, for the help overlay.
    pub desc: &'static str,
    /// A short word for the footer; `None` keeps the binding out of the footer.
    pub hint: Option<&'static str>,
    pub cmd: Cmd,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

const fn ch(c: char) -> (KeyCode, KeyModifiers) {
    (KeyCode::Char(c), NONE)
}

const QUIT_KEYS: &[(KeyCode, KeyModifiers)] = &[(KeyCode::Char('c'), CTRL)];

pub const DASHBOARD: &[Binding] = &[
    Binding {
        keys: &[ch('j'), (KeyCode::Down, NONE)],
        label: "j/↓",
        desc: "move down",
        hint: Some("move"),
        cmd: Cmd::Down,
    },
    Binding {
        keys: &[ch('k'), (KeyCode::Up, NONE)],
        label: "k/↑",
        desc: "move up",
        hint: None,
        cmd: Cmd::Up,
    },
    Binding {
        keys: &[(KeyCode::PageDown, NONE), (KeyCode::Char('d'), CTRL)],
        label: "PgDn/C-d",
        desc: "page down",
        hint: None,
        cmd: Cmd::PageDown,
    },
    Binding {
        keys: &[(KeyCode::PageUp, NONE), (KeyCode::Char('u'), CTRL)],
        label: "PgUp/C-u",
        desc: "page up",
        hint: None,
        cmd: Cmd::PageUp,
    },
    Binding {
        keys: &[ch('g'), (KeyCode::Home, NONE)],
        label: "g/Home",
        desc: "first row",
        hint: None,
        cmd: Cmd::Top,
    },
    Binding {
        keys: &[ch('G'), (KeyCode::End, NONE)],
        label: "G/End",
        desc: "last row",
        hint: None,
        cmd: Cmd::Bottom,
    },
    Binding {
        keys: &[(KeyCode::Tab, NONE)],
        label: "Tab",
        desc: "next pane",
        hint: Some("pane"),
        cmd: Cmd::NextPane,
    },
    Binding {
        keys: &[(KeyCode::BackTab, SHIFT), (KeyCode::BackTab, NONE)],
        label: "S-Tab",
        desc: "previous pane",
        hint: None,
        cmd: Cmd::PrevPane,
    },
    Binding {
        keys: &[(KeyCode::Enter, NONE), ch('l'), (KeyCode::Right, NONE)],
        label: "Enter",
        desc: "open invalidations / paths",
        hint: Some("open"),
        cmd: Cmd::Open,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE), ch('h'), (KeyCode::Left, NONE)],
        label: "Esc",
        desc: "back; clear the filter",
        hint: None,
        cmd: Cmd::Back,
    },
    Binding {
        keys: &[ch('/')],
        label: "/",
        desc: "filter distributions",
        hint: Some("filter"),
        cmd: Cmd::Filter,
    },
    Binding {
        keys: &[ch('w')],
        label: "w",
        desc: "watch: ring on completion",
        hint: Some("watch"),
        cmd: Cmd::Watch,
    },
    Binding {
        keys: &[ch('r'), (KeyCode::F(5), NONE)],
        label: "r",
        desc: "refresh everything now",
        hint: Some("refresh"),
        cmd: Cmd::Refresh,
    },
    Binding {
        keys: &[ch('?')],
        label: "?",
        desc: "this help",
        hint: Some("help"),
        cmd: Cmd::Help,
    },
    Binding {
        keys: &[ch('q'), (KeyCode::Char('c'), CTRL)],
        label: "q",
        desc: "quit",
        hint: Some("quit"),
        cmd: Cmd::Quit,
    },
];

pub const FILTER: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Enter, NONE)],
        label: "Enter",
        desc: "keep the filter",
        hint: Some("keep"),
        cmd: Cmd::FilterAccept,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE)],
        label: "Esc",
        desc: "clear the filter",
        hint: Some("clear"),
        cmd: Cmd::FilterClear,
    },
    Binding {
        keys: &[(KeyCode::Down, NONE)],
        label: "↓",
        desc: "move down",
        hint: None,
        cmd: Cmd::Down,
    },
    Binding {
        keys: &[(KeyCode::Up, NONE)],
        label: "↑",
        desc: "move up",
        hint: None,
        cmd: Cmd::Up,
    },
    Binding {
        keys: QUIT_KEYS,
        label: "C-c",
        desc: "quit",
        hint: None,
        cmd: Cmd::Quit,
    },
];

pub const HELP: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Esc, NONE), ch('?'), ch('q')],
        label: "Esc/?/q",
        desc: "close the help",
        hint: Some("close"),
        cmd: Cmd::Back,
    },
    Binding {
        keys: QUIT_KEYS,
        label: "C-c",
        desc: "quit",
        hint: None,
        cmd: Cmd::Quit,
    },
];

/// The tables the help overlay shows, with their headings.
pub const SECTIONS: &[(&str, &[Binding])] = &[
    ("Dashboard", DASHBOARD),
    ("Filter (after /)", FILTER),
    ("Help", HELP),
];

pub fn table(mode: Mode) -> &'static [Binding] {
    match mode {
        Mode::Normal => DASHBOARD,
        Mode::Filter => FILTER,
        Mode::Help => HELP,
    }
}

/// The command a key means in a mode. Shift is ignored on characters (`G`, `?` arrive
/// with it on some terminals and without it on others).
pub fn lookup(mode: Mode, key: &KeyEvent) -> Option<Cmd> {
    let mods = match key.code {
        KeyCode::Char(_) => key.modifiers - KeyModifiers::SHIFT,
        _ => key.modifiers,
    };
    table(mode)
        .iter()
        .find(|b| b.keys.iter().any(|&(c, m)| c == key.code && m == mods))
        .map(|b| b.cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn shifted_characters_match() {
        assert_eq!(
            lookup(Mode::Normal, &key(KeyCode::Char('G'), SHIFT)),
            Some(Cmd::Bottom)
        );
        assert_eq!(
            lookup(Mode::Normal, &key(KeyCode::Char('?'), SHIFT)),
            Some(Cmd::Help)
        );
    }

    #[test]
    fn ctrl_c_quits_in_every_mode() {
        for mode in [Mode::Normal, Mode::Filter, Mode::Help] {
            assert_eq!(
                lookup(mode, &key(KeyCode::Char('c'), CTRL)),
                Some(Cmd::Quit),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn letters_type_into_the_filter() {
        assert_eq!(lookup(Mode::Filter, &key(KeyCode::Char('q'), NONE)), None);
        assert_eq!(lookup(Mode::Filter, &key(KeyCode::Char('j'), NONE)), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_a_table() {
        for (name, table) in SECTIONS {
            let mut seen = Vec::new();
            for b in table.iter() {
                for k in b.keys {
                    assert!(!seen.contains(k), "{name}: {k:?} bound twice");
                    seen.push(*k);
                }
            }
        }
    }
}
