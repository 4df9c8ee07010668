//! Profiles in the app: the switcher (each profile keeps its data and selection for the
//! session), the profile form with checks as you type, the welcome screen, and the
//! watchlist that keeps polling a profile's invalidations after switching away.

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keys::Cmd;
use super::{
    App, Backoff, DistInvalidations, Effect, InvKey, Mode, NoticeKind, Pane, Remote, Request,
    Scroll, Slot,
};
use crate::cloudfront::{CfError, Distribution, Invalidation, InvalidationStatus};
use crate::config::{self, Config, Edit, Kind, Profile, ProfileFields, Saved};

/// A profile that can be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileEntry {
    pub name: String,
    pub profile: Profile,
    /// Not in the file (the demo): cannot be edited.
    pub builtin: bool,
}

/// What a profile shows, kept while another profile is open.
#[derive(Default)]
pub struct ProfileState {
    distributions: Remote<Vec<Distribution>>,
    view: Vec<usize>,
    filter: Input,
    dist_scroll: Scroll,
    inv_scroll: Scroll,
    detail_scroll: Scroll,
    detail_open: bool,
    focus: Option<Pane>,
    invalidations: HashMap<String, DistInvalidations>,
    details: HashMap<InvKey, Remote<Invalidation>>,
    polls: HashMap<InvKey, super::Poll>,
    took: HashMap<InvKey, SignedDuration>,
    in_progress_total: usize,
    listed: usize,
    last_refresh: Option<Timestamp>,
    marked: BTreeSet<String>,
    show_all: bool,
    sweep_backoff: Backoff,
    list_backoff: Backoff,
    poll_backoff: Backoff,
}

