//! What digest runs remember, in `state/` (JSON Lines, append-only):
//!
//! - `arrivals.jsonl`: the day each story became due for digests. Stories
//!   present at the first run arrive on their own date; a story that turns
//!   up later with an old date arrives the day after the newest period
//!   already sent, so it still goes out, once.
//! - `deliveries.jsonl`: per subscriber and period, `pending` before the
//!   message is handed to the server, then `sent` (or `failed` on a
//!   permanent refusal) right after the server answers. Each line is
//!   flushed to disk before the next message goes out, so a run killed at
//!   any moment resumes with exactly the digests that were not accepted.
//! - `unsubscribed.jsonl`: addresses that asked to receive nothing more.
//! - `lock`: held (advisory lock) for the whole run, so two runs never overlap.
//!
//! A line cut short by a crash (the last line, without its newline) is
//! ignored; any other unreadable line is an error naming file and line.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::period::Period;

pub const ARRIVALS: &str = "arrivals.jsonl";
pub const DELIVERIES: &str = "deliveries.jsonl";
pub const UNSUBSCRIBED: &str = "unsubscribed.jsonl";
pub const LOCK: &str = "lock";

#[derive(Debug, Error)]
pub enum StateError {
    #[error("cannot use state directory {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("another digest run holds {path}; wait for it to finish (this run sent nothing)")]
    Busy { path: PathBuf },
    #[error("{path}:{line}: unreadable state line: {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> StateError + '_ {
    move |source| StateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// About to be handed to the server; if nothing follows, the run was
    /// killed before the server's answer was recorded.
    Pending,
    /// Accepted by the server.
    Sent,
    /// Refused for good (5xx); the stories stay due for the next period.
    Failed,
}

/// One line of `deliveries.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Lower-case address.
    pub to: String,
    #[serde(flatten)]
    pub period: Period,
    pub status: Status,
    pub message_id: String,
    /// Stories in the digest.
    pub stories: usize,
    /// The server's answer, for `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Arrival {
    id: String,
    arrived: NaiveDate,
}

#[derive(Debug, Serialize, Deserialize)]
struct Unsubscription {
    address: String,
    at: DateTime<Utc>,
    via: String,
}

/// The key of an address in state: trimmed, lower case.
pub fn address_key(address: &str) -> String {
    address.trim().to_ascii_lowercase()
}

/// Everything the state directory holds, read at the start of a run.
#[derive(Debug, Default)]
pub struct State {
    /// Story id → day it became due.
    pub arrivals: HashMap<String, NaiveDate>,
    /// (address key, period) → newest status.
    pub deliveries: HashMap<(String, Period), Status>,
    /// Address key → last day of the newest period sent.
    pub sent_through: HashMap<String, NaiveDate>,
    /// Last day of the newest period any digest was sent or refused for.
    pub watermark: Option<NaiveDate>,
    pub unsubscribed: HashSet<String>,
}

impl State {
    pub fn status(&self, address_key: &str, period: Period) -> Option<Status> {
        self.deliveries
            .get(&(address_key.to_owned(), period))
            .copied()
    }

    pub fn is_unsubscribed(&self, address: &str) -> bool {
        self.unsubscribed.contains(&address_key(address))
    }

    /// Records in memory what a journal line says (also used while loading).
    pub fn note(&mut self, d: &Delivery) {
        self.deliveries.insert((d.to.clone(), d.period), d.status);
        if d.status != Status::Pending {
            self.watermark = self.watermark.max(Some(d.period.last));
        }
        if d.status == Status::Sent {
            let through = self
                .sent_through
                .entry(d.to.clone())
                .or_insert(d.period.last);
            *through = (*through).max(d.period.last);
        }
    }

    /// The arrival day of each story not seen before (`stories`: id and
    /// start date, only those already published by `today`). Returns the
    /// new arrivals, already added to `self`.
    pub fn arrive<'a>(
        &mut self,
        stories: impl IntoIterator<Item = (&'a str, NaiveDate)>,
    ) -> Vec<(String, NaiveDate)> {
        let first_run = self.arrivals.is_empty();
        let mut new = Vec::new();
        for (id, start) in stories {
            if self.arrivals.contains_key(id) {
                continue;
            }
            let arrived = match self.watermark {
                // Late: every digest through the watermark went out without
                // it, so it is due in the next one.
                Some(w) if !first_run && start <= w => w.succ_opt().unwrap_or(w),
                _ => start,
            };
            self.arrivals.insert(id.to_owned(), arrived);
            new.push((id.to_owned(), arrived));
        }
        new
    }
}

/// The state directory of a config.
#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
}

/// The run lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

