//! The settings of a storyfeed site: one validated `Config` built from
//! `storyfeed.toml` (or built-in defaults) and command-line overrides.
//!
//! Every field has a documented default, so the tool runs with no config
//! file at all; unknown keys are errors, so a typo is not silently ignored.
//! Relative paths in a config file are relative to the file's directory.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::location::Location;

/// The config file looked for in the working directory when none is given.
pub const DEFAULT_FILE: &str = "storyfeed.toml";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },
    #[error("{name}: {message}")]
    Invalid { name: String, message: String },
}

/// Site and build settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Title of the site and prefix of every feed title.
    pub title: String,
    /// One sentence on what the site is, for feeds and the index page.
    pub description: String,
    /// Absolute URL the site is served from; every link in feeds and pages
    /// starts with it. Default: `http://127.0.0.1:8000/` (what `storyfeed serve` uses).
    pub base_url: String,
    /// Language of the stories (BCP 47), for feeds and pages.
    pub language: String,
    /// Author named on feeds and entries.
    pub author: String,
    /// Most items in one feed (newest first).
    pub feed_item_limit: usize,
    /// Archive files or directories to read.
    pub archives: Vec<PathBuf>,
    /// Themes and programmes with their match rules.
    pub taxonomy: PathBuf,
    /// Every id ever published, kept with the data so ids survive title edits.
    pub ledger: PathBuf,
    /// Where `storyfeed build` writes the site.
    pub out_dir: PathBuf,
    /// Email digests (`storyfeed digest`).
    pub digest: DigestConfig,
}

/// Settings of `storyfeed digest`: who mail comes from, where it goes,
/// where the run's state lives. Secrets are never here: only the names of
/// the environment variables or files that hold them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DigestConfig {
    /// `From:` of every digest, `Name <address>`.
    pub from: String,
    /// Start of every subject: `UNODC digest, 17–23 Nov 2026: 12 new stories`.
    pub subject: String,
    /// `List-Id:` identifier (a domain-like name).
    pub list_id: String,
    /// Address for `mailto:` unsubscription in `List-Unsubscribe:`.
    pub unsubscribe_mailto: String,
    /// The subscribers file.
    pub subscribers: PathBuf,
    /// Where sent digests, arrivals and unsubscriptions are recorded.
    pub state_dir: PathBuf,
    /// Where `--dry-run` (or a run with no SMTP server) writes `.eml` files.
    pub outbox: PathBuf,
    /// `smtp://host[:port]` (STARTTLS) or `smtps://host[:port]` (TLS);
    /// none means digests go to the outbox.
    pub smtp_url: Option<String>,
    /// SMTP user name, if the server wants one.
    pub smtp_user: Option<String>,
    /// Environment variable holding the SMTP password.
    pub smtp_password_env: String,
    /// File holding the SMTP password (used when the variable is unset).
    pub smtp_password_file: Option<PathBuf>,
    /// Send over plain `smtp://` without STARTTLS to a host that is not
    /// loopback. Off: such a server must offer STARTTLS.
    pub smtp_allow_plaintext: bool,
    /// SMTP connections used in parallel.
    pub smtp_connections: usize,
    /// Most messages per second over all connections; 0 means no limit.
    pub rate_limit: f64,
    /// Environment variable holding the secret that signs unsubscribe links.
    pub secret_env: String,
    /// File holding that secret (used when the variable is unset).
    pub secret_file: Option<PathBuf>,
}

impl Default for DigestConfig {
    fn default() -> Self {
        DigestConfig {
            from: "UNODC stories <digest@example.org>".to_owned(),
            subject: "UNODC digest".to_owned(),
            list_id: "digest.storyfeed.example.org".to_owned(),
            unsubscribe_mailto: "unsubscribe@example.org".to_owned(),
            subscribers: PathBuf::from("data/subscribers.toml"),
            state_dir: PathBuf::from("state"),
            outbox: PathBuf::from("outbox"),
            smtp_url: None,
            smtp_user: None,
            smtp_password_env: "STORYFEED_SMTP_PASSWORD".to_owned(),
            smtp_password_file: None,
            smtp_allow_plaintext: false,
            smtp_connections: 1,
            rate_limit: 0.0,
            secret_env: "STORYFEED_SECRET".to_owned(),
            secret_file: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "UNODC stories".to_owned(),
            description:
                "News from the United Nations Office on Drugs and Crime, by theme and programme."
                    .to_owned(),
            base_url: "http://127.0.0.1:8000/".to_owned(),
            language: "en".to_owned(),
            author: "UNODC".to_owned(),
            feed_item_limit: 50,
            archives: vec![PathBuf::from("data/archives")],
            taxonomy: PathBuf::from("data/taxonomy.toml"),
            ledger: PathBuf::from("data/published.jsonl"),
            out_dir: PathBuf::from("public"),
            digest: DigestConfig::default(),
        }
    }
}

