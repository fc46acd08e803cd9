//! A rendered digest as an Internet message (lettre's builder): headers
//! (From, To, Date, Message-ID, List-Id, List-Unsubscribe, List-Unsubscribe-Post),
//! multipart/alternative with plain text first and HTML last, UTF-8.
//! Also the signed unsubscribe tokens (HMAC-SHA256 of the address).

use chrono::{DateTime, Utc};
use lettre::Message;
use thiserror::Error;

use super::period::Period;
use super::render::Rendered;
use super::subscribers::Subscriber;
use crate::config::Config;

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

/// Hex HMAC-SHA256 of the address (lower case) under `secret`.
pub fn unsubscribe_token(secret: &Secret, address: &str) -> String {
    let _ = (secret, address);
    todo!()
}

/// Checks a token in constant time.
pub fn verify_token(secret: &Secret, address: &str, token: &str) -> bool {
    let _ = (secret, address, token);
    todo!()
}

/// `{base_url}unsubscribe?a=<address, percent-encoded>&t=<token>`.
pub fn unsubscribe_url(base_url: &str, secret: &Secret, address: &str) -> String {
    let _ = (base_url, secret, address);
    todo!()
}

/// `<digest.{period}.{hash of address}@{domain of digest.from}>`: the same
/// subscriber and period always give the same id.
pub fn message_id(config: &Config, address: &str, period: &Period) -> String {
    let _ = (config, address, period);
    todo!()
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
    let _ = (config, subscriber, period, rendered, unsubscribe_url, date);
    todo!()
}
