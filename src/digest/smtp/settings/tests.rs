use std::collections::HashMap;
use std::path::PathBuf;

use super::{parse_url, SmtpError, SmtpSettings, SmtpUrl, TlsMode};
use crate::config::Config;

fn config(url: &str) -> Config {
    let mut c = Config::default();
    c.digest.smtp_url = Some(url.to_owned());
    c
}

fn resolve(c: &Config, env: &[(&str, &str)]) -> Result<SmtpSettings, SmtpError> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    SmtpSettings::resolve(c, None, |name| env.get(name).cloned()).map(|s| s.expect("a URL is set"))
}

#[test]
fn no_url_means_no_server() {
    let s = SmtpSettings::resolve(&Config::default(), None, |_| None).unwrap();
    assert!(s.is_none());
}

#[test]
fn starttls_is_required_off_loopback() {
    let s = resolve(&config("smtp://mail.example.org"), &[]).unwrap();
    assert_eq!(
        (s.host.as_str(), s.port, s.tls),
        ("mail.example.org", 587, TlsMode::StartTls)
    );
    for url in [
        "smtp://127.0.0.1:2525",
        "smtp://localhost",
        "smtp://[::1]:25",
        "smtp://127.8.9.10",
    ] {
        assert_eq!(
            resolve(&config(url), &[]).unwrap().tls,
            TlsMode::None,
            "{url}"
        );
    }
    // Not loopback, whatever it looks like.
    for url in [
        "smtp://localhost.example.org",
        "smtp://128.0.0.1",
        "smtp://10.0.0.1",
    ] {
        assert_eq!(
            resolve(&config(url), &[]).unwrap().tls,
            TlsMode::StartTls,
            "{url}"
        );
    }
    let mut c = config("smtp://mail.example.org:25");
    c.digest.smtp_allow_plaintext = true;
    assert_eq!(resolve(&c, &[]).unwrap().tls, TlsMode::None);
}

#[test]
fn smtps_is_implicit_tls_on_465() {
    let s = resolve(&config("SMTPS://mail.example.org/"), &[]).unwrap();
    assert_eq!((s.port, s.tls), (465, TlsMode::Implicit));
    // Even on loopback.
    let s = resolve(&config("smtps://127.0.0.1:4650"), &[]).unwrap();
    assert_eq!((s.port, s.tls), (4650, TlsMode::Implicit));
}

#[test]
fn urls() {
    assert_eq!(
        parse_url("smtp://digest%40unodc.org@[2001:db8::1]:2525").unwrap(),
        SmtpUrl {
            implicit_tls: false,
            user: Some("digest@unodc.org".to_owned()),
            host: "2001:db8::1".to_owned(),
            port: 2525,
        }
    );
    for bad in [
        "http://mail.example.org",
        "mail.example.org",
        "smtp://",
        "smtp://host:0",
        "smtp://host:99999",
        "smtp://host:25/path",
        "smtp://@host",
        "smtp://2001:db8::1",
        "smtp://[::1",
    ] {
        assert!(
            matches!(parse_url(bad), Err(SmtpError::Settings(_))),
            "{bad}"
        );
    }
}

