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
    /// Mark the distribution for a form that targets several.
    Mark,
    NewInvalidation,
    CopyToNew,
    // The form's editor.
    Left,
    Right,
    Home,
    End,
    Newline,
    Backspace,
    Delete,
    DeleteLine,
    NextField,
    PrevField,
    Submit,
    Presets,
    DropCovered,
    /// Yes: send, insert, discard (whatever the dialog asks).
    Confirm,
    Profiles,
    AddProfile,
    EditProfile,
    DeleteProfile,
    SetDefault,
    Demo,
    /// The next profile of ~/.aws/config into the aws_profile field.
    NextChoice,
    /// Pinned distributions only, or all.
    ShowAll,
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
        hint: None,
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
        hint: None,
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
        keys: &[ch('n')],
        label: "n",
        desc: "new invalidation",
        hint: Some("new"),
        cmd: Cmd::NewInvalidation,
    },
    Binding {
        keys: &[ch('c')],
        label: "c",
        desc: "copy its paths to a new one",
        hint: None,
        cmd: Cmd::CopyToNew,
    },
    Binding {
        keys: &[ch(' ')],
        label: "Space",
        desc: "mark: n targets all marked",
        hint: None,
        cmd: Cmd::Mark,
    },
    Binding {
        keys: &[ch('p')],
        label: "p",
        desc: "profiles: switch, add, edit",
        hint: Some("profiles"),
        cmd: Cmd::Profiles,
    },
    Binding {
        keys: &[ch('a')],
        label: "a",
        desc: "pinned distributions / all",
        hint: None,
        cmd: Cmd::ShowAll,
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

pub const FORM: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Char('s'), CTRL)],
        label: "C-s",
        desc: "submit: check, confirm",
        hint: Some("submit"),
        cmd: Cmd::Submit,
    },
    Binding {
        keys: &[(KeyCode::Char('p'), CTRL)],
        label: "C-p",
        desc: "insert a preset path list",
        hint: Some("presets"),
        cmd: Cmd::Presets,
    },
    Binding {
        keys: &[(KeyCode::Char('d'), CTRL)],
        label: "C-d",
        desc: "drop/keep covered paths",
        hint: Some("drop covered"),
        cmd: Cmd::DropCovered,
    },
    Binding {
        keys: &[(KeyCode::Tab, NONE)],
        label: "Tab",
        desc: "next field: editor, buttons",
        hint: Some("buttons"),
        cmd: Cmd::NextField,
    },
    Binding {
        keys: &[(KeyCode::BackTab, SHIFT), (KeyCode::BackTab, NONE)],
        label: "S-Tab",
        desc: "previous field",
        hint: None,
        cmd: Cmd::PrevField,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE)],
        label: "Esc",
        desc: "close (asks if text typed)",
        hint: Some("cancel"),
        cmd: Cmd::Back,
    },
    Binding {
        keys: &[(KeyCode::Enter, NONE)],
        label: "Enter",
        desc: "new line; press a button",
        hint: None,
        cmd: Cmd::Newline,
    },
    Binding {
        keys: &[(KeyCode::Backspace, NONE)],
        label: "Bksp",
        desc: "delete before the cursor",
        hint: None,
        cmd: Cmd::Backspace,
    },
    Binding {
        keys: &[(KeyCode::Delete, NONE)],
        label: "Del",
        desc: "delete under the cursor",
        hint: None,
        cmd: Cmd::Delete,
    },
    Binding {
        keys: &[(KeyCode::Char('k'), CTRL)],
        label: "C-k",
        desc: "delete the line",
        hint: None,
        cmd: Cmd::DeleteLine,
    },
    Binding {
        keys: &[(KeyCode::Up, NONE)],
        label: "↑/↓",
        desc: "line up / down",
        hint: None,
        cmd: Cmd::Up,
    },
    Binding {
        keys: &[(KeyCode::Down, NONE)],
        label: "",
        desc: "",
        hint: None,
        cmd: Cmd::Down,
    },
    Binding {
        keys: &[(KeyCode::Left, NONE)],
        label: "←/→",
        desc: "character left / right",
        hint: None,
        cmd: Cmd::Left,
    },
    Binding {
        keys: &[(KeyCode::Right, NONE)],
        label: "",
        desc: "",
        hint: None,
        cmd: Cmd::Right,
    },
    Binding {
        keys: &[(KeyCode::Home, NONE)],
        label: "Home/End",
        desc: "start / end of the line",
        hint: None,
        cmd: Cmd::Home,
    },
    Binding {
        keys: &[(KeyCode::End, NONE)],
        label: "",
        desc: "",
        hint: None,
        cmd: Cmd::End,
    },
    Binding {
        keys: &[(KeyCode::PageUp, NONE)],
        label: "PgUp/PgDn",
        desc: "page up / down",
        hint: None,
        cmd: Cmd::PageUp,
    },
    Binding {
        keys: &[(KeyCode::PageDown, NONE)],
        label: "",
        desc: "",
        hint: None,
        cmd: Cmd::PageDown,
    },
    Binding {
        keys: &[(KeyCode::Home, CTRL)],
        label: "C-Home/End",
        desc: "start / end of the text",
        hint: None,
        cmd: Cmd::Top,
    },
    Binding {
        keys: &[(KeyCode::End, CTRL)],
        label: "",
        desc: "",
        hint: None,
        cmd: Cmd::Bottom,
    },
    Binding {
        keys: &[(KeyCode::F(1), NONE)],
        label: "F1",
        desc: "help",
        hint: Some("help"),
        cmd: Cmd::Help,
    },
    Binding {
        keys: QUIT_KEYS,
        label: "C-c",
        desc: "quit (asks if text typed)",
        hint: None,
        cmd: Cmd::Quit,
    },
];

