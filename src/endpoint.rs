//! Where signed requests go, checked before one is sent: over https, or over plain http
//! only to this machine, unless the profile says `allow_insecure_endpoint = true`.
//!
//! The app (the profile form, the check before the terminal is taken) and the SDK client
//! (`AwsCloudFront::connect`) both check here. The endpoint checked is the one the SDK
//! will use, wherever it is configured.

use std::net::IpAddr;

use aws_config::SdkConfig;
use aws_types::service_config::ServiceConfigKey;

/// The endpoint a CloudFront client made from `config` sends its requests to, chosen as
/// aws-sdk-cloudfront's `From<&SdkConfig>` chooses it: one set in code (a cfdash profile's
/// `endpoint_url`) wins; else the service-specific one (`AWS_ENDPOINT_URL_CLOUDFRONT`, a
/// `services` section's `cloudfront = endpoint_url = …`); else the global one
/// (`AWS_ENDPOINT_URL`, the AWS profile's `endpoint_url`). aws-config has already dropped
/// the configured ones if `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or
/// `ignore_configured_endpoint_urls` says so. `None`: CloudFront's own https endpoint.
pub fn sdk_endpoint(config: &SdkConfig) -> Option<String> {
    if config.get_origin("endpoint_url").is_client_config() {
        return config.endpoint_url().map(str::to_string);
    }
    let key = ServiceConfigKey::builder()
        .service_id("CloudFront")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .expect("every part of the key is set");
    config
        .service_config()
        .and_then(|c| c.load_config(key))
        .or_else(|| config.endpoint_url().map(str::to_string))
}

/// The endpoint `config` sends to, checked.
pub fn check_config(config: &SdkConfig, allow_insecure: bool) -> Result<(), String> {
    let Some(url) = sdk_endpoint(config) else {
        return Ok(());
    };
    check_endpoint(&url, allow_insecure).map_err(|e| {
        if config.get_origin("endpoint_url").is_client_config() {
            e
        } else {
            format!(
                "{e} (the endpoint comes from AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDFRONT or \
                 endpoint_url in the AWS config file; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true \
                 ignores those)"
            )
        }
    })
}

/// Signed requests go over https, or plain http to this machine only, unless the profile
/// allows otherwise.
pub fn check_endpoint(url: &str, allow_insecure: bool) -> Result<(), String> {
    let Some(host) = plain_http_host(url)? else {
        return Ok(());
    };
    if is_loopback(&host) || allow_insecure {
        Ok(())
    } else {
        Err(format!(
            "refusing to send signed requests to {url} over plain http: use https, or set \
             allow_insecure_endpoint = true in the profile if this network is trusted"
        ))
    }
}

/// `None` for https; the host, lowercase, for plain http; an error for anything else.
fn plain_http_host(url: &str) -> Result<Option<String>, String> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(None);
    }
    let Some(rest) = lower.strip_prefix("http://") else {
        return Err(format!(
            "endpoint_url {url} must start with https:// (or http:// for an emulator on this machine)"
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    Ok(Some(host.to_string()))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_machine() {
        for ok in [
            "https://cloudfront.amazonaws.com",
            "http://127.0.0.1:5000",
            "http://localhost:4566/",
            "http://[::1]:9000",
            "HTTP://127.0.0.2",
        ] {
            assert_eq!(check_endpoint(ok, false), Ok(()), "{ok}");
        }
        for bad in [
            "http://10.0.0.5:5000",
            "http://emulator.internal",
            "http://localhost.evil.com",
            "http://127.0.0.1@evil.com",
        ] {
            let err = check_endpoint(bad, false).unwrap_err();
            assert!(err.contains("allow_insecure_endpoint"), "{bad}: {err}");
            assert_eq!(check_endpoint(bad, true), Ok(()), "{bad} allowed");
        }
        assert!(
            check_endpoint("ftp://x", true)
                .unwrap_err()
                .contains("https://")
        );
    }

    #[test]
    fn the_sdk_endpoint_is_the_one_set_in_code_then_the_cloudfront_one_then_the_global_one() {
        use aws_types::service_config::LoadServiceConfig;

        #[derive(Debug)]
        struct Service(Option<&'static str>);
        impl LoadServiceConfig for Service {
            fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
                assert_eq!(
                    (key.service_id(), key.env(), key.profile()),
                    ("CloudFront", "AWS_ENDPOINT_URL", "endpoint_url")
                );
                self.0.map(str::to_string)
            }
        }
        let global = |service: Option<&'static str>| {
            SdkConfig::builder()
                .endpoint_url("http://global.invalid")
                .service_config(Service(service))
                .build()
        };
        // As aws-config loads it: the global one has an origin that is not code.
        let mut loaded = global(Some("http://cloudfront.invalid")).into_builder();
        loaded.insert_origin(
            "endpoint_url",
            aws_types::origin::Origin::shared_environment_variable(),
        );
        assert_eq!(
            sdk_endpoint(&loaded.build()).as_deref(),
            Some("http://cloudfront.invalid")
        );
        let mut loaded = global(None).into_builder();
        loaded.insert_origin(
            "endpoint_url",
            aws_types::origin::Origin::shared_profile_file(),
        );
        assert_eq!(
            sdk_endpoint(&loaded.build()).as_deref(),
            Some("http://global.invalid")
        );
        // Set in code: wins over the service-specific one.
        let mut code = global(Some("http://cloudfront.invalid")).into_builder();
        code.insert_origin("endpoint_url", aws_types::origin::Origin::shared_config());
        assert_eq!(
            sdk_endpoint(&code.build()).as_deref(),
            Some("http://global.invalid")
        );
        assert_eq!(sdk_endpoint(&SdkConfig::builder().build()), None);
    }
}
