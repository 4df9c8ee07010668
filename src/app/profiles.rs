//! Profiles in the app: the switcher (each profile keeps its data and selection for the
//! session), the profile form with checks as you type, the welcome screen, and the
//! watchlist that keeps polling a profile's invalidations after switching away.

use jiff::SignedDuration;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keys::Cmd;
use super::{App, Effect, Mode, NoticeKind, Screen, Session, Slot};
use crate::cloudfront::Distribution;
use crate::config::{self, Config, Edit, Kind, Profile, ProfileFields, Saved};

/// A profile that can be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileEntry {
    pub name: String,
    pub profile: Profile,
    /// Not in the file (the demo): cannot be edited.
    pub builtin: bool,
}

/// The first row of the profile form: the profile's name (the table's, not a key of it).
const NAME_LABEL: &str = "Name";
const NAME_HINT: &str = "letters, digits, - _ . (for --profile NAME)";

/// A field's trouble: an error stops the save, a warning does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    Error(String),
    Warning(String),
}

/// A row of the profile form: the name, then one per key the schema marks editable
/// ([`config::editable`]), in its order.
pub struct Row {
    /// `None`: the name.
    pub key: Option<(&'static config::Key, &'static config::Editable)>,
    pub value: RowValue,
}

/// What a row holds: text (a list is comma-separated), or a checkbox.
pub enum RowValue {
    Text(Input),
    Flag(bool),
}

impl Row {
    pub fn label(&self) -> &'static str {
        self.key.map_or(NAME_LABEL, |(_, e)| e.label)
    }

    /// What it is for, when it has nothing else to say.
    pub fn hint(&self) -> &'static str {
        self.key.map_or(NAME_HINT, |(_, e)| e.hint)
    }

    /// The text typed, trimmed, if any.
    fn text(&self) -> Option<String> {
        match &self.value {
            RowValue::Text(input) => {
                let v = input.value().trim();
                (!v.is_empty()).then(|| v.to_string())
            }
            RowValue::Flag(_) => None,
        }
    }
}

pub struct ProfileForm {
    /// The profile being edited; `None` adds one.
    pub from: Option<String>,
    /// Its editable keys as they were: those the form does not show (the simulator switch,
    /// when editing) keep their value.
    base: ProfileFields,
    pub rows: Vec<Row>,
    pub focus: usize,
    /// The answer to the last save, if it failed.
    pub error: Option<String>,
    pub saving: bool,
    /// Which ~/.aws/config profile C-n put in last.
    pub choice: Option<usize>,
    /// The name and fields as the form opened: Esc with them unchanged asks nothing.
    opened: (String, ProfileFields),
    /// "Discard the changes to the profile?" is asked over the form.
    pub discarding: bool,
}

impl ProfileForm {
    fn new(from: Option<&ProfileEntry>) -> Self {
        let base = from.map(|e| Profile::of(&e.profile)).unwrap_or_default();
        let name = Input::new(from.map(|e| e.name.clone()).unwrap_or_default());
        let mut rows = vec![Row {
            key: None,
            value: RowValue::Text(name),
        }];
        for (key, edit) in config::editable(from.is_none()) {
            let value = match &key.kind {
                Kind::Text(f) | Kind::Choice(f) => {
                    RowValue::Text(Input::new((f.get)(&base).unwrap_or_default()))
                }
                Kind::List(f) => RowValue::Text(Input::new((f.get)(&base).join(", "))),
                Kind::Flag(f) => RowValue::Flag((f.get)(&base)),
                _ => continue,
            };
            rows.push(Row {
                key: Some((key, edit)),
                value,
            });
        }
        let mut form = Self {
            from: from.map(|e| e.name.clone()),
            base,
            rows,
            focus: 0,
            error: None,
            saving: false,
            choice: None,
            opened: Default::default(),
            discarding: false,
        };
        form.opened = (form.name(), form.fields());
        form
    }

    /// The name or a field differs from what the form opened with (as they would be saved:
    /// spaces typed and taken away again change nothing).
    pub fn changed(&self) -> bool {
        self.name() != self.opened.0 || self.fields() != self.opened.1
    }

    /// How many fields it has: the simulator switch only when adding.
    pub fn field_count(&self) -> usize {
        self.rows.len()
    }

