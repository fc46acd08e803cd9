//! A digest as text: subject, plain-text body and HTML body (askama
//! templates `templates/digest.txt` and `templates/digest.html`, CSS inlined
//! for mail clients).
//!
//! Every value from an archive goes through [`clean`] (control characters
//! out) and, in HTML, through askama's escaping. Nothing here reads the
//! clock or iterates a hash map into the output: the same digest gives the
//! same bytes.
//!
//! CSS: mail clients drop or ignore `<style>`, so every element carries its
//! styles in a `style` attribute. Running css-inline on each digest costs
//! about 0.9 ms for a 40-story digest (52 KB of HTML) in release mode, its
//! HTML parse and re-serialisation dominating, against 0.2–0.3 ms for the
//! whole render (text and HTML, styles added), both measured with
//! `cargo run --release --example render_digest` on a loaded 2-core
//! machine: inlining per digest would take most of the budget of a
//! 700 msg/s run on two cores.
//! The template therefore only writes `class` attributes; css-inline runs
//! once, at first use, on the template rendered with a sample digest that
//! uses every class, and each class's resulting `style` attribute is then
//! added after its `class` attribute by one linear pass per digest
//! ([`Styles::apply`]). A test checks that this gives exactly the styles
//! css-inline gives when run on the whole digest. The media queries (dark
//! mode, narrow screens) stay in a `<style>` in the head: they cannot be
//! inlined.

use askama::Template;
use thiserror::Error;

mod styles;
mod text;

pub use styles::{inline_with_css_inline, style_attributes, Styles};
pub use text::{clean, clean_line, wrap};

use super::subscribers::{Follows, Subscriber};
use super::Digest;
use crate::classify::Taxonomy;
use crate::config::Config;
use crate::feed::urls::{story_path, Channel, Format, OPML_PATH};
use crate::feed::{display_dates, shorten};
use crate::story::Story;

/// Rules inlined into elements, by class.
pub const INLINE_CSS: &str = include_str!("../../../templates/digest.css");
/// Media queries kept in the head.
pub const HEAD_CSS: &str = include_str!("../../../templates/digest-head.css");

/// Plain-text lines are wrapped at this many characters (URLs excepted).
const TEXT_WIDTH: usize = 78;

/// Longest summary shown, in characters: a digest is a list to pick from,
/// the story page has the rest.
const SUMMARY_CHARS: usize = 300;

/// Stories shown with their summary; the rest of a long digest lists
/// titles, dates and links only, so the HTML stays well under the 100 KB
/// at which mail clients (Gmail) clip a message.
const FULL_STORIES: usize = 30;

/// Stories listed at all; a digest with more ends with how many more there
/// are and a link to the site (the HTML part stays under 100 KB).
const LISTED_STORIES: usize = 100;

#[derive(Debug, Error)]
pub enum RenderError {
    #[error("cannot render the digest for {to}")]
    Template {
        to: String,
        #[source]
        source: askama::Error,
    },
    #[error("cannot inline the digest's CSS: {0}")]
    Css(String),
}

/// Links a digest needs besides the site's: where to unsubscribe, and the
/// names of what the subscriber follows (for the footer).
#[derive(Debug, Clone)]
pub struct Links {
    /// One-click unsubscribe page for this subscriber (HTTPS in production).
    pub unsubscribe: String,
    /// Display names of the followed themes, then programmes, in taxonomy
    /// order; empty for a subscriber who follows everything.
    pub follows: Vec<String>,
    /// The subscriber's preference page ("Manage your subscription").
    pub manage: Option<String>,
}

impl Links {
    /// The links of `subscriber`'s digests: `unsubscribe` (see
    /// [`super::message::unsubscribe_url`]) and the names of what they
    /// follow, looked up in `taxonomy` (a slug it lacks is shown as is).
    pub fn new(unsubscribe: String, subscriber: &Subscriber, taxonomy: &Taxonomy) -> Links {
        let follows = match &subscriber.follows {
            Follows::All => Vec::new(),
            Follows::Some { themes, programmes } => {
                let name = |slug: &String, list: &[crate::classify::Category]| {
                    list.iter()
                        .find(|c| c.slug == *slug)
                        .map_or_else(|| slug.clone(), |c| c.name.clone())
                };
                themes
                    .iter()
                    .map(|s| name(s, &taxonomy.themes))
                    .chain(programmes.iter().map(|s| name(s, &taxonomy.programmes)))
                    .collect()
            }
        };
        Links {
            unsubscribe,
            follows,
            manage: None,
        }
    }

