//! `AwsCloudFront` (the real SDK path) against `cfdash sim serve`'s HTTP face: what moto
//! cannot show — paging over several pages, throttling then success, 503s, dropped
//! connections, CallerReference idempotency — each ending in the right result or kind.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use cfdash::clock::SystemClock;
use cfdash::cloudfront::aws::AwsCloudFront;
use cfdash::cloudfront::serve::Server;
use cfdash::cloudfront::sim::{SimCloudFront, SimData, SimSettings, SimTenantSpec};
use cfdash::cloudfront::{
    CfError, CloudFront, InvalidationStatus, Tenant, list_all_distributions, list_all_tenants,
    list_recent_invalidations, resolve_tenant,
};

/// A server on a free loopback port, and a client pointed at it.
async fn serve(
    data: SimData,
    settings: SimSettings,
    drop_rate: f64,
) -> (Arc<Server>, Arc<SimCloudFront>, AwsCloudFront) {
    let seed = settings.seed;
    let sim = Arc::new(SimCloudFront::new(data, settings, Arc::new(SystemClock)));
    let listener = Server::bind(0).await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = Server::new(sim.clone(), drop_rate, seed);
    tokio::spawn(server.clone().run(listener));
    let cf = crate::common::sdk::client(&endpoint).await;
    (server, sim, cf)
}

fn small() -> SimData {
    let mut data = SimData::generated(3, 5);
    data.distributions[0].in_progress = 1;
    data
}

