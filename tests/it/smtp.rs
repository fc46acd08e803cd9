//! `send_all` against a real SMTP server (`smtp_server`): every message
//! once, 4xx retried, 5xx for one recipient only, connections lost and
//! reopened, servers that are not there.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use mail_parser::MessageParser;
use storyfeed::digest::smtp::{send_all, Job, Outcome, SmtpError, SmtpSettings, TlsMode};
use storyfeed::digest::state::StateError;

use super::smtp_server::{Cutter, Script, SmtpServer};

fn settings(addr: SocketAddr) -> SmtpSettings {
    SmtpSettings {
        host: addr.ip().to_string(),
        port: addr.port(),
        tls: TlsMode::None,
        user: None,
        password: None,
        hello_name: "digest.example.org".to_owned(),
        ca_roots: Vec::new(),
        connections: 1,
        rate_limit: None,
        attempts: 4,
        backoff: Duration::from_millis(5),
        timeout: Duration::from_secs(10),
    }
}

fn address(key: usize) -> String {
    format!("reader{key}@example.org")
}

fn job(key: usize) -> Job {
    let to = address(key);
    let envelope = Envelope::new(
        Some("digest@example.org".parse().unwrap()),
        vec![to.parse().unwrap()],
    )
    .unwrap();
    let bytes = format!(
        "From: UNODC digest <digest@example.org>\r\nTo: {to}\r\nSubject: digest {key}\r\n\
         Message-ID: <digest.{key}@example.org>\r\n\r\nStories for reader {key}.\r\n\
         .A line that starts with a dot.\r\n"
    )
    .into_bytes();
    Job {
        key,
        envelope,
        bytes,
    }
}

/// Outcomes as recorded, in order.
type Log = Mutex<Vec<(usize, Outcome)>>;

fn send(settings: &SmtpSettings, n: usize) -> (Result<(), SmtpError>, Vec<(usize, Outcome)>) {
    let log = Log::default();
    let result = send_all(settings, (0..n).map(job), |job, outcome| {
        log.lock().unwrap().push((job.key, outcome));
        Ok(())
    });
    (result, log.into_inner().unwrap())
}

/// The key of every message the server accepted, with how often, read
/// back from the bytes; checks envelope and body agree and survived.
fn received_keys(server: &SmtpServer) -> BTreeMap<usize, usize> {
    let mut keys = BTreeMap::new();
    for m in server.received() {
        let parsed = MessageParser::default().parse(&m.data).expect("a message");
        let subject = parsed.subject().expect("a subject");
        let key: usize = subject.strip_prefix("digest ").unwrap().parse().unwrap();
        assert_eq!(m.from, "digest@example.org");
        assert_eq!(m.to, vec![address(key)]);
        let body = parsed.body_text(0).expect("a body");
        assert!(body.contains(".A line that starts with a dot."), "{body:?}");
        *keys.entry(key).or_insert(0) += 1;
    }
    keys
}

fn once_each(keys: impl IntoIterator<Item = usize>) -> BTreeMap<usize, usize> {
    keys.into_iter().map(|k| (k, 1)).collect()
}

fn outcomes(log: &[(usize, Outcome)]) -> BTreeMap<usize, Outcome> {
    let mut map = BTreeMap::new();
    for (key, outcome) in log {
        assert!(
            map.insert(*key, outcome.clone()).is_none(),
            "{key} recorded twice"
        );
    }
    map
}

fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

#[test]
fn every_message_arrives_once() {
    let server = SmtpServer::start(Script::default());
    let (result, log) = send(&settings(server.addr), 40);
    result.unwrap();
    assert_eq!(received_keys(&server), once_each(0..40));
    let outcomes = outcomes(&log);
    assert_eq!(outcomes.len(), 40);
    assert!(outcomes.values().all(|o| *o == Outcome::Accepted));
    assert_eq!(server.sessions(), 1, "one connection for the whole run");
}

