//! The new-invalidation form: a path editor checked as you type, the price and batches of
//! what it holds, a confirmation; a confirmed submit goes to the outbox (`outbox.rs`, the
//! app's side of the submission engine).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::editor::Editor;
use super::keys::Cmd;
use super::layout::{self, FormAreas};
use super::{App, Dialog, Effect, InvKey, NoticeKind, Remote, Request, Screen, Slot};
use crate::cloudfront::{CfError, Invalidation, InvalidationStatus};
use crate::engine::{Batch, State};
use crate::paths::{self, Analysis, Estimate, InProgress, Item, Kind, Note, Plan};

/// What has the keyboard inside the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Editor,
    Submit,
    Presets,
    Cancel,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Editor, Field::Submit, Field::Presets, Field::Cancel];
}

/// How a line of the editor looks in the gutter: the worst of its items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LineMark {
    Blank,
    Ok,
    /// A hint only (`/docs/` and `/docs` differ).
    Hint,
    /// Sent, but not as typed.
    Normalised,
    /// Repeats an earlier item: sent once.
    Duplicate,
    /// A wildcard of the list covers it.
    Covered,
    /// A cache tag for a distribution without a cache-tag header: it matches nothing.
    TagWarning,
    Error,
}

/// A confirmed submit: its batches and references are fixed, and a retry of the same
/// text sends the same references again, so nothing is created twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    pub id: String,
    pub text: String,
    pub drop_covered: bool,
    pub targets: Vec<String>,
    pub batches: Vec<Batch>,
    /// Batches CloudFront created: CallerReference → invalidation.
    pub created: BTreeMap<String, InvKey>,
}

pub struct Form {
    /// The distributions it creates invalidations on, one each.
    pub targets: Vec<String>,
    pub editor: Editor,
    pub analysis: Analysis,
    /// The editor's line stamps when `analysis` was made: an edit re-checks only the
    /// lines whose stamps changed.
    analysed: Vec<u64>,
    /// Counts and price of what would be sent, kept with the analysis.
    pub estimate: Estimate,
    /// Items with a problem, covered by a wildcard (and fine otherwise), repeated.
    pub errors: usize,
    pub covered: usize,
    pub repeated: usize,
    /// For each editor line, its items in `analysis.items`.
    pub line_items: Vec<Range<usize>>,
    pub drop_covered: bool,
    pub field: Field,
    /// The text as the form opened: leaving it unchanged asks nothing on Esc.
    pub initial: String,
    /// The error sentence of the last submit.
    pub error: Option<String>,
    /// What the last paste did to a list (split it, a path a line), until the next key.
    pub pasted: Option<String>,
    /// "Copy to new" waiting for the invalidation's paths.
    pub loading_copy: Option<InvKey>,
    pub preset: usize,
    pub confirm_scroll: usize,
    /// For the confirmation, per target: how many batches, how many fit now.
    pub batches: Vec<(usize, usize)>,
    pub submission: Option<Submission>,
    /// References sent for this submit and not yet answered.
    pub sending: BTreeSet<String>,
    /// Error sentences from this submit's answers.
    pub failures: Vec<String>,
    /// Batches held back by the quotas for this submit.
    pub held: usize,
    /// A confirmed submit waits for its answers.
    pub awaiting: bool,
    /// With `confirm_by_typing`: the distribution's name as typed, and whether Enter found
    /// it wrong.
    pub typed: tui_input::Input,
    pub typed_wrong: bool,
    /// Why the targets are a distribution's tenants and not the distribution the operator
    /// chose (it serves tenants only).
    pub steered: Option<String>,
    /// Targets (their distributions' names) with no cache-tag header: a `#tag` there
    /// matches nothing.
    pub tagless: Vec<String>,
    /// Targets whose cache-tag support cannot be read (AccessDenied).
    pub tags_unknown: Vec<String>,
    /// The text a tag warning was shown for: a second Ctrl-S on it sends.
    pub tags_ack: Option<String>,
    /// For each target, whose in-progress quotas and config it goes by (its own id, or a
    /// tenant's distribution), worked out once when the form opens.
    pub owners: Vec<String>,
}

/// A fan-out to more tenants than this asks to type the distribution's name.
pub const FAN_OUT_TYPED: usize = 10;

