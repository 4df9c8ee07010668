//! The command line. Subcommands (headless commands, profiles, `sim serve`) join `Cli` as
//! they land; with none given, cfdash opens the dashboard.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use tracing_subscriber::filter::LevelFilter;

use crate::cloudfront::sim::{SimRates, SimSettings};
use crate::config::{self, Kind, ProfileFields};

#[derive(Debug, Parser)]
#[command(
    name = "cfdash",
    version,
    about = "A terminal dashboard for Amazon CloudFront cache invalidations",
    long_about = None
)]
pub struct Cli {
    /// Run on the embedded CloudFront simulator: no AWS account needed
    #[arg(global = true, long)]
    pub demo: bool,

    /// The profiles file (default: see below; or CFDASH_CONFIG)
    #[arg(global = true, long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Open this profile of the profiles file instead of its default_profile
    #[arg(
        global = true,
        long,
        short = 'p',
        value_name = "NAME",
        env = "CFDASH_PROFILE"
    )]
    pub profile: Option<String>,

    /// How many recent invalidations to list per distribution
    #[arg(long, value_name = "N", default_value_t = 50, env = "CFDASH_INVALIDATIONS", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub invalidations: u16,

    /// Write the log here instead of the default path (shown below)
    #[arg(global = true, long, value_name = "PATH", env = "CFDASH_LOG_FILE")]
    pub log_file: Option<PathBuf>,

    /// How much to log: off, error, warn, info, debug, trace
    #[arg(
        global = true,
        long,
        value_name = "LEVEL",
        default_value = "info",
        env = "CFDASH_LOG_LEVEL"
    )]
    pub log_level: LevelFilter,

    /// The journal, cfdash's memory of batches, watches and history (default: see
    /// `cfdash journal info`)
    #[arg(global = true, long, value_name = "PATH", env = "CFDASH_JOURNAL")]
    pub journal: Option<PathBuf>,

    /// Keep no journal: nothing is resumed, remembered or checked against earlier runs
    /// (wins over --journal and CFDASH_JOURNAL)
    #[arg(global = true, long)]
    pub no_journal: bool,

    #[command(flatten)]
    pub sim: SimArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The CloudFront simulator
    #[command(subcommand)]
    Sim(SimCommand),
    /// The profiles file
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List, show and change profiles (the same checks and safe save as the app)
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Invalidate paths on one or more distributions, and optionally wait for completion
    Invalidate(InvalidateArgs),
    /// The status of invalidations: the ones named, or all in progress on a distribution
    Status(StatusArgs),
    /// List the account's distributions
    Distributions(OutputArgs),
    /// List the tenants of a multi-tenant distribution: id, name, domains, enabled, status
    Tenants(TenantsArgs),
    /// List recent invalidations of a distribution, or of every distribution with --all
    Invalidations(InvalidationsArgs),
    /// What was invalidated, when and by whom: the journal, brought up to date from
    /// CloudFront's listings
    History(HistoryArgs),
    /// The journal file: where it is, how big, what it holds
    #[command(subcommand)]
    Journal(JournalCommand),
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// JSON on stdout instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TenantsArgs {
    /// The multi-tenant distribution: id, alias or domain name
    #[arg(long = "distribution", short = 'd', value_name = "D")]
    pub distribution: String,
    /// JSON on stdout instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InvalidateArgs {
    /// A distribution: its id, an alias (CNAME) or its domain name; repeat for several
    #[arg(
        long = "distribution",
        short = 'd',
        value_name = "D",
        required_unless_present = "tenants"
    )]
    pub distributions: Vec<String>,
    /// A distribution tenant: its id (dt_…), its name, or one of its domains; repeat for
    /// several. Each gets its own invalidation, counted against its distribution's quotas
    #[arg(long = "tenant", value_name = "T")]
    pub tenants: Vec<String>,
    /// Invalidate every tenant of each multi-tenant distribution given with -d: one
    /// invalidation per tenant, each with its own CallerReference
    #[arg(long, requires = "distributions")]
    pub all_tenants: bool,
    /// Send a plain invalidation to a multi-tenant (tenant-only) distribution itself, which
    /// is otherwise refused before sending: it may not reach its tenants' caches
    #[arg(long, conflicts_with = "all_tenants")]
    pub plain_on_multi_tenant: bool,
    /// Paths to invalidate; one argument may hold a space-separated list
    /// ("/index.html /images/*"); an item starting with # is a cache tag
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Read paths from a file, one per line (- reads stdin)
    #[arg(long, value_name = "FILE")]
    pub paths_file: Option<PathBuf>,
    /// Wait until every invalidation is Completed
    #[arg(long)]
    pub wait: bool,
    /// How long to wait at most (with --wait, or for queued batches): 90s, 20m, 1h; from 1s
    /// to 7d
    #[arg(long, value_name = "DURATION", default_value = "20m", value_parser = duration)]
    pub timeout: std::time::Duration,
    /// Show the final paths, batches and price, and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Leave out paths a wildcard of the same list already covers
    #[arg(long)]
    pub drop_covered: bool,
    /// Derive each batch's CallerReference from KEY, so a rerun of the same job adopts
    /// what the first run created instead of paying for it again. Use the commit SHA
    /// ($GITHUB_SHA), not a run id: the key must change whenever the content does
    #[arg(long, value_name = "KEY", value_parser = caller_key)]
    pub caller_reference: Option<String>,
    /// JSON on stdout instead of a table
    #[arg(long)]
    pub json: bool,
}

