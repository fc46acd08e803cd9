//! `storyfeed bounces` on the fixtures of `tests/fixtures/bounces/`
//! (Postfix, Exim, Exchange Online and Gmail DSNs, a delayed DSN, an ARF
//! complaint, an auto-reply, a person's reply, junk) after a real digest
//! run whose VERP envelope senders the SMTP server saw; what each message
//! does, and what the next digest run then leaves out.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use chrono::{DateTime, Duration, Utc};

use storyfeed::digest::message::{unsubscribe_url, Secret};
use storyfeed::store::Store;
use storyfeed::verp;

use super::digest::{deliveries, smtp_url};
use super::smtp_server::{Script, SmtpServer};
use crate::harness::{root, Output, Project};

const BASE: &str = "https://example.org/unodc/";
const SECRET: &str = "test-secret-not-for-production";

/// The digest tests' project, with a bounce address.
fn project() -> Project {
    let root = root();
    let config = format!(
        "base_url = \"{BASE}\"\narchives = [{:?}]\ntaxonomy = {:?}\nledger = {:?}\n\
         [digest]\nfrom = \"UNODC stories <digest@example.org>\"\nsubscribers = \"subscribers.toml\"\n\
         bounce_address = \"bounces@example.org\"\n",
        root.join("data/archives"),
        root.join("data/taxonomy.toml"),
        root.join("data/published.jsonl"),
    );
    super::digest::project().config(&config)
}

/// A project whose first digests went out (so the database knows the
/// subscribers and their deliveries), and what the server received.
fn sent_project() -> (Project, Vec<super::smtp_server::Received>) {
    let project = project();
    let server = SmtpServer::start(Script::default());
    project
        .run([
            "digest",
            "--smtp",
            &smtp_url(server.addr),
            "--as-of",
            "2020-03-02",
        ])
        .assert_success();
    let received = server.received();
    assert!(!received.is_empty());
    (project, received)
}

fn verp_address(address: &str) -> String {
    format!(
        "bounces+{}@example.org",
        verp::token(SECRET.as_bytes(), address)
    )
}

/// A fixture with its placeholders filled for `address`, dated `date`.
fn fixture_at(name: &str, address: &str, date: DateTime<Utc>, id: &str) -> Vec<u8> {
    let bytes = std::fs::read(root().join("tests/fixtures/bounces").join(name)).unwrap();
    if !name.ends_with(".eml") {
        return bytes;
    }
    let secret = Secret(SECRET.as_bytes().to_vec());
    String::from_utf8(bytes)
        .unwrap()
        .replace(
            "{{VERP_UPPER}}",
            &verp_address(address).to_ascii_uppercase(),
        )
        .replace("{{VERP}}", &verp_address(address))
        .replace("{{UNSUBSCRIBE}}", &unsubscribe_url(BASE, &secret, address))
        .replace("{{DATE}}", &date.to_rfc2822())
        .replace("{{ID}}", id)
        .into_bytes()
}

fn fixture(name: &str, address: &str) -> Vec<u8> {
    fixture_at(name, address, Utc::now(), "1")
}

