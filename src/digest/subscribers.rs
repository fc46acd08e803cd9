//! The subscribers file: who gets which digest, how often, in what format.
//!
//! ```toml
//! [[subscriber]]
//! address = "ana@example.org"
//! name = "Ana Pérez"
//! themes = ["trafficking-in-persons"]
//! programmes = ["glo-act"]
//! frequency = "weekly"   # daily | weekly | monthly
//! format = "html"        # html (HTML and plain text) | text
//!
//! [[subscriber]]
//! address = "desk@example.org"
//! all = true
//! ```
//!
//! Every error names the file, the line and the entry, so a typo in one
//! subscriber is found at once and no run goes out half-configured.

use std::collections::HashSet;
use std::path::Path;

use lettre::Address;
use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use super::period::Frequency;
use crate::classify::Taxonomy;
use crate::location::Location;

#[derive(Debug, Error)]
pub enum SubscribersError {
    #[error("cannot read subscribers {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{location}: {message}")]
    Invalid { location: Location, message: String },
}

/// What a subscriber follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Follows {
    /// Every story.
    All,
    /// Stories in any of these themes or programmes (slugs, taxonomy order).
    Some {
        themes: Vec<String>,
        programmes: Vec<String>,
    },
}

/// What a digest is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailFormat {
    /// multipart/alternative: plain text, then HTML.
    Html,
    /// Plain text only.
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub address: Address,
    pub name: Option<String>,
    pub follows: Follows,
    pub frequency: Frequency,
    pub format: MailFormat,
    /// 1-based line of the entry, for messages.
    pub line: usize,
}

