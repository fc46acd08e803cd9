//! The database: one SQLite file (`state/storyfeed.db` by default), or a
//! PostgreSQL server (`digest.database_url`, `STORYFEED_DATABASE_URL`),
//! holding everything digest runs and the web app share: subscribers and
//! their consent, pending confirmations, suppressions, story arrivals, the
//! delivery journal and the runs that claim digests.
//!
//! [`Store`] is the one boundary: its methods (here and in the submodules)
//! are the only SQL in the crate, each statement written once for both
//! backends over `db::Handle`.
//!
//! - [`database`]: which backend, and the URL shown without its password.
//! - [`schema`]: SQLite's numbered migrations under `PRAGMA user_version`;
//!   [`pg`]: PostgreSQL's, the same numbers, and its connection pool.
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
//! SQLite runs in WAL mode (readers never wait for the writer), with
//! foreign keys on and a busy timeout, and every write is one short
//! transaction, so a digest run and the web app can share the file without
//! a "database is locked" reaching anyone. PostgreSQL's writes are
//! serializable transactions, run again when they lose a race, so the same
//! read-then-write code stays correct with many writers.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use thiserror::Error;

use crate::digest::state::Status;

pub mod admin;
pub mod bounces;
pub mod database;
pub(crate) mod db;
pub mod journal;
pub mod legacy;
pub mod pg;
pub mod schema;
pub mod signup;
mod state;
pub mod subscribers;
#[cfg(test)]
pub(crate) mod testdb;
#[cfg(test)]
mod tests;
mod writer;

pub use database::{Database, PgUrl};
use db::{DbError, Handle, PgConn};
pub use journal::{Claim, Journal, RunLock};
pub use state::{Delivery, Suppression};

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
        source: DbError,
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
    backend: Backend,
    /// For messages: the file, `(in memory)`, or the URL without its
    /// password.
    label: PathBuf,
    /// What a run's journal writer opens again; `None`: a copy (dry runs,
    /// previews).
    database: Option<Database>,
}

#[derive(Debug)]
enum Backend {
    Sqlite(Mutex<Connection>),
    Postgres(pg::Pool),
    /// A dry run's copy: one connection in a transaction never committed.
    PostgresSnapshot(Box<Mutex<PgConn>>),
}

