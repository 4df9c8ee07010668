use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use cfdash::app::{App, Settings};
use cfdash::clock::{Clock, SystemClock};
use cfdash::cloudfront::paced::Paced;
use cfdash::cloudfront::sim::{SimCloudFront, SimData};
use cfdash::cloudfront::{CloudFront, serve};
use cfdash::commands::cloud::{self, Fail};
use cfdash::config::{self, Config, Profile, Store};
use cfdash::connect::Connector;
use cfdash::tui::{self, Exit, Start};
use cfdash::ui::Theme;
use cfdash::{cli, commands, journal, logging, pace, text};

fn main() -> ExitCode {
    let started = Instant::now();
    let cli = cli::parse();
    let log_path = cli.log_file.clone().unwrap_or_else(logging::default_path);
    if let Err(e) = logging::init(&log_path, cli.log_level) {
        eprintln!("cfdash: {e}");
        return ExitCode::from(2);
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "cfdash starting");
    let code = match run(cli, started, log_path) {
        Ok(code) => code,
        Err(message) => {
            tracing::error!(%message, "cannot start");
            let _ = writeln!(std::io::stderr(), "cfdash: {}", text::clean(&message));
            ExitCode::from(2)
        }
    };
    logging::flush();
    code
}

/// The profile the dashboard opens on: `--demo`; else `--profile` or the default of the
/// profiles file (none when it has several and no default: the switcher); else, with no
/// file, an implicit profile for AWS_PROFILE; else none (the welcome screen). Also the
/// profiles that live only in this run.
type Opening = (Option<(String, Profile)>, Vec<(String, Profile)>);

fn opening(
    cli: &cli::Cli,
    path: &std::path::Path,
    config: Option<&Config>,
    config_error: Option<&String>,
) -> Result<Opening, String> {
    if cli.demo {
        // The data and seed the connector uses, also on the profile: a copied command
        // (`y`) then names them and reaches the same account.
        let demo = Profile {
            simulated: true,
            sim_data: cli.sim.data.clone(),
            // 1 is the default: left out of copied commands.
            sim_seed: (cli.sim.seed != 1).then_some(cli.sim.seed),
            ..Default::default()
        };
        return Ok((
            Some(("demo".into(), demo.clone())),
            vec![("demo".into(), demo)],
        ));
    }
    if let Some(config) = config
        && !config.profiles.is_empty()
    {
        if cli.profile.is_none() && undecided(config) {
            // The switcher opens to choose one.
            return Ok((None, Vec::new()));
        }
        let picked = config
            .pick(cli.profile.as_deref())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok((Some(picked), Vec::new()));
    }
    if let Some(e) = config_error {
        if let Some(name) = &cli.profile {
            return Err(format!("cannot open profile {name}: {e}"));
        }
        // The app starts and shows the error; the file is left alone.
        return Ok((None, Vec::new()));
    }
    let aws_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    if let Some(name) = &cli.profile
        && aws_profile.as_ref() != Some(name)
    {
        return Err(format!(
            "no profile named {name}: {} has no profiles yet.\n\n  \
             Create one in the app (run cfdash), or: cfdash profile add {name} --aws-profile …\n  \
             No AWS account? Try the built-in simulator: cfdash --demo",
            path.display()
        ));
    }
    match aws_profile {
        Some(aws) => {
            let implicit = Profile {
                aws_profile: Some(aws.clone()),
                ..Default::default()
            };
            Ok((Some((aws.clone(), implicit.clone())), vec![(aws, implicit)]))
        }
        None => Ok((None, Vec::new())),
    }
}

/// The file has several profiles and none is the default: nothing says which to open.
fn undecided(config: &Config) -> bool {
    config.default_profile.is_none() && config.profiles.len() > 1
}

/// The profile a headless command uses: `--demo`; the profiles file's (`--profile` or its
/// default); else (no file, or several profiles and no default) the AWS chain as the aws
/// CLI uses it (AWS_PROFILE, the environment's keys, SSO), so a pipeline needs no file.
fn headless_profile(cli: &cli::Cli, path: &std::path::Path) -> Result<(String, Profile), String> {
    if cli.demo {
        let demo = Profile {
            simulated: true,
            ..Default::default()
        };
        return Ok(("demo".into(), demo));
    }
    let config = Config::load(path)?;
    if let Some(config) = config.filter(|c| !c.profiles.is_empty()) {
        if cli.profile.is_some() || !undecided(&config) {
            return config
                .pick(cli.profile.as_deref())
                .map_err(|e| format!("{}: {e}", path.display()));
        }
        // None chosen: the AWS chain, as with no file.
        let _ = writeln!(
            std::io::stderr(),
            "cfdash: {} has several profiles and no default_profile: using the AWS chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO); --profile NAME uses one of them",
            path.display()
        );
    }
    let aws_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    if let Some(name) = &cli.profile
        && aws_profile.as_ref() != Some(name)
    {
        return Err(format!(
            "no profile named {name}: {} has no profiles (leave --profile out to use the AWS chain: AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO)",
            path.display()
        ));
    }
    let name = aws_profile.clone().unwrap_or_else(|| "default".into());
    Ok((
        name,
        Profile {
            aws_profile,
            ..Default::default()
        },
    ))
}

