//! Frame cost of the dashboard: 100 vs 10,000 distributions, 100 invalidations for the
//! selected one. Only visible rows are built, so the two should cost about the same.
//! Run with `cargo bench --bench render`; results go to BENCHMARKS.md.

use std::sync::Arc;

use cfdash::app::{Action, App, Effect, Settings};
use cfdash::clock::{Clock, ManualClock};
use cfdash::cloudfront::sim::{SimCloudFront, SimData, SimSettings};
use cfdash::tui::perform;
use cfdash::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "common/pathlist.rs"]
mod pathlist;

fn main() {
    divan::main();
}

/// An app that has listed `distributions` distributions and the 100 invalidations of the
/// first (the others' listings are left unanswered: they are not drawn).
fn dashboard(distributions: usize, width: u16, height: u16) -> App {
    let mut data = SimData::generated(distributions, 0);
    data.distributions[0].history = 100;
    let clock = Arc::new(ManualClock::new("2026-11-27T12:00:00Z".parse().unwrap()));
    let sim = SimCloudFront::new(data, SimSettings::default(), clock.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let settings = Settings {
        list_limit: 100,
        ..Settings::default()
    };
    let mut app = App::new("bench", TimeZone::UTC, settings, clock.now());
    let answer = |app: &mut App, effect: &Effect| {
        let Effect::Request { slot, seq, request } = effect else {
            return None;
        };
        let response = rt.block_on(perform(&sim, request));
        Some(app.apply(
            clock.now(),
            [Action::Response {
                slot: slot.clone(),
                seq: *seq,
                response,
            }],
        ))
    };
    let start = app.apply(clock.now(), [Action::Resize { width, height }]);
    let listed = answer(&mut app, &start.effects[0]).unwrap();
    answer(&mut app, &listed.effects[0]);
    assert_eq!(
        app.session.distributions.data().unwrap().len(),
        distributions
    );
    assert_eq!(app.invalidation_rows().len(), 100);
    app
}

#[divan::bench(args = [100, 10_000])]
fn frame_80x24(bencher: divan::Bencher, distributions: usize) {
    frame(bencher, distributions, 80, 24);
}

#[divan::bench(args = [100, 10_000])]
fn frame_160x48(bencher: divan::Bencher, distributions: usize) {
    frame(bencher, distributions, 160, 48);
}

/// The widest size an operator used: every column of both tables shows (asserted).
#[divan::bench(args = [5_000])]
fn frame_200x50(bencher: divan::Bencher, distributions: usize) {
    let app = dashboard(distributions, 200, 50);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    terminal
        .draw(|f| ui::render(&app, &Theme::color(), f))
        .unwrap();
    let screen = terminal.backend().to_string();
    for column in [
        "Comment", "Running", "Enabled", "Created", "Took", "Age", "Origin", "Paths",
    ] {
        assert!(screen.contains(column), "{column} not shown at 200×50");
    }
    frame(bencher, distributions, 200, 50);
}

fn frame(bencher: divan::Bencher, distributions: usize, width: u16, height: u16) {
    let app = dashboard(distributions, width, height);
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    bencher.bench_local(|| {
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
    });
}

/// A key press that moves the selection, handled and drawn: what a person feels.
#[divan::bench(args = [100, 10_000])]
fn key_and_frame(bencher: divan::Bencher, distributions: usize) {
    let mut app = dashboard(distributions, 80, 24);
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let now = app.now;
    let mut down = true;
    bencher.bench_local(|| {
        let code = if down {
            KeyCode::Char('j')
        } else {
            KeyCode::Char('k')
        };
        down = !down;
        app.apply(now, [Action::Key(KeyEvent::new(code, KeyModifiers::NONE))]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
    });
}

/// Typing one character into the filter re-filters every distribution.
#[divan::bench(args = [100, 10_000])]
fn filter_keystroke(bencher: divan::Bencher, distributions: usize) {
    let mut app = dashboard(distributions, 80, 24);
    let now = app.now;
    let key = |c| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    app.apply(now, [key('/')]);
    bencher.bench_local(|| {
        app.apply(now, [key('9')]);
        app.apply(
            now,
            [Action::Key(KeyEvent::new(
                KeyCode::Backspace,
                KeyModifiers::NONE,
            ))],
        );
    });
}

/// A paste of `kib` KiB on one line into the filter (then Esc clears it): one insert,
/// capped at 1,000 characters, whatever the size pasted.
#[divan::bench(args = [50, 200])]
fn filter_paste(bencher: divan::Bencher, kib: usize) {
    let mut app = dashboard(100, 80, 24);
    let now = app.now;
    let key = |code| Action::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let text = "static-".repeat(kib * 1024 / 7);
    bencher
        .with_inputs(|| text.clone())
        .bench_local_values(|text| {
            app.apply(
                now,
                [
                    key(KeyCode::Char('/')),
                    Action::Paste(text),
                    key(KeyCode::Esc),
                ],
            );
        });
}

/// The new-invalidation form holding `lines` pasted paths (a realistic mix), cursor at
/// the end, at 120×40.
fn form(lines: usize) -> App {
    let mut app = dashboard(100, 120, 40);
    let now = app.now;
    // Without the last line break: 100,000 lines is the editor's cap.
    let text = pathlist::list(lines).trim_end().to_string();
    app.apply(
        now,
        [
            Action::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE)),
            Action::Paste(text),
        ],
    );
    assert_eq!(app.form().unwrap().analysis.items.len(), lines);
    app
}

/// One frame of the form: only the visible lines are drawn.
#[divan::bench(args = [3_000, 30_000])]
fn form_frame(bencher: divan::Bencher, lines: usize) {
    let app = form(lines);
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    bencher.bench_local(|| {
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
    });
}

/// A keystroke in the form: the character typed, the whole list checked again, and the
/// frame drawn (then the same for Backspace, so the text stays the same size).
#[divan::bench(args = [3_000, 30_000, 100_000])]
fn form_keystroke(bencher: divan::Bencher, lines: usize) {
    let mut app = form(lines);
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let now = app.now;
    let mut typing = true;
    bencher.bench_local(|| {
        let code = if typing {
            KeyCode::Char('x')
        } else {
            KeyCode::Backspace
        };
        typing = !typing;
        app.apply(now, [Action::Key(KeyEvent::new(code, KeyModifiers::NONE))]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
    });
}
