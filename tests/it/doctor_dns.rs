//! `storyfeed doctor`'s DNS checks against the tiny DNS server of
//! `dns_server`: good records, a DKIM record of another key, DMARC missing
//! or `p=none`, and servers that say nothing exists or never answer.

use std::time::{Duration, Instant};

use super::dns_server::{DnsServer, Mode};
use super::doctor::{level, line, project};
use super::harness::Project;

const FROM: &str = "news.storyfeed.net";
const SPF: &str = "v=spf1 include:relay.storyfeed.net -all";

/// A project signing as `s1._domainkey.storyfeed.net` with a new key
/// (`algorithm`), and the TXT text to publish for it.
fn signing_project(algorithm: &str) -> (Project, String) {
    let project = project(
        "https://news.storyfeed.net/",
        "dkim_selector = \"s1\"\ndkim_domain = \"storyfeed.net\"\ndkim_key_file = \"dkim.pem\"\n",
    )
    .env("STORYFEED_SECRET", "x".repeat(40));
    let record = keygen(&project, algorithm, "dkim.pem");
    (project, record)
}

/// Makes a key in `out`; its record's text (the quoted strings joined).
fn keygen(project: &Project, algorithm: &str, out: &str) -> String {
    let stdout = project
        .run([
            "dkim",
            "keygen",
            "--selector",
            "s1",
            "--domain",
            "storyfeed.net",
            "--algorithm",
            algorithm,
            "--out",
            out,
        ])
        .assert_success()
        .stdout;
    stdout.split('"').skip(1).step_by(2).collect()
}

fn doctor(project: &Project, server: &DnsServer) -> (Option<i32>, String) {
    let out = project.run(["doctor", "--dns-server", &server.addr.to_string()]);
    (out.code(), out.stdout)
}

#[test]
fn good_records_are_ok_lines() {
    for algorithm in ["ed25519", "rsa"] {
        let (project, record) = signing_project(algorithm);
        let server = DnsServer::start(
            Mode::Zone,
            "storyfeed.net",
            &[
                (FROM, SPF),
                (FROM, "google-site-verification=abc"),
                ("s1._domainkey.storyfeed.net", &record),
                (
                    "_dmarc.news.storyfeed.net",
                    "v=DMARC1; p=reject; rua=mailto:dmarc@storyfeed.net",
                ),
            ],
        );
        let (code, s) = doctor(&project, &server);
        assert_eq!(code, Some(0), "{s}");
        assert_eq!(level(&s, "spf"), "ok", "{s}");
        assert!(line(&s, "spf").contains(SPF), "{s}");
        assert_eq!(level(&s, "dkim_record"), "ok", "{s}");
        assert!(line(&s, "dkim_record").contains(algorithm), "{s}");
        assert_eq!(level(&s, "dmarc"), "ok", "{s}");
        let l = line(&s, "dmarc");
        assert!(l.contains("policy reject"), "{s}");
        assert!(l.contains("d=storyfeed.net is aligned"), "{s}");
        assert!(!s.contains(" dns: "), "{s}");
        // An RSA record is longer than one TXT string: it came in two.
        assert_eq!(record.len() > 255, algorithm == "rsa");
    }
}

#[test]
fn a_dkim_record_of_another_key_is_an_error() {
    let (project, ours) = signing_project("ed25519");
    let other = keygen(&project, "ed25519", "other.pem");
    let server = DnsServer::start(
        Mode::Zone,
        "storyfeed.net",
        &[
            (FROM, SPF),
            ("s1._domainkey.storyfeed.net", &other),
            ("_dmarc.news.storyfeed.net", "v=DMARC1; p=quarantine"),
        ],
    );
    let (code, s) = doctor(&project, &server);
    assert_eq!(code, Some(1), "{s}");
    assert_eq!(level(&s, "dkim_record"), "error", "{s}");
    let l = line(&s, "dkim_record");
    assert!(l.contains("doesn't match the key in dkim.pem"), "{s}");
    // What to publish instead: this key's record, not the other.
    assert!(
        l.contains(&format!("publish `{ours}`")) && !l.contains(&other),
        "{s}"
    );

    // No record at all: an error too, naming the record to publish.
    let server = DnsServer::start(Mode::Zone, "storyfeed.net", &[(FROM, SPF)]);
    let (code, s) = doctor(&project, &server);
    assert_eq!(code, Some(1), "{s}");
    assert!(
        line(&s, "dkim_record")
            .starts_with("error    dkim_record: no DKIM record at s1._domainkey.storyfeed.net"),
        "{s}"
    );
}

