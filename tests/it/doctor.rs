//! `storyfeed doctor`: the shipped example config, a DKIM key that does
//! not match the From domain, and the SMTP probe against a real server
//! (plain on loopback, implicit TLS with AUTH) and a closed port. These
//! run with `--no-dns` (the DNS checks are in `doctor_dns`), so no test
//! asks the machine's resolver.

use std::net::TcpListener;

use super::harness::{root, Project};
use super::smtp_server::{Script, SmtpServer};
use super::smtp_tls::{cli_project, pki};
use super::tls_server::{Knobs, TlsServer, PASSWORD};

/// The line of check `name`.
pub(super) fn line<'a>(stdout: &'a str, name: &str) -> &'a str {
    let needle = format!(" {name}: ");
    stdout
        .lines()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no `{name}` line in:\n{stdout}"))
}

pub(super) fn level(stdout: &str, name: &str) -> String {
    line(stdout, name)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The shipped data and a config pointing at it, `extra` added to `[digest]`.
pub(super) fn project(base_url: &str, extra: &str) -> Project {
    let root = root();
    Project::new().config(&format!(
        "base_url = {base_url:?}\narchives = [{:?}]\ntaxonomy = {:?}\nledger = {:?}\n\
         [digest]\nfrom = \"News <digest@news.storyfeed.net>\"\n{extra}",
        root.join("data/archives"),
        root.join("data/taxonomy.toml"),
        root.join("data/published.jsonl"),
    ))
}

#[test]
fn the_shipped_example_config() {
    let text = std::fs::read_to_string(root().join("storyfeed.example.toml")).unwrap();
    let project = Project::new().shipped_data().config(&text);
    let out = project.run(["doctor"]).assert_code(1);
    let s = &out.stdout;
    assert_eq!(level(s, "base_url"), "ok", "{s}");
    assert!(line(s, "base_url").contains("loopback"), "{s}");
    assert_eq!(level(s, "subscribe_url"), "ok", "{s}");
    assert_eq!(level(s, "secret"), "error", "{s}");
    assert!(line(s, "secret").contains("STORYFEED_SECRET"), "{s}");
    assert_eq!(level(s, "dkim"), "warning", "{s}");
    assert!(line(s, "dkim").contains("a relay must sign"), "{s}");
    assert_eq!(level(s, "list_id"), "ok", "{s}");
    assert_eq!(level(s, "from"), "warning", "{s}");
    assert!(line(s, "from").contains("placeholder"), "{s}");
    assert_eq!(level(s, "smtp"), "warning", "{s}");
    assert!(line(s, "smtp").contains("outbox"), "{s}");
    assert_eq!(level(s, "bounces"), "warning", "{s}");
    assert!(line(s, "bounces").contains("bounce_address"), "{s}");
    assert_eq!(level(s, "dns"), "skipped", "{s}");
    assert!(line(s, "dns").contains("placeholder"), "{s}");
    assert_eq!(s.lines().count(), 9, "{s}");

    // With a long secret and nothing else changed: warnings only, exit 0.
    let project = project.env("STORYFEED_SECRET", "x".repeat(40));
    let out = project.run(["doctor"]).assert_success();
    assert_eq!(level(&out.stdout, "secret"), "ok", "{}", out.stdout);
    // With a bounce address, the VERP sender.
    let config = project.read("storyfeed.toml").replace(
        "# bounce_address = \"bounces@example.org\"",
        "bounce_address = \"bounces@example.org\"",
    );
    project.write("storyfeed.toml", config);
    let out = project.run(["doctor"]).assert_success();
    assert_eq!(level(&out.stdout, "bounces"), "ok", "{}", out.stdout);
    assert!(
        line(&out.stdout, "bounces").contains("bounces+<token>@example.org"),
        "{}",
        out.stdout
    );
    // A short one warns.
    let project = project.env("STORYFEED_SECRET", "short");
    let out = project.run(["doctor"]).assert_success();
    assert_eq!(level(&out.stdout, "secret"), "warning", "{}", out.stdout);
}

#[test]
fn plain_http_off_loopback_warns() {
    let out = project("http://news.storyfeed.net/", "")
        .env("STORYFEED_SECRET", "x".repeat(40))
        .run(["doctor", "--no-dns"])
        .assert_success();
    assert_eq!(level(&out.stdout, "base_url"), "warning", "{}", out.stdout);
    assert_eq!(level(&out.stdout, "from"), "ok", "{}", out.stdout);
}

#[test]
fn a_dkim_key_for_another_domain_warns_naming_both() {
    let keys = |domain: &str| {
        let project = project(
            "https://news.storyfeed.net/",
            &format!(
                "dkim_selector = \"s1\"\ndkim_domain = \"{domain}\"\ndkim_key_file = \"dkim.pem\"\n"
            ),
        )
        .env("STORYFEED_SECRET", "x".repeat(40));
        project
            .run([
                "dkim",
                "keygen",
                "--selector",
                "s1",
                "--domain",
                domain,
                "--out",
                "dkim.pem",
            ])
            .assert_success();
        project.run(["doctor", "--no-dns"]).assert_success().stdout
    };
    let s = keys("other.example");
    assert_eq!(level(&s, "dkim"), "ok", "{s}");
    assert_eq!(level(&s, "dkim_alignment"), "warning", "{s}");
    let l = line(&s, "dkim_alignment");
    assert!(
        l.contains("news.storyfeed.net") && l.contains("other.example"),
        "{s}"
    );
    // The parent domain signs for a subdomain: relaxed alignment.
    let s = keys("storyfeed.net");
    assert_eq!(level(&s, "dkim_alignment"), "ok", "{s}");
}

#[test]
fn an_unreadable_dkim_key_is_an_error() {
    let out = project(
        "https://news.storyfeed.net/",
        "dkim_selector = \"s1\"\ndkim_domain = \"storyfeed.net\"\ndkim_key_file = \"missing.pem\"\n",
    )
    .env("STORYFEED_SECRET", "x".repeat(40))
    .run(["doctor", "--no-dns"])
    .assert_code(1);
    assert_eq!(level(&out.stdout, "dkim"), "error", "{}", out.stdout);
    assert!(
        line(&out.stdout, "dkim").contains("missing.pem"),
        "{}",
        out.stdout
    );
}

#[test]
fn smtp_probe_reaches_the_server_and_sends_nothing() {
    let server = SmtpServer::start(Script::default());
    let out = project(
        "https://news.storyfeed.net/",
        &format!("smtp_url = \"smtp://127.0.0.1:{}\"\n", server.addr.port()),
    )
    .env("STORYFEED_SECRET", "x".repeat(40))
    .run(["doctor", "--no-dns"])
    .assert_success();
    assert_eq!(level(&out.stdout, "smtp"), "ok", "{}", out.stdout);
    assert_eq!(server.sessions(), 1);
    assert!(server.received().is_empty());
}

#[test]
fn smtp_probe_of_a_closed_port_is_an_error() {
    // Bound then dropped: nothing listens there now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = project(
        "https://news.storyfeed.net/",
        &format!("smtp_url = \"smtp://127.0.0.1:{port}\"\nsmtp_timeout = 5\n"),
    )
    .env("STORYFEED_SECRET", "x".repeat(40))
    .run(["doctor", "--no-dns"])
    .assert_code(1);
    let l = line(&out.stdout, "smtp");
    assert!(l.starts_with("error"), "{}", out.stdout);
    assert!(l.contains(&port.to_string()), "{}", out.stdout);
}

