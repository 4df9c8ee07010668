//! Keys are data: one table per mode. The same tables answer key presses, write the footer
//! hints and build the `?` help overlay, so the three can never disagree.

use crossterm::event::KeyCode::{
    BackTab, Backspace, Delete, Down, End, Enter, Esc, F, Home, Left, PageDown, PageUp, Right, Tab,
    Up,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Mode;

/// What a key asks for; the tables below say which key asks for what in each mode.
#[rustfmt::skip]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    // Moving about, and the dashboard.
    Up, Down, PageUp, PageDown, Top, Bottom, NextPane, PrevPane, Open, Back,
    Filter, Refresh, Watch, Help, Quit, FilterAccept, FilterClear,
    /// Mark the distribution for a form that targets several.
    Mark,
    /// Times in UTC, or in the local zone again.
    ToggleUtc,
    NewInvalidation, CopyToNew,
    // The form's editor.
    Left, Right, Home, End, Newline, Backspace, Delete, DeleteLine, NextField, PrevField,
    Submit, Presets, DropCovered,
    /// Yes: send, insert, discard (whatever the dialog asks).
    Confirm,
    // Profiles, and the welcome screen.
    Profiles, AddProfile, EditProfile, DeleteProfile, SetDefault, Demo,
    /// The next profile of ~/.aws/config into the aws_profile field.
    NextChoice,
    /// Pinned distributions only, or all.
    ShowAll,
    /// The notices log.
    Notices,
    /// Drop batches an earlier run left unsent.
    Drop,
    /// The `:` palette: jump, switch, run.
    Palette,
    /// Copy something of the selection (a menu of what).
    Copy,
    /// The selection in the AWS console.
    OpenConsole,
    /// Sort the focused table by its next column.
    Sort,
    /// Reverse the focused table's order.
    SortReverse,
    /// The selected distribution's older invalidations.
    LoadOlder,
    /// Every invalidation in progress, in one view.
    InProgress,
    /// Search every distribution's invalidations by path or id.
    Search,
}

