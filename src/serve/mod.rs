//! A local HTTP server for a built site, so a feed reader can subscribe to it.
//!
//! This module is responsible for answering HTTP requests with the files of
//! one directory (the `public/` that `storyfeed build` writes): mapping a URL
//! path to a file, choosing the `Content-Type` (`files.rs`), and letting
//! readers poll cheaply through `ETag`, `Last-Modified` and conditional GET
//! (`304 Not Modified`, [`http`]). It prints nothing: each request gives one
//! log line to the sink passed to [`Server::run`].
//!
//! Invariant: **nothing outside the root is served.** Two independent lines
//! of defence keep it:
//!
//! 1. the URL path is percent-decoded once and split into segments; a
//!    segment that is empty, `.`, `..` (or any run of dots), or that holds a
//!    backslash, a control character or anything the platform would read as
//!    more than one plain path component rejects the whole request;
//! 2. the file finally chosen (after adding `index.html` for a directory)
//!    is canonicalized, which resolves symlinks, and must lie under the
//!    canonicalized root.
//!
//! Every refusal is a plain `404 Not Found`, the same answer as for a file
//! that does not exist, so a client learns nothing about what lies outside.
//!
//! The server is axum on hyper (HTTP/1.1) on a tokio runtime of its own.
//! Requests go through one axum [`Router`]: other endpoints than static
//! files are [mounted](Server::mount) at their path (an [`Endpoint`] gives
//! the axum handlers for its path and says how its requests appear in the
//! log: the digests' unsubscribe links, for one, are mounted by the command
//! line and keep their query out of it); the files answer everything else.
//! Around the router sit, outermost first: the request log, a timeout per
//! request (`408`), a body limit (`413`), compression of text types, and a
//! catch for panics (`500`). Below it, `conn.rs` caps the connections and
//! puts every read and write under a timeout; [`Limits`] holds the numbers.
//!
//! The log never shows a query value (`?a=(hidden)`): links that carry a
//! token or an address are secrets, whether or not an endpoint answers them.

pub mod http;

mod conn;
mod files;
mod limits;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE, ETAG};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, Version};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::MethodRouter;
use axum::{Extension, Router};
use percent_encoding::{percent_encode, AsciiSet, CONTROLS};
use thiserror::Error;
use tokio::sync::{mpsc, Notify};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use limits::{Limits, DEFAULT_MAX_CONNECTIONS};

use http::{method_not_allowed, text_page};

