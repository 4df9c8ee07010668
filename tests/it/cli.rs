//! The binary's command line, run as a user would from a shell (no terminal needed).

use std::process::Command;

fn cfdash() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cfdash"));
    c.env("CFDASH_JOURNAL", crate::common::run_journal());
    let log = std::env::temp_dir().join(format!("cfdash-cli-{}.log", std::process::id()));
    c.env("CFDASH_LOG_FILE", log);
    c.env("CFDASH_CONFIG", "/nonexistent/cfdash/config.toml");
    c
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cfdash-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn journal_info_makes_nothing_where_there_is_no_journal() {
    let dir = std::env::temp_dir().join(format!("cfdash-cli-nojournal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("deep/journal.sqlite");
    let out = cfdash()
        .args(["journal", "info"])
        .env("CFDASH_JOURNAL", &path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no journal at"), "{text}");
    assert!(!dir.exists(), "nothing made");
    // A broken profiles file stops a prune: it could remove more than meant.
    let config = temp_file("prune.toml", "[journal]\nretention_days = -5\n");
    let made = dir.join("j.sqlite");
    drop(cfdash::journal::Journal::open(&made, jiff::Timestamp::now()).unwrap());
    let out = cfdash()
        .args(["journal", "prune", "--config"])
        .arg(&config)
        .env("CFDASH_JOURNAL", &made)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("retention_days"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn with_nothing_configured_a_named_profile_says_how_to_start() {
    let out = cfdash()
        .args(["--profile", "qa"])
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cfdash --demo"), "{err}");
    assert!(err.contains("cfdash profile add qa"), "{err}");
    assert!(
        err.contains("/nonexistent/cfdash/config.toml has no profiles yet"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_broken_profiles_file_names_file_line_and_column() {
    let file = temp_file(
        "broken.toml",
        "[profiles.prod]\nregion = \"us-east-1\"\naws_secret_access_key = \"x\"\n",
    );
    // Asked for a profile of it, and from the headless commands: said, with where.
    let runs = [
        vec!["--profile", "prod"],
        vec!["profile", "list"],
        vec!["profile", "add", "qa", "--region", "us-east-1"],
    ];
    for args in runs {
        let out = cfdash()
            .arg("--config")
            .arg(&file)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{}: line 3, column 1", file.display())),
            "{err}"
        );
        assert!(
            err.contains("aws_secret_access_key looks like a secret"),
            "{err}"
        );
    }
    // Never rewritten.
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "[profiles.prod]\nregion = \"us-east-1\"\naws_secret_access_key = \"x\"\n"
    );
}

#[test]
fn an_unknown_profile_lists_the_known_ones() {
    let file = temp_file("two.toml", "[profiles.prod]\n[profiles.staging]\n");
    let out = cfdash()
        .arg("--config")
        .arg(&file)
        .args(["--profile", "qa"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no profile named qa (profiles: prod, staging)"),
        "{err}"
    );
}

#[test]
fn a_plain_http_endpoint_off_this_machine_is_refused() {
    let file = temp_file(
        "insecure.toml",
        "[profiles.lab]\nendpoint_url = \"http://192.0.2.10:5000\"\n",
    );
    let out = cfdash().arg("--config").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("allow_insecure_endpoint"), "{err}");
}

#[test]
fn help_names_the_log_file_and_the_demo() {
    let out = Command::new(env!("CARGO_BIN_EXE_cfdash"))
        .env("CFDASH_JOURNAL", crate::common::run_journal())
        .env_remove("CFDASH_LOG_FILE")
        .env("XDG_STATE_HOME", "/tmp/cfdash-help-state")
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Log file: /tmp/cfdash-help-state/cfdash/cfdash.log"),
        "{text}"
    );
    assert!(text.contains("--demo"), "{text}");
    assert!(text.contains("--sim-seed"), "{text}");
    assert!(text.contains("--profile"), "{text}");
}

#[test]
fn version() {
    let out = cfdash().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("cfdash {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn the_dashboard_needs_a_terminal() {
    let out = cfdash().arg("--demo").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
}

#[test]
fn bad_simulator_settings_are_refused_with_the_reason() {
    let out = cfdash()
        .args(["--demo", "--sim-throttle-rate", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not between 0 and 1"), "{err}");
}

#[test]
fn a_broken_simulator_data_file_names_the_file_and_the_problem() {
    let dir = std::env::temp_dir().join(format!("cfdash-cli-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.toml");
    std::fs::write(&file, "[[distribution]]\nid = \"E1\"\ncolour = \"red\"\n").unwrap();
    // stdin/stdout are not a terminal here, but the data is read before that check.
    let out = cfdash()
        .args(["--demo", "--sim-data"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(err.contains("colour"), "{err}");
}

/// Runs to the end, or fails the test after `secs` seconds (killing the run) instead of
/// hanging it.
fn output_within(mut command: Command, secs: u64) -> std::process::Output {
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_control_character_in_simulator_data_is_refused_with_line_and_column() {
    // Escaped in the comment: once it reached sim serve's XML, which no client could parse.
    let file = temp_file(
        "control.toml",
        "[[distribution]]\nid = \"E1\"\ndomain_name = \"d1.example\"\ncomment = \"bell \\u0007\"\n",
    );
    for args in [
        vec!["--demo", "--sim-data"],
        vec!["distributions", "--demo", "--sim-data"],
        vec!["sim", "serve", "--port", "0", "--sim-data"],
    ] {
        let out = output_within(
            {
                let mut c = cfdash();
                c.args(&args).arg(&file);
                c
            },
            60,
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "simulator data {}: line 4, column 11: control character U+0007",
                file.display()
            )),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn simulator_data_stops_at_16_mib() {
    for args in [
        vec!["--demo", "--sim-data", "/dev/zero"],
        vec!["distributions", "--demo", "--sim-data", "/dev/zero"],
        vec!["sim", "serve", "--port", "0", "--sim-data", "/dev/zero"],
    ] {
        let mut c = cfdash();
        c.args(&args);
        let out = output_within(c, 60);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("simulator data /dev/zero is larger than 16 MiB, the most cfdash reads"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn an_unwritable_log_file_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_cfdash"))
        .env("CFDASH_JOURNAL", crate::common::run_journal())
        .args(["--demo", "--log-file", "/proc/cfdash/nope.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/proc/cfdash"), "{err}");
}

#[test]
fn the_invalidation_limit_is_bounded() {
    let out = cfdash()
        .args(["--demo", "--invalidations", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--invalidations"), "{err}");
}

#[test]
fn a_rate_out_of_range_is_refused_with_the_range() {
    for bad in ["0", "0.05", "100.1", "nan", "inf", "-1", "1e309", "x"] {
        let out = cfdash()
            .args(["--demo", "invalidations", "--all", &format!("--rate={bad}")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("give from 0.1 to 100 requests a second"),
            "{bad}: {err}"
        );
    }
}

/// A distribution of the demo with nothing in progress.
const QUIET: &str = "E3HB8D6PLWQ0UF";

/// The built-in simulator with no latency: the headless commands without a server.
fn demo(args: &[&str]) -> Command {
    let mut c = cfdash();
    c.args(["--demo", "--sim-latency-ms", "0", "--sim-activity", "0"])
        .args(args);
    c
}

/// `invalidate --dry-run` of a paths file, on the built-in simulator.
fn dry_run_of(file: &std::path::Path) -> std::process::Output {
    demo(&["invalidate", "-d", QUIET, "--dry-run", "--paths-file"])
        .arg(file)
        .output()
        .unwrap()
}

fn run_with_stdin(mut c: Command, stdin: &[u8]) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

#[test]
fn timeouts_out_of_range_exit_2_before_anything_is_sent() {
    for t in ["0", "0s", "500ms", "8d", "18446744073709551615"] {
        for command in [
            vec!["invalidate", "-d", QUIET, "/x", "--wait", "--timeout", t],
            vec!["status", "-d", QUIET, "--wait", "--timeout", t],
        ] {
            let out = demo(&command).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{command:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("from 1s to 7d"), "{command:?}: {err}");
            assert!(out.stdout.is_empty(), "{command:?}: nothing created");
        }
    }
    let help = demo(&["invalidate", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("from 1s") && help.contains("to 7d"), "{help}");
}

#[test]
fn simulator_numbers_that_would_overflow_the_clock_are_refused() {
    for args in [
        ["--sim-delay-scale", "1e300"],
        ["--sim-activity", "1e300"],
        ["--sim-latency-ms", "18446744073709551615"],
    ] {
        let out = cfdash()
            .args(args)
            .args(["--demo", "distributions"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_byte_order_mark_on_stdin_is_not_part_of_the_first_path() {
    let c = demo(&["invalidate", "-d", QUIET, "--paths-file", "-", "--dry-run"]);
    let out = run_with_stdin(c, b"\xef\xbb\xbf/index.html\r\n/a.css\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "/index.html\n/a.css\n"
    );
    // And in a file.
    let file = temp_file("bom.txt", "\u{feff}/index.html\n");
    let out = dry_run_of(&file);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "/index.html\n");
}

#[test]
fn endless_paths_input_stops_at_the_cap() {
    let started = std::time::Instant::now();
    let out = demo(&[
        "invalidate",
        "-d",
        QUIET,
        "--dry-run",
        "--paths-file",
        "/dev/zero",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("larger than 64 MiB"), "{err}");
    assert!(err.contains("/dev/zero"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    // Not UTF-8: said with where.
    let file = temp_file("latin1.txt", "");
    std::fs::write(&file, b"/caf\xe9\n").unwrap();
    let out = dry_run_of(&file);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not UTF-8"), "{err}");
}

#[test]
fn echoed_input_cannot_drive_the_terminal_and_is_cut() {
    let long = format!("/bad*{}\n", "x".repeat(1 << 20));
    let file = temp_file("evil.txt", &format!("/ok\n/a*\u{1b}[2J\0b\n{long}"));
    let out = dry_run_of(&file);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\u{1b}') && !err.contains('\0'), "{err:?}");
    assert!(err.contains("\\u{1b}[2J\\u{0}b"), "{err}");
    assert!(err.len() < 2_000, "{} bytes echoed", err.len());
    assert!(err.contains("x…"), "{err}");
    // A distribution or id from the command line, likewise.
    let out = demo(&["invalidate", "-d", "a\u{1b}]52;c;eA==\u{7}b", "/x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    let out = demo(&["status", "-d", QUIET, "I\u{1b}[31mX"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("is not an invalidation id"), "{err}");
}

#[test]
fn account_data_in_tables_cannot_drive_the_terminal_and_json_stays_json() {
    // A bidirectional override in a comment and an alias: the table escapes it, the JSON
    // carries it as data.
    let file = temp_file(
        "bidi.toml",
        "[[distribution]]\nid = \"E1\"\ndomain_name = \"d1.example\"\n\
         aliases = [\"a\u{202e}lmth.exe\"]\ncomment = \"evil \u{202e}txt.exe\"\n",
    );
    let out = demo(&["--sim-data"])
        .arg(&file)
        .arg("distributions")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(!table.contains('\u{202e}'), "{table}");
    assert!(table.contains("\\u{202e}"), "{table}");
    let out = demo(&["--sim-data"])
        .arg(&file)
        .args(["distributions", "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["comment"], "evil \u{202e}txt.exe");
}

#[test]
fn a_closed_pipe_ends_a_listing_quietly() {
    let file = temp_file(
        "many.toml",
        &(0..2000)
            .map(|i| format!("[profiles.p{i}]\nsimulated = true\n"))
            .collect::<String>(),
    );
    for args in [
        vec!["--config", file.to_str().unwrap(), "profile", "list"],
        vec!["completions", "bash"],
        vec!["--demo", "--sim-latency-ms", "0", "distributions"],
    ] {
        // The reading end is gone before cfdash writes: every write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = cfdash()
            .args(&args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}");
    }
}
