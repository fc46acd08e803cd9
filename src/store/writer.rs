//! The journal's writer: one thread with its own connection that takes
//! every request waiting, applies them in one transaction (group commit)
//! and answers each; the claim and record statements themselves.

use std::sync::mpsc;

use chrono::Utc;
use rusqlite::{Connection, TransactionBehavior};

use super::db::{vals, DbError, Handle, PgConn};
use super::journal::{Claim, Entry, HEARTBEAT, LEASE};
use super::{now, status_str, unix};
use crate::digest::state::Status;

pub(super) enum Op {
    Claim(Entry),
    Record {
        entry: Entry,
        status: Status,
        detail: Option<String>,
    },
    /// A record and the claim of the connection's next digest, in one
    /// transaction: one durable write per message instead of two.
    RecordThenClaim {
        entry: Entry,
        status: Status,
        detail: Option<String>,
        next: Entry,
    },
    Finish,
    /// Caps the file's size, so a test can fill the "disk".
    #[cfg(test)]
    MaxPages(i64),
}

pub(super) struct Request {
    pub(super) op: Op,
    pub(super) reply: mpsc::SyncSender<Result<Option<Claim>, String>>,
}

/// The writer's own connection.
pub(super) enum WriterConn {
    Sqlite(Connection),
    Pg(Box<PgConn>),
}

pub(super) struct Writer {
    pub(super) conn: WriterConn,
    pub(super) run: i64,
    pub(super) token: String,
    /// SQLite's `synchronous` mode set now (switched only when a batch
    /// needs the other one).
    pub(super) durable: Option<bool>,
    /// When the heartbeat was last written (unix seconds).
    pub(super) beat: i64,
}

impl Writer {
    pub(super) fn serve(mut self, requests: mpsc::Receiver<Request>) {
        loop {
            let first = match requests.recv_timeout(HEARTBEAT) {
                Ok(r) => r,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    // Alive, even with nothing to write; a failure here
                    // shows at the next write.
                    let (run, beat) = (self.run, unix(Utc::now()));
                    let _ = self.handle(|h| {
                        h.execute(
                            "UPDATE runs SET heartbeat = ?1 WHERE id = ?2",
                            vals![beat, run],
                        )
                    });
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let mut batch = vec![first];
            batch.extend(requests.try_iter());
            match self.apply(&batch) {
                Ok(answers) => {
                    for (request, answer) in batch.into_iter().zip(answers) {
                        let _ = request.reply.send(Ok(answer));
                    }
                }
                Err(e) => {
                    // Rolled back: nothing of the batch is recorded.
                    let message = error_chain(&e);
                    for request in batch {
                        let _ = request.reply.send(Err(message.clone()));
                    }
                }
            }
        }
    }

    /// Runs `f` on the connection, outside a transaction.
    fn handle<T>(
        &mut self,
        f: impl FnOnce(&mut Handle<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        match &mut self.conn {
            WriterConn::Sqlite(conn) => f(&mut Handle::Sqlite(conn)),
            WriterConn::Pg(conn) => f(&mut Handle::Pg(conn)),
        }
    }

    /// Applies a batch in one transaction: the answers, or the error and
    /// nothing applied.
    fn apply(&mut self, batch: &[Request]) -> Result<Vec<Option<Claim>>, DbError> {
        let durable = batch.iter().any(|r| !matches!(r.op, Op::Claim(_)));
        let (run, token) = (self.run, self.token.clone());
        let heartbeat = unix(Utc::now());
        // Once a second is plenty against a lease of a minute; every batch
        // was a write per message.
        let beat = heartbeat > self.beat;
        let at = now();
        let body = |h: &mut Handle<'_>| apply_batch(h, batch, run, &token, heartbeat, beat, &at);
        let answers = match &mut self.conn {
            WriterConn::Sqlite(conn) => {
                if self.durable != Some(durable) {
                    conn.pragma_update(
                        None,
                        "synchronous",
                        if durable { "FULL" } else { "NORMAL" },
                    )?;
                    self.durable = Some(durable);
                }
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let answers = body(&mut Handle::Sqlite(&tx))?;
                tx.commit()?;
                answers
            }
            // A batch of claims only need not wait for the WAL flush, as
            // SQLite's `NORMAL` (a claim lost is a digest not yet sent).
            WriterConn::Pg(conn) => super::pg::write(conn, super::pg::RETRIES, |h| {
                if !durable {
                    h.batch("SET LOCAL synchronous_commit TO OFF")?;
                }
                body(h)
            })?,
        };
        if beat {
            self.beat = heartbeat;
        }
        Ok(answers)
    }
}

fn apply_batch(
    h: &mut Handle<'_>,
    batch: &[Request],
    run: i64,
    token: &str,
    heartbeat: i64,
    beat: bool,
    at: &str,
) -> Result<Vec<Option<Claim>>, DbError> {
    if beat {
        h.execute(
            "UPDATE runs SET heartbeat = ?1 WHERE id = ?2",
            vals![heartbeat, run],
        )?;
    }
    let mut answers = Vec::with_capacity(batch.len());
    for request in batch {
        answers.push(match &request.op {
            Op::Claim(entry) => Some(claim(h, run, token, heartbeat, entry, at)?),
            Op::Record {
                entry,
                status,
                detail,
            } => {
                record(h, run, entry, *status, detail.as_deref(), at)?;
                None
            }
            Op::RecordThenClaim {
                entry,
                status,
                detail,
                next,
            } => {
                record(h, run, entry, *status, detail.as_deref(), at)?;
                Some(claim(h, run, token, heartbeat, next, at)?)
            }
            #[cfg(test)]
            Op::MaxPages(pages) => {
                h.query(&format!("PRAGMA max_page_count = {pages}"), &[])?;
                None
            }
            Op::Finish => {
                h.execute(
                    "UPDATE deliveries SET status = 'pending', run_id = NULL,
                         detail = 'not sent: the run ended first', at = ?2
                     WHERE run_id = ?1 AND status = 'claimed'",
                    vals![run, at],
                )?;
                h.execute(
                    "UPDATE runs SET finished_at = ?2 WHERE id = ?1",
                    vals![run, at],
                )?;
                None
            }
        });
    }
    Ok(answers)
}

/// An error with its causes, for the answer to a request.
fn error_chain(e: &DbError) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !message.contains(&cause_text) {
            message.push_str(": ");
            message.push_str(&cause_text);
        }
        source = cause.source();
    }
    message
}

