//! The aws CLI against `cfdash sim serve`, a separate process holding one account across
//! the CLI's calls: everything it serves must read without error, paging included.

use cfdash::cloudfront::{CloudFront, InvalidationStatus, list_all_tenants, resolve_tenant};

use crate::common::serve::SimServe;

/// The demo's multi-tenant distribution.
const MULTI: &str = "E3MT5K7W2QXR9B";

#[test]
fn the_aws_cli_reads_what_sim_serve_serves() {
    let sim = SimServe::start(&[]);
    // Pages of five: the CLI follows NextMarker until the 13 demo distributions are read.
    let list = sim.json(&["list-distributions", "--page-size", "5"]);
    let items = list["DistributionList"]["Items"].as_array().unwrap();
    assert_eq!(items.len(), 13);
    let first = &items[0];
    assert_eq!(first["Id"], "E2QWRUHAPOMQZL");
    assert_eq!(first["Aliases"]["Items"][0], "www.acme-shop.com");
    assert_eq!(first["Enabled"], true);
    assert_eq!(first["ConnectionMode"], "direct");
    let multi = items.iter().find(|d| d["Id"] == MULTI).unwrap();
    assert_eq!(multi["ConnectionMode"], "tenant-only");

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

/// The aws CLI, a client nobody here wrote, meets `sim serve`'s refusals as it would meet
/// CloudFront's: the code it names, and nothing made.
#[test]
fn the_aws_cli_is_refused_what_cloudfront_refuses() {
    let sim = SimServe::start(&[]);
    let dist = "E3HB8D6PLWQ0UF";
    let refused = |args: &[&str], code: &str| {
        let before = sim.created();
        let mut all = vec!["create-invalidation", "--distribution-id", dist];
        all.extend(args);
        let o = sim.aws(&all);
        assert!(!o.status.success(), "{args:?} was taken");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(code), "{args:?}: {err}");
        assert_eq!(sim.created(), before, "{args:?} made something");
    };
    refused(&["--paths", "index.html"], "InvalidArgument");
    refused(&["--paths", "/a*/b"], "InvalidArgument");
    refused(&["--paths", "#a,b"], "InvalidArgument");
    let long = format!("/{}", "a".repeat(4000));
    refused(&["--paths", &long], "InvalidArgument");
    // A batch written by hand, its Quantity wrong.
    let batch = r#"{"Paths":{"Quantity":2,"Items":["/a"]},"CallerReference":"hand-1"}"#;
    refused(&["--invalidation-batch", batch], "InconsistentQuantities");
    let empty = r#"{"Paths":{"Quantity":1,"Items":["/a"]},"CallerReference":""}"#;
    refused(&["--invalidation-batch", empty], "InvalidArgument");
    let many: Vec<String> = (0..3001).map(|i| format!("\"/f{i}\"")).collect();
    let big = format!(
        r#"{{"Paths":{{"Quantity":3001,"Items":[{}]}},"CallerReference":"big-1"}}"#,
        many.join(",")
    );
    let file = std::env::temp_dir().join(format!("cfdash-big-batch-{}.json", std::process::id()));
    std::fs::write(&file, big).unwrap();
    let arg = format!("file://{}", file.display());
    refused(&["--invalidation-batch", &arg], "BatchTooLarge");
    std::fs::remove_file(&file).unwrap();
}

