//! `storyfeed bounces`: reads delivery status notifications (RFC 3464)
//! and complaint reports (ARF, RFC 5965) from a maildir, an mbox file or
//! standard input, finds whose mail each is about, and records it: a
//! permanent failure or a complaint suppresses the address at once,
//! temporary failures after `digest.soft_bounce_limit` within
//! `digest.soft_bounce_window_days`. Anything else is reported and left
//! alone. A report is counted once however often it is read (its id is
//! kept in the database).
//!
//! Whose mail: the VERP token of the envelope sender (where the bounce was
//! delivered, or the report's copy of the sender) first, since it is
//! signed and survives forwarding; then, for a complaint, the signed
//! List-Unsubscribe link of the returned message; last the recipient the
//! report names, if the database knows it.
//!
//! - [`report`]: one message read with mail-parser ([`report::Parsed`]).
//! - [`dsn`], [`arf`]: the fields of the two report parts.
//! - [`source`]: maildir, mbox, stdin.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use lettre::Address;
use thiserror::Error;

use crate::config::Config;
use crate::digest::deliver::{load_secret, RunError};
use crate::digest::message::{verify_token, Secret};
use crate::digest::state::address_key;
use crate::store::bounces::{BounceKind, BounceReport, Effect, Recorded, SoftRule};
use crate::store::{Store, StoreError};
use crate::verp;

pub mod arf;
pub mod dsn;
pub mod report;
pub mod source;

pub use source::{Input, Item, Unreadable};

#[derive(Debug, Error)]
pub enum BouncesError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] RunError),
}

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

/// What a run needs besides the store.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `digest.bounce_address`: VERP tokens are looked for only with it.
    pub bounce: Option<Address>,
    /// Verifies VERP tokens and unsubscribe links; without it, only the
    /// recipients reports name are matched.
    pub secret: Option<Secret>,
    pub rule: SoftRule,
}

impl Settings {
    pub fn from_config(config: &Config) -> Result<Settings, BouncesError> {
        let d = &config.digest;
        Ok(Settings {
            bounce: d.bounce_address.as_deref().and_then(|a| a.parse().ok()),
            secret: load_secret(config)?,
            rule: SoftRule {
                limit: d.soft_bounce_limit,
                window_days: d.soft_bounce_window_days,
            },
        })
    }
}

/// Reads `input` and records what it finds in the config's database,
/// handing each message's outcome to `sink` as it is done.
pub fn run(
    config: &Config,
    input: &Input,
    sink: &mut dyn FnMut(&Outcome),
) -> Result<Summary, BouncesError> {
    let settings = Settings::from_config(config)?;
    let store = crate::store::admin::open(config)?;
    let mut summary = run_with(&store, &settings, input, sink)?;
    if settings.secret.is_none() {
        summary.notes.push(format!(
            "no {} (or digest.secret_file): VERP tokens and unsubscribe links were not checked, \
             only the recipients reports name",
            config.digest.secret_env
        ));
    }
    Ok(summary)
}

/// [`run`] on a given store and settings.
pub fn run_with(
    store: &Store,
    settings: &Settings,
    input: &Input,
    sink: &mut dyn FnMut(&Outcome),
) -> Result<Summary, BouncesError> {
    let resolver = Resolver::new(store, settings)?;
    let mut summary = Summary::default();
    let mut error = None;
    let mut unreadable = Vec::new();
    source::read(
        input,
        &mut |item| {
            if error.is_some() {
                return;
            }
            match process(store, settings, &resolver, item) {
                Ok(outcome) => {
                    summary.add(&outcome);
                    sink(&outcome);
                }
                Err(e) => error = Some(e),
            }
        },
        &mut |u| unreadable.push(u),
    );
    summary.unreadable = unreadable;
    match error {
        Some(e) => Err(e.into()),
        None => Ok(summary),
    }
}

/// Whom tokens, links and recipients name.
struct Resolver<'a> {
    settings: &'a Settings,
    index: verp::Index,
    known: HashSet<String>,
}