#[tokio::test(flavor = "multi_thread")]
async fn paging() {
    let mut data = SimData::generated(250, 0);
    data.distributions[0].history = 130;
    let (server, sim, cf) = serve(data, SimSettings::default(), 0.0).await;
    let all = list_all_distributions(&cf).await.unwrap();
    assert_eq!(all.len(), 250, "three pages of 100, 100 and 50");
    let d = &all[0];
    assert_eq!(d.aliases, vec!["site-0.example.com".to_string()]);
    assert_eq!(d.origins, vec!["origin-0.s3.amazonaws.com".to_string()]);
    assert_eq!(d.comment.as_deref(), Some("generated distribution 0"));
    assert_eq!(
        d.enabled,
        Some(false),
        "generated distribution 0 is disabled"
    );
    assert_eq!(all[1].enabled, Some(true));
    let before = server.stats().requests.load(Ordering::Relaxed);
    let recent = list_recent_invalidations(&cf, &d.id, 120).await.unwrap();
    assert_eq!(recent.len(), 120);
    assert_eq!(
        server.stats().requests.load(Ordering::Relaxed) - before,
        2,
        "120 of 130 take two pages"
    );
    assert!(
        recent
            .windows(2)
            .all(|w| w[0].create_time >= w[1].create_time)
    );
    // GetDistribution reads back what the listing said.
    assert_eq!(&cf.get_distribution(&all[1].id).await.unwrap(), &all[1]);
    assert_eq!(
        cf.get_distribution("ENOPE").await,
        Err(CfError::NoSuchDistribution { id: "ENOPE".into() })
    );
    let everything = list_recent_invalidations(&cf, &d.id, 1000).await.unwrap();
    assert_eq!(everything.len(), sim.invalidation_count(&d.id));
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotent_create() {
    let (server, sim, cf) = serve(small(), SimSettings::default(), 0.0).await;
    let dist = "E0000000000000";
    let before = sim.invalidation_count(dist);
    let paths = vec!["/index.html".to_string(), "/a b%20c/*".to_string()];
    let a = cf.create_invalidation(dist, &paths, "ref-1").await.unwrap();
    assert_eq!(a.status, InvalidationStatus::InProgress);
    assert_eq!(a.paths, paths, "paths survive the XML round trip");
    let b = cf.create_invalidation(dist, &paths, "ref-1").await.unwrap();
    assert_eq!(a.id, b.id);
    assert_eq!(sim.invalidation_count(dist), before + 1);
    assert_eq!(sim.created(), 1);
    // Twenty at once under one new reference: one invalidation, counted once.
    let cf = std::sync::Arc::new(cf);
    let racers: Vec<_> = (0..20)
        .map(|_| {
            let (cf, paths) = (cf.clone(), paths.clone());
            tokio::spawn(async move { cf.create_invalidation(dist, &paths, "race-1").await })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for r in racers {
        ids.insert(r.await.unwrap().unwrap().id);
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(sim.created(), 2, "counted once, by the create that made it");
    let _ = &server;
    let other = vec!["/other".to_string()];
    assert_eq!(
        cf.create_invalidation(dist, &other, "ref-1").await,
        Err(CfError::BatchAlreadyExists {
            caller_reference: "ref-1".into()
        })
    );
    // The in-progress quota, as CloudFront answers it.
    let wild: Vec<String> = (0..15).map(|i| format!("/w{i}/*")).collect();
    cf.create_invalidation("E0000000000002", &wild, "wild-1")
        .await
        .unwrap();
    let err = cf
        .create_invalidation("E0000000000002", &["/x/*".to_string()], "wild-2")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CfError::TooManyInvalidationsInProgress { distribution, .. } if distribution == "E0000000000002"),
        "{err:?}"
    );
    let got = cf.get_invalidation(dist, &a.id).await.unwrap();
    assert_eq!(got.caller_reference, "ref-1");
    assert_eq!(
        cf.get_invalidation("ENOPE", &a.id).await,
        Err(CfError::NoSuchDistribution { id: "ENOPE".into() })
    );
    assert_eq!(
        cf.get_invalidation(dist, "INOPE").await,
        Err(CfError::NoSuchInvalidation {
            distribution: dist.into(),
            id: "INOPE".into()
        })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_then_success() {
    // Half the calls throttled: the SDK backs off and retries; every call here succeeds
    // in the end, though the server throttled some attempts.
    let settings = SimSettings {
        throttle_rate: 0.5,
        seed: 3,
        ..Default::default()
    };
    let (server, _, cf) = serve(small(), settings, 0.0).await;
    for _ in 0..4 {
        cf.list_distributions_page(None, 100).await.unwrap();
    }
    assert!(server.stats().throttled.load(Ordering::Relaxed) > 0);
    // Throttled on every attempt: the throttled kind, after the retries.
    let settings = SimSettings {
        throttle_rate: 1.0,
        ..Default::default()
    };
    let (server, _, cf) = serve(small(), settings, 0.0).await;
    let err = cf.list_distributions_page(None, 100).await.unwrap_err();
    assert!(err.is_throttled(), "{err:?}");
    assert_eq!(
        server.stats().throttled.load(Ordering::Relaxed),
        4,
        "four attempts"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn service_unavailable() {
    let settings = SimSettings {
        fault_rate: 1.0,
        ..Default::default()
    };
    let (server, _, cf) = serve(small(), settings, 0.0).await;
    let err = cf
        .list_invalidations_page("E0000000000000", None, 10)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CfError::ServerError { status: 503, code, .. } if code == "ServiceUnavailable"),
        "{err:?}"
    );
    assert_eq!(
        server.stats().unavailable.load(Ordering::Relaxed),
        4,
        "retried"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dropped_connections() {
    // Every answer lost: a network error, after the retries.
    let (_, _, cf) = serve(small(), SimSettings::default(), 1.0).await;
    let err = cf.list_distributions_page(None, 10).await.unwrap_err();
    assert!(matches!(err, CfError::Network { .. }), "{err:?}");

    // Half the answers lost while creating: the retry carries the same CallerReference,
    // so the invalidation made by a lost attempt is found, not made twice.
    let (server, sim, cf) = serve(
        small(),
        SimSettings {
            seed: 5,
            ..Default::default()
        },
        0.5,
    )
    .await;
    let dist = "E0000000000001";
    let before = sim.invalidation_count(dist);
    // The client makes one attempt at a create (the submission engine retries, and must
    // see each lost answer); sent again under the same reference, as the engine does,
    // every create is recovered.
    let mut made = 0;
    for n in 0..6 {
        let paths = vec![format!("/page-{n}.html")];
        for _ in 0..20 {
            match cf
                .create_invalidation(dist, &paths, &format!("drop-{n}"))
                .await
            {
                Ok(_) => {
                    made += 1;
                    break;
                }
                Err(e) => assert!(cfdash::engine::is_retryable(&e), "{e:?}"),
            }
        }
    }
    let stats = server.stats();
    assert!(
        stats.dropped.load(Ordering::Relaxed) > 0,
        "some answers were lost"
    );
    assert_eq!(
        made, 6,
        "retries under the same reference recovered every create"
    );
    let created = sim.created() as usize;
    assert_eq!(sim.invalidation_count(dist), before + created);
    assert_eq!(
        created, 6,
        "one invalidation per CallerReference, never two"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_that_need_percent_encoding() {
    // Every character here is escaped in the URL, and most in the XML too.
    let odd = "E1 a/b&<c>+%'\"é";
    let mut data = SimData::generated(2, 2);
    data.distributions[0].id = odd.to_string();
    let (_, sim, cf) = serve(data, SimSettings::default(), 0.0).await;
    let all = list_all_distributions(&cf).await.unwrap();
    assert_eq!(all[0].id, odd);
    assert_eq!(&cf.get_distribution(odd).await.unwrap(), &all[0]);
    // As a Marker, in the query.
    let page = cf.list_distributions_page(None, 1).await.unwrap();
    assert_eq!(page.next_marker.as_deref(), Some(odd));
    let rest = cf.list_distributions_page(Some(odd), 1).await.unwrap();
    assert_eq!(rest.items[0].id, "E0000000000001");
    assert_eq!(
        list_recent_invalidations(&cf, odd, 10).await.unwrap().len(),
        2
    );
    // Paths the SDK writes with character references (a line separator) come back as sent.
    let paths = vec!["/a&b?x=<1>".to_string(), "/line\u{2028}sep".to_string()];
    let made = cf.create_invalidation(odd, &paths, "odd-1").await.unwrap();
    assert_eq!(made.paths, paths);
    assert_eq!(sim.invalidation_count(odd), 3);
    let got = cf.get_invalidation(odd, &made.id).await.unwrap();
    assert_eq!(got.paths, paths);
}

/// One request on a fresh connection, written as is; the status and the body of the answer.
async fn raw_request(address: &str, request: String) -> (u16, String) {
    let address = address.to_string();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&address).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no status line: {text:?}"));
        let body = text
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        (status, body)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_uris_and_huge_bodies() {
    let sim = Arc::new(SimCloudFront::new(
        small(),
        SimSettings::default(),
        Arc::new(SystemClock),
    ));
    let listener = Server::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(Server::new(sim, 0.0, 1).run(listener));
    let get =
        |path: &str| format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    // Bad escapes and non-UTF-8: CloudFront's error shape, never a panic or a wrong answer.
    for bad in ["E%ZZ", "E%4", "E%", "E%FF", "E%C3%28"] {
        let (status, body) =
            raw_request(&address, get(&format!("/2020-05-31/distribution/{bad}"))).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body.contains("<ErrorResponse"), "{bad}: {body}");
        assert!(body.contains("<Code>InvalidURI</Code>"), "{bad}: {body}");
    }
    let (status, body) = raw_request(
        &address,
        get("/2020-05-31/distribution/E0000000000000/invalidation?Marker=%G0"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("<Code>InvalidArgument</Code>"), "{body}");
    // Percent-encoded plain characters are the same id.
    let (status, body) =
        raw_request(&address, get("/2020-05-31/distribution/E%30000000000000")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<Id>E0000000000000</Id>"), "{body}");
    // A 1 GB body is refused from its Content-Length, unread.
    let post = format!(
        "POST /2020-05-31/distribution/E0000000000000/invalidation HTTP/1.1\r\nHost: {address}\r\n\
         Content-Length: 1073741824\r\n\r\n<InvalidationBatch>"
    );
    let (status, body) = raw_request(&address, post).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body.contains("<Code>RequestEntityTooLarge</Code>"),
        "{body}"
    );
    assert!(body.contains("larger than 16 MiB"), "{body}");
    // A control character in a path could not be written back in XML: refused. Raw, the
    // body is not XML at all; as a character reference (as an SDK writes it), the path is
    // refused.
    for (path, code) in [
        ("/a\u{1}b", "MalformedXML"),
        ("/a&#x1;b", "InvalidArgument"),
    ] {
        let batch = format!(
            "<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>{path}</Path></Items></Paths><CallerReference>c-1</CallerReference></InvalidationBatch>"
        );
        let post = format!(
            "POST /2020-05-31/distribution/E0000000000000/invalidation HTTP/1.1\r\nHost: {address}\r\n\
             Connection: close\r\nContent-Length: {}\r\n\r\n{batch}",
            batch.len()
        );
        let (status, body) = raw_request(&address, post).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains(&format!("<Code>{code}</Code>")), "{body}");
    }
}

/// CloudFront refuses these batches before it makes anything, with these codes; every
/// error's `RequestId` is its `x-amz-request-id`.
#[tokio::test(flavor = "multi_thread")]
async fn batches_cloudfront_refuses_are_refused_the_same_way() {
    let data = small();
    let dist = data.distributions[0].id.clone();
    let sim = Arc::new(SimCloudFront::new(
        data,
        SimSettings::default(),
        Arc::new(SystemClock),
    ));
    let listener = Server::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(Server::new(sim.clone(), 0.0, 1).run(listener));
    let before = sim.invalidation_count(&dist);
    let post = |body: String| {
        format!(
            "POST /2020-05-31/distribution/{dist}/invalidation HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let batch = |quantity: usize, items: &[String], reference: &str| {
        let items: String = items.iter().map(|p| format!("<Path>{p}</Path>")).collect();
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Paths><Quantity>{quantity}</Quantity><Items>{items}</Items></Paths><CallerReference>{reference}</CallerReference></InvalidationBatch>"
        )
    };
    let one = |p: &str| vec![p.to_string()];
    let long = format!("/{}", "a".repeat(4000));
    let many: Vec<String> = (0..3001).map(|i| format!("/f{i}")).collect();
    let cases: Vec<(String, u16, &str)> = vec![
        ("not xml at all".into(), 400, "MalformedXML"),
        (String::new(), 400, "MissingBody"),
        (batch(2, &one("/a"), "r1"), 400, "InconsistentQuantities"),
        (batch(1, &one("/a"), ""), 400, "InvalidArgument"),
        (batch(1, &one("a/no-slash"), "r2"), 400, "InvalidArgument"),
        (batch(1, &one("/a*/b"), "r3"), 400, "InvalidArgument"),
        (batch(1, &one(&long), "r4"), 400, "InvalidArgument"),
        (batch(1, &one("#a,b"), "r5"), 400, "InvalidArgument"),
        (batch(1, &one("#"), "r6"), 400, "InvalidArgument"),
        (batch(3001, &many, "r7"), 413, "BatchTooLarge"),
        // Bodies an earlier reading by substrings took as batches (an adversarial run).
        (
            "zzz <InvalidationBatch zzz <Path>/a</Path> <CallerReference>R</CallerReference>"
                .into(),
            400,
            "MalformedXML",
        ),
        (
            batch(1, &one("/a"), "r8").replace("</InvalidationBatch>", ""),
            400,
            "MalformedXML",
        ),
        (batch(1, &one("/a"), "<Path>/b</Path>"), 400, "MalformedXML"),
        (
            batch(1, &one("/a"), "r9").replace("<Quantity>1</Quantity>", ""),
            400,
            "MalformedXML",
        ),
        (
            batch(1, &one("/a"), "r10").replace(
                "<Quantity>1</Quantity>",
                "<Quantity>1</Quantity><Quantity>1</Quantity>",
            ),
            400,
            "MalformedXML",
        ),
        // A path under an element CloudFront does not know is no path.
        (
            batch(1, &one("/a"), "r11").replace(
                "</Items>",
                "<Junk><Path>/evil</Path></Junk><Path>/b</Path></Items>",
            ),
            400,
            "InconsistentQuantities",
        ),
    ];
    for (body, status, code) in cases {
        let (got, head, text) = raw_answer(&address, post(body.clone())).await;
        let shown: String = body.chars().take(80).collect();
        assert_eq!(got, status, "{shown}: {text}");
        assert!(
            text.contains(&format!("<Code>{code}</Code>")),
            "{shown}: {text}"
        );
        let in_body = text
            .split("<RequestId>")
            .nth(1)
            .and_then(|r| r.split("</RequestId>").next())
            .unwrap();
        let in_head = head
            .lines()
            .find_map(|l| l.strip_prefix("x-amz-request-id: "))
            .unwrap();
        assert_eq!(in_body, in_head.trim());
    }
    assert_eq!(sim.invalidation_count(&dist), before, "nothing made");
    // What it takes: a path, its wildcard last, a tag, at the limits.
    let fine = vec![
        "/a".to_string(),
        "/b/*".to_string(),
        format!("/{}", "a".repeat(3999)),
        format!("#{}", "t".repeat(256)),
    ];
    let (status, _, text) = raw_answer(&address, post(batch(4, &fine, "ok-1"))).await;
    assert_eq!(status, 201, "{text}");
    assert!(text.contains("<Status>InProgress</Status>"), "{text}");
    // And what well-formed XML may say otherwise: CDATA, attributes, comments.
    let odd = batch(2, &["<![CDATA[/c?x=<1>]]>".into(), "/d".into()], "ok-2")
        .replace("<Path>/d", "<Path xml:lang=\"en\"><!-- note -->/d");
    let (status, _, text) = raw_answer(&address, post(odd)).await;
    assert_eq!(status, 201, "{text}");
    assert!(text.contains("<Path>/c?x=&lt;1&gt;</Path>"), "{text}");
    // Not UTF-8: not a document.
    let mut bytes = post(batch(1, &one("/a"), "r12")).into_bytes();
    let at = bytes.len() - 60;
    bytes[at] = 0xFF;
    let (status, _, text) = raw_answer(&address, bytes).await;
    assert_eq!(status, 400, "{text}");
    assert!(
        text.contains("<Code>MalformedXML</Code>") && text.contains("not UTF-8"),
        "{text}"
    );
}

/// One request on a fresh connection; the status, the head and the body of the answer.
async fn raw_answer(address: &str, request: impl Into<Vec<u8>>) -> (u16, String, String) {
    let address = address.to_string();
    let request: Vec<u8> = request.into();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&address).unwrap();
        s.write_all(&request).unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, head.to_lowercase(), body.to_string())
    })
    .await
    .unwrap()
}

/// Clients holding connections open until `sim serve` runs out of file descriptors do not
/// end it: it waits and goes on serving (before, one failed accept stopped it).
#[test]
fn sim_serve_outlives_running_out_of_file_descriptors() {
    use std::io::{Read, Write};
    let mut sim = crate::common::serve::SimServe::spawn(std::process::Command::new("sh").args([
        "-c",
        "ulimit -n 48; exec \"$0\" sim serve --sim-latency-ms 0 --sim-activity 0 --log-file /dev/null",
        env!("CARGO_BIN_EXE_cfdash"),
    ]));
    let address = sim.url.trim_start_matches("http://").to_string();
    // More connections than it has descriptors for, held open.
    let held: Vec<_> = (0..80)
        .filter_map(|_| std::net::TcpStream::connect(&address).ok())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(500));
    drop(held);
    assert!(sim.is_running(), "sim serve stopped");
    let stats = || -> Option<String> {
        let mut s = std::net::TcpStream::connect(&address).ok()?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(2)))
            .ok()?;
        write!(
            s,
            "GET /cfdash-sim/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut text = String::new();
        s.read_to_string(&mut text).ok()?;
        Some(text)
    };
    let mut answered = None;
    for _ in 0..50 {
        answered = stats().filter(|t| t.contains("requests="));
        if answered.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(answered.is_some(), "sim serve no longer answers");
    assert!(sim.is_running(), "sim serve stopped");
}

/// A tenant-only distribution (the third) with `tenants` tenants, the first three with a
/// little history; the first distribution has a CacheTagConfig.
fn with_tenants(tenants: usize) -> SimData {
    let mut data = SimData::generated(3, 5);
    data.distributions[0].cache_tag_header = Some("Cache-Tag".into());
    let multi = &mut data.distributions[2];
    multi.tenant_only = true;
    multi.tenants = (0..tenants)
        .map(|i| SimTenantSpec {
            id: format!("dt_{i:05}Tenant"),
            name: format!("tenant-{i}"),
            domains: vec![format!("t{i}.example"), format!("www.t{i}.example")],
            enabled: i % 5 != 4,
            status: "Deployed".into(),
            modified_days_ago: 1.0,
            history: if i < 3 { 12 } else { 0 },
            in_progress: 0,
            paths: Vec::new(),
        })
        .collect();
    data
}

const MULTI: &str = "E0000000000002";

#[tokio::test(flavor = "multi_thread")]
async fn tenants_over_the_sdk() {
    let (server, sim, cf) = serve(with_tenants(230), SimSettings::default(), 0.0).await;
    // ListDistributionTenants, a hundred at a time: three pages.
    let before = server.stats().requests.load(Ordering::Relaxed);
    let all = list_all_tenants(&cf, MULTI).await.unwrap();
    assert_eq!(server.stats().requests.load(Ordering::Relaxed) - before, 3);
    assert_eq!(all.len(), 230);
    let ids: std::collections::HashSet<_> = all.iter().map(|t| &t.id).collect();
    assert_eq!(ids.len(), 230, "no tenant twice across the pages");
    let first = &all[0];
    assert_eq!(first.id, "dt_00000Tenant");
    assert_eq!(first.distribution_id, MULTI);
    assert_eq!(first.name, "tenant-0");
    assert_eq!(first.domains, vec!["t0.example", "www.t0.example"]);
    assert_eq!(first.enabled, Some(true));
    assert_eq!(all[4].enabled, Some(false));
    assert_eq!(first.status.as_deref(), Some("Deployed"));
    // As the simulator has it, its time to the millisecond (as XML carries it).
    let held = sim.tenant("dt_00000Tenant").unwrap();
    assert_eq!(
        Tenant {
            last_modified: first.last_modified,
            ..held.clone()
        },
        *first
    );
    assert!(
        (held.last_modified - first.last_modified).abs() < jiff::SignedDuration::from_millis(1)
    );
    // A page size of its own, and the marker it gives.
    let page = cf.list_tenants_page(MULTI, None, 7).await.unwrap();
    assert_eq!(page.items[..], all[..7]);
    assert_eq!(page.next_marker.as_deref(), Some("dt_00006Tenant"));
    let next = cf
        .list_tenants_page(MULTI, page.next_marker.as_deref(), 7)
        .await
        .unwrap();
    assert_eq!(next.items[..], all[7..14]);
    // The last page says no more.
    let last = cf
        .list_tenants_page(MULTI, Some("dt_00225Tenant"), 100)
        .await
        .unwrap();
    assert_eq!((last.items.len(), last.next_marker), (4, None));
    // Another distribution's tenants: none.
    assert!(
        list_all_tenants(&cf, "E0000000000000")
            .await
            .unwrap()
            .is_empty()
    );

    // GetDistributionTenant by id, name and ARN; …ByDomain by any of its domains.
    let t = &all[17];
    assert_eq!(&cf.get_tenant(&t.id).await.unwrap(), t);
    assert_eq!(&cf.get_tenant(&t.name).await.unwrap(), t);
    assert_eq!(
        &cf.get_tenant(&t.arn).await.unwrap(),
        t,
        "an ARN holds a `/`"
    );
    assert_eq!(
        &cf.get_tenant_by_domain("www.t17.example").await.unwrap(),
        t
    );
    assert_eq!(&resolve_tenant(&cf, "t17.example").await.unwrap(), t);
    assert_eq!(&resolve_tenant(&cf, "tenant-17").await.unwrap(), t);
    assert_eq!(
        cf.get_tenant("dt_nope").await,
        Err(CfError::NoSuchTenant {
            id: "dt_nope".into()
        })
    );
    assert_eq!(
        cf.get_tenant_by_domain("nope.example").await,
        Err(CfError::NoSuchTenant {
            id: "nope.example".into()
        })
    );

    // ConnectionMode, in the listing and in GetDistribution's DistributionConfig.
    let distributions = list_all_distributions(&cf).await.unwrap();
    let modes: Vec<bool> = distributions.iter().map(|d| d.tenant_only).collect();
    assert_eq!(modes, [false, false, true]);
    assert!(cf.get_distribution(MULTI).await.unwrap().tenant_only);
    assert!(
        !cf.get_distribution("E0000000000001")
            .await
            .unwrap()
            .tenant_only
    );

    // GetDistributionConfig's CacheTagConfig.
    assert_eq!(
        cf.get_cache_tag_header("E0000000000000").await,
        Ok(Some("Cache-Tag".into()))
    );
    assert_eq!(cf.get_cache_tag_header(MULTI).await, Ok(None));
    assert_eq!(
        cf.get_cache_tag_header("ENOPE").await,
        Err(CfError::NoSuchDistribution { id: "ENOPE".into() })
    );

    // A tenant's invalidations, by the tenant operations.
    let tenant = "dt_00001Tenant";
    let listed = list_recent_invalidations(&cf, tenant, 100).await.unwrap();
    assert_eq!(listed.len(), 12);
    let before = server.stats().requests.load(Ordering::Relaxed);
    assert_eq!(
        list_recent_invalidations(&cf, tenant, 10).await.unwrap()[..],
        listed[..10]
    );
    let page = cf.list_invalidations_page(tenant, None, 5).await.unwrap();
    assert_eq!(page.items[..], listed[..5]);
    assert!(page.next_marker.is_some());
    assert_eq!(server.stats().requests.load(Ordering::Relaxed) - before, 2);
    let paths = vec!["/index.html".to_string(), "#product:42".to_string()];
    let made = cf
        .create_invalidation(tenant, &paths, "t-ref-1")
        .await
        .unwrap();
    assert_eq!(made.paths, paths);
    let again = cf
        .create_invalidation(tenant, &paths, "t-ref-1")
        .await
        .unwrap();
    assert_eq!(again.id, made.id);
    assert_eq!(sim.invalidation_count(tenant), 13);
    assert_eq!(
        sim.invalidation_count(MULTI),
        5,
        "the distribution's own untouched"
    );
    assert_eq!(
        cf.create_invalidation(tenant, &["/other".into()], "t-ref-1")
            .await,
        Err(CfError::BatchAlreadyExists {
            caller_reference: "t-ref-1".into()
        })
    );
    let got = cf.get_invalidation(tenant, &made.id).await.unwrap();
    assert_eq!(
        (got.id, got.caller_reference),
        (made.id.clone(), "t-ref-1".into())
    );
    assert_eq!(
        cf.get_invalidation(tenant, "INOPE").await,
        Err(CfError::NoSuchInvalidation {
            distribution: tenant.into(),
            id: "INOPE".into()
        })
    );
    // Another tenant's invalidation is not this one's.
    assert!(matches!(
        cf.get_invalidation("dt_00002Tenant", &made.id).await,
        Err(CfError::NoSuchInvalidation { .. })
    ));
    let nope = || CfError::NoSuchTenant {
        id: "dt_nope".into(),
    };
    assert_eq!(
        cf.list_invalidations_page("dt_nope", None, 10).await,
        Err(nope())
    );
    assert_eq!(cf.get_invalidation("dt_nope", &made.id).await, Err(nope()));
    assert_eq!(
        cf.create_invalidation("dt_nope", &paths, "t-ref-2").await,
        Err(nope())
    );
    assert_eq!(sim.created(), 1);
}

/// A tenant's create whose answer is lost is made once: the engine's retry under the same
/// CallerReference finds it, as for a distribution's; it then completes.
#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_invalidation_survives_lost_answers() {
    let settings = SimSettings {
        seed: 5,
        delay_scale: 0.0,
        ..Default::default()
    };
    let (server, sim, cf) = serve(with_tenants(3), settings, 0.5).await;
    let tenant = "dt_00002Tenant";
    let before = sim.invalidation_count(tenant);
    let mut made = Vec::new();
    let mut lost = 0;
    for n in 0..6 {
        let paths = vec![format!("/page-{n}.html")];
        for _ in 0..20 {
            match cf
                .create_invalidation(tenant, &paths, &format!("lost-{n}"))
                .await
            {
                Ok(i) => {
                    made.push(i);
                    break;
                }
                Err(e) => {
                    assert!(cfdash::engine::is_retryable(&e), "{e:?}");
                    lost += 1;
                }
            }
        }
    }
    assert!(lost > 0, "some creates' answers were lost");
    assert!(server.stats().dropped.load(Ordering::Relaxed) > 0);
    assert_eq!(made.len(), 6, "every create recovered under its reference");
    assert_eq!(
        sim.created(),
        6,
        "one invalidation per CallerReference, never two"
    );
    assert_eq!(sim.invalidation_count(tenant), before + 6);
    // Read back (the SDK retries reads), completed.
    for i in &made {
        let mut got = None;
        for _ in 0..20 {
            if let Ok(read) = cf.get_invalidation(tenant, &i.id).await {
                got = Some(read);
                break;
            }
        }
        let got = got.expect("read back in the end");
        assert_eq!(got.status, InvalidationStatus::Completed);
        assert_eq!(got.paths, i.paths);
    }
}

/// A principal without a permission is answered 403 AccessDenied, and the error names the
/// operation it lacks.
#[tokio::test(flavor = "multi_thread")]
async fn access_denied_names_the_tenant_operation() {
    let (server, sim, cf) = serve(with_tenants(3), SimSettings::default(), 0.0).await;
    let tenant = "dt_00000Tenant";
    for action in [
        "ListDistributionTenants",
        "GetDistributionTenant",
        "GetDistributionTenantByDomain",
        "ListInvalidationsForDistributionTenant",
        "GetInvalidationForDistributionTenant",
        "CreateInvalidationForDistributionTenant",
        "GetDistributionConfig",
    ] {
        server.deny(action);
    }
    let denied = |r: Result<_, CfError>, want: &str| match r {
        Err(CfError::AccessDenied { action, .. }) => assert_eq!(action, want),
        other => panic!("{want}: {other:?}"),
    };
    denied(
        cf.list_tenants_page(MULTI, None, 10).await.map(|_| ()),
        "ListDistributionTenants",
    );
    denied(
        cf.get_tenant(tenant).await.map(|_| ()),
        "GetDistributionTenant",
    );
    denied(
        cf.get_tenant_by_domain("t0.example").await.map(|_| ()),
        "GetDistributionTenantByDomain",
    );
    denied(
        cf.list_invalidations_page(tenant, None, 10)
            .await
            .map(|_| ()),
        "ListInvalidationsForDistributionTenant",
    );
    denied(
        cf.get_invalidation(tenant, "I1").await.map(|_| ()),
        "GetInvalidationForDistributionTenant",
    );
    let paths = vec!["/a".to_string()];
    denied(
        cf.create_invalidation(tenant, &paths, "d-1")
            .await
            .map(|_| ()),
        "CreateInvalidationForDistributionTenant",
    );
    denied(
        cf.get_cache_tag_header(MULTI).await.map(|_| ()),
        "GetDistributionConfig",
    );
    let e = cf
        .create_invalidation(tenant, &paths, "d-1")
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("cloudfront:CreateInvalidationForDistributionTenant"),
        "{e}"
    );
    assert_eq!(sim.created(), 0);
    // The distribution's own operations are not denied.
    cf.create_invalidation(MULTI, &paths, "d-1").await.unwrap();
    assert_eq!(sim.created(), 1);
}

