//! JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>), with serde. JSON
//! Feed has no archived feeds: `next_url` (its pagination link) leads from
//! the current document to the newest archive and from each archive to
//! the one before it, so following it walks the same chain as RFC 5005's
//! `prev-archive`.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::value::RawValue;

use super::archive::FeedDoc;
use super::urls::{story_path, Format};
// Same text as the XML feeds: a reader switching formats sees the same title.
use super::{midnight_utc, xml_text, BuildError, Contents, Group, Site};

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
    /// The next older document, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_url: Option<String>,
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
    content_html: Box<RawValue>,
    summary: String,
    date_published: String,
    tags: Vec<String>,
}

pub fn render(
    site: &Site,
    group: &Group,
    doc: &FeedDoc,
    contents: &Contents,
    _fallback: NaiveDate,
) -> Result<Vec<u8>, BuildError> {
    let config = site.config;
    let path = doc.path(Format::Json);
    let items = doc
        .stories
        .iter()
        .enumerate()
        .map(|(i, story)| {
            let permalink = site.url(&story_path(&story.id));
            JsonItem {
                id: permalink.clone(),
                url: permalink,
                title: xml_text(&story.title),
                content_html: contents.json(i, story),
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
        feed_url: site.url(&path),
        description: &group.description,
        language: &config.language,
        authors: [Author {
            name: &config.author,
        }],
        // WebSub on the current document only: archives do not change.
        hubs: config
            .websub_hub
            .iter()
            .filter(|_| !doc.is_archive())
            .map(|url| Hub {
                kind: "WebSub",
                url,
            })
            .collect(),
        items,
        next_url: doc
            .prev
            .map(|k| site.url(&group.channel.archive_path(k, Format::Json))),
    };
    let mut out = serde_json::to_vec_pretty(&feed).map_err(|e| BuildError::Feed {
        what: path.clone(),
        message: e.to_string(),
    })?;
    out.push(b'\n');
    Ok(out)
}
