//! The tables on the simulator: sorting (`s` the next column, `S` the other way: the order
//! shown, the selection that stays on its row, what the status bar says), and loading
//! older invalidations on demand (`L`).

use crate::common::Harness;
use cfdash::app::Request;
use cfdash::cloudfront::sim::{SimData, SimSettings};
use crossterm::event::KeyCode;

fn names(h: &Harness) -> Vec<String> {
    let all = h.app.session.distributions.data().unwrap();
    h.app
        .session
        .view
        .iter()
        .map(|&i| all[i].display_name().to_lowercase())
        .collect()
}

#[test]
fn s_sorts_the_distributions_by_name_and_s_reverses_keeping_the_selection() {
    let mut h = Harness::demo();
    let listed = names(&h);
    h.ch('j');
    h.ch('j');
    let selected = h.selected_dist();
    h.ch('s');
    let by_name = names(&h);
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(by_name, sorted);
    assert_ne!(by_name, listed, "the demo is not listed by name");
    assert_eq!(
        h.selected_dist(),
        selected,
        "the selection stays on its row"
    );
    assert!(
        h.screen().contains("distributions by Name ▲"),
        "{}",
        h.screen()
    );
    // The pane's title says it too, after the notice has gone.
    h.app.notice = None;
    assert!(
        h.screen().contains("Distributions 13 by Name ▲"),
        "{}",
        h.screen()
    );

    h.ch('S');
    let mut reversed = sorted.clone();
    reversed.reverse();
    assert_eq!(names(&h), reversed);
    assert_eq!(h.selected_dist(), selected);
    assert!(h.screen().contains("by Name ▼"));

    // Round the columns back to the account's order.
    for _ in 0..6 {
        h.ch('s');
    }
    assert_eq!(names(&h), listed);
    assert!(h.screen().contains("account's order"));
}

#[test]
fn sorting_by_running_puts_the_busiest_first_when_reversed_and_the_filter_still_applies() {
    let mut h = Harness::demo();
    for _ in 0..5 {
        h.ch('s');
    }
    assert_eq!(
        h.app.session.dist_order.column,
        cfdash::app::session::DistColumn::Running
    );
    h.ch('S');
    let all = h.app.session.distributions.data().unwrap().clone();
    let counts: Vec<usize> = h
        .app
        .session
        .view
        .iter()
        .map(|&i| h.app.session.invalidations[&all[i].id].in_progress())
        .collect();
    let mut expected = counts.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(counts, expected);
    assert!(counts[0] >= 1);

    h.ch('/');
    h.typed("acme-shop");
    h.key(KeyCode::Enter);
    let all = h.app.session.distributions.data().unwrap();
    assert!(
        h.app
            .session
            .view
            .iter()
            .all(|&i| all[i].aliases.iter().any(|a| a.contains("acme-shop"))
                || all[i].domain_name.contains("acme-shop"))
    );
}

#[test]
fn s_on_the_invalidations_sorts_them_and_the_selection_follows() {
    let mut h = Harness::demo();
    h.key(KeyCode::Tab);
    h.ch('j');
    let key = h.app.selected_invalidation().unwrap();
    let created = created_times(&h);
    let mut newest_first = created.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, newest_first, "CloudFront's order: newest first");

    h.ch('s');
    let ids = row_ids(&h);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert_eq!(h.app.selected_invalidation(), Some(key.clone()));
    assert!(h.screen().contains("invalidations by ID ▲"));
    assert!(
        h.screen().contains("┃  ID ▲  "),
        "the column's header: {}",
        h.screen()
    );
    // What is drawn is the sorted order.
    let screen = h.screen();
    let first = screen.find(&sorted[0]).unwrap();
    let second = screen.find(&sorted[1]).unwrap();
    assert!(first < second);

    h.ch('s');
    h.ch('s');
    let created = created_times(&h);
    assert_eq!(created, newest_first, "back to newest first");
    assert_eq!(h.app.selected_invalidation(), Some(key));
}

