//! Profiles in the app, through `update` on two simulated accounts with a manual clock:
//! switching (stale answers dropped, selection restored), the watchlist across profiles,
//! pins, confirm-by-typing, the profile form's checks and saves, the welcome screen.

use std::path::PathBuf;

use crate::common::Harness;
use cfdash::app::{Action, Effect, Mode, NoticeKind, Screen, Slot};
use cfdash::cloudfront::sim::{SimData, SimSettings};
use cfdash::config::{Config, Edit};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::SignedDuration;

fn secs(s: i64) -> SignedDuration {
    SignedDuration::from_secs(s)
}

fn e2e_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/e2e.toml")
}

/// The demo account as profile "demo", and a small other account as profile "small".
fn two_profiles() -> Harness {
    with_config(&format!(
        "default_profile = \"demo\"\n[profiles.demo]\nsimulated = true\n\
         [profiles.small]\nsimulated = true\nsim_data = \"{}\"\nsim_seed = 14\n",
        e2e_data().display()
    ))
}

/// The demo harness, with this profiles file read as at start.
fn with_config(text: &str) -> Harness {
    let mut h = Harness::demo();
    h.app.set_config(Some(&Config::parse(text).unwrap()));
    h.app.adopt_profile();
    h
}

fn ctrl(h: &mut Harness, c: char) {
    h.act(Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

/// As main starts the app with no profile: the welcome screen, nothing requested.
fn welcome() -> Harness {
    let mut h = Harness::unsettled(SimData::demo(), SimSettings::default(), 80, 24);
    h.app.profile = String::new();
    h.app.screen = Screen::Welcome;
    h.queue.clear();
    h
}

/// Moves the open switcher's selection to `name`, with the arrow keys.
fn point_at(h: &mut Harness, name: &str) {
    let at = h
        .app
        .catalog
        .profiles
        .iter()
        .position(|p| p.name == name)
        .unwrap();
    while h.app.catalog.switcher < at {
        h.key(KeyCode::Down);
    }
    while h.app.catalog.switcher > at {
        h.key(KeyCode::Up);
    }
}

/// Opens the switcher and switches to `name`.
fn switch(h: &mut Harness, name: &str) {
    h.ch('p');
    assert_eq!(h.app.mode(), Mode::Profiles);
    point_at(h, name);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.profile, name);
}

#[test]
fn switching_shows_the_other_account_and_comes_back_to_the_same_selection() {
    let mut h = two_profiles();
    for _ in 0..3 {
        h.key(KeyCode::Down);
    }
    let selected = h.selected_dist();
    h.key(KeyCode::Tab);
    h.key(KeyCode::Down);
    let inv = h.app.selected_invalidation().unwrap();

    switch(&mut h, "small");
    assert_eq!(h.app.mode(), Mode::Normal);
    assert!(
        matches!(h.seen.last(), Some(Effect::Request { .. })),
        "the new profile is listed at once"
    );
    h.settle();
    let ids: Vec<String> = h
        .app
        .session
        .distributions
        .data()
        .unwrap()
        .iter()
        .map(|d| d.id.clone())
        .collect();
    assert_eq!(ids, ["EALPHA00000001", "EBETA000000002", "EDOCS000000003"]);
    assert!(h.screen().contains("profile small"));

    switch(&mut h, "demo");
    // What it showed, at once, before any answer.
    assert_eq!(h.selected_dist(), selected);
    assert_eq!(h.app.selected_invalidation(), Some(inv));
    assert_eq!(h.app.session.focus, cfdash::app::Pane::Invalidations);
    h.settle();
    assert_eq!(h.selected_dist(), selected, "kept after the refresh");
}

#[test]
fn answers_for_the_profile_left_behind_are_dropped() {
    let mut h = two_profiles();
    h.ch('r');
    let stale: Vec<Effect> = h.queue.drain(..).collect();
    assert!(!stale.is_empty());
    let answers: Vec<Action> = stale.iter().map(|e| h.answer(e)).collect();
    let mark = h.mark();
    switch(&mut h, "small");
    let aborted = h.seen[mark..]
        .iter()
        .filter(|e| matches!(e, Effect::Abort(_)))
        .count();
    assert_eq!(
        aborted,
        stale.len(),
        "every load of the old profile is aborted"
    );
    // The demo's answers arrive late: they must not land in small's screen.
    for a in answers {
        h.act(a);
    }
    assert!(
        h.app.session.distributions.data().is_none(),
        "nothing of demo shows on small"
    );
    h.settle();
    assert_eq!(h.app.session.distributions.data().unwrap().len(), 3);
}

#[test]
fn a_watched_invalidation_keeps_being_polled_after_switching_and_rings() {
    let mut h = two_profiles();
    h.key(KeyCode::Tab);
    let rows = h.app.invalidation_rows();
    let i = rows.iter().position(|r| r.status.is_in_progress()).unwrap();
    for _ in 0..i {
        h.key(KeyCode::Down);
    }
    let key = h.app.selected_invalidation().unwrap();
    h.ch('w');
    let demo_sim = h.sim.clone();
    switch(&mut h, "small");
    h.settle();
    assert_eq!(h.app.watch.background.len(), 1);
    assert!(h.screen().contains("1 on other profiles"));
    let done = demo_sim
        .completion_time(&key.distribution, &key.id)
        .unwrap();
    let mark = h.mark();
    while h.now() < done + secs(6) {
        h.advance(secs(1));
    }
    let watches = h.seen[mark..]
        .iter()
        .filter(|e| matches!(e, Effect::Request { slot: Slot::Watch(p, k), .. } if p == "demo" && *k == key))
        .count();
    assert!(watches >= 2, "polled from the background: {watches}");
    assert_eq!(h.bells, 1);
    let notice = h.app.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Success);
    assert!(notice.text.contains(&key.id), "{}", notice.text);
    assert!(notice.text.contains("profile demo"), "{}", notice.text);
    assert!(h.app.watch.background.is_empty());
    // Back on demo, the row is Completed with how long it took.
    switch(&mut h, "demo");
    let row = h
        .app
        .session
        .invalidations
        .get(&key.distribution)
        .and_then(|d| d.list.data())
        .and_then(|l| l.iter().find(|r| r.id == key.id))
        .unwrap();
    assert!(!row.status.is_in_progress());
    assert!(h.app.session.took.contains_key(&key));
}

