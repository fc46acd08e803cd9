//! A local HTTP server for a built site, so a feed reader can subscribe to it.
//!
//! This module is responsible for answering requests from `127.0.0.1` with
//! the files of one directory (the `public/` that `storyfeed build` writes):
//! mapping a URL path to a file, choosing the `Content-Type` (`files.rs`), and
//! letting readers poll cheaply through `ETag`, `Last-Modified` and
//! conditional GET (`304 Not Modified`, [`http`]). It prints nothing: each
//! request gives one log line to the sink passed to [`Server::run`].
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
//! Requests go through `route`, a small router on path and method. Other
//! endpoints than static files are [mounted](Server::mount): an
//! [`Endpoint`] answers one path, every method, and says how its requests
//! appear in the log (the digests' unsubscribe links, for one, are mounted
//! by the command line and keep their query out of it).

pub mod http;

mod files;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use percent_encoding::{percent_encode, AsciiSet, CONTROLS};
use thiserror::Error;
use tiny_http::{Method, Request, ResponseBox};

use http::{method_not_allowed, origin_path, text_page};

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
    /// The listening socket failed; no further request can be received.
    #[error("stopped listening on {addr}")]
    Accept {
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
}

/// Something other than a file, answered at one path of the server.
pub trait Endpoint: Send + Sync {
    /// The path answered, as requested but without query or fragment
    /// (`/unsubscribe`). It hides a file of that name.
    fn path(&self) -> &str;

    /// Answers a request for [`Endpoint::path`], whatever its method. `log`
    /// is the server's log sink, for what the status does not say. A panic
    /// is answered `500`.
    fn handle(&self, request: &mut Request, log: &dyn Fn(&str)) -> ResponseBox;

    /// The request target as the log line shows it. By default the target
    /// itself, made safe for a terminal.
    fn log_target(&self, target: &str) -> String {
        printable(target)
    }
}

/// A static-file server for one directory, listening on `127.0.0.1`.
pub struct Server {
    http: tiny_http::Server,
    /// Canonical (absolute, symlink-free) path of the served directory.
    root: PathBuf,
    addr: SocketAddr,
    stopped: AtomicBool,
    endpoints: Vec<Box<dyn Endpoint>>,
}

impl Server {
    /// Binds `127.0.0.1:port` (port 0 = any free port) to serve `root`.
    ///
    /// Fails if `root` does not exist or is not a directory, or if the
    /// address cannot be bound.
    pub fn bind(root: &Path, port: u16) -> Result<Server, ServeError> {
        let canonical = root.canonicalize().map_err(|source| ServeError::Root {
            dir: root.to_path_buf(),
            source,
        })?;
        if !canonical.is_dir() {
            return Err(ServeError::NotADirectory {
                dir: root.to_path_buf(),
            });
        }
        let wanted = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let http = tiny_http::Server::http(wanted).map_err(|source| ServeError::Bind {
            addr: wanted,
            source,
        })?;
        let addr = http.server_addr().to_ip().unwrap_or(wanted);
        Ok(Server {
            http,
            root: canonical,
            addr,
            stopped: AtomicBool::new(false),
            endpoints: Vec::new(),
        })
    }

    /// Also answers `endpoint`'s path with it. The first endpoint mounted
    /// at a path wins.
    pub fn mount(&mut self, endpoint: Box<dyn Endpoint>) {
        self.endpoints.push(endpoint);
    }

    /// The address actually listened on (with the real port when bound to 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The canonical path of the served directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Serves requests one after another until [`Server::stop`] is called
    /// (from another thread) or the process ends. Each request gives `log`
    /// one line, `{method} {target} {status}`.
    pub fn run(&self, log: &dyn Fn(&str)) -> Result<(), ServeError> {
        loop {
            if self.stopped.load(Ordering::SeqCst) {
                return Ok(());
            }
            match self.http.recv() {
                Ok(request) => self.handle(request, log),
                Err(_) if self.stopped.load(Ordering::SeqCst) => return Ok(()),
                Err(source) => {
                    return Err(ServeError::Accept {
                        addr: self.addr,
                        source,
                    })
                }
            }
        }
    }

    /// Makes [`Server::run`] return: at once if it is waiting for a request,
    /// else after the request it is answering.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.http.unblock();
    }

    /// Answers one request and logs it.
    fn handle(&self, mut request: Request, log: &dyn Fn(&str)) {
        let method = request.method().clone();
        let path = origin_path(request.url());
        let endpoint = self
            .endpoints
            .iter()
            .map(|e| &**e)
            .find(|e| path == Some(e.path()));
        let target = match endpoint {
            Some(endpoint) => endpoint.log_target(request.url()),
            None => printable(request.url()),
        };
        let response = panic::catch_unwind(AssertUnwindSafe(|| {
            route(&self.root, endpoint, &mut request, log)
        }))
        .unwrap_or_else(|_| text_page(500, "Internal Server Error"));
        let status = response.status_code().0;
        match request.respond(response) {
            Ok(()) => log(&format!("{method} {target} {status}")),
            Err(e) => log(&format!("{method} {target} {status} (not sent: {e})")),
        }
    }
}

/// The router: picks the handler for a request from its path and method.
/// `endpoint` is the one mounted at the request's path, if any.
fn route(
    root: &Path,
    endpoint: Option<&dyn Endpoint>,
    request: &mut Request,
    log: &dyn Fn(&str),
) -> ResponseBox {
    match (request.method(), endpoint) {
        (_, Some(endpoint)) => endpoint.handle(request, log),
        (Method::Get | Method::Head, None) => files::static_file(root, request),
        (_, None) => method_not_allowed(),
    }
}

/// Escaped in a logged target: all but printable ASCII (non-ASCII bytes
/// always are).
const NOT_GRAPHIC: &AsciiSet = &CONTROLS.add(b' ');

/// A request target safe to print on a terminal: control characters and
/// anything not ASCII escaped as `%XX`, and cut after 200 bytes.
fn printable(target: &str) -> String {
    const MAX: usize = 200;
    let bytes = target.as_bytes();
    let mut out = percent_encode(&bytes[..bytes.len().min(MAX)], NOT_GRAPHIC).to_string();
    if bytes.len() > MAX {
        out.push_str("...");
    }
    out
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
}