/// The ids of the invalidations shown, in the table's order.
fn row_ids(h: &Harness) -> Vec<String> {
    h.app
        .invalidation_rows()
        .iter()
        .map(|r| r.id.clone())
        .collect()
}

/// The create times of the invalidations, in the table's order.
fn created_times(h: &Harness) -> Vec<jiff::Timestamp> {
    h.app
        .invalidation_rows()
        .iter()
        .map(|r| r.create_time)
        .collect()
}

fn list_limits_since(h: &Harness, mark: usize, dist: &str) -> Vec<usize> {
    h.listings_since(mark)
        .into_iter()
        .filter(|(d, _, _)| d == dist)
        .map(|(_, limit, _)| limit)
        .collect()
}

#[test]
fn l_loads_older_invalidations_on_demand_until_there_are_no_more() {
    let mut data = SimData::demo();
    data.distributions[0].history = 120;
    data.distributions[0].in_progress = 0;
    let mut h = Harness::with(data, SimSettings::default(), 100, 30);
    let dist = h.selected_dist();
    // At start, one page: the listing asks for 50, not for everything.
    assert_eq!(h.app.invalidation_rows().len(), 50);
    assert!(h.screen().contains("L older"), "{}", h.screen());

    let mark = h.mark();
    h.ch('L');
    assert_eq!(list_limits_since(&h, mark, &dist), [100]);
    assert!(h.screen().contains("older invalidations…"));
    h.settle();
    assert_eq!(h.app.invalidation_rows().len(), 100);

    h.ch('L');
    h.settle();
    assert_eq!(h.app.invalidation_rows().len(), 120);
    assert!(!h.screen().contains("L older"), "{}", h.screen());
    let mark = h.mark();
    h.ch('L');
    assert!(
        list_limits_since(&h, mark, &dist).is_empty(),
        "nothing more to ask"
    );
    assert!(
        h.screen().contains("that is every invalidation"),
        "{}",
        h.screen()
    );

    // The refresh keeps what was loaded.
    let mark = h.mark();
    h.ch('r');
    h.settle();
    assert_eq!(list_limits_since(&h, mark, &dist), [150]);
    assert_eq!(h.app.invalidation_rows().len(), 120);
}

/// `L` says what it asks for, and its answer replaces that: how many older invalidations
/// arrived, none, or that the page did not come (the retry that brings it says so then).
#[test]
fn l_says_what_the_older_page_brought_once_it_arrives_or_that_it_failed() {
    let mut data = SimData::demo();
    data.distributions[0].history = 100;
    data.distributions[0].in_progress = 0;
    let mut h = Harness::with(data, SimSettings::default(), 100, 30);
    let name = h
        .app
        .selected_distribution()
        .unwrap()
        .display_name()
        .to_string();
    assert_eq!(h.app.invalidation_rows().len(), 50);

    h.ch('L');
    let asking = format!("asking for {name}'s older invalidations…");
    assert_eq!(h.notice_text(), asking);
    h.settle();
    assert_eq!(h.app.invalidation_rows().len(), 100);
    assert_eq!(
        h.notice_text(),
        format!("50 older invalidations of {name} loaded")
    );
    assert!(!h.screen().contains("asking for"), "{}", h.screen());

    // The next page fails; its retry brings nothing older: the account has no more.
    h.ch('L');
    assert_eq!(h.notice_text(), asking);
    h.settle_with(|request| match request {
        Request::ListInvalidations { limit: 150, .. } => Some(
            cfdash::app::Response::Invalidations(Err(cfdash::cloudfront::CfError::Network {
                detail: "connection refused".into(),
            })),
        ),
        _ => None,
    });
    let failed = h.notice_text();
    assert!(
        failed.starts_with(&format!("{name}'s older invalidations did not load: ")),
        "{failed}"
    );
    assert!(failed.contains("cannot reach CloudFront"), "{failed}");
    h.advance(jiff::SignedDuration::from_secs(5));
    assert_eq!(
        h.notice_text(),
        format!("no older invalidations: that is every invalidation of {name} (100)")
    );
}