#[test]
fn pinned_distributions_only_unless_all_are_asked_for() {
    let mut h = with_config(
        "[profiles.demo]\nsimulated = true\ndistributions = [\"E3HB8D6PLWQ0UF\", \"docs.acme.dev\", \"nowhere.example\"]\n",
    );
    h.ch('r');
    h.settle();
    let names: Vec<String> = h
        .app
        .session
        .distributions
        .data()
        .unwrap()
        .iter()
        .map(|d| d.display_name().to_string())
        .collect();
    assert_eq!(names, ["static.acme-shop.com", "docs.acme.dev"]);
    let notice = h.app.notice.clone().unwrap();
    assert!(notice.text.contains("nowhere.example"), "{}", notice.text);
    assert!(h.screen().contains("2 pinned distributions"));
    h.ch('a');
    h.settle();
    // The demo's 13 distributions (its multi-tenant one's 5 tenants are rows too).
    let all = h.app.session.distributions.data().unwrap();
    assert_eq!(all.iter().filter(|d| d.tenant.is_none()).count(), 13);
    h.ch('a');
    h.settle();
    assert_eq!(h.app.session.distributions.data().unwrap().len(), 2);
}

#[test]
fn confirm_by_typing_asks_for_the_name() {
    let mut h = with_config("[profiles.demo]\nsimulated = true\nconfirm_by_typing = true\n");
    h.ch('n');
    h.typed("/index.html");
    ctrl(&mut h, 's');
    assert_eq!(h.app.mode(), Mode::ConfirmTyped);
    assert!(h.screen().contains("Type www.acme-shop.com"));
    // y does not confirm here: it is typed.
    h.typed("y");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.mode(),
        Mode::ConfirmTyped,
        "a wrong name does not send"
    );
    assert!(h.screen().contains("that is not the name"));
    h.key(KeyCode::Backspace);
    h.typed("WWW.acme-shop.com");
    let mark = h.mark();
    h.key(KeyCode::Enter);
    assert_eq!(h.requests_since(mark).len(), 1, "sent");
    h.settle();
    assert!(h.app.form().is_none());
}