fn claim(
    h: &mut Handle<'_>,
    run: i64,
    token: &str,
    now_unix: i64,
    entry: &Entry,
    at: &str,
) -> Result<Claim, DbError> {
    if h.exists(
        "SELECT 1 FROM suppressions WHERE address = ?1",
        vals![&entry.to],
    )? {
        return Ok(Claim::Unsubscribed);
    }
    let row = h.query_opt(
        "SELECT status, run_id FROM deliveries
         WHERE address = ?1 AND period_first = ?2 AND period_last = ?3",
        vals![&entry.to, entry.period.first, entry.period.last],
    )?;
    let row = match row {
        Some(r) => Some((r.text(0)?, r.opt_int(1)?)),
        None => None,
    };
    match row {
        Some((status, _)) if status == "sent" || status == "failed" => return Ok(Claim::Done),
        Some((status, Some(other))) if status == "claimed" && other != run => {
            let live = h.query_opt(
                "SELECT finished_at IS NULL AND lock_token <> ?2 AND heartbeat >= ?3
                 FROM runs WHERE id = ?1",
                vals![other, token, now_unix - LEASE.as_secs() as i64],
            )?;
            if let Some(live) = live {
                if live.flag(0)? {
                    return Ok(Claim::ClaimedElsewhere);
                }
            }
        }
        _ => {}
    }
    h.execute(
        "INSERT INTO deliveries (address, period_first, period_last, status, message_id, stories, detail, at, run_id)
         VALUES (?1, ?2, ?3, 'claimed', ?4, ?5, NULL, ?6, ?7)
         ON CONFLICT (address, period_first, period_last) DO UPDATE SET
             status = 'claimed', message_id = excluded.message_id, stories = excluded.stories,
             detail = NULL, at = excluded.at, run_id = excluded.run_id",
        vals![
            &entry.to,
            entry.period.first,
            entry.period.last,
            &entry.message_id,
            entry.stories,
            at,
            run
        ],
    )?;
    Ok(Claim::Granted)
}

fn record(
    h: &mut Handle<'_>,
    run: i64,
    entry: &Entry,
    status: Status,
    detail: Option<&str>,
    at: &str,
) -> Result<(), DbError> {
    if status == Status::Pending {
        // Deferred: this run's claim is released, free for the next run.
        h.execute(
            "UPDATE deliveries SET status = 'pending', run_id = NULL, detail = ?5, at = ?6
             WHERE address = ?1 AND period_first = ?2 AND period_last = ?3
               AND run_id = ?4 AND status = 'claimed'",
            vals![
                &entry.to,
                entry.period.first,
                entry.period.last,
                run,
                detail,
                at
            ],
        )?;
        return Ok(());
    }
    h.execute(
        "INSERT INTO deliveries (address, period_first, period_last, status, message_id, stories, detail, at, run_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (address, period_first, period_last) DO UPDATE SET
             status = excluded.status, message_id = excluded.message_id,
             stories = excluded.stories, detail = excluded.detail, at = excluded.at,
             run_id = excluded.run_id
         WHERE deliveries.status <> 'sent'",
        vals![
            &entry.to,
            entry.period.first,
            entry.period.last,
            status_str(status),
            &entry.message_id,
            entry.stories,
            detail,
            at,
            run
        ],
    )?;
    Ok(())
}