/// What can go wrong setting up or running the server. Request-level
/// problems are answered with an HTTP status, never returned here.
#[derive(Debug, Error)]
pub enum ServeError {
    /// The directory to serve does not exist or cannot be resolved.
    #[error("cannot serve directory {dir}")]
    Root {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The path to serve exists but is not a directory.
    #[error("cannot serve {dir}: not a directory")]
    NotADirectory { dir: PathBuf },
    /// The address could not be bound (port in use, say).
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The runtime or the listening socket could not be set up.
    #[error("cannot start serving on {addr}")]
    Start {
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
}

/// Something other than a file, answered at one path of the server.
///
/// Several endpoints that share state (a database handle, a secret, a
/// mailer) each hold an `Arc` of it and give it to their handlers with
/// [`MethodRouter::with_state`].
pub trait Endpoint: Send + Sync + 'static {
    /// The path answered, exactly (`/unsubscribe`; not a prefix). It hides
    /// a file of that name.
    fn path(&self) -> &str;

    /// The handlers for [`Endpoint::path`], by method (a method without one
    /// is the endpoint's to answer, with a fallback). A handler finds the
    /// server's [`Log`] in an [`Extension`], for what the status does not
    /// say. A panic is answered `500`.
    fn routes(&self) -> MethodRouter;

    /// The request target as the log line shows it. By default the target
    /// itself, query values hidden, made safe for a terminal.
    fn log_target(&self, target: &str) -> String {
        printable(target)
    }
}

/// The server's log, for endpoints: each line goes to the sink given to
/// [`Server::run`], in order, from the thread that called it.
#[derive(Debug, Clone)]
pub struct Log(mpsc::UnboundedSender<String>);

impl Log {
    /// Logs one line. Lines logged after the server stopped are dropped.
    pub fn line(&self, line: impl Into<String>) {
        let _ = self.0.send(line.into());
    }
}

/// The client's address, in every request's extensions (the peer of the
/// connection; behind a reverse proxy, the proxy's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// A server for one directory and the endpoints mounted on it.
pub struct Server {
    listener: TcpListener,
    /// Canonical (absolute, symlink-free) path of the served directory.
    root: PathBuf,
    addr: SocketAddr,
    limits: Limits,
    stopped: AtomicBool,
    stop: Arc<Notify>,
    endpoints: Vec<Arc<dyn Endpoint>>,
}

impl Server {
    /// Binds `127.0.0.1:port` (port 0 = any free port) to serve `root`.
    ///
    /// Fails if `root` does not exist or is not a directory, or if the
    /// address cannot be bound.
    pub fn bind(root: &Path, port: u16) -> Result<Server, ServeError> {
        Server::bind_to(root, SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
    }

    /// Binds `addr` (`0.0.0.0:8080`, `[::]:8080`; port 0 = any free port)
    /// to serve `root`, with the default [`Limits`].
    pub fn bind_to(root: &Path, addr: SocketAddr) -> Result<Server, ServeError> {
        let canonical = root.canonicalize().map_err(|source| ServeError::Root {
            dir: root.to_path_buf(),
            source,
        })?;
        if !canonical.is_dir() {
            return Err(ServeError::NotADirectory {
                dir: root.to_path_buf(),
            });
        }
        let bind_error = |source: io::Error| ServeError::Bind {
            addr,
            source: Box::new(source),
        };
        let listener = TcpListener::bind(addr).map_err(bind_error)?;
        // tokio needs it non-blocking.
        listener.set_nonblocking(true).map_err(bind_error)?;
        let local = listener.local_addr().unwrap_or(addr);
        Ok(Server {
            listener,
            root: canonical,
            addr: local,
            limits: Limits::default(),
            stopped: AtomicBool::new(false),
            stop: Arc::new(Notify::new()),
            endpoints: Vec::new(),
        })
    }

    /// The server with `limits` instead of the default ones.
    pub fn with_limits(mut self, limits: Limits) -> Server {
        self.limits = limits;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Also answers `endpoint`'s path with it. The first endpoint mounted
    /// at a path wins.
    ///
    /// # Panics
    ///
    /// If the path is not a literal absolute path: one that axum would
    /// read as a pattern (`{id}`, `*rest`, `/:id`) is a bug in the endpoint.
    pub fn mount(&mut self, endpoint: Box<dyn Endpoint>) {
        let path = endpoint.path();
        assert!(
            path.starts_with('/') && !path.contains(['{', '}', '*']) && !path.contains("/:"),
            "endpoint path {path:?} is not a literal absolute path"
        );
        if !self.endpoints.iter().any(|e| e.path() == endpoint.path()) {
            self.endpoints.push(Arc::from(endpoint));
        }
    }

    /// The address actually listened on (with the real port when bound to 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The canonical path of the served directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Serves requests, each connection on its own task, until
    /// [`Server::stop`] is called (from another thread) or the process
    /// ends. Each request gives `log` one line, `{method} {target}
    /// {status}`, once its answer is ready; so do accept errors.
    pub fn run(&self, log: &dyn Fn(&str)) -> Result<(), ServeError> {
        if self.stopped.load(Ordering::SeqCst) {
            return Ok(());
        }
        let start_error = |source| ServeError::Start {
            addr: self.addr,
            source,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(start_error)?;
        let listener = self.listener.try_clone().map_err(start_error)?;
        let (sender, mut lines) = mpsc::unbounded_channel();
        let result = runtime.block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            let app = self.app(Log(sender.clone()));
            let accept = conn::accept_loop(
                listener,
                app,
                self.limits,
                Log(sender),
                Arc::clone(&self.stop),
            );
            tokio::pin!(accept);
            // The sink is called here only, on the caller's thread.
            loop {
                tokio::select! {
                    () = &mut accept => break,
                    Some(line) = lines.recv() => log(&line),
                }
            }
            // Every request answered before the stop has its line.
            while let Ok(line) = lines.try_recv() {
                log(&line);
            }
            Ok(())
        });
        // Connections still open are dropped; a file being read is not
        // waited for long.
        runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        result.map_err(start_error)
    }

    /// Makes [`Server::run`] return at once (connections still open are
    /// cut), or, called before it, makes it return without serving.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Kept for `run` if it is not waiting yet.
        self.stop.notify_one();
    }

    /// The router: mounted endpoints at their paths, files for the rest,
    /// and the layers every request goes through.
    fn app(&self, log: Log) -> Router {
        let mut router = Router::new();
        for endpoint in &self.endpoints {
            router = router.route(endpoint.path(), endpoint.routes());
        }
        let root = Arc::new(self.root.clone());
        let logged = Arc::new(Logged {
            log: log.clone(),
            endpoints: self.endpoints.clone(),
        });
        // `layer` wraps what is above it: the last one sees requests first.
        router
            .fallback(move |method, uri, headers| files(root, method, uri, headers))
            .layer(CatchPanicLayer::custom(|_| {
                text_page(500, "Internal Server Error")
            }))
            .layer(
                CompressionLayer::new()
                    .quality(CompressionLevel::Precise(4))
                    .compress_when(DefaultPredicate::new().and(is_text)),
            )
            .layer(middleware::map_response(weaken_etag))
            .layer(RequestBodyLimitLayer::new(self.limits.max_body_bytes))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                self.limits.request_timeout,
            ))
            .layer(middleware::from_fn_with_state(logged, log_request))
            .layer(Extension(log))
    }
}

