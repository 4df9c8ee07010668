//! Named profiles in TOML (README, "Real accounts"): read with errors that name the file, line
//! and column and say what to fix; edited through one writer that keeps the user's comments
//! and key order, writes atomically with private permissions, and never overwrites a file
//! it could not read or a change made on disk since. A profile never holds a secret.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml_edit::{DocumentMut, Item, Table, value};

mod schema;
pub use schema::{CheckFn, Editable, Field, KEYS, Key, Kind, Shape, WarnFn, editable};

// Unknown keys are refused, where they are, before this is read (`check_keys`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Config {
    pub default_profile: Option<String>,
    /// Read by the profile schema ([`KEYS`]).
    #[serde(skip)]
    pub profiles: BTreeMap<String, Profile>,
    #[serde(default)]
    pub ui: Ui,
    #[serde(default)]
    pub journal: JournalSettings,
}

/// `[journal]`: how long the journal keeps history.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct JournalSettings {
    /// Details, history and notices older than this many days are pruned (default 400).
    pub retention_days: Option<u64>,
}

impl JournalSettings {
    /// How long history is kept.
    pub fn retention(&self) -> jiff::SignedDuration {
        let days = self
            .retention_days
            .unwrap_or(crate::journal::DEFAULT_RETENTION_DAYS as u64)
            .clamp(1, MAX_RETENTION_DAYS);
        jiff::SignedDuration::from_hours(days as i64 * 24)
    }
}

/// The most `[journal] retention_days` may be: a hundred years.
pub const MAX_RETENTION_DAYS: u64 = 36_500;

/// Dashboard settings shared by every profile.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Ui {
    /// Seconds between listings of the selected distribution's invalidations (default 30).
    pub refresh_secs: Option<u64>,
    /// Most seconds between polls of an invalidation in progress (default 5).
    pub poll_secs: Option<u64>,
    /// A watched invalidation's completion also shows as a desktop notification, through
    /// the terminal (OSC 777 and OSC 9), beside the bell. Off unless set.
    #[serde(default)]
    pub desktop_notifications: bool,
}

/// A profile: what its keys do. Each field is a key of the profile schema ([`KEYS`]),
/// which reads, checks, writes and edits it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// A profile of `~/.aws/config` (SSO, assume-role, credential_process all work).
    pub aws_profile: Option<String>,
    /// The signing region: us-east-1 unless said (cn-northwest-1 in China).
    pub region: Option<String>,
    /// An emulator or a private endpoint.
    pub endpoint_url: Option<String>,
    /// Allow signed requests to a plain-http endpoint that is not loopback.
    pub allow_insecure_endpoint: bool,
    /// Pinned distributions (id, alias or domain).
    pub distributions: Vec<String>,
    /// The embedded simulator instead of AWS.
    pub simulated: bool,
    pub sim_seed: Option<u64>,
    pub sim_data: Option<PathBuf>,
    pub read_only: bool,
    pub confirm_by_typing: bool,
    /// Named path lists for the form.
    pub presets: BTreeMap<String, Vec<String>>,
    /// The pacing of requests to the profile's account (docs/ARCHITECTURE.md, "Pacing"):
    /// requests a minute, and how many may go at once after a quiet spell.
    pub requests_per_minute: Option<u64>,
    pub burst: Option<u64>,
}

/// The most `requests_per_minute` may be: 100 a second.
pub const MAX_REQUESTS_PER_MINUTE: u64 = 6_000;
/// The most `burst` may be.
pub const MAX_BURST: u64 = 1_000;

impl Profile {
    /// The limiter's numbers for this profile's account: cfdash's defaults, with the
    /// profile's `requests_per_minute` and `burst`.
    pub fn pacing(&self) -> crate::pace::Pacing {
        let mut p = crate::pace::Pacing::DEFAULT;
        if let Some(n) = self.requests_per_minute {
            p.rate = n.clamp(1, MAX_REQUESTS_PER_MINUTE) as f64 / 60.0;
        }
        if let Some(n) = self.burst {
            p.burst = n.clamp(1, MAX_BURST) as u32;
        }
        p
    }

    /// How it reaches its account, in a few words.
    pub fn reach(&self) -> String {
        if self.simulated {
            return match self.sim_seed {
                Some(seed) => format!("simulator (seed {seed})"),
                None => "simulator".into(),
            };
        }
        let mut parts = vec![format!(
            "aws profile {}",
            self.aws_profile.as_deref().unwrap_or("(default chain)")
        )];
        parts.extend(self.region.clone());
        parts.extend(self.endpoint_url.clone());
        parts.join(" · ")
    }
}

