//! A local HTTP server for a built site, so a feed reader can subscribe to it.
//!
//! This module is responsible for answering requests from `127.0.0.1` with
//! the files of one directory (the `public/` that `storyfeed build` writes):
//! mapping a URL path to a file, choosing the `Content-Type`, and letting
//! readers poll cheaply through `ETag`, `Last-Modified` and conditional GET
//! (`304 Not Modified`). It writes one log line a request on stderr.
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
//! Requests go through `route`, a small router on method and path, so that
//! endpoints other than static files slot in as one more match arm.
//!
//! With [`Server::with_unsubscribe`], `/unsubscribe?a=<address>&t=<token>`
//! answers the links of digests (RFC 8058): `GET` shows a page with a
//! confirm button and changes nothing (mail scanners follow links); `POST`
//! with the body `List-Unsubscribe=One-Click` records the unsubscription
//! at once, if the token is the address's HMAC under the secret. No cookie,
//! no login; a wrong token is `403` and records nothing. The query (address
//! and token) is left out of the log line.

use std::fs::{self, File};
use std::io::{self, Read};
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use askama::Template;
use thiserror::Error;
use tiny_http::{Header, Method, Request, Response, ResponseBox, StatusCode};

use crate::digest::message::{verify_token, Secret};
use crate::digest::state::StateDir;

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

/// A static-file server for one directory, listening on `127.0.0.1`.
pub struct Server {
    http: tiny_http::Server,
    /// Canonical (absolute, symlink-free) path of the served directory.
    root: PathBuf,
    addr: SocketAddr,
    stopped: AtomicBool,
    unsubscribe: Option<Unsubscribe>,
}

/// What the one-click unsubscribe endpoint needs: the secret that signed
/// the links, and the state directory that records unsubscriptions.
#[derive(Debug, Clone)]
pub struct Unsubscribe {
    pub secret: Secret,
    pub state: StateDir,
}

/// The path of the unsubscribe endpoint.
const UNSUBSCRIBE_PATH: &str = "/unsubscribe";

/// Largest unsubscribe POST body read; RFC 8058's is 26 bytes.
const MAX_POST_BODY: usize = 4096;

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
            unsubscribe: None,
        })
    }

    /// Also answers `/unsubscribe` (see the module documentation).
    pub fn with_unsubscribe(mut self, endpoint: Unsubscribe) -> Self {
        self.unsubscribe = Some(endpoint);
        self
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
    /// (from another thread) or the process ends.
    pub fn run(&self) -> Result<(), ServeError> {
        loop {
            if self.stopped.load(Ordering::SeqCst) {
                return Ok(());
            }
            match self.http.recv() {
                Ok(request) => self.handle(request),
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
    fn handle(&self, mut request: Request) {
        let method = request.method().clone();
        let endpoint = self
            .unsubscribe
            .as_ref()
            .filter(|_| origin_path(request.url()) == Some(UNSUBSCRIBE_PATH));
        // The query of an unsubscribe link names an address and its token.
        let target = match endpoint {
            Some(_) => format!("{UNSUBSCRIBE_PATH}?(hidden)"),
            None => printable(request.url()),
        };
        let response = panic::catch_unwind(AssertUnwindSafe(|| {
            route(&self.root, endpoint, &mut request)
        }))
        .unwrap_or_else(|_| text_page(500, "Internal Server Error"));
        let status = response.status_code().0;
        match request.respond(response) {
            Ok(()) => eprintln!("{method} {target} {status}"),
            Err(e) => eprintln!("{method} {target} {status} (not sent: {e})"),
        }
    }
}

/// The router: picks the handler for a request from its method and path.
/// `unsubscribe` is the endpoint when the request is for its path.
fn route(root: &Path, unsubscribe: Option<&Unsubscribe>, request: &mut Request) -> ResponseBox {
    match (request.method(), unsubscribe) {
        (Method::Get | Method::Head, Some(endpoint)) => unsubscribe_page(endpoint, request),
        (Method::Post, Some(endpoint)) => unsubscribe_post(endpoint, request),
        (_, Some(_)) => {
            let mut response = text_page(405, "Method Not Allowed");
            add_header(&mut response, "Allow", "GET, HEAD, POST");
            response
        }
        (Method::Get | Method::Head, None) => static_file(root, request),
        (_, None) => method_not_allowed(),
    }
}

/// The page of the unsubscribe endpoint.
#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage<'a> {
    heading: &'a str,
    message: &'a str,
    /// The confirm form's target, on the confirmation page only.
    form_action: Option<String>,
}

/// An address whose token checked out.
struct Verified {
    address: String,
    token: String,
}

/// The address and token of an unsubscribe request, if the token is right.
fn verified(endpoint: &Unsubscribe, target: &str) -> Option<Verified> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    let (mut address, mut token) = (None, None);
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            // `+` is kept as is: it is common in addresses, and the links
            // we send encode it as `%2B` anyway.
            "a" => address = percent_decode(value),
            "t" => token = percent_decode(value),
            _ => {}
        }
    }
    let (address, token) = (address?, token?);
    let plausible = address.len() <= 320
        && address.contains('@')
        && !address.chars().any(|c| c.is_control() || c.is_whitespace());
    (plausible && verify_token(&endpoint.secret, &address, &token))
        .then_some(Verified { address, token })
}

