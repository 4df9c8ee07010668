use std::os::unix::fs::PermissionsExt;

use super::*;

fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + secs).unwrap()
}

fn scope() -> Scope {
    Scope {
        profile: "prod".into(),
        endpoint: "aws".into(),
    }
}

fn open(dir: &tempfile::TempDir) -> Journal {
    Journal::open(&dir.path().join("j/journal.sqlite"), t(0)).unwrap()
}

fn batch(reference: &str, dist: &str, paths: &[&str]) -> Batch {
    Batch {
        distribution: dist.into(),
        paths: paths.iter().map(|p| p.to_string()).collect(),
        caller_reference: reference.into(),
        number: 1,
        of: 1,
        submission: "cfdash-1-1".into(),
    }
}

fn dist(id: &str, account: &str) -> Distribution {
    Distribution {
        id: id.into(),
        arn: format!("arn:aws:cloudfront::{account}:distribution/{id}"),
        domain_name: format!("{}.cloudfront.net", id.to_lowercase()),
        aliases: vec!["www.example.com".into(), "example.com".into()],
        status: "Deployed".into(),
        enabled: true,
        comment: "site".into(),
        origins: vec!["origin.example.com".into()],
        last_modified: t(-100),
    }
}

fn inv(id: &str, status: InvalidationStatus, created: i64, paths: &[&str]) -> Invalidation {
    Invalidation {
        id: id.into(),
        status,
        create_time: t(created),
        paths: paths.iter().map(|p| p.to_string()).collect(),
        caller_reference: format!("cli-{id}"),
    }
}

fn summary(i: &Invalidation) -> InvalidationSummary {
    InvalidationSummary {
        id: i.id.clone(),
        status: i.status.clone(),
        create_time: i.create_time,
    }
}

#[test]
fn a_new_journal_is_private_and_versioned() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let file = dir.path().join("j/journal.sqlite");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&dir.path().join("j")), 0o700);
    assert_eq!(j.mode(), "wal");
    let info = j.info().unwrap();
    assert_eq!(info.version, MIGRATIONS.len() as i64);
    drop(j);
    // Opened again, nothing is migrated twice.
    let mut again = open(&dir);
    assert_eq!(again.info().unwrap().version, MIGRATIONS.len() as i64);
}

#[test]
fn what_is_not_a_journal_is_refused_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage");
    let bytes: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&garbage, &bytes).unwrap();
    let e = Journal::open(&garbage, t(0)).err().unwrap();
    assert!(e.contains("not a cfdash journal"), "{e}");
    assert_eq!(std::fs::read(&garbage).unwrap(), bytes);

    let other = dir.path().join("other.db");
    let c = Connection::open(&other).unwrap();
    c.execute_batch("CREATE TABLE mine (x); INSERT INTO mine VALUES (1);")
        .unwrap();
    drop(c);
    let before = std::fs::read(&other).unwrap();
    let e = Journal::open(&other, t(0)).err().unwrap();
    assert!(e.contains("another program's SQLite file"), "{e}");
    assert_eq!(std::fs::read(&other).unwrap(), before);

    let newer = dir.path().join("newer.sqlite");
    drop(Journal::open(&newer, t(0)).unwrap());
    let c = Connection::open(&newer).unwrap();
    c.pragma_update(None, "user_version", 99).unwrap();
    drop(c);
    let e = Journal::open(&newer, t(0)).err().unwrap();
    assert!(e.contains("newer cfdash"), "{e}");

    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    assert!(
        Journal::open(&folder, t(0))
            .err()
            .unwrap()
            .contains("not a file")
    );
}

#[test]
fn a_batch_is_offered_once_its_owner_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open(&dir);
    let b = batch("r1", "E1", &["/a", "/b"]);
    a.apply(
        &[Write::Batch {
            scope: scope(),
            batch: b.clone(),
            key: None,
            at: t(1),
        }],
        t(1),
    )
    .unwrap();
    // Another process of this machine, while `a` runs and beats: not its to take.
    let mut other = open(&dir);
    // Another owner (a later start) of a running process.
    other.owner = format!("{}:{}:99", other.host, std::process::id());
    assert!(other.unsettled(&scope(), t(2)).unwrap().is_empty());
    assert!(other.claim(&["r1".into()], t(2)).unwrap().is_empty());
    // The owner's heartbeat went quiet: free.
    let offered = other.unsettled(&scope(), t(1) + LEASE + SignedDuration::from_secs(1));
    assert_eq!(offered.unwrap()[0].batch, b);
    // The owner's process is not running: free at once.
    a.conn
        .execute(
            "UPDATE batches SET owner = ?1",
            [format!("{}:{}:1", a.host, i32::MAX - 7)],
        )
        .unwrap();
    assert_eq!(other.unsettled(&scope(), t(2)).unwrap().len(), 1);
    let taken = other.claim(&["r1".into()], t(2)).unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].state, BatchState::Waiting);
    // `a` comes back, but it no longer owns it: `other` does, and beats.
    a.owner = format!("{}:{}:2", a.host, u32::MAX / 3);
    assert!(a.claim(&["r1".into()], t(3)).unwrap().is_empty());
    // Created: settled, offered to no one.
    other
        .apply(
            &[Write::BatchState {
                reference: "r1".into(),
                state: BatchState::Created,
                invalidation: Some(("I1".into(), t(2))),
                error: None,
                at: t(3),
            }],
            t(3),
        )
        .unwrap();
    assert!(a.unsettled(&scope(), t(999)).unwrap().is_empty());
    let stored = a.batch("r1").unwrap().unwrap();
    assert_eq!(stored.invalidation.as_deref(), Some("I1"));
    assert_eq!(stored.state, BatchState::Created);
}