/// A watched invalidation of a profile that is not the one shown.
#[derive(Clone, Debug)]
pub struct BgWatch {
    pub profile: String,
    pub key: InvKey,
    /// The distribution's name, for the notice.
    pub name: String,
    pub create_time: Timestamp,
    pub next_at: Timestamp,
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
        Self {
            from: from.map(|e| e.name.clone()),
            base,
            rows,
            focus: 0,
            error: None,
            saving: false,
            choice: None,
        }
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
        self.profiles.iter().find(|p| p.name == self.profile)
    }

    /// Profiles can be added and edited: the file could be read (or there is none yet).
    pub fn can_edit_profiles(&self) -> bool {
        self.config_error.is_none()
    }

    /// The profiles of the file, plus the built-in ones that are not in it.
    pub fn set_config(&mut self, config: Option<&Config>) {
        let builtin: Vec<ProfileEntry> = self
            .profiles
            .iter()
            .filter(|p| p.builtin)
            .filter(|p| config.is_none_or(|c| !c.profiles.contains_key(&p.name)))
            .cloned()
            .collect();
        self.profiles = config
            .map(|c| {
                c.profiles
                    .iter()
                    .map(|(name, profile)| ProfileEntry {
                        name: name.clone(),
                        profile: profile.clone(),
                        builtin: false,
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.profiles.extend(builtin);
        self.default_profile = config.and_then(|c| c.default_profile.clone());
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
        self.switcher = self.switcher.min(self.profiles.len().saturating_sub(1));
        self.dirty = true;
    }

    /// Adds a profile that lives only in this run (the demo).
    pub fn add_builtin(&mut self, name: &str, profile: Profile) {
        self.profiles.retain(|p| p.name != name);
        self.profiles.push(ProfileEntry {
            name: name.to_string(),
            profile,
            builtin: true,
        });
    }

    /// Takes on the settings of the profile being opened (its name is already set).
    pub fn adopt_profile(&mut self) {
        let Some(entry) = self.active_entry().cloned() else {
            return;
        };
        let p = &entry.profile;
        self.read_only = p.read_only;
        self.confirm_by_typing = p.confirm_by_typing;
        self.pins = p.distributions.clone();
        self.presets = if p.presets.is_empty() && p.simulated {
            self.sim_presets.clone()
        } else {
            p.presets.clone().into_iter().collect()
        };
    }

    // ---- switching ---------------------------------------------------------------------

    /// Opens another profile: the old one's loads are aborted, its watched invalidations
    /// keep being polled, and the new one shows what it showed last time, then refreshes.
    pub fn switch_to(&mut self, name: &str, fx: &mut Vec<Effect>) {
        let Some(entry) = self.profiles.iter().find(|p| p.name == name).cloned() else {
            return;
        };
        if name == self.profile {
            self.mode = Mode::Normal;
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
        // Abort what the old profile was loading; nothing it asked for matters now.
        let mut slots: Vec<Slot> = self
            .pending
            .keys()
            .filter(|s| !matches!(s, Slot::Watch(..) | Slot::Create(_)))
            .cloned()
            .collect();
        slots.sort_by_key(|s| format!("{s:?}"));
        for slot in slots {
            self.pending.remove(&slot);
            fx.push(Effect::Abort(slot));
        }
        let old = std::mem::take(&mut self.profile);
        if !old.is_empty() {
            // Its watched invalidations go on being polled from the background.
            let mut keys: Vec<InvKey> = self.watched.iter().cloned().collect();
            keys.sort();
            for key in keys {
                if let Some(poll) = self.polls.get(&key) {
                    self.background.push(BgWatch {
                        profile: old.clone(),
                        name: self.distribution_name(&key.distribution),
                        create_time: poll.create_time,
                        next_at: poll.next_at,
                        key,
                    });
                }
            }
            let state = self.take_state();
            self.stash.insert(old, state);
        }
        let state = self.stash.remove(name).unwrap_or_default();
        self.put_state(state);
        self.profile = name.to_string();
        self.adopt_profile();
        // Its own background watches come back to the foreground.
        let (mine, others): (Vec<BgWatch>, Vec<BgWatch>) = std::mem::take(&mut self.background)
            .into_iter()
            .partition(|w| w.profile == name);
        self.background = others;
        for w in mine {
            if self
                .pending
                .remove(&Slot::Watch(w.profile.clone(), w.key.clone()))
                .is_some()
            {
                fx.push(Effect::Abort(Slot::Watch(w.profile.clone(), w.key.clone())));
            }
            self.watched.insert(w.key.clone());
            self.polls.insert(
                w.key,
                super::Poll {
                    create_time: w.create_time,
                    next_at: self.now,
                },
            );
        }
        fx.push(Effect::UseProfile {
            name: name.to_string(),
            profile: Box::new(entry.profile),
        });
        self.sweep_due = self.now;
        self.mode = Mode::Normal;
        self.notify(NoticeKind::Info, format!("profile {name}"));
        self.clamp_all();
    }

    fn take_state(&mut self) -> ProfileState {
        ProfileState {
            distributions: std::mem::take(&mut self.distributions),
            view: std::mem::take(&mut self.view),
            filter: std::mem::take(&mut self.filter),
            dist_scroll: std::mem::take(&mut self.dist_scroll),
            inv_scroll: std::mem::take(&mut self.inv_scroll),
            detail_scroll: std::mem::take(&mut self.detail_scroll),
            detail_open: std::mem::take(&mut self.detail_open),
            focus: Some(self.focus),
            invalidations: std::mem::take(&mut self.invalidations),
            details: std::mem::take(&mut self.details),
            polls: std::mem::take(&mut self.polls),
            took: std::mem::take(&mut self.took),
            in_progress_total: std::mem::take(&mut self.in_progress_total),
            listed: std::mem::take(&mut self.listed),
            last_refresh: self.last_refresh.take(),
            marked: std::mem::take(&mut self.marked),
            show_all: std::mem::take(&mut self.show_all),
            sweep_backoff: std::mem::take(&mut self.sweep_backoff),
            list_backoff: std::mem::take(&mut self.list_backoff),
            poll_backoff: std::mem::take(&mut self.poll_backoff),
        }
    }

    fn put_state(&mut self, s: ProfileState) {
        self.distributions = s.distributions;
        self.view = s.view;
        self.filter = s.filter;
        self.dist_scroll = s.dist_scroll;
        self.inv_scroll = s.inv_scroll;
        self.detail_scroll = s.detail_scroll;
        self.detail_open = s.detail_open;
        self.focus = s.focus.unwrap_or(Pane::Distributions);
        self.invalidations = s.invalidations;
        self.details = s.details;
        // Polls of a profile in the background stopped (its watched ones went on from the
        // watchlist): the coming listing starts them again.
        self.polls = s.polls;
        self.watched = HashSet::new();
        self.took = s.took;
        self.in_progress_total = s.in_progress_total;
        self.listed = s.listed;
        self.last_refresh = s.last_refresh;
        self.marked = s.marked;
        self.show_all = s.show_all;
        self.sweep_backoff = s.sweep_backoff;
        self.list_backoff = s.list_backoff;
        self.poll_backoff = s.poll_backoff;
        self.detail_key = None;
        self.failed_lists.clear();
        self.retry_lists_at = None;
        // Polls that were stashed are due at once.
        let now = self.now;
        for p in self.polls.values_mut() {
            p.next_at = now;
        }
    }

    // ---- the watchlist across profiles -------------------------------------------------

    /// When the next background watch is due.
    pub(super) fn background_due(&self) -> Option<Timestamp> {
        self.background
            .iter()
            .filter(|w| {
                !self
                    .pending
                    .contains_key(&Slot::Watch(w.profile.clone(), w.key.clone()))
            })
            .map(|w| w.next_at)
            .min()
    }

    pub(super) fn poll_background(&mut self, fx: &mut Vec<Effect>) {
        let now = self.now;
        let due: Vec<(String, InvKey)> = self
            .background
            .iter()
            .filter(|w| w.next_at <= now)
            .map(|w| (w.profile.clone(), w.key.clone()))
            .filter(|(p, k)| {
                !self
                    .pending
                    .contains_key(&Slot::Watch(p.clone(), k.clone()))
            })
            .collect();
        for (profile, key) in due {
            self.request(
                Slot::Watch(profile, key.clone()),
                Request::GetInvalidation(key),
                fx,
            );
        }
    }

    pub(super) fn on_background(
        &mut self,
        profile: String,
        key: InvKey,
        result: Result<Invalidation, CfError>,
    ) {
        let Some(pos) = self
            .background
            .iter()
            .position(|w| w.profile == profile && w.key == key)
        else {
            return;
        };
        let now = self.now;
        match result {
            Ok(inv) if !inv.status.is_in_progress() => {
                let w = self.background.remove(pos);
                let took = now.duration_since(w.create_time);
                if let Some(state) = self.stash.get_mut(&profile) {
                    state.took.entry(key.clone()).or_insert(took);
                    state.polls.remove(&key);
                    if let Some(entry) = state.invalidations.get_mut(&key.distribution)
                        && let Remote::Ready { data, .. } = &mut entry.list
                        && let Some(row) = data.iter_mut().find(|r| r.id == key.id)
                        && row.status.is_in_progress()
                    {
                        row.status = InvalidationStatus::Completed;
                        entry.in_progress -= 1;
                        state.in_progress_total -= 1;
                    }
                }
                let text = format!(
                    "✓ completed: {} on {} (profile {profile}, took ≤ {})",
                    key.id,
                    w.name,
                    crate::timefmt::short_duration(took)
                );
                self.notify(NoticeKind::Success, text);
                self.ring = true;
            }
            Ok(_) => {
                let interval = self.settings.poll_steady;
                self.background[pos].next_at = now + interval;
            }
            Err(CfError::NoSuchInvalidation { .. }) => {
                self.background.remove(pos);
            }
            Err(_) => {
                let interval = self.settings.poll_steady * 2;
                self.background[pos].next_at = now + interval;
            }
        }
        self.dirty = true;
    }

    // ---- pins --------------------------------------------------------------------------

    /// The distributions a profile pins (by id, alias or domain), unless "show all" is on.
    pub(super) fn pinned(&mut self, list: Vec<Distribution>) -> Vec<Distribution> {
        if self.pins.is_empty() || self.show_all {
            return list;
        }
        let hit = |d: &Distribution, pin: &str| {
            d.id.eq_ignore_ascii_case(pin)
                || d.domain_name.eq_ignore_ascii_case(pin)
                || d.aliases.iter().any(|a| a.eq_ignore_ascii_case(pin))
        };
        let missing: Vec<&String> = self
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
        let pins = self.pins.clone();
        list.into_iter()
            .filter(|d| pins.iter().any(|p| hit(d, p)))
            .collect()
    }

    pub(super) fn toggle_show_all(&mut self) {
        if self.pins.is_empty() {
            self.notify(
                NoticeKind::Info,
                "this profile pins no distributions: all are shown".into(),
            );
            return;
        }
        self.show_all = !self.show_all;
        self.sweep_due = self.now;
        let text = if self.show_all {
            "showing every distribution (a shows the pinned ones only)"
        } else {
            "showing the pinned distributions only"
        };
        self.notify(NoticeKind::Info, text.into());
    }

    // ---- the switcher and its dialogs --------------------------------------------------

    pub(super) fn open_switcher(&mut self) {
        self.switcher = self
            .profiles
            .iter()
            .position(|p| p.name == self.profile)
            .unwrap_or(0);
        self.mode = Mode::Profiles;
    }

    pub(super) fn profile_cmd(&mut self, cmd: Cmd, fx: &mut Vec<Effect>) {
        self.dirty = true;
        match self.mode {
            Mode::Welcome => match cmd {
                Cmd::AddProfile => self.open_profile_form(None),
                Cmd::Demo => {
                    if !self.profiles.iter().any(|p| p.name == "demo" && p.builtin) {
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
                Cmd::Help => {
                    self.help_from = Mode::Welcome;
                    self.mode = Mode::Help;
                }
                _ => {}
            },
            Mode::Profiles => {
                let len = self.profiles.len();
                match cmd {
                    Cmd::Down => self.switcher = (self.switcher + 1).min(len.saturating_sub(1)),
                    Cmd::Up => self.switcher = self.switcher.saturating_sub(1),
                    Cmd::Back => self.mode = self.home_mode(),
                    Cmd::Open => {
                        if let Some(name) = self.profiles.get(self.switcher).map(|p| p.name.clone())
                        {
                            self.switch_to(&name, fx);
                        }
                    }
                    Cmd::AddProfile => self.open_profile_form(None),
                    Cmd::EditProfile => {
                        if let Some(entry) = self.profiles.get(self.switcher).cloned() {
                            self.open_profile_form(Some(&entry));
                        }
                    }
                    Cmd::DeleteProfile => self.ask_delete(),
                    Cmd::SetDefault => {
                        if let Some(entry) = self.profiles.get(self.switcher).cloned()
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
                    if let Some(entry) = self.profiles.get(self.switcher).cloned() {
                        fx.push(Effect::Save(Edit::Remove(entry.name)));
                    }
                    self.mode = Mode::Profiles;
                }
                Cmd::Back => self.mode = Mode::Profiles,
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
        if self.profiles.iter().any(|p| !p.builtin) {
            self.open_switcher();
            if self.default_profile.is_none() {
                self.notify(
                    NoticeKind::Info,
                    "several profiles and no default: choose one (s makes it the default)".into(),
                );
            }
        } else {
            self.mode = Mode::Welcome;
        }
    }

    /// Shows in the status bar that others can change the profiles file, if they can.
    pub fn warn_if_writable(&mut self) {
        if let Some(warning) = config::permission_warning(&self.config_path) {
            self.notify(NoticeKind::Error, warning);
        }
    }

    /// Where closing the switcher goes: the dashboard, or the welcome screen when no
    /// profile is open.
    fn home_mode(&self) -> Mode {
        if self.profile.is_empty() {
            Mode::Welcome
        } else {
            Mode::Normal
        }
    }

    /// Says why a profile cannot be edited, if it cannot.
    fn editable(&mut self, entry: &ProfileEntry) -> bool {
        if let Some(e) = self.config_error.clone() {
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
        let Some(entry) = self.profiles.get(self.switcher).cloned() else {
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
        self.mode = Mode::DeleteProfile;
    }

    fn open_profile_form(&mut self, from: Option<&ProfileEntry>) {
        if let Some(entry) = from
            && !self.editable(entry)
        {
            return;
        }
        if self.config_error.is_some() {
            let e = self.config_error.clone().unwrap_or_default();
            self.notify(
                NoticeKind::Error,
                format!("profile editing is off until the file is fixed: {e}"),
            );
            return;
        }
        self.profile_form = Some(ProfileForm::new(from));
        self.mode = Mode::ProfileForm;
    }

    fn profile_form_cmd(&mut self, cmd: Cmd, fx: &mut Vec<Effect>) {
        let Some(form) = &mut self.profile_form else {
            return;
        };
        let len = form.field_count();
        match cmd {
            Cmd::NextField | Cmd::Down => form.focus = (form.focus + 1) % len,
            Cmd::PrevField | Cmd::Up => form.focus = (form.focus + len - 1) % len,
            Cmd::Back => {
                self.profile_form = None;
                self.mode = if self.profile.is_empty() {
                    Mode::Welcome
                } else {
                    Mode::Profiles
                };
            }
            Cmd::Mark if !form.typing() => form.toggle(),
            Cmd::NextChoice if !self.aws_profiles.is_empty() => {
                form.next_choice(&self.aws_profiles);
            }
            Cmd::Confirm => {
                if form.saving {
                    return;
                }
                if form.has_errors(&self.profiles, &self.aws_profiles) {
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

    /// A key the profile form's table does not bind types into the focused text field.
    pub(super) fn profile_form_key(&mut self, key: crossterm::event::KeyEvent) {
        let Some(form) = &mut self.profile_form else {
            return;
        };
        if form.type_key(key) {
            self.dirty = true;
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
                let form = self.profile_form.take();
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
                let old_default = self.default_profile.clone();
                self.set_config(Some(&config));
                self.config_error = None;
                let mut text = text;
                if let Some(name) = &saved.cleared_default {
                    text = format!(
                        "deleted profile {name}; it was the default, so there is no default profile now (s makes one the default)"
                    );
                } else if form.is_none() && self.default_profile != old_default {
                    text = format!(
                        "{} is the default profile",
                        self.default_profile.as_deref().unwrap_or("no profile")
                    );
                }
                if let Some((from, name)) = &open {
                    if from.as_deref() == Some(self.profile.as_str()) && *name != self.profile {
                        // The open profile was renamed: it keeps its state.
                        self.profile = name.clone();
                    } else if let Some(from) = from
                        && from != name
                        && let Some(state) = self.stash.remove(from)
                    {
                        // So does one left earlier in this session.
                        self.stash.insert(name.clone(), state);
                    }
                    if let Some(pos) = self.profiles.iter().position(|p| p.name == *name) {
                        self.switcher = pos;
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
                        self.sweep_due = self.now;
                    }
                }
                self.notify(NoticeKind::Success, format!("{text}{edit_note}"));
                match open {
                    // The first profile: open it.
                    Some((None, name)) if self.profile.is_empty() => self.switch_to(&name, fx),
                    _ if self.mode == Mode::ProfileForm => self.mode = Mode::Profiles,
                    _ => {}
                }
            }
            Err(e) => {
                if let Some(form) = &mut self.profile_form {
                    form.saving = false;
                    form.error = Some(e.clone());
                }
                self.notify(NoticeKind::Error, e);
            }
        }
        self.dirty = true;
    }

    pub(super) fn on_config_loaded(&mut self, result: Result<Option<(Config, String)>, String>) {
        match result {
            Ok(config) => {
                self.config_error = None;
                self.set_config(config.as_ref().map(|(c, _)| c));
                self.notify(NoticeKind::Success, "read the profiles file again".into());
                // Fixed, with profiles in it: choose one.
                if self.mode == Mode::Welcome && !self.profiles.is_empty() {
                    self.open_switcher();
                }
            }
            Err(e) => {
                self.config_error = Some(e.clone());
                self.notify(NoticeKind::Error, e);
            }
        }
    }
}
