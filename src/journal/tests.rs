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
        enabled: Some(true),
        comment: Some("site".into()),
        origins: vec!["origin.example.com".into()],
        last_modified: t(-100),
        aliases_unknown: false,
        tenant_only: false,
        tenant: None,
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

/// Field 22 of /proc/PID/stat, read here without `proc_stat`.
fn start_time(pid: u32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    after.split(' ').nth(19).unwrap().to_string()
}

#[test]
fn a_process_is_known_by_its_pid_and_start_time() {
    let me = std::process::id();
    let (state, start) = proc_stat(me).unwrap();
    assert!(["R", "S"].contains(&state.as_str()), "{state}");
    assert_eq!(start, start_time(me));
    assert!(alive(me, &start));
    assert!(!alive(me, "1"), "the same pid, started at another time");
    assert!(
        alive(me, "t123"),
        "an owner named without /proc: the pid alone"
    );
    // Pids no process has: 0 (kill would signal the group) and past i32 (kill would see
    // -1, every process).
    assert!(!alive(0, "t1"));
    assert!(!alive(u32::MAX, "t1"));
    assert!(proc_stat(u32::MAX).is_none());
}

/// A process of this machine that runs (a child `sleep`), as a batch's owner.
struct Running(std::process::Child);

impl Running {
    fn start() -> Self {
        Self(
            std::process::Command::new("sleep")
                .arg("60")
                .spawn()
                .unwrap(),
        )
    }

    fn owner(&self, host: &str) -> String {
        let pid = self.0.id();
        format!("{host}:{pid}:{}", start_time(pid))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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
    let set_owner = |j: &Journal, owner: &str| {
        j.conn
            .execute("UPDATE batches SET owner = ?1", [owner])
            .unwrap();
    };
    // Owned by another process of this machine that runs: not `other`'s to take, even
    // once its heartbeat is old (a process stopped with SIGSTOP beats no more).
    let runner = Running::start();
    set_owner(&a, &runner.owner(&a.host));
    let mut other = open(&dir);
    assert!(other.unsettled(&scope(), t(2)).unwrap().is_empty());
    assert!(other.claim(&["r1".into()], t(2)).unwrap().is_empty());
    let much_later = t(1) + LEASE * 100;
    assert!(other.unsettled(&scope(), much_later).unwrap().is_empty());
    // The same pid with another start time is another process: the owner is gone.
    let pid = runner.0.id();
    set_owner(&a, &format!("{}:{pid}:1", a.host));
    assert_eq!(other.unsettled(&scope(), t(2)).unwrap().len(), 1);
    // A process that is not running: free at once.
    set_owner(&a, &format!("{}:{}:1", a.host, i32::MAX - 7));
    assert_eq!(other.unsettled(&scope(), t(2)).unwrap()[0].batch, b);
    // Another machine's: free once its heartbeat is older than the lease.
    set_owner(&a, "elsewhere:1:1");
    assert!(other.unsettled(&scope(), t(2)).unwrap().is_empty());
    let beat: i64 = a
        .conn
        .query_row("SELECT heartbeat FROM batches", [], |r| r.get(0))
        .unwrap();
    assert!(
        other
            .unsettled(&scope(), ts(beat) + LEASE)
            .unwrap()
            .is_empty(),
        "still its own at exactly the lease"
    );
    let after = t(1) + LEASE + SignedDuration::from_secs(1);
    assert_eq!(other.unsettled(&scope(), after).unwrap().len(), 1);
    let taken = other.claim(&["r1".into()], after).unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].state, BatchState::Waiting);
    // Taken: `a` (another process now) cannot take it from `other`, which runs.
    other.owner = runner.owner(&other.host);
    set_owner(&a, &other.owner);
    assert!(a.claim(&["r1".into()], after).unwrap().is_empty());
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
    drop(runner);
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
    let runner = Running::start();
    b.owner = runner.owner(&b.host);
    // `a` is this test's process, which runs: its batches are its own.
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
    assert_eq!(snap.account, "111122223333", "from the listing's ARNs");
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
    assert_eq!(row.origin(), "aws-cli");
    // A reference the journal sent is cfdash's, whatever it looks like.
    j.apply(
        &[Write::Batch {
            scope: s.clone(),
            batch: batch("cli-I1", "E1", &["/products/shoe.jpg"]),
            key: Some("cli".into()),
            at: t(10),
        }],
        t(10),
    )
    .unwrap();
    let row = &j.history(&Query::default()).unwrap()[3];
    assert!(row.ours);
    assert_eq!(row.origin(), "cfdash");
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
        fingerprint_with(&p("http://user:secret@127.0.0.1:5000/x?y"), |_| None),
        "http://127.0.0.1:5000"
    );
    assert_eq!(
        fingerprint_with(&p("https://cf.example.com"), |_| None),
        "https://cf.example.com:443"
    );
    let none = |_: &str| None;
    assert_eq!(fingerprint_with(&Profile::default(), none), "aws");
    // Where the SDK sends it: the environment's endpoint, unless ignored.
    let env =
        |name: &str| (name == "AWS_ENDPOINT_URL").then(|| "http://127.0.0.1:4566".to_string());
    assert_eq!(
        fingerprint_with(&Profile::default(), env),
        "http://127.0.0.1:4566"
    );
    let ignoring = |name: &str| match name {
        "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:4566".to_string()),
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" => Some("true".to_string()),
        _ => None,
    };
    assert_eq!(fingerprint_with(&Profile::default(), ignoring), "aws");
    assert_eq!(
        fingerprint_with(&p("https://cf.example.com"), env),
        "https://cf.example.com:443",
        "the profile's own wins"
    );
    let sim = Profile {
        simulated: true,
        sim_seed: Some(7),
        ..Profile::default()
    };
    assert_eq!(fingerprint_with(&sim, |_| None), "sim:7");
    assert_eq!(
        account_of("arn:aws:cloudfront::123456789012:distribution/E1"),
        Some("123456789012")
    );
    assert_eq!(account_of("nonsense"), None);
}

