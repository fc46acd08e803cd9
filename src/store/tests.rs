use std::path::Path;

use chrono::NaiveDate;
use rusqlite::Connection;

use super::journal::{Entry, LOCK};
use super::legacy::{ARRIVALS, DELIVERIES, UNSUBSCRIBED};
use super::schema::MIGRATIONS;
use super::subscribers::file_source;
use super::testdb::{each, TestDb};
use super::{pg, Claim, Database, RunLock, Store, StoreError};
use crate::classify::Taxonomy;
use crate::digest::period::{Frequency, Period};
use crate::digest::state::Status;
use crate::digest::subscribers::{self, Follows};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn week() -> Period {
    Period {
        first: day("2026-11-16"),
        last: day("2026-11-22"),
    }
}

fn entry(to: &str) -> Entry {
    Entry {
        to: to.to_owned(),
        period: week(),
        message_id: format!("<{to}>"),
        stories: 3,
    }
}

fn status(store: &Store, to: &str) -> Option<Status> {
    store
        .deliveries()
        .unwrap()
        .into_iter()
        .find(|d| d.to == to)
        .map(|d| d.status)
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn migrations_run_once_from_empty_and_from_an_older_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/storyfeed.db");
    Store::open(&path)
        .unwrap()
        .unsubscribe("a@x.org", "shell")
        .unwrap();
    assert_eq!(user_version(&path), MIGRATIONS.len() as i64);
    // Opening again migrates nothing and keeps the data.
    let store = Store::open(&path).unwrap();
    assert!(store.is_suppressed("A@x.org").unwrap());
    drop(store);
    // A file of an older version (here: version 0, an empty database)
    // gets every migration.
    let old = dir.path().join("old.db");
    Connection::open(&old)
        .unwrap()
        .execute_batch("CREATE TABLE unrelated (x); PRAGMA user_version = 0;")
        .unwrap();
    Store::open(&old).unwrap();
    assert_eq!(user_version(&old), MIGRATIONS.len() as i64);
    // A newer database is refused, not damaged.
    Connection::open(&old)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Store::open(&old).unwrap_err().to_string();
    assert!(err.contains("schema version 99"), "{err}");
    assert_eq!(user_version(&old), 99);
}

#[test]
fn the_database_is_in_wal_mode_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let conn = store.sqlite();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    let fk: i64 = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert_eq!((mode.as_str(), fk), ("wal", 1));
}

#[test]
fn a_snapshot_reads_the_file_and_never_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/storyfeed.db");
    // No file: an empty copy, and still no file (nor directory).
    let empty = Store::snapshot(&path).unwrap();
    empty.unsubscribe("a@x.org", "shell").unwrap();
    assert!(!dir.path().join("state").exists());
    Store::open(&path)
        .unwrap()
        .unsubscribe("b@x.org", "shell")
        .unwrap();
    let copy = Store::snapshot(&path).unwrap();
    assert!(copy.is_suppressed("b@x.org").unwrap());
    copy.unsubscribe("c@x.org", "shell").unwrap();
    assert!(!Store::open(&path)
        .unwrap()
        .is_suppressed("c@x.org")
        .unwrap());
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
fn a_full_disk_fails_the_record_cleanly_and_the_next_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("storyfeed.db");
    let lock = RunLock::take(dir.path()).unwrap();
    let store = Store::open(&path).unwrap();
    let journal = store.begin_run(&lock).unwrap();
    let pages: i64 = store
        .sqlite()
        .pragma_query_value(None, "page_count", |r| r.get(0))
        .unwrap();
    journal.max_pages(pages).unwrap();
    // Rows with long details fill the few free bytes left.
    let mut failed = None;
    for i in 0..1000 {
        let e = entry(&format!("r{i}@x.org"));
        let long = Some("x".repeat(2000));
        if let Err(err) = journal.record(&e, Status::Failed, long) {
            failed = Some((i, err));
            break;
        }
    }
    let (i, err) = failed.expect("the disk filled up");
    assert!(matches!(err, StoreError::Failed { .. }), "{err}");
    // Nothing of the failed transaction is there.
    assert_eq!(status(&store, &format!("r{i}@x.org")), None);
    drop(journal);
    drop(lock);
    // Space again: the next run records as usual.
    let lock = RunLock::take(dir.path()).unwrap();
    let journal = Store::open(&path).unwrap().begin_run(&lock).unwrap();
    let e = entry(&format!("r{i}@x.org"));
    assert_eq!(journal.claim(&e).unwrap(), Claim::Granted);
    journal.record(&e, Status::Sent, None).unwrap();
    assert_eq!(status(&store, &format!("r{i}@x.org")), Some(Status::Sent));
}

