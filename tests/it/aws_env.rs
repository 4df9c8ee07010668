//! The AWS environment the aws CLI honours, honoured here too: HTTP(S)_PROXY sends the
//! SDK's requests through a proxy, and AWS_CA_BUNDLE is read (and refused clearly when it
//! cannot be used). And the endpoint and proxy the SDK would use, wherever they are
//! configured, are checked before anything is sent: the binary is run with an environment
//! and a HOME of its own, and every host that is not loopback is under `.invalid`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

/// A proxy that answers every request itself with an empty distribution list, and
/// remembers the request lines it saw.
fn proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
            }
            log.lock().unwrap().push(first.trim().to_string());
            let body = "<?xml version=\"1.0\"?><DistributionList xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>0</Quantity></DistributionList>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (address, seen)
}

#[test]
fn proxy_and_ca_bundle_variables_are_honoured() {
    let (proxy_url, seen) = proxy();
    let home = home("proxy-ca", "", "");
    // The endpoint is never contacted directly: nothing listens there.
    let listed = |bundle: Option<&Path>| {
        let mut vars = vec![
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9/"),
            ("HTTP_PROXY", proxy_url.as_str()),
        ];
        let bundle = bundle.map(|b| b.to_str().unwrap());
        if let Some(b) = bundle {
            vars.push(("AWS_CA_BUNDLE", b));
        }
        cfdash(&home, &["distributions", "--json"], &vars)
    };

    // The SDK's default client goes through HTTP_PROXY.
    let o = listed(None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[]");
    let lines = seen.lock().unwrap().clone();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("GET http://127.0.0.1:9/2020-05-31/distribution"),
        "absolute-form request to the proxy: {lines:?}"
    );

    // AWS_CA_BUNDLE that cannot be read, or holds no certificate: a clear error.
    let missing = home.join("missing.pem");
    let o = listed(Some(&missing));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("AWS_CA_BUNDLE") && err.contains(&missing.display().to_string()),
        "{err}"
    );
    let junk = home.join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let o = listed(Some(&junk));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no PEM certificate"), "{}", stderr(&o));
    assert_eq!(seen.lock().unwrap().len(), 1, "nothing sent");

    // A real bundle: the client built around it still honours the proxy.
    let bundle = ["/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())
        .expect("the system CA bundle");
    let o = listed(Some(bundle));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(seen.lock().unwrap().len(), 2);
}