/// `GET /unsubscribe?a=..&t=..`: a page with a confirm button; records nothing.
fn unsubscribe_page(endpoint: &Unsubscribe, request: &Request) -> ResponseBox {
    let Some(Verified { address, token }) = verified(endpoint, request.url()) else {
        return forbidden();
    };
    let action = format!(
        "unsubscribe?a={}&t={token}",
        percent_encode_component(&address)
    );
    page(
        200,
        &UnsubscribePage {
            heading: "Unsubscribe from the digest?",
            message: &format!("Press the button to stop the email digests sent to {address}."),
            form_action: Some(action),
        },
    )
}

/// `POST /unsubscribe?a=..&t=..` with `List-Unsubscribe=One-Click`:
/// records the unsubscription, durable before the answer.
fn unsubscribe_post(endpoint: &Unsubscribe, request: &mut Request) -> ResponseBox {
    let Some(Verified { address, .. }) = verified(endpoint, request.url()) else {
        return forbidden();
    };
    if request.body_length().is_some_and(|n| n > MAX_POST_BODY) {
        return text_page(413, "Content Too Large");
    }
    let content_type = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Content-Type"))
        .map(|h| h.value.as_str().to_owned())
        .unwrap_or_default();
    let mut body = Vec::new();
    let limit = u64::try_from(MAX_POST_BODY + 1).unwrap_or(u64::MAX);
    if request
        .as_reader()
        .take(limit)
        .read_to_end(&mut body)
        .is_err()
    {
        return text_page(400, "Bad Request");
    }
    if body.len() > MAX_POST_BODY {
        return text_page(413, "Content Too Large");
    }
    if !is_one_click(&content_type, &body) {
        return text_page(400, "Bad Request");
    }
    if let Err(e) = endpoint.state.unsubscribe(&address, "one-click") {
        eprintln!("unsubscribe: {e}");
        return text_page(500, "Internal Server Error");
    }
    page(
        200,
        &UnsubscribePage {
            heading: "Unsubscribed",
            message: &format!("{address} will receive no more digests."),
            form_action: None,
        },
    )
}

