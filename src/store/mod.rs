//! The database: one SQLite file (`state/storyfeed.db` by default) holding
//! everything digest runs and the web app share: subscribers and their
//! consent, pending confirmations, suppressions, story arrivals, the
//! delivery journal and the runs that claim digests.
//!
//! [`Store`] is the one boundary: its methods (here and in the submodules)
//! are the only SQL in the crate, so another backend (PostgreSQL, see
//! ARCHITECTURE.md) replaces this module and nothing else.
//!
//! - [`schema`]: numbered migrations under `PRAGMA user_version`.
//! - [`journal`]: the run lock, claims and the delivery journal, written by
//!   one thread that commits what the connections hand it together (group
//!   commit).
//! - [`subscribers`]: the subscriber rows, the subscribers file synced in,
//!   the admin commands' queries.
//! - [`bounces`]: bounce and complaint reports, each counted once, and the
//!   suppressions they cause.
//! - [`legacy`]: the one-time import of the JSON Lines state of earlier
//!   versions.
//!
//! The connection runs in WAL mode (readers never wait for the writer),
//! with foreign keys on and a busy timeout, and every write is one short
//! transaction, so a digest run and the web app can share the file without
//! a "database is locked" reaching anyone.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use thiserror::Error;

use crate::digest::period::Period;
use crate::digest::state::{address_key, State, Status};

pub mod admin;
pub mod bounces;
pub mod journal;
pub mod legacy;
pub mod schema;
pub mod signup;
pub mod subscribers;
#[cfg(test)]
mod tests;

pub use journal::{Claim, Journal, RunLock};

/// The database's file name in the state directory, by default.
pub const DEFAULT_FILE: &str = "storyfeed.db";

/// How long a statement waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot use {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database {path}")]
    Sql {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database {path}: {message}")]
    Failed { path: PathBuf, message: String },
    #[error("another digest run holds {path}; wait for it to finish (this run sent nothing)")]
    Busy { path: PathBuf },
    #[error("{path}:{line}: unreadable state line: {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
}

/// The database, open.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    /// `None`: an in-memory copy (dry runs, previews).
    path: Option<PathBuf>,
}