#[test]
fn a_451_is_retried_and_the_message_arrives_once() {
    let server = SmtpServer::start(Script {
        defer: vec![(address(3), 1)],
        ..Script::default()
    });
    let started = Instant::now();
    let (result, log) = send(&settings(server.addr), 6);
    result.unwrap();
    // A stalled session would only show as slowness (the timeout is 10 s).
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        server.data_commands(&address(3)),
        2,
        "refused once, then taken"
    );
    assert_eq!(received_keys(&server), once_each(0..6));
    assert!(outcomes(&log).values().all(|o| *o == Outcome::Accepted));
}

#[test]
fn a_451_every_time_is_deferred_after_the_last_attempt() {
    let server = SmtpServer::start(Script {
        defer: vec![(address(2), usize::MAX)],
        ..Script::default()
    });
    let mut settings = settings(server.addr);
    settings.attempts = 3;
    let started = Instant::now();
    let (result, log) = send(&settings, 5);
    result.unwrap();
    assert_eq!(server.data_commands(&address(2)), 3);
    let outcomes = outcomes(&log);
    match &outcomes[&2] {
        Outcome::Deferred(reply) => assert!(reply.starts_with("451"), "{reply}"),
        other => panic!("expected Deferred, got {other:?}"),
    }
    assert_eq!(received_keys(&server), once_each([0, 1, 3, 4]));
    // Backoff 5 ms then 10 ms, and no stall.
    assert!(started.elapsed() >= Duration::from_millis(15));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_550_for_one_recipient_fails_that_message_only() {
    let server = SmtpServer::start(Script {
        reject: vec![address(1), address(4)],
        ..Script::default()
    });
    let (result, log) = send(&settings(server.addr), 7);
    result.unwrap();
    let outcomes = outcomes(&log);
    for key in [1, 4] {
        match &outcomes[&key] {
            Outcome::Rejected(reply) => assert!(reply.starts_with("550"), "{reply}"),
            other => panic!("{key}: expected Rejected, got {other:?}"),
        }
    }
    assert_eq!(received_keys(&server), once_each([0, 2, 3, 5, 6]));
    assert_eq!(
        outcomes
            .values()
            .filter(|o| **o == Outcome::Accepted)
            .count(),
        5
    );
}

#[test]
fn a_dropped_connection_is_reopened_and_the_run_finishes() {
    let server = SmtpServer::start(Script::default());
    let cutter = Cutter::start(server.addr, 8, false);
    let (result, log) = send(&settings(cutter.addr), 20);
    result.unwrap();
    assert_eq!(cutter.cuts(), 1);
    assert_eq!(server.sessions(), 2, "reconnected once");
    assert_eq!(received_keys(&server), once_each(0..20));
    let outcomes = outcomes(&log);
    assert_eq!(outcomes.len(), 20);
    assert!(outcomes.values().all(|o| *o == Outcome::Accepted));
}

#[test]
fn a_server_gone_for_good_stops_the_run_and_defers_what_was_taken() {
    let server = SmtpServer::start(Script::default());
    let cutter = Cutter::start(server.addr, 5, true);
    let mut settings = settings(cutter.addr);
    settings.attempts = 2;
    let (result, log) = send(&settings, 30);
    match result {
        Err(SmtpError::Unreachable { server, .. }) => {
            assert_eq!(server, cutter.addr.to_string());
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    let outcomes = outcomes(&log);
    let accepted: Vec<usize> = outcomes
        .iter()
        .filter(|(_, o)| **o == Outcome::Accepted)
        .map(|(k, _)| *k)
        .collect();
    // Exactly what the server took, each once; nothing else claimed sent.
    assert_eq!(accepted, (0..5).collect::<Vec<_>>());
    assert_eq!(received_keys(&server), once_each(0..5));
    // The message in flight, and the few queued behind it, are deferred;
    // the rest were never taken from the iterator.
    assert!(matches!(outcomes.get(&5), Some(Outcome::Deferred(_))));
    assert!(outcomes
        .values()
        .all(|o| matches!(o, Outcome::Accepted | Outcome::Deferred(_))));
    assert!(outcomes.len() < 30, "{} recorded", outcomes.len());
}

#[test]
fn a_server_that_is_not_there_fails_fast_and_takes_no_job() {
    let addr = free_port();
    let taken = AtomicUsize::new(0);
    let recorded = AtomicUsize::new(0);
    let started = Instant::now();
    let result = send_all(
        &settings(addr),
        (0..10).map(|k| {
            taken.fetch_add(1, Ordering::SeqCst);
            job(k)
        }),
        |_, _| {
            recorded.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
    );
    let err = result.unwrap_err();
    assert!(matches!(err, SmtpError::Unreachable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&addr.to_string()), "{text}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(taken.load(Ordering::SeqCst), 0);
    assert_eq!(recorded.load(Ordering::SeqCst), 0);
}

#[test]
fn three_connections_deliver_each_message_once() {
    let server = SmtpServer::start(Script::default());
    let mut settings = settings(server.addr);
    settings.connections = 3;
    let (result, log) = send(&settings, 60);
    result.unwrap();
    assert_eq!(server.sessions(), 3);
    assert_eq!(received_keys(&server), once_each(0..60));
    let outcomes = outcomes(&log);
    assert_eq!(outcomes.len(), 60);
    assert!(outcomes.values().all(|o| *o == Outcome::Accepted));
}

#[test]
fn starttls_required_but_not_offered_is_a_clear_error() {
    // mailin-embedded without certificates offers no STARTTLS.
    let server = SmtpServer::start(Script::default());
    let mut settings = settings(server.addr);
    settings.tls = TlsMode::StartTls;
    let (result, log) = send(&settings, 3);
    let err = result.unwrap_err();
    assert!(matches!(err, SmtpError::Session { .. }), "{err:?}");
    assert!(err.to_string().contains("STARTTLS"), "{err}");
    assert!(log.is_empty());
    assert!(server.received().is_empty());
}

#[test]
fn implicit_tls_to_a_plaintext_server_fails_the_handshake() {
    let server = SmtpServer::start(Script::default());
    let mut settings = settings(server.addr);
    settings.tls = TlsMode::Implicit;
    let (result, _) = send(&settings, 3);
    let err = result.unwrap_err();
    assert!(matches!(err, SmtpError::Session { .. }), "{err:?}");
    assert!(err.to_string().contains("TLS"), "{err}");
    assert!(server.received().is_empty());
}

#[test]
fn a_failed_record_stops_the_run() {
    let server = SmtpServer::start(Script::default());
    let calls = AtomicUsize::new(0);
    let result = send_all(&settings(server.addr), (0..20).map(job), |_, _| {
        if calls.fetch_add(1, Ordering::SeqCst) == 2 {
            return Err(StateError::Io {
                path: PathBuf::from("state/deliveries.jsonl"),
                source: std::io::Error::other("disk full"),
            });
        }
        Ok(())
    });
    assert!(matches!(result, Err(SmtpError::Record(_))), "{result:?}");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "nothing recorded after the failure"
    );
    assert_eq!(
        received_keys(&server),
        once_each(0..3),
        "nothing sent after it"
    );
}

#[test]
fn the_rate_limit_spaces_messages() {
    let server = SmtpServer::start(Script::default());
    let mut settings = settings(server.addr);
    settings.rate_limit = Some(50.0);
    settings.connections = 2;
    let started = Instant::now();
    let (result, _) = send(&settings, 11);
    result.unwrap();
    // 11 messages at 50/s over both connections: 10 intervals of 20 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(received_keys(&server), once_each(0..11));
}

#[test]
fn messages_do_not_wait_for_delayed_acks() {
    // With Nagle's algorithm on, each message's final `.` waits for the
    // server's delayed ACK (40 ms on Linux): 50 messages would take 2 s.
    let server = SmtpServer::start(Script::default());
    let started = Instant::now();
    let (result, _) = send(&settings(server.addr), 50);
    result.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(received_keys(&server).len(), 50);
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
}
