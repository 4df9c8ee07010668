//! `update` driven on the simulator with a manual clock: navigation, filter, cancellation,
//! live status, notices, errors and the refresh policy, with no terminal and no network.

use crate::common::Harness;
use cfdash::app::{Action, Effect, InvKey, Mode, NoticeKind, Pane, Remote, Request, Slot};
use cfdash::cloudfront::InvalidationStatus;
use cfdash::cloudfront::sim::{SimData, SimSettings};
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use jiff::SignedDuration;

fn secs(s: i64) -> SignedDuration {
    SignedDuration::from_secs(s)
}

/// The first in-progress invalidation of the selected distribution.
fn first_in_progress(h: &Harness) -> (usize, InvKey) {
    let dist = h.selected_dist();
    let rows = h.app.invalidation_rows();
    let i = rows
        .iter()
        .position(|r| r.status.is_in_progress())
        .expect("an invalidation in progress");
    (i, InvKey::new(dist, &rows[i].id))
}

fn status_of(h: &Harness, key: &InvKey) -> InvalidationStatus {
    h.app.session.invalidations[&key.distribution]
        .list
        .data()
        .unwrap()
        .iter()
        .find(|r| r.id == key.id)
        .unwrap()
        .status
        .clone()
}

#[test]
fn start_lists_distributions_then_every_distributions_invalidations() {
    let h = Harness::demo();
    let all = h.app.session.distributions.data().expect("listed");
    // 13 distributions, and the multi-tenant one's 5 tenants (under it, not shown).
    assert_eq!(all.len(), 18);
    assert_eq!(h.app.session.view.len(), 13);
    for d in all {
        assert!(
            matches!(
                h.app.session.invalidations[&d.id].list,
                Remote::Ready { .. }
            ),
            "{} not listed",
            d.id
        );
    }
    // The selected distribution is asked for first.
    let lists: Vec<_> = h
        .seen
        .iter()
        .filter_map(|e| match e {
            Effect::Request {
                request: Request::ListInvalidations { distribution, .. },
                ..
            } => Some(distribution.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(lists.len(), 18);
    assert_eq!(lists[0], all[0].id);
    // The header count is the sum of the rows' counts, and matches the simulator.
    let sum: usize = h
        .app
        .session
        .invalidations
        .values()
        .map(|d| d.in_progress())
        .sum();
    assert_eq!(h.app.session.in_progress_total(), sum);
    assert_eq!(sum, 8, "6 on distributions, 2 on tenants");
    assert_eq!(h.app.session.listed(), 18);
    assert!(h.screen().contains("│ 8 in progress │"));
}

#[test]
fn the_count_is_a_lower_bound_until_every_distribution_is_listed() {
    let mut h = Harness::unsettled(SimData::demo(), SimSettings::default(), 80, 24);
    assert!(h.screen().contains("listing distributions"));
    let listing = h.queue.pop().expect("ListDistributions");
    let answer = h.answer(&listing);
    h.act(answer);
    // Every distribution's invalidations are asked for, and the multi-tenant one's
    // tenants; answer only the first (2 running).
    assert_eq!(h.queue.len(), 14);
    let first = h.queue.remove(0);
    let answer = h.answer(&first);
    h.act(answer);
    assert_eq!(h.app.session.listed(), 1);
    // The header says the count is partial, and how far the listing has got.
    assert!(
        h.screen().contains("│ 2+ in progress · listing 1 of 13 │"),
        "{}",
        h.screen()
    );
    h.settle();
    assert!(h.screen().contains("│ 8 in progress │"));
    assert!(!h.screen().contains("listing"));
}

#[test]
fn navigation_stays_in_bounds() {
    let mut h = Harness::demo();
    h.ch('k');
    assert_eq!(h.app.session.dist_scroll.selected, 0);
    h.ch('G');
    assert_eq!(h.app.session.dist_scroll.selected, 12);
    h.ch('j');
    h.key(KeyCode::Down);
    assert_eq!(h.app.session.dist_scroll.selected, 12);
    // The last row is on screen: 80×24 leaves 6 data rows in the distributions pane.
    let rows = cfdash::app::layout::table_rows(h.app.areas().unwrap().distributions);
    assert_eq!(h.app.session.dist_scroll.offset, 13 - rows);
    h.ch('g');
    assert_eq!(h.app.session.dist_scroll, Default::default());
    h.key(KeyCode::PageDown);
    assert_eq!(h.app.session.dist_scroll.selected, rows);
    h.key(KeyCode::End);
    h.key(KeyCode::PageUp);
    assert_eq!(h.app.session.dist_scroll.selected, 12 - rows);
    h.key(KeyCode::Home);
    assert_eq!(h.app.session.dist_scroll.selected, 0);
}

#[test]
fn tab_moves_focus_and_moves_the_focused_list() {
    let mut h = Harness::demo();
    assert_eq!(h.app.session.focus, Pane::Distributions);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.session.focus, Pane::Invalidations);
    h.ch('j');
    h.ch('j');
    assert_eq!(h.app.session.inv_scroll.selected, 2);
    assert_eq!(h.app.session.dist_scroll.selected, 0);
    h.key(KeyCode::Tab);
    assert_eq!(
        h.app.session.focus,
        Pane::Distributions,
        "no detail pane to visit"
    );
    h.ch('j');
    assert_eq!(
        h.app.session.inv_scroll.selected, 0,
        "a new distribution starts at its top"
    );
}

#[test]
fn shrinking_the_terminal_keeps_the_selection_on_screen() {
    let mut h = Harness::demo();
    h.ch('G');
    h.act(Action::Resize {
        width: 60,
        height: 15,
    });
    let rows = cfdash::app::layout::table_rows(h.app.areas().unwrap().distributions);
    let s = h.app.session.dist_scroll;
    assert!(
        s.selected >= s.offset && s.selected < s.offset + rows,
        "{s:?}"
    );
}

#[test]
fn filter_matches_id_domain_alias_and_comment_without_case() {
    let mut h = Harness::demo();
    let shown = |h: &Harness| -> Vec<String> {
        let all = h.app.session.distributions.data().unwrap();
        h.app
            .session
            .view
            .iter()
            .map(|&i| all[i].id.clone())
            .collect()
    };
    h.ch('/');
    assert_eq!(h.app.mode(), Mode::Filter);
    h.typed("ACME.DEV");
    assert_eq!(shown(&h).len(), 3, "docs, api and blog");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode(), Mode::Normal);
    assert_eq!(h.app.filter_text(), "ACME.DEV");
    // j now moves in the filtered list, not the filter text.
    h.ch('j');
    assert_eq!(h.app.session.dist_scroll.selected, 1);
    // Esc in the list clears the filter.
    h.key(KeyCode::Esc);
    assert_eq!(h.app.filter_text(), "");
    assert_eq!(shown(&h).len(), 13);

    for (needle, want) in [
        ("e9c4tq", "E9C4TQW1XJN6RA"),           // id
        ("d8m4z1x7", "E8VW3HJU5OQB1P"),         // domain
        ("app-eu", "E6KD1QS7ZM2XGC"),           // second alias
        ("engineering blog", "E4NR6YF0ACE8TJ"), // comment
    ] {
        h.ch('/');
        h.typed(needle);
        assert_eq!(shown(&h), vec![want.to_string()], "{needle}");
        assert_eq!(h.selected_dist(), want);
        h.key(KeyCode::Esc);
        assert_eq!(h.app.mode(), Mode::Normal);
        assert_eq!(shown(&h).len(), 13);
    }
}

#[test]
fn filter_keeps_the_selected_distribution_when_it_still_matches() {
    let mut h = Harness::demo();
    h.ch('j');
    h.ch('j');
    h.ch('j'); // docs.acme.dev
    assert_eq!(h.selected_dist(), "E9C4TQW1XJN6RA");
    h.ch('/');
    h.typed("acme.dev");
    assert_eq!(h.selected_dist(), "E9C4TQW1XJN6RA");
    h.typed("zzz");
    assert!(h.app.session.view.is_empty());
    assert!(h.screen().contains("No distribution matches"));
}

#[test]
fn paste_goes_into_the_filter() {
    let mut h = Harness::demo();
    h.ch('/');
    h.act(Action::Paste("static\nignored second line".into()));
    assert_eq!(h.app.filter_text(), "static");
    assert_eq!(h.app.session.view.len(), 1);
}

#[test]
fn a_huge_paste_into_the_filter_is_one_insert_capped_with_a_notice() {
    let mut h = Harness::demo();
    h.ch('/');
    // 200 KB on one line: before, each character went through the input widget (36 s).
    let huge = "static".repeat(200_000 / 6);
    h.act(Action::Paste(huge));
    assert_eq!(h.app.filter_text().chars().count(), cfdash::app::FILTER_MAX);
    let notice = h.app.notice.clone().expect("the cap is said");
    assert!(notice.text.contains("at most 1000"), "{}", notice.text);
    // And seen while typing, beside the filter that takes the notice's line.
    assert!(
        h.screen().contains("at most 1000 characters"),
        "{}",
        h.screen()
    );
    // Keys still answer: a typed character is refused at the cap, Backspace deletes one.
    h.ch('x');
    assert_eq!(h.app.filter_text().chars().count(), cfdash::app::FILTER_MAX);
    assert!(!h.app.filter_text().ends_with('x'));
    h.key(KeyCode::Backspace);
    assert_eq!(
        h.app.filter_text().chars().count(),
        cfdash::app::FILTER_MAX - 1
    );
}

#[test]
fn a_paste_goes_in_at_the_cursor_without_controls_or_bom() {
    let mut h = Harness::demo();
    h.ch('/');
    h.typed("stc");
    h.key(KeyCode::Left);
    h.act(Action::Paste("\u{feff}a\u{1b}[2Jti".into()));
    assert_eq!(h.app.filter_text(), "sta[2Jtic");
    // The cursor is after the pasted text: two left of it are what the escape left.
    h.key(KeyCode::Left);
    h.key(KeyCode::Left);
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Backspace);
    assert_eq!(h.app.filter_text(), "static");
    assert_eq!(h.app.session.view.len(), 1);
}

