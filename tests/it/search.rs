//! Search by path (`f`, and the palette's search line) through `update`, on the simulator:
//! "who invalidated `/checkout/*`, and when?" over every distribution of the profile, from
//! the paths cfdash has; what it does not know yet is said; Enter goes to the hit. And the
//! invalidations table's Paths and Origin columns.

use crate::common::Harness;
use cfdash::app::search::Search;
use cfdash::app::{Action, InvKey, Mode, Pane, Remote, Screen};
use cfdash::cloudfront::sim::{SimData, SimSettings};
use cfdash::cloudfront::{CloudFront, Invalidation, InvalidationStatus};
use crossterm::event::KeyCode;
use jiff::SignedDuration;

const WWW: &str = "www.acme-shop.com";
const STAGING: &str = "staging.acme-shop.com";
const DOCS: &str = "docs.acme.dev";

/// Another tool creates an invalidation on the account (a second later than the last).
fn made_elsewhere(h: &mut Harness, alias: &str, paths: &[&str], reference: &str) -> InvKey {
    h.clock.advance(SignedDuration::from_secs(1));
    let dist = h.dist_id(alias);
    let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let made = rt
        .block_on(h.sim.create_invalidation(&dist, &paths, reference))
        .unwrap();
    InvKey::new(dist, made.id)
}

/// The demo with three invalidations made elsewhere, listed (`r`) and polled: two hold a
/// checkout path (on two distributions, one by the aws CLI, one by cfdash), one `/*`.
fn checkout(width: u16, height: u16) -> (Harness, [InvKey; 3]) {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), width, height);
    let cli = made_elsewhere(
        &mut h,
        WWW,
        &["/checkout/*", "/cart.html"],
        "cli-1764244800-1",
    );
    let ours = made_elsewhere(
        &mut h,
        STAGING,
        &["/Checkout/step-2.html"],
        "cfdash-1764244801000-7-ab12-1",
    );
    let everything = made_elsewhere(&mut h, DOCS, &["/*"], "deploy-9");
    h.ch('r');
    h.settle();
    // In progress: polled, so their paths are known.
    h.advance(SignedDuration::from_secs(3));
    for key in [&cli, &ours, &everything] {
        assert!(known(&h, key), "{key:?} polled");
    }
    (h, [cli, ours, everything])
}

/// The demo's own invalidations cfdash knows to hold `/*`, newest first: `/*` covers any
/// path, so they are hits of every path query.
fn roots(h: &Harness, mine: &[InvKey]) -> Vec<InvKey> {
    let mut found: Vec<(jiff::Timestamp, InvKey)> = h
        .app
        .session
        .details
        .iter()
        .filter_map(|(k, d)| Some((k, d.data()?)))
        .filter(|(k, d)| !mine.contains(k) && d.paths.iter().any(|p| p == "/*"))
        .map(|(k, d)| (d.create_time, k.clone()))
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, k)| k).collect()
}

/// `mine`, then the demo's roots.
fn with_roots(h: &Harness, mine: &[InvKey]) -> Vec<InvKey> {
    let mut all = mine.to_vec();
    all.extend(roots(h, mine));
    all
}

fn known(h: &Harness, key: &InvKey) -> bool {
    h.app
        .session
        .details
        .get(key)
        .is_some_and(|d| d.data().is_some())
}

fn search(h: &Harness) -> &Search {
    match &h.app.screen {
        Screen::Search(s) => s,
        _ => panic!("the search is not open: {:?}", h.app.mode()),
    }
}

/// The keys of the hits, in order.
fn hit_keys(h: &Harness) -> Vec<InvKey> {
    let s = search(h);
    s.hits(&h.app.session, 0, s.hit_count())
        .into_iter()
        .map(|hit| hit.key)
        .collect()
}

