//! HTTP plumbing shared by the file handler and mounted endpoints: the
//! request target (its path, percent-decoded), conditional requests
//! (`ETag`, `Last-Modified`, `304 Not Modified`) and small responses.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use percent_encoding::percent_decode_str;
use tiny_http::{Header, Response, ResponseBox, StatusCode};

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
pub(super) fn not_modified(headers: &[Header], etag: &str, last_modified: Option<u64>) -> bool {
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

/// `405` listing the methods the file handler answers.
pub(super) fn method_not_allowed() -> ResponseBox {
    let mut response = text_page(405, "Method Not Allowed");
    add_header(&mut response, "Allow", "GET, HEAD");
    response
}

/// `404` with a short HTML body.
pub(super) fn not_found() -> ResponseBox {
    text_page(404, "Not Found")
}

/// A small HTML page whose title and heading are the status line.
pub fn text_page(status: u16, reason: &str) -> ResponseBox {
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

/// Adds a header; a name or value tiny_http refuses is left out.
pub fn add_header(response: &mut ResponseBox, name: &str, value: &str) {
    if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        response.add_header(header);
    }
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
}
