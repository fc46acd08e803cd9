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
    /// A value that is not allowed: `storyfeed.toml:3:12: language: "en\u{0}"
    /// is not a BCP 47 language tag …`.
    #[error("{place}: {message}")]
    Invalid { place: Place, message: String },
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
    /// Most items in one feed (newest first).
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
            page_size: 50,
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
        config.validated(&Origin::File { name, text })
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
        if digest.smtp_connections == 0 {
            check(
                "digest.smtp_connections",
                Err("must be at least 1".to_owned()),
            )?;
        }
        if !(digest.rate_limit >= 0.0 && digest.rate_limit.is_finite()) {
            check(
                "digest.rate_limit",
                Err("must be a number of messages per second, 0 for none".to_owned()),
            )?;
        }
        Ok(self)
    }
}

/// A value as written, in quotes, with control characters, quotes and
/// backslashes escaped so a message shows what is really there.
fn quoted(value: &str) -> String {
    let mut out = String::from('"');
    for c in value.chars() {
        if c.is_control() || c == '"' || c == '\\' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// One line of text: no control characters (a NUL is not XML, a line break
/// in a subject starts a new mail header).
fn plain_text(value: &str) -> Result<(), String> {
    if value.chars().any(char::is_control) {
        return Err(format!(
            "{} must not hold control characters",
            quoted(value)
        ));
    }
    Ok(())
}

/// The base URL, trimmed and ending in `/`: an absolute http(s) URL with a
/// host, no user, query or fragment (links are made by appending paths),
/// written with no character a URL must escape.
fn base_url(value: &str) -> Result<String, String> {
    let absolute = || {
        format!(
            "{} must be an absolute http(s) URL such as https://example.org/news/",
            quoted(value)
        )
    };
    let url = value.trim();
    if let Some(c) = url.chars().find(|&c| !url_char(c)) {
        let c = match c {
            ' ' => "a space".to_owned(),
            c if c.is_control() => format!("`{}`", c.escape_default()),
            c => format!("`{c}`"),
        };
        return Err(format!(
            "{} must be an absolute http(s) URL written without {c}: percent-encode it",
            quoted(value)
        ));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(absolute)?;
    // The URL parser would read `https:///x` as the host `x`.
    if rest.is_empty() || rest.starts_with('/') {
        return Err(absolute());
    }
    let parsed = url::Url::parse(url).map_err(|_| absolute())?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(absolute());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "{} must not have a query or fragment: page paths are appended to it",
            quoted(value)
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "{} must not hold a user name or password: it is in every public link",
            quoted(value)
        ));
    }
    Ok(if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    })
}

/// A character a URL may hold as it is (RFC 3986: unreserved, reserved and
/// `%` of a percent-encoding).
fn url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// `Name <address>` or a bare address, as `From:` takes it.
fn mailbox(value: &str) -> Result<(), String> {
    plain_text(value)?;
    value
        .parse::<lettre::message::Mailbox>()
        .map(drop)
        .map_err(|e| {
            format!(
                "{} is not a mailbox such as UNODC stories <digest@example.org>: {e}",
                quoted(value)
            )
        })
}

/// A bare address, as `mailto:` takes it.
fn address(value: &str) -> Result<(), String> {
    plain_text(value)?;
    value.parse::<lettre::Address>().map(drop).map_err(|e| {
        format!(
            "{} is not an email address such as unsubscribe@example.org: {e}",
            quoted(value)
        )
    })
}

/// A `List-Id:` identifier (RFC 2919): a label and a namespace, such as
/// `digest.example.org`, as an RFC 5322 dot-atom.
fn list_id(value: &str) -> Result<(), String> {
    plain_text(value)?;
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let atoms: Vec<&str> = value.split('.').collect();
    if atoms.len() < 2 || atoms.iter().any(|a| a.is_empty() || !a.chars().all(atext)) {
        return Err(format!(
            "{} is not a list identifier such as digest.example.org: dot-separated words \
             of letters, digits and !#$%&'*+-/=?^_`{{|}}~",
            quoted(value)
        ));
    }
    Ok(())
}

