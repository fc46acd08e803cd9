//! The one-click unsubscribe endpoint of digests (RFC 8058) mounted on the
//! site server, over real HTTP: confirm page, one-click POST, bad tokens,
//! the log.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use chrono::NaiveDate;
use storyfeed::digest::endpoint::Unsubscribe;
use storyfeed::digest::message::{unsubscribe_token, unsubscribe_url, Secret};
use storyfeed::digest::state::State;
use storyfeed::digest::{plan, Plan, Skip};
use storyfeed::serve::Server;
use storyfeed::store::{Database, Store, Suppression};

use crate::backends::{each, Backend};
use crate::harness::ServerThread;

use crate::digest_render::{secret, stories, unescape, Fixture, BASE};

struct Endpoint {
    dir: tempfile::TempDir,
    database: Database,
    server: ServerThread,
}

impl Endpoint {
    fn on(backend: &Backend) -> Endpoint {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("public")).unwrap();
        std::fs::write(dir.path().join("public/index.html"), "<!DOCTYPE html>").unwrap();
        let mut server = Server::bind(&dir.path().join("public"), 0).unwrap();
        server.mount(Box::new(Unsubscribe {
            secret: secret(),
            database: backend.database(dir.path()),
            state_dir: dir.path().join("state"),
        }));
        Endpoint {
            database: backend.database(dir.path()),
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

    /// What the database says now (read from a copy: nothing created).
    fn store(&self) -> Store {
        Store::snapshot_of(&self.database).unwrap()
    }

    fn state(&self) -> State {
        self.store().load_state().unwrap()
    }

    fn suppressions(&self) -> Vec<Suppression> {
        self.store().suppressions().unwrap()
    }
}

/// One request over a fresh connection; status and body.
fn http(
    addr: SocketAddr,
    method: &str,
    target: &str,
    content_type: &str,
    body: &str,
) -> (u16, String) {
    let raw = format!(
        "{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let _ = stream.shutdown(Shutdown::Write);
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

const FORM: &str = "application/x-www-form-urlencoded";
const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

/// The path and query of a digest's unsubscribe link.
fn link_target(address: &str) -> String {
    let url = unsubscribe_url(BASE, &secret(), address);
    url.strip_prefix("https://example.org/unodc")
        .unwrap()
        .to_owned()
}

#[test]
fn get_shows_a_confirm_form_and_records_nothing() {
    each("get_shows_a_confirm_form_and_records_nothing", |backend| {
        let endpoint = Endpoint::on(backend);
        let target = link_target("ana@example.org");
        let (status, page) = http(endpoint.addr(), "GET", &target, FORM, "");
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("<form method=\"post\""), "{page}");
        assert!(page.contains("name=\"List-Unsubscribe\" value=\"One-Click\""));
        assert!(page.contains("ana@example.org"));
        assert_eq!(http(endpoint.addr(), "HEAD", &target, FORM, "").0, 200);
        assert!(endpoint.suppressions().is_empty());
        assert!(!endpoint.state().is_unsubscribed("ana@example.org"));

        // A link with a wrong or missing token shows nothing about anyone.
        let forged = format!(
            "/unsubscribe?a=bob%40example.org&t={}",
            unsubscribe_token(&secret(), "ana@example.org")
        );
        for bad in [
            forged.as_str(),
            "/unsubscribe",
            "/unsubscribe?a=ana%40example.org",
            "/unsubscribe?a=ana%40example.org&t=00",
        ] {
            let (status, page) = http(endpoint.addr(), "GET", bad, FORM, "");
            assert_eq!(status, 403, "{bad}");
            assert!(!page.contains("<form"), "{bad}");
        }
    });
}

#[test]
fn post_with_a_bad_token_is_403_and_records_nothing() {
    each(
        "post_with_a_bad_token_is_403_and_records_nothing",
        |backend| {
            let endpoint = Endpoint::on(backend);
            let other = unsubscribe_token(&secret(), "someone@example.org");
            let wrong_secret = unsubscribe_token(&Secret(b"guess".to_vec()), "ana@example.org");
            for token in [other.as_str(), wrong_secret.as_str(), "", "zz"] {
                let target = format!("/unsubscribe?a=ana%40example.org&t={token}");
                let (status, _) = http(endpoint.addr(), "POST", &target, FORM, ONE_CLICK);
                assert_eq!(status, 403, "{token}");
            }
            // The right token without the one-click body is refused too.
            let target = link_target("ana@example.org");
            let (status, _) = http(
                endpoint.addr(),
                "POST",
                &target,
                FORM,
                "List-Unsubscribe=No",
            );
            assert_eq!(status, 400);
            let (status, _) = http(endpoint.addr(), "POST", &target, "text/plain", ONE_CLICK);
            assert_eq!(status, 400);
            let big = format!("{ONE_CLICK}&x={}", "y".repeat(5000));
            let (status, _) = http(endpoint.addr(), "POST", &target, FORM, &big);
            assert_eq!(status, 413);
            assert!(endpoint.suppressions().is_empty());
        },
    );
}

#[test]
fn one_click_post_unsubscribes_at_once_and_no_digest_follows() {
    each(
        "one_click_post_unsubscribes_at_once_and_no_digest_follows",
        |backend| {
            let endpoint = Endpoint::on(backend);
            // The address as the subscribers file spells it.
            let target = link_target("Ana+digest@Example.org");
            let (status, page) = http(endpoint.addr(), "POST", &target, FORM, ONE_CLICK);
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("Unsubscribed"), "{page}");
            let suppressions = endpoint.suppressions();
            assert_eq!(suppressions.len(), 1, "{suppressions:?}");
            assert_eq!(suppressions[0].address, "ana+digest@example.org");
            assert_eq!(suppressions[0].via, "one-click");

            // The next run sends Ana nothing, and still sends the others.
            let mut fx = Fixture::new();
            fx.state.unsubscribed = endpoint.state().unsubscribed;
            let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
            let plans = plan(&fx.subscribers, stories(), &fx.taxonomy, &fx.state, today);
            let skipped: Vec<String> = plans
                .iter()
                .filter_map(|p| match p {
                    Plan::Skip(s, _, Skip::Unsubscribed) => Some(s.address.to_string()),
                    _ => None,
                })
                .collect();
            assert_eq!(skipped, ["Ana+digest@Example.org"]);
            assert_eq!(
                plans.iter().filter(|p| matches!(p, Plan::Send(_))).count(),
                2
            );
        },
    );
}

#[test]
fn the_confirm_form_posts_what_one_click_posts() {
    each("the_confirm_form_posts_what_one_click_posts", |backend| {
        let endpoint = Endpoint::on(backend);
        let target = link_target("desk@example.org");
        let (_, page) = http(endpoint.addr(), "GET", &target, FORM, "");
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(unescape)
            .unwrap();
        // Relative to the page, so it works under any base path.
        assert!(action.starts_with("unsubscribe?"), "{action}");
        let (status, _) = http(
            endpoint.addr(),
            "POST",
            &format!("/{action}"),
            FORM,
            ONE_CLICK,
        );
        assert_eq!(status, 200);
        assert!(endpoint.state().is_unsubscribed("desk@example.org"));
        // multipart/form-data, as RFC 8058 allows.
        let target = link_target("ana@example.org");
        let body = "--b0undary\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b0undary--\r\n";
        let (status, _) = http(
            endpoint.addr(),
            "POST",
            &target,
            "multipart/form-data; boundary=b0undary",
            body,
        );
        assert_eq!(status, 200);
        assert!(endpoint.state().is_unsubscribed("ana@example.org"));
    });
}

#[test]
fn the_log_shows_no_address_or_token_and_other_methods_get_405() {
    each(
        "the_log_shows_no_address_or_token_and_other_methods_get_405",
        |backend| {
            let endpoint = Endpoint::on(backend);
            let target = link_target("ana@example.org");
            assert_eq!(http(endpoint.addr(), "GET", &target, FORM, "").0, 200);
            assert_eq!(
                http(endpoint.addr(), "GET", "/unsubscribe", FORM, "").0,
                403
            );
            let raw = format!(
        "PUT {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
            let mut stream = TcpStream::connect(endpoint.addr()).unwrap();
            stream.write_all(raw.as_bytes()).unwrap();
            let mut reply = String::new();
            stream.read_to_string(&mut reply).unwrap();
            assert!(reply.starts_with("HTTP/1.1 405 "), "{reply}");
            assert!(reply.contains("\r\nAllow: GET, HEAD, POST\r\n"), "{reply}");
            // The SQLite file cannot be written: a 500, and the reason in
            // the log (a PostgreSQL store does not live in the directory).
            if let Backend::Sqlite = backend {
                std::fs::write(endpoint.dir.path().join("state"), "not a directory").unwrap();
                let (status, _) = http(endpoint.addr(), "POST", &target, FORM, ONE_CLICK);
                assert_eq!(status, 500);
                assert_eq!(http(endpoint.addr(), "GET", "/index.html", FORM, "").0, 200);
                let log = endpoint.stop();
                assert_eq!(log.len(), 6, "{log:?}");
                assert_eq!(
                    log[..3],
                    [
                        "GET /unsubscribe?(hidden) 200",
                        "GET /unsubscribe?(hidden) 403",
                        "PUT /unsubscribe?(hidden) 405"
                    ]
                );
                assert!(log[3].starts_with("unsubscribe: "), "{log:?}");
                assert_eq!(
                    log[4..],
                    ["POST /unsubscribe?(hidden) 500", "GET /index.html 200"]
                );
                assert!(!log.iter().any(|l| l.contains("ana")), "{log:?}");
            } else {
                let (status, _) = http(endpoint.addr(), "POST", &target, FORM, ONE_CLICK);
                assert_eq!(status, 200);
                let log = endpoint.stop();
                assert_eq!(log[3], "POST /unsubscribe?(hidden) 200", "{log:?}");
                assert!(!log.iter().any(|l| l.contains("ana")), "{log:?}");
            }
        },
    );
}

#[test]
fn without_a_secret_the_log_holds_neither_token_nor_address() {
    // `storyfeed serve` with no secret mounts no endpoint: the link falls
    // through to the files, and its log line once showed the whole token.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!DOCTYPE html>").unwrap();
    let server = ServerThread::start(Server::bind(dir.path(), 0).unwrap());
    let target = link_target("ana.lopez@example.org");
    let token = unsubscribe_token(&secret(), "ana.lopez@example.org");
    assert_eq!(http(server.addr(), "GET", &target, FORM, "").0, 404);
    assert_eq!(http(server.addr(), "POST", &target, FORM, ONE_CLICK).0, 405);
    let log = server.stop();
    assert_eq!(
        log,
        [
            "GET /unsubscribe?a=(hidden)&t=(hidden) 404",
            "POST /unsubscribe?a=(hidden)&t=(hidden) 405"
        ]
    );
    for line in &log {
        assert!(!line.contains(&token[..8]), "{line}");
        assert!(!line.contains("lopez"), "{line}");
    }
}