/// `cfdash invalidate | status | distributions | invalidations`.
fn headless(cli: &cli::Cli, path: &std::path::Path) -> Result<ExitCode, String> {
    let (name, profile) = headless_profile(cli, path)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let connector = Connector {
        sim: cli.sim.settings(),
        sim_data: cli.sim.data.clone(),
        clock,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let result = runtime.block_on(async {
        // Refuses an endpoint that may not be sent signed requests before sending any.
        let cf = connector
            .connect(&name, &profile)
            .await
            .map_err(Fail::Usage)?;
        // Every headless request waits its turn at the profile's pace (`--rate` changes
        // it): a report or a deploy step never throttles the account it shares.
        let mut pacing = profile.pacing();
        if let Some(cli::Command::Invalidations(cli::InvalidationsArgs { rate: Some(r), .. })) = &cli.command {
            pacing.rate = *r;
        }
        let limiter = pace::Limiter::new(pacing, connector.clock.clone());
        let paced = Paced::new(cf.as_ref(), &limiter, pace::Priority::Operator);
        let cf: &dyn CloudFront = &paced;
        let scope = journal::Scope::new(&name, &profile);
        match &cli.command {
            Some(cli::Command::Invalidate(args)) => {
                let link = open_journal(cli, None).map(|handle| journal::Link {
                    handle,
                    scope,
                    key: args.caller_reference.clone(),
                });
                cloud::invalidate(cf, args, link.as_ref()).await
            }
            Some(cli::Command::History(args)) => {
                // Without the journal, a throwaway one answers from CloudFront alone.
                let scratch = tempfile::tempdir().map_err(|e| Fail::Aws(e.to_string()))?;
                let handle = match open_journal(cli, None) {
                    Some(h) => h,
                    None if args.offline => {
                        return Err(Fail::Usage(
                            "history --offline answers from the journal, and there is none: leave out --offline".into(),
                        ));
                    }
                    None => {
                        let j = journal::Journal::open(&scratch.path().join("j.sqlite"), jiff::Timestamp::now())
                            .map_err(Fail::Aws)?;
                        journal::Handle::spawn(j, Arc::new(SystemClock), None, |_| {})
                    }
                };
                let link = journal::Link { handle, scope, key: None };
                commands::history::history(cf, &link, args).await
            }
            Some(cli::Command::Status(args)) => cloud::status(cf, args).await,
            Some(cli::Command::Distributions(args)) => cloud::distributions(cf, args.json).await,
            Some(cli::Command::Tenants(args)) => commands::tenants::tenants(cf, args).await,
            Some(cli::Command::Invalidations(args)) => cloud::invalidations(cf, args).await,
            _ => unreachable!("only the CloudFront commands come here"),
        }
    });
    runtime.shutdown_background();
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(fail) => {
            if !matches!(fail, Fail::Stopped(_)) {
                let _ = writeln!(
                    std::io::stderr(),
                    "cfdash: {}",
                    text::clean(&fail.message())
                );
            }
            tracing::warn!(code = fail.code(), message = %fail.message(), "command failed");
            Ok(ExitCode::from(fail.code()))
        }
    }
}

/// The journal, unless `--no-journal`: one that cannot be opened is said in one line on
/// stderr, and cfdash goes on without it. With `retention`, old history is pruned.
fn open_journal(
    cli: &cli::Cli,
    retention: Option<jiff::SignedDuration>,
) -> Option<journal::Handle> {
    match try_journal(cli, retention, |m| text::say(format!("cfdash: {m}"))) {
        Ok(j) => j,
        Err(e) => {
            text::say(format!("cfdash: {e}"));
            None
        }
    }
}

