//! The simulator's HTTP face (`cfdash sim serve`): the simulated account over CloudFront's
//! REST-XML API (version 2020-05-31) on loopback, well enough for aws-sdk-cloudfront and
//! the aws CLI. It accepts any signature and checks none.
//!
//! Faults come from the simulator's settings (throttling as HTTP 400 `Throttling`, 5xx as
//! 503 `ServiceUnavailable`) plus dropped connections: the request is carried out, then the
//! connection is closed without an answer, as when a response is lost on the way back.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use jiff::Timestamp;
use tokio::net::TcpListener;

use super::sim::SimCloudFront;
use super::{CfError, CloudFront, Distribution, Invalidation, InvalidationSummary};

const NS: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";
const PREFIX: &str = "/2020-05-31/distribution";

/// What the server has answered, for tests and the curious (`GET /cfdash-sim/stats`).
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub throttled: AtomicU64,
    pub unavailable: AtomicU64,
    pub dropped: AtomicU64,
    pub created: AtomicU64,
}

pub struct Server {
    sim: Arc<SimCloudFront>,
    stats: Stats,
    drop_rate: f64,
    /// Decides which connections drop, apart from the simulator's own draws.
    rng: Mutex<u64>,
}

impl Server {
    pub fn new(sim: Arc<SimCloudFront>, drop_rate: f64, seed: u64) -> Arc<Self> {
        Arc::new(Self {
            sim,
            stats: Stats::default(),
            drop_rate,
            rng: Mutex::new(seed ^ 0xD409_D409_D409_D409),
        })
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Binds 127.0.0.1 (`port` 0 picks a free one); loopback only, always.
    pub async fn bind(port: u16) -> std::io::Result<TcpListener> {
        TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await
    }

    /// Answers connections until the task is dropped.
    pub async fn run(self: Arc<Self>, listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (stream, _) = listener.accept().await?;
            let server = self.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let server = server.clone();
                    async move { server.handle(req).await }
                });
                // An error here is a dropped connection, on purpose or by the client.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    fn roll_drop(&self) -> bool {
        if self.drop_rate <= 0.0 {
            return false;
        }
        let mut state = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 / (1u64 << 53) as f64) < self.drop_rate
    }

    async fn handle(&self, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let query = req.uri().query().unwrap_or("").to_string();
        let body = match req.into_body().collect().await {
            Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
            Err(_) => return Err(Dropped),
        };
        if path == "/cfdash-sim/stats" {
            return Ok(self.stats_response());
        }
        // When the simulator completes (or completed) an invalidation, for measuring how
        // soon a client notices: /cfdash-sim/completion/DISTRIBUTION/ID.
        if let Some(rest) = path.strip_prefix("/cfdash-sim/completion/") {
            let mut parts = rest.splitn(2, '/');
            let (d, i) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let text = match self.sim.completion_time(d, i) {
                Some(t) => format!("{t}\n"),
                None => "unknown\n".to_string(),
            };
            return Ok(Response::new(Full::new(Bytes::from(text))));
        }
        let response = self.route(&method, &path, &query, &body).await;
        if self.roll_drop() {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            return Err(Dropped);
        }
        Ok(response)
    }

    async fn route(
        &self,
        method: &Method,
        path: &str,
        query: &str,
        body: &str,
    ) -> Response<Full<Bytes>> {
        let Some(rest) = path.strip_prefix(PREFIX) else {
            return error(
                StatusCode::NOT_FOUND,
                "InvalidURI",
                &format!("no such resource {path}"),
            );
        };
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        let marker = param(query, "Marker");
        let max_items = match param(query, "MaxItems").map(|m| m.parse::<u32>()) {
            None => 100,
            Some(Ok(n)) if n > 0 => n,
            Some(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidArgument",
                    "MaxItems must be a positive number",
                );
            }
        };
        let result = match (method, segments.as_slice()) {
            (&Method::GET, []) => self
                .sim
                .list_distributions_page(marker.as_deref(), max_items)
                .await
                .map(|page| {
                    ok(
                        StatusCode::OK,
                        distribution_list(
                            &page.items,
                            marker.as_deref(),
                            page.next_marker.as_deref(),
                            max_items,
                        ),
                    )
                }),
            (&Method::GET, [id]) => self.sim.distribution(id).map(|(d, running)| {
                let mut r = ok(StatusCode::OK, distribution_xml(&d, running));
                r.headers_mut()
                    .insert("ETag", "E1SIMULATED".parse().expect("valid"));
                r
            }),
            (&Method::GET, [id, "invalidation"]) => self
                .sim
                .list_invalidations_page(id, marker.as_deref(), max_items)
                .await
                .map(|page| {
                    ok(
                        StatusCode::OK,
                        invalidation_list(
                            &page.items,
                            marker.as_deref(),
                            page.next_marker.as_deref(),
                            max_items,
                        ),
                    )
                }),
            (&Method::GET, [id, "invalidation", inv]) => self
                .sim
                .get_invalidation(id, inv)
                .await
                .map(|i| ok(StatusCode::OK, invalidation_xml(&i))),
            (&Method::POST, [id, "invalidation"]) => {
                let paths = elements(body, "Path");
                let reference = elements(body, "CallerReference").into_iter().next();
                match reference {
                    None => Ok(error(
                        StatusCode::BAD_REQUEST,
                        "MissingBody",
                        "the request needs an InvalidationBatch with a CallerReference",
                    )),
                    Some(reference) => {
                        let before = self.sim.invalidation_count(id);
                        self.sim
                            .create_invalidation(id, &paths, &reference)
                            .await
                            .map(|i| {
                                if self.sim.invalidation_count(id) > before {
                                    self.stats.created.fetch_add(1, Ordering::Relaxed);
                                }
                                let mut r = ok(StatusCode::CREATED, invalidation_xml(&i));
                                let location = format!(
                                    "https://cloudfront.amazonaws.com{PREFIX}/{id}/invalidation/{}",
                                    i.id
                                );
                                if let Ok(v) = location.parse() {
                                    r.headers_mut().insert("Location", v);
                                }
                                r
                            })
                    }
                }
            }
            _ => Ok(error(
                StatusCode::NOT_FOUND,
                "InvalidURI",
                &format!("{method} {path} is not served"),
            )),
        };
        result.unwrap_or_else(|e| self.error_response(&e))
    }

    fn error_response(&self, e: &CfError) -> Response<Full<Bytes>> {
        let (status, code, message) = match e {
            CfError::NoSuchDistribution { .. } => (
                StatusCode::NOT_FOUND,
                "NoSuchDistribution",
                "The specified distribution does not exist.".to_string(),
            ),
            CfError::NoSuchInvalidation { .. } => (
                StatusCode::NOT_FOUND,
                "NoSuchInvalidation",
                "The specified invalidation does not exist.".to_string(),
            ),
            CfError::BatchAlreadyExists { .. } => (
                StatusCode::CONFLICT,
                "InvalidationBatchAlreadyExists",
                "The CallerReference is already in use with other paths.".to_string(),
            ),
            CfError::TooManyInvalidationsInProgress { .. } => (
                StatusCode::BAD_REQUEST,
                "TooManyInvalidationsInProgress",
                e.to_string(),
            ),
            CfError::Throttled { .. } => {
                self.stats.throttled.fetch_add(1, Ordering::Relaxed);
                (
                    StatusCode::BAD_REQUEST,
                    "Throttling",
                    "Rate exceeded".to_string(),
                )
            }
            CfError::Other { code, message } if code == "ServiceUnavailable" => {
                self.stats.unavailable.fetch_add(1, Ordering::Relaxed);
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    message.clone(),
                )
            }
            CfError::Other { code, message } => {
                return error(StatusCode::BAD_REQUEST, code, message);
            }
            other => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                other.to_string(),
            ),
        };
        error(status, code, &message)
    }

    fn stats_response(&self) -> Response<Full<Bytes>> {
        let s = &self.stats;
        let text = format!(
            "requests={} throttled={} unavailable={} dropped={} created={}\n",
            s.requests.load(Ordering::Relaxed),
            s.throttled.load(Ordering::Relaxed),
            s.unavailable.load(Ordering::Relaxed),
            s.dropped.load(Ordering::Relaxed),
            s.created.load(Ordering::Relaxed),
        );
        let mut r = Response::new(Full::new(Bytes::from(text)));
        r.headers_mut()
            .insert("Content-Type", "text/plain".parse().expect("valid"));
        r
    }
}

