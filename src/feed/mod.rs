//! The static site: feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) for all
//! stories, each theme and each programme, a page per story, a page per
//! theme and programme, an index and an OPML file.
//!
//! Rendering is pure (stories in, bytes out); `build_site` writes through
//! [`OutputDir`], which skips unchanged files and removes stale ones.
//! Nothing here reads the clock: a feed's date is its newest item's date,
//! so the same stories give byte-identical output.

mod archive;
mod atom;
mod json;
pub mod ledger;
mod opml;
mod pages;
mod paging;
mod rss;
mod text;
pub mod urls;

use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rustc_hash::FxHashMap;
use serde_json::value::RawValue;
use thiserror::Error;

use crate::cache::{self, BuildCache, Key};
use crate::classify::Taxonomy;
use crate::config::Config;
use crate::fs::{FsError, OutputDir, Stamp};
use crate::story::Story;
pub use pages::{display_dates, shorten};
use paging::MoreFrom;
pub use text::{content_html, html_escape, html_text, xml_text};
use urls::{Channel, Format};

#[derive(Debug, Error)]
pub enum BuildError {
    #[error(transparent)]
    Fs(#[from] FsError),
    #[error("cannot render {what}")]
    Render {
        what: String,
        #[source]
        source: askama::Error,
    },
    #[error("cannot write feed {what}: {message}")]
    Feed { what: String, message: String },
}

/// One feed's worth of stories: all, a theme, or a programme.
#[derive(Debug)]
pub struct Group<'a> {
    pub channel: Channel<'a>,
    /// `Drugs`, `AIRCOP`, or the site title for all stories.
    pub name: String,
    pub description: String,
    /// Every story of the group, newest first.
    pub stories: Vec<&'a Story>,
}

impl Group<'_> {
    /// Title of the group's feeds and page.
    pub fn title(&self, config: &Config) -> String {
        match self.channel {
            Channel::All => config.title.clone(),
            _ => format!("{}: {}", config.title, self.name),
        }
    }
}

/// What the site is made of: the settings, the taxonomy and the stories
/// (classified, with final ids, newest first).
pub struct Site<'a> {
    pub config: &'a Config,
    pub taxonomy: &'a Taxonomy,
    pub stories: &'a [Story],
}

impl<'a> Site<'a> {
    pub fn new(config: &'a Config, taxonomy: &'a Taxonomy, stories: &'a [Story]) -> Site<'a> {
        Site {
            config,
            taxonomy,
            stories,
        }
    }

    /// All stories, then each theme and each programme in taxonomy order.
    pub fn groups(&self) -> Vec<Group<'a>> {
        let mut groups = vec![Group {
            channel: Channel::All,
            name: self.config.title.clone(),
            description: self.config.description.clone(),
            stories: self.stories.iter().collect(),
        }];
        let mut themes: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for theme in &self.taxonomy.themes {
            themes.entry(&theme.slug).or_default().push(groups.len());
            groups.push(Group {
                channel: Channel::Theme(&theme.slug),
                name: theme.name.clone(),
                description: theme.description.clone(),
                stories: Vec::new(),
            });
        }
        let mut programmes: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for programme in &self.taxonomy.programmes {
            programmes
                .entry(&programme.slug)
                .or_default()
                .push(groups.len());
            groups.push(Group {
                channel: Channel::Programme(&programme.slug),
                name: programme.name.clone(),
                description: programme.description.clone(),
                stories: Vec::new(),
            });
        }
        // One pass over the stories, not one per theme and programme.
        for story in self.stories {
            let tagged = [(&story.themes, &themes), (&story.programmes, &programmes)];
            for (slugs, index) in tagged {
                for slug in slugs {
                    for &g in index.get(slug.as_str()).into_iter().flatten() {
                        let list = &mut groups[g].stories;
                        // A slug named twice still lists the story once.
                        if !list.last().is_some_and(|last| std::ptr::eq(*last, story)) {
                            list.push(story);
                        }
                    }
                }
            }
        }
        groups
    }

