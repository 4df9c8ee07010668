//! The `:` palette on the simulator: jump to a distribution by alias, id or domain (a filter
//! that hides it is cleared), switch profile, run a command; and its screens at each size.

use crate::common::Harness;
use cfdash::app::{Effect, Mode, Pane};
use cfdash::cloudfront::sim::{SimData, SimSettings};
use crossterm::event::KeyCode;

/// The five sizes the layout is checked at.
const SIZES: [(u16, u16); 5] = [(80, 24), (100, 30), (120, 35), (160, 48), (200, 50)];

#[test]
fn palette_jumps_to_a_distribution_by_alias_clearing_a_filter_that_hides_it() {
    let mut h = Harness::demo();
    let media = h.dist_id("media.acme-shop.com");
    // A filter that hides it.
    h.ch('/');
    h.typed("docs");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.session.view.len(), 1);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.session.focus, Pane::Invalidations);

    h.ch(':');
    assert_eq!(h.app.mode(), Mode::Palette);
    assert!(h.screen().contains(": palette"), "{}", h.screen());
    h.typed("mediaacme");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode(), Mode::Normal);
    assert_eq!(h.selected_dist(), media);
    assert_eq!(h.app.filter_text(), "", "the filter that hid it is cleared");
    assert_eq!(h.app.session.focus, Pane::Distributions);
    assert!(h.screen().contains("filter cleared to show"));
}

#[test]
fn palette_finds_a_distribution_by_id_and_by_domain() {
    let mut h = Harness::demo();
    let all = h.app.session.distributions.data().unwrap().clone();
    for d in [&all[5], &all[9]] {
        h.ch(':');
        h.typed(&d.id.to_lowercase());
        h.key(KeyCode::Enter);
        assert_eq!(h.selected_dist(), d.id, "by id");
        h.ch(':');
        h.typed(&d.domain_name);
        h.key(KeyCode::Enter);
        assert_eq!(h.selected_dist(), d.id, "by domain");
        h.ch('g');
    }
}

#[test]
fn palette_runs_a_command_and_esc_runs_nothing() {
    let mut h = Harness::demo();
    assert!(!h.app.utc);
    h.ch(':');
    h.typed("utc");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::Normal);
    assert!(!h.app.utc, "Esc closes without running");

    h.ch(':');
    h.typed("utc");
    h.key(KeyCode::Enter);
    assert!(h.app.utc, "the palette ran `t`");

    h.ch(':');
    h.typed("history");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode(), Mode::Notices, "history: the notices log");
    h.key(KeyCode::Esc);

    h.ch(':');
    h.typed("new inval");
    h.key(KeyCode::Enter);
    assert!(h.app.mode().in_form(), "the palette opened the form");
}

#[test]
fn palette_moves_with_arrows_and_says_when_nothing_matches() {
    let mut h = Harness::demo();
    h.ch(':');
    h.typed("acme");
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    let third = match &h.app.screen {
        cfdash::app::Screen::Palette(p) => p.selected().unwrap().target.clone(),
        _ => panic!("palette closed"),
    };
    h.key(KeyCode::Enter);
    match third {
        cfdash::app::palette::Target::Distribution(id) => assert_eq!(h.selected_dist(), id),
        other => panic!("{other:?}"),
    }

    // Nothing else matches: what is left is searching the invalidations for it.
    h.ch(':');
    h.typed("zzzzqqq");
    assert!(
        h.screen().contains("paths and ids holding “zzzzqqq”"),
        "{}",
        h.screen()
    );
    let before = h.selected_dist();
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode(), Mode::Search);
    assert!(
        h.screen().contains("No invalidation matches “zzzzqqq”"),
        "{}",
        h.screen()
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.selected_dist(), before);
}

#[test]
fn palette_switches_profile() {
    let mut h = Harness::demo();
    let text = "default_profile = \"demo\"\n\
        [profiles.demo]\nsimulated = true\n\
        [profiles.other]\nsimulated = true\n";
    h.app
        .set_config(Some(&cfdash::config::Config::parse(text).unwrap()));
    h.ch(':');
    h.typed("profile other");
    let mark = h.mark();
    h.key(KeyCode::Enter);
    assert_eq!(h.app.profile, "other");
    assert!(
        h.seen[mark..]
            .iter()
            .any(|e| matches!(e, Effect::UseProfile { name, .. } if name == "other")),
        "{:?}",
        &h.seen[mark..]
    );
}

#[test]
fn palette_offers_no_new_invalidation_on_a_read_only_profile() {
    let mut h = Harness::demo();
    let has_new = |h: &Harness| {
        h.app.palette_entries().iter().any(|e| {
            e.target
                == cfdash::app::palette::Target::Command(cfdash::app::keys::Cmd::NewInvalidation)
        })
    };
    assert!(has_new(&h));
    h.app.session.read_only = true;
    assert!(!has_new(&h));
}

#[test]
fn palette_pastes_one_line_into_its_query() {
    let mut h = Harness::demo();
    let docs = h.dist_id("docs.acme.dev");
    h.ch(':');
    h.act(cfdash::app::Action::Paste(
        "docs.acme\u{7}\nsecond line".into(),
    ));
    h.key(KeyCode::Enter);
    assert_eq!(h.selected_dist(), docs);
}

#[test]
fn palette_screens() {
    for (w, hh) in SIZES {
        let mut h = Harness::with(SimData::demo(), SimSettings::default(), w, hh);
        h.ch(':');
        h.typed("acme");
        insta::assert_snapshot!(format!("palette_{w}x{hh}"), h.screen());
    }
}

#[test]
fn palette_lines_all_say_something() {
    let h = Harness::demo();
    for e in h.app.palette_entries() {
        assert!(!e.text.trim().is_empty(), "{e:?}");
    }
}

#[test]
fn a_long_query_scrolls_with_an_ellipsis_and_the_cursor_stays_inside() {
    let mut h = Harness::demo();
    h.ch(':');
    let query: String = (0..150)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    h.act(cfdash::app::Action::Paste(query.clone()));
    let screen = h.screen();
    let line = screen.lines().find(|l| l.contains("║: ")).unwrap();
    assert!(line.contains("║: …"), "{line}");
    assert!(
        line.contains(&query[query.len() - 20..]),
        "the end is shown: {line}"
    );
}
