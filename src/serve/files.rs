//! The files of the served directory: mapping a URL path to a file inside
//! the root (the traversal defences of the module invariant), choosing its
//! `Content-Type`, and answering `GET`/`HEAD` for it.

use std::fs::{self, File};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::body::Body;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::http::{
    add_header, etag, http_date, not_found, not_modified, origin_path, percent_decode, text_page,
    with_status,
};

/// Escaped in a redirect's path segment: all but unreserved characters and
/// the sub-delimiters `!$&'()*+,;=` with `:` and `@` (RFC 3986 `pchar`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// GET or HEAD of the file `target` (the request target) names under
/// `root`, honouring conditional requests. Blocking: it reads the disk.
pub(super) fn static_file(
    root: &Path,
    method: &Method,
    target: &str,
    headers: &HeaderMap,
) -> Response {
    let (path, name) = match resolve(root, target) {
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

    let head = |response: &mut Response| {
        add_header(response, "ETag", &tag);
        if let Some(text) = &last_modified {
            add_header(response, "Last-Modified", text);
        }
        add_header(response, "Cache-Control", "no-cache");
    };
    // Content-Length is the file's size for HEAD and 304 too (RFC 9110 8.6);
    // hyper sends no body for either.
    let size = meta.len().to_string();
    if not_modified(headers, &tag, mtime_secs) {
        let mut response = with_status(Response::new(Body::empty()), 304);
        head(&mut response);
        add_header(&mut response, "Content-Length", &size);
        return response;
    }
    let mut response = if method == Method::HEAD {
        let mut response = Response::new(Body::empty());
        add_header(&mut response, "Content-Length", &size);
        response
    } else {
        // Read it whole so Content-Length always matches what is sent, even
        // if `storyfeed build` rewrites the file meanwhile.
        let capacity = usize::try_from(meta.len()).unwrap_or(usize::MAX);
        let mut body = Vec::with_capacity(capacity.min(1 << 26));
        if file.read_to_end(&mut body).is_err() {
            return text_page(500, "Internal Server Error");
        }
        Response::new(Body::from(body))
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

/// Encodes decoded segments back into an absolute URL path, escaping all
/// but unreserved characters and a few safe sub-delimiters.
fn percent_encode(segments: &[&str]) -> String {
    segments
        .iter()
        .map(|segment| format!("/{}", utf8_percent_encode(segment, SEGMENT)))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn redirects_escape_what_a_path_segment_cannot_hold() {
        assert_eq!(percent_encode(&[]), "");
        assert_eq!(percent_encode(&["feeds", "themes"]), "/feeds/themes");
        // Kept: unreserved characters and the sub-delimiters with `:` `@`.
        let kept = "az09-._~!$&'()*+,;=:@";
        assert_eq!(percent_encode(&[kept]), format!("/{kept}"));
        assert_eq!(
            percent_encode(&["a b", "%?#", "\"<>[]\\^`{|}", "\u{7f}\u{1}", "é"]),
            "/a%20b/%25%3F%23/%22%3C%3E%5B%5D%5C%5E%60%7B%7C%7D/%7F%01/%C3%A9"
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
}
