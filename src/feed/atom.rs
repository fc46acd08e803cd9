//! Atom 1.0 (RFC 4287), written by `atom_syndication`: feed author, self
//! and alternate links, `content type="html"` and a summary per entry;
//! RFC 5005 archive links and `fh:archive`/`fh:complete`.

use std::collections::BTreeMap;

use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text, WriteConfig};
use chrono::NaiveDate;

use super::archive::{FeedDoc, FH_NAMESPACE};
use super::urls::{story_path, Format};
use super::{midnight_utc, xml_text, BuildError, Contents, Group, Site};

pub fn render(
    site: &Site,
    group: &Group,
    doc: &FeedDoc,
    contents: &Contents,
    fallback: NaiveDate,
) -> Result<Vec<u8>, BuildError> {
    let config = site.config;
    let path = doc.path(Format::Atom);
    let self_url = site.url(&path);
    let entries = doc
        .stories
        .iter()
        .enumerate()
        .map(|(i, story)| {
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
                    value: Some(contents.html(i, story)),
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
            href: self_url,
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
    // WebSub: subscribe at the hub, for the self URL above (the current
    // document; archives do not change, so there is nothing to push).
    if !doc.is_archive() {
        links.extend(config.websub_hub.iter().map(|hub| Link {
            href: hub.clone(),
            rel: "hub".to_owned(),
            ..Link::default()
        }));
    }
    links.extend(
        doc.history_links(Format::Atom)
            .into_iter()
            .map(|(rel, path)| Link {
                href: site.url(&path),
                rel: rel.to_owned(),
                mime_type: Some(Format::Atom.media_type().to_owned()),
                ..Link::default()
            }),
    );
    let mut namespaces = BTreeMap::new();
    if doc.history_element().is_some() {
        namespaces.insert("fh".to_owned(), FH_NAMESPACE.to_owned());
    }
    let feed = Feed {
        title: Text::plain(xml_text(&group.title(config))),
        // One feed in several documents: the archives share the
        // subscription document's id (their self links tell them apart).
        id: site.url(&group.channel.feed_path(Format::Atom)),
        updated: doc.updated(fallback),
        authors: vec![Person {
            name: xml_text(&config.author),
            ..Person::default()
        }],
        links,
        subtitle: Some(Text::plain(xml_text(&group.description))),
        lang: Some(config.language.clone()),
        entries,
        namespaces,
        ..Feed::default()
    };
    let pretty = WriteConfig {
        write_document_declaration: true,
        indent_size: Some(2),
    };
    let mut out = feed
        .write_with_config(Vec::new(), pretty)
        .map_err(|e| BuildError::Feed {
            what: path.clone(),
            message: e.to_string(),
        })?;
    out.push(b'\n');
    // RFC 4287 puts extension elements before the entries, where the
    // writer does not: written here, as the feed's first child.
    if let Some(name) = doc.history_element() {
        // Spliced into the bytes: the document is large (an archive holds
        // whole stories), and only this line is new.
        if let Some(at) = memchr::memmem::find(&out, b"\n  <title") {
            let element = format!("\n  <{name}/>");
            out.splice(at..at, element.into_bytes());
        }
    }
    Ok(out)
}
