//! The application state: plain data that `update` changes and `ui` draws.
//!
//! `App` is a small router over parts that each own one job; `update` (the reducer) hands
//! each action to the part it is about, and `ui` only reads them:
//! - `screen` ([`Screen`], screen.rs): what has the keyboard, carrying that screen's own
//!   state (the form and its dialog, the profile form, the help over the screen it returns
//!   to). The key table's [`Mode`] is derived from it (`App::mode`).
//! - `session` ([`Session`], session.rs): everything one profile shows and schedules (its
//!   distributions, filter and view, invalidations, details, polls, selection and scrolls,
//!   marks, pins, presets, and its refresh `Schedule`); `sessions` keeps those of the
//!   profiles not shown, so switching moves one value out and another in.
//! - `catalog` (catalog.rs): the profiles that can be opened, the file's path and state,
//!   the AWS profiles offered, the switcher's row.
//! - `requests` (requests.rs): the requests in flight, by slot, with sequence numbers.
//! - `outbox`: the submission engine (`crate::engine::Engine`): batches to create, in order;
//!   form.rs drives it.
//! - `watch` (watch.rs): watched invalidations, of this profile and of those not shown.
//! - `memory` (memory.rs): what the journal gives back and keeps: the last known state,
//!   batches offered to resume, watches restored, the notices log.
//! - `notice` and `redraw`: the status line, and whether and when to draw next.
//!
//! Counts shown (in progress, listed) are derived from the session, never patched.

pub mod action;
pub mod backfill;
pub mod catalog;
pub mod clip;
pub mod editor;
pub mod form;
pub mod help;
pub mod inprogress;
pub mod keys;
pub mod layout;
pub mod memory;
pub mod outbox;
pub mod palette;
pub mod profiles;
pub mod requests;
pub mod screen;
pub mod search;
pub mod session;
pub mod tenants;
mod update;
pub mod watch;

use std::collections::HashMap;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use ratatui::layout::Rect;

pub use action::{Action, Effect, InvKey, Request, Response, Slot};
pub use layout::Pane;
pub use screen::{Dialog, Screen};
pub use session::Session;

use catalog::Catalog;
use requests::Requests;
pub use update::FILTER_MAX;
pub use update::arrow;
use watch::Watchlist;

use crate::cloudfront::{CfError, Distribution, InvalidationSummary};

/// Remote data is a state, not a boolean.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Remote<T> {
    #[default]
    Idle,
    Loading,
    Ready {
        data: T,
        at: Timestamp,
    },
    Failed {
        error: CfError,
        at: Timestamp,
    },
}

impl<T> Remote<T> {
    pub fn data(&self) -> Option<&T> {
        match self {
            Self::Ready { data, .. } => Some(data),
            _ => None,
        }
    }

