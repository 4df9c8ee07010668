//! What has the keyboard, carrying the state only that screen has. One value: the form and
//! its dialogs, the profile form, and the help's way back cannot disagree with a mode.

use super::Mode;
use super::form::Form;
use super::profiles::ProfileForm;

/// The screen shown, with its own state.
#[derive(Default)]
pub enum Screen {
    /// The three panes.
    #[default]
    Dashboard,
    /// The dashboard, with letters typing into the filter.
    Filter,
    /// The new-invalidation form, and the dialog over it, if any.
    Form { form: Box<Form>, dialog: Dialog },
    /// No profile open: create one, or open the demo.
    Welcome,
    /// The profile switcher.
    Profiles,
    /// Adding or editing a profile.
    ProfileForm(Box<ProfileForm>),
    /// "Delete the profile?" over the switcher.
    DeleteProfile,
    /// The key overlay, over the screen it returns to.
    /// `scroll`: the first line shown of the overlay's columns.
    Help { from: Box<Screen>, scroll: usize },
    /// "Batches not sent — quit anyway?", over the screen it returns to.
    QuitUnsent { from: Box<Screen> },
    /// Batches an earlier run left unsent: resume, drop, or look at them (`look`).
    Resume { look: bool },
    /// The notices log, over the dashboard.
    Notices,
    /// The `:` palette, over the dashboard.
    Palette(Box<super::palette::Palette>),
    /// The copy menu (`y`), over the dashboard.
    Copy(super::clip::CopyMenu),
    /// Every invalidation in progress (`i`), over the dashboard; the row selected.
    InProgress { selected: usize },
    /// The dashboard, with letters typing into the invalidations pane's filter.
    InvFilter,
    /// Search by path (`f`), over the dashboard.
    Search(Box<super::search::Search>),
}

/// The form's dialogs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialog {
    /// None: the editor and its buttons have the keyboard.
    Editing,
    /// The confirmation, and the wait for CloudFront's answers.
    Confirm,
    /// The confirmation of a profile with `confirm_by_typing`: letters type.
    ConfirmTyped,
    /// The preset picker.
    Presets,
    /// "Discard the paths?", asked by a quit (`then_quit`) or by a cancel.
    Discard { then_quit: bool },
}

impl Screen {
    /// The key table's name for this screen.
    pub fn mode(&self) -> Mode {
        match self {
            Self::Dashboard => Mode::Normal,
            Self::Filter => Mode::Filter,
            Self::Form { dialog, .. } => match dialog {
                Dialog::Editing => Mode::Form,
                Dialog::Confirm => Mode::Confirm,
                Dialog::ConfirmTyped => Mode::ConfirmTyped,
                Dialog::Presets => Mode::Presets,
                Dialog::Discard { .. } => Mode::Discard,
            },
            Self::Welcome => Mode::Welcome,
            Self::Profiles => Mode::Profiles,
            Self::ProfileForm(form) if form.discarding => Mode::DiscardProfile,
            Self::ProfileForm(_) => Mode::ProfileForm,
            Self::DeleteProfile => Mode::DeleteProfile,
            Self::Help { .. } => Mode::Help,
            Self::QuitUnsent { .. } => Mode::QuitUnsent,
            Self::Resume { .. } => Mode::Resume,
            Self::Notices => Mode::Notices,
            Self::Palette(_) => Mode::Palette,
            Self::Copy(_) => Mode::Copy,
            Self::InProgress { .. } => Mode::InProgress,
            Self::InvFilter => Mode::InvFilter,
            Self::Search(_) => Mode::Search,
        }
    }

    /// The open form, also under the help.
    pub fn form(&self) -> Option<&Form> {
        match self {
            Self::Form { form, .. } => Some(form),
            Self::Help { from, .. } | Self::QuitUnsent { from } => from.form(),
            _ => None,
        }
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        match self {
            Self::Form { form, .. } => Some(form),
            Self::Help { from, .. } | Self::QuitUnsent { from } => from.form_mut(),
            _ => None,
        }
    }

    /// The form, when its editor and buttons have the keyboard (no dialog over them).
    pub fn editing_form_mut(&mut self) -> Option<&mut Form> {
        match self {
            Self::Form {
                form,
                dialog: Dialog::Editing,
            } => Some(form),
            _ => None,
        }
    }

    /// The form's dialog, when the form has the keyboard.
    pub fn dialog(&self) -> Option<Dialog> {
        match self {
            Self::Form { dialog, .. } => Some(*dialog),
            _ => None,
        }
    }

    /// Shows another of the form's dialogs, when the form has the keyboard.
    pub fn set_dialog(&mut self, to: Dialog) {
        if let Self::Form { dialog, .. } = self {
            *dialog = to;
        }
    }

    pub fn profile_form(&self) -> Option<&ProfileForm> {
        match self {
            Self::ProfileForm(form) => Some(form),
            _ => None,
        }
    }

    pub fn profile_form_mut(&mut self) -> Option<&mut ProfileForm> {
        match self {
            Self::ProfileForm(form) => Some(form),
            _ => None,
        }
    }

    /// Closes the profile form for the switcher, handing back what it held.
    pub fn take_profile_form(&mut self) -> Option<Box<ProfileForm>> {
        if !matches!(self, Self::ProfileForm(_)) {
            return None;
        }
        match std::mem::replace(self, Self::Profiles) {
            Self::ProfileForm(form) => Some(form),
            _ => None,
        }
    }

    /// The help, over this screen.
    pub fn open_help(&mut self) {
        let from = std::mem::take(self);
        *self = Self::Help {
            from: Box::new(from),
            scroll: 0,
        };
    }

    /// Asks before quitting, over this screen.
    pub fn ask_quit(&mut self) {
        let from = std::mem::take(self);
        *self = Self::QuitUnsent {
            from: Box::new(from),
        };
    }

    /// Back from the quit question to the screen under it.
    pub fn stay(&mut self) {
        if let Self::QuitUnsent { from } = self {
            *self = std::mem::take(&mut **from);
        }
    }

    /// Back from the help to the screen under it.
    pub fn close_help(&mut self) {
        if let Self::Help { from, .. } = self {
            *self = std::mem::take(&mut **from);
        }
    }
}
