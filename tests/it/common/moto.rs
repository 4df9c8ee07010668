//! A moto server on loopback for the tests that need an independent CloudFront emulator.
//! Started with the real interpreter (not a pyenv shim) so the process killed on drop is
//! the server itself.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

pub struct Moto {
    child: Child,
    pub port: u16,
    pub endpoint: String,
}

#[derive(Debug, Deserialize)]
pub struct Seeded {
    pub id: String,
    pub domain_name: String,
    pub invalidations: Vec<SeededInvalidation>,
}

#[derive(Debug, Deserialize)]
pub struct SeededInvalidation {
    pub id: String,
    pub paths: Vec<String>,
    pub caller_reference: String,
}

fn python() -> String {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs (scripts/test.sh installs moto[server])");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Moto {
    pub fn start() -> Self {
        let port = free_port();
        let log = std::env::temp_dir().join(format!("cfdash-moto-{port}.log"));
        let child = Command::new(python())
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("moto starts");
        let moto = Self {
            child,
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let start = Instant::now();
        while moto.request("GET", "/moto-api/").is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "moto did not answer on port {port}; see {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// A bare HTTP request to the server; the status code, or `None` if it is not up.
    fn request(&self, method: &str, path: &str) -> Option<u16> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let req =
            format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
        s.write_all(req.as_bytes()).ok()?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head).ok()?;
        std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
    }

    /// Forgets everything the server holds.
    pub fn reset(&self) {
        assert_eq!(self.request("POST", "/moto-api/reset"), Some(200));
    }

    /// Creates `count` distributions with `each` invalidations through boto3.
    pub fn seed(&self, count: usize, each: usize) -> Vec<Seeded> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/moto/seed.py");
        let out = Command::new(python())
            .args([
                script,
                &self.endpoint,
                &count.to_string(),
                &each.to_string(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "seeding moto failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