/// The rate model meets a client nobody here wrote: beyond a family's bucket the aws CLI
/// (with its retries off) is answered Throttling, and a throttled create makes nothing.
#[test]
fn the_aws_cli_is_throttled_beyond_the_rate_model() {
    let sim = SimServe::start(&["--sim-rate-limit", "list=0.01/2,create=0.01/1"]);
    let once = [("AWS_MAX_ATTEMPTS", "1")];
    let aws = |args: &[&str]| crate::common::serve::aws_with(&sim.url, args, &once);
    for _ in 0..2 {
        assert!(aws(&["list-distributions"]).status.success());
    }
    let o = aws(&["list-distributions"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("Throttling") && err.contains("Rate exceeded"),
        "{err}"
    );
    let dist = "E3HB8D6PLWQ0UF";
    let create = |r: &str| {
        let batch =
            format!(r#"{{"Paths":{{"Quantity":1,"Items":["/a"]}},"CallerReference":"{r}"}}"#);
        aws(&[
            "create-invalidation",
            "--distribution-id",
            dist,
            "--invalidation-batch",
            &batch,
        ])
    };
    assert!(create("rate-1").status.success());
    let o = create("rate-2");
    assert!(String::from_utf8_lossy(&o.stderr).contains("Throttling"));
    assert_eq!(sim.created(), 1);
}

/// A CallerReference used before with other paths: CloudFront answers 400 InvalidArgument
/// (not the InvalidationBatchAlreadyExists its reference names), and so does `sim serve`.
#[test]
fn a_reused_caller_reference_with_other_paths_is_refused_as_cloudfront_does() {
    let sim = SimServe::start(&[]);
    let dist = "E3HB8D6PLWQ0UF";
    let create = |path: &str| {
        let batch = format!(
            r#"{{"Paths":{{"Quantity":1,"Items":["{path}"]}},"CallerReference":"same-1"}}"#
        );
        sim.aws(&[
            "create-invalidation",
            "--distribution-id",
            dist,
            "--invalidation-batch",
            &batch,
        ])
    };
    let first = create("/a");
    assert!(first.status.success());
    let again = create("/a");
    assert!(
        again.status.success(),
        "the same batch again is the same invalidation"
    );
    let other = create("/b");
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(!other.status.success(), "{err}");
    assert!(
        err.contains("InvalidArgument") && err.contains("caller reference that was used"),
        "{err}"
    );
    assert_eq!(sim.created(), 1);
}

/// What cfdash's SDK client makes and reads of tenants, the aws CLI reads back the same
/// from `sim serve` (another client, another process); and the other way round.
#[test]
fn the_aws_cli_reads_back_what_cfdash_made_for_a_tenant() {
    let sim = SimServe::start(&[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cf = rt.block_on(crate::common::sdk::client(&sim.url));
    let paths = vec!["/catalog/*".to_string(), "#product:42".to_string()];
    let (tenants, harbor, made, header) = rt.block_on(async {
        let tenants = list_all_tenants(&cf, MULTI).await.unwrap();
        let harbor = resolve_tenant(&cf, "books.harbor.example").await.unwrap();
        let made = cf
            .create_invalidation(&harbor.id, &paths, "cfdash-tenant-1")
            .await
            .unwrap();
        let header = cf.get_cache_tag_header("E2QWRUHAPOMQZL").await.unwrap();
        (tenants, harbor, made, header)
    });
    assert_eq!(tenants.len(), 5);
    assert_eq!(harbor.name, "harbor-books");
    assert_eq!(header.as_deref(), Some("Cache-Tag"));

    // The invalidation cfdash made, by the tenant operation.
    let got = sim.json(&[
        "get-invalidation-for-distribution-tenant",
        "--distribution-tenant-id",
        &harbor.id,
        "--id",
        &made.id,
    ]);
    let batch = &got["Invalidation"]["InvalidationBatch"];
    assert_eq!(batch["Paths"]["Items"], serde_json::json!(paths));
    assert_eq!(batch["CallerReference"], "cfdash-tenant-1");
    let listed = sim.json(&[
        "list-invalidations-for-distribution-tenant",
        "--id",
        &harbor.id,
        "--page-size",
        "4",
    ]);
    let listed = listed["InvalidationList"]["Items"].as_array().unwrap();
    assert_eq!(
        listed.len(),
        22,
        "20 of history, 1 in progress and cfdash's"
    );
    assert_eq!(listed[0]["Id"], made.id.as_str(), "newest first");

    // The tenants cfdash listed, by the CLI in pages of two.
    let list = sim.json(&[
        "list-distribution-tenants",
        "--association-filter",
        &format!("DistributionId={MULTI}"),
        "--page-size",
        "2",
    ]);
    let items = list["DistributionTenantList"].as_array().unwrap();
    let ids: Vec<&str> = items.iter().map(|t| t["Id"].as_str().unwrap()).collect();
    let ours: Vec<&str> = tenants.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ours);
    let theirs = items
        .iter()
        .find(|t| t["Id"] == harbor.id.as_str())
        .unwrap();
    assert_eq!(theirs["Name"], "harbor-books");
    assert_eq!(theirs["Arn"], harbor.arn.as_str());
    assert_eq!(theirs["Domains"][0]["Domain"], "books.harbor.example");
    assert_eq!(theirs["DistributionId"], MULTI);
    let by_domain = sim.json(&[
        "get-distribution-tenant-by-domain",
        "--domain",
        "books.harbor.example",
    ]);
    assert_eq!(by_domain["DistributionTenant"]["Id"], harbor.id.as_str());
    assert_eq!(by_domain["ETag"], "E1SIMULATED");
    let by_name = sim.json(&["get-distribution-tenant", "--identifier", "harbor-books"]);
    assert_eq!(by_name["DistributionTenant"]["Id"], harbor.id.as_str());

    // The header cfdash read, in the whole DistributionConfig.
    let config = sim.json(&["get-distribution-config", "--id", "E2QWRUHAPOMQZL"]);
    assert_eq!(
        config["DistributionConfig"]["CacheTagConfig"]["HeaderName"],
        "Cache-Tag"
    );
    assert_eq!(config["DistributionConfig"]["ConnectionMode"], "direct");
    assert_eq!(config["ETag"], "E1SIMULATED");
    let config = sim.json(&["get-distribution-config", "--id", MULTI]);
    assert_eq!(
        config["DistributionConfig"]["ConnectionMode"],
        "tenant-only"
    );
    assert!(config["DistributionConfig"].get("CacheTagConfig").is_none());

    // The other way round: the CLI makes one on a tenant, cfdash reads it.
    let cli = sim.json(&[
        "create-invalidation-for-distribution-tenant",
        "--id",
        &harbor.id,
        "--invalidation-batch",
        r#"{"Paths":{"Quantity":1,"Items":["/theme.css"]},"CallerReference":"cli-tenant-1"}"#,
    ]);
    let id = cli["Invalidation"]["Id"].as_str().unwrap().to_string();
    assert!(cli["Location"].as_str().unwrap().ends_with(&format!(
        "/2020-05-31/distribution-tenant/{}/invalidation/{id}",
        harbor.id
    )));
    let read = rt.block_on(cf.get_invalidation(&harbor.id, &id)).unwrap();
    assert_eq!(read.paths, vec!["/theme.css".to_string()]);
    assert_eq!(read.caller_reference, "cli-tenant-1");
    assert!(matches!(
        read.status,
        InvalidationStatus::InProgress | InvalidationStatus::Completed
    ));
    assert_eq!(sim.created(), 2);

    // What the CLI is told of a tenant that does not exist.
    for args in [
        &["get-distribution-tenant", "--identifier", "dt_nope"][..],
        &[
            "get-invalidation-for-distribution-tenant",
            "--distribution-tenant-id",
            "dt_nope",
            "--id",
            &made.id,
        ][..],
    ] {
        let o = sim.aws(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains("EntityNotFound"),
            "{args:?}: {err}"
        );
    }
}
