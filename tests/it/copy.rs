//! Copy (`y`), open (`o`) and desktop notifications, on the simulator: what reaches the
//! clipboard, the browser and the desktop, and what the status bar says.

use crate::common::Harness;
use crate::common::serve::{SimServe, emulator_profile};
use cfdash::app::{Effect, Mode, NoticeKind, Request, Slot};
use crossterm::event::KeyCode;
use jiff::SignedDuration;

#[test]
fn y_copies_the_distributions_id_arn_and_commands() {
    let mut h = Harness::demo();
    let d = h.app.selected_distribution().unwrap().clone();
    h.ch('y');
    assert_eq!(h.app.mode(), Mode::Copy);
    let screen = h.screen();
    assert!(screen.contains("the distribution's ARN"), "{screen}");
    h.ch('a');
    assert_eq!(h.app.mode(), Mode::Normal);
    assert_eq!(h.clipboard.len(), 1);
    assert_eq!(h.clipboard[0], d.arn);
    assert!(
        h.notice_text().contains("copied the distribution's ARN"),
        "{}",
        h.notice_text()
    );

    // Enter copies the line under the cursor: the first is the id.
    h.ch('y');
    h.key(KeyCode::Enter);
    assert_eq!(h.clipboard.last().unwrap(), &d.id);

    h.ch('y');
    h.ch('c');
    assert_eq!(
        h.clipboard.last().unwrap(),
        &format!("cfdash --profile demo invalidations -d {}", d.id)
    );
    h.ch('y');
    h.ch('w');
    assert_eq!(
        h.clipboard.last().unwrap(),
        &format!(
            "aws cloudfront list-invalidations --region us-east-1 --distribution-id {}",
            d.id
        )
    );
}

#[test]
fn esc_and_unknown_letters_copy_nothing() {
    let mut h = Harness::demo();
    h.ch('y');
    h.ch('z');
    assert_eq!(
        h.app.mode(),
        Mode::Copy,
        "a letter that names nothing keeps the menu"
    );
    h.key(KeyCode::Down);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode(), Mode::Normal);
    assert!(h.clipboard.is_empty());
}

#[test]
fn y_p_copies_an_invalidations_paths_asking_for_them_when_not_known() {
    let mut h = Harness::demo();
    h.key(KeyCode::Tab);
    let key = h.app.selected_invalidation().unwrap();
    h.ch('y');
    let mark = h.mark();
    h.ch('p');
    let asked: Vec<_> = h.requests_since(mark);
    assert!(
        asked.iter().any(|e| matches!(e,
            Effect::Request { slot: Slot::Clipboard, request: Request::GetInvalidation(k), .. } if *k == key)),
        "{asked:?}"
    );
    assert!(h.clipboard.is_empty(), "nothing copied before the answer");
    h.settle();
    let paths = h
        .app
        .session
        .details
        .get(&key)
        .and_then(|d| d.data())
        .map(|inv| inv.paths.join("\n"));
    let copied = h.clipboard.last().expect("copied once answered").clone();
    if let Some(paths) = paths {
        assert_eq!(copied, paths);
    }
    assert!(copied.starts_with('/'), "{copied}");
    assert!(h.notice_text().contains("copied the invalidation's paths"));

    // The id and the aws command of the invalidation.
    h.ch('y');
    h.ch('w');
    assert_eq!(
        h.clipboard.last().unwrap(),
        &format!(
            "aws cloudfront get-invalidation --region us-east-1 --distribution-id {} --id {}",
            key.distribution, key.id
        )
    );
}

#[test]
fn the_aws_command_names_the_profiles_aws_profile_and_endpoint() {
    let mut h = Harness::demo();
    let text = "default_profile = \"demo\"\n\
        [profiles.demo]\nsimulated = true\n\
        [profiles.emu]\nendpoint_url = \"http://127.0.0.1:5000\"\naws_profile = \"it's\"\n";
    h.app
        .set_config(Some(&cfdash::config::Config::parse(text).unwrap()));
    h.app.profile = "emu".into();
    h.ch('y');
    h.ch('w');
    let copied = h.clipboard.last().unwrap();
    assert!(
        copied.contains(" --profile 'it'\\''s' --endpoint-url http://127.0.0.1:5000 "),
        "{copied}"
    );
    h.ch('y');
    h.ch('c');
    assert!(
        h.clipboard
            .last()
            .unwrap()
            .starts_with("cfdash --profile emu ")
    );
}

