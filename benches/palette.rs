//! The `:` palette over 5,000 distributions: a keystroke handled and the frame drawn.
//! Target: ≤ 2 ms a keystroke (median). Run with `cargo bench --bench palette`; results
//! go to BENCHMARKS.md.

use cfdash::app::{Action, App};
use cfdash::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "common/listed.rs"]
mod common;

fn main() {
    divan::main();
}

const WIDTH: u16 = 120;
const HEIGHT: u16 = 35;

/// An app that has listed `n` distributions (their invalidations are not needed).
fn listed(n: usize) -> App {
    common::listed(n, WIDTH, HEIGHT)
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Two keystrokes, each handled and drawn: a character that narrows "site" to "site4"
/// (scores only what matched), then Backspace (scores every entry again: the worst case).
/// Divide by two for one keystroke.
#[divan::bench(args = [500, 5_000])]
fn two_keystrokes(bencher: divan::Bencher, distributions: usize) {
    let mut app = listed(distributions);
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    let now = app.now;
    app.apply(now, [key(KeyCode::Char(':'))]);
    for c in "site".chars() {
        app.apply(now, [key(KeyCode::Char(c))]);
    }
    bencher.bench_local(|| {
        app.apply(now, [key(KeyCode::Char('4'))]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
        app.apply(now, [key(KeyCode::Backspace)]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
    });
}

/// Opening the palette (gathering every entry) and closing it, drawn.
#[divan::bench(args = [500, 5_000])]
fn open_and_close(bencher: divan::Bencher, distributions: usize) {
    let mut app = listed(distributions);
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    let now = app.now;
    bencher.bench_local(|| {
        app.apply(now, [key(KeyCode::Char(':'))]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
        app.apply(now, [key(KeyCode::Esc)]);
    });
}

/// Why the palette matches greedily: scoring 5,000 entries' texts with "site4", with
/// nucleo's optimal matcher (`Pattern::score`) and with its greedy one (what the palette
/// uses), back to back on the same texts.
#[divan::bench(args = ["optimal", "greedy"])]
fn score_5000(bencher: divan::Bencher, how: &str) {
    use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher, Utf32String};
    let texts: Vec<Utf32String> = (0..5_000)
        .map(|i| {
            Utf32String::from(
                format!("site-{i}.example.com E{i:013X} d{i:013x}.cloudfront.net").as_str(),
            )
        })
        .collect();
    let mut config = Config::DEFAULT;
    config.ignore_case = true;
    let mut matcher = Matcher::new(config);
    let query = "site4";
    let pattern = Pattern::new(
        query,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let atom = Atom::new(
        query,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Fuzzy,
        false,
    );
    let greedy = how == "greedy";
    bencher.bench_local(|| {
        texts
            .iter()
            .filter(|t| {
                if greedy {
                    matcher
                        .fuzzy_match_greedy(t.slice(..), atom.needle_text())
                        .is_some()
                } else {
                    pattern.score(t.slice(..), &mut matcher).is_some()
                }
            })
            .count()
    });
}
