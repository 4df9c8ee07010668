//! The new-invalidation form driven through `update` on the simulator with a manual clock:
//! typing and checking, submit refused with errors, confirmation, exactly-once creation
//! (failures keep the text, retries reuse the CallerReference), queued batches, marks,
//! copy to new, presets and the discard question.

use crate::common::Harness;
use cfdash::app::form::LineMark;
use cfdash::app::{Action, Effect, InvKey, Mode, NoticeKind, Pane, Request, Response, Slot};
use cfdash::cloudfront::sim::{SimData, SimSettings};
use cfdash::cloudfront::{CfError, InvalidationStatus};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::SignedDuration;

fn secs(s: i64) -> SignedDuration {
    SignedDuration::from_secs(s)
}

fn ctrl(h: &mut Harness, c: char) {
    h.act(Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

/// Types text into the form, Enter between lines.
fn type_lines(h: &mut Harness, text: &str) {
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            h.key(KeyCode::Enter);
        }
        h.typed(line);
    }
}

/// Opens the form, types the lines and confirms the submit.
fn submit(h: &mut Harness, text: &str) {
    h.ch('n');
    type_lines(h, text);
    ctrl(h, 's');
    h.key(KeyCode::Enter);
}

/// Selects the distribution with this id in the distributions pane.
fn select(h: &mut Harness, id: &str) {
    h.key(KeyCode::Char('g'));
    while h.selected_dist() != id {
        h.key(KeyCode::Down);
    }
}

/// A distribution of the demo with nothing in progress.
const QUIET: &str = "E3HB8D6PLWQ0UF";

/// The CreateInvalidation requests not yet answered.
fn creates(h: &Harness) -> Vec<(String, String, Vec<String>)> {
    h.queue
        .iter()
        .filter_map(|e| match e {
            Effect::Request {
                request:
                    Request::CreateInvalidation {
                        distribution,
                        paths,
                        caller_reference,
                    },
                ..
            } => Some((
                distribution.clone(),
                caller_reference.clone(),
                paths.clone(),
            )),
            _ => None,
        })
        .collect()
}

/// Takes the queued create request out, to answer it by hand.
fn take_create(h: &mut Harness) -> Effect {
    let at = h
        .queue
        .iter()
        .position(|e| {
            matches!(
                e,
                Effect::Request {
                    slot: Slot::Create(_),
                    ..
                }
            )
        })
        .expect("a create request");
    h.queue.remove(at)
}

fn fail(effect: &Effect, error: CfError) -> Action {
    let Effect::Request { slot, seq, .. } = effect else {
        panic!()
    };
    Action::Response {
        slot: slot.clone(),
        seq: *seq,
        response: Response::Created(Err(error)),
    }
}

fn denied() -> CfError {
    CfError::AccessDenied {
        action: "CreateInvalidation".into(),
        detail: String::new(),
    }
}

fn network() -> CfError {
    CfError::Network {
        detail: "connection reset".into(),
    }
}

#[test]
fn typing_checks_every_line_and_prices_the_list() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 30);
    h.ch('n');
    assert_eq!(h.app.mode(), Mode::Form);
    type_lines(
        &mut h,
        "index.html\n/images/*\n/images/logo.png\n/a*/b\n/index.html\n/docs/\n\n#product:shoes",
    );
    let form = h.app.form().unwrap();
    let marks: Vec<LineMark> = (0..8).map(|i| form.mark(i)).collect();
    assert_eq!(
        marks,
        vec![
            LineMark::Normalised,
            LineMark::Ok,
            LineMark::Covered,
            LineMark::Error,
            LineMark::Duplicate,
            LineMark::Hint,
            LineMark::Blank,
            LineMark::Ok,
        ]
    );
    let e = &form.estimate;
    assert_eq!((e.paths, e.wildcards, e.tags, e.batches), (3, 1, 1, 1));
    let screen = h.screen();
    assert!(screen.contains("→ /index.html"), "{screen}");
    assert!(screen.contains("* is only allowed as the last"), "{screen}");
    assert!(screen.contains("covered by /images/* (line 2)"), "{screen}");
    // Nothing of the month is known yet: the most it can cost.
    assert!(screen.contains("this submit: 5 → up to $0.025"), "{screen}");

    // Dropping covered paths changes what is counted, not the text.
    ctrl(&mut h, 'd');
    let form = h.app.form().unwrap();
    assert_eq!(form.estimate.paths, 2);
    assert_eq!(form.editor.lines().len(), 8);
}

