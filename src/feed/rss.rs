//! RSS 2.0 with `atom:link rel="self"` and `content:encoded`, written by
//! the `rss` crate (which escapes for XML). Titles and categories are
//! plain text (RSS Best Practices Profile) and are handed to it raw;
//! descriptions are HTML, so their text is HTML-escaped first. RFC 5005
//! archive links are `atom:link` elements, `fh:archive`/`fh:complete` a
//! channel extension (RFC 5005 Appendix B).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rss::extension::atom::{AtomExtension, Link};
use rss::extension::{Extension, ExtensionMap};
use rss::{Category, Channel as RssChannel, Guid, Item};

use super::archive::{empty_history_elements, FeedDoc, FH_NAMESPACE};
use super::urls::Format;
use super::{html_text, midnight_utc, xml_text, BuildError, Contents, Group, Site};

pub fn render(
    site: &Site,
    group: &Group,
    doc: &FeedDoc,
    contents: &Contents,
    fallback: NaiveDate,
) -> Result<Vec<u8>, BuildError> {
    let config = site.config;
    let path = doc.path(Format::Rss);
    let self_url = site.url(&path);
    let updated = doc.updated(fallback).to_rfc2822();
    // WebSub on the current document only: archives do not change.
    let hubs = config.websub_hub.iter().filter(|_| !doc.is_archive());
    let mut extensions = ExtensionMap::default();
    let mut namespaces = BTreeMap::new();
    if let Some(name) = doc.history_element() {
        namespaces.insert("fh".to_owned(), FH_NAMESPACE.to_owned());
        let element = Extension {
            name: name.to_owned(),
            ..Extension::default()
        };
        let local = name.trim_start_matches("fh:").to_owned();
        extensions.insert("fh".to_owned(), BTreeMap::from([(local, vec![element])]));
    }
    let items = doc
        .stories
        .iter()
        .enumerate()
        .map(|(i, story)| {
            let permalink = site.url(&super::urls::story_path(&story.id));
            Item {
                title: Some(xml_text(&story.title)),
                link: Some(permalink.clone()),
                // Written as CDATA and rendered as HTML by readers: escaped
                // here, or markup in a story would be live.
                description: Some(html_text(&story.summary)),
                content: Some(contents.html(i, story)),
                guid: Some(Guid {
                    value: permalink,
                    permalink: true,
                }),
                pub_date: Some(midnight_utc(story.start()).to_rfc2822()),
                categories: site
                    .tags(story)
                    .into_iter()
                    .map(|tag| Category {
                        name: xml_text(&tag.name),
                        domain: Some(tag.scheme),
                    })
                    .collect(),
                ..Item::default()
            }
        })
        .collect();
    let channel = RssChannel {
        title: xml_text(&group.title(config)),
        link: site.url(&group.channel.page_path()),
        // Readers render a channel's description as HTML, like an item's.
        description: html_text(&group.description),
        language: Some(config.language.clone()),
        last_build_date: Some(updated.clone()),
        pub_date: Some(updated),
        generator: Some("storyfeed".to_owned()),
        atom_ext: Some(AtomExtension {
            links: std::iter::once(Link {
                href: self_url,
                rel: "self".to_owned(),
                mime_type: Some(Format::Rss.media_type().to_owned()),
                ..Link::default()
            })
            // WebSub: subscribe at the hub, for the self URL above.
            .chain(hubs.map(|hub| Link {
                href: hub.clone(),
                rel: "hub".to_owned(),
                ..Link::default()
            }))
            .chain(
                doc.history_links(Format::Rss)
                    .into_iter()
                    .map(|(rel, path)| Link {
                        href: site.url(&path),
                        rel: rel.to_owned(),
                        mime_type: Some(Format::Rss.media_type().to_owned()),
                        ..Link::default()
                    }),
            )
            .collect(),
        }),
        items,
        extensions,
        namespaces,
        ..RssChannel::default()
    };
    let mut out = channel
        .pretty_write_to(Vec::new(), b' ', 2)
        .map_err(|e| BuildError::Feed {
            what: path.clone(),
            message: e.to_string(),
        })?;
    out.push(b'\n');
    Ok(empty_history_elements(out))
}