    /// The name typed, trimmed.
    pub fn name(&self) -> String {
        self.rows[0].text().unwrap_or_default()
    }

    /// The focused row takes typing (it is not a checkbox).
    pub fn typing(&self) -> bool {
        matches!(self.rows[self.focus].value, RowValue::Text(_))
    }

    /// Ticks or clears the focused checkbox.
    pub fn toggle(&mut self) {
        if let RowValue::Flag(on) = &mut self.rows[self.focus].value {
            *on ^= true;
        }
    }

    /// Types a key into the focused text field; whether it changed anything.
    pub fn type_key(&mut self, key: crossterm::event::KeyEvent) -> bool {
        let RowValue::Text(input) = &mut self.rows[self.focus].value else {
            return false;
        };
        if input
            .handle_event(&crossterm::event::Event::Key(key))
            .is_none()
        {
            return false;
        }
        self.error = None;
        if self.choice_row() == Some(self.focus) {
            self.choice = None;
        }
        true
    }

    /// Puts the next of `choices` (the profiles of ~/.aws/config) in the field that takes
    /// one, and focuses it.
    pub fn next_choice(&mut self, choices: &[String]) {
        let Some(row) = self.choice_row().filter(|_| !choices.is_empty()) else {
            return;
        };
        let next = self.choice.map_or(0, |c| (c + 1) % choices.len());
        self.choice = Some(next);
        self.rows[row].value = RowValue::Text(Input::new(choices[next].clone()));
        self.focus = row;
    }

    fn choice_row(&self) -> Option<usize> {
        self.rows.iter().position(|r| {
            r.key
                .is_some_and(|(k, _)| matches!(k.kind, Kind::Choice(_)))
        })
    }

    pub fn fields(&self) -> ProfileFields {
        let mut fields = self.base.clone();
        for row in &self.rows {
            let Some((key, _)) = row.key else { continue };
            match (&key.kind, &row.value) {
                (Kind::Text(f) | Kind::Choice(f), _) => (f.set)(&mut fields, row.text()),
                (Kind::List(f), RowValue::Text(input)) => (f.set)(
                    &mut fields,
                    input
                        .value()
                        .split([',', ' '])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                ),
                (Kind::Flag(f), RowValue::Flag(on)) => (f.set)(&mut fields, *on),
                _ => {}
            }
        }
        fields
    }

    /// Each field's trouble, as typed.
    pub fn checks(&self, profiles: &[ProfileEntry], aws_profiles: &[String]) -> Vec<Option<Check>> {
        let name = self.name();
        let typed = self.fields();
        let name_check = match config::check_name(&name) {
            Err(e) => Some(Check::Error(e)),
            Ok(())
                if self.from.as_deref() != Some(name.as_str())
                    && profiles.iter().any(|p| p.name == name) =>
            {
                Some(Check::Error(format!(
                    "a profile named {name} already exists"
                )))
            }
            Ok(()) => None,
        };
        let key_check = |(key, edit): (&config::Key, &config::Editable)| {
            let error = key
                .check
                .zip(key.text(&typed))
                .and_then(|(check, v)| check(&v).err());
            match error {
                Some(e) => Some(Check::Error(e)),
                None => edit
                    .warn
                    .and_then(|warn| warn(&typed, aws_profiles))
                    .map(Check::Warning),
            }
        };
        self.rows
            .iter()
            .map(|row| match row.key {
                None => name_check.clone(),
                Some(key) => key_check(key),
            })
            .collect()
    }

    pub fn has_errors(&self, profiles: &[ProfileEntry], aws_profiles: &[String]) -> bool {
        self.checks(profiles, aws_profiles)
            .iter()
            .any(|c| matches!(c, Some(Check::Error(_))))
    }
}

impl App {
    /// The profile being shown, as the switcher lists it.
    pub fn active_entry(&self) -> Option<&ProfileEntry> {
        self.catalog
            .profiles
            .iter()
            .find(|p| p.name == self.profile)
    }

    /// Profiles can be added and edited: the file could be read (or there is none yet).
    pub fn can_edit_profiles(&self) -> bool {
        self.catalog.config_error.is_none()
    }

