//! The settings of a storyfeed site: one validated `Config` built from
//! `storyfeed.toml` (or built-in defaults) and command-line overrides.
//!
//! Every field has a documented default, so the tool runs with no config
//! file at all; unknown keys are errors, so a typo is not silently ignored.
//! Relative paths in a config file are relative to the file's directory.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

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
    #[error("{name}:{line}:{column}: {message}")]
    Syntax {
        name: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{name}: {message}")]
    Invalid { name: String, message: String },
}

/// Site and build settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
        }
    }
}

impl Config {
    /// Parses config text named `name` (for messages) and validates it.
    pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((0, 0), |span| line_column(text, span.start));
            ConfigError::Syntax {
                name: name.to_owned(),
                line,
                column,
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
        if self.title.trim().is_empty() {
            return Err(invalid("title must not be empty".to_owned()));
        }
        Ok(self)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
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
