//! Test databases of both backends: SQLite always, PostgreSQL too when
//! `STORYFEED_TEST_DATABASE_URL` names a server. Each PostgreSQL test gets
//! a schema of its own (its connections' `search_path`), dropped at the
//! end, so tests run in parallel. Which backends ran is printed.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use super::database::PgUrl;
use super::db::PgConn;
use super::{Database, Store};

/// The variable naming the test server.
pub const TEST_URL_ENV: &str = "STORYFEED_TEST_DATABASE_URL";

pub struct TestDb {
    /// Lock files, legacy state files, the SQLite file.
    pub dir: tempfile::TempDir,
    pub database: Database,
    /// PostgreSQL: the server's URL and the schema to drop.
    pg: Option<(PgUrl, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::Sqlite(dir.path().join("state/storyfeed.db"));
        TestDb {
            dir,
            database,
            pg: None,
        }
    }

    /// A fresh schema on the test server, if there is one.
    pub fn postgres() -> Option<TestDb> {
        let url = std::env::var(TEST_URL_ENV).ok()?;
        let url = url.trim();
        if url.is_empty() {
            return None;
        }
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let schema = format!(
            "t_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let server = PgUrl::parse(url).unwrap();
        let mut admin = PgConn::connect(&server.config().unwrap()).unwrap();
        admin.batch(&format!("CREATE SCHEMA {schema}")).unwrap();
        let sep = if url.contains('?') { '&' } else { '?' };
        let with_path =
            PgUrl::parse(&format!("{url}{sep}options=-csearch_path%3D{schema}")).unwrap();
        Some(TestDb {
            dir: tempfile::tempdir().unwrap(),
            database: Database::Postgres(with_path),
            pg: Some((server, schema)),
        })
    }

    /// SQLite, and PostgreSQL when the test server is set; says which.
    pub fn all(test: &str) -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite()];
        match TestDb::postgres() {
            Some(db) => dbs.push(db),
            None => eprintln!("{test}: sqlite only ({TEST_URL_ENV} not set)"),
        }
        dbs
    }

    pub fn name(&self) -> &'static str {
        match self.database {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }

    pub fn open(&self) -> Store {
        Store::connect(&self.database).unwrap()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, schema)) = &self.pg {
            if let Ok(mut admin) = PgConn::connect(&server.config().unwrap_or_default()) {
                let _ = admin.batch(&format!("DROP SCHEMA {schema} CASCADE"));
            }
        }
    }
}

/// Runs `body` on each test database, saying which ran.
pub fn each(test: &str, body: impl Fn(&TestDb)) {
    announce();
    for db in TestDb::all(test) {
        eprintln!("{test}: {}", db.name());
        body(&db);
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