fn legacy_state(dir: &Path) {
    std::fs::write(
        dir.join(DELIVERIES),
        concat!(
            r#"{"to":"a@x.org","first":"2026-11-16","last":"2026-11-22","status":"pending","message_id":"<m>","stories":2,"at":"2026-11-23T08:00:00Z"}"#,
            "\n",
            r#"{"to":"a@x.org","first":"2026-11-16","last":"2026-11-22","status":"sent","message_id":"<m>","stories":2,"at":"2026-11-23T08:00:01Z"}"#,
            "\n",
            r#"{"to":"b@x.org","first":"2026-11-16","last":"2026-11-22","status":"pending","message_id":"<n>","stories":1,"at":"2026-11-23T08:00:02Z"}"#,
            "\n",
            r#"{"to":"c@x.org","fir"#,
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join(ARRIVALS),
        "{\"id\":\"2026-11-17-a-story\",\"arrived\":\"2026-11-17\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(UNSUBSCRIBED),
        "{\"address\":\"d@x.org\",\"at\":\"2026-11-20T10:00:00Z\",\"via\":\"one-click\"}\n",
    )
    .unwrap();
}

#[test]
fn the_jsonl_state_is_imported_once_and_the_files_renamed() {
    each("the_jsonl_state_is_imported_once", |db| {
        let dir = &db.dir;
        legacy_state(dir.path());
        let store = db.open();
        let imported = store.import_jsonl(dir.path(), true).unwrap().unwrap();
        assert_eq!(
            (
                imported.deliveries,
                imported.arrivals,
                imported.unsubscriptions
            ),
            (2, 1, 1)
        );
        let state = store.load_state().unwrap();
        assert_eq!(state.status("a@x.org", week()), Some(Status::Sent));
        // An old `pending` line: never confirmed sent, so due again.
        assert_eq!(state.status("b@x.org", week()), Some(Status::Pending));
        assert_eq!(state.arrivals["2026-11-17-a-story"], day("2026-11-17"));
        assert!(state.is_unsubscribed("d@x.org"));
        for name in [DELIVERIES, ARRIVALS, UNSUBSCRIBED] {
            assert!(!dir.path().join(name).exists(), "{name}");
            assert!(dir.path().join(format!("{name}.imported")).exists());
        }
        // Files put back (or a crash before the rename): not imported again.
        legacy_state(dir.path());
        assert_eq!(store.import_jsonl(dir.path(), true).unwrap(), None);
    });
}

#[test]
fn a_damaged_jsonl_line_names_file_and_line_and_imports_nothing() {
    each("a_damaged_jsonl_line_names_file_and_line", |db| {
        let dir = &db.dir;
        legacy_state(dir.path());
        let mut text = std::fs::read_to_string(dir.path().join(DELIVERIES)).unwrap();
        text.push_str("\n{}\n");
        std::fs::write(dir.path().join(DELIVERIES), text).unwrap();
        let store = db.open();
        let err = store
            .import_jsonl(dir.path(), true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("deliveries.jsonl:4: unreadable state line"),
            "{err}"
        );
        assert!(store.deliveries().unwrap().is_empty());
        assert!(dir.path().join(DELIVERIES).exists());
    });
}

const FILE: &str = r#"
[[subscriber]]
address = "Ana@Example.org"
name = "Ana"
themes = ["drugs"]
frequency = "daily"

[[subscriber]]
address = "bob@example.org"
all = true
"#;

#[test]
fn the_subscribers_file_is_synced_without_touching_other_sources() {
    each("the_subscribers_file_is_synced", |db| {
        let store = db.open();
        let taxonomy = Taxonomy::builtin();
        let source = file_source(Path::new("subs.toml"));
        let subs = subscribers::parse("subs.toml", FILE, &taxonomy).unwrap();
        let report = store.sync_file(&source, &subs).unwrap();
        assert_eq!((report.added, report.updated, report.removed), (2, 0, 0));
        // From elsewhere: a web sign-up, and an unsubscribed file subscriber.
        store
        .exec_raw(
            "INSERT INTO subscribers (address, display, follows_all, frequency, format, status, source, created_at)
             VALUES ('web@example.org', 'web@example.org', 1, 'weekly', 'html', 'confirmed', 'web', 'now')",
        )
        .unwrap();
        store.unsubscribe("bob@example.org", "one-click").unwrap();
        // Bob leaves the file, Ana changes; web@ is listed too but is not the file's.
        let text = FILE.replace("bob@example.org", "web@example.org");
        let text = text.replace("\"daily\"", "\"monthly\"");
        let subs = subscribers::parse("subs.toml", &text, &taxonomy).unwrap();
        let report = store.sync_file(&source, &subs).unwrap();
        assert_eq!(
            (
                report.added,
                report.updated,
                report.removed,
                report.other_source
            ),
            (0, 1, 1, 1)
        );
        let rows = store.subscriber_rows(None).unwrap();
        let addresses: Vec<&str> = rows.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(addresses, ["ana@example.org", "web@example.org"]);
        assert_eq!(rows[0].frequency, Frequency::Monthly);
        assert_eq!(rows[0].display, "Ana@Example.org");
        assert_eq!(rows[1].source, "web");
        // Bob's suppression outlives his row: back in the file, still suppressed.
        let subs = subscribers::parse("subs.toml", FILE, &taxonomy).unwrap();
        store.sync_file(&source, &subs).unwrap();
        assert_eq!(
            store.subscriber("bob@example.org").unwrap().unwrap().status,
            "unsubscribed"
        );
        let (run, unusable) = store.run_subscribers(&taxonomy).unwrap();
        assert!(unusable.is_empty());
        assert_eq!(run.len(), 3);
        assert_eq!(
            run[0].follows,
            Follows::Some {
                themes: vec!["drugs".into()],
                programmes: vec![]
            }
        );
        assert!(store
            .load_state()
            .unwrap()
            .is_unsubscribed("bob@example.org"));
    });
}

#[test]
fn a_stored_address_that_no_longer_parses_is_unusable_not_fatal() {
    each("a_stored_address_that_no_longer_parses", |db| {
        let store = db.open();
        store
        .exec_raw(
            "INSERT INTO subscribers (address, display, follows_all, frequency, format, status, source, created_at)
             VALUES ('not an address', 'not an address', 1, 'weekly', 'html', 'confirmed', 'web', 'now')",
        )
        .unwrap();
        let (run, unusable) = store.run_subscribers(&Taxonomy::builtin()).unwrap();
        assert!(run.is_empty());
        assert_eq!(unusable.len(), 1);
        assert!(
            unusable[0].reason.contains("invalid address"),
            "{unusable:?}"
        );
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

#[test]
fn migration_2_keeps_version_1_subscribers_and_adds_the_sign_up_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch(MIGRATIONS[0]).unwrap();
        tx.execute(
            "INSERT INTO subscribers (address, display, frequency, format, status, source, created_at)
             VALUES ('ana@x.org', 'ana@x.org', 'weekly', 'html', 'confirmed', 'shell', 'then')",
            [],
        )
        .unwrap();
        tx.pragma_update(None, "user_version", 1).unwrap();
        tx.commit().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(user_version(&path), MIGRATIONS.len() as i64);
    let row = store.subscriber("ana@x.org").unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.paused), ("confirmed", false));
    assert!(store.set_paused("ana@x.org", true).unwrap());
    let (subs, _) = store.run_subscribers(&Taxonomy::builtin()).unwrap();
    assert!(subs.is_empty(), "a paused subscriber gets no digest");
    assert!(store.rate_hit("b", "k", 60, 1, 0).unwrap());
    assert!(!store.rate_hit("b", "k", 60, 1, 30).unwrap());
    // The next window starts again.
    assert!(store.rate_hit("b", "k", 60, 1, 60).unwrap());
}

#[test]
fn queued_mails_are_claimed_once_and_stale_claims_taken_again() {
    use super::signup::{MailOutcome, SignUp, SignUpOutcome};
    each("queued_mails_are_claimed_once", |db| {
        let store = db.open();
        let request = SignUp {
            display: "Ana@X.org".to_owned(),
            follows_all: true,
            themes: Vec::new(),
            programmes: Vec::new(),
            frequency: Frequency::Weekly,
            format: subscribers::MailFormat::Html,
            form: "web:test".to_owned(),
            ip: Some("192.0.2.1".to_owned()),
            mails_per_day: 2,
        };
        assert_eq!(
            store.sign_up(&request, 1_000).unwrap(),
            SignUpOutcome::Confirm
        );
        let claimed = store.claim_mail(1_000, 300, 10).unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].display, "Ana@X.org");
        // Claimed: nobody else takes it, until the claim is stale.
        assert!(store.claim_mail(1_100, 300, 10).unwrap().is_empty());
        let again = store.claim_mail(1_400, 300, 10).unwrap();
        assert_eq!(again.len(), 1);
        store.finish_mail(again[0].id, &MailOutcome::Sent).unwrap();
        assert!(store.claim_mail(9_999, 300, 10).unwrap().is_empty());
        // The daily limit per address: the third sign-up stores nothing.
        assert_eq!(
            store.sign_up(&request, 1_000).unwrap(),
            SignUpOutcome::Confirm
        );
        assert_eq!(
            store.sign_up(&request, 1_000).unwrap(),
            SignUpOutcome::Limited
        );
        assert_eq!(store.mail_queue().unwrap().len(), 2);
        // A deferred mail goes back to the queue.
        let next = store.claim_mail(2_000, 300, 10).unwrap();
        store
            .finish_mail(next[0].id, &MailOutcome::Deferred("451".to_owned()))
            .unwrap();
        assert_eq!(store.claim_mail(2_001, 300, 10).unwrap().len(), 1);
    });
}