#[test]
fn submit_is_refused_while_a_line_is_wrong_then_confirmed_and_watched() {
    let mut h = Harness::demo();
    select(&mut h, QUIET);
    let before = h.sim.invalidation_count(QUIET);
    h.ch('n');
    type_lines(&mut h, "/index.html\n/a*/b\n/css/*");
    ctrl(&mut h, 's');
    assert_eq!(h.app.mode(), Mode::Form, "refused");
    let form = h.app.form().unwrap();
    let error = form.error.clone().unwrap();
    assert!(error.starts_with("line 2: * is only allowed"), "{error}");
    assert_eq!(
        form.editor.cursor(),
        (1, 0),
        "the cursor goes to the bad line"
    );
    assert!(creates(&h).is_empty());
    assert!(h.screen().contains("✗ line 2"));

    // Fix it: the line becomes /a/b.
    h.key(KeyCode::End);
    for _ in 0..3 {
        h.key(KeyCode::Backspace);
    }
    h.typed("/b");
    assert_eq!(
        h.app.form().unwrap().editor.text(),
        "/index.html\n/a/b\n/css/*"
    );
    ctrl(&mut h, 's');
    assert_eq!(h.app.mode(), Mode::Confirm);
    assert!(
        creates(&h).is_empty(),
        "nothing is sent before the confirmation"
    );
    let screen = h.screen();
    assert!(
        screen.contains("static.acme-shop.com (E3HB8D6PLWQ0UF)"),
        "{screen}"
    );
    assert!(screen.contains("1 invalidation, sent now"), "{screen}");

    h.key(KeyCode::Enter);
    let sent = creates(&h);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].2, vec!["/index.html", "/a/b", "/css/*"]);
    h.settle();
    assert_eq!(h.sim.invalidation_count(QUIET), before + 1);
    assert!(h.app.form().is_none(), "the form closes on success");
    assert_eq!(h.app.mode(), Mode::Normal);
    assert_eq!(h.app.session.focus, Pane::Invalidations);
    let key = h.app.selected_invalidation().unwrap();
    assert_eq!(
        h.app.session.inv_scroll.selected, 0,
        "the new one is on top, selected"
    );
    assert_eq!(
        h.app.invalidation_rows()[0].status,
        InvalidationStatus::InProgress
    );
    assert!(h.app.watch.watched.contains(&key));
    let notice = h.app.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Success);
    assert!(notice.text.contains(&key.id), "{}", notice.text);

    // Watched live until Completed, with a bell.
    let done = h.sim.completion_time(QUIET, &key.id).unwrap();
    while h.now() < done + secs(6) {
        h.advance(secs(1));
    }
    assert_eq!(
        h.app.invalidation_rows()[0].status,
        InvalidationStatus::Completed
    );
    assert_eq!(h.bells, 1);
    assert!(!h.app.watch.watched.contains(&key));
}

/// The reference of a create request.
fn reference_of(effect: &Effect) -> String {
    let Effect::Request {
        request: Request::CreateInvalidation {
            caller_reference, ..
        },
        ..
    } = effect
    else {
        panic!("not a create: {effect:?}")
    };
    caller_reference.clone()
}

#[test]
fn a_lost_answer_is_retried_under_the_same_reference_while_the_form_waits() {
    let mut h = Harness::demo();
    select(&mut h, QUIET);
    let before = h.sim.invalidation_count(QUIET);
    submit(&mut h, "/index.html\n/app.js");
    let first = take_create(&mut h);
    let reference = reference_of(&first);
    // CloudFront created it, but the answer was lost on the way back.
    h.answer(&first);
    h.act(fail(&first, network()));
    let form = h.app.form().expect("the form waits on");
    assert!(form.is_sending() && form.error.is_none());
    // A moment later the engine sends it again, under the same reference, and
    // CloudFront answers with the invalidation it already has.
    h.clock.advance(secs(2));
    h.act(Action::Tick);
    let sent = creates(&h);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1, reference, "the retry reuses the reference");
    h.settle();
    assert!(h.app.form().is_none(), "done");
    assert_eq!(
        h.sim.invalidation_count(QUIET),
        before + 1,
        "created once, not twice"
    );
}