#[test]
fn the_account_is_read_from_aws_and_moto_arns_and_nothing_else() {
    // AWS: an empty region field.
    assert_eq!(
        account_of("arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"),
        Some("123456789012")
    );
    assert_eq!(
        account_of("arn:aws-cn:cloudfront::111122223333:distribution-tenant/dt_1"),
        Some("111122223333")
    );
    // moto 5.2.1: no region field at all.
    assert_eq!(
        account_of("arn:aws:cloudfront:123456789012:distribution/E9YQ66YS5FGSP"),
        Some("123456789012")
    );
    // Anything else is unknown, not a guess.
    for garbage in [
        "",
        "nonsense",
        "arn:aws:cloudfront::distribution/E1",
        "arn:aws:cloudfront:::distribution/E1",
        "arn:aws:cloudfront::12345:distribution/E1",
        "arn:aws:cloudfront::1234567890123:distribution/E1",
        "arn:aws:cloudfront::12345678901x:distribution/E1",
        "arn:aws:cloudfront::123456789012:",
        "arn:aws:cloudfront::123456789012",
        "arn:aws:cloudfront:123456789012",
        "arn:aws:cloudfront:123456789012:",
        "arn:aws:cloudfront:us-east-1:123456789012:distribution/E1",
        "arn:aws:s3::123456789012:distribution/E1",
        "arn:other:cloudfront::123456789012:distribution/E1",
        "nra:aws:cloudfront::123456789012:distribution/E1",
        "arn:aws:cloudfront:distribution/E1:123456789012",
    ] {
        assert_eq!(account_of(garbage), None, "{garbage:?}");
    }
}

#[test]
fn a_moto_listing_keys_the_scope_on_its_account() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let s = scope();
    let moto = |id: &str| Distribution {
        arn: format!("arn:aws:cloudfront:123456789012:distribution/{id}"),
        ..dist(id, "123456789012")
    };
    let listing = |list: Vec<Distribution>, at| Write::Distributions {
        scope: scope(),
        list,
        at,
    };
    j.apply(&[listing(vec![moto("EA"), moto("EB")], t(1))], t(1))
        .unwrap();
    assert_eq!(
        j.snapshot(&s, 50, 10, t(2)).unwrap().account,
        "123456789012"
    );
    // Another distribution listed first is the same account: one scope, both rows.
    j.apply(&[listing(vec![moto("EC"), moto("EA")], t(3))], t(3))
        .unwrap();
    let snap = j.snapshot(&s, 50, 10, t(4)).unwrap();
    assert_eq!(snap.account, "123456789012");
    assert_eq!(snap.distributions.len(), 2);
    assert_eq!(j.info().unwrap().scopes, 1);
}

