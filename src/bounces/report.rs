//! One message read with mail-parser: what it is (a delivery status
//! notification, a complaint report, an auto-reply, other mail or no
//! mail at all), its id and date, and every place an address of ours
//! may show: the bounce's own recipients (where the VERP address lands),
//! the report's fields, and the headers of the original message it
//! returns. Pure: bytes in, a [`Parsed`] out, whatever the bytes.

use mail_parser::{HeaderName, HeaderValue, Message, MessageParser, MimeHeaders};
use sha2::{Digest as _, Sha256};

use super::arf::{self, Feedback};
use super::dsn::{self, DsnRecipient};

/// What a message is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// RFC 3464: a recipient group per address.
    Dsn(Vec<DsnRecipient>),
    /// RFC 5965.
    Complaint(Feedback),
    /// Out-of-office and other automatic answers (RFC 3834).
    AutoReply,
    /// Mail, but neither of the above.
    Other,
    /// Not readable as a message.
    Unreadable,
}

/// A message, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// `mid:<Message-ID>`, or `sha256:<hex>` of the bytes without one.
    pub id: String,
    /// Unix seconds of its `Date:`.
    pub date: Option<i64>,
    pub kind: Kind,
    /// Addresses where a VERP sender may show: the bounce's Delivered-To,
    /// X-Original-To and To, the report's Original-Mail-From (ARF) or
    /// X-Postfix-Sender, the original's Return-Path.
    pub verp_candidates: Vec<String>,
    /// The original message's headers, when the report returns them.
    pub original: Original,
}

/// What the returned original says of its recipient.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Original {
    pub to: Vec<String>,
    /// The `List-Unsubscribe:` value (our signed link names the address).
    pub list_unsubscribe: Option<String>,
}

/// Reads `bytes`; never fails, never panics.
pub fn parse(bytes: &[u8]) -> Parsed {
    let id_of_bytes = || format!("sha256:{}", hex::encode(Sha256::digest(bytes)));
    let unreadable = || Parsed {
        id: id_of_bytes(),
        date: None,
        kind: Kind::Unreadable,
        verp_candidates: Vec::new(),
        original: Original::default(),
    };
    let Some(message) = MessageParser::default().parse(bytes) else {
        return unreadable();
    };
    // A message has a From: or a Date: at least; anything else is junk
    // that mail-parser read as a body.
    if message.from().is_none() && message.date().is_none() && message.message_id().is_none() {
        return unreadable();
    }
    let id = message
        .message_id()
        .map(str::trim)
        .filter(|id| !id.is_empty() && id.len() <= 998)
        .map_or_else(id_of_bytes, |id| format!("mid:{id}"));
    let mut verp_candidates = Vec::new();
    for name in ["Delivered-To", "X-Original-To", "To", "Envelope-To"] {
        verp_candidates.extend(header_addresses(&message, name));
    }
    let mut original = Original::default();
    let mut dsn_body = None;
    let mut feedback_body = None;
    for part in message.parts.iter().skip(1) {
        let (ctype, subtype) = part
            .content_type()
            .map(|c| {
                (
                    c.ctype().to_ascii_lowercase(),
                    c.subtype().unwrap_or("").to_ascii_lowercase(),
                )
            })
            .unwrap_or_default();
        match (ctype.as_str(), subtype.as_str()) {
            ("message", "delivery-status" | "global-delivery-status") => {
                dsn_body.get_or_insert_with(|| part.contents().to_vec());
            }
            ("message", "feedback-report") => {
                feedback_body.get_or_insert_with(|| part.contents().to_vec());
            }
            // Read again from its bytes: the header offsets of a nested
            // message are not into its own bytes.
            ("message", "rfc822" | "global") | ("text", "rfc822-headers" | "global-headers") => {
                if let Some(inner) = MessageParser::default().parse_headers(part.contents()) {
                    read_original(&inner, &mut original, &mut verp_candidates);
                }
            }
            _ => {}
        }
    }
    let kind = if let Some(body) = feedback_body {
        let feedback = arf::feedback(&body);
        verp_candidates.extend(feedback.original_mail_from.iter().cloned());
        Kind::Complaint(feedback)
    } else if let Some(body) = dsn_body {
        let (senders, recipients) = dsn::recipients(&body);
        verp_candidates.extend(senders);
        Kind::Dsn(recipients)
    } else if is_auto_reply(&message) {
        Kind::AutoReply
    } else {
        Kind::Other
    };
    Parsed {
        id,
        date: message.date().map(|d| d.to_timestamp()),
        kind,
        verp_candidates,
        original,
    }
}

fn read_original(inner: &Message<'_>, original: &mut Original, verp: &mut Vec<String>) {
    original.to.extend(header_addresses(inner, "To"));
    verp.extend(header_addresses(inner, "Return-Path"));
    if original.list_unsubscribe.is_none() {
        original.list_unsubscribe = raw_header(inner, "List-Unsubscribe");
    }
}