#[test]
fn enter_opens_the_paths_and_completed_details_are_cached() {
    let mut h = Harness::demo();
    h.key(KeyCode::Tab);
    h.ch('G'); // the oldest invalidation: long completed
    let mark = h.mark();
    h.key(KeyCode::Enter);
    assert!(h.app.session.detail_open);
    assert_eq!(h.app.session.focus, Pane::Detail);
    let key = h.app.selected_invalidation().unwrap();
    assert!(matches!(h.app.session.details[&key], Remote::Loading));
    h.settle();
    let inv = h.app.session.details[&key].data().expect("fetched");
    assert_eq!(inv.status, InvalidationStatus::Completed);
    assert!(!inv.paths.is_empty());
    assert!(h.screen().contains(&inv.paths[0]));
    assert_eq!(h.requests_since(mark).len(), 1);
    // Close and open again: no second fetch.
    h.key(KeyCode::Esc);
    assert!(!h.app.session.detail_open);
    assert_eq!(h.app.session.focus, Pane::Invalidations);
    let mark = h.mark();
    h.key(KeyCode::Enter);
    h.settle();
    assert!(
        h.requests_since(mark).is_empty(),
        "{:?}",
        h.requests_since(mark)
    );
}

#[test]
fn moving_while_the_detail_loads_drops_the_stale_answer() {
    let mut h = Harness::demo();
    h.key(KeyCode::Tab);
    h.ch('G');
    h.key(KeyCode::Enter);
    let first = h.queue.pop().expect("detail requested");
    let first_key = h.app.selected_invalidation().unwrap();
    h.key(KeyCode::Tab); // round to the invalidations, detail still open
    h.key(KeyCode::Tab);
    assert_eq!(h.app.session.focus, Pane::Invalidations);
    h.ch('k');
    let second_key = h.app.selected_invalidation().unwrap();
    assert_ne!(first_key, second_key);
    // The new request replaces the old one in the same slot: the runtime aborts it.
    let Some(Effect::Request {
        slot: Slot::Detail,
        seq,
        ..
    }) = h.queue.last().cloned()
    else {
        panic!("no new detail request: {:?}", h.queue);
    };
    assert_eq!(h.app.requests.pending[&Slot::Detail], seq);
    // The old answer arrives late anyway: it is dropped.
    let late = h.answer(&first);
    h.act(late);
    assert!(
        !matches!(
            h.app.session.details.get(&first_key),
            Some(Remote::Ready { .. })
        ),
        "stale detail stored"
    );
    assert_eq!(h.app.requests.pending[&Slot::Detail], seq);
    h.settle();
    assert!(h.app.session.details[&second_key].data().is_some());
}