impl Form {
    fn new(targets: Vec<String>, text: &str) -> Self {
        let mut form = Self {
            targets,
            editor: Editor::from_text(text),
            analysis: Analysis::default(),
            analysed: Vec::new(),
            estimate: Analysis::default().estimate(false),
            errors: 0,
            covered: 0,
            repeated: 0,
            line_items: Vec::new(),
            drop_covered: false,
            field: Field::Editor,
            initial: text.to_string(),
            error: None,
            pasted: None,
            loading_copy: None,
            preset: 0,
            confirm_scroll: 0,
            batches: Vec::new(),
            submission: None,
            sending: BTreeSet::new(),
            failures: Vec::new(),
            held: 0,
            awaiting: false,
            typed: tui_input::Input::default(),
            typed_wrong: false,
            steered: None,
            tagless: Vec::new(),
            tags_unknown: Vec::new(),
            tags_ack: None,
            owners: Vec::new(),
        };
        form.reanalyse();
        form
    }

    /// Checks the text again: the edited lines are read again, the marks that depend on the
    /// whole list (repeats, covered) redone over all of it.
    pub fn reanalyse(&mut self) {
        let lines = self.editor.lines();
        let stamps = self.editor.stamps();
        self.analysis.update_lines(lines, stamps, &self.analysed);
        self.analysed.clear();
        self.analysed.extend_from_slice(stamps);
        self.line_items.clear();
        self.line_items.reserve(lines.len());
        let items = &self.analysis.items;
        let mut at = 0;
        for line in 1..=lines.len() {
            let start = at;
            while at < items.len() && items[at].line == line {
                at += 1;
            }
            self.line_items.push(start..at);
        }
        self.errors = items.iter().filter(|i| i.problem.is_some()).count();
        self.covered = items
            .iter()
            .filter(|i| i.covered_by.is_some() && i.problem.is_none())
            .count();
        self.repeated = items.iter().filter(|i| i.duplicate_of.is_some()).count();
        self.estimate = self.analysis.estimate(self.drop_covered);
    }

    pub fn toggle_drop_covered(&mut self) {
        self.drop_covered = !self.drop_covered;
        self.estimate = self.analysis.estimate(self.drop_covered);
    }

    pub fn items_on(&self, line: usize) -> &[Item] {
        self.line_items
            .get(line)
            .map_or(&[], |r| &self.analysis.items[r.clone()])
    }

    pub fn mark(&self, line: usize) -> LineMark {
        self.items_on(line)
            .iter()
            .map(|it| {
                if it.problem.is_some() {
                    LineMark::Error
                } else if it.kind == Kind::Tag
                    && it.duplicate_of.is_none()
                    && !self.tagless.is_empty()
                {
                    LineMark::TagWarning
                } else if it.covered_by.is_some() {
                    LineMark::Covered
                } else if it.duplicate_of.is_some() {
                    LineMark::Duplicate
                } else if it.notes.iter().any(|n| *n != Note::Directory) {
                    LineMark::Normalised
                } else if it.notes.is_empty() {
                    LineMark::Ok
                } else {
                    LineMark::Hint
                }
            })
            .max()
            .unwrap_or(LineMark::Blank)
    }

    pub fn is_sending(&self) -> bool {
        self.awaiting
    }

    /// The distributions whose quotas and config the targets go by, each once.
    pub fn distinct_owners(&self) -> BTreeSet<&String> {
        self.owners.iter().collect()
    }

    /// The text differs from what the form opened with.
    pub fn changed(&self) -> bool {
        !self.editor.is_empty() && self.editor.text().trim() != self.initial.trim()
    }

    /// What would be sent, once nothing is wrong.
    pub fn to_send(&self) -> Option<Vec<&Item>> {
        self.analysis.to_send(self.drop_covered)
    }
}

/// The plan for one target distribution.
pub struct TargetPlan {
    pub distribution: String,
    pub plan: Plan,
}

impl App {
    pub fn form_areas(&self) -> Option<FormAreas> {
        layout::form_layout(self.size)
    }

    /// What is in progress on a distribution as far as cfdash knows: the paths of its
    /// in-progress invalidations (those whose paths were fetched) and of batches being sent.
    pub fn in_progress_on(&self, dist: &str) -> InProgress {
        self.quota_on(dist).used
    }

