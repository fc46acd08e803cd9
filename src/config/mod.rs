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

mod rules;
#[cfg(test)]
mod tests;

use rules::{
    address, base_url, bounce_address, hub_url, is_language_tag, list_id, mailbox, plain_text,
    quoted,
};

use crate::dkim::{dns_name, Signer};

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
    /// A value that is not allowed: `storyfeed.toml:3:12: language: "en\u{0}"
    /// is not a BCP 47 language tag …`.
    #[error("{place}: {message}")]
    Invalid { place: Place, message: String },
    /// The DKIM key file could not be used (the message names its place).
    #[error("{0}")]
    Key(String),
}

/// Where a bad value is: the place of the value in a config file with the
/// setting's name, or only a name (a flag such as `--base-url`, or a
/// setting whose value is not written in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub location: Option<Location>,
    pub setting: String,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{location}: {}", self.setting),
            None => f.write_str(&self.setting),
        }
    }
}

/// Where the values being validated came from.
enum Origin<'a> {
    /// A config file's text, where a value is found by its key.
    File { name: &'a str, text: &'a str },
    /// No file: values set in code, and `base_url` from this flag.
    Flag(&'a str),
}

impl Origin<'_> {
    /// The place of `setting` (a dotted key such as `digest.from`).
    fn place(&self, setting: &str) -> Place {
        match self {
            Origin::File { name, text } => Place {
                location: value_start(text, setting).map(|at| Location::at(name, text, at)),
                setting: setting.to_owned(),
            },
            Origin::Flag(flag) => Place {
                location: None,
                setting: if setting == "base_url" { flag } else { setting }.to_owned(),
            },
        }
    }
}

/// The byte offset of the value of the dotted key `setting` in TOML
/// `text`, however its tables are written (`[digest]`, `digest.from =`,
/// inline). Only called for an error, so the second parse costs nothing.
fn value_start(text: &str, setting: &str) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut keys = setting.split('.').peekable();
    while let Some(key) = keys.next() {
        let (_, value) = table.iter().find(|(k, _)| k.get_ref().as_ref() == key)?;
        if keys.peek().is_none() {
            return Some(value.span().start);
        }
        match value.get_ref() {
            DeValue::Table(inner) => table = inner,
            _ => return None,
        }
    }
    None
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
    /// Stories in each feed archive document; a current document holds
    /// this many to twice this less one (`feed::archive`).
    pub feed_item_limit: usize,
    /// Most stories on one theme or programme page (older ones go to
    /// numbered pages).
    pub page_size: usize,
    /// Archive files or directories to read.
    pub archives: Vec<PathBuf>,
    /// Themes and programmes with their match rules.
    pub taxonomy: PathBuf,
    /// Every id ever published, kept with the data so ids survive title edits.
    pub ledger: PathBuf,
    /// Editors' fixes to single stories (`crate::corrections`); a file
    /// named here must exist. See [`Config::corrections_file`].
    pub corrections: Option<PathBuf>,
    /// Where the corrections are when `corrections` is not set:
    /// `data/corrections.toml` beside the config file (or in the working
    /// directory), used only if it exists.
    #[serde(skip)]
    pub default_corrections: PathBuf,
    /// Where `storyfeed build` writes the site.
    pub out_dir: PathBuf,
    /// WebSub hub every feed advertises and `build --ping` notifies.
    pub websub_hub: Option<String>,
    /// Where the sign-up forms of the site post to: the `/subscribe` route
    /// of `storyfeed serve` (an absolute http(s) URL, so the site can be
    /// on a CDN and the app elsewhere). Unset: no form on the pages. The
    /// app's own links (confirmation, preferences) are made beside it.
    pub subscribe_url: Option<String>,
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
    /// The state directory: the run lock, and the database unless
    /// `database` says otherwise.
    pub state_dir: PathBuf,
    /// The SQLite database of subscribers, deliveries, arrivals and
    /// unsubscriptions; default `<state_dir>/storyfeed.db`.
    pub database: Option<PathBuf>,
    /// PostgreSQL instead of the SQLite file:
    /// `postgres://user@host:5432/database`. `STORYFEED_DATABASE_URL`, when
    /// set, wins over it (and is the place for a URL with a password).
    pub database_url: Option<String>,
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
    /// Seconds to wait for the server: to connect, and for each reply
    /// (the one to the end of a message included).
    pub smtp_timeout: u64,
    /// Most messages per second over all connections; 0 means no limit.
    pub rate_limit: f64,
    /// Environment variable holding the secret that signs unsubscribe links.
    pub secret_env: String,
    /// File holding that secret (used when the variable is unset).
    pub secret_file: Option<PathBuf>,
    /// PEM file of CA certificates trusted for the SMTP server, on top of
    /// the public roots (a relay with an internal CA).
    pub smtp_ca_file: Option<PathBuf>,
    /// DKIM selector: the key is published at `selector._domainkey.domain`.
    /// The three DKIM settings go together; none of them: no signing (a
    /// relay may sign instead).
    pub dkim_selector: Option<String>,
    /// DKIM signing domain (`d=`), normally the domain of `from`.
    pub dkim_domain: Option<String>,
    /// PEM private key (Ed25519 or RSA), made by `storyfeed dkim keygen`.
    pub dkim_key_file: Option<PathBuf>,
    /// The key of `dkim_key_file`, read and checked when the config is.
    #[serde(skip)]
    pub dkim: Option<Signer>,
    /// Why that key could not be read, with the setting's place: an error
    /// for the commands that sign ([`DigestConfig::check_keys`]), not for
    /// `build` or `check`, which may run where the key is not readable.
    #[serde(skip)]
    pub dkim_error: Option<String>,
    /// Envelope sender (SMTP `MAIL FROM`) that bounces come back to,
    /// `local@domain`: each mail goes out from `local+<token>@domain`
    /// (VERP), the token naming its subscriber without showing the address.
    /// Unset: the envelope sender is the address of `from`, no VERP.
    pub bounce_address: Option<String>,
    /// Temporary failures (4.x.x) of one address within
    /// `soft_bounce_window_days` after which it is suppressed.
    pub soft_bounce_limit: u32,
    /// The window, in days, over which temporary failures are counted.
    pub soft_bounce_window_days: u32,
}