/// The connection is closed without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the simulator")
    }
}

impl std::error::Error for Dropped {}

fn ok(status: StatusCode, xml: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(xml)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert("Content-Type", "text/xml".parse().expect("valid"));
    h.insert("x-amz-request-id", request_id().parse().expect("valid"));
    r
}

fn error(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let kind = if status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"{NS}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        esc(code),
        esc(message),
        request_id()
    );
    ok(status, xml)
}

fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("cfdash-sim-{:012}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Escapes text for XML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn unesc(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of every `<name>…</name>` in a request body (the bodies CloudFront takes are
/// flat enough for this).
fn elements(xml: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        out.push(unesc(&after[..end]));
        rest = &after[end + close.len()..];
    }
    out
}

/// A query parameter, percent-decoded.
fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name && !v.is_empty()).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn list_header(
    out: &mut String,
    marker: Option<&str>,
    next: Option<&str>,
    max_items: u32,
    quantity: usize,
) {
    let _ = write!(out, "<Marker>{}</Marker>", esc(marker.unwrap_or("")));
    if let Some(n) = next {
        let _ = write!(out, "<NextMarker>{}</NextMarker>", esc(n));
    }
    let _ = write!(
        out,
        "<MaxItems>{max_items}</MaxItems><IsTruncated>{}</IsTruncated><Quantity>{quantity}</Quantity>",
        next.is_some()
    );
}

