//! Which stories go in which feed document (RFC 5005 §4, archived feeds).
//!
//! Archive documents are fixed-size pages of `feed_item_limit` stories
//! counted from the oldest story of the feed: archive 1 holds the oldest
//! N, archive 2 the next N, and so on. Only full pages are archives, and
//! only as many as leave the current (subscription) document at least N
//! stories: it holds the newest N to 2N-1, every story newer than the
//! newest archive. So every story is in exactly one document; a new story
//! goes to the current document and, once 2N are there, the oldest N of
//! them become the next archive. An archive's stories, and so its URL and
//! bytes, never change after that, except its `next-archive` link, added
//! once when the next archive is made (clients walk `prev-archive` from
//! the current document and need no more).

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::midnight_utc;
use super::urls::{Channel, Format};
use crate::story::Story;

/// The namespace of `fh:archive` and `fh:complete` (RFC 5005).
pub const FH_NAMESPACE: &str = "http://purl.org/syndication/history/1.0";

/// One feed document of a group: the current document or an archive.
#[derive(Debug)]
pub struct FeedDoc<'g> {
    pub channel: Channel<'g>,
    /// `None` for the current document, else the archive's number.
    pub number: Option<usize>,
    /// Its stories, newest first.
    pub stories: &'g [&'g Story],
    /// The next older archive, if any.
    pub prev: Option<usize>,
    /// The next newer archive, if any (archives only).
    pub next: Option<usize>,
}

impl FeedDoc<'_> {
    pub fn path(&self, format: Format) -> String {
        match self.number {
            None => self.channel.feed_path(format),
            Some(k) => self.channel.archive_path(k, format),
        }
    }

    pub fn is_archive(&self) -> bool {
        self.number.is_some()
    }

    /// The document's date: its newest story's. An archive's never
    /// depends on newer stories, so its bytes stay; an empty current
    /// document takes `fallback` (the site's newest story).
    pub fn updated(&self, fallback: NaiveDate) -> DateTime<FixedOffset> {
        midnight_utc(self.stories.first().map_or(fallback, |s| s.start()))
    }

    /// The RFC 5005 links (relation, path) of the document in `format`:
    /// `prev-archive`, `next-archive`, and `current` in an archive.
    pub fn history_links(&self, format: Format) -> Vec<(&'static str, String)> {
        let archive = |k: usize| self.channel.archive_path(k, format);
        let mut links = Vec::new();
        links.extend(self.prev.map(|k| ("prev-archive", archive(k))));
        links.extend(self.next.map(|k| ("next-archive", archive(k))));
        if self.is_archive() {
            links.push(("current", self.channel.feed_path(format)));
        }
        links
    }

    /// `fh:archive` in an archive, `fh:complete` in a current document
    /// that holds the whole feed, else nothing.
    pub fn history_element(&self) -> Option<&'static str> {
        if self.is_archive() {
            Some("fh:archive")
        } else if self.is_complete() {
            Some("fh:complete")
        } else {
            None
        }
    }

    /// A current document with no archives holds the whole feed
    /// (RFC 5005 §2, `fh:complete`).
    pub fn is_complete(&self) -> bool {
        self.number.is_none() && self.prev.is_none()
    }
}

/// `<fh:archive/>` for the `<fh:archive>` + newline + `</fh:archive>` the
/// pretty-printing writers give an element without content: RFC 5005's
/// elements are empty.
pub fn empty_history_elements(mut xml: Vec<u8>) -> Vec<u8> {
    use memchr::memmem::find;
    for name in ["fh:archive", "fh:complete"] {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        // Only the channel's head holds them: the search stops at the first
        // item (an archive document is mostly stories).
        let head = find(&xml, b"<item>").unwrap_or(xml.len());
        let Some(start) = find(&xml[..head], open.as_bytes()) else {
            continue;
        };
        let after = start + open.len();
        if let Some(len) = find(&xml[after..], close.as_bytes()) {
            if xml[after..after + len].iter().all(u8::is_ascii_whitespace) {
                xml.splice(
                    start..after + len + close.len(),
                    format!("<{name}/>").into_bytes(),
                );
            }
        }
    }
    xml
}

/// The documents of a feed of `stories` (newest first) with `limit`
/// stories an archive: the current document first, then the archives,
/// newest first. Every story is in exactly one of them.
pub fn documents<'g>(
    channel: Channel<'g>,
    stories: &'g [&'g Story],
    limit: usize,
) -> Vec<FeedDoc<'g>> {
    let size = limit.max(1);
    let n = stories.len();
    let archives = (n / size).saturating_sub(1);
    let mut docs = Vec::with_capacity(archives + 1);
    docs.push(FeedDoc {
        channel,
        number: None,
        stories: &stories[..n - archives * size],
        prev: (archives > 0).then_some(archives),
        next: None,
    });
    // Archive `k` holds stories `n - k*size .. n - (k-1)*size` of the
    // newest-first list.
    for k in (1..=archives).rev() {
        docs.push(FeedDoc {
            channel,
            number: Some(k),
            stories: &stories[n - k * size..n - (k - 1) * size],
            prev: (k > 1).then(|| k - 1),
            next: (k < archives).then_some(k + 1),
        });
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::story::{DateRange, StoryId};
    use chrono::NaiveDate;

    fn stories(n: usize) -> Vec<Story> {
        (0..n)
            .map(|i| {
                let day =
                    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(i as u64);
                let title = format!("Story {i}");
                Story {
                    id: StoryId::new(day, &title),
                    title,
                    dates: DateRange::day(day),
                    year_inferred: false,
                    places: Vec::new(),
                    paragraphs: Vec::new(),
                    summary: String::new(),
                    links: Vec::new(),
                    sources: Vec::new(),
                    themes: Vec::new(),
                    programmes: Vec::new(),
                }
            })
            .rev()
            .collect()
    }

    #[test]
    fn every_story_in_one_document_and_the_current_one_holds_n_to_2n_minus_1() {
        for n in 0..40 {
            let owned = stories(n);
            let refs: Vec<&Story> = owned.iter().collect();
            let docs = documents(Channel::All, &refs, 5);
            let all: Vec<&Story> = docs
                .iter()
                .flat_map(|d| d.stories.iter().copied())
                .collect();
            assert_eq!(all.len(), n);
            assert!(all.iter().zip(&refs).all(|(a, b)| std::ptr::eq(*a, *b)));
            let current = docs[0].stories.len();
            assert!(current <= 9 && (n < 5 || current >= 5), "{n}: {current}");
            for doc in &docs[1..] {
                assert_eq!(doc.stories.len(), 5);
            }
        }
    }

    #[test]
    fn a_new_story_leaves_every_archive_s_stories_alone() {
        let owned = stories(40);
        let refs: Vec<&Story> = owned.iter().collect();
        for n in 0..39 {
            let before = documents(Channel::All, &refs[40 - n..], 4);
            let after = documents(Channel::All, &refs[40 - n - 1..], 4);
            for old in before.iter().filter(|d| d.is_archive()) {
                let new = after.iter().find(|d| d.number == old.number).unwrap();
                assert_eq!(new.stories.len(), old.stories.len());
                assert!(new
                    .stories
                    .iter()
                    .zip(old.stories)
                    .all(|(a, b)| std::ptr::eq(*a, *b)));
                assert_eq!(new.prev, old.prev);
            }
        }
    }
}
