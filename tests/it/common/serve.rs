//! `cfdash sim serve` as a separate process holding one simulated account for a whole test,
//! and the aws CLI and cfdash's headless commands pointed at it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Output, Stdio};

pub struct SimServe {
    child: Child,
    pub url: String,
}

impl SimServe {
    /// Started with these extra flags (`--sim-delay-scale 0.05`, …); no latency, no
    /// activity from elsewhere.
    pub fn start(extra: &[&str]) -> Self {
        let log = std::env::temp_dir().join(format!("cfdash-sim-serve-{}.log", std::process::id()));
        Self::spawn(
            Command::new(env!("CARGO_BIN_EXE_cfdash"))
                .args([
                    "sim",
                    "serve",
                    "--sim-latency-ms",
                    "0",
                    "--sim-activity",
                    "0",
                ])
                .args(extra)
                .arg("--log-file")
                .arg(log),
        )
    }

    /// Runs `command`, a `sim serve` (or a shell that execs one), until it prints its
    /// address.
    pub fn spawn(command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
        Self { child, url }
    }

    /// Whether the server is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    pub fn aws(&self, args: &[&str]) -> Output {
        aws(&self.url, args)
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        aws_json(&self.url, args)
    }

    /// How many invalidations the server has created so far.
    pub fn created(&self) -> u64 {
        self.stat("created")
    }

    /// A number of the server's stats line: requests, throttled, unavailable, dropped,
    /// created.
    pub fn stat(&self, name: &str) -> u64 {
        let address = self.url.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(address).unwrap();
        write!(
            s,
            "GET /cfdash-sim/stats HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let key = format!("{name}=");
        let value = text
            .split_whitespace()
            .find_map(|w| w.strip_prefix(key.as_str()))
            .expect("the stats line");
        value.parse().unwrap()
    }

    /// A headless cfdash command against this account, with no profiles file: the AWS
    /// chain (dummy keys) and AWS_ENDPOINT_URL, as a pipeline would run it.
    pub fn cfdash(&self, args: &[&str]) -> Output {
        cfdash_at(&self.url, args)
    }
}

impl Drop for SimServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Dummy keys for an emulator, as a tmux pane's `env` takes them (`Tmux::cfdash_with`).
pub const CREDS: &str =
    "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true";

/// Writes a profiles file at `path` whose one profile, `name`, the default, reaches
/// `endpoint`, with `extra` lines in it (`requests_per_minute = 60\n`); returns the
/// `--config` argument that opens it.
pub fn emulator_profile(path: &std::path::Path, name: &str, endpoint: &str, extra: &str) -> String {
    std::fs::write(
        path,
        format!("default_profile = \"{name}\"\n\n[profiles.{name}]\nendpoint_url = \"{endpoint}\"\n{extra}"),
    )
    .unwrap();
    format!("--config '{}'", path.display())
}

/// The journal the binary keeps in a test run (one per test process), never the user's;
/// a test about the journal gives its own.
pub fn run_journal() -> std::path::PathBuf {
    std::env::temp_dir()
        .join(format!("cfdash-it-{}", std::process::id()))
        .join("journal.sqlite")
}

pub fn cfdash_at(endpoint: &str, args: &[&str]) -> Output {
    cfdash_command(endpoint, args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The command `cfdash_at` runs, to spawn and drive by hand.
pub fn cfdash_command(endpoint: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cfdash"));
    c.env("CFDASH_JOURNAL", run_journal());
    c.args(args)
        .env("CFDASH_CONFIG", "/nonexistent/cfdash/config.toml")
        .env(
            "CFDASH_LOG_FILE",
            std::env::temp_dir().join("cfdash-headless.log"),
        )
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("CFDASH_PROFILE");
    c
}

pub fn aws(endpoint: &str, args: &[&str]) -> Output {
    aws_with(endpoint, args, &[])
}

/// The aws CLI with extra environment, such as `AWS_MAX_ATTEMPTS=1` (no retries).
pub fn aws_with(endpoint: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new("aws")
        .envs(env.iter().copied())
        .args(["--endpoint-url", endpoint, "--output", "json", "cloudfront"])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("the aws CLI runs (scripts/test.sh installs it)")
}

pub fn aws_json(endpoint: &str, args: &[&str]) -> serde_json::Value {
    let out = aws(endpoint, args);
    assert!(
        out.status.success(),
        "aws {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
