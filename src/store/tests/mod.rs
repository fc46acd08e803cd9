//! The store's tests: each runs on SQLite, and on PostgreSQL too when
//! `STORYFEED_TEST_DATABASE_URL` is set (`super::testdb`). Here: claims and
//! the journal; `files`: the JSON Lines import, the subscribers file, the
//! mail queue; `backends`: each backend's own (migrations, snapshots,
//! threads and runtimes).

use chrono::NaiveDate;

use super::journal::{Entry, LOCK};
use super::testdb::each;
use super::{Claim, RunLock, Store};
use crate::digest::period::Period;
use crate::digest::state::Status;

mod backends;
mod files;

pub(super) fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(super) fn week() -> Period {
    Period {
        first: day("2026-11-16"),
        last: day("2026-11-22"),
    }
}

pub(super) fn entry(to: &str) -> Entry {
    Entry {
        to: to.to_owned(),
        period: week(),
        message_id: format!("<{to}>"),
        stories: 3,
    }
}

pub(super) fn status(store: &Store, to: &str) -> Option<Status> {
    store
        .deliveries()
        .unwrap()
        .into_iter()
        .find(|d| d.to == to)
        .map(|d| d.status)
}

#[test]
fn a_claimed_digest_is_not_claimed_again_and_a_sent_one_is_done() {
    each("a_claimed_digest_is_not_claimed_again", |db| {
        let store = db.open();
        let lock = RunLock::take(db.path()).unwrap();
        let journal = store.begin_run(&lock).unwrap();
        assert_eq!(journal.claim(&entry("a@x.org")).unwrap(), Claim::Granted);
        assert_eq!(status(&store, "a@x.org"), Some(Status::Claimed));
        journal
            .record(&entry("a@x.org"), Status::Sent, None)
            .unwrap();
        assert_eq!(journal.claim(&entry("a@x.org")).unwrap(), Claim::Done);
        // Deferred: released, claimable again.
        journal.claim(&entry("b@x.org")).unwrap();
        journal
            .record(&entry("b@x.org"), Status::Pending, Some("451".into()))
            .unwrap();
        assert_eq!(status(&store, "b@x.org"), Some(Status::Pending));
        assert_eq!(journal.claim(&entry("b@x.org")).unwrap(), Claim::Granted);
        // Finishing releases what was claimed and not sent.
        journal.finish().unwrap();
        assert_eq!(status(&store, "b@x.org"), Some(Status::Pending));
        assert_eq!(status(&store, "a@x.org"), Some(Status::Sent));
    });
}

#[test]
fn a_record_and_the_next_claim_go_in_one_write_and_a_refused_claim_keeps_the_record() {
    each("a_record_and_the_next_claim_go_in_one_write", |db| {
        let store = db.open();
        let lock = RunLock::take(db.path()).unwrap();
        let journal = store.begin_run(&lock).unwrap();
        assert_eq!(journal.claim(&entry("a@x.org")).unwrap(), Claim::Granted);
        let next = journal
            .record_then_claim(&entry("a@x.org"), Status::Sent, None, &entry("b@x.org"))
            .unwrap();
        assert_eq!(next, Claim::Granted);
        assert_eq!(status(&store, "a@x.org"), Some(Status::Sent));
        assert_eq!(status(&store, "b@x.org"), Some(Status::Claimed));
        // The next address was unsubscribed meanwhile: b's record stands, c
        // is not claimed.
        store.unsubscribe("c@x.org", "one-click").unwrap();
        let next = journal
            .record_then_claim(
                &entry("b@x.org"),
                Status::Failed,
                Some("550".into()),
                &entry("c@x.org"),
            )
            .unwrap();
        assert_eq!(next, Claim::Unsubscribed);
        assert_eq!(status(&store, "b@x.org"), Some(Status::Failed));
        assert_eq!(status(&store, "c@x.org"), None);
        // A digest already sent is not claimed again this way either.
        journal.claim(&entry("d@x.org")).unwrap();
        let next = journal
            .record_then_claim(&entry("d@x.org"), Status::Sent, None, &entry("a@x.org"))
            .unwrap();
        assert_eq!(next, Claim::Done);
        assert_eq!(status(&store, "d@x.org"), Some(Status::Sent));
    });
}

