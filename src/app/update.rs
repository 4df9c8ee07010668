//! The reducer: `update` takes the time and an action, changes the state, and returns the
//! effects for the runtime to run. No I/O, no clock, no await.

use crate::pace::Priority;
use std::collections::HashMap;

use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use jiff::{SignedDuration, Timestamp};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keys::{self, Cmd};
use super::layout::{self, Pane};
use super::{
    Action, App, Effect, InvKey, Mode, Notice, NoticeKind, Poll, Remote, Request, Response, Screen,
    Slot,
};
use crate::cloudfront::{
    CfError, Distribution, Invalidation, InvalidationStatus, InvalidationSummary,
};
use crate::timefmt;

/// The notice `r` shows until the listing is back.
const REFRESHING: &str = "refreshing…";

/// The most characters the filter holds: more matches nothing a name or id could be.
pub const FILTER_MAX: usize = 1000;

impl App {
    /// Handles one action at time `now`.
    pub fn update(&mut self, now: Timestamp, action: Action) -> Vec<Effect> {
        self.now = now;
        let mut fx = Vec::new();
        match action {
            Action::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key, &mut fx),
            Action::Key(_) => {}
            Action::Mouse(mouse) => self.on_mouse(mouse, &mut fx),
            Action::Paste(text) => self.on_paste(&text, &mut fx),
            Action::Resize { width, height } => {
                self.size = ratatui::layout::Rect::new(0, 0, width, height);
                self.clamp_all();
                self.follow_cursor();
                self.redraw.dirty = true;
            }
            Action::Tick => {}
            Action::Saved(result) => self.on_saved(result, &mut fx),
            Action::ConfigLoaded(result) => self.on_config_loaded(result),
            Action::Response {
                slot,
                seq,
                response,
            } => self.on_response(slot, seq, response, &mut fx),
            Action::DistributionsPage { seq, page } => {
                self.on_distributions_page(seq, page, &mut fx)
            }
            Action::Restored { profile, snapshot } => self.restore(&profile, *snapshot),
            Action::Claimed(taken) => self.on_claimed(taken, &mut fx),
            Action::CachedDetails { profile, details } => self.on_cached_details(&profile, details),
            Action::JournalProblem(text) => {
                self.memory.enabled = false;
                self.notify(NoticeKind::Error, text);
            }
        }
        // Whatever the action, do what has come due.
        self.on_tick(&mut fx);
        self.ask_before_dropping(&mut fx);
        fx
    }

    /// A quit with batches queued or being sent asks first: they would be lost.
    fn ask_before_dropping(&mut self, fx: &mut Vec<Effect>) {
        let asked = matches!(self.screen, super::Screen::QuitUnsent { .. });
        if asked || self.outbox.is_empty() || !fx.contains(&Effect::Quit) {
            return;
        }
        fx.retain(|e| *e != Effect::Quit);
        self.screen.ask_quit();
        self.redraw.dirty = true;
    }

    fn on_quit_key(&mut self, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
        match keys::lookup(Mode::QuitUnsent, &key) {
            Some(Cmd::Confirm | Cmd::Quit) => {
                self.log_unsent("quit");
                fx.push(Effect::Quit);
            }
            Some(Cmd::Back) => {
                self.screen.stay();
                self.redraw.dirty = true;
            }
            _ => {}
        }
    }

    /// The earliest time something is due: a poll, a refresh, the sweep, a retry, or a
    /// label on screen that changes. The sweep is always scheduled, so there is one.
    pub fn next_wake(&self) -> Timestamp {
        // With no profile open there is nothing to sweep.
        let mut due = if self.profile.is_empty() {
            self.now + SignedDuration::from_secs(3600)
        } else {
            self.session.schedule.sweep_due
        };
        let mut soonest = |t: Option<Timestamp>| {
            if let Some(t) = t {
                due = due.min(t);
            }
        };
        soonest(self.redraw.next());
        soonest(self.session.schedule.retry_lists_at);
        soonest(self.notice.as_ref().map(|n| n.until));
        soonest(self.refresh_due());
        soonest(self.outbox_due());
        soonest(self.watch.due(&self.requests));
        soonest(self.session.backfill.rest_until());
        for (key, poll) in &self.session.polls {
            if !self.requests.is_running(&Slot::Poll(key.clone())) {
                soonest(Some(poll.next_at));
            }
        }
        due
    }

    /// The runtime drew a frame: remember when the screen next goes stale by itself.
    pub fn frame_drawn(&mut self) {
        let next = self.next_label_change();
        self.redraw.drawn(next);
    }

    fn next_label_change(&self) -> Option<Timestamp> {
        let now = self.now;
        let mut next: Option<Timestamp> = None;
        let mut consider = |t: Timestamp| next = Some(next.map_or(t, |n| n.min(t)));
        if self.animating() {
            let ms = now.as_millisecond();
            let frame = (ms.div_euclid(super::SPIN_MS) + 1) * super::SPIN_MS;
            consider(Timestamp::from_millisecond(frame).unwrap_or(now));
        }
        if let Some(at) = self.session.last_refresh {
            consider(timefmt::next_ago_coarse_change(now, at));
        }
        if let Some(area) = self.areas() {
            let height = layout::table_rows(area.invalidations);
            let rows = self.invalidation_rows();
            let start = self.session.inv_scroll.offset.min(rows.len());
            let end = (start + height).min(rows.len());
            for inv in &rows[start..end] {
                consider(timefmt::next_ago_change(now, inv.create_time));
            }
        }
        next
    }

    // ---- input -------------------------------------------------------------------------

    fn on_key(&mut self, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
        let mode = self.mode();
        if mode == Mode::QuitUnsent {
            return self.on_quit_key(key, fx);
        }
        // "Terminal too small" hides the screen: only quitting works, so nothing is sent,
        // resumed or dropped unseen.
        if self.areas().is_none() && keys::lookup(mode, &key) != Some(Cmd::Quit) {
            return;
        }
        if matches!(mode, Mode::Resume | Mode::Notices) {
            return self.on_memory_key(mode, key, fx);
        }
        if mode == Mode::Palette {
            return self.on_palette_key(key, fx);
        }
        if mode == Mode::Copy {
            return self.on_copy_key(key, fx);
        }
        if mode == Mode::InProgress {
            return self.on_in_progress_key(key, fx);
        }
        if mode == Mode::Search {
            return self.on_search_key(key, fx);
        }
        if mode == Mode::InvFilter {
            return self.on_inv_filter_key(key, fx);
        }
        if mode.in_form() {
            return self.on_form_key(key, fx);
        }
        if mode.in_profiles() {
            return self.on_profile_key(key, fx);
        }
        if mode == Mode::Help && self.scroll_help(keys::lookup(mode, &key)) {
            return;
        }
        match keys::lookup(mode, &key) {
            Some(cmd) => self.run(cmd, fx),
            None if mode == Mode::Filter
                && matches!(key.code, crossterm::event::KeyCode::Char(_))
                && self.session.filter.value().chars().count() >= FILTER_MAX =>
            {
                self.filter_full();
            }
            None if mode == Mode::Filter
                && self.session.filter.handle_event(&Event::Key(key)).is_some() =>
            {
                self.filter_changed(fx)
            }
            // A key that does nothing on the dashboard says where the keys are.
            None if mode == Mode::Normal => {
                if let Some(name) = unbound_name(&key) {
                    self.notify(
                        NoticeKind::Info,
                        format!("{name} does nothing here: ? lists the keys"),
                    );
                }
            }
            None => {}
        }
    }

    /// The resume question and the notices log.
    fn on_memory_key(&mut self, mode: Mode, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
        self.redraw.dirty = true;
        let Some(cmd) = keys::lookup(mode, &key) else {
            return;
        };
        let page = self.size.height.saturating_sub(6).max(1) as usize;
        // The notices log, or the list of batches the resume question shows.
        let rows = match mode {
            Mode::Resume => self.memory.offered.len(),
            _ => self.memory.log.len(),
        };
        let last = rows.saturating_sub(1);
        let scroll = &mut self.memory.scroll;
        match (mode, cmd) {
            (_, Cmd::Quit) => fx.push(Effect::Quit),
            (Mode::Resume, Cmd::Confirm) => self.resume_offered(fx),
            (Mode::Resume, Cmd::Drop) => self.drop_offered(fx),
            (Mode::Resume, Cmd::Back) => self.postpone_offered(),
            (Mode::Resume, Cmd::Open) => {
                if let Screen::Resume { look } = &mut self.screen {
                    *look = !*look;
                }
                self.memory.scroll = 0;
            }
            (Mode::Notices, Cmd::Back) => self.screen = Screen::Dashboard,
            (_, Cmd::Down) => *scroll = (*scroll + 1).min(last),
            (_, Cmd::Up) => *scroll = scroll.saturating_sub(1),
            (_, Cmd::PageDown) => *scroll = (*scroll + page).min(last),
            (_, Cmd::PageUp) => *scroll = scroll.saturating_sub(page),
            (_, Cmd::Top) => *scroll = 0,
            (_, Cmd::Bottom) => *scroll = last,
            _ => {}
        }
    }

    fn filter_full(&mut self) {
        self.notify(
            NoticeKind::Info,
            format!("the filter holds at most {FILTER_MAX} characters"),
        );
    }

    fn on_form_key(&mut self, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
        use crossterm::event::{KeyCode, KeyModifiers};
        let mode = self.mode();
        match keys::lookup(mode, &key) {
            Some(Cmd::Help) => {
                self.screen.open_help();
                self.redraw.dirty = true;
            }
            Some(Cmd::Quit) if matches!(mode, Mode::Form | Mode::Presets) => self.form_quit(fx),
            Some(cmd) => self.form_cmd(cmd, fx),
            None if mode == Mode::ConfirmTyped => self.confirm_typed_key(key),
            None => {
                if let KeyCode::Char(c) = key.code
                    && !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                {
                    self.form_char(c);
                }
            }
        }
    }

    fn on_profile_key(&mut self, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
        let mode = self.mode();
        let form_text = self.screen.profile_form().is_some_and(|f| f.typing());
        match keys::lookup(mode, &key) {
            // Space types in a text field, and ticks a box.
            Some(Cmd::Mark) if form_text => self.profile_form_key(key),
            Some(cmd) => self.profile_cmd(cmd, fx),
            None if mode == Mode::ProfileForm => self.profile_form_key(key),
            None => {}
        }
        self.redraw.dirty = true;
    }

    fn on_paste(&mut self, text: &str, fx: &mut Vec<Effect>) {
        match self.mode() {
            Mode::Form => return self.form_paste(text),
            Mode::Palette => return self.palette_paste(text),
            Mode::Search => return self.search_paste(text),
            Mode::InvFilter => {
                let line: String = crate::text::strip_bom(text.lines().next().unwrap_or(""))
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(FILTER_MAX)
                    .collect();
                let mut value = self.session.inv_filter.value().to_string();
                let room = FILTER_MAX.saturating_sub(value.chars().count());
                value.extend(line.chars().take(room));
                return self.change_inv_filter(fx, |input| *input = Input::new(value));
            }
            Mode::Filter => {}
            _ => return,
        }
        // One insert at the cursor, not one per character (each of which walks the whole
        // value): a 200 KB paste takes a moment, not half a minute. Only the first line,
        // without control characters, up to the cap.
        let line = crate::text::strip_bom(text.lines().next().unwrap_or("")).trim();
        let value = self.session.filter.value();
        let room = FILTER_MAX.saturating_sub(value.chars().count());
        let mut pasted = line.chars().filter(|c| !c.is_control());
        let insert: String = pasted.by_ref().take(room).collect();
        let cut = pasted.next().is_some();
        let cursor = self.session.filter.cursor();
        let at = value
            .char_indices()
            .nth(cursor)
            .map_or(value.len(), |(i, _)| i);
        let joined = format!("{}{insert}{}", &value[..at], &value[at..]);
        self.session.filter = Input::new(joined).with_cursor(cursor + insert.chars().count());
        if cut {
            self.filter_full();
        }
        self.filter_changed(fx);
    }

    fn on_mouse(&mut self, mouse: MouseEvent, fx: &mut Vec<Effect>) {
        let mode = self.mode();
        if mode.in_form() {
            return self.form_mouse(mouse, fx);
        }
        if mode == Mode::Help {
            return;
        }
        let Some(areas) = self.areas() else { return };
        let Some(pane) = areas.pane_at(mouse.column, mouse.row) else {
            return;
        };
        match mouse.kind {
            MouseEventKind::ScrollDown => self.move_in(pane, 3, fx),
            MouseEventKind::ScrollUp => self.move_in(pane, -3, fx),
            MouseEventKind::Down(MouseButton::Left) => {
                self.set_focus(pane);
                if let Some(rect) = areas.pane(pane)
                    && let Some(row) = layout::table_row_at(rect, mouse.row)
                {
                    match pane {
                        Pane::Distributions => {
                            let index = self.session.dist_scroll.offset + row;
                            if index < self.session.view.len() {
                                self.select_distribution(index, fx);
                            }
                        }
                        Pane::Invalidations => {
                            let index = self.session.inv_scroll.offset + row;
                            if index < self.invalidation_rows().len() {
                                self.select_invalidation(index, fx);
                            }
                        }
                        Pane::Detail => {}
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn run(&mut self, cmd: Cmd, fx: &mut Vec<Effect>) {
        self.redraw.dirty = true;
        match cmd {
            Cmd::Quit => fx.push(Effect::Quit),
            Cmd::Help => self.screen.open_help(),
            Cmd::Notices => {
                self.screen = Screen::Notices;
                self.memory.scroll = self.memory.log.len().saturating_sub(1);
            }
            Cmd::Down => self.move_in(self.session.focus, 1, fx),
            Cmd::Up => self.move_in(self.session.focus, -1, fx),
            Cmd::PageDown => {
                let page = self.page_size(self.session.focus) as isize;
                self.move_in(self.session.focus, page, fx);
            }
            Cmd::PageUp => {
                let page = self.page_size(self.session.focus) as isize;
                self.move_in(self.session.focus, -page, fx);
            }
            Cmd::Top => self.move_in(self.session.focus, isize::MIN / 2, fx),
            Cmd::Bottom => self.move_in(self.session.focus, isize::MAX / 2, fx),
            Cmd::NextPane | Cmd::PrevPane => {
                let order: &[Pane] = if self.session.detail_open {
                    &[Pane::Distributions, Pane::Invalidations, Pane::Detail]
                } else {
                    &[Pane::Distributions, Pane::Invalidations]
                };
                let at = order
                    .iter()
                    .position(|&p| p == self.session.focus)
                    .unwrap_or(0);
                let step = if cmd == Cmd::NextPane {
                    1
                } else {
                    order.len() - 1
                };
                let pane = order[(at + step) % order.len()];
                self.set_focus(pane);
                if pane == Pane::Invalidations
                    && let Some(id) = self.selected_distribution_id()
                {
                    self.want_cache_tags(&id, fx);
                }
            }
            Cmd::Open => match self.session.focus {
                Pane::Distributions => {
                    if !self.toggle_tenants(fx) {
                        self.set_focus(Pane::Invalidations);
                        // The pane's title shows the distribution's cache-tag header.
                        if let Some(id) = self.selected_distribution_id() {
                            self.want_cache_tags(&id, fx);
                        }
                    }
                }
                Pane::Invalidations => {
                    if self.selected_invalidation().is_some() {
                        self.session.detail_open = true;
                        self.session.detail_scroll = Default::default();
                        self.set_focus(Pane::Detail);
                        self.clamp_all();
                        self.sync_detail(fx);
                    }
                }
                Pane::Detail => {}
            },
            Cmd::Back => {
                if let Screen::Help { .. } = self.screen {
                    self.screen.close_help();
                } else if self.session.detail_open {
                    self.close_detail(fx);
                } else if self.session.focus == Pane::Invalidations
                    && !self.session.inv_filter.value().is_empty()
                {
                    self.change_inv_filter(fx, Input::reset);
                } else if self.session.focus == Pane::Invalidations {
                    self.set_focus(Pane::Distributions);
                } else if !self.session.filter.value().is_empty() {
                    self.clear_filter(fx);
                }
            }
            // In the invalidations (or their paths), `/` filters the invalidations.
            Cmd::Filter if self.session.focus != Pane::Distributions => {
                self.screen = Screen::InvFilter;
                self.set_focus(Pane::Invalidations);
            }
            Cmd::Filter => {
                self.screen = Screen::Filter;
                self.set_focus(Pane::Distributions);
            }
            Cmd::FilterAccept => self.screen = Screen::Dashboard,
            Cmd::FilterClear => {
                self.screen = Screen::Dashboard;
                self.clear_filter(fx);
            }
            Cmd::Refresh => {
                self.session.schedule.sweep_due = self.now;
                self.notify(NoticeKind::Info, REFRESHING.into());
            }
            Cmd::Watch => self.toggle_watch(),
            Cmd::Mark => self.toggle_mark(fx),
            Cmd::Profiles => self.open_switcher(),
            Cmd::ShowAll => self.toggle_show_all(),
            Cmd::ToggleUtc => {
                self.utc = !self.utc;
                self.tz = if self.utc {
                    jiff::tz::TimeZone::UTC
                } else {
                    self.local_tz.clone()
                };
                let text = if self.utc {
                    "times in UTC (t: local time)".to_string()
                } else {
                    format!(
                        "times in local time, {} (t: UTC)",
                        self.tz.iana_name().unwrap_or("the system's zone")
                    )
                };
                self.notify(NoticeKind::Info, text);
            }
            Cmd::NewInvalidation => {
                self.new_invalidation();
                self.form_wants_tags(fx);
            }
            Cmd::Palette => self.open_palette(),
            Cmd::Copy => self.open_copy_menu(),
            Cmd::Sort | Cmd::SortReverse => self.sort(cmd == Cmd::SortReverse),
            Cmd::LoadOlder => self.load_older(fx),
            Cmd::InProgress => self.open_in_progress(),
            Cmd::Search => self.open_search(""),
            Cmd::OpenConsole => self.open_console(fx),
            Cmd::CopyToNew => {
                self.copy_to_new(fx);
                self.form_wants_tags(fx);
            }
            // The form's own commands arrive through `form_cmd`.
            _ => {}
        }
    }

    /// A key while the invalidations' filter has the keyboard.
    fn on_inv_filter_key(&mut self, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
        self.redraw.dirty = true;
        match keys::lookup(Mode::InvFilter, &key) {
            Some(Cmd::Quit) => fx.push(Effect::Quit),
            Some(Cmd::FilterAccept) => self.screen = Screen::Dashboard,
            Some(Cmd::FilterClear) => {
                self.screen = Screen::Dashboard;
                self.change_inv_filter(fx, Input::reset);
            }
            Some(Cmd::Down) => self.move_in(Pane::Invalidations, 1, fx),
            Some(Cmd::Up) => self.move_in(Pane::Invalidations, -1, fx),
            _ => {
                let full = self.session.inv_filter.value().chars().count() >= FILTER_MAX;
                if full && matches!(key.code, crossterm::event::KeyCode::Char(_)) {
                    return self.filter_full();
                }
                self.change_inv_filter(fx, |input| {
                    input.handle_event(&Event::Key(key));
                });
            }
        }
    }

    /// Changes the invalidations' filter with `change`; the selection stays on its row if
    /// it still shows, else goes to the first.
    fn change_inv_filter(&mut self, fx: &mut Vec<Effect>, change: impl FnOnce(&mut Input)) {
        let before = self.selected_invalidation();
        change(&mut self.session.inv_filter);
        let pos = before.and_then(|k| self.invalidation_rows().iter().position(|r| r.id == k.id));
        self.select_invalidation(pos.unwrap_or(0), fx);
        self.redraw.dirty = true;
    }

    /// `L`: the selected distribution's next page of older invalidations, asked for now
    /// and kept in its listings from then on.
    fn load_older(&mut self, fx: &mut Vec<Effect>) {
        let Some(d) = self.selected_distribution() else {
            return;
        };
        let (id, name) = (d.id.clone(), d.display_name().to_string());
        let base = self.settings.list_limit;
        let Some(listed) = self.session.selected_listing() else {
            return self.notify(
                NoticeKind::Info,
                format!("{name}'s invalidations are not listed yet"),
            );
        };
        let n = listed.len();
        if !self.session.more_to_load(base) {
            let text = if n >= super::session::OLDER_MAX {
                format!("{name}: the newest {n} invalidations are shown, the most cfdash lists")
            } else {
                format!("that is every invalidation of {name} ({n})")
            };
            return self.notify(NoticeKind::Info, text);
        }
        let held = (n, listed.last().map(|r| r.id.clone()));
        self.session.older_asked.entry(id.clone()).or_insert(held);
        let more = self.session.older.entry(id.clone()).or_insert(0);
        *more = (*more + base).min(super::session::OLDER_MAX.saturating_sub(base));
        self.request_list_at(&id, Priority::Operator, fx);
        self.notify(
            NoticeKind::Info,
            format!("asking for {name}'s older invalidations…"),
        );
    }

    /// `s`/`S`: the focused table's next column, or the other direction; the selection
    /// stays on the same row.
    fn sort(&mut self, reverse: bool) {
        let text = if self.session.focus == Pane::Distributions {
            let order = &mut self.session.dist_order;
            if reverse {
                order.descending = !order.descending;
            } else {
                order.column = order.column.next();
                order.descending = false;
            }
            let order = *order;
            let before = self.selected_distribution_id();
            self.rebuild_view(before.as_deref());
            if order.column == super::session::DistColumn::Listed {
                format!(
                    "distributions in the account's order{}",
                    arrow(order.descending)
                )
            } else {
                format!(
                    "distributions by {}{}",
                    order.column.label(),
                    arrow(order.descending)
                )
            }
        } else {
            let before = self.selected_invalidation();
            let order = &mut self.session.inv_order;
            if reverse {
                order.descending = !order.descending;
            } else {
                order.column = order.column.next();
                // Newest first is what a person wants of dates; A to Z of the rest.
                order.descending = order.column == super::session::InvColumn::Created;
            }
            let order = *order;
            if let Some(key) = before
                && let Some(pos) = self.invalidation_rows().iter().position(|r| r.id == key.id)
            {
                self.session.inv_scroll.selected = pos;
            }
            self.clamp_all();
            format!(
                "invalidations by {}{}",
                order.column.label(),
                arrow(order.descending)
            )
        };
        self.notify(
            NoticeKind::Info,
            format!("{text} (s: next column, S: reverse)"),
        );
    }

    pub(super) fn set_focus(&mut self, pane: Pane) {
        if pane == Pane::Detail && !self.session.detail_open {
            return;
        }
        self.session.focus = pane;
        self.redraw.dirty = true;
    }

    /// Rows the distributions pane shows.
    pub(super) fn dist_page(&self) -> usize {
        self.page_size(Pane::Distributions)
    }

    fn page_size(&self, pane: Pane) -> usize {
        let Some(rect) = self.areas().and_then(|a| a.pane(pane)) else {
            return 1;
        };
        match pane {
            Pane::Detail => layout::detail_rows(rect),
            _ => layout::table_rows(rect),
        }
        .max(1)
    }

    fn move_in(&mut self, pane: Pane, delta: isize, fx: &mut Vec<Effect>) {
        self.redraw.dirty = true;
        match pane {
            Pane::Distributions => {
                let target = self
                    .session
                    .dist_scroll
                    .selected
                    .saturating_add_signed(delta);
                self.select_distribution(target, fx);
            }
            Pane::Invalidations => {
                let target = self
                    .session
                    .inv_scroll
                    .selected
                    .saturating_add_signed(delta);
                self.select_invalidation(target, fx);
            }
            Pane::Detail => {
                // The paths scroll by their first visible line.
                let len = self.detail_len();
                let height = self.page_size(Pane::Detail);
                let max = len.saturating_sub(height);
                let top = self
                    .session
                    .detail_scroll
                    .offset
                    .saturating_add_signed(delta)
                    .min(max);
                self.session.detail_scroll = super::Scroll {
                    selected: top,
                    offset: top,
                };
            }
        }
    }

    /// Lines the paths take in the detail pane, long ones wrapped.
    fn detail_len(&self) -> usize {
        let pane = self.areas().and_then(|a| a.detail).unwrap_or_default();
        self.session
            .detail_key
            .as_ref()
            .or(self.selected_invalidation().as_ref())
            .and_then(|k| self.session.details.get(k))
            .and_then(|d| d.data())
            .map_or(0, |d| {
                let lines = |p: &String| layout::path_lines(pane, p).len();
                d.paths.iter().map(lines).sum()
            })
    }

    pub(super) fn select_distribution(&mut self, index: usize, fx: &mut Vec<Effect>) {
        let before = self.selected_distribution_id();
        let height = self.page_size(Pane::Distributions);
        self.session
            .dist_scroll
            .select(index, self.session.view.len(), height);
        self.follow_distribution(before, fx);
    }

    pub(super) fn selected_distribution_id(&self) -> Option<String> {
        self.selected_distribution().map(|d| d.id.clone())
    }

    /// If the selected distribution is no longer `before`, its invalidations start at the
    /// top, its list loads if it never has, and the detail follows.
    fn follow_distribution(&mut self, before: Option<String>, fx: &mut Vec<Effect>) {
        if self.selected_distribution_id() != before {
            self.session.inv_scroll = Default::default();
            // The invalidations' filter was about the distribution left.
            self.session.inv_filter.reset();
            self.after_selection_change(fx);
        }
    }

    pub(super) fn select_invalidation(&mut self, index: usize, fx: &mut Vec<Effect>) {
        let before = self.selected_invalidation();
        let height = self.page_size(Pane::Invalidations);
        let len = self.invalidation_rows().len();
        self.session.inv_scroll.select(index, len, height);
        if self.selected_invalidation() != before {
            self.session.detail_scroll = Default::default();
            self.sync_detail(fx);
        }
    }

    /// A new distribution is selected: its list may need loading, the detail follows.
    fn after_selection_change(&mut self, fx: &mut Vec<Effect>) {
        self.clamp_all();
        if let Some(id) = self.selected_distribution_id() {
            let never_loaded = matches!(
                self.session.invalidations.get(&id).map(|d| &d.list),
                None | Some(Remote::Idle)
            );
            if never_loaded && self.session.distributions.data().is_some() {
                self.request_list(&id, fx);
            }
        }
        self.sync_detail(fx);
    }

    fn close_detail(&mut self, fx: &mut Vec<Effect>) {
        self.session.detail_open = false;
        if self.session.focus == Pane::Detail {
            self.session.focus = Pane::Invalidations;
        }
        if self.requests.cancel(&Slot::Detail) {
            fx.push(Effect::Abort(Slot::Detail));
        }
        self.session.detail_key = None;
        self.clamp_all();
    }

    /// The detail pane shows the selected invalidation: when the selection has moved to
    /// another, fetch it unless a completed copy is cached, and abort the fetch for the one
    /// shown before. (Opening the pane starts from no key, so an invalidation still in
    /// progress is fetched afresh each time it is opened.)
    pub(super) fn sync_detail(&mut self, fx: &mut Vec<Effect>) {
        if !self.session.detail_open {
            return;
        }
        let key = self.selected_invalidation().filter(|_| {
            self.invalidation_rows()
                .get(self.session.inv_scroll.selected)
                .is_some_and(|r| r.status != InvalidationStatus::Queued)
        });
        if key == self.session.detail_key {
            return;
        }
        let cached = key.as_ref().and_then(|k| self.session.details.get(k)).is_some_and(|d| {
            matches!(d, Remote::Ready { data, .. } if data.status == InvalidationStatus::Completed)
        });
        if self.requests.cancel(&Slot::Detail) {
            fx.push(Effect::Abort(Slot::Detail));
        }
        self.session.detail_key = key.clone();
        if let (Some(key), false) = (key, cached) {
            if !matches!(self.session.details.get(&key), Some(Remote::Ready { .. })) {
                self.session.details.insert(key.clone(), Remote::Loading);
            }
            self.request(Slot::Detail, Request::GetInvalidation(key), fx);
        }
    }

    fn filter_changed(&mut self, fx: &mut Vec<Effect>) {
        let before = self.selected_distribution_id();
        self.rebuild_view(before.as_deref());
        self.follow_distribution(before, fx);
        self.redraw.dirty = true;
    }

    fn clear_filter(&mut self, fx: &mut Vec<Effect>) {
        self.session.filter.reset();
        self.filter_changed(fx);
    }

    /// Recomputes which distributions pass the filter, keeping `keep` selected if it does.
    pub(super) fn rebuild_view(&mut self, keep: Option<&str>) {
        let needle = self.session.filter.value().to_lowercase();
        let mut view = self.session.tree_view(&needle);
        self.session.sort_view(&mut view);
        self.session.view = self.session.group_tenants(view);
        self.session.view_stats = match self.session.distributions.data() {
            Some(all) => super::session::ViewStats::of(all, &self.session.view),
            None => Default::default(),
        };
        if let (Some(id), Some(all)) = (keep, self.session.distributions.data())
            && let Some(pos) = self.session.view.iter().position(|&i| all[i].id == id)
        {
            self.session.dist_scroll.selected = pos;
        }
        self.clamp_all();
    }

    pub(super) fn clamp_all(&mut self) {
        let dist_h = self.page_size(Pane::Distributions);
        self.session
            .dist_scroll
            .clamp(self.session.view.len(), dist_h);
        let inv_h = self.page_size(Pane::Invalidations);
        let len = self.invalidation_rows().len();
        self.session.inv_scroll.clamp(len, inv_h);
        if self.session.focus == Pane::Detail && !self.session.detail_open {
            self.session.focus = Pane::Invalidations;
        }
    }

    fn toggle_watch(&mut self) {
        let Some(key) = self.selected_invalidation() else {
            return;
        };
        let status = self.invalidation_rows()[self.session.inv_scroll.selected]
            .status
            .clone();
        if status == InvalidationStatus::Queued {
            let text = format!("{} is watched from the moment it is sent", key.id);
            self.notify(NoticeKind::Info, text);
        } else if self.watch.watched.remove(&key) {
            self.notify(NoticeKind::Info, format!("stopped watching {}", key.id));
        } else if status.is_in_progress() {
            self.watch.watched.insert(key.clone());
            self.notify(
                NoticeKind::Info,
                format!("watching {}: cfdash rings when it completes", key.id),
            );
        } else {
            self.notify(NoticeKind::Info, format!("{} is already {status}", key.id));
        }
    }

    // ---- backend answers ---------------------------------------------------------------

    fn on_response(&mut self, slot: Slot, seq: u64, response: Response, fx: &mut Vec<Effect>) {
        if !self.requests.answered(&slot, seq) {
            return; // stale: a newer request replaced it, or it was cancelled
        }
        self.redraw.dirty = true;
        // A listing or a detail may have changed the month's count: the distribution it
        // is about is counted again (a listing marks its own, in `replace_list`), or every
        // one when it is not known here (rare answers: the detail pane, copy). A create
        // marks its own target (`on_created`): a fan-out answers thousands.
        match &slot {
            Slot::Invalidations(_) | Slot::Backfill(_) | Slot::Watch(..) | Slot::Create(_) => {}
            Slot::Poll(key) => self.session.backfill.touch_detail(&key.distribution),
            _ => self.session.backfill.touch(),
        }
        match (slot, response) {
            (Slot::Distributions, Response::Distributions(result)) => {
                self.on_distributions(result, fx)
            }
            (Slot::Invalidations(dist), Response::Invalidations(result)) => {
                self.on_invalidations(&dist, result, fx)
            }
            (Slot::Poll(key), Response::Invalidation(result)) => self.on_poll(key, result),
            (Slot::Detail, Response::Invalidation(result)) => self.on_detail(result),
            (Slot::Backfill(key), Response::Invalidation(result)) => self.on_backfill(key, result),
            (Slot::Copy, Response::Invalidation(result)) => self.on_copy(result),
            (Slot::Clipboard, Response::Invalidation(result)) => {
                self.on_clipboard_paths(result, fx)
            }
            (Slot::Watch(profile, key), Response::Invalidation(result)) => {
                self.on_background(profile, key, result)
            }
            (Slot::Create(reference), Response::Created(result)) => {
                self.on_created(&reference, result, fx)
            }
            (Slot::Tenants(dist), Response::Tenants(result)) => self.on_tenants(&dist, result, fx),
            (Slot::CacheTags(dist), Response::CacheTags(result)) => {
                self.on_cache_tags(&dist, result)
            }
            (slot, response) => {
                debug_assert!(false, "{slot:?} answered with {response:?}");
            }
        }
    }

    /// A page of a listing with more to come. Shown only while there is nothing else to
    /// show (the first listing of a profile, nothing known from the journal, no pins): a
    /// large account's first screen fills at once, and its rows' invalidations are listed
    /// first.
    fn on_distributions_page(&mut self, seq: u64, page: Vec<Distribution>, fx: &mut Vec<Effect>) {
        if self.requests.pending.get(&Slot::Distributions) != Some(&seq) {
            return;
        }
        // This listing's pages are on screen; or an earlier one's, cut short by a failure.
        let shown = self.session.schedule.paging == Some(seq);
        let partial = self.session.schedule.paging.is_some();
        let pinned = !self.session.pins.is_empty() && !self.session.show_all;
        if pinned {
            return;
        }
        if !partial && self.session.distributions.data().is_some() {
            // Rows are on screen already (the last known state, or the last sweep's): the
            // listing goes on, and their invalidations are asked for now, not after it.
            self.list_on_screen(|app, id| !app.listed_this_sweep(id), fx);
            return;
        }
        let now = self.now;
        let keep = self.selected_distribution_id();
        match &mut self.session.distributions {
            Remote::Ready { data, .. } if shown => data.extend(page),
            other => {
                *other = Remote::Ready {
                    data: page,
                    at: now,
                }
            }
        }
        self.session.schedule.paging = Some(seq);
        self.rebuild_view(keep.as_deref());
        self.list_on_screen(|app, id| !app.listed_this_sweep(id), fx);
        self.sync_detail(fx);
    }

    /// Whether a distribution's invalidations are being listed, or were since this sweep
    /// began: asking again would only spend the rate.
    pub(super) fn listed_this_sweep(&self, id: &str) -> bool {
        let started = self.session.schedule.sweep_started;
        self.requests
            .is_running(&Slot::Invalidations(id.to_string()))
            || self
                .session
                .invalidations
                .get(id)
                .is_some_and(|d| matches!(d.list, Remote::Ready { at, .. } if at > started))
    }

    /// The ids of the distributions on screen, top to bottom.
    pub fn on_screen(&self) -> Vec<String> {
        let Some(all) = self.session.distributions.data() else {
            return Vec::new();
        };
        let from = self.session.dist_scroll.offset.min(self.session.view.len());
        let to = (from + self.page_size(Pane::Distributions)).min(self.session.view.len());
        self.session.view[from..to]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|d| d.id.clone())
            .collect()
    }

    /// The limiter's numbers of the open profile.
    pub fn pacing(&self) -> crate::pace::Pacing {
        self.catalog
            .get(&self.profile)
            .map(|e| e.profile.pacing())
            .unwrap_or_default()
    }

    /// How long after a listing the next sweep is due: `settings.sweep`, or longer when
    /// the sweep's share of the rate needs longer to list `n` distributions (and their
    /// pages).
    fn sweep_every(&self, n: usize) -> SignedDuration {
        let pages = n
            .div_ceil(crate::cloudfront::DISTRIBUTIONS_PAGE as usize)
            .max(1);
        let floor = self.settings.sweep.unsigned_abs();
        let every = self.pacing().sweep_interval(n + pages, floor);
        SignedDuration::try_from(every).unwrap_or(self.settings.sweep)
    }

    fn on_distributions(
        &mut self,
        result: Result<Vec<Distribution>, CfError>,
        fx: &mut Vec<Effect>,
    ) {
        let now = self.now;
        match result {
            Ok(list) => {
                self.session.schedule.paging = None;
                self.memory.live_account = Some(
                    list.iter()
                        .find_map(|d| crate::journal::account_of(&d.arn))
                        .unwrap_or_default()
                        .to_string(),
                );
                let list = self.pinned(list);
                let list = self.keep_tenants(list);
                self.memory.restored_at = None;
                self.session.schedule.sweep_failed = false;
                self.session.schedule.sweep_backoff.relax();
                if self.notice.as_ref().is_some_and(|n| n.text == REFRESHING) {
                    self.notice = None;
                }
                self.session.schedule.sweep_due = now + self.sweep_every(list.len());
                self.session.last_refresh = Some(now);
                let keep = self.selected_distribution_id();
                // Distributions that went away take their invalidations with them.
                let ids: std::collections::HashSet<&str> =
                    list.iter().map(|d| d.id.as_str()).collect();
                let gone: Vec<String> = self
                    .session
                    .invalidations
                    .keys()
                    .filter(|k| !ids.contains(k.as_str()))
                    .cloned()
                    .collect();
                for id in gone {
                    self.replace_list(&id, None);
                    self.session.invalidations.remove(&id);
                    self.session.schedule.failed_lists.remove(&id);
                }
                let order: Vec<String> = list.iter().map(|d| d.id.clone()).collect();
                self.session.distributions = Remote::Ready {
                    data: list,
                    at: now,
                };
                self.rebuild_view(keep.as_deref());
                // The first page of every distribution's invalidations, so every row's "in
                // progress" count is right: the selected first, then those on screen, then
                // the rest at the sweep's pace. Those listed (or being listed) since this
                // sweep began, while its pages came in, are not asked again.
                let first = self.selected_distribution_id();
                let screen: Vec<String> = self
                    .on_screen()
                    .into_iter()
                    .filter(|id| Some(id) != first.as_ref())
                    .collect();
                let rest = order
                    .iter()
                    .filter(|id| Some(*id) != first.as_ref() && !screen.contains(id));
                let asks = first
                    .iter()
                    .map(|id| (id, Priority::Operator))
                    .chain(screen.iter().map(|id| (id, Priority::Visible)))
                    .chain(rest.map(|id| (id, Priority::Sweep)));
                let asks: Vec<(String, Priority)> = asks
                    .filter(|(id, _)| !self.listed_this_sweep(id))
                    .map(|(id, p)| (id.clone(), p))
                    .collect();
                for (id, priority) in asks {
                    self.request_list_at(&id, priority, fx);
                }
                // Listings that failed stay failed until they answer: those asked again
                // above are in flight, the others keep their retry.
                self.list_tenants(fx);
                self.sync_detail(fx);
            }
            Err(error) => {
                self.session.schedule.sweep_failed = true;
                if error.is_throttled() {
                    let (base, max) = (self.settings.refresh, self.settings.max_backoff);
                    self.session
                        .schedule
                        .sweep_backoff
                        .throttled(now, base, max);
                }
                let wait = self
                    .session
                    .schedule
                    .sweep_backoff
                    .apply(self.settings.refresh, self.settings.max_backoff);
                self.session.schedule.sweep_due = now + wait;
                if self.session.distributions.data().is_none() {
                    self.session.distributions = Remote::Failed {
                        error: error.clone(),
                        at: now,
                    };
                }
                self.notify_error(&error);
            }
        }
    }

    fn on_invalidations(
        &mut self,
        dist: &str,
        result: Result<Vec<InvalidationSummary>, CfError>,
        fx: &mut Vec<Effect>,
    ) {
        let now = self.now;
        self.session.schedule.swept.remove(dist);
        match result {
            Ok(list) => {
                self.session.schedule.list_backoff.relax();
                self.session.last_refresh = Some(now);
                self.session.schedule.failed_lists.remove(dist);
                let keep = (self.selected_distribution().map(|d| d.id.as_str()) == Some(dist))
                    .then(|| self.selected_invalidation())
                    .flatten();
                self.replace_list(dist, Some(list));
                self.older_came(dist);
                // Sorted by what is running: the row may move (the selection stays).
                if self.session.dist_order.column == super::session::DistColumn::Running {
                    let keep = self.selected_distribution_id();
                    self.rebuild_view(keep.as_deref());
                }
                if let Some(keep) = keep
                    && let Some(pos) = self
                        .invalidation_rows()
                        .iter()
                        .position(|i| i.id == keep.id)
                {
                    self.session.inv_scroll.selected = pos;
                }
                self.clamp_all();
                self.sync_detail(fx);
            }
            // Deleted since it was listed (or since the journal's last known state): it is
            // taken off the list, not asked again and again until the next sweep.
            Err(CfError::NoSuchDistribution { .. }) => self.forget_distribution(dist, fx),
            Err(error) => {
                if error.is_throttled() {
                    let (base, max) = (self.settings.poll_steady, self.settings.max_backoff);
                    self.session.schedule.list_backoff.throttled(now, base, max);
                }
                let entry = self
                    .session
                    .invalidations
                    .entry(dist.to_string())
                    .or_default();
                if entry.list.data().is_none() {
                    entry.list = Remote::Failed {
                        error: error.clone(),
                        at: now,
                    };
                }
                self.session.schedule.failed_lists.insert(dist.to_string());
                let wait = self
                    .session
                    .schedule
                    .list_backoff
                    .apply(self.settings.poll_steady, self.settings.max_backoff);
                self.session
                    .schedule
                    .retry_lists_at
                    .get_or_insert(now + wait);
                if self.session.older_asked.contains_key(dist) {
                    // Asked again with the retry: its answer says what came.
                    let name = self.distribution_name(dist);
                    self.notify(
                        NoticeKind::Error,
                        format!("{name}'s older invalidations did not load: {error}"),
                    );
                } else {
                    self.notify_error(&error);
                }
            }
        }
    }

    /// `dist` no longer exists: off the table, its rows, polls, marks and retries gone.
    fn forget_distribution(&mut self, dist: &str, fx: &mut Vec<Effect>) {
        let before = self.selected_distribution_id();
        let name = self.distribution_name(dist);
        if let Remote::Ready { data, .. } = &mut self.session.distributions {
            data.retain(|d| d.id != dist);
        }
        self.session.invalidations.remove(dist);
        self.session.polls.retain(|k, _| k.distribution != dist);
        self.session.schedule.failed_lists.remove(dist);
        self.session.schedule.swept.remove(dist);
        self.session.marked.remove(dist);
        self.session.older.remove(dist);
        self.session.older_asked.remove(dist);
        let keep = before.as_deref().filter(|id| *id != dist);
        self.rebuild_view(keep);
        self.follow_distribution(before, fx);
        self.notify(
            NoticeKind::Info,
            format!("{name} no longer exists in this account (deleted?): taken off the list"),
        );
    }

    /// A listing of `dist` answered: if its older invalidations were asked for (`L`), the
    /// status bar says what came in place of "asking for …".
    fn older_came(&mut self, dist: &str) {
        let Some((before, oldest)) = self.session.older_asked.remove(dist) else {
            return;
        };
        let Some(list) = self.session.listing(dist) else {
            return;
        };
        let n = list.len();
        // The rows under the oldest one listed before; without it, how many more there are.
        let older = oldest
            .and_then(|id| list.iter().position(|r| r.id == id))
            .map_or(n.saturating_sub(before), |at| n - at - 1);
        let name = self.distribution_name(dist);
        let text = match older {
            0 => format!("no older invalidations: that is every invalidation of {name} ({n})"),
            1 => format!("1 older invalidation of {name} loaded"),
            k => format!(
                "{} older invalidations of {name} loaded",
                timefmt::thousands(k)
            ),
        };
        self.notify(NoticeKind::Info, text);
    }

    /// Puts a fresh listing in place, noticing what completed and what started.
    pub(super) fn replace_list(&mut self, dist: &str, list: Option<Vec<InvalidationSummary>>) {
        let now = self.now;
        let list = list.map(|l| self.with_local_rows(dist, l));
        let session = &mut self.session;
        let Some(list) = list else {
            session.polls.retain(|k, _| k.distribution != dist);
            return;
        };
        let entry = session.invalidations.entry(dist.to_string()).or_default();
        let old: HashMap<String, InvalidationStatus> = entry
            .list
            .data()
            .map(|l| l.iter().map(|i| (i.id.clone(), i.status.clone())).collect())
            .unwrap_or_default();
        let mut done = Vec::new();
        for inv in &list {
            let key = InvKey::new(dist, &inv.id);
            let was = old.get(&inv.id);
            if inv.status.is_in_progress() {
                session.polls.entry(key).or_insert_with(|| Poll {
                    create_time: inv.create_time,
                    next_at: now + self.settings.poll_fast,
                });
            } else if was.is_some_and(InvalidationStatus::is_in_progress)
                || session.polls.contains_key(&key)
            {
                done.push((key, inv.create_time));
            }
        }
        session.backfill.listed(dist, &list, &session.details);
        let entry = session.invalidations.entry(dist.to_string()).or_default();
        entry.list = Remote::Ready {
            data: list,
            at: now,
        };
        for (key, create_time) in done {
            self.completed(key, create_time);
        }
    }

    /// A fresh listing, with what cfdash knows and the listing cannot show yet: batches
    /// queued in the outbox on top, and invalidations it created whose creation the listing
    /// (sent before) missed.
    fn with_local_rows(
        &self,
        dist: &str,
        mut list: Vec<InvalidationSummary>,
    ) -> Vec<InvalidationSummary> {
        let oldest = list.last().map(|r| r.create_time);
        let complete = list.len() < self.session.list_limit(dist, self.settings.list_limit);
        let mut missed: Vec<InvalidationSummary> = self
            .session
            .polls
            .iter()
            .filter(|(k, p)| {
                k.distribution == dist
                    && (complete || oldest.is_some_and(|t| p.create_time >= t))
                    && !list.iter().any(|r| r.id == k.id)
            })
            .map(|(k, p)| InvalidationSummary {
                id: k.id.clone(),
                status: InvalidationStatus::InProgress,
                create_time: p.create_time,
            })
            .collect();
        if !missed.is_empty() {
            list.append(&mut missed);
            list.sort_by_key(|r| std::cmp::Reverse(r.create_time));
        }
        let mut rows = self.queued_rows(dist);
        rows.append(&mut list);
        rows
    }

    fn on_poll(&mut self, key: InvKey, result: Result<Invalidation, CfError>) {
        match result {
            Ok(inv) => {
                self.session.schedule.poll_backoff.relax();
                self.observed(&key, &inv);
                // Seen since the restart: from now on an ordinary watch.
                self.was_away(&key);
                // Kept in progress too: its paths count against the quotas.
                let at = self.now;
                self.session
                    .details
                    .insert(key.clone(), Remote::Ready { data: inv, at });
                self.reschedule_poll(&key);
            }
            Err(CfError::NoSuchInvalidation { .. }) => {
                self.session.polls.remove(&key);
            }
            Err(error) => {
                if error.is_throttled() {
                    let (base, max) = (self.settings.poll_steady, self.settings.max_backoff);
                    self.session
                        .schedule
                        .poll_backoff
                        .throttled(self.now, base, max);
                }
                self.reschedule_poll(&key);
                self.notify_error(&error);
            }
        }
    }

    fn reschedule_poll(&mut self, key: &InvKey) {
        let now = self.now;
        let backoff = self.session.schedule.poll_backoff;
        if let Some(poll) = self.session.polls.get_mut(key) {
            poll.next_at = now
                + self.settings.poll_policy().interval(
                    &key.id,
                    now.duration_since(poll.create_time),
                    backoff,
                );
        }
    }

    fn on_detail(&mut self, result: Result<Invalidation, CfError>) {
        let Some(key) = self.session.detail_key.clone() else {
            return;
        };
        let at = self.now;
        match result {
            Ok(inv) => {
                self.observed(&key, &inv);
                self.session
                    .details
                    .insert(key, Remote::Ready { data: inv, at });
            }
            Err(error) => {
                self.notify_error(&error);
                self.session
                    .details
                    .insert(key, Remote::Failed { error, at });
            }
        }
    }

    /// A fresh copy of an invalidation arrived (a poll or the detail pane): its row takes
    /// the new status, and a completion is noticed.
    fn observed(&mut self, key: &InvKey, inv: &Invalidation) {
        self.set_status(key, &inv.status);
        if !inv.status.is_in_progress() && self.session.polls.contains_key(key) {
            self.completed(key.clone(), inv.create_time);
        }
    }

    /// Updates an invalidation's status in its distribution's list.
    fn set_status(&mut self, key: &InvKey, status: &InvalidationStatus) {
        let Some(entry) = self.session.invalidations.get_mut(&key.distribution) else {
            return;
        };
        let Remote::Ready { data, .. } = &mut entry.list else {
            return;
        };
        let Some(row) = data.iter_mut().find(|i| i.id == key.id) else {
            return;
        };
        if row.status == *status {
            return;
        }
        row.status = status.clone();
        self.redraw.dirty = true;
    }

    /// cfdash saw `key` complete: stop polling it, remember how long it took at most, and
    /// tell the operator if they were watching it.
    fn completed(&mut self, key: InvKey, create_time: Timestamp) {
        self.session.polls.remove(&key);
        self.quota_freed(&key.distribution);
        let took = self.now.duration_since(create_time);
        self.session.took.entry(key.clone()).or_insert(took);
        if !self.watch.watched.remove(&key) {
            return;
        }
        let name = self.distribution_name(&key.distribution);
        let line = format!(
            "{} on {name} (took ≤ {})",
            key.id,
            timefmt::short_duration(took)
        );
        let now = self.now;
        let away = if self.was_away(&key) {
            " while you were away"
        } else {
            ""
        };
        self.memory.log(
            NoticeKind::Success,
            &format!("✓ completed{away}: {line}"),
            now,
        );
        match &mut self.notice {
            Some(n) if n.at == now && !n.completions.is_empty() => {
                n.completions.push(line);
                n.text = format!(
                    "✓ {} watched invalidations completed{away}: {}",
                    n.completions.len(),
                    n.completions.join(", ")
                );
            }
            _ => {
                self.notice = Some(Notice {
                    kind: NoticeKind::Success,
                    text: format!("✓ completed{away}: {line}"),
                    at: now,
                    until: now + self.settings.notice_for,
                    completions: vec![line],
                    link: None,
                });
            }
        }
        self.watch.ring = true;
    }

    pub fn distribution_name(&self, id: &str) -> String {
        self.session
            .distribution(id)
            .map_or_else(|| id.to_string(), |d| d.display_name().to_string())
    }

    pub(super) fn notify(&mut self, kind: NoticeKind, text: String) {
        if text != REFRESHING {
            self.memory.log(kind, &text, self.now);
        }
        self.notice = Some(Notice {
            kind,
            text,
            at: self.now,
            until: self.now + self.settings.notice_for,
            completions: Vec::new(),
            link: None,
        });
        self.redraw.dirty = true;
    }

    pub(super) fn notify_error(&mut self, error: &CfError) {
        self.notify(NoticeKind::Error, error.to_string());
    }

    // ---- timers ------------------------------------------------------------------------

    /// Issues what has come due: the sweep, the selected distribution's refresh, retries,
    /// polls; clears an expired notice; marks labels that changed.
    fn on_tick(&mut self, fx: &mut Vec<Effect>) {
        let now = self.now;
        if self.watch.ring {
            self.watch.ring = false;
            fx.push(Effect::Bell);
            if self.desktop_notifications
                && let Some(n) = &self.notice
            {
                fx.push(Effect::Desktop(n.text.clone()));
            }
        }
        self.poll_background(fx);
        if !self.memory.offered.is_empty() && matches!(self.screen, Screen::Dashboard) {
            self.offer_unsent();
        }
        if self.profile.is_empty() {
            if self.notice.as_ref().is_some_and(|n| n.until <= now) {
                self.notice = None;
                self.redraw.dirty = true;
            }
            return;
        }
        if now >= self.session.schedule.sweep_due && !self.requests.is_running(&Slot::Distributions)
        {
            let n = self.session.distributions.data().map_or(0, Vec::len);
            self.session.schedule.sweep_due = now + self.sweep_every(n);
            self.session.schedule.sweep_started = now;
            if self.session.distributions.data().is_none() {
                self.session.distributions = Remote::Loading;
            }
            self.request(Slot::Distributions, Request::ListDistributions, fx);
        }
        if self.refresh_due().is_some_and(|t| t <= now)
            && let Some(id) = self.selected_distribution_id()
        {
            self.request_list(&id, fx);
        }
        if self
            .session
            .schedule
            .retry_lists_at
            .is_some_and(|t| t <= now)
        {
            self.session.schedule.retry_lists_at = None;
            // They stay failed until they answer; one already being listed is not asked
            // again.
            let mut failed: Vec<String> = self
                .session
                .schedule
                .failed_lists
                .iter()
                .filter(|id| {
                    !self
                        .requests
                        .is_running(&Slot::Invalidations((*id).clone()))
                })
                .cloned()
                .collect();
            failed.sort();
            for id in failed {
                self.request_list(&id, fx);
            }
        }
        // Distributions that came on screen while their listing waits in the sweep's line
        // move up to the screen's.
        if !self.session.schedule.swept.is_empty() {
            self.list_on_screen(|app, id| app.session.schedule.swept.contains(id), fx);
        }
        let mut due: Vec<InvKey> = self
            .session
            .polls
            .iter()
            .filter(|(k, p)| {
                p.next_at <= now && !self.requests.is_running(&Slot::Poll((*k).clone()))
            })
            .map(|(k, _)| k.clone())
            .collect();
        due.sort();
        for key in due {
            self.request(Slot::Poll(key.clone()), Request::GetInvalidation(key), fx);
        }
        if !self.outbox.is_empty() {
            self.pump(fx);
        }
        self.backfill(fx);
        if self.notice.as_ref().is_some_and(|n| n.until <= now) {
            self.notice = None;
            self.redraw.dirty = true;
        }
        if self.redraw.stale(now) {
            self.redraw.dirty = true;
        }
    }

    /// When the selected distribution's invalidations should be listed again.
    fn refresh_due(&self) -> Option<Timestamp> {
        let id = &self.selected_distribution()?.id;
        // A listing that failed is asked again with the others at `retry_lists_at`, not
        // each time something answers because its last answer is old.
        if self.requests.is_running(&Slot::Invalidations(id.clone()))
            || self.session.schedule.failed_lists.contains(id)
        {
            return None;
        }
        let every = self
            .session
            .schedule
            .list_backoff
            .apply(self.settings.refresh, self.settings.max_backoff);
        match &self.session.invalidations.get(id)?.list {
            Remote::Ready { at, .. } | Remote::Failed { at, .. } => Some(*at + every),
            Remote::Idle | Remote::Loading => None,
        }
    }

    /// Lists a distribution's invalidations: the selected one's for the operator, those on
    /// screen next, the rest at the sweep's pace.
    fn request_list(&mut self, id: &str, fx: &mut Vec<Effect>) {
        let priority = if self.selected_distribution_id().as_deref() == Some(id) {
            Priority::Operator
        } else if self.on_screen().iter().any(|s| s == id) {
            Priority::Visible
        } else {
            Priority::Sweep
        };
        self.request_list_at(id, priority, fx);
    }

    /// Lists the invalidations of the rows on screen that `wanted` picks, at the screen's
    /// priority (the selected row's at the operator's).
    fn list_on_screen(&mut self, wanted: impl Fn(&Self, &str) -> bool, fx: &mut Vec<Effect>) {
        let selected = self.selected_distribution_id();
        let picked: Vec<String> = self
            .on_screen()
            .into_iter()
            .filter(|id| wanted(self, id))
            .collect();
        for id in picked {
            let priority = if selected.as_ref() == Some(&id) {
                Priority::Operator
            } else {
                Priority::Visible
            };
            self.request_list_at(&id, priority, fx);
        }
    }

    /// Lists a distribution's invalidations at `priority` (in the limiter's line).
    pub(super) fn request_list_at(&mut self, id: &str, priority: Priority, fx: &mut Vec<Effect>) {
        let entry = self
            .session
            .invalidations
            .entry(id.to_string())
            .or_default();
        if matches!(entry.list, Remote::Idle) {
            entry.list = Remote::Loading;
        }
        if priority == Priority::Sweep {
            self.session.schedule.swept.insert(id.to_string());
        } else {
            self.session.schedule.swept.remove(id);
        }
        let request = Request::ListInvalidations {
            distribution: id.to_string(),
            limit: self.session.list_limit(id, self.settings.list_limit),
            priority,
        };
        self.request(Slot::Invalidations(id.to_string()), request, fx);
    }

    pub(super) fn request(&mut self, slot: Slot, request: Request, fx: &mut Vec<Effect>) {
        let seq = self.requests.start(slot.clone());
        fx.push(Effect::Request { slot, seq, request });
        self.redraw.dirty = true;
    }
}

/// A direction as the headers show it.
pub fn arrow(descending: bool) -> &'static str {
    if descending { " ▼" } else { " ▲" }
}

/// A key as the help writes it ("x", "C-x", "M-Left", "F5"), for the hint an unbound key
/// gives; `None` for keys that say nothing by themselves (a lone modifier, a lock key,
/// Esc, which people press to be sure).
fn unbound_name(key: &crossterm::event::KeyEvent) -> Option<String> {
    use crossterm::event::{KeyCode, KeyModifiers};
    let mut name = String::new();
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        name.push_str("C-");
    }
    if key.modifiers.contains(KeyModifiers::ALT) {
        name.push_str("M-");
    }
    match key.code {
        KeyCode::Char(c) if c.is_control() => return None,
        // A shifted letter is its capital already.
        KeyCode::Char(c) => name.push_str(&KeyCode::Char(c).to_string()),
        KeyCode::F(_)
        | KeyCode::Left
        | KeyCode::Right
        | KeyCode::Up
        | KeyCode::Down
        | KeyCode::Home
        | KeyCode::End
        | KeyCode::PageUp
        | KeyCode::PageDown
        | KeyCode::Insert
        | KeyCode::Delete
        | KeyCode::Backspace
        | KeyCode::Enter
        | KeyCode::Tab
        | KeyCode::BackTab => {
            if key.modifiers.contains(KeyModifiers::SHIFT) && key.code != KeyCode::BackTab {
                name.push_str("S-");
            }
            name.push_str(&key.code.to_string());
        }
        _ => return None,
    }
    Some(name)
}
