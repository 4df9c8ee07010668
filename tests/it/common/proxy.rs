//! A loopback proxy in front of `sim serve` that loses, garbles or holds the answer to the
//! first create, then fails some more: the faults a submit must survive.

/// What the proxy does to the first create's answer, after forwarding the create.
#[derive(Clone, Copy)]
pub enum Lost {
    /// The connection closes without an answer.
    Dropped,
    /// A 201 whose body is not XML.
    Garbled,
    /// No answer, and the connection kept open: the client waits until it gives up, or
    /// dies (kill -9 in the middle of a submit).
    Held,
}

/// A loopback proxy in front of `sim serve`: it forwards the first create and loses its
/// answer (`first`), answers the next `fail` creates with `then` (a status and an error
/// code), and forwards everything else.
pub struct LossyProxy {
    pub url: String,
}

impl LossyProxy {
    pub fn start(upstream: &str, fail: usize) -> Self {
        Self::with(upstream, Lost::Dropped, (503, "ServiceUnavailable"), fail)
    }

    pub fn with(upstream: &str, first: Lost, then: (u16, &'static str), fail: usize) -> Self {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let posts = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let (upstream, posts) = (upstream.clone(), posts.clone());
                std::thread::spawn(move || {
                    let mut reader = std::io::BufReader::new(client.try_clone().unwrap());
                    let mut client = client;
                    while let Some(request) = read_message(&mut reader) {
                        // A create (CreateInvalidation, or a tenant's): a POST to an
                        // `…/invalidation` path. ListDistributionTenants is a POST too.
                        let line = request.split(|&b| b == b'\n').next().unwrap_or(&[]);
                        let post = request.starts_with(b"POST")
                            && line.windows(13).any(|w| w == b"/invalidation");
                        let n = if post {
                            posts.fetch_add(1, Ordering::SeqCst)
                        } else {
                            usize::MAX
                        };
                        if post && n > 0 && n <= fail {
                            let (status, code) = then;
                            let body = format!(
                                "<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code><Message>no</Message></Error><RequestId>x</RequestId></ErrorResponse>"
                            );
                            let answer = format!(
                                "HTTP/1.1 {status} No\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
                                body.len()
                            );
                            if std::io::Write::write_all(&mut client, answer.as_bytes()).is_err() {
                                return;
                            }
                            continue;
                        }
                        let mut up = std::net::TcpStream::connect(&upstream).unwrap();
                        std::io::Write::write_all(&mut up, &request).unwrap();
                        let answer = read_message(&mut std::io::BufReader::new(up)).unwrap();
                        if post && n == 0 {
                            // Created upstream; the answer is lost.
                            if let Lost::Held = first {
                                std::thread::sleep(std::time::Duration::from_secs(600));
                                return;
                            }
                            if let Lost::Garbled = first {
                                let junk = "HTTP/1.1 201 Created\r\nContent-Type: text/xml\r\nContent-Length: 9\r\n\r\nnot xml!!";
                                let _ = std::io::Write::write_all(&mut client, junk.as_bytes());
                                continue;
                            }
                            return;
                        }
                        if std::io::Write::write_all(&mut client, &answer).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self { url }
    }
}

/// One HTTP/1.1 message (head and a Content-Length body), or None at the end.
pub fn read_message(reader: &mut impl std::io::BufRead) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
        message.extend_from_slice(line.as_bytes());
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    std::io::Read::read_exact(reader, &mut body).ok()?;
    message.extend(body);
    Some(message)
}