#[test]
fn the_profile_form_checks_as_you_type_and_saves_through_the_writer() {
    let mut h = two_profiles();
    h.app.catalog.aws_profiles = vec!["default".into(), "staging-admin".into()];
    h.ch('p');
    h.ch('a');
    assert_eq!(h.app.mode(), Mode::ProfileForm);
    h.typed("small");
    let form = h.app.profile_form().unwrap();
    let checks = form.checks(&h.app.catalog.profiles, &h.app.catalog.aws_profiles);
    assert!(format!("{:?}", checks[0]).contains("already exists"));
    h.typed("er");
    h.key(KeyCode::Tab);
    ctrl(&mut h, 'n');
    ctrl(&mut h, 'n');
    h.key(KeyCode::Tab);
    h.typed("eu-west");
    let mark = h.mark();
    h.key(KeyCode::Enter);
    assert!(h.seen[mark..].is_empty(), "refused: the region is wrong");
    assert!(h.screen().contains("is not a region name"));
    h.typed("-1");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.typed("E1, www.example.com");
    h.key(KeyCode::Tab);
    h.ch(' ');
    h.key(KeyCode::Enter);
    let saves: Vec<&Effect> = h.seen[mark..]
        .iter()
        .filter(|e| matches!(e, Effect::Save(_)))
        .collect();
    assert_eq!(saves.len(), 1);
    let Effect::Save(Edit::Put { name, from, fields }) = saves[0] else {
        panic!("{saves:?}")
    };
    assert_eq!(name, "smaller");
    assert_eq!(from, &None);
    assert_eq!(fields.aws_profile.as_deref(), Some("staging-admin"));
    assert_eq!(fields.region.as_deref(), Some("eu-west-1"));
    assert_eq!(fields.distributions, ["E1", "www.example.com"]);
    assert!(fields.read_only);
    // The writer's answer closes the form and lists the profile.
    let text = "[profiles.demo]\nsimulated = true\n[profiles.small]\nsimulated = true\n[profiles.smaller]\naws_profile = \"staging-admin\"\nregion = \"eu-west-1\"\nread_only = true\n";
    h.act(Action::Saved(Ok(cfdash::config::Saved {
        config: Config::parse(text).unwrap(),
        text: text.into(),
        reloaded: true,
        cleared_default: None,
    })));
    assert_eq!(h.app.mode(), Mode::Profiles);
    assert!(h.app.catalog.profiles.iter().any(|p| p.name == "smaller"));
    let notice = h.app.notice.clone().unwrap();
    assert!(
        notice.text.contains("added profile smaller"),
        "{}",
        notice.text
    );
    assert!(notice.text.contains("changed on disk"), "{}", notice.text);
    // A refused save keeps the form and says why.
    h.ch('e');
    h.key(KeyCode::Enter);
    h.act(Action::Saved(Err("cannot save: disk full".into())));
    assert_eq!(h.app.mode(), Mode::ProfileForm);
    assert!(h.screen().contains("disk full"));
}

#[test]
fn esc_on_an_unchanged_profile_form_closes_it_at_once() {
    let mut h = two_profiles();
    h.ch('p');
    point_at(&mut h, "small");
    h.ch('e');
    assert_eq!(h.app.mode(), Mode::ProfileForm);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::Profiles);
    // Typed and taken away again: nothing changed, nothing asked.
    h.ch('a');
    h.typed("x");
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Tab);
    h.typed("  ");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::Profiles);
}

#[test]
fn esc_on_a_changed_profile_form_asks_before_discarding() {
    let mut h = two_profiles();
    h.ch('p');
    point_at(&mut h, "small");
    h.ch('e');
    h.key(KeyCode::Tab);
    h.typed("prod-admin");
    let mark = h.mark();
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::DiscardProfile);
    let screen = h.screen();
    assert!(
        screen.contains("Discard the changes to the profile small?"),
        "{screen}"
    );
    // n keeps editing, with the text and the focus as they were; so does Esc.
    h.ch('n');
    assert_eq!(h.app.mode(), Mode::ProfileForm);
    let form = h.app.profile_form().unwrap();
    assert_eq!(form.fields().aws_profile.as_deref(), Some("prod-admin"));
    assert_eq!(form.focus, 1);
    h.typed("2");
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::ProfileForm);
    assert_eq!(
        h.app
            .profile_form()
            .unwrap()
            .fields()
            .aws_profile
            .as_deref(),
        Some("prod-admin2"),
        "letters do not type while it asks"
    );
    // y discards: back to the switcher, nothing saved.
    h.key(KeyCode::Esc);
    h.ch('y');
    assert_eq!(h.app.mode(), Mode::Profiles);
    assert!(h.app.profile_form().is_none());
    assert!(!h.seen[mark..].iter().any(|e| matches!(e, Effect::Save(_))));
    // A box ticked is a change too; C-c quits from the question.
    h.ch('a');
    while !h.app.profile_form().unwrap().typing() {
        h.key(KeyCode::Tab);
    }
    while h.app.profile_form().unwrap().typing() {
        h.key(KeyCode::Tab);
    }
    h.ch(' ');
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::DiscardProfile);
    let quit = h.act(Action::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(quit.quit);
}