    /// The date of feeds with no items: the oldest story's, so that a new
    /// story, which is newer, does not redate (and rewrite, and re-ping)
    /// every empty feed.
    pub fn empty_feed_date(&self) -> NaiveDate {
        self.stories
            .iter()
            .map(Story::start)
            .min()
            .unwrap_or(NaiveDate::MIN)
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url)
    }

    /// Display name of a theme or programme slug.
    pub fn tag_name(&self, slug: &str) -> Option<&'a str> {
        self.taxonomy
            .themes
            .iter()
            .chain(&self.taxonomy.programmes)
            .find(|c| c.slug == slug)
            .map(|c| c.name.as_str())
    }

    /// The themes and programmes of a story, themes first.
    pub fn tags(&self, story: &Story) -> Vec<Tag> {
        let themes = story.themes.iter().map(|s| Channel::Theme(s.as_str()));
        let programmes = story
            .programmes
            .iter()
            .map(|s| Channel::Programme(s.as_str()));
        themes
            .chain(programmes)
            .map(|channel| {
                let (slug, scheme) = match channel {
                    Channel::Theme(slug) => (slug, "themes/"),
                    Channel::Programme(slug) => (slug, "programmes/"),
                    Channel::All => ("", ""),
                };
                Tag {
                    slug: slug.to_owned(),
                    name: self.tag_name(slug).unwrap_or(slug).to_owned(),
                    url: self.url(&channel.page_path()),
                    scheme: self.url(scheme),
                }
            })
            .collect()
    }
}

/// A theme or programme as a feed category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub slug: String,
    pub name: String,
    /// The theme's or programme's page.
    pub url: String,
    /// `…/themes/` or `…/programmes/`: the category scheme.
    pub scheme: String,
}

/// Figures of one build, for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BuildReport {
    pub stories: usize,
    pub feeds: usize,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Story pages counted unchanged on the build cache's word, unread.
    pub reused: usize,
    /// Stale files left in place because of [`BuildOptions::keep_stale`].
    pub kept_stale: usize,
    /// Paths (relative, `/`-separated, sorted) written with new bytes, and
    /// removed.
    pub written_paths: Vec<String>,
    pub removed_paths: Vec<String>,
}

/// How a build treats what earlier builds left.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BuildOptions {
    /// Leave stale files (of stories, themes or programmes this build did
    /// not produce) in place, only counting them. For input with errors: a
    /// story missing from it may just be unreadable for now, and a bad
    /// byte or date must not unpublish it.
    pub keep_stale: bool,
}

/// Directories whose generated files a build owns (and may remove).
const MANAGED: &[(&str, &[&str])] = &[
    ("feeds", &["rss", "atom", "json"]),
    ("feeds/themes", &["rss", "atom", "json"]),
    ("feeds/programmes", &["rss", "atom", "json"]),
    ("stories", &["html"]),
    ("themes", &["html"]),
    ("programmes", &["html"]),
];

/// Directories whose sub-directories hold numbered list pages.
const PAGED: &[&str] = &["themes", "programmes"];

/// One unit of build work, done by whichever worker thread takes it.
enum Task<'g> {
    Group(&'g Group<'g>),
    Opml,
    Stories(&'g [Story]),
}

/// Stories per task: small enough to share the work evenly, large enough
/// that taking a task costs nothing.
const STORIES_PER_TASK: usize = 512;

/// Renders and writes the whole site on one thread per core. `tick` is
/// called once per file. Output does not depend on the thread count.
pub fn build_site(
    site: &Site,
    out: &mut OutputDir,
    tick: &(dyn Fn() + Sync),
) -> Result<BuildReport, BuildError> {
    build_site_cached(
        site,
        out,
        &mut BuildCache::default(),
        BuildOptions::default(),
        tick,
    )
}