#[test]
fn a_scope_whose_account_was_misread_takes_the_listings() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let s = scope();
    j.apply(
        &[Write::Distributions {
            scope: scope(),
            list: vec![dist("EA", "123456789012")],
            at: t(1),
        }],
        t(1),
    )
    .unwrap();
    // What an earlier cfdash kept of moto's ARNs.
    j.conn
        .execute("UPDATE scopes SET account = 'distribution/EA'", [])
        .unwrap();
    assert_eq!(j.snapshot(&s, 50, 10, t(2)).unwrap().account, "", "unknown");
    j.apply(
        &[Write::Distributions {
            scope: scope(),
            list: vec![dist("EA", "123456789012")],
            at: t(3),
        }],
        t(3),
    )
    .unwrap();
    let snap = j.snapshot(&s, 50, 10, t(4)).unwrap();
    assert_eq!(snap.account, "123456789012");
    assert_eq!(snap.distributions.len(), 1);
    assert_eq!(j.info().unwrap().scopes, 1, "its rows stay where they were");
}

#[test]
fn a_journal_removed_while_open_is_not_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let note = |text: &str| Write::Notice {
        scope: scope(),
        kind: "info".into(),
        text: text.into(),
        at: t(1),
    };
    j.apply(&[note("before")], t(1)).unwrap();
    let file = dir.path().join("j/journal.sqlite");
    for end in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{end}", file.display()));
    }
    let e = j.apply(&[note("after")], t(2)).unwrap_err().to_string();
    assert!(e.contains("removed or replaced"), "{e}");
    assert!(!file.exists(), "not made again behind the operator's back");
    // Replaced by another file: not written either.
    std::fs::write(&file, b"someone else's").unwrap();
    assert!(j.apply(&[note("again")], t(3)).is_err());
    assert_eq!(std::fs::read(&file).unwrap(), b"someone else's");
}

#[test]
fn a_damaged_journal_is_found_before_the_first_write_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("j/journal.sqlite");
    {
        let mut j = open(&dir);
        let writes: Vec<Write> = (0..400)
            .map(|i| Write::Details {
                scope: scope(),
                distribution: "E1".into(),
                inv: inv(
                    &format!("I{i}"),
                    InvalidationStatus::Completed,
                    i,
                    &["/a", "/b"],
                ),
                at: t(1),
            })
            .collect();
        j.apply(&writes, t(1)).unwrap();
        j.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }
    // Page 5 overwritten (a bad disk, a torn copy).
    let mut bytes = std::fs::read(&file).unwrap();
    let page = 4096 * 4;
    for (i, b) in bytes[page..page + 4096].iter_mut().enumerate() {
        *b = (i * 37 % 251) as u8;
    }
    std::fs::write(&file, &bytes).unwrap();
    match Journal::open(&file, t(2)) {
        Err(e) => assert!(
            e.contains("not a cfdash journal") || e.contains("damaged"),
            "{e}"
        ),
        Ok(mut j) => {
            let e = j
                .apply(
                    &[Write::Notice {
                        scope: scope(),
                        kind: "info".into(),
                        text: "x".into(),
                        at: t(2),
                    }],
                    t(2),
                )
                .unwrap_err()
                .to_string();
            assert!(e.contains("damaged"), "{e}");
            assert!(j.unwritable().is_some());
        }
    }
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "left as it is");
}

#[test]
fn an_empty_sqlite_file_of_another_program_is_not_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let theirs = dir.path().join("theirs.db");
    let c = Connection::open(&theirs).unwrap();
    c.execute_batch("PRAGMA user_version = 0; CREATE TABLE t (x); DROP TABLE t; VACUUM;")
        .unwrap();
    drop(c);
    let before = std::fs::read(&theirs).unwrap();
    assert!(!before.is_empty());
    let e = Journal::open(&theirs, t(0)).err().unwrap();
    assert!(e.contains("another program's SQLite file"), "{e}");
    assert_eq!(std::fs::read(&theirs).unwrap(), before);
    // An empty file is a new journal.
    let new = dir.path().join("new.sqlite");
    std::fs::write(&new, b"").unwrap();
    assert!(Journal::open(&new, t(0)).is_ok());
}

