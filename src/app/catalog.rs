//! The profiles catalog: every profile that can be opened, the file they come from and
//! whether it could be read, the AWS profiles offered, and the switcher's row.

use super::profiles::ProfileEntry;
use super::session::Presets;
use crate::config::{Config, Profile};

#[derive(Debug, Default)]
pub struct Catalog {
    /// Every profile that can be opened: the file's, and the built-in demo.
    pub profiles: Vec<ProfileEntry>,
    pub default_profile: Option<String>,
    /// Where the profiles file is.
    pub config_path: std::path::PathBuf,
    /// Why the file could not be read: editing profiles is off until it is fixed.
    pub config_error: Option<String>,
    /// The profiles of ~/.aws/config, offered for aws_profile.
    pub aws_profiles: Vec<String>,
    /// The switcher's selected row.
    pub switcher: usize,
    /// The simulated account's presets, for simulated profiles that name none.
    pub sim_presets: Presets,
}

impl Catalog {
    pub fn get(&self, name: &str) -> Option<&ProfileEntry> {
        self.profiles.iter().find(|p| p.name == name)
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.profiles.iter().position(|p| p.name == name)
    }

    /// The profile on the switcher's row.
    pub fn selected(&self) -> Option<&ProfileEntry> {
        self.profiles.get(self.switcher)
    }

    /// The profiles of the file, plus the built-in ones that are not in it.
    pub fn set(&mut self, config: Option<&Config>) {
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
        self.switcher = self.switcher.min(self.profiles.len().saturating_sub(1));
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
}
