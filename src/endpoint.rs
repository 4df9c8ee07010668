//! Where signed requests go, checked before one is sent: over https, or over plain http
//! only when the endpoint and any proxy it goes through are on this machine, unless the
//! profile says `allow_insecure_endpoint = true`.
//!
//! The app (the profile form, the check before the terminal is taken) and the SDK client
//! (`AwsCloudFront::connect`) both check here. The endpoint checked is the one the SDK
//! will use, wherever it is configured, and the proxy is the one its HTTP client will use.

use std::net::IpAddr;

use aws_config::SdkConfig;
use aws_types::service_config::ServiceConfigKey;
use hyper::Uri;
use hyper_util::client::proxy::matcher::Matcher;

/// The endpoint a CloudFront client made from `config` sends its requests to, chosen as
/// aws-sdk-cloudfront's `From<&SdkConfig>` chooses it: one set in code (a cfdash profile's
/// `endpoint_url`) wins; else the service-specific one (`AWS_ENDPOINT_URL_CLOUDFRONT`, a
/// `services` section's `cloudfront = endpoint_url = …`); else the global one
/// (`AWS_ENDPOINT_URL`, the AWS profile's `endpoint_url`). aws-config has already dropped
/// the configured ones if `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or
/// `ignore_configured_endpoint_urls` says so. `None`: CloudFront's own https endpoint.
/// Whether the endpoint the SDK will use is on this machine: an emulator, most likely.
pub fn is_local(config: &SdkConfig) -> bool {
    sdk_endpoint(config)
        .and_then(|u| url::Url::parse(&u).ok())
        .and_then(|u| {
            u.host_str()
                .map(|h| is_loopback(h.trim_start_matches('[').trim_end_matches(']')))
        })
        .unwrap_or(false)
}

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

/// Where a URL's authority (user info, host, port) is: after `scheme://`, up to the path,
/// query or fragment.
fn authority(url: &str) -> std::ops::Range<usize> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    start..end
}

/// An authority's host and what follows it (`:port`, or nothing); an IPv6 host without its
/// brackets (`None` when the closing one is missing).
fn host_and_port(authority: &str) -> (&str, Option<&str>) {
    match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((ip, rest)) => (ip, Some(rest)),
            None => (v6, None),
        },
        None => match authority.find(':') {
            Some(i) => (&authority[..i], Some(&authority[i..])),
            None => (authority, Some("")),
        },
    }
}

/// A URL as messages and the log may show it: any user name or password replaced by "…",
/// control characters escaped, cut if long.
pub fn shown(url: &str) -> String {
    let at = authority(url);
    let redacted = match url[at.clone()].rfind('@') {
        Some(i) => format!("{}…{}", &url[..at.start], &url[at.start + i..]),
        None => url.to_string(),
    };
    crate::text::quote(&redacted)
}

/// The shape of an endpoint URL, wherever it is written: http or https (in any case), a
/// host, a port from 1 to 65535, and no user name or password (a credential in a URL would
/// be shown, logged and sent in every request's Host line; the message does not repeat it).
pub fn check_url(url: &str) -> Result<(), String> {
    let authority = &url[authority(url)];
    if authority.contains('@') {
        return Err(format!(
            "the endpoint URL {} has a user name or password in it: cfdash never stores \
             credentials; put them in ~/.aws/credentials or use SSO (aws configure sso), name \
             that profile with aws_profile, and write the URL without them",
            shown(url)
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "\"{}\" is not a valid URL: it holds a space or a control character",
            shown(url)
        ));
    }
    let lower = url.to_ascii_lowercase();
    if !lower.starts_with("https://") && !lower.starts_with("http://") {
        return Err(format!(
            "\"{}\" is not an http:// or https:// URL",
            shown(url)
        ));
    }
    // The host as the SDK's endpoint rules take it: a name of letters, digits, dots,
    // hyphens (and underscores), or an IP address, IPv6 in brackets; then perhaps a port.
    let (host, port) = host_and_port(authority);
    let bracketed = authority.starts_with('[');
    if bracketed && (port.is_none() || host.parse::<std::net::Ipv6Addr>().is_err()) {
        return Err(format!(
            "\"{}\" has no valid IPv6 address in [ ]",
            shown(url)
        ));
    }
    let port = port.unwrap_or_default();
    if host.is_empty() {
        return Err(format!("\"{}\" has no host", shown(url)));
    }
    let name_ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':');
    if !host.chars().all(name_ok) {
        return Err(format!(
            "\"{}\" is not a valid URL: its host may hold letters, digits, dots and hyphens",
            shown(url)
        ));
    }
    if !port.is_empty() {
        let valid = port
            .strip_prefix(':')
            .and_then(|p| p.parse::<u16>().ok())
            .is_some_and(|p| p > 0);
        if !valid {
            return Err(format!(
                "\"{}\" is not a valid URL: its port must be a number from 1 to 65535",
                shown(url)
            ));
        }
    }
    Ok(())
}