#[test]
fn a_release_frees_the_batches_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open(&dir);
    let write = Write::Batch {
        scope: scope(),
        batch: batch("r1", "E1", &["/a"]),
        key: None,
        at: t(1),
    };
    a.apply(&[write], t(1)).unwrap();
    let mut b = open(&dir);
    b.owner = format!("{}:{}:5", b.host, u32::MAX / 2);
    assert!(b.unsettled(&scope(), t(2)).unwrap().is_empty());
    a.apply(&[Write::Release], t(2)).unwrap();
    assert_eq!(b.unsettled(&scope(), t(2)).unwrap().len(), 1);
    b.drop_batches(&["r1".into()], t(3)).unwrap();
    assert!(b.unsettled(&scope(), t(3)).unwrap().is_empty());
    assert_eq!(b.batch("r1").unwrap().unwrap().state, BatchState::Dropped);
}

#[test]
fn the_snapshot_has_the_last_listing_the_watches_and_took_times() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let s = scope();
    let running = inv("I2", InvalidationStatus::InProgress, 10, &["/x"]);
    let old = inv(
        "I1",
        InvalidationStatus::Completed,
        5,
        &["/products/*", "/a"],
    );
    j.apply(
        &[
            Write::Distributions {
                scope: s.clone(),
                list: vec![dist("E2", "111122223333"), dist("E1", "111122223333")],
                at: t(20),
            },
            Write::Invalidations {
                scope: s.clone(),
                distribution: "E1".into(),
                list: vec![summary(&running), summary(&old)],
                at: t(20),
            },
            Write::Details {
                scope: s.clone(),
                distribution: "E1".into(),
                inv: old.clone(),
                at: t(20),
            },
            Write::Watch {
                scope: s.clone(),
                distribution: "E1".into(),
                id: "I2".into(),
                create_time: t(10),
                on: true,
                at: t(20),
            },
            Write::Notice {
                scope: s.clone(),
                kind: "success".into(),
                text: "created I2".into(),
                at: t(20),
            },
        ],
        t(20),
    )
    .unwrap();
    // Seen completed later: it took at most 70 s (seen at 80, created at 10).
    let done = Invalidation {
        status: InvalidationStatus::Completed,
        ..running.clone()
    };
    j.apply(
        &[Write::Details {
            scope: s.clone(),
            distribution: "E1".into(),
            inv: done,
            at: t(80),
        }],
        t(80),
    )
    .unwrap();
    let snap = j.snapshot(&s, 50, 10, t(90)).unwrap();
    let ids: Vec<&str> = snap.distributions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["E2", "E1"], "in the listing's order");
    assert_eq!(
        snap.distributions[1].aliases,
        ["www.example.com", "example.com"]
    );
    assert_eq!(snap.listed_at, Some(t(20)));
    let list = &snap.invalidations["E1"];
    assert_eq!(list[0].id, "I2", "newest first");
    assert_eq!(list[0].status, InvalidationStatus::Completed);
    assert_eq!(
        snap.took,
        vec![("E1".into(), "I2".into(), SignedDuration::from_secs(70))],
        "only what cfdash saw in progress, then completed"
    );
    assert_eq!(snap.watches.len(), 1);
    assert_eq!(snap.notices[0].text, "created I2");
    assert_eq!(j.details(&s, "E1", "I1", t(90)).unwrap(), Some(old));
    assert_eq!(
        j.details(&s, "E1", "I2", t(90)).unwrap().unwrap().paths,
        ["/x"]
    );
    assert_eq!(j.details(&s, "E1", "I9", t(90)).unwrap(), None);
    // A listing without E2: it is gone from the snapshot.
    j.apply(
        &[Write::Distributions {
            scope: s.clone(),
            list: vec![dist("E1", "111122223333")],
            at: t(100),
        }],
        t(100),
    )
    .unwrap();
    assert_eq!(
        j.snapshot(&s, 50, 10, t(100)).unwrap().distributions.len(),
        1
    );
}

