//! Each backend's own: SQLite's migrations, WAL, in-memory snapshots and
//! full disk; PostgreSQL's migrations under a lock; both from threads and
//! from inside an async runtime.

use std::path::Path;

use rusqlite::Connection;

use super::super::schema::MIGRATIONS;
use super::super::testdb::{each, TestDb};
use super::super::{pg, Claim, Database, RunLock, Store, StoreError};
use super::{entry, status};
use crate::classify::Taxonomy;
use crate::digest::period::Frequency;
use crate::digest::state::Status;
use crate::digest::subscribers;

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
    let mut conn = super::super::db::PgConn::connect(&url.config().unwrap()).unwrap();
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
    use super::super::signup::SignUp;
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