#[test]
fn an_unsubscribe_after_planning_stops_the_claim() {
    each("an_unsubscribe_after_planning_stops_the_claim", |db| {
        let store = db.open();
        let lock = RunLock::take(db.path()).unwrap();
        let journal = store.begin_run(&lock).unwrap();
        // Another process (the web app) unsubscribes while the run goes on.
        db.open().unsubscribe("A@X.org", "one-click").unwrap();
        assert_eq!(
            journal.claim(&entry("a@x.org")).unwrap(),
            Claim::Unsubscribed
        );
        assert_eq!(status(&store, "a@x.org"), None);
    });
}

#[test]
fn a_killed_runs_claims_go_to_the_next_run_holding_the_same_lock() {
    each("a_killed_runs_claims_go_to_the_next_run", |db| {
        let lock = RunLock::take(db.path()).unwrap();
        let first = db.open();
        let journal = first.begin_run(&lock).unwrap();
        journal.claim(&entry("a@x.org")).unwrap();
        // Killed: no finish, the lock released by the kernel.
        std::mem::forget(journal);
        drop(lock);
        let lock = RunLock::take(db.path()).unwrap();
        let second = db.open().begin_run(&lock).unwrap();
        assert_eq!(second.claim(&entry("a@x.org")).unwrap(), Claim::Granted);
    });
}

#[test]
fn with_its_lock_file_deleted_a_live_runs_claims_stay_its_own() {
    each("with_its_lock_file_deleted_a_live_runs_claims_stay", |db| {
        let lock_a = RunLock::take(db.path()).unwrap();
        let a = db.open().begin_run(&lock_a).unwrap();
        assert_eq!(a.claim(&entry("a@x.org")).unwrap(), Claim::Granted);
        // Someone deletes the lock file: a second run can start.
        std::fs::remove_file(db.path().join(LOCK)).unwrap();
        let lock_b = RunLock::take(db.path()).unwrap();
        let b = db.open().begin_run(&lock_b).unwrap();
        assert_eq!(b.claim(&entry("a@x.org")).unwrap(), Claim::ClaimedElsewhere);
        assert_eq!(b.claim(&entry("b@x.org")).unwrap(), Claim::Granted);
        assert_eq!(a.claim(&entry("b@x.org")).unwrap(), Claim::ClaimedElsewhere);
        // Once A's heartbeat is older than the lease, its claims are free.
        db.open()
            .exec_raw(&format!(
                "UPDATE runs SET heartbeat = heartbeat - 3600 WHERE id = {}",
                a.run()
            ))
            .unwrap();
        assert_eq!(b.claim(&entry("a@x.org")).unwrap(), Claim::Granted);
    });
}

#[test]
fn records_from_many_threads_are_all_committed() {
    each("records_from_many_threads_are_all_committed", |db| {
        let store = db.open();
        let lock = RunLock::take(db.path()).unwrap();
        let journal = store.begin_run(&lock).unwrap();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let journal = &journal;
                scope.spawn(move || {
                    for i in 0..50 {
                        let e = entry(&format!("r{t}-{i}@x.org"));
                        assert_eq!(journal.claim(&e).unwrap(), Claim::Granted);
                        journal.record(&e, Status::Sent, None).unwrap();
                    }
                });
            }
        });
        journal.finish().unwrap();
        let state = store.load_state().unwrap();
        assert_eq!(state.sent_through.len(), 200);
        assert_eq!(state.status("r3-49@x.org", week()), Some(Status::Sent));
    });
}

#[test]
fn the_web_app_and_a_run_write_at_once_without_a_locked_error() {
    each("the_web_app_and_a_run_write_at_once", |db| {
        let store = db.open();
        let lock = RunLock::take(db.path()).unwrap();
        let journal = store.begin_run(&lock).unwrap();
        std::thread::scope(|scope| {
            // Unsubscribes from other connections (as the endpoint's requests).
            for t in 0..3 {
                scope.spawn(move || {
                    for i in 0..40 {
                        let other = db.open();
                        other
                            .unsubscribe(&format!("u{t}-{i}@x.org"), "one-click")
                            .unwrap();
                    }
                });
            }
            let journal = &journal;
            scope.spawn(move || {
                for i in 0..100 {
                    let e = entry(&format!("r{i}@x.org"));
                    journal.claim(&e).unwrap();
                    journal.record(&e, Status::Sent, None).unwrap();
                }
            });
        });
        assert_eq!(store.suppressions().unwrap().len(), 120);
        assert_eq!(store.load_state().unwrap().sent_through.len(), 100);
    });
}
