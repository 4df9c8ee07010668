//! The real binary in a real terminal: cfdash --demo under tmux, driven with send-keys and
//! read with capture-pane, as a person would use it. `.ci/run` installs tmux.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::moto;

/// One tmux server of our own, killed when the test ends however it ends.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(name: &str, width: u16, height: u16, command: &str) -> Self {
        let socket = format!("cfdash-{name}-{}", std::process::id());
        let tmux = Self { socket };
        let status = tmux
            .cmd()
            .args([
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                command,
            ])
            .status()
            .expect("tmux runs (.ci/run installs it)");
        assert!(status.success(), "tmux new-session failed");
        tmux
    }

    /// `cfdash --demo` in a pane of its own, with `env` set (`NAME=value …`); when it ends,
    /// the pane prints `EXITED=<status>` and stays, so the test can read both.
    pub fn cfdash(name: &str, width: u16, height: u16, env: &str) -> (Self, PathBuf) {
        Self::cfdash_with(name, width, height, env, "--demo")
    }

    /// cfdash with the given arguments, as [`Tmux::cfdash`].
    pub fn cfdash_with(
        name: &str,
        width: u16,
        height: u16,
        env: &str,
        args: &str,
    ) -> (Self, PathBuf) {
        let bin = env!("CARGO_BIN_EXE_cfdash");
        let log =
            std::env::temp_dir().join(format!("cfdash-e2e-{name}-{}.log", std::process::id()));
        // Each test its own journal, unless `env` names one.
        let journal = log.with_extension("sqlite");
        for end in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{end}", journal.display()));
        }
        let command = format!(
            "env RUST_BACKTRACE=0 CFDASH_JOURNAL='{}' {env} '{bin}' {args} --log-file '{}'; echo EXITED=$?; sleep 120",
            journal.display(),
            log.display()
        );
        (Self::start(name, width, height, &command), log)
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]);
        c
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let ok = self
                .cmd()
                .args(["send-keys", "-t", "e2e", k])
                .status()
                .unwrap();
            assert!(ok.success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    pub fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "e2e"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn display(&self, format: &str) -> String {
        let out = self
            .cmd()
            .args(["display-message", "-p", "-t", "e2e", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until the screen satisfies `ok`, or fails showing the last screen.
    pub fn wait_for(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_text(&self, text: &str, timeout: Duration) -> String {
        self.wait_for(&format!("{text:?}"), timeout, |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// The distributions pane: the lines between the top and the invalidations pane.
fn distribution_rows(screen: &str) -> String {
    screen
        .lines()
        .skip(1)
        .take_while(|l| !l.contains("Invalidations"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn demo_in_a_real_terminal() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/e2e.toml");
    // Seed 14 puts the one invalidation in progress about 15 s from completion.
    let env = format!(
        "CFDASH_SIM_SEED=14 CFDASH_SIM_DATA='{}' CFDASH_SIM_ACTIVITY=0 CFDASH_SIM_LATENCY_MS=50",
        data.display()
    );
    let (t, log) = Tmux::cfdash("demo", 100, 30, &env);
    let long = Duration::from_secs(20);

    // The dashboard comes up with the account listed and the work in progress counted.
    let screen = t.wait_text("1 in progress", long);
    assert!(screen.contains("3 distributions"), "{screen}");
    assert_eq!(
        t.display("#{alternate_on}"),
        "1",
        "the dashboard draws on the alternate screen"
    );
    t.wait_text("Invalidations · alpha.example.com", long);

    // Watch the invalidation in progress (the newest, first row of alpha).
    t.keys(&["Tab", "w"]);
    let screen = t.wait_text("watching I", long);
    assert!(screen.contains("◆ 1 watched"), "{screen}");
    assert!(screen.contains("InProgress"), "{screen}");

    // Move to beta: its invalidations follow the selection.
    t.keys(&["Tab", "j"]);
    t.wait_text("Invalidations · beta.example.com", long);

    // Filter down to docs, keep the filter, then clear it.
    t.keys(&["/", "D", "o", "c", "s"]);
    let screen = t.wait_text("1/3", long);
    let rows = distribution_rows(&screen);
    assert!(rows.contains("docs.example.org"), "{rows}");
    assert!(
        !rows.contains("alpha.example.com") && !rows.contains("beta.example.com"),
        "{rows}"
    );
    t.keys(&["Enter", "Escape"]);
    let screen = t.wait_for("the filter to clear", long, |s| {
        s.contains("Distributions 3 ")
    });
    assert!(distribution_rows(&screen).contains("alpha.example.com"));

    // Open the paths of alpha's oldest invalidation.
    t.keys(&["g", "Tab", "G", "Enter"]);
    let screen = t.wait_text("Caller ref", long);
    assert!(screen.contains("Paths ·"), "{screen}");
    assert!(
        ["/index.html", "/css/*", "/img/logo.png"]
            .iter()
            .any(|p| screen.contains(p)),
        "{screen}"
    );
    t.keys(&["Escape"]);
    t.wait_for("the paths to close", long, |s| !s.contains("Caller ref"));

    // With no key pressed, the watched invalidation completes: a notice names it and
    // its distribution, the row turns Completed and shows how long it took at most.
    let screen = t.wait_text("completed: I", Duration::from_secs(60));
    assert!(screen.contains("on alpha.example.com (took ≤"), "{screen}");
    assert!(screen.contains("0 in progress"), "{screen}");
    assert!(!screen.contains("watched"), "{screen}");
    assert!(!screen.contains("InProgress"), "{screen}");

    // Help, then quit: the process ends with 0 and the terminal leaves the alternate screen.
    t.keys(&["?"]);
    t.wait_text("Keys", long);
    t.keys(&["Escape", "q"]);
    let screen = t.wait_text("EXITED=0", long);
    assert!(
        !screen.contains("Distributions"),
        "the dashboard is gone:\n{screen}"
    );
    assert_eq!(t.display("#{alternate_on}"), "0");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("first frame"), "{log}");
}

#[test]
fn a_new_invalidation_from_the_form_is_watched_to_completion() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/e2e.toml");
    // A fifth of the realistic delays: the new invalidation completes within seconds.
    let env = format!(
        "CFDASH_SIM_SEED=14 CFDASH_SIM_DATA='{}' CFDASH_SIM_ACTIVITY=0 CFDASH_SIM_LATENCY_MS=50 \
         CFDASH_SIM_DELAY_SCALE=0.2",
        data.display()
    );
    let (t, _log) = Tmux::cfdash("form", 100, 30, &env);
    let long = Duration::from_secs(20);
    t.wait_text("beta.example.com", long);
    // beta has nothing in progress.
    t.keys(&["j"]);
    t.wait_text("Invalidations · beta.example.com", long);
    t.keys(&["n"]);
    t.wait_text("New invalidation · beta.example.com (EBETA000000002)", long);
    t.keys(&["-l", "index.html"]);
    t.keys(&["Enter", "-l", "/a*/b"]);
    // Checked as typed: the first line is normalised, the second is wrong.
    let screen = t.wait_text("* is only allowed as the last character", long);
    assert!(screen.contains("→ /index.html"), "{screen}");
    t.keys(&["C-s"]);
    let screen = t.wait_text("✗ line 2: * is only allowed", long);
    assert!(!screen.contains("Create the invalidation?"), "{screen}");
    // Fix it: the cursor went to the bad line.
    t.keys(&["End", "BSpace", "BSpace", "BSpace", "-l", "/b"]);
    t.wait_for("the line fixed", long, |s| {
        s.contains("/a/b") && !s.contains("to fix")
    });
    t.keys(&["C-s"]);
    let screen = t.wait_text("Create the invalidation?", long);
    assert!(screen.contains("/index.html"), "{screen}");
    assert!(screen.contains("1 invalidation, sent now"), "{screen}");
    t.keys(&["Enter"]);
    let screen = t.wait_text("— watching", long);
    assert!(
        !screen.contains("New invalidation"),
        "the form closed:\n{screen}"
    );
    // The new invalidation is at the top of the list, in progress, watched.
    let top = screen
        .lines()
        .skip_while(|l| !l.contains("Took"))
        .nth(1)
        .unwrap_or_default()
        .to_string();
    assert!(top.contains("◆") && top.contains("InProgress"), "{screen}");
    let id = top
        .split_whitespace()
        .find(|w| w.starts_with('I') && w.len() == 14)
        .expect("an invalidation id")
        .to_string();
    let screen = t.wait_text("✓ completed:", Duration::from_secs(60));
    assert!(screen.contains(&format!("✓ completed: {id}")), "{screen}");
    t.keys(&["q"]);
    t.wait_text("EXITED=0", long);
}

#[test]
fn two_profiles_switched_and_one_edited_in_the_app() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/e2e.toml");
    let dir = std::env::temp_dir().join(format!("cfdash-e2e-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    let original = format!(
        "# two simulated accounts\ndefault_profile = \"alpha\"\n\n\
         [profiles.alpha]\nsimulated = true # the small one\nsim_data = \"{}\"\nsim_seed = 14\n\n\
         [profiles.big]\nsimulated = true\n",
        data.display()
    );
    std::fs::write(&config, &original).unwrap();
    let env = "CFDASH_SIM_ACTIVITY=0 CFDASH_SIM_LATENCY_MS=30";
    let args = format!("--config '{}'", config.display());
    let (t, _log) = Tmux::cfdash_with("profiles", 110, 32, env, &args);
    let long = Duration::from_secs(20);
    t.wait_text("alpha.example.com", long);
    assert!(t.screen().contains("profile alpha"));

    // Switch to big: its account, not alpha's.
    t.keys(&["p"]);
    t.wait_text("Profiles", long);
    t.keys(&["j", "Enter"]);
    let screen = t.wait_text("www.acme-shop.com", long);
    assert!(screen.contains("profile big"), "{screen}");
    assert!(!screen.contains("alpha.example.com"), "{screen}");

    // Edit alpha: pin beta, from the switcher.
    t.keys(&["p"]);
    t.wait_text("Profiles", long);
    t.keys(&["k", "e"]);
    t.wait_text("Edit profile alpha", long);
    t.keys(&[
        "Tab",
        "Tab",
        "Tab",
        "Tab",
        "-l",
        "beta.example.com",
        "Enter",
    ]);
    t.wait_text("saved profile alpha", long);
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("distributions = [\"beta.example.com\"]"),
        "{text}"
    );
    assert!(text.starts_with("# two simulated accounts\n"), "{text}");
    assert!(text.contains("simulated = true # the small one"), "{text}");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&config).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);

    // Back on alpha, only the pinned distribution is listed.
    t.keys(&["Enter"]);
    let screen = t.wait_text("1 pinned distribution", long);
    assert!(screen.contains("beta.example.com"), "{screen}");
    assert!(!screen.contains("alpha.example.com"), "{screen}");
    t.keys(&["q"]);
    t.wait_text("EXITED=0", long);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn first_run_welcomes_and_creates_a_profile() {
    let dir = std::env::temp_dir().join(format!("cfdash-e2e-welcome-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = dir.join("cfdash/config.toml");
    let args = format!("--config '{}'", config.display());
    let env = "AWS_PROFILE= CFDASH_SIM_ACTIVITY=0";
    let (t, _log) = Tmux::cfdash_with("welcome", 100, 30, env, &args);
    let long = Duration::from_secs(20);
    t.wait_text("Welcome to cfdash", long);
    // Nothing moves on this screen: every key must still be handled at once.
    t.keys(&["c"]);
    t.wait_text("New profile", Duration::from_secs(3));
    t.keys(&["-l", "lab"]);
    t.wait_for("the name typed", Duration::from_secs(3), |s| {
        s.contains("Name              lab")
    });
    // Simulated is the last field: tick it, save.
    t.keys(&["Up", "Space", "Enter"]);
    let screen = t.wait_text("profile lab", long);
    assert!(
        screen.contains("13 distributions") || screen.contains("loading"),
        "{screen}"
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "[profiles.lab]\nsimulated = true\n"
    );
    let mode = |p: &std::path::Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions())
            & 0o777
    };
    assert_eq!(mode(&config), 0o600);
    assert_eq!(mode(config.parent().unwrap()), 0o700);
    t.keys(&["q"]);
    t.wait_text("EXITED=0", long);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Sends `signal` to the dashboard from outside and checks the exit code and that the
/// terminal is back: main screen, no mouse capture, cursor shown.
fn a_signal_restores_the_terminal(session: &str, signal: &str, code: u8) {
    let (t, log) = Tmux::cfdash(session, 80, 24, "CFDASH_SIM_ACTIVITY=0");
    t.wait_text("13 distributions", Duration::from_secs(20));
    assert_eq!(t.display("#{alternate_on}"), "1");
    assert_eq!(t.display("#{mouse_any_flag}"), "1");
    // The pane runs a shell; cfdash is its child.
    let shell = t.display("#{pane_pid}");
    let out = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty(), "cfdash is running under the pane's shell");
    let ok = Command::new("kill")
        .args([format!("-{signal}"), pid])
        .status()
        .unwrap();
    assert!(ok.success());
    let screen = t.wait_text("EXITED=", Duration::from_secs(20));
    assert!(
        screen.contains(&format!("EXITED={code}")),
        "{signal}: {screen}"
    );
    assert_eq!(
        t.display("#{alternate_on}"),
        "0",
        "{signal}: alternate screen"
    );
    assert_eq!(
        t.display("#{mouse_any_flag}"),
        "0",
        "{signal}: mouse capture"
    );
    assert_eq!(t.display("#{cursor_flag}"), "1", "{signal}: cursor hidden");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("ended by signal"), "{signal}: {text}");
}

#[test]
fn sigterm_restores_the_terminal() {
    a_signal_restores_the_terminal("term", "TERM", 143);
}

#[test]
fn sigint_from_outside_restores_the_terminal() {
    a_signal_restores_the_terminal("int", "INT", 130);
}

#[test]
fn sigquit_restores_the_terminal() {
    a_signal_restores_the_terminal("quit", "QUIT", 131);
}

#[test]
fn a_terminal_that_goes_away_ends_the_process() {
    let (t, log) = Tmux::cfdash("hangup", 80, 24, "CFDASH_SIM_ACTIVITY=0");
    t.wait_text("13 distributions", Duration::from_secs(20));
    let shell = t.display("#{pane_pid}");
    let out = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty(), "cfdash is running under the pane's shell");
    // The whole terminal goes: the kernel hangs up on its processes.
    drop(t);
    let start = Instant::now();
    let gone = loop {
        let alive = Command::new("kill")
            .args(["-0", &pid])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success();
        if !alive {
            break true;
        }
        if start.elapsed() > Duration::from_secs(10) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if !gone {
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
    }
    assert!(gone, "cfdash still runs after its terminal went away");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("the terminal hung up"), "{text}");
}

#[test]
fn an_aws_config_that_is_a_fifo_does_not_hang_the_start() {
    let dir = std::env::temp_dir().join(format!("cfdash-e2e-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("config");
    let ok = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(ok.success());
    let env = format!("CFDASH_SIM_ACTIVITY=0 AWS_CONFIG_FILE='{}'", fifo.display());
    let (t, _) = Tmux::cfdash_with("fifo", 80, 24, &env, "--demo");
    t.wait_text("13 distributions", Duration::from_secs(20));
    t.keys(&["q"]);
    t.wait_text("EXITED=0", Duration::from_secs(20));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_tiny_terminal_says_so() {
    let (t, _) = Tmux::cfdash("small", 50, 12, "");
    let screen = t.wait_text("Terminal too small", Duration::from_secs(20));
    assert!(screen.contains("at least 60×15"), "{screen}");
    // Grow it: the dashboard appears.
    let ok = t
        .cmd()
        .args(["resize-window", "-t", "e2e", "-x", "90", "-y", "26"])
        .status()
        .unwrap();
    assert!(ok.success());
    t.wait_text("13 distributions", Duration::from_secs(20));
    t.keys(&["q"]);
    t.wait_text("EXITED=0", Duration::from_secs(20));
}

#[test]
fn a_panic_in_a_task_restores_the_terminal_and_names_the_log() {
    // The third simulated call panics inside its tokio task, after the first frame.
    let (t, log) = Tmux::cfdash("panic", 80, 24, "CFDASH_SIM_PANIC_ON_CALL=3");
    let screen = t.wait_text("EXITED=", Duration::from_secs(20));
    assert!(screen.contains("EXITED=101"), "{screen}");
    assert!(screen.contains("simulated panic on call 3"), "{screen}");
    assert!(
        screen.contains(&format!("cfdash crashed; the log is at {}", log.display())),
        "{screen}"
    );
    assert_eq!(t.display("#{alternate_on}"), "0");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("panic: "), "the panic is in the log: {log}");
}

#[test]
fn a_profile_pointing_at_moto_shows_its_distributions() {
    let server = moto::Moto::start();
    server.reset();
    let seeded = server.seed(2, 2);
    let config = std::env::temp_dir().join(format!("cfdash-e2e-moto-{}.toml", std::process::id()));
    let region = "region = \"us-east-1\"\n";
    let args = crate::common::serve::emulator_profile(&config, "moto", &server.endpoint, region);
    let (t, _) = Tmux::cfdash_with("moto", 100, 30, crate::common::serve::CREDS, &args);
    let long = Duration::from_secs(30);
    let screen = t.wait_text("2 distributions", long);
    assert!(screen.contains("profile moto"), "{screen}");
    let screen = t.wait_for("both distributions", long, |s| {
        seeded.iter().all(|d| s.contains(&d.id))
    });
    assert!(screen.contains(&seeded[0].domain_name), "{screen}");
    // moto's listing says no aliases, enabled or comment: "+?" after the domain, "?".
    let row = screen.lines().find(|l| l.contains(&seeded[0].id)).unwrap();
    assert!(
        row.contains(&format!("{} +?", seeded[0].domain_name)),
        "{screen}"
    );
    assert!(row.contains(" ? "), "{screen}");
    // The selected distribution's invalidations, read from moto's COMPLETED.
    let first = screen
        .lines()
        .find_map(|l| seeded.iter().find(|d| l.contains(&d.id)))
        .unwrap();
    let screen = t.wait_text("✓ Completed", long);
    for inv in &first.invalidations {
        assert!(screen.contains(&inv.id), "{screen}");
    }
    t.keys(&["q"]);
    t.wait_text("EXITED=0", long);
}

/// The day's operator keys in a real terminal: an unbound key's hint, the `:` palette
/// jumping by alias, copy through OSC 52 (tmux's `set-clipboard on` keeps what reached the
/// terminal in a paste buffer), sort, and older invalidations loaded on demand.
#[test]
fn palette_copy_sort_and_older_in_a_real_terminal() {
    // Five invalidations a listing, so the demo's have older ones to load.
    let (t, _log) = Tmux::cfdash_with(
        "operator",
        120,
        35,
        "CFDASH_SIM_ACTIVITY=0",
        "--demo --invalidations 5",
    );
    let status = t
        .cmd()
        .args(["set-option", "-g", "set-clipboard", "on"])
        .status()
        .unwrap();
    assert!(status.success());
    let long = Duration::from_secs(20);
    t.wait_text("13 distributions", long);

    // A key that does nothing says where the keys are.
    t.keys(&["z"]);
    t.wait_text("z does nothing here: ? lists the keys", long);

    // The palette: jump to a distribution by a piece of its alias.
    t.keys(&[":"]);
    t.wait_text(": palette", long);
    for k in ["d", "o", "w", "n", "l", "o", "a", "d"] {
        t.keys(&[k]);
    }
    t.wait_text("dist    downloads.acme.io", long);
    t.keys(&["Enter"]);
    let screen = t.wait_text("Invalidations · downloads.acme.io", long);
    assert!(!screen.contains("╔ : palette"), "{screen}");

    // Copy its id: the bytes reach the terminal as OSC 52.
    t.keys(&["y"]);
    t.wait_text("the distribution's ARN", long);
    t.keys(&["i"]);
    t.wait_text("copied the distribution's id: E0TA9RC3WN5YLE", long);
    let buffer = t.cmd().args(["show-buffer"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&buffer.stdout), "E0TA9RC3WN5YLE");

    // Sort by name: the first row is now the alphabetically first name.
    t.keys(&["s"]);
    t.wait_text("distributions by Name ▲", long);
    t.keys(&["g"]);
    let screen = t.wait_text("Invalidations · api.acme.dev", long);
    let rows = distribution_rows(&screen);
    let first = rows.lines().nth(2).unwrap_or_default();
    assert!(first.contains("api.acme.dev"), "{rows}");

    // Older invalidations, on demand: five, then ten.
    t.keys(&["Tab"]);
    t.wait_text("L older", long);
    t.keys(&["L"]);
    // "asking for …" lasts as long as the answer takes; what came replaces it.
    t.wait_text("5 older invalidations of api.acme.dev loaded", long);
    t.wait_for("ten rows", long, |s| {
        s.lines()
            .filter(|l| l.contains("Completed") || l.contains("InProgress"))
            .count()
            >= 10
    });
    t.keys(&["q"]);
    t.wait_text("EXITED=0", long);
}

/// A multi-tenant distribution in a real terminal: Enter shows its tenants, `n` on it
/// targets every tenant (typing its name, the fan-out may cost), and each tenant gets its
/// own invalidation, shown under the tenant.
#[test]
fn every_tenant_of_a_multi_tenant_distribution_from_the_form() {
    let env = "CFDASH_SIM_ACTIVITY=0 CFDASH_SIM_LATENCY_MS=20";
    let (t, _log) = Tmux::cfdash("tenants", 120, 35, env);
    let long = Duration::from_secs(20);
    t.wait_text("Invalidations ·", long);
    t.keys(&[":", "-l", "E3MT5K", "Enter"]);
    t.wait_text("[5 tenants]", long);
    t.keys(&["Enter"]);
    let screen = t.wait_text("└ bakery-bliss", long);
    assert!(screen.contains("▾"), "{screen}");
    t.keys(&["n"]);
    let screen = t.wait_text("5 tenants of", long);
    assert!(screen.contains("serves tenants only"), "{screen}");
    t.keys(&["-l", "/index.html"]);
    t.keys(&["C-s"]);
    t.wait_text("Type d3mt5k7w2qxr9b.cloudfront.net", long);
    t.keys(&["-l", "E3MT5K7W2QXR9B", "Enter"]);
    let screen = t.wait_text("created 5 invalidations", long);
    assert!(!screen.contains("New invalidation"), "{screen}");
    // The new invalidations are shown under the tenants, and watched (the header counts
    // every tenant's).
    let screen = t.wait_text("tenant of d3mt5k7w2qxr9b", long);
    assert!(screen.contains("watched"), "{screen}");
    assert!(screen.contains("bakery-bliss"), "{screen}");
}