    /// What `dist`'s invalidations in progress hold of CloudFront's in-progress quotas
    /// (3,000 file paths and 15 wildcard paths at a time), from the details cfdash has of
    /// them (each is polled while in progress, and a poll fetches its paths) and the
    /// batches being sent; and how many in progress have no details yet, which makes the
    /// counts lower bounds.
    ///
    /// A distribution's tenants share its quotas (counted together: the safe side, since
    /// AWS does not document whether a tenant has quotas of its own), so the use of any of
    /// them, or of the distribution, is the use of all.
    pub fn quota_on(&self, dist: &str) -> QuotaUse {
        let mut total = InProgress::default();
        let mut unknown = 0;
        let mut add = |paths: &[String]| total.add(InProgress::of(paths));
        let owner = self.owner_of(dist);
        // A set: the outbox of a fan-out holds a batch for each of thousands of tenants.
        let mut sharing: std::collections::HashSet<&str> = self
            .tenants_of(&owner)
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        sharing.insert(&owner);
        sharing.insert(dist);
        for &target in &sharing {
            let Some(rows) = self.session.listing(target) else {
                continue;
            };
            for row in rows.iter().filter(|r| r.status.is_in_progress()) {
                if let Some(inv) = self
                    .session
                    .details
                    .get(&InvKey::new(target, &row.id))
                    .and_then(Remote::data)
                {
                    add(&inv.paths);
                } else if row.status == InvalidationStatus::InProgress {
                    unknown += 1;
                }
            }
        }
        for e in self.outbox.entries() {
            if e.state == State::Sending && sharing.contains(e.batch.distribution.as_str()) {
                add(&e.batch.paths);
            }
        }
        QuotaUse {
            used: total,
            unknown,
        }
    }

    /// The least room any of the form's targets has in its in-progress quotas, and whether
    /// that is only an upper bound (some in progress have no details yet).
    pub fn form_room(&self) -> Option<(InProgress, bool)> {
        let form = self.form()?;
        // Targets sharing an owner (a distribution's tenants) share its room.
        form.distinct_owners()
            .into_iter()
            .map(|d| {
                let q = self.quota_on(d);
                (q.room(), q.unknown > 0)
            })
            .reduce(|(a, ua), (b, ub)| {
                let least = InProgress {
                    files: a.files.min(b.files),
                    wildcards: a.wildcards.min(b.wildcards),
                };
                (least, ua || ub)
            })
    }

    /// The batches of the form's paths for each target, and how many fit now.
    pub fn form_plans(&self) -> Vec<TargetPlan> {
        let Some(form) = self.form() else {
            return Vec::new();
        };
        let Some(send) = form.to_send() else {
            return Vec::new();
        };
        // What is in progress, once per owner of the quotas (a fan-out to thousands of
        // tenants asks once).
        let mut used: BTreeMap<&String, InProgress> = BTreeMap::new();
        form.targets
            .iter()
            .zip(&form.owners)
            .map(|(d, owner)| {
                let in_progress = *used
                    .entry(owner)
                    .or_insert_with(|| self.in_progress_on(owner));
                TargetPlan {
                    distribution: d.clone(),
                    plan: paths::plan(&send, in_progress),
                }
            })
            .collect()
    }

    pub fn distribution_label(&self, id: &str) -> String {
        let name = self.distribution_name(id);
        if name == id {
            id.to_string()
        } else {
            format!("{name} ({id})")
        }
    }

    // ---- opening and closing -----------------------------------------------------------

    pub(super) fn toggle_mark(&mut self, fx: &mut Vec<Effect>) {
        let Some(id) = self.selected_distribution_id() else {
            return;
        };
        let marked = !self.session.marked.remove(&id);
        if marked {
            self.session.marked.insert(id.clone());
        }
        // From the invalidations pane it marks the distribution they are of, and stays:
        // moving on would replace the list being read.
        if self.session.focus != layout::Pane::Distributions {
            let n = self.session.marked.len();
            let text = if marked {
                format!("marked {id} ({n} marked: n targets them; Space again unmarks)")
            } else {
                format!("unmarked {id} ({n} marked)")
            };
            self.notify(NoticeKind::Info, text);
            return;
        }
        // Marking moves on, so Space Space Space marks three in a row.
        let next = self.session.dist_scroll.selected + 1;
        if next < self.session.view.len() {
            self.select_distribution(next, fx);
        }
    }

    fn refuse_read_only(&mut self) -> bool {
        if self.session.read_only {
            let text = format!(
                "profile {} is read-only: it cannot create invalidations (read_only in the config)",
                self.profile
            );
            self.notify(NoticeKind::Error, text);
        }
        self.session.read_only
    }

    pub(super) fn new_invalidation(&mut self) {
        if self.refuse_read_only() {
            return;
        }
        let mut targets: Vec<String> = match self.session.distributions.data() {
            Some(all) => all
                .iter()
                .filter(|d| self.session.marked.contains(&d.id))
                .map(|d| d.id.clone())
                .collect(),
            None => Vec::new(),
        };
        if targets.is_empty() {
            match self.selected_distribution_id() {
                Some(id) => targets.push(id),
                None => {
                    self.notify(
                        NoticeKind::Info,
                        "select a distribution first (Space marks several)".into(),
                    );
                    return;
                }
            }
        }
        let Some((targets, steered)) = self.steer_to_tenants(targets) else {
            return;
        };
        self.open_form(targets, "");
        if let Some(form) = self.screen.form_mut() {
            form.steered = steered;
        }
    }

