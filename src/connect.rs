//! From a profile to a backend: the embedded simulator, or CloudFront through the AWS SDK.

use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::Clock;
use crate::cloudfront::CloudFront;
use crate::cloudfront::aws::{AwsCloudFront, AwsSettings};
use crate::cloudfront::sim::{SimCloudFront, SimData, SimSettings};
use crate::config::Profile;

/// What every profile's backend is made with.
pub struct Connector {
    /// The simulator's knobs from the command line; a profile's `sim_seed` overrides the
    /// seed.
    pub sim: SimSettings,
    /// `--sim-data`: the simulated account for every simulated profile.
    pub sim_data: Option<PathBuf>,
    pub clock: Arc<dyn Clock>,
}

impl Connector {
    /// The simulated account of a profile.
    pub fn sim_data(&self, profile: &Profile) -> Result<SimData, String> {
        match self.sim_data.as_ref().or(profile.sim_data.as_ref()) {
            Some(p) => SimData::from_file(p),
            None => Ok(SimData::demo()),
        }
    }

    /// Makes the backend a profile describes. AWS clients resolve credentials lazily, so
    /// this does not call the network; the endpoint the SDK would use is checked first.
    pub async fn connect(
        &self,
        name: &str,
        profile: &Profile,
    ) -> Result<Arc<dyn CloudFront>, String> {
        if profile.simulated {
            let data = self.sim_data(profile)?;
            let mut settings = self.sim.clone();
            if let Some(seed) = profile.sim_seed {
                settings.seed = seed;
            }
            return Ok(Arc::new(SimCloudFront::new(
                data,
                settings,
                self.clock.clone(),
            )));
        }
        tracing::info!(profile = %name, "connecting");
        let aws = AwsCloudFront::connect(&aws_settings(name, profile))
            .await
            .map_err(|e| format!("profile {name}: {e}"))?;
        Ok(Arc::new(aws))
    }
}

/// The AWS side of the profile `name`.
fn aws_settings(name: &str, profile: &Profile) -> AwsSettings {
    AwsSettings {
        name: Some(name.to_string()),
        aws_profile: profile.aws_profile.clone(),
        region: profile.region.clone(),
        endpoint_url: profile.endpoint_url.clone(),
        allow_insecure_endpoint: profile.allow_insecure_endpoint,
    }
}