#[test]
fn closing_the_detail_aborts_its_fetch() {
    let mut h = Harness::demo();
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    let batch = h.key(KeyCode::Esc);
    assert_eq!(batch.effects, vec![Effect::Abort(Slot::Detail)]);
    assert!(!h.app.requests.pending.contains_key(&Slot::Detail));
}

#[test]
fn an_in_progress_invalidation_completes_on_its_own() {
    let mut h = Harness::demo();
    let (_, key) = first_in_progress(&h);
    let done = h.sim.completion_time(&key.distribution, &key.id).unwrap();
    // Every invalidation in progress at the start, with the time it completes.
    let running: Vec<(InvKey, jiff::Timestamp)> = h
        .app
        .session
        .polls
        .keys()
        .map(|k| {
            (
                k.clone(),
                h.sim.completion_time(&k.distribution, &k.id).unwrap(),
            )
        })
        .collect();
    assert_eq!(running.len(), h.app.session.in_progress_total());
    assert!(h.app.session.polls.contains_key(&key));
    // Polls come and go while it runs; nothing changes.
    h.advance(secs(2));
    assert!(status_of(&h, &key).is_in_progress());
    // Past its completion time, the next poll sees it done.
    h.clock.set(done);
    h.advance(secs(5));
    assert_eq!(status_of(&h, &key), InvalidationStatus::Completed);
    assert!(!h.app.session.polls.contains_key(&key));
    // The counts follow exactly what the simulator has completed by now.
    let still = |pred: &dyn Fn(&InvKey) -> bool| {
        running
            .iter()
            .filter(|(k, at)| pred(k) && *at > h.now())
            .count()
    };
    assert_eq!(h.app.session.in_progress_total(), still(&|_| true));
    assert_eq!(
        h.app.session.invalidations[&key.distribution].in_progress(),
        still(&|k| k.distribution == key.distribution)
    );
    let took = h.app.session.took[&key];
    assert!(
        took >= done.duration_since(
            h.app
                .invalidation_rows()
                .iter()
                .find(|r| r.id == key.id)
                .unwrap()
                .create_time
        )
    );
    assert!(h.screen().contains("≤ "), "took column shows the bound");
    // Not watched: no bell, no notice.
    assert_eq!(h.bells, 0);
    assert!(h.app.notice.is_none());
}

