//! The SQLite schema, as numbered migrations applied at open under
//! `PRAGMA user_version` (PostgreSQL's, numbered alike, are in
//! [`super::pg`]): version N means migrations 1..=N are in. A new
//! version is one more entry at the end of [`MIGRATIONS`]; an entry is never
//! edited once released.

use rusqlite::{Connection, TransactionBehavior};

/// Migration `i + 1` is `MIGRATIONS[i]`.
pub const MIGRATIONS: &[&str] = &[
    // 1: everything a digest run and the web app share.
    "
    CREATE TABLE subscribers (
        -- The key: trimmed, lower case.
        address      TEXT PRIMARY KEY,
        -- As given, for the To: header.
        display      TEXT NOT NULL,
        name         TEXT,
        follows_all  INTEGER NOT NULL DEFAULT 0 CHECK (follows_all IN (0, 1)),
        -- Slugs separated by spaces, in taxonomy order.
        themes       TEXT NOT NULL DEFAULT '',
        programmes   TEXT NOT NULL DEFAULT '',
        frequency    TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
        format       TEXT NOT NULL CHECK (format IN ('html', 'text')),
        status       TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
        -- `file:<path>`, `import`, `import:<file>`, `web`, `shell`.
        source       TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        confirmed_at TEXT
    );
    CREATE INDEX subscribers_source ON subscribers (source);

    CREATE TABLE consents (
        id      INTEGER PRIMARY KEY,
        address TEXT NOT NULL REFERENCES subscribers (address) ON DELETE CASCADE,
        at      TEXT NOT NULL,
        -- The form or command the consent came from.
        source  TEXT NOT NULL,
        ip      TEXT
    );
    CREATE INDEX consents_address ON consents (address);

    -- Sign-ups waiting for their confirmation link to be followed.
    CREATE TABLE confirmations (
        token_hash TEXT PRIMARY KEY,
        address    TEXT NOT NULL REFERENCES subscribers (address) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        -- When the confirmation mail went out (NULL: still queued).
        sent_at    TEXT
    );
    CREATE INDEX confirmations_address ON confirmations (address);

    -- Addresses that get nothing more, subscriber or not.
    CREATE TABLE suppressions (
        address TEXT PRIMARY KEY,
        reason  TEXT NOT NULL,
        via     TEXT NOT NULL,
        at      TEXT NOT NULL
    );

    -- The day each story became due for digests.
    CREATE TABLE arrivals (
        story_id TEXT PRIMARY KEY,
        day      TEXT NOT NULL
    ) WITHOUT ROWID;

    -- Digest runs: who holds a claim, and whether it is still alive.
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        pid         INTEGER NOT NULL,
        -- The token written in the lock file this run holds.
        lock_token  TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        -- Unix seconds, renewed while the run lives.
        heartbeat   INTEGER NOT NULL,
        finished_at TEXT
    );

    -- The delivery journal: one row per digest (address, period).
    CREATE TABLE deliveries (
        address      TEXT NOT NULL,
        period_first TEXT NOT NULL,
        period_last  TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'sent', 'failed')),
        message_id   TEXT NOT NULL,
        stories      INTEGER NOT NULL,
        detail       TEXT,
        at           TEXT NOT NULL,
        run_id       INTEGER REFERENCES runs (id),
        PRIMARY KEY (address, period_first, period_last)
    ) WITHOUT ROWID;
    CREATE INDEX deliveries_run ON deliveries (run_id) WHERE status = 'claimed';

    -- One-time imports done (the JSON Lines state of earlier versions).
    CREATE TABLE imports (
        name   TEXT PRIMARY KEY,
        at     TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    ",
    // 2: the web app's sign-up: mails waiting to go out, rate-limit
    // counters, and pausing (a paused subscriber keeps the row, gets no
    // digest).
    "
    ALTER TABLE subscribers ADD COLUMN paused_at TEXT;

    -- Confirmation (and `already subscribed`) mails: queued by a request,
    -- claimed then sent by the server's mailer, exactly once.
    CREATE TABLE mail_queue (
        id         INTEGER PRIMARY KEY,
        address    TEXT NOT NULL,
        -- `confirm`: a link that confirms; `manage`: already subscribed.
        kind       TEXT NOT NULL CHECK (kind IN ('confirm', 'manage')),
        created_at TEXT NOT NULL,
        status     TEXT NOT NULL CHECK (status IN ('queued', 'claimed', 'sent', 'failed')),
        -- Unix seconds of the claim; a claim older than a few minutes is
        -- taken to be from a mailer that died.
        claimed_at INTEGER,
        sent_at    TEXT,
        detail     TEXT
    );
    CREATE INDEX mail_queue_status ON mail_queue (status);

    -- Fixed-window counters (per client IP, per address hash), shared by
    -- every server on the database.
    CREATE TABLE rate_limits (
        bucket TEXT NOT NULL,
        key    TEXT NOT NULL,
        window INTEGER NOT NULL,
        count  INTEGER NOT NULL,
        PRIMARY KEY (bucket, key, window)
    ) WITHOUT ROWID;
    ",
    // 3: bounces and complaints (`storyfeed bounces`): each report read
    // once, and what it said of each address.
    "
    -- Delivery status notifications and complaint reports counted, by
    -- their Message-ID (or a hash of their bytes): a report read twice
    -- counts once.
    CREATE TABLE reports (
        report_id TEXT PRIMARY KEY,
        kind      TEXT NOT NULL CHECK (kind IN ('dsn', 'complaint')),
        -- The report's date (RFC 3339, UTC), and when it was read.
        at        TEXT NOT NULL,
        read_at   TEXT NOT NULL
    );

    -- One row per address a report is about.
    CREATE TABLE bounces (
        id        INTEGER PRIMARY KEY,
        -- The address key.
        address   TEXT NOT NULL,
        kind      TEXT NOT NULL CHECK (kind IN ('hard', 'soft', 'complaint')),
        -- The status code (`5.1.1`), or the feedback type (`abuse`).
        status    TEXT NOT NULL,
        report_id TEXT NOT NULL REFERENCES reports (report_id),
        -- The report's date, RFC 3339 in UTC (`…Z`): soft bounces are
        -- counted over a window of these.
        at        TEXT NOT NULL
    );
    CREATE INDEX bounces_address ON bounces (address, kind, at);
    ",
];

/// Brings the database to the newest version, one migration a
/// transaction. Two processes opening at once: the second waits for the
/// first's write lock, then finds the work done.
pub fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    // Up to date (every open but the first): no write lock taken.
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version == MIGRATIONS.len() as i64 {
        return Ok(());
    }
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let target = i as i64 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > MIGRATIONS.len() as i64 {
            return Err(MigrateError::Newer(version));
        }
        if version >= target {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", target)?;
        tx.commit()?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database is at schema version {0}, newer than this storyfeed knows; upgrade storyfeed"
    )]
    Newer(i64),
    #[error(transparent)]
    Db(#[from] super::db::DbError),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> MigrateError {
        MigrateError::Db(e.into())
    }
}