impl Config {
    /// Parses config text named `name` (for messages) and validates it.
    pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let location = e.span().map_or(Location::new(name, 0, 0), |span| {
                Location::at(name, text, span.start)
            });
            ConfigError::Syntax {
                location,
                message: e.message().to_owned(),
            }
        })?;
        config.validated(name)
    }

    /// Reads and parses a config file; relative paths in it become relative
    /// to the file's directory.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(&path.display().to_string(), &text)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            config.rebase(dir);
        }
        Ok(config)
    }

    /// `storyfeed.toml` from `explicit`, else from the working directory if
    /// there is one, else the defaults.
    pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit {
            Some(path) => Config::load(path),
            None if Path::new(DEFAULT_FILE).is_file() => Config::load(Path::new(DEFAULT_FILE)),
            None => Ok(Config::default()),
        }
    }

    /// Replaces the base URL (from `--base-url`), validating it.
    pub fn with_base_url(mut self, url: &str) -> Result<Config, ConfigError> {
        self.base_url = url.to_owned();
        self.validated("--base-url")
    }

    fn rebase(&mut self, dir: &Path) {
        let join = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        };
        self.archives.iter_mut().for_each(join);
        join(&mut self.taxonomy);
        join(&mut self.ledger);
        join(&mut self.out_dir);
        let digest = &mut self.digest;
        join(&mut digest.subscribers);
        join(&mut digest.state_dir);
        join(&mut digest.outbox);
        if let Some(p) = digest.smtp_password_file.as_mut() {
            join(p);
        }
        if let Some(p) = digest.secret_file.as_mut() {
            join(p);
        }
    }

    fn validated(mut self, name: &str) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            name: name.to_owned(),
            message,
        };
        let url = self.base_url.trim();
        let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
        let host = url.split("://").nth(1).unwrap_or("");
        if !scheme_ok
            || host.is_empty()
            || host.starts_with('/')
            || url.contains(char::is_whitespace)
        {
            return Err(invalid(format!(
                "base_url `{}` must be an absolute http(s) URL such as https://example.org/news/",
                self.base_url
            )));
        }
        // Links are made by appending paths, so the base always ends in `/`.
        self.base_url = if url.ends_with('/') {
            url.to_owned()
        } else {
            format!("{url}/")
        };
        if self.feed_item_limit == 0 {
            return Err(invalid("feed_item_limit must be at least 1".to_owned()));
        }
        if self.digest.smtp_connections == 0 {
            return Err(invalid(
                "digest.smtp_connections must be at least 1".to_owned(),
            ));
        }
        if !(self.digest.rate_limit >= 0.0 && self.digest.rate_limit.is_finite()) {
            return Err(invalid(
                "digest.rate_limit must be a number of messages per second, 0 for none".to_owned(),
            ));
        }
        if self.title.trim().is_empty() {
            return Err(invalid("title must not be empty".to_owned()));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_is_the_defaults() {
        let text = include_str!("../storyfeed.example.toml");
        assert_eq!(
            Config::parse("storyfeed.example.toml", text).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = Config::parse("c.toml", "title = \"x\"\nfeed_item_limt = 3\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("c.toml:2:1: unknown field `feed_item_limt`"),
            "{err}"
        );
        let err = Config::parse("c.toml", "base_url = \"ftp://x\"\n").unwrap_err();
        assert!(
            err.to_string().contains("must be an absolute http(s) URL"),
            "{err}"
        );
    }

    #[test]
    fn base_url_gets_a_trailing_slash() {
        let c = Config::parse("c", "base_url = \"https://example.org/news\"").unwrap();
        assert_eq!(c.base_url, "https://example.org/news/");
    }
}