#[test]
fn a_failed_create_keeps_the_text_and_the_retry_reuses_the_reference() {
    let mut h = Harness::demo();
    select(&mut h, QUIET);
    let before = h.sim.invalidation_count(QUIET);
    submit(&mut h, "/index.html\n/app.js");
    let reference = reference_of(&h.queue[h.queue.len() - 1].clone());
    // The network stays down: retried under the same reference until the form's wait
    // runs out, then the operator has the form back.
    let mut tries = 0;
    while h.app.form().is_some_and(|f| f.is_sending()) {
        if creates(&h).is_empty() {
            h.clock.advance(secs(1));
            h.act(Action::Tick);
            continue;
        }
        let create = take_create(&mut h);
        assert_eq!(reference_of(&create), reference);
        tries += 1;
        h.act(fail(&create, network()));
        assert!(tries < 20, "the wait ends");
    }
    assert!(tries >= 3, "retried {tries} times");
    assert_eq!(h.app.mode(), Mode::Form, "the form stays open");
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.text(), "/index.html\n/app.js", "text as it was");
    let error = form.error.clone().unwrap();
    assert!(error.contains("cannot reach CloudFront"), "{error}");
    assert!(error.contains("may have been created"), "{error}");
    assert!(error.contains("retries"), "{error}");
    assert!(h.screen().contains("cannot reach CloudFront"));
    assert!(h.app.outbox.is_empty(), "nothing left queued");

    // Retry: same reference.
    ctrl(&mut h, 's');
    assert!(h.screen().contains("same caller references"));
    h.key(KeyCode::Enter);
    let sent = creates(&h);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1, reference, "the retry reuses the reference");
    h.settle();
    assert!(h.app.form().is_none());
    assert_eq!(h.sim.invalidation_count(QUIET), before + 1);
}

#[test]
fn an_edited_list_gets_new_references() {
    let mut h = Harness::demo();
    select(&mut h, QUIET);
    h.ch('n');
    h.typed("/a");
    ctrl(&mut h, 's');
    h.key(KeyCode::Enter);
    let first = take_create(&mut h);
    h.act(fail(&first, denied()));
    let Effect::Request {
        request:
            Request::CreateInvalidation {
                caller_reference: old,
                ..
            },
        ..
    } = first
    else {
        panic!()
    };
    h.typed("b");
    ctrl(&mut h, 's');
    h.key(KeyCode::Enter);
    let sent = creates(&h);
    assert_ne!(sent[0].1, old, "other paths, another submit");
    assert_eq!(sent[0].2, vec!["/ab"]);
}

