//! The sign-up over real HTTP against the real server, its mails caught by
//! a real SMTP server (or written to the outbox): sign-up, confirmation,
//! expired and forged links, preferences, pause, unsubscribe, delete,
//! rate limits, the honeypot, no enumeration; and the full loop through
//! the binary: sign up → the mail → confirm → `storyfeed digest` → a
//! digest with exactly the chosen topics.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use mail_parser::MessageParser;
use storyfeed::classify::Taxonomy;
use storyfeed::config::Config;
use storyfeed::digest::message::Secret;
use storyfeed::digest::tokens::{self, Purpose};
use storyfeed::serve::Server;
use storyfeed::signup::{Destination, RateLimits, Signup};
use storyfeed::store::{Database, Store};

use crate::backends::{each, Backend};
use crate::digest::{expected_first_digests, project, smtp_url};
use crate::harness::ServerThread;
use crate::smtp_server::{Script, SmtpServer};

const BASE: &str = "https://example.org/unodc/";

fn secret() -> Secret {
    Secret(b"signup test secret".to_vec())
}

/// One HTTP/1.1 request on its own connection: status and body.
fn http(addr: SocketAddr, method: &str, target: &str, form: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let body = form.unwrap_or("");
    let mut request =
        format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if form.is_some() {
        request.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A server with the sign-up mounted, its mails to `.eml` in the outbox.
struct App {
    dir: tempfile::TempDir,
    backend: Backend,
    database: Database,
    signup: Signup,
    server: ServerThread,
}

impl App {
    fn on(backend: &Backend, limits: RateLimits) -> App {
        App::with_config(
            backend,
            Config::default().with_base_url(BASE).unwrap(),
            limits,
        )
    }

    fn with_config(backend: &Backend, config: Config, limits: RateLimits) -> App {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("public")).unwrap();
        std::fs::write(dir.path().join("public/index.html"), "<!DOCTYPE html>").unwrap();
        let database = backend.database(dir.path());
        let store = Store::connect(&database).unwrap();
        let signup = Signup::new(
            &config,
            &Taxonomy::builtin(),
            store,
            secret(),
            Destination::Outbox(dir.path().join("outbox")),
            limits,
        );
        let mut server = Server::bind(&dir.path().join("public"), 0).unwrap();
        for endpoint in signup.endpoints() {
            server.mount(endpoint);
        }
        App {
            dir,
            backend: backend.clone(),
            database,
            signup,
            server: ServerThread::start(server),
        }
    }

    fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    fn get(&self, target: &str) -> (u16, String) {
        http(self.addr(), "GET", target, None)
    }

    fn post(&self, path: &str, form: &str) -> (u16, String) {
        http(self.addr(), "POST", path, Some(form))
    }

    fn sign_up(&self, address: &str, topics: &str) -> (u16, String) {
        self.post(
            "/subscribe",
            &format!(
                "email={}&{topics}&frequency=weekly&format=text&form=test",
                enc(address)
            ),
        )
    }

    fn store(&self) -> Store {
        Store::snapshot_of(&self.database).unwrap()
    }

    fn open(&self) -> Store {
        Store::connect(&self.database).unwrap()
    }

    /// Sends the queue to the outbox; the `.eml` files there, by name.
    fn mails(&self) -> Vec<String> {
        self.signup.send_queued(&|_| {}).unwrap();
        let dir = self.dir.path().join("outbox/signup");
        let mut names: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }
}

/// The text part of a mail.
fn text_of(raw: &[u8]) -> String {
    MessageParser::default()
        .parse(raw)
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned()
}

/// The query of the first link to `route` in a mail's text.
fn link_query(text: &str, route: &str) -> String {
    let word = text
        .split_whitespace()
        .find(|w| w.contains(&format!("/{route}?")))
        .unwrap_or_else(|| panic!("no {route} link in {text}"));
    word.split_once('?').unwrap().1.to_owned()
}

fn manage_query(address: &str, expires: i64) -> String {
    tokens::sign(&secret(), address, Purpose::Manage, expires).query()
}

fn later() -> i64 {
    chrono::Utc::now().timestamp() + 3600
}

#[test]
fn the_form_lists_the_taxonomy_and_preselects_a_linked_topic() {
    each(
        "the_form_lists_the_taxonomy_and_preselects_a_linked_topic",
        |backend| {
            let app = App::on(backend, RateLimits::default());
            let (status, page) = app.get("/subscribe?theme=cybercrime");
            assert_eq!(status, 200);
            assert!(page.contains("name=\"email\""), "{page}");
            assert!(page.contains("value=\"cybercrime\" checked"), "{page}");
            assert!(page.contains("value=\"drugs\">"), "{page}");
            assert!(page.contains("name=\"website\""), "honeypot");
            for f in ["daily", "weekly", "monthly"] {
                assert!(page.contains(&format!("value=\"{f}\"")), "{f}");
            }
            assert!(!page.contains("<script"));
        },
    );
}

#[test]
fn sign_up_confirm_by_post_only_and_tokens_checked() {
    each(
        "sign_up_confirm_by_post_only_and_tokens_checked",
        |backend| {
            let app = App::on(backend, RateLimits::default());
            let (status, answer) = app.sign_up("Ana@Example.org", "theme=cybercrime");
            assert_eq!(status, 200, "{answer}");
            assert!(answer.contains("Check your inbox"));
            let row = app.store().subscriber("ana@example.org").unwrap().unwrap();
            assert_eq!(row.status, "pending");
            assert_eq!(row.themes, ["cybercrime"]);
            assert_eq!(row.source, "web");
            // Pending subscribers get no digest.
            let (subs, _) = app.store().run_subscribers(&Taxonomy::builtin()).unwrap();
            assert!(subs.is_empty());

            let mails = app.mails();
            assert_eq!(mails.len(), 1);
            let mail = MessageParser::default().parse(mails[0].as_bytes()).unwrap();
            assert!(mail
                .body_html(0)
                .unwrap()
                .contains("Confirm my subscription"));
            let text = text_of(mails[0].as_bytes());
            let query = link_query(&text, "confirm");
            assert!(text.contains(&format!("{BASE}confirm?")), "{text}");
            assert!(text.contains("Manage your subscription"), "{text}");
            // Sent once: the queue is empty afterwards.
            assert_eq!(app.mails().len(), 1);

            // GET shows a button and changes nothing.
            let (status, page) = app.get(&format!("/confirm?{query}"));
            assert_eq!(status, 200);
            assert!(page.contains("method=\"post\""), "{page}");
            assert_eq!(
                app.store()
                    .subscriber("ana@example.org")
                    .unwrap()
                    .unwrap()
                    .status,
                "pending"
            );
            // A forged token: 403, no change.
            let forged = format!("{}0", &query[..query.len() - 1]);
            let forged = if forged == query {
                format!("{}1", &query[..query.len() - 1])
            } else {
                forged
            };
            assert_eq!(app.post("/confirm", &forged).0, 403);
            // A manage token does not confirm.
            assert_eq!(
                app.post("/confirm", &manage_query("ana@example.org", later()))
                    .0,
                403
            );
            // Expired (signed by us, past its date): 400, no change.
            let old = tokens::sign(&secret(), "ana@example.org", Purpose::Confirm, 1000).query();
            let (status, page) = app.get(&format!("/confirm?{old}"));
            assert_eq!(status, 400);
            assert!(page.contains("expired"), "{page}");
            assert_eq!(app.post("/confirm", &old).0, 400);
            assert_eq!(
                app.store()
                    .subscriber("ana@example.org")
                    .unwrap()
                    .unwrap()
                    .status,
                "pending"
            );

            let (status, page) = app.post("/confirm", &query);
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("You are subscribed"));
            assert!(page.contains("preferences?"), "a manage link");
            let row = app.store().subscriber("ana@example.org").unwrap().unwrap();
            assert_eq!(row.status, "confirmed");
            let (subs, _) = app.store().run_subscribers(&Taxonomy::builtin()).unwrap();
            assert_eq!(subs.len(), 1);
        },
    );
}

