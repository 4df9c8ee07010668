//! The profiles file: every error names its line and column and says what to fix; saves keep
//! comments and order, are atomic and private, never overwrite a file cfdash could not
//! read, and never lose a change made on disk meanwhile.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use cfdash::config::{Config, Edit, ProfileFields, Store};

/// The files of a folder, but the lock file every edit leaves beside the config.
fn files_but_the_lock(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    names.sort();
    names
}

fn add(name: &str) -> Edit {
    Edit::Put {
        name: name.into(),
        from: None,
        fields: ProfileFields {
            aws_profile: Some(format!("aws-{name}")),
            ..Default::default()
        },
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cfdash-config-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const FILE: &str = r#"# My accounts. Keep this comment.
default_profile = "staging"

# The staging account
[profiles.staging]
aws_profile = "staging-admin" # via SSO
region = "us-east-1"

[profiles.staging.presets]
homepage = ["/", "/index.html"]

[profiles.prod]
# careful
aws_profile = "prod-admin"
read_only = true
"#;

fn error(text: &str) -> String {
    Config::parse(text).unwrap_err().to_string()
}

#[test]
fn every_error_says_where_and_what_to_do() {
    let e = error("[profiles.a]\nregoin = \"us-east-1\"\n");
    assert_eq!(
        e,
        "line 2, column 1: unknown key regoin in [profiles.a] (did you mean region?); the keys are: aws_profile, region, endpoint_url, allow_insecure_endpoint, distributions, simulated, sim_seed, sim_data, read_only, confirm_by_typing, requests_per_minute, burst, presets"
    );
    let e = error("[profiles.a]\naws_secret_access_key = \"AKIA...\"\n");
    assert!(
        e.starts_with("line 2, column 1: aws_secret_access_key looks like a secret"),
        "{e}"
    );
    assert!(e.contains("~/.aws/credentials") && e.contains("SSO"), "{e}");
    for key in ["aws_session_token", "secret", "password"] {
        let e = error(&format!("[profiles.a]\n{key} = \"x\"\n"));
        assert!(e.contains("looks like a secret"), "{key}: {e}");
    }
    let e = error("default_profile = \"x\"\n[profiles.a]\nread_only = \"yes\"\n");
    assert_eq!(
        e,
        "line 3, column 13: read_only in [profiles.a] must be true or false"
    );
    let e = error("default_profile = \"nope\"\n\n[profiles.a]\n[profiles.b]\n");
    assert!(
        e.starts_with("line 1, column 19: default_profile is \"nope\""),
        "{e}"
    );
    assert!(e.contains("(profiles: a, b)"), "{e}");
    let e = error("[profiles.a]\nregion = \"x\"\n[profiles.a]\n");
    assert!(e.starts_with("line 3, column 11: duplicate"), "{e}");
    assert!(e.contains("remove or rename one"), "{e}");
    let e = error("[profiles.a]\nregion = \n");
    assert!(e.starts_with("line 2, column 10: "), "{e}");
    let e = error("[profiles.a]\nregion = \"useast\"\n");
    assert!(
        e.starts_with("line 2, column 10: \"useast\" is not a region name"),
        "{e}"
    );
    let e = error("[profiles.\"my prod\"]\n");
    assert!(e.contains("letters, digits"), "{e}");
    let e = error("[profiles.a.presets]\nhome = \"/\"\n");
    assert!(e.contains("must be a list of paths"), "{e}");
    let e = error("colour = 1\n");
    assert!(e.contains("unknown key colour in the top level;"), "{e}");
}

#[test]
fn a_save_keeps_comments_and_order() {
    let dir = temp_dir("roundtrip");
    let path = dir.join("config.toml");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&path, FILE).unwrap();
    let mut store = Store::new(path.clone(), Some(FILE.to_string()));
    let mut fields = ProfileFields::of(&Config::parse(FILE).unwrap().profiles["staging"]);
    fields.region = Some("eu-west-1".into());
    let saved = store
        .apply(&Edit::Put {
            name: "staging".into(),
            from: Some("staging".into()),
            fields,
        })
        .unwrap();
    assert!(!saved.reloaded);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        FILE.replace("us-east-1", "eu-west-1"),
        "only the value changed"
    );

    // A new profile goes at the end; the default moves; comments stay.
    store
        .apply(&Edit::Put {
            name: "demo".into(),
            from: None,
            fields: ProfileFields {
                simulated: true,
                ..Default::default()
            },
        })
        .unwrap();
    store.apply(&Edit::SetDefault("demo".into())).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# My accounts. Keep this comment.\ndefault_profile = \"demo\"\n"));
    assert!(text.contains("# careful") && text.contains("# via SSO"));
    assert!(
        text.ends_with("[profiles.demo]\nsimulated = true\n"),
        "{text}"
    );
    let c = Config::parse(&text).unwrap();
    assert!(c.profiles["demo"].simulated);

    // Renaming keeps the table's place and its presets, and follows the default.
    store
        .apply(&Edit::Put {
            name: "stage".into(),
            from: Some("staging".into()),
            fields: ProfileFields::of(&c.profiles["staging"]),
        })
        .unwrap();
    store.apply(&Edit::SetDefault("stage".into())).unwrap();
    store.apply(&Edit::Remove("demo".into())).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let c = Config::parse(&text).unwrap();
    assert_eq!(c.default_profile.as_deref(), Some("stage"));
    assert_eq!(
        c.profiles["stage"].presets["homepage"],
        vec!["/", "/index.html"]
    );
    assert!(text.find("[profiles.stage]").unwrap() < text.find("[profiles.prod]").unwrap());
    assert!(!text.contains("demo"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_new_file_and_folder_are_private() {
    let dir = temp_dir("perms");
    let path = dir.join("nested/config.toml");
    let mut store = Store::new(path.clone(), None);
    store
        .apply(&Edit::Put {
            name: "first".into(),
            from: None,
            fields: ProfileFields {
                aws_profile: Some("default".into()),
                ..Default::default()
            },
        })
        .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "[profiles.first]\naws_profile = \"default\"\n"
    );
    // No temporary file is left behind; the lock file is private too.
    assert_eq!(files_but_the_lock(path.parent().unwrap()), ["config.toml"]);
    assert_eq!(mode(&dir.join("nested/.config.toml.lock")), 0o600);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_that_cannot_be_read_is_never_overwritten() {
    let dir = temp_dir("broken");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    let broken = "[profiles.a\nregion = \"us-east-1\"\n";
    std::fs::write(&path, broken).unwrap();
    let mut store = Store::new(path.clone(), None);
    let err = store.apply(&Edit::SetDefault("a".into())).unwrap_err();
    assert!(err.contains("will not overwrite"), "{err}");
    assert!(err.contains("line 1"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), broken.as_bytes());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_config_that_is_endless_or_huge_is_refused_at_once_and_never_overwritten() {
    let dir = temp_dir("endless");
    std::fs::create_dir_all(&dir).unwrap();
    // A link to /dev/zero where the file should be: refused before it is read, and nothing
    // is created beside the device.
    let path = dir.join("config.toml");
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let err = Config::load(&path).unwrap_err();
    assert!(err.contains("is not a regular file"), "{err}");
    let mut store = Store::new(path.clone(), None);
    let err = store.apply(&add("a")).unwrap_err();
    assert!(err.contains("is not a regular file"), "{err}");
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!Path::new("/dev/.zero.lock").exists());
    // A big regular file is read up to the cap, refused, and left as it was.
    let big = dir.join("big.toml");
    let text = format!("# {}\n", "x".repeat(5 << 20));
    std::fs::write(&big, &text).unwrap();
    let err = Config::load(&big).unwrap_err();
    assert!(err.contains("larger than 4 MiB"), "{err}");
    let mut store = Store::new(big.clone(), None);
    assert!(store.apply(&add("a")).is_err());
    assert_eq!(std::fs::read_to_string(&big).unwrap(), text);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_change_made_on_disk_meanwhile_is_kept() {
    let dir = temp_dir("concurrent");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, FILE).unwrap();
    let mut store = Store::new(path.clone(), Some(FILE.to_string()));
    // Someone (an editor, another cfdash) adds a profile and a comment.
    let theirs = format!("{FILE}\n# added by hand\n[profiles.hand]\nregion = \"eu-west-1\"\n");
    std::fs::write(&path, &theirs).unwrap();
    let saved = store.apply(&Edit::SetDefault("prod".into())).unwrap();
    assert!(saved.reloaded, "the change on disk was noticed");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("# added by hand\n[profiles.hand]"),
        "theirs kept: {text}"
    );
    assert!(
        text.contains("default_profile = \"prod\""),
        "ours applied: {text}"
    );
    // An edit that no longer makes sense is refused, not forced.
    std::fs::write(
        &path,
        FILE.replace("[profiles.prod]", "[profiles.production]"),
    )
    .unwrap();
    let err = store.apply(&Edit::Remove("prod".into())).unwrap_err();
    assert!(
        err.contains("no profile prod") && err.contains("changed on disk"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_crash_during_a_save_leaves_the_old_file() {
    let dir = temp_dir("crash");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, FILE).unwrap();
    let mut store = Store::new(path.clone(), Some(FILE.to_string()));
    let err = store
        .apply_with(&Edit::Remove("prod".into()), true)
        .unwrap_err();
    assert!(err.contains("cannot save"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FILE);
    assert_eq!(
        files_but_the_lock(&dir),
        ["config.toml"],
        "the temporary file is cleaned up"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stores_on_several_threads_lose_no_edit() {
    // The app's writer and commands in other processes at once: each holds the lock around
    // read, edit and write, so every add is kept, and what each save reports is on disk.
    let dir = temp_dir("threads");
    let path = dir.join("config.toml");
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::new(path, None);
                let mut mine = Vec::new();
                for i in 0..5 {
                    let name = format!("t{t}p{i}");
                    let saved = store.apply(&add(&name)).unwrap();
                    mine.push(name);
                    for n in &mine {
                        assert!(saved.config.profiles.contains_key(n), "{n} lost");
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let c = Config::load(&path).unwrap().unwrap();
    assert_eq!(c.profiles.len(), 30, "{:?}", c.profiles.keys());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_link_planted_where_the_temporary_file_goes_is_not_followed() {
    let dir = temp_dir("temp-link");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, FILE).unwrap();
    let victim = dir.join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    // The name cfdash used to write through: a guess anyone could make.
    let planted = dir.join(format!(".config.toml.{}.tmp", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let mut store = Store::new(path.clone(), Some(FILE.to_string()));
    store.apply(&Edit::SetDefault("prod".into())).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let meta = std::fs::symlink_metadata(&path).unwrap();
    assert!(meta.file_type().is_file(), "config.toml is a file");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("default_profile = \"prod\"")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_linked_config_stays_a_link_and_its_target_is_edited() {
    let dir = temp_dir("link");
    let dotfiles = dir.join("dotfiles");
    let home = dir.join("home");
    std::fs::create_dir_all(&dotfiles).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let target = dotfiles.join("cfdash.toml");
    std::fs::write(&target, FILE).unwrap();
    // A chain: home/config.toml -> home/via.toml -> ../dotfiles/cfdash.toml (relative).
    std::os::unix::fs::symlink("../dotfiles/cfdash.toml", home.join("via.toml")).unwrap();
    std::os::unix::fs::symlink("via.toml", home.join("config.toml")).unwrap();
    let path = home.join("config.toml");
    let mut store = Store::new(path.clone(), Some(FILE.to_string()));
    store.apply(&Edit::SetDefault("prod".into())).unwrap();
    for link in ["config.toml", "via.toml"] {
        let meta = std::fs::symlink_metadata(home.join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} is still a link");
    }
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("default_profile = \"prod\""), "{text}");
    assert!(text.contains("# careful"), "{text}");
    // The lock and the temporary file live beside the target, and nothing is left in home.
    assert!(dotfiles.join(".cfdash.toml.lock").exists());
    assert_eq!(files_but_the_lock(&dotfiles), ["cfdash.toml"]);
    assert_eq!(files_but_the_lock(&home), ["config.toml", "via.toml"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_link_planted_as_the_lock_file_is_refused_and_clobbers_nothing() {
    let dir = temp_dir("lock-link");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, FILE).unwrap();
    let victim = dir.join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join(".config.toml.lock")).unwrap();
    let mut store = Store::new(path.clone(), Some(FILE.to_string()));
    let err = store.apply(&Edit::SetDefault("prod".into())).unwrap_err();
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FILE);
    // A dangling one creates nothing either.
    std::fs::remove_file(dir.join(".config.toml.lock")).unwrap();
    let nowhere = dir.join("created-by-cfdash");
    std::os::unix::fs::symlink(&nowhere, dir.join(".config.toml.lock")).unwrap();
    assert!(store.apply(&Edit::SetDefault("prod".into())).is_err());
    assert!(!nowhere.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_byte_order_mark_is_read_past() {
    let dir = temp_dir("bom");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, format!("\u{feff}{FILE}")).unwrap();
    let c = Config::load(&path).unwrap().unwrap();
    assert_eq!(c.default_profile.as_deref(), Some("staging"));
    let mut store = Store::new(path.clone(), None);
    store.apply(&Edit::SetDefault("prod".into())).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, FILE.replace("\"staging\"\n\n#", "\"prod\"\n\n#"));
    // An error still names the right line and column past the mark.
    let e = Config::parse("\u{feff}[profiles.a]\nregoin = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("line 2, column 1: unknown key regoin"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn intervals_out_of_range_are_refused_where_they_are() {
    let e = error("[ui]\nrefresh_secs = 300000000000\n");
    assert_eq!(
        e,
        "line 2, column 16: refresh_secs in [ui] is 300000000000: it must be from 0 to 86400 seconds (a day; below 5 counts as 5)"
    );
    let e = error("[ui]\nrefresh_secs = 30\npoll_secs = 3601\n");
    assert_eq!(
        e,
        "line 3, column 13: poll_secs in [ui] is 3601: it must be from 0 to 3600 seconds (an hour; below 2 counts as 2)"
    );
    let c = Config::parse("[ui]\nrefresh_secs = 86400\npoll_secs = 0\n").unwrap();
    assert_eq!(c.ui.refresh_secs, Some(86400));
}

#[test]
fn credentials_in_an_endpoint_url_are_refused_and_not_repeated() {
    for url in [
        "https://EXAMPLEKEYID:examplesecret@cloudfront.example.com",
        "http://EXAMPLEKEYID@127.0.0.1:5000/",
        "EXAMPLEKEYID:examplesecret@127.0.0.1:5000",
    ] {
        let e = error(&format!("[profiles.a]\nendpoint_url = \"{url}\"\n"));
        assert!(
            e.starts_with("line 2, column 16: the endpoint URL ")
                && e.contains("has a user name or password"),
            "{e}"
        );
        assert!(
            !e.contains("EXAMPLEKEYID") && !e.contains("examplesecret"),
            "{e}"
        );
        assert!(cfdash::config::check_endpoint_url(url).is_err());
    }
    // An @ in the path is not a credential.
    assert!(cfdash::config::check_endpoint_url("https://cf.example.com/a@b?x=@").is_ok());
}

#[test]
fn control_characters_in_values_are_refused_where_they_are() {
    let e = error("[profiles.a]\nendpoint_url = \"http://127.0.0.1\\u001b[2J\"\n");
    assert!(
        e.starts_with(
            "line 2, column 16: control character U+001B in the value of profiles.a.endpoint_url"
        ),
        "{e}"
    );
    let e = error("[profiles.a]\naws_profile = \"ops\\u0007\"\n");
    assert!(e.contains("U+0007"), "{e}");
    assert!(!e.contains('\u{7}') && !e.contains('\u{1b}'), "{e:?}");
}

#[test]
fn deleting_the_default_clears_it_and_says_so() {
    let dir = temp_dir("remove-default");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    let text = format!("{FILE}\n[profiles.lab]\nsimulated = true\n");
    std::fs::write(&path, &text).unwrap();
    let mut store = Store::new(path.clone(), Some(text));
    let saved = store.apply(&Edit::Remove("prod".into())).unwrap();
    assert_eq!(saved.cleared_default, None);
    let saved = store.apply(&Edit::Remove("staging".into())).unwrap();
    assert_eq!(saved.cleared_default.as_deref(), Some("staging"));
    assert_eq!(saved.config.default_profile, None);
    assert!(
        !std::fs::read_to_string(&path)
            .unwrap()
            .contains("default_profile")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_config_others_can_write_is_warned_about() {
    use cfdash::config::permission_warning;
    let dir = temp_dir("writable");
    let sub = dir.join("cfdash");
    std::fs::create_dir_all(&sub).unwrap();
    let chmod =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    chmod(&dir, 0o700);
    chmod(&sub, 0o700);
    let path = sub.join("config.toml");
    assert_eq!(permission_warning(&path), None, "no file, a private folder");
    std::fs::write(&path, FILE).unwrap();
    chmod(&path, 0o600);
    assert_eq!(permission_warning(&path), None);
    chmod(&path, 0o646);
    let p = path.display();
    assert_eq!(
        permission_warning(&path).unwrap(),
        format!(
            "warning: {p} is writable by others (anyone who can write it can redirect cfdash): chmod go-w {p}"
        )
    );
    chmod(&sub, 0o770);
    let s = sub.display();
    assert_eq!(
        permission_warning(&path).unwrap(),
        format!(
            "warning: {p} and {s} are writable by group and others (anyone who can write them can redirect cfdash): chmod go-w {p} {s}"
        )
    );
    chmod(&path, 0o600);
    chmod(&sub, 0o700);
    // A link: its target's folder counts too.
    let elsewhere = dir.join("dotfiles");
    std::fs::create_dir_all(&elsewhere).unwrap();
    chmod(&elsewhere, 0o777);
    std::fs::rename(&path, elsewhere.join("config.toml")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("config.toml"), &path).unwrap();
    let e = elsewhere.display();
    assert_eq!(
        permission_warning(&path).unwrap(),
        format!(
            "warning: {e} is writable by group and others (anyone who can write it can redirect cfdash): chmod go-w {e}"
        )
    );
    // A sticky folder (like /tmp) lets no one replace a file they do not own.
    chmod(&elsewhere, 0o1777);
    assert_eq!(permission_warning(&path), None);
    std::fs::remove_dir_all(&dir).unwrap();
}