    pub(super) fn copy_to_new(&mut self, fx: &mut Vec<Effect>) {
        if self.refuse_read_only() {
            return;
        }
        let Some(key) = self.selected_invalidation() else {
            self.notify(
                NoticeKind::Info,
                "select an invalidation to copy its paths".into(),
            );
            return;
        };
        let queued = self.outbox.entries().iter().find(|e| {
            e.is_live()
                && self.queued_row_id(&e.batch) == key.id
                && e.batch.distribution == key.distribution
        });
        if let Some(q) = queued {
            let text = q.batch.paths.join("\n");
            return self.open_form(vec![key.distribution.clone()], &text);
        }
        if let Some(inv) = self.session.details.get(&key).and_then(Remote::data) {
            let text = inv.paths.join("\n");
            return self.open_form(vec![key.distribution.clone()], &text);
        }
        self.open_form(vec![key.distribution.clone()], "");
        if let Some(form) = self.screen.form_mut() {
            form.loading_copy = Some(key.clone());
        }
        self.request(Slot::Copy, Request::GetInvalidation(key), fx);
    }

    fn open_form(&mut self, targets: Vec<String>, text: &str) {
        let owners = self.owners_of(&targets);
        let mut form = Form::new(targets, text);
        form.owners = owners;
        self.screen = Screen::Form {
            form: Box::new(form),
            dialog: Dialog::Editing,
        };
        self.refresh_form_tags();
        self.follow_cursor();
        self.redraw.dirty = true;
    }

    pub(super) fn close_form(&mut self, fx: &mut Vec<Effect>) {
        self.screen = Screen::Dashboard;
        if self.requests.cancel(&Slot::Copy) {
            fx.push(Effect::Abort(Slot::Copy));
        }
        self.redraw.dirty = true;
    }

    pub(super) fn on_copy(&mut self, result: Result<Invalidation, CfError>) {
        let Some(form) = self.screen.form_mut() else {
            return;
        };
        let Some(key) = form.loading_copy.take() else {
            return;
        };
        match result {
            Ok(inv) => {
                if form.editor.is_empty() {
                    let text = inv.paths.join("\n");
                    form.editor = Editor::from_text(&text);
                    form.initial = text;
                    form.reanalyse();
                }
                let at = self.now;
                self.session
                    .details
                    .insert(key, Remote::Ready { data: inv, at });
                self.follow_cursor();
            }
            Err(error) => form.error = Some(format!("could not copy the paths: {error}")),
        }
    }

    // ---- keys --------------------------------------------------------------------------

    /// A key of the form's table, or of its dialogs.
    pub(super) fn form_cmd(&mut self, cmd: Cmd, fx: &mut Vec<Effect>) {
        self.redraw.dirty = true;
        let Some(dialog) = self.screen.dialog() else {
            return;
        };
        match dialog {
            Dialog::Editing => self.editor_cmd(cmd, fx),
            Dialog::Confirm | Dialog::ConfirmTyped => self.confirm_cmd(cmd, fx),
            Dialog::Presets => self.presets_cmd(cmd),
            Dialog::Discard { then_quit } => match cmd {
                Cmd::Confirm => {
                    self.close_form(fx);
                    if then_quit {
                        fx.push(Effect::Quit);
                    }
                }
                Cmd::Back => {
                    let awaiting = self.form().is_some_and(|f| f.awaiting);
                    let back = if awaiting {
                        self.confirm_dialog()
                    } else {
                        Dialog::Editing
                    };
                    self.screen.set_dialog(back);
                }
                Cmd::Quit => fx.push(Effect::Quit),
                _ => {}
            },
        }
    }

    /// Quit from the form asks first if there is text.
    pub(super) fn form_quit(&mut self, fx: &mut Vec<Effect>) {
        match self.form() {
            Some(form) if form.changed() || form.is_sending() => {
                self.screen.set_dialog(Dialog::Discard { then_quit: true });
            }
            _ => fx.push(Effect::Quit),
        }
    }

