//! The profile schema, written once: one entry per key of a `[profiles.NAME]` table. It
//! drives the reading of the profiles file (the known keys, their types, the checks of
//! values and their messages), the writer, the profile form (its rows, labels, hints and
//! checkboxes) and the flags of `cfdash profile add`. What a key *does* is the field of
//! [`Profile`] the rest of cfdash reads.

use std::collections::BTreeMap;
use std::path::PathBuf;

use toml_edit::{Item, Table, value};

use super::{Profile, check_endpoint_url, check_region};

/// One key of a profile.
pub struct Key {
    /// The TOML key; also the name of the field of [`Profile`] and the key in
    /// `cfdash profile show --json`.
    pub name: &'static str,
    /// What it holds, and the field of [`Profile`] it is read into and written from.
    pub kind: Kind,
    /// What is wrong with a value of a text key, in a sentence that says what to write.
    pub check: Option<CheckFn>,
    /// In the profile form and `cfdash profile add`; `None`: set in the file only.
    pub edit: Option<Editable>,
}

/// A value's check: what is wrong with it, in a sentence that says what to write.
pub type CheckFn = fn(&str) -> Result<(), String>;
/// A warning about what a profile holds, given the profiles of `~/.aws/config`.
pub type WarnFn = fn(&Profile, &[String]) -> Option<String>;

/// What a key holds, with the field of [`Profile`] it goes to.
pub enum Kind {
    /// A string in quotes.
    Text(Field<Option<String>>),
    /// A string in quotes the form can fill in from the profiles of `~/.aws/config` (C-n).
    Choice(Field<Option<String>>),
    /// A list of strings: comma-separated in the form, a repeated flag on the command line.
    List(Field<Vec<String>>),
    /// true or false: a checkbox in the form, a flag without a value on the command line.
    Flag(Field<bool>),
    /// A whole number, 0 or more.
    Count(Field<Option<u64>>),
    /// A path, as a string in quotes.
    Path(Field<Option<PathBuf>>),
    /// Named lists of paths: a table of lists of strings.
    Presets(Field<BTreeMap<String, Vec<String>>>),
}

/// The way to a field of [`Profile`].
pub struct Field<T> {
    pub get: fn(&Profile) -> T,
    pub set: fn(&mut Profile, T),
}

/// How a key is set outside the file: a row of the profile form, a flag of
/// `cfdash profile add`.
pub struct Editable {
    /// The form's label.
    pub label: &'static str,
    /// What the form says under the field when it has nothing else to say.
    pub hint: &'static str,
    /// A warning the form shows as you type (it never stops a save), given what the form
    /// holds and the profiles of `~/.aws/config`.
    pub warn: Option<WarnFn>,
    /// Set only when a profile is added: the form shows it then, after the others, and the
    /// writer heads the new table with it.
    pub only_new: bool,
    /// The long flag of `cfdash profile add`.
    pub flag: &'static str,
    /// The flag's value in `--help` (`None` for a flag without a value).
    pub value_name: Option<&'static str>,
    /// The flag's line in `--help`.
    pub help: &'static str,
}

/// The type a TOML value must have, and how a message says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Str,
    Bool,
    Count,
    Strings,
    Table,
}

impl Shape {
    pub fn fits(self, item: &Item) -> bool {
        match self {
            Shape::Str => item.is_str(),
            Shape::Bool => item.is_bool(),
            Shape::Count => item.as_integer().is_some_and(|n| n >= 0),
            Shape::Strings => item
                .as_array()
                .is_some_and(|a| a.iter().all(|v| v.is_str())),
            Shape::Table => item.is_table_like(),
        }
    }

    pub fn what(self) -> &'static str {
        match self {
            Shape::Str => "a string in quotes",
            Shape::Bool => "true or false",
            Shape::Count => "a whole number, 0 or more",
            Shape::Strings => "a list of strings, like [\"E2EXAMPLE\"]",
            Shape::Table => "a table",
        }
    }
}

macro_rules! field {
    ($f:ident) => {
        Field {
            get: |p| p.$f.clone(),
            set: |p, v| p.$f = v,
        }
    };
}