/// The journal, `None` with `--no-journal`, or why it cannot be used (the one line to show).
/// `on_error` hears of a write that fails later.
fn try_journal(
    cli: &cli::Cli,
    retention: Option<jiff::SignedDuration>,
    on_error: impl Fn(String) + Send + 'static,
) -> Result<Option<journal::Handle>, String> {
    if cli.no_journal {
        return Ok(None);
    }
    let path = journal::path(cli.journal.as_deref());
    match journal::Journal::open(&path, jiff::Timestamp::now()) {
        Ok(j) => Ok(Some(journal::Handle::spawn(
            j,
            Arc::new(SystemClock),
            retention,
            on_error,
        ))),
        Err(e) => {
            tracing::warn!(error = %e, "running without the journal");
            Err(format!(
                "{e}; going on without it (--no-journal hides this)"
            ))
        }
    }
}

/// `cfdash journal info | prune`.
fn journal_command(
    cli: &cli::Cli,
    cmd: &cli::JournalCommand,
    config_path: &std::path::Path,
) -> Result<ExitCode, String> {
    if cli.no_journal {
        return Err("--no-journal: there is no journal to look at".into());
    }
    let path = journal::path(cli.journal.as_deref());
    if !path.exists() {
        text::print(format!(
            "no journal at {} yet: cfdash makes it the first time it runs",
            path.display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let mut j = journal::Journal::open(&path, jiff::Timestamp::now())?;
    match cmd {
        cli::JournalCommand::Info { json } => {
            let info = j
                .info()
                .map_err(|e| format!("journal {}: {e}", path.display()))?;
            commands::history::print_info(&info, *json);
        }
        cli::JournalCommand::Prune => {
            // A file that cannot be read says so: pruning by a guess could remove too much.
            let keep = Config::load(config_path)?
                .map(|c| c.journal.retention())
                .unwrap_or_else(|| config::JournalSettings::default().retention());
            let gone = j
                .prune(keep, jiff::Timestamp::now())
                .map_err(|e| format!("journal {}: {e}", path.display()))?;
            let days = keep.as_hours() / 24;
            text::print(format!(
                "pruned {gone} rows older than {days} day{} from {}",
                if days == 1 { "" } else { "s" },
                path.display()
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `cfdash sim serve`: the simulated account over HTTP on loopback until interrupted.
fn sim_serve(cli: &cli::Cli, port: u16) -> Result<ExitCode, String> {
    let data = match &cli.sim.data {
        Some(p) => SimData::from_file(p)?,
        None => SimData::demo(),
    };
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let settings = cli.sim.settings();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let sim = Arc::new(SimCloudFront::new(data, settings.clone(), clock));
        let listener = serve::Server::bind(port)
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let server = serve::Server::new(sim, cli.sim.drop_rate, settings.seed);
        // The address alone on stdout's first line, for scripts; the rest on stderr.
        text::print_raw(format!("http://{address}"));
        let _ = std::io::Write::flush(&mut std::io::stdout());
        eprintln!(
            "cfdash sim serve: a simulated CloudFront account on http://{address} \
             (aws --endpoint-url http://{address} cloudfront list-distributions); Ctrl-C stops"
        );
        tracing::info!(%address, "sim serve listening");
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| e.to_string())?;
        tokio::select! {
            result = server.run(listener) => result.map_err(|e| format!("sim serve stopped: {e}"))?,
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Says on stderr, once, that others can change the profiles file.
fn warn_if_writable(path: &std::path::Path) {
    if let Some(warning) = config::permission_warning(path) {
        tracing::warn!(%warning, "profiles file");
        text::say(format!("cfdash: {warning}"));
    }
}

fn run(cli: cli::Cli, started: Instant, log_path: PathBuf) -> Result<ExitCode, String> {
    let path = config::path(cli.config.as_deref());
    match &cli.command {
        Some(cli::Command::Sim(cli::SimCommand::Serve { port })) => {
            return sim_serve(&cli, *port);
        }
        Some(cli::Command::Config(cli::ConfigCommand::Path)) => {
            return Ok(commands::config_path(&path));
        }
        Some(cli::Command::Profile(cmd)) => {
            warn_if_writable(&path);
            return commands::profile(cmd, &path);
        }
        Some(cli::Command::Completions { shell }) => {
            use clap::CommandFactory;
            let mut command = cli::Cli::command();
            // Into memory first: a closed pipe (`| head`) must not panic the writer.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "cfdash", &mut script);
            let _ = std::io::stdout().lock().write_all(&script);
            return Ok(ExitCode::SUCCESS);
        }
        Some(cli::Command::Journal(cmd)) => return journal_command(&cli, cmd, &path),
        Some(
            cli::Command::Invalidate(_)
            | cli::Command::History(_)
            | cli::Command::Status(_)
            | cli::Command::Distributions(_)
            | cli::Command::Tenants(_)
            | cli::Command::Invalidations(_),
        ) => {
            if !cli.demo {
                warn_if_writable(&path);
            }
            return headless(&cli, &path);
        }
        None => {}
    }
    let (config, known, config_error) = match Config::load_text(&path) {
        Ok(Some((c, t))) => (Some(c), Some(t), None),
        Ok(None) => (None, None, None),
        Err(e) => (None, None, Some(e)),
    };
    let (start, builtin) = opening(&cli, &path, config.as_ref(), config_error.as_ref())?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let connector = Connector {
        sim: cli.sim.settings(),
        sim_data: cli.sim.data.clone(),
        clock: clock.clone(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    // Made before the terminal is taken, so its problems are said like every other problem
    // with the file: the simulated account, and the endpoint the SDK would use wherever it
    // is configured. The dashboard then uses this backend.
    let opened = match &start {
        Some((name, p)) => Some((
            name.clone(),
            p.clone(),
            runtime.block_on(connector.connect(name, p))?,
        )),
        None => None,
    };
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err("the dashboard needs a terminal (stdin and stdout must be a TTY)".into());
    }
    let tz = jiff::tz::TimeZone::system();
    let settings = Settings {
        list_limit: cli.invalidations as usize,
        ..Settings::default()
    };
    let name = start.as_ref().map(|(n, _)| n.clone()).unwrap_or_default();
    let mut app = App::new(name, tz, settings, clock.now());
    app.catalog.config_path = path.clone();
    app.requests.instance = commands::instance();
    app.catalog.config_error = config_error;
    app.catalog.aws_profiles = config::aws_profiles();
    if let Ok(data) = connector.sim_data(&Profile::default()) {
        app.catalog.sim_presets = data.presets.into_iter().collect();
    }
    for (name, profile) in builtin {
        app.add_builtin(&name, profile);
    }
    app.set_config(config.as_ref());
    if start.is_some() {
        app.adopt_profile();
    } else {
        app.start_without_profile();
    }
    app.warn_if_writable();
    let store = Store::new(path, known);
    let retention = config.as_ref().map_or_else(
        || config::JournalSettings::default().retention(),
        |c| c.journal.retention(),
    );
    // A write that fails later is said in the status bar, through the runtime's channel.
    let journal = runtime.block_on(async {
        try_journal(
            &cli,
            Some(retention),
            |m| tracing::warn!(message = %m, "journal"),
        )
    });

    tui::install_panic_hook(log_path.clone());
    let result = runtime.block_on(tui::run(
        app,
        Start {
            connector,
            profile: opened,
            store,
            clock,
            theme: Theme::from_env(),
            started,
            journal,
        },
    ));
    runtime.shutdown_background();
    match result {
        Ok(Exit::Quit) => Ok(ExitCode::SUCCESS),
        Ok(Exit::Signal(n)) => {
            tracing::info!(signal = n, "ended by signal");
            Ok(ExitCode::from(128 + n as u8))
        }
        Err(e) => {
            tracing::error!(error = ?e, "terminal error");
            // The terminal may be the thing that failed: never panic writing this.
            let _ = writeln!(
                std::io::stderr(),
                "cfdash: terminal error: {e} (log: {})",
                log_path.display()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    /// `--demo` with its data and seed: the profile says them, so a copied command does.
    #[test]
    fn the_demo_profile_carries_the_sim_data_and_seed_given() {
        let cli = super::cli::Cli::try_parse_from([
            "cfdash",
            "--demo",
            "--sim-data",
            "/tmp/account.toml",
            "--sim-seed",
            "3",
        ])
        .unwrap();
        let (start, builtin) =
            super::opening(&cli, std::path::Path::new("/nonexistent"), None, None).unwrap();
        let (name, demo) = start.unwrap();
        assert_eq!(name, "demo");
        assert_eq!(builtin[0].1, demo);
        assert_eq!(
            demo.sim_data.as_deref(),
            Some(std::path::Path::new("/tmp/account.toml"))
        );
        assert_eq!(demo.sim_seed, Some(3));
        // The default seed is left out.
        let cli = super::cli::Cli::try_parse_from(["cfdash", "--demo"]).unwrap();
        let (start, _) = super::opening(&cli, std::path::Path::new("/x"), None, None).unwrap();
        let demo = start.unwrap().1;
        assert_eq!((demo.sim_data, demo.sim_seed), (None, None));
    }
}