    fn editor_cmd(&mut self, cmd: Cmd, fx: &mut Vec<Effect>) {
        let page = self
            .form_areas()
            .map_or(1, |a| a.text.height.max(1) as isize);
        let Some(form) = self.screen.form_mut() else {
            return;
        };
        let on_editor = form.field == Field::Editor;
        form.pasted = None;
        let mut edited = false;
        match cmd {
            Cmd::Submit => return self.submit(),
            Cmd::Presets => return self.open_presets(),
            Cmd::DropCovered => return form.toggle_drop_covered(),
            Cmd::Back => return self.cancel_form(fx),
            Cmd::NextField | Cmd::PrevField => {
                let at = Field::ALL
                    .iter()
                    .position(|f| *f == form.field)
                    .unwrap_or(0);
                let step = if cmd == Cmd::NextField { 1 } else { 3 };
                form.field = Field::ALL[(at + step) % Field::ALL.len()];
                return;
            }
            Cmd::Newline if !on_editor => {
                return match form.field {
                    Field::Submit => self.submit(),
                    Field::Presets => self.open_presets(),
                    _ => self.cancel_form(fx),
                };
            }
            _ if !on_editor => return,
            Cmd::Newline if form.editor.lines().len() >= EDITOR_MAX_LINES => {
                form.error = Some(too_many_lines(EDITOR_MAX_LINES + 1));
                return;
            }
            Cmd::Newline => {
                form.editor.newline();
                edited = true;
            }
            Cmd::Backspace => {
                form.editor.backspace();
                edited = true;
            }
            Cmd::Delete => {
                form.editor.delete();
                edited = true;
            }
            Cmd::DeleteLine => {
                form.editor.delete_line();
                edited = true;
            }
            Cmd::Left => form.editor.left(),
            Cmd::Right => form.editor.right(),
            Cmd::Up => form.editor.move_lines(-1),
            Cmd::Down => form.editor.move_lines(1),
            Cmd::PageUp => form.editor.move_lines(-page),
            Cmd::PageDown => form.editor.move_lines(page),
            Cmd::Home => form.editor.home(),
            Cmd::End => form.editor.end(),
            Cmd::Top => form.editor.to_start(),
            Cmd::Bottom => form.editor.to_end(),
            _ => {}
        }
        if edited {
            self.text_changed();
        }
        self.follow_cursor();
    }

    /// A character typed into the form.
    pub(super) fn form_char(&mut self, c: char) {
        let Some(form) = self.screen.editing_form_mut() else {
            return;
        };
        if form.field != Field::Editor {
            return;
        }
        form.editor.insert_char(c);
        self.text_changed();
        self.follow_cursor();
    }

    /// Bracketed paste: one insert, one check, however many lines. A line holding a list
    /// (`/index.html /images/*`, see [`paths::Shape`]) is laid out one path a line, and a
    /// paste holding such a list goes on lines of its own, after the cursor's line if that
    /// has text. A paste that would take the editor past [`EDITOR_MAX_LINES`] is refused
    /// whole, and the text stays as it was.
    pub(super) fn form_paste(&mut self, text: &str) {
        let Some(form) = self.screen.editing_form_mut() else {
            return;
        };
        form.field = Field::Editor;
        let text = crate::text::strip_bom(text);
        let unfolded = paths::one_item_a_line(text);
        let text = unfolded.as_ref().map_or(text, |u| u.text.as_str());
        // A pasted path (one, or a list) at the end of a line of text goes on a line of its
        // own: "/a" then a pasted "/b" is two paths, never "/a/b".
        let a_path = text.trim_start().starts_with('/') && form.editor.at_line_end();
        let own_line = (unfolded.is_some() || a_path) && !form.editor.on_blank_line();
        let lines =
            form.editor.lines().len() + super::editor::line_breaks(text) + usize::from(own_line);
        if lines > EDITOR_MAX_LINES {
            form.error = Some(too_many_lines(lines));
            self.redraw.dirty = true;
            return;
        }
        if unfolded.is_some() || own_line {
            form.editor.insert_lines(text);
        } else {
            form.editor.insert_str(text);
        }
        self.text_changed();
        if let (Some(u), Some(form)) = (unfolded, self.screen.form_mut()) {
            form.pasted = Some(pasted_note(&u));
        }
        self.follow_cursor();
    }

    fn text_changed(&mut self) {
        if let Some(form) = self.screen.form_mut() {
            form.reanalyse();
            form.error = None;
            form.pasted = None;
            form.loading_copy = None;
        }
        self.redraw.dirty = true;
    }

    pub(super) fn follow_cursor(&mut self) {
        let Some(areas) = self.form_areas() else {
            return;
        };
        if let Some(form) = self.screen.form_mut() {
            form.editor
                .follow_cursor(areas.text.height as usize, areas.text.width as usize);
        }
    }