impl Subscriber {
    /// `Ana Pérez <ana@example.org>` or the bare address.
    pub fn display(&self) -> String {
        match &self.name {
            Some(name) => format!("{name} <{}>", self.address),
            None => self.address.to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    subscriber: Vec<Spanned<RawSubscriber>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubscriber {
    address: Spanned<String>,
    name: Option<String>,
    #[serde(default)]
    all: bool,
    #[serde(default)]
    themes: Vec<Spanned<String>>,
    #[serde(default)]
    programmes: Vec<Spanned<String>>,
    #[serde(default = "weekly")]
    frequency: Frequency,
    #[serde(default = "html")]
    format: MailFormat,
}

fn weekly() -> Frequency {
    Frequency::Weekly
}

fn html() -> MailFormat {
    MailFormat::Html
}

/// An address a digest can be sent to: lettre parses it, and can put it
/// in a message's envelope (a quoted local part with a space, say, parses
/// but cannot). Whether the server takes it (a non-ASCII address needs
/// SMTPUTF8) is only known when sending.
pub fn parse_address(text: &str) -> Result<Address, String> {
    let address: Address = text
        .trim()
        .parse()
        .map_err(|e| format!("invalid address: {e}"))?;
    let mailbox = lettre::message::Mailbox::new(None, address.clone());
    lettre::Message::builder()
        .from(mailbox.clone())
        .to(mailbox)
        .body(String::new())
        .map_err(|e| format!("invalid address: lettre cannot send to it ({e})"))?;
    Ok(address)
}

/// Parses subscribers text named `name` (for messages), checking every
/// address and every slug against `taxonomy`; the first bad entry is the
/// error.
pub fn parse(
    name: &str,
    text: &str,
    taxonomy: &Taxonomy,
) -> Result<Vec<Subscriber>, SubscribersError> {
    parse_entries(name, text, taxonomy)?.into_iter().collect()
}

/// As [`parse`], each entry on its own (an import reports every bad one):
/// the error is a file that is not TOML at all.
pub fn parse_entries(
    name: &str,
    text: &str,
    taxonomy: &Taxonomy,
) -> Result<Vec<Result<Subscriber, SubscribersError>>, SubscribersError> {
    let error = |offset: usize, message: String| SubscribersError::Invalid {
        location: Location::at(name, text, offset),
        message,
    };
    let entries = match parse_in_pieces(text) {
        Some(entries) => entries,
        // A piece that does not parse alone: the whole file says where.
        None => {
            let raw: RawFile = toml::from_str(text)
                .map_err(|e| error(e.span().map_or(0, |s| s.start), e.message().to_owned()))?;
            raw.subscriber.into_iter().map(|e| (0, e)).collect()
        }
    };
    // Entry lines by binary search: `line_column` per entry would rescan
    // the file each time, quadratic in the number of subscribers.
    let newlines: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
    let line_of = |offset: usize| newlines.partition_point(|&nl| nl < offset) + 1;
    let mut seen = HashSet::new();
    let mut subscribers = Vec::with_capacity(entries.len());
    for (n, (base, entry)) in entries.into_iter().enumerate() {
        let one = || -> Result<Subscriber, SubscribersError> {
            let entry_start = base + entry.span().start;
            let raw = entry.into_inner();
            let addr_span = raw.address.span();
            let addr_span = base + addr_span.start..base + addr_span.end;
            let entry_name = format!("subscriber {} ({})", n + 1, raw.address.get_ref().trim());
            let address = parse_address(raw.address.get_ref())
                .map_err(|e| error(addr_span.start, format!("{entry_name}: {e}")))?;
            if !seen.insert(address.to_string().to_ascii_lowercase()) {
                return Err(error(
                    addr_span.start,
                    format!("{entry_name}: the address is listed twice"),
                ));
            }
            let known =
                |list: Vec<Spanned<String>>, kind: &str, slugs: &[crate::classify::Category]| {
                    let mut out: Vec<String> = Vec::with_capacity(list.len());
                    for slug in list {
                        if !slugs.iter().any(|c| c.slug == *slug.get_ref()) {
                            return Err(error(
                                base + slug.span().start,
                                format!("{entry_name}: unknown {kind} `{}`", slug.get_ref()),
                            ));
                        }
                        out.push(slug.into_inner());
                    }
                    // Taxonomy order, so digests list sections the same way for everyone.
                    out.sort_by_key(|s| slugs.iter().position(|c| c.slug == *s));
                    out.dedup();
                    Ok(out)
                };
            let themes = known(raw.themes, "theme", &taxonomy.themes)?;
            let programmes = known(raw.programmes, "programme", &taxonomy.programmes)?;
            let follows = match (raw.all, themes.is_empty() && programmes.is_empty()) {
                (true, true) => Follows::All,
                (true, false) => {
                    return Err(error(
                        entry_start,
                        format!(
                        "{entry_name}: `all = true` cannot be combined with themes or programmes"
                    ),
                    ))
                }
                (false, true) => {
                    return Err(error(
                        entry_start,
                        format!(
                        "{entry_name}: follows nothing; give themes, programmes or `all = true`"
                    ),
                    ))
                }
                (false, false) => Follows::Some { themes, programmes },
            };
            let name = raw
                .name
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty());
            Ok(Subscriber {
                address,
                name,
                follows,
                frequency: raw.frequency,
                format: raw.format,
                line: line_of(entry_start),
            })
        };
        subscribers.push(one());
    }
    Ok(subscribers)
}

/// Each `[[subscriber]]` table parsed on its own, with its byte offset in
/// `text`: parsing the whole file at once holds a parse tree of it all
/// (kilobytes per subscriber), this holds one entry's at a time. `None`
/// when a piece does not parse alone (an error, or a multi-line string
/// holding a `[[subscriber]]` line).
fn parse_in_pieces(text: &str) -> Option<Vec<(usize, Spanned<RawSubscriber>)>> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > 0 && line.trim_end() == "[[subscriber]]" {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(text.len());
    let mut entries = Vec::with_capacity(starts.len());
    for pair in starts.windows(2) {
        let raw: RawFile = toml::from_str(&text[pair[0]..pair[1]]).ok()?;
        entries.extend(raw.subscriber.into_iter().map(|e| (pair[0], e)));
    }
    Some(entries)
}

/// Reads and parses a subscribers file.
pub fn load(path: &Path, taxonomy: &Taxonomy) -> Result<Vec<Subscriber>, SubscribersError> {
    let text = std::fs::read_to_string(path).map_err(|source| SubscribersError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse(&path.display().to_string(), &text, taxonomy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        Taxonomy::builtin()
    }

    #[test]
    fn reads_entries_with_defaults() {
        let text = r#"
[[subscriber]]
address = "ana@example.org"
name = "Ana Pérez"
themes = ["trafficking-in-persons", "drugs"]
programmes = ["glo-act"]
frequency = "daily"
format = "text"

[[subscriber]]
address = "desk@example.org"
all = true
"#;
        let subs = parse("s.toml", text, &taxonomy()).unwrap();
        assert_eq!(subs.len(), 2);
        assert_eq!(subs[0].address.to_string(), "ana@example.org");
        assert_eq!(subs[0].display(), "Ana Pérez <ana@example.org>");
        assert_eq!(subs[0].frequency, Frequency::Daily);
        assert_eq!(subs[0].format, MailFormat::Text);
        assert_eq!(subs[0].line, 2);
        // Taxonomy order, whatever the file's order.
        assert_eq!(
            subs[0].follows,
            Follows::Some {
                themes: vec!["drugs".into(), "trafficking-in-persons".into()],
                programmes: vec!["glo-act".into()],
            }
        );
        assert_eq!(subs[1].follows, Follows::All);
        assert_eq!(subs[1].frequency, Frequency::Weekly);
        assert_eq!(subs[1].format, MailFormat::Html);
    }

    #[test]
    fn a_table_header_inside_a_multi_line_string_is_just_text() {
        let text = "[[subscriber]]\naddress = \"a@example.org\"\nall = true\nname = \"\"\"A\n[[subscriber]]\nB\"\"\"\n";
        let subs = parse("s.toml", text, &taxonomy()).unwrap();
        assert_eq!(subs.len(), 1);
        assert_eq!(subs[0].name.as_deref(), Some("A\n[[subscriber]]\nB"));
    }

    #[test]
    fn errors_name_the_entry_and_line() {
        let cases = [
            (
                "[[subscriber]]\naddress = \"not an address\"\nall = true\n",
                "s.toml:2:11: subscriber 1 (not an address): invalid address",
            ),
            (
                "[[subscriber]]\naddress = \"a@example.org\"\nall = true\n[[subscriber]]\naddress = \"b@example.org\"\nthemes = [\"drug\"]\n",
                "s.toml:6:11: subscriber 2 (b@example.org): unknown theme `drug`",
            ),
            (
                "[[subscriber]]\naddress = '\"a b\"@example.org'\nall = true\n",
                "s.toml:2:11: subscriber 1 (\"a b\"@example.org): invalid address: lettre cannot send to it",
            ),
            (
                "[[subscriber]]\naddress = \"a@example.org\"\n",
                "s.toml:1:1: subscriber 1 (a@example.org): follows nothing",
            ),
            (
                "[[subscriber]]\naddress = \"a@example.org\"\nall = true\n[[subscriber]]\naddress = \"A@example.org\"\nall = true\n",
                "s.toml:5:11: subscriber 2 (A@example.org): the address is listed twice",
            ),
            (
                "[[subscriber]]\naddress = \"a@example.org\"\nall = true\nfrequency = \"hourly\"\n",
                "s.toml:4:13: unknown variant `hourly`",
            ),
        ];
        for (text, want) in cases {
            let err = parse("s.toml", text, &taxonomy()).unwrap_err().to_string();
            assert!(err.starts_with(want), "{err}\nwanted: {want}");
        }
    }
}
