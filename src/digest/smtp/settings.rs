//! Where and how to send: [`SmtpSettings`] from the config, the
//! environment (the password) and the `smtp://` / `smtps://` URL.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use lettre::message::Mailbox;
use percent_encoding::percent_decode_str;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::CertificateDer;
use url::{Host, ParseError, Url};

use super::{SmtpError, SmtpSettings, TlsMode};
use crate::config::Config;

impl SmtpSettings {
    /// From `url` (`--smtp`, else `digest.smtp_url`), the config and the
    /// environment; `None` when no server is configured.
    pub fn from_config(
        config: &Config,
        url: Option<&str>,
    ) -> Result<Option<SmtpSettings>, SmtpError> {
        Self::resolve(config, url, |name| std::env::var(name).ok())
    }

    /// `from_config` with the environment passed in, so tests need not
    /// change the process environment.
    fn resolve(
        config: &Config,
        url: Option<&str>,
        getenv: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<SmtpSettings>, SmtpError> {
        let d = &config.digest;
        let Some(url) = url.or(d.smtp_url.as_deref()) else {
            return Ok(None);
        };
        let url = parse_url(url)?;
        let tls = if url.implicit_tls {
            TlsMode::Implicit
        } else if is_loopback(&url.host) || d.smtp_allow_plaintext {
            TlsMode::None
        } else {
            TlsMode::StartTls
        };
        let user = match (url.user, &d.smtp_user) {
            (Some(a), Some(b)) if a != *b => {
                return Err(SmtpError::Settings(format!(
                    "two SMTP users: `{a}` in the URL and `{b}` in digest.smtp_user"
                )))
            }
            (Some(a), _) => Some(a),
            (None, b) => b.clone(),
        };
        let password = match &user {
            // An unrelated variable in the environment is no reason to
            // fail, but a configured file with nobody to log in is.
            None if d.smtp_password_file.is_some() => {
                return Err(SmtpError::Settings(
                    "digest.smtp_password_file is set but there is no SMTP user \
                     (digest.smtp_user or user@ in the URL)"
                        .to_owned(),
                ))
            }
            None => None,
            Some(user) => Some(read_password(config, &getenv)?.ok_or_else(|| {
                SmtpError::Settings(format!(
                    "no password for SMTP user `{user}`: set the environment variable {} \
                     or digest.smtp_password_file",
                    d.smtp_password_env
                ))
            })?),
        };
        let rate_limit = Some(d.rate_limit).filter(|r| *r > 0.0 && r.is_finite());
        let hello_name = d
            .from
            .parse::<Mailbox>()
            .map(|m| m.email.domain().to_owned())
            .unwrap_or_else(|_| "localhost".to_owned());
        let ca_roots = match &d.smtp_ca_file {
            Some(path) => read_ca_file(path)?,
            None => Vec::new(),
        };
        Ok(Some(SmtpSettings {
            host: url.host,
            port: url.port,
            tls,
            user,
            password,
            hello_name,
            ca_roots,
            connections: d.smtp_connections.max(1),
            rate_limit,
            attempts: 4,
            backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(d.smtp_timeout),
        }))
    }
}

/// The variable named by `smtp_password_env`, else `smtp_password_file`
/// without its trailing newline.
fn read_password(
    config: &Config,
    getenv: &impl Fn(&str) -> Option<String>,
) -> Result<Option<String>, SmtpError> {
    let d = &config.digest;
    if let Some(p) = getenv(&d.smtp_password_env).filter(|p| !p.is_empty()) {
        return Ok(Some(p));
    }
    let Some(path) = &d.smtp_password_file else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        SmtpError::Settings(format!(
            "cannot read SMTP password file {}: {e}",
            path.display()
        ))
    })?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        return Err(SmtpError::Settings(format!(
            "SMTP password file {} is empty",
            path.display()
        )));
    }
    Ok(Some(text.to_owned()))
}

/// The PEM certificates of `smtp_ca_file`: at least one, all parsable.
fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, SmtpError> {
    let bad =
        |why: String| SmtpError::Settings(format!("digest.smtp_ca_file {}: {why}", path.display()));
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("not PEM certificates: {e}")))?;
    if certs.is_empty() {
        return Err(bad(
            "holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)".to_owned(),
        ));
    }
    Ok(certs)
}