#[test]
fn f_finds_a_path_on_every_distribution_newest_first_case_ignored() {
    let (mut h, [cli, ours, everything]) = checkout(120, 35);
    h.ch('f');
    assert_eq!(h.app.mode(), Mode::Search);
    h.typed("/CHECKOUT");
    // The path on staging (`/Checkout/step-2.html`) is the newer; `/*` covers the query
    // (the demo's own `/*` on staging too, made before these).
    let mine = [everything.clone(), ours.clone(), cli.clone()];
    assert!(!roots(&h, &mine).is_empty());
    assert_eq!(hit_keys(&h), with_roots(&h, &mine));
    let hits = search(&h).hits(&h.app.session, 0, 3);
    assert_eq!(hits[1].origin, Some("cfdash"));
    assert_eq!(hits[2].origin, Some("aws CLI"));
    assert_eq!(hits[0].origin, Some("other"));
    let screen = h.screen();
    for text in [
        &format!("Search · {} of", hit_keys(&h).len()),
        "/Checkout/step-2.html",
        "/checkout/* +1",
        "/* covers it",
        "aws CLI",
        STAGING,
        WWW,
        DOCS,
    ] {
        let text: &str = text;
        assert!(screen.contains(text), "{text}:\n{screen}");
    }

    // The literal wildcard path: `/checkout/*` holds it, `/*` covers it, step-2 does not.
    for _ in 0.."/CHECKOUT".len() {
        h.key(KeyCode::Backspace);
    }
    h.typed("/checkout/*");
    let mine = [everything.clone(), cli.clone()];
    assert_eq!(hit_keys(&h), with_roots(&h, &mine));
    // Text that is not a path matches as text only: no covering.
    h.key(KeyCode::Home);
    h.key(KeyCode::Delete);
    assert_eq!(search(&h).query(), "checkout/*");
    assert_eq!(hit_keys(&h), [cli]);
}

#[test]
fn f_finds_an_invalidation_by_its_id_and_esc_closes() {
    let (mut h, [_, ours, _]) = checkout(120, 35);
    h.ch('f');
    h.typed(&ours.id[2..9].to_lowercase());
    assert_eq!(hit_keys(&h), [ours]);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::Normal);
}

#[test]
fn an_empty_query_lists_the_most_recent_and_says_how_many_paths_are_known() {
    let (mut h, [_, _, everything]) = checkout(120, 35);
    h.ch('f');
    let s = search(&h);
    let listed: usize = h
        .app
        .session
        .invalidations
        .values()
        .map(|e| e.list.data().map_or(0, Vec::len))
        .sum();
    let known = h
        .app
        .session
        .details
        .values()
        .filter(|d| d.data().is_some())
        .count();
    assert_eq!(
        (s.hit_count(), s.total(), s.known()),
        (listed, listed, known)
    );
    assert!(known < listed, "only those polled: {known} of {listed}");
    assert_eq!(hit_keys(&h)[0], everything, "the newest first");
    let line = format!("paths known for {known} of {listed} invalidations; the other");
    assert!(h.screen().contains(&line), "{line}\n{}", h.screen());
    assert!(
        h.screen()
            .contains("match by id only until their paths are fetched"),
        "{}",
        h.screen()
    );
}

#[test]
fn a_miss_says_what_was_searched_and_paths_fetched_meanwhile_are_found() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 80, 24);
    // Made elsewhere and listed, its paths not fetched yet: a miss, said as such.
    let key = made_elsewhere(&mut h, WWW, &["/checkout/*"], "cli-2");
    h.ch('r');
    h.settle();
    assert!(!known(&h, &key));
    h.ch('f');
    h.typed("checkout");
    assert_eq!(search(&h).hit_count(), 0);
    let (total, known_before) = (search(&h).total(), search(&h).known());
    let screen = h.screen();
    assert!(
        screen.contains("No invalidation matches “checkout”"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("paths known for {known_before} of {total};")),
        "{screen}"
    );

    // While the search is open its paths arrive (it is in progress: polled): the search
    // follows the session, the query kept.
    h.advance(SignedDuration::from_secs(3));
    assert!(known(&h, &key));
    assert_eq!(h.app.mode(), Mode::Search);
    assert_eq!(search(&h).query(), "checkout");
    assert_eq!(hit_keys(&h), [key]);
    assert!(search(&h).known() > known_before);
}

#[test]
fn enter_goes_to_a_hit_that_filters_hide_and_selects_its_row() {
    let (mut h, [cli, _, _]) = checkout(120, 35);
    // The distributions filtered to docs, whose invalidations are filtered too.
    h.ch('/');
    h.typed("docs");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.session.view.len(), 1);
    h.key(KeyCode::Tab);
    h.ch('/');
    h.typed("zzz");
    h.key(KeyCode::Enter);

    h.ch('f');
    h.typed("/checkout/*");
    h.key(KeyCode::Down);
    assert_eq!(search(&h).selected_key(), Some(cli.clone()));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode(), Mode::Normal);
    assert_eq!(
        h.app.filter_text(),
        "",
        "the filter that hid www is cleared"
    );
    assert_eq!(h.selected_dist(), cli.distribution);
    assert_eq!(h.app.selected_invalidation(), Some(cli));
    assert_eq!(h.app.session.focus, Pane::Invalidations);
    assert!(h.app.session.inv_filter.value().is_empty());
}

