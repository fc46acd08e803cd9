//! What `storyfeed bounces` writes and `subscribers stats` reads: each
//! report once (by its id), the bounces and complaints it carried, and the
//! suppressions they cause: a permanent failure or a complaint at once,
//! temporary failures after `limit` within a window of days.

use std::collections::BTreeMap;

use super::db::{vals, DbError, Handle};
use super::{Store, StoreError};
use crate::digest::state::address_key;
use chrono::{DateTime, Duration, SecondsFormat, Utc};

/// What a report says of one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BounceKind {
    /// A permanent failure (5.x.x): suppressed at once.
    Hard,
    /// A temporary one (4.x.x, or `delayed`): suppressed after a few.
    Soft,
    /// A complaint (an ARF report): suppressed at once.
    Complaint,
}

impl BounceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BounceKind::Hard => "hard",
            BounceKind::Soft => "soft",
            BounceKind::Complaint => "complaint",
        }
    }
}

/// One report to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BounceReport {
    /// Its Message-ID, or `sha256:<hex>` of its bytes.
    pub id: String,
    /// `dsn` or `complaint`.
    pub complaint: bool,
    /// The report's date (not later than now).
    pub at: DateTime<Utc>,
    /// (address, kind, status code or feedback type), one per address.
    pub events: Vec<(String, BounceKind, String)>,
}

/// When temporary failures suppress an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoftRule {
    pub limit: u32,
    pub window_days: u32,
}

/// What recording did for one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Suppressed now, with this reason (`bounced`, `complaint`).
    Suppressed(&'static str),
    /// It was suppressed already (unsubscribed, or an earlier bounce).
    AlreadySuppressed,
    /// A temporary failure counted: this many within the window.
    Counted(u32),
}

/// What became of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Read before: nothing counted again.
    Duplicate,
    /// Each event's effect, in order.
    New(Vec<Effect>),
}

/// One month's mail and what came back, for `subscribers stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthCounts {
    /// Digests and sign-up mails that went out.
    pub sent: u64,
    pub hard: u64,
    pub soft: u64,
    pub complaints: u64,
}

/// RFC 3339 in UTC with `Z`, so that times compare as strings.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Store {
    /// Records a report and its bounces, and suppresses what they call
    /// for, in one transaction; a report already recorded changes nothing.
    pub fn record_bounce_report(
        &self,
        report: &BounceReport,
        rule: SoftRule,
    ) -> Result<Recorded, StoreError> {
        let at = stamp(report.at);
        let since = stamp(report.at - Duration::days(i64::from(rule.window_days)));
        let read_at = stamp(Utc::now());
        let kind = if report.complaint { "complaint" } else { "dsn" };
        self.write(|tx| {
            let new = tx.execute(
                "INSERT INTO reports (report_id, kind, at, read_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (report_id) DO NOTHING",
                vals![&report.id, kind, &at, &read_at],
            )?;
            if new == 0 {
                return Ok(Recorded::Duplicate);
            }
            let mut effects = Vec::new();
            for (address, kind, status) in &report.events {
                let key = address_key(address);
                tx.execute(
                    "INSERT INTO bounces (address, kind, status, report_id, at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    vals![&key, kind.as_str(), status, &report.id, &at],
                )?;
                let effect = match kind {
                    BounceKind::Hard => suppress(tx, &key, "bounced", &at)?,
                    BounceKind::Complaint => suppress(tx, &key, "complaint", &at)?,
                    BounceKind::Soft => {
                        let count = tx
                            .query_opt(
                                "SELECT COUNT(*) FROM bounces
                                 WHERE address = ?1 AND kind = 'soft' AND at > ?2 AND at <= ?3",
                                vals![&key, &since, &at],
                            )?
                            .map(|r| r.int(0))
                            .transpose()?
                            .unwrap_or(0);
                        let count = u32::try_from(count).unwrap_or(u32::MAX);
                        if count >= rule.limit {
                            suppress(tx, &key, "bounced", &at)?
                        } else {
                            Effect::Counted(count)
                        }
                    }
                };
                effects.push(effect);
            }
            Ok(Recorded::New(effects))
        })
    }

    /// Every address the database knows (subscribers, the delivery
    /// journal, sign-up mails), by key: whom a VERP token may name.
    pub fn known_addresses(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            c.query(
                "SELECT address FROM subscribers UNION SELECT address FROM deliveries
                 UNION SELECT address FROM mail_queue ORDER BY 1",
                &[],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect()
        })
    }

    /// The bounces recorded, as (address, kind, status, at), oldest first.
    pub fn bounces(&self) -> Result<Vec<(String, String, String, String)>, StoreError> {
        self.read(|c| {
            c.query(
                "SELECT address, kind, status, at FROM bounces ORDER BY at, id",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?, r.text(2)?, r.text(3)?)))
            .collect()
        })
    }

    /// Per month (`2026-11`): mail sent, and the bounces and complaints
    /// reported (by the report's date).
    pub fn monthly_mail_counts(&self) -> Result<BTreeMap<String, MonthCounts>, StoreError> {
        self.read(|c| {
            let mut months: BTreeMap<String, MonthCounts> = BTreeMap::new();
            let sent = c.query(
                "SELECT substr(at, 1, 7), COUNT(*) FROM deliveries WHERE status = 'sent' GROUP BY 1
                 UNION ALL
                 SELECT substr(sent_at, 1, 7), COUNT(*) FROM mail_queue
                 WHERE status = 'sent' AND sent_at IS NOT NULL GROUP BY 1",
                &[],
            )?;
            for r in &sent {
                months.entry(r.text(0)?).or_default().sent += r.int(1)?.unsigned_abs();
            }
            let bounced = c.query(
                "SELECT substr(at, 1, 7), kind, COUNT(*) FROM bounces GROUP BY 1, 2",
                &[],
            )?;
            for r in &bounced {
                let counts = months.entry(r.text(0)?).or_default();
                let n = r.int(2)?.unsigned_abs();
                match r.text(1)?.as_str() {
                    "hard" => counts.hard += n,
                    "soft" => counts.soft += n,
                    _ => counts.complaints += n,
                }
            }
            Ok(months)
        })
    }
}