/// The longest `--caller-reference` key: the reference adds the distribution and the
/// batch number.
pub const MAX_CALLER_KEY: usize = 100;

/// A `--caller-reference` key: 1 to 100 printable ASCII characters, no spaces.
fn caller_key(s: &str) -> Result<String, String> {
    let shown = crate::text::quote(s);
    if s.is_empty() {
        return Err(
            "the key is empty: give the commit SHA, e.g. --caller-reference \"$GITHUB_SHA\"".into(),
        );
    }
    if s.len() > MAX_CALLER_KEY {
        return Err(format!(
            "the key is {} characters long: give at most {MAX_CALLER_KEY} (a commit SHA is 40)",
            s.chars().count()
        ));
    }
    if let Some(c) = s.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!(
            "{shown} holds {c:?}: use letters, digits and punctuation, no spaces"
        ));
    }
    Ok(s.to_string())
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this distribution (its id)
    #[arg(long = "distribution", short = 'd', value_name = "D")]
    pub distribution: Option<String>,
    /// Only invalidations with a path the glob matches (`*`, `?`), or a wildcard that
    /// covers it: '/products/*' finds /products/a.jpg, /products/* and /*
    #[arg(long, value_name = "GLOB")]
    pub path: Option<String>,
    /// Only invalidations created this long ago or later: 7d, 12h, 90m
    #[arg(long, value_name = "AGE", default_value = "30d", value_parser = age)]
    pub since: std::time::Duration,
    /// At most this many rows
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub limit: usize,
    /// Answer from the journal alone, without asking CloudFront
    #[arg(long)]
    pub offline: bool,
    /// JSON on stdout instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Where the journal is, its size and what it holds
    Info {
        /// JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// Forget details, history and notices older than [journal] retention_days now
    Prune,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The distribution: id, alias or domain name
    #[arg(
        long = "distribution",
        short = 'd',
        value_name = "D",
        required_unless_present = "tenant",
        conflicts_with = "tenant"
    )]
    pub distribution: Option<String>,
    /// A distribution tenant instead: its id (dt_…), name or one of its domains
    #[arg(long, value_name = "T")]
    pub tenant: Option<String>,
    /// Invalidation ids; none: every invalidation in progress on the distribution
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Wait until they are all Completed
    #[arg(long)]
    pub wait: bool,
    /// How long to wait at most: 90s, 20m, 1h; from 1s to 7d
    #[arg(long, value_name = "DURATION", default_value = "20m", value_parser = duration)]
    pub timeout: std::time::Duration,
    /// JSON on stdout instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InvalidationsArgs {
    /// The distribution: id, alias or domain name
    #[arg(
        long = "distribution",
        short = 'd',
        value_name = "D",
        required_unless_present_any = ["all", "tenant"],
        conflicts_with_all = ["all", "tenant"]
    )]
    pub distribution: Option<String>,
    /// A distribution tenant instead: its id (dt_…), name or one of its domains
    #[arg(long, value_name = "T", conflicts_with = "all")]
    pub tenant: Option<String>,
    /// Every distribution of the account, and every tenant of its multi-tenant ones
    /// (listed 8 at a time, at the pace of --rate)
    #[arg(long)]
    pub all: bool,
    /// Requests a second to CloudFront, at most (default: the profile's
    /// requests_per_minute, else 4), so a report does not throttle deploys beside it
    #[arg(long, value_name = "N", value_parser = rate)]
    pub rate: Option<f64>,
    /// How many recent invalidations per distribution
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,
    /// JSON on stdout instead of a table
    #[arg(long)]
    pub json: bool,
}

