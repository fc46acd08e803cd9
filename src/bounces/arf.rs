//! The `message/feedback-report` part of a complaint (ARF, RFC 5965 §3):
//! its type and the original envelope's sender and recipients.

use super::dsn::typed_address;
use super::report::field_groups;

/// What a complaint report says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feedback {
    /// `abuse`, `fraud`, `not-spam`, … (lower case; `abuse` when missing).
    pub feedback_type: String,
    /// `Original-Mail-From:`: the envelope sender, our VERP address.
    pub original_mail_from: Option<String>,
    /// `Original-Rcpt-To:` (often withheld by the mailbox provider).
    pub original_rcpt_to: Vec<String>,
}

impl Feedback {
    /// Whether the report is a complaint; `not-spam` is the opposite.
    pub fn is_complaint(&self) -> bool {
        self.feedback_type != "not-spam"
    }
}

/// Reads the fields of a feedback-report body.
pub fn feedback(body: &[u8]) -> Feedback {
    let mut feedback = Feedback::default();
    for (name, value) in field_groups(body).into_iter().flatten() {
        match name.as_str() {
            "feedback-type" => {
                feedback.feedback_type = value
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
            }
            "original-mail-from" => feedback.original_mail_from = typed_address(&value),
            "original-rcpt-to" => feedback.original_rcpt_to.extend(typed_address(&value)),
            _ => {}
        }
    }
    if feedback.feedback_type.is_empty() {
        feedback.feedback_type = "abuse".to_owned();
    }
    feedback
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_and_a_missing_type_is_abuse() {
        let f = feedback(
            b"Feedback-Type: abuse\r\nUser-Agent: Example-FBL/1.0\r\nVersion: 1\r\n\
              Original-Mail-From: <bounces+tok@example.org>\r\nOriginal-Rcpt-To: <ana@example.net>\r\n",
        );
        assert_eq!(f.feedback_type, "abuse");
        assert_eq!(
            f.original_mail_from.as_deref(),
            Some("bounces+tok@example.org")
        );
        assert_eq!(f.original_rcpt_to, ["ana@example.net"]);
        assert!(f.is_complaint());
        assert_eq!(feedback(b"Version: 1\r\n").feedback_type, "abuse");
        assert!(!feedback(b"Feedback-Type: not-spam\r\n").is_complaint());
    }
}
