//! What the web app's sign-up writes: pending subscriptions with their
//! consent, the queue of confirmation mails (claimed, then sent, once),
//! confirmations, preferences, pausing, deleting a subscriber's data, and
//! the rate-limit counters (here, so that servers sharing the database
//! share the limits).

use sha2::{Digest as _, Sha256};

use super::db::{vals, DbError, Handle};
use super::{now, Store, StoreError};
use crate::digest::period::Frequency;
use crate::digest::state::address_key;
use crate::digest::subscribers::MailFormat;

use super::subscribers::format_str;

/// Where the `source` of a subscriber who signed up on the web says so.
pub const WEB_SOURCE: &str = "web";

/// What a sign-up asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUp {
    /// As typed (checked by the caller), for the To: header.
    pub display: String,
    pub follows_all: bool,
    pub themes: Vec<String>,
    pub programmes: Vec<String>,
    pub frequency: Frequency,
    pub format: MailFormat,
    /// The form it came from (`page:/themes/drugs/`, `app:/subscribe`).
    pub form: String,
    pub ip: Option<String>,
    /// Most mails queued for one address in a day.
    pub mails_per_day: u32,
}

/// What a sign-up did. The web answer is the same for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpOutcome {
    /// A pending subscription and a confirmation mail.
    Confirm,
    /// Already confirmed: a mail with the preference link, nothing changed.
    AlreadySubscribed,
    /// Too many mails to this address today: nothing stored, nothing sent.
    Limited,
    /// The address bounced or complained: nothing stored, nothing sent.
    Suppressed,
}

/// A mail of the queue, claimed by a mailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub id: i64,
    /// The address key.
    pub address: String,
    /// For the To: header.
    pub display: String,
    pub kind: MailKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// Carries the confirmation link.
    Confirm,
    /// For an address already confirmed: carries the preference link.
    Manage,
}

impl MailKind {
    fn as_str(self) -> &'static str {
        match self {
            MailKind::Confirm => "confirm",
            MailKind::Manage => "manage",
        }
    }
}

/// What became of a claimed mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    Sent,
    /// Refused for good.
    Failed(String),
    /// Try again later (4xx, server away).
    Deferred(String),
}

/// A rate-limit key for an address: its hash, so the counters keep no
/// address.
pub fn address_hash(address: &str) -> String {
    hex::encode(Sha256::digest(address_key(address).as_bytes()))
}

impl Store {
    /// Counts one event of `key` in `bucket` for the window of `window_secs`
    /// holding `at` (unix seconds); whether it is within `max`. Counters of
    /// earlier windows are dropped on the way.
    pub fn rate_hit(
        &self,
        bucket: &str,
        key: &str,
        window_secs: i64,
        max: u32,
        at: i64,
    ) -> Result<bool, StoreError> {
        let window = at.div_euclid(window_secs.max(1));
        self.write(|tx| count_hit(tx, bucket, key, window, max))
    }