/// The longest `--timeout`: a week. Longer waits are a mistake, and an unbounded one would
/// overflow the clock.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// A duration such as 90s, 20m, 1h30m (or a number of seconds), from 1 s to a week: a
/// shorter wait could not see even one answer.
fn duration(s: &str) -> Result<std::time::Duration, String> {
    duration_within(s, MAX_TIMEOUT, "7d (604800 seconds)")
}

/// An age for `history --since`: from 1 s to about 100 years.
fn age(s: &str) -> Result<std::time::Duration, String> {
    duration_within(s, Duration::from_secs(36_500 * 86_400), "36500d")
}

fn duration_within(s: &str, max: Duration, said: &str) -> Result<std::time::Duration, String> {
    let shown = crate::text::quote(s);
    let d = if let Ok(secs) = s.parse::<u64>() {
        Duration::from_secs(secs)
    } else if s.trim_start().starts_with('-') {
        return Err(format!("{shown} must not be negative"));
    } else {
        let wrong = || format!("{shown} is not a duration like 90s, 20m or 1h30m");
        // Days count as 24 hours: a timeout is not a calendar span.
        let d = match s.parse::<jiff::SignedDuration>() {
            Ok(d) => d,
            Err(_) => s
                .parse::<jiff::Span>()
                .and_then(|span| span.to_duration(jiff::SpanRelativeTo::days_are_24_hours()))
                .map_err(|_| wrong())?,
        };
        Duration::try_from(d).map_err(|_| format!("{shown} must not be negative"))?
    };
    if d < Duration::from_secs(1) || d > max {
        return Err(format!("{shown} is out of range: give from 1s to {said}"));
    }
    Ok(d)
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print where the profiles file is (--config, CFDASH_CONFIG, or the default)
    Path,
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Every profile: name, default, how it reaches its account
    List {
        /// JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// One profile, every key
    Show {
        name: String,
        /// JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// Add a profile
    Add {
        name: String,
        #[command(flatten)]
        fields: ProfileArgs,
    },
    /// Delete a profile
    Remove { name: String },
    /// Make a profile the one opened without --profile
    SetDefault { name: String },
}

/// A flag for each key the profile schema marks editable ([`config::editable`]), in the
/// form's order, with the schema's flag name, value name and help.
#[derive(Clone, Debug, Default)]
pub struct ProfileArgs(pub ProfileFields);

impl Args for ProfileArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        config::editable(true).fold(cmd, |cmd, (key, edit)| {
            let arg = Arg::new(key.name).long(edit.flag).help(edit.help);
            let arg = match &key.kind {
                Kind::Text(_) | Kind::Choice(_) => arg
                    .action(ArgAction::Set)
                    .value_parser(clap::value_parser!(String)),
                Kind::List(_) => arg
                    .action(ArgAction::Append)
                    .value_parser(clap::value_parser!(String)),
                _ => arg.action(ArgAction::SetTrue),
            };
            cmd.arg(match edit.value_name {
                Some(v) => arg.value_name(v),
                None => arg,
            })
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for ProfileArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut fields = ProfileFields::default();
        for (key, _) in config::editable(true) {
            match &key.kind {
                Kind::Text(f) | Kind::Choice(f) => {
                    (f.set)(&mut fields, m.get_one::<String>(key.name).cloned())
                }
                Kind::List(f) => (f.set)(
                    &mut fields,
                    m.get_many::<String>(key.name)
                        .map(|v| v.cloned().collect())
                        .unwrap_or_default(),
                ),
                Kind::Flag(f) => (f.set)(&mut fields, m.get_flag(key.name)),
                _ => {}
            }
        }
        Ok(Self(fields))
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Serve the simulated account over CloudFront's HTTP API on 127.0.0.1, for the SDKs
    /// and the aws CLI (`aws --endpoint-url http://127.0.0.1:PORT cloudfront …`)
    Serve {
        /// The port to listen on; 0 picks a free one. The address is printed on stdout.
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

/// The simulator's knobs, as flags or `CFDASH_SIM_*` variables, so runs are repeatable.
#[derive(Debug, Args)]
#[command(next_help_heading = "Simulator (--demo)")]
pub struct SimArgs {
    /// Seed of the simulated account: the same seed, the same invalidations
    #[arg(
        global = true,
        long = "sim-seed",
        env = "CFDASH_SIM_SEED",
        default_value_t = 1,
        value_name = "N"
    )]
    pub seed: u64,

    /// Multiply completion delays: 0 completes at once, 0.1 ten times faster (at most 1000)
    #[arg(global = true, long = "sim-delay-scale", env = "CFDASH_SIM_DELAY_SCALE", default_value_t = 1.0, value_name = "X", value_parser = delay_scale)]
    pub delay_scale: f64,

    /// Mean latency of each simulated call, in milliseconds (at most 60000)
    #[arg(
        global = true,
        long = "sim-latency-ms",
        env = "CFDASH_SIM_LATENCY_MS",
        default_value_t = 120,
        value_name = "MS",
        value_parser = clap::value_parser!(u64).range(0..=60_000)
    )]
    pub latency_ms: u64,

    /// Share of calls answered with throttling (0 to 1)
    #[arg(global = true, long = "sim-throttle-rate", env = "CFDASH_SIM_THROTTLE_RATE", default_value_t = 0.0, value_name = "P", value_parser = probability)]
    pub throttle_rate: f64,

    /// Share of calls that fail with a 5xx (0 to 1)
    #[arg(global = true, long = "sim-fault-rate", env = "CFDASH_SIM_FAULT_RATE", default_value_t = 0.0, value_name = "P", value_parser = probability)]
    pub fault_rate: f64,

    /// Mean seconds between invalidations made elsewhere (a pipeline, the console); 0 for
    /// none, else from 1 to 86400
    #[arg(global = true, long = "sim-activity", env = "CFDASH_SIM_ACTIVITY", default_value_t = 90.0, value_name = "SECS", value_parser = activity)]
    pub activity_secs: f64,

    /// Share of `sim serve` answers lost: the request is carried out, then the connection
    /// closes without an answer (0 to 1)
    #[arg(global = true, long = "sim-drop-rate", env = "CFDASH_SIM_DROP_RATE", default_value_t = 0.0, value_name = "P", value_parser = probability)]
    pub drop_rate: f64,

    /// CloudFront's rate limits: `cloudfront` (what is reported of it), `off`, or
    /// `list=5/20,get=5/20,create=0.5/6` (requests a second / burst per family); beyond
    /// them a call is answered Throttling
    #[arg(global = true, long = "sim-rate-limit", env = "CFDASH_SIM_RATE_LIMIT", default_value = "off", value_name = "RATES", value_parser = rate_limit)]
    pub rate_limit: RateLimit,

    /// Panic on the Nth simulated call: tests that a crash restores the terminal
    #[arg(
        global = true,
        long = "sim-panic-on-call",
        env = "CFDASH_SIM_PANIC_ON_CALL",
        hide = true,
        value_name = "N"
    )]
    pub panic_on_call: Option<u64>,

    /// The simulated account (default: the bundled assets/demo.toml)
    #[arg(
        global = true,
        long = "sim-data",
        env = "CFDASH_SIM_DATA",
        value_name = "FILE"
    )]
    pub data: Option<PathBuf>,
}