#[test]
fn a_batch_being_worked_on_keeps_its_owner_and_a_settled_one_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open(&dir);
    let owner = |j: &Journal| -> Option<String> {
        j.conn
            .query_row("SELECT owner FROM batches", [], |r| r.get(0))
            .unwrap()
    };
    let state = |s: BatchState| Write::BatchState {
        reference: "r1".into(),
        state: s,
        invalidation: None,
        error: None,
        at: t(2),
    };
    a.apply(
        &[Write::Batch {
            scope: scope(),
            batch: batch("r1", "E1", &["/a"]),
            key: None,
            at: t(1),
        }],
        t(1),
    )
    .unwrap();
    for s in [
        BatchState::Sending,
        BatchState::Unknown,
        BatchState::Waiting,
    ] {
        assert!(s.unsettled());
        a.apply(&[state(s)], t(2)).unwrap();
        assert_eq!(owner(&a).as_deref(), Some(a.owner()), "{s:?}");
    }
    for s in [
        BatchState::Created,
        BatchState::Adopted,
        BatchState::NotSent,
        BatchState::Dropped,
    ] {
        assert!(!s.unsettled());
        a.apply(&[state(s)], t(2)).unwrap();
        assert_eq!(owner(&a), None, "{s:?}");
        assert_eq!(BatchState::parse(s.as_str()), s);
    }
}

#[test]
fn runs_sharing_a_key_know_who_recorded_a_batch_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = open(&dir);
    let mut second = open(&dir);
    let runner = Running::start();
    second.owner = runner.owner(&second.host);
    let record = |j: &mut Journal| {
        j.apply(
            &[Write::Batch {
                scope: scope(),
                batch: batch("k-E1-1", "E1", &["/a"]),
                key: Some("k".into()),
                at: t(1),
            }],
            t(1),
        )
        .unwrap();
    };
    record(&mut first);
    record(&mut second);
    let refs = vec!["k-E1-1".to_string(), "k-E9-1".to_string()];
    assert_eq!(second.recorded_elsewhere(&refs).unwrap(), ["k-E1-1"]);
    assert!(
        first.recorded_elsewhere(&refs).unwrap().is_empty(),
        "its own"
    );
    // Given up by the first: the second is the one that makes it.
    first
        .apply(
            &[Write::BatchState {
                reference: "k-E1-1".into(),
                state: BatchState::NotSent,
                invalidation: None,
                error: None,
                at: t(2),
            }],
            t(2),
        )
        .unwrap();
    assert!(second.recorded_elsewhere(&refs).unwrap().is_empty());
}

#[test]
fn unknown_enabled_comment_and_aliases_come_back_unknown_and_old_rows_read_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let s = scope();
    let unknown = Distribution {
        enabled: None,
        comment: None,
        aliases: Vec::new(),
        aliases_unknown: true,
        ..dist("E1", "111122223333")
    };
    let no_comment = Distribution {
        enabled: Some(false),
        comment: None,
        ..dist("E2", "111122223333")
    };
    let list = vec![unknown, no_comment, dist("E3", "111122223333")];
    j.apply(
        &[Write::Distributions {
            scope: s.clone(),
            list: list.clone(),
            at: t(20),
        }],
        t(20),
    )
    .unwrap();
    let snap = j.snapshot(&s, 50, 10, t(30)).unwrap();
    assert_eq!(snap.distributions, list);
    // A row an earlier cfdash wrote: enabled 0 or 1, the comment as it was.
    j.conn
        .execute(
            "UPDATE distributions SET enabled = 0, comment = 'old' WHERE id = 'E1'",
            [],
        )
        .unwrap();
    let snap = j.snapshot(&s, 50, 10, t(30)).unwrap();
    assert_eq!(snap.distributions[0].enabled, Some(false));
    assert_eq!(snap.distributions[0].comment.as_deref(), Some("old"));
    assert!(!snap.distributions[0].aliases_unknown);
}