    /// The mouse in the form: the wheel scrolls, a click puts the cursor.
    pub(super) fn form_mouse(&mut self, mouse: crossterm::event::MouseEvent, fx: &mut Vec<Effect>) {
        use crossterm::event::{MouseButton, MouseEventKind};
        let Some(areas) = self.form_areas() else {
            return;
        };
        let Some(form) = self.screen.editing_form_mut() else {
            return;
        };
        let height = areas.text.height as usize;
        match mouse.kind {
            MouseEventKind::ScrollDown => form.editor.scroll(3, height),
            MouseEventKind::ScrollUp => form.editor.scroll(-3, height),
            MouseEventKind::Down(MouseButton::Left) => {
                let p = ratatui::layout::Position::new(mouse.column, mouse.row);
                if areas.text.contains(p) || areas.gutter.contains(p) {
                    let row = form.editor.top + (mouse.row - areas.text.y) as usize;
                    let col = mouse.column.saturating_sub(areas.text.x) as usize;
                    let col = form.editor.left + col;
                    form.editor.set_cursor(row, col);
                    form.field = Field::Editor;
                } else if areas.buttons.contains(p) {
                    // The buttons sit left to right in Field order, after the editor.
                    let x = (mouse.column - areas.buttons.x) as usize;
                    let mut start = 0;
                    for (field, label) in Field::ALL[1..].iter().zip(BUTTONS) {
                        let end = start + label.chars().count();
                        if (start..end).contains(&x) {
                            form.field = *field;
                            self.editor_cmd(Cmd::Newline, fx);
                            return;
                        }
                        start = end + BUTTON_GAP;
                    }
                }
            }
            _ => {}
        }
        self.redraw.dirty = true;
    }

    fn cancel_form(&mut self, fx: &mut Vec<Effect>) {
        let Some(form) = self.screen.form_mut() else {
            return;
        };
        if form.is_sending() {
            return;
        }
        if form.changed() {
            self.screen.set_dialog(Dialog::Discard { then_quit: false });
        } else {
            self.close_form(fx);
        }
    }

    fn open_presets(&mut self) {
        if self.session.presets.is_empty() {
            if let Some(form) = self.screen.form_mut() {
                form.error = Some(
                    "this profile has no presets: add [profiles.NAME.presets] to the config".into(),
                );
            }
            return;
        }
        self.screen.set_dialog(Dialog::Presets);
    }

    fn presets_cmd(&mut self, cmd: Cmd) {
        let count = self.session.presets.len();
        let Some(form) = self.screen.form_mut() else {
            return;
        };
        match cmd {
            Cmd::Down => form.preset = (form.preset + 1).min(count.saturating_sub(1)),
            Cmd::Up => form.preset = form.preset.saturating_sub(1),
            Cmd::Back => self.screen.set_dialog(Dialog::Editing),
            Cmd::Confirm => {
                let Some((_, paths)) = self.session.presets.get(form.preset) else {
                    return;
                };
                // On lines of their own, whatever the cursor's line holds.
                form.editor.insert_lines(&paths.join("\n"));
                form.field = Field::Editor;
                self.screen.set_dialog(Dialog::Editing);
                self.text_changed();
                self.follow_cursor();
            }
            _ => {}
        }
    }

    // ---- submit ------------------------------------------------------------------------

    /// Ctrl-S: refused while anything is wrong, otherwise the confirmation.
    fn submit(&mut self) {
        let Some(form) = self.screen.form_mut() else {
            return;
        };
        if form.loading_copy.is_some() {
            form.error = Some("still fetching the paths to copy".into());
            return;
        }
        let problems: Vec<(&Item, _)> = form
            .analysis
            .problems()
            .filter_map(|i| Some((i, i.problem.as_ref()?)))
            .collect();
        if let Some(&(first, problem)) = problems.first() {
            let more = match problems.len() {
                1 => String::new(),
                n => format!(" ({n} lines to fix, marked ✗)"),
            };
            form.error = Some(format!(
                "line {}: {}{more}: fix it before submitting",
                first.line, problem
            ));
            form.editor.set_cursor(first.line - 1, 0);
            form.field = Field::Editor;
            self.follow_cursor();
            return;
        }
        if form.to_send().is_none_or(|s| s.is_empty()) {
            form.error = Some("nothing to send: type one path per line, like /index.html".into());
            return;
        }
        // A `#tag` for a distribution without a cache-tag header matches nothing: said on
        // its line, and sent only after a second Ctrl-S.
        let text = form.editor.text();
        let tags = form
            .analysis
            .items
            .iter()
            .any(|i| i.kind == Kind::Tag && i.is_sendable());
        if tags && !form.tagless.is_empty() && form.tags_ack.as_deref() != Some(text.as_str()) {
            form.error = Some(format!(
                "{} {} no cache-tag header: its tags will match nothing; Ctrl-S again sends them anyway",
                form.tagless.join(", "),
                if form.tagless.len() == 1 {
                    "has"
                } else {
                    "have"
                }
            ));
            form.tags_ack = Some(text);
            return;
        }
        form.error = None;
        form.confirm_scroll = 0;
        let batches = self
            .form_plans()
            .iter()
            .map(|tp| (tp.plan.batches.len(), tp.plan.now))
            .collect();
        if let Some(form) = self.screen.form_mut() {
            form.batches = batches;
        }
        if let Some(form) = self.screen.form_mut() {
            form.typed.reset();
            form.typed_wrong = false;
        }
        let dialog = self.confirm_dialog();
        self.screen.set_dialog(dialog);
    }

