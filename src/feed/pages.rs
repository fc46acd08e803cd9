//! HTML pages from askama templates in `templates/`: one per story, one
//! per theme and programme, and the index. Readable without JavaScript
//! and on a phone; askama escapes every value.

use askama::Template;

use super::urls::{story_path, Channel, Format};
use super::{display_dates, BuildError, Group, Site};
use crate::story::Story;

/// The one stylesheet every page links to (a file of its own, so that
/// 100,000 story pages do not each carry a copy).
pub const STYLESHEET: &str = include_str!("../../templates/style.css");

/// Site-wide values every page shows.
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    language: &'a str,
}

struct FeedLink {
    title: String,
    label: &'static str,
    media_type: &'static str,
    url: String,
}

struct Tag {
    name: String,
    url: String,
}

struct ListItem {
    title: String,
    url: String,
    dates: String,
}

struct Row {
    title: String,
    url: String,
    count: usize,
    newest: Option<String>,
    feeds: Vec<FeedLink>,
}

struct Section {
    title: &'static str,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "story.html")]
struct StoryPage<'a> {
    site: SiteView<'a>,
    feeds: Vec<FeedLink>,
    story: &'a Story,
    start_iso: String,
    dates: String,
    places: String,
    tags: Vec<Tag>,
}

struct GroupView {
    title: String,
    description: String,
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage<'a> {
    site: SiteView<'a>,
    feeds: Vec<FeedLink>,
    group: GroupView,
    items: Vec<ListItem>,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'a> {
    site: SiteView<'a>,
    feeds: Vec<FeedLink>,
    sections: Vec<Section>,
}

fn site_view<'a>(site: &Site<'a>) -> SiteView<'a> {
    SiteView {
        title: &site.config.title,
        description: &site.config.description,
        base_url: &site.config.base_url,
        language: &site.config.language,
    }
}

fn feed_links(site: &Site, group: &Group) -> Vec<FeedLink> {
    let title = group.title(site.config);
    Format::ALL
        .iter()
        .map(|&format| FeedLink {
            title: format!("{title} ({})", format.label()),
            label: format.label(),
            media_type: format.media_type(),
            url: site.url(&group.channel.feed_path(format)),
        })
        .collect()
}

fn render(what: &str, page: &impl Template) -> Result<String, BuildError> {
    let mut out = String::new();
    render_into(what, page, &mut out)?;
    Ok(out)
}

fn render_into(what: &str, page: &impl Template, out: &mut String) -> Result<(), BuildError> {
    out.clear();
    page.render_into(out).map_err(|source| BuildError::Render {
        what: what.to_owned(),
        source,
    })
}

/// Renders a story's page into `out` (reused from page to page: a build
/// renders 100,000 of them).
pub fn story_page(site: &Site, story: &Story, out: &mut String) -> Result<(), BuildError> {
    let all = Group {
        channel: Channel::All,
        name: site.config.title.clone(),
        description: String::new(),
        stories: Vec::new(),
    };
    let page = StoryPage {
        site: site_view(site),
        feeds: feed_links(site, &all),
        story,
        start_iso: story.start().to_string(),
        dates: display_dates(story),
        places: story.places.join("; "),
        tags: site
            .tags(story)
            .into_iter()
            .map(|tag| Tag {
                name: tag.name,
                url: tag.url,
            })
            .collect(),
    };
    render_into(&story_path(&story.id), &page, out)
}

pub fn group_page(site: &Site, group: &Group) -> Result<String, BuildError> {
    let page = GroupPage {
        site: site_view(site),
        feeds: feed_links(site, group),
        group: GroupView {
            title: group.title(site.config),
            description: group.description.clone(),
        },
        items: group
            .stories
            .iter()
            .map(|s| ListItem {
                title: s.title.clone(),
                url: site.url(&story_path(&s.id)),
                dates: display_dates(s),
            })
            .collect(),
    };
    render(&group.channel.page_path(), &page)
}

/// The index: every group with its story count, newest date and feeds.
/// `groups[0]` is all stories.
pub fn index_page(site: &Site, groups: &[Group]) -> Result<String, BuildError> {
    let all = &groups[0];
    let row = |g: &Group| Row {
        title: g.name.clone(),
        url: site.url(&g.channel.page_path()),
        count: g.stories.len(),
        newest: g.stories.first().map(|s| display_dates(s)),
        feeds: feed_links(site, g),
    };
    let mut all_row = row(all);
    all_row.title = "All stories".to_owned();
    let sections = vec![
        Section {
            title: "All stories",
            rows: vec![all_row],
        },
        Section {
            title: "Themes",
            rows: groups
                .iter()
                .filter(|g| matches!(g.channel, Channel::Theme(_)))
                .map(row)
                .collect(),
        },
        Section {
            title: "Programmes",
            rows: groups
                .iter()
                .filter(|g| matches!(g.channel, Channel::Programme(_)))
                .map(row)
                .collect(),
        },
    ];
    // Autodiscovery: the all-stories feeds, then every theme's and programme's RSS.
    let mut feeds = feed_links(site, all);
    for g in groups.iter().skip(1) {
        feeds.extend(feed_links(site, g).into_iter().take(1));
    }
    let page = IndexPage {
        site: site_view(site),
        feeds,
        sections,
    };
    render("index.html", &page)
}