#[test]
fn postgres_migrates_once_under_a_lock_when_two_open_at_once() {
    let Some(db) = TestDb::postgres() else {
        eprintln!("postgres_migrates_once: skipped, postgres not set");
        return;
    };
    eprintln!("postgres_migrates_once: postgres");
    assert_eq!(pg::MIGRATIONS.len(), MIGRATIONS.len(), "numbered alike");
    // Two processes starting together: both open, the schema is made once.
    std::thread::scope(|scope| {
        let opens: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| Store::connect(&db.database).map(drop)))
            .collect();
        for open in opens {
            open.join().unwrap().unwrap();
        }
    });
    let store = db.open();
    assert_eq!(store.schema_version(), MIGRATIONS.len() as i64);
    store.unsubscribe("a@x.org", "shell").unwrap();
    // Opening again migrates nothing and keeps the data.
    assert!(db.open().is_suppressed("A@x.org").unwrap());
    // A newer database is refused, not damaged.
    store
        .exec_raw("UPDATE schema_version SET version = 99")
        .unwrap();
    let err = Store::connect(&db.database).unwrap_err().to_string();
    assert!(err.contains("schema version 99"), "{err}");
    assert_eq!(store.schema_version(), 99);
}

#[test]
fn postgres_migration_2_keeps_version_1_subscribers() {
    let Some(db) = TestDb::postgres() else {
        eprintln!("postgres_migration_2: skipped, postgres not set");
        return;
    };
    eprintln!("postgres_migration_2: postgres");
    // A version-1 schema, made by hand through a store's connection.
    let Database::Postgres(url) = &db.database else {
        unreachable!()
    };
    let mut conn = super::db::PgConn::connect(&url.config().unwrap()).unwrap();
    conn.batch(pg::MIGRATIONS[0]).unwrap();
    conn.batch(
        "CREATE TABLE schema_version (version BIGINT NOT NULL);
         INSERT INTO schema_version VALUES (1);
         INSERT INTO subscribers (address, display, frequency, format, status, source, created_at)
         VALUES ('ana@x.org', 'ana@x.org', 'weekly', 'html', 'confirmed', 'shell', 'then')",
    )
    .unwrap();
    let store = db.open();
    assert_eq!(store.schema_version(), MIGRATIONS.len() as i64);
    let row = store.subscriber("ana@x.org").unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.paused), ("confirmed", false));
    assert!(store.set_paused("ana@x.org", true).unwrap());
    assert!(store.rate_hit("b", "k", 60, 1, 0).unwrap());
    assert!(!store.rate_hit("b", "k", 60, 1, 30).unwrap());
    assert!(store.rate_hit("b", "k", 60, 1, 60).unwrap());
}

