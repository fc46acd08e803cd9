//! A rendered digest as an Internet message (lettre's builder): headers
//! (From, To, Date, Message-ID, List-Id, List-Unsubscribe, List-Unsubscribe-Post),
//! multipart/alternative with plain text first and HTML last, UTF-8.
//! Also the signed unsubscribe tokens (HMAC-SHA256 of the address).
//! Signed with DKIM when a key is configured (`dkim`), so whatever goes
//! out, or to the outbox, carries the signature.
//!
//! Header safety: every value goes through lettre's `HeaderValue::new`,
//! which RFC 2047-encodes any word holding a byte outside printable ASCII
//! (CR and LF included), so no text can end a header and start another;
//! names and subjects are also made one line first ([`clean_line`]).

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest as _, Sha256};
use thiserror::Error;

use super::period::Period;
use super::render::{clean_line, Rendered};
use super::state::address_key;
use super::subscribers::Subscriber;
use crate::config::Config;
use crate::dkim;

#[derive(Debug, Error)]
pub enum MessageError {
    #[error("invalid digest.from `{0}`: {1}")]
    From(String, String),
    #[error("cannot build the digest for {to}: {message}")]
    Build { to: String, message: String },
}

/// The secret that signs unsubscribe links (from the environment or a file).
#[derive(Clone)]
pub struct Secret(pub Vec<u8>);

impl std::fmt::Debug for Secret {
    // Never in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &Secret, address: &str) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(&secret.0)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    // The state's key of the address, so `Ana@X.org` and `ana@x.org` match.
    mac.update(address_key(address).as_bytes());
    mac
}

/// Hex HMAC-SHA256 of the address (lower case) under `secret`.
pub fn unsubscribe_token(secret: &Secret, address: &str) -> String {
    hex::encode(mac(secret, address).finalize().into_bytes())
}

/// Checks a token in constant time.
pub fn verify_token(secret: &Secret, address: &str, token: &str) -> bool {
    // Longer than any HMAC-SHA256: not worth decoding.
    if token.len() > 128 {
        return false;
    }
    let Ok(bytes) = hex::decode(token) else {
        return false;
    };
    mac(secret, address).verify_slice(&bytes).is_ok()
}

/// `{base_url}unsubscribe?a=<address, percent-encoded>&t=<token>`.
pub fn unsubscribe_url(base_url: &str, secret: &Secret, address: &str) -> String {
    format!(
        "{base_url}unsubscribe?a={}&t={}",
        utf8_percent_encode(address, NOT_UNRESERVED),
        unsubscribe_token(secret, address)
    )
}

/// `<digest.{period}.{hash of address}@{domain of digest.from}>`: the same
/// subscriber and period always give the same id.
pub fn message_id(config: &Config, address: &str, period: &Period) -> String {
    let hash = Sha256::digest(address_key(address).as_bytes());
    let domain = config
        .digest
        .from
        .parse::<Mailbox>()
        .map_or_else(|_| "localhost".to_owned(), |m| m.email.domain().to_owned());
    format!(
        "<digest.{}.{}.{}@{domain}>",
        period.first,
        period.last,
        &hex::encode(hash)[..16]
    )
}

/// Builds the message for `subscriber`.
pub fn build(
    config: &Config,
    subscriber: &Subscriber,
    period: &Period,
    rendered: &Rendered,
    unsubscribe_url: &str,
    date: DateTime<Utc>,
) -> Result<Message, MessageError> {
    let address = subscriber.address.to_string();
    let build_error = |message: String| MessageError::Build {
        to: address.clone(),
        message,
    };
    let from: Mailbox = config
        .digest
        .from
        .parse()
        .map_err(|e| MessageError::From(config.digest.from.clone(), format!("{e}")))?;
    let name = subscriber
        .name
        .as_deref()
        .map(clean_line)
        .filter(|n| !n.is_empty());
    let to = Mailbox::new(name, subscriber.address.clone());
    if unsubscribe_url.contains(|c: char| !c.is_ascii_graphic()) {
        return Err(build_error(format!(
            "the unsubscribe URL `{unsubscribe_url}` is not printable ASCII"
        )));
    }
    let mailto = format!(
        "mailto:{}?subject=unsubscribe",
        utf8_percent_encode(&config.digest.unsubscribe_mailto, NOT_UNRESERVED_OR_AT)
    );
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(clean_line(&rendered.subject))
        .date(SystemTime::from(date))
        .message_id(Some(message_id(config, &address, period)))
        .raw_header(header("List-Id", list_id(config)))
        .raw_header(header(
            "List-Unsubscribe",
            format!("<{unsubscribe_url}>, <{mailto}>"),
        ))
        .raw_header(header(
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click".to_owned(),
        ));
    let message = match &rendered.html {
        Some(html) => {
            // A boundary from the content: the same digest gives the same
            // bytes, and no archive text can contain its own hash.
            let mut hash = Sha256::new();
            hash.update(rendered.text.as_bytes());
            hash.update(html.as_bytes());
            let boundary = format!("sf-{}", &hex::encode(hash.finalize())[..40]);
            builder.multipart(
                MultiPart::alternative()
                    .boundary(boundary)
                    .singlepart(SinglePart::plain(rendered.text.clone()))
                    .singlepart(SinglePart::html(html.clone())),
            )
        }
        None => builder.singlepart(SinglePart::plain(rendered.text.clone())),
    };
    let mut message = message.map_err(|e| build_error(e.to_string()))?;
    dkim::sign(config.digest.dkim.as_ref(), &mut message);
    Ok(message)
}

