//! `storyfeed digest` run as cron runs it, against a real SMTP server
//! (`smtp_server`): the expected digests arrive, each once, through 4xx,
//! 5xx, dropped connections, killed runs and reruns.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use mail_parser::{MessageParser, MimeHeaders};
use serde_json::Value;

use storyfeed::digest::state::Status;
use storyfeed::store::{Delivery, RunLock, Store};

use super::smtp_server::{Cutter, Received, Script, SmtpServer};
use crate::backends::each;
use crate::harness::{root, Output, Project};

const BASE: &str = "https://example.org/unodc/";
const SECRET: &str = "test-secret-not-for-production";

/// Who subscribes in these tests: (address, subscriber TOML lines).
pub(crate) const SUBSCRIBERS: &[(&str, &str)] = &[
    ("all.weekly@example.org", "all = true\nfrequency = \"weekly\""),
    ("all.monthly@example.org", "all = true\nfrequency = \"monthly\""),
    (
        "ccp@example.org",
        "programmes = [\"container-control-programme\"]\nfrequency = \"monthly\"",
    ),
    (
        "borders@example.org",
        "themes = [\"border-control\", \"drugs\"]\nfrequency = \"monthly\"\nformat = \"text\"",
    ),
    (
        "cyber@example.org",
        "themes = [\"cybercrime\"]\nname = \"Cyber \\\"desk\\\"\\r\\nBcc: evil@example.org\"\nfrequency = \"weekly\"",
    ),
    ("idle@example.org", "themes = [\"wildlife-forest-crime\"]"),
];

/// A project: config, subscribers, the shipped archives, state in the
/// project directory, the secret in the environment.
pub(crate) fn project() -> Project {
    let root = root();
    let config = format!(
        "base_url = \"{BASE}\"\narchives = [{:?}]\ntaxonomy = {:?}\nledger = {:?}\n\
         [digest]\nfrom = \"UNODC stories <digest@example.org>\"\nsubscribers = \"subscribers.toml\"\n",
        root.join("data/archives"),
        root.join("data/taxonomy.toml"),
        root.join("data/published.jsonl"),
    );
    let mut subs = String::new();
    for (address, rest) in SUBSCRIBERS {
        subs.push_str(&format!(
            "[[subscriber]]\naddress = \"{address}\"\n{rest}\n\n"
        ));
    }
    Project::new()
        .config(&config)
        .subscribers(&subs)
        .env("STORYFEED_SECRET", SECRET)
}

pub(crate) fn digest(project: &Project, args: &[&str]) -> Output {
    project.run(["digest"].iter().chain(args))
}

/// The delivery journal of the project's database (read from a copy).
pub(crate) fn deliveries(project: &Project) -> Vec<Delivery> {
    Store::snapshot_of(&project.database())
        .unwrap()
        .deliveries()
        .unwrap()
}