impl Store {
    /// Opens (creating it and its directory if need be) and migrates the
    /// SQLite database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = connect(path)?;
        let store = Store {
            backend: Backend::Sqlite(Mutex::new(conn)),
            label: path.to_path_buf(),
            database: Some(Database::Sqlite(path.to_path_buf())),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Opens and migrates `database`, either backend.
    pub fn connect(database: &Database) -> Result<Store, StoreError> {
        match database {
            Database::Sqlite(path) => Store::open(path),
            Database::Postgres(url) => {
                let label = PathBuf::from(url.to_string());
                let config = url.config().map_err(StoreError::Invalid)?;
                let pool = db::off_runtime(|| pg::open(config))
                    .map_err(|e| pg_migrate_error(&label, e))?;
                Ok(Store {
                    backend: Backend::Postgres(pool),
                    label,
                    database: Some(database.clone()),
                })
            }
        }
    }

    /// A copy of `database` that a dry run may write and that is never
    /// written back: SQLite's in memory, PostgreSQL's a transaction rolled
    /// back at the end.
    pub fn snapshot_of(database: &Database) -> Result<Store, StoreError> {
        match database {
            Database::Sqlite(path) => Store::snapshot(path),
            Database::Postgres(url) => {
                let label = PathBuf::from(url.to_string());
                let config = url.config().map_err(StoreError::Invalid)?;
                let conn = db::off_runtime(|| pg::snapshot(&config))
                    .map_err(|e| pg_migrate_error(&label, e))?;
                Ok(Store {
                    backend: Backend::PostgresSnapshot(Box::new(Mutex::new(conn))),
                    label,
                    database: None,
                })
            }
        }
    }

    /// An in-memory copy of the SQLite database at `path` (empty if there
    /// is none yet), migrated: a dry run works on it and the file is never
    /// written.
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
            backend: Backend::Sqlite(Mutex::new(memory)),
            label: path.to_path_buf(),
            database: None,
        };
        store.migrate()?;
        Ok(store.relabel(PathBuf::from("(in memory)")))
    }

    fn relabel(mut self, label: PathBuf) -> Store {
        self.label = label;
        self
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let result = match &self.backend {
            Backend::Sqlite(conn) => schema::migrate(&mut lock(conn)),
            Backend::PostgresSnapshot(conn) => db::off_runtime(|| pg::migrate(&mut lock(conn))),
            Backend::Postgres(pool) => db::off_runtime(|| match pool.get() {
                Ok(mut conn) => pg::migrate(&mut conn),
                Err(e) => Err(schema::MigrateError::Db(e.into())),
            }),
        };
        result.map_err(|e| migrate_error(&self.label, e))
    }

    /// The file, the URL without its password, or `(in memory)`, for
    /// messages.
    pub fn label(&self) -> PathBuf {
        self.label.clone()
    }

    /// The SQLite file, unless this is a copy or PostgreSQL.
    pub fn path(&self) -> Option<&Path> {
        match &self.database {
            Some(Database::Sqlite(path)) => Some(path),
            _ => None,
        }
    }

    /// The database this store opened (not a copy's).
    pub fn database(&self) -> Option<&Database> {
        self.database.as_ref()
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        !matches!(self.backend, Backend::Sqlite(_))
    }

    fn sql(&self) -> impl Fn(DbError) -> StoreError + '_ {
        move |source| StoreError::Sql {
            path: self.label(),
            source,
        }
    }

    /// Runs `f` on a connection, outside any transaction (each statement
    /// on its own).
    fn read<T: Send>(
        &self,
        f: impl FnOnce(&mut Handle<'_>) -> Result<T, DbError> + Send,
    ) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => f(&mut Handle::Sqlite(&lock(conn))),
            Backend::PostgresSnapshot(conn) => {
                db::off_runtime(|| f(&mut Handle::Pg(&mut lock(conn))))
            }
            Backend::Postgres(pool) => db::off_runtime(|| {
                let mut conn = pool.get()?;
                f(&mut Handle::Pg(&mut conn))
            }),
        }
        .map_err(self.sql())
    }

    /// Runs `f` in one write transaction: SQLite's taken at once, so it
    /// waits for another writer up to the busy timeout rather than failing
    /// midway; PostgreSQL's serializable, run again (`f` with it) when it
    /// lost a race to another transaction, so each behaves as if alone.
    fn write<T: Send>(
        &self,
        mut f: impl FnMut(&mut Handle<'_>) -> Result<T, DbError> + Send,
    ) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = lock(conn);
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(|e| self.sql()(e.into()))?;
                let value = f(&mut Handle::Sqlite(&tx)).map_err(self.sql())?;
                tx.commit().map_err(|e| self.sql()(e.into()))?;
                Ok(value)
            }
            Backend::PostgresSnapshot(conn) => {
                db::off_runtime(|| pg::write(&mut lock(conn), 0, f)).map_err(self.sql())
            }
            Backend::Postgres(pool) => db::off_runtime(|| {
                let mut conn = pool.get()?;
                pg::write(&mut conn, pg::RETRIES, f)
            })
            .map_err(self.sql()),
        }
    }
}

#[cfg(test)]
impl Store {
    /// Runs statements as they are (tests that set rows up by hand).
    pub(crate) fn exec_raw(&self, sql: &str) -> Result<(), StoreError> {
        self.read(|c| c.batch(sql))
    }

    /// The schema version: SQLite's `user_version`, PostgreSQL's table.
    pub(crate) fn schema_version(&self) -> i64 {
        self.read(|c| match c {
            Handle::Sqlite(conn) => {
                Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
            }
            Handle::Pg(_) => Ok(pg::version(c)?.unwrap_or(0)),
        })
        .unwrap()
    }

    /// The SQLite connection (tests of SQLite only).
    pub(crate) fn sqlite(&self) -> MutexGuard<'_, Connection> {
        match &self.backend {
            Backend::Sqlite(conn) => lock(conn),
            _ => panic!("not SQLite"),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

fn migrate_error(label: &Path, e: schema::MigrateError) -> StoreError {
    match e {
        schema::MigrateError::Db(source) => StoreError::Sql {
            path: label.to_path_buf(),
            source,
        },
        other => StoreError::Failed {
            path: label.to_path_buf(),
            message: other.to_string(),
        },
    }
}

fn pg_migrate_error(label: &Path, e: impl Into<schema::MigrateError>) -> StoreError {
    migrate_error(label, e.into())
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
        source: source.into(),
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

/// Now, as stored.
fn now() -> String {
    Utc::now().to_rfc3339()
}

/// Unix seconds.
fn unix(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}