#[test]
fn a_watched_completion_rings_and_names_distribution_and_invalidation() {
    let mut h = Harness::demo();
    let (row, key) = first_in_progress(&h);
    h.key(KeyCode::Tab);
    for _ in 0..row {
        h.ch('j');
    }
    h.ch('w');
    assert!(h.app.watch.watched.contains(&key));
    assert!(h.screen().contains("◆"));
    let done = h.sim.completion_time(&key.distribution, &key.id).unwrap();
    h.clock.set(done);
    h.advance(secs(5));
    assert_eq!(h.bells, 1);
    let notice = h.app.notice.as_ref().unwrap();
    assert_eq!(notice.kind, NoticeKind::Success);
    assert!(notice.text.contains(&key.id), "{}", notice.text);
    assert!(notice.text.contains("www.acme-shop.com"), "{}", notice.text);
    assert!(h.screen().contains(&format!("completed: {}", key.id)));
    assert!(
        !h.app.watch.watched.contains(&key),
        "done: no longer watched"
    );
    // The notice goes away by itself.
    h.advance(secs(13));
    assert!(h.app.notice.is_none());
}

#[test]
fn several_completions_in_one_frame_ring_once() {
    let mut h = Harness::demo();
    let dist = h.selected_dist();
    let keys: Vec<InvKey> = h
        .app
        .invalidation_rows()
        .iter()
        .filter(|r| r.status.is_in_progress())
        .map(|r| InvKey::new(&dist, &r.id))
        .collect();
    assert_eq!(keys.len(), 2);
    h.key(KeyCode::Tab);
    h.settle(); // the distribution's cache-tag header, read as its invalidations open
    h.ch('w');
    h.ch('j');
    h.ch('w');
    assert_eq!(h.app.watch.watched.len(), 2);
    let last = keys
        .iter()
        .map(|k| h.sim.completion_time(&k.distribution, &k.id).unwrap())
        .max()
        .unwrap();
    h.clock.set(last + secs(10));
    h.act(Action::Tick);
    // Both polls answer in the same drained batch.
    let queued = h.take_queue();
    let answers: Vec<Action> = queued.iter().map(|e| h.answer(e)).collect();
    assert_eq!(
        answers.len(),
        h.app.session.polls.len(),
        "every running invalidation polled"
    );
    let batch = h.act_all(answers);
    assert!(batch.bell);
    assert_eq!(h.bells, 1);
    let text = &h.app.notice.as_ref().unwrap().text;
    assert!(text.contains("2 watched invalidations completed"), "{text}");
    for k in &keys {
        assert!(text.contains(&k.id), "{text}");
    }
}

