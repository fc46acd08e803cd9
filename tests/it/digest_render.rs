//! Digests from the shipped archives rendered, built into messages and read
//! back with an independent parser (mail-parser). The one-click unsubscribe
//! endpoint over real HTTP is in `unsubscribe.rs`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use storyfeed::classify::Taxonomy;
use storyfeed::config::Config;
use storyfeed::digest::message::{build, message_id, unsubscribe_url, verify_token, Secret};
use storyfeed::digest::period::Period;
use storyfeed::digest::render::{
    inline_with_css_inline, render, style_attributes, Links, Rendered,
};
use storyfeed::digest::state::State;
use storyfeed::digest::subscribers::{self, Subscriber};
use storyfeed::digest::{plan, Digest, Plan};
use storyfeed::story::Story;

pub(crate) const BASE: &str = "https://example.org/unodc/";
/// Markup, quotes, control characters and a header-shaped line.
const HOSTILE: &str = " & <b>\"quoted\"</b> 'it's' \u{1}\u{7}\r\nBcc: evil@example.org";

const SUBSCRIBERS: &str = r#"
[[subscriber]]
address = "desk@example.org"
name = "News desk"
all = true

[[subscriber]]
address = "Ana+digest@Example.org"
name = "Ana Pérez"
themes = ["trafficking-in-persons", "drugs", "corruption"]
programmes = ["glo-act"]

[[subscriber]]
address = "text@example.org"
all = true
format = "text"
"#;

pub(crate) fn secret() -> Secret {
    Secret(b"integration test secret".to_vec())
}

pub(crate) fn config() -> Config {
    Config::default().with_base_url(BASE).unwrap()
}

fn date() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap()
}

/// The 40 newest stories of the shipped archives, classified; the first
/// with a hostile title.
pub(crate) fn stories() -> &'static [Story] {
    static STORIES: OnceLock<Vec<Story>> = OnceLock::new();
    STORIES.get_or_init(|| {
        let taxonomy = Taxonomy::builtin();
        let mut corpus = storyfeed::parse::parse_paths(&[PathBuf::from("data/archives")]).unwrap();
        taxonomy.classify_all(&mut corpus.stories);
        let mut stories: Vec<Story> = corpus.stories.into_iter().take(40).collect();
        assert_eq!(stories.len(), 40, "the shipped corpus has 40 stories");
        stories[0].title.push_str(HOSTILE);
        stories
    })
}

pub(crate) struct Fixture {
    config: Config,
    pub(crate) taxonomy: Taxonomy,
    pub(crate) subscribers: Vec<Subscriber>,
    pub(crate) state: State,
}

impl Fixture {
    pub(crate) fn new() -> Fixture {
        let taxonomy = Taxonomy::builtin();
        let subscribers = subscribers::parse("test", SUBSCRIBERS, &taxonomy).unwrap();
        let mut state = State::default();
        for story in stories() {
            state.arrivals.insert(
                story.id.as_str().to_owned(),
                NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            );
        }
        Fixture {
            config: config(),
            taxonomy,
            subscribers,
            state,
        }
    }

    /// The digests due on 24 Nov 2026 (the week of 16–22 Nov), by address.
    fn digests(&self) -> Vec<Digest<'_>> {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        plan(
            &self.subscribers,
            stories(),
            &self.taxonomy,
            &self.state,
            today,
        )
        .into_iter()
        .map(|p| match p {
            Plan::Send(d) => d,
            Plan::Skip(s, _, why) => panic!("{} skipped: {why:?}", s.address),
        })
        .collect()
    }

    fn links(&self, digest: &Digest<'_>) -> Links {
        let url = unsubscribe_url(BASE, &secret(), digest.subscriber.address.as_ref());
        Links::new(url, digest.subscriber, &self.taxonomy)
    }

    fn rendered(&self, digest: &Digest<'_>) -> Rendered {
        render(&self.config, digest, &self.links(digest)).unwrap()
    }

    fn message(&self, digest: &Digest<'_>, rendered: &Rendered, date: DateTime<Utc>) -> Vec<u8> {
        let url = self.links(digest).unsubscribe;
        build(
            &self.config,
            digest.subscriber,
            &digest.period,
            rendered,
            &url,
            date,
        )
        .unwrap()
        .formatted()
    }
}