/// `build_site`, skipping feeds and pages that `cache` says are written
/// and unchanged; `cache.files` is left describing this build's files.
/// Stale files are removed unless `options.keep_stale`.
pub fn build_site_cached(
    site: &Site,
    out: &mut OutputDir,
    cache: &mut BuildCache,
    options: BuildOptions,
    tick: &(dyn Fn() + Sync),
) -> Result<BuildReport, BuildError> {
    use rayon::iter::{IntoParallelRefIterator, ParallelIterator};
    let salt = cache.code.map(|code| site_salt(site, code));
    let known = std::mem::take(&mut cache.files);
    // One listing, so that the pages of a first build are not each looked for.
    out.list(urls::STORIES_DIR)?;
    let groups = site.groups();
    let more_from = MoreFrom::new(&groups);
    let fallback = site.empty_feed_date();
    let mut tasks: Vec<Task> = groups.iter().map(Task::Group).collect();
    tasks.push(Task::Opml);
    tasks.extend(site.stories.chunks(STORIES_PER_TASK).map(Task::Stories));
    let template = out.worker();
    let do_task = |mine: &mut Worker, page: &mut String, task: &Task| -> Result<(), BuildError> {
        match task {
            Task::Group(group) => {
                mine.group(site, &groups, group, salt, fallback, tick)?;
            }
            Task::Opml => {
                let opml = opml::render(site, &groups);
                mine.out.write(urls::OPML_PATH, opml.as_bytes())?;
                mine.out
                    .write(urls::STYLESHEET_PATH, pages::STYLESHEET.as_bytes())?;
                tick();
            }
            Task::Stories(stories) => {
                for story in *stories {
                    let path = urls::story_path(&story.id);
                    let more = more_from.of(story);
                    // The page shows other stories too: their ids, titles, dates.
                    let key = salt.map(|salt| {
                        let shown = more.as_ref().map(|(group, list)| {
                            let list: Vec<_> =
                                list.iter().map(|s| (&s.id, &s.title, s.dates)).collect();
                            (group.channel, list)
                        });
                        cache::key_of(&(cache::page_key(salt, story), shown))
                    });
                    if !mine.reuse(&path, key) {
                        pages::story_page(site, story, more, page)?;
                        mine.write(&path, key, page.as_bytes())?;
                    }
                    tick();
                }
            }
        }
        Ok(())
    };
    // Each rayon job keeps a `Worker` over a run of consecutive tasks; the
    // jobs come back in task order. A failed task does not stop the others,
    // and the error reported is that of the first failed task, so neither
    // the files written nor the error depend on timing.
    let shares: Vec<(Worker, Option<BuildError>)> = tasks
        .par_iter()
        .fold(
            || {
                let mine = Worker {
                    out: template.worker(),
                    known: &known,
                    stamps: Vec::new(),
                    reused: 0,
                };
                (mine, String::new(), None)
            },
            |(mut mine, mut page, mut failed), task| {
                if let Err(e) = do_task(&mut mine, &mut page, task) {
                    failed.get_or_insert(e);
                }
                (mine, page, failed)
            },
        )
        .map(|(mine, _, failed)| (mine, failed))
        .collect();
    let mut reused = 0;
    for (mine, failed) in shares {
        if let Some(e) = failed {
            return Err(e);
        }
        cache.files.extend(mine.stamps);
        reused += mine.reused;
        out.absorb(mine.out);
    }
    let mut kept_stale = 0;
    // Numbered list pages: a directory per theme and programme, found on
    // disk so that those of a theme since removed go too.
    let mut managed: Vec<(String, &[&str])> = MANAGED
        .iter()
        .map(|&(dir, extensions)| (dir.to_owned(), extensions))
        .collect();
    for dir in PAGED {
        for sub in out.subdirs(dir)? {
            managed.push((sub, &["html"]));
        }
    }
    // Feed archives: likewise a directory per feed.
    let feed_extensions: &[&str] = &["rss", "atom", "json"];
    managed.push((urls::ARCHIVE_ALL_DIR.to_owned(), feed_extensions));
    for dir in urls::ARCHIVE_PARENTS {
        for sub in out.subdirs(dir)? {
            managed.push((sub, feed_extensions));
        }
    }
    for (dir, extensions) in &managed {
        let dir = dir.as_str();
        if options.keep_stale {
            kept_stale += out.stale(&[dir], extensions)?.len();
        } else {
            out.remove_stale(&[dir], extensions)?;
            let mut per_group = PAGED.iter().chain(urls::ARCHIVE_PARENTS);
            if dir == urls::ARCHIVE_ALL_DIR
                || per_group.any(|parent| dir.starts_with(&format!("{parent}/")))
            {
                // Gone only if now empty: a file put there by hand keeps it.
                let _ = std::fs::remove_dir(out.root().join(dir));
            }
        }
    }
    let mut written_paths = std::mem::take(&mut out.written_paths);
    let mut removed_paths = std::mem::take(&mut out.removed_paths);
    written_paths.sort_unstable();
    removed_paths.sort_unstable();
    Ok(BuildReport {
        written_paths,
        removed_paths,
        stories: site.stories.len(),
        feeds: groups.len() * Format::ALL.len(),
        written: out.written,
        unchanged: out.unchanged,
        removed: out.removed,
        reused,
        kept_stale,
    })
}

