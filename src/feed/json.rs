//! JSON Feed 1.1 (https://jsonfeed.org/version/1.1), with serde.

use chrono::NaiveDate;
use serde::Serialize;

use super::urls::{story_path, Format};
// Same text as the XML feeds: a reader switching formats sees the same title.
use super::{content_html, midnight_utc, xml_text, BuildError, Group, Site};

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    description: &'a str,
    language: &'a str,
    authors: [Author<'a>; 1],
    /// WebSub hubs (JSON Feed 1.1 `hubs`), left out without one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub<'a>>,
    items: Vec<JsonItem>,
}

#[derive(Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct JsonItem {
    id: String,
    url: String,
    title: String,
    content_html: String,
    summary: String,
    date_published: String,
    tags: Vec<String>,
}

pub fn render(site: &Site, group: &Group, _fallback: NaiveDate) -> Result<Vec<u8>, BuildError> {
    let config = site.config;
    let items = group
        .stories
        .iter()
        .take(config.feed_item_limit)
        .map(|story| {
            let permalink = site.url(&story_path(&story.id));
            JsonItem {
                id: permalink.clone(),
                url: permalink,
                title: xml_text(&story.title),
                content_html: content_html(story),
                summary: xml_text(&story.summary),
                date_published: midnight_utc(story.start()).to_rfc3339(),
                tags: site.tags(story).into_iter().map(|tag| tag.name).collect(),
            }
        })
        .collect();
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: group.title(config),
        home_page_url: site.url(&group.channel.page_path()),
        feed_url: site.url(&group.channel.feed_path(Format::Json)),
        description: &group.description,
        language: &config.language,
        authors: [Author {
            name: &config.author,
        }],
        hubs: config
            .websub_hub
            .iter()
            .map(|url| Hub {
                kind: "WebSub",
                url,
            })
            .collect(),
        items,
    };
    let mut out = serde_json::to_vec_pretty(&feed).map_err(|e| BuildError::Feed {
        what: group.channel.feed_path(Format::Json),
        message: e.to_string(),
    })?;
    out.push(b'\n');
    Ok(out)
}
