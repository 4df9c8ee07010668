//! Profiles in the app: the switcher (each profile keeps its data and selection for the
//! session), the profile form with checks as you type, the welcome screen, and the
//! watchlist that keeps polling a profile's invalidations after switching away.

use jiff::SignedDuration;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keys::Cmd;
use super::{App, Effect, Mode, NoticeKind, Screen, Session, Slot};
use crate::cloudfront::Distribution;
use crate::config::{self, Config, Edit, Profile, ProfileFields, Saved};

/// A profile that can be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileEntry {
    pub name: String,
    pub profile: Profile,
    /// Not in the file (the demo): cannot be edited.
    pub builtin: bool,
}

/// The fields of the profile form, in order.
pub const FIELDS: [&str; 8] = [
    "Name",
    "AWS profile",
    "Region",
    "Endpoint URL",
    "Distributions",
    "Read only",
    "Confirm by typing",
    "Simulated",
];
/// The first field that is a checkbox.
pub const FIRST_FLAG: usize = 5;

/// A field's trouble: an error stops the save, a warning does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    Error(String),
    Warning(String),
}

pub struct ProfileForm {
    /// The profile being edited; `None` adds one.
    pub from: Option<String>,
    /// Name, AWS profile, region, endpoint URL, distributions (comma-separated).
    pub inputs: [Input; 5],
    pub flags: [bool; 3],
    pub focus: usize,
    /// The answer to the last save, if it failed.
    pub error: Option<String>,
    pub saving: bool,
    /// Which ~/.aws/config profile C-n put in last.
    pub choice: Option<usize>,
}

impl ProfileForm {
    fn new(from: Option<&ProfileEntry>) -> Self {
        let p = from.map(|e| &e.profile);
        let text = |v: Option<&String>| Input::new(v.cloned().unwrap_or_default());
        Self {
            from: from.map(|e| e.name.clone()),
            inputs: [
                Input::new(from.map(|e| e.name.clone()).unwrap_or_default()),
                text(p.and_then(|p| p.aws_profile.as_ref())),
                text(p.and_then(|p| p.region.as_ref())),
                text(p.and_then(|p| p.endpoint_url.as_ref())),
                Input::new(p.map(|p| p.distributions.join(", ")).unwrap_or_default()),
            ],
            flags: [
                p.is_some_and(|p| p.read_only),
                p.is_some_and(|p| p.confirm_by_typing),
                p.is_some_and(|p| p.simulated),
            ],
            focus: 0,
            error: None,
            saving: false,
            choice: None,
        }
    }

    /// How many fields it has: the simulator switch only when adding.
    pub fn field_count(&self) -> usize {
        if self.from.is_none() {
            FIELDS.len()
        } else {
            FIELDS.len() - 1
        }
    }

    fn value(&self, i: usize) -> Option<String> {
        let v = self.inputs[i].value().trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    pub fn fields(&self) -> ProfileFields {
        ProfileFields {
            aws_profile: self.value(1),
            region: self.value(2),
            endpoint_url: self.value(3),
            distributions: self.inputs[4]
                .value()
                .split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            read_only: self.flags[0],
            confirm_by_typing: self.flags[1],
            simulated: self.flags[2],
        }
    }

    /// Each field's trouble, as typed.
    pub fn checks(&self, profiles: &[ProfileEntry], aws_profiles: &[String]) -> Vec<Option<Check>> {
        let mut out = vec![None; FIELDS.len()];
        let name = self.inputs[0].value().trim();
        out[0] = match config::check_name(name) {
            Err(e) => Some(Check::Error(e)),
            Ok(())
                if self.from.as_deref() != Some(name)
                    && profiles.iter().any(|p| p.name == name) =>
            {
                Some(Check::Error(format!(
                    "a profile named {name} already exists"
                )))
            }
            Ok(()) => None,
        };
        let simulated = self.flags[2];
        if let Some(aws) = self.value(1) {
            if simulated {
                out[1] = Some(Check::Warning("not used by a simulated profile".into()));
            } else if !aws_profiles.is_empty() && !aws_profiles.contains(&aws) {
                out[1] = Some(Check::Warning(format!(
                    "not in ~/.aws/config ({}): C-n picks one",
                    aws_profiles.join(", ")
                )));
            }
        } else if !simulated && !aws_profiles.is_empty() {
            out[1] = Some(Check::Warning(format!(
                "empty: AWS_PROFILE or the default chain; C-n picks from {}",
                aws_profiles.join(", ")
            )));
        }
        if let Some(r) = self.value(2) {
            out[2] = config::check_region(&r).err().map(Check::Error);
        }
        if let Some(u) = self.value(3) {
            out[3] = match config::check_endpoint_url(&u) {
                Err(e) => Some(Check::Error(e)),
                Ok(()) => crate::endpoint::check_endpoint(&u, false)
                    .err()
                    .map(|_| {
                        Check::Warning(
                            "plain http beyond this machine: add allow_insecure_endpoint = true in the file to use it"
                                .into(),
                        )
                    }),
            };
        }
        out
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
        self.adopt_profile();
        self.watch_in_foreground(name, fx);
        fx.push(Effect::UseProfile {
            name: name.to_string(),
            profile: Box::new(entry.profile),
        });
        self.screen = Screen::Dashboard;
        self.notify(NoticeKind::Info, format!("profile {name}"));
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
        if self.session.pins.is_empty() || self.session.show_all {
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
        list.into_iter()
            .filter(|d| pins.iter().any(|p| hit(d, p)))
            .collect()
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
            Cmd::Back => {
                self.screen = if self.profile.is_empty() {
                    Screen::Welcome
                } else {
                    Screen::Profiles
                };
            }
            Cmd::Mark if form.focus >= FIRST_FLAG => {
                form.flags[form.focus - FIRST_FLAG] ^= true;
            }
            Cmd::NextChoice if !self.catalog.aws_profiles.is_empty() => {
                let next = form
                    .choice
                    .map_or(0, |c| (c + 1) % self.catalog.aws_profiles.len());
                form.choice = Some(next);
                form.inputs[1] = Input::new(self.catalog.aws_profiles[next].clone());
                form.focus = 1;
            }
            Cmd::Confirm => {
                if form.saving {
                    return;
                }
                if form.has_errors(&self.catalog.profiles, &self.catalog.aws_profiles) {
                    form.error = Some("fix the fields marked ✗ first".into());
                    return;
                }
                let name = form.inputs[0].value().trim().to_string();
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

    /// A key the profile form's table does not bind types into the focused text field.
    pub(super) fn profile_form_key(&mut self, key: crossterm::event::KeyEvent) {
        let Some(form) = self.screen.profile_form_mut() else {
            return;
        };
        if form.focus < FIRST_FLAG
            && form.inputs[form.focus]
                .handle_event(&crossterm::event::Event::Key(key))
                .is_some()
        {
            form.error = None;
            if form.focus == 1 {
                form.choice = None;
            }
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
                        let name = f.inputs[0].value().trim().to_string();
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