    /// When the data was listed, if there is any.
    pub fn listed_at(&self) -> Option<Timestamp> {
        match self {
            Self::Ready { at, .. } => Some(*at),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Filter,
    Help,
    /// The new-invalidation form's editor and buttons.
    Form,
    /// The form's confirmation, and the wait for CloudFront's answers.
    Confirm,
    /// The form's preset picker.
    Presets,
    /// "Discard the paths?"
    Discard,
    /// The confirmation of a profile with `confirm_by_typing`: letters type.
    ConfirmTyped,
    /// No profile open: create one, or open the demo.
    Welcome,
    /// The profile switcher.
    Profiles,
    /// Adding or editing a profile.
    ProfileForm,
    /// "Discard the changes to the profile?" over the profile form.
    DiscardProfile,
    /// "Delete the profile?"
    DeleteProfile,
    /// "N batches not sent — quit anyway?"
    QuitUnsent,
    /// Batches an earlier run left unsent: resume, drop, look.
    Resume,
    /// The notices log.
    Notices,
    /// The `:` palette: letters type into its query.
    Palette,
    /// The copy menu (`y`): a letter copies its line.
    Copy,
    /// Every invalidation in progress (`i`).
    InProgress,
    /// The invalidations pane's filter (`/` there): letters type into it.
    InvFilter,
    /// Search by path (`f`): letters type into its query.
    Search,
}

impl Mode {
    /// The form, or one of its dialogs, has the keyboard.
    pub fn in_form(self) -> bool {
        matches!(
            self,
            Self::Form | Self::Confirm | Self::ConfirmTyped | Self::Presets | Self::Discard
        )
    }

    /// The profile screens have the keyboard.
    pub fn in_profiles(self) -> bool {
        matches!(
            self,
            Self::Welcome
                | Self::Profiles
                | Self::ProfileForm
                | Self::DiscardProfile
                | Self::DeleteProfile
        )
    }

    pub fn confirming(self) -> bool {
        matches!(self, Self::Confirm | Self::ConfirmTyped)
    }
}

/// A list's selection and the first row shown, clamped by `update` from the layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scroll {
    pub selected: usize,
    pub offset: usize,
}

impl Scroll {
    /// Keeps `selected` inside `len` rows and on screen in a pane of `height` rows.
    pub fn clamp(&mut self, len: usize, height: usize) {
        if len == 0 {
            *self = Self::default();
            return;
        }
        self.selected = self.selected.min(len - 1);
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    pub fn select(&mut self, index: usize, len: usize, height: usize) {
        self.selected = index;
        self.clamp(len, height);
    }
}

/// Intervals of the refresh policy (docs/ARCHITECTURE.md, "Refresh policy").
#[derive(Clone, Debug)]
pub struct Settings {
    /// GetInvalidation for a young in-progress invalidation.
    pub poll_fast: SignedDuration,
    /// GetInvalidation in steady state (jitter included, never above this).
    pub poll_steady: SignedDuration,
    /// ListInvalidations of the selected distribution.
    pub refresh: SignedDuration,
    /// The full listing.
    pub sweep: SignedDuration,
    /// No interval grows past this while throttled.
    pub max_backoff: SignedDuration,
    /// How many recent invalidations to list per distribution.
    pub list_limit: usize,
    /// How long a notice stays in the status bar.
    pub notice_for: SignedDuration,
}

impl Settings {
    /// The poll intervals, as the engine's one poll policy.
    pub fn poll_policy(&self) -> crate::engine::PollPolicy {
        crate::engine::PollPolicy {
            fast: self.poll_fast,
            steady: self.poll_steady,
            max: self.max_backoff,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            poll_fast: SignedDuration::from_secs(2),
            poll_steady: SignedDuration::from_secs(5),
            refresh: SignedDuration::from_secs(30),
            sweep: SignedDuration::from_secs(300),
            max_backoff: SignedDuration::from_secs(60),
            list_limit: 50,
            notice_for: SignedDuration::from_secs(12),
        }
    }
}

/// The recent invalidations of one distribution.
#[derive(Clone, Debug, Default)]
pub struct DistInvalidations {
    pub list: Remote<Vec<InvalidationSummary>>,
}

impl DistInvalidations {
    /// How many of the list are in progress.
    pub fn in_progress(&self) -> usize {
        self.list.data().map_or(0, |l| {
            l.iter().filter(|i| i.status.is_in_progress()).count()
        })
    }
}

/// An in-progress invalidation being followed with GetInvalidation.
#[derive(Clone, Debug)]
pub struct Poll {
    pub create_time: Timestamp,
    pub next_at: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Success,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
    pub at: Timestamp,
    pub until: Timestamp,
    /// Completions noticed in the same frame are gathered into one notice.
    pub completions: Vec<String>,
    /// An address in the text, written as a link (OSC 8) where the terminal knows them.
    pub link: Option<String>,
}

pub use crate::engine::Backoff;

pub struct App {
    /// The open profile's name; empty when none is.
    pub profile: String,
    pub tz: TimeZone,
    /// The zone times are shown in unless `utc` (`t` switches).
    pub local_tz: TimeZone,
    pub utc: bool,
    pub settings: Settings,
    /// The time of the action being handled: the only "now" update and render know.
    pub now: Timestamp,
    pub size: Rect,
    /// What has the keyboard, with that screen's own state.
    pub screen: Screen,
    /// What the open profile shows and schedules.
    pub session: Session,
    /// The session of each profile not shown, as it was left.
    sessions: HashMap<String, Session>,
    /// The profiles that can be opened, and the file they come from.
    pub catalog: Catalog,
    /// Requests in flight.
    pub requests: Requests,
    /// Batches to create, in order; those the quotas have no room for wait here.
    pub outbox: crate::engine::Engine,
    /// Watched invalidations, of this profile and of others.
    pub watch: Watchlist,
    /// What is kept across runs: the notices log, batches offered to resume.
    pub memory: memory::Memory,
    pub notice: Option<Notice>,
    /// `xdg-open` (or macOS's `open`) is there: `o` opens the browser.
    pub opener: bool,
    /// `AWS_ENDPOINT_URL_CLOUDFRONT` or `AWS_ENDPOINT_URL` sends every profile without
    /// an endpoint of its own there (an emulator): nothing of it is in the AWS console.
    pub env_endpoint: bool,
    /// `[ui] desktop_notifications`: completions also go to the desktop (OSC 777/9).
    pub desktop_notifications: bool,
    /// Whether, and when next, the screen needs drawing.
    pub redraw: Redraw,
}

/// Whether the screen needs drawing, and when it next goes stale by itself.
#[derive(Debug)]
pub struct Redraw {
    /// Something visible changed since the last frame.
    pub dirty: bool,
    /// A label on screen changes then (an age, the spinner).
    at: Option<Timestamp>,
}

impl Redraw {
    /// A frame was drawn; it goes stale at `next`.
    fn drawn(&mut self, next: Option<Timestamp>) {
        self.dirty = false;
        self.at = next;
    }