/// `List-Id: "Site title" <list.id>`; the phrase only when it is plain
/// printable ASCII (an encoded word is not allowed in a quoted string).
fn list_id(config: &Config) -> String {
    let title = clean_line(&config.title);
    let id = clean_line(&config.digest.list_id).replace(['<', '>', ' '], "");
    if !title.is_empty() && title.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        let quoted = title.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{quoted}\" <{id}>")
    } else {
        format!("<{id}>")
    }
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// Every byte but the unreserved characters of RFC 3986 (`A-Z a-z 0-9 - . _ ~`)
/// is percent-encoded (non-ASCII too: `utf8_percent_encode` always does).
pub(crate) const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The same with `@` kept, for the address in a `mailto:` URL.
const NOT_UNRESERVED_OR_AT: &AsciiSet = &NOT_UNRESERVED.remove(b'@');

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret(b"test secret".to_vec())
    }

    #[test]
    fn tokens_verify_only_for_their_address_and_secret() {
        let token = unsubscribe_token(&secret(), "ana@example.org");
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(verify_token(&secret(), "ana@example.org", &token));
        // The state's key: case and surrounding space do not matter.
        assert!(verify_token(&secret(), " Ana@Example.ORG", &token));
        assert!(verify_token(
            &secret(),
            "ana@example.org",
            &token.to_uppercase()
        ));
        assert!(!verify_token(&secret(), "bob@example.org", &token));
        assert!(!verify_token(
            &Secret(b"other".to_vec()),
            "ana@example.org",
            &token
        ));
        for bad in [
            "",
            "00",
            &token[..63],
            &token[..62],
            "zz",
            &format!("{token}00"),
        ] {
            assert!(!verify_token(&secret(), "ana@example.org", bad), "{bad}");
        }
    }

    #[test]
    fn unsubscribe_urls_encode_the_address() {
        let url = unsubscribe_url("https://x.org/news/", &secret(), "a+b&c=d@example.org");
        let token = unsubscribe_token(&secret(), "a+b&c=d@example.org");
        assert_eq!(
            url,
            format!("https://x.org/news/unsubscribe?a=a%2Bb%26c%3Dd%40example.org&t={token}")
        );
    }

    /// The hand-written encoder the `AsciiSet`s replaced: every byte but
    /// unreserved characters (RFC 3986) and `keep`, upper-case hex.
    fn percent_encode_by_hand(text: &str, keep: &[u8]) -> String {
        let mut out = String::new();
        for &b in text.as_bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    #[test]
    fn percent_encoding_is_byte_for_byte_the_hand_written_one() {
        let mut texts: Vec<String> = (0..=127u8).map(|b| char::from(b).to_string()).collect();
        texts.push((0..=127u8).map(char::from).collect());
        texts.extend(
            [
                "Ana.Pérez+digest@example.org",
                "名前@例え.jp",
                "a b&c=d?e#f/g%h@i",
                "\u{7f}\u{80}\u{ff}\u{100}\u{10ffff}",
                "😀~_-.",
            ]
            .map(str::to_owned),
        );
        for text in &texts {
            assert_eq!(
                utf8_percent_encode(text, NOT_UNRESERVED).to_string(),
                percent_encode_by_hand(text, b""),
                "{text:?}"
            );
            assert_eq!(
                utf8_percent_encode(text, NOT_UNRESERVED_OR_AT).to_string(),
                percent_encode_by_hand(text, b"@"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn hex_is_lower_case_and_tokens_decode_as_before() {
        let all: Vec<u8> = (0..=255).collect();
        let by_hand: String = all.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex::encode(&all), by_hand);
        // Upper case is accepted; odd lengths and non-hex digits are not.
        assert_eq!(hex::decode("00aBfF").unwrap(), [0x00, 0xab, 0xff]);
        for bad in ["0", "abc", "0g", "g0", "+1", " 1", "é1", "１２"] {
            assert!(hex::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn list_id_quotes_the_title_or_leaves_it_out() {
        let mut config = Config {
            title: "UNODC \"stories\"".to_owned(),
            ..Config::default()
        };
        assert_eq!(
            list_id(&config),
            "\"UNODC \\\"stories\\\"\" <digest.storyfeed.example.org>"
        );
        config.title = "Histoires de l’ONUDC".to_owned();
        assert_eq!(list_id(&config), "<digest.storyfeed.example.org>");
    }
}