/// Where the config lives: `--config`, else `CFDASH_CONFIG`, else the platform's config
/// folder (`~/.config/cfdash/config.toml` on Linux).
pub fn path(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("CFDASH_CONFIG").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    default_path()
}

/// The platform's place for the config, which a cfdash given neither `--config` nor
/// `CFDASH_CONFIG` reads.
pub fn default_path() -> PathBuf {
    directories::ProjectDirs::from("", "", "cfdash")
        .map(|d| d.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("cfdash.toml"))
}

/// A problem with the file, where it is and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl ConfigError {
    fn at(text: &str, span: Option<std::ops::Range<usize>>, message: String) -> Self {
        let (line, column) = match span {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        Self {
            line,
            column,
            message,
        }
    }
}

/// The most `[ui] refresh_secs` may be: a day; below the least, it counts as the least.
pub const MAX_REFRESH_SECS: u64 = 86_400;
pub const MIN_REFRESH_SECS: u64 = 5;
/// The most `[ui] poll_secs` may be: an hour; below the least, it counts as the least.
pub const MAX_POLL_SECS: u64 = 3_600;
pub const MIN_POLL_SECS: u64 = 2;

/// The keys of the top level and of `[ui]`, and their types; a profile's are [`KEYS`].
const TOP_KEYS: &[(&str, Shape)] = &[
    ("default_profile", Shape::Str),
    ("profiles", Shape::Table),
    ("ui", Shape::Table),
    ("journal", Shape::Table),
];
const JOURNAL_KEYS: &[(&str, Shape)] = &[("retention_days", Shape::Count)];
const UI_KEYS: &[(&str, Shape)] = &[
    ("refresh_secs", Shape::Count),
    ("poll_secs", Shape::Count),
    ("desktop_notifications", Shape::Bool),
];

/// A key that looks like it holds a credential.
fn secret_looking(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "secret",
        "password",
        "passwd",
        "token",
        "access_key",
        "private_key",
        "credential",
    ]
    .iter()
    .any(|s| k.contains(s))
}

/// The known key closest to `key`, if it is a likely typo.
fn did_you_mean(key: &str, known: &[&'static str]) -> Option<&'static str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// A profile name: letters, digits, `-`, `_` and `.`, so it works as `--profile NAME`.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a profile needs a name".into());
    }
    if name.len() > 64 {
        return Err("a profile name has at most 64 characters".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("use letters, digits, - _ and . only in a profile name".into());
    }
    Ok(())
}

/// An AWS region name such as `us-east-1`.
pub fn check_region(region: &str) -> Result<(), String> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if ok {
        Ok(())
    } else {
        Err(format!("{region:?} is not a region name like us-east-1"))
    }
}

/// An endpoint URL: http or https, with a host and a valid port, and no user name or
/// password in it (see [`crate::endpoint::check_url`]).
pub fn check_endpoint_url(url: &str) -> Result<(), String> {
    crate::endpoint::check_url(url)
}

impl Config {
    /// Reads the file; `Ok(None)` when there is none. Errors name the file, and the line
    /// and column where they can.
    pub fn load(path: &Path) -> Result<Option<Self>, String> {
        Self::load_text(path).map(|o| o.map(|(c, _)| c))
    }

