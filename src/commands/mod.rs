//! Headless commands: `cfdash config path` and `cfdash profile …`, sharing the app's checks
//! and its safe save; the CloudFront commands for pipelines are in [`cloud`]. Data on
//! stdout, messages on stderr.

pub mod cloud;
pub mod drive;
pub mod history;
pub mod tenants;

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use crate::cli::ProfileCommand;
use crate::config::{Config, Edit, KEYS, Profile, Store};
use crate::text::{print, print_raw};

/// This process, as its submissions' ids name it: the pid and a random part, so two
/// containers (where pids are small and alike) starting in the same millisecond never make
/// the same CallerReference.
pub fn instance() -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!("{}-{:04x}-", std::process::id(), random & 0xffff)
}

/// Runs a `cfdash profile` command. Errors are for stderr, with exit code 2.
pub fn profile(cmd: &ProfileCommand, path: &Path) -> Result<ExitCode, String> {
    let loaded = Config::load_text(path)?;
    let (config, known) = match &loaded {
        Some((c, t)) => (c.clone(), Some(t.clone())),
        None => (Config::default(), None),
    };
    match cmd {
        ProfileCommand::List { json } => {
            if *json {
                let list: Vec<_> = config
                    .profiles
                    .iter()
                    .map(|(name, p)| profile_json(name, p, &config))
                    .collect();
                print_raw(serde_json::to_string_pretty(&list).expect("json"));
            } else if config.profiles.is_empty() {
                crate::text::say(format!(
                    "no profiles yet in {}: add one with `cfdash profile add NAME --aws-profile …`",
                    path.display()
                ));
            } else {
                let width = config.profiles.keys().map(String::len).max().unwrap_or(4);
                for (name, p) in &config.profiles {
                    let mark = if config.default_profile.as_ref() == Some(name) {
                        "*"
                    } else {
                        " "
                    };
                    print(format!("{mark} {name:<width$}  {}", reach(p)));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ProfileCommand::Show { name, json } => {
            let p = config.profiles.get(name).ok_or_else(|| {
                let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
                format!("no profile named {name} (profiles: {})", known.join(", "))
            })?;
            if *json {
                let j = profile_json(name, p, &config);
                print_raw(serde_json::to_string_pretty(&j).expect("json"));
            } else {
                let j = profile_json(name, p, &config);
                for (k, v) in j.as_object().expect("an object") {
                    let v = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    print(format!("{k:<18} {v}"));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ProfileCommand::Add { name, fields } => save(
            path,
            known,
            Edit::Put {
                name: name.clone(),
                from: None,
                fields: fields.0.clone(),
            },
        ),
        ProfileCommand::Remove { name } => save(path, known, Edit::Remove(name.clone())),
        ProfileCommand::SetDefault { name } => save(path, known, Edit::SetDefault(name.clone())),
    }
}

fn save(path: &Path, known: Option<String>, edit: Edit) -> Result<ExitCode, String> {
    let mut store = Store::new(path.to_path_buf(), known);
    let saved = store.apply(&edit)?;
    match &saved.cleared_default {
        Some(_) => crate::text::say(format!(
            "{} in {}; it was the default profile, so there is no default now (cfdash profile set-default NAME chooses one)",
            edit.describe(),
            path.display()
        )),
        None => crate::text::say(format!("{} in {}", edit.describe(), path.display())),
    }
    Ok(ExitCode::SUCCESS)
}

fn reach(p: &Profile) -> String {
    if p.read_only {
        format!("{} · read-only", p.reach())
    } else {
        p.reach()
    }
}

/// The documented JSON of a profile: every key of the schema, `null` or defaults where
/// unset.
fn profile_json(name: &str, p: &Profile, c: &Config) -> serde_json::Value {
    let mut j = serde_json::Map::new();
    j.insert("name".into(), json!(name));
    j.insert(
        "default".into(),
        json!(c.default_profile.as_deref() == Some(name)),
    );
    for key in KEYS {
        j.insert(key.name.into(), key.json(p));
    }
    serde_json::Value::Object(j)
}

/// `cfdash config path`.
pub fn config_path(path: &Path) -> ExitCode {
    print(path.display().to_string());
    ExitCode::SUCCESS
}
