//! What a valid setting looks like: plain text, an http(s) base URL, a
//! mailbox, a list id, a BCP 47 language tag. Each check returns the
//! reason a value is refused; `Config::validated` names the place.

/// A value as written, in quotes, with control characters, quotes and
/// backslashes escaped so a message shows what is really there.
pub(super) fn quoted(value: &str) -> String {
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
pub(super) fn plain_text(value: &str) -> Result<(), String> {
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
pub(super) fn base_url(value: &str) -> Result<String, String> {
    let url = http_url(value)?;
    Ok(if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    })
}

/// A WebSub hub, trimmed: an http(s) URL like `base_url`, kept as written
/// (a hub's path is its own, no `/` is added).
pub(super) fn hub_url(value: &str) -> Result<String, String> {
    http_url(value).map(str::to_owned)
}

/// `value` trimmed, if it is an absolute http(s) URL with a host, no user,
/// query or fragment, written with no character a URL must escape (it
/// goes into XML and HTML attributes as written).
fn http_url(value: &str) -> Result<&str, String> {
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
            "{} must not have a query or fragment",
            quoted(value)
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "{} must not hold a user name or password: it is in every feed",
            quoted(value)
        ));
    }
    Ok(url)
}

/// A character a URL may hold as it is (RFC 3986: unreserved, reserved and
/// `%` of a percent-encoding).
fn url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// `Name <address>` or a bare address, as `From:` takes it.
pub(super) fn mailbox(value: &str) -> Result<(), String> {
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
pub(super) fn address(value: &str) -> Result<(), String> {
    plain_text(value)?;
    value.parse::<lettre::Address>().map(drop).map_err(|e| {
        format!(
            "{} is not an email address such as unsubscribe@example.org: {e}",
            quoted(value)
        )
    })
}

/// A bounce address `local@domain` that `local+<token>@domain` can be made
/// from: no `+` of its own, and room for the token in the 64 octets a
/// local part may have.
pub(super) fn bounce_address(value: &str) -> Result<(), String> {
    address(value)?;
    let parsed: lettre::Address = value
        .parse()
        .map_err(|e| format!("{} is not an email address: {e}", quoted(value)))?;
    let local = parsed.user();
    if local.contains('+') || local.starts_with('"') {
        return Err(format!(
            "{} must be a plain address such as bounces@example.org, without `+` \
             (the token is added after one)",
            quoted(value)
        ));
    }
    if local.len() + 1 + crate::verp::TOKEN_LEN > 64 {
        return Err(format!(
            "{}: the local part is too long to carry a token (at most {} characters)",
            quoted(value),
            64 - 1 - crate::verp::TOKEN_LEN
        ));
    }
    Ok(())
}

/// A `List-Id:` identifier (RFC 2919): a label and a namespace, such as
/// `digest.example.org`, as an RFC 5322 dot-atom.
pub(super) fn list_id(value: &str) -> Result<(), String> {
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
pub(super) fn is_language_tag(tag: &str) -> bool {
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