#[test]
fn a_password_in_the_url_is_refused_and_not_echoed() {
    let err = resolve(&config("smtp://user:hunter2@mail.example.org"), &[]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("password"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn password_from_the_environment_first_then_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, "from-file\n").unwrap();
    let mut c = config("smtp://mail.example.org");
    c.digest.smtp_user = Some("digest".to_owned());
    c.digest.smtp_password_env = "PW".to_owned();
    c.digest.smtp_password_file = Some(file.clone());
    let s = resolve(&c, &[("PW", "from-env")]).unwrap();
    assert_eq!(
        (s.user.as_deref(), s.password.as_deref()),
        (Some("digest"), Some("from-env"))
    );
    let s = resolve(&c, &[]).unwrap();
    assert_eq!(s.password.as_deref(), Some("from-file"));
    // The password never shows in Debug.
    let debug = format!("{s:?}");
    assert!(
        !debug.contains("from-file") && debug.contains("hidden"),
        "{debug}"
    );

    std::fs::write(&file, "line one\n\n").unwrap();
    assert_eq!(
        resolve(&c, &[]).unwrap().password.as_deref(),
        Some("line one\n")
    );
    c.digest.smtp_password_file = Some(PathBuf::from("/nonexistent/pw"));
    let err = resolve(&c, &[]).unwrap_err().to_string();
    assert!(err.contains("/nonexistent/pw"), "{err}");
    c.digest.smtp_password_file = None;
    let err = resolve(&c, &[]).unwrap_err().to_string();
    assert!(err.contains("no password") && err.contains("PW"), "{err}");
}

#[test]
fn users_from_url_or_config_but_not_two_different() {
    let mut c = config("smtp://alice@mail.example.org");
    c.digest.smtp_password_env = "PW".to_owned();
    assert_eq!(
        resolve(&c, &[("PW", "x")]).unwrap().user.as_deref(),
        Some("alice")
    );
    c.digest.smtp_user = Some("alice".to_owned());
    assert!(resolve(&c, &[("PW", "x")]).is_ok());
    c.digest.smtp_user = Some("bob".to_owned());
    assert!(matches!(
        resolve(&c, &[("PW", "x")]),
        Err(SmtpError::Settings(_))
    ));
    // No user: a password in the environment is simply not used.
    let s = resolve(
        &config("smtp://mail.example.org"),
        &[("STORYFEED_SMTP_PASSWORD", "x")],
    )
    .unwrap();
    assert_eq!((s.user, s.password), (None, None));
}

#[test]
fn rate_limit_zero_is_none_and_hello_is_the_from_domain() {
    let mut c = config("smtp://127.0.0.1");
    c.digest.from = "UNODC stories <digest@news.example.org>".to_owned();
    c.digest.smtp_connections = 3;
    let s = resolve(&c, &[]).unwrap();
    assert_eq!(s.rate_limit, None);
    assert_eq!(s.connections, 3);
    assert_eq!(s.hello_name, "news.example.org");
    c.digest.rate_limit = 12.5;
    assert_eq!(resolve(&c, &[]).unwrap().rate_limit, Some(12.5));
}

/// The message of a refused URL, checked to be `SMTP URL `…`: why; …`.
fn refused(url: &str) -> String {
    match parse_url(url) {
        Err(SmtpError::Settings(message)) => message,
        other => panic!("{url:?}: {other:?}"),
    }
}

fn assert_refused(url: &str, why: &str) {
    assert_eq!(
        refused(url),
        format!(
            "SMTP URL `{url}`: {why}; expected smtp://[user@]host[:port] or smtps://[user@]host[:port]"
        ),
        "{url:?}"
    );
}

fn parsed(url: &str) -> (Option<String>, String, u16) {
    let u = parse_url(url).unwrap_or_else(|e| panic!("{url:?}: {e}"));
    (u.user, u.host, u.port)
}

#[test]
fn ipv6_hosts_in_brackets() {
    assert_eq!(parsed("smtp://[::1]"), (None, "::1".to_owned(), 587));
    assert_eq!(parsed("smtp://[::1]:2525/"), (None, "::1".to_owned(), 2525));
    // As written, not as the url crate would print it.
    let s = resolve(&config("smtps://[2001:DB8:0::1]"), &[]).unwrap();
    assert_eq!(
        (s.host.as_str(), s.port, s.tls),
        ("2001:DB8:0::1", 465, TlsMode::Implicit)
    );
    assert_eq!(s.server(), "[2001:DB8:0::1]:465");
    assert_eq!(
        resolve(&config("smtp://[0:0:0:0:0:0:0:1]"), &[])
            .unwrap()
            .tls,
        TlsMode::None
    );
    for (url, why) in [
        ("smtp://[::1", "`[` without `]`"),
        ("smtp://[::1]x", "junk after `]`"),
        ("smtp://[::1]:x", "bad port"),
        ("smtp://[::1]:", "bad port"),
        ("smtp://[::1]:65536", "bad port"),
        ("smtp://[]", "no host"),
        ("smtp://[zz:zz]", "bad IPv6 address (write it in brackets)"),
        (
            "smtp://[fe80::1%25eth0]",
            "bad IPv6 address (write it in brackets)",
        ),
        // Was taken as the host `mail.example.org`.
        (
            "smtp://[mail.example.org]",
            "bad IPv6 address (write it in brackets)",
        ),
        ("smtp://2001:db8::1", "bad port"),
    ] {
        assert_refused(url, why);
    }
}

#[test]
fn users_in_the_url() {
    for (url, user) in [
        ("smtp://alice@mail.example.org", "alice"),
        (
            "smtp://digest%40unodc.org@mail.example.org",
            "digest@unodc.org",
        ),
        ("smtp://a@b@mail.example.org", "a@b"),
        ("smtp://caf%C3%A9@mail.example.org", "café"),
        ("smtp://caf%c3%a9@mail.example.org", "café"),
        ("smtp://café@mail.example.org", "café"),
        ("smtp://a b@mail.example.org", "a b"),
    ] {
        assert_eq!(parsed(url).0.as_deref(), Some(user), "{url}");
    }
    assert_refused("smtp://@mail.example.org", "empty user name");
    for url in [
        "smtp://%zz@h",
        "smtp://%4@h",
        "smtp://a%@h",
        "smtp://a%+4@h",
        "smtp://%FF@h",
        "smtp://%C3@h",
        // Before the host and the port.
        "smtp://%zz@h:99999",
        "smtp://%zz@h x",
    ] {
        assert_refused(url, "bad %-escape in the user name");
    }
}

#[test]
fn a_password_is_refused_before_anything_else() {
    for url in [
        "smtp://user:pw@mail.example.org",
        "smtp://:pw@mail.example.org",
        "smtp://user:pw@mail.example.org:99999",
        "smtps://user:pw@[::1",
        "smtp://user:pw@mail.example.org/path",
        "smtp://mail.example.org/x:pw@y",
    ] {
        let text = refused(url);
        assert!(text.contains("holds a password"), "{url}: {text}");
        assert!(!text.contains("pw"), "{url}: {text}");
    }
}

#[test]
fn ports() {
    assert_eq!(parsed("smtp://h:1").2, 1);
    assert_eq!(parsed("smtp://h:65535").2, 65535);
    assert_eq!(parsed("smtp://h:025").2, 25);
    assert_eq!(parsed("smtps://h").2, 465);
    for url in [
        "smtp://h:0",
        "smtp://h:65536",
        "smtp://h:99999",
        "smtp://h:",
        "smtp://h:/",
        "smtp://h:x",
        "smtp://h:25x",
        "smtp://h:-1",
        "smtp://h:+25",
        "smtp://h:2%35",
        "smtp://h:25:26",
    ] {
        assert_refused(url, "bad port");
    }
}

#[test]
fn no_path_query_or_fragment() {
    assert_eq!(parsed("smtp://h/"), (None, "h".to_owned(), 587));
    for url in [
        "smtp://h/path",
        "smtp://h//",
        "smtp://h/.",
        "smtp://h?",
        "smtp://h/?x=1",
        "smtp://h#",
        "smtp://h:25#f",
        "smtp://u@h/x@y",
        // The url crate ends the port at `\`.
        "smtp://h:25\\x",
    ] {
        assert_refused(url, "a path, query or fragment is not allowed");
    }
}

#[test]
fn schemes() {
    assert!(!parse_url("SMTP://h").unwrap().implicit_tls);
    assert!(parse_url("SmTpS://h").unwrap().implicit_tls);
    for url in [
        "http://mail.example.org",
        "mail.example.org",
        "smtp:mail.example.org",
        "smtp:/mail.example.org",
        " smtp://mail.example.org",
        "smtpx://mail.example.org",
        "",
    ] {
        assert_refused(url, "unknown scheme");
    }
}

#[test]
fn hosts_as_written_or_refused() {
    for (url, host) in [
        ("smtp://Mail.Example.ORG", "Mail.Example.ORG"),
        ("smtp://ho%41st", "ho%41st"),
        ("smtp://127.0.0.1", "127.0.0.1"),
        ("smtp://0x7f.1", "0x7f.1"),
    ] {
        assert_eq!(parsed(url).1, host, "{url}");
    }
    assert_refused("smtp://", "no host");
    assert_refused("smtp:///", "no host");
    assert_refused("smtp://u@", "no host");
    assert_refused("smtp://:25", "no host");
    // Could not be looked up; the url crate would drop, trim or encode them.
    for url in [
        "smtp://mail.example.org ",
        "smtp://mail.example.org\n",
        "smtp://mail.example.org:25\n",
        "smtp://mail\t.example.org",
        "smtp://mail.exämple.org",
        "smtp://a b",
        "smtp://h<x>",
        "smtp://h\\x",
        "smtp://h|x",
        "smtp://h^x",
        "smtp://]",
    ] {
        assert_refused(url, "bad character in the host name");
    }
}

#[test]
fn a_bad_ca_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 3] = [
        ("empty.pem", b"", "holds no certificate"),
        (
            "key.pem",
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "holds no certificate",
        ),
        (
            "bad.pem",
            b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            "not PEM certificates",
        ),
    ];
    for (name, bytes, why) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let mut c = config("smtps://mail.example.org");
        c.digest.smtp_ca_file = Some(path.clone());
        let e = resolve(&c, &[]).unwrap_err().to_string();
        assert!(
            e.contains("digest.smtp_ca_file") && e.contains(&path.display().to_string()),
            "{e}"
        );
        assert!(e.contains(why), "{name}: {e}");
    }
    let mut c = config("smtps://mail.example.org");
    c.digest.smtp_ca_file = Some(dir.path().join("missing.pem"));
    let e = resolve(&c, &[]).unwrap_err().to_string();
    assert!(
        e.contains("missing.pem") && e.contains("cannot read"),
        "{e}"
    );
}