/// RFC 3834's `Auto-Submitted:` (anything but `no`), and the older signs
/// vacation programs leave.
fn is_auto_reply(message: &Message<'_>) -> bool {
    let has = |name: &str| raw_header(message, name);
    if has("Auto-Submitted").is_some_and(|v| !v.eq_ignore_ascii_case("no")) {
        return true;
    }
    if has("X-Autoreply").is_some() || has("X-Autorespond").is_some() {
        return true;
    }
    if has("Precedence").is_some_and(|v| v.eq_ignore_ascii_case("auto_reply")) {
        return true;
    }
    let subject = message.subject().unwrap_or("").to_ascii_lowercase();
    [
        "out of office",
        "automatic reply",
        "auto-reply",
        "autoreply",
    ]
    .iter()
    .any(|s| subject.contains(s))
}

/// The addresses of every `name:` header, however mail-parser read it.
fn header_addresses(message: &Message<'_>, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for header in message.headers() {
        if !header.name.as_str().eq_ignore_ascii_case(name) {
            continue;
        }
        match &header.value {
            HeaderValue::Address(list) => {
                out.extend(list.iter().filter_map(|a| a.address()).map(str::to_owned));
            }
            HeaderValue::Text(text) => out.push(text.trim().to_owned()),
            HeaderValue::TextList(list) => out.extend(list.iter().map(|t| t.trim().to_owned())),
            _ => {
                if let Some(raw) = raw_value(message, header) {
                    out.push(raw);
                }
            }
        }
    }
    out.retain(|a| a.contains('@'));
    out
}

/// The first `name:` header's value as written, unfolded and trimmed.
fn raw_header(message: &Message<'_>, name: &str) -> Option<String> {
    let header = message
        .headers()
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
    raw_value(message, header)
}

fn raw_value(message: &Message<'_>, header: &mail_parser::Header<'_>) -> Option<String> {
    let raw = message.raw_message();
    let bytes = raw.get(header.offset_start as usize..header.offset_end as usize)?;
    Some(unfold(bytes))
}

/// A header value's lines joined, trimmed.
pub(super) fn unfold(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The header-like fields of a report part (RFC 3464 §2.1, RFC 5965 §3.1):
/// groups separated by blank lines, each read by mail-parser's header
/// parser; names lower case, values unfolded.
pub(super) fn field_groups(body: &[u8]) -> Vec<Vec<(String, String)>> {
    let mut groups = Vec::new();
    let mut start = 0;
    let mut at = 0;
    // Split at each blank line (`\n\n` or `\n\r\n`).
    while at < body.len() {
        let line_end = body[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |i| at + i + 1);
        let line = &body[at..line_end];
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            groups.push(&body[start..at]);
            start = line_end;
        }
        at = line_end;
    }
    groups.push(&body[start..]);
    groups
        .into_iter()
        .filter(|g| !g.iter().all(u8::is_ascii_whitespace))
        .map(fields)
        .filter(|g| !g.is_empty())
        .collect()
}

fn fields(group: &[u8]) -> Vec<(String, String)> {
    // mail-parser reads a header block up to a blank line; give it one.
    let mut block = group.to_vec();
    block.extend_from_slice(b"\r\n\r\n");
    let Some(parsed) = MessageParser::default().parse_headers(&block) else {
        return Vec::new();
    };
    parsed
        .headers()
        .iter()
        .filter(|h| !matches!(h.name, HeaderName::Other(ref n) if n.is_empty()))
        .filter_map(|h| {
            let value = block.get(h.offset_start as usize..h.offset_end as usize)?;
            Some((h.name.as_str().to_ascii_lowercase(), unfold(value)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_groups_split_at_blank_lines_and_unfold() {
        let body = b"Reporting-MTA: dns; mx.example.org\r\nArrival-Date: Mon, 2 Nov 2026\r\n\r\n\
            Final-Recipient: rfc822; ana@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\
            Diagnostic-Code: smtp; 550 5.1.1 no such\r\n  user here\r\n\r\n\r\n\
            Final-Recipient: rfc822;bob@example.org\nAction: delayed\nStatus: 4.4.1\n";
        let groups = field_groups(body);
        assert_eq!(groups.len(), 3, "{groups:?}");
        assert_eq!(
            groups[0][0],
            ("reporting-mta".to_owned(), "dns; mx.example.org".to_owned())
        );
        assert!(groups[1].contains(&(
            "diagnostic-code".to_owned(),
            "smtp; 550 5.1.1 no such user here".to_owned()
        )));
        assert!(groups[2].contains(&("action".to_owned(), "delayed".to_owned())));
    }

    #[test]
    fn any_bytes_give_a_verdict() {
        for bytes in [
            &b""[..],
            b"\0\xff\xfe garbage",
            b"From: \r\n\r\n",
            b"Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\n",
            &[0xff; 300],
        ] {
            let parsed = parse(bytes);
            assert!(parsed.id.starts_with("sha256:") || parsed.id.starts_with("mid:"));
        }
        assert_eq!(parse(b"\x00\x01junk").kind, Kind::Unreadable);
    }
}