#[test]
fn watching_a_completed_invalidation_says_so() {
    let mut h = Harness::demo();
    h.key(KeyCode::Tab);
    h.ch('G');
    h.ch('w');
    assert!(h.app.watch.watched.is_empty());
    assert!(
        h.notice_text().contains("already Completed"),
        "{}",
        h.notice_text()
    );
}

#[test]
fn backend_errors_become_one_sentence_in_the_status_bar() {
    let settings = SimSettings {
        throttle_rate: 1.0,
        ..Default::default()
    };
    let h = Harness::with(SimData::demo(), settings, 80, 24);
    assert!(matches!(h.app.session.distributions, Remote::Failed { .. }));
    let notice = h.app.notice.as_ref().unwrap();
    assert_eq!(notice.kind, NoticeKind::Error);
    assert_eq!(
        notice.text,
        "CloudFront is throttling requests: cfdash is backing off and will retry"
    );
    let screen = h.screen();
    assert!(
        screen.contains("✗ CloudFront is throttling requests"),
        "{screen}"
    );
}

#[test]
fn a_failed_listing_is_retried_with_backoff() {
    let settings = SimSettings {
        throttle_rate: 1.0,
        ..Default::default()
    };
    let mut h = Harness::with(SimData::demo(), settings, 80, 24);
    let lists = |h: &Harness, mark| {
        h.requests_since(mark)
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Request {
                        request: Request::ListDistributions,
                        ..
                    }
                )
            })
            .count()
    };
    // Throttled once: the next try waits twice the refresh interval (60 s).
    let mark = h.mark();
    h.advance(secs(59));
    assert_eq!(lists(&h, mark), 0);
    h.advance(secs(1));
    assert_eq!(lists(&h, mark), 1);
    // Throttled again: 60 s is the ceiling.
    let mark = h.mark();
    h.advance(secs(59));
    assert_eq!(lists(&h, mark), 0);
    h.advance(secs(1));
    assert_eq!(lists(&h, mark), 1);
}