#[test]
fn a_snapshot_of_either_backend_writes_nothing_back() {
    each("a_snapshot_of_either_backend_writes_nothing_back", |db| {
        // No database yet: an empty copy, and still nothing made.
        let empty = Store::snapshot_of(&db.database).unwrap();
        empty.unsubscribe("a@x.org", "shell").unwrap();
        assert!(empty.is_suppressed("a@x.org").unwrap());
        assert!(empty.begin_run(&RunLock::take(db.path()).unwrap()).is_err());
        drop(empty);
        let store = db.open();
        assert!(!store.is_suppressed("a@x.org").unwrap());
        store.unsubscribe("b@x.org", "shell").unwrap();
        let copy = Store::snapshot_of(&db.database).unwrap();
        assert!(copy.is_suppressed("b@x.org").unwrap());
        copy.unsubscribe("c@x.org", "shell").unwrap();
        assert!(copy.is_suppressed("c@x.org").unwrap());
        assert!(!store.is_suppressed("c@x.org").unwrap());
        drop(copy);
        assert!(!db.open().is_suppressed("c@x.org").unwrap());
    });
}

#[test]
fn a_store_works_and_drops_inside_an_async_runtime() {
    // The web app calls the store from spawn_blocking, an SMTP connection
    // from inside its runtime, and may drop it on a runtime thread: the
    // blocking PostgreSQL client must not panic in any of these.
    each("a_store_works_and_drops_inside_an_async_runtime", |db| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let database = db.database.clone();
        runtime.block_on(async move {
            let store = std::sync::Arc::new(Store::connect(&database).unwrap());
            store.unsubscribe("a@x.org", "web").unwrap();
            let shared = std::sync::Arc::clone(&store);
            let found = tokio::task::spawn_blocking(move || shared.is_suppressed("a@x.org"))
                .await
                .unwrap()
                .unwrap();
            assert!(found);
            let copy = Store::snapshot_of(&database).unwrap();
            assert!(copy.is_suppressed("a@x.org").unwrap());
            drop(copy);
            drop(store);
        });
        assert!(db.open().is_suppressed("a@x.org").unwrap());
    });
}

