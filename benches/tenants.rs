//! A multi-tenant distribution with many tenants: the form's fan-out to every tenant (a
//! keystroke handled and the frame drawn, with one target per tenant), and opening it. Run with `cargo bench --bench tenants`; results go to
//! BENCHMARKS.md.

use cfdash::app::{Action, App, Effect, Request};
use cfdash::clock::Clock;
use cfdash::cloudfront::sim::SimData;
use cfdash::tui::perform;
use cfdash::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "common/listed.rs"]
#[allow(dead_code)] // the benches' helper: this uses part of it
mod common;

fn main() {
    divan::main();
}

const WIDTH: u16 = 120;
const HEIGHT: u16 = 35;

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// One plain distribution and a multi-tenant one with `tenants` tenants.
fn account(tenants: usize) -> SimData {
    let mut text = String::from(
        "[[distribution]]\nid = \"E1PLAIN\"\ndomain_name = \"d1.cloudfront.net\"\n\
         [[distribution]]\nid = \"E2MULTI\"\ndomain_name = \"d2.cloudfront.net\"\ntenant_only = true\n",
    );
    for i in 0..tenants {
        text.push_str(&format!(
            "[[distribution.tenant]]\nid = \"dt_t{i:05}\"\nname = \"tenant-{i:05}\"\ndomains = [\"t{i:05}.example\"]\n"
        ));
    }
    SimData::parse(&text).unwrap()
}

/// An app that has listed the account and its tenants (their invalidations are not
/// listed), with the multi-tenant distribution selected.
fn listed(tenants: usize) -> App {
    let common::Started {
        mut app,
        effects,
        sim,
        rt,
        clock,
    } = common::started(account(tenants), WIDTH, HEIGHT);
    let mut queue = effects;
    // The listing of distributions, then the listing of the tenants it asks for.
    for _ in 0..2 {
        let mut next = Vec::new();
        for e in queue {
            let Effect::Request { slot, seq, request } = e else {
                continue;
            };
            if !matches!(
                request,
                Request::ListDistributions | Request::ListTenants { .. }
            ) {
                continue;
            }
            let response = rt.block_on(perform(&sim, &request));
            let action = Action::Response {
                slot,
                seq,
                response,
            };
            next.extend(app.apply(clock.now(), [action]).effects);
        }
        queue = next;
    }
    assert_eq!(app.tenants_of("E2MULTI").len(), tenants);
    let now = app.now;
    app.apply(now, [key(KeyCode::Char('j'))]);
    assert_eq!(app.selected_distribution().unwrap().id, "E2MULTI");
    app
}

/// Two keystrokes in the form to every tenant, each handled and drawn: a character, then
/// Backspace. Divide by two for one keystroke.
#[divan::bench(args = [100, 1_000, 10_000])]
fn form_keystrokes(bencher: divan::Bencher, tenants: usize) {
    let mut app = listed(tenants);
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    let now = app.now;
    app.apply(now, [key(KeyCode::Char('n'))]);
    assert_eq!(app.form().unwrap().targets.len(), tenants);
    for c in "/index.html".chars() {
        app.apply(now, [key(KeyCode::Char(c))]);
    }
    bencher.bench_local(|| {
        app.apply(now, [key(KeyCode::Char('x'))]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
        app.apply(now, [key(KeyCode::Backspace)]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
    });
}

/// Opening the form on the distribution (steered to every tenant) and closing it, drawn.
#[divan::bench(args = [100, 1_000, 10_000])]
fn open_form(bencher: divan::Bencher, tenants: usize) {
    let mut app = listed(tenants);
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    let now = app.now;
    bencher.bench_local(|| {
        app.apply(now, [key(KeyCode::Char('n'))]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
        app.apply(now, [key(KeyCode::Esc)]);
        terminal.draw(|f| ui::render(&app, &theme, f)).unwrap();
    });
}
