//! Search by path (`f`) over 100,000 cached paths: 20,000 invalidations of 5 paths each,
//! across 200 distributions. A keystroke is the key handled (the batch, `on_tick` and the
//! check that the session has not changed under the index included) and the frame drawn.
//! Target: ≤ 5 ms a keystroke (median). Run with `cargo bench --bench search`; results go
//! to BENCHMARKS.md.

use std::collections::HashMap;

use cfdash::app::{Action, App, DistInvalidations, InvKey, Remote};
use cfdash::cloudfront::{Invalidation, InvalidationStatus, InvalidationSummary};
use cfdash::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::SignedDuration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "common/listed.rs"]
mod common;

fn main() {
    divan::main();
}

const WIDTH: u16 = 120;
const HEIGHT: u16 = 35;
const DISTRIBUTIONS: usize = 200;
const PER_DISTRIBUTION: usize = 100;

/// An app that has listed 200 distributions, with 100 invalidations each whose 5 paths
/// are all known (what the journal gives back at start).
fn searched() -> App {
    let mut app = common::listed(DISTRIBUTIONS, WIDTH, HEIGHT);
    let ids: Vec<String> = app
        .session
        .distributions
        .data()
        .unwrap()
        .iter()
        .map(|d| d.id.clone())
        .collect();
    let now = app.now;
    let mut details = HashMap::new();
    for (d, dist) in ids.iter().enumerate() {
        let mut list = Vec::new();
        for n in 0..PER_DISTRIBUTION {
            let i = d * PER_DISTRIBUTION + n;
            let id = format!("I{i:013X}");
            let create_time = now - SignedDuration::from_secs((n * 3_600 + d * 17) as i64);
            let paths = vec![
                format!("/products/{}/*", i % 997),
                format!("/checkout/step-{}.html", i % 7),
                format!(
                    "/assets/app.{:08x}.js",
                    i.wrapping_mul(2_654_435_761) % (1 << 32)
                ),
                "/index.html".to_string(),
                format!("/api/v1/items/{i}"),
            ];
            list.push(InvalidationSummary {
                id: id.clone(),
                status: InvalidationStatus::Completed,
                create_time,
            });
            let inv = Invalidation {
                id: id.clone(),
                status: InvalidationStatus::Completed,
                create_time,
                paths,
                caller_reference: format!("cli-{i}"),
            };
            details.insert(InvKey::new(dist, id), Remote::Ready { data: inv, at: now });
        }
        app.session.invalidations.insert(
            dist.clone(),
            DistInvalidations {
                list: Remote::Ready {
                    data: list,
                    at: now,
                },
            },
        );
    }
    app.session.details = details;
    let paths: usize = app
        .session
        .details
        .values()
        .filter_map(|d| d.data())
        .map(|d| d.paths.len())
        .sum();
    assert_eq!(paths, 100_000);
    app
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Two keystrokes, each handled and drawn: a character that narrows "/checkout/step-" to
/// "/checkout/step-3" (only what matched is scanned again), then Backspace (every
/// invalidation scanned again, covering wildcards included: the worst case). Divide by
/// two for one keystroke.
#[divan::bench]
fn two_keystrokes(bencher: divan::Bencher) {
    let mut app = searched();
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    let now = app.now;
    app.apply(now, [key(KeyCode::Char('f'))]);
    for c in "/checkout/step-".chars() {
        app.apply(now, [key(KeyCode::Char(c))]);
    }
    bencher.bench_local(|| {
        app.apply(now, [key(KeyCode::Char('3'))]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
        app.apply(now, [key(KeyCode::Backspace)]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
    });
}

/// Typing a query that matches nothing from empty, then deleting it, each key drawn: the
/// first character and each Backspace scan every invalidation, the others what the key
/// before left. Divide by 12 for one keystroke.
#[divan::bench]
fn typing_a_miss(bencher: divan::Bencher) {
    let mut app = searched();
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    let now = app.now;
    app.apply(now, [key(KeyCode::Char('f'))]);
    let keys: Vec<KeyCode> = "zebra9"
        .chars()
        .map(KeyCode::Char)
        .chain([KeyCode::Backspace; 6])
        .collect();
    bencher.bench_local(|| {
        for &k in &keys {
            app.apply(now, [key(k)]);
            terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
        }
    });
}

/// Opening the search (indexing every invalidation) and closing it, drawn.
#[divan::bench]
fn open_and_close(bencher: divan::Bencher) {
    let mut app = searched();
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    let now = app.now;
    bencher.bench_local(|| {
        app.apply(now, [key(KeyCode::Char('f'))]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
        app.apply(now, [key(KeyCode::Esc)]);
    });
}

/// A detail arrives while the search is open (what the background fetch does), the query
/// "/checkout/" typed: its paths are taken into the index in place, the hits follow, the
/// frame is drawn. 10,000 of the details wait as loading; each iteration one arrives.
#[divan::bench(sample_count = 100, sample_size = 1)]
fn a_detail_arrives(bencher: divan::Bencher) {
    let mut app = searched();
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    let now = app.now;
    let mut pending: Vec<(InvKey, Remote<Invalidation>)> = Vec::new();
    let keys: Vec<InvKey> = app.session.details.keys().take(10_000).cloned().collect();
    for k in keys {
        let ready = app
            .session
            .details
            .insert(k.clone(), Remote::Loading)
            .unwrap();
        pending.push((k, ready));
    }
    app.apply(now, [key(KeyCode::Char('f'))]);
    for c in "/checkout/".chars() {
        app.apply(now, [key(KeyCode::Char(c))]);
    }
    bencher.bench_local(|| {
        let (k, ready) = pending.pop().expect("more details pending than iterations");
        app.session.details.insert(k, ready);
        app.apply(now, [Action::Tick]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
    });
}