/// Every key of a profile, in the order the file's error messages list them.
pub static KEYS: &[Key] = &[
    Key {
        name: "aws_profile",
        kind: Kind::Choice(field!(aws_profile)),
        check: None,
        edit: Some(Editable {
            label: "AWS profile",
            hint: "a profile of ~/.aws/config; empty: AWS_PROFILE or the default chain",
            warn: Some(aws_profile_warning),
            only_new: false,
            flag: "aws-profile",
            value_name: Some("NAME"),
            help: "A profile of ~/.aws/config (SSO, assume-role, credential_process)",
        }),
    },
    Key {
        name: "region",
        kind: Kind::Text(field!(region)),
        check: Some(check_region),
        edit: Some(Editable {
            label: "Region",
            hint: "empty: us-east-1 (CloudFront is global)",
            warn: None,
            only_new: false,
            flag: "region",
            value_name: Some("REGION"),
            help: "The signing region (CloudFront: us-east-1)",
        }),
    },
    Key {
        name: "endpoint_url",
        kind: Kind::Text(field!(endpoint_url)),
        check: Some(check_endpoint_url),
        edit: Some(Editable {
            label: "Endpoint URL",
            hint: "empty: AWS; or an emulator such as http://127.0.0.1:5000",
            warn: Some(endpoint_warning),
            only_new: false,
            flag: "endpoint-url",
            value_name: Some("URL"),
            help: "An emulator or a private endpoint",
        }),
    },
    Key {
        name: "allow_insecure_endpoint",
        kind: Kind::Flag(field!(allow_insecure_endpoint)),
        check: None,
        edit: None,
    },
    Key {
        name: "distributions",
        kind: Kind::List(field!(distributions)),
        check: None,
        edit: Some(Editable {
            label: "Distributions",
            hint: "ids, aliases or domains, comma-separated: list and poll only these",
            warn: None,
            only_new: false,
            flag: "distribution",
            value_name: Some("D"),
            help: "Pin a distribution (id, alias or domain); repeat for several",
        }),
    },
    Key {
        name: "simulated",
        kind: Kind::Flag(field!(simulated)),
        check: None,
        edit: Some(Editable {
            label: "Simulated",
            hint: "the embedded simulator instead of AWS",
            warn: None,
            only_new: true,
            flag: "simulated",
            value_name: None,
            help: "The embedded simulator instead of AWS",
        }),
    },
    Key {
        name: "sim_seed",
        kind: Kind::Count(field!(sim_seed)),
        check: None,
        edit: None,
    },
    Key {
        name: "sim_data",
        kind: Kind::Path(field!(sim_data)),
        check: None,
        edit: None,
    },
    Key {
        name: "read_only",
        kind: Kind::Flag(field!(read_only)),
        check: None,
        edit: Some(Editable {
            label: "Read only",
            hint: "no invalidations from this profile",
            warn: None,
            only_new: false,
            flag: "read-only",
            value_name: None,
            help: "No invalidations from this profile",
        }),
    },
    Key {
        name: "confirm_by_typing",
        kind: Kind::Flag(field!(confirm_by_typing)),
        check: None,
        edit: Some(Editable {
            label: "Confirm by typing",
            hint: "type the distribution's name to confirm each submit",
            warn: None,
            only_new: false,
            flag: "confirm-by-typing",
            value_name: None,
            help: "Ask to type the distribution's name before each submit",
        }),
    },
    Key {
        name: "requests_per_minute",
        kind: Kind::Count(field!(requests_per_minute)),
        check: None,
        edit: None,
    },
    Key {
        name: "burst",
        kind: Kind::Count(field!(burst)),
        check: None,
        edit: None,
    },
    Key {
        name: "presets",
        kind: Kind::Presets(field!(presets)),
        check: None,
        edit: None,
    },
];

/// The profile of `~/.aws/config` is not used, not there, or not said.
fn aws_profile_warning(p: &Profile, aws_profiles: &[String]) -> Option<String> {
    match &p.aws_profile {
        Some(_) if p.simulated => Some("not used by a simulated profile".into()),
        Some(aws) if !aws_profiles.is_empty() && !aws_profiles.contains(aws) => Some(format!(
            "not in ~/.aws/config ({}): C-n picks one",
            aws_profiles.join(", ")
        )),
        None if !p.simulated && !aws_profiles.is_empty() => Some(format!(
            "empty: AWS_PROFILE or the default chain; C-n picks from {}",
            aws_profiles.join(", ")
        )),
        _ => None,
    }
}

/// A plain-http endpoint beyond this machine needs the file's allow_insecure_endpoint.
fn endpoint_warning(p: &Profile, _: &[String]) -> Option<String> {
    let url = p.endpoint_url.as_deref()?;
    crate::endpoint::check_endpoint(url, false).err().map(|_| {
        "plain http beyond this machine: add allow_insecure_endpoint = true in the file to use it"
            .into()
    })
}