    /// The links with the preference page's (see
    /// [`super::tokens::manage_url`]).
    pub fn with_manage(mut self, manage: String) -> Links {
        self.manage = Some(manage);
        self
    }
}

/// The rendered parts of one digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// `UNODC digest, 16–22 Nov 2026: 12 new stories` (not yet encoded).
    pub subject: String,
    pub text: String,
    /// `None` for text-only subscribers.
    pub html: Option<String>,
}

/// Subject line: `{prefix}, {period label}: {n} new stor{y|ies}`.
pub fn subject(config: &Config, digest: &Digest<'_>) -> String {
    let n = digest.story_count();
    let noun = if n == 1 { "story" } else { "stories" };
    format!(
        "{}, {}: {n} new {noun}",
        config.digest.subject,
        digest.period.label()
    )
}

struct StoryView {
    title: String,
    url: String,
    dates: String,
    places: String,
    summary: String,
}

struct SectionView {
    heading: String,
    /// `All Drugs stories`, or `All stories` for `Other stories`.
    page_label: String,
    page_url: String,
    feed_url: String,
    stories: Vec<StoryView>,
}

#[derive(Template)]
#[template(path = "digest.html")]
struct HtmlDigest<'a> {
    language: &'a str,
    subject: &'a str,
    head_css: &'a str,
    preheader: String,
    site_title: String,
    site_url: &'a str,
    period: String,
    count_line: String,
    sections: Vec<SectionView>,
    /// Stories not listed (past [`LISTED_STORIES`]).
    more: usize,
    reason: String,
    all_feed_url: String,
    opml_url: String,
    address: String,
    unsubscribe: &'a str,
    manage: Option<&'a str>,
}

/// A section of the plain-text part; fields are wrapped and indented.
struct TextSection {
    heading: String,
    page_label: String,
    underline: String,
    page_url: String,
    feed_url: String,
    stories: Vec<TextStory>,
}

struct TextStory {
    title: String,
    meta: String,
    url: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "digest.txt")]
struct TextDigest<'a> {
    site_title: String,
    heading: String,
    underline: String,
    sections: Vec<TextSection>,
    more: usize,
    reason: String,
    site_url: &'a str,
    all_feed_url: String,
    opml_url: String,
    address: String,
    unsubscribe: &'a str,
    manage: Option<&'a str>,
}