fn raw_header(bytes: &[u8], name: &str) -> Option<String> {
    let message = MessageParser::default().parse(bytes).unwrap();
    message
        .header_raw(name)
        .map(|v| v.replace("\r\n", "").trim().to_owned())
}

pub(crate) fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `href` value of `html`, unescaped.
fn hrefs(html: &str) -> Vec<String> {
    html.split(" href=\"")
        .skip(1)
        .map(|rest| unescape(&rest[..rest.find('"').unwrap()]))
        .collect()
}

/// `a` and `t` of an unsubscribe URL, percent-decoded.
fn query(url: &str) -> (String, String) {
    let decode = |s: &str| {
        let mut out = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    let q = url.split_once('?').unwrap().1;
    let (mut a, mut t) = (None, None);
    for pair in q.split('&') {
        let (k, v) = pair.split_once('=').unwrap();
        match k {
            "a" => a = Some(decode(v)),
            "t" => t = Some(decode(v)),
            other => panic!("unexpected parameter {other}"),
        }
    }
    (a.unwrap(), t.unwrap())
}

#[test]
fn html_digest_is_multipart_alternative_text_then_html() {
    let fx = Fixture::new();
    let digests = fx.digests();
    let desk = &digests[0];
    let rendered = fx.rendered(desk);
    let bytes = fx.message(desk, &rendered, date());
    let message = MessageParser::default().parse(&bytes[..]).unwrap();

    let root = message.root_part();
    let ct = root.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("alternative"))
    );
    let parts: Vec<_> = root
        .sub_parts()
        .unwrap()
        .iter()
        .map(|&id| message.part(id).unwrap())
        .collect();
    assert_eq!(parts.len(), 2);
    let kinds: Vec<(String, String, String)> = parts
        .iter()
        .map(|p| {
            let ct = p.content_type().unwrap();
            (
                ct.ctype().to_owned(),
                ct.subtype().unwrap().to_owned(),
                ct.attribute("charset").unwrap().to_ascii_lowercase(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("text".into(), "plain".into(), "utf-8".into()),
            ("text".into(), "html".into(), "utf-8".into())
        ]
    );
    // The bodies survive the transfer encoding unchanged.
    assert_eq!(
        parts[0].text_contents().unwrap().replace("\r\n", "\n"),
        rendered.text
    );
    assert_eq!(
        parts[1].text_contents().unwrap().replace("\r\n", "\n"),
        rendered.html.as_deref().unwrap().replace("\r\n", "\n")
    );
}

#[test]
fn headers_name_sender_recipient_list_and_period() {
    let fx = Fixture::new();
    let digests = fx.digests();
    let ana = &digests[1];
    assert_eq!(ana.subscriber.name.as_deref(), Some("Ana Pérez"));
    let rendered = fx.rendered(ana);
    let bytes = fx.message(ana, &rendered, date());
    let message = MessageParser::default().parse(&bytes[..]).unwrap();

    let from = message.from().unwrap().first().unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("UNODC stories"), Some("digest@example.org"))
    );
    let to = message.to().unwrap().first().unwrap();
    assert_eq!(
        (to.name(), to.address()),
        (Some("Ana Pérez"), Some("Ana+digest@Example.org"))
    );
    assert_eq!(message.date().unwrap().to_timestamp(), date().timestamp());

    // The period's en dash makes the subject an encoded word.
    let subject = message.subject().unwrap();
    assert_eq!(subject, rendered.subject);
    assert!(subject.contains("16–22 Nov 2026"), "{subject}");
    assert!(subject.ends_with(&format!(": {} new stories", ana.story_count())));
    let raw_subject = raw_header(&bytes, "Subject").unwrap();
    assert!(raw_subject.is_ascii(), "{raw_subject}");
    assert!(
        raw_subject.to_ascii_lowercase().contains("=?utf-8?"),
        "{raw_subject}"
    );

    let id = message.message_id().unwrap();
    assert_eq!(
        format!("<{id}>"),
        message_id(&fx.config, "ana+digest@example.org", &ana.period)
    );
    assert!(
        id.starts_with("digest.2026-11-16.2026-11-22.") && id.ends_with("@example.org"),
        "{id}"
    );

    assert_eq!(
        raw_header(&bytes, "List-Id").unwrap(),
        "\"UNODC stories\" <digest.storyfeed.example.org>"
    );
    assert_eq!(
        raw_header(&bytes, "List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    let unsubscribe = raw_header(&bytes, "List-Unsubscribe").unwrap();
    let targets: Vec<&str> = unsubscribe
        .split(',')
        .map(|t| {
            t.trim()
                .strip_prefix('<')
                .and_then(|t| t.strip_suffix('>'))
                .unwrap()
        })
        .collect();
    assert_eq!(targets.len(), 2, "{unsubscribe}");
    assert!(targets[0].starts_with(&format!("{BASE}unsubscribe?")));
    assert_eq!(
        targets[1],
        "mailto:unsubscribe@example.org?subject=unsubscribe"
    );
    // The HTTPS link names the subscriber and carries a token that verifies.
    let (address, token) = query(targets[0]);
    assert_eq!(address, "Ana+digest@Example.org");
    assert!(verify_token(&secret(), &address, &token));
    assert!(!verify_token(&secret(), "desk@example.org", &token));
    // The same link is in both bodies.
    assert!(rendered.text.contains(targets[0]));
    assert!(hrefs(rendered.html.as_deref().unwrap()).contains(&targets[0].to_owned()));
}

#[test]
fn message_ids_and_bytes_are_stable() {
    let fx = Fixture::new();
    let digests = fx.digests();
    let desk = &digests[0];
    let rendered = fx.rendered(desk);
    assert_eq!(
        fx.rendered(desk),
        rendered,
        "rendering twice gives the same parts"
    );
    let first = fx.message(desk, &rendered, date());
    assert_eq!(
        fx.message(desk, &rendered, date()),
        first,
        "same input, same bytes"
    );
    let later = fx.message(desk, &rendered, date() + chrono::Duration::hours(5));
    assert_ne!(later, first);
    let id = |bytes: &[u8]| raw_header(bytes, "Message-ID").unwrap();
    assert_eq!(id(&later), id(&first), "a resend keeps its Message-ID");

    // Another subscriber or another period: another id.
    let other = fx.message(&digests[1], &fx.rendered(&digests[1]), date());
    assert_ne!(id(&other), id(&first));
    let next_week = Period {
        first: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        last: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
    };
    assert_ne!(
        message_id(&fx.config, "desk@example.org", &next_week),
        message_id(&fx.config, "desk@example.org", &desk.period)
    );
    // Case does not make a new subscriber.
    assert_eq!(
        message_id(&fx.config, "DESK@example.org", &desk.period),
        message_id(&fx.config, "desk@example.org", &desk.period)
    );
}

#[test]
fn every_story_is_there_with_absolute_links() {
    let fx = Fixture::new();
    let digests = fx.digests();
    let desk = &digests[0];
    assert_eq!(desk.story_count(), 40);
    let rendered = fx.rendered(desk);
    let html = rendered.html.as_deref().unwrap();
    assert!(html.len() < 100_000, "{} bytes", html.len());

    let links = hrefs(html);
    assert!(links.len() > 40);
    for link in &links {
        assert!(link.starts_with(BASE), "relative or foreign link {link}");
    }
    let html_text = words(&unescape(html));
    let text = words(&rendered.text);
    for story in desk.sections.iter().flat_map(|s| &s.stories) {
        let url = format!("{BASE}stories/{}.html", story.id);
        assert!(links.contains(&url), "{url}");
        assert!(
            rendered.text.lines().any(|l| l.trim() == url),
            "{url} on its own line"
        );
        let title: String = words(
            &story
                .title
                .chars()
                .filter(|c| !c.is_control() || c.is_whitespace())
                .collect::<String>(),
        );
        assert!(html_text.contains(&title), "{title}");
        assert!(text.contains(&title), "{title}");
    }
    // Section headings link to their page and feed.
    for section in &desk.sections {
        let page = format!("{BASE}{}", section.channel.page_path());
        assert!(links.contains(&page), "{page}");
    }
    assert!(links.contains(&format!("{BASE}feeds/all.rss")));
}

#[test]
fn archive_text_is_escaped_and_loses_control_characters() {
    let fx = Fixture::new();
    let digests = fx.digests();
    let rendered = fx.rendered(&digests[0]);
    let html = rendered.html.as_deref().unwrap();
    // Escaped in the HTML, whole once unescaped.
    assert!(!html.contains("<b>"));
    assert!(unescape(html).contains("& <b>\"quoted\"</b> 'it's' Bcc: evil@example.org"));
    for part in [html, rendered.text.as_str()] {
        assert!(
            !part
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "a control character got through"
        );
    }
    // The CR/LF inside the title is a space: no line of the text part
    // starts with the header-shaped text.
    assert!(!rendered.text.lines().any(|l| l.starts_with("Bcc:")));
}

#[test]
fn text_lines_are_short_except_urls() {
    let fx = Fixture::new();
    for digest in fx.digests() {
        let rendered = fx.rendered(&digest);
        for line in rendered.text.lines() {
            let url = line.trim_start().starts_with("https://");
            assert!(
                url || line.chars().count() <= 78,
                "{} chars: {line}",
                line.chars().count()
            );
            if url {
                assert!(!line.trim().contains(' '), "a URL shares its line: {line}");
            }
        }
    }
}

#[test]
fn text_only_subscribers_get_one_plain_part() {
    let fx = Fixture::new();
    let digests = fx.digests();
    let text_only = &digests[2];
    let rendered = fx.rendered(text_only);
    assert_eq!(rendered.html, None);
    let bytes = fx.message(text_only, &rendered, date());
    let message = MessageParser::default().parse(&bytes[..]).unwrap();
    let ct = message.root_part().content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("plain")));
    assert_eq!(
        ct.attribute("charset")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("utf-8")
    );
    assert!(message.root_part().sub_parts().is_none());
    // (mail-parser adds a line break at the end of a lone part.)
    assert_eq!(
        message
            .body_text(0)
            .unwrap()
            .replace("\r\n", "\n")
            .trim_end(),
        rendered.text.trim_end()
    );
}

