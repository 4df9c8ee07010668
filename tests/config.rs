//! The profiles file: every error names its line and column and says what to fix; saves keep
//! comments and order, are atomic and private, never overwrite a file cfdash could not
//! read, and never lose a change made on disk meanwhile.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use cfdash::config::{Config, Edit, ProfileFields, Store};

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
        "line 2, column 1: unknown key regoin in [profiles.a] (did you mean region?); the keys are: aws_profile, region, endpoint_url, allow_insecure_endpoint, distributions, simulated, sim_seed, sim_data, read_only, confirm_by_typing, presets"
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
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
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
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(names.len(), 1, "the temporary file is cleaned up");
    std::fs::remove_dir_all(&dir).unwrap();
}
