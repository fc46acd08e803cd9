//! Which stories go on which list page, and which stories a story page
//! shows as "More from" its first theme.
//!
//! A theme's or programme's newest stories are on its page
//! (`themes/drugs.html`); older ones on numbered pages counted from the
//! oldest (`themes/drugs/page-1.html` holds the oldest `page_size`). A new
//! story lands on the first page; a numbered page is made only when full
//! and then keeps its stories, so its bytes (and any cache or CDN copy of
//! it) stay valid as stories are added. Only the newest numbered page's
//! "newer" link changes, when the next numbered page is made.

use rustc_hash::FxHashMap;

use super::urls::Channel;
use super::Group;
use crate::story::{Story, StoryId};

/// One list page of a group.
#[derive(Debug)]
pub struct ListPage<'g> {
    pub path: String,
    /// `None` for the first page (the newest stories), else its number.
    pub number: Option<usize>,
    /// Its stories, newest first.
    pub stories: &'g [&'g Story],
    /// The page of the next newer stories, if any.
    pub newer: Option<String>,
    /// The page of the next older stories, if any.
    pub older: Option<String>,
}

/// A group's list pages, first page first, then numbered pages newest
/// first. Every story is on exactly one page; the first page holds 1 to
/// `page_size` stories (none when the group has none), numbered pages
/// exactly `page_size`.
pub fn list_pages<'g>(group: &'g Group<'g>, page_size: usize) -> Vec<ListPage<'g>> {
    let size = page_size.max(1);
    let n = group.stories.len();
    let numbered = n.saturating_sub(1) / size;
    let channel = group.channel;
    let path_of = |number: usize| match number {
        0 => channel.page_path(),
        k => channel.numbered_page_path(k),
    };
    // Page `k` (1-based from the oldest) holds stories `n - k*size ..`
    // of the newest-first list; the first page the rest.
    let mut pages = Vec::with_capacity(numbered + 1);
    pages.push(ListPage {
        path: path_of(0),
        number: None,
        stories: &group.stories[..n - numbered * size],
        newer: None,
        older: (numbered > 0).then(|| path_of(numbered)),
    });
    for k in (1..=numbered).rev() {
        pages.push(ListPage {
            path: path_of(k),
            number: Some(k),
            stories: &group.stories[n - k * size..n - (k - 1) * size],
            newer: Some(path_of(if k == numbered { 0 } else { k + 1 })),
            older: (k > 1).then(|| path_of(k - 1)),
        });
    }
    pages
}

/// How many stories "More from" shows.
pub const MORE: usize = 5;

/// The stories a story page shows as "More from" its first theme: the
/// `MORE` published just before it in that theme, completed with the ones
/// just after it when fewer are older. Neighbours, not the theme's newest:
/// a new story then changes no other story page (but those of a theme's
/// first few stories), where "the newest" would change every page of the
/// theme with each new story.
pub struct MoreFrom<'g> {
    /// The first theme's group and each of its stories' position in it.
    themes: FxHashMap<&'g str, (&'g Group<'g>, FxHashMap<&'g StoryId, usize>)>,
}

impl<'g> MoreFrom<'g> {
    pub fn new(groups: &'g [Group<'g>]) -> Self {
        let mut themes: FxHashMap<&str, (&Group, FxHashMap<&StoryId, usize>)> =
            FxHashMap::default();
        for group in groups {
            if let Channel::Theme(slug) = group.channel {
                themes.insert(slug, (group, FxHashMap::default()));
            }
        }
        for (slug, (group, positions)) in &mut themes {
            for (i, story) in group.stories.iter().enumerate() {
                if story.themes.first().map(String::as_str) == Some(*slug) {
                    positions.insert(&story.id, i);
                }
            }
        }
        MoreFrom { themes }
    }

    /// The group of `story`'s first theme and the stories to show from it,
    /// newest first (`None` if its first theme is not in the taxonomy).
    pub fn of(&self, story: &Story) -> Option<(&'g Group<'g>, Vec<&'g Story>)> {
        let (group, positions) = self.themes.get(story.themes.first()?.as_str())?;
        let &at = positions.get(&story.id)?;
        let list = &group.stories;
        let older = MORE.min(list.len() - at - 1);
        let newer = (MORE - older).min(at);
        let shown = list[at - newer..at]
            .iter()
            .chain(&list[at + 1..at + 1 + older]);
        Some((group, shown.copied().collect()))
    }
}