pub(crate) fn smtp_url(addr: std::net::SocketAddr) -> String {
    format!("smtp://{addr}")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The stories of the shipped archives as `storyfeed parse` prints them.
fn stories() -> Vec<Value> {
    let out = Project::new()
        .shipped_data()
        .run(["parse"])
        .assert_success();
    out.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// What each subscriber's first digest as of Monday 2020-03-02 must hold
/// (story page URLs), worked out here from the parser's output alone:
/// a weekly digest covers 24 Feb–1 Mar 2020, a monthly one February 2020.
pub(crate) fn expected_first_digests() -> BTreeMap<String, BTreeSet<String>> {
    let stories = stories();
    let has =
        |s: &Value, key: &str, slug: &str| s[key].as_array().unwrap().iter().any(|v| v == slug);
    let mut want: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in &stories {
        let start = s["start"].as_str().unwrap();
        let url = format!("{BASE}stories/{}.html", s["id"].as_str().unwrap());
        let in_week = ("2020-02-24"..="2020-03-01").contains(&start);
        let in_feb = start.starts_with("2020-02-");
        let mut add = |who: &str, yes: bool| {
            if yes {
                want.entry(who.to_owned()).or_default().insert(url.clone());
            }
        };
        add("all.weekly@example.org", in_week);
        add("all.monthly@example.org", in_feb);
        add(
            "ccp@example.org",
            in_feb && has(s, "programmes", "container-control-programme"),
        );
        add(
            "borders@example.org",
            in_feb && (has(s, "themes", "border-control") || has(s, "themes", "drugs")),
        );
        add(
            "cyber@example.org",
            in_week && has(s, "themes", "cybercrime"),
        );
        add(
            "idle@example.org",
            in_week && has(s, "themes", "wildlife-forest-crime"),
        );
    }
    want
}

/// Recipient → story page URLs linked from the message's text part.
fn delivered(received: &[Received]) -> BTreeMap<String, Vec<BTreeSet<String>>> {
    let mut got: BTreeMap<String, Vec<BTreeSet<String>>> = BTreeMap::new();
    for r in received {
        assert_eq!(r.to.len(), 1, "one recipient per message");
        let msg = MessageParser::default().parse(&r.data).expect("MIME");
        let body = msg.body_text(0).expect("a text part").into_owned();
        let urls: BTreeSet<String> = body
            .split_whitespace()
            .filter(|w| w.starts_with(&format!("{BASE}stories/")))
            .map(str::to_owned)
            .collect();
        got.entry(r.to[0].clone()).or_default().push(urls);
    }
    got
}

/// Every recipient got exactly one digest, with exactly its stories.
pub(crate) fn assert_once_each(received: &[Received], want: &BTreeMap<String, BTreeSet<String>>) {
    let got = delivered(received);
    let got_once: BTreeMap<String, BTreeSet<String>> = got
        .iter()
        .map(|(to, digests)| {
            assert_eq!(digests.len(), 1, "{to} got {} digests", digests.len());
            (to.clone(), digests[0].clone())
        })
        .collect();
    assert_eq!(&got_once, want);
}

#[test]
fn each_subscriber_gets_the_expected_digest_once() {
    each("each_subscriber_gets_the_expected_digest_once", |backend| {
        let want = expected_first_digests();
        // The fixture makes sense: some get mail, the idle one does not.
        assert!(want.len() >= 4, "{want:?}");
        assert!(!want.contains_key("idle@example.org"));
        let server = SmtpServer::start(Script::default());
        let project = project().on(backend);
        let url = smtp_url(server.addr);
        let out = digest(&project, &["--smtp", &url, "--as-of", "2020-03-02"]).assert_success();
        let received = server.received();
        assert_once_each(&received, &want);
        let summary = &out.stdout;
        assert!(
            summary.contains(&format!("{} sent", want.len())) && summary.contains("0 failed"),
            "{summary}"
        );

        for r in &received {
            let msg = MessageParser::default().parse(&r.data).unwrap();
            let to = &r.to[0];
            // Headers.
            assert_eq!(
                msg.from().unwrap().first().unwrap().address().unwrap(),
                "digest@example.org"
            );
            assert_eq!(msg.to().unwrap().first().unwrap().address().unwrap(), to);
            assert!(msg.date().is_some());
            let subject = msg.subject().unwrap();
            let n = want[to].len();
            assert!(
                subject.starts_with("UNODC digest, ")
                    && subject.ends_with(&format!(
                        ": {n} new {}",
                        if n == 1 { "story" } else { "stories" }
                    )),
                "{subject}"
            );
            let id = msg.message_id().unwrap();
            assert!(
                id.starts_with("digest.") && id.ends_with("@example.org"),
                "{id}"
            );
            let raw = text(&r.data);
            let header = |name: &str| {
                msg.header_raw(name)
                    .unwrap_or_else(|| panic!("{name} missing in {to}'s digest"))
                    .trim()
                    .to_owned()
            };
            assert!(header("List-Id").contains("<digest.storyfeed.example.org>"));
            let unsubscribe = header("List-Unsubscribe");
            assert!(
                unsubscribe.contains(&format!("<{BASE}unsubscribe?a="))
                    && unsubscribe.contains("<mailto:"),
                "{unsubscribe}"
            );
            assert_eq!(
                header("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click"
            );
            // A CR/LF in a name from the subscribers file adds no header.
            assert!(!raw.contains("\r\nBcc:"), "{raw}");
            // Parts: text first; HTML last for HTML subscribers; UTF-8.
            let parts: Vec<String> = msg
                .parts
                .iter()
                .filter_map(|p| p.content_type())
                .filter(|ct| ct.ctype() == "text")
                .map(|ct| {
                    assert_eq!(
                        ct.attribute("charset")
                            .map(str::to_ascii_lowercase)
                            .as_deref(),
                        Some("utf-8")
                    );
                    ct.subtype().unwrap_or_default().to_owned()
                })
                .collect();
            if to == "borders@example.org" {
                assert_eq!(parts, ["plain"]);
            } else {
                assert_eq!(parts, ["plain", "html"]);
                let html = msg.body_html(0).unwrap();
                for url in &want[to] {
                    assert!(
                        html.contains(&format!("href=\"{url}\"")),
                        "{url} not linked in HTML"
                    );
                }
                assert!(!html.contains("<script"), "no JavaScript");
            }
        }

        // The same week again: nothing twice.
        let again = digest(&project, &["--smtp", &url, "--as-of", "2020-03-04"]).assert_success();
        assert_eq!(server.received().len(), received.len());
        assert!(again.stdout.contains("0 sent"), "{again}");
    });
}

#[test]
fn a_451_is_left_for_the_next_run_and_a_550_fails_that_subscriber_only() {
    each(
        "a_451_is_left_for_the_next_run_and_a_550_fails_that_subscriber_only",
        |backend| {
            let want = expected_first_digests();
            let server = SmtpServer::start(Script {
                defer: vec![("all.weekly@example.org".to_owned(), usize::MAX)],
                reject: vec!["ccp@example.org".to_owned()],
                ..Script::default()
            });
            let project = project().on(backend);
            let out = digest(
                &project,
                &["--smtp", &smtp_url(server.addr), "--as-of", "2020-03-02"],
            )
            .assert_code(75);
            let stderr = &out.stderr;
            assert!(
                stderr.contains("ccp@example.org") && stderr.contains("550"),
                "{stderr}"
            );
            // 4xx is retried before giving up for this run.
            assert!(server.data_commands("all.weekly@example.org") >= 2);
            let mut others = want.clone();
            others.remove("all.weekly@example.org");
            others.remove("ccp@example.org");
            assert_once_each(&server.received(), &others);

            // Next run, the server is well again: the deferred digest goes out;
            // the refused one is not retried this period, and nobody gets two.
            let healthy = SmtpServer::start(Script::default());
            digest(
                &project,
                &["--smtp", &smtp_url(healthy.addr), "--as-of", "2020-03-03"],
            )
            .assert_success();
            let mut all = server.received();
            all.extend(healthy.received());
            let mut expected = want.clone();
            expected.remove("ccp@example.org");
            assert_once_each(&all, &expected);
        },
    );
}

#[test]
fn a_server_gone_mid_run_leaves_the_rest_for_the_next_run() {
    each(
        "a_server_gone_mid_run_leaves_the_rest_for_the_next_run",
        |backend| {
            let want = expected_first_digests();
            let server = SmtpServer::start(Script::default());
            // Lets two messages through, then the server is gone for good.
            let cutter = Cutter::start(server.addr, 2, true);
            let project = project().on(backend);
            let out = digest(
                &project,
                &["--smtp", &smtp_url(cutter.addr), "--as-of", "2020-03-02"],
            )
            .assert_code(75);
            assert!(out.stderr.contains("cannot reach SMTP server"), "{out}");
            assert_eq!(server.received().len(), 2);
            digest(
                &project,
                &["--smtp", &smtp_url(server.addr), "--as-of", "2020-03-02"],
            )
            .assert_success();
            assert_once_each(&server.received(), &want);
        },
    );
}

#[test]
fn a_run_killed_mid_way_resumes_without_duplicates_or_losses() {
    each(
        "a_run_killed_mid_way_resumes_without_duplicates_or_losses",
        |backend| {
            let want = expected_first_digests();
            let server = SmtpServer::start(Script::default());
            let pid = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
            let victim = std::sync::Arc::clone(&pid);
            // After two messages, SIGKILL the run as it starts the third: it has
            // recorded the second (or it would not have gone on), and never hears
            // back about the third.
            let cutter = Cutter::start_with(
                server.addr,
                2,
                false,
                Some(Box::new(move || {
                    let pid = victim.load(std::sync::atomic::Ordering::SeqCst).to_string();
                    let killed = Command::new("kill").args(["-KILL", &pid]).status().unwrap();
                    assert!(killed.success());
                })),
            );
            let project = project().on(backend);
            let child = project
                .command([
                    "digest",
                    "--smtp",
                    &smtp_url(cutter.addr),
                    "--as-of",
                    "2020-03-02",
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            pid.store(child.id(), std::sync::atomic::Ordering::SeqCst);
            let out = project.wait(child);
            assert_eq!(out.code(), None, "killed by a signal: {out}");
            assert_eq!(server.received().len(), 2);
            // The journal says what happened: two sent, the third claimed (by a
            // run that is gone, so the next run takes it back).
            let journal = deliveries(&project);
            let count = |status: Status| journal.iter().filter(|d| d.status == status).count();
            assert_eq!(count(Status::Sent), 2, "{journal:?}");
            assert!(count(Status::Claimed) >= 1, "{journal:?}");

            digest(
                &project,
                &["--smtp", &smtp_url(server.addr), "--as-of", "2020-03-02"],
            )
            .assert_success();
            assert_once_each(&server.received(), &want);
            digest(
                &project,
                &["--smtp", &smtp_url(server.addr), "--as-of", "2020-03-02"],
            )
            .assert_success();
            assert_once_each(&server.received(), &want);
        },
    );
}

#[test]
fn an_unreachable_server_stops_the_run_with_a_clear_message() {
    each(
        "an_unreachable_server_stops_the_run_with_a_clear_message",
        |backend| {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let project = project().on(backend);
            let url = format!("smtp://127.0.0.1:{port}");
            let out = digest(&project, &["--smtp", &url, "--as-of", "2020-03-02"]).assert_code(75);
            let stderr = &out.stderr;
            assert!(
                stderr.contains(&format!("cannot reach SMTP server 127.0.0.1:{port}")),
                "{stderr}"
            );
            // Nothing is recorded as sent: the next run sends everything.
            let server = SmtpServer::start(Script::default());
            digest(
                &project,
                &["--smtp", &smtp_url(server.addr), "--as-of", "2020-03-02"],
            )
            .assert_success();
            assert_once_each(&server.received(), &expected_first_digests());
        },
    );
}

#[test]
fn a_second_run_waits_for_the_first() {
    each("a_second_run_waits_for_the_first", |backend| {
        let project = project().on(backend);
        let _held = RunLock::take(&project.join("state")).unwrap();
        let server = SmtpServer::start(Script::default());
        let out = digest(
            &project,
            &["--smtp", &smtp_url(server.addr), "--as-of", "2020-03-02"],
        )
        .assert_code(75);
        assert!(out.stderr.contains("another digest run holds"), "{out}");
        assert!(server.received().is_empty());
    });
}

#[test]
fn a_dry_run_writes_the_outbox_and_touches_no_state() {
    each(
        "a_dry_run_writes_the_outbox_and_touches_no_state",
        |backend| {
            let project = project().on(backend);
            digest(&project, &["--dry-run", "--as-of", "2020-03-02"]).assert_success();
            let want = expected_first_digests();
            let mut files: Vec<PathBuf> = Vec::new();
            for period in std::fs::read_dir(project.join("outbox")).unwrap() {
                for f in std::fs::read_dir(period.unwrap().path()).unwrap() {
                    files.push(f.unwrap().path());
                }
            }
            assert_eq!(files.len(), want.len());
            for f in &files {
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                assert!(want.contains_key(name.trim_end_matches(".eml")), "{name}");
                let bytes = std::fs::read(f).unwrap();
                assert!(MessageParser::default().parse(&bytes).is_some());
            }
            assert!(!project.join("state").exists(), "a dry run wrote state");
            // And again: the same bytes (same Message-ID, same Date with --as-of).
            let first: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
            digest(&project, &["--dry-run", "--as-of", "2020-03-02"]).assert_success();
            let second: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
            assert_eq!(first, second);
        },
    );
}

#[test]
fn an_unsubscribed_address_gets_nothing_more() {
    each("an_unsubscribed_address_gets_nothing_more", |backend| {
        let project = project().on(backend);
        project
            .run(["unsubscribe", "All.Weekly@example.org"])
            .assert_success();
        let server = SmtpServer::start(Script::default());
        let out = digest(
            &project,
            &["--smtp", &smtp_url(server.addr), "--as-of", "2020-03-02"],
        )
        .assert_success();
        let mut want = expected_first_digests();
        want.remove("all.weekly@example.org");
        assert_once_each(&server.received(), &want);
        assert!(out.stdout.contains("1 unsubscribed"), "{out}");
    });
}

#[test]
fn bad_subscribers_name_the_entry() {
    each("bad_subscribers_name_the_entry", |backend| {
        let project = project().on(backend);
        project.write(
        "subscribers.toml",
        "[[subscriber]]\naddress = \"a@example.org\"\nthemes = [\"drugs\"]\n\n[[subscriber]]\naddress = \"b@example.org\"\nthemes = [\"smuggling\"]\n",
    );
        let out = digest(&project, &["--dry-run", "--as-of", "2020-03-02"]).assert_code(2);
        let stderr = &out.stderr;
        assert!(
            stderr.contains("subscribers.toml:7:11:")
                && stderr.contains("subscriber 2 (b@example.org): unknown theme `smuggling`"),
            "{stderr}"
        );
    });
}

#[test]
fn a_refused_sender_stops_the_run_and_fails_nobody() {
    each(
        "a_refused_sender_stops_the_run_and_fails_nobody",
        |backend| {
            let server = SmtpServer::start(Script {
                reject_sender: vec!["digest@example.org".to_owned()],
                ..Script::default()
            });
            let project = project().on(backend);
            let url = smtp_url(server.addr);
            let out = digest(&project, &["--smtp", &url, "--as-of", "2020-03-02"]).assert_code(2);
            assert!(out.stderr.contains("refused the sender"), "{out}");
            assert!(server.received().is_empty());
            // Nobody is marked failed: with the sender fixed, everyone gets theirs.
            let journal = deliveries(&project);
            assert!(
                journal.iter().all(|d| d.status != Status::Failed),
                "{journal:?}"
            );
            let healthy = SmtpServer::start(Script::default());
            digest(
                &project,
                &["--smtp", &smtp_url(healthy.addr), "--as-of", "2020-03-02"],
            )
            .assert_success();
            assert_once_each(&healthy.received(), &expected_first_digests());
        },
    );
}