/// The key named `name`.
pub fn key(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

/// The names of the keys, in order.
#[cfg(test)]
pub fn names() -> Vec<&'static str> {
    KEYS.iter().map(|k| k.name).collect()
}

/// The keys the form and `cfdash profile add` set, in their order: the keys set only when a
/// profile is added come last, and only when `adding`.
pub fn editable(adding: bool) -> impl Iterator<Item = (&'static Key, &'static Editable)> {
    let all = || KEYS.iter().filter_map(|k| k.edit.as_ref().map(|e| (k, e)));
    all()
        .filter(|(_, e)| !e.only_new)
        .chain(all().filter(move |(_, e)| adding && e.only_new))
}

impl Kind {
    /// The type its TOML value must have.
    pub fn shape(&self) -> Shape {
        match self {
            Kind::Text(_) | Kind::Choice(_) | Kind::Path(_) => Shape::Str,
            Kind::List(_) => Shape::Strings,
            Kind::Flag(_) => Shape::Bool,
            Kind::Count(_) => Shape::Count,
            Kind::Presets(_) => Shape::Table,
        }
    }
}

impl Key {
    /// Reads a value whose shape was checked into its field.
    pub fn read(&self, item: &Item, p: &mut Profile) {
        let text = || item.as_str().map(str::to_string);
        match &self.kind {
            Kind::Text(f) | Kind::Choice(f) => (f.set)(p, text()),
            Kind::List(f) => (f.set)(p, strings(item)),
            Kind::Flag(f) => (f.set)(p, item.as_bool().unwrap_or_default()),
            Kind::Count(f) => (f.set)(p, item.as_integer().map(|n| n as u64)),
            Kind::Path(f) => (f.set)(p, text().map(PathBuf::from)),
            Kind::Presets(f) => {
                let lists = item
                    .as_table_like()
                    .map(|t| t.iter().map(|(k, v)| (k.to_string(), strings(v))).collect())
                    .unwrap_or_default();
                (f.set)(p, lists)
            }
        }
    }

    /// The value of a text key, if it has one.
    pub fn text(&self, p: &Profile) -> Option<String> {
        match &self.kind {
            Kind::Text(f) | Kind::Choice(f) => (f.get)(p),
            _ => None,
        }
    }

    /// Copies its value from one profile to another.
    pub fn copy(&self, from: &Profile, to: &mut Profile) {
        match &self.kind {
            Kind::Text(f) | Kind::Choice(f) => (f.set)(to, (f.get)(from)),
            Kind::List(f) => (f.set)(to, (f.get)(from)),
            Kind::Flag(f) => (f.set)(to, (f.get)(from)),
            Kind::Count(f) => (f.set)(to, (f.get)(from)),
            Kind::Path(f) => (f.set)(to, (f.get)(from)),
            Kind::Presets(f) => (f.set)(to, (f.get)(from)),
        }
    }

    /// Its value in `cfdash profile show --json`.
    pub fn json(&self, p: &Profile) -> serde_json::Value {
        use serde_json::json;
        match &self.kind {
            Kind::Text(f) | Kind::Choice(f) => json!((f.get)(p)),
            Kind::List(f) => json!((f.get)(p)),
            Kind::Flag(f) => json!((f.get)(p)),
            Kind::Count(f) => json!((f.get)(p)),
            Kind::Path(f) => json!((f.get)(p)),
            Kind::Presets(f) => json!((f.get)(p)),
        }
    }

    /// Writes its value into a profile's table: an empty text or list removes the key, and
    /// a flag is written when true or already there. The comment after a text is kept.
    pub fn write(&self, table: &mut Table, p: &Profile) {
        let key = self.name;
        match &self.kind {
            Kind::Text(f) | Kind::Choice(f) => match (f.get)(p) {
                Some(v) if !v.is_empty() => match table.get_mut(key).and_then(Item::as_value_mut) {
                    Some(old) => {
                        let decor = old.decor().clone();
                        *old = v.as_str().into();
                        *old.decor_mut() = decor;
                    }
                    None => {
                        table.insert(key, value(v));
                    }
                },
                _ => {
                    table.remove(key);
                }
            },
            Kind::List(f) => {
                let list = (f.get)(p);
                if list.is_empty() {
                    table.remove(key);
                } else {
                    let mut a = toml_edit::Array::new();
                    for v in &list {
                        a.push(v.as_str());
                    }
                    table.insert(key, value(a));
                }
            }
            Kind::Flag(f) => {
                let v = (f.get)(p);
                if v || table.contains_key(key) {
                    table.insert(key, value(v));
                }
            }
            // Not set outside the file: left as it is.
            Kind::Count(_) | Kind::Path(_) | Kind::Presets(_) => {}
        }
    }
}

