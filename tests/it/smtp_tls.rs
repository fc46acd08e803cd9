//! TLS and AUTH end to end against a real server (`tls_server`) that trusts
//! nothing but a private CA made at test time: STARTTLS and implicit TLS
//! with AUTH PLAIN and LOGIN, a wrong password, a certificate for another
//! name, a server without STARTTLS, and a server that never answers the
//! end of DATA. Through `send_all`, and through `storyfeed digest`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use lettre::address::Envelope;
use mail_parser::MessageParser;
use storyfeed::digest::smtp::{send_all, Job, Outcome, SmtpError, SmtpSettings, TlsMode};

use super::tls_server::{Knobs, Pki, TlsServer, PASSWORD, USER};
use crate::harness::{root, Project};

fn settings(addr: SocketAddr, tls: TlsMode, pki: &Pki, password: &str) -> SmtpSettings {
    SmtpSettings {
        host: "localhost".to_owned(),
        port: addr.port(),
        tls,
        user: Some(USER.to_owned()),
        password: Some(password.to_owned()),
        hello_name: "digest.example.org".to_owned(),
        ca_roots: pki.ca_roots(),
        connections: 1,
        rate_limit: None,
        attempts: 3,
        backoff: Duration::from_millis(5),
        timeout: Duration::from_secs(10),
    }
}

fn job(key: usize) -> Job {
    let to = format!("reader{key}@example.org");
    let envelope = Envelope::new(
        Some("digest@example.org".parse().unwrap()),
        vec![to.parse().unwrap()],
    )
    .unwrap();
    let bytes = format!(
        "From: digest@example.org\r\nTo: {to}\r\nSubject: digest {key}\r\n\r\n\
         Stories for reader {key}.\r\n.A line that starts with a dot.\r\n"
    )
    .into_bytes();
    Job {
        key,
        envelope,
        bytes,
    }
}

fn send(
    settings: &SmtpSettings,
    keys: &[usize],
) -> (Result<(), SmtpError>, BTreeMap<usize, Outcome>) {
    let log = Mutex::new(BTreeMap::new());
    let result = send_all(settings, keys.iter().map(|&k| job(k)), |job, outcome| {
        assert!(log.lock().unwrap().insert(job.key, outcome).is_none());
        Ok(())
    });
    (result, log.into_inner().unwrap())
}

/// Subjects of the accepted messages, which arrive intact.
fn subjects(server: &TlsServer) -> Vec<String> {
    let mut subjects: Vec<String> = server
        .accepted()
        .iter()
        .map(|m| {
            let parsed = MessageParser::default().parse(&m.data).unwrap();
            let subject = parsed.subject().unwrap().to_owned();
            let key = subject.strip_prefix("digest ").unwrap();
            assert_eq!(m.to, vec![format!("reader{key}@example.org")]);
            assert!(parsed
                .body_text(0)
                .unwrap()
                .contains(".A line that starts with a dot."));
            subject
        })
        .collect();
    subjects.sort();
    subjects
}

pub(crate) fn pki() -> Pki {
    Pki::new(&["localhost"])
}

#[test]
fn starttls_with_auth_plain_and_login_delivers() {
    let pki = pki();
    for (auth, mechanism) in [("PLAIN LOGIN", "PLAIN"), ("LOGIN", "LOGIN")] {
        let server = TlsServer::start(
            &pki,
            Knobs {
                auth,
                ..Knobs::default()
            },
        );
        let (result, outcomes) = send(
            &settings(server.addr, TlsMode::StartTls, &pki, PASSWORD),
            &[0, 1, 2],
        );
        result.unwrap();
        assert!(outcomes.values().all(|o| *o == Outcome::Accepted));
        assert_eq!(subjects(&server), ["digest 0", "digest 1", "digest 2"]);
        assert_eq!(server.logins(), [mechanism], "one session, one login");
    }
}

#[test]
fn implicit_tls_with_auth_delivers() {
    let pki = pki();
    let server = TlsServer::start(
        &pki,
        Knobs {
            implicit: true,
            ..Knobs::default()
        },
    );
    let (result, _) = send(
        &settings(server.addr, TlsMode::Implicit, &pki, PASSWORD),
        &[7],
    );
    result.unwrap();
    assert_eq!(subjects(&server), ["digest 7"]);
    assert_eq!(server.logins(), ["PLAIN"]);
}