    fn confirm_cmd(&mut self, cmd: Cmd, fx: &mut Vec<Effect>) {
        if cmd == Cmd::Quit {
            return self.form_quit(fx);
        }
        let typed = self.screen.dialog() == Some(Dialog::ConfirmTyped);
        let page = self.form_areas().map_or(1, |a| a.text.height as usize);
        let Some(form) = self.screen.form_mut() else {
            return;
        };
        if form.is_sending() {
            return; // the answers decide what comes next
        }
        let count = form.to_send().map_or(0, |s| s.len());
        let max = count.saturating_sub(1);
        match cmd {
            Cmd::Down => form.confirm_scroll = (form.confirm_scroll + 1).min(max),
            Cmd::Up => form.confirm_scroll = form.confirm_scroll.saturating_sub(1),
            Cmd::PageDown => form.confirm_scroll = (form.confirm_scroll + page).min(max),
            Cmd::PageUp => form.confirm_scroll = form.confirm_scroll.saturating_sub(page),
            Cmd::Back => self.screen.set_dialog(Dialog::Editing),
            Cmd::Confirm if typed && !self.typed_matches() => {
                if let Some(form) = self.screen.form_mut() {
                    form.typed_wrong = true;
                }
            }
            Cmd::Confirm => self.confirm(fx),
            _ => {}
        }
    }

    /// The confirmation this profile asks for; a fan-out to tenants past
    /// `FAN_OUT_TYPED` of them, or at a price, asks to type the distribution's name too.
    fn confirm_dialog(&self) -> Dialog {
        if self.session.confirm_by_typing || self.fan_out_typed() {
            Dialog::ConfirmTyped
        } else {
            Dialog::Confirm
        }
    }

    /// The form sends to tenants of one distribution, more than `FAN_OUT_TYPED` of them
    /// or at a price (paths × tenants past the month's free paths, or possibly so while
    /// the month's count is a lower bound).
    pub fn fan_out_typed(&self) -> bool {
        let Some(form) = self.form() else {
            return false;
        };
        if !form.targets.iter().all(|t| crate::cloudfront::is_tenant(t)) {
            return false;
        }
        let items = form.estimate.items() * form.targets.len();
        form.targets.len() > FAN_OUT_TYPED || self.session.backfill.month.may_cost(items)
    }

    /// What must be typed to confirm: the first target's alias, or its id; for tenants,
    /// their distribution's.
    pub fn confirm_word(&self) -> Option<(String, String)> {
        let first = self.form()?.targets.first()?.clone();
        let id = if crate::cloudfront::is_tenant(&first) && self.fan_out_typed() {
            self.owner_of(&first)
        } else {
            first
        };
        let name = self.distribution_name(&id);
        Some((name, id))
    }

    fn typed_matches(&self) -> bool {
        let (Some(form), Some((name, id))) = (self.form(), self.confirm_word()) else {
            return false;
        };
        let typed = form.typed.value().trim();
        typed.eq_ignore_ascii_case(&name) || typed.eq_ignore_ascii_case(&id)
    }

    /// A key typed into the confirmation of a `confirm_by_typing` profile.
    pub(super) fn confirm_typed_key(&mut self, key: crossterm::event::KeyEvent) {
        use tui_input::backend::crossterm::EventHandler;
        if let Some(form) = self.screen.form_mut()
            && !form.is_sending()
            && form
                .typed
                .handle_event(&crossterm::event::Event::Key(key))
                .is_some()
        {
            form.typed_wrong = false;
            self.redraw.dirty = true;
        }
    }
}

