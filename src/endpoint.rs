//! Where signed requests go, checked before one is sent: over https, or over plain http
//! only to this machine, unless the profile says `allow_insecure_endpoint = true`. The app
//! (the profile form, the check before the terminal is taken) and the SDK client
//! (`AwsCloudFront::connect`) both check here.

use std::net::IpAddr;

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
}
