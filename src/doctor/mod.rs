//! `storyfeed doctor`: the checks an operator runs before the first real
//! send. Each gives one [`Check`] (ok, warning, error or skipped) saying
//! what was found and what to do; nothing is sent unless a test address is
//! given, and no state is changed. The DNS lookups are in `dns`, the
//! verdicts on the records found in `records`.

mod dns;
mod records;

use std::fmt;

use lettre::message::Mailbox;
use url::{Host, Url};

use crate::config::Config;
use crate::digest::deliver::load_secret;
use crate::digest::smtp::{self, Outcome, SmtpSettings, TlsMode};
use crate::digest::{self, TestSend};

pub use dns::Dns;

/// Shorter secrets still work, but are easier to guess offline from a
/// signed link.
const MIN_SECRET: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warning,
    Error,
    /// Not run here (needs what this machine lacks).
    Skipped,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Error => "error",
            Level::Skipped => "skipped",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub level: Level,
    /// What was checked: `base_url`, `smtp`, …
    pub name: &'static str,
    /// What was found; what to do.
    pub message: String,
}

impl Check {
    fn new(level: Level, name: &'static str, message: impl Into<String>) -> Check {
        Check {
            level,
            name,
            message: message.into(),
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<8} {}: {}",
            self.level.word(),
            self.name,
            self.message
        )
    }
}

/// What to do besides the offline checks.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Send one test digest to this address (the only thing doctor ever sends).
    pub send_test: Option<&'a str>,
    /// Where the SPF, DKIM and DMARC records are looked up.
    pub dns: Dns,
}

/// Every check, in a fixed order.
pub fn run(config: &Config, options: Options<'_>) -> Vec<Check> {
    let mut checks = vec![
        https("base_url", Some(&config.base_url)),
        https("subscribe_url", config.subscribe_url.as_deref()),
        secret(config),
    ];
    checks.extend(dkim(config));
    checks.push(list_id(config));
    checks.push(from(config));
    checks.push(bounces(config));
    checks.push(smtp_check(config));
    if let Some(address) = options.send_test {
        checks.push(test_digest(config, address));
    }
    checks.extend(dns::checks(config, options.dns));
    checks
}

/// True when any check is an error.
pub fn has_errors(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.level == Level::Error)
}