#[test]
fn another_account_under_the_same_profile_is_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let s = scope();
    let listing = |account: &str, id: &str, at| Write::Distributions {
        scope: scope(),
        list: vec![dist(id, account)],
        at,
    };
    j.apply(&[listing("111111111111", "EA", t(1))], t(1))
        .unwrap();
    j.apply(&[listing("222222222222", "EB", t(2))], t(2))
        .unwrap();
    let snap = j.snapshot(&s, 50, 10, t(3)).unwrap();
    assert_eq!(snap.distributions.len(), 1);
    assert_eq!(snap.distributions[0].id, "EB");
    // A fresh process starts from the account used last.
    let mut fresh = open(&dir);
    assert_eq!(
        fresh.snapshot(&s, 50, 10, t(4)).unwrap().distributions[0].id,
        "EB"
    );
    fresh
        .apply(&[listing("111111111111", "EA", t(5))], t(5))
        .unwrap();
    let snap = fresh.snapshot(&s, 50, 10, t(6)).unwrap();
    assert_eq!(
        snap.distributions[0].id, "EA",
        "back to the first account's rows"
    );
    assert_eq!(fresh.info().unwrap().scopes, 2);
}

#[test]
fn history_finds_paths_by_glob_and_by_covering_wildcard() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let s = scope();
    let all = [
        inv(
            "I1",
            InvalidationStatus::Completed,
            1,
            &["/products/shoe.jpg"],
        ),
        inv("I2", InvalidationStatus::Completed, 2, &["/*"]),
        inv("I3", InvalidationStatus::Completed, 3, &["/about"]),
        inv("I4", InvalidationStatus::Completed, 4, &["/prod*"]),
    ];
    let writes: Vec<Write> = all
        .iter()
        .map(|i| Write::Details {
            scope: s.clone(),
            distribution: "E1".into(),
            inv: i.clone(),
            at: t(10),
        })
        .collect();
    j.apply(&writes, t(10)).unwrap();
    let ids = |j: &mut Journal, q: Query| -> Vec<String> {
        j.history(&q).unwrap().into_iter().map(|r| r.id).collect()
    };
    let products = Query {
        path: Some("/products/*".into()),
        ..Query::default()
    };
    assert_eq!(ids(&mut j, products.clone()), ["I4", "I2", "I1"]);
    let since = Query {
        since: Some(t(2)),
        ..products
    };
    assert_eq!(ids(&mut j, since), ["I4", "I2"]);
    let about = Query {
        path: Some("/about".into()),
        ..Query::default()
    };
    assert_eq!(ids(&mut j, about), ["I3", "I2"]);
    let row = &j.history(&Query::default()).unwrap()[3];
    assert_eq!(row.paths, ["/products/shoe.jpg"]);
    assert_eq!(row.caller_reference.as_deref(), Some("cli-I1"));
    assert_eq!(origin("cli-I1"), "aws-cli");
    assert_eq!(origin("cfdash-1-2-E1-1"), "cfdash");
    assert_eq!(origin("ab12-console"), "other");
    // Pruned: older than 5 s before t(10) goes, the rest stays.
    let gone = j.prune(SignedDuration::from_secs(7), t(10)).unwrap();
    assert_eq!(gone, 4, "two invalidations and their two paths");
    assert_eq!(ids(&mut j, Query::default()), ["I4", "I3"]);
}

#[test]
fn a_failed_write_leaves_nothing_half_done() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let good = Write::Notice {
        scope: scope(),
        kind: "info".into(),
        text: "one".into(),
        at: t(1),
    };
    j.conn.execute_batch("DROP TABLE watches").unwrap();
    let bad = Write::Watch {
        scope: scope(),
        distribution: "E1".into(),
        id: "I1".into(),
        create_time: t(0),
        on: true,
        at: t(1),
    };
    assert!(j.apply(&[good.clone(), bad], t(1)).is_err());
    assert_eq!(j.info().unwrap().notices, 0);
    j.apply(&[good], t(1)).unwrap();
    assert_eq!(j.info().unwrap().notices, 1);
}

#[test]
fn fingerprints_keep_no_secrets() {
    let p = |url: &str| Profile {
        endpoint_url: Some(url.into()),
        ..Profile::default()
    };
    assert_eq!(
        fingerprint(&p("http://user:secret@127.0.0.1:5000/x?y")),
        "http://127.0.0.1:5000"
    );
    assert_eq!(
        fingerprint(&p("https://cf.example.com")),
        "https://cf.example.com:443"
    );
    assert_eq!(fingerprint(&Profile::default()), "aws");
    let sim = Profile {
        simulated: true,
        sim_seed: Some(7),
        ..Profile::default()
    };
    assert_eq!(fingerprint(&sim), "sim:7");
    assert_eq!(
        account_of("arn:aws:cloudfront::123456789012:distribution/E1"),
        Some("123456789012")
    );
    assert_eq!(account_of("nonsense"), None);
}