    /// The config and the text it was read from.
    pub fn load_text(path: &Path) -> Result<Option<(Self, String)>, String> {
        check_regular(path)?;
        let Some(text) = read_text(path)? else {
            return Ok(None);
        };
        Self::parse(&text)
            .map(|c| Some((c, text)))
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        // A byte-order mark (some editors write one) is not TOML: it is read past.
        let text = crate::text::strip_bom(text);
        let doc = toml_edit::Document::parse(text).map_err(|e| {
            let mut message = e.message().trim_end().to_string();
            if message.contains("duplicate") {
                message.push_str(": each profile and key may appear once; remove or rename one");
            }
            ConfigError::at(text, e.span(), message)
        })?;
        check_keys(text, doc.as_table())?;
        let mut config: Config = toml::from_str(text)
            .map_err(|e| ConfigError::at(text, e.span(), e.message().trim_end().to_string()))?;
        config.profiles = read_profiles(doc.as_table());
        if let Some(name) = &config.default_profile
            && !config.profiles.contains_key(name)
        {
            let span = doc.get("default_profile").and_then(Item::span);
            let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
            return Err(ConfigError::at(
                text,
                span,
                format!(
                    "default_profile is {name:?}, but there is no [profiles.{name}] (profiles: {}): fix the name or add the profile",
                    list(&known)
                ),
            ));
        }
        let control =
            crate::text::raw_control(text).or_else(|| crate::text::toml_control(doc.as_table()));
        if let Some(c) = control {
            return Err(ConfigError::at(
                text,
                Some(c.at..c.at),
                format!(
                    "control character U+{:04X} in {}: names, URLs and paths in cfdash's config never hold one; remove it",
                    c.char as u32, c.what
                ),
            ));
        }
        for (key, value, max, said, floor) in [
            (
                "refresh_secs",
                config.ui.refresh_secs,
                MAX_REFRESH_SECS,
                "a day",
                MIN_REFRESH_SECS,
            ),
            (
                "poll_secs",
                config.ui.poll_secs,
                MAX_POLL_SECS,
                "an hour",
                MIN_POLL_SECS,
            ),
        ] {
            if let Some(v) = value
                && v > max
            {
                let span = doc.get("ui").and_then(|u| u.get(key)).and_then(Item::span);
                return Err(ConfigError::at(
                    text,
                    span,
                    format!(
                        "{key} in [ui] is {v}: it must be from 0 to {max} seconds ({said}; below {floor} counts as {floor})"
                    ),
                ));
            }
        }
        if let Some(days) = config.journal.retention_days
            && !(1..=MAX_RETENTION_DAYS).contains(&days)
        {
            let span = doc
                .get("journal")
                .and_then(|j| j.get("retention_days"))
                .and_then(Item::span);
            return Err(ConfigError::at(
                text,
                span,
                format!(
                    "retention_days in [journal] is {days}: give from 1 to {MAX_RETENTION_DAYS} days (400 if left out)"
                ),
            ));
        }
        for (name, profile) in &config.profiles {
            let span = || {
                doc.get("profiles")
                    .and_then(|p| p.as_table_like())
                    .and_then(|p| p.get_key_value(name))
                    .and_then(|(k, _)| k.span())
            };
            if let Err(e) = check_name(name) {
                return Err(ConfigError::at(
                    text,
                    span(),
                    format!("[profiles.{name}]: {e}"),
                ));
            }
            let field_span = |key: &str| {
                doc.get("profiles")
                    .and_then(|p| p.get(name))
                    .and_then(|p| p.get(key))
                    .and_then(Item::span)
            };
            for (key, value, max) in [
                (
                    "requests_per_minute",
                    profile.requests_per_minute,
                    MAX_REQUESTS_PER_MINUTE,
                ),
                ("burst", profile.burst, MAX_BURST),
            ] {
                if let Some(v) = value
                    && !(1..=max).contains(&v)
                {
                    return Err(ConfigError::at(
                        text,
                        field_span(key),
                        format!(
                            "{key} in [profiles.{name}] is {v}: give from 1 to {max}, or leave it out for cfdash's pacing (docs: README, \"Pacing\")"
                        ),
                    ));
                }
            }
            for key in KEYS {
                if let (Some(check), Some(v)) = (key.check, key.text(profile))
                    && let Err(e) = check(&v)
                {
                    return Err(ConfigError::at(text, field_span(key.name), e));
                }
            }
        }
        Ok(config)
    }

    /// The profile to open: the one asked for, else `default_profile`, else the only one.
    pub fn pick(&self, name: Option<&str>) -> Result<(String, Profile), String> {
        let wanted = name.or(self.default_profile.as_deref());
        match wanted {
            Some(n) => self
                .profiles
                .get(n)
                .map(|p| (n.to_string(), p.clone()))
                .ok_or_else(|| {
                    let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                    format!("no profile named {n} (profiles: {})", list(&known))
                }),
            None if self.profiles.len() == 1 => {
                let (n, p) = self.profiles.iter().next().expect("one profile");
                Ok((n.clone(), p.clone()))
            }
            None => {
                let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                Err(format!(
                    "several profiles and no default_profile: choose one with --profile ({})",
                    list(&known)
                ))
            }
        }
    }
}