#[derive(Debug, PartialEq, Eq)]
struct SmtpUrl {
    implicit_tls: bool,
    user: Option<String>,
    host: String,
    port: u16,
}

/// `smtp[s]://[user@]host[:port][/]`; IPv6 hosts in brackets.
///
/// Our own rules are checked on the text first (scheme, no password, no
/// path, the user name); the url crate reads the host and the port.
fn parse_url(text: &str) -> Result<SmtpUrl, SmtpError> {
    // Echo the URL only when it holds no password.
    let bad = |why: &str| {
        SmtpError::Settings(format!(
            "SMTP URL `{text}`: {why}; expected smtp://[user@]host[:port] or smtps://[user@]host[:port]"
        ))
    };
    // Not left to the url crate, which also takes `smtp:host`.
    let (implicit_tls, rest) = match text.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("smtps") => (true, rest),
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("smtp") => (false, rest),
        _ => return Err(bad("unknown scheme")),
    };
    // On the text, before any other error could echo it.
    if rest
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
    {
        return Err(SmtpError::Settings(
            "the SMTP URL holds a password; passwords never go in the config or on the \
             command line: put it in the environment variable named by \
             digest.smtp_password_env, or in digest.smtp_password_file"
                .to_owned(),
        ));
    }
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    if !matches!(tail, "" | "/") {
        return Err(bad("a path, query or fragment is not allowed"));
    }
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority),
    };
    // Decoded from the text: the url crate would drop tabs and line breaks,
    // and a bad escape is reported before a bad host.
    let user = match userinfo {
        Some("") => return Err(bad("empty user name")),
        Some(u) => Some(decode_user(u).ok_or_else(|| bad("bad %-escape in the user name"))?),
        None => None,
    };
    // The url crate would drop or trim blanks and control characters, and
    // percent-encode the rest, so the host it read would not be the one written.
    if !hostport.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad("bad character in the host name"));
    }
    let url = Url::parse(text).map_err(|e| match e {
        ParseError::EmptyHost => bad("no host"),
        ParseError::InvalidPort => bad("bad port"),
        ParseError::InvalidIpv6Address => bad(bracket_error(hostport)),
        ParseError::InvalidDomainCharacter => bad("bad character in the host name"),
        e => bad(&e.to_string()),
    })?;
    // The url crate ends a port at `\` and reads the rest as a path.
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a path, query or fragment is not allowed"));
    }
    let host = match url.host() {
        Some(Host::Domain(host)) => host.to_owned(),
        // As written: the url crate's form is lower-cased and shortened.
        Some(Host::Ipv6(ip)) => match hostport.strip_prefix('[').and_then(|h| h.split_once(']')) {
            Some((written, _)) => written.to_owned(),
            None => ip.to_string(),
        },
        Some(Host::Ipv4(ip)) => ip.to_string(),
        None => return Err(bad("no host")),
    };
    let port = match url.port() {
        Some(0) => return Err(bad("bad port")),
        Some(port) => port,
        // The url crate reads `host:` as no port; smtp has no known default.
        None if hostport.ends_with(':') => return Err(bad("bad port")),
        None if implicit_tls => 465,
        None => 587,
    };
    Ok(SmtpUrl {
        implicit_tls,
        user,
        host,
        port,
    })
}

/// What is wrong with a host in brackets the url crate refused.
fn bracket_error(hostport: &str) -> &'static str {
    match hostport.strip_prefix('[').map(|h| h.split_once(']')) {
        Some(None) => "`[` without `]`",
        Some(Some((_, after))) if !after.is_empty() && !after.starts_with(':') => "junk after `]`",
        Some(Some(("", _))) => "no host",
        _ => "bad IPv6 address (write it in brackets)",
    }
}

/// The user name percent-decoded; `None` for a `%` without two hex digits
/// (which `percent_decode_str` would leave as it is) or for bytes that are
/// not UTF-8.
fn decode_user(text: &str) -> Option<String> {
    let two_hex_digits = |after: &str| {
        after
            .as_bytes()
            .get(..2)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    };
    if !text.split('%').skip(1).all(two_hex_digits) {
        return None;
    }
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|user| user.into_owned())
}

/// `localhost`, `127.0.0.0/8`, `::1`: traffic that never leaves the machine.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests;
