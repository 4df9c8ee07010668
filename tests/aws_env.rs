//! The AWS environment the aws CLI honours, honoured here too: HTTP(S)_PROXY sends the
//! SDK's requests through a proxy, and AWS_CA_BUNDLE is read (and refused clearly when it
//! cannot be used).

#[path = "common/dummy_aws.rs"]
mod dummy_aws;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use cfdash::cloudfront::CloudFront;
use cfdash::cloudfront::aws::{AwsCloudFront, AwsSettings};

/// A proxy that answers every request itself with an empty distribution list, and
/// remembers the request lines it saw.
fn proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
            }
            log.lock().unwrap().push(first.trim().to_string());
            let body = "<?xml version=\"1.0\"?><DistributionList xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>0</Quantity></DistributionList>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (address, seen)
}

/// One test, so the process environment is changed by one thread only.
#[test]
fn proxy_and_ca_bundle_variables_are_honoured() {
    let (proxy_url, seen) = proxy();
    // The endpoint is never contacted directly: nothing listens there.
    let endpoint = "http://127.0.0.1:9/".to_string();
    // SAFETY: the only test in this binary; the proxy's thread never reads the environment.
    unsafe { dummy_aws::use_dummy_credentials() };
    // SAFETY: as above.
    unsafe {
        std::env::set_var("HTTP_PROXY", &proxy_url);
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }
    let settings = AwsSettings {
        endpoint_url: Some(endpoint.clone()),
        ..Default::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();

    // The SDK's default client goes through HTTP_PROXY.
    let page = rt
        .block_on(async {
            let cf = AwsCloudFront::connect(&settings).await.unwrap();
            cf.list_distributions_page(None, 100).await
        })
        .unwrap();
    assert!(page.items.is_empty());
    let lines = seen.lock().unwrap().clone();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("GET http://127.0.0.1:9/2020-05-31/distribution"),
        "absolute-form request to the proxy: {lines:?}"
    );

    // AWS_CA_BUNDLE that cannot be read, or holds no certificate: a clear error.
    let dir = std::env::temp_dir().join(format!("cfdash-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing.pem");
    unsafe { std::env::set_var("AWS_CA_BUNDLE", &missing) };
    let err = rt
        .block_on(AwsCloudFront::connect(&settings))
        .err()
        .unwrap();
    assert!(
        err.contains("AWS_CA_BUNDLE") && err.contains(&missing.display().to_string()),
        "{err}"
    );
    let junk = dir.join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    unsafe { std::env::set_var("AWS_CA_BUNDLE", &junk) };
    let err = rt
        .block_on(AwsCloudFront::connect(&settings))
        .err()
        .unwrap();
    assert!(err.contains("no PEM certificate"), "{err}");

    // A real bundle: the client built around it still honours the proxy.
    let bundle = ["/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("the system CA bundle");
    unsafe { std::env::set_var("AWS_CA_BUNDLE", bundle) };
    rt.block_on(async {
        let cf = AwsCloudFront::connect(&settings).await.unwrap();
        cf.list_distributions_page(None, 100).await.unwrap();
    });
    assert_eq!(seen.lock().unwrap().len(), 2);
}