#[test]
fn a_wrong_password_is_refused_and_never_shown() {
    let pki = pki();
    for implicit in [false, true] {
        let server = TlsServer::start(
            &pki,
            Knobs {
                implicit,
                ..Knobs::default()
            },
        );
        let tls = if implicit {
            TlsMode::Implicit
        } else {
            TlsMode::StartTls
        };
        let wrong = "Tr0ub4dor&3-wrong";
        let s = settings(server.addr, tls, &pki, wrong);
        let (result, outcomes) = send(&s, &[0]);
        let e = result.unwrap_err();
        assert!(matches!(e, SmtpError::Session { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains(&format!("login as `{USER}` failed")),
            "{text}"
        );
        assert!(text.contains("535"), "{text}");
        assert!(!text.contains(wrong) && !format!("{e:?} {s:?}").contains(wrong));
        assert!(outcomes.is_empty(), "nothing taken: {outcomes:?}");
        assert!(server.accepted().is_empty());
        assert_eq!(server.failed_logins(), 1, "no retry of a refused login");
    }
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let other = Pki::new(&["mail.other.example"]);
    for implicit in [false, true] {
        let server = TlsServer::start(
            &other,
            Knobs {
                implicit,
                ..Knobs::default()
            },
        );
        let tls = if implicit {
            TlsMode::Implicit
        } else {
            TlsMode::StartTls
        };
        let (result, _) = send(&settings(server.addr, tls, &other, PASSWORD), &[0]);
        let text = result.unwrap_err().to_string();
        assert!(
            text.contains("TLS") && text.to_lowercase().contains("certificate"),
            "{text}"
        );
        assert!(server.accepted().is_empty());
        assert!(server.logins().is_empty(), "the password was not sent");
    }
    // Nor is a certificate from a CA that is not trusted.
    let pki = pki();
    let server = TlsServer::start(&pki, Knobs::default());
    let mut s = settings(server.addr, TlsMode::StartTls, &pki, PASSWORD);
    s.ca_roots.clear();
    let text = send(&s, &[0]).0.unwrap_err().to_string();
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    assert!(server.logins().is_empty());
}

#[test]
fn a_server_without_starttls_is_refused_unless_plaintext_is_allowed() {
    let pki = pki();
    let server = TlsServer::start(
        &pki,
        Knobs {
            starttls: false,
            auth_needs_tls: false,
            ..Knobs::default()
        },
    );
    let (result, _) = send(
        &settings(server.addr, TlsMode::StartTls, &pki, PASSWORD),
        &[0],
    );
    let text = result.unwrap_err().to_string();
    assert!(text.contains("does not offer STARTTLS"), "{text}");
    assert!(
        server.logins().is_empty(),
        "the password was not sent in clear"
    );
    // `smtp_allow_plaintext = true` (TlsMode::None): sent in clear.
    let (result, _) = send(&settings(server.addr, TlsMode::None, &pki, PASSWORD), &[0]);
    result.unwrap();
    assert_eq!(subjects(&server), ["digest 0"]);
}

#[test]
fn no_answer_to_the_end_of_data_is_resent_once_never_twice() {
    let pki = pki();
    let server = TlsServer::start(&pki, Knobs::default());
    let mut s = settings(server.addr, TlsMode::StartTls, &pki, PASSWORD);
    s.timeout = Duration::from_millis(500);
    s.attempts = 2;
    // Every attempt goes unanswered: left for the next run.
    server.stall_data(usize::MAX);
    let (result, first) = send(&s, &[0, 1]);
    server.stall_data(0);
    let deferred: Vec<usize> = first
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Deferred(_)))
        .map(|(k, _)| *k)
        .collect();
    assert!(deferred.contains(&0), "{first:?} {result:?}");
    assert!(server.accepted().is_empty());
    assert!(server.stalled() >= 2, "{}", server.stalled());
    // The next run sends what is not recorded accepted: each once.
    let (result, second) = send(&s, &deferred);
    result.unwrap();
    assert!(second.values().all(|o| *o == Outcome::Accepted));
    let want: Vec<String> = deferred.iter().map(|k| format!("digest {k}")).collect();
    assert_eq!(subjects(&server), want);
    // Unanswered once, then answered: sent again in the same run, once.
    let server = TlsServer::start(&pki, Knobs::default());
    server.stall_data(1);
    let mut s = settings(server.addr, TlsMode::StartTls, &pki, PASSWORD);
    s.timeout = Duration::from_millis(500);
    let (result, outcomes) = send(&s, &[3]);
    result.unwrap();
    assert_eq!(outcomes[&3], Outcome::Accepted);
    assert_eq!(server.stalled(), 1);
    assert_eq!(subjects(&server), ["digest 3"]);
}