/// The feed content of one document's stories ([`content_html`]), each
/// rendered once for the three formats (a story is in a dozen documents
/// with the archives; rendering it per format was a fifth of a first build)
/// and dropped with the document, so memory stays that of one document.
pub(crate) struct Contents {
    cells: Vec<OnceLock<Content>>,
}

/// A story's feed content, as HTML and as a JSON string.
struct Content {
    html: String,
    json: Box<RawValue>,
}

impl Contents {
    pub(crate) fn new(stories: usize) -> Contents {
        Contents {
            cells: (0..stories).map(|_| OnceLock::new()).collect(),
        }
    }

    fn get(&self, i: usize, story: &Story) -> &Content {
        self.cells[i].get_or_init(|| {
            let html = content_html(story);
            // A string always serialises.
            let json = serde_json::to_string(&html)
                .ok()
                .and_then(|s| RawValue::from_string(s).ok())
                .unwrap_or_default();
            Content { html, json }
        })
    }

    /// The content of item `i` (`story`) as HTML.
    pub(crate) fn html(&self, i: usize, story: &Story) -> String {
        self.get(i, story).html.clone()
    }

    /// The content of item `i` as a JSON string, escaped once.
    pub(crate) fn json(&self, i: usize, story: &Story) -> Box<RawValue> {
        self.get(i, story).json.clone()
    }
}

/// The part of every file's cache key that is not its stories: the code,
/// the settings pages and feeds show, and the taxonomy (names and
/// descriptions are shown).
fn site_salt(site: &Site, code: Key) -> Key {
    // Every field named: a new setting must be placed here, in the key or
    // out of it, before this compiles.
    let Config {
        title,
        description,
        base_url,
        language,
        author,
        feed_item_limit,
        page_size,
        archives: _,
        taxonomy: _,
        ledger: _,
        // Corrections change the stories, which are in every key already.
        corrections: _,
        default_corrections: _,
        out_dir: _,
        // Every feed links to the hub.
        websub_hub,
        // Pages carry the sign-up form.
        subscribe_url,
        // Digests are not part of the site.
        digest: _,
    } = site.config;
    let settings = (
        title,
        description,
        base_url,
        language,
        author,
        feed_item_limit,
        websub_hub,
        page_size,
        subscribe_url,
    );
    let categories: Vec<_> = site
        .taxonomy
        .themes
        .iter()
        .chain(&site.taxonomy.programmes)
        .map(|c| (&c.slug, &c.name, &c.description))
        .collect();
    cache::key_of(&(code, settings, site.taxonomy.source_key(), categories))
}

/// One thread's share of a build.
struct Worker<'c> {
    out: OutputDir,
    /// The cache as loaded: file key to stamp.
    known: &'c FxHashMap<Key, Stamp>,
    /// Key and stamp of every file written or confirmed with a key.
    stamps: Vec<(Key, Stamp)>,
    /// Files confirmed by their stamp alone.
    reused: usize,
}

