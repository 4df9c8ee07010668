//! The journal at the size of a big account: 200 distributions × 50 invalidations, 100,000
//! cached paths. Measures what the first frame waits for (the snapshot of the last known
//! state), `history --path '/products/*'`'s query, and what a 3,000-path submit costs the
//! UI thread when the journal records it. Run with `cargo bench --bench journal`; the
//! journal it builds is kept (its path is printed) for `benches/live.sh`.

use cfdash::engine::{self, Engine, Policy};
use cfdash::journal::{self, Handle, Journal, Query, Scope, Write};
use jiff::{SignedDuration, Timestamp};

const DISTRIBUTIONS: usize = 200;
const PER_DISTRIBUTION: usize = 50;
const PATHS_EACH: usize = 10;

fn now() -> Timestamp {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

/// The scope `benches/live.sh` opens: profile `bench` at a loopback port nothing answers.
fn scope() -> Scope {
    Scope {
        profile: "bench".into(),
        endpoint: "http://127.0.0.1:9".into(),
    }
}

pub fn path() -> std::path::PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "target".into());
    dir.join("bench-journal-2.sqlite")
}

/// Builds the journal once (kept between runs).
fn build() -> std::path::PathBuf {
    let path = path();
    if path.exists() {
        return path;
    }
    let mut j = Journal::open(&path, now()).unwrap();
    let dists: Vec<cfdash::cloudfront::Distribution> = (0..DISTRIBUTIONS)
        .map(|d| cfdash::cloudfront::Distribution {
            id: format!("E{d:013}"),
            arn: format!("arn:aws:cloudfront::123456789012:distribution/E{d:013}"),
            domain_name: format!("d{d}.cloudfront.net"),
            aliases: vec![format!("site{d}.example.com")],
            status: "Deployed".into(),
            enabled: Some(true),
            comment: Some(format!("site {d}")),
            origins: vec![format!("origin{d}.example.com")],
            last_modified: now(),
            aliases_unknown: false,
            tenant_only: false,
            tenant: None,
        })
        .collect();
    let mut writes = vec![Write::Distributions {
        scope: scope(),
        list: dists.clone(),
        at: now(),
    }];
    for (d, dist) in dists.iter().enumerate() {
        for i in 0..PER_DISTRIBUTION {
            let created = now() - SignedDuration::from_hours((i * 7 + d % 5) as i64);
            // A deploy's list: files mostly; a product folder's wildcard in one in ten,
            // product files in one in three, and `/*` in one in fifty.
            let paths: Vec<String> = (0..PATHS_EACH)
                .map(|k| match k {
                    0 if i % 10 == 0 => format!("/products/{d}/{i}/*"),
                    1 if i % 50 == 7 => "/*".to_string(),
                    2 if i % 3 == 0 => format!("/products/{d}/{i}/{k}.jpg"),
                    _ => format!("/static/{d}/{i}/{k}.js"),
                })
                .collect();
            writes.push(Write::Details {
                scope: scope(),
                distribution: dist.id.clone(),
                inv: cfdash::cloudfront::Invalidation {
                    id: format!("I{d:06}{i:06}"),
                    status: cfdash::cloudfront::InvalidationStatus::Completed,
                    create_time: created,
                    paths,
                    caller_reference: format!("cli-{d}-{i}"),
                },
                at: now(),
            });
        }
    }
    j.apply(&writes, now()).unwrap();
    let info = j.info().unwrap();
    println!(
        "journal {}: {} distributions, {} invalidations, {} paths, {} on disk",
        path.display(),
        info.distributions,
        info.invalidations,
        info.paths,
        cfdash::timefmt::bytes(info.bytes)
    );
    path
}

fn main() {
    build();
    divan::main();
}

/// What the first frame waits for: the last known state of the profile.
#[divan::bench(sample_count = 50)]
fn snapshot(bencher: divan::Bencher) {
    let mut j = Journal::open(&build(), now()).unwrap();
    bencher.bench_local(|| {
        let s = j.snapshot(&scope(), 50, 500, now()).unwrap();
        assert_eq!(s.distributions.len(), DISTRIBUTIONS);
        divan::black_box(s);
    });
}

/// Opening the file (checks, WAL, migrations) and the snapshot: the journal's share of a
/// start.
#[divan::bench(sample_count = 30)]
fn open_and_snapshot(bencher: divan::Bencher) {
    let path = build();
    bencher.bench_local(|| {
        let mut j = Journal::open(&path, now()).unwrap();
        divan::black_box(j.snapshot(&scope(), 50, 500, now()).unwrap());
    });
}

/// `cfdash history --path GLOB --offline`'s query (at most 200 rows, the default limit):
/// `/products/*` matches about 4,000 of the 10,000 invalidations; `/static/7/*` about 250
/// (distribution 7's 50, and the 200 with a `/*` that covers it).
#[divan::bench(sample_count = 50, args = ["/products/*", "/static/7/*"])]
fn history(bencher: divan::Bencher, glob: &str) {
    let mut j = Journal::open(&build(), now()).unwrap();
    let q = Query {
        profile: Some("bench".into()),
        path: Some(glob.into()),
        since: Some(now() - SignedDuration::from_hours(24 * 400)),
        limit: 200,
        ..Query::default()
    };
    bencher.bench_local(|| {
        let rows = j.history(&q).unwrap();
        assert!(!rows.is_empty());
        divan::black_box(rows);
    });
}

/// What a confirmed 3,000-path submit costs the UI thread with the journal on: the engine's
/// change, its writes, handed to the journal's thread (which writes them off the UI thread).
#[divan::bench(sample_count = 50)]
fn record_a_3000_path_batch(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&dir.path().join("j.sqlite"), now()).unwrap();
    let handle = Handle::spawn(
        j,
        std::sync::Arc::new(cfdash::clock::SystemClock),
        None,
        |_| {},
    );
    let paths: Vec<String> = (0..3000).map(|i| format!("/assets/{i}.js")).collect();
    let mut n = 0u64;
    bencher.bench_local(|| {
        n += 1;
        let mut engine = Engine::new(Policy::default());
        engine.record_changes();
        let sub = engine::submission_id(now(), "1-", n);
        for b in engine::plan(&sub, [("E1", std::slice::from_ref(&paths))]) {
            engine.add(b, now(), None);
        }
        for change in engine.take_changes() {
            for w in journal::writes_for(change, &scope(), None, now()) {
                handle.write(w);
            }
        }
    });
    divan::black_box(&handle);
}

/// Every cached detail of the profile (10,000 invalidations, 100,000 paths): what the
/// background fetch reads once when a profile opens, off the UI thread.
#[divan::bench(sample_count = 30)]
fn cached_details(bencher: divan::Bencher) {
    let mut j = Journal::open(&build(), now()).unwrap();
    bencher.bench_local(|| {
        let d = j.cached_details(&scope(), now()).unwrap();
        assert_eq!(d.len(), DISTRIBUTIONS * PER_DISTRIBUTION);
        divan::black_box(d);
    });
}