    /// The profiles of the file, plus the built-in ones that are not in it, and the
    /// file's intervals.
    pub fn set_config(&mut self, config: Option<&Config>) {
        self.catalog.set(config);
        if let Some(c) = config {
            self.desktop_notifications = c.ui.desktop_notifications;
            if let Some(s) = c.ui.refresh_secs {
                self.settings.refresh =
                    SignedDuration::from_secs(s.max(config::MIN_REFRESH_SECS) as i64);
            }
            if let Some(s) = c.ui.poll_secs {
                self.settings.poll_steady =
                    SignedDuration::from_secs(s.max(config::MIN_POLL_SECS) as i64);
            }
        }
        self.redraw.dirty = true;
    }

    /// Adds a profile that lives only in this run (the demo).
    pub fn add_builtin(&mut self, name: &str, profile: Profile) {
        self.catalog.add_builtin(name, profile);
    }

    /// Takes on the settings of the profile being opened (its name is already set).
    pub fn adopt_profile(&mut self) {
        let Some(entry) = self
            .catalog
            .profiles
            .iter()
            .find(|p| p.name == self.profile)
        else {
            return;
        };
        self.session.adopt(entry, &self.catalog.sim_presets);
    }

    // ---- switching ---------------------------------------------------------------------

    /// Opens another profile: the old one's loads are aborted, its watched invalidations
    /// keep being polled, and the new one shows what it showed last time, then refreshes.
    pub fn switch_to(&mut self, name: &str, fx: &mut Vec<Effect>) {
        let Some(entry) = self.catalog.get(name).cloned() else {
            return;
        };
        if name == self.profile {
            self.screen = Screen::Dashboard;
            return;
        }
        if !self.outbox.is_empty() {
            self.notify(
                NoticeKind::Error,
                format!(
                    "{} batches of {} are still queued: switch once they are sent",
                    self.outbox.len(),
                    self.profile
                ),
            );
            return;
        }
        self.abort_profile_requests(fx);
        let old = std::mem::take(&mut self.profile);
        if !old.is_empty() {
            self.watch_in_background(&old);
        }
        let mut session = self
            .sessions
            .remove(name)
            .unwrap_or_else(|| Session::new(self.now));
        session.resume(self.now);
        let left = std::mem::replace(&mut self.session, session);
        if !old.is_empty() {
            self.sessions.insert(old, left);
        }
        self.profile = name.to_string();
        self.memory.live_account = None;
        self.memory.offered.clear();
        self.adopt_profile();
        self.watch_in_foreground(name, fx);
        fx.push(Effect::UseProfile {
            name: name.to_string(),
            profile: Box::new(entry.profile),
        });
        self.screen = Screen::Dashboard;
        self.notify(NoticeKind::Info, format!("profile {name}"));
        // Opened for the first time in this run: its last known state, from the journal.
        if self.memory.enabled && self.memory.asked.insert(name.to_string()) {
            fx.push(Effect::Journal(super::memory::JournalOp::Restore {
                profile: name.to_string(),
                limit: self.settings.list_limit,
            }));
        }
        self.clamp_all();
    }

    /// Aborts what the profile shown was loading; nothing it asked for matters after a
    /// switch (creates and background watches go on).
    fn abort_profile_requests(&mut self, fx: &mut Vec<Effect>) {
        let mut slots: Vec<Slot> = self
            .requests
            .pending
            .keys()
            .filter(|s| !matches!(s, Slot::Watch(..) | Slot::Create(_)))
            .cloned()
            .collect();
        slots.sort_by_key(|s| format!("{s:?}"));
        for slot in slots {
            self.requests.cancel(&slot);
            fx.push(Effect::Abort(slot));
        }
    }

    // ---- pins --------------------------------------------------------------------------