    /// Records a sign-up: a pending subscription (or, for an address
    /// already confirmed, nothing new), its consent, and one mail queued;
    /// nothing at all past the address's daily mail limit. One transaction.
    pub fn sign_up(&self, request: &SignUp, at: i64) -> Result<SignUpOutcome, StoreError> {
        let key = address_key(&request.display);
        let stamp = now();
        self.write(|tx| {
            // Mail to an address that bounced hurts the sender's standing,
            // and one that complained asked for none; an unsubscribed one
            // may sign up again (the confirmation is a new consent).
            if is_blocked(tx, &key)? {
                return Ok(SignUpOutcome::Suppressed);
            }
            let day = at.div_euclid(86_400);
            if !count_hit(
                tx,
                "mail-address",
                &address_hash(&key),
                day,
                request.mails_per_day,
            )? {
                return Ok(SignUpOutcome::Limited);
            }
            let existing = tx.query_opt(
                "SELECT status FROM subscribers WHERE address = ?1",
                vals![&key],
            )?;
            // A confirmed subscriber's choices change on the preference
            // page only (whoever typed the address here may not own it).
            let confirmed = match existing {
                Some(row) => row.text(0)? == "confirmed",
                None => false,
            };
            let kind = if confirmed {
                MailKind::Manage
            } else {
                tx.execute(
                    "INSERT INTO subscribers (address, display, name, follows_all, themes, programmes,
                         frequency, format, status, source, created_at)
                     VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9)
                     ON CONFLICT (address) DO UPDATE SET
                         display = excluded.display, follows_all = excluded.follows_all,
                         themes = excluded.themes, programmes = excluded.programmes,
                         frequency = excluded.frequency, format = excluded.format,
                         status = 'pending', source = excluded.source, paused_at = NULL",
                    vals![
                        &key,
                        &request.display,
                        request.follows_all,
                        request.themes.join(" "),
                        request.programmes.join(" "),
                        request.frequency.as_str(),
                        format_str(request.format),
                        WEB_SOURCE,
                        &stamp
                    ],
                )?;
                tx.execute(
                    "INSERT INTO consents (address, at, source, ip) VALUES (?1, ?2, ?3, ?4)",
                    vals![&key, &stamp, &request.form, request.ip.as_deref()],
                )?;
                MailKind::Confirm
            };
            tx.execute(
                "INSERT INTO mail_queue (address, kind, created_at, status) VALUES (?1, ?2, ?3, 'queued')",
                vals![&key, kind.as_str(), &stamp],
            )?;
            Ok(if confirmed {
                SignUpOutcome::AlreadySubscribed
            } else {
                SignUpOutcome::Confirm
            })
        })
    }

    /// Claims up to `limit` queued mails (and claims older than
    /// `stale_secs`: their mailer died before it could say), in queue order.
    pub fn claim_mail(
        &self,
        at: i64,
        stale_secs: i64,
        limit: usize,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        self.write(|tx| {
            // Queued before the address bounced or complained: never sent.
            tx.execute(
                "UPDATE mail_queue SET status = 'failed', claimed_at = NULL,
                     detail = 'not sent: the address is suppressed (bounced or complained)'
                 WHERE (status = 'queued' OR (status = 'claimed' AND claimed_at < ?1))
                     AND address IN (SELECT address FROM suppressions
                                     WHERE reason IN ('bounced', 'complaint'))",
                vals![at - stale_secs],
            )?;
            let rows = tx.query(
                "SELECT q.id, q.address, COALESCE(s.display, q.address), q.kind
                 FROM mail_queue q LEFT JOIN subscribers s ON s.address = q.address
                 WHERE q.status = 'queued' OR (q.status = 'claimed' AND q.claimed_at < ?1)
                 ORDER BY q.id LIMIT ?2",
                vals![at - stale_secs, limit],
            )?;
            let mut mails = Vec::with_capacity(rows.len());
            for r in rows {
                mails.push(QueuedMail {
                    id: r.int(0)?,
                    address: r.text(1)?,
                    display: r.text(2)?,
                    kind: if r.text(3)? == "manage" {
                        MailKind::Manage
                    } else {
                        MailKind::Confirm
                    },
                });
            }
            for mail in &mails {
                tx.execute(
                    "UPDATE mail_queue SET status = 'claimed', claimed_at = ?2 WHERE id = ?1",
                    vals![mail.id, at],
                )?;
            }
            Ok(mails)
        })
    }

    /// Records what became of a claimed mail; durable on return.
    pub fn finish_mail(&self, id: i64, outcome: &MailOutcome) -> Result<(), StoreError> {
        let (status, detail) = match outcome {
            MailOutcome::Sent => ("sent", None),
            MailOutcome::Failed(why) => ("failed", Some(why.as_str())),
            MailOutcome::Deferred(why) => ("queued", Some(why.as_str())),
        };
        let stamp = now();
        self.write(|tx| {
            tx.execute(
                "UPDATE mail_queue SET status = ?2, detail = ?3, claimed_at = NULL,
                     sent_at = CASE WHEN ?2 = 'sent' THEN ?4 ELSE sent_at END
                 WHERE id = ?1",
                vals![id, status, detail, &stamp],
            )?;
            Ok(())
        })
    }

    /// The mail queue as `(address, kind, status)`, oldest first (tests,
    /// the admin).
    pub fn mail_queue(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.read(|c| {
            c.query(
                "SELECT address, kind, status FROM mail_queue ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?, r.text(2)?)))
            .collect()
        })
    }

    /// Confirms `address`'s subscription (a suppression from an earlier
    /// unsubscription goes: this is a new consent) and records the consent.
    /// Whether there was a subscription to confirm.
    pub fn confirm_subscription(
        &self,
        address: &str,
        ip: Option<&str>,
    ) -> Result<bool, StoreError> {
        let key = address_key(address);
        let stamp = now();
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE subscribers SET status = 'confirmed',
                     confirmed_at = COALESCE(CASE WHEN status = 'confirmed' THEN confirmed_at END, ?2)
                 WHERE address = ?1",
                vals![&key, &stamp],
            )?;
            if changed == 0 {
                return Ok(false);
            }
            tx.execute("DELETE FROM suppressions WHERE address = ?1", vals![&key])?;
            tx.execute(
                "INSERT INTO consents (address, at, source, ip) VALUES (?1, ?2, 'web:confirm', ?3)",
                vals![&key, &stamp, ip],
            )?;
            Ok(true)
        })
    }

    /// New choices of a subscriber, from the preference page. Whether
    /// there was one.
    pub fn update_preferences(
        &self,
        address: &str,
        follows_all: bool,
        themes: &[String],
        programmes: &[String],
        frequency: Frequency,
        format: MailFormat,
    ) -> Result<bool, StoreError> {
        let key = address_key(address);
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE subscribers SET follows_all = ?2, themes = ?3, programmes = ?4,
                     frequency = ?5, format = ?6
                 WHERE address = ?1",
                vals![
                    &key,
                    follows_all,
                    themes.join(" "),
                    programmes.join(" "),
                    frequency.as_str(),
                    format_str(format)
                ],
            )? > 0)
        })
    }

    /// Pauses (no digest until resumed) or resumes. Whether there was a
    /// subscriber.
    pub fn set_paused(&self, address: &str, paused: bool) -> Result<bool, StoreError> {
        let key = address_key(address);
        let stamp = paused.then(now);
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE subscribers SET paused_at = ?2 WHERE address = ?1",
                vals![&key, stamp.as_deref()],
            )? > 0)
        })
    }

    /// "Delete my data": the subscriber row, its consents, its queued mails
    /// and its delivery journal go. A suppression is kept (or added) only
    /// for a subscriber an operator listed (a subscribers file, an import),
    /// who would otherwise come back at the next sync; a web subscriber
    /// leaves nothing behind. Whether there was a subscriber.
    pub fn forget(&self, address: &str) -> Result<bool, StoreError> {
        let key = address_key(address);
        let stamp = now();
        self.write(|tx| {
            let Some(row) = tx.query_opt(
                "SELECT source FROM subscribers WHERE address = ?1",
                vals![&key],
            )?
            else {
                return Ok(false);
            };
            let source = row.text(0)?;
            tx.execute("DELETE FROM subscribers WHERE address = ?1", vals![&key])?;
            tx.execute("DELETE FROM mail_queue WHERE address = ?1", vals![&key])?;
            tx.execute(
                "DELETE FROM deliveries WHERE address = ?1 AND status != 'claimed'",
                vals![&key],
            )?;
            if source == WEB_SOURCE {
                tx.execute("DELETE FROM suppressions WHERE address = ?1", vals![&key])?;
            } else {
                tx.execute(
                    "INSERT INTO suppressions (address, reason, via, at)
                     VALUES (?1, 'unsubscribed', 'delete-my-data', ?2)
                     ON CONFLICT (address) DO NOTHING",
                    vals![&key, &stamp],
                )?;
            }
            Ok(true)
        })
    }
}