/// Renders one digest. Pure: the same digest gives the same bytes.
pub fn render(
    config: &Config,
    digest: &Digest<'_>,
    links: &Links,
) -> Result<Rendered, RenderError> {
    let subject = clean_line(&subject(config, digest));
    let to = digest.subscriber.address.to_string();
    let template_error = |source| RenderError::Template {
        to: to.clone(),
        source,
    };
    let base = config.base_url.as_str();
    let sections: Vec<SectionView> = digest
        .sections
        .iter()
        .map(|s| SectionView {
            heading: clean_line(&s.heading),
            page_label: match s.channel {
                Channel::All => "All stories".to_owned(),
                _ => format!("All {} stories", clean_line(&s.heading)),
            },
            page_url: format!("{base}{}", s.channel.page_path()),
            feed_url: format!("{base}{}", s.channel.feed_path(Format::Rss)),
            stories: s.stories.iter().map(|st| story_view(base, st)).collect(),
        })
        .collect();
    let mut sections = sections;
    for story in sections
        .iter_mut()
        .flat_map(|s| s.stories.iter_mut())
        .skip(FULL_STORIES)
    {
        story.summary.clear();
    }
    let mut room = LISTED_STORIES;
    for section in &mut sections {
        section.stories.truncate(room);
        room -= section.stories.len();
    }
    sections.retain(|s| !s.stories.is_empty());
    let count = digest.story_count();
    let more = count - sections.iter().map(|s| s.stories.len()).sum::<usize>();
    let count_line = format!(
        "{count} new {}",
        if count == 1 { "story" } else { "stories" }
    );
    let site_title = clean_line(&config.title);
    let period = digest.period.label();
    let reason = reason(config, digest, links);
    let all_feed_url = format!("{base}{}", Channel::All.feed_path(Format::Rss));
    let opml_url = format!("{base}{OPML_PATH}");
    let address = clean_line(&to);

    let text_view = TextDigest {
        heading: format!("{period}: {count_line}"),
        underline: "=".repeat(format!("{period}: {count_line}").chars().count()),
        sections: sections.iter().map(text_section).collect(),
        more,
        reason: wrap(&reason, "", ""),
        site_title: site_title.clone(),
        site_url: base,
        all_feed_url: all_feed_url.clone(),
        opml_url: opml_url.clone(),
        address: address.clone(),
        unsubscribe: &links.unsubscribe,
        manage: links.manage.as_deref(),
    };
    let mut text = text_view.render().map_err(template_error)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }

    let html = match digest.subscriber.format {
        super::subscribers::MailFormat::Text => None,
        super::subscribers::MailFormat::Html => {
            let view = HtmlDigest {
                language: &config.language,
                subject: &subject,
                head_css: HEAD_CSS.trim(),
                preheader: preheader(&count_line, &sections),
                site_title,
                site_url: base,
                period,
                count_line,
                sections,
                more,
                reason,
                all_feed_url,
                opml_url,
                address,
                unsubscribe: &links.unsubscribe,
                manage: links.manage.as_deref(),
            };
            let plain = view.render().map_err(template_error)?;
            Some(Styles::get()?.apply(&plain)?)
        }
    };
    Ok(Rendered {
        subject,
        text,
        html,
    })
}

fn story_view(base: &str, story: &Story) -> StoryView {
    StoryView {
        title: clean_line(&story.title),
        url: format!("{base}{}", story_path(&story.id)),
        dates: display_dates(story),
        places: clean_line(&story.places.join("; ")),
        summary: shorten(&clean_line(&story.summary), SUMMARY_CHARS),
    }
}

fn text_section(s: &SectionView) -> TextSection {
    TextSection {
        underline: "-".repeat(s.heading.chars().count()),
        heading: s.heading.clone(),
        page_label: s.page_label.clone(),
        page_url: s.page_url.clone(),
        feed_url: s.feed_url.clone(),
        stories: s
            .stories
            .iter()
            .map(|st| {
                let meta = if st.places.is_empty() {
                    st.dates.clone()
                } else {
                    format!("{} · {}", st.dates, st.places)
                };
                TextStory {
                    title: wrap(&st.title, "* ", "  "),
                    meta: wrap(&meta, "  ", "  "),
                    url: st.url.clone(),
                    summary: wrap(&st.summary, "  ", "  "),
                }
            })
            .collect(),
    }
}

/// Why this subscriber gets this digest.
fn reason(config: &Config, digest: &Digest<'_>, links: &Links) -> String {
    let what = match (&digest.subscriber.follows, links.follows.as_slice()) {
        (Follows::All, _) | (_, []) => "every story".to_owned(),
        (_, [one]) => clean_line(one),
        (_, [init @ .., last]) => {
            let init: Vec<String> = init.iter().map(|s| clean_line(s)).collect();
            format!("{} and {}", init.join(", "), clean_line(last))
        }
    };
    format!(
        "You receive this {} digest because you follow {what} on {}.",
        digest.subscriber.frequency,
        clean_line(&config.title)
    )
}

/// The preview line mail clients show after the subject.
fn preheader(count_line: &str, sections: &[SectionView]) -> String {
    let mut out = format!("{count_line}:");
    for (i, story) in sections.iter().flat_map(|s| &s.stories).enumerate() {
        if out.chars().count() > 140 {
            out.push_str(" …");
            break;
        }
        out.push_str(if i == 0 { " " } else { "; " });
        out.push_str(&story.title);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_cut_at_a_word() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("one two three four", 12), "one two…");
        assert_eq!(shorten("one, two three", 8), "one…");
        assert_eq!(shorten("ééééé ééééé", 8), "ééééé…");
    }
}