impl DigestConfig {
    /// The DKIM key's error, if `dkim_key_file` could not be read: every
    /// command that sends or writes mail calls this first.
    pub fn check_keys(&self) -> Result<(), ConfigError> {
        match &self.dkim_error {
            Some(message) => Err(ConfigError::Key(message.clone())),
            None => Ok(()),
        }
    }

    /// The database file: `database`, else `<state_dir>/storyfeed.db`.
    pub fn database(&self) -> PathBuf {
        self.database
            .clone()
            .unwrap_or_else(|| self.state_dir.join(crate::store::DEFAULT_FILE))
    }

    /// The store's database: PostgreSQL when `STORYFEED_DATABASE_URL` or
    /// `database_url` names one, else the SQLite file. The error (a bad
    /// URL in the variable) never holds the password.
    pub fn store(&self) -> Result<crate::store::Database, String> {
        let env = std::env::var(crate::store::database::URL_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty());
        crate::store::Database::select(
            env.as_deref().or(self.database_url.as_deref()),
            self.database(),
        )
        .map_err(|e| match env {
            Some(_) => format!("{}: {e}", crate::store::database::URL_ENV),
            None => e,
        })
    }
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
            database: None,
            database_url: None,
            outbox: PathBuf::from("outbox"),
            smtp_url: None,
            smtp_user: None,
            smtp_password_env: "STORYFEED_SMTP_PASSWORD".to_owned(),
            smtp_password_file: None,
            smtp_allow_plaintext: false,
            smtp_connections: 1,
            smtp_timeout: 60,
            rate_limit: 0.0,
            secret_env: "STORYFEED_SECRET".to_owned(),
            secret_file: None,
            smtp_ca_file: None,
            dkim_selector: None,
            dkim_domain: None,
            dkim_key_file: None,
            dkim: None,
            dkim_error: None,
            bounce_address: None,
            soft_bounce_limit: 3,
            soft_bounce_window_days: 14,
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
            page_size: 50,
            archives: vec![PathBuf::from("data/archives")],
            taxonomy: PathBuf::from("data/taxonomy.toml"),
            ledger: PathBuf::from("data/published.jsonl"),
            corrections: None,
            default_corrections: PathBuf::from("data/corrections.toml"),
            out_dir: PathBuf::from("public"),
            websub_hub: None,
            subscribe_url: None,
            digest: DigestConfig::default(),
        }
    }
}