/// Whether `key` bounced or complained (suppressed for a reason that also
/// stops sign-up mail).
fn is_blocked(tx: &mut Handle<'_>, key: &str) -> Result<bool, DbError> {
    tx.exists(
        "SELECT 1 FROM suppressions WHERE address = ?1 AND reason IN ('bounced', 'complaint')",
        vals![key],
    )
}

/// One more event in a counter; whether it is within `max`. Past the
/// limit the count is not raised (it would only grow).
fn count_hit(
    tx: &mut Handle<'_>,
    bucket: &str,
    key: &str,
    window: i64,
    max: u32,
) -> Result<bool, DbError> {
    // `window` is a keyword of PostgreSQL's: quoted, which SQLite reads
    // the same.
    tx.execute(
        r#"DELETE FROM rate_limits WHERE bucket = ?1 AND key = ?2 AND "window" < ?3"#,
        vals![bucket, key, window],
    )?;
    let count = tx
        .query_opt(
            r#"SELECT count FROM rate_limits WHERE bucket = ?1 AND key = ?2 AND "window" = ?3"#,
            vals![bucket, key, window],
        )?
        .map_or(Ok(0), |r| r.int(0))?;
    if count >= i64::from(max) {
        return Ok(false);
    }
    tx.execute(
        r#"INSERT INTO rate_limits (bucket, key, "window", count) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (bucket, key, "window") DO UPDATE SET count = rate_limits.count + 1"#,
        vals![bucket, key, window],
    )?;
    Ok(true)
}