impl SimArgs {
    pub fn settings(&self) -> SimSettings {
        SimSettings {
            seed: self.seed,
            delay_scale: self.delay_scale,
            latency: Duration::from_millis(self.latency_ms),
            throttle_rate: self.throttle_rate,
            fault_rate: self.fault_rate,
            activity_secs: self.activity_secs,
            panic_on_call: self.panic_on_call,
            rate_limit: self.rate_limit.0,
        }
    }
}

/// `--sim-rate-limit`'s value: the rates, or None for `off`.
#[derive(Clone, Debug)]
pub struct RateLimit(pub Option<SimRates>);

fn rate_limit(s: &str) -> Result<RateLimit, String> {
    SimRates::parse(s).map(RateLimit)
}

/// Requests a second: from 0.1 to 100.
fn rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.1..=100.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "{} is not a rate cfdash takes: give from 0.1 to 100 requests a second",
            crate::text::quote(s)
        )),
    }
}

fn probability(s: &str) -> Result<f64, String> {
    let p: f64 = s.parse().map_err(|_| format!("{s} is not a number"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{s} is not between 0 and 1"))
    }
}

/// A number from 0 to `max`: the simulator turns these into times, which must not overflow.
fn bounded(s: &str, max: f64) -> Result<f64, String> {
    let shown = crate::text::quote(s);
    let x: f64 = s.parse().map_err(|_| format!("{shown} is not a number"))?;
    if (0.0..=max).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{shown} is out of range: give from 0 to {max}"))
    }
}

