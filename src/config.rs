//! Named profiles in TOML (DESIGN.md, "Config"). This module reads them; validating edits
//! and saving come with the profiles issue. A profile says how to reach an account and
//! never holds a secret.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// A profile of `~/.aws/config` (SSO, assume-role, credential_process all work).
    pub aws_profile: Option<String>,
    /// The signing region: us-east-1 unless said (cn-northwest-1 in China).
    pub region: Option<String>,
    /// An emulator or a private endpoint.
    pub endpoint_url: Option<String>,
    /// Allow signed requests to a plain-http endpoint that is not loopback.
    #[serde(default)]
    pub allow_insecure_endpoint: bool,
    /// Pinned distributions (id, alias or domain).
    #[serde(default)]
    pub distributions: Vec<String>,
    /// The embedded simulator instead of AWS.
    #[serde(default)]
    pub simulated: bool,
    pub sim_seed: Option<u64>,
    pub sim_data: Option<PathBuf>,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub confirm_by_typing: bool,
    /// Named path lists for the form.
    #[serde(default)]
    pub presets: BTreeMap<String, Vec<String>>,
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
    directories::ProjectDirs::from("", "", "cfdash")
        .map(|d| d.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("cfdash.toml"))
}

impl Config {
    /// Reads the file; `Ok(None)` when there is none. Errors name the file, and for TOML
    /// errors the line and column.
    pub fn load(path: &Path) -> Result<Option<Self>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Self::parse(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|span| {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!("line {line}, column {column}: ")
                })
                .unwrap_or_default();
            format!("{at}{}", e.message())
        })
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

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none yet".into()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn errors_name_line_and_column() {
        let err = Config::parse("[profiles.a]\nregion = \"x\"\nsecret_key = \"no\"\n").unwrap_err();
        assert!(err.starts_with("line 3, column 1: "), "{err}");
        assert!(err.contains("secret_key"), "{err}");
        let err = Config::parse("[profiles.a]\nregion = \n").unwrap_err();
        assert!(err.starts_with("line 2"), "{err}");
    }

    #[test]
    fn the_bundled_example_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/config.example.toml");
        let c = Config::load(&path).unwrap().expect("the example exists");
        assert_eq!(c.pick(None).unwrap().0, "staging");
        assert!(c.profiles["prod"].read_only);
        assert!(c.profiles["demo"].simulated);
        assert_eq!(c.profiles.len(), 4);
    }

    #[test]
    fn a_missing_file_is_no_config() {
        assert_eq!(
            Config::load(Path::new("/nonexistent/cfdash.toml")),
            Ok(None)
        );
    }
}