impl StateDir {
    pub fn new(dir: impl Into<PathBuf>) -> StateDir {
        StateDir { dir: dir.into() }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn create(&self) -> Result<(), StateError> {
        std::fs::create_dir_all(&self.dir).map_err(io_error(&self.dir))
    }

    /// Takes the run lock, or fails at once if another run holds it.
    pub fn lock(&self) -> Result<RunLock, StateError> {
        self.create()?;
        let path = self.dir.join(LOCK);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(StateError::Busy { path }),
            Err(std::fs::TryLockError::Error(source)) => Err(StateError::Io { path, source }),
        }
    }

    /// Reads the whole state (an absent directory is an empty state).
    pub fn load(&self) -> Result<State, StateError> {
        let mut state = State::default();
        read_lines(&self.dir.join(DELIVERIES), |d: Delivery| state.note(&d))?;
        read_lines(&self.dir.join(ARRIVALS), |a: Arrival| {
            state.arrivals.insert(a.id, a.arrived);
        })?;
        read_lines(&self.dir.join(UNSUBSCRIBED), |u: Unsubscription| {
            state.unsubscribed.insert(address_key(&u.address));
        })?;
        Ok(state)
    }

    /// Appends new arrivals, on disk before any digest that uses them.
    pub fn record_arrivals(&self, arrivals: &[(String, NaiveDate)]) -> Result<(), StateError> {
        if arrivals.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for (id, arrived) in arrivals {
            let line = Arrival {
                id: id.clone(),
                arrived: *arrived,
            };
            text.push_str(&serde_json::to_string(&line).unwrap_or_default());
            text.push('\n');
        }
        self.append(ARRIVALS, text.as_bytes())
    }

    /// The journal of deliveries, opened for appending.
    pub fn journal(&self) -> Result<Journal, StateError> {
        self.create()?;
        let path = self.dir.join(DELIVERIES);
        let file = open_append(&path).map_err(io_error(&path))?;
        Ok(Journal {
            file,
            path,
            progress: Mutex::new(Flushed::default()),
            flushed: Condvar::new(),
        })
    }

    /// Records that `address` wants nothing more; durable on return.
    pub fn unsubscribe(&self, address: &str, via: &str) -> Result<(), StateError> {
        let line = Unsubscription {
            address: address_key(address),
            at: Utc::now(),
            via: via.to_owned(),
        };
        let mut text = serde_json::to_string(&line).unwrap_or_default();
        text.push('\n');
        self.append(UNSUBSCRIBED, text.as_bytes())
    }

    fn append(&self, name: &str, bytes: &[u8]) -> Result<(), StateError> {
        self.create()?;
        let path = self.dir.join(name);
        let mut file = open_append(&path).map_err(io_error(&path))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_data())
            .map_err(io_error(&path))
    }
}

/// `deliveries.jsonl`, open for appending, shared by every connection of
/// a run. [`Journal::record`] returns once its line is on disk; lines
/// recorded while another thread waits for the disk are flushed together
/// by the next `fdatasync` (group commit), so parallel connections do not
/// queue up behind one another's flushes.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
    progress: Mutex<Flushed>,
    flushed: Condvar,
}

#[derive(Debug, Default)]
struct Flushed {
    /// Lines written to the file, and lines known to be on disk.
    written: u64,
    synced: u64,
    /// A thread is in `fdatasync` now.
    syncing: bool,
}

impl Journal {
    /// Appends `delivery` and waits until it is on disk.
    pub fn record(&self, delivery: &Delivery) -> Result<(), StateError> {
        let mut progress = self.append(delivery)?;
        let mine = progress.written;
        while progress.synced < mine {
            if progress.syncing {
                progress = self
                    .flushed
                    .wait(progress)
                    .unwrap_or_else(|p| p.into_inner());
                continue;
            }
            progress.syncing = true;
            let target = progress.written;
            drop(progress);
            let result = self.file.sync_data();
            progress = self.lock();
            progress.syncing = false;
            if result.is_ok() {
                progress.synced = progress.synced.max(target);
            }
            self.flushed.notify_all();
            result.map_err(io_error(&self.path))?;
        }
        Ok(())
    }

    /// Appends `delivery` without waiting for the disk: for `pending`
    /// lines, which a crash may lose without harm (the digest is then
    /// simply due again).
    pub fn note(&self, delivery: &Delivery) -> Result<(), StateError> {
        self.append(delivery).map(drop)
    }

    fn append(&self, delivery: &Delivery) -> Result<MutexGuard<'_, Flushed>, StateError> {
        let mut line = serde_json::to_vec(delivery).unwrap_or_default();
        line.push(b'\n');
        let mut progress = self.lock();
        // One write of a whole line, under the lock: lines never interleave,
        // and a crash leaves at most a cut last line.
        (&self.file)
            .write_all(&line)
            .map_err(io_error(&self.path))?;
        progress.written += 1;
        Ok(progress)
    }

    fn lock(&self) -> MutexGuard<'_, Flushed> {
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

