//! Listing a whole account over the real SDK path: cfdash (`list_account`, 8 listings at a
//! time) against a shell loop of the aws CLI doing the same, both against one moto server on
//! loopback holding 100 distributions with 3 invalidations each.
//!
//!     cargo bench --bench aws_listing      # needs moto[server] and awscli (scripts/test.sh)

#[allow(dead_code)] // the tests' helper: this uses part of it
#[path = "../tests/it/common/moto.rs"]
mod moto;

#[path = "../tests/it/common/sdk.rs"]
mod sdk;

use std::process::Command;
use std::time::{Duration, Instant};

use cfdash::cloudfront::list_account;

const DISTRIBUTIONS: usize = 100;

/// For the processes run (with AWS_PROFILE removed): dummy keys for moto.
const DUMMY_KEYS: [(&str, &str); 4] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
];

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    let server = moto::Moto::start();
    server.reset();
    eprintln!("seeding {DISTRIBUTIONS} distributions with 3 invalidations each…");
    server.seed(DISTRIBUTIONS, 3);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut cfdash = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        let account = rt.block_on(async {
            let cf = sdk::client(&server.endpoint).await;
            list_account(&cf, 50).await.unwrap()
        });
        cfdash.push(start.elapsed());
        assert_eq!(account.len(), DISTRIBUTIONS);
        assert!(account.iter().all(|(_, l)| l.as_ref().unwrap().len() == 3));
    }

    // The whole command a pipeline runs, process start to JSON on stdout.
    let mut binary = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_cfdash"))
            .args(["invalidations", "--all", "--limit", "50", "--json"])
            .env("CFDASH_CONFIG", "/nonexistent/cfdash/config.toml")
            .env(
                "CFDASH_LOG_FILE",
                std::env::temp_dir().join("cfdash-bench.log"),
            )
            .env("AWS_ENDPOINT_URL", &server.endpoint)
            .envs(DUMMY_KEYS)
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap();
        binary.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(rows.as_array().unwrap().len(), DISTRIBUTIONS * 3);
    }

    let script = format!(
        "set -e; e={}; for id in $(aws --endpoint-url $e cloudfront list-distributions \
         --query 'DistributionList.Items[].Id' --output text); do \
         aws --endpoint-url $e cloudfront list-invalidations --distribution-id $id >/dev/null; done",
        server.endpoint
    );
    let mut cli = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let ok = Command::new("bash")
            .args(["-c", &script])
            .envs(DUMMY_KEYS)
            .env_remove("AWS_PROFILE")
            .status()
            .unwrap();
        assert!(ok.success());
        cli.push(start.elapsed());
    }
    let (a, b) = (median(cfdash.clone()), median(cli.clone()));
    println!("list {DISTRIBUTIONS} distributions and their recent invalidations (moto, loopback)");
    println!(
        "  cfdash (SDK, 8 at a time): median {a:.2?} of {:?}",
        cfdash
    );
    let c = median(binary.clone());
    println!("  aws CLI shell loop:        median {b:.2?} of {:?}", cli);
    println!(
        "  cfdash invalidations --all --json (the process): median {c:.2?} of {:?}",
        binary
    );
    println!(
        "  ratio: cfdash is {:.0}× faster (library), {:.0}× (the command)",
        b.as_secs_f64() / a.as_secs_f64(),
        b.as_secs_f64() / c.as_secs_f64()
    );
}
