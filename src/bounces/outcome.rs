//! What `storyfeed bounces` reports: per message an [`Outcome`] (what it
//! was, whom it is about, masked, and what was done), per run a
//! [`Summary`]; their lines.

use super::source::Unreadable;
use crate::store::bounces::{BounceKind, Effect};

/// How a report's address was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    /// The signed token of the envelope sender.
    Verp,
    /// The signed unsubscribe link of the returned message.
    ListUnsubscribe,
    /// The recipient the report names (Final-Recipient, Original-Rcpt-To,
    /// the original To), known to the database.
    Recipient,
    /// Nobody the database knows.
    Nobody,
}

/// What a message was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    Bounce,
    /// A complaint report, with its feedback type.
    Complaint(String),
    /// A DSN that reports no failure (delivered, relayed).
    DeliveryNotice,
    AutoReply,
    Other,
    Unreadable,
}

/// One address a report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The address key, when the database knows it.
    pub address: Option<String>,
    /// The address masked for output (`a***@example.org`).
    pub shown: String,
    pub kind: BounceKind,
    /// Status code, or feedback type.
    pub status: String,
    pub matched_by: MatchedBy,
    /// What recording did (`None`: not recorded).
    pub effect: Option<Effect>,
}

/// What was done with one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The file, `mbox #n`, or `stdin`.
    pub source: String,
    pub what: What,
    pub findings: Vec<Finding>,
    /// Read before: nothing counted again.
    pub duplicate: bool,
}

/// The totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub messages: usize,
    pub hard: usize,
    pub soft: usize,
    pub complaints: usize,
    /// Addresses suppressed by this run.
    pub suppressed: usize,
    pub duplicates: usize,
    /// Messages that changed nothing (not reports, or about nobody known).
    pub left_alone: usize,
    pub unreadable: Vec<Unreadable>,
    /// What the operator should know about the run itself (no secret).
    pub notes: Vec<String>,
}

pub(super) fn finding(
    shown: &str,
    address: Option<&str>,
    kind: BounceKind,
    status: &str,
    matched_by: MatchedBy,
) -> Finding {
    Finding {
        address: address.map(str::to_owned),
        shown: mask(shown),
        kind,
        status: status.to_owned(),
        matched_by,
        effect: None,
    }
}

/// `ana@example.org` → `a***@example.org`: enough to tell which, not
/// enough to be a list of addresses in a log.
pub fn mask(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "(no address)".to_owned(),
    }
}

impl Summary {
    pub(super) fn add(&mut self, outcome: &Outcome) {
        self.messages += 1;
        if outcome.duplicate {
            self.duplicates += 1;
            return;
        }
        let mut recorded = false;
        for f in &outcome.findings {
            let Some(effect) = &f.effect else { continue };
            recorded = true;
            match f.kind {
                BounceKind::Hard => self.hard += 1,
                BounceKind::Soft => self.soft += 1,
                BounceKind::Complaint => self.complaints += 1,
            }
            if matches!(effect, Effect::Suppressed(_)) {
                self.suppressed += 1;
            }
        }
        if !recorded {
            self.left_alone += 1;
        }
    }

    /// The run's last line.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} messages: {} hard bounces, {} soft, {} complaints counted; {} addresses suppressed; \
             {} already read; {} left alone",
            self.messages,
            self.hard,
            self.soft,
            self.complaints,
            self.suppressed,
            self.duplicates,
            self.left_alone
        );
        if !self.unreadable.is_empty() {
            line.push_str(&format!("; {} unreadable", self.unreadable.len()));
        }
        line
    }
}

impl std::fmt::Display for What {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            What::Bounce => f.write_str("bounce"),
            What::Complaint(kind) => write!(f, "complaint ({kind})"),
            What::DeliveryNotice => f.write_str("delivery notice, no failure"),
            What::AutoReply => f.write_str("auto-reply"),
            What::Other => f.write_str("not a bounce or complaint"),
            What::Unreadable => f.write_str("not readable as mail"),
        }
    }
}

impl std::fmt::Display for Outcome {
    /// `FILE: bounce: a***@example.org hard 5.1.1 (VERP): suppressed (bounced)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.what)?;
        if self.duplicate {
            return f.write_str(": already read, counted once");
        }
        if self.findings.is_empty() {
            return f.write_str(": left alone");
        }
        for (i, finding) in self.findings.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            write!(f, "{} {}", finding.shown, finding.kind.as_str())?;
            if !finding.status.is_empty() && finding.kind != BounceKind::Complaint {
                write!(f, " {}", finding.status)?;
            }
            let by = match finding.matched_by {
                MatchedBy::Verp => " (VERP token)",
                MatchedBy::ListUnsubscribe => " (unsubscribe link)",
                MatchedBy::Recipient => " (named recipient)",
                MatchedBy::Nobody => "",
            };
            f.write_str(by)?;
            match &finding.effect {
                Some(Effect::Suppressed(reason)) => write!(f, ": suppressed ({reason})")?,
                Some(Effect::AlreadySuppressed) => f.write_str(": already suppressed")?,
                Some(Effect::Counted(n)) => write!(f, ": counted ({n} in the window)")?,
                None => f.write_str(": no subscriber matched, left alone")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked() {
        assert_eq!(mask("ana@example.org"), "a***@example.org");
        assert_eq!(mask("é@x.org"), "é***@x.org");
        assert_eq!(mask(""), "(no address)");
    }
}