/// One line of a table: the keys, and how the help and the footer write them.
pub struct Binding {
    /// The key presses (code and modifiers) that give `cmd`; the first match in a table wins.
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written in the help and the footer. An empty label shares the help
    /// line of the binding before it (`↑/↓` is written once for two bindings).
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

/// A character without modifiers.
const fn ch(c: char) -> (KeyCode, KeyModifiers) {
    (KeyCode::Char(c), NONE)
}

/// Ctrl and a character.
const fn ctrl(c: char) -> (KeyCode, KeyModifiers) {
    (KeyCode::Char(c), CTRL)
}

/// A named key (`Esc`, `Down`, `F(1)`) without modifiers; other pairs are written as tuples.
const fn key(code: KeyCode) -> (KeyCode, KeyModifiers) {
    (code, NONE)
}

/// A table of bindings, one row each: `[keys], "label", "desc", hint, Cmd;`. The keys are
/// written with `ch`, `ctrl`, `key` and the `KeyCode` names imported above; the hint is the
/// footer's word, or `_` to keep the binding out of the footer; the last column names a `Cmd`.
macro_rules! bindings {
    (@hint _) => { None };
    (@hint $hint:literal) => { Some($hint) };
    ($([$($key:expr),+], $label:literal, $desc:literal, $hint:tt, $cmd:ident;)*) => {
        &[$(Binding {
            keys: &[$($key),+],
            label: $label,
            desc: $desc,
            hint: bindings!(@hint $hint),
            cmd: Cmd::$cmd,
        }),*]
    };
}

pub const DASHBOARD: &[Binding] = bindings![
    [ch('j'), key(Down)], "j/↓", "move down", _, Down;
    [ch('k'), key(Up)], "k/↑", "move up", _, Up;
    [key(PageDown), ctrl('d')], "PgDn/C-d", "page down", _, PageDown;
    [key(PageUp), ctrl('u')], "PgUp/C-u", "page up", _, PageUp;
    [ch('g'), key(Home)], "g/Home", "first row", _, Top;
    [ch('G'), key(End)], "G/End", "last row", _, Bottom;
    [key(Tab)], "Tab", "next pane", _, NextPane;
    [(BackTab, SHIFT), key(BackTab)], "S-Tab", "previous pane", _, PrevPane;
    [key(Enter), ch('l'), key(Right)], "Enter", "open invalidations / paths; ▸ tenants", "open", Open;
    [key(Esc), ch('h'), key(Left)], "Esc", "back; clear the filter", _, Back;
    [ch('/')], "/", "filter the pane: distributions; invalidations by id or path", "filter", Filter;
    [ch('f')], "f", "find: who invalidated a path, on every distribution", "find", Search;
    [ch('n')], "n", "new invalidation", "new", NewInvalidation;
    [ch('c')], "c", "copy its paths to a new one", _, CopyToNew;
    [ch('y')], "y", "copy: id, paths, ARN, command…", "copy", Copy;
    [ch('o')], "o", "open it in the AWS console", _, OpenConsole;
    [ch('s')], "s/S", "sort the table: next column / reverse", "sort", Sort;
    [ch('S')], "", "", _, SortReverse;
    [ch('L')], "L", "load older invalidations", _, LoadOlder;
    [ch('i')], "i", "everything in progress, in one list", _, InProgress;
    [ch(' ')], "Space", "mark, move down; n: marked", _, Mark;
    [ch('p')], "p", "profiles: switch, add, edit", "profiles", Profiles;
    [ch('a')], "a", "pinned distributions / all", _, ShowAll;
    [ch('w')], "w", "watch: ring on completion", "watch", Watch;
    [ch('r'), key(F(5))], "r", "refresh everything now", "refresh", Refresh;
    [ch('N')], "N", "notices log, with times", _, Notices;
    [ch('?')], "?", "this help", "help", Help;
    [ch('q'), ctrl('c')], "q", "quit", "quit", Quit;
    [ch('t')], "t", "times in UTC / local", _, ToggleUtc;
    [ch(':')], ":", "palette: jump to a distribution, switch profile, run a command", "palette", Palette;
];

pub const COPY: &[Binding] = bindings![
    [key(Enter)], "Enter", "copy the chosen line (or press its letter)", "copy", Confirm;
    [key(Esc)], "Esc", "close, copying nothing", "close", Back;
    [key(Down), ctrl('n')], "↓/↑", "choose", _, Down;
    [key(Up), ctrl('p')], "", "", _, Up;
    [ctrl('c')], "C-c", "quit", _, Quit;
];

pub const IN_PROGRESS: &[Binding] = bindings![
    [key(Enter)], "Enter", "go to the invalidation", "go to", Open;
    [key(Esc), ch('i'), ch('q')], "Esc/i", "close", "close", Back;
    [ch('j'), key(Down)], "j/k", "move", _, Down;
    [ch('k'), key(Up)], "", "", _, Up;
    [ch('g'), key(Home)], "g/G", "first / last", _, Top;
    [ch('G'), key(End)], "", "", _, Bottom;
    [ctrl('c')], "C-c", "quit", _, Quit;
];

pub const SEARCH: &[Binding] = bindings![
    [key(Enter)], "Enter", "go to the invalidation", "go to", Open;
    [key(Esc)], "Esc", "close the search", "close", Back;
    [key(Down), ctrl('n'), ctrl('j')], "↓/C-n", "next line", _, Down;
    [key(Up), ctrl('p'), ctrl('k')], "↑/C-p", "previous line", _, Up;
    [key(PageDown)], "PgDn/PgUp", "a page down / up", _, PageDown;
    [key(PageUp)], "", "", _, PageUp;
    [ctrl('c')], "C-c", "quit", _, Quit;
];

pub const PALETTE: &[Binding] = bindings![
    [key(Enter)], "Enter", "jump / switch / run the chosen line", "choose", Confirm;
    [key(Esc)], "Esc", "close the palette", "close", Back;
    [key(Down), ctrl('n'), ctrl('j')], "↓/C-n", "next line", _, Down;
    [key(Up), ctrl('p'), ctrl('k')], "↑/C-p", "previous line", _, Up;
    [key(PageDown)], "PgDn/PgUp", "a page down / up", _, PageDown;
    [key(PageUp)], "", "", _, PageUp;
    [ctrl('c')], "C-c", "quit", _, Quit;
];

pub const FILTER: &[Binding] = bindings![
    [key(Enter)], "Enter", "keep the filter", "keep", FilterAccept;
    [key(Esc)], "Esc", "clear the filter", "clear", FilterClear;
    [key(Down)], "↓", "move down", _, Down;
    [key(Up)], "↑", "move up", _, Up;
    [ctrl('c')], "C-c", "quit", _, Quit;
];

pub const FORM: &[Binding] = bindings![
    [ctrl('s')], "C-s", "submit: check, confirm", "submit", Submit;
    [ctrl('p')], "C-p", "insert a preset path list", "presets", Presets;
    [ctrl('d')], "C-d", "drop/keep covered paths", "drop covered", DropCovered;
    [key(Tab)], "Tab", "next field: editor, buttons", "buttons", NextField;
    [(BackTab, SHIFT), key(BackTab)], "S-Tab", "previous field", _, PrevField;
    [key(Esc)], "Esc", "close (asks if text typed)", "cancel", Back;
    [key(Enter)], "Enter", "new line; press a button", _, Newline;
    [key(Backspace)], "Bksp", "delete before the cursor", _, Backspace;
    [key(Delete)], "Del", "delete under the cursor", _, Delete;
    [ctrl('k')], "C-k", "delete the line", _, DeleteLine;
    [key(Up)], "↑/↓", "line up / down", _, Up;
    [key(Down)], "", "", _, Down;
    [key(Left)], "←/→", "character left / right", _, Left;
    [key(Right)], "", "", _, Right;
    [key(Home)], "Home/End", "start / end of the line", _, Home;
    [key(End)], "", "", _, End;
    [key(PageUp)], "PgUp/PgDn", "page up / down", _, PageUp;
    [key(PageDown)], "", "", _, PageDown;
    [(Home, CTRL)], "C-Home/End", "start / end of the text", _, Top;
    [(End, CTRL)], "", "", _, Bottom;
    [key(F(1))], "F1", "help", "help", Help;
    [ctrl('c')], "C-c", "quit (asks if text typed)", _, Quit;
];

pub const CONFIRM: &[Binding] = bindings![
    [key(Enter), ch('y')], "Enter/y", "create the invalidations", "send", Confirm;
    [key(Esc), ch('n')], "Esc/n", "back to the paths", "back", Back;
    [ch('j'), key(Down)], "j/k", "scroll the paths", "scroll", Down;
    [ch('k'), key(Up)], "", "", _, Up;
    [key(PageDown), ch(' ')], "PgDn/PgUp", "scroll a page", _, PageDown;
    [key(PageUp)], "", "", _, PageUp;
    [ctrl('c')], "C-c", "quit (asks if text typed)", _, Quit;
];

pub const PRESETS: &[Binding] = bindings![
    [key(Enter)], "Enter", "insert the preset's paths", "insert", Confirm;
    [key(Esc)], "Esc", "back to the paths", "back", Back;
    [ch('j'), key(Down)], "j/k", "choose", "choose", Down;
    [ch('k'), key(Up)], "", "", _, Up;
    [ctrl('c')], "C-c", "quit (asks if text typed)", _, Quit;
];

pub const DISCARD: &[Binding] = bindings![
    [ch('y')], "y", "discard the paths", "discard", Confirm;
    [ch('n'), key(Esc)], "n/Esc", "keep editing", "keep", Back;
    [ctrl('c')], "C-c", "quit without asking again", _, Quit;
];

pub const CONFIRM_TYPED: &[Binding] = bindings![
    [key(Enter)], "Enter", "create, once the name is typed", "send", Confirm;
    [key(Esc)], "Esc", "back to the paths", "back", Back;
    [key(Down)], "↓/↑", "scroll the paths", _, Down;
    [key(Up)], "", "", _, Up;
    [ctrl('c')], "C-c", "quit (asks if text typed)", _, Quit;
];

pub const WELCOME: &[Binding] = bindings![
    [ch('c')], "c", "create a profile", "create a profile", AddProfile;
    [ch('d')], "d", "open the demo (simulated)", "demo", Demo;
    [ch('r')], "r", "read the profiles file again", "reload", Refresh;
    [ch('p')], "p", "profiles (once there are some)", _, Profiles;
    [ch('?')], "?", "help", _, Help;
    [ch('q'), ctrl('c')], "q", "quit", "quit", Quit;
];

pub const PROFILES: &[Binding] = bindings![
    [key(Enter)], "Enter", "switch to the profile", "switch", Open;
    [ch('j'), key(Down)], "j/k", "move", _, Down;
    [ch('k'), key(Up)], "", "", _, Up;
    [ch('a')], "a", "add a profile", "add", AddProfile;
    [ch('e')], "e", "edit or rename", "edit", EditProfile;
    [ch('d')], "d", "delete (asks)", "delete", DeleteProfile;
    [ch('s')], "s", "make it the default", "default", SetDefault;
    [key(Esc), ch('p')], "Esc/p", "close", "close", Back;
    [ch('q'), ctrl('c')], "q", "quit", _, Quit;
];

pub const PROFILE_FORM: &[Binding] = bindings![
    [key(Enter), ctrl('s')], "Enter", "save (written to the file at once)", "save", Confirm;
    [key(Tab), key(Down)], "Tab/↓", "next field", "next", NextField;
    [(BackTab, SHIFT), key(BackTab), key(Up)], "S-Tab/↑", "previous field", _, PrevField;
    [ch(' ')], "Space", "tick a box (types in a text field)", "tick", Mark;
    [ctrl('n')], "C-n", "next profile of ~/.aws/config", "aws profile", NextChoice;
    [key(Esc)], "Esc", "cancel (asks if changed)", "cancel", Back;
    [ctrl('c')], "C-c", "quit", _, Quit;
];

pub const DISCARD_PROFILE: &[Binding] = bindings![
    [ch('y')], "y", "discard the changes", "discard", Confirm;
    [ch('n'), key(Esc)], "n/Esc", "keep editing", "keep", Back;
    [ctrl('c')], "C-c", "quit", _, Quit;
];

pub const DELETE_PROFILE: &[Binding] = bindings![
    [ch('y')], "y", "delete the profile", "delete", Confirm;
    [ch('n'), key(Esc)], "n/Esc", "keep it", "keep", Back;
    [ctrl('c')], "C-c", "quit", _, Quit;
];

pub const QUIT_UNSENT: &[Binding] = bindings![
    [ch('y'), key(Enter)], "y", "quit: the journal keeps the batches for the next start", "quit", Confirm;
    [ch('n'), key(Esc)], "n/Esc", "stay until they are sent", "stay", Back;
    [ctrl('c')], "C-c", "quit without asking again", _, Quit;
];

pub const RESUME: &[Binding] = bindings![
    [ch('r'), key(Enter)], "r/Enter", "resume: send them under their own caller references", "resume", Confirm;
    [ch('d')], "d", "drop them: they are not sent", "drop", Drop;
    [ch('l')], "l", "look: list them", "look", Open;
    [key(Esc)], "Esc", "later: ask again at the next start", "later", Back;
    [ch('j'), key(Down)], "j/k", "scroll the list", _, Down;
    [ch('k'), key(Up)], "", "", _, Up;
    [ch('q'), ctrl('c')], "q", "quit: they are offered again at the next start", _, Quit;
];

pub const NOTICES: &[Binding] = bindings![
    [key(Esc), ch('N'), ch('q')], "Esc/N", "close the notices", "close", Back;
    [ch('j'), key(Down)], "j/k", "scroll", "scroll", Down;
    [ch('k'), key(Up)], "", "", _, Up;
    [key(PageDown), ctrl('d')], "PgDn/PgUp", "scroll a page", _, PageDown;
    [key(PageUp), ctrl('u')], "", "", _, PageUp;
    [ch('g'), key(Home)], "g/G", "oldest / newest", _, Top;
    [ch('G'), key(End)], "", "", _, Bottom;
    [ctrl('c')], "C-c", "quit", _, Quit;
];

pub const HELP: &[Binding] = bindings![
    [key(Esc), ch('?'), ch('q'), key(F(1))], "Esc/?/q", "close the help", "close", Back;
    [ch('j'), key(Down)], "j/k", "scroll", "scroll", Down;
    [ch('k'), key(Up)], "", "", _, Up;
    [key(PageDown), ctrl('d')], "PgDn/PgUp", "scroll a page", _, PageDown;
    [key(PageUp), ctrl('u')], "", "", _, PageUp;
    [ctrl('c')], "C-c", "quit", _, Quit;
];

/// The tables the help overlay shows, with their headings.
pub const SECTIONS: &[(&str, &[Binding])] = &[
    ("Dashboard", DASHBOARD),
    ("Filter (after /)", FILTER),
    ("Palette (after :)", PALETTE),
    ("Copy (after y)", COPY),
    ("In progress (i)", IN_PROGRESS),
    ("Search (f)", SEARCH),
    ("Help", HELP),
    ("New invalidation", FORM),
    ("Confirmation", CONFIRM),
    ("Presets (C-p)", PRESETS),
    ("Discard?", DISCARD),
    ("Profiles (p)", PROFILES),
    ("Profile form", PROFILE_FORM),
    ("Discard the profile's changes?", DISCARD_PROFILE),
    ("Unsent batches of an earlier run", RESUME),
    ("Notices (N)", NOTICES),
];

pub fn table(mode: Mode) -> &'static [Binding] {
    match mode {
        Mode::Normal => DASHBOARD,
        Mode::Filter | Mode::InvFilter => FILTER,
        Mode::Help => HELP,
        Mode::Form => FORM,
        Mode::Confirm => CONFIRM,
        Mode::Presets => PRESETS,
        Mode::Discard => DISCARD,
        Mode::ConfirmTyped => CONFIRM_TYPED,
        Mode::Welcome => WELCOME,
        Mode::Profiles => PROFILES,
        Mode::ProfileForm => PROFILE_FORM,
        Mode::DiscardProfile => DISCARD_PROFILE,
        Mode::DeleteProfile => DELETE_PROFILE,
        Mode::QuitUnsent => QUIT_UNSENT,
        Mode::Resume => RESUME,
        Mode::Notices => NOTICES,
        Mode::Palette => PALETTE,
        Mode::Copy => COPY,
        Mode::InProgress => IN_PROGRESS,
        Mode::Search => SEARCH,
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

    fn press(mode: Mode, (code, mods): (KeyCode, KeyModifiers)) -> Option<Cmd> {
        lookup(mode, &KeyEvent::new(code, mods))
    }

    #[test]
    fn shifted_characters_match() {
        let shifted = |c| press(Mode::Normal, (KeyCode::Char(c), SHIFT));
        assert_eq!(shifted('G'), Some(Cmd::Bottom));
        assert_eq!(shifted('?'), Some(Cmd::Help));
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
            Mode::DiscardProfile,
            Mode::DeleteProfile,
            Mode::QuitUnsent,
            Mode::Resume,
            Mode::Notices,
            Mode::Palette,
            Mode::Copy,
            Mode::InProgress,
            Mode::InvFilter,
            Mode::Search,
        ] {
            assert_eq!(press(mode, ctrl('c')), Some(Cmd::Quit), "{mode:?}");
        }
    }

    #[test]
    fn letters_type_into_the_filter() {
        assert_eq!(press(Mode::Filter, ch('q')), None);
        assert_eq!(press(Mode::Filter, ch('j')), None);
        for c in ['q', 'j', 'k', 'n', '?', ' ', ':'] {
            assert_eq!(press(Mode::Palette, ch(c)), None, "{c}");
        }
        for c in ['q', 'j', 'k', 'f', '?', ' ', '/', '*'] {
            assert_eq!(press(Mode::Search, ch(c)), None, "{c}");
        }
        for c in ['q', 'j', 'n', '?', ' ', '/', '*', '#'] {
            assert_eq!(press(Mode::Form, ch(c)), None, "{c}");
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