#[test]
fn batches_past_the_quota_are_queued_and_sent_as_earlier_ones_complete() {
    let mut h = Harness::demo();
    select(&mut h, QUIET);
    let before = h.sim.invalidation_count(QUIET);
    h.ch('n');
    let text: String = (0..7000).map(|i| format!("/p/{i}.html\n")).collect();
    h.act(Action::Paste(text));
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.lines().len(), 7001);
    assert_eq!(form.estimate.batches, 3);
    ctrl(&mut h, 's');
    let screen = h.screen();
    assert!(
        screen.contains("3 invalidations: 1 sent now, 2 queued"),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    h.settle();
    assert!(h.app.form().is_none());
    assert_eq!(h.sim.invalidation_count(QUIET), before + 1);
    let rows = h.app.invalidation_rows();
    assert_eq!(rows[0].id, "queued 2/3");
    assert_eq!(rows[0].status, InvalidationStatus::Queued);
    assert_eq!(rows[1].id, "queued 3/3");
    assert_eq!(rows[2].status, InvalidationStatus::InProgress);
    assert!(h.screen().contains("◌ Queued"));
    assert_eq!(h.app.outbox.len(), 2);

    // A quit now would drop them: q asks, n stays, C-c asks too, y quits.
    let quit = h.ch('q');
    assert!(!quit.quit, "asked first");
    assert_eq!(h.app.mode(), Mode::QuitUnsent);
    let screen = h.screen();
    assert!(
        screen.contains("2 batches (4,000 paths) not sent — quit anyway?"),
        "{screen}"
    );
    assert!(!h.ch('n').quit);
    assert_eq!(h.app.mode(), Mode::Normal);
    assert_eq!(h.app.outbox.len(), 2, "nothing dropped");
    let quit = h.act(Action::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(!quit.quit);
    assert_eq!(h.app.mode(), Mode::QuitUnsent);
    assert!(!h.key(KeyCode::Esc).quit);
    assert_eq!(h.app.mode(), Mode::Normal);
    h.ch('q');
    assert!(h.ch('y').quit, "y quits anyway");
    h.key(KeyCode::Esc);

    // Each batch goes when the one before completes, never refused by CloudFront.
    let mut refused = 0;
    for _ in 0..600 {
        h.advance(secs(2));
        if h.app
            .notice
            .as_ref()
            .is_some_and(|n| n.text.contains("too many"))
        {
            refused += 1;
        }
        if h.app.outbox.is_empty() {
            break;
        }
    }
    assert!(h.app.outbox.is_empty(), "all batches sent");
    assert!(h.ch('q').quit, "nothing queued: q quits at once");
    assert_eq!(refused, 0);
    assert_eq!(h.sim.invalidation_count(QUIET), before + 3);
    let rows = h.app.invalidation_rows();
    assert!(rows.iter().all(|r| r.status != InvalidationStatus::Queued));
}

#[test]
fn a_batch_refused_for_the_quota_is_held_not_failed() {
    let mut h = Harness::demo();
    select(&mut h, QUIET);
    // 3,000 paths in progress that cfdash has not seen yet.
    let full: Vec<String> = (0..3000).map(|i| format!("/elsewhere/{i}")).collect();
    let other = h.sim.create_elsewhere(QUIET, &full).unwrap();
    h.ch('n');
    h.typed("/index.html");
    ctrl(&mut h, 's');
    h.key(KeyCode::Enter);
    h.settle();
    assert!(
        h.app.form().is_none(),
        "held is not failed: the form closes"
    );
    assert_eq!(h.app.outbox.len(), 1);
    assert!(h.app.notice.as_ref().unwrap().text.contains("queued"));
    let done = h.sim.completion_time(QUIET, &other.id).unwrap();
    while h.now() < done + secs(40) && !h.app.outbox.is_empty() {
        h.advance(secs(2));
    }
    assert!(h.app.outbox.is_empty(), "sent once there was room");
    let rows = h.app.invalidation_rows();
    assert!(rows.iter().any(|r| {
        h.app
            .session
            .details
            .get(&InvKey::new(QUIET, &r.id))
            .and_then(|d| d.data())
            .is_some_and(|d| d.paths == vec!["/index.html"])
    }));
}

#[test]
fn marked_distributions_get_one_invalidation_each() {
    let mut h = Harness::demo();
    let a = h.selected_dist();
    h.ch(' ');
    let b = h.selected_dist();
    h.ch(' ');
    assert_eq!(h.app.session.marked.len(), 2);
    assert!(h.screen().contains("2 marked"));
    h.ch('n');
    assert_eq!(h.app.form().unwrap().targets, vec![a.clone(), b.clone()]);
    h.typed("/index.html");
    ctrl(&mut h, 's');
    h.key(KeyCode::Enter);
    let sent = creates(&h);
    assert_eq!(sent.len(), 2);
    assert_eq!(
        (sent[0].0.as_str(), sent[1].0.as_str()),
        (a.as_str(), b.as_str())
    );
    assert_ne!(sent[0].1, sent[1].1, "each its own reference");
    h.settle();
    assert!(h.app.form().is_none());
    assert!(
        h.app.session.marked.is_empty(),
        "marks are cleared after the submit"
    );
    assert_eq!(h.app.watch.watched.len(), 2);
}

#[test]
fn copy_to_new_fills_the_form_with_the_paths() {
    let mut h = Harness::demo();
    h.key(KeyCode::Tab);
    let key = h.app.selected_invalidation().unwrap();
    h.ch('c');
    assert_eq!(h.app.mode(), Mode::Form);
    h.settle();
    let form = h.app.form().unwrap();
    let paths = h.app.session.details[&key].data().unwrap().paths.clone();
    assert_eq!(form.editor.lines(), paths.as_slice());
    assert_eq!(form.targets, vec![key.distribution]);
    // Unchanged: Esc closes without asking.
    h.key(KeyCode::Esc);
    assert!(h.app.form().is_none());
}

#[test]
fn esc_with_text_asks_before_discarding() {
    let mut h = Harness::demo();
    h.ch('n');
    h.typed("/keep-me");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::Discard);
    assert!(h.screen().contains("Discard?"));
    h.ch('n');
    assert_eq!(h.app.mode(), Mode::Form);
    assert_eq!(h.app.form().unwrap().editor.text(), "/keep-me");
    // Quit asks too, and a second Ctrl-C means it.
    ctrl(&mut h, 'c');
    assert_eq!(h.app.mode(), Mode::Discard);
    assert!(!h.act(Action::Tick).quit);
    assert!(
        h.act(Action::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL
        )))
        .quit
    );
    let mut h = Harness::demo();
    h.ch('n');
    h.typed("/x");
    h.key(KeyCode::Esc);
    h.ch('y');
    assert!(h.app.form().is_none());
    assert_eq!(h.app.mode(), Mode::Normal);
}

