//! The journal: cfdash's memory of what it did and saw, in one SQLite file, so nothing is
//! lost across a quit, a crash or a rerun. CloudFront stays the source of truth; the
//! journal keeps the batches cfdash was asked to send (before they are sent) and what
//! became of them, the watches, the listings and details it saw, and its notices.
//!
//! - One file (`journal.sqlite` in the XDG data folder, or `--journal` / `CFDASH_JOURNAL`),
//!   0600 in a 0700 folder, WAL mode with a busy timeout so several cfdash processes share
//!   it (the rollback journal where WAL cannot work), its schema versioned by
//!   `PRAGMA user_version` and marked as cfdash's by `PRAGMA application_id`.
//! - Everything is kept per *scope*: a profile, a fingerprint of its endpoint (`aws`,
//!   `sim`, or an emulator's `scheme://host:port`), and the account, once a listing's ARNs
//!   tell it.
//! - A journal that cannot be opened (not a journal, locked, read-only, newer) is never
//!   written: cfdash runs without it and says so once.
//! - The app writes through one thread (`writer.rs`), so a write never stalls a frame.
//!
//! It never holds credentials: an endpoint's user and password are never part of it.

pub mod writer;

use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::cloudfront::{Distribution, Invalidation, InvalidationStatus, InvalidationSummary};
use crate::config::Profile;
use crate::engine::{self, Batch, Change};

pub use writer::Handle;

/// `PRAGMA application_id` of a cfdash journal ("cfdj").
const APPLICATION_ID: i32 = 0x6366_646a;

/// The `enabled` column of `distributions`: 0 or 1 as it always was (rows of earlier
/// versions), 2 when the answer did not say; plus [`COMMENT_UNKNOWN`] when it did not say
/// the comment either (the `comment` column then holds ""). An earlier cfdash reading the
/// column as a boolean sees "enabled" for anything but 0.
const ENABLED_UNKNOWN: i64 = 2;
const COMMENT_UNKNOWN: i64 = 4;
/// … and when it did not say the aliases (the `aliases` column then holds "").
const ALIASES_UNKNOWN: i64 = 8;

fn known_code(d: &Distribution) -> i64 {
    let enabled = match d.enabled {
        Some(true) => 1,
        Some(false) => 0,
        None => ENABLED_UNKNOWN,
    };
    let flag = |unknown: bool, bit: i64| if unknown { bit } else { 0 };
    enabled | flag(d.comment.is_none(), COMMENT_UNKNOWN) | flag(d.aliases_unknown, ALIASES_UNKNOWN)
}

fn enabled_of(code: i64) -> Option<bool> {
    match code & !(COMMENT_UNKNOWN | ALIASES_UNKNOWN) {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

/// The schema, one migration per version: `user_version` is how many have run.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE scopes (
    id        INTEGER PRIMARY KEY,
    profile   TEXT NOT NULL,
    endpoint  TEXT NOT NULL,
    account   TEXT NOT NULL DEFAULT '',
    last_used INTEGER NOT NULL,
    UNIQUE (profile, endpoint, account)
);
CREATE TABLE distributions (
    scope INTEGER NOT NULL, id TEXT NOT NULL, arn TEXT NOT NULL, domain TEXT NOT NULL,
    aliases TEXT NOT NULL, status TEXT NOT NULL, enabled INTEGER NOT NULL,
    comment TEXT NOT NULL, origins TEXT NOT NULL, last_modified INTEGER NOT NULL,
    -- where ListDistributions put it
    pos INTEGER NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (scope, id)
) WITHOUT ROWID;
CREATE TABLE invalidations (
    scope INTEGER NOT NULL, distribution TEXT NOT NULL, id TEXT NOT NULL,
    status TEXT NOT NULL, create_time INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    -- when cfdash first saw it completed, having seen it in progress before
    completed_seen INTEGER,
    caller_reference TEXT, path_count INTEGER, details_at INTEGER,
    PRIMARY KEY (scope, distribution, id)
) WITHOUT ROWID;
CREATE INDEX invalidations_by_time ON invalidations (scope, distribution, create_time);
CREATE INDEX invalidations_by_reference ON invalidations (caller_reference);
CREATE TABLE paths (
    scope INTEGER NOT NULL, distribution TEXT NOT NULL, invalidation TEXT NOT NULL,
    n INTEGER NOT NULL, path TEXT NOT NULL,
    PRIMARY KEY (scope, distribution, invalidation, n)
) WITHOUT ROWID;
CREATE INDEX paths_by_path ON paths (path);
CREATE TABLE batches (
    reference TEXT PRIMARY KEY,
    scope INTEGER NOT NULL, submission TEXT NOT NULL,
    -- the --caller-reference KEY it was derived from
    key TEXT,
    distribution TEXT NOT NULL, number INTEGER NOT NULL, of INTEGER NOT NULL,
    paths TEXT NOT NULL,
    -- waiting, sending, created, adopted, unknown, not_sent, dropped
    state TEXT NOT NULL,
    invalidation TEXT, create_time INTEGER, error TEXT,
    queued_at INTEGER NOT NULL, sent_at INTEGER, updated_at INTEGER NOT NULL,
    -- the process that may send it, and when it last said it was alive
    owner TEXT, heartbeat INTEGER,
    -- the process that recorded it first (runs sharing a --caller-reference key)
    recorded_by TEXT
);
CREATE INDEX batches_by_scope ON batches (scope, state);
CREATE INDEX batches_by_key ON batches (key);
CREATE TABLE watches (
    scope INTEGER NOT NULL, distribution TEXT NOT NULL, invalidation TEXT NOT NULL,
    create_time INTEGER NOT NULL, since INTEGER NOT NULL,
    PRIMARY KEY (scope, distribution, invalidation)
) WITHOUT ROWID;
CREATE TABLE notices (
    id INTEGER PRIMARY KEY, scope INTEGER NOT NULL, at INTEGER NOT NULL,
    kind TEXT NOT NULL, text TEXT NOT NULL
);
CREATE INDEX notices_by_scope ON notices (scope, at);
"#,
    r#"
-- Multi-tenant distributions, and their tenants as rows of their own (parent: the
-- distribution a tenant belongs to; NULL for a distribution).
ALTER TABLE distributions ADD COLUMN tenant_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE distributions ADD COLUMN parent TEXT;
ALTER TABLE distributions ADD COLUMN tenant_name TEXT;
-- A distribution's CacheTagConfig header (NULL: none), as read at its last_modified.
CREATE TABLE cache_tags (
    scope INTEGER NOT NULL, distribution TEXT NOT NULL, header TEXT,
    last_modified INTEGER NOT NULL,
    PRIMARY KEY (scope, distribution)
) WITHOUT ROWID;
"#,
];

/// How long a batch's owner may go without a heartbeat before another cfdash may take it.
pub const LEASE: SignedDuration = SignedDuration::from_secs(30);
/// How often a process renews the leases of the batches it owns.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// Details and history older than this are pruned unless the config says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 400;

/// Where the journal is: `--journal`, else `CFDASH_JOURNAL`, else the data folder
/// (`~/.local/share/cfdash/journal.sqlite` on Linux).
pub fn path(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("CFDASH_JOURNAL").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    directories::ProjectDirs::from("", "", "cfdash")
        .map(|d| d.data_dir().join("journal.sqlite"))
        .unwrap_or_else(|| PathBuf::from("cfdash-journal.sqlite"))
}