fn delay_scale(s: &str) -> Result<f64, String> {
    bounded(s, 1000.0)
}

/// 0 (none), or a mean of 1 s to a day: a tinier one would invent invalidations faster than
/// the clock can tell them apart.
fn activity(s: &str) -> Result<f64, String> {
    let x = bounded(s, 86_400.0)?;
    if x > 0.0 && x < 1.0 {
        return Err(format!(
            "{} is too small: give 0 for none, or from 1 to 86400 seconds",
            crate::text::quote(s)
        ));
    }
    Ok(x)
}

/// Parses the process's arguments; `--help` names the log file it would write.
pub fn parse() -> Cli {
    let log = crate::logging::default_path();
    let config = crate::config::path(None);
    let command = Cli::command().after_help(format!(
        "Profiles: {}\nLog file: {} (change it with --log-file)\n\n\
         No AWS account? Try the simulator: cfdash --demo",
        config.display(),
        log.display()
    ));
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn profile_add_flags_come_from_the_schema() {
        let cli = Cli::try_parse_from([
            "cfdash",
            "profile",
            "add",
            "n",
            "--aws-profile",
            "p",
            "--region",
            "eu-west-1",
            "--distribution",
            "E1",
            "--distribution",
            "E2",
            "--read-only",
            "--simulated",
        ])
        .unwrap();
        let Some(Command::Profile(ProfileCommand::Add { name, fields })) = cli.command else {
            panic!("{:?}", cli.command)
        };
        assert_eq!(name, "n");
        let expected = ProfileFields {
            aws_profile: Some("p".into()),
            region: Some("eu-west-1".into()),
            distributions: vec!["E1".into(), "E2".into()],
            read_only: true,
            simulated: true,
            ..Default::default()
        };
        assert_eq!(fields.0, expected);
    }

    #[test]
    fn durations() {
        assert_eq!(duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("20m"), Ok(Duration::from_secs(1200)));
        assert_eq!(duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(duration("45"), Ok(Duration::from_secs(45)));
        assert!(duration("soon").is_err());
        assert_eq!(duration("7d"), Ok(MAX_TIMEOUT));
    }

    #[test]
    fn durations_out_of_range_are_refused() {
        for bad in [
            "0",
            "0s",
            "500ms",
            "8d",
            "18446744073709551615",
            "-5s",
            "-1",
        ] {
            let err = duration(bad).unwrap_err();
            assert!(
                err.contains("from 1s to 7d") || err.contains("negative"),
                "{bad}: {err}"
            );
        }
        assert_eq!(duration("1s"), Ok(Duration::from_secs(1)));
    }

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        assert!(probability("0.5").is_ok());
        assert!(probability("1.5").is_err());
        assert!(probability("x").is_err());
        assert!(delay_scale("-1").is_err());
        assert!(delay_scale("1e300").is_err());
        assert!(delay_scale("NaN").is_err());
        assert_eq!(delay_scale("0.1"), Ok(0.1));
        assert!(activity("inf").is_err());
        assert_eq!(activity("86400"), Ok(86_400.0));
        assert_eq!(activity("0"), Ok(0.0));
        assert!(activity("1e-9").is_err());
        assert!(activity("1e-300").is_err());
    }
}