#[test]
fn the_answer_is_the_same_for_every_address_and_the_honeypot() {
    each(
        "the_answer_is_the_same_for_every_address_and_the_honeypot",
        |backend| {
            let app = App::on(backend, RateLimits::default());
            // A confirmed subscriber, a pending one, an unsubscribed one.
            app.sign_up("known@example.org", "theme=drugs");
            let store = app.open();
            store
                .confirm_subscription("known@example.org", None)
                .unwrap();
            app.sign_up("pending@example.org", "theme=drugs");
            app.sign_up("gone@example.org", "theme=drugs");
            store.unsubscribe("gone@example.org", "test").unwrap();
            let before = app.mails().len();

            let answers: Vec<(u16, String)> = [
                "known@example.org",
                "pending@example.org",
                "gone@example.org",
                "new@example.org",
            ]
            .iter()
            .map(|a| app.sign_up(a, "theme=cybercrime"))
            .collect();
            for answer in &answers {
                assert_eq!(answer, &answers[0]);
            }
            // The honeypot: the same answer, nothing stored, nothing sent.
            let bot = app.post(
                "/subscribe",
                "email=bot%40example.org&theme=drugs&website=http%3A%2F%2Fspam",
            );
            assert_eq!(bot, answers[0]);
            assert!(app.store().subscriber("bot@example.org").unwrap().is_none());

            // A confirmed subscriber's choices are not changed by the form; they
            // get a mail with the preference link instead.
            let known = app
                .store()
                .subscriber("known@example.org")
                .unwrap()
                .unwrap();
            assert_eq!(
                (known.status.as_str(), known.themes.clone()),
                ("confirmed", vec!["drugs".to_owned()])
            );
            let mails = app.mails();
            assert_eq!(mails.len(), before + 4);
            let to_known: Vec<&String> = mails[before..]
                .iter()
                .filter(|m| m.contains("To: known@example.org"))
                .collect();
            assert_eq!(to_known.len(), 1);
            assert!(
                to_known[0].contains("subscribed already"),
                "{}",
                to_known[0]
            );
            assert!(!to_known[0].contains("/confirm?"));
        },
    );
}