#[test]
fn refresh_policy_asks_only_for_what_can_have_changed() {
    let data = SimData::parse(
        r#"
        [[distribution]]
        id = "EAAAAAAAAAAAAA"
        domain_name = "a.cloudfront.net"
        history = 5
        [[distribution]]
        id = "EBBBBBBBBBBBBB"
        domain_name = "b.cloudfront.net"
        history = 5
        "#,
    )
    .unwrap();
    let mut h = Harness::with(data, SimSettings::default(), 80, 24);
    assert_eq!(h.app.session.in_progress_total(), 0);
    // Nothing in progress: nothing is asked for until the selected distribution's refresh.
    let mark = h.mark();
    h.advance(secs(29));
    assert!(h.requests_since(mark).is_empty());
    h.advance(secs(1));
    let asked = h.requests_since(mark);
    assert_eq!(
        asked,
        vec![&Effect::Request {
            slot: Slot::Invalidations("EAAAAAAAAAAAAA".into()),
            seq: match asked[0] {
                Effect::Request { seq, .. } => *seq,
                _ => unreachable!(),
            },
            request: Request::ListInvalidations {
                distribution: "EAAAAAAAAAAAAA".into(),
                limit: 50,
                // The selected distribution's refresh: the operator's.
                priority: cfdash::pace::Priority::Operator,
            },
        }]
    );
    // An invalidation made elsewhere shows up at the next refresh, and is polled.
    let made = h
        .sim
        .create_elsewhere("EAAAAAAAAAAAAA", &["/x".to_string()])
        .unwrap();
    h.advance(secs(30));
    assert_eq!(h.app.invalidation_rows()[0].id, made.id);
    assert_eq!(h.app.session.in_progress_total(), 1);
    let key = InvKey::new("EAAAAAAAAAAAAA", &made.id);
    assert!(h.app.session.polls.contains_key(&key));
    let mark = h.mark();
    h.advance(secs(3));
    assert!(
        h.requests_since(mark).iter().any(|e| matches!(
            e,
            Effect::Request { slot: Slot::Poll(k), .. } if *k == key
        )),
        "polled within the fast interval"
    );
    // The sweep lists everything again after five minutes.
    h.clock
        .set(made.create_time + SignedDuration::from_hours(1));
    let mark = h.mark();
    h.advance(secs(1));
    let kinds: Vec<_> = h
        .requests_since(mark)
        .iter()
        .map(|e| match e {
            Effect::Request { request, .. } => request.clone(),
            _ => unreachable!(),
        })
        .collect();
    assert!(kinds.contains(&Request::ListDistributions), "{kinds:?}");
}

#[test]
fn r_refreshes_everything_now() {
    let mut h = Harness::demo();
    let mark = h.mark();
    h.ch('r');
    h.settle();
    let asked = h.requests_since(mark);
    assert!(asked.iter().any(|e| matches!(
        e,
        Effect::Request {
            request: Request::ListDistributions,
            ..
        }
    )));
    let lists = asked
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::Request {
                    request: Request::ListInvalidations { .. },
                    ..
                }
            )
        })
        .count();
    assert_eq!(lists, 18, "13 distributions and 5 tenants");
    assert!(
        h.app.notice.is_none(),
        "the refreshing notice goes when the listing is back"
    );
}

#[test]
fn an_open_detail_is_not_fetched_again_by_listings() {
    let mut h = Harness::demo();
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter); // the newest invalidation: in progress
    h.settle();
    let key = h.app.selected_invalidation().unwrap();
    assert!(h.app.session.details[&key].data().is_some());
    let mark = h.mark();
    h.ch('r');
    h.settle();
    let details = h
        .requests_since(mark)
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::Request {
                    slot: Slot::Detail,
                    ..
                }
            )
        })
        .count();
    assert_eq!(details, 0, "the sweep does not refetch the open detail");
    // Reopening an invalidation still in progress fetches it afresh.
    h.key(KeyCode::Esc);
    let mark = h.mark();
    h.key(KeyCode::Enter);
    assert_eq!(h.requests_since(mark).len(), 1);
}

#[test]
fn next_wake_is_the_earliest_deadline() {
    let mut h = Harness::demo();
    let now = h.now();
    h.app.frame_drawn();
    let wake = h.app.next_wake();
    assert!(wake > now);
    // Work in progress: the spinner turns within a tenth of a second.
    assert!(wake <= now + SignedDuration::from_millis(100));
}

#[test]
fn nothing_due_means_a_long_sleep() {
    let settings = SimSettings {
        delay_scale: 0.0,
        ..Default::default()
    };
    let mut h = Harness::with(SimData::demo(), settings, 80, 24);
    assert_eq!(h.app.session.in_progress_total(), 0);
    // Let the freshest ages settle into minutes, then draw at 125 s: the selected
    // distribution was refreshed at 120 s, so the next thing due is its refresh at 150 s.
    h.advance(secs(60));
    h.advance(secs(60));
    h.advance(secs(5));
    h.app.frame_drawn();
    let wait = h.app.next_wake().duration_since(h.now());
    assert_eq!(wait, secs(25));
}