/// Whose data a row is: a profile and its endpoint's fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    pub profile: String,
    pub endpoint: String,
}

impl Scope {
    pub fn new(profile: &str, p: &Profile) -> Self {
        Self {
            profile: profile.to_string(),
            endpoint: fingerprint(p),
        }
    }
}

/// What a profile reaches, as the journal keys it: `sim`, `aws`, or an endpoint's scheme,
/// host and port (never its user, password, path or query). The endpoint is the one the
/// SDK will use: the profile's `endpoint_url`, else `AWS_ENDPOINT_URL_CLOUDFRONT` or
/// `AWS_ENDPOINT_URL` (unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true). One set in
/// `~/.aws/config` counts as `aws`; the account, read from the first listing, keeps it apart.
pub fn fingerprint(p: &Profile) -> String {
    fingerprint_with(p, |name| std::env::var(name).ok())
}

/// [`fingerprint`], with the environment given.
pub fn fingerprint_with(p: &Profile, env: impl Fn(&str) -> Option<String>) -> String {
    if p.simulated {
        return match p.sim_seed {
            Some(seed) => format!("sim:{seed}"),
            None => "sim".into(),
        };
    }
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let ignored = set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let configured = if ignored {
        None
    } else {
        set("AWS_ENDPOINT_URL_CLOUDFRONT").or_else(|| set("AWS_ENDPOINT_URL"))
    };
    let Some(endpoint) = p.endpoint_url.clone().or(configured) else {
        return "aws".into();
    };
    match url::Url::parse(endpoint.trim()) {
        Ok(u) => format!(
            "{}://{}:{}",
            u.scheme(),
            u.host_str().unwrap_or(""),
            u.port_or_known_default().unwrap_or(0)
        ),
        Err(_) => "endpoint:unparsed".into(),
    }
}

/// The account of a distribution's (or tenant's) ARN: the 12-digit id in AWS's shape,
/// `arn:aws:cloudfront::123456789012:distribution/E…` (CloudFront's ARNs have an empty
/// region), and in moto's, which leaves the region out
/// (`arn:aws:cloudfront:123456789012:distribution/E…`). Anything else is `None`, unknown:
/// a wrong account would key the journal's scope and the pacing on something else.
pub fn account_of(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("cloudfront")) =
        (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if !partition.starts_with("aws") {
        return None;
    }
    let resource_ok = |r: Option<&str>| r.is_some_and(|r| !r.is_empty() && !is_account(r));
    match (parts.next(), parts.next(), parts.next()) {
        // AWS: an empty region, the account, the resource.
        (Some(""), Some(account), resource) if is_account(account) && resource_ok(resource) => {
            Some(account)
        }
        // moto: no region field at all (the resource may hold no colon then).
        (Some(account), Some(resource), None)
            if is_account(account) && resource_ok(Some(resource)) =>
        {
            Some(account)
        }
        _ => None,
    }
}

/// Whether `s` reads as an AWS account id: 12 digits.
pub fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Where a batch is, as the journal keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchState {
    /// Not sent yet (queued, or waiting for a retry).
    Waiting,
    /// Sent, not answered: it may exist.
    Sending,
    Created,
    /// CloudFront had it already under its reference, from an earlier run.
    Adopted,
    /// Given up with the outcome unknown: it may exist.
    Unknown,
    NotSent,
    /// The operator chose not to send it.
    Dropped,
}

impl BatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Sending => "sending",
            Self::Created => "created",
            Self::Adopted => "adopted",
            Self::Unknown => "unknown",
            Self::NotSent => "not_sent",
            Self::Dropped => "dropped",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "waiting" => Self::Waiting,
            "sending" => Self::Sending,
            "created" => Self::Created,
            "adopted" => Self::Adopted,
            "unknown" => Self::Unknown,
            "dropped" => Self::Dropped,
            _ => Self::NotSent,
        }
    }

    /// Not known to be done with: a next start offers it.
    pub fn unsettled(self) -> bool {
        matches!(self, Self::Waiting | Self::Sending | Self::Unknown)
    }
}

/// A change to record.
#[derive(Clone, Debug)]
pub enum Write {
    /// A complete listing of the scope's distributions.
    Distributions {
        scope: Scope,
        list: Vec<Distribution>,
        at: Timestamp,
    },
    /// The recent invalidations of a distribution.
    Invalidations {
        scope: Scope,
        distribution: String,
        list: Vec<InvalidationSummary>,
        at: Timestamp,
    },
    /// One invalidation's details (GetInvalidation, or a create's answer).
    Details {
        scope: Scope,
        distribution: String,
        inv: Invalidation,
        at: Timestamp,
    },
    /// A batch about to be sent, or queued: recorded before anything is sent.
    Batch {
        scope: Scope,
        batch: Batch,
        key: Option<String>,
        at: Timestamp,
    },
    /// What became of a batch.
    BatchState {
        reference: String,
        state: BatchState,
        invalidation: Option<(String, Timestamp)>,
        error: Option<String>,
        at: Timestamp,
    },
    Watch {
        scope: Scope,
        distribution: String,
        id: String,
        create_time: Timestamp,
        on: bool,
        at: Timestamp,
    },
    Notice {
        scope: Scope,
        kind: String,
        text: String,
        at: Timestamp,
    },
    /// Some distributions (those a command named), as `Distributions` without the rest
    /// being gone.
    SomeDistributions {
        scope: Scope,
        list: Vec<Distribution>,
        at: Timestamp,
    },
    /// Every tenant of a distribution (rows with `tenant` set): those not in it are gone.
    Tenants {
        scope: Scope,
        distribution: String,
        list: Vec<Distribution>,
        at: Timestamp,
    },
    /// A distribution's cache-tag header (`None`: it has no CacheTagConfig), as read when
    /// the distribution was last modified at `last_modified`.
    CacheTags {
        scope: Scope,
        distribution: String,
        header: Option<String>,
        last_modified: Timestamp,
    },
    /// This process stops: its unsettled batches stay, free for the next cfdash to take.
    Release,
}

/// A process's link to the journal: its thread, the scope its writes belong to, and the
/// `--caller-reference` key of its batches.
#[derive(Clone, Debug)]
pub struct Link {
    pub handle: Handle,
    pub scope: Scope,
    pub key: Option<String>,
}

impl Link {
    /// Records what the engine did since last asked.
    pub fn record(&self, changes: Vec<Change>, now: Timestamp) {
        for change in changes {
            for w in writes_for(change, &self.scope, self.key.as_deref(), now) {
                self.handle.write(w);
            }
        }
    }
}

/// What to record of one of the engine's changes: the batch, its new state, and the
/// details of an invalidation it created.
pub fn writes_for(change: Change, scope: &Scope, key: Option<&str>, now: Timestamp) -> Vec<Write> {
    match change {
        Change::Added(batch) => vec![Write::Batch {
            scope: scope.clone(),
            batch,
            key: key.map(String::from),
            at: now,
        }],
        Change::State {
            reference,
            distribution,
            state,
            adopted,
        } => {
            let (state, invalidation, error, details) = match state {
                engine::State::Waiting { .. } => (BatchState::Waiting, None, None, None),
                engine::State::Sending => (BatchState::Sending, None, None, None),
                engine::State::Created(inv) => (
                    if adopted {
                        BatchState::Adopted
                    } else {
                        BatchState::Created
                    },
                    Some((inv.id.clone(), inv.create_time)),
                    None,
                    Some(inv),
                ),
                engine::State::Unknown(e) => (BatchState::Unknown, None, Some(e.to_string()), None),
                engine::State::NotSent(e) => {
                    (BatchState::NotSent, None, e.map(|e| e.to_string()), None)
                }
            };
            let mut writes = vec![Write::BatchState {
                reference,
                state,
                invalidation,
                error,
                at: now,
            }];
            if let Some(inv) = details {
                writes.push(Write::Details {
                    scope: scope.clone(),
                    distribution,
                    inv,
                    at: now,
                });
            }
            writes
        }
    }
}

