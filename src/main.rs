use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use cfdash::app::{App, Settings};
use cfdash::clock::{Clock, SystemClock};
use cfdash::cloudfront::CloudFront;
use cfdash::cloudfront::aws::{AwsCloudFront, AwsSettings, check_endpoint};
use cfdash::cloudfront::serve;
use cfdash::cloudfront::sim::{SimCloudFront, SimData};
use cfdash::config::{self, Config, Profile};
use cfdash::tui::{self, Exit};
use cfdash::ui::Theme;
use cfdash::{cli, logging};

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
            eprintln!("cfdash: {message}");
            ExitCode::from(2)
        }
    };
    logging::flush();
    code
}

/// What the dashboard opens on: a profile's name and its backend, not yet connected.
enum Target {
    Simulated {
        name: String,
        data: SimData,
        seed: Option<u64>,
        form: FormSettings,
    },
    Aws {
        name: String,
        settings: AwsSettings,
        form: FormSettings,
    },
}

/// What a profile says about creating invalidations.
#[derive(Default)]
struct FormSettings {
    read_only: bool,
    presets: Vec<(String, Vec<String>)>,
}

/// `--demo`, else the profile `--profile` names (or the default one) in the profiles file.
fn target(cli: &cli::Cli) -> Result<Target, String> {
    let sim_data = |path: Option<&PathBuf>| match path {
        Some(p) => SimData::from_file(p),
        None => Ok(SimData::demo()),
    };
    if cli.demo {
        let data = sim_data(cli.sim.data.as_ref())?;
        let form = FormSettings {
            read_only: false,
            presets: data.presets.clone().into_iter().collect(),
        };
        return Ok(Target::Simulated {
            name: "demo".into(),
            data,
            seed: None,
            form,
        });
    }
    let path = config::path(cli.config.as_deref());
    let Some(config) = Config::load(&path)? else {
        return Err(format!(
            "no profiles yet ({} does not exist).\n\n  \
             Try it now on the built-in CloudFront simulator (no AWS account needed):\n      \
             cfdash --demo\n\n  \
             Or describe your accounts in that file (see assets/config.example.toml in the\n  \
             README), then run cfdash again.",
            path.display()
        ));
    };
    let (name, profile) = config
        .pick(cli.profile.as_deref())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let Profile {
        aws_profile,
        region,
        endpoint_url,
        allow_insecure_endpoint,
        simulated,
        sim_seed,
        sim_data: data,
        read_only,
        presets,
        ..
    } = profile;
    let mut form = FormSettings {
        read_only,
        presets: presets.into_iter().collect(),
    };
    if simulated {
        let data = sim_data(cli.sim.data.as_ref().or(data.as_ref()))?;
        if form.presets.is_empty() {
            form.presets = data.presets.clone().into_iter().collect();
        }
        return Ok(Target::Simulated {
            name,
            data,
            seed: sim_seed,
            form,
        });
    }
    // Said before the terminal is taken, like every other problem with the file.
    if let Some(url) = &endpoint_url {
        check_endpoint(url, allow_insecure_endpoint).map_err(|e| format!("profile {name}: {e}"))?;
    }
    Ok(Target::Aws {
        name,
        settings: AwsSettings {
            aws_profile,
            region,
            endpoint_url,
            allow_insecure_endpoint,
        },
        form,
    })
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
        println!("http://{address}");
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

fn run(cli: cli::Cli, started: Instant, log_path: PathBuf) -> Result<ExitCode, String> {
    if let Some(cli::Command::Sim(cli::SimCommand::Serve { port })) = &cli.command {
        return sim_serve(&cli, *port);
    }
    let target = target(&cli)?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err("the dashboard needs a terminal (stdin and stdout must be a TTY)".into());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (name, backend, form): (String, Arc<dyn CloudFront>, FormSettings) = match target {
        Target::Simulated {
            name,
            data,
            seed,
            form,
        } => {
            let mut settings = cli.sim.settings();
            if let Some(seed) = seed.filter(|_| !cli.demo) {
                settings.seed = seed;
            }
            let sim = SimCloudFront::new(data, settings, clock.clone());
            (name, Arc::new(sim), form)
        }
        Target::Aws {
            name,
            settings,
            form,
        } => {
            tracing::info!(profile = %name, ?settings, "connecting");
            let aws = runtime.block_on(AwsCloudFront::connect(&settings))?;
            (name, Arc::new(aws), form)
        }
    };
    let tz = jiff::tz::TimeZone::system();
    let settings = Settings {
        list_limit: cli.invalidations as usize,
        ..Settings::default()
    };
    let mut app = App::new(name, tz, settings, clock.now());
    app.read_only = form.read_only;
    app.presets = form.presets;

    tui::install_panic_hook(log_path.clone());
    let result = runtime.block_on(tui::run(app, backend, clock, Theme::from_env(), started));
    runtime.shutdown_background();
    match result {
        Ok(Exit::Quit) => Ok(ExitCode::SUCCESS),
        Ok(Exit::Signal(n)) => {
            tracing::info!(signal = n, "ended by signal");
            Ok(ExitCode::from(128 + n as u8))
        }
        Err(e) => {
            tracing::error!(error = ?e, "terminal error");
            eprintln!("cfdash: terminal error: {e} (log: {})", log_path.display());
            Ok(ExitCode::FAILURE)
        }
    }
}
