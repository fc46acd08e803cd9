//! WebSub: every feed names the hub, and `build --ping` / `ping` notify a
//! real HTTP server (tiny_http, in the test) that records what it is sent.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::changes::{ADDED, FIRST};
use crate::harness::{root, Project};

const BASE: &str = "https://example.org/news/";
const PENDING: &str = "public/.storyfeed-websub-pending";

/// One request the hub got.
#[derive(Debug, Clone)]
struct Ping {
    method: String,
    path: String,
    content_type: String,
    body: String,
}

/// A hub on 127.0.0.1 that records every request and answers with the
/// status set in `status` (and a body saying so).
struct Hub {
    server: Arc<tiny_http::Server>,
    status: Arc<AtomicU16>,
    pings: Arc<Mutex<Vec<Ping>>>,
    thread: Option<JoinHandle<()>>,
}

impl Hub {
    fn start() -> Hub {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let status = Arc::new(AtomicU16::new(202));
        let pings = Arc::new(Mutex::new(Vec::new()));
        let (srv, st, log) = (server.clone(), status.clone(), pings.clone());
        let thread = std::thread::spawn(move || {
            for mut request in srv.incoming_requests() {
                let mut body = String::new();
                request.as_reader().read_to_string(&mut body).unwrap();
                let content_type = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Content-Type"))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default();
                log.lock().unwrap().push(Ping {
                    method: request.method().to_string(),
                    path: request.url().to_owned(),
                    content_type,
                    body,
                });
                let code = st.load(Ordering::SeqCst);
                // A long answer: only its start may be shown.
                let text = format!("hub says {code};\x1b[31m {}", "x".repeat(10_000));
                let _ =
                    request.respond(tiny_http::Response::from_string(text).with_status_code(code));
            }
        });
        Hub {
            server,
            status,
            pings,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/hub", self.server.server_addr().to_ip().unwrap())
    }

    /// The requests so far, forgotten.
    fn take(&self) -> Vec<Ping> {
        std::mem::take(&mut *self.pings.lock().unwrap())
    }

    /// The feed URLs pinged so far (forgotten), each checked to be a
    /// well-formed publish notification.
    fn pinged(&self) -> BTreeSet<String> {
        self.take()
            .into_iter()
            .map(|p| {
                assert_eq!((p.method.as_str(), p.path.as_str()), ("POST", "/hub"));
                assert_eq!(p.content_type, "application/x-www-form-urlencoded");
                let form: Vec<(String, String)> = form_urlencoded::parse(p.body.as_bytes())
                    .into_owned()
                    .collect();
                assert_eq!(form.len(), 2, "{}", p.body);
                assert_eq!(form[0], ("hub.mode".to_owned(), "publish".to_owned()));
                assert_eq!(form[1].0, "hub.url");
                form[1].1.clone()
            })
            .collect()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn project(hub: &str) -> Project {
    let taxonomy = root().join("data/taxonomy.toml");
    Project::new()
        .config(&format!(
            "base_url = \"{BASE}\"\narchives = [\"archives\"]\nledger = \"published.jsonl\"\n\
             taxonomy = {:?}\nwebsub_hub = \"{hub}\"\n",
            taxonomy.display().to_string()
        ))
        .archive("a.txt", FIRST)
}

/// The feeds a change list says were written, as URLs.
fn changed_feeds(project: &Project, list: &str) -> BTreeSet<String> {
    project
        .read(list)
        .lines()
        .filter_map(|l| l.strip_prefix("+ feeds/"))
        .map(|p| format!("{BASE}feeds/{p}"))
        .collect()
}

#[test]
fn every_format_names_the_hub_next_to_its_self_url() {
    let hub = "https://hub.example/";
    let project = project(hub);
    project.run(["build"]).assert_success();
    for group in ["all", "themes/drugs", "programmes/aircop"] {
        for ext in ["rss", "atom"] {
            let path = format!("public/feeds/{group}.{ext}");
            let text = project.read(&path);
            let feed = feed_rs::parser::parse(text.as_bytes()).unwrap();
            let rel = |r: &str| -> Vec<String> {
                feed.links
                    .iter()
                    .filter(|l| l.rel.as_deref() == Some(r))
                    .map(|l| l.href.clone())
                    .collect()
            };
            assert_eq!(rel("hub"), [hub], "{path}");
            assert_eq!(
                rel("self"),
                [format!("{BASE}feeds/{group}.{ext}")],
                "{path}"
            );
        }
        let json: serde_json::Value =
            serde_json::from_str(&project.read(format!("public/feeds/{group}.json"))).unwrap();
        assert_eq!(
            json["hubs"],
            serde_json::json!([{ "type": "WebSub", "url": hub }])
        );
        assert_eq!(json["feed_url"], format!("{BASE}feeds/{group}.json"));
    }
    // No hub, no hub links (and no `hubs` key).
    let plain = crate::changes::project(FIRST);
    plain.run(["build"]).assert_success();
    assert!(!plain.read("public/feeds/all.rss").contains("rel=\"hub\""));
    assert!(!plain.read("public/feeds/all.atom").contains("rel=\"hub\""));
    assert!(!plain.read("public/feeds/all.json").contains("hubs"));
}

#[test]
fn build_ping_notifies_the_hub_of_changed_feeds_only() {
    let hub = Hub::start();
    let project = project(&hub.url());
    let first = project
        .run(["build", "--ping", "--changes", "c1.txt"])
        .assert_success();
    assert!(first.stdout.contains("none pending"), "{first}");
    let all = changed_feeds(&project, "c1.txt");
    assert!(all.len() > 100 && all.iter().all(|u| u.contains("/feeds/")));
    assert_eq!(hub.pinged(), all);

    // Unchanged: nothing to tell.
    project.run(["build", "--ping"]).assert_success();
    assert_eq!(hub.pinged(), BTreeSet::new());
    // Without --ping the hub hears nothing, even of changed feeds.
    project.write("archives/a.txt", format!("{FIRST}{ADDED}"));
    project
        .run(["build", "--changes", "c2.txt"])
        .assert_success();
    assert!(hub.take().is_empty());
    assert!(changed_feeds(&project, "c2.txt").contains(&format!("{BASE}feeds/all.rss")));

    // One story more: the feeds it changed, and only those.
    project.write(
        "archives/a.txt",
        format!("{FIRST}{ADDED}").replace("forty", "fifty"),
    );
    project
        .run(["build", "--ping", "--changes", "c3.txt"])
        .assert_success();
    let changed = changed_feeds(&project, "c3.txt");
    assert!(changed.contains(&format!("{BASE}feeds/themes/trafficking-in-persons.json")));
    assert!(!changed.contains(&format!("{BASE}feeds/themes/corruption.json")));
    assert_eq!(hub.pinged(), changed);
}

#[test]
fn a_refusing_hub_gives_exit_75_and_the_feeds_are_pinged_next_time() {
    let hub = Hub::start();
    let project = project(&hub.url());
    project.run(["build"]).assert_success();
    project.write("archives/a.txt", format!("{FIRST}{ADDED}"));
    hub.status.store(500, Ordering::SeqCst);
    let out = project
        .run(["build", "--ping", "--changes", "c.txt"])
        .assert_code(75);
    let changed = changed_feeds(&project, "c.txt");
    assert_eq!(hub.pinged(), changed, "every changed feed was tried");
    // The hub's status and the start of its answer, not all of it.
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains("feeds/all.rss"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("HTTP 500: hub says 500; [31m xxx"), "{line}");
    assert!(!line.contains('\x1b'), "no terminal escapes from the hub");
    assert!(line.len() < 400, "{line}");
    let pending: BTreeSet<String> = project.read(PENDING).lines().map(str::to_owned).collect();
    assert_eq!(pending, changed);
    // The pending list is the build's own file, not part of the site.
    assert!(!project.read("c.txt").contains(".storyfeed"));

    // Still refusing: `ping` tries them again and keeps them.
    project.run(["ping"]).assert_code(75);
    assert_eq!(hub.pinged(), changed);
    // The hub is back: the next run pings what was left, then nothing is.
    hub.status.store(204, Ordering::SeqCst);
    let out = project.run(["ping"]).assert_success();
    assert!(out.stdout.contains("none pending"), "{out}");
    assert_eq!(hub.pinged(), changed);
    assert!(!project.join(PENDING).exists());
    project.run(["ping"]).assert_success();
    assert!(hub.take().is_empty());

    // Pending feeds go with the next build's changes.
    hub.status.store(500, Ordering::SeqCst);
    project.write("archives/a.txt", FIRST);
    project
        .run(["build", "--ping", "--changes", "d.txt"])
        .assert_code(75);
    let first = changed_feeds(&project, "d.txt");
    hub.take();
    hub.status.store(200, Ordering::SeqCst);
    project.write("archives/a.txt", format!("{FIRST}{ADDED}"));
    project
        .run(["build", "--ping", "--changes", "e.txt"])
        .assert_success();
    let both: BTreeSet<String> = first
        .union(&changed_feeds(&project, "e.txt"))
        .cloned()
        .collect();
    assert_eq!(hub.pinged(), both);
}

#[test]
fn ping_without_a_hub_cannot_run() {
    let project = crate::changes::project(FIRST);
    let out = project.run(["build", "--ping"]).assert_code(2);
    assert!(out.stderr.contains("websub_hub"), "{out}");
    assert!(!project.join("public").exists(), "nothing built");
    project.run(["ping"]).assert_code(2);
}