#[test]
fn missing_dmarc_and_spf_warn_after_asking_the_parent_domain() {
    let (project, record) = signing_project("ed25519");
    let server = DnsServer::start(
        Mode::Zone,
        "storyfeed.net",
        &[("s1._domainkey.storyfeed.net", &record)],
    );
    let (code, s) = doctor(&project, &server);
    assert_eq!(code, Some(0), "{s}");
    assert_eq!(level(&s, "spf"), "warning", "{s}");
    assert!(
        line(&s, "spf").contains("no SPF record at news.storyfeed.net"),
        "{s}"
    );
    assert_eq!(level(&s, "dmarc"), "warning", "{s}");
    assert!(line(&s, "dmarc").contains("no DMARC record"), "{s}");
    let queries = server.queries();
    for name in ["_dmarc.news.storyfeed.net", "_dmarc.storyfeed.net"] {
        assert!(queries.iter().any(|q| q == name), "{name}: {queries:?}");
    }
}

#[test]
fn p_none_warns_and_a_parent_record_applies_its_sp() {
    let (project, record) = signing_project("ed25519");
    let records = |dmarc: &'static str, at: &'static str| {
        DnsServer::start(
            Mode::Zone,
            "storyfeed.net",
            &[
                (FROM, SPF),
                ("s1._domainkey.storyfeed.net", &record),
                (at, dmarc),
            ],
        )
    };
    let server = records(
        "v=DMARC1; p=none; rua=mailto:d@storyfeed.net",
        "_dmarc.news.storyfeed.net",
    );
    let (code, s) = doctor(&project, &server);
    assert_eq!(code, Some(0), "{s}");
    assert_eq!(level(&s, "dmarc"), "warning", "{s}");
    assert!(
        line(&s, "dmarc").contains("p=none asks receivers to do nothing"),
        "{s}"
    );

    // The organizational domain's record: sp= governs the subdomain.
    let server = records("v=DMARC1; p=reject; sp=none", "_dmarc.storyfeed.net");
    let (_, s) = doctor(&project, &server);
    assert_eq!(level(&s, "dmarc"), "warning", "{s}");
    assert!(line(&s, "dmarc").contains("at _dmarc.storyfeed.net"), "{s}");
    let server = records("v=DMARC1; p=none; sp=reject", "_dmarc.storyfeed.net");
    let (_, s) = doctor(&project, &server);
    assert_eq!(level(&s, "dmarc"), "ok", "{s}");

    // Strict alignment: d=storyfeed.net does not sign for news.storyfeed.net.
    let server = records("v=DMARC1; p=reject; adkim=s", "_dmarc.news.storyfeed.net");
    let (_, s) = doctor(&project, &server);
    assert_eq!(level(&s, "dmarc"), "warning", "{s}");
    assert!(
        line(&s, "dmarc").contains("not aligned with From news.storyfeed.net under adkim=s"),
        "{s}"
    );
}

#[test]
fn no_answer_is_one_skipped_line_soon() {
    let project =
        project("https://news.storyfeed.net/", "").env("STORYFEED_SECRET", "x".repeat(40));
    for (mode, note) in [
        (Mode::Silent, "no DNS server answered"),
        (Mode::DeniesEverything, "not even the root zone"),
    ] {
        let server = DnsServer::start(mode, "storyfeed.net", &[]);
        let start = Instant::now();
        let (code, s) = doctor(&project, &server);
        // The lookups' limit is 3 s; far below what a hang would take.
        assert!(start.elapsed() < Duration::from_secs(10), "{mode:?}");
        assert_eq!(code, Some(0), "{s}");
        assert_eq!(level(&s, "dns"), "skipped", "{s}");
        let l = line(&s, "dns");
        assert!(l.contains(note) && l.contains("dig TXT"), "{s}");
        for name in ["spf", "dkim_record", "dmarc"] {
            assert!(!s.contains(&format!(" {name}: ")), "{s}");
        }
        assert!(!server.queries().is_empty(), "{mode:?}");
    }
    // --no-dns asks nothing.
    let out = project.run(["doctor", "--no-dns"]).assert_success();
    assert!(
        line(&out.stdout, "dns").contains("--no-dns"),
        "{}",
        out.stdout
    );
}
