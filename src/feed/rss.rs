//! RSS 2.0 with `atom:link rel="self"` and `content:encoded`, written by
//! the `rss` crate (which escapes for XML). Titles and categories are
//! plain text (RSS Best Practices Profile) and are handed to it raw;
//! descriptions are HTML, so their text is HTML-escaped first.

use chrono::NaiveDate;
use rss::extension::atom::{AtomExtension, Link};
use rss::{Category, Channel as RssChannel, Guid, Item};

use super::urls::Format;
use super::{content_html, html_text, midnight_utc, xml_text, BuildError, Group, Site};

pub fn render(site: &Site, group: &Group, fallback: NaiveDate) -> Result<Vec<u8>, BuildError> {
    let config = site.config;
    let feed_url = site.url(&group.channel.feed_path(Format::Rss));
    let updated = group.updated(fallback).to_rfc2822();
    let items = group
        .stories
        .iter()
        .take(config.feed_item_limit)
        .map(|story| {
            let permalink = site.url(&super::urls::story_path(&story.id));
            Item {
                title: Some(xml_text(&story.title)),
                link: Some(permalink.clone()),
                // Written as CDATA and rendered as HTML by readers: escaped
                // here, or markup in a story would be live.
                description: Some(html_text(&story.summary)),
                content: Some(content_html(story)),
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
                href: feed_url,
                rel: "self".to_owned(),
                mime_type: Some(Format::Rss.media_type().to_owned()),
                ..Link::default()
            })
            // WebSub: subscribe at the hub, for the self URL above.
            .chain(config.websub_hub.iter().map(|hub| Link {
                href: hub.clone(),
                rel: "hub".to_owned(),
                ..Link::default()
            }))
            .collect(),
        }),
        items,
        ..RssChannel::default()
    };
    let mut out = channel
        .pretty_write_to(Vec::new(), b' ', 2)
        .map_err(|e| BuildError::Feed {
            what: group.channel.feed_path(Format::Rss),
            message: e.to_string(),
        })?;
    out.push(b'\n');
    Ok(out)
}