/// A batch as the journal has it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredBatch {
    pub batch: Batch,
    pub key: Option<String>,
    pub state: BatchState,
    pub invalidation: Option<String>,
    pub create_time: Option<Timestamp>,
    pub error: Option<String>,
    pub queued_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// A notice as the log keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedNotice {
    pub at: Timestamp,
    pub kind: String,
    pub text: String,
}

/// A watched invalidation, with what cfdash last knew of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watched {
    pub distribution: String,
    pub id: String,
    pub create_time: Timestamp,
}

/// The last known state of a scope: what the first frame shows.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// The account of the scope's rows (empty: not known yet).
    pub account: String,
    pub distributions: Vec<Distribution>,
    /// When the distributions were last listed.
    pub listed_at: Option<Timestamp>,
    /// Per distribution, its most recent invalidations, newest first.
    pub invalidations: HashMap<String, Vec<InvalidationSummary>>,
    /// How long the invalidations cfdash saw complete took, at most.
    pub took: Vec<(String, String, SignedDuration)>,
    pub watches: Vec<Watched>,
    /// Batches not known to be done with and owned by no running cfdash.
    pub unsettled: Vec<StoredBatch>,
    /// The latest notices, oldest first.
    pub notices: Vec<LoggedNotice>,
    /// Per distribution, its cache-tag header (`None`: none) and the distribution's
    /// last-modified time when it was read.
    pub cache_tags: HashMap<String, (Option<String>, Timestamp)>,
}

/// A filter for `cfdash history` (and the app's search).
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub profile: Option<String>,
    pub distribution: Option<String>,
    /// A glob (`*`, `?`) over paths; an item with a wildcard that covers the glob's
    /// literal start matches too (`/*` covers `/products/*`).
    pub path: Option<String>,
    pub since: Option<Timestamp>,
    pub limit: usize,
}

/// One invalidation in history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRow {
    pub profile: String,
    pub account: String,
    pub distribution: String,
    pub id: String,
    pub status: String,
    pub create_time: Timestamp,
    pub caller_reference: Option<String>,
    pub paths: Vec<String>,
    pub path_count: Option<usize>,
    /// Seen completed, having been seen in progress: it took at most this.
    pub took: Option<SignedDuration>,
    /// Sent by cfdash: its reference is one of the journal's batches (a
    /// `--caller-reference` key's too).
    pub ours: bool,
}

impl HistoryRow {
    /// Who made it: cfdash, the aws CLI, or another client.
    pub fn origin(&self) -> &'static str {
        match &self.caller_reference {
            _ if self.ours => "cfdash",
            Some(r) => origin(r),
            None => "unknown",
        }
    }
}

/// Who made an invalidation, from its CallerReference.
pub fn origin(reference: &str) -> &'static str {
    if reference.starts_with("cfdash-") {
        "cfdash"
    } else if reference.starts_with("cli-") {
        "aws-cli"
    } else if reference.is_empty() {
        "unknown"
    } else {
        "other"
    }
}

/// What `cfdash journal info` says.
#[derive(Clone, Debug)]
pub struct Info {
    pub path: PathBuf,
    /// The file itself …
    pub bytes: u64,
    /// … and its WAL, which SQLite folds back in when the last process closes it.
    pub wal_bytes: u64,
    pub mode: String,
    pub version: i64,
    pub scopes: i64,
    pub distributions: i64,
    pub invalidations: i64,
    pub paths: i64,
    pub batches: i64,
    pub unsettled: i64,
    pub notices: i64,
}

/// An open journal.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    /// `wal`, or `delete` where WAL cannot work.
    mode: String,
    /// This process, as the owner of the batches it may send: `host:pid:start`.
    owner: String,
    host: String,
    scopes: HashMap<Scope, i64>,
    /// The file opened (device, inode): one removed or replaced since is never written.
    identity: (u64, u64),
    /// Checked (`PRAGMA quick_check`) before the first write: `Some(why)` when it cannot
    /// be written, for good.
    unwritable: Option<String>,
    checked: bool,
}

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

const READ_ONLY: &str = "read-only (a read-only disk or file)";

/// The operator's sentence for an SQLite error that says why a journal cannot be used.
fn known(e: &rusqlite::Error) -> Option<&'static str> {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code()? {
        C::NotADatabase => Some(
            "not a cfdash journal (not SQLite, or damaged), left as it is: move it away or use --journal PATH",
        ),
        C::DatabaseBusy | C::DatabaseLocked => Some("locked by another process"),
        C::ReadOnly => Some(READ_ONLY),
        _ => None,
    }
}

/// [`known`]'s sentence, else SQLite's own.
fn said(e: &rusqlite::Error) -> String {
    known(e).map_or_else(|| e.to_string(), String::from)
}

/// This machine's name, for the leases.
fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `len` bytes into the buffer we own.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "localhost".into();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// A process's state and start time (clock ticks since boot) from /proc/PID/stat; `None`
/// where there is no such process (or no /proc).
fn proc_stat(pid: u32) -> Option<(String, String)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (name) S ppid …": the fields after the last ')' start with the state (field 3);
    // the start time is field 22.
    let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some((rest.first()?.to_string(), rest.get(19)?.to_string()))
}

/// This process, as the owner of the batches it may send: `host:pid:start`, the start
/// from /proc (so a later process that gets the same pid is not taken for it), else the
/// time.
fn owner_of_this_process(host: &str, now: Timestamp) -> String {
    let pid = std::process::id();
    let start = proc_stat(pid).map_or_else(|| format!("t{}", now.as_millisecond()), |(_, s)| s);
    format!("{host}:{pid}:{start}")
}

/// Whether the process an owner names (of this machine) still runs: the same pid with
/// the same start time, and not a zombie. Without /proc, a pid that exists.
fn alive(pid: u32, start: &str) -> bool {
    if pid == 0 || pid > i32::MAX as u32 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid as i32, 0) };
    let exists = rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    if !exists {
        return false;
    }
    match proc_stat(pid) {
        Some((state, started)) => {
            state != "Z" && state != "X" && (start.starts_with('t') || started == start)
        }
        None => true,
    }
}