/// `storyfeed bounces -` with `bytes` on standard input.
fn bounces_stdin(project: &Project, bytes: &[u8]) -> Output {
    let mut child = project
        .command(["bounces", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    project.wait(child)
}

fn suppressions(project: &Project) -> Vec<(String, String)> {
    Store::snapshot(&project.join("state/storyfeed.db"))
        .unwrap()
        .suppressions()
        .unwrap()
        .into_iter()
        .map(|s| (s.address, s.reason))
        .collect()
}

fn suppressed(project: &Project, address: &str) -> Option<String> {
    suppressions(project)
        .into_iter()
        .find(|(a, _)| a == address)
        .map(|(_, reason)| reason)
}

#[test]
fn each_digest_goes_out_from_its_subscribers_verp_address() {
    let (_project, received) = sent_project();
    for message in &received {
        let [to] = &message.to[..] else {
            panic!("one recipient a message: {:?}", message.to)
        };
        assert_eq!(message.from, verp_address(to), "MAIL FROM for {to}");
        assert!(verp::verify(
            SECRET.as_bytes(),
            to,
            verp::token_in(&message.from, &"bounces@example.org".parse().unwrap())
                .unwrap()
                .as_str()
        ));
        // The headers are the digest's own: From and no Return-Path.
        let text = String::from_utf8_lossy(&message.data);
        assert!(
            text.lines()
                .any(|l| l.starts_with("From: ") && l.ends_with("<digest@example.org>")),
            "{text}"
        );
        assert!(!text.contains("Return-Path"), "{text}");
        assert!(!text.contains(&message.from), "the token is in no header");
    }
    // Without a bounce address the envelope sender is From, as before.
    let plain = super::digest::project();
    let server = SmtpServer::start(Script::default());
    plain
        .run([
            "digest",
            "--smtp",
            &smtp_url(server.addr),
            "--as-of",
            "2020-03-02",
        ])
        .assert_success();
    assert!(server
        .received()
        .iter()
        .all(|m| m.from == "digest@example.org"));
}

/// (fixture, whose, what the line says, the suppression it leaves).
const VERDICTS: &[(&str, &str, &[&str], Option<&str>)] = &[
    (
        "postfix-5.1.1.eml",
        "all.weekly@example.org",
        &["bounce: a***@example.org hard 5.1.1 (VERP token): suppressed (bounced)"],
        Some("bounced"),
    ),
    (
        "exim-5.1.1.eml",
        "ccp@example.org",
        &["bounce: c***@example.org hard 5.0.0 (named recipient): suppressed (bounced)"],
        Some("bounced"),
    ),
    (
        "microsoft-5.1.10.eml",
        "borders@example.org",
        &["bounce: b***@example.org hard 5.1.10 (VERP token): suppressed (bounced)"],
        Some("bounced"),
    ),
    (
        "gmail-5.1.1.eml",
        "cyber@example.org",
        &["bounce: c***@example.org hard 5.1.1 (VERP token): suppressed (bounced)"],
        Some("bounced"),
    ),
    (
        "delayed-4.4.1.eml",
        "idle@example.org",
        &["bounce: i***@example.org soft 4.4.1 (VERP token): counted (1 in the window)"],
        None,
    ),
    (
        "arf-abuse.eml",
        "all.monthly@example.org",
        &["complaint (abuse): a***@example.org complaint (unsubscribe link): suppressed (complaint)"],
        Some("complaint"),
    ),
    (
        "auto-reply.eml",
        "all.weekly@example.org",
        &["stdin: auto-reply: left alone"],
        None,
    ),
    (
        "plain.eml",
        "all.monthly@example.org",
        &["stdin: not a bounce or complaint: left alone"],
        None,
    ),
    (
        "junk.bin",
        "",
        &["stdin: not readable as mail: left alone"],
        None,
    ),
];

#[test]
fn each_fixture_gets_its_verdict_and_a_suppression_where_due() {
    for (name, address, lines, reason) in VERDICTS {
        // A fresh database each, so no verdict leans on another's.
        let (project, _) = sent_project();
        let out = bounces_stdin(&project, &fixture(name, address)).assert_success();
        for line in *lines {
            assert!(out.stdout.contains(line), "{name}: want `{line}`\n{out}");
        }
        assert_eq!(
            out.stdout.lines().count(),
            2,
            "{name}: a line and the summary\n{out}"
        );
        assert!(
            !out.stdout.contains(address) || address.is_empty(),
            "{name}: unmasked\n{out}"
        );
        let left: Vec<(String, String)> = suppressions(&project);
        match reason {
            Some(reason) => assert_eq!(
                left,
                [(address.to_string(), reason.to_string())],
                "{name}\n{out}"
            ),
            None => assert!(left.is_empty(), "{name}: {left:?}\n{out}"),
        }
    }
}

#[test]
fn suppressed_addresses_get_no_next_digest_and_a_report_counts_once() {
    let (project, _) = sent_project();
    let postfix = fixture("postfix-5.1.1.eml", "all.weekly@example.org");
    bounces_stdin(&project, &postfix).assert_success();
    let again = bounces_stdin(&project, &postfix).assert_success();
    assert!(
        again
            .stdout
            .contains("stdin: bounce: already read, counted once"),
        "{again}"
    );
    assert!(again.stdout.contains("0 hard bounces"), "{again}");
    bounces_stdin(
        &project,
        &fixture("arf-abuse.eml", "all.monthly@example.org"),
    )
    .assert_success();
    // The next week's run, written to the outbox: neither address.
    project
        .run(["digest", "--dry-run", "--as-of", "2020-03-09"])
        .assert_success();
    let mut written = Vec::new();
    for period in std::fs::read_dir(project.join("outbox")).unwrap() {
        for f in std::fs::read_dir(period.unwrap().path()).unwrap() {
            written.push(f.unwrap().file_name().to_string_lossy().into_owned());
        }
    }
    assert!(!written.is_empty());
    assert!(
        !written
            .iter()
            .any(|f| f.starts_with("all.weekly@") || f.starts_with("all.monthly@")),
        "{written:?}"
    );
    // The stats count the bounce once and the complaint, against what went out.
    let sent = deliveries(&project).len();
    let stats = project.run(["subscribers", "stats"]).assert_success();
    let month = Utc::now().format("%Y-%m").to_string();
    let row = stats
        .stdout
        .lines()
        .find(|l| l.starts_with(&month))
        .unwrap_or_else(|| panic!("no {month} row\n{stats}"));
    let numbers: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(numbers[1], sent.to_string(), "{row}");
    assert_eq!(
        (numbers[2], numbers[4], numbers[6]),
        ("1", "0", "1"),
        "{row}"
    );
    let rate = format!("{:.2}%", 100.0 / sent as f64);
    assert_eq!(
        (numbers[3], numbers[7]),
        (rate.as_str(), rate.as_str()),
        "{row}"
    );
}

#[test]
fn soft_bounces_suppress_after_three_within_fourteen_days() {
    let (project, _) = sent_project();
    let now = Utc::now();
    let soft = |days_ago: i64, id: &str| {
        fixture_at(
            "delayed-4.4.1.eml",
            "idle@example.org",
            now - Duration::days(days_ago),
            id,
        )
    };
    // 40, 25 and 10 days ago: never three within 14 days.
    for (days, id) in [(40, "a"), (25, "b"), (10, "c")] {
        bounces_stdin(&project, &soft(days, id)).assert_success();
    }
    assert_eq!(suppressed(&project, "idle@example.org"), None);
    // 5 days ago: with 10 days ago, two; today: three.
    let out = bounces_stdin(&project, &soft(5, "d")).assert_success();
    assert!(out.stdout.contains("counted (2 in the window)"), "{out}");
    let out = bounces_stdin(&project, &soft(0, "e")).assert_success();
    assert!(out.stdout.contains("suppressed (bounced)"), "{out}");
    assert_eq!(
        suppressed(&project, "idle@example.org").as_deref(),
        Some("bounced")
    );
}

#[test]
fn the_limit_and_window_are_settings() {
    let (project, _) = sent_project();
    let config = project.read("storyfeed.toml") + "soft_bounce_limit = 1\n";
    project.write("storyfeed.toml", config);
    let out =
        bounces_stdin(&project, &fixture("delayed-4.4.1.eml", "idle@example.org")).assert_success();
    assert!(out.stdout.contains("suppressed (bounced)"), "{out}");
}

fn write_maildir(dir: &Path, messages: &[(&str, Vec<u8>)]) {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    for (name, bytes) in messages {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn a_maildir_is_read_in_name_order_new_then_cur() {
    let (project, _) = sent_project();
    let dir = project.join("Maildir");
    write_maildir(
        &dir,
        &[
            ("new/2.host", fixture("exim-5.1.1.eml", "ccp@example.org")),
            (
                "new/1.host",
                fixture("auto-reply.eml", "all.weekly@example.org"),
            ),
            (
                "cur/3.host:2,S",
                fixture("gmail-5.1.1.eml", "cyber@example.org"),
            ),
            ("new/.hidden", b"ignored".to_vec()),
            (
                "tmp/4.host",
                fixture("postfix-5.1.1.eml", "all.weekly@example.org"),
            ),
        ],
    );
    let out = project
        .run(["bounces", "--maildir", "Maildir"])
        .assert_success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with("Maildir/new/1.host: auto-reply"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("Maildir/new/2.host: bounce: c***"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("Maildir/cur/3.host:2,S: bounce: c***"),
        "{out}"
    );
    assert!(
        lines[3].starts_with(
            "3 messages: 2 hard bounces, 0 soft, 0 complaints counted; 2 addresses suppressed"
        ),
        "{out}"
    );
    // Read again: nothing counted twice.
    let again = project
        .run(["bounces", "--maildir", "Maildir"])
        .assert_success();
    assert!(again.stdout.contains("2 already read"), "{again}");
    // A directory that is no maildir: named, exit 1.
    std::fs::create_dir_all(project.join("empty")).unwrap();
    let out = project
        .run(["bounces", "--maildir", "empty"])
        .assert_code(1);
    assert!(out.stderr.contains("cannot read empty/new"), "{out}");
}

#[test]
fn an_mbox_is_split_at_from_lines() {
    let (project, _) = sent_project();
    let mut mbox = Vec::new();
    for (name, address) in [
        ("microsoft-5.1.10.eml", "borders@example.org"),
        ("plain.eml", "all.monthly@example.org"),
        ("delayed-4.4.1.eml", "idle@example.org"),
    ] {
        mbox.extend_from_slice(b"From MAILER-DAEMON Thu Nov  5 12:00:00 2026\n");
        let mut bytes = fixture(name, address);
        // A body line that starts with "From " is quoted in an mbox.
        if name == "plain.eml" {
            bytes.extend_from_slice(b">From the desk: thanks.\n");
        }
        mbox.extend_from_slice(&bytes);
        mbox.extend_from_slice(b"\n");
    }
    project.write("bounces.mbox", &mbox);
    let out = project
        .run(["bounces", "--mbox", "bounces.mbox"])
        .assert_success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with("bounces.mbox #1: bounce: b***@example.org hard 5.1.10"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("bounces.mbox #2: not a bounce"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("bounces.mbox #3: bounce: i***@example.org soft 4.4.1"),
        "{out}"
    );
    assert!(lines[3].contains("1 hard bounces, 1 soft"), "{out}");
    // A file that cannot be read is named; exit 1.
    let out = project
        .run(["bounces", "--mbox", "missing.mbox"])
        .assert_code(1);
    assert!(out.stderr.contains("cannot read missing.mbox"), "{out}");
}

#[test]
fn a_token_that_was_altered_matches_nobody() {
    let (project, _) = sent_project();
    let good = verp_address("all.weekly@example.org");
    // One character of the token changed: no subscriber, and the report's
    // own recipient is unknown (a forwarded address).
    let token_at = "bounces+".len() + 2;
    let mut bad = good.clone().into_bytes();
    bad[token_at] = if bad[token_at] == b'a' { b'b' } else { b'a' };
    let bad = String::from_utf8(bad).unwrap();
    let bytes = String::from_utf8(fixture("postfix-5.1.1.eml", "all.weekly@example.org"))
        .unwrap()
        .replace(&good, &bad);
    let out = bounces_stdin(&project, bytes.as_bytes()).assert_success();
    assert!(
        out.stdout
            .contains("r***@forward.example.net hard 5.1.1: no subscriber matched, left alone"),
        "{out}"
    );
    assert!(suppressions(&project).is_empty());
}

#[test]
fn no_bytes_panic_the_reader() {
    use proptest::prelude::*;
    use storyfeed::bounces::report::parse;
    // Every fixture cut short anywhere, and with a byte flipped.
    for entry in std::fs::read_dir(root().join("tests/fixtures/bounces")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = fixture(&name, "all.weekly@example.org");
        for cut in (0..bytes.len()).step_by(3) {
            parse(&bytes[..cut]);
            let mut flipped = bytes.clone();
            flipped[cut] ^= 0x80;
            parse(&flipped);
        }
    }
    proptest!(ProptestConfig::with_cases(256), |(bytes in proptest::collection::vec(any::<u8>(), 0..3000))| {
        let parsed = parse(&bytes);
        prop_assert!(parsed.id.starts_with("sha256:") || parsed.id.starts_with("mid:"));
    });
    // Report-shaped noise: a multipart/report around arbitrary parts.
    proptest!(ProptestConfig::with_cases(256), |(body in "[ -~\r\n]{0,1500}")| {
        let message = format!(
            "From: x@example.org\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n\
             --b\r\nContent-Type: message/delivery-status\r\n\r\n{body}\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n{body}\r\n--b--\r\n"
        );
        parse(message.as_bytes());
    });
}

#[test]
fn without_a_secret_tokens_are_not_checked_and_the_run_says_so() {
    let (project, _) = sent_project();
    let out = project
        .command(["bounces", "--mbox", "none.mbox"])
        .env_remove("STORYFEED_SECRET")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("note: no STORYFEED_SECRET"), "{stderr}");
    assert!(stderr.contains("cannot read none.mbox"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
}
