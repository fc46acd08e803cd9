//! The server itself: binding, stopping, the log lines, mounted endpoints.

use std::fs;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use axum::http::{Method, StatusCode, Uri};
use axum::routing::{any, MethodRouter};
use axum::Extension;
use storyfeed::serve::{Endpoint, Log, ServeError, Server};

use super::{request, Site, INDEX};

#[test]
fn binding_errors_name_the_directory_or_address() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-public");
    let err = Server::bind(&missing, 0).err().expect("missing directory");
    assert!(matches!(err, ServeError::Root { .. }), "{err:?}");
    assert!(err.to_string().contains("no-such-public"), "{err}");

    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let err = Server::bind(&file, 0).err().expect("not a directory");
    assert!(matches!(err, ServeError::NotADirectory { .. }), "{err:?}");
    assert!(err.to_string().contains("a-file"), "{err}");

    let first = Server::bind(dir.path(), 0).unwrap();
    let port = first.local_addr().port();
    let err = Server::bind(dir.path(), port).err().expect("port in use");
    assert!(matches!(err, ServeError::Bind { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[test]
fn stop_ends_run_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let server = Arc::new(Server::bind(dir.path(), 0).unwrap());
    let running = Arc::clone(&server);
    let thread = thread::spawn(move || running.run(&|_| {}));
    thread::sleep(Duration::from_millis(50));
    server.stop();
    thread.join().unwrap().unwrap();
    // Stopping before running returns at once too.
    let server = Server::bind(dir.path(), 0).unwrap();
    server.stop();
    server.run(&|_| panic!("no request")).unwrap();
}

#[test]
fn each_request_gives_one_log_line_safe_for_a_terminal() {
    let site = Site::new();
    assert_eq!(site.get("/feeds/all.rss", &[]).status, 200);
    // hyper refuses a control character in the request line before any
    // routing (400, no log line); other bytes are escaped in the log.
    assert_eq!(site.get("/missing?\x1b[31m", &[]).status, 400);
    assert_eq!(site.get("/missing?\u{e9}[31m", &[]).status, 404);
    let reply = request(site.addr(), "DELETE", "/", &[("Content-Length", "0")]);
    assert_eq!(reply.status, 405);
    assert_eq!(
        site.stop(),
        [
            "GET /feeds/all.rss 200",
            "GET /missing?%C3%A9[31m 404",
            "DELETE / 405"
        ]
    );
}

/// An endpoint for the tests: answers its path with the method and the
/// target, logs a line of its own, panics on `/boom` and keeps the query
/// out of the log.
struct Echo {
    path: &'static str,
}

impl Endpoint for Echo {
    fn path(&self) -> &str {
        self.path
    }

    fn routes(&self) -> MethodRouter {
        let path = self.path;
        any(
            move |Extension(log): Extension<Log>, method: Method, uri: Uri| async move {
                assert_ne!(path, "/boom", "a bug in an endpoint");
                log.line("echo: handled");
                (StatusCode::CREATED, format!("{method} {uri}"))
            },
        )
    }

    fn log_target(&self, _target: &str) -> String {
        format!("{}?(echo)", self.path)
    }
}

#[test]
fn mounted_endpoints_answer_their_path_with_every_method() {
    let site = Site::with(|server| {
        server.mount(Box::new(Echo { path: "/echo" }));
        // It hides the file, and the first mounted at a path wins.
        server.mount(Box::new(Echo {
            path: "/index.html",
        }));
        server.mount(Box::new(Echo { path: "/echo" }));
        server.mount(Box::new(Echo { path: "/boom" }));
    });
    // hyper drops a fragment (which clients never send).
    let reply = site.get("/echo?a=1#f", &[]);
    assert_eq!(
        (reply.status, reply.text().as_str()),
        (201, "GET /echo?a=1")
    );
    let reply = request(site.addr(), "DELETE", "/echo", &[("Content-Length", "0")]);
    assert_eq!((reply.status, reply.text().as_str()), (201, "DELETE /echo"));
    let reply = request(site.addr(), "GET", "http://x/echo?q", &[]);
    assert_eq!(reply.status, 201, "absolute form");
    assert_eq!(site.get("/index.html", &[]).status, 201);
    // Not a prefix match, and the files around it are served as before.
    assert_eq!(site.get("/echo/", &[]).status, 404);
    assert_eq!(site.get("/", &[]).text(), INDEX);
    // A panic is a 500, and the server goes on.
    let reply = site.get("/boom", &[]);
    assert_eq!(reply.status, 500);
    assert_eq!(site.get("/echo", &[]).status, 201);
    let log = site.stop();
    assert_eq!(
        log,
        [
            "echo: handled",
            "GET /echo?(echo) 201",
            "echo: handled",
            "DELETE /echo?(echo) 201",
            "echo: handled",
            "GET /echo?(echo) 201",
            "echo: handled",
            "GET /index.html?(echo) 201",
            "GET /echo/ 404",
            "GET / 200",
            "GET /boom?(echo) 500",
            "echo: handled",
            "GET /echo?(echo) 201",
        ]
    );
}