#[test]
fn mouse_clicks_select_and_the_wheel_scrolls() {
    let mut h = Harness::demo();
    let areas = h.app.areas().unwrap();
    let click = |column, row| {
        Action::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Third data row of the distributions pane (border, header, then rows).
    h.act(click(areas.distributions.x + 3, areas.distributions.y + 4));
    assert_eq!(h.app.session.dist_scroll.selected, 2);
    h.act(click(areas.invalidations.x + 3, areas.invalidations.y + 3));
    assert_eq!(h.app.session.focus, Pane::Invalidations);
    assert_eq!(h.app.session.inv_scroll.selected, 1);
    h.act(Action::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: areas.invalidations.x + 3,
        row: areas.invalidations.y + 3,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(h.app.session.inv_scroll.selected, 4);
}

#[test]
fn help_and_quit() {
    let mut h = Harness::demo();
    h.ch('?');
    assert_eq!(h.app.mode(), Mode::Help);
    h.ch('j');
    assert_eq!(
        h.app.session.dist_scroll.selected, 0,
        "keys do not reach the list under help"
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::Normal);
    assert!(h.ch('q').quit);
    let ctrl_c = h.act(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(ctrl_c.quit);
}

#[test]
fn a_stale_listing_answer_is_dropped() {
    let mut h = Harness::demo();
    h.ch('r');
    let first = h.queue.pop().unwrap();
    h.queue.clear();
    h.ch('r'); // already pending: no second request
    assert!(h.queue.is_empty());
    // A made-up answer with another sequence number changes nothing.
    let Effect::Request { slot, seq, .. } = first.clone() else {
        unreachable!()
    };
    let before = h.app.session.distributions.clone();
    h.act(Action::Response {
        slot,
        seq: seq + 1000,
        response: cfdash::app::Response::Distributions(Ok(vec![])),
    });
    assert_eq!(h.app.session.distributions, before);
}

#[test]
fn a_burst_of_throttled_listings_is_retried_after_one_doubling() {
    let mut h = Harness::demo();
    h.ch('r');
    let listing = h.queue.pop().unwrap();
    let answer = h.answer(&listing);
    h.act(answer);
    // Every listing of invalidations comes back throttled at once: the 13 distributions'
    // and the 5 tenants' (the listing of the tenants themselves is answered).
    let (lists, others): (Vec<Effect>, Vec<Effect>) = h.take_queue().into_iter().partition(|e| {
        matches!(
            e,
            Effect::Request {
                request: Request::ListInvalidations { .. },
                ..
            }
        )
    });
    assert_eq!(lists.len(), 18);
    for e in others {
        let a = h.answer(&e);
        h.act(a);
    }
    let throttled: Vec<Action> = lists
        .iter()
        .map(|e| match e {
            Effect::Request { slot, seq, .. } => Action::Response {
                slot: slot.clone(),
                seq: *seq,
                response: cfdash::app::Response::Invalidations(Err(
                    cfdash::cloudfront::CfError::Throttled {
                        detail: "test".into(),
                    },
                )),
            },
            _ => unreachable!(),
        })
        .collect();
    h.act_all(throttled);
    assert!(h.app.notice.as_ref().unwrap().text.contains("throttling"));
    let retries = |h: &Harness, mark| {
        h.requests_since(mark)
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Request {
                        request: Request::ListInvalidations { .. },
                        ..
                    }
                )
            })
            .count()
    };
    // The steady poll interval (5 s) doubled once, not once per throttled answer.
    let mark = h.mark();
    h.advance(secs(9));
    assert_eq!(retries(&h, mark), 0);
    h.advance(secs(1));
    assert_eq!(retries(&h, mark), 18);
    assert_eq!(h.app.session.listed(), 18);
}

#[test]
fn a_key_that_does_nothing_says_where_the_keys_are() {
    let mut h = Harness::demo();
    h.ch('z');
    let notice = h.app.notice.clone().expect("a hint");
    assert_eq!(notice.text, "z does nothing here: ? lists the keys");
    assert!(h.screen().contains("z does nothing here: ? lists the keys"));
    // A key that does something says nothing of the kind; nor does one in the filter.
    h.app.notice = None;
    h.ch('j');
    assert!(h.app.notice.is_none());
    h.ch('/');
    h.ch('z');
    assert!(h.app.notice.is_none(), "typed into the filter");
}