impl Config {
    /// Parses config text named `name` (for messages) and validates it;
    /// a DKIM key file is read relative to the working directory.
    pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
        Config::parse_unread(name, text)?.read_keys(&Origin::File { name, text })
    }

    /// `parse` without reading the files it names.
    fn parse_unread(name: &str, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let location = e.span().map_or(Location::new(name, 0, 0), |span| {
                Location::at(name, text, span.start)
            });
            ConfigError::Syntax {
                location,
                message: e.message().to_owned(),
            }
        })?;
        config.validated(&Origin::File { name, text })
    }

    /// Reads and parses a config file; relative paths in it become relative
    /// to the file's directory.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let name = path.display().to_string();
        let mut config = Config::parse_unread(&name, &text)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            config.rebase(dir);
        }
        config.read_keys(&Origin::File {
            name: &name,
            text: &text,
        })
    }

    /// Reads and checks the DKIM key (after `rebase`). A key that cannot
    /// sign is kept as an error for the commands that sign, which report it
    /// before the first digest ([`DigestConfig::check_keys`]).
    fn read_keys(mut self, origin: &Origin) -> Result<Config, ConfigError> {
        let d = &self.digest;
        if let (Some(selector), Some(domain), Some(path)) =
            (&d.dkim_selector, &d.dkim_domain, &d.dkim_key_file)
        {
            match Signer::load(selector, domain, path) {
                Ok(signer) => self.digest.dkim = Some(signer),
                Err(e) => {
                    let error = ConfigError::Invalid {
                        place: origin.place("digest.dkim_key_file"),
                        message: e.to_string(),
                    };
                    self.digest.dkim_error = Some(error.to_string());
                }
            }
        }
        Ok(self)
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

    /// The corrections file, and whether it may be absent (it may when
    /// the setting is not given).
    pub fn corrections_file(&self) -> (&Path, bool) {
        match &self.corrections {
            Some(path) => (path, false),
            None => (&self.default_corrections, true),
        }
    }

    /// Replaces the base URL (from `--base-url`), validating it.
    pub fn with_base_url(mut self, url: &str) -> Result<Config, ConfigError> {
        self.base_url = url.to_owned();
        self.validated(&Origin::Flag("--base-url"))
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
        if let Some(p) = self.corrections.as_mut() {
            join(p);
        }
        join(&mut self.default_corrections);
        join(&mut self.out_dir);
        let digest = &mut self.digest;
        join(&mut digest.subscribers);
        join(&mut digest.state_dir);
        join(&mut digest.outbox);
        if let Some(p) = digest.database.as_mut() {
            join(p);
        }
        if let Some(p) = digest.smtp_password_file.as_mut() {
            join(p);
        }
        for p in [
            &mut digest.secret_file,
            &mut digest.smtp_ca_file,
            &mut digest.dkim_key_file,
        ]
        .into_iter()
        .flatten()
        {
            join(p);
        }
    }

    /// Checks every setting; the first bad one is the error. Values go into
    /// XML, HTML and mail headers, so a character that would need escaping
    /// there is refused here rather than escaped differently in each.
    fn validated(mut self, origin: &Origin) -> Result<Config, ConfigError> {
        let invalid = |setting: &str, message: String| ConfigError::Invalid {
            place: origin.place(setting),
            message,
        };
        let check = |setting: &str, result: Result<(), String>| {
            result.map_err(|message| invalid(setting, message))
        };
        check("title", plain_text(&self.title))?;
        if self.title.trim().is_empty() {
            check("title", Err("must not be empty".to_owned()))?;
        }
        check("description", plain_text(&self.description))?;
        self.base_url = base_url(&self.base_url).map_err(|message| invalid("base_url", message))?;
        if !is_language_tag(&self.language) {
            check(
                "language",
                Err(format!(
                    "{} is not a BCP 47 language tag such as en, fr-CA or zh-Hant",
                    quoted(&self.language)
                )),
            )?;
        }
        check("author", plain_text(&self.author))?;
        if let Some(hub) = &self.websub_hub {
            self.websub_hub = Some(hub_url(hub).map_err(|message| invalid("websub_hub", message))?);
        }
        if let Some(url) = &self.subscribe_url {
            self.subscribe_url =
                Some(hub_url(url).map_err(|message| invalid("subscribe_url", message))?);
        }
        if self.feed_item_limit == 0 {
            check("feed_item_limit", Err("must be at least 1".to_owned()))?;
        }
        if self.page_size == 0 {
            check("page_size", Err("must be at least 1".to_owned()))?;
        }
        let digest = &self.digest;
        check("digest.from", mailbox(&digest.from))?;
        check("digest.subject", plain_text(&digest.subject))?;
        check("digest.list_id", list_id(&digest.list_id))?;
        check(
            "digest.unsubscribe_mailto",
            address(&digest.unsubscribe_mailto),
        )?;
        if let Some(url) = &digest.database_url {
            check(
                "digest.database_url",
                crate::store::PgUrl::parse(url).map(drop),
            )?;
            if digest.database.is_some() {
                check(
                    "digest.database_url",
                    Err(
                        "set `database` (a SQLite file) or `database_url` (PostgreSQL), not both"
                            .to_owned(),
                    ),
                )?;
            }
        }
        if digest.smtp_connections == 0 {
            check(
                "digest.smtp_connections",
                Err("must be at least 1".to_owned()),
            )?;
        }
        if !(1..=3600).contains(&digest.smtp_timeout) {
            check(
                "digest.smtp_timeout",
                Err("must be a number of seconds from 1 to 3600".to_owned()),
            )?;
        }
        if !(digest.rate_limit >= 0.0 && digest.rate_limit.is_finite()) {
            check(
                "digest.rate_limit",
                Err("must be a number of messages per second, 0 for none".to_owned()),
            )?;
        }
        if let Some(bounce) = &digest.bounce_address {
            check("digest.bounce_address", bounce_address(bounce))?;
        }
        if digest.soft_bounce_limit == 0 {
            check(
                "digest.soft_bounce_limit",
                Err("must be at least 1".to_owned()),
            )?;
        }
        if !(1..=365).contains(&digest.soft_bounce_window_days) {
            check(
                "digest.soft_bounce_window_days",
                Err("must be a number of days from 1 to 365".to_owned()),
            )?;
        }
        match (
            &digest.dkim_selector,
            &digest.dkim_domain,
            &digest.dkim_key_file,
        ) {
            (None, None, None) => {}
            (Some(selector), Some(domain), Some(_)) => {
                check("digest.dkim_selector", dns_name(selector, false))?;
                check("digest.dkim_domain", dns_name(domain, true))?;
            }
            (selector, domain, _) => {
                let missing = if selector.is_none() {
                    "digest.dkim_selector"
                } else if domain.is_none() {
                    "digest.dkim_domain"
                } else {
                    "digest.dkim_key_file"
                };
                check(
                    missing,
                    Err(
                        "is missing: DKIM signing needs dkim_selector, dkim_domain and \
                         dkim_key_file (or none of them, to send unsigned)"
                            .to_owned(),
                    ),
                )?;
            }
        }
        Ok(self)
    }
}

impl Config {
    /// The base URL of the web app's links (`confirm`, `preferences`):
    /// the directory of `subscribe_url`, else `base_url` (the app on the
    /// site's server, as `storyfeed serve` runs it).
    pub fn app_url(&self) -> String {
        match &self.subscribe_url {
            Some(url) => match url.rfind('/') {
                Some(i) if i + 1 > url.find("://").map_or(0, |s| s + 3) => url[..=i].to_owned(),
                _ => format!("{url}/"),
            },
            None => self.base_url.clone(),
        }
    }
}
