//! Which database the store is: a SQLite file (the default) or a
//! PostgreSQL server named by a URL. The URL may carry a password; it is
//! kept apart and only its redacted form is ever shown ([`PgUrl`]'s
//! `Display` and `Debug`).

use std::fmt;
use std::path::PathBuf;

/// The environment variable that selects PostgreSQL, over the config.
pub const URL_ENV: &str = "STORYFEED_DATABASE_URL";

/// Where the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(PgUrl),
}

impl Database {
    /// The database to use: `url` when it is set (a PostgreSQL URL), else
    /// the SQLite file.
    pub fn select(url: Option<&str>, file: PathBuf) -> Result<Database, String> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => PgUrl::parse(url).map(Database::Postgres),
            None => Ok(Database::Sqlite(file)),
        }
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => url.fmt(f),
        }
    }
}

/// A `postgres://` URL; shown without its password.
#[derive(Clone, PartialEq, Eq)]
pub struct PgUrl {
    secret: String,
    shown: String,
}

impl PgUrl {
    /// Checks the form (`postgres://` or `postgresql://`, which the driver
    /// can read); the error never holds the password.
    pub fn parse(url: &str) -> Result<PgUrl, String> {
        let shown = redact(url);
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(format!(
                "`{shown}` is not a PostgreSQL URL (postgres://user@host:port/database)"
            ));
        }
        if url.parse::<postgres::Config>().is_err() {
            // The driver's message may quote the URL: not shown.
            return Err(format!("`{shown}` is not a valid PostgreSQL URL"));
        }
        Ok(PgUrl {
            secret: url.to_owned(),
            shown,
        })
    }

    /// The driver's settings (the password included).
    pub fn config(&self) -> Result<postgres::Config, String> {
        self.secret
            .parse()
            .map_err(|_| format!("`{}` is not a valid PostgreSQL URL", self.shown))
    }
}

impl fmt::Display for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PgUrl({})", self.shown)
    }
}

/// The URL with any password (in the user part, or a `password=` query
/// parameter) replaced by `***`.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rfind('@') {
        Some(at) => {
            let (user, host) = authority.split_at(at);
            match user.find(':') {
                Some(colon) => format!("{}:***{host}", &user[..colon]),
                None => authority.to_owned(),
            }
        }
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            redact("postgres://app:s3cr%40t@db.example.org:5432/feed?sslmode=disable"),
            "postgres://app:***@db.example.org:5432/feed?sslmode=disable"
        );
        assert_eq!(
            redact("postgresql://db/feed?user=app&password=s3cret&x=1"),
            "postgresql://db/feed?user=app&password=***&x=1"
        );
        assert_eq!(redact("postgres://app@db/feed"), "postgres://app@db/feed");
        let url = PgUrl::parse("postgres://app:s3cret@db/feed").unwrap();
        assert!(!format!("{url} {url:?}").contains("s3cret"));
        for bad in [
            "mysql://app:s3cret@db/feed",
            "postgres://app:s3cret@db:notaport/feed",
        ] {
            let err = PgUrl::parse(bad).unwrap_err();
            assert!(!err.contains("s3cret"), "{err}");
            assert!(err.contains("app:***@db"), "{err}");
        }
    }

    #[test]
    fn a_url_selects_postgres_and_none_sqlite() {
        let file = PathBuf::from("state/storyfeed.db");
        assert_eq!(
            Database::select(None, file.clone()).unwrap(),
            Database::Sqlite(file.clone())
        );
        assert_eq!(
            Database::select(Some("  "), file.clone()).unwrap(),
            Database::Sqlite(file.clone())
        );
        let db = Database::select(Some("postgres://u:pw@h/d"), file).unwrap();
        assert_eq!(db.to_string(), "postgres://u:***@h/d");
    }
}