/// `storyfeed digest` over smtps:// to the server, trusting its CA
/// through `digest.smtp_ca_file`.
pub(crate) fn cli_project(server: &TlsServer, pki: &Pki, password: &str) -> Project {
    let root = root();
    let config = format!(
        "base_url = \"https://example.org/unodc/\"\narchives = [{:?}]\ntaxonomy = {:?}\n\
         ledger = {:?}\n[digest]\nfrom = \"UNODC stories <digest@example.org>\"\n\
         subscribers = \"subscribers.toml\"\nsmtp_url = \"smtps://{USER}@localhost:{}\"\n\
         smtp_ca_file = \"ca.pem\"\n",
        root.join("data/archives"),
        root.join("data/taxonomy.toml"),
        root.join("data/published.jsonl"),
        server.addr.port(),
    );
    Project::new()
        .config(&config)
        .file("ca.pem", &pki.ca_pem)
        .subscribers(
            "[[subscriber]]\naddress = \"ana@example.org\"\nall = true\nfrequency = \"weekly\"\n",
        )
        .env("STORYFEED_SECRET", "test-secret-not-for-production")
        .env("STORYFEED_SMTP_PASSWORD", password)
}

#[test]
fn digest_over_smtps_with_a_private_ca() {
    let pki = pki();
    let server = TlsServer::start(
        &pki,
        Knobs {
            implicit: true,
            ..Knobs::default()
        },
    );
    let project = cli_project(&server, &pki, PASSWORD);
    let out = project
        .run(["digest", "--as-of", "2020-03-02"])
        .assert_success();
    assert!(out.stdout.contains("1 sent"), "{out}");
    let accepted = server.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].to, ["ana@example.org"]);
    // Run again: already sent this period, nothing more goes out.
    project
        .run(["digest", "--as-of", "2020-03-02"])
        .assert_success();
    assert_eq!(server.accepted().len(), 1);
    // Without the CA the server is not trusted: nothing goes out.
    let config = project.read("storyfeed.toml");
    project.write(
        "storyfeed.toml",
        config.replace("smtp_ca_file = \"ca.pem\"\n", ""),
    );
    let out = project
        .run(["digest", "--as-of", "2020-03-09"])
        .assert_code(2);
    assert!(out.stderr.contains("certificate"), "{out}");
    assert_eq!(server.accepted().len(), 1);
    // A CA file that is not there is an error naming it.
    project.write("storyfeed.toml", &config);
    std::fs::remove_file(project.join("ca.pem")).unwrap();
    let out = project
        .run(["digest", "--as-of", "2020-03-09"])
        .assert_code(2);
    assert!(out.stderr.contains("ca.pem"), "{out}");
    assert_eq!(server.accepted().len(), 1);
}

#[test]
fn digest_with_a_wrong_password_exits_2_without_printing_it() {
    let pki = pki();
    let server = TlsServer::start(
        &pki,
        Knobs {
            implicit: true,
            ..Knobs::default()
        },
    );
    let wrong = "s3cr3t-but-wrong-pa55";
    let project = cli_project(&server, &pki, wrong);
    let out = project
        .run(["digest", "--as-of", "2020-03-02"])
        .assert_code(2);
    assert!(
        out.stderr.contains("login as `digest-sender` failed"),
        "{out}"
    );
    assert!(out.stderr.contains("535"), "{out}");
    assert!(
        !out.stdout.contains(wrong) && !out.stderr.contains(wrong),
        "{out}"
    );
    assert!(server.accepted().is_empty());
}

#[test]
fn a_digest_unanswered_after_data_is_left_for_the_next_run_and_sent_once() {
    let pki = pki();
    let server = TlsServer::start(
        &pki,
        Knobs {
            implicit: true,
            ..Knobs::default()
        },
    );
    let project = cli_project(&server, &pki, PASSWORD);
    let config = project.read("storyfeed.toml");
    project.write("storyfeed.toml", format!("{config}smtp_timeout = 1\n"));
    // Every try goes unanswered: deferred (exit 75), nothing accepted.
    server.stall_data(usize::MAX);
    let out = project
        .run(["digest", "--as-of", "2020-03-02"])
        .assert_code(75);
    assert!(out.stdout.contains("1 deferred"), "{out}");
    assert!(server.accepted().is_empty());
    let stalled = server.stalled();
    assert!(stalled >= 1);
    // The next run sends it, once; the one after sends nothing.
    server.stall_data(0);
    let out = project
        .run(["digest", "--as-of", "2020-03-02"])
        .assert_success();
    assert!(out.stdout.contains("1 sent"), "{out}");
    project
        .run(["digest", "--as-of", "2020-03-02"])
        .assert_success();
    let accepted = server.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].to, ["ana@example.org"]);
    assert_eq!(server.stalled(), stalled);
}