#[test]
fn keys_that_mean_something_on_the_dashboard_type_in_the_form() {
    let mut h = Harness::demo();
    h.ch('n');
    h.typed("/q?j=k&n=r w");
    assert_eq!(h.app.form().unwrap().editor.text(), "/q?j=k&n=r w");
    assert_eq!(h.app.mode(), Mode::Form);
    // F1 is the help here, and Esc comes back to the form.
    h.key(KeyCode::F(1));
    assert_eq!(h.app.mode(), Mode::Help);
    assert!(h.screen().contains("New invalidation"));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::Form);
}

#[test]
fn presets_insert_their_paths() {
    let mut h = Harness::demo();
    h.app.session.presets = vec![
        ("homepage".into(), vec!["/".into(), "/index.html".into()]),
        ("assets".into(), vec!["/css/*".into()]),
    ];
    h.ch('n');
    h.typed("/first");
    ctrl(&mut h, 'p');
    assert_eq!(h.app.mode(), Mode::Presets);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode(), Mode::Form);
    assert_eq!(
        h.app.form().unwrap().editor.text(),
        "/first\n/\n/index.html"
    );
    ctrl(&mut h, 'p');
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.form().unwrap().editor.text(),
        "/first\n/\n/index.html\n/css/*"
    );
}

#[test]
fn a_read_only_profile_does_not_open_the_form() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    let footer = |h: &Harness| h.screen().lines().last().unwrap().to_string();
    assert!(footer(&h).contains("n new"), "{}", footer(&h));
    h.app.session.read_only = true;
    // The header says so, and the footer does not offer what it refuses.
    let screen = h.screen();
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("profile demo read-only"),
        "{screen}"
    );
    assert!(!footer(&h).contains("n new"), "{}", footer(&h));
    h.ch('n');
    assert!(h.app.form().is_none());
    let notice = h.app.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Error);
    assert!(notice.text.contains("read-only"), "{}", notice.text);
}

#[test]
fn pasting_three_thousand_lines_is_one_check() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 40);
    h.ch('n');
    let text: String = (0..3000).map(|i| format!("/assets/{i}.js\n")).collect();
    h.act(Action::Paste(text));
    let form = h.app.form().unwrap();
    assert_eq!(form.analysis.items.len(), 3000);
    assert_eq!(form.editor.cursor(), (3000, 0));
    // The view follows the cursor to the end of the paste.
    assert!(h.screen().contains("/assets/2999.js"));
}

#[test]
fn a_paste_past_the_editor_cap_is_refused_and_the_text_kept() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 40);
    h.ch('n');
    type_lines(&mut h, "/keep.html");
    let max = cfdash::app::form::EDITOR_MAX_LINES;
    let text: String = (0..max).map(|i| format!("/p/{i}\n")).collect();
    h.act(Action::Paste(text));
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.text(), "/keep.html");
    let error = form.error.clone().expect("the refusal is said");
    assert!(error.contains("--paths-file"), "{error}");
    assert!(error.contains(&max.to_string()), "{error}");
    // Up to the cap is accepted.
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 40);
    h.ch('n');
    let text: String = (0..max - 1).map(|i| format!("/p/{i}\n")).collect();
    h.act(Action::Paste(text));
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.lines().len(), max);
    assert!(form.error.is_none());
    // Enter at the cap adds no line and says why.
    h.key(KeyCode::Enter);
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.lines().len(), max);
    assert!(form.error.as_ref().unwrap().contains("--paths-file"));
}

