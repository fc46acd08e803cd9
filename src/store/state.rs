//! What a run plans from and the admin reads: suppressions, story
//! arrivals, the rows of the delivery journal.

use chrono::{NaiveDate, Utc};

use super::db::vals;
use super::{Store, StoreError};
use crate::digest::period::Period;
use crate::digest::state::{address_key, State, Status};

impl Store {
    /// Records that `address` wants nothing more; durable on return. Every
    /// digest not yet claimed is affected: claims check suppressions in
    /// their own transaction.
    pub fn unsubscribe(&self, address: &str, via: &str) -> Result<(), StoreError> {
        let key = address_key(address);
        let now = Utc::now().to_rfc3339();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO suppressions (address, reason, via, at) VALUES (?1, 'unsubscribed', ?2, ?3)
                 ON CONFLICT (address) DO NOTHING",
                vals![&key, via, &now],
            )?;
            tx.execute(
                "UPDATE subscribers SET status = 'unsubscribed' WHERE address = ?1",
                vals![&key],
            )?;
            Ok(())
        })
    }

    /// Whether `address` is suppressed (unsubscribed).
    pub fn is_suppressed(&self, address: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            c.exists(
                "SELECT 1 FROM suppressions WHERE address = ?1",
                vals![address_key(address)],
            )
        })
    }

    /// The suppressed addresses, by address.
    pub fn suppressions(&self) -> Result<Vec<Suppression>, StoreError> {
        self.read(|c| {
            c.query(
                "SELECT address, reason, via, at FROM suppressions ORDER BY address",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(Suppression {
                    address: r.text(0)?,
                    reason: r.text(1)?,
                    via: r.text(2)?,
                    at: r.text(3)?,
                })
            })
            .collect()
        })
    }

    /// Everything a run plans from: arrivals, the newest status of each
    /// digest, suppressions.
    pub fn load_state(&self) -> Result<State, StoreError> {
        self.read(|c| {
            let mut state = State::default();
            for r in c.query("SELECT story_id, day FROM arrivals", &[])? {
                state.arrivals.insert(r.text(0)?, r.date(1)?);
            }
            for r in c.query(
                "SELECT address, period_first, period_last, status FROM deliveries",
                &[],
            )? {
                let period = Period {
                    first: r.date(1)?,
                    last: r.date(2)?,
                };
                state.note(&r.text(0)?, period, parse_status(&r.text(3)?));
            }
            for r in c.query("SELECT address FROM suppressions", &[])? {
                state.unsubscribed.insert(r.text(0)?);
            }
            Ok(state)
        })
    }

    /// Records new arrivals, in one transaction, before any digest that
    /// uses them is claimed.
    pub fn record_arrivals(&self, arrivals: &[(String, NaiveDate)]) -> Result<(), StoreError> {
        if arrivals.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            for (id, day) in arrivals {
                tx.execute(
                    "INSERT INTO arrivals (story_id, day) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    vals![id, *day],
                )?;
            }
            Ok(())
        })
    }

    /// The delivery journal, in key order (for tests and the admin CLI).
    pub fn deliveries(&self) -> Result<Vec<Delivery>, StoreError> {
        self.read(|c| {
            c.query(
                "SELECT address, period_first, period_last, status, message_id, stories, detail, at, run_id
                 FROM deliveries ORDER BY address, period_first, period_last",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(Delivery {
                    to: r.text(0)?,
                    period: Period {
                        first: r.date(1)?,
                        last: r.date(2)?,
                    },
                    status: parse_status(&r.text(3)?),
                    message_id: r.text(4)?,
                    stories: usize::try_from(r.int(5)?).unwrap_or(0),
                    detail: r.opt_text(6)?,
                    at: r.text(7)?,
                    run: r.opt_int(8)?,
                })
            })
            .collect()
        })
    }
}

/// An address that gets nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The address key.
    pub address: String,
    /// `unsubscribed`, `bounced` or `complaint`.
    pub reason: String,
    /// Where the request came from: `one-click`, `shell`, `web`, `import`,
    /// `bounces`.
    pub via: String,
    /// RFC 3339.
    pub at: String,
}

/// One row of the delivery journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The address key.
    pub to: String,
    pub period: Period,
    pub status: Status,
    pub message_id: String,
    pub stories: usize,
    /// Why it failed or was deferred.
    pub detail: Option<String>,
    /// When the row last changed (RFC 3339).
    pub at: String,
    /// The run that claimed it.
    pub run: Option<i64>,
}

fn parse_status(s: &str) -> Status {
    match s {
        "claimed" => Status::Claimed,
        "sent" => Status::Sent,
        "failed" => Status::Failed,
        // The schema allows nothing else.
        _ => Status::Pending,
    }
}