fn https(name: &'static str, value: Option<&str>) -> Check {
    let Some(value) = value else {
        return Check::new(Level::Ok, name, "not set");
    };
    let url = match Url::parse(value) {
        Ok(url) => url,
        Err(e) => return Check::new(Level::Error, name, format!("`{value}` is not a URL: {e}")),
    };
    match url.scheme() {
        "https" => Check::new(Level::Ok, name, format!("{value} is https")),
        "http" if is_loopback(&url) => Check::new(
            Level::Ok,
            name,
            format!("{value} is http on loopback: fine for testing; use https in production"),
        ),
        _ => Check::new(
            Level::Warning,
            name,
            format!(
                "{value} is not https: mail clients distrust such links and one-click \
                 unsubscribe (RFC 8058) needs https; publish the site over https"
            ),
        ),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn secret(config: &Config) -> Check {
    let d = &config.digest;
    match load_secret(config) {
        Err(e) => Check::new(Level::Error, "secret", e.to_string()),
        Ok(None) => Check::new(
            Level::Error,
            "secret",
            format!(
                "not set: set the variable {} or digest.secret_file to at least {MIN_SECRET} \
                 random bytes (e.g. `openssl rand -hex 32`)",
                d.secret_env
            ),
        ),
        Ok(Some(s)) if s.0.len() < MIN_SECRET => Check::new(
            Level::Warning,
            "secret",
            format!(
                "only {} bytes: use at least {MIN_SECRET} random bytes (e.g. `openssl rand -hex 32`)",
                s.0.len()
            ),
        ),
        Ok(Some(s)) => Check::new(Level::Ok, "secret", format!("set, {} bytes", s.0.len())),
    }
}

/// The key, then the From domain's alignment with it.
fn dkim(config: &Config) -> Vec<Check> {
    let d = &config.digest;
    if let Err(e) = d.check_keys() {
        return vec![Check::new(Level::Error, "dkim", e.to_string())];
    }
    let Some(signer) = &d.dkim else {
        return vec![Check::new(
            Level::Warning,
            "dkim",
            "not configured: a relay must sign (else set digest.dkim_selector, dkim_domain \
             and dkim_key_file; `storyfeed dkim keygen` makes the key)",
        )];
    };
    let mut checks = vec![Check::new(
        Level::Ok,
        "dkim",
        format!(
            "{} key loads; publish its record at {}",
            signer.algorithm().tag(),
            signer.record_name()
        ),
    )];
    if let Some(from) = from_domain(config) {
        let domain = signer.domain().trim_end_matches('.').to_ascii_lowercase();
        // Relaxed alignment (RFC 7489 §3.1.1): the same organizational
        // domain; a subdomain of the signing domain is the common case.
        let aligned = from == domain || from.ends_with(&format!(".{domain}"));
        checks.push(if aligned {
            Check::new(
                Level::Ok,
                "dkim_alignment",
                format!("From domain {from} is aligned with dkim_domain {domain}"),
            )
        } else {
            Check::new(
                Level::Warning,
                "dkim_alignment",
                format!(
                    "From domain {from} is not aligned with dkim_domain {domain}: DMARC will \
                     fail; sign with {from} or send from {domain}"
                ),
            )
        });
    }
    checks
}

fn from_domain(config: &Config) -> Option<String> {
    let mailbox: Mailbox = config.digest.from.parse().ok()?;
    Some(mailbox.email.domain().to_ascii_lowercase())
}

fn list_id(config: &Config) -> Check {
    let value = config.digest.list_id.trim();
    if value.is_empty() {
        Check::new(
            Level::Error,
            "list_id",
            "digest.list_id is empty: set it (e.g. digest.news.example.org)",
        )
    } else {
        Check::new(Level::Ok, "list_id", format!("<{value}>"))
    }
}

fn from(config: &Config) -> Check {
    let value = config.digest.from.trim();
    if value.is_empty() {
        return Check::new(
            Level::Error,
            "from",
            "digest.from is empty: set your sender",
        );
    }
    let mailbox: Mailbox = match value.parse() {
        Ok(m) => m,
        Err(e) => {
            return Check::new(
                Level::Error,
                "from",
                format!("digest.from `{value}` is not an address: {e}"),
            )
        }
    };
    let domain = mailbox.email.domain().to_ascii_lowercase();
    if is_placeholder(&domain) {
        Check::new(
            Level::Warning,
            "from",
            format!(
                "{} is a placeholder: set digest.from to your sender",
                mailbox.email
            ),
        )
    } else {
        Check::new(Level::Ok, "from", mailbox.email.to_string())
    }
}

/// Whether bounces can find their subscriber (VERP).
fn bounces(config: &Config) -> Check {
    match &config.digest.bounce_address {
        Some(address) => {
            let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
            Check::new(
                Level::Ok,
                "bounces",
                format!(
                    "envelope sender {local}+<token>@{domain} (VERP): deliver that mailbox to \
                     `storyfeed bounces`"
                ),
            )
        }
        None => Check::new(
            Level::Warning,
            "bounces",
            "digest.bounce_address is not set: bounces go to the From address and are matched \
             only by the recipient they name; set it and feed its mailbox to `storyfeed bounces`",
        ),
    }
}

/// RFC 2606 names, which no real sender uses.
fn is_placeholder(domain: &str) -> bool {
    [
        "example.org",
        "example.com",
        "example.net",
        "example",
        "invalid",
        "localhost",
        "test",
    ]
    .iter()
    .any(|p| domain == *p || domain.ends_with(&format!(".{p}")))
}

fn smtp_check(config: &Config) -> Check {
    let settings = match SmtpSettings::from_config(config, None) {
        Ok(Some(s)) => s,
        Ok(None) => {
            return Check::new(
                Level::Warning,
                "smtp",
                format!(
                    "no digest.smtp_url: digests go to the outbox ({}); set it to send",
                    config.digest.outbox.display()
                ),
            )
        }
        Err(e) => return Check::new(Level::Error, "smtp", e.to_string()),
    };
    match smtp::probe(&settings) {
        Ok(probe) => {
            let tls = match probe.tls {
                TlsMode::Implicit => "TLS",
                TlsMode::StartTls => "STARTTLS",
                TlsMode::None => "no TLS",
            };
            let auth = match &probe.user {
                Some(user) => format!("logged in as `{user}`"),
                None => "no login".to_owned(),
            };
            let mut message = format!("{} reachable: EHLO, {tls}, {auth}, QUIT", settings.server());
            if probe.tls == TlsMode::None {
                message.push_str(" (plaintext: loopback or smtp_allow_plaintext)");
            }
            Check::new(Level::Ok, "smtp", message)
        }
        Err(e) => Check::new(
            Level::Error,
            "smtp",
            format!("{e}; check digest.smtp_url, the user and password, smtp_ca_file"),
        ),
    }
}

fn test_digest(config: &Config, address: &str) -> Check {
    let name = "send_test";
    match digest::send_test(config, address) {
        Ok(TestSend::Sent(Outcome::Accepted)) => Check::new(
            Level::Ok,
            name,
            format!("a test digest to {address} was accepted by the server; check it arrived"),
        ),
        Ok(TestSend::Sent(Outcome::Rejected(reply))) => Check::new(
            Level::Error,
            name,
            format!("the server refused the test digest to {address}: {reply}"),
        ),
        Ok(TestSend::Sent(Outcome::Deferred(reply))) => Check::new(
            Level::Error,
            name,
            format!("the test digest to {address} was not taken for now: {reply}; try again"),
        ),
        Ok(TestSend::NoServer) => Check::new(
            Level::Error,
            name,
            "no SMTP server configured: set digest.smtp_url to send a test digest",
        ),
        Ok(TestSend::NoStories) => Check::new(
            Level::Error,
            name,
            "no stories to put in a test digest: check `archives`",
        ),
        Err(e) => Check::new(Level::Error, name, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_the_reserved_names_only() {
        for d in ["example.org", "news.example.com", "localhost", "mail.test"] {
            assert!(is_placeholder(d), "{d}");
        }
        for d in [
            "unodc.org",
            "example.org.uk",
            "notexample.org",
            "testing.net",
        ] {
            assert!(!is_placeholder(d), "{d}");
        }
    }

    #[test]
    fn http_warns_off_loopback_only() {
        let level = |url: &str| https("base_url", Some(url)).level;
        assert_eq!(level("https://news.example.org/"), Level::Ok);
        assert_eq!(level("http://127.0.0.1:8000/"), Level::Ok);
        assert_eq!(level("http://[::1]/"), Level::Ok);
        assert_eq!(level("http://localhost/"), Level::Ok);
        assert_eq!(level("http://news.example.org/"), Level::Warning);
        assert_eq!(level("not a url"), Level::Error);
        assert_eq!(https("subscribe_url", None).level, Level::Ok);
    }

    #[test]
    fn a_line_is_level_name_and_message() {
        let c = Check::new(Level::Warning, "from", "x");
        assert_eq!(c.to_string(), "warning  from: x");
    }
}
