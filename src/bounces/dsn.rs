//! The `message/delivery-status` part of a DSN (RFC 3464 §2): per-message
//! fields, then one group per recipient with its `Action` and `Status`;
//! what each recipient's failure is.

use super::report::field_groups;
use crate::store::bounces::BounceKind;

/// One recipient group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsnRecipient {
    /// `Final-Recipient:`, the address part (after `rfc822;`).
    pub final_recipient: Option<String>,
    /// `Original-Recipient:`, likewise.
    pub original_recipient: Option<String>,
    /// `failed`, `delayed`, `delivered`, `relayed`, `expanded` (lower case).
    pub action: String,
    /// The status code (`5.1.1`), or empty when none is given.
    pub status: String,
}

impl DsnRecipient {
    /// A failed delivery with a 5.x.x (or no) status is permanent; a
    /// `delayed` one, or any 4.x.x, temporary; a delivery or a relay is no
    /// bounce.
    pub fn kind(&self) -> Option<BounceKind> {
        match self.action.as_str() {
            "failed" if self.status.starts_with('4') => Some(BounceKind::Soft),
            "failed" => Some(BounceKind::Hard),
            "delayed" => Some(BounceKind::Soft),
            _ => None,
        }
    }
}

/// The recipient groups of a delivery-status body, and any sender named
/// in its per-message fields (Postfix's `X-Postfix-Sender:` holds the
/// envelope sender: our VERP address).
pub fn recipients(body: &[u8]) -> (Vec<String>, Vec<DsnRecipient>) {
    let mut senders = Vec::new();
    let mut recipients = Vec::new();
    for (i, group) in field_groups(body).into_iter().enumerate() {
        let mut recipient = DsnRecipient::default();
        let mut is_recipient = false;
        for (name, value) in group {
            match name.as_str() {
                "final-recipient" => {
                    recipient.final_recipient = typed_address(&value);
                    is_recipient = true;
                }
                "original-recipient" => recipient.original_recipient = typed_address(&value),
                "action" => {
                    recipient.action = value
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    is_recipient = true;
                }
                "status" => recipient.status = status_code(&value).unwrap_or_default(),
                "x-postfix-sender" | "original-envelope-sender" if i == 0 => {
                    senders.extend(typed_address(&value));
                }
                _ => {}
            }
        }
        if is_recipient {
            recipients.push(recipient);
        }
    }
    (senders, recipients)
}

/// `rfc822; ana@example.org` → `ana@example.org` (a value with no type is
/// taken as it is).
pub(super) fn typed_address(value: &str) -> Option<String> {
    let address = value.split_once(';').map_or(value, |(_, a)| a);
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    address.contains('@').then(|| address.to_owned())
}

/// The `class.subject.detail` code at the start of a `Status:` value.
fn status_code(value: &str) -> Option<String> {
    let code = value.split_whitespace().next()?;
    let mut parts = code.split('.');
    let class = parts.next()?;
    let ok = matches!(class, "2" | "4" | "5")
        && parts.clone().count() == 2
        && parts.all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_codes_decide_the_kind() {
        let r = |action: &str, status: &str| DsnRecipient {
            action: action.to_owned(),
            status: status.to_owned(),
            ..DsnRecipient::default()
        };
        assert_eq!(r("failed", "5.1.1").kind(), Some(BounceKind::Hard));
        assert_eq!(r("failed", "").kind(), Some(BounceKind::Hard));
        assert_eq!(r("failed", "4.4.7").kind(), Some(BounceKind::Soft));
        assert_eq!(r("delayed", "4.4.1").kind(), Some(BounceKind::Soft));
        assert_eq!(r("delivered", "2.0.0").kind(), None);
        assert_eq!(r("relayed", "2.0.0").kind(), None);
        assert_eq!(
            status_code("5.1.10 (RecipientNotFound)").as_deref(),
            Some("5.1.10")
        );
        assert_eq!(status_code("550 5.1.1"), None);
        assert_eq!(status_code("5.1"), None);
        assert_eq!(
            typed_address("rfc822;<Ana@Example.org>").as_deref(),
            Some("Ana@Example.org")
        );
        assert_eq!(typed_address("x400; no-at-sign"), None);
    }

    #[test]
    fn recipient_groups_are_read_with_the_postfix_sender() {
        let body = b"Reporting-MTA: dns; mx.example.org\nX-Postfix-Sender: rfc822; bounces+abc@example.org\n\n\
            Final-Recipient: rfc822; ana@example.net\nAction: failed\nStatus: 5.1.1\n\n\
            Final-Recipient: rfc822; bob@example.net\nAction: Delayed (retrying)\nStatus: 4.4.1\n";
        let (senders, recipients) = recipients(body);
        assert_eq!(senders, ["bounces+abc@example.org"]);
        assert_eq!(recipients.len(), 2);
        assert_eq!(
            recipients[0].final_recipient.as_deref(),
            Some("ana@example.net")
        );
        assert_eq!(recipients[1].action, "delayed");
        assert_eq!(recipients[1].kind(), Some(BounceKind::Soft));
    }
}