/// The buttons under the editor, in `Field` order after the editor.
pub const BUTTONS: [&str; 3] = ["[ Submit C-s ]", "[ Presets C-p ]", "[ Cancel Esc ]"];
pub const BUTTON_GAP: usize = 2;

/// The most lines the path editor holds: far above CloudFront's 3,000 paths a request,
/// and small enough that a keystroke re-checks every line within a frame.
pub const EDITOR_MAX_LINES: usize = 100_000;

/// The form's error when a paste or Enter would pass [`EDITOR_MAX_LINES`].
fn too_many_lines(lines: usize) -> String {
    format!(
        "{lines} lines is more than the form holds ({EDITOR_MAX_LINES}): send long lists with cfdash invalidate --paths-file FILE"
    )
}

/// What a paste did to the lists in it, for the line under the editor.
fn pasted_note(u: &paths::Unfolded) -> String {
    let lists = match u.lists {
        1 => "the pasted list".to_string(),
        n => format!("{n} pasted lists"),
    };
    format!("{lists} split at its spaces: {} paths, one a line", u.items)
}

/// A line's note for the gutter's notes column.
pub fn line_note(form: &Form, line: usize) -> Option<(LineMark, String)> {
    let items = form.items_on(line);
    let mark = form.mark(line);
    let items_all = &form.analysis.items;
    let text = match mark {
        LineMark::Blank | LineMark::Ok => return None,
        LineMark::Error => items
            .iter()
            .find_map(|i| i.problem.as_ref())
            .map(ToString::to_string)?,
        LineMark::Covered => {
            let by = items.iter().find_map(|i| i.covered_by)?;
            let verb = if form.drop_covered {
                "dropped: covered by"
            } else {
                "covered by"
            };
            let by = &items_all[by];
            format!("{verb} {} ({})", by.value, where_is(by.line, line))
        }
        LineMark::Duplicate => {
            let of = &items_all[items.iter().find_map(|i| i.duplicate_of)?];
            // A typed line holding a list may repeat itself: it names the path then.
            if of.line == line + 1 {
                format!("repeats {} on this line: sent once", of.value)
            } else {
                format!("repeats line {}: sent once", of.line)
            }
        }
        LineMark::Normalised if items.len() > 1 => format!("→ {} items", items.len()),
        LineMark::Normalised => format!("→ {}", items[0].value),
        LineMark::Hint => "/docs/ and /docs are different objects".into(),
        LineMark::TagWarning => format!(
            "⚠ {} has no cache-tag header: the tag will match nothing",
            form.tagless.join(", ")
        ),
    };
    Some((mark, text))
}

/// Where a 1-based item line is, seen from the 0-based editor line `from`.
fn where_is(line: usize, from: usize) -> String {
    if line == from + 1 {
        "this line".into()
    } else {
        format!("line {line}")
    }
}

/// Everything about the cursor's line, for the line under the editor.
pub fn cursor_detail(form: &Form) -> Option<(LineMark, String)> {
    let (row, _) = form.editor.cursor();
    let items = form.items_on(row);
    let mark = form.mark(row);
    if items.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    for it in items {
        if let Some(p) = &it.problem {
            parts.push(p.to_string());
            continue;
        }
        let kind = if it.kind == Kind::Tag { "tag " } else { "" };
        let notes: Vec<String> = it.notes.iter().map(ToString::to_string).collect();
        let mut s = format!("{kind}{}", it.value);
        if !notes.is_empty() {
            s.push_str(&format!(" ({})", notes.join("; ")));
        }
        parts.push(s);
    }
    if let Some((LineMark::Covered | LineMark::Duplicate | LineMark::TagWarning, note)) =
        line_note(form, row)
    {
        parts.push(note);
    }
    Some((mark, format!("line {}: {}", row + 1, parts.join(" · "))))
}

/// A distribution's use of the in-progress quotas ([`App::quota_on`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuotaUse {
    pub used: InProgress,
    /// Invalidations in progress with no details yet: `used` is then a lower bound.
    pub unknown: usize,
}

impl QuotaUse {
    /// Room left under each quota; an upper bound while `unknown` > 0.
    pub fn room(&self) -> InProgress {
        InProgress {
            files: paths::MAX_FILES_IN_PROGRESS.saturating_sub(self.used.files),
            wildcards: paths::MAX_WILDCARDS_IN_PROGRESS.saturating_sub(self.used.wildcards),
        }
    }

    /// Nothing in progress, as far as is known.
    pub fn is_idle(&self) -> bool {
        *self == Self::default()
    }
}