impl Journal {
    /// Opens (creating if need be) the journal at `path`. Refuses, without writing a
    /// byte, a file that is not a cfdash journal, one written by a newer cfdash, one that
    /// cannot be written, or one another process keeps locked.
    pub fn open(path: &Path, now: Timestamp) -> Result<Self, String> {
        let fail = |what: String| format!("journal {}: {what}", path.display());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| fail(format!("cannot create its folder: {e}")))?;
        }
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(fail(format!("cannot create it: {e}"))),
        }
        let meta = fs::metadata(path).map_err(|e| fail(e.to_string()))?;
        if !meta.is_file() {
            return Err(fail("not a file".into()));
        }
        let identity = (meta.dev(), meta.ino());
        let empty = meta.len() == 0;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{:o}", meta.permissions().mode() & 0o777), "the journal is readable by others");
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| fail(e.to_string()))?;
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) {
            return Err(fail(READ_ONLY.into()));
        }
        conn.busy_timeout(Duration::from_millis(1500))
            .map_err(|e| fail(e.to_string()))?;
        let mut journal = Self {
            conn,
            path: path.to_path_buf(),
            mode: String::new(),
            owner: String::new(),
            host: hostname(),
            scopes: HashMap::new(),
            identity,
            unwritable: None,
            checked: false,
        };
        journal.owner = owner_of_this_process(&journal.host, now);
        let up_to_date = journal.check(empty).map_err(fail)?;
        journal.set_mode().map_err(|e| fail(said(&e)))?;
        if !up_to_date {
            journal.migrate().map_err(|e| {
                fail(
                    known(&e)
                        .map_or_else(|| format!("cannot set up its tables: {e}"), String::from),
                )
            })?;
        }
        // Another process holding the write lock now would stall every write: say so at once.
        journal
            .conn
            .execute_batch("BEGIN IMMEDIATE; ROLLBACK")
            .map_err(|e| fail(said(&e)))?;
        journal
            .conn
            .busy_timeout(Duration::from_secs(5))
            .map_err(|e| fail(e.to_string()))?;
        Ok(journal)
    }

    /// Reads the header: a file that is not SQLite, or SQLite of something else, is refused
    /// before anything is written. True when the schema is up to date (nothing to migrate).
    fn check(&self, empty: bool) -> Result<bool, String> {
        let read = |sql: &str| -> Result<i64, String> {
            self.conn
                .query_row(sql, [], |r| r.get(0))
                .map_err(|e| said(&e))
        };
        let app = read("PRAGMA application_id")?;
        let version = read("PRAGMA user_version")?;
        let tables = read("SELECT count(*) FROM sqlite_master")?;
        // Only an empty file (new) may become a journal; any other without cfdash's mark is
        // another program's, even with no tables yet.
        if app != APPLICATION_ID as i64 && (!empty || tables > 0 || version > 0) {
            return Err(
                "another program's SQLite file, not a cfdash journal, left as it is: use --journal PATH"
                    .into(),
            );
        }
        if version > MIGRATIONS.len() as i64 {
            return Err(format!(
                "written by a newer cfdash (schema {version}, this one knows {}), left as it is",
                MIGRATIONS.len()
            ));
        }
        Ok(version == MIGRATIONS.len() as i64 && app == APPLICATION_ID as i64)
    }

    /// WAL where it works, else SQLite's rollback journal.
    fn set_mode(&mut self) -> rusqlite::Result<()> {
        let wal: rusqlite::Result<String> =
            self.conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0));
        self.mode = match wal {
            Ok(m) if m.eq_ignore_ascii_case("wal") => "wal".into(),
            other => {
                tracing::warn!(path = %self.path.display(), result = ?other, "WAL does not work here: using the rollback journal");
                self.conn
                    .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                        r.get::<_, String>(0)
                    })?
                    .to_lowercase()
            }
        };
        self.conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        Ok(())
    }

    /// Brings the schema up to date (called only when `check` says it is not: an up-to-date
    /// journal is only read until it is checked). Another process may migrate first: the
    /// version is read again inside the transaction.
    fn migrate(&mut self) -> rusqlite::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn mode(&self) -> &str {
        &self.mode
    }

    /// The scope's row: the most recently used of its accounts (made if new).
    fn scope_id(&mut self, scope: &Scope, now: Timestamp) -> rusqlite::Result<i64> {
        if let Some(&id) = self.scopes.get(scope) {
            return Ok(id);
        }
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM scopes WHERE profile = ?1 AND endpoint = ?2 ORDER BY last_used DESC LIMIT 1",
                params![scope.profile, scope.endpoint],
                |r| r.get(0),
            )
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                self.conn.execute(
                    "INSERT INTO scopes (profile, endpoint, account, last_used) VALUES (?1, ?2, '', ?3)",
                    params![scope.profile, scope.endpoint, ms(now)],
                )?;
                self.conn.last_insert_rowid()
            }
        };
        self.scopes.insert(scope.clone(), id);
        Ok(id)
    }

    /// A listing said which account the scope reaches: from now on its rows are that
    /// account's (another account under the same profile keeps its own rows).
    fn set_account(
        &mut self,
        scope: &Scope,
        account: &str,
        now: Timestamp,
    ) -> rusqlite::Result<i64> {
        let id = self.scope_id(scope, now)?;
        let current: String =
            self.conn
                .query_row("SELECT account FROM scopes WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
        if current == account {
            self.conn.execute(
                "UPDATE scopes SET last_used = ?2 WHERE id = ?1",
                params![id, ms(now)],
            )?;
            return Ok(id);
        }
        let other: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM scopes WHERE profile = ?1 AND endpoint = ?2 AND account = ?3",
                params![scope.profile, scope.endpoint, account],
                |r| r.get(0),
            )
            .optional()?;
        // An account that is not one (an earlier cfdash read moto's ARNs as
        // `distribution/E…`) was never known: the listing's takes its place.
        let id = match (other, current.is_empty() || !is_account(&current)) {
            (Some(other), _) => other,
            (None, true) => {
                self.conn.execute(
                    "UPDATE scopes SET account = ?2 WHERE id = ?1",
                    params![id, account],
                )?;
                id
            }
            (None, false) => {
                tracing::warn!(profile = %scope.profile, was = %current, now = %account, "the profile reaches another account: its journal rows are kept apart");
                self.conn.execute(
                    "INSERT INTO scopes (profile, endpoint, account, last_used) VALUES (?1, ?2, ?3, ?4)",
                    params![scope.profile, scope.endpoint, account, ms(now)],
                )?;
                self.conn.last_insert_rowid()
            }
        };
        self.conn.execute(
            "UPDATE scopes SET last_used = ?2 WHERE id = ?1",
            params![id, ms(now)],
        )?;
        self.scopes.insert(scope.clone(), id);
        Ok(id)
    }

    /// Whether the file may be written: still the file opened (not removed or replaced),
    /// and not damaged (`PRAGMA quick_check`, run before the first write: about 35 ms for
    /// a 30 MB journal). Once it may not, it never is again.
    fn writable(&mut self) -> rusqlite::Result<()> {
        let refuse = |why: &str| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(why.to_string()),
            )
        };
        if let Some(why) = &self.unwritable {
            return Err(refuse(why));
        }
        let same = fs::metadata(&self.path).is_ok_and(|m| (m.dev(), m.ino()) == self.identity);
        if !same {
            let why = "removed or replaced while cfdash ran";
            self.unwritable = Some(why.into());
            return Err(refuse(why));
        }
        if !self.checked {
            self.checked = true;
            let verdict: String = self
                .conn
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .unwrap_or_else(|e| e.to_string());
            if verdict != "ok" {
                let why = format!(
                    "damaged ({}), left as it is: move it away and cfdash starts a new one",
                    crate::text::one_line(&verdict)
                );
                self.unwritable = Some(why.clone());
                return Err(refuse(&why));
            }
        }
        Ok(())
    }

    /// Why the file is no longer written, if it is not.
    pub fn unwritable(&self) -> Option<&str> {
        self.unwritable.as_deref()
    }

    /// Records `writes` in one transaction.
    pub fn apply(&mut self, writes: &[Write], now: Timestamp) -> rusqlite::Result<()> {
        self.writable()?;
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = writes.iter().try_for_each(|w| self.apply_one(w, now));
        match result {
            Ok(()) => self.conn.execute_batch("COMMIT"),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                // The scope ids may have been made inside the rolled-back transaction.
                self.scopes.clear();
                Err(e)
            }
        }
    }

    /// Puts a listing's rows (distributions, or one distribution's tenants) in place,
    /// `whole` when it is the account's complete listing of distributions (those not in it
    /// are gone). Returns the scope's id.
    fn put_distributions(
        &mut self,
        scope: &Scope,
        list: &[Distribution],
        at: Timestamp,
        whole: bool,
        now: Timestamp,
    ) -> rusqlite::Result<i64> {
        let id = match list.iter().find_map(|d| account_of(&d.arn)) {
            Some(account) => self.set_account(scope, account, now)?,
            None => self.scope_id(scope, now)?,
        };
        // Some of them keep their place in the last whole listing.
        let mut put = self.conn.prepare_cached(
            "INSERT OR REPLACE INTO distributions (scope, id, arn, domain, aliases, status, enabled, comment, origins, last_modified, pos, seen_at, tenant_only, parent, tenant_name)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                     CASE WHEN ?13 THEN ?11 ELSE coalesce(
                         (SELECT pos FROM distributions WHERE scope = ?1 AND id = ?2), 1000000 + ?11) END,
                     ?12, ?14, ?15, ?16)",
        )?;
        for (pos, d) in list.iter().enumerate() {
            put.execute(params![
                id,
                d.id,
                d.arn,
                d.domain_name,
                d.aliases.join("\n"),
                d.status,
                known_code(d),
                d.comment.as_deref().unwrap_or(""),
                d.origins.join("\n"),
                ms(d.last_modified),
                pos as i64,
                ms(at),
                whole,
                d.tenant_only,
                d.tenant.as_ref().map(|t| &t.distribution),
                d.tenant.as_ref().map(|t| &t.name),
            ])?;
        }
        drop(put);
        if whole {
            // The listing is whole: a distribution not in it is gone (its history
            // stays). Tenants come in listings of their own.
            self.conn.execute(
                "DELETE FROM distributions WHERE scope = ?1 AND seen_at < ?2 AND parent IS NULL",
                params![id, ms(at)],
            )?;
        }
        Ok(id)
    }

    fn apply_one(&mut self, write: &Write, now: Timestamp) -> rusqlite::Result<()> {
        match write {
            Write::Tenants {
                scope,
                distribution,
                list,
                at,
            } => {
                let id = self.put_distributions(scope, list, *at, false, now)?;
                self.conn.execute(
                    "DELETE FROM distributions WHERE scope = ?1 AND parent = ?2 AND seen_at < ?3",
                    params![id, distribution, ms(*at)],
                )?;
            }
            Write::CacheTags {
                scope,
                distribution,
                header,
                last_modified,
            } => {
                let id = self.scope_id(scope, now)?;
                self.conn.execute(
                    "INSERT OR REPLACE INTO cache_tags (scope, distribution, header, last_modified)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![id, distribution, header, ms(*last_modified)],
                )?;
            }
            Write::Distributions { scope, list, at }
            | Write::SomeDistributions { scope, list, at } => {
                let whole = matches!(write, Write::Distributions { .. });
                self.put_distributions(scope, list, *at, whole, now)?;
            }
            Write::Invalidations {
                scope,
                distribution,
                list,
                at,
            } => {
                let id = self.scope_id(scope, now)?;
                for inv in list
                    .iter()
                    .filter(|i| i.status != InvalidationStatus::Queued)
                {
                    self.seen(id, distribution, &inv.id, &inv.status, inv.create_time, *at)?;
                }
            }
            Write::Details {
                scope,
                distribution,
                inv,
                at,
            } => {
                let id = self.scope_id(scope, now)?;
                self.seen(id, distribution, &inv.id, &inv.status, inv.create_time, *at)?;
                let known: Option<i64> = self
                    .conn
                    .query_row(
                        "SELECT details_at FROM invalidations WHERE scope = ?1 AND distribution = ?2 AND id = ?3",
                        params![id, distribution, inv.id],
                        |r| r.get(0),
                    )
                    .optional()?
                    .flatten();
                if known.is_none() {
                    // An invalidation's paths and reference never change: written once.
                    self.conn.execute(
                        "UPDATE invalidations SET caller_reference = ?4, path_count = ?5, details_at = ?6
                         WHERE scope = ?1 AND distribution = ?2 AND id = ?3",
                        params![id, distribution, inv.id, inv.caller_reference, inv.paths.len() as i64, ms(*at)],
                    )?;
                    let mut put = self.conn.prepare_cached(
                        "INSERT OR IGNORE INTO paths (scope, distribution, invalidation, n, path) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?;
                    for (n, p) in inv.paths.iter().enumerate() {
                        put.execute(params![id, distribution, inv.id, n as i64, p])?;
                    }
                }
            }
            Write::Batch {
                scope,
                batch,
                key,
                at,
            } => {
                let id = self.scope_id(scope, now)?;
                let paths = serde_json::to_string(&batch.paths).unwrap_or_default();
                self.conn.execute(
                    "INSERT INTO batches (reference, scope, submission, key, distribution, number, of, paths, state, queued_at, updated_at, owner, heartbeat, recorded_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'waiting', ?9, ?9, ?10, ?11, ?10)
                     ON CONFLICT (reference) DO UPDATE SET owner = excluded.owner, heartbeat = excluded.heartbeat, updated_at = excluded.updated_at",
                    params![
                        batch.caller_reference,
                        id,
                        batch.submission,
                        key,
                        batch.distribution,
                        batch.number as i64,
                        batch.of as i64,
                        paths,
                        ms(*at),
                        self.owner,
                        ms(now)
                    ],
                )?;
            }
            Write::BatchState {
                reference,
                state,
                invalidation,
                error,
                at,
            } => {
                let (inv, created) = match invalidation {
                    Some((id, t)) => (Some(id.as_str()), Some(ms(*t))),
                    None => (None, None),
                };
                let sending = (*state == BatchState::Sending).then_some(ms(*at));
                // A batch settled is no one's to send any more.
                let owner = state.unsettled().then_some(self.owner.as_str());
                self.conn.execute(
                    "UPDATE batches SET state = ?2,
                        invalidation = coalesce(?3, invalidation), create_time = coalesce(?4, create_time),
                        error = coalesce(?5, error), sent_at = coalesce(sent_at, ?6),
                        updated_at = ?7, owner = ?8, heartbeat = ?9
                     WHERE reference = ?1",
                    params![reference, state.as_str(), inv, created, error, sending, ms(*at), owner, ms(now)],
                )?;
            }
            Write::Watch {
                scope,
                distribution,
                id: inv,
                create_time,
                on,
                at,
            } => {
                let id = self.scope_id(scope, now)?;
                if *on {
                    self.conn.execute(
                        "INSERT OR IGNORE INTO watches (scope, distribution, invalidation, create_time, since) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![id, distribution, inv, ms(*create_time), ms(*at)],
                    )?;
                } else {
                    self.conn.execute(
                        "DELETE FROM watches WHERE scope = ?1 AND distribution = ?2 AND invalidation = ?3",
                        params![id, distribution, inv],
                    )?;
                }
            }
            Write::Notice {
                scope,
                kind,
                text,
                at,
            } => {
                let id = self.scope_id(scope, now)?;
                self.conn.execute(
                    "INSERT INTO notices (scope, at, kind, text) VALUES (?1, ?2, ?3, ?4)",
                    params![id, ms(*at), kind, text],
                )?;
            }
            Write::Release => {
                self.conn.execute(
                    "UPDATE batches SET owner = NULL, heartbeat = NULL WHERE owner = ?1",
                    [&self.owner],
                )?;
            }
        }
        Ok(())
    }

    /// Records one sighting of an invalidation: first seen, and completed if it was seen
    /// in progress before ("took ≤").
    fn seen(
        &mut self,
        scope: i64,
        distribution: &str,
        id: &str,
        status: &InvalidationStatus,
        create_time: Timestamp,
        at: Timestamp,
    ) -> rusqlite::Result<()> {
        let mut put = self.conn.prepare_cached(
            "INSERT INTO invalidations (scope, distribution, id, status, create_time, first_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (scope, distribution, id) DO UPDATE SET
                completed_seen = CASE
                    WHEN invalidations.completed_seen IS NULL AND invalidations.status = 'InProgress'
                         AND excluded.status = 'Completed' THEN excluded.first_seen
                    ELSE invalidations.completed_seen END,
                status = excluded.status",
        )?;
        put.execute(params![
            scope,
            distribution,
            id,
            status.as_str(),
            ms(create_time),
            ms(at)
        ])?;
        Ok(())
    }

    /// Renews the leases of this process's batches.
    pub fn heartbeat(&mut self, now: Timestamp) -> rusqlite::Result<()> {
        self.writable()?;
        self.conn.execute(
            "UPDATE batches SET heartbeat = ?2 WHERE owner = ?1",
            params![self.owner, ms(now)],
        )?;
        Ok(())
    }

    /// Whether a batch owned by `owner` (last heartbeat `beat`) is free to take at `now`:
    /// no owner, this process, a process of this machine that no longer runs (however
    /// fresh its heartbeat), or one of another machine gone quiet for `LEASE`. A process
    /// of this machine that runs keeps its batches, however old its heartbeat (stopped
    /// with SIGSTOP, say).
    fn free(&self, owner: Option<&str>, beat: Option<i64>, now: Timestamp) -> bool {
        let Some(owner) = owner else {
            return true;
        };
        if owner == self.owner {
            return true;
        }
        let mut parts = owner.rsplitn(3, ':');
        let (start, pid, host) = (parts.next(), parts.next(), parts.next());
        if host == Some(self.host.as_str()) {
            let pid = pid.and_then(|p| p.parse::<u32>().ok()).unwrap_or(0);
            return !alive(pid, start.unwrap_or(""));
        }
        beat.is_none_or(|b| ts(b) + LEASE < now)
    }

    fn stored_batch(
        row: &rusqlite::Row<'_>,
    ) -> rusqlite::Result<(StoredBatch, Option<String>, Option<i64>)> {
        let paths: String = row.get("paths")?;
        let batch = Batch {
            distribution: row.get("distribution")?,
            paths: serde_json::from_str(&paths).unwrap_or_default(),
            caller_reference: row.get("reference")?,
            number: row.get::<_, i64>("number")? as usize,
            of: row.get::<_, i64>("of")? as usize,
            submission: row.get("submission")?,
        };
        let stored = StoredBatch {
            batch,
            key: row.get("key")?,
            state: BatchState::parse(&row.get::<_, String>("state")?),
            invalidation: row.get("invalidation")?,
            create_time: row.get::<_, Option<i64>>("create_time")?.map(ts),
            error: row.get("error")?,
            queued_at: ts(row.get("queued_at")?),
            sent_at: row.get::<_, Option<i64>>("sent_at")?.map(ts),
        };
        Ok((stored, row.get("owner")?, row.get("heartbeat")?))
    }

    /// The scope's unsettled batches that no running cfdash owns, oldest first.
    pub fn unsettled(
        &mut self,
        scope: &Scope,
        now: Timestamp,
    ) -> rusqlite::Result<Vec<StoredBatch>> {
        let id = self.scope_id(scope, now)?;
        let mut q = self.conn.prepare_cached(
            "SELECT * FROM batches WHERE scope = ?1 AND state IN ('waiting', 'sending', 'unknown')
             ORDER BY queued_at, distribution, number",
        )?;
        let rows = q
            .query_map([id], Self::stored_batch)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(q);
        Ok(rows
            .into_iter()
            .filter(|(_, owner, beat)| self.free(owner.as_deref(), *beat, now))
            .map(|(b, _, _)| b)
            .collect())
    }

    /// Takes the batches of `references` that are still unsettled and free: this process
    /// owns them from now on. Returns those taken; one that another running cfdash took
    /// first is not among them.
    pub fn claim(
        &mut self,
        references: &[String],
        now: Timestamp,
    ) -> rusqlite::Result<Vec<StoredBatch>> {
        self.writable()?;
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = (|| {
            let mut taken = Vec::new();
            for reference in references {
                let row = self
                    .conn
                    .query_row(
                        "SELECT * FROM batches WHERE reference = ?1 AND state IN ('waiting', 'sending', 'unknown')",
                        [reference],
                        Self::stored_batch,
                    )
                    .optional()?;
                if let Some((b, owner, beat)) = row
                    && self.free(owner.as_deref(), beat, now)
                {
                    self.conn.execute(
                        "UPDATE batches SET owner = ?2, heartbeat = ?3, updated_at = ?3 WHERE reference = ?1",
                        params![reference, self.owner, ms(now)],
                    )?;
                    taken.push(b);
                }
            }
            Ok(taken)
        })();
        match result {
            Ok(taken) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(taken)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Marks batches the operator chose not to send.
    pub fn drop_batches(&mut self, references: &[String], now: Timestamp) -> rusqlite::Result<()> {
        self.writable()?;
        for r in references {
            self.conn.execute(
                "UPDATE batches SET state = 'dropped', owner = NULL, updated_at = ?2
                 WHERE reference = ?1 AND state IN ('waiting', 'sending', 'unknown')",
                params![r, ms(now)],
            )?;
        }
        Ok(())
    }

    /// The batches recorded under a `--caller-reference` key, in any scope.
    pub fn batches_with_key(&mut self, key: &str) -> rusqlite::Result<Vec<StoredBatch>> {
        let mut q = self
            .conn
            .prepare_cached("SELECT * FROM batches WHERE key = ?1 ORDER BY distribution, number")?;
        q.query_map([key], Self::stored_batch)?
            .map(|r| r.map(|(b, _, _)| b))
            .collect()
    }

    /// Of `references`, those another process recorded first and has not given up: runs
    /// sharing a `--caller-reference` key at once make one invalidation, and the others
    /// adopt it.
    pub fn recorded_elsewhere(&mut self, references: &[String]) -> rusqlite::Result<Vec<String>> {
        let mut q = self.conn.prepare_cached(
            "SELECT 1 FROM batches WHERE reference = ?1 AND recorded_by IS NOT NULL
               AND recorded_by != ?2 AND state NOT IN ('not_sent', 'dropped')",
        )?;
        let mut found = Vec::new();
        for r in references {
            if q.exists(params![r, self.owner])? {
                found.push(r.clone());
            }
        }
        Ok(found)
    }

    /// The batch recorded under a reference.
    pub fn batch(&mut self, reference: &str) -> rusqlite::Result<Option<StoredBatch>> {
        self.conn
            .query_row(
                "SELECT * FROM batches WHERE reference = ?1",
                [reference],
                Self::stored_batch,
            )
            .optional()
            .map(|r| r.map(|(b, _, _)| b))
    }

    /// The last known state of `scope`, with up to `limit` invalidations per distribution
    /// and the latest `notices` notices.
    pub fn snapshot(
        &mut self,
        scope: &Scope,
        limit: usize,
        notices: usize,
        now: Timestamp,
    ) -> rusqlite::Result<Snapshot> {
        let id = self.scope_id(scope, now)?;
        let mut snap = Snapshot {
            account: self
                .conn
                .query_row("SELECT account FROM scopes WHERE id = ?1", [id], |r| {
                    r.get::<_, String>(0)
                })
                .map(|a| if is_account(&a) { a } else { String::new() })?,
            ..Snapshot::default()
        };
        {
            let mut q = self.conn.prepare_cached(
                "SELECT id, arn, domain, aliases, status, enabled, comment, origins, last_modified, seen_at,
                        tenant_only, parent, tenant_name
                 FROM distributions WHERE scope = ?1 ORDER BY pos",
            )?;
            let rows = q.query_map([id], |r| {
                let split = |s: String| -> Vec<String> {
                    s.split('\n')
                        .filter(|x| !x.is_empty())
                        .map(String::from)
                        .collect()
                };
                Ok((
                    Distribution {
                        id: r.get(0)?,
                        arn: r.get(1)?,
                        domain_name: r.get(2)?,
                        aliases: split(r.get(3)?),
                        aliases_unknown: r.get::<_, i64>(5)? & ALIASES_UNKNOWN != 0,
                        status: r.get(4)?,
                        enabled: enabled_of(r.get(5)?),
                        comment: (r.get::<_, i64>(5)? & COMMENT_UNKNOWN == 0)
                            .then(|| r.get(6))
                            .transpose()?,
                        origins: split(r.get(7)?),
                        last_modified: ts(r.get(8)?),
                        tenant_only: r.get(10)?,
                        tenant: match r.get::<_, Option<String>>(11)? {
                            Some(distribution) => Some(crate::cloudfront::TenantOf {
                                distribution,
                                name: r.get::<_, Option<String>>(12)?.unwrap_or_default(),
                            }),
                            None => None,
                        },
                    },
                    r.get::<_, i64>(9)?,
                ))
            })?;
            for row in rows {
                let (d, seen) = row?;
                snap.listed_at = Some(snap.listed_at.map_or(ts(seen), |t| t.min(ts(seen))));
                snap.distributions.push(d);
            }
        }
        {
            let mut q = self.conn.prepare_cached(
                "SELECT distribution, header, last_modified FROM cache_tags WHERE scope = ?1",
            )?;
            let rows = q.query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    (r.get::<_, Option<String>>(1)?, ts(r.get(2)?)),
                ))
            })?;
            for row in rows {
                let (d, tags) = row?;
                snap.cache_tags.insert(d, tags);
            }
        }
        {
            let mut q = self.conn.prepare_cached(
                "SELECT id, status, create_time, completed_seen FROM invalidations
                 WHERE scope = ?1 AND distribution = ?2 ORDER BY create_time DESC, id DESC LIMIT ?3",
            )?;
            for d in &snap.distributions {
                let rows = q.query_map(params![id, d.id, limit as i64], |r| {
                    Ok((
                        InvalidationSummary {
                            id: r.get(0)?,
                            status: InvalidationStatus::parse(&r.get::<_, String>(1)?),
                            create_time: ts(r.get(2)?),
                        },
                        r.get::<_, Option<i64>>(3)?,
                    ))
                })?;
                let mut list = Vec::new();
                for row in rows {
                    let (inv, completed) = row?;
                    if let Some(c) = completed {
                        snap.took.push((
                            d.id.clone(),
                            inv.id.clone(),
                            ts(c).duration_since(inv.create_time),
                        ));
                    }
                    list.push(inv);
                }
                if !list.is_empty() {
                    snap.invalidations.insert(d.id.clone(), list);
                }
            }
        }
        {
            let mut q = self.conn.prepare_cached(
                "SELECT distribution, invalidation, create_time FROM watches WHERE scope = ?1 ORDER BY since",
            )?;
            snap.watches = q
                .query_map([id], |r| {
                    Ok(Watched {
                        distribution: r.get(0)?,
                        id: r.get(1)?,
                        create_time: ts(r.get(2)?),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        {
            let mut q = self.conn.prepare_cached(
                "SELECT at, kind, text FROM notices WHERE scope = ?1 ORDER BY at DESC, id DESC LIMIT ?2",
            )?;
            snap.notices = q
                .query_map(params![id, notices as i64], |r| {
                    Ok(LoggedNotice {
                        at: ts(r.get(0)?),
                        kind: r.get(1)?,
                        text: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            snap.notices.reverse();
        }
        snap.unsettled = self.unsettled(scope, now)?;
        Ok(snap)
    }

    /// An invalidation's cached details, if they were fetched once.
    pub fn details(
        &mut self,
        scope: &Scope,
        distribution: &str,
        id: &str,
        now: Timestamp,
    ) -> rusqlite::Result<Option<Invalidation>> {
        let sid = self.scope_id(scope, now)?;
        let head: Option<(String, i64, Option<String>)> = self
            .conn
            .query_row(
                "SELECT status, create_time, caller_reference FROM invalidations
                 WHERE scope = ?1 AND distribution = ?2 AND id = ?3 AND details_at IS NOT NULL",
                params![sid, distribution, id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((status, create_time, reference)) = head else {
            return Ok(None);
        };
        let mut q = self.conn.prepare_cached(
            "SELECT path FROM paths WHERE scope = ?1 AND distribution = ?2 AND invalidation = ?3 ORDER BY n",
        )?;
        let paths = q
            .query_map(params![sid, distribution, id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(Some(Invalidation {
            id: id.to_string(),
            status: InvalidationStatus::parse(&status),
            create_time: ts(create_time),
            paths,
            caller_reference: reference.unwrap_or_default(),
        }))
    }

    /// Every invalidation of `scope` whose details were fetched once, with its paths: what
    /// the app's search and the month's count read, so nothing cached is asked again. Two
    /// scans in key order, merged: no query per invalidation.
    pub fn cached_details(
        &mut self,
        scope: &Scope,
        now: Timestamp,
    ) -> rusqlite::Result<Vec<(String, Invalidation)>> {
        let sid = self.scope_id(scope, now)?;
        let mut heads = self.conn.prepare_cached(
            "SELECT distribution, id, status, create_time, caller_reference FROM invalidations
             WHERE scope = ?1 AND details_at IS NOT NULL ORDER BY distribution, id",
        )?;
        let mut out: Vec<(String, Invalidation)> = heads
            .query_map([sid], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Invalidation {
                        id: r.get(1)?,
                        status: InvalidationStatus::parse(&r.get::<_, String>(2)?),
                        create_time: ts(r.get(3)?),
                        paths: Vec::new(),
                        caller_reference: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut paths = self.conn.prepare_cached(
            "SELECT distribution, invalidation, path FROM paths WHERE scope = ?1
             ORDER BY distribution, invalidation, n",
        )?;
        let mut rows = paths.query([sid])?;
        let mut at = 0;
        while let Some(r) = rows.next()? {
            let (dist, inv): (String, String) = (r.get(0)?, r.get(1)?);
            // Both in the same order: move on to this path's invalidation.
            while at < out.len() && (out[at].0.as_str(), out[at].1.id.as_str()) < (&dist, &inv) {
                at += 1;
            }
            match out.get_mut(at) {
                Some((d, i)) if *d == dist && i.id == inv => i.paths.push(r.get(2)?),
                Some(_) => {} // paths of an invalidation with no details_at: not shown
                None => break,
            }
        }
        Ok(out)
    }

    /// The invalidations of `scope` (or every scope of the profile) listed but never
    /// fetched in detail, created at or after `since`: what history still has to ask for.
    pub fn missing_details(
        &mut self,
        scope: &Scope,
        since: Option<Timestamp>,
        now: Timestamp,
    ) -> rusqlite::Result<Vec<(String, String)>> {
        let id = self.scope_id(scope, now)?;
        let mut q = self.conn.prepare_cached(
            "SELECT distribution, id FROM invalidations
             WHERE scope = ?1 AND details_at IS NULL AND create_time >= ?2 ORDER BY create_time DESC",
        )?;
        q.query_map(params![id, since.map_or(i64::MIN, ms)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect()
    }

    /// The id of the distribution `wanted` names (its id, an alias or its domain, in any
    /// case) among those the journal knows for `profile`.
    pub fn resolve_distribution(
        &mut self,
        profile: &str,
        wanted: &str,
    ) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT d.id FROM distributions d JOIN scopes s ON s.id = d.scope
                 WHERE s.profile = ?1 AND (lower(d.id) = lower(?2) OR lower(d.domain) = lower(?2)
                    OR instr(char(10) || lower(d.aliases) || char(10), char(10) || lower(?2) || char(10)) > 0)
                 ORDER BY s.last_used DESC LIMIT 1",
                params![profile, wanted],
                |r| r.get(0),
            )
            .optional()
    }

    /// What was invalidated, newest first.
    pub fn history(&mut self, q: &Query) -> rusqlite::Result<Vec<HistoryRow>> {
        let mut sql = String::new();
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, v: rusqlite::types::Value| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        let mut from = "invalidations i";
        if let Some(glob) = &q.path {
            // The items the glob matches (through the index on the glob's literal start),
            // and the wildcard items that cover that start: `/*`, `/p*` … `/products/*`
            // for `/products/*`, found by equality.
            let literal: String = glob
                .chars()
                .take_while(|c| !matches!(c, '*' | '?' | '['))
                .collect();
            let covering: Vec<String> = literal
                .char_indices()
                .map(|(at, _)| format!("{}*", &literal[..at]))
                .chain([format!("{literal}*")])
                .collect();
            arg(
                &mut sql,
                "WITH hit (scope, distribution, invalidation) AS (
                   SELECT scope, distribution, invalidation FROM paths WHERE path GLOB ?",
                glob.clone().into(),
            );
            arg(
                &mut sql,
                " UNION SELECT scope, distribution, invalidation FROM paths
                   WHERE path IN (SELECT value FROM json_each(?))) ",
                serde_json::to_string(&covering).unwrap_or_default().into(),
            );
            from = "hit JOIN invalidations i ON i.scope = hit.scope
                    AND i.distribution = hit.distribution AND i.id = hit.invalidation";
        }
        sql.push_str(&format!(
            "SELECT s.profile, s.account, i.distribution, i.id, i.status, i.create_time,
                    i.caller_reference, i.path_count, i.completed_seen, i.scope,
                    EXISTS (SELECT 1 FROM batches b WHERE b.reference = i.caller_reference)
             FROM {from} JOIN scopes s ON s.id = i.scope WHERE 1"
        ));
        if let Some(p) = &q.profile {
            arg(&mut sql, " AND s.profile = ?", p.clone().into());
        }
        if let Some(d) = &q.distribution {
            arg(&mut sql, " AND i.distribution = ?", d.clone().into());
        }
        if let Some(t) = q.since {
            arg(&mut sql, " AND i.create_time >= ?", ms(t).into());
        }
        let limit = if q.limit == 0 {
            i64::MAX
        } else {
            q.limit as i64
        };
        arg(
            &mut sql,
            " ORDER BY i.create_time DESC, i.id LIMIT ?",
            limit.into(),
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                let create_time = ts(r.get(5)?);
                Ok((
                    HistoryRow {
                        profile: r.get(0)?,
                        account: r.get(1)?,
                        distribution: r.get(2)?,
                        id: r.get(3)?,
                        status: r.get(4)?,
                        create_time,
                        caller_reference: r.get(6)?,
                        paths: Vec::new(),
                        path_count: r.get::<_, Option<i64>>(7)?.map(|n| n as usize),
                        took: r
                            .get::<_, Option<i64>>(8)?
                            .map(|c| ts(c).duration_since(create_time)),
                        ours: r.get(10)?,
                    },
                    r.get::<_, i64>(9)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(stmt);
        let mut paths = self.conn.prepare_cached(
            "SELECT path FROM paths WHERE scope = ?1 AND distribution = ?2 AND invalidation = ?3 ORDER BY n",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (mut row, scope) in rows {
            row.paths = paths
                .query_map(params![scope, row.distribution, row.id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            out.push(row);
        }
        Ok(out)
    }

    /// Forgets details, history and notices older than `keep` (settled batches too);
    /// unsettled batches and watches stay. Returns how many rows went.
    pub fn prune(&mut self, keep: SignedDuration, now: Timestamp) -> rusqlite::Result<usize> {
        self.writable()?;
        let before = ms(now - keep);
        let tx = self.conn.transaction()?;
        let mut gone = tx.execute(
            "DELETE FROM paths WHERE (scope, distribution, invalidation) IN
               (SELECT scope, distribution, id FROM invalidations WHERE create_time < ?1)",
            [before],
        )?;
        gone += tx.execute("DELETE FROM invalidations WHERE create_time < ?1", [before])?;
        gone += tx.execute("DELETE FROM notices WHERE at < ?1", [before])?;
        gone += tx.execute(
            "DELETE FROM batches WHERE updated_at < ?1 AND state NOT IN ('waiting', 'sending', 'unknown')",
            [before],
        )?;
        tx.commit()?;
        Ok(gone)
    }

    pub fn info(&mut self) -> rusqlite::Result<Info> {
        let count =
            |sql: &str| -> rusqlite::Result<i64> { self.conn.query_row(sql, [], |r| r.get(0)) };
        let size = |suffix: &str| {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            fs::metadata(p).map_or(0, |m| m.len())
        };
        Ok(Info {
            path: self.path.clone(),
            bytes: size(""),
            wal_bytes: size("-wal"),
            mode: self.mode.clone(),
            version: count("PRAGMA user_version")?,
            scopes: count("SELECT count(*) FROM scopes")?,
            distributions: count("SELECT count(*) FROM distributions")?,
            invalidations: count("SELECT count(*) FROM invalidations")?,
            paths: count("SELECT count(*) FROM paths")?,
            batches: count("SELECT count(*) FROM batches")?,
            unsettled: count(
                "SELECT count(*) FROM batches WHERE state IN ('waiting', 'sending', 'unknown')",
            )?,
            notices: count("SELECT count(*) FROM notices")?,
        })
    }
}

#[cfg(test)]
mod tests;