impl Worker<'_> {
    /// Whether the cache vouches that `path` holds the bytes `key` stands
    /// for (the file still has the stamp it had then); if so it counts as
    /// unchanged and need not be rendered.
    fn reuse(&mut self, path: &str, key: Option<Key>) -> bool {
        let Some((key, stamp)) = key.and_then(|key| Some((key, *self.known.get(&key)?))) else {
            return false;
        };
        if !self.out.confirm(path, &stamp) {
            return false;
        }
        self.reused += 1;
        self.stamps.push((key, stamp));
        true
    }

    /// Writes `path` if changed and remembers its stamp under `key`.
    fn write(&mut self, path: &str, key: Option<Key>, bytes: &[u8]) -> Result<(), BuildError> {
        let (_, stamp) = self.out.write_stamped(path, bytes)?;
        if let (Some(key), Some(stamp)) = (key, stamp) {
            self.stamps.push((key, stamp));
        }
        Ok(())
    }

    /// A group's three feeds and its page (the index for all stories).
    fn group(
        &mut self,
        site: &Site,
        groups: &[Group],
        group: &Group,
        salt: Option<Key>,
        fallback: NaiveDate,
        tick: &(dyn Fn() + Sync),
    ) -> Result<(), BuildError> {
        // A feed document shows its stories in full, its date (the
        // fallback only when empty) and its links to other documents.
        let docs = archive::documents(group.channel, &group.stories, site.config.feed_item_limit);
        for doc in &docs {
            let fallback = (doc.stories.is_empty()).then_some(fallback);
            // Hashing every story of a document is most of an unchanged
            // rebuild's work: once per document, not once per format.
            let content =
                salt.map(|salt| cache::key_of(&(salt, fallback, doc.stories, doc.prev, doc.next)));
            let contents = Contents::new(doc.stories.len());
            for format in Format::ALL {
                let path = doc.path(format);
                let key = content.map(|content| cache::key_of(&(content, &path)));
                if !self.reuse(&path, key) {
                    let fallback = fallback.unwrap_or(NaiveDate::MIN);
                    let bytes = match format {
                        Format::Rss => rss::render(site, group, doc, &contents, fallback)?,
                        Format::Atom => atom::render(site, group, doc, &contents, fallback)?,
                        Format::Json => json::render(site, group, doc, &contents, fallback)?,
                    };
                    self.write(&path, key, &bytes)?;
                }
            }
        }
        for _ in Format::ALL {
            tick();
        }
        let path = group.channel.page_path();
        if group.channel == Channel::All {
            // The index is small and sums up every group: always rendered.
            self.out
                .write(&path, pages::index_page(site, groups)?.as_bytes())?;
        } else {
            // A list page shows each of its story's title, link and dates,
            // its links to other pages, and (the first) the story count.
            for page in paging::list_pages(group, site.config.page_size) {
                let listed: Vec<_> = page
                    .stories
                    .iter()
                    .map(|s| (&s.id, &s.title, s.dates))
                    .collect();
                let count = page.number.is_none().then_some(group.stories.len());
                let key = salt.map(|salt| {
                    cache::key_of(&(salt, &page.path, listed, &page.newer, &page.older, count))
                });
                if !self.reuse(&page.path, key) {
                    let bytes = pages::group_page(site, group, &page)?;
                    self.write(&page.path, key, bytes.as_bytes())?;
                }
            }
        }
        tick();
        Ok(())
    }
}

/// How many files `build_site` writes, for a progress bar.
pub fn file_count(site: &Site) -> u64 {
    let groups = 1 + site.taxonomy.themes.len() + site.taxonomy.programmes.len();
    (groups * 4 + 1 + site.stories.len()) as u64
}

/// A story's date as a feed timestamp: midnight UTC of its start date.
pub fn midnight_utc(date: NaiveDate) -> DateTime<FixedOffset> {
    date.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .fixed_offset()
}
