//! What flows into `update` (Actions) and what flows out of it (Effects).

use crossterm::event::{KeyEvent, MouseEvent};

use crate::cloudfront::{CfResult, Distribution, Invalidation, InvalidationSummary};
use crate::config::{Config, Edit, Profile, Saved};

/// One invalidation, named by its distribution too.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvKey {
    pub distribution: String,
    pub id: String,
}

impl InvKey {
    pub fn new(distribution: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            distribution: distribution.into(),
            id: id.into(),
        }
    }
}

/// Everything that can change the state: input, the passing of time, backend answers.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// Time has passed: do what is due.
    Tick,
    /// A backend answer to the request made in `slot` with sequence number `seq`.
    Response {
        slot: Slot,
        seq: u64,
        response: Response,
    },
    /// A page of the distributions listing that `seq` runs, with more to come.
    DistributionsPage {
        seq: u64,
        page: Vec<crate::cloudfront::Distribution>,
    },
    /// The writer saved an edit of the profiles file, or could not.
    Saved(Result<Saved, String>),
    /// The profiles file read again (`None`: there is none).
    ConfigLoaded(Result<Option<(Config, String)>, String>),
    /// The journal's last known state of a profile.
    Restored {
        profile: String,
        snapshot: Box<crate::journal::Snapshot>,
    },
    /// Every invalidation of the profile whose details the journal has.
    CachedDetails {
        profile: String,
        details: Vec<(String, Invalidation)>,
    },
    /// The journal gave this process these batches to send.
    Claimed(Vec<crate::journal::StoredBatch>),
    /// The journal could not be opened or written: said once.
    JournalProblem(String),
}

#[derive(Debug)]
pub enum Response {
    Distributions(CfResult<Vec<Distribution>>),
    Invalidations(CfResult<Vec<InvalidationSummary>>),
    Invalidation(CfResult<Invalidation>),
    Created(CfResult<Invalidation>),
    /// Every tenant of a distribution.
    Tenants(CfResult<Vec<crate::cloudfront::Tenant>>),
    /// A distribution's cache-tag header (`None`: it has none).
    CacheTags(CfResult<Option<String>>),
}

/// Where a request runs. At most one request runs per slot: a new one replaces (aborts)
/// the one before, and an answer whose `seq` is not the slot's latest is dropped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// ListDistributions, all pages.
    Distributions,
    /// The recent invalidations of one distribution.
    Invalidations(String),
    /// GetInvalidation to follow an in-progress invalidation.
    Poll(InvKey),
    /// GetInvalidation for the detail pane.
    Detail,
    /// GetInvalidation for "copy to new".
    Copy,
    /// GetInvalidation for the paths `y p` copies.
    Clipboard,
    /// CreateInvalidation of one batch, named by its CallerReference. Never aborted: the
    /// invalidation may exist already.
    Create(String),
    /// GetInvalidation for a watched invalidation of another profile than the one shown.
    Watch(String, InvKey),
    /// GetInvalidation of the background fetch: details search and the month's count need.
    Backfill(InvKey),
    /// ListDistributionTenants of one (multi-tenant) distribution, all pages.
    Tenants(String),
    /// GetDistributionConfig of one distribution, for its cache-tag header.
    CacheTags(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    ListDistributions,
    ListInvalidations {
        distribution: String,
        limit: usize,
        /// Whose it is: the selected distribution's, one on screen, or the sweep's.
        priority: crate::pace::Priority,
    },
    GetInvalidation(InvKey),
    /// GetInvalidation in the background, in the limiter's last line.
    Backfill(InvKey),
    CreateInvalidation {
        distribution: String,
        paths: Vec<String>,
        caller_reference: String,
    },
    ListTenants {
        distribution: String,
        priority: crate::pace::Priority,
    },
    /// GetDistributionConfig, for the cache-tag header; `last_modified` is the
    /// distribution's, kept with the answer in the journal.
    GetCacheTags {
        distribution: String,
        last_modified: jiff::Timestamp,
    },
}

/// What `update` asks the runtime to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Request {
        slot: Slot,
        seq: u64,
        request: Request,
    },
    /// Abort whatever runs in the slot; its answer no longer matters.
    Abort(Slot),
    /// Ring the terminal bell.
    Bell,
    /// Put text on the clipboard (OSC 52).
    Clipboard(String),
    /// Open an address in the browser (`xdg-open`/`open`).
    OpenUrl(String),
    /// A desktop notification (OSC 777 / OSC 9), when `[ui] desktop_notifications` is on.
    Desktop(String),
    Quit,
    /// From now on, requests (other than `Slot::Watch`) go to this profile's backend.
    UseProfile {
        name: String,
        profile: Box<Profile>,
    },
    /// Apply an edit to the profiles file (through the one writer, in order).
    Save(Edit),
    /// Read the profiles file again.
    ReloadConfig,
    /// Ask the journal's thread (its answer comes back as an action).
    Journal(super::memory::JournalOp),
}