#[test]
fn a_pasted_byte_order_mark_is_not_part_of_the_first_path() {
    let mut h = Harness::demo();
    h.ch('n');
    h.act(Action::Paste("\u{feff}/index.html\n/a.css".into()));
    let form = h.app.form().unwrap();
    let values: Vec<&str> = form
        .analysis
        .items
        .iter()
        .map(|i| i.value.as_str())
        .collect();
    assert_eq!(values, ["/index.html", "/a.css"]);
    assert_eq!(form.errors, 0);
}

/// The form's notes column for a 0-based editor line.
fn note(h: &Harness, line: usize) -> Option<(LineMark, String)> {
    cfdash::app::form::line_note(h.app.form().unwrap(), line)
}

#[test]
fn a_pasted_one_line_list_becomes_a_line_a_path() {
    let mut h = Harness::demo();
    h.ch('n');
    h.act(Action::Paste("/index.html /images/* /index.html".into()));
    let form = h.app.form().unwrap();
    assert_eq!(
        form.editor.lines(),
        ["/index.html", "/images/*", "/index.html"]
    );
    assert_eq!(form.editor.cursor(), (2, 11));
    assert_eq!(form.mark(0), LineMark::Ok);
    assert_eq!(form.mark(1), LineMark::Ok);
    assert_eq!(
        note(&h, 2),
        Some((LineMark::Duplicate, "repeats line 1: sent once".into()))
    );
    let sent: Vec<&str> = form
        .to_send()
        .unwrap()
        .iter()
        .map(|i| i.value.as_str())
        .collect();
    assert_eq!(sent, ["/index.html", "/images/*"]);
    // The line under the editor says what the paste did, until the next key.
    let screen = h.screen();
    assert!(
        screen.contains("the pasted list split at its spaces: 3 paths, one a line"),
        "{screen}"
    );
    h.key(KeyCode::Up);
    assert!(h.app.form().unwrap().pasted.is_none());
    assert!(h.screen().contains("line 2: /images/*"));
}

#[test]
fn a_pasted_list_goes_on_lines_of_its_own() {
    let mut h = Harness::demo();
    h.ch('n');
    h.typed("/first");
    h.key(KeyCode::Home);
    h.act(Action::Paste("/a /b\n/c".into()));
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.lines(), ["/first", "/a", "/b", "/c"]);
    assert_eq!(form.editor.cursor(), (3, 2));
    // A paste with no list in it goes in at the cursor, as ever.
    h.act(Action::Paste(".html".into()));
    assert_eq!(h.app.form().unwrap().editor.lines()[3], "/c.html");
    // A pasted path at the end of a line of text is a path of its own, not "/c.html/my…".
    h.act(Action::Paste("/my file.html".into()));
    assert_eq!(
        h.app.form().unwrap().editor.lines(),
        ["/first", "/a", "/b", "/c.html", "/my file.html"]
    );
}

#[test]
fn a_list_with_a_space_inside_a_path_is_refused_with_the_reason() {
    let mut h = Harness::demo();
    h.ch('n');
    h.act(Action::Paste("/docs/my file.html /images/*".into()));
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.lines(), ["/docs/my file.html /images/*"]);
    let (mark, text) = note(&h, 0).unwrap();
    assert_eq!(mark, LineMark::Error);
    assert!(text.contains("space inside a path"), "{text}");
    assert!(
        text.contains("%20") && text.contains("one path per line"),
        "{text}"
    );
    assert!(!text.contains('*'), "not the wildcard's error: {text}");
    assert!(form.pasted.is_none(), "nothing was split");
    ctrl(&mut h, 's');
    assert_eq!(h.app.mode(), Mode::Form, "nothing is sent");
    let error = h.app.form().unwrap().error.clone().unwrap();
    assert!(
        error.starts_with("line 1: a space inside a path"),
        "{error}"
    );
    // One path per line: the first is sent encoded, and says so.
    h.key(KeyCode::Home);
    for _ in 0.."/docs/my file.html".len() {
        h.key(KeyCode::Right);
    }
    h.key(KeyCode::Delete);
    h.key(KeyCode::Enter);
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.lines(), ["/docs/my file.html", "/images/*"]);
    assert_eq!(
        note(&h, 0),
        Some((LineMark::Normalised, "→ /docs/my%20file.html".into()))
    );
    assert_eq!(form.errors, 0);
}