/// Whether a POST body is RFC 8058's `List-Unsubscribe=One-Click`, as
/// `application/x-www-form-urlencoded` or `multipart/form-data`.
fn is_one_click(content_type: &str, body: &[u8]) -> bool {
    let Ok(body) = std::str::from_utf8(body) else {
        return false;
    };
    let mut params = content_type.split(';').map(str::trim);
    let media_type = params.next().unwrap_or("").to_ascii_lowercase();
    match media_type.as_str() {
        "application/x-www-form-urlencoded" => body
            .trim_end_matches(['\r', '\n'])
            .split('&')
            .any(|pair| pair == "List-Unsubscribe=One-Click"),
        "multipart/form-data" => {
            let Some(boundary) = params.find_map(|p| {
                let (key, value) = p.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("boundary")
                    .then(|| value.trim().trim_matches('"'))
            }) else {
                return false;
            };
            let delimiter = format!("--{boundary}");
            body.split(delimiter.as_str()).any(|part| {
                let Some((head, value)) = part.split_once("\r\n\r\n") else {
                    return false;
                };
                let named = head.lines().any(|line| {
                    let line = line.to_ascii_lowercase();
                    line.starts_with("content-disposition:")
                        && line.contains("form-data")
                        && line.contains("name=\"list-unsubscribe\"")
                });
                named && value.strip_suffix("\r\n").unwrap_or(value) == "One-Click"
            })
        }
        _ => false,
    }
}

/// `403` for a missing or wrong token: nothing is said about the address.
fn forbidden() -> ResponseBox {
    page(
        403,
        &UnsubscribePage {
            heading: "This unsubscribe link is not valid",
            message: "The link may have been cut or changed. Use the unsubscribe link at the foot of a recent digest, or reply to it.",
            form_action: None,
        },
    )
}

/// An unsubscribe page: never cached, and its URL (holding the token) is
/// not sent on as a referrer.
fn page(status: u16, page: &UnsubscribePage<'_>) -> ResponseBox {
    let Ok(body) = page.render() else {
        return text_page(500, "Internal Server Error");
    };
    let mut response = Response::from_data(body.into_bytes())
        .with_status_code(StatusCode(status))
        .boxed();
    add_header(&mut response, "Content-Type", "text/html; charset=utf-8");
    add_header(&mut response, "Cache-Control", "no-store");
    add_header(&mut response, "Referrer-Policy", "no-referrer");
    response
}

/// Percent-encodes all but unreserved characters, for a query value.
fn percent_encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `405` listing the methods this server answers.
fn method_not_allowed() -> ResponseBox {
    let mut response = text_page(405, "Method Not Allowed");
    add_header(&mut response, "Allow", "GET, HEAD");
    response
}

/// `404` with a short HTML body.
fn not_found() -> ResponseBox {
    text_page(404, "Not Found")
}

/// A small HTML page whose title and heading are the status line.
fn text_page(status: u16, reason: &str) -> ResponseBox {
    let body = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{status} {reason}</title></head>\n<body><h1>{status} {reason}</h1></body></html>\n"
    );
    let mut response = Response::from_data(body.into_bytes())
        .with_status_code(StatusCode(status))
        .boxed();
    add_header(&mut response, "Content-Type", "text/html; charset=utf-8");
    add_header(&mut response, "Cache-Control", "no-cache");
    response
}

fn add_header(response: &mut ResponseBox, name: &str, value: &str) {
    if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        response.add_header(header);
    }
}

/// GET or HEAD of a file under `root`, honouring conditional requests.
fn static_file(root: &Path, request: &Request) -> ResponseBox {
    let (path, name) = match resolve(root, request.url()) {
        Some(Target::File { path, name }) => (path, name),
        Some(Target::Redirect(location)) => {
            let mut response = text_page(301, "Moved Permanently");
            add_header(&mut response, "Location", &location);
            return response;
        }
        None => return not_found(),
    };
    let Ok(mut file) = File::open(&path) else {
        return not_found();
    };
    let Ok(meta) = file.metadata() else {
        return not_found();
    };
    if !meta.is_file() {
        return not_found();
    }
    let mtime = meta.modified().ok();
    let tag = etag(meta.len(), mtime);
    let last_modified = mtime.and_then(http_date);
    // If-Modified-Since is compared with the true time, not the one clamped
    // for Last-Modified: a file dated in the future is never "not modified"
    // by date (its ETag still works).
    let mtime_secs = mtime
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs());

    let head = |response: &mut ResponseBox| {
        add_header(response, "ETag", &tag);
        if let Some(text) = &last_modified {
            add_header(response, "Last-Modified", text);
        }
        add_header(response, "Cache-Control", "no-cache");
    };
    // Content-Length is the file's size for HEAD and 304 too (RFC 9110 8.6);
    // tiny_http sends no body for either.
    let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    if not_modified(request.headers(), &tag, mtime_secs) {
        let mut response =
            Response::new(StatusCode(304), Vec::new(), io::empty(), Some(size), None)
                .with_chunked_threshold(usize::MAX)
                .boxed();
        head(&mut response);
        return response;
    }
    let mut response = if *request.method() == Method::Head {
        Response::new(StatusCode(200), Vec::new(), io::empty(), Some(size), None)
            .with_chunked_threshold(usize::MAX)
            .boxed()
    } else {
        // Read it whole so Content-Length always matches what is sent, even
        // if `storyfeed build` rewrites the file meanwhile.
        let mut body = Vec::with_capacity(size.min(1 << 26));
        if file.read_to_end(&mut body).is_err() {
            return text_page(500, "Internal Server Error");
        }
        Response::from_data(body)
            .with_chunked_threshold(usize::MAX)
            .boxed()
    };
    head(&mut response);
    add_header(&mut response, "Content-Type", content_type(&name));
    response
}