pub const CONFIRM: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Enter, NONE), ch('y')],
        label: "Enter/y",
        desc: "create the invalidations",
        hint: Some("send"),
        cmd: Cmd::Confirm,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE), ch('n')],
        label: "Esc/n",
        desc: "back to the paths",
        hint: Some("back"),
        cmd: Cmd::Back,
    },
    Binding {
        keys: &[ch('j'), (KeyCode::Down, NONE)],
        label: "j/k",
        desc: "scroll the paths",
        hint: Some("scroll"),
        cmd: Cmd::Down,
    },
    Binding {
        keys: &[ch('k'), (KeyCode::Up, NONE)],
        label: "",
        desc: "",
        hint: None,
        cmd: Cmd::Up,
    },
    Binding {
        keys: &[(KeyCode::PageDown, NONE), ch(' ')],
        label: "PgDn/PgUp",
        desc: "scroll a page",
        hint: None,
        cmd: Cmd::PageDown,
    },
    Binding {
        keys: &[(KeyCode::PageUp, NONE)],
        label: "",
        desc: "",
        hint: None,
        cmd: Cmd::PageUp,
    },
    Binding {
        keys: QUIT_KEYS,
        label: "C-c",
        desc: "quit (asks if text typed)",
        hint: None,
        cmd: Cmd::Quit,
    },
];

pub const PRESETS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Enter, NONE)],
        label: "Enter",
        desc: "insert the preset's paths",
        hint: Some("insert"),
        cmd: Cmd::Confirm,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE)],
        label: "Esc",
        desc: "back to the paths",
        hint: Some("back"),
        cmd: Cmd::Back,
    },
    Binding {
        keys: &[ch('j'), (KeyCode::Down, NONE)],
        label: "j/k",
        desc: "choose",
        hint: Some("choose"),
        cmd: Cmd::Down,
    },
    Binding {
        keys: &[ch('k'), (KeyCode::Up, NONE)],
        label: "",
        desc: "",
        hint: None,
        cmd: Cmd::Up,
    },
    Binding {
        keys: QUIT_KEYS,
        label: "C-c",
        desc: "quit (asks if text typed)",
        hint: None,
        cmd: Cmd::Quit,
    },
];

pub const DISCARD: &[Binding] = &[
    Binding {
        keys: &[ch('y')],
        label: "y",
        desc: "discard the paths",
        hint: Some("discard"),
        cmd: Cmd::Confirm,
    },
    Binding {
        keys: &[ch('n'), (KeyCode::Esc, NONE)],
        label: "n/Esc",
        desc: "keep editing",
        hint: Some("keep"),
        cmd: Cmd::Back,
    },
    Binding {
        keys: QUIT_KEYS,
        label: "C-c",
        desc: "quit without asking again",
        hint: None,
        cmd: Cmd::Quit,
    },
];

pub const CONFIRM_TYPED: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Enter, NONE)],
        label: "Enter",
        desc: "create, once the name is typed",
        hint: Some("send"),
        cmd: Cmd::Confirm,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE)],
        label: "Esc",
        desc: "back to the paths",
        hint: Some("back"),
        cmd: Cmd::Back,
    },
    Binding {
        keys: &[(KeyCode::Down, NONE)],
        label: "↓/↑",
        desc: "scroll the paths",
        hint: None,
        cmd: Cmd::Down,
    },
    Binding {
        keys: &[(KeyCode::Up, NONE)],
        label: "",
        desc: "",
        hint: None,
        cmd: Cmd::Up,
    },
    Binding {
        keys: QUIT_KEYS,
        label: "C-c",
        desc: "quit (asks if text typed)",
        hint: None,
        cmd: Cmd::Quit,
    },
];

