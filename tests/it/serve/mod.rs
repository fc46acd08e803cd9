//! The local server: a real `Server` on a free port in a background thread,
//! spoken to with raw HTTP/1.1 over `TcpStream`: [`files`] served, and the
//! [`server`] itself.

mod files;
mod hostile;
mod process;
mod server;

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, SystemTime};

use storyfeed::serve::{Limits, Server};

use crate::harness::ServerThread;
use tempfile::TempDir;

const OUTSIDE: &str = "SECRET-OUTSIDE-THE-ROOT";
const RSS: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel/></rss>\n";
const ATOM: &str = "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"/>\n";
const JSON: &str = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[]}\n";
const INDEX: &str = "<!DOCTYPE html><title>UNODC stories</title>\n";
const OPML: &str = "<?xml version=\"1.0\"?><opml version=\"2.0\"><body/></opml>\n";

/// A site in `dir/site` with `dir/outside.txt` next to it, served until
/// dropped.
struct Site {
    dir: TempDir,
    server: ServerThread,
}

impl Site {
    fn new() -> Site {
        Site::with(|_| {})
    }

    /// A site whose server `mount` has mounted endpoints on.
    fn with(mount: impl FnOnce(&mut Server)) -> Site {
        Site::with_limits(Limits::default(), mount)
    }

    /// A site served under `limits`, with endpoints mounted by `mount`.
    fn with_limits(limits: Limits, mount: impl FnOnce(&mut Server)) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(root.join("feeds")).unwrap();
        fs::write(root.join("feeds/all.rss"), RSS).unwrap();
        fs::write(root.join("feeds/all.atom"), ATOM).unwrap();
        fs::write(root.join("feeds/all.json"), JSON).unwrap();
        fs::write(root.join("index.html"), INDEX).unwrap();
        fs::write(root.join("feeds.opml"), OPML).unwrap();
        fs::write(dir.path().join("outside.txt"), OUTSIDE).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(dir.path().join("outside.txt"), root.join("leak.txt")).unwrap();
            symlink("../outside.txt", root.join("feeds/leak.rss")).unwrap();
            symlink(dir.path(), root.join("up")).unwrap();
            symlink("feeds/all.rss", root.join("alias.rss")).unwrap();
            fs::create_dir(root.join("inner")).unwrap();
            symlink("../../outside.txt", root.join("inner/index.html")).unwrap();
        }
        let mut server = Server::bind(&root, 0).unwrap().with_limits(limits);
        mount(&mut server);
        Site {
            dir,
            server: ServerThread::start(server),
        }
    }

    /// Stops the server and gives its log: every request answered so far.
    fn stop(self) -> Vec<String> {
        self.server.stop()
    }

    fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    fn path(&self, rel: &str) -> std::path::PathBuf {
        self.dir.path().join("site").join(rel)
    }

    fn get(&self, target: &str, headers: &[(&str, &str)]) -> Reply {
        request(self.addr(), "GET", target, headers)
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw bytes, half-closes, and reads everything the server sends back
/// until it closes. `None` if it closed without a word.
fn exchange(addr: SocketAddr, raw: &[u8]) -> Option<Reply> {
    let bytes = send_raw(addr, raw, Duration::from_secs(20)).unwrap_or_else(|e| {
        panic!(
            "reading the reply to {:?}: {e}",
            String::from_utf8_lossy(raw)
        )
    });
    (!bytes.is_empty()).then(|| parse_reply(&bytes))
}

/// Sends raw bytes, half-closes, and reads until the server closes or
/// `timeout` passes without a byte.
fn send_raw(addr: SocketAddr, raw: &[u8], timeout: Duration) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(timeout))?;
    // The server may close before reading everything; that is its right.
    let _ = stream.write_all(raw);
    let _ = stream.shutdown(Shutdown::Write);
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::ConnectionReset => Err(e),
        _ => Ok(bytes),
    }
}

/// Parses one response with its whole body (the connection was closed).
fn parse_reply(bytes: &[u8]) -> Reply {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = std::str::from_utf8(&bytes[..split]).expect("ASCII headers");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let mut parts = status_line.splitn(3, ' ');
    assert!(
        parts.next().unwrap().starts_with("HTTP/1."),
        "{status_line}"
    );
    let status = parts.next().unwrap().parse().unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("header line");
            (name.trim().to_owned(), value.trim().to_owned())
        })
        .collect();
    let reply = Reply {
        status,
        headers,
        body: bytes[split + 4..].to_vec(),
    };
    assert_eq!(reply.header("Transfer-Encoding"), None, "{reply:?}");
    reply
}

fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str("\r\n");
    exchange(addr, raw.as_bytes()).unwrap_or_else(|| panic!("no reply to {method} {target}"))
}

fn set_mtime(path: &Path, time: SystemTime) {
    File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}
