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
//! - [`outcome`]: what a message did, and the run's summary, as lines.
//! - [`source`]: maildir, mbox, stdin.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use lettre::Address;
use thiserror::Error;

use crate::config::Config;
use crate::digest::deliver::{load_secret, RunError};
use crate::digest::message::{verify_token, Secret};
use crate::digest::state::address_key;
use crate::store::bounces::{BounceKind, BounceReport, Recorded, SoftRule};
use crate::store::{Store, StoreError};
use crate::verp;

pub mod arf;
pub mod dsn;
pub mod outcome;
pub mod report;
pub mod source;

use outcome::finding;
pub use outcome::{mask, Finding, MatchedBy, Outcome, Summary, What};
pub use source::{Input, Item, Unreadable};

#[derive(Debug, Error)]
pub enum BouncesError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] RunError),
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
