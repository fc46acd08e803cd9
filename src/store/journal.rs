//! The run lock, claims and the delivery journal.
//!
//! Exactly once, as far as SMTP allows: a connection **claims** a digest in
//! the database right before handing it to the server (one transaction:
//! the address is not suppressed, no `sent`/`failed` row and no live claim
//! of another run for that address and period, then the claim with this
//! run's id), and records it `sent` in a committed transaction right after
//! the server's reply, before it sends anything else. So two runs never
//! send the same digest, whatever happens to the lock file, and an
//! unsubscribe takes effect for every digest not yet claimed.
//!
//! A claim is **live** while its run is: a run writes a token in the lock
//! file it holds (kept across runs) and renews a heartbeat in `runs`. A new
//! run that holds the lock file with the same token knows every run with
//! that token is dead (the lock is exclusive), so it takes their claims at
//! once: a killed run resumes at the next one. A claim of a run with another
//! token (its lock file was deleted and a new one made) is live until its
//! heartbeat is older than [`LEASE`].
//!
//! Every write goes through one thread with its own connection. It takes
//! all the requests waiting, applies them in one transaction and answers
//! each: parallel connections share a commit (group commit) instead of
//! queueing behind one another's fsyncs. A batch holding a `sent` or
//! `failed` is committed with `synchronous = FULL` (on disk on return); a
//! batch of claims only with `NORMAL` (a claim lost to a power cut is a
//! digest not yet sent, as before it was claimed).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;

use super::db::{vals, PgConn};
use super::writer::{Op, Request, Writer, WriterConn};
use super::{connect, now, unix, Database, Store, StoreError};
use crate::digest::period::Period;
use crate::digest::state::Status;

/// The lock file's name in the state directory.
pub const LOCK: &str = "lock";

/// How often a running run renews its heartbeat.
pub(super) const HEARTBEAT: Duration = Duration::from_secs(5);

/// A claim whose run has not renewed its heartbeat for this long (and
/// whose lock is not ours) is taken to be dead.
pub const LEASE: Duration = Duration::from_secs(60);

/// The run lock: held (advisory lock) for the whole run; released when
/// dropped or when the process dies.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    token: String,
}

impl RunLock {
    /// Takes the lock in `dir`, or fails at once if another run holds it.
    pub fn take(dir: &Path) -> Result<RunLock, StoreError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(LOCK);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::Busy { path }),
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(StoreError::Io { path, source })
            }
        }
        let mut token = String::new();
        let _ = file.read_to_string(&mut token);
        let token = token.trim().to_owned();
        if !token.is_empty() && token.len() <= 100 {
            return Ok(RunLock { _file: file, token });
        }
        // A new lock file: a token no earlier run has.
        let token = format!(
            "{}-{}",
            std::process::id(),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        );
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(token.as_bytes()))
            .and_then(|()| file.sync_data())
            .map_err(io(&path))?;
        Ok(RunLock { _file: file, token })
    }
}

/// A digest about to be claimed or recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The address key.
    pub to: String,
    pub period: Period,
    pub message_id: String,
    pub stories: usize,
}

/// The answer to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Ours: send it.
    Granted,
    /// The address is suppressed (unsubscribed since the run planned).
    Unsubscribed,
    /// Sent or refused for good already.
    Done,
    /// A live run holds it.
    ClaimedElsewhere,
}

/// One run's handle on the journal: claims and records go through its
/// writer thread. [`Journal::finish`] releases the run's claims left
/// unsent.
#[derive(Debug)]
pub struct Journal {
    requests: Option<mpsc::Sender<Request>>,
    writer: Option<JoinHandle<()>>,
    path: PathBuf,
    run: i64,
}