#[test]
fn a_throttled_listing_says_how_old_its_data_is_instead_of_refreshed_just_now() {
    let mut h = Harness::demo();
    assert!(h.screen().contains("refreshed just now"));
    h.advance(jiff::SignedDuration::from_secs(120));
    // `r` lists again; every invalidations listing is answered "throttled".
    h.ch('r');
    h.settle_with(|request| match request {
        Request::ListInvalidations { .. } => Some(cfdash::app::Response::Invalidations(Err(
            cfdash::cloudfront::CfError::Throttled {
                detail: "Rate exceeded".into(),
            },
        ))),
        _ => None,
    });
    let screen = h.screen();
    assert!(!screen.contains("refreshed just now"), "{screen}");
    // The 13 distributions' listings and the 5 tenants'.
    assert!(screen.contains("│ ! 18 failing · 2m old"), "{screen}");
    // Each row's count is as last known, marked `!`.
    let row = screen
        .lines()
        .find(|l| l.contains("www.acme-shop.com"))
        .unwrap();
    assert!(row.contains(" 0!"), "{row}");
    let failing = h.app.session.failing().unwrap();
    assert_eq!(failing.0, 18);
}

/// The header's line and the row of the selected distribution, as drawn.
fn header_and_row(h: &Harness, name: &str) -> (String, String) {
    let screen = h.screen();
    let header = screen.lines().next().unwrap_or_default().to_string();
    let row = screen
        .lines()
        .find(|l| l.contains(name))
        .unwrap_or_default()
        .to_string();
    (header, row)
}

/// The backend went away (moto or `sim serve` killed): every request fails, so nothing is
/// fresher than the last answer. The header says how old that is, and the row's count is
/// marked `!`, steadily: while a retry is in flight, while the distributions' listing is in
/// flight or fails, after `r`; never "refreshed just now" for data nobody refreshed.
#[test]
fn a_backend_that_is_down_says_how_old_the_data_is_steadily_while_retries_go_out() {
    let mut h = Harness::demo();
    let last_answer = h.now();
    let name = "www.acme-shop.com";
    let down = |request: &Request| {
        Some(cfdash::app::Response::failed(
            request,
            cfdash::cloudfront::CfError::Network {
                detail: "connection refused".into(),
            },
        ))
    };
    let mut failed_once = false;
    // Six minutes, a second at a time: the selected row's refresh (30 s), its retries
    // (5 s), the sweep (5 min) and an `r` all go out and fail.
    for second in 1..=360 {
        h.clock.advance(jiff::SignedDuration::from_secs(1));
        if second == 100 {
            h.ch('r');
        } else {
            h.act(cfdash::app::Action::Tick);
        }
        for answered in [false, true] {
            if answered {
                h.settle_with(down);
            }
            failed_once |= h.app.session.failing().is_some();
            let (header, row) = header_and_row(&h, name);
            if !failed_once {
                assert!(!row.contains('!'), "{row}");
                continue;
            }
            let age = cfdash::timefmt::ago(h.now(), last_answer);
            let age = age.trim_end_matches(" ago");
            assert!(
                header.contains(&format!(" failing · {age} old")) && !header.contains("refreshed"),
                "at {second}s ({}): {header}",
                if answered { "answered" } else { "in flight" }
            );
            // Its Running count, marked `!` ("2!").
            assert!(
                row.contains('!'),
                "at {second}s ({}): {row}",
                if answered { "answered" } else { "in flight" }
            );
        }
    }
    assert!(failed_once, "the selected row's refresh failed");
    // What failed: the selected distribution's invalidations, and the distributions'.
    let (n, since) = h.app.session.failing().unwrap();
    assert_eq!((n, since), (2, Some(last_answer)));
}