/// Refuses secret-looking and unknown keys, and values of the wrong type, where they are.
fn check_keys(text: &str, top: &Table) -> Result<(), ConfigError> {
    let refuse = |key: &toml_edit::Key, message: String| ConfigError::at(text, key.span(), message);
    let check_table = |table: &dyn toml_edit::TableLike,
                       keys: &[(&'static str, Shape)],
                       place: &str|
     -> Result<(), ConfigError> {
        let known: Vec<&'static str> = keys.iter().map(|(k, _)| *k).collect();
        for (key, item) in table.iter() {
            let k = table.key(key).expect("iterated");
            if secret_looking(key) {
                return Err(refuse(
                    k,
                    format!(
                        "{key} looks like a secret: cfdash never stores credentials; put them in ~/.aws/credentials or use SSO (aws configure sso), and name that profile with aws_profile"
                    ),
                ));
            }
            let Some(&(_, shape)) = keys.iter().find(|(k, _)| *k == key) else {
                let hint = did_you_mean(key, &known)
                    .map(|k| format!(" (did you mean {k}?)"))
                    .unwrap_or_default();
                return Err(refuse(
                    k,
                    format!(
                        "unknown key {key} in {place}{hint}; the keys are: {}",
                        known.join(", ")
                    ),
                ));
            };
            if !shape.fits(item) {
                // The pacing's numbers say their range where the shape alone would not.
                let what = match key {
                    "requests_per_minute" => {
                        format!("a whole number from 1 to {MAX_REQUESTS_PER_MINUTE}")
                    }
                    "burst" => format!("a whole number from 1 to {MAX_BURST}"),
                    _ => shape.what().to_string(),
                };
                return Err(ConfigError::at(
                    text,
                    item.span().or(k.span()),
                    format!("{key} in {place} must be {what}"),
                ));
            }
        }
        Ok(())
    };
    check_table(top, TOP_KEYS, "the top level")?;
    if let Some(ui) = top.get("ui").and_then(Item::as_table_like) {
        check_table(ui, UI_KEYS, "[ui]")?;
    }
    if let Some(journal) = top.get("journal").and_then(Item::as_table_like) {
        check_table(journal, JOURNAL_KEYS, "[journal]")?;
    }
    if let Some(profiles) = top.get("profiles").and_then(Item::as_table_like) {
        let profile_shapes: Vec<(&str, Shape)> =
            KEYS.iter().map(|k| (k.name, k.kind.shape())).collect();
        for (name, item) in profiles.iter() {
            let Some(profile) = item.as_table_like() else {
                let k = profiles.key(name).expect("iterated");
                return Err(refuse(
                    k,
                    format!("profiles.{name} must be a table: write it as [profiles.{name}]"),
                ));
            };
            check_table(profile, &profile_shapes, &format!("[profiles.{name}]"))?;
            let presets = KEYS.iter().filter(|k| matches!(k.kind, Kind::Presets(_)));
            for presets in presets.filter_map(|k| profile.get(k.name)?.as_table_like()) {
                for (preset, list) in presets.iter() {
                    let ok = list
                        .as_array()
                        .is_some_and(|a| a.iter().all(|v| v.is_str()));
                    if !ok {
                        return Err(ConfigError::at(
                            text,
                            list.span(),
                            format!(
                                "preset {preset} in [profiles.{name}.presets] must be a list of paths, like [\"/\", \"/index.html\"]"
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The profiles of a file whose keys and types were checked, read through the schema.
fn read_profiles(top: &Table) -> BTreeMap<String, Profile> {
    let Some(profiles) = top.get("profiles").and_then(Item::as_table_like) else {
        return BTreeMap::new();
    };
    profiles
        .iter()
        .map(|(name, item)| {
            let mut profile = Profile::default();
            for (key, item) in item.as_table_like().into_iter().flat_map(|t| t.iter()) {
                if let Some(key) = schema::key(key) {
                    key.read(item, &mut profile);
                }
            }
            (name.to_string(), profile)
        })
        .collect()
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none yet".into()
    } else {
        names.join(", ")
    }
}

// ---- editing ---------------------------------------------------------------------------

/// What the profile form (or `cfdash profile add`) sets on a profile: its keys the schema
/// marks editable ([`Key::edit`]); the writer leaves the others (presets, the simulator's)
/// as they are in the file, and `simulated` is written only for a new profile.
pub type ProfileFields = Profile;

impl Profile {
    /// The editable keys of `p`, the others unset.
    pub fn of(p: &Profile) -> ProfileFields {
        let mut fields = ProfileFields::default();
        for (key, _) in editable(true) {
            key.copy(p, &mut fields);
        }
        fields
    }
}

/// One change to the profiles file.
// Edits are made one at a time, by hand: the size of `Put` costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Adds `name`, or changes the profile `from` (renaming it to `name` if they differ).
    Put {
        name: String,
        from: Option<String>,
        fields: ProfileFields,
    },
    Remove(String),
    SetDefault(String),
}

impl Edit {
    /// What it does, for messages.
    pub fn describe(&self) -> String {
        match self {
            Edit::Put {
                name, from: None, ..
            } => format!("added profile {name}"),
            Edit::Put {
                name,
                from: Some(from),
                ..
            } if from != name => format!("renamed profile {from} to {name}"),
            Edit::Put { name, .. } => format!("saved profile {name}"),
            Edit::Remove(name) => format!("deleted profile {name}"),
            Edit::SetDefault(name) => format!("{name} is the default profile"),
        }
    }
}

/// A save that went through.
#[derive(Clone, Debug)]
pub struct Saved {
    pub config: Config,
    /// The text now on disk.
    pub text: String,
    /// The file had changed on disk since cfdash read it: the edit was applied to the new
    /// content, so neither change is lost.
    pub reloaded: bool,
    /// The default profile this edit deleted: the file has no default_profile now.
    pub cleared_default: Option<String>,
}

/// The one writer: applies edits in order to the file as it is on disk, holding the
/// file's lock (so another cfdash, app or command, waits its turn and no edit is lost).
pub struct Store {
    pub path: PathBuf,
    /// The text as cfdash last read or wrote it (`None`: no file).
    known: Option<String>,
}

impl Store {
    pub fn new(path: PathBuf, known: Option<String>) -> Self {
        Self { path, known }
    }

    /// Reads the file again; what it holds becomes what cfdash knows.
    pub fn reload(&mut self) -> Result<Option<(Config, String)>, String> {
        let loaded = Config::load_text(&self.path)?;
        self.known = loaded.as_ref().map(|(_, t)| t.clone());
        Ok(loaded)
    }

    pub fn apply(&mut self, edit: &Edit) -> Result<Saved, String> {
        self.apply_with(edit, false)
    }

    /// `fail_after_temp` stops after the temporary file is written, as a crash would (for
    /// tests: the old file must be intact).
    pub fn apply_with(&mut self, edit: &Edit, fail_after_temp: bool) -> Result<Saved, String> {
        let path = &self.path;
        // A link (dotfiles) stays a link: its target is what is edited.
        let target = resolve(path)?;
        check_regular(&target)?;
        make_folder(folder(&target))?;
        let _lock = lock(&target, path)?;
        let current = read_text(&target)?;
        if let Some(text) = &current
            && let Err(e) = Config::parse(text)
        {
            return Err(format!(
                "{}: {e} — cfdash will not overwrite a file it cannot read: fix it, then try again",
                path.display()
            ));
        }
        let reloaded = current != self.known;
        let mut doc: DocumentMut = current
            .as_deref()
            .unwrap_or("")
            .parse()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let config = Config::parse(&doc.to_string()).map_err(|e| e.to_string())?;
        apply_edit(&mut doc, &config, edit).map_err(|e| {
            if reloaded {
                format!("{e} (the file changed on disk since cfdash read it)")
            } else {
                e
            }
        })?;
        let cleared_default = match edit {
            Edit::Remove(name) if config.default_profile.as_ref() == Some(name) => {
                Some(name.clone())
            }
            _ => None,
        };
        let text = doc.to_string();
        let config =
            Config::parse(&text).map_err(|e| format!("the edit would not be valid: {e}"))?;
        write_atomic(&target, &text, fail_after_temp)?;
        self.known = Some(text.clone());
        Ok(Saved {
            config,
            text,
            reloaded,
            cleared_default,
        })
    }
}

/// A profiles file that exists must be a regular file (through its links): a device, a
/// pipe or a folder is refused before it is opened, read or locked beside.
fn check_regular(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(format!(
            "{} is not a regular file (a folder, device or pipe): point --config or CFDASH_CONFIG at a TOML file",
            path.display()
        )),
        _ => Ok(()),
    }
}

/// The most of a profiles file (or `~/.aws/config`) cfdash reads: 4 MiB, thousands of
/// profiles with their presets, and a wrong path (`/dev/zero`) is refused at once.
pub const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// The file's text without a UTF-8 byte-order mark (some editors write one), at most
/// [`MAX_CONFIG_BYTES`]; `None` when there is no file. Callers check first that it is a
/// regular file ([`check_regular`]).
fn read_text(path: &Path) -> Result<Option<String>, String> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    crate::text::read_capped(
        file,
        MAX_CONFIG_BYTES,
        &path.display().to_string(),
        "is this the profiles file? (--config, CFDASH_CONFIG)",
    )
    .map(Some)
}

/// The file a path names once its symbolic links are followed (to a target that may not
/// exist yet): a dotfiles link is edited through, never replaced.
pub fn resolve(path: &Path) -> Result<PathBuf, String> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)
                    .map_err(|e| format!("cannot follow the link {}: {e}", p.display()))?;
                p = folder(&p).join(to);
            }
            _ => return Ok(p),
        }
    }
    Err(format!(
        "{}: too many levels of symbolic links",
        path.display()
    ))
}

/// The folder a file is in (`.` for a bare name).
fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Creates a missing folder, private (0700).
fn make_folder(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.exists() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// The lock file of a profiles file: `.NAME.lock` beside it.
pub fn lock_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".into());
    folder(target).join(format!(".{name}.lock"))
}

/// How long an edit waits for another cfdash to finish its own.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Takes the exclusive advisory lock every cfdash holds around read, edit and write; it is
/// released when the file is dropped (or the process ends). The lock file is opened
/// without truncation, mode 0600, and never through a symbolic link; it is never written.
fn lock(target: &Path, shown: &Path) -> Result<std::fs::File, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let at = lock_path(target);
    let cannot = |e: &dyn fmt::Display| {
        format!(
            "cannot lock {} to edit {}: {e}",
            at.display(),
            shown.display()
        )
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&at)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                cannot(&"it is a symbolic link (cfdash never follows one there): remove it")
            } else {
                cannot(&e)
            }
        })?;
    let meta = file.metadata().map_err(|e| cannot(&e))?;
    if !meta.is_file() {
        return Err(cannot(&"it is not a regular file: remove it"));
    }
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(cannot(
                    &"another cfdash has held it for 30 seconds: try again once it is done",
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(cannot(&e)),
        }
    }
}

