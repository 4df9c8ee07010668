//! Logs go to a file, never to the terminal the dashboard draws on.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// Kept alive until exit: dropping it flushes what the background writer still holds.
static GUARD: Mutex<Option<WorkerGuard>> = Mutex::new(None);

/// `$XDG_STATE_HOME/cfdash/cfdash.log` on Linux, the cache folder where there is no state
/// folder (macOS), the temp folder as a last resort.
pub fn default_path() -> PathBuf {
    directories::ProjectDirs::from("", "", "cfdash")
        .map(|d| d.state_dir().unwrap_or(d.cache_dir()).join("cfdash.log"))
        .unwrap_or_else(|| std::env::temp_dir().join("cfdash.log"))
}

/// Starts logging to `path` at `level` (cfdash's own events only).
pub fn init(path: &Path, level: LevelFilter) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the log folder {}: {e}", dir.display()))?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(|e| {
        format!(
            "cannot open the log file {}: {e} (choose another with --log-file)",
            path.display()
        )
    })?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = filter(level);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter(filter),
        )
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))?;
    *GUARD.lock().unwrap_or_else(|e| e.into_inner()) = Some(guard);
    Ok(())
}

/// cfdash's own events at `level`, and nothing from any other crate. The AWS SDK logs
/// request headers (signatures, session tokens) at debug and trace, and its warnings quote
/// raw values: a URL with a key in it, the bytes of a credentials file it could not read.
/// None of that may reach the file, whatever `--log-level` says; cfdash logs what matters
/// of the SDK's failures itself, as sentences.
fn filter(level: LevelFilter) -> Targets {
    Targets::new()
        .with_target("cfdash", level)
        .with_default(LevelFilter::OFF)
}

/// Flushes the log; call before the process ends.
pub fn flush() {
    drop(GUARD.lock().unwrap_or_else(|e| e.into_inner()).take());
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn only_cfdash_logs() {
        let f = filter(LevelFilter::TRACE);
        assert!(f.would_enable("cfdash::tui", &Level::TRACE));
        for target in [
            "aws_smithy_runtime::client",
            "aws_sigv4",
            "aws_config",
            "aws_runtime",
            "hyper_util",
        ] {
            for level in [Level::DEBUG, Level::INFO, Level::WARN, Level::ERROR] {
                assert!(!f.would_enable(target, &level), "{target} {level}");
            }
        }
        let quiet = filter(LevelFilter::ERROR);
        assert!(!quiet.would_enable("cfdash::tui", &Level::WARN));
    }
}