fn distribution_list(
    items: &[Distribution],
    marker: Option<&str>,
    next: Option<&str>,
    max_items: u32,
) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DistributionList xmlns=\"{NS}\">");
    list_header(&mut out, marker, next, max_items, items.len());
    if !items.is_empty() {
        out.push_str("<Items>");
        for d in items {
            distribution_summary(&mut out, d);
        }
        out.push_str("</Items>");
    }
    out.push_str("</DistributionList>");
    out
}

fn distribution_summary(out: &mut String, d: &Distribution) {
    out.push_str("<DistributionSummary>");
    distribution_head(out, d);
    distribution_settings(out, d);
    out.push_str("<Staging>false</Staging></DistributionSummary>");
}

/// GetDistribution's answer: the summary's fields, and the settings as a DistributionConfig.
fn distribution_xml(d: &Distribution, in_progress: usize) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Distribution xmlns=\"{NS}\">");
    distribution_head(&mut out, d);
    let _ = write!(
        out,
        "<InProgressInvalidationBatches>{in_progress}</InProgressInvalidationBatches>\
         <ActiveTrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedSigners>\
         <ActiveTrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedKeyGroups>\
         <DistributionConfig><CallerReference>{}</CallerReference><DefaultRootObject>index.html</DefaultRootObject>\
         <Logging><Enabled>false</Enabled><IncludeCookies>false</IncludeCookies><Bucket></Bucket><Prefix></Prefix></Logging>",
        esc(&d.id)
    );
    distribution_settings(&mut out, d);
    out.push_str("</DistributionConfig></Distribution>");
    out
}

fn distribution_head(out: &mut String, d: &Distribution) {
    let _ = write!(
        out,
        "<Id>{}</Id><ARN>{}</ARN><Status>{}</Status><LastModifiedTime>{}</LastModifiedTime><DomainName>{}</DomainName>",
        esc(&d.id),
        esc(&d.arn),
        esc(&d.status),
        time(d.last_modified),
        esc(&d.domain_name)
    );
}