pub const WELCOME: &[Binding] = &[
    Binding {
        keys: &[ch('c')],
        label: "c",
        desc: "create a profile",
        hint: Some("create a profile"),
        cmd: Cmd::AddProfile,
    },
    Binding {
        keys: &[ch('d')],
        label: "d",
        desc: "open the demo (simulated)",
        hint: Some("demo"),
        cmd: Cmd::Demo,
    },
    Binding {
        keys: &[ch('r')],
        label: "r",
        desc: "read the profiles file again",
        hint: Some("reload"),
        cmd: Cmd::Refresh,
    },
    Binding {
        keys: &[ch('p')],
        label: "p",
        desc: "profiles (once there are some)",
        hint: None,
        cmd: Cmd::Profiles,
    },
    Binding {
        keys: &[ch('?')],
        label: "?",
        desc: "help",
        hint: None,
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

pub const PROFILES: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Enter, NONE)],
        label: "Enter",
        desc: "switch to the profile",
        hint: Some("switch"),
        cmd: Cmd::Open,
    },
    Binding {
        keys: &[ch('j'), (KeyCode::Down, NONE)],
        label: "j/k",
        desc: "move",
        hint: None,
        cmd: Cmd::Down,
    },
    Binding {
        keys: &[ch('k'), (KeyCode::Up, NONE)],
        label: "",
        desc: "",
        hint: None,
        cmd: Cmd::Up,
    },
    Binding {
        keys: &[ch('a')],
        label: "a",
        desc: "add a profile",
        hint: Some("add"),
        cmd: Cmd::AddProfile,
    },
    Binding {
        keys: &[ch('e')],
        label: "e",
        desc: "edit or rename",
        hint: Some("edit"),
        cmd: Cmd::EditProfile,
    },
    Binding {
        keys: &[ch('d')],
        label: "d",
        desc: "delete (asks)",
        hint: Some("delete"),
        cmd: Cmd::DeleteProfile,
    },
    Binding {
        keys: &[ch('s')],
        label: "s",
        desc: "make it the default",
        hint: Some("default"),
        cmd: Cmd::SetDefault,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE), ch('p')],
        label: "Esc/p",
        desc: "close",
        hint: Some("close"),
        cmd: Cmd::Back,
    },
    Binding {
        keys: &[ch('q'), (KeyCode::Char('c'), CTRL)],
        label: "q",
        desc: "quit",
        hint: None,
        cmd: Cmd::Quit,
    },
];

pub const PROFILE_FORM: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Enter, NONE), (KeyCode::Char('s'), CTRL)],
        label: "Enter",
        desc: "save (written to the file at once)",
        hint: Some("save"),
        cmd: Cmd::Confirm,
    },
    Binding {
        keys: &[(KeyCode::Tab, NONE), (KeyCode::Down, NONE)],
        label: "Tab/↓",
        desc: "next field",
        hint: Some("next"),
        cmd: Cmd::NextField,
    },
    Binding {
        keys: &[
            (KeyCode::BackTab, SHIFT),
            (KeyCode::BackTab, NONE),
            (KeyCode::Up, NONE),
        ],
        label: "S-Tab/↑",
        desc: "previous field",
        hint: None,
        cmd: Cmd::PrevField,
    },
    Binding {
        keys: &[ch(' ')],
        label: "Space",
        desc: "tick a box (types in a text field)",
        hint: Some("tick"),
        cmd: Cmd::Mark,
    },
    Binding {
        keys: &[(KeyCode::Char('n'), CTRL)],
        label: "C-n",
        desc: "next profile of ~/.aws/config",
        hint: Some("aws profile"),
        cmd: Cmd::NextChoice,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE)],
        label: "Esc",
        desc: "cancel",
        hint: Some("cancel"),
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

pub const DELETE_PROFILE: &[Binding] = &[
    Binding {
        keys: &[ch('y')],
        label: "y",
        desc: "delete the profile",
        hint: Some("delete"),
        cmd: Cmd::Confirm,
    },
    Binding {
        keys: &[ch('n'), (KeyCode::Esc, NONE)],
        label: "n/Esc",
        desc: "keep it",
        hint: Some("keep"),
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

pub const HELP: &[Binding] = &[
    Binding {
        keys: &[
            (KeyCode::Esc, NONE),
            ch('?'),
            ch('q'),
            (KeyCode::F(1), NONE),
        ],
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
    ("New invalidation", FORM),
    ("Confirmation", CONFIRM),
    ("Presets (C-p)", PRESETS),
    ("Discard?", DISCARD),
    ("Profiles (p)", PROFILES),
    ("Profile form", PROFILE_FORM),
];

pub fn table(mode: Mode) -> &'static [Binding] {
    match mode {
        Mode::Normal => DASHBOARD,
        Mode::Filter => FILTER,
        Mode::Help => HELP,
        Mode::Form => FORM,
        Mode::Confirm => CONFIRM,
        Mode::Presets => PRESETS,
        Mode::Discard => DISCARD,
        Mode::ConfirmTyped => CONFIRM_TYPED,
        Mode::Welcome => WELCOME,
        Mode::Profiles => PROFILES,
        Mode::ProfileForm => PROFILE_FORM,
        Mode::DeleteProfile => DELETE_PROFILE,
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
        for mode in [
            Mode::Normal,
            Mode::Filter,
            Mode::Help,
            Mode::Form,
            Mode::Confirm,
            Mode::Presets,
            Mode::Discard,
            Mode::ConfirmTyped,
            Mode::Welcome,
            Mode::Profiles,
            Mode::ProfileForm,
            Mode::DeleteProfile,
        ] {
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
        for c in ['q', 'j', 'n', '?', ' ', '/', '*', '#'] {
            assert_eq!(
                lookup(Mode::Form, &key(KeyCode::Char(c), NONE)),
                None,
                "{c}"
            );
        }
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
