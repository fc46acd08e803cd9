//! HTTP plumbing shared by the file handler and mounted endpoints: the
//! request target (its path, percent-decoded), conditional requests
//! (`ETag`, `Last-Modified`, `304 Not Modified`) and small responses.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::header::{HeaderName, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use percent_encoding::percent_decode_str;

/// The path part of a request target: origin form (`/a/b?q`) or absolute
/// form (`http://host/a/b?q`), without query or fragment.
pub fn origin_path(target: &str) -> Option<&str> {
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
/// or bytes that are not UTF-8. `+` stays `+`.
pub fn percent_decode(s: &str) -> Option<String> {
    // `percent_decode_str` keeps a bad escape (`%zz`, a lone `%`) as it is;
    // here it refuses the whole input, as a path that is not what it seems.
    let bytes = s.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|pair| pair.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    let decoded = percent_decode_str(s).decode_utf8().ok()?;
    (!decoded.contains('\0')).then(|| decoded.into_owned())
}

/// The strong validator of a file: quoted hex of its size and modification
/// time in nanoseconds, as nginx does. Changes whenever either changes.
pub(super) fn etag(size: u64, mtime: Option<SystemTime>) -> String {
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
pub(super) fn http_date(mtime: SystemTime) -> Option<String> {
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
pub(super) fn not_modified(headers: &HeaderMap, etag: &str, last_modified: Option<u64>) -> bool {
    // A value that is not visible ASCII matches nothing, as before.
    let mut if_none_match = headers.get_all(IF_NONE_MATCH).iter().peekable();
    if if_none_match.peek().is_some() {
        return if_none_match.any(|v| v.to_str().is_ok_and(|v| etag_list_matches(v, etag)));
    }
    let Some(last_modified) = last_modified else {
        return false;
    };
    let since = headers
        .get(IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
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

/// `405` listing the methods the file handler answers.
pub(super) fn method_not_allowed() -> Response {
    let mut response = text_page(405, "Method Not Allowed");
    add_header(&mut response, "Allow", "GET, HEAD");
    response
}

/// `404` with a short HTML body.
pub(super) fn not_found() -> Response {
    text_page(404, "Not Found")
}

/// A small HTML page whose title and heading are the status line.
pub fn text_page(status: u16, reason: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{status} {reason}</title></head>\n<body><h1>{status} {reason}</h1></body></html>\n"
    );
    let mut response = with_status(Response::new(Body::from(body)), status);
    add_header(&mut response, "Content-Type", "text/html; charset=utf-8");
    add_header(&mut response, "Cache-Control", "no-cache");
    response
}

/// `response` with the status `status`; a number that is no HTTP status
/// (outside 100..=999) gives `500`.
pub fn with_status(mut response: Response, status: u16) -> Response {
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
}

/// Adds a header; a name or value HTTP does not allow is left out.
pub fn add_header(response: &mut Response, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        response.headers_mut().append(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
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
    fn percent_decode_edges_the_crate_would_let_through() {
        // `percent_decode_str` alone keeps these as they are.
        for bad in ["%", "%%41", "/a%2", "/a%2g", "/%g1", "/%+1", "/%-1", "/%é1"] {
            assert_eq!(percent_decode(bad), None, "{bad}");
        }
        // A NUL written as is, not escaped.
        assert_eq!(percent_decode("/a\0b"), None);
        assert_eq!(percent_decode("").as_deref(), Some(""));
        assert_eq!(percent_decode("%41%2f").as_deref(), Some("A/"));
        assert_eq!(percent_decode("/é").as_deref(), Some("/é"));
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
        let ims = ("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT");
        let lm = Some(784_111_777); // the same second
        assert!(not_modified(&headers(&[ims]), tag, lm));
        assert!(!not_modified(&headers(&[ims]), tag, Some(784_111_778)));
        assert!(!not_modified(&headers(&[ims]), tag, None));
        let other = ("If-None-Match", "\"other\"");
        assert!(!not_modified(&headers(&[other, ims]), tag, lm));
        let same = ("If-None-Match", tag);
        assert!(not_modified(&headers(&[same, ims]), tag, Some(u64::MAX)));
        // Each If-None-Match field line counts.
        assert!(not_modified(&headers(&[other, same]), tag, None));
        let garbage = ("If-Modified-Since", "yesterday");
        assert!(!not_modified(&headers(&[garbage]), tag, lm));
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
}