#[test]
fn a_hit_older_than_the_listing_is_found_and_enter_says_how_to_list_it() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    // Known from the journal: older than the newest page the listing holds.
    let dist = h.dist_id(STAGING);
    let old = InvKey::new(&dist, "IOLDCHECKOUT01");
    let long_ago = h.now() - SignedDuration::from_hours(24 * 300);
    h.app.session.details.insert(
        old.clone(),
        Remote::Ready {
            data: Invalidation {
                id: old.id.clone(),
                status: InvalidationStatus::Completed,
                create_time: long_ago,
                paths: vec!["/checkout/*".into()],
                caller_reference: "cli-1".into(),
            },
            at: h.now(),
        },
    );
    h.ch('f');
    h.typed("/checkout/");
    assert_eq!(hit_keys(&h), std::slice::from_ref(&old));
    h.key(KeyCode::Enter);
    assert_eq!(h.selected_dist(), dist);
    assert_eq!(h.app.session.focus, Pane::Invalidations);
    let notice = h.notice_text();
    assert!(
        notice.contains("IOLDCHECKOUT01 is older than the") && notice.contains("L loads"),
        "{notice}"
    );
}

#[test]
fn a_paste_is_one_line_of_the_query_capped() {
    let (mut h, [cli, _, everything]) = checkout(120, 35);
    h.ch('f');
    h.act(Action::Paste("/checkout/*\r\n/cart.html\n".into()));
    assert_eq!(search(&h).input.value(), "/checkout/*");
    assert_eq!(
        hit_keys(&h),
        with_roots(&h, &[everything.clone(), cli.clone()])
    );
    // Added at the end, without the control character, up to 200 characters: a path
    // under `/checkout/`, which `/checkout/*` and `/*` cover.
    h.act(Action::Paste(format!("\u{1b}[x{}", "y".repeat(500))));
    let value = search(&h).input.value().to_string();
    assert!(value.starts_with("/checkout/*[xyy"), "{value}");
    assert_eq!(value.chars().count(), 200);
    assert_eq!(hit_keys(&h), with_roots(&h, &[everything, cli]));
}

#[test]
fn the_palette_offers_to_search_and_opens_the_search_with_the_query() {
    let (mut h, [cli, _, everything]) = checkout(120, 35);
    h.ch(':');
    h.typed("/checkout/*");
    // A path matches nothing else: the search line comes first, and Enter opens it.
    assert!(h.screen().contains("paths and ids holding “/checkout/*”"));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode(), Mode::Search);
    assert_eq!(search(&h).input.value(), "/checkout/*");
    assert_eq!(hit_keys(&h), with_roots(&h, &[everything, cli]));

    // The search is also a command of the palette, as `f` is, found by what it does.
    h.key(KeyCode::Esc);
    h.ch(':');
    h.typed("search");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode(), Mode::Search);
    assert_eq!(search(&h).input.value(), "");
}

#[test]
fn search_screens() {
    for (w, hh) in [(80, 24), (160, 48)] {
        let (mut h, _) = checkout(w, hh);
        h.ch('f');
        h.typed("/checkout");
        insta::assert_snapshot!(format!("search_{w}x{hh}"), h.screen());
        // Every invalidation, newest first, scrolled: the place on the border.
        for _ in 0.."/checkout".len() {
            h.key(KeyCode::Backspace);
        }
        for _ in 0..30 {
            h.key(KeyCode::Down);
        }
        insta::assert_snapshot!(format!("search_all_{w}x{hh}"), h.screen());
    }
}

#[test]
fn the_search_fits_the_smallest_terminal() {
    let (mut h, _) = checkout(60, 15);
    h.ch('f');
    h.typed("/checkout");
    let screen = h.screen();
    assert!(screen.contains("Search · "), "{screen}");
    assert!(screen.contains("/* covers it"), "{screen}");
    assert!(screen.contains("/Checkout/step-2"), "{screen}");
    assert!(screen.contains("Enter goes to it"), "{screen}");
}

/// Side by side, where the distributions leave them room (from 179 columns).
#[test]
fn the_invalidations_table_shows_paths_and_origin_once_known() {
    let (mut h, [cli, _, _]) = checkout(200, 50);
    h.ch('f');
    h.typed("/checkout/*");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.selected_invalidation(), Some(cli));
    let screen = h.screen();
    assert!(screen.contains("Origin  Paths"), "{screen}");
    assert!(screen.contains("aws CLI /checkout/* +1"), "{screen}");
    insta::assert_snapshot!("paths_origin_200x50", screen);
}