#[test]
fn crlf_in_a_name_or_subject_cannot_add_a_header() {
    let fx = Fixture::new();
    let digests = fx.digests();
    let honest = {
        let rendered = fx.rendered(&digests[0]);
        fx.message(&digests[0], &rendered, date())
    };
    let header_names = |bytes: &[u8]| -> BTreeSet<String> {
        MessageParser::default()
            .parse(bytes)
            .unwrap()
            .headers()
            .iter()
            .map(|h| h.name().to_ascii_lowercase())
            .collect()
    };
    let mut evil = digests[0].subscriber.clone();
    evil.name = Some("Eve\r\nBcc: victim@example.org\r\nX-Injected: 1".to_owned());
    let mut rendered = fx.rendered(&digests[0]);
    rendered.subject = "Digest\r\nBcc: victim@example.org\nX-Injected: 2\r\n\r\nbody".to_owned();
    let url = unsubscribe_url(BASE, &secret(), "desk@example.org");
    let bytes = build(
        &fx.config,
        &evil,
        &digests[0].period,
        &rendered,
        &url,
        date(),
    )
    .unwrap()
    .formatted();
    assert_eq!(header_names(&bytes), header_names(&honest));
    let message = MessageParser::default().parse(&bytes[..]).unwrap();
    assert!(message.bcc().is_none());
    let text = String::from_utf8_lossy(&bytes);
    let head = &text[..text.find("\r\n\r\n").unwrap()];
    for line in head.split("\r\n") {
        assert!(
            !line.starts_with("Bcc:") && !line.starts_with("X-Injected"),
            "{line}"
        );
    }
    // The text is still there, as text.
    assert!(message.subject().unwrap().contains("X-Injected: 2"));
    assert!(message
        .to()
        .unwrap()
        .first()
        .unwrap()
        .name()
        .unwrap()
        .contains("victim@example.org"));
}