/// A one-line warning when the file, its folder, or (for a link) its target's folder can
/// be written by group or others: whoever can write it can point an endpoint elsewhere.
/// A sticky folder (like /tmp) does not count: others cannot replace a file they do not own.
pub fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    // Only a regular file is read as a profiles file; anything else is refused, not
    // warned about (no chmod advice for /dev/null).
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut places = vec![path.to_path_buf(), folder(path).to_path_buf()];
    if let Ok(target) = resolve(path) {
        let dir = folder(&target).to_path_buf();
        if !places.contains(&dir) {
            places.push(dir);
        }
    }
    let (mut open, mut group, mut others) = (Vec::new(), false, false);
    for place in places {
        let Ok(meta) = std::fs::metadata(&place) else {
            continue;
        };
        let mode = meta.permissions().mode();
        if meta.is_dir() && mode & 0o1000 != 0 {
            continue;
        }
        let (g, o) = (mode & 0o020 != 0, mode & 0o002 != 0);
        if g || o {
            group |= g;
            others |= o;
            open.push(place);
        }
    }
    if open.is_empty() {
        return None;
    }
    let who = match (group, others) {
        (true, true) => "group and others",
        (true, false) => "group",
        _ => "others",
    };
    let names: Vec<String> = open
        .iter()
        .map(|p| crate::text::quote(&p.display().to_string()))
        .collect();
    let (verb, it) = if names.len() == 1 {
        ("is", "it")
    } else {
        ("are", "them")
    };
    let quoted: Vec<String> = names.iter().map(|n| crate::text::shell_quote(n)).collect();
    Some(format!(
        "warning: {} {verb} writable by {who} (anyone who can write {it} can redirect cfdash): chmod go-w {}",
        names.join(" and "),
        quoted.join(" ")
    ))
}