/// A HOME of its own for one run: `~/.aws/config` (AWS_CONFIG_FILE) holds `aws_config`, the
/// profiles file `cfdash_config` (none when empty).
fn home(name: &str, aws_config: &str, cfdash_config: &str) -> PathBuf {
    let home = std::env::temp_dir().join(format!("cfdash-aws-env-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(home.join(".aws/config"), aws_config).unwrap();
    if !cfdash_config.is_empty() {
        std::fs::write(home.join("cfdash.toml"), cfdash_config).unwrap();
    }
    home
}

/// cfdash with only these variables besides dummy keys, so neither this machine's AWS
/// setup nor this process's environment leaks in.
fn cfdash(home: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    isolated(home, args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_SESSION_TOKEN", "session-token")
        .envs(vars.iter().copied())
        .output()
        .unwrap()
}

/// cfdash with its files in `home`, the metadata service off, and nothing else of this
/// process's environment (no credentials either).
fn isolated(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cfdash"));
    command
        .args(args)
        .env_clear()
        .env("CFDASH_JOURNAL", crate::common::run_journal())
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join(".aws/config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("CFDASH_CONFIG", home.join("cfdash.toml"))
        .env("CFDASH_LOG_FILE", home.join("cfdash.log"))
        .stdin(Stdio::null());
    command
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Refused with the plain-http sentence for `url`: exit 2, and no connection or DNS
/// error, since nothing was tried.
#[track_caller]
fn assert_refused(o: &Output, url: &str, what: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{what}: {e}");
    assert!(
        e.contains(&format!(
            "refusing to send signed requests to {url} over plain http"
        )),
        "{what}: {e}"
    );
}

/// The start-up checks passed: the app only stops because there is no terminal.
#[track_caller]
fn assert_passed(o: &Output, what: &str) {
    let e = stderr(o);
    assert!(e.contains("the dashboard needs a terminal"), "{what}: {e}");
    assert!(!e.contains("refusing"), "{what}: {e}");
}

const LAB: &str = "[profiles.lab]\naws_profile = \"lab\"\n";

#[test]
fn endpoints_configured_for_the_aws_sdk_are_checked_before_anything_is_sent() {
    // (case, ~/.aws/config, profiles file, variables, the endpoint the SDK would use)
    type Vars = &'static [(&'static str, &'static str)];
    let cases: [(&str, &str, &str, Vars, &str); 6] = [
        (
            "default-profile",
            "[default]\nendpoint_url = http://global.invalid:8080\n",
            "",
            &[],
            "http://global.invalid:8080",
        ),
        (
            "services-section",
            "[default]\nendpoint_url = https://global.invalid\nservices = local\n\n\
             [services local]\ncloudfront =\n  endpoint_url = http://cloudfront.invalid:8080\n",
            "",
            &[],
            "http://cloudfront.invalid:8080",
        ),
        (
            "aws-profile-of-a-cfdash-profile",
            "[profile lab]\nendpoint_url = http://lab.invalid:8080\n",
            LAB,
            &[],
            "http://lab.invalid:8080",
        ),
        (
            "aws-profile-variable",
            "[profile lab]\nendpoint_url = http://lab.invalid:8080\n",
            "",
            &[("AWS_PROFILE", "lab")],
            "http://lab.invalid:8080",
        ),
        (
            "global-variable",
            "",
            "",
            &[("AWS_ENDPOINT_URL", "http://env.invalid:8080")],
            "http://env.invalid:8080",
        ),
        (
            "cloudfront-variable",
            "",
            "",
            &[
                ("AWS_ENDPOINT_URL", "https://env.invalid"),
                ("AWS_ENDPOINT_URL_CLOUDFRONT", "http://env-cf.invalid:8080"),
            ],
            "http://env-cf.invalid:8080",
        ),
    ];
    for (case, aws_config, cfdash_config, vars, url) in cases {
        let home = home(case, aws_config, cfdash_config);
        let o = cfdash(&home, &["distributions"], vars);
        assert_refused(&o, url, case);
        // The dashboard says it before taking the terminal, when it opens on a profile.
        if !cfdash_config.is_empty() || vars.iter().any(|(k, _)| *k == "AWS_PROFILE") {
            let o = cfdash(&home, &[], vars);
            assert_refused(&o, url, case);
        }
    }
}

#[test]
fn an_endpoint_variable_the_sdk_would_drop_or_a_credential_in_it_is_refused() {
    let home = home("unusable", "", "");
    // The SDK drops a URL it cannot parse (a log line only) and sends to CloudFront itself:
    // someone who set it for an emulator would reach production.
    for (var, url) in [
        ("AWS_ENDPOINT_URL", "http://[::1]evil.invalid:18080"),
        ("AWS_ENDPOINT_URL_CLOUDFRONT", "http://127.0.0.1:99999"),
    ] {
        let o = cfdash(&home, &["distributions"], &[(var, url)]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{url}: {e}");
        assert!(e.contains(&format!("{var}: ")), "{e}");
        assert!(e.contains("not a valid URL"), "{e}");
    }
    // Not UTF-8: the SDK would ignore it (and send to CloudFront itself).
    {
        use std::os::unix::ffi::OsStrExt;
        let bad = std::ffi::OsStr::from_bytes(b"http://127.0.0.1:18080/\xff");
        for var in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDFRONT"] {
            let o = Command::new(env!("CARGO_BIN_EXE_cfdash"))
                .env("CFDASH_JOURNAL", crate::common::run_journal())
                .arg("distributions")
                .env_clear()
                .env("HOME", &home)
                .env("AWS_CONFIG_FILE", home.join(".aws/config"))
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("CFDASH_CONFIG", home.join("cfdash.toml"))
                .env("CFDASH_LOG_FILE", home.join("cfdash.log"))
                .env(var, bad)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let e = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{var}: {e}");
            assert!(e.contains(&format!("{var} is not UTF-8")), "{e}");
        }
    }
    // A space in the path: the SDK could not build a request URI from it.
    let o = cfdash(
        &home,
        &["distributions"],
        &[("AWS_ENDPOINT_URL", "http://127.0.0.1:18080/ junk")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("holds a space"), "{}", stderr(&o));
    // A credential in an endpoint URL is refused, https or not, and never repeated, on
    // stderr or in the log.
    for url in [
        "https://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIsecret@host.invalid",
        "http://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIsecret@127.0.0.1:18080",
        // Also one the SDK cannot parse, whose warning used to quote it into the log.
        "http://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIsecret@127.0.0.1:99999",
    ] {
        let o = cfdash(&home, &["distributions"], &[("AWS_ENDPOINT_URL", url)]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{e}");
        assert!(e.contains("user name or password"), "{e}");
        let log = std::fs::read_to_string(home.join("cfdash.log")).unwrap_or_default();
        for shown in [&e, &log] {
            assert!(!shown.contains("wJalrXUtnFEMIsecret"), "{shown}");
            assert!(!shown.contains("AKIAIOSFODNN7EXAMPLE"), "{shown}");
        }
    }
}

#[test]
fn ignored_endpoint_urls_are_not_checked_but_a_profiles_own_is() {
    let configured = "[profile lab]\nendpoint_url = http://lab.invalid:8080\n";
    let home_env = home("ignored-by-variable", configured, LAB);
    let o = cfdash(
        &home_env,
        &[],
        &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")],
    );
    assert_passed(&o, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    let home_file = home(
        "ignored-by-profile",
        "[profile lab]\nendpoint_url = http://lab.invalid:8080\n\
         ignore_configured_endpoint_urls = true\n",
        LAB,
    );
    assert_passed(
        &cfdash(&home_file, &[], &[]),
        "ignore_configured_endpoint_urls",
    );
    // Told to ignore them in the file, the SDK ignores the variables too: that is not an
    // endpoint it "could not use", and nothing is refused.
    assert_passed(
        &cfdash(
            &home_file,
            &[],
            &[("AWS_ENDPOINT_URL", "http://ignored.invalid:8080")],
        ),
        "ignore_configured_endpoint_urls with AWS_ENDPOINT_URL",
    );
    // The profiles file's endpoint_url is cfdash's own choice, never ignored.
    let own = home(
        "own-endpoint",
        "",
        "[profiles.lab]\nendpoint_url = \"http://own.invalid:8080\"\n",
    );
    let o = cfdash(
        &own,
        &["distributions"],
        &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")],
    );
    assert_refused(&o, "http://own.invalid:8080", "own endpoint");
}

#[test]
fn plain_http_through_a_proxy_off_this_machine_is_refused() {
    let home = home("proxy", "", "");
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        let o = cfdash(
            &home,
            &["distributions"],
            &[
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
                (var, "http://user:secret@proxy.invalid:3128"),
            ],
        );
        assert_refused(&o, "http://127.0.0.1:9", var);
        let e = stderr(&o);
        assert!(
            e.contains("through the proxy proxy.invalid:3128"),
            "{var}: {e}"
        );
        assert!(!e.contains("secret"), "{var}: {e}");
    }

    // NO_PROXY for the endpoint's host: no proxy, and the request goes straight there.
    let (endpoint, seen) = proxy();
    let o = cfdash(
        &home,
        &["distributions", "--json"],
        &[
            ("AWS_ENDPOINT_URL", &endpoint),
            ("HTTP_PROXY", "http://proxy.invalid:3128"),
            ("NO_PROXY", "127.0.0.1"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = seen.lock().unwrap().clone();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("GET /2020-05-31/distribution"),
        "sent directly, not in a proxy's absolute form: {lines:?}"
    );

    // Passed: https through any proxy, an https-only proxy for plain http, and a profile
    // that allows plain http.
    let vars = [
        ("HTTP_PROXY", "http://proxy.invalid:3128"),
        ("HTTPS_PROXY", "http://proxy.invalid:3128"),
    ];
    let profile = |name: &str, text: &str| self::home(name, "", text);
    let https = profile(
        "proxy-https",
        "[profiles.lab]\nendpoint_url = \"https://cloudfront.invalid\"\n",
    );
    assert_passed(&cfdash(&https, &[], &vars), "https endpoint");
    let local = profile(
        "proxy-https-only",
        "[profiles.lab]\nendpoint_url = \"http://127.0.0.1:9\"\n",
    );
    assert_passed(&cfdash(&local, &[], &vars[1..]), "HTTPS_PROXY only");
    let allowed = profile(
        "proxy-allowed",
        "[profiles.lab]\nendpoint_url = \"http://127.0.0.1:9\"\nallow_insecure_endpoint = true\n",
    );
    assert_passed(&cfdash(&allowed, &[], &vars), "allow_insecure_endpoint");
    assert_refused(
        &cfdash(&local, &[], &vars),
        "http://127.0.0.1:9",
        "the dashboard",
    );
}

/// cfdash with no credentials anywhere (no keys, no SSO, no metadata service).
fn cfdash_without_keys(home: &Path, args: &[&str]) -> Output {
    isolated(home, args).output().unwrap()
}

/// Without credentials, the advice names the cfdash profile the operator chose, and the
/// AWS profile behind it: "profile default" alone pointed at the wrong file.
#[test]
fn the_no_credentials_advice_names_the_cfdash_profile() {
    // An emulator on loopback (nothing listens: the credentials fail before any request).
    let dir = home(
        "nocreds-moto",
        "",
        "default_profile = \"moto\"\n[profiles.moto]\nendpoint_url = \"http://127.0.0.1:9\"\n",
    );
    let o = cfdash_without_keys(&dir, &["distributions"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{e}");
    assert!(
        e.contains(
            "no AWS credentials for cfdash profile moto (AWS profile default): its endpoint is on this machine (an emulator), which takes any keys"
        ),
        "{e}"
    );

    // AWS, through an AWS profile of another name: its login is the advice.
    let dir = home(
        "nocreds-prod",
        "[profile lab]\nregion = us-east-1\n",
        "[profiles.prod]\naws_profile = \"lab\"\nendpoint_url = \"https://cloudfront.invalid\"\n",
    );
    let o = cfdash_without_keys(&dir, &["--profile", "prod", "distributions"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{e}");
    assert!(
        e.contains(
            "no AWS credentials for cfdash profile prod (AWS profile lab): run `aws sso login --profile lab`"
        ),
        "{e}"
    );
}
