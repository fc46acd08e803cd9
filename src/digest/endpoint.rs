//! The one-click unsubscribe endpoint of digests (RFC 8058), mounted on the
//! site server by `storyfeed serve`.
//!
//! `/unsubscribe?a=<address>&t=<token>` answers the links of digests: `GET`
//! shows a page with a confirm button and changes nothing (mail scanners
//! follow links); `POST` with the body `List-Unsubscribe=One-Click` records
//! the unsubscription at once, if the token is the address's HMAC under the
//! secret. No cookie, no login; a wrong token is `403` and records nothing.
//! The query (address and token) is left out of the log line.

use std::path::PathBuf;
use std::sync::Arc;

use askama::Template;
use axum::body::{self, Body};
use axum::extract::State;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::{get, MethodRouter};
use axum::Extension;
use percent_encoding::{utf8_percent_encode, AsciiSet};

use crate::config::Config;
use crate::digest::deliver::{load_secret, RunError};
use crate::digest::message::{verify_token, Secret, NOT_UNRESERVED};
use crate::serve::http::{add_header, percent_decode, text_page, with_status};
use crate::serve::{Endpoint, Log};

/// What the one-click unsubscribe endpoint needs: the secret that signed
/// the links, and the database that records unsubscriptions (with the
/// state directory an earlier version kept them in, imported once).
#[derive(Debug, Clone)]
pub struct Unsubscribe {
    pub secret: Secret,
    pub database: crate::store::Database,
    pub state_dir: PathBuf,
}

/// The path of the unsubscribe endpoint.
const UNSUBSCRIBE_PATH: &str = "/unsubscribe";

/// Largest unsubscribe POST body read; RFC 8058's is 26 bytes.
const MAX_POST_BODY: usize = 4096;

/// Escaped in a query value: all but unreserved characters (RFC 3986).
const QUERY_VALUE: &AsciiSet = NOT_UNRESERVED;

impl Unsubscribe {
    /// The endpoint for `config`'s digests; none when there is no secret
    /// to check the links' tokens with.
    pub fn from_config(config: &Config) -> Result<Option<Unsubscribe>, RunError> {
        let Some(secret) = load_secret(config)? else {
            return Ok(None);
        };
        let database = config
            .digest
            .store()
            .map_err(|e| RunError::State(crate::store::StoreError::Invalid(e)))?;
        Ok(Some(Unsubscribe {
            secret,
            database,
            state_dir: config.digest.state_dir.clone(),
        }))
    }
}

impl Endpoint for Unsubscribe {
    fn path(&self) -> &str {
        UNSUBSCRIBE_PATH
    }

    fn routes(&self) -> MethodRouter {
        // `get` answers HEAD too, without the body.
        get(confirm_page)
            .post(one_click)
            .fallback(|| async {
                let mut response = text_page(405, "Method Not Allowed");
                add_header(&mut response, "Allow", "GET, HEAD, POST");
                response
            })
            .with_state(Arc::new(self.clone()))
    }

    /// The query of an unsubscribe link names an address and its token.
    fn log_target(&self, _target: &str) -> String {
        format!("{UNSUBSCRIBE_PATH}?(hidden)")
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

impl Unsubscribe {
    /// The address and token of an unsubscribe request, if the token is right.
    fn verified(&self, target: &str) -> Option<Verified> {
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let query = query.split('#').next().unwrap_or("");
        // Not `form_urlencoded::parse`: it reads `+` as a space and lets bad
        // escapes and bytes that are not UTF-8 through, where a link that is
        // not exactly what we sent is refused.
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
        (plausible && verify_token(&self.secret, &address, &token))
            .then_some(Verified { address, token })
    }
}

/// `GET /unsubscribe?a=..&t=..`: a page with a confirm button; records nothing.
async fn confirm_page(State(endpoint): State<Arc<Unsubscribe>>, uri: Uri) -> Response {
    let Some(Verified { address, token }) = endpoint.verified(&uri.to_string()) else {
        return forbidden();
    };
    let action = format!(
        "unsubscribe?a={}&t={token}",
        utf8_percent_encode(&address, QUERY_VALUE)
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
async fn one_click(
    State(endpoint): State<Arc<Unsubscribe>>,
    Extension(log): Extension<Log>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(Verified { address, .. }) = endpoint.verified(&uri.to_string()) else {
        return forbidden();
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_POST_BODY as u64) {
        return text_page(413, "Content Too Large");
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // A body the server's limit cut short is an error too: the same 413.
    let body = match body::to_bytes(body, MAX_POST_BODY).await {
        Ok(body) => body,
        Err(e) if is_length_limit(&e) => return text_page(413, "Content Too Large"),
        Err(_) => return text_page(400, "Bad Request"),
    };
    if !is_one_click(&content_type, &body) {
        return text_page(400, "Bad Request");
    }
    // fsync: off the async threads.
    let recorded = {
        let address = address.clone();
        tokio::task::spawn_blocking(move || {
            // Opened per request: a few a day, and the file may have been
            // replaced or restored since the server started.
            crate::store::admin::open_paths(&endpoint.database, &endpoint.state_dir)
                .and_then(|store| store.unsubscribe(&address, "one-click"))
                .map_err(|e| e.to_string())
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()))
    };
    if let Err(e) = recorded {
        log.line(format!("unsubscribe: {e}"));
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

/// Whether reading a body failed on a length limit (ours or the server's),
/// rather than on the connection.
fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
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
        // The pair exactly as RFC 8058 writes it (not decoded: see `verified`).
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
fn forbidden() -> Response {
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
fn page(status: u16, page: &UnsubscribePage<'_>) -> Response {
    let Ok(body) = page.render() else {
        return text_page(500, "Internal Server Error");
    };
    let mut response = with_status(Response::new(Body::from(body)), status);
    add_header(&mut response, "Content-Type", "text/html; charset=utf-8");
    add_header(&mut response, "Cache-Control", "no-store");
    add_header(&mut response, "Referrer-Policy", "no-referrer");
    response
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn endpoint() -> Unsubscribe {
        Unsubscribe {
            secret: Secret(b"s3cret".to_vec()),
            database: crate::store::Database::Sqlite(PathBuf::from("/nonexistent/storyfeed.db")),
            state_dir: PathBuf::from("/nonexistent"),
        }
    }

    #[test]
    fn query_values_keep_plus_and_refuse_bad_escapes() {
        let endpoint = endpoint();
        let token = crate::digest::message::unsubscribe_token(&endpoint.secret, "a+b@x.org");
        let ok = |query: &str| endpoint.verified(&format!("/unsubscribe?{query}"));
        let found = ok(&format!("a=a+b@x.org&t={token}")).expect("+ kept literal");
        assert_eq!(found.address, "a+b@x.org");
        assert!(ok(&format!("a=a%2Bb%40x.org&t={token}#frag")).is_some());
        assert!(ok(&format!("t={token}&x=1&a=a%2bb%40x.org")).is_some());
        for bad in [
            format!("a=a%2Bb%40x.org%zz&t={token}"),
            format!("a=a%2Bb%40x.org&t={token}%"),
            format!("a=a%2Bb%40x.org&a=%ff&t={token}"),
            format!("%61=a%2Bb%40x.org&t={token}"),
            "a=a%2Bb%40x.org".to_owned(),
            format!("a=a%20b@x.org&t={token}"),
        ] {
            assert!(ok(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn confirm_action_escapes_all_but_unreserved() {
        assert_eq!(
            utf8_percent_encode("Ana.B-c_d~+é@x.org", QUERY_VALUE).to_string(),
            "Ana.B-c_d~%2B%C3%A9%40x.org"
        );
    }
}