/// What a request path maps to.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// A regular file: its canonical `path`, and the `name` it was asked by
    /// (the last URL segment, or `index.html`), which picks its type.
    File { path: PathBuf, name: String },
    /// A directory asked for without its trailing slash: where to go
    /// instead, so that relative links in its `index.html` resolve.
    Redirect(String),
}

/// Maps a request target to a file under the canonical `root`, or `None`
/// (answered 404) if it names nothing servable. Never leaves `root`.
fn resolve(root: &Path, target: &str) -> Option<Target> {
    let raw = origin_path(target)?;
    let decoded = percent_decode(raw)?;
    let rest = decoded.strip_prefix('/')?;
    let trailing_slash = rest.ends_with('/');
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = if rest.is_empty() {
        if trailing_slash {
            return None; // "//"
        }
        Vec::new()
    } else {
        rest.split('/').collect()
    };
    if !segments.iter().all(|s| is_plain_segment(s)) {
        return None;
    }
    // The build's own files (its cache, temporary files) are not the site.
    if segments.iter().any(|s| crate::fs::is_build_private(s)) {
        return None;
    }

    let mut candidate = root.to_path_buf();
    candidate.extend(&segments);
    let found = inside(root, &candidate)?;
    let meta = fs::metadata(&found).ok()?;
    if meta.is_dir() {
        if !trailing_slash && !segments.is_empty() {
            return Some(Target::Redirect(format!("{}/", percent_encode(&segments))));
        }
        let index = inside(root, &found.join("index.html"))?;
        return fs::metadata(&index).ok()?.is_file().then(|| Target::File {
            path: index,
            name: "index.html".to_owned(),
        });
    }
    if trailing_slash || !meta.is_file() {
        return None;
    }
    let name = segments.last()?.to_string();
    Some(Target::File { path: found, name })
}

/// `path` canonicalized, if it exists and lies under the canonical `root`.
fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let canonical = path.canonicalize().ok()?;
    canonical.starts_with(root).then_some(canonical)
}

/// The path part of a request target: origin form (`/a/b?q`) or absolute
/// form (`http://host/a/b?q`), without query or fragment.
fn origin_path(target: &str) -> Option<&str> {
    let end = target.find(['?', '#']).unwrap_or(target.len());
    let target = &target[..end];
    if target.starts_with('/') {
        return Some(target);
    }
    let lower = target.get(..8).unwrap_or(target).to_ascii_lowercase();
    let after_scheme = if lower.starts_with("http://") {
        &target[7..]
    } else if lower.starts_with("https://") {
        &target[8..]
    } else {
        return None;
    };
    Some(after_scheme.find('/').map_or("/", |i| &after_scheme[i..]))
}

/// Decodes `%XX` escapes once. `None` for a malformed escape, a NUL byte,
/// or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex(*bytes.get(i + 1)?)?;
            let lo = hex(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    if out.contains(&0) {
        return None;
    }
    String::from_utf8(out).ok()
}