/// Whether `tag` is a well-formed BCP 47 language tag (RFC 5646 section
/// 2.1, the syntax; the registry is not consulted), with no variant or
/// extension twice (section 2.2.9): `en`, `pt-BR`, `zh-Hant-TW`,
/// `de-CH-1996`, `x-private`. Case does not matter.
fn is_language_tag(tag: &str) -> bool {
    // Grandfathered tags that do not fit the grammar (the regular ones do).
    const IRREGULAR: [&str; 17] = [
        "en-GB-oed",
        "i-ami",
        "i-bnn",
        "i-default",
        "i-enochian",
        "i-hak",
        "i-klingon",
        "i-lux",
        "i-mingo",
        "i-navajo",
        "i-pwn",
        "i-tao",
        "i-tay",
        "i-tsu",
        "sgn-BE-FR",
        "sgn-BE-NL",
        "sgn-CH-DE",
    ];
    if IRREGULAR.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
        return true;
    }
    let subtags: Vec<&str> = tag.split('-').collect();
    let alphanumeric =
        |s: &&str| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if !subtags.iter().all(alphanumeric) {
        return false;
    }
    let alpha = |s: &str| s.bytes().all(|b| b.is_ascii_alphabetic());
    let private = |s: &str| s.eq_ignore_ascii_case("x");
    // Private use alone: `x-…`.
    let mut rest = match subtags.as_slice() {
        [x, tail @ ..] if private(x) => return !tail.is_empty(),
        // 2–3 letters with up to three 3-letter extended subtags, or 4–8 letters.
        [language, tail @ ..] if language.len() >= 2 && alpha(language) => {
            let extlangs = if language.len() <= 3 {
                tail.iter()
                    .take(3)
                    .take_while(|s| s.len() == 3 && alpha(s))
                    .count()
            } else {
                0
            };
            &tail[extlangs..]
        }
        _ => return false,
    };
    // Script: 4 letters.
    if let [script, tail @ ..] = rest {
        if script.len() == 4 && alpha(script) {
            rest = tail;
        }
    }
    // Region: 2 letters or 3 digits.
    if let [region, tail @ ..] = rest {
        let digits = region.bytes().all(|b| b.is_ascii_digit());
        if (region.len() == 2 && alpha(region)) || (region.len() == 3 && digits) {
            rest = tail;
        }
    }
    // Variants: 5–8 characters, or 4 starting with a digit.
    let mut seen = Vec::new();
    while let [variant, tail @ ..] = rest {
        let starts_with_digit = variant.as_bytes()[0].is_ascii_digit();
        if !(variant.len() >= 5 || (variant.len() == 4 && starts_with_digit)) {
            break;
        }
        let variant = variant.to_ascii_lowercase();
        if seen.contains(&variant) {
            return false;
        }
        seen.push(variant);
        rest = tail;
    }
    // Extensions: a one-character subtag other than `x`, then subtags of 2–8.
    let mut seen = Vec::new();
    while let [singleton, tail @ ..] = rest {
        if singleton.len() != 1 || private(singleton) {
            break;
        }
        let singleton = singleton.to_ascii_lowercase();
        let n = tail.iter().take_while(|s| s.len() >= 2).count();
        if n == 0 || seen.contains(&singleton) {
            return false;
        }
        seen.push(singleton);
        rest = &tail[n..];
    }
    match rest {
        [] => true,
        [x, tail @ ..] => private(x) && !tail.is_empty(),
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

    /// `key = value` (a TOML value as written) in `c.toml`, under `[digest]`
    /// for a `digest.` key: the error message, or `None` if it loads.
    fn error(key: &str, value: &str) -> Option<String> {
        let text = match key.strip_prefix("digest.") {
            Some(key) => format!("[digest]\n{key} = {value}\n"),
            None => format!("{key} = {value}\n"),
        };
        Config::parse("c.toml", &text).err().map(|e| e.to_string())
    }

    /// Every value loads.
    fn good(key: &str, values: &[&str]) {
        for v in values {
            assert_eq!(error(key, v), None, "{key} = {v}");
        }
    }

    /// Every value is refused with a message naming the file, the line and
    /// column of the value, and the setting.
    fn bad(key: &str, values: &[&str]) {
        let (line, column) = if key.starts_with("digest.") {
            (2, key.len() - "digest.".len() + 4)
        } else {
            (1, key.len() + 4)
        };
        let place = format!("c.toml:{line}:{column}: {key}: ");
        for v in values {
            let err = error(key, v).unwrap_or_else(|| panic!("{key} = {v} loads"));
            assert!(err.starts_with(&place), "{key} = {v}: {err}");
        }
    }

    #[test]
    fn the_defaults_are_valid() {
        let c = Config::default();
        assert_eq!(c.clone().with_base_url(&c.base_url).unwrap(), c);
    }

    #[test]
    fn language_is_a_bcp47_tag() {
        good(
            "language",
            &[
                r#""en""#,
                r#""EN""#,
                r#""pt-BR""#,
                r#""zh-Hant-TW""#,
                r#""sr-Latn-RS""#,
                r#""es-419""#,
                r#""de-CH-1996""#,
                r#""sl-rozaj-biske""#,
                r#""zh-yue-HK""#,
                r#""en-US-x-twain""#,
                r#""en-a-bbb-x-a-ccc""#,
                r#""x-whatever""#,
                r#""i-klingon""#,
                r#""en-GB-oed""#,
                r#""zh-min-nan""#,
            ],
        );
        bad(
            "language",
            &[
                r#""""#,
                r#""en\u0000""#,
                r#""en_US""#,
                r#""en US""#,
                r#""en-""#,
                r#""-en""#,
                r#""en--US""#,
                r#""e""#,
                r#""123""#,
                r#""englishlanguage""#,
                r#""en-US-US""#,
                r#""en-Latn-Latn""#,
                r#""en-a""#,
                r#""en-x""#,
                r#""x""#,
                r#""de-1996-1996""#,
                r#""en-a-bb-a-cc""#,
                r#""en-<b>""#,
            ],
        );
        assert_eq!(
            error("language", r#""en\u0000""#).unwrap(),
            r#"c.toml:1:12: language: "en\u{0}" is not a BCP 47 language tag such as en, fr-CA or zh-Hant"#
        );
    }

    #[test]
    fn base_url_is_an_absolute_http_url_with_nothing_to_escape() {
        good(
            "base_url",
            &[
                r#""https://example.org/news/""#,
                r#""http://127.0.0.1:8000/""#,
                r#""https://example.org""#,
                r#"" https://example.org/news/ ""#,
                r#""https://[::1]:8080/site/""#,
                r#""https://example.org/a%20b/""#,
                r#""https://example.org/~unodc/stories-(en)/""#,
            ],
        );
        bad(
            "base_url",
            &[
                r#""""#,
                r#""ftp://example.org/""#,
                r#""example.org/news/""#,
                r#""/news/""#,
                r#""https://""#,
                r#""https:///news/""#,
                r#""https:example.org/""#,
                r#""mailto:news@example.org""#,
                r#""https://example.org/news/?page=1""#,
                r#""https://example.org/news/#top""#,
                r#""https://user:secret@example.org/""#,
                r#""https://example.org/a b/""#,
                r#""https://exa mple.org/""#,
                r#""https://example.org/\"<>/""#,
                r#""https://example.org/<script>/""#,
                r#""https://example.org/\u0007/""#,
                r#""https://example.org/\\news/""#,
                r#""https://exämple.org/""#,
                r#""https://example.org:99999/""#,
            ],
        );
        let err = error("base_url", r#""ftp://x""#).unwrap();
        assert!(err.contains("must be an absolute http(s) URL"), "{err}");
        let err = Config::default()
            .with_base_url("https://example.org/\"<>/")
            .unwrap_err();
        assert!(err.to_string().starts_with("--base-url: "), "{err}");
        let err = Config::default().with_base_url("ftp://x").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--base-url: \"ftp://x\" must be an absolute http(s) URL"),
            "{err}"
        );
    }

    #[test]
    fn texts_hold_no_control_characters() {
        for key in [
            "title",
            "description",
            "author",
            "digest.subject",
            "digest.list_id",
        ] {
            if key != "digest.list_id" {
                good(key, &[r#""News &amp; <b>stories</b>""#, r#""Actualités""#]);
            }
            bad(
                key,
                &[
                    r#""a\u0000b.org""#,
                    r#""a\tb.org""#,
                    r#""a\nb.org""#,
                    r#""a\rb.org""#,
                    r#""a\u007fb.org""#,
                    r#""a\u0085b.org""#,
                    r#""""one
two.org""""#,
                ],
            );
        }
        bad("title", &[r#""""#, r#""   ""#]);
        assert!(error("title", r#""a\u0001b""#)
            .unwrap()
            .ends_with(r#"title: "a\u{1}b" must not hold control characters"#));
    }

    #[test]
    fn digest_addresses_are_mailboxes() {
        good(
            "digest.from",
            &[
                r#""UNODC stories <digest@example.org>""#,
                r#""digest@example.org""#,
                r#""\"Stories, UNODC\" <digest@example.org>""#,
            ],
        );
        bad(
            "digest.from",
            &[
                r#""""#,
                r#""UNODC stories""#,
                r#""UNODC <digest>""#,
                r#""UNODC <digest@example.org""#,
                r#""UNODC <digest@@example.org>""#,
                r#""UNODC\u0000 <digest@example.org>""#,
                r#""UNODC <digest@example.org>\r\nBcc: x@example.org""#,
            ],
        );
        good(
            "digest.unsubscribe_mailto",
            &[
                r#""unsubscribe@example.org""#,
                r#""list+unsub@news.example.org""#,
            ],
        );
        bad(
            "digest.unsubscribe_mailto",
            &[
                r#""""#,
                r#""unsubscribe""#,
                r#""unsubscribe@""#,
                r#""@example.org""#,
                r#""Stories <unsubscribe@example.org>""#,
                r#""unsubscribe@example..org""#,
                r#""un subscribe@example.org""#,
                r#""unsubscribe@example.org\u0000""#,
            ],
        );
    }

    #[test]
    fn list_id_is_a_dot_atom() {
        good(
            "digest.list_id",
            &[
                r#""digest.storyfeed.example.org""#,
                r#""news.example""#,
                r#""a-b_c.d+e""#,
            ],
        );
        bad(
            "digest.list_id",
            &[
                r#""""#,
                r#""digest""#,
                r#""digest..example.org""#,
                r#"".example.org""#,
                r#""digest.example.org.""#,
                r#""digest example.org""#,
                r#""<digest.example.org>""#,
                r#""digest.exämple.org""#,
                r#""digest,example.org""#,
            ],
        );
    }

    #[test]
    fn numbers_are_in_range() {
        bad("feed_item_limit", &["0"]);
        bad("page_size", &["0"]);
        good("page_size", &["1", "200"]);
        bad("digest.smtp_connections", &["0"]);
        bad("digest.rate_limit", &["-1.0", "nan", "inf"]);
        good("digest.rate_limit", &["0.0", "2.5"]);
    }

    #[test]
    fn values_are_found_however_the_table_is_written() {
        let err = Config::parse("c.toml", "digest.list_id = \"x\"\n").unwrap_err();
        assert!(
            err.to_string().starts_with("c.toml:1:18: digest.list_id: "),
            "{err}"
        );
        let err = Config::parse("c.toml", "digest = { subject = \"a\\u0000\" }\n").unwrap_err();
        assert!(
            err.to_string().starts_with("c.toml:1:22: digest.subject: "),
            "{err}"
        );
        // A key in quotes is the same key.
        let err = Config::parse("c.toml", "\"language\" = \"e\"\n").unwrap_err();
        assert!(
            err.to_string().starts_with("c.toml:1:14: language: "),
            "{err}"
        );
    }
}