#[test]
fn discarding_a_new_profile_from_the_welcome_screen_goes_back_to_it() {
    let mut h = welcome();
    h.ch('c');
    h.typed("prod");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::DiscardProfile);
    assert!(h.screen().contains("Discard the new profile?"));
    h.ch('y');
    assert_eq!(h.app.mode(), Mode::Welcome);
}

#[test]
fn deleting_asks_and_the_open_profile_cannot_be_deleted() {
    let mut h = two_profiles();
    h.ch('p');
    // demo is open: refused.
    point_at(&mut h, "demo");
    h.ch('d');
    assert_eq!(h.app.mode(), Mode::Profiles);
    assert!(
        h.app
            .notice
            .clone()
            .unwrap()
            .text
            .contains("switch to another")
    );
    point_at(&mut h, "small");
    h.ch('d');
    assert_eq!(h.app.mode(), Mode::DeleteProfile);
    let mark = h.mark();
    h.ch('y');
    assert_eq!(h.seen[mark..], [Effect::Save(Edit::Remove("small".into()))]);
}

#[test]
fn a_file_that_could_not_be_read_turns_editing_off() {
    let mut h = two_profiles();
    h.app.catalog.config_error = Some("config.toml: line 3, column 1: duplicate key".into());
    h.ch('p');
    h.ch('a');
    assert_eq!(h.app.mode(), Mode::Profiles, "no form");
    assert!(
        h.app
            .notice
            .clone()
            .unwrap()
            .text
            .contains("editing is off")
    );
    h.ch('s');
    assert!(!h.seen.iter().any(|e| matches!(e, Effect::Save(_))));
}

#[test]
fn the_welcome_screen_offers_a_profile_or_the_demo() {
    let mut h = welcome();
    h.app.catalog.config_path = "/home/op/.config/cfdash/config.toml".into();
    h.act(Action::Tick);
    assert!(h.queue.is_empty(), "no profile, no requests");
    let screen = h.screen();
    assert!(screen.contains("No profiles yet"), "{screen}");
    assert!(screen.contains("create a profile"), "{screen}");
    h.ch('c');
    assert_eq!(h.app.mode(), Mode::ProfileForm);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::Welcome);
    h.ch('d');
    assert_eq!(h.app.profile, "demo");
    assert!(h.seen.iter().any(
        |e| matches!(e, Effect::UseProfile { name, profile } if name == "demo" && profile.simulated)
    ));
    h.settle();
    // The demo's 13 distributions (its multi-tenant one's 5 tenants are rows too).
    let all = h.app.session.distributions.data().unwrap();
    assert_eq!(all.iter().filter(|d| d.tenant.is_none()).count(), 13);
}

#[test]
fn a_fixed_file_read_again_from_the_welcome_screen_offers_its_profiles() {
    let mut h = welcome();
    h.app.catalog.config_error = Some("config.toml: line 1, column 1: …".into());
    let mark = h.mark();
    h.ch('r');
    assert_eq!(h.seen[mark..], [Effect::ReloadConfig]);
    let text = format!(
        "[profiles.small]\nsimulated = true\nsim_data = \"{}\"\n",
        e2e_data().display()
    );
    h.act(Action::ConfigLoaded(Ok(Some((
        Config::parse(&text).unwrap(),
        text.clone(),
    )))));
    assert!(h.app.catalog.config_error.is_none());
    assert_eq!(h.app.mode(), Mode::Profiles);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.profile, "small");
    h.settle();
    assert_eq!(h.app.session.distributions.data().unwrap().len(), 3);
}