/// Encodes decoded segments back into an absolute URL path, escaping all
/// but unreserved characters and a few safe sub-delimiters.
fn percent_encode(segments: &[&str]) -> String {
    let mut out = String::new();
    for segment in segments {
        out.push('/');
        for &b in segment.as_bytes() {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Whether a decoded segment names exactly one ordinary entry of a
/// directory: not empty, not dots only (`.`, `..`, and `...`, which Windows
/// would trim to `..`), no separator, backslash or control character.
fn is_plain_segment(segment: &str) -> bool {
    if segment.trim_end_matches(['.', ' ']).is_empty()
        || segment
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
    {
        return false;
    }
    let mut components = Path::new(segment).components();
    matches!(
        (components.next(), components.next()),
        (Some(Component::Normal(name)), None) if name == segment
    )
}

/// The strong validator of a file: quoted hex of its size and modification
/// time in nanoseconds, as nginx does. Changes whenever either changes.
fn etag(size: u64, mtime: Option<SystemTime>) -> String {
    let nanos: i128 = match mtime.map(|t| t.duration_since(UNIX_EPOCH)) {
        Some(Ok(after)) => after.as_nanos() as i128,
        Some(Err(before)) => -(before.duration().as_nanos() as i128),
        None => 0,
    };
    if nanos < 0 {
        format!("\"{size:x}-m{:x}\"", nanos.unsigned_abs())
    } else {
        format!("\"{size:x}-{nanos:x}\"")
    }
}

/// The `Last-Modified` value for a file modified at `mtime`. A time in the
/// future is clamped to now (RFC 9110 8.8.2.1); a time httpdate cannot
/// write (before 1970) gives none.
fn http_date(mtime: SystemTime) -> Option<String> {
    let time = mtime.min(SystemTime::now());
    let secs = time.duration_since(UNIX_EPOCH).ok()?.as_secs();
    // httpdate panics from year 10000 on.
    if secs >= 253_402_300_800 {
        return None;
    }
    Some(httpdate::fmt_http_date(
        UNIX_EPOCH + Duration::from_secs(secs),
    ))
}

/// Whether a conditional GET/HEAD gets `304`: `If-None-Match` decides when
/// present (RFC 9110 13.2.2), else `If-Modified-Since` compared at second
/// resolution with `last_modified`, the file's mtime in seconds since 1970.
fn not_modified(headers: &[Header], etag: &str, last_modified: Option<u64>) -> bool {
    let mut if_none_match = headers
        .iter()
        .filter(|h| h.field.equiv("If-None-Match"))
        .peekable();
    if if_none_match.peek().is_some() {
        return if_none_match.any(|h| etag_list_matches(h.value.as_str(), etag));
    }
    let Some(last_modified) = last_modified else {
        return false;
    };
    let since = headers
        .iter()
        .find(|h| h.field.equiv("If-Modified-Since"))
        .and_then(|h| httpdate::parse_http_date(h.value.as_str()).ok())
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
    since.is_some_and(|since| last_modified <= since.as_secs())
}

/// Whether an `If-None-Match` value (`*` or a list of entity tags) matches
/// `etag` by weak comparison, as RFC 9110 13.1.2 asks. A malformed list
/// matches only as far as it could be read.
fn etag_list_matches(value: &str, etag: &str) -> bool {
    let value = value.trim();
    if value == "*" {
        return true;
    }
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        let tag_start = rest.strip_prefix("W/").unwrap_or(rest);
        let Some(inner) = tag_start.strip_prefix('"') else {
            return false;
        };
        let Some(close) = inner.find('"') else {
            return false;
        };
        // Compare with the quotes, as `etag` carries them.
        if tag_start[..close + 2] == *etag {
            return true;
        }
        rest = &inner[close + 1..];
    }
}

/// The `Content-Type` for a file name, from its extension.
fn content_type(name: &str) -> &'static str {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "rss" => "application/rss+xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "json" => "application/feed+json; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "opml" => "text/x-opml; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// A request target safe to print on a terminal: control characters and
/// anything not ASCII escaped as `%XX`, and cut after 200 bytes.
fn printable(target: &str) -> String {
    const MAX: usize = 200;
    let bytes = target.as_bytes();
    let mut out = String::with_capacity(target.len().min(MAX + 3));
    for &b in &bytes[..bytes.len().min(MAX)] {
        if b.is_ascii_graphic() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if bytes.len() > MAX {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, value: &str) -> Header {
        Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
    }

    #[test]
    fn percent_decode_decodes_once_and_rejects_bad_input() {
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/%2e%2E.").as_deref(), Some("/..."));
        assert_eq!(percent_decode("/%252e").as_deref(), Some("/%2e"));
        assert_eq!(percent_decode("/caf%C3%A9").as_deref(), Some("/café"));
        assert_eq!(percent_decode("/a+b").as_deref(), Some("/a+b"));
        for bad in ["/%", "/%2", "/%zz", "/%00", "/a%ff", "/%C3", "/%e2%82"] {
            assert_eq!(percent_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn segments_must_be_plain_names() {
        for ok in [
            "all.rss",
            "index.html",
            ".well-known",
            "a b",
            "a..b",
            "x.",
            "é",
        ] {
            assert!(is_plain_segment(ok), "{ok}");
        }
        for bad in [
            "", ".", "..", "...", ". ", "a/b", "a\\b", "..\\x", "a\nb", "a\0b", "/",
        ] {
            assert!(!is_plain_segment(bad), "{bad:?}");
        }
    }

    #[test]
    fn origin_path_strips_query_fragment_and_absolute_form() {
        assert_eq!(origin_path("/a?x=1"), Some("/a"));
        assert_eq!(origin_path("/a#f"), Some("/a"));
        assert_eq!(origin_path("HTTP://127.0.0.1:8000/a/b?q"), Some("/a/b"));
        assert_eq!(origin_path("http://127.0.0.1:8000"), Some("/"));
        assert_eq!(origin_path("*"), None);
        assert_eq!(origin_path("a/b"), None);
        assert_eq!(origin_path(""), None);
    }

    #[test]
    fn resolve_stays_inside_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        fs::create_dir_all(root.join("feeds")).unwrap();
        fs::write(root.join("index.html"), "i").unwrap();
        fs::write(root.join("feeds/all.rss"), "r").unwrap();
        fs::write(dir.path().join("outside.txt"), "o").unwrap();
        let root = root.canonicalize().unwrap();

        let file = |rel: &str, name: &str| {
            Some(Target::File {
                path: root.join(rel),
                name: name.to_owned(),
            })
        };
        assert_eq!(resolve(&root, "/"), file("index.html", "index.html"));
        assert_eq!(resolve(&root, "/?x"), file("index.html", "index.html"));
        assert_eq!(
            resolve(&root, "/feeds/all.rss"),
            file("feeds/all.rss", "all.rss")
        );
        assert_eq!(
            resolve(&root, "/feeds/all%2Erss"),
            file("feeds/all.rss", "all.rss")
        );
        assert_eq!(
            resolve(&root, "/feeds"),
            Some(Target::Redirect("/feeds/".to_owned()))
        );
        assert_eq!(resolve(&root, "/feeds/"), None, "no index.html there");
        for bad in [
            "/../outside.txt",
            "/%2e%2e/outside.txt",
            "/%2E./outside.txt",
            "/feeds/..%2f..%2foutside.txt",
            "/feeds/%2e%2e%5c%2e%2e%5coutside.txt",
            "/..\\outside.txt",
            "//outside.txt",
            "/feeds//all.rss",
            "/./index.html",
            "/index.html/",
            "/feeds/all.rss/",
            "/missing",
            "outside.txt",
            "/%00",
        ] {
            assert_eq!(resolve(&root, bad), None, "{bad}");
        }
        let abs = dir.path().join("outside.txt");
        assert_eq!(resolve(&root, &format!("/{}", abs.display())), None);
    }

    #[test]
    fn if_none_match_lists() {
        let tag = "\"1a-2b\"";
        assert!(etag_list_matches("*", tag));
        assert!(etag_list_matches("\"1a-2b\"", tag));
        assert!(etag_list_matches("W/\"1a-2b\"", tag));
        assert!(etag_list_matches("\"x\", \"1a-2b\"", tag));
        assert!(etag_list_matches("\"a,b\",\"1a-2b\"", tag));
        assert!(!etag_list_matches("\"1a-2c\"", tag));
        assert!(!etag_list_matches("1a-2b", tag));
        assert!(!etag_list_matches("\"1a-2b", tag));
        assert!(!etag_list_matches("", tag));
        assert!(!etag_list_matches("W/", tag));
    }

    #[test]
    fn if_none_match_takes_precedence_over_if_modified_since() {
        let tag = "\"1-2\"";
        let ims = header("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT");
        let lm = Some(784_111_777); // the same second
        assert!(not_modified(std::slice::from_ref(&ims), tag, lm));
        assert!(!not_modified(
            std::slice::from_ref(&ims),
            tag,
            Some(784_111_778)
        ));
        assert!(!not_modified(std::slice::from_ref(&ims), tag, None));
        let other = header("If-None-Match", "\"other\"");
        assert!(!not_modified(&[other, ims.clone()], tag, lm));
        let same = header("If-None-Match", tag);
        assert!(not_modified(&[same, ims], tag, Some(u64::MAX)));
        let garbage = header("If-Modified-Since", "yesterday");
        assert!(!not_modified(&[garbage], tag, lm));
    }

    #[test]
    fn etags_and_dates_never_panic() {
        let before = UNIX_EPOCH - Duration::from_secs(5);
        assert_eq!(etag(3, Some(before)), "\"3-m12a05f200\"");
        assert_eq!(etag(3, None), "\"3-0\"");
        assert_eq!(
            etag(16, Some(UNIX_EPOCH + Duration::new(1, 5))),
            "\"10-3b9aca05\""
        );
        assert_eq!(http_date(before), None);
        let future = SystemTime::now() + Duration::from_secs(400 * 365 * 86_400 * 30);
        assert!(http_date(future).is_some(), "clamped to now");
        assert_eq!(
            http_date(UNIX_EPOCH + Duration::new(784_111_777, 999)).as_deref(),
            Some("Sun, 06 Nov 1994 08:49:37 GMT")
        );
    }

    #[test]
    fn one_click_bodies() {
        let form = "application/x-www-form-urlencoded";
        assert!(is_one_click(form, b"List-Unsubscribe=One-Click"));
        assert!(is_one_click(
            "Application/X-WWW-Form-Urlencoded; charset=utf-8",
            b"x=1&List-Unsubscribe=One-Click\r\n"
        ));
        for bad in [
            &b""[..],
            b"List-Unsubscribe=one-click",
            b"List-Unsubscribe=One-Click-Not",
            b"XList-Unsubscribe=One-Click",
            b"List-Unsubscribe=One-Click\xff",
        ] {
            assert!(
                !is_one_click(form, bad),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(!is_one_click("text/plain", b"List-Unsubscribe=One-Click"));
        assert!(!is_one_click("", b"List-Unsubscribe=One-Click"));

        let multipart = "multipart/form-data; boundary=\"XyZ\"";
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert!(is_one_click(multipart, body.as_bytes()));
        let other = body.replace("name=\"List-Unsubscribe\"", "name=\"other\"");
        assert!(!is_one_click(multipart, other.as_bytes()));
        assert!(
            !is_one_click("multipart/form-data", body.as_bytes()),
            "no boundary"
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(
            content_type("all.rss"),
            "application/rss+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("ALL.ATOM"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(content_type("feeds.opml"), "text/x-opml; charset=utf-8");
        assert_eq!(content_type("logo.png"), "image/png");
        assert_eq!(content_type("Makefile"), "application/octet-stream");
    }

    #[test]
    fn printable_escapes_control_characters() {
        assert_eq!(printable("/a\x1b[31m b"), "/a%1B[31m%20b");
        let long = format!("/{}", "a".repeat(1000));
        assert_eq!(printable(&long), format!("{}...", &long[..200]));
    }
}
