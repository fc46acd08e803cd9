//! HTML pages from askama templates in `templates/`: one per story, one
//! per theme and programme, and the index. Readable without JavaScript
//! and on a phone; askama escapes every value.

use askama::Template;

use super::paging::ListPage;
use super::urls::{story_path, Channel, Format};
use super::{BuildError, Group, Site};
use crate::story::Story;
use chrono::NaiveDate;

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

impl ListItem {
    fn of(site: &Site, story: &Story) -> ListItem {
        ListItem {
            title: story.title.clone(),
            url: site.url(&story_path(&story.id)),
            dates: display_dates(story),
        }
    }
}

/// A story on the index: what a reader needs to pick it.
struct Latest {
    item: ListItem,
    start_iso: String,
    places: String,
    summary: String,
    themes: Vec<Tag>,
}

/// "More from <theme>" on a story page.
struct More {
    name: String,
    url: String,
    items: Vec<ListItem>,
}

/// Links between a group's list pages.
struct Pager {
    newer: Option<String>,
    older: Option<String>,
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
    themes: Vec<Tag>,
    programmes: Vec<Tag>,
    more: Option<More>,
}

struct GroupView {
    title: String,
    description: String,
    /// Stories in the group: shown on its first page only (a numbered
    /// page would change with every new story).
    count: Option<usize>,
    /// `Page 3 of older stories`, or nothing on the first page.
    number: Option<usize>,
    url: String,
}

/// The short sign-up form of a page, when `subscribe_url` is set: it
/// posts to the app, with the page's theme or programme chosen.
struct SignupForm {
    action: String,
    /// `theme` or `programme` and its slug; none on the index (all stories).
    topic: Option<(&'static str, String)>,
    /// What the digest will hold, for the heading.
    what: String,
    /// The app's full form, the same topic checked.
    more_url: String,
    /// The page, for the consent record (`page:/themes/drugs/`).
    page: String,
}

fn signup_form(site: &Site, channel: &Channel, what: String) -> Option<SignupForm> {
    let action = site.config.subscribe_url.clone()?;
    let topic = match channel {
        Channel::All => None,
        Channel::Theme(slug) => Some(("theme", (*slug).to_owned())),
        Channel::Programme(slug) => Some(("programme", (*slug).to_owned())),
    };
    let more_url = match &topic {
        Some((key, slug)) => format!("{action}?{key}={slug}"),
        None => action.clone(),
    };
    Some(SignupForm {
        action,
        topic,
        what,
        more_url,
        page: format!("page:/{}", channel.page_path()),
    })
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage<'a> {
    site: SiteView<'a>,
    feeds: Vec<FeedLink>,
    group: GroupView,
    items: Vec<ListItem>,
    pager: Pager,
    signup: Option<SignupForm>,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'a> {
    site: SiteView<'a>,
    feeds: Vec<FeedLink>,
    latest: Vec<Latest>,
    sections: Vec<Section>,
    signup: Option<SignupForm>,
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
/// renders 100,000 of them). `more`: its first theme and the stories
/// shown from it ([`super::paging::MoreFrom`]).
pub fn story_page(
    site: &Site,
    story: &Story,
    more: Option<(&Group, Vec<&Story>)>,
    out: &mut String,
) -> Result<(), BuildError> {
    let all = Group {
        channel: Channel::All,
        name: site.config.title.clone(),
        description: String::new(),
        stories: Vec::new(),
    };
    let (themes, programmes) = tags(site, story);
    let page = StoryPage {
        site: site_view(site),
        feeds: feed_links(site, &all),
        story,
        start_iso: story.start().to_string(),
        dates: display_dates(story),
        places: story.places.join("; "),
        themes,
        programmes,
        more: more.map(|(group, stories)| More {
            name: group.name.clone(),
            url: site.url(&group.channel.page_path()),
            items: stories.iter().map(|s| ListItem::of(site, s)).collect(),
        }),
    };
    render_into(&story_path(&story.id), &page, out)
}

/// A story's themes and programmes, as links to their pages.
fn tags(site: &Site, story: &Story) -> (Vec<Tag>, Vec<Tag>) {
    let mut tags: Vec<Tag> = site
        .tags(story)
        .into_iter()
        .map(|tag| Tag {
            name: tag.name,
            url: tag.url,
        })
        .collect();
    // `Site::tags` lists the themes first.
    let programmes = tags.split_off(story.themes.len().min(tags.len()));
    (tags, programmes)
}

/// One list page of a theme or programme.
pub fn group_page(site: &Site, group: &Group, page: &ListPage) -> Result<String, BuildError> {
    let view = GroupPage {
        site: site_view(site),
        feeds: feed_links(site, group),
        group: GroupView {
            title: group.title(site.config),
            description: group.description.clone(),
            count: page.number.is_none().then_some(group.stories.len()),
            number: page.number,
            url: site.url(&group.channel.page_path()),
        },
        items: page.stories.iter().map(|s| ListItem::of(site, s)).collect(),
        pager: Pager {
            newer: page.newer.as_deref().map(|p| site.url(p)),
            older: page.older.as_deref().map(|p| site.url(p)),
        },
        signup: signup_form(
            site,
            &group.channel,
            match group.channel {
                Channel::All => "all new stories".to_owned(),
                _ => format!("new {} stories", group.name),
            },
        ),
    };
    render(&page.path, &view)
}

/// Stories on the index, newest first.
pub const LATEST: usize = 20;

/// Longest summary on the index, in characters: the story page has the rest.
const SUMMARY_CHARS: usize = 300;

/// The index: the newest stories, then every group with its story count,
/// newest date and feeds. `groups[0]` is all stories.
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
    let latest = all
        .stories
        .iter()
        .take(LATEST)
        .map(|s| Latest {
            item: ListItem::of(site, s),
            start_iso: s.start().to_string(),
            places: s.places.join("; "),
            summary: shorten(&s.summary, SUMMARY_CHARS),
            themes: tags(site, s).0,
        })
        .collect();
    let page = IndexPage {
        site: site_view(site),
        feeds,
        latest,
        sections,
        signup: signup_form(site, &Channel::All, "all new stories".to_owned()),
    };
    render("index.html", &page)
}

/// `text` cut at the last word boundary within `max` characters, with `…`
/// (index summaries, digests).
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let head = &text[..cut];
            let head = head.rfind(' ').map_or(head, |space| &head[..space]);
            format!("{}…", head.trim_end_matches([',', ';', ':', '.', ' ']))
        }
    }
}

/// `16–17 January 2020`, `30 December 2023 – 2 January 2024`, `3 March 2020`.
pub fn display_dates(story: &Story) -> String {
    use chrono::Datelike;
    let (s, e) = (story.start(), story.end());
    let month = |d: NaiveDate| crate::parse::dates::month_name(d.month());
    if s == e {
        format!("{} {} {}", s.day(), month(s), s.year())
    } else if (s.year(), s.month()) == (e.year(), e.month()) {
        format!("{}–{} {} {}", s.day(), e.day(), month(e), e.year())
    } else if s.year() == e.year() {
        format!(
            "{} {} – {} {} {}",
            s.day(),
            month(s),
            e.day(),
            month(e),
            e.year()
        )
    } else {
        format!(
            "{} {} {} – {} {} {}",
            s.day(),
            month(s),
            s.year(),
            e.day(),
            month(e),
            e.year()
        )
    }
}