fn suppress(
    tx: &mut Handle<'_>,
    key: &str,
    reason: &'static str,
    at: &str,
) -> Result<Effect, DbError> {
    let added = tx.execute(
        "INSERT INTO suppressions (address, reason, via, at) VALUES (?1, ?2, 'bounces', ?3)
         ON CONFLICT (address) DO NOTHING",
        vals![key, reason, at],
    )?;
    Ok(if added == 1 {
        Effect::Suppressed(reason)
    } else {
        Effect::AlreadySuppressed
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn report(id: &str, day: u32, events: &[(&str, BounceKind)]) -> BounceReport {
        BounceReport {
            id: id.to_owned(),
            complaint: false,
            at: Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).unwrap(),
            events: events
                .iter()
                .map(|(a, k)| ((*a).to_owned(), *k, "4.2.2".to_owned()))
                .collect(),
        }
    }

    const RULE: SoftRule = SoftRule {
        limit: 3,
        window_days: 14,
    };

    #[test]
    fn soft_bounces_suppress_after_the_limit_within_the_window_only() {
        let store = Store::snapshot(std::path::Path::new("/nonexistent/storyfeed.db")).unwrap();
        let soft = [("ana@example.org", BounceKind::Soft)];
        // 1, 10, 20 November: never three within 14 days.
        for (id, day) in [("<a>", 1), ("<b>", 10), ("<c>", 20)] {
            let done = store.record_bounce_report(&report(id, day, &soft), RULE);
            assert!(
                matches!(done, Ok(Recorded::New(ref e)) if matches!(e[0], Effect::Counted(_))),
                "{done:?}"
            );
        }
        assert!(!store.is_suppressed("ana@example.org").unwrap());
        // 22 November: 10, 20, 22 are within 14 days.
        let done = store
            .record_bounce_report(&report("<d>", 22, &soft), RULE)
            .unwrap();
        assert_eq!(done, Recorded::New(vec![Effect::Suppressed("bounced")]));
        assert!(store.is_suppressed("Ana@example.org").unwrap());
        // The same report again counts nothing.
        assert_eq!(
            store
                .record_bounce_report(&report("<d>", 22, &soft), RULE)
                .unwrap(),
            Recorded::Duplicate
        );
        assert_eq!(store.bounces().unwrap().len(), 4);
    }

    #[test]
    fn hard_bounces_and_complaints_suppress_at_once_and_are_counted_by_month() {
        let store = Store::snapshot(std::path::Path::new("/nonexistent/storyfeed.db")).unwrap();
        let done = store
            .record_bounce_report(
                &report(
                    "<x>",
                    3,
                    &[
                        ("bob@example.org", BounceKind::Hard),
                        ("cy@example.org", BounceKind::Complaint),
                    ],
                ),
                RULE,
            )
            .unwrap();
        assert_eq!(
            done,
            Recorded::New(vec![
                Effect::Suppressed("bounced"),
                Effect::Suppressed("complaint")
            ])
        );
        let reasons: Vec<(String, String)> = store
            .suppressions()
            .unwrap()
            .into_iter()
            .map(|s| (s.address, s.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                ("bob@example.org".to_owned(), "bounced".to_owned()),
                ("cy@example.org".to_owned(), "complaint".to_owned())
            ]
        );
        let months = store.monthly_mail_counts().unwrap();
        let nov = &months["2026-11"];
        assert_eq!((nov.hard, nov.soft, nov.complaints, nov.sent), (1, 0, 1, 0));
    }
}