/// The static files: GET and HEAD, off the async threads (they read disk).
async fn files(root: Arc<PathBuf>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed();
    }
    let target = uri.to_string();
    tokio::task::spawn_blocking(move || files::static_file(&root, &method, &target, &headers))
        .await
        .unwrap_or_else(|_| text_page(500, "Internal Server Error"))
}

/// What the request log needs: the sink, and the endpoints' own way of
/// showing their targets.
struct Logged {
    log: Log,
    endpoints: Vec<Arc<dyn Endpoint>>,
}

/// Logs `{method} {target} {status}` for each request, once answered.
async fn log_request(State(logged): State<Arc<Logged>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let target = request.uri().to_string();
    let path = request.uri().path();
    let shown = match logged.endpoints.iter().find(|e| e.path() == path) {
        Some(endpoint) => endpoint.log_target(&target),
        None => printable(&target),
    };
    let response = next.run(request).await;
    logged
        .log
        .line(format!("{method} {shown} {}", response.status().as_u16()));
    response
}

/// Compressed only: text, markup, feeds and JSON; images and the rest are
/// compressed already or not worth it.
fn is_text(_: StatusCode, _: Version, headers: &HeaderMap, _: &axum::http::Extensions) -> bool {
    let Some(media_type) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let media_type = media_type.split(';').next().unwrap_or("").trim();
    media_type.starts_with("text/")
        || media_type.ends_with("+xml")
        || media_type.ends_with("+json")
        || media_type == "application/xml"
        || media_type == "application/json"
        || media_type == "image/svg+xml"
}

/// A compressed body is another representation than the file: its strong
/// `ETag` becomes weak (as nginx does), which still answers
/// `If-None-Match` (a weak comparison) with `304`.
async fn weaken_etag(mut response: Response) -> Response {
    if response.headers().contains_key(CONTENT_ENCODING) {
        if let Some(tag) = response.headers().get(ETAG).and_then(|v| v.to_str().ok()) {
            if !tag.starts_with("W/") {
                if let Ok(weak) = HeaderValue::from_str(&format!("W/{tag}")) {
                    response.headers_mut().insert(ETAG, weak);
                }
            }
        }
    }
    response
}

/// Escaped in a logged target: all but printable ASCII (non-ASCII bytes
/// always are).
const NOT_GRAPHIC: &AsciiSet = &CONTROLS.add(b' ');

/// A request target safe to print on a terminal and to keep: each query
/// value replaced by `(hidden)` (they carry tokens and addresses), control
/// characters and anything not ASCII escaped as `%XX`, and cut after 200
/// bytes.
fn printable(target: &str) -> String {
    const MAX: usize = 200;
    let target = hide_query_values(target);
    let bytes = target.as_bytes();
    let mut out = percent_encode(&bytes[..bytes.len().min(MAX)], NOT_GRAPHIC).to_string();
    if bytes.len() > MAX {
        out.push_str("...");
    }
    out
}

/// `target` with the value of each `key=value` pair of its query replaced
/// by `(hidden)`; keys and the path are kept.
fn hide_query_values(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return target.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) => format!("{key}=(hidden)"),
            None => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_control_characters() {
        assert_eq!(printable("/a\x1b[31m b"), "/a%1B[31m%20b");
        let long = format!("/{}", "a".repeat(1000));
        assert_eq!(printable(&long), format!("{}...", &long[..200]));
        // Every byte but printable ASCII; a character cut at 200 bytes too.
        assert_eq!(printable("/é%\x7f~!"), "/%C3%A9%%7F~!");
        let cut = format!("/{}é", "a".repeat(198));
        assert_eq!(printable(&cut), format!("{}%C3...", &cut[..199]));
    }

    #[test]
    fn printable_hides_query_values() {
        assert_eq!(
            printable("/unsubscribe?a=ana%40example.org&t=0f1e"),
            "/unsubscribe?a=(hidden)&t=(hidden)"
        );
        assert_eq!(printable("/a?x&y=&=z"), "/a?x&y=(hidden)&=(hidden)");
        assert_eq!(printable("/a?"), "/a?");
        assert_eq!(printable("/a=b"), "/a=b");
    }
}