fn strings(item: &Item) -> Vec<String> {
    item.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The keys the form and `cfdash profile add` set, in the order the writer writes them: a
/// new table starts with the keys set only when adding (`simulated = true` heads it).
pub(super) fn written(new: bool) -> impl Iterator<Item = &'static Key> {
    let all = || KEYS.iter().filter(|k| k.edit.is_some());
    all()
        .filter(move |k| new && k.edit.as_ref().is_some_and(|e| e.only_new))
        .chain(all().filter(|k| k.edit.as_ref().is_some_and(|e| !e.only_new)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value of the key's kind, as the file would hold it.
    fn sample(kind: &Kind) -> Item {
        let text = match kind {
            Kind::Text(_) | Kind::Choice(_) | Kind::Path(_) => "\"x\"",
            Kind::List(_) => "[\"x\"]",
            Kind::Flag(_) => "true",
            Kind::Count(_) => "7",
            Kind::Presets(_) => "{ home = [\"/\"] }",
        };
        let doc: toml_edit::DocumentMut = format!("v = {text}").parse().unwrap();
        doc["v"].clone()
    }

    /// Every key reaches its own field and no other: read alone, it is the only key whose
    /// value differs from a default profile's, and it copies whole.
    #[test]
    fn each_key_reaches_its_own_field() {
        let blank = Profile::default();
        for key in KEYS {
            let item = sample(&key.kind);
            assert!(key.kind.shape().fits(&item), "{}", key.name);
            let mut p = Profile::default();
            key.read(&item, &mut p);
            assert_ne!(p, blank, "{}", key.name);
            for other in KEYS {
                assert_eq!(
                    other.json(&p) == other.json(&blank),
                    other.name != key.name,
                    "{} read, {} looked at",
                    key.name,
                    other.name
                );
            }
            let mut copy = Profile::default();
            key.copy(&p, &mut copy);
            assert_eq!(copy, p, "{}", key.name);
        }
    }

    #[test]
    fn every_key_is_read_from_the_file() {
        let text = "[profiles.a]\nregion = \"eu-west-1\"\nsim_seed = 3\nread_only = true\n";
        let p = &super::super::Config::parse(text).unwrap().profiles["a"];
        assert_eq!(p.region.as_deref(), Some("eu-west-1"));
        assert_eq!(p.sim_seed, Some(3));
        assert!(p.read_only);
        let names: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "each key once");
    }

    #[test]
    fn checks_are_on_text_and_edits_on_what_the_form_and_flags_can_hold() {
        for k in KEYS {
            if k.check.is_some() {
                assert!(
                    matches!(k.kind, Kind::Text(_) | Kind::Choice(_)),
                    "{}",
                    k.name
                );
            }
            if k.edit.is_some() {
                assert!(
                    matches!(
                        k.kind,
                        Kind::Text(_) | Kind::Choice(_) | Kind::List(_) | Kind::Flag(_)
                    ),
                    "{}",
                    k.name
                );
            }
        }
    }

    /// The keys set only when adding come last in the form and on the command line (editing
    /// drops them), first in a new table, and not at all when editing.
    #[test]
    fn the_form_order_and_the_writer_order() {
        let only_new = |k: &Key| k.edit.as_ref().is_some_and(|e| e.only_new);
        let form: Vec<&Key> = editable(true).map(|(k, _)| k).collect();
        let split = form.iter().position(|k| only_new(k)).unwrap_or(form.len());
        assert!(form[split..].iter().all(|k| only_new(k)));
        assert!(editable(false).all(|(k, _)| !only_new(k)));
        assert_eq!(editable(false).count(), split);
        let new: Vec<&Key> = written(true).collect();
        assert!(new[..form.len() - split].iter().all(|k| only_new(k)));
        assert_eq!(new.len(), form.len());
        assert!(written(false).all(|k| !only_new(k)));
        assert_eq!(written(false).count(), split);
        assert_eq!(
            form.last().map(|k| k.name),
            Some("simulated"),
            "the form ends with the simulator switch"
        );
    }
}
