//! The SDK path against an emulator on loopback, signing with dummy keys given to the
//! client, not set in the process environment.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use cfdash::cloudfront::aws::{AwsCloudFront, AwsSettings};

/// An SDK client of `endpoint` (plain http on loopback) with dummy keys.
pub async fn client(endpoint: &str) -> AwsCloudFront {
    let keys = Credentials::new("testing", "testing", None, None, "cfdash tests");
    AwsCloudFront::with_credentials(
        &AwsSettings {
            endpoint_url: Some(endpoint.to_string()),
            ..Default::default()
        },
        SharedCredentialsProvider::new(keys),
    )
    .await
    .unwrap()
}