/// What the SDK does not show: the status codes, ETag and Location headers, and the
/// error codes the service model gives these operations.
#[tokio::test(flavor = "multi_thread")]
async fn tenant_answers_as_the_service_model_has_them() {
    let sim = Arc::new(SimCloudFront::new(
        with_tenants(3),
        SimSettings::default(),
        Arc::new(SystemClock),
    ));
    let listener = Server::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(Server::new(sim.clone(), 0.0, 1).run(listener));
    let get =
        |path: &str| format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    let post = |path: &str, body: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let (status, head, body) = raw_answer(
        &address,
        get("/2020-05-31/distribution/E0000000000000/config"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("etag: e1simulated"), "{head}");
    assert!(body.contains("<DistributionConfig xmlns="), "{body}");
    assert!(
        body.contains("<CacheTagConfig><HeaderName>Cache-Tag</HeaderName></CacheTagConfig>"),
        "{body}"
    );
    assert!(
        body.contains("<ConnectionMode>direct</ConnectionMode>"),
        "{body}"
    );
    let (_, _, body) = raw_answer(
        &address,
        get(&format!("/2020-05-31/distribution/{MULTI}/config")),
    )
    .await;
    assert!(!body.contains("CacheTagConfig"), "{body}");
    assert!(
        body.contains("<ConnectionMode>tenant-only</ConnectionMode>"),
        "{body}"
    );

    let (status, head, body) =
        raw_answer(&address, get("/2020-05-31/distribution-tenant/tenant-1")).await;
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("etag: e1simulated"), "{head}");
    assert!(body.contains("<DistributionTenant xmlns="), "{body}");
    assert!(
        body.contains("<Domains><member><Domain>t1.example</Domain>"),
        "DomainResultList items are `member`: {body}"
    );
    let (status, head, _) = raw_answer(
        &address,
        get("/2020-05-31/distribution-tenant?domain=www.t2.example"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(head.contains("etag: e1simulated"), "{head}");

    let list = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListDistributionTenantsRequest xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><AssociationFilter><DistributionId>E0000000000002</DistributionId></AssociationFilter><MaxItems>2</MaxItems></ListDistributionTenantsRequest>";
    let (status, _, body) =
        raw_answer(&address, post("/2020-05-31/distribution-tenants", list)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("<ListDistributionTenantsResult xmlns="),
        "{body}"
    );
    assert!(
        body.contains("<NextMarker>dt_00001Tenant</NextMarker>"),
        "{body}"
    );
    assert_eq!(
        body.matches("<DistributionTenantSummary>").count(),
        2,
        "{body}"
    );
    assert!(
        body.contains("<ETag>"),
        "a summary's ETag is required: {body}"
    );

    let batch = "<InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths><CallerReference>raw-1</CallerReference></InvalidationBatch>";
    let (status, head, body) = raw_answer(
        &address,
        post(
            "/2020-05-31/distribution-tenant/dt_00000Tenant/invalidation",
            batch,
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert!(
        head.contains("location: https://cloudfront.amazonaws.com/2020-05-31/distribution-tenant/dt_00000tenant/invalidation/i"),
        "{head}"
    );
    // The batch checks are the plain create's.
    let (status, _, body) = raw_answer(
        &address,
        post(
            "/2020-05-31/distribution-tenant/dt_00000Tenant/invalidation",
            &batch.replace("<Quantity>1", "<Quantity>2"),
        ),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body.contains("<Code>InconsistentQuantities</Code>"),
        "{body}"
    );

    // EntityNotFound (404) for a tenant that does not exist, or a distribution's id on a
    // tenant path; NoSuchDistribution for a tenant's id on a distribution path.
    for path in [
        "/2020-05-31/distribution-tenant/dt_nope",
        "/2020-05-31/distribution-tenant?domain=nope.example",
        "/2020-05-31/distribution-tenant/dt_nope/invalidation",
        "/2020-05-31/distribution-tenant/E0000000000000/invalidation",
    ] {
        let (status, _, body) = raw_answer(&address, get(path)).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(
            body.contains("<Code>EntityNotFound</Code>"),
            "{path}: {body}"
        );
    }
    let (status, _, body) = raw_answer(
        &address,
        get("/2020-05-31/distribution/dt_00000Tenant/invalidation"),
    )
    .await;
    assert_eq!(status, 404);
    assert!(body.contains("<Code>NoSuchDistribution</Code>"), "{body}");
    assert_eq!(sim.created(), 1);
}
