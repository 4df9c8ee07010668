//! The aws CLI against `cfdash sim serve`, a separate process holding one account across
//! the CLI's calls: everything it serves must read without error, paging included.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

struct SimServe {
    child: Child,
    url: String,
}

impl SimServe {
    fn start() -> Self {
        let log = std::env::temp_dir().join(format!("cfdash-sim-serve-{}.log", std::process::id()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_cfdash"))
            .args([
                "sim",
                "serve",
                "--sim-latency-ms",
                "0",
                "--sim-activity",
                "0",
                "--log-file",
            ])
            .arg(log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
        Self { child, url }
    }

    fn aws(&self, args: &[&str]) -> Output {
        Command::new("aws")
            .args([
                "--endpoint-url",
                &self.url,
                "--output",
                "json",
                "cloudfront",
            ])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .output()
            .expect("the aws CLI runs (scripts/test.sh installs it)")
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.aws(args);
        assert!(
            out.status.success(),
            "aws {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for SimServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_aws_cli_reads_what_sim_serve_serves() {
    let sim = SimServe::start();
    // Pages of five: the CLI follows NextMarker until the 12 demo distributions are read.
    let list = sim.json(&["list-distributions", "--page-size", "5"]);
    let items = list["DistributionList"]["Items"].as_array().unwrap();
    assert_eq!(items.len(), 12);
    let first = &items[0];
    assert_eq!(first["Id"], "E2QWRUHAPOMQZL");
    assert_eq!(first["Aliases"]["Items"][0], "www.acme-shop.com");
    assert_eq!(first["Enabled"], true);

    let one = sim.json(&["get-distribution", "--id", "E2QWRUHAPOMQZL"]);
    let config = &one["Distribution"]["DistributionConfig"];
    assert_eq!(config["Comment"], "Storefront (prod)");
    assert_eq!(config["Aliases"]["Items"][1], "acme-shop.com");
    assert_eq!(one["Distribution"]["InProgressInvalidationBatches"], 2);
    assert_eq!(one["ETag"], "E1SIMULATED");

    let invs = sim.json(&[
        "list-invalidations",
        "--distribution-id",
        "E2QWRUHAPOMQZL",
        "--page-size",
        "7",
    ]);
    let invs = invs["InvalidationList"]["Items"].as_array().unwrap();
    assert_eq!(invs.len(), 62, "60 of history and 2 in progress");

    let made = sim.json(&[
        "create-invalidation",
        "--distribution-id",
        "E2QWRUHAPOMQZL",
        "--paths",
        "/index.html",
        "/images/*",
    ]);
    let id = made["Invalidation"]["Id"].as_str().unwrap().to_string();
    assert_eq!(made["Invalidation"]["Status"], "InProgress");
    assert!(made["Location"].as_str().unwrap().ends_with(&id));

    // Another process, the same account: the invalidation is there with its paths.
    let got = sim.json(&[
        "get-invalidation",
        "--distribution-id",
        "E2QWRUHAPOMQZL",
        "--id",
        &id,
    ]);
    assert_eq!(
        got["Invalidation"]["InvalidationBatch"]["Paths"]["Items"],
        serde_json::json!(["/index.html", "/images/*"])
    );

    let missing = sim.aws(&[
        "get-invalidation",
        "--distribution-id",
        "ENOPE",
        "--id",
        &id,
    ]);
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("NoSuchDistribution"), "{err}");
}
