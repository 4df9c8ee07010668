//! `AwsCloudFront` against moto, an independent CloudFront emulator, over loopback: the real
//! SDK path (signing, REST-XML, error codes). What moto lacks (paging, throttling, timing,
//! idempotency) is tested against `cfdash sim serve` instead.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cfdash::cloudfront::CfError;
use cfdash::cloudfront::{
    CloudFront, InvalidationStatus, list_all_distributions, list_recent_invalidations,
};

use crate::common::{moto, sdk};

#[test]
fn the_sdk_path_against_moto() {
    let server = moto::Moto::start();
    server.reset();
    let seeded = server.seed(3, 2);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let cf = sdk::client(&server.endpoint).await;

        // Every distribution, with the fields moto fills in its listing.
        let all = list_all_distributions(&cf).await.unwrap();
        let mut ids: Vec<&str> = all.iter().map(|d| d.id.as_str()).collect();
        ids.sort();
        let mut want: Vec<&str> = seeded.iter().map(|d| d.id.as_str()).collect();
        want.sort();
        assert_eq!(ids, want);
        for d in &seeded {
            let got = all.iter().find(|g| g.id == d.id).unwrap();
            assert_eq!(got.domain_name, d.domain_name);
            assert!(got.arn.ends_with(&d.id), "{}", got.arn);
            // moto's listing has no Enabled, Comment or Aliases: unknown, not false, ""
            // and none.
            assert_eq!(got.enabled, None, "{got:?}");
            assert_eq!(got.comment, None, "{got:?}");
            assert!(got.aliases_unknown && got.aliases.is_empty(), "{got:?}");
        }

        // Invalidations: moto answers COMPLETED; cfdash reads it without case.
        let dist = &seeded[0];
        let list = list_recent_invalidations(&cf, &dist.id, 50).await.unwrap();
        assert_eq!(list.len(), 2);
        assert!(
            list.iter()
                .all(|i| i.status == InvalidationStatus::Completed)
        );
        assert!(
            list.windows(2)
                .all(|w| w[0].create_time >= w[1].create_time)
        );
        let first = &dist.invalidations[0];
        let inv = cf.get_invalidation(&dist.id, &first.id).await.unwrap();
        assert_eq!(inv.paths, first.paths);
        assert_eq!(inv.caller_reference, first.caller_reference);
        assert_eq!(inv.status, InvalidationStatus::Completed);

        // Create: what was sent comes back, and the listing has it.
        let paths = vec!["/index.html".to_string(), "/images/*".to_string()];
        let made = cf
            .create_invalidation(&dist.id, &paths, "cfdash-test-1")
            .await
            .unwrap();
        assert_eq!(made.paths, paths);
        assert_eq!(made.caller_reference, "cfdash-test-1");
        let list = list_recent_invalidations(&cf, &dist.id, 50).await.unwrap();
        assert_eq!(list.len(), 3);
        assert!(list.iter().any(|i| i.id == made.id));

        // Unknown ids are the NoSuch kinds, with the ids asked for. (moto lists no
        // invalidations for an unknown distribution instead of refusing; asking for one of
        // its invalidations is refused as CloudFront refuses it.)
        assert_eq!(
            cf.get_invalidation("ENOSUCH", "I1").await.map(|_| ()),
            Err(CfError::NoSuchDistribution {
                id: "ENOSUCH".into()
            })
        );
        assert_eq!(
            cf.get_invalidation(&dist.id, "INOSUCH").await,
            Err(CfError::NoSuchInvalidation {
                distribution: dist.id.clone(),
                id: "INOSUCH".into()
            })
        );
    });
}

/// No credentials anywhere: a clear error, quickly, not a hang on instance metadata. The
/// chain reads the environment, so cfdash runs with one of its own (and nothing listens
/// at the endpoint: no request is signed).
#[test]
fn no_credentials_are_reported_quickly() {
    let empty = std::env::temp_dir().join(format!("cfdash-nocreds-{}", std::process::id()));
    let silent_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent = silent_listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent_listener.incoming() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(stream); // keep it open, say nothing
        }
    });
    std::fs::create_dir_all(&empty).unwrap();
    let started = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_cfdash"))
        .env("CFDASH_JOURNAL", crate::common::run_journal())
        .arg("distributions")
        .env_clear()
        .env("HOME", &empty)
        // An instance-metadata service that accepts connections and never answers: the
        // worst case off EC2, where a default client would wait for many seconds.
        .env(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://{silent}"),
        )
        .env("AWS_CONFIG_FILE", empty.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", empty.join("credentials"))
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("CFDASH_CONFIG", empty.join("cfdash.toml"))
        .env("CFDASH_LOG_FILE", empty.join("cfdash.log"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let took = started.elapsed();
    eprintln!("no credentials reported after {took:?}");
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{e}");
    // The endpoint is on this machine: an emulator, which takes any keys.
    assert!(
        e.contains("no AWS credentials for profile default")
            && e.contains("set dummy AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            && !e.contains("sso login"),
        "{e}"
    );
    assert!(
        accepted.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "the metadata service was asked, and kept silent"
    );
    // The budget is 2 s; the bound here leaves room for a loaded machine (and the process's
    // start), and is far below what a silent metadata service costs a default client.
    assert!(took < Duration::from_secs(4), "took {took:?}");
    // Towards AWS (a host under .invalid: nothing is sent, credentials fail first), the
    // advice is the login.
    let o = Command::new(env!("CARGO_BIN_EXE_cfdash"))
        .env("CFDASH_JOURNAL", crate::common::run_journal())
        .arg("distributions")
        .env_clear()
        .env("HOME", &empty)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", empty.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", empty.join("credentials"))
        .env("AWS_ENDPOINT_URL", "https://cloudfront.invalid")
        .env("CFDASH_CONFIG", empty.join("cfdash.toml"))
        .env("CFDASH_LOG_FILE", empty.join("cfdash.log"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{e}");
    assert!(e.contains("aws sso login --profile default"), "{e}");
}