fn read_lines<T: serde::de::DeserializeOwned>(
    path: &Path,
    mut each: impl FnMut(T),
) -> Result<(), StateError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(io_error(path)(source)),
    };
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(value) => each(value),
            // A crash while appending leaves the last line cut short.
            Err(_) if n + 1 == lines.len() && !complete => {}
            Err(e) => {
                return Err(StateError::Corrupt {
                    path: path.to_path_buf(),
                    line: n + 1,
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn delivery(to: &str, first: &str, last: &str, status: Status) -> Delivery {
        Delivery {
            to: to.to_owned(),
            period: Period {
                first: day(first),
                last: day(last),
            },
            status,
            message_id: "<x@y>".to_owned(),
            stories: 1,
            detail: None,
            at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn journal_round_trips_and_tolerates_a_cut_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let state_dir = StateDir::new(dir.path().join("state"));
        let journal = state_dir.journal().unwrap();
        journal
            .record(&delivery(
                "a@x.org",
                "2026-11-16",
                "2026-11-22",
                Status::Pending,
            ))
            .unwrap();
        journal
            .record(&delivery(
                "a@x.org",
                "2026-11-16",
                "2026-11-22",
                Status::Sent,
            ))
            .unwrap();
        journal
            .record(&delivery(
                "b@x.org",
                "2026-11-22",
                "2026-11-22",
                Status::Pending,
            ))
            .unwrap();
        // A crash in the middle of the next line.
        let path = dir.path().join("state").join(DELIVERIES);
        let mut f = open_append(&path).unwrap();
        f.write_all(b"{\"to\":\"c@x.org\",\"fir").unwrap();
        let state = state_dir.load().unwrap();
        let week = Period {
            first: day("2026-11-16"),
            last: day("2026-11-22"),
        };
        assert_eq!(state.status("a@x.org", week), Some(Status::Sent));
        assert_eq!(
            state.status(
                "b@x.org",
                Period {
                    first: day("2026-11-22"),
                    last: day("2026-11-22")
                }
            ),
            Some(Status::Pending)
        );
        assert_eq!(state.sent_through.get("a@x.org"), Some(&day("2026-11-22")));
        assert_eq!(state.watermark, Some(day("2026-11-22")));
        // The same damage in the middle of the file is an error with its line.
        f.write_all(b"\n{}\n").unwrap();
        let err = state_dir.load().unwrap_err().to_string();
        assert!(
            err.contains("deliveries.jsonl:4: unreadable state line"),
            "{err}"
        );
    }

    #[test]
    fn lines_from_many_threads_are_whole_and_all_there() {
        let dir = tempfile::tempdir().unwrap();
        let state_dir = StateDir::new(dir.path());
        let journal = state_dir.journal().unwrap();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let journal = &journal;
                scope.spawn(move || {
                    for i in 0..50 {
                        let to = format!("r{t}-{i}@x.org");
                        let d = delivery(&to, "2026-11-16", "2026-11-22", Status::Pending);
                        journal.note(&d).unwrap();
                        journal
                            .record(&Delivery {
                                status: Status::Sent,
                                ..d
                            })
                            .unwrap();
                    }
                });
            }
        });
        let state = state_dir.load().unwrap();
        assert_eq!(state.sent_through.len(), 200);
        let week = Period {
            first: day("2026-11-16"),
            last: day("2026-11-22"),
        };
        assert_eq!(state.status("r3-49@x.org", week), Some(Status::Sent));
    }

    #[test]
    fn late_stories_arrive_after_the_watermark() {
        let mut state = State::default();
        let first = state.arrive([("a", day("2020-01-10")), ("b", day("2020-01-20"))]);
        assert_eq!(first.len(), 2);
        assert_eq!(state.arrivals["a"], day("2020-01-10"));
        state.note(&delivery(
            "x@y.org",
            "2020-01-13",
            "2020-01-19",
            Status::Sent,
        ));
        // Seen before: unchanged. New with an old date: due after the watermark.
        // New and newer than the watermark: its own date.
        let new = state.arrive([
            ("a", day("2020-01-10")),
            ("old", day("2019-05-01")),
            ("new", day("2020-01-21")),
        ]);
        assert_eq!(
            new,
            vec![
                ("old".to_owned(), day("2020-01-20")),
                ("new".to_owned(), day("2020-01-21"))
            ]
        );
    }

    #[test]
    fn a_second_run_cannot_take_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let state_dir = StateDir::new(dir.path());
        let held = state_dir.lock().unwrap();
        let err = state_dir.lock().unwrap_err();
        assert!(matches!(err, StateError::Busy { .. }), "{err}");
        drop(held);
        state_dir.lock().unwrap();
    }

    #[test]
    fn unsubscriptions_are_case_insensitive() {
        let dir = tempfile::tempdir().unwrap();
        let state_dir = StateDir::new(dir.path());
        state_dir.unsubscribe(" Ana@Example.org", "shell").unwrap();
        let state = state_dir.load().unwrap();
        assert!(state.is_unsubscribed("ana@example.org"));
        assert!(!state.is_unsubscribed("bob@example.org"));
    }
}