#[test]
fn styles_applied_once_match_css_inline_on_the_whole_digest() {
    let fx = Fixture::new();
    let digests = fx.digests();
    let html = fx.rendered(&digests[0]).html.unwrap();
    let ours = style_attributes(&html);
    // Strip our styles and let css-inline do the whole document.
    let mut bare = String::new();
    let mut rest = html.as_str();
    while let Some(at) = rest.find(" style=\"") {
        bare.push_str(&rest[..at]);
        let after = &rest[at + 8..];
        rest = &after[after.find('"').unwrap() + 1..];
    }
    bare.push_str(rest);
    assert!(!bare.contains(" style=\""));
    let reference = style_attributes(&inline_with_css_inline(&bare).unwrap());
    assert!(ours.len() > 200, "{}", ours.len());
    assert_eq!(ours, reference);
    // The media queries stay in the head; nothing else does.
    let head = &html[..html.find("</head>").unwrap()];
    assert!(head.contains("@media (prefers-color-scheme: dark)"));
    assert!(head.contains("<meta name=\"color-scheme\" content=\"light dark\">"));
    assert!(!html.contains("<script"));
}

#[test]
fn a_very_long_digest_lists_the_first_hundred_and_says_how_many_more() {
    let fx = Fixture::new();
    let taxonomy = Taxonomy::builtin();
    let mut corpus = storyfeed::parse::parse_paths(&[PathBuf::from("data/archives")]).unwrap();
    taxonomy.classify_all(&mut corpus.stories);
    let all: Vec<&Story> = corpus.stories.iter().collect();
    assert!(all.len() > 150, "{}", all.len());
    let digest = Digest {
        subscriber: &fx.subscribers[0],
        period: Period {
            first: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            last: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        },
        sections: vec![storyfeed::digest::Section {
            channel: storyfeed::feed::urls::Channel::All,
            heading: "Other stories".to_owned(),
            stories: all.clone(),
        }],
    };
    let rendered = fx.rendered(&digest);
    let html = rendered.html.as_deref().unwrap();
    assert!(html.len() < 100_000, "{} bytes", html.len());
    let more = all.len() - 100;
    assert!(rendered
        .subject
        .ends_with(&format!("{} new stories", all.len())));
    assert!(
        html.contains(&format!("And {more} more new stories")),
        "html"
    );
    assert!(rendered
        .text
        .contains(&format!("And {more} more new stories:")));
    let listed = |s: &Story| html.contains(&format!("{BASE}stories/{}.html\"", s.id));
    assert!(all[..100].iter().all(|s| listed(s)));
    assert!(!all[100..].iter().any(|s| listed(s)));
    // Summaries for the first 30 only.
    let summary = |s: &Story| {
        let words: Vec<&str> = s.summary.split_whitespace().take(6).collect();
        html.contains(&words.join(" "))
    };
    assert!(summary(all[0]));
    assert!(!summary(all[40]));
}