impl<'a> Resolver<'a> {
    fn new(store: &Store, settings: &'a Settings) -> Result<Resolver<'a>, StoreError> {
        let known: HashSet<String> = store.known_addresses()?.into_iter().collect();
        let index = match (&settings.secret, &settings.bounce) {
            (Some(secret), Some(_)) => verp::Index::new(&secret.0, known.iter().cloned()),
            _ => verp::Index::default(),
        };
        Ok(Resolver {
            settings,
            index,
            known,
        })
    }

    /// The address of the first VERP address among `candidates` whose
    /// token is one of ours.
    fn verp(&self, candidates: &[String]) -> Option<String> {
        let bounce = self.settings.bounce.as_ref()?;
        candidates
            .iter()
            .filter_map(|c| verp::token_in(c, bounce))
            .find_map(|t| self.index.address(&t).map(str::to_owned))
    }

    /// The address of our signed unsubscribe link in a `List-Unsubscribe:`.
    fn list_unsubscribe(&self, value: Option<&str>) -> Option<String> {
        let secret = self.settings.secret.as_ref()?;
        value?
            .split([',', ' '])
            .map(|v| v.trim().trim_start_matches('<').trim_end_matches('>'))
            .filter_map(|v| url::Url::parse(v).ok())
            .find_map(|url| {
                let (mut a, mut t) = (None, None);
                for (key, value) in url.query_pairs() {
                    match key.as_ref() {
                        "a" => a = Some(value.into_owned()),
                        "t" => t = Some(value.into_owned()),
                        _ => {}
                    }
                }
                let (a, t) = (a?, t?);
                verify_token(secret, &a, &t).then(|| address_key(&a))
            })
    }

    fn known(&self, address: &str) -> Option<String> {
        let key = address_key(address);
        self.known.contains(&key).then_some(key)
    }
}

/// One message: read, matched, recorded.
fn process(
    store: &Store,
    settings: &Settings,
    resolver: &Resolver<'_>,
    item: Item,
) -> Result<Outcome, StoreError> {
    let parsed = report::parse(&item.bytes);
    let verp_address = resolver.verp(&parsed.verp_candidates);
    let mut findings: Vec<Finding> = Vec::new();
    let what = match &parsed.kind {
        report::Kind::Dsn(recipients) => {
            let failed: Vec<(&dsn::DsnRecipient, BounceKind)> = recipients
                .iter()
                .filter_map(|r| r.kind().map(|k| (r, k)))
                .collect();
            if failed.is_empty() {
                What::DeliveryNotice
            } else {
                if let Some(address) = &verp_address {
                    // One recipient a message: the worst failure is theirs.
                    let (r, kind) = failed
                        .iter()
                        .min_by_key(|(_, k)| *k)
                        .copied()
                        .unwrap_or(failed[0]);
                    findings.push(finding(
                        address,
                        Some(address),
                        kind,
                        &r.status,
                        MatchedBy::Verp,
                    ));
                } else {
                    for (r, kind) in &failed {
                        let named = r.final_recipient.iter().chain(&r.original_recipient);
                        let known = named.clone().find_map(|a| resolver.known(a));
                        let shown = named.clone().next().cloned().unwrap_or_default();
                        let by = if known.is_some() {
                            MatchedBy::Recipient
                        } else {
                            MatchedBy::Nobody
                        };
                        findings.push(finding(&shown, known.as_deref(), *kind, &r.status, by));
                    }
                }
                What::Bounce
            }
        }
        report::Kind::Complaint(feedback) => {
            if feedback.is_complaint() {
                let (address, by) = if let Some(a) = verp_address.clone() {
                    (Some(a), MatchedBy::Verp)
                } else if let Some(a) =
                    resolver.list_unsubscribe(parsed.original.list_unsubscribe.as_deref())
                {
                    (Some(a), MatchedBy::ListUnsubscribe)
                } else {
                    let named = feedback.original_rcpt_to.iter().chain(&parsed.original.to);
                    match named.clone().find_map(|a| resolver.known(a)) {
                        Some(a) => (Some(a), MatchedBy::Recipient),
                        None => (named.clone().next().cloned(), MatchedBy::Nobody),
                    }
                };
                let shown = address.clone().unwrap_or_default();
                let known = address.filter(|_| by != MatchedBy::Nobody);
                findings.push(finding(
                    &shown,
                    known.as_deref(),
                    BounceKind::Complaint,
                    &feedback.feedback_type,
                    by,
                ));
            }
            What::Complaint(feedback.feedback_type.clone())
        }
        report::Kind::AutoReply => What::AutoReply,
        report::Kind::Other => What::Other,
        report::Kind::Unreadable => What::Unreadable,
    };
    // One event per address, the worst kept.
    findings.sort_by(|a, b| (&a.address, a.kind).cmp(&(&b.address, b.kind)));
    findings.dedup_by(|b, a| a.address.is_some() && a.address == b.address);
    let events: Vec<(String, BounceKind, String)> = findings
        .iter()
        .filter_map(|f| f.address.clone().map(|a| (a, f.kind, f.status.clone())))
        .collect();
    let mut duplicate = false;
    if !events.is_empty() {
        let now = Utc::now();
        let at = parsed
            .date
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .filter(|d| *d <= now)
            .unwrap_or(now);
        let report = BounceReport {
            id: parsed.id.clone(),
            complaint: matches!(what, What::Complaint(_)),
            at,
            events,
        };
        match store.record_bounce_report(&report, settings.rule)? {
            Recorded::Duplicate => duplicate = true,
            Recorded::New(effects) => {
                let mut effects = effects.into_iter();
                for f in findings.iter_mut().filter(|f| f.address.is_some()) {
                    f.effect = effects.next();
                }
            }
        }
    }
    Ok(Outcome {
        source: item.name,
        what,
        findings,
        duplicate,
    })
}

fn finding(
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
    fn add(&mut self, outcome: &Outcome) {
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