#[test]
fn a_typed_line_of_paths_repeating_itself_says_so() {
    let mut h = Harness::demo();
    h.ch('n');
    h.typed("/a /b /a");
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.lines().len(), 1, "typing splits nothing");
    assert_eq!(form.analysis.items.len(), 3);
    assert_eq!(
        note(&h, 0),
        Some((
            LineMark::Duplicate,
            "repeats /a on this line: sent once".into()
        ))
    );
    assert!(h.screen().contains("repeats /a on this line"));
    // A wildcard on the same line covers the way a line above would.
    h.key(KeyCode::Enter);
    h.typed("/img/* /img/x.png");
    assert_eq!(
        note(&h, 1),
        Some((LineMark::Covered, "covered by /img/* (this line)".into()))
    );
    h.key(KeyCode::Enter);
    h.typed("/img/y.png");
    assert_eq!(
        note(&h, 2),
        Some((LineMark::Covered, "covered by /img/* (line 2)".into()))
    );
}

#[test]
fn pasted_binary_junk_is_named() {
    let mut h = Harness::demo();
    h.ch('n');
    h.act(Action::Paste("\0".repeat(200_000)));
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.lines().len(), 1);
    let (mark, text) = note(&h, 0).unwrap();
    assert_eq!(mark, LineMark::Error);
    assert!(text.contains("U+0000 (NUL: binary data pasted?)"), "{text}");
    // Nothing of it reaches the terminal, and Ctrl-K takes it away.
    assert!(!h.screen().contains('\0'));
    ctrl(&mut h, 'k');
    assert!(h.app.form().unwrap().editor.is_empty());
}

#[test]
fn a_pasted_200_kb_list_is_one_check() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 40);
    h.ch('n');
    let text: String = (0..20_000).map(|i| format!("/p/{i}.html ")).collect();
    assert!(text.len() > 200_000);
    h.act(Action::Paste(text));
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.lines().len(), 20_000);
    assert_eq!(form.analysis.items.len(), 20_000);
    assert_eq!(form.errors, 0);
    assert!(h.screen().contains("/p/19999.html"));
    // Past the editor's cap once split, it is refused whole.
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 40);
    h.ch('n');
    type_lines(&mut h, "/keep");
    let max = cfdash::app::form::EDITOR_MAX_LINES;
    let text: String = (0..max).map(|i| format!("/{i} ")).collect();
    h.act(Action::Paste(text));
    let form = h.app.form().unwrap();
    assert_eq!(form.editor.text(), "/keep");
    assert!(form.error.as_ref().unwrap().contains("--paths-file"));
}

/// moto 5.2.1 leaves the region field out of its ARNs
/// (`arn:aws:cloudfront:123456789012:distribution/E…`): the confirmation still names the
/// account, not `distribution/E…`.
#[test]
fn the_confirmation_names_the_account_of_a_moto_listing() {
    let mut h = Harness::demo();
    h.ch('r');
    let queued = h.take_queue();
    for effect in &queued {
        let mut action = match effect {
            Effect::Request { .. } => h.answer(effect),
            _ => continue,
        };
        if let Action::Response {
            response: Response::Distributions(Ok(list)),
            ..
        } = &mut action
        {
            for d in list.iter_mut() {
                d.arn = format!("arn:aws:cloudfront:123456789012:distribution/{}", d.id);
            }
        }
        h.act(action);
    }
    h.settle();
    assert_eq!(h.app.memory.live_account.as_deref(), Some("123456789012"));
    select(&mut h, QUIET);
    h.ch('n');
    h.typed("/index.html");
    ctrl(&mut h, 's');
    assert_eq!(h.app.mode(), Mode::Confirm);
    let screen = h.screen();
    assert!(screen.contains("account 123456789012"), "{screen}");
    assert!(!screen.contains("account distribution/"), "{screen}");
}