    /// When a label on screen next changes by itself.
    fn next(&self) -> Option<Timestamp> {
        self.at
    }

    /// At `now`, a label on screen has changed since the last frame.
    fn stale(&self, now: Timestamp) -> bool {
        self.at.is_some_and(|t| t <= now)
    }
}

impl App {
    pub fn new(
        profile: impl Into<String>,
        tz: TimeZone,
        settings: Settings,
        now: Timestamp,
    ) -> Self {
        Self {
            profile: profile.into(),
            local_tz: tz.clone(),
            utc: false,
            tz,
            settings,
            now,
            size: Rect::new(0, 0, 80, 24),
            screen: Screen::Dashboard,
            session: Session::new(now),
            sessions: HashMap::new(),
            catalog: Catalog::default(),
            requests: Requests::default(),
            outbox: crate::engine::Engine::new(crate::engine::Policy::default()),
            watch: Watchlist::default(),
            memory: memory::Memory::default(),
            notice: None,
            opener: false,
            env_endpoint: false,
            desktop_notifications: false,
            redraw: Redraw {
                dirty: true,
                at: None,
            },
        }
    }

    /// The key table in use, from the screen.
    pub fn mode(&self) -> Mode {
        self.screen.mode()
    }

    /// The new-invalidation form, if open (also under the help).
    pub fn form(&self) -> Option<&form::Form> {
        self.screen.form()
    }

    pub fn profile_form(&self) -> Option<&profiles::ProfileForm> {
        self.screen.profile_form()
    }

    pub fn areas(&self) -> Option<layout::Areas> {
        layout::layout(self.size, self.session.detail_open)
    }

    /// The distribution under the cursor.
    pub fn selected_distribution(&self) -> Option<&Distribution> {
        self.session.selected_distribution()
    }

    /// The invalidations of the selected distribution.
    pub fn selected_invalidations(&self) -> Option<&DistInvalidations> {
        self.session.selected_invalidations()
    }

    pub fn invalidation_rows(&self) -> Vec<&InvalidationSummary> {
        self.session.invalidation_rows()
    }

    pub fn selected_invalidation(&self) -> Option<InvKey> {
        self.session.selected_invalidation()
    }

    /// A request is running in this slot.
    pub fn is_loading(&self, slot: &Slot) -> bool {
        self.requests.is_running(slot)
    }

    /// Whatever moves on screen by itself: requests in flight, invalidations in progress.
    pub fn animating(&self) -> bool {
        self.requests.shown() > 0 || self.session.in_progress_total() > 0
    }

    /// The spinner's frame, from the time of the last action.
    pub fn spinner(&self) -> char {
        crate::timefmt::spinner(self.now.as_millisecond() / SPIN_MS)
    }

    pub fn filter_text(&self) -> &str {
        self.session.filter.value()
    }
}

/// How often the spinner turns.
pub const SPIN_MS: i64 = 100;

/// What a drained batch of actions asks of the runtime.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// Requests to start and slots to abort, in order.
    pub effects: Vec<Effect>,
    /// Ring the bell once, however many watched invalidations completed in the batch.
    pub bell: bool,
    pub quit: bool,
    /// Text to put on the clipboard (OSC 52); the last of the batch wins.
    pub clipboard: Option<String>,
    /// Addresses to open in the browser.
    pub open: Vec<String>,
    /// Desktop notifications to show (OSC 777 and OSC 9).
    pub desktop: Vec<String>,
}

impl App {
    /// Handles every queued action at one `now`, gathering what they ask for.
    pub fn apply(&mut self, now: Timestamp, actions: impl IntoIterator<Item = Action>) -> Batch {
        let mut batch = Batch::default();
        for action in actions {
            for effect in self.update(now, action) {
                match effect {
                    Effect::Bell => batch.bell = true,
                    Effect::Quit => batch.quit = true,
                    Effect::Clipboard(text) => batch.clipboard = Some(text),
                    Effect::OpenUrl(url) => batch.open.push(url),
                    Effect::Desktop(text) => batch.desktop.push(text),
                    other => batch.effects.push(other),
                }
            }
        }
        // Once a batch, as a frame is drawn: the search follows what the batch changed.
        self.sync_search();
        batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scroll_keeps_the_selection_visible() {
        let mut s = Scroll::default();
        s.select(25, 30, 10);
        assert_eq!(
            s,
            Scroll {
                selected: 25,
                offset: 16
            }
        );
        s.select(5, 30, 10);
        assert_eq!(
            s,
            Scroll {
                selected: 5,
                offset: 5
            }
        );
        s.clamp(3, 10);
        assert_eq!(
            s,
            Scroll {
                selected: 2,
                offset: 0
            }
        );
        s.clamp(0, 10);
        assert_eq!(s, Scroll::default());
    }
}