#[test]
fn stores_racing_on_one_database_count_and_claim_exactly() {
    // Several processes (web app instances) at once: the rate limit lets
    // exactly `max` through, and each queued mail is claimed once.
    use super::signup::SignUp;
    each("stores_racing_on_one_database", |db| {
        let setup = db.open();
        for i in 0..40 {
            let request = SignUp {
                display: format!("r{i}@x.org"),
                follows_all: true,
                themes: Vec::new(),
                programmes: Vec::new(),
                frequency: Frequency::Weekly,
                format: subscribers::MailFormat::Html,
                form: "web:test".to_owned(),
                ip: None,
                mails_per_day: 5,
            };
            setup.sign_up(&request, 1_000).unwrap();
        }
        let (granted, claimed) = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        let store = db.open();
                        let mut granted = 0;
                        for _ in 0..25 {
                            if store.rate_hit("ip", "192.0.2.1", 3600, 50, 1_000).unwrap() {
                                granted += 1;
                            }
                        }
                        let mut ids = Vec::new();
                        loop {
                            let mails = store.claim_mail(2_000, 300, 3).unwrap();
                            if mails.is_empty() {
                                break;
                            }
                            ids.extend(mails.into_iter().map(|m| m.id));
                        }
                        (granted, ids)
                    })
                })
                .collect();
            let mut granted = 0;
            let mut claimed = Vec::new();
            for racer in racers {
                let (g, ids) = racer.join().unwrap();
                granted += g;
                claimed.extend(ids);
            }
            (granted, claimed)
        });
        assert_eq!(granted, 50);
        let unique: std::collections::BTreeSet<i64> = claimed.iter().copied().collect();
        assert_eq!((claimed.len(), unique.len()), (40, 40));
    });
}