#[test]
fn bad_addresses_and_empty_choices_are_refused_with_the_form() {
    each(
        "bad_addresses_and_empty_choices_are_refused_with_the_form",
        |backend| {
            let app = App::on(backend, RateLimits::default());
            let (status, page) = app.sign_up("not an address", "theme=drugs");
            assert_eq!(status, 400);
            assert!(page.contains("not an email address"), "{page}");
            assert!(page.contains("value=\"drugs\" checked"), "choices kept");
            let (status, page) = app.sign_up("ana@example.org", "theme=nonexistent");
            assert_eq!(status, 400);
            assert!(page.contains("Choose at least one"), "{page}");
            assert!(app.store().subscriber_rows(None).unwrap().is_empty());
        },
    );
}

#[test]
fn per_address_mail_limit_and_per_ip_limit() {
    each("per_address_mail_limit_and_per_ip_limit", |backend| {
        let limits = RateLimits {
            per_ip: 6,
            ip_window_secs: 3600,
            mails_per_address_per_day: 2,
        };
        let app = App::on(backend, limits);
        let first = app.sign_up("victim@example.org", "theme=drugs");
        for _ in 0..3 {
            // Over the address's limit: the same answer, no mail.
            assert_eq!(app.sign_up("victim@example.org", "theme=drugs"), first);
        }
        assert_eq!(app.mails().len(), 2);
        // Two more POSTs reach the IP limit (6); the next is 429.
        app.sign_up("other@example.org", "theme=drugs");
        app.sign_up("other2@example.org", "theme=drugs");
        let (status, page) = app.sign_up("third@example.org", "theme=drugs");
        assert_eq!(status, 429, "{page}");
        assert!(app
            .store()
            .subscriber("third@example.org")
            .unwrap()
            .is_none());
        // The limits are in the database: another server on it shares them.
        let queue = app.store().mail_queue().unwrap();
        assert_eq!(
            queue
                .iter()
                .filter(|(a, _, _)| a == "victim@example.org")
                .count(),
            2
        );
    });
}

