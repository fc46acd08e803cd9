//! A run's side of the delivery journal: each job's journal entry, the
//! claims and records made for it on the connections' threads, and the
//! counts they add up to.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::observer::{Notice, Observer};
use super::smtp::{Job, Ledger, Outcome};
use super::state::{StateError, Status};
use crate::store::journal::Entry;
use crate::store::{Claim, Journal};

/// What became of a run's digests, as counted by its [`Books`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counts {
    pub sent: usize,
    pub failed: usize,
    /// Handed to the server and deferred by it (4xx, lost connection).
    pub deferred: usize,
    /// Suppressed since the run planned.
    pub unsubscribed: usize,
    /// Sent (or refused) by another run since this one planned.
    pub done: usize,
    pub claimed_elsewhere: usize,
    /// Could not be built for its address (failed before sending).
    pub unbuildable: usize,
}

impl Counts {
    /// Every digest accounted for.
    pub fn reported(&self) -> usize {
        self.sent
            + self.failed
            + self.deferred
            + self.unsubscribed
            + self.done
            + self.claimed_elsewhere
            + self.unbuildable
    }
}

#[derive(Default)]
struct Counters([AtomicUsize; 7]);

impl Counters {
    fn add(&self, which: usize) {
        self.0[which].fetch_add(1, Ordering::Relaxed);
    }
}

const SENT: usize = 0;
const FAILED: usize = 1;
const DEFERRED: usize = 2;
const UNSUBSCRIBED: usize = 3;
const DONE: usize = 4;
const ELSEWHERE: usize = 5;
const UNBUILDABLE: usize = 6;

/// The journal entries of one run's jobs (by job key) and their counts.
pub(super) struct Books<'a> {
    journal: &'a Journal,
    observer: &'a dyn Observer,
    /// Per job: its entry, from rendering until it is recorded or dropped.
    entries: Mutex<Vec<Option<Entry>>>,
    counters: Counters,
}

impl<'a> Books<'a> {
    pub fn new(journal: &'a Journal, observer: &'a dyn Observer, jobs: usize) -> Self {
        Books {
            journal,
            observer,
            entries: Mutex::new((0..jobs).map(|_| None).collect()),
            counters: Counters::default(),
        }
    }

    /// Job `key` was rendered: its entry.
    pub fn open(&self, key: usize, entry: Entry) {
        self.entries()[key] = Some(entry);
    }

    /// A digest that cannot be built for its address: recorded `failed`
    /// at once (it fails that subscriber only).
    pub fn unbuildable(&self, entry: &Entry, reason: String) -> Result<(), StateError> {
        self.journal
            .record(entry, Status::Failed, Some(reason.clone()))?;
        self.observer.notice(Notice::Refused {
            to: entry.to.clone(),
            reply: reason,
        });
        self.counters.add(UNBUILDABLE);
        self.observer.advance(1);
        Ok(())
    }

    pub fn counts(self) -> Counts {
        let [sent, failed, deferred, unsubscribed, done, claimed_elsewhere, unbuildable] =
            self.counters.0.map(AtomicUsize::into_inner);
        Counts {
            sent,
            failed,
            deferred,
            unsubscribed,
            done,
            claimed_elsewhere,
            unbuildable,
        }
    }

    fn entries(&self) -> MutexGuard<'_, Vec<Option<Entry>>> {
        // A panic elsewhere does not make the books unusable.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a claim's answer: whether the job may go out.
    fn claimed(&self, job: &Job, claim: Claim) -> bool {
        let counter = match claim {
            Claim::Granted => return true,
            Claim::Unsubscribed => UNSUBSCRIBED,
            Claim::Done => DONE,
            Claim::ClaimedElsewhere => ELSEWHERE,
        };
        self.counters.add(counter);
        self.entries()[job.key] = None;
        self.observer.advance(1);
        false
    }

    /// Counts and reports a recorded outcome.
    fn recorded(&self, job: &Job, entry: Entry, status: Status, detail: Option<String>) {
        match status {
            Status::Sent => self.counters.add(SENT),
            Status::Failed => {
                self.observer.notice(Notice::Refused {
                    to: entry.to,
                    reply: detail.unwrap_or_default(),
                });
                self.counters.add(FAILED);
            }
            Status::Pending | Status::Claimed => {
                self.counters.add(DEFERRED);
                self.observer.notice(Notice::Deferred {
                    digest: job.key,
                    reason: detail.unwrap_or_default(),
                });
            }
        }
        self.observer.advance(1);
    }
}

fn status(outcome: Outcome) -> (Status, Option<String>) {
    match outcome {
        Outcome::Accepted => (Status::Sent, None),
        Outcome::Rejected(reply) => (Status::Failed, Some(reply)),
        Outcome::Deferred(reason) => (Status::Pending, Some(reason)),
    }
}

impl Ledger for Books<'_> {
    fn claim(&self, job: &Job) -> Result<bool, StateError> {
        let Some(entry) = self.entries()[job.key].clone() else {
            return Ok(false);
        };
        let claim = self.journal.claim(&entry)?;
        Ok(self.claimed(job, claim))
    }

    fn record(&self, job: &Job, outcome: Outcome) -> Result<(), StateError> {
        let Some(entry) = self.entries()[job.key].take() else {
            return Ok(());
        };
        let (status, detail) = status(outcome);
        self.journal.record(&entry, status, detail.clone())?;
        self.recorded(job, entry, status, detail);
        Ok(())
    }

    fn record_then_claim(
        &self,
        job: &Job,
        outcome: Outcome,
        next: &Job,
    ) -> Result<bool, StateError> {
        let (entry, next_entry) = {
            let mut entries = self.entries();
            (entries[job.key].take(), entries[next.key].clone())
        };
        let (entry, next_entry) = match (entry, next_entry) {
            (Some(entry), Some(next_entry)) => (entry, next_entry),
            (entry, _) => {
                // Either has nothing to write: one at a time (put back first).
                if let Some(entry) = entry {
                    self.entries()[job.key] = Some(entry);
                }
                self.record(job, outcome)?;
                return self.claim(next);
            }
        };
        let (status, detail) = status(outcome);
        let claim = self
            .journal
            .record_then_claim(&entry, status, detail.clone(), &next_entry)?;
        self.recorded(job, entry, status, detail);
        Ok(self.claimed(next, claim))
    }
}
