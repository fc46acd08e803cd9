//! Atom 1.0 (RFC 4287), written by `atom_syndication`: feed author, self
//! and alternate links, `content type="html"` and a summary per entry.

use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text, WriteConfig};
use chrono::NaiveDate;

use super::urls::{story_path, Format};
use super::{content_html, midnight_utc, xml_text, BuildError, Group, Site};

pub fn render(site: &Site, group: &Group, fallback: NaiveDate) -> Result<Vec<u8>, BuildError> {
    let config = site.config;
    let feed_url = site.url(&group.channel.feed_path(Format::Atom));
    let entries = group
        .stories
        .iter()
        .take(config.feed_item_limit)
        .map(|story| {
            let permalink = site.url(&story_path(&story.id));
            let date = midnight_utc(story.start());
            Entry {
                title: Text::plain(xml_text(&story.title)),
                id: permalink.clone(),
                updated: date,
                published: Some(date),
                links: vec![Link {
                    href: permalink,
                    rel: "alternate".to_owned(),
                    mime_type: Some("text/html".to_owned()),
                    ..Link::default()
                }],
                summary: Some(Text::plain(xml_text(&story.summary))),
                content: Some(Content {
                    value: Some(content_html(story)),
                    content_type: Some("html".to_owned()),
                    ..Content::default()
                }),
                categories: site
                    .tags(story)
                    .into_iter()
                    .map(|tag| Category {
                        term: tag.slug,
                        scheme: Some(tag.scheme),
                        label: Some(xml_text(&tag.name)),
                    })
                    .collect(),
                ..Entry::default()
            }
        })
        .collect();
    let mut links = vec![
        Link {
            href: feed_url.clone(),
            rel: "self".to_owned(),
            mime_type: Some(Format::Atom.media_type().to_owned()),
            ..Link::default()
        },
        Link {
            href: site.url(&group.channel.page_path()),
            rel: "alternate".to_owned(),
            mime_type: Some("text/html".to_owned()),
            ..Link::default()
        },
    ];
    // WebSub: subscribe at the hub, for the self URL above.
    links.extend(config.websub_hub.iter().map(|hub| Link {
        href: hub.clone(),
        rel: "hub".to_owned(),
        ..Link::default()
    }));
    let feed = Feed {
        title: Text::plain(xml_text(&group.title(config))),
        id: feed_url.clone(),
        updated: group.updated(fallback),
        authors: vec![Person {
            name: xml_text(&config.author),
            ..Person::default()
        }],
        links,
        subtitle: Some(Text::plain(xml_text(&group.description))),
        lang: Some(config.language.clone()),
        entries,
        ..Feed::default()
    };
    let pretty = WriteConfig {
        write_document_declaration: true,
        indent_size: Some(2),
    };
    let mut out = feed
        .write_with_config(Vec::new(), pretty)
        .map_err(|e| BuildError::Feed {
            what: group.channel.feed_path(Format::Atom),
            message: e.to_string(),
        })?;
    out.push(b'\n');
    Ok(out)
}