#[test]
fn preferences_save_pause_resume_unsubscribe_and_delete() {
    each(
        "preferences_save_pause_resume_unsubscribe_and_delete",
        |backend| {
            let app = App::on(backend, RateLimits::default());
            app.sign_up("ana@example.org", "theme=drugs");
            let store = app.open();
            store.confirm_subscription("ana@example.org", None).unwrap();
            let query = manage_query("ana@example.org", later());

            // GET shows the choices, changes nothing.
            let (status, page) = app.get(&format!("/preferences?{query}"));
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("value=\"drugs\" checked"), "{page}");
            // Forged and expired tokens.
            assert_eq!(
                app.get(&format!(
                    "/preferences?{}",
                    manage_query("bob@example.org", later()).replace("bob", "ana")
                ))
                .0,
                403
            );
            let old = manage_query("ana@example.org", 1000);
            assert_eq!(app.get(&format!("/preferences?{old}")).0, 400);
            assert_eq!(
                app.post("/preferences", &format!("{old}&action=delete")).0,
                400
            );
            // A confirmation token does not open the page.
            let confirm =
                tokens::sign(&secret(), "ana@example.org", Purpose::Confirm, later()).query();
            assert_eq!(app.get(&format!("/preferences?{confirm}")).0, 403);

            // Save.
            let (status, page) = app.post(
        "/preferences",
        &format!("{query}&action=save&theme=cybercrime&programme=container-control-programme&frequency=monthly&format=html"),
    );
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("saved"));
            let row = app.store().subscriber("ana@example.org").unwrap().unwrap();
            assert_eq!(row.themes, ["cybercrime"]);
            assert_eq!(row.programmes, ["container-control-programme"]);
            assert_eq!(row.frequency.as_str(), "monthly");

            // Pause: the run skips the subscriber; resume.
            app.post("/preferences", &format!("{query}&action=pause"));
            assert!(
                app.store()
                    .subscriber("ana@example.org")
                    .unwrap()
                    .unwrap()
                    .paused
            );
            let (subs, _) = app.store().run_subscribers(&Taxonomy::builtin()).unwrap();
            assert!(subs.is_empty());
            app.post("/preferences", &format!("{query}&action=resume"));
            let (subs, _) = app.store().run_subscribers(&Taxonomy::builtin()).unwrap();
            assert_eq!(subs.len(), 1);

            // Unsubscribe from all: suppressed.
            let (status, page) = app.post("/preferences", &format!("{query}&action=unsubscribe"));
            assert_eq!(status, 200, "{page}");
            assert!(app.store().is_suppressed("ana@example.org").unwrap());

            // Delete my data: row and consents gone; a web subscriber leaves no
            // suppression behind.
            let (status, page) = app.post("/preferences", &format!("{query}&action=delete"));
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("deleted"));
            assert!(app.store().subscriber("ana@example.org").unwrap().is_none());
            assert!(!app.store().is_suppressed("ana@example.org").unwrap());
            assert!(app.store().mail_queue().unwrap().is_empty());
            let consents: i64 = app
                .backend
                .count(app.dir.path(), "SELECT COUNT(*) FROM consents");
            assert_eq!(consents, 0);
            // The page after: no subscription.
            assert_eq!(app.get(&format!("/preferences?{query}")).0, 404);
        },
    );
}

#[test]
fn the_log_shows_no_token_or_address() {
    each("the_log_shows_no_token_or_address", |backend| {
        let app = App::on(backend, RateLimits::default());
        let query = manage_query("ana@example.org", later());
        app.get(&format!("/preferences?{query}"));
        app.sign_up("ana@example.org", "theme=drugs");
        let log = app.server.stop();
        let all = log.join("\n");
        assert!(all.contains("/preferences?a=(hidden)"), "{all}");
        assert!(!all.contains("ana"), "{all}");
    });
}