#[test]
fn a_distribution_deleted_since_it_was_listed_is_taken_off_not_asked_again() {
    let mut h = Harness::demo();
    let all = h.app.session.distributions.data().unwrap().clone();
    let gone = all[1].id.clone();
    h.ch('j');
    assert_eq!(h.selected_dist(), gone);
    h.ch('r');
    let answered = |request: &Request| match request {
        Request::ListInvalidations { distribution, .. } if *distribution == gone => {
            Some(cfdash::app::Response::Invalidations(Err(
                cfdash::cloudfront::CfError::NoSuchDistribution { id: gone.clone() },
            )))
        }
        _ => None,
    };
    let gone_again = gone.clone();
    h.settle_with(move |r| {
        let _ = &gone_again;
        answered(r)
    });
    assert!(
        h.app
            .session
            .distributions
            .data()
            .unwrap()
            .iter()
            .all(|d| d.id != gone),
        "taken off the list"
    );
    let distributions = all.iter().filter(|d| d.tenant.is_none()).count();
    assert_eq!(h.app.session.view.len(), distributions - 1);
    assert!(
        h.app.session.failing().is_none(),
        "nothing waits for a retry"
    );
    assert!(h.screen().contains("no longer exists"), "{}", h.screen());
    assert_ne!(
        h.selected_dist(),
        gone,
        "the selection moved to a row that exists"
    );
    // Time passes: it is not asked for again.
    let mark = h.mark();
    h.advance(jiff::SignedDuration::from_secs(60));
    assert!(list_limits_since(&h, mark, &gone).is_empty());
}

#[test]
fn the_invalidations_title_shows_the_in_progress_quotas_exact_once_every_poll_answered() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    let dist = h.selected_dist();
    let in_progress = h
        .app
        .invalidation_rows()
        .iter()
        .filter(|r| r.status.is_in_progress())
        .count();
    assert!(in_progress > 0);
    // Listed, not polled yet: nothing is known of their paths, so a lower bound.
    let q = h.app.quota_on(&dist);
    assert_eq!(q.unknown, in_progress);
    assert!(
        h.screen()
            .contains("in progress ≥0/3,000 files · ≥0/15 wildcards"),
        "{}",
        h.screen()
    );

    // The polls fetch each one's paths.
    h.advance(jiff::SignedDuration::from_secs(3));
    let q = h.app.quota_on(&dist);
    assert_eq!(q.unknown, 0);
    let (mut files, mut wildcards) = (0, 0);
    for r in h
        .app
        .invalidation_rows()
        .iter()
        .filter(|r| r.status.is_in_progress())
    {
        let key = cfdash::app::InvKey::new(&dist, &r.id);
        let inv = h.app.session.details[&key].data().unwrap();
        let w = inv.paths.iter().filter(|p| p.ends_with('*')).count();
        wildcards += w;
        files += inv.paths.len() - w;
    }
    assert_eq!((q.used.files, q.used.wildcards), (files, wildcards));
    assert!(files + wildcards > 0);
    let line = format!("in progress {files}/3,000 files · {wildcards}/15 wildcards");
    assert!(h.screen().contains(&line), "{line}\n{}", h.screen());

    // The form says what room that leaves.
    h.ch('n');
    h.typed("/a.html");
    let room = format!(
        "room now: {} files, {} wildcards",
        cfdash::timefmt::thousands(3000 - files),
        15 - wildcards
    );
    assert!(h.screen().contains(&room), "{room}\n{}", h.screen());
}