#[test]
fn deleting_the_default_says_there_is_no_default_now() {
    let mut h = with_config(&format!(
        "default_profile = \"small\"\n[profiles.demo]\nsimulated = true\n\
         [profiles.small]\nsimulated = true\nsim_data = \"{}\"\n[profiles.other]\nsimulated = true\n",
        e2e_data().display()
    ));
    h.ch('p');
    point_at(&mut h, "small");
    h.ch('d');
    let mark = h.mark();
    h.ch('y');
    assert_eq!(h.seen[mark..], [Effect::Save(Edit::Remove("small".into()))]);
    let text = "[profiles.demo]\nsimulated = true\n[profiles.other]\nsimulated = true\n";
    h.act(Action::Saved(Ok(cfdash::config::Saved {
        config: Config::parse(text).unwrap(),
        text: text.into(),
        reloaded: false,
        cleared_default: Some("small".into()),
    })));
    assert_eq!(h.app.catalog.default_profile, None);
    let notice = h.app.notice.clone().unwrap();
    assert_eq!(
        notice.text,
        "deleted profile small; it was the default, so there is no default profile now (s makes one the default)"
    );
}

#[test]
fn several_profiles_and_no_default_open_the_switcher() {
    let mut h = welcome();
    h.app.set_config(Some(
        &Config::parse("[profiles.a]\nsimulated = true\n[profiles.b]\nsimulated = true\n").unwrap(),
    ));
    h.app.start_without_profile();
    assert_eq!(h.app.mode(), Mode::Profiles);
    assert!(h.screen().contains("choose one"), "{}", h.screen());
    h.key(KeyCode::Enter);
    assert_eq!(h.app.profile, "a");
    // No file: the welcome screen, as before.
    let mut h = welcome();
    h.app.start_without_profile();
    assert_eq!(h.app.mode(), Mode::Welcome);
}

#[test]
fn a_profiles_file_others_can_write_is_warned_about_in_the_status_bar() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("cfdash-profiles-writable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let path = dir.join("c.toml");
    std::fs::write(&path, "[profiles.demo]\nsimulated = true\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o622)).unwrap();
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 160, 24);
    h.app.catalog.config_path = path.clone();
    h.app.warn_if_writable();
    let notice = h.app.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Error);
    assert!(
        notice.text.starts_with(&format!(
            "warning: {} is writable by group and others",
            path.display()
        )),
        "{}",
        notice.text
    );
    assert!(
        notice
            .text
            .ends_with(&format!("chmod go-w {}", path.display()))
    );
    assert!(
        h.screen().contains("is writable by group and others"),
        "{}",
        h.screen()
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut h = Harness::demo();
    h.app.catalog.config_path = path;
    h.app.warn_if_writable();
    assert!(h.app.notice.is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_profile_form_refuses_credentials_in_the_endpoint_url() {
    let mut h = two_profiles();
    h.ch('p');
    h.ch('a');
    h.typed("mine");
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.typed("https://EXAMPLEKEYID:examplesecret@cf.example.com");
    let form = h.app.profile_form().unwrap();
    let checks = form.checks(&h.app.catalog.profiles, &h.app.catalog.aws_profiles);
    assert!(
        format!("{:?}", checks[3]).contains("user name or password"),
        "{checks:?}"
    );
    let mark = h.mark();
    h.key(KeyCode::Enter);
    assert!(h.seen[mark..].is_empty(), "refused: no save");
}

#[test]
fn the_longest_intervals_allowed_do_not_panic() {
    let mut h = with_config(
        "[ui]\nrefresh_secs = 86400\npoll_secs = 3600\n[profiles.demo]\nsimulated = true\n",
    );
    h.key(KeyCode::Tab);
    h.advance(secs(3600));
    h.advance(secs(86400));
    assert!(h.app.session.distributions.data().is_some());
}

#[test]
fn a_profile_opened_for_the_first_time_asks_the_journal_for_its_last_known_state_once() {
    use cfdash::app::memory::JournalOp;
    let mut h = two_profiles();
    h.app.memory.enabled = true;
    h.app.memory.asked.insert("demo".into());
    let restores = |h: &Harness, mark: usize| -> Vec<Effect> {
        h.seen[mark..]
            .iter()
            .filter(|e| matches!(e, Effect::Journal(JournalOp::Restore { .. })))
            .cloned()
            .collect()
    };
    let mark = h.mark();
    switch(&mut h, "small");
    let limit = h.app.settings.list_limit;
    assert_eq!(
        restores(&h, mark),
        vec![Effect::Journal(JournalOp::Restore {
            profile: "small".into(),
            limit
        })],
        "as many invalidations a distribution as a listing shows"
    );
    let mark = h.mark();
    switch(&mut h, "demo");
    switch(&mut h, "small");
    assert!(restores(&h, mark).is_empty(), "asked once a run");
}