#[test]
fn o_opens_the_console_page_or_says_why_not() {
    let mut h = Harness::demo();
    let text = "default_profile = \"demo\"\n[profiles.demo]\nsimulated = true\n";
    h.app
        .set_config(Some(&cfdash::config::Config::parse(text).unwrap()));
    // The demo has no console.
    h.ch('o');
    assert!(h.opened.is_empty());
    assert!(h.notice_text().contains("simulated"), "{}", h.notice_text());

    // A real account's profile.
    let text = "default_profile = \"prod\"\n[profiles.prod]\naws_profile = \"p\"\n";
    h.app
        .set_config(Some(&cfdash::config::Config::parse(text).unwrap()));
    h.app.profile = "prod".into();
    let id = h.selected_dist();
    let url =
        format!("https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/{id}");
    h.ch('o');
    assert!(h.opened.is_empty(), "no xdg-open: nothing spawned");
    assert!(h.notice_text().contains(&url), "{}", h.notice_text());
    assert_eq!(
        h.app.notice.as_ref().unwrap().link.as_deref(),
        Some(url.as_str())
    );

    h.app.opener = true;
    h.key(KeyCode::Tab);
    let key = h.app.selected_invalidation().unwrap();
    h.ch('o');
    assert_eq!(
        h.opened,
        [format!("{url}/invalidations/details/{}", key.id)]
    );
    assert!(h.notice_text().starts_with("opening in the browser"));
}

#[test]
fn too_much_for_the_clipboard_is_refused_with_a_reason() {
    let mut h = Harness::demo();
    let mut fx = Vec::new();
    h.app.copy("the paths", "/a".repeat(50_000), &mut fx);
    assert!(fx.is_empty(), "{fx:?}");
    let n = h.app.notice.as_ref().unwrap();
    assert_eq!(n.kind, NoticeKind::Error);
    assert!(n.text.contains("100 KB"), "{}", n.text);
}

#[test]
fn desktop_notifications_follow_the_ui_setting() {
    for on in [false, true] {
        let mut h = Harness::demo();
        let text = format!(
            "default_profile = \"demo\"\n[ui]\ndesktop_notifications = {on}\n[profiles.demo]\nsimulated = true\n"
        );
        h.app
            .set_config(Some(&cfdash::config::Config::parse(&text).unwrap()));
        h.key(KeyCode::Tab);
        let rows = h.app.invalidation_rows().to_vec();
        let row = rows.iter().position(|r| r.status.is_in_progress()).unwrap();
        for _ in 0..row {
            h.ch('j');
        }
        let key = h.app.selected_invalidation().unwrap();
        h.ch('w');
        let done = h.sim.completion_time(&key.distribution, &key.id).unwrap();
        h.clock.set(done);
        h.advance(SignedDuration::from_secs(5));
        assert_eq!(h.bells, 1);
        if on {
            assert_eq!(h.desktop.len(), 1, "{:?}", h.desktop);
            assert!(h.desktop[0].contains(&key.id), "{:?}", h.desktop);
        } else {
            assert!(h.desktop.is_empty(), "{:?}", h.desktop);
        }
    }
}

#[test]
fn copied_commands_run_as_they_are() {
    // The built-in demo: `--demo`, and no aws command (the aws CLI cannot reach it).
    let mut h = Harness::demo();
    h.app.add_builtin(
        "demo",
        cfdash::config::Profile {
            simulated: true,
            sim_seed: Some(7),
            ..Default::default()
        },
    );
    h.ch('y');
    let choices = h.app.copy_choices();
    assert!(choices.iter().all(|c| c.key != 'w'), "{choices:?}");
    h.ch('c');
    let id = h.selected_dist();
    assert_eq!(
        h.clipboard.last().unwrap(),
        &format!("cfdash --demo --sim-seed 7 invalidations -d {id}")
    );

    // A profile whose name starts with "-" would read as an option after --profile.
    let text = "default_profile = \"-x\"\n[profiles.\"-x\"]\naws_profile = \"p\"\n";
    h.app
        .set_config(Some(&cfdash::config::Config::parse(text).unwrap()));
    h.app.profile = "-x".into();
    h.ch('y');
    h.ch('c');
    assert_eq!(
        h.clipboard.last().unwrap(),
        &format!("cfdash --profile=-x invalidations -d {id}")
    );
}

/// What `y` copies for the selection (the `c`ommand, the `w` aws one).
fn copied(h: &mut Harness, letter: char) -> String {
    h.ch('y');
    h.ch(letter);
    h.clipboard.last().unwrap().clone()
}

