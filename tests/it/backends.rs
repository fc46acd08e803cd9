//! Both store backends for end-to-end tests: SQLite always, PostgreSQL too
//! when `STORYFEED_TEST_DATABASE_URL` names a server. A PostgreSQL test
//! gets a schema of its own (the URL's `search_path`), dropped when the
//! last project using it goes, so tests run in parallel. Which backends
//! ran is printed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::harness::Project;

/// The variable naming the test server.
pub const TEST_URL_ENV: &str = "STORYFEED_TEST_DATABASE_URL";

/// The variable that selects PostgreSQL for the program.
pub const URL_ENV: &str = "STORYFEED_DATABASE_URL";

#[derive(Clone)]
pub enum Backend {
    Sqlite,
    Postgres(Arc<Schema>),
}

/// A schema on the test server, dropped with the last reference.
pub struct Schema {
    server: String,
    name: String,
    /// The server's URL with the schema as `search_path`.
    pub url: String,
    dropped: std::sync::atomic::AtomicBool,
}

impl Schema {
    fn new(server: &str) -> Schema {
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "it_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut client = postgres::Client::connect(server, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{TEST_URL_ENV}: cannot connect: {e}"));
        client
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .unwrap();
        let sep = if server.contains('?') { '&' } else { '?' };
        Schema {
            url: format!("{server}{sep}options=-csearch_path%3D{name}"),
            server: server.to_owned(),
            name,
            dropped: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl Schema {
    /// Drops the schema (once), whoever still holds a reference: a
    /// project clone may live on in a helper thread of the test.
    fn drop_now(&self) {
        if self.dropped.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Ok(mut client) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        self.drop_now();
    }
}

/// Runs `body` on SQLite, then on PostgreSQL when the test server is set;
/// says which ran.
pub fn each(test: &str, body: impl Fn(&Backend)) {
    announce();
    eprintln!("{test}: sqlite");
    body(&Backend::Sqlite);
    match std::env::var(TEST_URL_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        Some(server) => {
            eprintln!("{test}: postgres");
            let schema = Arc::new(Schema::new(server.trim()));
            body(&Backend::Postgres(Arc::clone(&schema)));
            schema.drop_now();
        }
        None => eprintln!("{test}: postgres not run ({TEST_URL_ENV} not set)"),
    }
}

impl Project {
    /// The project with its store on `backend`.
    pub fn on(self, backend: &Backend) -> Project {
        match backend {
            Backend::Sqlite => self,
            Backend::Postgres(schema) => self
                .env(URL_ENV, &schema.url)
                .keep(Arc::clone(schema) as Arc<dyn std::any::Any + Send + Sync>),
        }
    }
}

impl Backend {
    /// The store on this backend for a directory: its SQLite file, or the
    /// schema.
    pub fn database(&self, dir: &std::path::Path) -> storyfeed::store::Database {
        match self {
            Backend::Sqlite => storyfeed::store::Database::Sqlite(dir.join("state/storyfeed.db")),
            Backend::Postgres(schema) => {
                storyfeed::store::Database::select(Some(&schema.url), Default::default()).unwrap()
            }
        }
    }

    /// A count (`SELECT COUNT(*) …`) read straight from the database.
    pub fn count(&self, dir: &std::path::Path, sql: &str) -> i64 {
        match self {
            Backend::Sqlite => rusqlite::Connection::open_with_flags(
                dir.join("state/storyfeed.db"),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap(),
            Backend::Postgres(schema) => postgres::Client::connect(&schema.url, postgres::NoTls)
                .unwrap()
                .query_one(sql, &[])
                .unwrap()
                .get(0),
        }
    }
}

/// Once per test binary, past the test harness's capture (which takes only
/// `print!` and `eprint!`): which backends the store's tests run on, so a
/// run without PostgreSQL never passes for one with it.
fn announce() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use std::io::Write as _;
        let line = match std::env::var(TEST_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => {
                format!("store tests: backends SQLite and PostgreSQL ({TEST_URL_ENV} is set)")
            }
            _ => format!("store tests: backend SQLite only ({TEST_URL_ENV} is not set)"),
        };
        let _ = writeln!(std::io::stderr(), "{line}");
    });
}
