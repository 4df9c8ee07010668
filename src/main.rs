use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use cfdash::app::{App, Settings};
use cfdash::clock::{Clock, SystemClock};
use cfdash::cloudfront::sim::{SimCloudFront, SimData};
use cfdash::tui::{self, Exit};
use cfdash::ui::Theme;
use cfdash::{cli, logging};

const NOTHING_CONFIGURED: &str = "\
cfdash has no profile to open yet.

  Try it now on the built-in CloudFront simulator (no AWS account needed):
      cfdash --demo

  Connecting to real AWS accounts through named profiles is coming; see README.md.";

fn main() -> ExitCode {
    let started = Instant::now();
    let cli = cli::parse();
    let log_path = cli.log_file.clone().unwrap_or_else(logging::default_path);
    if let Err(e) = logging::init(&log_path, cli.log_level) {
        eprintln!("cfdash: {e}");
        return ExitCode::from(2);
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "cfdash starting");
    let code = run(cli, started, log_path);
    logging::flush();
    code
}

fn run(cli: cli::Cli, started: Instant, log_path: std::path::PathBuf) -> ExitCode {
    if !cli.demo {
        eprintln!("{NOTHING_CONFIGURED}");
        return ExitCode::from(2);
    }
    let data = match &cli.sim.data {
        Some(path) => match SimData::from_file(path) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("cfdash: {e}");
                return ExitCode::from(2);
            }
        },
        None => SimData::demo(),
    };
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("cfdash: the dashboard needs a terminal (stdin and stdout must be a TTY)");
        return ExitCode::from(2);
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let sim = Arc::new(SimCloudFront::new(data, cli.sim.settings(), clock.clone()));
    let tz = jiff::tz::TimeZone::system();
    let app = App::new("demo", tz, Settings::default(), clock.now());

    tui::install_panic_hook(log_path.clone());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cfdash: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(tui::run(app, sim, clock, Theme::from_env(), started));
    runtime.shutdown_background();
    match result {
        Ok(Exit::Quit) => ExitCode::SUCCESS,
        Ok(Exit::Signal(n)) => {
            tracing::info!(signal = n, "ended by signal");
            ExitCode::from(128 + n as u8)
        }
        Err(e) => {
            tracing::error!(error = ?e, "terminal error");
            eprintln!("cfdash: terminal error: {e} (log: {})", log_path.display());
            ExitCode::FAILURE
        }
    }
}