/// `command` pasted into a shell of a machine with none of cfdash's or the aws CLI's
/// settings: no profiles file in its default place, no region, dummy keys only. `cfdash`
/// is the binary under test.
fn pasted(command: &str, home: &std::path::Path) -> std::process::Output {
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let _ = std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_cfdash"), bin.join("cfdash"));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(home)
        .env("PATH", path)
        .env("HOME", home)
        .env("CFDASH_JOURNAL", crate::common::run_journal())
        .env("CFDASH_LOG_FILE", home.join("cfdash.log"))
        .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("no-aws-credentials"),
        )
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("CFDASH_CONFIG")
        .env_remove("CFDASH_PROFILE")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_CLOUDFRONT")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[track_caller]
fn assert_ran(o: &std::process::Output, command: &str, shows: &str) {
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(
        o.status.success(),
        "{command}: {:?}\n{out}\n{err}",
        o.status
    );
    assert!(out.contains(shows), "{command}: {out}");
}

/// A profile of a profiles file the app was given with `--config` (in a folder whose name
/// needs quoting), reaching `cfdash sim serve`: the copied `cfdash status …`,
/// `cfdash invalidations …` and `aws cloudfront …` commands run as they are, by the real
/// binary and the aws CLI, in a shell that has neither that file nor a region.
#[test]
fn copied_commands_of_a_profile_in_another_profiles_file_run_as_they_are() {
    let sim = SimServe::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("it's profiles");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cfdash.toml");
    emulator_profile(&file, "simserve", &sim.url, "");
    let text = std::fs::read_to_string(&file).unwrap();

    // The app as `cfdash --config FILE` runs it, on the same (seeded) account.
    let mut h = Harness::demo();
    h.app
        .set_config(Some(&cfdash::config::Config::parse(&text).unwrap()));
    h.app.catalog.config_path = file.clone();
    h.app.profile = "simserve".into();
    let dist = h.selected_dist();

    let command = copied(&mut h, 'c');
    assert_ran(&pasted(&command, home.path()), &command, "");
    assert!(command.starts_with("cfdash --config "), "{command}");
    let command = copied(&mut h, 'w');
    assert_ran(&pasted(&command, home.path()), &command, "InvalidationList");
    assert!(command.contains(" --region us-east-1"), "{command}");

    h.key(KeyCode::Tab);
    let key = h.app.selected_invalidation().unwrap();
    let command = copied(&mut h, 'c');
    assert_eq!(
        command,
        format!(
            "cfdash --config '{}' --profile simserve status -d {dist} {}",
            file.display().to_string().replace('\'', "'\\''"),
            key.id
        )
    );
    assert_ran(&pasted(&command, home.path()), &command, &key.id);
    let command = copied(&mut h, 'w');
    assert_eq!(
        command,
        format!(
            "aws cloudfront get-invalidation --endpoint-url {} --region us-east-1 --distribution-id {dist} --id {}",
            sim.url, key.id
        )
    );
    assert_ran(&pasted(&command, home.path()), &command, &key.id);

    // The default profiles file needs no --config.
    h.app.catalog.config_path = cfdash::config::default_path();
    assert!(copied(&mut h, 'c').starts_with("cfdash --profile simserve status "));
}

/// The aws command names the profile's region, else CloudFront's own, us-east-1.
#[test]
fn the_aws_command_names_a_region() {
    let mut h = Harness::demo();
    let text = "default_profile = \"demo\"\n\
        [profiles.demo]\nsimulated = true\n\
        [profiles.prod]\naws_profile = \"p\"\n\
        [profiles.eu]\nregion = \"eu-west-1\"\n";
    h.app
        .set_config(Some(&cfdash::config::Config::parse(text).unwrap()));
    h.app.profile = "prod".into();
    let id = h.selected_dist();
    assert_eq!(
        copied(&mut h, 'w'),
        format!(
            "aws cloudfront list-invalidations --profile p --region us-east-1 --distribution-id {id}"
        )
    );
    h.app.profile = "eu".into();
    assert!(copied(&mut h, 'w').contains(" --region eu-west-1 "));
}

#[test]
fn o_refuses_when_the_environment_sends_the_profile_to_an_emulator() {
    let mut h = Harness::demo();
    let text = "default_profile = \"prod\"\n[profiles.prod]\nregion = \"us-east-1\"\n";
    h.app
        .set_config(Some(&cfdash::config::Config::parse(text).unwrap()));
    h.app.profile = "prod".into();
    h.app.opener = true;
    h.app.env_endpoint = true;
    h.ch('o');
    assert!(h.opened.is_empty());
    assert!(
        h.notice_text().contains("an emulator's"),
        "{}",
        h.notice_text()
    );
}
