//! How soon `cfdash invalidate --wait` notices a completion: the time between the moment
//! the simulator marks the invalidation Completed and the moment the cfdash process has
//! exited, against `aws cloudfront wait invalidation-completed` (which polls every 20 s).
//! Both run against one `cfdash sim serve` with delays scaled to a fifth.
//!
//!     cargo bench --bench wait_latency      # needs the aws CLI (scripts/test.sh)

#[allow(dead_code)] // the tests' helper: this uses part of it
#[path = "../tests/it/common/serve.rs"]
mod serve;

use std::io::{Read, Write};
use std::process::Command;

use jiff::{SignedDuration, Timestamp};

const RUNS: usize = 7;

fn completion(url: &str, dist: &str, id: &str) -> Timestamp {
    let address = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(address).unwrap();
    write!(
        s,
        "GET /cfdash-sim/completion/{dist}/{id} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    text.rsplit("\r\n\r\n")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn median(mut xs: Vec<SignedDuration>) -> SignedDuration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    let sim = serve::SimServe::start(&["--sim-delay-scale", "0.2"]);
    let dist = "E3HB8D6PLWQ0UF";
    let mut cfdash = Vec::new();
    for i in 0..RUNS {
        let o = sim.cfdash(&[
            "invalidate",
            "-d",
            dist,
            &format!("/run/{i}"),
            "--wait",
            "--json",
        ]);
        let ended = Timestamp::now();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let made: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let id = made[0]["id"].as_str().unwrap();
        let done = completion(&sim.url, dist, id);
        cfdash.push(ended.duration_since(done));
    }
    let mut aws = Vec::new();
    for i in 0..3 {
        let made = sim.json(&[
            "create-invalidation",
            "--distribution-id",
            dist,
            "--paths",
            &format!("/aws/{i}"),
        ]);
        let id = made["Invalidation"]["Id"].as_str().unwrap().to_string();
        let ok = Command::new("aws")
            .args([
                "--endpoint-url",
                &sim.url,
                "cloudfront",
                "wait",
                "invalidation-completed",
            ])
            .args(["--distribution-id", dist, "--id", &id])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .status()
            .unwrap();
        let ended = Timestamp::now();
        assert!(ok.success());
        aws.push(ended.duration_since(completion(&sim.url, dist, &id)));
    }
    println!("completion → process exit (sim serve, delays × 0.2)");
    let secs = |d: SignedDuration| d.as_secs_f64();
    println!(
        "  cfdash invalidate --wait: median {:.2} s, max {:.2} s of {RUNS}",
        secs(median(cfdash.clone())),
        secs(*cfdash.iter().max().unwrap())
    );
    println!(
        "  aws cloudfront wait invalidation-completed: median {:.2} s, max {:.2} s of 3",
        secs(median(aws.clone())),
        secs(*aws.iter().max().unwrap())
    );
}
