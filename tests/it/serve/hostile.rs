//! Hostile clients against the real server over real sockets: bodies
//! declared and never sent, answers never read, headers dripped a byte at a
//! time, a header of hundreds of megabytes, more connections than the cap.
//! Each must leave the server answering everyone else, and be cut off.
//!
//! Limits are shortened (a second or two) so that the cut comes soon; no
//! test asserts how soon, only that it comes and that others are served
//! meanwhile.

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use axum::body::Bytes;
use axum::routing::{post, MethodRouter};
use storyfeed::serve::{Endpoint, Limits};

use super::{exchange, Site, RSS};

/// An endpoint that reads the whole body and answers its length.
struct Sink;

impl Endpoint for Sink {
    fn path(&self) -> &str {
        "/sink"
    }

    fn routes(&self) -> MethodRouter {
        post(|body: Bytes| async move { body.len().to_string() })
    }
}

/// Timeouts short enough for a test.
fn short() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
        ..Limits::default()
    }
}

fn site(limits: Limits) -> Site {
    Site::with_limits(limits, |server| server.mount(Box::new(Sink)))
}

/// A connection that has sent `raw` and then nothing more.
fn stalled(addr: SocketAddr, raw: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    stream
}

/// Reads until the server closes the connection (or resets it); panics if
/// it is still open after `wait`. What was read, as text.
fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> String {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut bytes = Vec::new();
    let mut buf = [0; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!(
                "the server kept the connection open: {e}; read so far: {:?}",
                String::from_utf8_lossy(&bytes)
            ),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn served(site: &Site) {
    let reply = site.get("/feeds/all.rss", &[]);
    assert_eq!((reply.status, reply.text().as_str()), (200, RSS));
}

#[test]
fn a_declared_body_never_sent_blocks_no_one_and_is_cut_off() {
    let site = site(short());
    let addr = site.addr();
    let heads = [
        "POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n",
        "POST /sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\nExpect: 100-continue\r\n\r\n",
        // A file does not read its body; the connection still waits for it.
        "GET /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n",
        "POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\nthe first bytes only",
    ];
    let mut stalled: Vec<TcpStream> = heads.iter().map(|raw| stalled(addr, raw)).collect();
    // Every other client is served while they hang.
    for _ in 0..3 {
        served(&site);
    }
    let answers: Vec<String> = stalled
        .iter_mut()
        .map(|s| read_until_closed(s, Duration::from_secs(30)))
        .collect();
    // Whoever waits for the body gives up with 408.
    for i in [0, 1, 2, 4] {
        assert!(
            answers[i].contains("HTTP/1.1 408 "),
            "{}: {}",
            heads[i],
            answers[i]
        );
    }
    assert!(
        answers[2].starts_with("HTTP/1.1 100 Continue\r\n"),
        "{}",
        answers[2]
    );
    assert!(
        answers[3].starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        answers[3]
    );
    served(&site);
    let log = site.stop();
    assert_eq!(
        log.iter().filter(|l| *l == "POST /sink 408").count(),
        4,
        "{log:?}"
    );
}

#[test]
fn a_client_that_never_reads_its_answers_blocks_no_one() {
    let site = site(short());
    // 100 answers of 1 MiB fill every socket buffer on the way.
    fs::write(site.path("big.txt"), "x".repeat(1 << 20)).unwrap();
    let pipelined = "GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100);
    let mut greedy = stalled(site.addr(), &pipelined);
    for _ in 0..3 {
        served(&site);
    }
    // Once a write has made no progress for the idle timeout, the server
    // drops the connection: reading now gets far fewer than 100 answers.
    thread::sleep(short().idle_timeout + Duration::from_secs(2));
    let answers = read_until_closed(&mut greedy, Duration::from_secs(30));
    let count = answers.matches("HTTP/1.1 200 OK\r\n").count();
    assert!(count < 100, "{count} answers: never cut off");
    served(&site);
}

#[test]
fn many_slow_clients_do_not_stop_a_normal_one() {
    let limits = Limits {
        header_timeout: Duration::from_secs(3),
        ..short()
    };
    let site = site(limits);
    let addr = site.addr();
    let mut slow: Vec<TcpStream> = (0..200)
        .map(|_| stalled(addr, "GET /feeds/all.rss HTTP/1.1\r\n"))
        .collect();
    // One header byte a second on each of them, until the server closes
    // every one (its header timeout: each byte resets no timer there).
    let dripping = thread::spawn(move || {
        let mut open = slow.len();
        for _ in 0..30 {
            open = 0;
            for stream in &mut slow {
                if stream.write_all(b"X").is_ok() {
                    open += 1;
                }
            }
            if open == 0 {
                break;
            }
            thread::sleep(Duration::from_secs(1));
        }
        open
    });
    for _ in 0..5 {
        served(&site);
    }
    assert_eq!(dripping.join().unwrap(), 0, "slow clients left open");
    served(&site);
}

#[test]
fn a_huge_request_header_is_refused_early_with_431() {
    let site = site(Limits::default());
    let mut stream = TcpStream::connect(site.addr()).unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut reader = stream.try_clone().unwrap();
    let answer = thread::spawn(move || read_until_closed(&mut reader, Duration::from_secs(30)));
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Huge: ")
        .unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0usize;
    while sent < 200 << 20 {
        match stream.write(&chunk) {
            Ok(n) => sent += n,
            Err(e) => {
                assert_ne!(
                    e.kind(),
                    ErrorKind::WouldBlock,
                    "the server neither read nor closed"
                );
                break;
            }
        }
    }
    // What the socket buffers hold, at most: the server read 16 KiB.
    assert!(sent < 64 << 20, "{sent} bytes of header taken");
    let answer = answer.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    served(&site);
}

#[test]
fn a_body_over_the_limit_is_413() {
    let site = site(Limits::default());
    let small =
        "POST /sink HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello";
    let reply = exchange(site.addr(), small.as_bytes()).unwrap();
    assert_eq!((reply.status, reply.text().as_str()), (200, "5"));
    let declared =
        "POST /sink HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 9000\r\n\r\n";
    let reply = exchange(site.addr(), declared.as_bytes()).unwrap();
    assert_eq!(reply.status, 413);
    // Chunked: cut once the limit is passed, whatever it declares.
    let mut chunked =
        "POST /sink HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_owned();
    for _ in 0..10 {
        chunked.push_str(&format!("400\r\n{}\r\n", "z".repeat(0x400)));
    }
    chunked.push_str("0\r\n\r\n");
    let reply = exchange(site.addr(), chunked.as_bytes()).unwrap();
    assert_eq!(reply.status, 413);
}

#[test]
fn connections_over_the_cap_wait_and_are_served_when_one_closes() {
    let site = site(Limits {
        max_connections: 4,
        ..Limits::default()
    });
    let idle: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(site.addr()).unwrap())
        .collect();
    let mut waiting = stalled(
        site.addr(),
        "GET /feeds/all.rss HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    waiting
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut byte = [0; 1];
    let early = waiting.read(&mut byte);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "answered over the cap: {early:?}"
    );
    drop(idle);
    let answer = read_until_closed(&mut waiting, Duration::from_secs(30));
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    served(&site);
}