#[test]
fn cached_details_are_every_fetched_invalidation_with_its_paths_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let s = scope();
    let other = Scope {
        profile: "staging".into(),
        endpoint: "aws".into(),
    };
    let a = inv(
        "IB",
        InvalidationStatus::Completed,
        10,
        &["/b/2", "/b/1", "/b/3"],
    );
    let b = inv("IA", InvalidationStatus::InProgress, 20, &["/a"]);
    let c = inv("IC", InvalidationStatus::Completed, 5, &[]);
    let listed_only = inv("I0", InvalidationStatus::Completed, 30, &["/never"]);
    let elsewhere = inv("IZ", InvalidationStatus::Completed, 1, &["/z"]);
    let details = |scope: &Scope, dist: &str, i: &Invalidation| Write::Details {
        scope: scope.clone(),
        distribution: dist.into(),
        inv: i.clone(),
        at: t(40),
    };
    j.apply(
        &[
            Write::Invalidations {
                scope: s.clone(),
                distribution: "E2".into(),
                list: vec![summary(&listed_only), summary(&c)],
                at: t(40),
            },
            details(&s, "E2", &c),
            details(&s, "E1", &a),
            details(&s, "E1", &b),
            details(&other, "E1", &elsewhere),
        ],
        t(40),
    )
    .unwrap();
    let got = j.cached_details(&s, t(50)).unwrap();
    let want = vec![
        ("E1".to_string(), b.clone()),
        ("E1".to_string(), a.clone()),
        ("E2".to_string(), c.clone()),
    ];
    assert_eq!(
        got, want,
        "paths in the order sent, none of another scope's"
    );
}

#[test]
fn tenants_and_cache_tag_headers_are_kept_and_listings_replace_only_their_own() {
    use crate::cloudfront::Tenant;
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(&dir);
    let s = scope();
    let mut multi = dist("E9", "111122223333");
    multi.tenant_only = true;
    let tenant = |id: &str, name: &str| {
        Tenant {
            id: id.into(),
            distribution_id: "E9".into(),
            name: name.into(),
            arn: format!("arn:aws:cloudfront::111122223333:distribution-tenant/{id}"),
            domains: vec![format!("{name}.example")],
            enabled: Some(true),
            status: Some("Deployed".into()),
            last_modified: t(-50),
        }
        .row()
    };
    let (a, b) = (tenant("dt_a", "alpha"), tenant("dt_b", "beta"));
    j.apply(
        &[
            Write::Distributions {
                scope: s.clone(),
                list: vec![dist("E1", "111122223333"), multi.clone()],
                at: t(10),
            },
            Write::Tenants {
                scope: s.clone(),
                distribution: "E9".into(),
                list: vec![a.clone(), b.clone()],
                at: t(11),
            },
            Write::CacheTags {
                scope: s.clone(),
                distribution: "E1".into(),
                header: Some("Cache-Tag".into()),
                last_modified: t(-100),
            },
            Write::CacheTags {
                scope: s.clone(),
                distribution: "E9".into(),
                header: None,
                last_modified: t(-100),
            },
        ],
        t(11),
    )
    .unwrap();
    let snap = j.snapshot(&s, 50, 10, t(12)).unwrap();
    let ids: Vec<&str> = snap.distributions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    let got_a = snap.distributions.iter().find(|d| d.id == "dt_a").unwrap();
    assert_eq!(*got_a, a, "a tenant row comes back as it went in");
    assert!(
        snap.distributions
            .iter()
            .any(|d| d.id == "E9" && d.tenant_only)
    );
    assert_eq!(
        snap.cache_tags["E1"],
        (Some("Cache-Tag".to_string()), t(-100))
    );
    assert_eq!(snap.cache_tags["E9"], (None, t(-100)));

    // A whole listing of distributions leaves the tenants; a listing of the tenants
    // drops the one gone.
    j.apply(
        &[
            Write::Distributions {
                scope: s.clone(),
                list: vec![dist("E1", "111122223333"), multi],
                at: t(20),
            },
            Write::Tenants {
                scope: s.clone(),
                distribution: "E9".into(),
                list: vec![b],
                at: t(21),
            },
        ],
        t(21),
    )
    .unwrap();
    let snap = j.snapshot(&s, 50, 10, t(22)).unwrap();
    let mut ids: Vec<&str> = snap.distributions.iter().map(|d| d.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["E1", "E9", "dt_b"]);
}
