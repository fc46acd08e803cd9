use super::*;

#[test]
fn the_shipped_example_is_the_defaults() {
    let text = include_str!("../../storyfeed.example.toml");
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
fn websub_hub_is_an_http_url_kept_as_written() {
    good(
        "websub_hub",
        &[
            r#""https://hub.example/""#,
            r#""http://127.0.0.1:8080/hub""#,
        ],
    );
    bad(
        "websub_hub",
        &[
            r#""""#,
            r#""ftp://hub.example/""#,
            r#""hub.example""#,
            r#""https://hub.example/<x>""#,
            r#""https://user:pw@hub.example/""#,
            r#""https://hub.example/#x""#,
        ],
    );
    let c = Config::parse("c", "websub_hub = \" https://hub.example/publish \"").unwrap();
    assert_eq!(c.websub_hub.as_deref(), Some("https://hub.example/publish"));
    assert_eq!(
        error("websub_hub", r#""ftp://x""#).unwrap(),
        r#"c.toml:1:14: websub_hub: "ftp://x" must be an absolute http(s) URL such as https://example.org/news/"#
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
    bad("digest.soft_bounce_limit", &["0"]);
    good("digest.soft_bounce_limit", &["1", "10"]);
    bad("digest.soft_bounce_window_days", &["0", "366"]);
    good("digest.soft_bounce_window_days", &["1", "365"]);
}

#[test]
fn the_bounce_address_is_plain_with_room_for_a_token() {
    good(
        "digest.bounce_address",
        &["\"bounces@example.org\"", "\"b@mail.example.org\""],
    );
    bad(
        "digest.bounce_address",
        &[
            "\"bounces+x@example.org\"",
            "\"not an address\"",
            "\"UNODC <bounces@example.org>\"",
            &format!("\"{}@example.org\"", "b".repeat(48)),
        ],
    );
    good(
        "digest.bounce_address",
        &[&format!("\"{}@example.org\"", "b".repeat(47))],
    );
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

#[test]
fn smtp_timeout_is_seconds_from_1_to_3600() {
    good("digest.smtp_timeout", &["1", "60", "3600"]);
    bad("digest.smtp_timeout", &["0", "3601"]);
}

fn dkim_text(selector: &str, domain: &str, key_file: &str) -> String {
    format!(
        "[digest]\ndkim_selector = \"{selector}\"\ndkim_domain = \"{domain}\"\n\
         dkim_key_file = \"{key_file}\"\n"
    )
}

#[test]
fn dkim_settings_go_together_and_the_key_is_read_with_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let key = crate::dkim::generate("s1", "example.org", crate::dkim::Algorithm::Ed25519).unwrap();
    key.write(&dir.path().join("k.pem")).unwrap();
    // Relative to the config file's directory.
    let path = dir.path().join("c.toml");
    std::fs::write(&path, dkim_text("s1", "example.org", "k.pem")).unwrap();
    let c = Config::load(&path).unwrap();
    assert_eq!(c.digest.dkim.as_ref(), Some(&key.signer));
    assert_eq!(Config::default().digest.dkim, None);
    // A key file that is not there: the setting, its place and the file.
    // Kept for the commands that sign: `build` must not need the key.
    std::fs::write(&path, dkim_text("s1", "example.org", "none.pem")).unwrap();
    let c = Config::load(&path).unwrap();
    assert_eq!(c.digest.dkim, None);
    let e = c.digest.check_keys().unwrap_err().to_string();
    assert!(e.contains("c.toml:4:17: digest.dkim_key_file: "), "{e}");
    assert!(
        e.contains(&dir.path().join("none.pem").display().to_string()),
        "{e}"
    );
    // Names that are not DNS names.
    for (text, setting) in [
        (
            dkim_text("a b", "example.org", "k.pem"),
            "digest.dkim_selector",
        ),
        (dkim_text("s1", "localhost", "k.pem"), "digest.dkim_domain"),
        (dkim_text("s1", "-x.org", "k.pem"), "digest.dkim_domain"),
        (
            dkim_text("s1", "exa<mple.org", "k.pem"),
            "digest.dkim_domain",
        ),
    ] {
        let e = Config::parse("c.toml", &text).unwrap_err().to_string();
        assert!(e.contains(setting), "{text}: {e}");
    }
    // One without the others.
    for (text, missing) in [
        ("[digest]\ndkim_selector = \"s1\"\n", "digest.dkim_domain"),
        (
            "[digest]\ndkim_domain = \"example.org\"\ndkim_key_file = \"k.pem\"\n",
            "digest.dkim_selector",
        ),
        (
            "[digest]\ndkim_selector = \"s1\"\ndkim_domain = \"example.org\"\n",
            "digest.dkim_key_file",
        ),
    ] {
        let e = Config::parse("c.toml", text).unwrap_err().to_string();
        assert!(
            e.contains(missing) && e.contains("is missing"),
            "{text}: {e}"
        );
    }
}

#[test]
fn subscribe_url_is_an_http_url_and_gives_the_app_links_their_base() {
    let err = error("subscribe_url", r#""/subscribe""#).unwrap();
    assert!(
        err.starts_with("c.toml:1:17: subscribe_url: ") && err.contains("absolute http(s) URL"),
        "{err}"
    );
    assert!(error("subscribe_url", r#""https://x.org/a b""#).is_some());
    let c = Config::parse(
        "c",
        "subscribe_url = \"https://app.example.org/news/subscribe\"",
    )
    .unwrap();
    assert_eq!(c.app_url(), "https://app.example.org/news/");
    let c = Config::parse("c", "subscribe_url = \"https://app.example.org\"").unwrap();
    assert_eq!(c.app_url(), "https://app.example.org/");
    // Without it, the app is on the site's server.
    let c = Config::parse("c", "base_url = \"https://example.org/news\"").unwrap();
    assert_eq!(c.app_url(), "https://example.org/news/");
}

#[test]
fn corrections_are_optional_unless_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "title = \"t\"\n").unwrap();
    let c = Config::load(&path).unwrap();
    assert_eq!(
        c.corrections_file(),
        (dir.path().join("data/corrections.toml").as_path(), true)
    );
    std::fs::write(&path, "corrections = \"fixes.toml\"\n").unwrap();
    let c = Config::load(&path).unwrap();
    assert_eq!(
        c.corrections_file(),
        (dir.path().join("fixes.toml").as_path(), false)
    );
    assert_eq!(
        Config::default().corrections_file(),
        (Path::new("data/corrections.toml"), true)
    );
}

#[test]
fn database_url_is_a_postgres_url_never_shown_with_its_password() {
    good(
        "digest.database_url",
        &[
            "\"postgres://storyfeed@db.example.org:5432/storyfeed\"",
            "\"postgresql://app:pw@127.0.0.1/feed?connect_timeout=5\"",
        ],
    );
    bad(
        "digest.database_url",
        &[
            "\"mysql://app:s3cret@db/feed\"",
            "\"postgres://app:s3cret@db:port/feed\"",
        ],
    );
    let err = error("digest.database_url", "\"mysql://app:s3cret@db/feed\"").unwrap();
    assert!(
        !err.contains("s3cret") && err.contains("app:***@db"),
        "{err}"
    );
    let both = Config::parse(
        "c.toml",
        "[digest]\ndatabase = \"x.db\"\ndatabase_url = \"postgres://h/d\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(both.contains("not both"), "{both}");
    // A URL selects PostgreSQL; none, the SQLite file.
    let c = Config::parse(
        "c.toml",
        "[digest]\ndatabase_url = \"postgres://u:pw@h/d\"\n",
    )
    .unwrap();
    if std::env::var_os(crate::store::database::URL_ENV).is_none() {
        assert_eq!(
            c.digest.store().unwrap().to_string(),
            "postgres://u:***@h/d"
        );
        assert!(matches!(
            Config::default().digest.store().unwrap(),
            crate::store::Database::Sqlite(_)
        ));
    }
}