impl Store {
    /// Starts a run holding `lock`: registers it and starts the writer.
    pub fn begin_run(&self, lock: &RunLock) -> Result<Journal, StoreError> {
        let Some(database) = self.database.clone() else {
            return Err(StoreError::Invalid(
                "a copy of the database cannot record a run".to_owned(),
            ));
        };
        let run = self.write(|tx| {
            tx.query_opt(
                "INSERT INTO runs (pid, lock_token, started_at, heartbeat) VALUES (?1, ?2, ?3, ?4)
                 RETURNING id",
                vals![std::process::id(), &lock.token, now(), unix(Utc::now())],
            )?
            .map_or(Ok(0), |r| r.int(0))
        })?;
        let path = self.label();
        let conn = match &database {
            Database::Sqlite(file) => WriterConn::Sqlite(connect(file)?),
            Database::Postgres(url) => {
                let config = url.config().map_err(StoreError::Invalid)?;
                let conn = super::db::off_runtime(|| PgConn::connect(&config)).map_err(|e| {
                    StoreError::Sql {
                        path: path.clone(),
                        source: e.into(),
                    }
                })?;
                WriterConn::Pg(Box::new(conn))
            }
        };
        let (requests, rx) = mpsc::channel();
        let writer = Writer {
            conn,
            run,
            token: lock.token.clone(),
            durable: None,
            beat: 0,
        };
        let writer = std::thread::Builder::new()
            .name("storyfeed-journal".to_owned())
            .spawn(move || writer.serve(rx))
            .map_err(|source| StoreError::Io {
                path: path.clone(),
                source,
            })?;
        Ok(Journal {
            requests: Some(requests),
            writer: Some(writer),
            path,
            run,
        })
    }
}

impl Journal {
    /// This run's id.
    pub fn run(&self) -> i64 {
        self.run
    }

    fn ask(&self, op: Op) -> Result<Option<Claim>, StoreError> {
        let (reply, answer) = mpsc::sync_channel(1);
        let gone = || StoreError::Failed {
            path: self.path.clone(),
            message: "the journal writer stopped".to_owned(),
        };
        self.requests
            .as_ref()
            .ok_or_else(gone)?
            .send(Request { op, reply })
            .map_err(|_| gone())?;
        answer
            .recv()
            .map_err(|_| gone())?
            .map_err(|message| StoreError::Failed {
                path: self.path.clone(),
                message,
            })
    }

    /// Claims a digest for this run (committed on return).
    pub fn claim(&self, entry: &Entry) -> Result<Claim, StoreError> {
        Ok(self
            .ask(Op::Claim(entry.clone()))?
            .unwrap_or(Claim::Granted))
    }

    /// Records what became of a digest: `Sent` or `Failed` (durable on
    /// return), or `Pending` (deferred: the claim is released).
    pub fn record(
        &self,
        entry: &Entry,
        status: Status,
        detail: Option<String>,
    ) -> Result<(), StoreError> {
        self.ask(Op::Record {
            entry: entry.clone(),
            status,
            detail,
        })
        .map(drop)
    }

    /// [`Journal::record`] `entry`, then [`Journal::claim`] `next`, in one
    /// transaction (durable on return): what a connection does between two
    /// messages.
    pub fn record_then_claim(
        &self,
        entry: &Entry,
        status: Status,
        detail: Option<String>,
        next: &Entry,
    ) -> Result<Claim, StoreError> {
        Ok(self
            .ask(Op::RecordThenClaim {
                entry: entry.clone(),
                status,
                detail,
                next: next.clone(),
            })?
            .unwrap_or(Claim::Granted))
    }

    /// Ends the run: claims not sent are released, the run marked finished.
    pub fn finish(mut self) -> Result<(), StoreError> {
        let result = self.ask(Op::Finish).map(drop);
        self.stop();
        result
    }

    /// Caps the database's size (tests: a full disk).
    #[cfg(test)]
    pub(crate) fn max_pages(&self, pages: i64) -> Result<(), StoreError> {
        self.ask(Op::MaxPages(pages)).map(drop)
    }

    fn stop(&mut self) {
        self.requests = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.stop();
    }
}