fn apply_edit(doc: &mut DocumentMut, config: &Config, edit: &Edit) -> Result<(), String> {
    match edit {
        Edit::Put { name, from, fields } => {
            check_name(name)?;
            for (key, _) in editable(true) {
                if let (Some(check), Some(v)) = (key.check, key.text(fields)) {
                    check(&v)?;
                }
            }
            let renamed = from.as_ref().is_some_and(|f| f != name);
            if (from.is_none() || renamed) && config.profiles.contains_key(name) {
                return Err(format!("a profile named {name} already exists"));
            }
            if let Some(from) = from
                && !config.profiles.contains_key(from)
            {
                return Err(format!("there is no profile {from} in the file any more"));
            }
            let profiles = profiles_table(doc);
            match from {
                Some(from) if !renamed => {
                    let table = profiles
                        .get_mut(from)
                        .and_then(Item::as_table_mut)
                        .ok_or_else(|| {
                            format!("profile {from} is not a [profiles.{from}] table: edit it in the file")
                        })?;
                    set_fields(table, fields, false);
                }
                Some(from) => {
                    // A moved table keeps its place in the file.
                    let mut table = match profiles.remove(from) {
                        Some(Item::Table(t)) => t,
                        _ => {
                            return Err(format!(
                                "profile {from} is not a [profiles.{from}] table: edit it in the file"
                            ));
                        }
                    };
                    set_fields(&mut table, fields, false);
                    profiles.insert(name, Item::Table(table));
                }
                None => {
                    let mut table = Table::new();
                    set_fields(&mut table, fields, true);
                    profiles.insert(name, Item::Table(table));
                }
            }
            if renamed && config.default_profile.as_deref() == from.as_deref() {
                doc["default_profile"] = value(name.as_str());
            }
        }
        Edit::Remove(name) => {
            if !config.profiles.contains_key(name) {
                return Err(format!("there is no profile {name}"));
            }
            profiles_table(doc).remove(name);
            if config.default_profile.as_deref() == Some(name) {
                doc.remove("default_profile");
            }
        }
        Edit::SetDefault(name) => {
            if !config.profiles.contains_key(name) {
                return Err(format!("there is no profile {name}"));
            }
            doc["default_profile"] = value(name.as_str());
        }
    }
    Ok(())
}