/// Waits (up to a minute: the machine may be busy) for `done`.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "waited for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn full_loop_sign_up_confirm_then_the_digest_has_exactly_the_chosen_topic() {
    each(
        "full_loop_sign_up_confirm_then_the_digest_has_exactly_the_chosen_topic",
        |backend| {
            let smtp = SmtpServer::start(Script::default());
            let url = smtp_url(smtp.addr);
            let project = project().on(backend);
            // The project's config, with the SMTP server for the app's mails
            // and a bounce address (VERP).
            let config = project.read("storyfeed.toml");
            project.write(
                "storyfeed.toml",
                config.replace(
                    "[digest]\n",
                    &format!(
                        "[digest]\nsmtp_url = \"{url}\"\nbounce_address = \"bounces@example.org\"\n"
                    ),
                ),
            );
            let verp = format!(
                "bounces+{}@example.org",
                storyfeed::verp::token(b"test-secret-not-for-production", "new@example.org")
            );
            project.write("public/index.html", "<!DOCTYPE html>");
            let mut child = project
                .command(["serve", "--port", "0", "--dir", "public"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            let addr: SocketAddr = line
                .trim()
                .rsplit("http://")
                .next()
                .unwrap()
                .trim_end_matches('/')
                .parse()
                .unwrap_or_else(|e| panic!("{line}: {e}"));

            let (status, _) = http(
        addr,
        "POST",
        "/subscribe",
        Some("email=new%40example.org&theme=cybercrime&frequency=weekly&format=html&form=page%3A%2Fthemes%2Fcybercrime%2F"),
    );
            assert_eq!(status, 200);
            wait_for("the confirmation mail", || !smtp.received().is_empty());
            let received = smtp.received();
            assert_eq!(received.len(), 1);
            assert_eq!(received[0].to, ["new@example.org"]);
            assert_eq!(received[0].from, verp, "the confirmation's envelope sender");
            let query = link_query(&text_of(&received[0].data), "confirm");
            assert_eq!(http(addr, "GET", &format!("/confirm?{query}"), None).0, 200);
            let (status, page) = http(addr, "POST", "/confirm", Some(&query));
            assert_eq!(status, 200, "{page}");
            let _ = child.kill();
            let _ = child.wait();

            crate::digest::digest(&project, &["--smtp", &url, "--as-of", "2020-03-02"])
                .assert_success();
            let digests: Vec<_> = smtp
                .received()
                .into_iter()
                .skip(1)
                .filter(|r| r.to == ["new@example.org"])
                .collect();
            assert_eq!(digests.len(), 1, "one digest for the new subscriber");
            assert_eq!(digests[0].from, verp, "the digest's envelope sender");
            let text = text_of(&digests[0].data);
            let got: std::collections::BTreeSet<String> = text
                .split_whitespace()
                .filter(|w| w.starts_with(&format!("{BASE}stories/")))
                .map(str::to_owned)
                .collect();
            // Exactly what a subscriber to the same theme and frequency gets.
            let want = &expected_first_digests()["cyber@example.org"];
            assert!(!want.is_empty());
            assert_eq!(&got, want);
            assert!(text.contains(&format!("{BASE}preferences?")), "{text}");
            // The consent record names the page and the client.
            let store = Store::snapshot_of(&project.database()).unwrap();
            let row = store.subscriber("new@example.org").unwrap().unwrap();
            assert_eq!(row.status, "confirmed");
        },
    );
}

#[test]
fn site_pages_carry_the_form_only_with_subscribe_url() {
    let plain = crate::site::shipped();
    crate::site::build(&plain);
    let with = crate::site::shipped();
    let config = with.read("storyfeed.toml");
    with.write(
        "storyfeed.toml",
        format!("{config}subscribe_url = \"https://app.example.org/news/subscribe\"\n"),
    );
    crate::site::build(&with);
    let before = crate::site::files(&plain.join("public"));
    let after = crate::site::files(&with.join("public"));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let mut forms = 0;
    for (path, bytes) in &before {
        if path.starts_with(".storyfeed") {
            continue;
        }
        let old = String::from_utf8_lossy(bytes);
        assert!(
            !old.contains("<form"),
            "{path} has a form without subscribe_url"
        );
        let new = String::from_utf8_lossy(&after[path]).into_owned();
        let Some(start) = new.find("<form class=\"signup\"") else {
            assert_eq!(old, new, "{path}");
            continue;
        };
        forms += 1;
        let end = new.find("</form>\n").unwrap() + "</form>\n".len();
        // Apart from the form, the page is byte for byte the same.
        assert_eq!(format!("{}{}", &new[..start], &new[end..]), old, "{path}");
        let form = &new[start..end];
        assert!(form.contains("action=\"https://app.example.org/news/subscribe\""));
        assert!(form.contains("name=\"website\""), "honeypot");
        if path == "index.html" {
            assert!(form.contains("name=\"all\" value=\"1\""), "{form}");
        } else if let Some(slug) = path
            .strip_prefix("themes/")
            .and_then(|p| p.strip_suffix(".html"))
        {
            assert!(
                form.contains(&format!("name=\"theme\" value=\"{slug}\"")),
                "{path}: {form}"
            );
            assert!(form.contains(&format!(
                "href=\"https://app.example.org/news/subscribe?theme={slug}\""
            )));
        } else {
            assert!(
                path.starts_with("themes/") || path.starts_with("programmes/"),
                "a form on {path}"
            );
        }
    }
    assert!(forms > 10, "{forms} pages with a form");
    assert!(after["index.html"].starts_with(b"<!DOCTYPE html>"));
}

#[test]
fn confirmation_mails_are_signed_like_digests() {
    each("confirmation_mails_are_signed_like_digests", |backend| {
        let keys = tempfile::tempdir().unwrap();
        let key =
            storyfeed::dkim::generate("s1", "example.org", storyfeed::dkim::Algorithm::Ed25519)
                .unwrap();
        key.write(&keys.path().join("k.pem")).unwrap();
        let path = keys.path().join("c.toml");
        std::fs::write(
            &path,
            "[digest]\nfrom = \"UNODC stories <digest@example.org>\"\ndkim_selector = \"s1\"\n\
         dkim_domain = \"example.org\"\ndkim_key_file = \"k.pem\"\n",
        )
        .unwrap();
        let config = Config::load(&path).unwrap().with_base_url(BASE).unwrap();
        let app = App::with_config(backend, config, RateLimits::default());
        let (status, _) = app.sign_up("signed@example.org", "theme=drugs");
        assert_eq!(status, 200);
        let mails = app.mails();
        assert_eq!(mails.len(), 1);
        let record = crate::dkim::parse_record(&key.signer.dns_record());
        assert!(mails[0].contains("DKIM-Signature:"), "{}", mails[0]);
        assert!(crate::dkim::passes(&record, mails[0].as_bytes()));
        let altered = mails[0].replacen("Subject: ", "Subject: Re: ", 1);
        assert!(!crate::dkim::passes(&record, altered.as_bytes()));
    });
}
