//! Where each generated file lives, as a path in the output directory and
//! as an absolute URL. One place, so pages, feeds and OPML always agree.

use crate::story::StoryId;

/// A group of stories with its own feeds and page: all stories, one
/// theme, or one programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel<'a> {
    All,
    Theme(&'a str),
    Programme(&'a str),
}

/// The three feed formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Rss, Format::Atom, Format::Json];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml",
            Format::Atom => "application/atom+xml",
            Format::Json => "application/feed+json",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Rss => "RSS",
            Format::Atom => "Atom",
            Format::Json => "JSON Feed",
        }
    }
}

impl Channel<'_> {
    /// `feeds/all.rss`, `feeds/themes/drugs.atom`, …
    pub fn feed_path(self, format: Format) -> String {
        let ext = format.extension();
        match self {
            Channel::All => format!("feeds/all.{ext}"),
            Channel::Theme(slug) => format!("feeds/themes/{slug}.{ext}"),
            Channel::Programme(slug) => format!("feeds/programmes/{slug}.{ext}"),
        }
    }

    /// The HTML page listing the channel's newest stories (the index for
    /// all stories).
    pub fn page_path(self) -> String {
        match self {
            Channel::All => "index.html".to_owned(),
            Channel::Theme(slug) => format!("themes/{slug}.html"),
            Channel::Programme(slug) => format!("programmes/{slug}.html"),
        }
    }

    /// `themes/drugs`: where the numbered pages of older stories are.
    /// Numbered from the oldest (`page-1.html`), so a page keeps its URL
    /// and its stories as newer stories arrive.
    pub fn pages_dir(self) -> String {
        match self {
            // Not built: the index shows the newest stories, the feeds the rest.
            Channel::All => "all".to_owned(),
            Channel::Theme(slug) => format!("themes/{slug}"),
            Channel::Programme(slug) => format!("programmes/{slug}"),
        }
    }

    /// `feeds/themes/drugs`: where the feed's archive documents are.
    pub fn archive_dir(self) -> String {
        match self {
            Channel::All => "feeds/all".to_owned(),
            Channel::Theme(slug) => format!("feeds/themes/{slug}"),
            Channel::Programme(slug) => format!("feeds/programmes/{slug}"),
        }
    }

    /// `feeds/themes/drugs/archive-3.atom`: archive document `number`
    /// (RFC 5005 §4), counted from the oldest so that its URL and its
    /// stories never change.
    pub fn archive_path(self, number: usize, format: Format) -> String {
        format!(
            "{}/archive-{number}.{}",
            self.archive_dir(),
            format.extension()
        )
    }

    /// `themes/drugs/page-3.html`.
    pub fn numbered_page_path(self, number: usize) -> String {
        format!("{}/page-{number}.html", self.pages_dir())
    }
}

/// Directories whose sub-directories hold feed archives
/// (`feeds/themes/<slug>/`); those of all stories are in `ARCHIVE_ALL_DIR`.
pub const ARCHIVE_PARENTS: &[&str] = &["feeds/themes", "feeds/programmes"];

/// The archives of the feed of all stories.
pub const ARCHIVE_ALL_DIR: &str = "feeds/all";

/// Whether `path` (relative to the output directory) is a subscription
/// document (`feeds/all.rss`, `feeds/themes/drugs.atom`), not an archive.
pub fn is_current_feed(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("feeds/") else {
        return false;
    };
    let Some((stem, ext)) = rest.rsplit_once('.') else {
        return false;
    };
    let depth_ok = match stem.split_once('/') {
        None => stem == "all",
        Some((dir, slug)) => matches!(dir, "themes" | "programmes") && !slug.contains('/'),
    };
    depth_ok && matches!(ext, "rss" | "atom" | "json")
}

/// Where the story pages are.
pub const STORIES_DIR: &str = "stories";

/// `stories/<id>.html`: a story's page and its permalink.
pub fn story_path(id: &StoryId) -> String {
    format!("stories/{id}.html")
}

pub const OPML_PATH: &str = "feeds.opml";

pub const STYLESHEET_PATH: &str = "style.css";