/// What a distribution summary and a DistributionConfig share.
fn distribution_settings(out: &mut String, d: &Distribution) {
    let _ = write!(out, "<Aliases><Quantity>{}</Quantity>", d.aliases.len());
    if !d.aliases.is_empty() {
        out.push_str("<Items>");
        for a in &d.aliases {
            let _ = write!(out, "<CNAME>{}</CNAME>", esc(a));
        }
        out.push_str("</Items>");
    }
    out.push_str("</Aliases>");
    let _ = write!(
        out,
        "<Origins><Quantity>{}</Quantity><Items>",
        d.origins.len()
    );
    for (i, o) in d.origins.iter().enumerate() {
        let _ = write!(
            out,
            "<Origin><Id>origin-{i}</Id><DomainName>{}</DomainName><OriginPath></OriginPath><CustomHeaders><Quantity>0</Quantity></CustomHeaders><S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig><ConnectionAttempts>3</ConnectionAttempts><ConnectionTimeout>10</ConnectionTimeout></Origin>",
            esc(o)
        );
    }
    out.push_str("</Items></Origins>");
    let _ = write!(
        out,
        "<DefaultCacheBehavior><TargetOriginId>origin-0</TargetOriginId><TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners><TrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></TrustedKeyGroups><ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy><AllowedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items><CachedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items></CachedMethods></AllowedMethods><SmoothStreaming>false</SmoothStreaming><Compress>true</Compress><LambdaFunctionAssociations><Quantity>0</Quantity></LambdaFunctionAssociations><FunctionAssociations><Quantity>0</Quantity></FunctionAssociations><FieldLevelEncryptionId></FieldLevelEncryptionId><CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId></DefaultCacheBehavior>\
         <CacheBehaviors><Quantity>0</Quantity></CacheBehaviors><CustomErrorResponses><Quantity>0</Quantity></CustomErrorResponses><Comment>{}</Comment><PriceClass>PriceClass_All</PriceClass><Enabled>{}</Enabled>\
         <ViewerCertificate><CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate><SSLSupportMethod>vip</SSLSupportMethod><MinimumProtocolVersion>TLSv1</MinimumProtocolVersion><CertificateSource>cloudfront</CertificateSource></ViewerCertificate>\
         <Restrictions><GeoRestriction><RestrictionType>none</RestrictionType><Quantity>0</Quantity></GeoRestriction></Restrictions><WebACLId></WebACLId><HttpVersion>http2</HttpVersion><IsIPV6Enabled>true</IsIPV6Enabled>",
        esc(&d.comment),
        d.enabled
    );
}

fn invalidation_list(
    items: &[InvalidationSummary],
    marker: Option<&str>,
    next: Option<&str>,
    max_items: u32,
) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InvalidationList xmlns=\"{NS}\">");
    list_header(&mut out, marker, next, max_items, items.len());
    if !items.is_empty() {
        out.push_str("<Items>");
        for i in items {
            let _ = write!(
                out,
                "<InvalidationSummary><Id>{}</Id><CreateTime>{}</CreateTime><Status>{}</Status></InvalidationSummary>",
                esc(&i.id),
                time(i.create_time),
                i.status
            );
        }
        out.push_str("</Items>");
    }
    out.push_str("</InvalidationList>");
    out
}

fn invalidation_xml(i: &Invalidation) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Invalidation xmlns=\"{NS}\"><Id>{}</Id><Status>{}</Status><CreateTime>{}</CreateTime><InvalidationBatch><Paths><Quantity>{}</Quantity>",
        esc(&i.id),
        i.status,
        time(i.create_time),
        i.paths.len()
    );
    if !i.paths.is_empty() {
        out.push_str("<Items>");
        for p in &i.paths {
            let _ = write!(out, "<Path>{}</Path>", esc(p));
        }
        out.push_str("</Items>");
    }
    let _ = write!(
        out,
        "</Paths><CallerReference>{}</CallerReference></InvalidationBatch></Invalidation>",
        esc(&i.caller_reference)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_and_escaping_round_trip() {
        let body = "<InvalidationBatch><Paths><Quantity>2</Quantity><Items><Path>/a&amp;b</Path><Path>/c?x=&lt;1&gt;</Path></Items></Paths><CallerReference>ref 1</CallerReference></InvalidationBatch>";
        assert_eq!(elements(body, "Path"), vec!["/a&b", "/c?x=<1>"]);
        assert_eq!(elements(body, "CallerReference"), vec!["ref 1"]);
        assert_eq!(unesc(&esc("a<&>\"'")), "a<&>\"'");
    }

    #[test]
    fn query_parameters_decode() {
        assert_eq!(
            param("Marker=E1&MaxItems=5", "MaxItems").as_deref(),
            Some("5")
        );
        assert_eq!(param("Marker=a%2Fb", "Marker").as_deref(), Some("a/b"));
        assert_eq!(param("Marker=&MaxItems=5", "Marker"), None);
        assert_eq!(param("", "Marker"), None);
        assert_eq!(percent_decode("%é%4"), "%é%4");
    }
}