#[test]
fn keys_that_are_not_letters_and_do_nothing_say_so_too() {
    let mut h = Harness::demo();
    for (code, mods, name) in [
        (KeyCode::F(2), KeyModifiers::NONE, "F2"),
        (KeyCode::Delete, KeyModifiers::NONE, "Del"),
        (KeyCode::Char('x'), KeyModifiers::CONTROL, "C-x"),
        (KeyCode::Char('x'), KeyModifiers::ALT, "M-x"),
        (KeyCode::Insert, KeyModifiers::SHIFT, "S-Insert"),
    ] {
        h.app.notice = None;
        h.act(Action::Key(crossterm::event::KeyEvent::new(code, mods)));
        let text = h.app.notice.as_ref().map(|n| n.text.clone());
        assert_eq!(
            text.as_deref(),
            Some(format!("{name} does nothing here: ? lists the keys").as_str()),
            "{code:?} {mods:?}"
        );
    }
    // Esc and a lone modifier say nothing.
    for code in [
        KeyCode::Esc,
        KeyCode::Modifier(crossterm::event::ModifierKeyCode::LeftShift),
    ] {
        h.app.notice = None;
        h.key(code);
        assert!(h.app.notice.is_none(), "{code:?}");
    }
}

#[test]
fn space_in_the_invalidations_pane_marks_their_distribution_and_stays() {
    let mut h = Harness::demo();
    let first = h.app.session.selected_distribution().unwrap().id.clone();
    h.key(KeyCode::Tab);
    assert_eq!(h.app.session.focus, Pane::Invalidations);
    h.ch('j');
    let row = h.app.session.inv_scroll.selected;
    h.ch(' ');
    assert!(h.app.session.marked.contains(&first));
    assert_eq!(
        h.app.session.selected_distribution().unwrap().id.clone(),
        first,
        "stayed"
    );
    assert_eq!(
        h.app.session.inv_scroll.selected, row,
        "the list read stays"
    );
    assert!(h.notice_text().starts_with(&format!("marked {first}")));
    h.ch(' ');
    assert!(h.app.session.marked.is_empty());
    assert!(h.notice_text().starts_with(&format!("unmarked {first}")));
    // In the distributions pane, Space still marks and moves on.
    h.key(KeyCode::Tab);
    h.ch(' ');
    assert!(h.app.session.marked.contains(&first));
    assert_ne!(
        h.app.session.selected_distribution().unwrap().id.clone(),
        first
    );
}

#[test]
fn t_shows_times_in_utc_and_back() {
    // Wide enough for the local zone: it goes in last, where there is room.
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 140, 35);
    let plus2 = jiff::tz::TimeZone::fixed(jiff::tz::offset(2));
    h.app.local_tz = plus2.clone();
    h.app.tz = plus2.clone();
    let created = h.app.invalidation_rows()[0].create_time;
    let shown = |tz: &jiff::tz::TimeZone| cfdash::timefmt::local(tz, created);
    let screen = h.screen();
    assert!(screen.contains(&shown(&plus2)));
    // The header names the zone the times are in: the local one (an offset, when it has
    // no name), then UTC.
    let header = |screen: &str| screen.lines().next().unwrap().to_string();
    assert!(header(&screen).contains("· UTC+02 "), "{screen}");
    h.ch('t');
    let screen = h.screen();
    assert!(header(&screen).contains("· UTC "), "{screen}");
    assert!(!header(&screen).contains("+02"), "{screen}");
    assert!(
        screen.contains(&shown(&jiff::tz::TimeZone::UTC)),
        "{screen}"
    );
    assert!(!screen.contains(&shown(&plus2)), "{screen}");
    h.ch('t');
    let screen = h.screen();
    assert!(header(&screen).contains("· UTC+02 "), "{screen}");
    assert!(screen.contains(&shown(&plus2)), "{screen}");
    assert!(
        h.notice_text().starts_with("times in local time"),
        "{}",
        h.notice_text()
    );
}
