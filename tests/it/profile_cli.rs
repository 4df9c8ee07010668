//! `cfdash profile …` and `cfdash config path`: the same checks and safe save as the app,
//! run as a shell would.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use crate::common::serve;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cfdash-profile-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn cfdash(config: &PathBuf, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfdash"))
        .env("CFDASH_JOURNAL", crate::common::run_journal())
        .env(
            "CFDASH_LOG_FILE",
            std::env::temp_dir().join("cfdash-profile-cli.log"),
        )
        .env("CFDASH_CONFIG", config)
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn add_list_show_set_default_remove() {
    let d = dir("cycle");
    let config = d.join("cfdash/config.toml");
    let out = cfdash(&config, &["config", "path"]);
    assert_eq!(text(&out.stdout).trim(), config.display().to_string());

    let out = cfdash(
        &config,
        &[
            "profile",
            "add",
            "staging",
            "--aws-profile",
            "staging-admin",
            "--region",
            "us-east-1",
            "--distribution",
            "E2EXAMPLE",
            "--distribution",
            "www.example.com",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("added profile staging"));
    let out = cfdash(
        &config,
        &["profile", "add", "lab", "--simulated", "--read-only"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&config), 0o600);
    assert_eq!(mode(config.parent().unwrap()), 0o700);

    let out = cfdash(&config, &["profile", "set-default", "lab"]);
    assert!(out.status.success());
    let out = cfdash(&config, &["profile", "list"]);
    let list = text(&out.stdout);
    assert!(list.contains("* lab      simulator"), "{list}");
    assert!(
        list.contains("  staging  aws profile staging-admin · us-east-1"),
        "{list}"
    );

    let out = cfdash(&config, &["profile", "list", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lab", "staging"]);
    assert_eq!(json[0]["default"], true);
    assert_eq!(json[0]["read_only"], true);

    let out = cfdash(&config, &["profile", "show", "staging", "--json"]);
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["aws_profile"], "staging-admin");
    assert_eq!(
        p["distributions"],
        serde_json::json!(["E2EXAMPLE", "www.example.com"])
    );
    assert_eq!(p["endpoint_url"], serde_json::Value::Null);

    // Removing the default removes the default too.
    let out = cfdash(&config, &["profile", "remove", "lab"]);
    assert!(out.status.success());
    let file = std::fs::read_to_string(&config).unwrap();
    assert!(!file.contains("lab"), "{file}");
    assert!(!file.contains("default_profile"), "{file}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let d = dir("bad");
    let config = d.join("config.toml");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(&config, "# mine\n[profiles.a]\n").unwrap();
    for (args, says) in [
        (
            vec!["profile", "add", "a"],
            "a profile named a already exists",
        ),
        (vec!["profile", "add", "b c"], "letters, digits"),
        (
            vec!["profile", "add", "b", "--region", "mars"],
            "not a region name",
        ),
        (
            vec!["profile", "add", "b", "--endpoint-url", "localhost:5000"],
            "not an http",
        ),
        (vec!["profile", "remove", "zz"], "there is no profile zz"),
        (
            vec!["profile", "set-default", "zz"],
            "there is no profile zz",
        ),
        (
            vec!["profile", "show", "zz"],
            "no profile named zz (profiles: a)",
        ),
    ] {
        let out = cfdash(&config, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "# mine\n[profiles.a]\n"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn thirty_adds_at_once_keep_thirty_profiles() {
    let d = dir("concurrent");
    let config = d.join("config.toml");
    let children: Vec<_> = (1..=30)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_cfdash"))
                .env("CFDASH_JOURNAL", crate::common::run_journal())
                .env(
                    "CFDASH_LOG_FILE",
                    std::env::temp_dir().join("cfdash-profile-cli.log"),
                )
                .arg("--config")
                .arg(&config)
                .args(["profile", "add", &format!("p{i}"), "--aws-profile"])
                .arg(format!("a{i}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = cfdash(&config, &["profile", "list", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 30, "{json}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_config_others_can_write_is_warned_about_once() {
    let d = dir("writable");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    let config = d.join("config.toml");
    std::fs::write(&config, "[profiles.lab]\nsimulated = true\n").unwrap();
    let warning = format!(
        "cfdash: warning: {0} is writable by others (anyone who can write it can redirect cfdash): chmod go-w {0}\n",
        config.display()
    );
    for args in [
        &["profile", "list"][..],
        &["distributions", "--json"],
        &["profile", "set-default", "lab"],
    ] {
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o646)).unwrap();
        let out = cfdash(&config, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert_eq!(err.matches("is writable by").count(), 1, "{args:?}: {err}");
        assert!(err.starts_with(&warning), "{args:?}: {err}");
    }
    // The save wrote it private.
    let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let out = cfdash(&config, &["profile", "list"]);
    assert!(
        !text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn credentials_in_an_endpoint_url_are_refused() {
    let d = dir("endpoint-credentials");
    let config = d.join("config.toml");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(&config, "[profiles.a]\n").unwrap();
    let out = cfdash(
        &config,
        &[
            "profile",
            "add",
            "b",
            "--endpoint-url",
            "https://EXAMPLEKEYID:examplesecret@cf.example.com",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("user name or password"), "{err}");
    assert!(!err.contains("examplesecret"), "{err}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "[profiles.a]\n");
    // Written by hand: refused where it is, and never listed.
    std::fs::write(
        &config,
        "[profiles.a]\nendpoint_url = \"https://EXAMPLEKEYID:examplesecret@cf.example.com\"\n",
    )
    .unwrap();
    let out = cfdash(&config, &["profile", "list"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("line 2, column 16: the endpoint URL https://…@cf.example.com has a user name or password"),
        "{err}"
    );
    assert!(
        !err.contains("examplesecret") && text(&out.stdout).is_empty(),
        "{err}"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn removing_the_default_says_so_and_cfdash_still_opens() {
    let d = dir("remove-default");
    let config = d.join("config.toml");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        &config,
        "default_profile = \"a\"\n[profiles.a]\nsimulated = true\n[profiles.b]\nsimulated = true\n[profiles.c]\nsimulated = true\n",
    )
    .unwrap();
    let out = cfdash(&config, &["profile", "remove", "a"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("deleted profile a in")
            && err.contains("it was the default profile, so there is no default now"),
        "{err}"
    );
    // Several profiles and no default: the dashboard opens the switcher (here it stops
    // only because there is no terminal).
    let out = Command::new(env!("CARGO_BIN_EXE_cfdash"))
        .env("CFDASH_JOURNAL", crate::common::run_journal())
        .env(
            "CFDASH_LOG_FILE",
            std::env::temp_dir().join("cfdash-profile-cli.log"),
        )
        .arg("--config")
        .arg(&config)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(!err.contains("several profiles"), "{err}");
    assert!(err.contains("needs a terminal"), "{err}");
    // A headless command without --profile uses the AWS chain, as with no file.
    let sim = serve::SimServe::start(&[]);
    let out = serve::cfdash_command(&sim.url, &["distributions", "--json"])
        .env("CFDASH_CONFIG", &config)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!list.as_array().unwrap().is_empty(), "{list}");
    assert!(text(&out.stderr).contains("using the AWS chain"));
    // --profile still picks one of the file's.
    let out = serve::cfdash_command(&sim.url, &["--profile", "b", "distributions", "--json"])
        .env("CFDASH_CONFIG", &config)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&d).unwrap();
}