impl Store {
    /// Opens (creating it and its directory if need be) and migrates the
    /// database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = connect(path)?;
        Store::ready(conn, Some(path.to_path_buf()))
    }

    /// An in-memory copy of the database at `path` (empty if there is none
    /// yet), migrated: a dry run works on it and the file is never written.
    pub fn snapshot(path: &Path) -> Result<Store, StoreError> {
        let sql = sql_error(path);
        let mut memory = Connection::open_in_memory().map_err(&sql)?;
        if path.exists() {
            let disk = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(&sql)?;
            disk.busy_timeout(BUSY_TIMEOUT).map_err(&sql)?;
            let backup = rusqlite::backup::Backup::new(&disk, &mut memory).map_err(&sql)?;
            backup
                .run_to_completion(256, Duration::ZERO, None)
                .map_err(&sql)?;
        }
        memory
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(&sql)?;
        let store = Store {
            conn: Mutex::new(memory),
            path: None,
        };
        store.migrate(path)?;
        Ok(store)
    }

    fn ready(conn: Connection, path: Option<PathBuf>) -> Result<Store, StoreError> {
        let store = Store {
            conn: Mutex::new(conn),
            path,
        };
        store.migrate(&store.label())?;
        Ok(store)
    }

    fn migrate(&self, label: &Path) -> Result<(), StoreError> {
        schema::migrate(&mut self.conn()).map_err(|e| match e {
            schema::MigrateError::Sql(source) => StoreError::Sql {
                path: label.to_path_buf(),
                source,
            },
            other => StoreError::Failed {
                path: label.to_path_buf(),
                message: other.to_string(),
            },
        })
    }

    /// The file, or `(in memory)`, for messages.
    pub fn label(&self) -> PathBuf {
        self.path
            .clone()
            .unwrap_or_else(|| PathBuf::from("(in memory)"))
    }

    /// The file, unless this is an in-memory copy.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sql {
            path: self.label(),
            source,
        }
    }

    /// Runs `f` in one write transaction (taken at once, so it waits for
    /// another writer up to the busy timeout rather than failing midway).
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, rusqlite::Error>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(self.sql())?;
        let value = f(&tx).map_err(self.sql())?;
        tx.commit().map_err(self.sql())?;
        Ok(value)
    }

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
                params![key, via, now],
            )?;
            tx.execute(
                "UPDATE subscribers SET status = 'unsubscribed' WHERE address = ?1",
                params![key],
            )?;
            Ok(())
        })
    }

    /// Whether `address` is suppressed (unsubscribed).
    pub fn is_suppressed(&self, address: &str) -> Result<bool, StoreError> {
        self.conn()
            .query_row(
                "SELECT 1 FROM suppressions WHERE address = ?1",
                params![address_key(address)],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(self.sql())
    }

    /// The suppressed addresses, by address.
    pub fn suppressions(&self) -> Result<Vec<Suppression>, StoreError> {
        let conn = self.conn();
        let sql = self.sql();
        let mut stmt = conn
            .prepare("SELECT address, reason, via, at FROM suppressions ORDER BY address")
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Suppression {
                    address: r.get(0)?,
                    reason: r.get(1)?,
                    via: r.get(2)?,
                    at: r.get(3)?,
                })
            })
            .map_err(&sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    /// Everything a run plans from: arrivals, the newest status of each
    /// digest, suppressions.
    pub fn load_state(&self) -> Result<State, StoreError> {
        let conn = self.conn();
        let sql = self.sql();
        let mut state = State::default();
        let mut stmt = conn
            .prepare("SELECT story_id, day FROM arrivals")
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, NaiveDate>(1)?))
            })
            .map_err(&sql)?;
        for row in rows {
            let (id, day) = row.map_err(&sql)?;
            state.arrivals.insert(id, day);
        }
        let mut stmt = conn
            .prepare("SELECT address, period_first, period_last, status FROM deliveries")
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Period {
                        first: r.get(1)?,
                        last: r.get(2)?,
                    },
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(&sql)?;
        for row in rows {
            let (to, period, status) = row.map_err(&sql)?;
            state.note(&to, period, parse_status(&status));
        }
        let mut stmt = conn
            .prepare("SELECT address FROM suppressions")
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(&sql)?;
        for row in rows {
            state.unsubscribed.insert(row.map_err(&sql)?);
        }
        Ok(state)
    }

    /// Records new arrivals, in one transaction, before any digest that
    /// uses them is claimed.
    pub fn record_arrivals(&self, arrivals: &[(String, NaiveDate)]) -> Result<(), StoreError> {
        if arrivals.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            let mut stmt = tx.prepare(
                "INSERT INTO arrivals (story_id, day) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?;
            for (id, day) in arrivals {
                stmt.execute(params![id, day])?;
            }
            Ok(())
        })
    }

    /// The delivery journal, in key order (for tests and the admin CLI).
    pub fn deliveries(&self) -> Result<Vec<Delivery>, StoreError> {
        let conn = self.conn();
        let sql = self.sql();
        let mut stmt = conn
            .prepare(
                "SELECT address, period_first, period_last, status, message_id, stories, detail, at, run_id
                 FROM deliveries ORDER BY address, period_first, period_last",
            )
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Delivery {
                    to: r.get(0)?,
                    period: Period {
                        first: r.get(1)?,
                        last: r.get(2)?,
                    },
                    status: parse_status(&r.get::<_, String>(3)?),
                    message_id: r.get(4)?,
                    stories: r.get::<_, i64>(5)? as usize,
                    detail: r.get(6)?,
                    at: r.get::<_, String>(7)?,
                    run: r.get(8)?,
                })
            })
            .map_err(&sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
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

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let sql = sql_error(path);
    let conn = Connection::open(path).map_err(&sql)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(&sql)?;
    // WAL: readers (the web app, a dry run) never wait for the writer.
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(&sql)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Failed {
            path: path.to_path_buf(),
            message: format!("cannot switch to WAL mode (got `{mode}`)"),
        });
    }
    // FULL: a commit is on disk when it returns (a `sent` must survive a
    // power cut, not only a killed process).
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(&sql)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(&sql)?;
    Ok(conn)
}

fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sql {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn status_str(status: Status) -> &'static str {
    match status {
        Status::Pending => "pending",
        Status::Claimed => "claimed",
        Status::Sent => "sent",
        Status::Failed => "failed",
    }
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

/// Now, as stored.
fn now() -> String {
    Utc::now().to_rfc3339()
}

/// Unix seconds.
fn unix(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}