#[test]
fn i_lists_everything_in_progress_oldest_first_and_enter_goes_to_it() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    let total = h.app.session.in_progress_total();
    assert!(total > 1);
    let first = h.app.session.distributions.data().unwrap()[0].id.clone();
    // What cfdash saw two of its invalidations take: the median shows as "usually".
    for (id, secs) in [("IA", 60), ("IB", 240), ("IC", 120)] {
        h.app.session.took.insert(
            cfdash::app::InvKey::new(&first, id),
            jiff::SignedDuration::from_secs(secs),
        );
    }
    h.ch('i');
    assert_eq!(h.app.mode(), cfdash::app::Mode::InProgress);
    let rows = h.app.in_progress_rows();
    assert_eq!(rows.len(), total);
    assert!(
        rows.windows(2)
            .all(|w| w[0].create_time <= w[1].create_time)
    );
    assert!(rows.iter().all(|r| r.paths.is_none()), "not polled yet");
    let screen = h.screen();
    assert!(
        screen.contains(&format!("In progress ({total})")),
        "{screen}"
    );
    assert!(screen.contains("~2m"), "the median of 1m, 4m, 2m: {screen}");

    // Polled: each row says how many paths it holds.
    h.advance(jiff::SignedDuration::from_secs(3));
    let rows = h.app.in_progress_rows();
    let polled: Vec<_> = rows.iter().filter(|r| r.paths.is_some()).collect();
    assert!(!polled.is_empty());

    // Enter on the last row goes to that invalidation.
    let target = h.app.in_progress_rows().last().unwrap().key.clone();
    h.ch('G');
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode(), cfdash::app::Mode::Normal);
    assert_eq!(h.app.selected_invalidation(), Some(target));
    assert_eq!(h.app.session.focus, cfdash::app::Pane::Invalidations);

    h.ch('i');
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), cfdash::app::Mode::Normal);
}

#[test]
fn in_progress_screens() {
    for (w, hh) in [(80, 24), (160, 48)] {
        let mut h = Harness::with(SimData::demo(), SimSettings::default(), w, hh);
        h.advance(jiff::SignedDuration::from_secs(3));
        h.ch('i');
        insta::assert_snapshot!(format!("in_progress_{w}x{hh}"), h.screen());
    }
}

#[test]
fn slash_in_the_invalidations_filters_them_by_id_and_by_the_paths_cfdash_has() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    let dist = h.selected_dist();
    h.key(KeyCode::Tab);
    let all = h.app.invalidation_rows().len();
    let second = h.app.invalidation_rows()[1].id.clone();

    // By id: a piece of the second one's id, any case.
    h.ch('/');
    assert_eq!(h.app.mode(), cfdash::app::Mode::InvFilter);
    h.typed(&second[3..9].to_lowercase());
    let ids = row_ids(&h);
    assert!(ids.contains(&second), "{ids:?}");
    assert!(ids.len() < all);
    let screen = h.screen();
    assert!(screen.contains("filter “"), "{screen}");
    assert!(
        screen.contains(&format!("of {all})")),
        "paths known for few: {screen}"
    );
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode(), cfdash::app::Mode::Normal);
    assert_eq!(h.app.selected_invalidation().unwrap().id, second);

    // Esc in the pane clears it: every row again, the selection kept.
    h.key(KeyCode::Esc);
    assert_eq!(h.app.invalidation_rows().len(), all);
    assert_eq!(h.app.selected_invalidation().unwrap().id, second);

    // By path: once the paths are known (the polls fetch those in progress).
    h.advance(jiff::SignedDuration::from_secs(3));
    let polled: Vec<(String, String)> = h
        .app
        .invalidation_rows()
        .iter()
        .filter_map(|r| {
            let key = cfdash::app::InvKey::new(&dist, &r.id);
            let inv = h.app.session.details.get(&key)?.data()?;
            Some((r.id.clone(), inv.paths[0].clone()))
        })
        .collect();
    let (id, path) = polled.first().expect("an invalidation polled").clone();
    h.ch('/');
    h.typed(&path);
    let ids = row_ids(&h);
    assert!(ids.contains(&id), "{path}: {ids:?}");

    // Nothing matches: said, with what was searched.
    h.typed("zzzz");
    assert!(h.app.invalidation_rows().is_empty());
    assert!(
        h.screen().contains("No invalidation matches"),
        "{}",
        h.screen()
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.app.invalidation_rows().len(), all);

    // Another distribution: the filter was about the one left.
    h.ch('/');
    h.typed("zzzz");
    h.key(KeyCode::Enter);
    h.key(KeyCode::BackTab);
    h.ch('j');
    assert!(h.app.session.inv_filter.value().is_empty());
}