/// The variables that name an endpoint, the CloudFront one first.
const ENDPOINT_VARS: [&str; 2] = ["AWS_ENDPOINT_URL_CLOUDFRONT", "AWS_ENDPOINT_URL"];

/// The endpoint variables of the environment must hold URLs the SDK can use: it drops one
/// that is not UTF-8 or that its URL parser refuses with only a log line, and sends to
/// CloudFront itself, which is not what whoever set `AWS_ENDPOINT_URL=…` for an emulator
/// meant. So each is read as the SDK reads it (UTF-8, then `url::Url::parse`, its parser)
/// as well as by [`check_url`].
fn check_env_urls() -> Result<(), String> {
    for var in ENDPOINT_VARS {
        match std::env::var(var) {
            Ok(value) if !value.is_empty() => {
                check_url(&value)
                    .and_then(|()| {
                        url::Url::parse(&value)
                            .map(drop)
                            .map_err(|e| format!("\"{}\" is not a valid URL: {e}", shown(&value)))
                    })
                    .map_err(|e| format!("{var}: {e}; fix it, or unset it"))?;
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(format!(
                    "{var} is not UTF-8 text, so the AWS SDK would ignore it and send to \
                     CloudFront itself: fix it, or unset it"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The endpoint `config` sends to, and the proxy it goes through, checked.
pub fn check_config(config: &SdkConfig, allow_insecure: bool) -> Result<(), String> {
    check_env_urls()?;
    // None: CloudFront's own https endpoint (a variable set but ignored, as
    // `ignore_configured_endpoint_urls` asks, included).
    let Some(url) = sdk_endpoint(config) else {
        return Ok(());
    };
    check_route(&url, allow_insecure, &Matcher::from_env()).map_err(|e| {
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
/// allows otherwise. The URL alone: see [`check_route`] for the proxy.
pub fn check_endpoint(url: &str, allow_insecure: bool) -> Result<(), String> {
    check_url(url)?;
    let Some(host) = plain_http_host(url)? else {
        return Ok(());
    };
    if is_loopback(&host) || allow_insecure {
        Ok(())
    } else {
        Err(format!(
            "refusing to send signed requests to {} over plain http: use https, or set \
             allow_insecure_endpoint = true in the profile if this network is trusted",
            shown(url)
        ))
    }
}

/// [`check_endpoint`], and for plain http the proxy `proxies` sends it through (as the
/// SDK's HTTP client picks one from HTTP_PROXY, ALL_PROXY and NO_PROXY): a proxy off this
/// machine would read the signed requests and the session token.
pub fn check_route(url: &str, allow_insecure: bool, proxies: &Matcher) -> Result<(), String> {
    check_endpoint(url, allow_insecure)?;
    if allow_insecure || plain_http_host(url)?.is_none() {
        return Ok(());
    }
    let Ok(uri) = url.parse::<Uri>() else {
        return Ok(());
    };
    let Some(proxy) = proxies.intercept(&uri) else {
        return Ok(());
    };
    let host = proxy.uri().host().unwrap_or("").to_ascii_lowercase();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if is_loopback(host) {
        return Ok(());
    }
    // The host and port only: a proxy's URL may hold a password.
    let port = proxy
        .uri()
        .port_u16()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    Err(format!(
        "refusing to send signed requests to {} over plain http through the proxy \
         {host}{port} (HTTP_PROXY or ALL_PROXY): use https, add the endpoint's host to \
         NO_PROXY, or set allow_insecure_endpoint = true in the profile if this network is \
         trusted",
        shown(url)
    ))
}

/// `None` for https; the host, lowercase, for plain http; an error for anything else.
fn plain_http_host(url: &str) -> Result<Option<String>, String> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(None);
    }
    if !lower.starts_with("http://") {
        return Err(format!(
            "endpoint_url {} must start with https:// (or http:// for an emulator on this machine)",
            shown(url)
        ));
    }
    let authority = &lower[authority(&lower)];
    // After any user info (which `check_url` refuses anyway).
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    Ok(Some(host_and_port(authority).0.to_string()))
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
    fn a_credential_in_a_url_is_refused_wherever_and_never_shown() {
        for url in [
            "http://127.0.0.1@evil.invalid",
            "https://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIsecret@host.invalid",
            "http://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIsecret@127.0.0.1:18080/x",
            "ftp://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIsecret@evil.invalid",
        ] {
            for err in [
                check_endpoint(url, true).unwrap_err(),
                check_url(url).unwrap_err(),
            ] {
                assert!(err.contains("user name or password"), "{err}");
                assert!(!err.contains("AKIA") && !err.contains("secret"), "{err}");
            }
        }
        assert_eq!(
            shown("https://K:S@h.invalid:9/p?q=@"),
            "https://…@h.invalid:9/p?q=@"
        );
        assert_eq!(shown("http://a\u{1b}b"), "http://a\\u{1b}b");
    }

    #[test]
    fn urls_the_sdk_could_not_use_are_refused() {
        assert_eq!(check_url("HTTPS://cf.example.com"), Ok(()));
        assert_eq!(check_url("http://127.0.0.1:5000/"), Ok(()));
        for bad in [
            "http://[::1]evil.invalid:18080",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:0",
            "http://",
            "127.0.0.1:5000",
            "http://a b.invalid",
            "http://127.0.0.1:5000/ junk",
            "http://127.0.0.1:5000/\tx",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn plain_http_through_a_proxy_only_when_the_proxy_is_on_this_machine() {
        let off = Matcher::builder()
            .http("http://user:secret@proxy.invalid:3128")
            .build();
        let err = check_route("http://127.0.0.1:5000", false, &off).unwrap_err();
        assert!(
            err.starts_with(
                "refusing to send signed requests to http://127.0.0.1:5000 over plain http \
                 through the proxy proxy.invalid:3128"
            ),
            "{err}"
        );
        assert!(!err.contains("secret"), "{err}");
        assert_eq!(check_route("http://127.0.0.1:5000", true, &off), Ok(()));
        // https goes through a tunnel the proxy cannot read.
        assert_eq!(check_route("https://cf.example.com", false, &off), Ok(()));
        // ALL_PROXY counts for http too.
        let all = Matcher::builder().all("http://proxy.invalid:3128").build();
        assert!(check_route("http://localhost:4566", false, &all).is_err());
        // An https-only proxy is not used for http.
        let https = Matcher::builder()
            .https("http://proxy.invalid:3128")
            .build();
        assert_eq!(check_route("http://localhost:4566", false, &https), Ok(()));
        // NO_PROXY for the endpoint's host: sent directly.
        let bypassed = Matcher::builder()
            .http("http://proxy.invalid:3128")
            .no("127.0.0.1,localhost")
            .build();
        assert_eq!(
            check_route("http://127.0.0.1:5000", false, &bypassed),
            Ok(())
        );
        // A proxy on this machine.
        for local in [
            "http://127.0.0.1:3128",
            "http://localhost:8080",
            "http://[::1]:3128",
        ] {
            let m = Matcher::builder().http(local).build();
            assert_eq!(
                check_route("http://127.0.0.1:5000", false, &m),
                Ok(()),
                "{local}"
            );
        }
        // The endpoint itself is checked first.
        let none = Matcher::builder().build();
        assert!(check_route("http://10.0.0.5", false, &none).is_err());
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