    /// The distributions a profile pins (by id, alias or domain), unless "show all" is on.
    pub(super) fn pinned(&mut self, list: Vec<Distribution>) -> Vec<Distribution> {
        // The month's count reads what the pins leave out.
        self.session.backfill.touch();
        if self.session.pins.is_empty() || self.session.show_all {
            self.session.pinned_out = 0;
            return list;
        }
        let hit = |d: &Distribution, pin: &str| {
            d.id.eq_ignore_ascii_case(pin)
                || d.domain_name.eq_ignore_ascii_case(pin)
                || d.aliases.iter().any(|a| a.eq_ignore_ascii_case(pin))
        };
        let missing: Vec<&String> = self
            .session
            .pins
            .iter()
            .filter(|pin| !list.iter().any(|d| hit(d, pin)))
            .collect();
        if !missing.is_empty() {
            let text = format!(
                "pinned but not in this account: {} (check distributions in the profile)",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            self.notify(NoticeKind::Error, text);
        }
        let pins = self.session.pins.clone();
        let all = list.len();
        let shown: Vec<Distribution> = list
            .into_iter()
            .filter(|d| pins.iter().any(|p| hit(d, p)))
            .collect();
        self.session.pinned_out = all - shown.len();
        shown
    }

    pub(super) fn toggle_show_all(&mut self) {
        if self.session.pins.is_empty() {
            self.notify(
                NoticeKind::Info,
                "this profile pins no distributions: all are shown".into(),
            );
            return;
        }
        self.session.show_all = !self.session.show_all;
        self.session.schedule.sweep_due = self.now;
        let text = if self.session.show_all {
            "showing every distribution (a shows the pinned ones only)"
        } else {
            "showing the pinned distributions only"
        };
        self.notify(NoticeKind::Info, text.into());
    }

    // ---- the switcher and its dialogs --------------------------------------------------

    pub(super) fn open_switcher(&mut self) {
        self.catalog.switcher = self.catalog.position(&self.profile).unwrap_or(0);
        self.screen = Screen::Profiles;
    }

    pub(super) fn profile_cmd(&mut self, cmd: Cmd, fx: &mut Vec<Effect>) {
        self.redraw.dirty = true;
        match self.mode() {
            Mode::Welcome => match cmd {
                Cmd::AddProfile => self.open_profile_form(None),
                Cmd::Demo => {
                    if !self
                        .catalog
                        .profiles
                        .iter()
                        .any(|p| p.name == "demo" && p.builtin)
                    {
                        self.add_builtin(
                            "demo",
                            Profile {
                                simulated: true,
                                ..Default::default()
                            },
                        );
                    }
                    self.switch_to("demo", fx);
                }
                Cmd::Refresh => fx.push(Effect::ReloadConfig),
                Cmd::Profiles => self.open_switcher(),
                Cmd::Quit => fx.push(Effect::Quit),
                Cmd::Help => self.screen.open_help(),
                _ => {}
            },
            Mode::Profiles => {
                let len = self.catalog.profiles.len();
                match cmd {
                    Cmd::Down => {
                        self.catalog.switcher =
                            (self.catalog.switcher + 1).min(len.saturating_sub(1))
                    }
                    Cmd::Up => self.catalog.switcher = self.catalog.switcher.saturating_sub(1),
                    Cmd::Back => self.screen = self.home_screen(),
                    Cmd::Open => {
                        if let Some(name) = self
                            .catalog
                            .profiles
                            .get(self.catalog.switcher)
                            .map(|p| p.name.clone())
                        {
                            self.switch_to(&name, fx);
                        }
                    }
                    Cmd::AddProfile => self.open_profile_form(None),
                    Cmd::EditProfile => {
                        if let Some(entry) = self.catalog.selected().cloned() {
                            self.open_profile_form(Some(&entry));
                        }
                    }
                    Cmd::DeleteProfile => self.ask_delete(),
                    Cmd::SetDefault => {
                        if let Some(entry) = self.catalog.selected().cloned()
                            && self.editable(&entry)
                        {
                            fx.push(Effect::Save(Edit::SetDefault(entry.name)));
                        }
                    }
                    Cmd::Quit => fx.push(Effect::Quit),
                    _ => {}
                }
            }
            Mode::DeleteProfile => match cmd {
                Cmd::Confirm => {
                    if let Some(entry) = self.catalog.selected().cloned() {
                        fx.push(Effect::Save(Edit::Remove(entry.name)));
                    }
                    self.screen = Screen::Profiles;
                }
                Cmd::Back => self.screen = Screen::Profiles,
                Cmd::Quit => fx.push(Effect::Quit),
                _ => {}
            },
            Mode::ProfileForm => self.profile_form_cmd(cmd, fx),
            Mode::DiscardProfile => match cmd {
                Cmd::Confirm => self.close_profile_form(),
                Cmd::Back => {
                    if let Some(form) = self.screen.profile_form_mut() {
                        form.discarding = false;
                    }
                }
                Cmd::Quit => fx.push(Effect::Quit),
                _ => {}
            },
            _ => {}
        }
    }

    /// With no profile to open at start: the switcher when the file has profiles (several,
    /// and none is the default), else the welcome screen.
    pub fn start_without_profile(&mut self) {
        if self.catalog.profiles.iter().any(|p| !p.builtin) {
            self.open_switcher();
            if self.catalog.default_profile.is_none() {
                self.notify(
                    NoticeKind::Info,
                    "several profiles and no default: choose one (s makes it the default)".into(),
                );
            }
        } else {
            self.screen = Screen::Welcome;
        }
    }

    /// Shows in the status bar that others can change the profiles file, if they can.
    pub fn warn_if_writable(&mut self) {
        if let Some(warning) = config::permission_warning(&self.catalog.config_path) {
            self.notify(NoticeKind::Error, warning);
        }
    }

    /// Where closing the switcher goes: the dashboard, or the welcome screen when no
    /// profile is open.
    fn home_screen(&self) -> Screen {
        if self.profile.is_empty() {
            Screen::Welcome
        } else {
            Screen::Dashboard
        }
    }

    /// Says why a profile cannot be edited, if it cannot.
    fn editable(&mut self, entry: &ProfileEntry) -> bool {
        if let Some(e) = self.catalog.config_error.clone() {
            self.notify(
                NoticeKind::Error,
                format!("profile editing is off until the file is fixed: {e}"),
            );
            return false;
        }
        if entry.builtin {
            self.notify(
                NoticeKind::Error,
                format!(
                    "{} is built in: add a profile with simulated = true to keep one",
                    entry.name
                ),
            );
            return false;
        }
        true
    }

    fn ask_delete(&mut self) {
        let Some(entry) = self.catalog.selected().cloned() else {
            return;
        };
        if !self.editable(&entry) {
            return;
        }
        if entry.name == self.profile {
            self.notify(
                NoticeKind::Error,
                format!(
                    "{} is open: switch to another profile before deleting it",
                    entry.name
                ),
            );
            return;
        }
        self.screen = Screen::DeleteProfile;
    }

    fn open_profile_form(&mut self, from: Option<&ProfileEntry>) {
        if let Some(entry) = from
            && !self.editable(entry)
        {
            return;
        }
        if self.catalog.config_error.is_some() {
            let e = self.catalog.config_error.clone().unwrap_or_default();
            self.notify(
                NoticeKind::Error,
                format!("profile editing is off until the file is fixed: {e}"),
            );
            return;
        }
        self.screen = Screen::ProfileForm(Box::new(ProfileForm::new(from)));
    }

    fn profile_form_cmd(&mut self, cmd: Cmd, fx: &mut Vec<Effect>) {
        let Some(form) = self.screen.profile_form_mut() else {
            return;
        };
        let len = form.field_count();
        match cmd {
            Cmd::NextField | Cmd::Down => form.focus = (form.focus + 1) % len,
            Cmd::PrevField | Cmd::Up => form.focus = (form.focus + len - 1) % len,
            // Asks before throwing typing away; closes at once when nothing changed.
            Cmd::Back if form.changed() => form.discarding = true,
            Cmd::Back => self.close_profile_form(),
            Cmd::Mark if !form.typing() => form.toggle(),
            Cmd::NextChoice if !self.catalog.aws_profiles.is_empty() => {
                form.next_choice(&self.catalog.aws_profiles);
            }
            Cmd::Confirm => {
                if form.saving {
                    return;
                }
                if form.has_errors(&self.catalog.profiles, &self.catalog.aws_profiles) {
                    form.error = Some("fix the fields marked ✗ first".into());
                    return;
                }
                let name = form.name();
                form.saving = true;
                form.error = None;
                fx.push(Effect::Save(Edit::Put {
                    name,
                    from: form.from.clone(),
                    fields: form.fields(),
                }));
            }
            Cmd::Quit => fx.push(Effect::Quit),
            _ => {}
        }
    }

    /// Closes the profile form, for the switcher (or the welcome screen, with no profile
    /// open), what it held gone.
    fn close_profile_form(&mut self) {
        self.screen = if self.profile.is_empty() {
            Screen::Welcome
        } else {
            Screen::Profiles
        };
    }

    /// A key the profile form's table does not bind types into the focused text field.
    pub(super) fn profile_form_key(&mut self, key: crossterm::event::KeyEvent) {
        let Some(form) = self.screen.profile_form_mut() else {
            return;
        };
        if form.type_key(key) {
            self.redraw.dirty = true;
        }
    }

    // ---- answers from the writer -------------------------------------------------------

    pub(super) fn on_saved(&mut self, result: Result<Saved, String>, fx: &mut Vec<Effect>) {
        match result {
            Ok(saved) => {
                let config = saved.config;
                let edit_note = if saved.reloaded {
                    " (the file had changed on disk: cfdash read it again, and kept both changes)"
                } else {
                    ""
                };
                // Which profile the save was about, from the form if it was open.
                // Closing it for the switcher.
                let form = self.screen.take_profile_form();
                let (text, open) = match &form {
                    Some(f) => {
                        let name = f.name();
                        let what = match &f.from {
                            None => format!("added profile {name}"),
                            Some(from) if *from != name => {
                                format!("renamed profile {from} to {name}")
                            }
                            Some(_) => format!("saved profile {name}"),
                        };
                        (what, Some((f.from.clone(), name)))
                    }
                    None => ("saved the profiles file".to_string(), None),
                };
                let old_default = self.catalog.default_profile.clone();
                self.set_config(Some(&config));
                self.catalog.config_error = None;
                let mut text = text;
                if let Some(name) = &saved.cleared_default {
                    text = format!(
                        "deleted profile {name}; it was the default, so there is no default profile now (s makes one the default)"
                    );
                } else if form.is_none() && self.catalog.default_profile != old_default {
                    text = format!(
                        "{} is the default profile",
                        self.catalog
                            .default_profile
                            .as_deref()
                            .unwrap_or("no profile")
                    );
                }
                if let Some((from, name)) = &open {
                    if from.as_deref() == Some(self.profile.as_str()) && *name != self.profile {
                        // The open profile was renamed: it keeps its state.
                        self.profile = name.clone();
                    } else if let Some(from) = from
                        && from != name
                        && let Some(session) = self.sessions.remove(from)
                    {
                        // So does one left earlier in this session.
                        self.sessions.insert(name.clone(), session);
                    }
                    if let Some(pos) = self.catalog.position(name) {
                        self.catalog.switcher = pos;
                    }
                }
                if let Some(entry) = self.active_entry().cloned() {
                    // Its settings may have changed: reach it the new way.
                    self.adopt_profile();
                    fx.push(Effect::UseProfile {
                        name: entry.name.clone(),
                        profile: Box::new(entry.profile),
                    });
                    if open.as_ref().is_some_and(|(_, n)| *n == entry.name) {
                        self.session.schedule.sweep_due = self.now;
                    }
                }
                self.notify(NoticeKind::Success, format!("{text}{edit_note}"));
                match open {
                    // The first profile: open it.
                    Some((None, name)) if self.profile.is_empty() => self.switch_to(&name, fx),
                    _ => {}
                }
            }
            Err(e) => {
                if let Some(form) = self.screen.profile_form_mut() {
                    form.saving = false;
                    form.error = Some(e.clone());
                }
                self.notify(NoticeKind::Error, e);
            }
        }
        self.redraw.dirty = true;
    }

    pub(super) fn on_config_loaded(&mut self, result: Result<Option<(Config, String)>, String>) {
        match result {
            Ok(config) => {
                self.catalog.config_error = None;
                self.set_config(config.as_ref().map(|(c, _)| c));
                self.notify(NoticeKind::Success, "read the profiles file again".into());
                // Fixed, with profiles in it: choose one.
                if self.mode() == Mode::Welcome && !self.catalog.profiles.is_empty() {
                    self.open_switcher();
                }
            }
            Err(e) => {
                self.catalog.config_error = Some(e.clone());
                self.notify(NoticeKind::Error, e);
            }
        }
    }
}