#[test]
fn smtp_probe_with_tls_and_auth_never_shows_the_password() {
    let pki = pki();
    let server = TlsServer::start(
        &pki,
        Knobs {
            implicit: true,
            ..Knobs::default()
        },
    );
    let out = cli_project(&server, &pki, PASSWORD)
        .run(["doctor", "--no-dns"])
        .assert_success();
    let l = line(&out.stdout, "smtp");
    assert!(
        l.starts_with("ok") && l.contains("logged in as"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD));

    let wrong = "wrong-password-0123";
    let out = cli_project(&server, &pki, wrong)
        .run(["doctor", "--no-dns"])
        .assert_code(1);
    assert!(
        line(&out.stdout, "smtp").starts_with("error"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(wrong) && !out.stderr.contains(wrong));
}

#[test]
fn send_test_delivers_one_digest_to_the_server() {
    let server = SmtpServer::start(Script::default());
    let out = project(
        "https://news.storyfeed.net/",
        &format!("smtp_url = \"smtp://127.0.0.1:{}\"\n", server.addr.port()),
    )
    .env("STORYFEED_SECRET", "x".repeat(40))
    .run(["doctor", "--no-dns", "--send-test", "ops@storyfeed.net"])
    .assert_success();
    assert_eq!(level(&out.stdout, "send_test"), "ok", "{}", out.stdout);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["ops@storyfeed.net"]);
    let data = String::from_utf8_lossy(&received[0].data);
    assert!(data.contains("List-Unsubscribe:"), "{data}");

    // Without a server there is nothing to send it through: an error.
    let out = project("https://news.storyfeed.net/", "")
        .env("STORYFEED_SECRET", "x".repeat(40))
        .run(["doctor", "--no-dns", "--send-test", "ops@storyfeed.net"])
        .assert_code(1);
    assert_eq!(level(&out.stdout, "send_test"), "error", "{}", out.stdout);
}
