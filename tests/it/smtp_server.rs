//! A real SMTP server for tests: mailin-embedded on 127.0.0.1 and a free
//! port, keeping every message it accepts (envelope and bytes) and
//! answering 451 or 550 where a `Script` says so; and `Cutter`, a TCP
//! forwarder in front of it that drops connections mid-run, which
//! mailin-embedded cannot do by itself (its 421 is a polite goodbye).

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;

use mailin_embedded::response::{NO_MAILBOX, OK};
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// What the server should refuse.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// `(recipient, k)`: answer 451 to DATA the first `k` times
    /// a message goes to `recipient` (`usize::MAX`: always).
    pub defer: Vec<(String, usize)>,
    /// Answer 550 to `RCPT TO` for these addresses.
    pub reject: Vec<String>,
    /// Answer 550 to `MAIL FROM` for these senders.
    pub reject_sender: Vec<String>,
}

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// As sent, dot-unstuffed, without the final `.` line.
    pub data: Vec<u8>,
}

#[derive(Debug, Default)]
struct Log {
    script: Script,
    received: Vec<Received>,
    /// DATA commands seen per recipient, answered 354 or 451.
    data_commands: HashMap<String, usize>,
    /// EHLO/HELO seen: one per session.
    sessions: usize,
}

#[derive(Clone)]
struct Recorder {
    log: Arc<Mutex<Log>>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

fn lock(log: &Mutex<Log>) -> MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(|e| e.into_inner())
}

impl Handler for Recorder {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        lock(&self.log).sessions += 1;
        OK
    }

    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        if lock(&self.log)
            .script
            .reject_sender
            .iter()
            .any(|r| r == from)
        {
            return NO_MAILBOX;
        }
        self.from = from.to_owned();
        OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if lock(&self.log).script.reject.iter().any(|r| r == to) {
            return NO_MAILBOX;
        }
        OK
    }

    // 451 answers DATA itself: after a refusal at the end of the data,
    // mailin stays in its data state and never answers the client's QUIT.
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        let mut log = lock(&self.log);
        let mut defer = false;
        for to in to {
            let seen = log.data_commands.entry(to.clone()).or_default();
            *seen += 1;
            let seen = *seen;
            defer |= log.script.defer.iter().any(|(r, k)| r == to && seen <= *k);
        }
        if defer {
            return Response::custom(451, "Try again later".to_owned());
        }
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mut log = lock(&self.log);
        log.received.push(Received {
            from: std::mem::take(&mut self.from),
            to: std::mem::take(&mut self.to),
            data: std::mem::take(&mut self.data),
        });
        OK
    }
}

/// A running server; it lives until the test process ends.
pub struct SmtpServer {
    pub addr: SocketAddr,
    log: Arc<Mutex<Log>>,
}

impl SmtpServer {
    pub fn start(script: Script) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let log = Arc::new(Mutex::new(Log {
            script,
            ..Log::default()
        }));
        let handler = Recorder {
            log: Arc::clone(&log),
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(handler);
        server
            .with_name("test.invalid")
            .with_ssl(SslConfig::None)
            .expect("no TLS")
            // Sessions cut by `Cutter` linger a moment; leave room.
            .with_num_threads(16)
            .with_tcp_listener(listener);
        thread::spawn(move || {
            // Its error type is not `Send`; a test fails on its own when
            // the server is gone.
            let _ = server.serve();
        });
        SmtpServer { addr, log }
    }

    pub fn received(&self) -> Vec<Received> {
        lock(&self.log).received.clone()
    }

    /// DATA commands seen for `recipient`, accepted or refused.
    pub fn data_commands(&self, recipient: &str) -> usize {
        lock(&self.log)
            .data_commands
            .get(recipient)
            .copied()
            .unwrap_or(0)
    }

    pub fn sessions(&self) -> usize {
        lock(&self.log).sessions
    }
}

/// Forwards TCP connections to `upstream` and cuts one off (or all, for
/// good) at a `MAIL FROM` once `after` have gone through: a message is
/// never cut in the middle, so a resend is never a duplicate.
pub struct Cutter {
    pub addr: SocketAddr,
    cuts: Arc<AtomicUsize>,
}

struct CutState {
    upstream: SocketAddr,
    after: usize,
    for_good: bool,
    mails: AtomicUsize,
    /// Once set, every connection is cut at its next `MAIL FROM` and new
    /// ones are closed at once (when `for_good`).
    gone: AtomicBool,
    /// Runs at the cut, before the connection closes (say, to kill the client).
    at_cut: Option<Box<dyn Fn() + Send + Sync>>,
}

impl Cutter {
    /// `for_good`: the server stays away after the cut (new connections
    /// are closed before the greeting); otherwise one connection is cut
    /// once and reconnecting works.
    pub fn start(upstream: SocketAddr, after: usize, for_good: bool) -> Cutter {
        Cutter::start_with(upstream, after, for_good, None)
    }

    /// As [`Cutter::start`], running `at_cut` at each cut while the
    /// client waits for its answer to `MAIL FROM`.
    pub fn start_with(
        upstream: SocketAddr,
        after: usize,
        for_good: bool,
        at_cut: Option<Box<dyn Fn() + Send + Sync>>,
    ) -> Cutter {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let cuts = Arc::new(AtomicUsize::new(0));
        let state = Arc::new(CutState {
            upstream,
            after,
            for_good,
            mails: AtomicUsize::new(0),
            gone: AtomicBool::new(false),
            at_cut,
        });
        let cuts2 = Arc::clone(&cuts);
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if state.for_good && state.gone.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let (state, cuts) = (Arc::clone(&state), Arc::clone(&cuts2));
                thread::spawn(move || forward(client, &state, &cuts));
            }
        });
        Cutter { addr, cuts }
    }

    /// Connections cut so far.
    pub fn cuts(&self) -> usize {
        self.cuts.load(Ordering::SeqCst)
    }
}

fn forward(client: TcpStream, state: &CutState, cuts: &AtomicUsize) {
    let Ok(server) = TcpStream::connect(state.upstream) else {
        return;
    };
    let (Ok(mut to_client), Ok(mut from_server)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    thread::spawn(move || io::copy(&mut from_server, &mut to_client));
    let mut to_server = &server;
    let mut from_client = BufReader::new(&client);
    let mut line = Vec::new();
    loop {
        line.clear();
        match from_client.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if line.len() >= 9 && line[..9].eq_ignore_ascii_case(b"MAIL FROM") {
            let n = state.mails.fetch_add(1, Ordering::SeqCst) + 1;
            let cut = if state.for_good {
                if n > state.after {
                    state.gone.store(true, Ordering::SeqCst);
                }
                state.gone.load(Ordering::SeqCst)
            } else {
                n == state.after + 1
            };
            if cut {
                if let Some(at_cut) = &state.at_cut {
                    at_cut();
                }
                cuts.fetch_add(1, Ordering::SeqCst);
                break;
            }
        }
        if to_server.write_all(&line).is_err() {
            break;
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
}