fn profiles_table(doc: &mut DocumentMut) -> &mut Table {
    if !doc.contains_table("profiles") {
        let mut t = Table::new();
        t.set_implicit(true);
        doc.insert("profiles", Item::Table(t));
    }
    doc["profiles"].as_table_mut().expect("checked by parse")
}

fn set_fields(table: &mut Table, f: &ProfileFields, new: bool) {
    for key in schema::written(new) {
        key.write(table, f);
    }
}

/// Writes `text` to `path` so that a crash leaves either the old file or the new one: a
/// temporary file in the same folder (created exclusively, under a random name, so never
/// through a planted link), flushed to disk, then renamed over, and the folder flushed.
/// The folder is created private (0700), the file is private (0600).
pub fn write_atomic(path: &Path, text: &str, fail_after_temp: bool) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder(path);
    make_folder(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".into());
    let cannot = |e: std::io::Error| format!("cannot save {}: {e}", path.display());
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(cannot)?;
    // Dropped on any failure below: the temporary file is removed.
    let f = temp.as_file_mut();
    f.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(cannot)?;
    f.write_all(text.as_bytes()).map_err(cannot)?;
    f.sync_all().map_err(cannot)?;
    if fail_after_temp {
        return Err(cannot(std::io::Error::other(
            "stopped after the temporary file",
        )));
    }
    temp.persist(path).map_err(|e| cannot(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The profile names of `~/.aws/config` (or AWS_CONFIG_FILE), for the aws_profile field.
pub fn aws_profiles() -> Vec<String> {
    let path = std::env::var_os("AWS_CONFIG_FILE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".aws/config")));
    let text = path.and_then(|p| {
        // Opened only if a regular file: a FIFO would hang the start.
        std::fs::metadata(&p).ok().filter(|m| m.is_file())?;
        let file = std::fs::File::open(&p).ok()?;
        crate::text::read_capped(file, MAX_CONFIG_BYTES, "", "").ok()
    });
    text.map(|t| aws_profile_names(&t)).unwrap_or_default()
}

/// `[default]` and `[profile NAME]` sections, in file order.
pub fn aws_profile_names(text: &str) -> Vec<String> {
    let text = crate::text::strip_bom(text);
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
            continue;
        };
        let inner = inner.trim();
        let name = if inner == "default" {
            Some("default")
        } else {
            inner.strip_prefix("profile ").map(str::trim)
        };
        if let Some(n) = name
            && !n.is_empty()
            && !names.iter().any(|x| x == n)
        {
            names.push(n.to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profiles_pacing_is_read_and_checked() {
        let c = Config::parse("[profiles.a]\nrequests_per_minute = 30\nburst = 3\n[profiles.b]\n")
            .unwrap();
        let a = c.profiles["a"].pacing();
        assert_eq!((a.rate, a.burst), (0.5, 3));
        assert_eq!(c.profiles["b"].pacing(), crate::pace::Pacing::DEFAULT);
        for bad in [
            "requests_per_minute = 0",
            "requests_per_minute = 6001",
            "burst = 0",
            "burst = 1001",
        ] {
            let e = Config::parse(&format!("[profiles.a]\n{bad}\n")).unwrap_err();
            let key = bad.split(' ').next().unwrap();
            assert!(
                e.message.contains(key) && e.message.contains("give from 1 to"),
                "{bad}: {e:?}"
            );
        }
        for bad in ["burst = -1", "burst = \"10\"", "requests_per_minute = 4.5"] {
            let e = Config::parse(&format!("[profiles.a]\n{bad}\n")).unwrap_err();
            assert!(
                e.message.contains("a whole number from 1 to"),
                "{bad}: {e:?}"
            );
        }
    }

    const EXAMPLE: &str = r#"
default_profile = "staging"

[profiles.staging]
aws_profile = "staging-admin"
region = "us-east-1"
endpoint_url = "http://127.0.0.1:5000"
distributions = ["E2EXAMPLE", "www.example.com"]

[profiles.staging.presets]
homepage = ["/", "/index.html"]

[profiles.demo]
simulated = true
"#;

    #[test]
    fn the_design_example_parses() {
        let c = Config::parse(EXAMPLE).unwrap();
        assert_eq!(c.default_profile.as_deref(), Some("staging"));
        let s = &c.profiles["staging"];
        assert_eq!(s.aws_profile.as_deref(), Some("staging-admin"));
        assert_eq!(s.endpoint_url.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(s.presets["homepage"], vec!["/", "/index.html"]);
        assert!(c.profiles["demo"].simulated);
    }

    #[test]
    fn journal_retention_is_checked() {
        let c = Config::parse("[journal]\nretention_days = 30\n").unwrap();
        assert_eq!(
            c.journal.retention(),
            jiff::SignedDuration::from_hours(30 * 24)
        );
        assert_eq!(
            Config::parse("").unwrap().journal.retention(),
            jiff::SignedDuration::from_hours(400 * 24)
        );
        for bad in ["0", "36501", "-5", "\"ten\""] {
            let e = Config::parse(&format!("[journal]\nretention_days = {bad}\n")).unwrap_err();
            assert!(e.message.contains("retention_days"), "{bad}: {e:?}");
        }
        let e = Config::parse("[journal]\nkeep = 3\n").unwrap_err();
        assert!(e.message.contains("keep"), "{e:?}");
    }

    #[test]
    fn picking_a_profile() {
        let c = Config::parse(EXAMPLE).unwrap();
        assert_eq!(c.pick(None).unwrap().0, "staging");
        assert_eq!(c.pick(Some("demo")).unwrap().0, "demo");
        let err = c.pick(Some("prod")).unwrap_err();
        assert_eq!(err, "no profile named prod (profiles: demo, staging)");
        let mut two = c.clone();
        two.default_profile = None;
        assert!(two.pick(None).unwrap_err().contains("--profile"));
    }

    #[test]
    fn the_bundled_example_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/config.example.toml");
        let c = Config::load(&path).unwrap().expect("the example exists");
        assert_eq!(c.pick(None).unwrap().0, "staging");
        assert!(c.profiles["prod"].read_only);
        assert!(c.profiles["demo"].simulated);
        assert_eq!(c.profiles.len(), 4);
        assert_eq!(c.ui.refresh_secs, Some(30));
    }

    #[test]
    fn a_missing_file_is_no_config() {
        assert_eq!(
            Config::load(Path::new("/nonexistent/cfdash.toml")),
            Ok(None)
        );
    }

    #[test]
    fn edit_distance_finds_typos() {
        assert_eq!(edit_distance("regoin", "region"), 2);
        let keys = schema::names();
        assert_eq!(did_you_mean("regoin", &keys), Some("region"));
        assert_eq!(did_you_mean("aws_proflie", &keys), Some("aws_profile"));
        assert_eq!(did_you_mean("colour", &keys), None);
    }

    #[test]
    fn aws_config_sections() {
        let text = "[default]\nregion=us-east-1\n[profile staging-admin]\n[ profile prod ]\n[sso-session corp]\n";
        assert_eq!(
            aws_profile_names(text),
            vec!["default", "staging-admin", "prod"]
        );
    }

    #[test]
    fn aws_config_with_a_byte_order_mark() {
        let text = "\u{feff}[default]\nregion=us-east-1\n[profile prod]\n";
        assert_eq!(aws_profile_names(text), vec!["default", "prod"]);
    }

    #[test]
    fn a_path_as_a_shell_word() {
        assert_eq!(
            crate::text::shell_quote("/home/op/.config/cfdash"),
            "/home/op/.config/cfdash"
        );
        assert_eq!(crate::text::shell_quote("/a b/it's"), "'/a b/it'\\''s'");
    }

    #[test]
    fn names_regions_and_urls() {
        assert!(check_name("prod-eu_1.b").is_ok());
        assert!(check_name("has space").is_err());
        assert!(check_name("").is_err());
        assert!(check_region("us-east-1").is_ok());
        assert!(check_region("cn-northwest-1").is_ok());
        assert!(check_region("us-gov-west-1").is_ok());
        assert!(check_region("useast1").is_err());
        assert!(check_region("US-EAST-1").is_err());
        assert!(check_endpoint_url("http://127.0.0.1:5000").is_ok());
        assert!(check_endpoint_url("https://cloudfront.example.com/x").is_ok());
        assert!(check_endpoint_url("127.0.0.1:5000").is_err());
        assert!(check_endpoint_url("http://").is_err());
    }
}
