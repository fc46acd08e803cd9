//! The ledger of published ids (`data/published.jsonl`, meant to be
//! committed): every id a build has put in a feed, with the story's date
//! and a fingerprint of its text. JSON Lines, one story a line sorted by
//! id, so diffs stay readable and 100,000 entries load in milliseconds
//! (a TOML parser took seconds and hundreds of megabytes for the same).
//!
//! Feed readers key items on their id, so an id must never change. A
//! story's id comes from its date and title; when a title is corrected in
//! the archive, the new id would look like a new story to every
//! subscriber. The ledger matches such a story to its published entry by
//! date and text and gives it back its old id.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::fs::{self, FsError, Written};
use crate::location::Location;
use crate::story::{Story, StoryId};

#[derive(Debug, Error)]
pub enum LedgerError {
    #[error(transparent)]
    Fs(#[from] FsError),
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },
}

/// One line of the ledger file, borrowing from the file's text where it
/// can: a ledger of 100,000 lines is read on every build.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    start: NaiveDate,
    #[serde(borrow)]
    title: Cow<'a, str>,
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// One published story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub start: NaiveDate,
    pub title: String,
    /// FNV-1a of the story's paragraphs, in hex: equal text, equal print.
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Keyed by id; a `BTreeMap`, so the file is written in a stable order.
    pub published: BTreeMap<String, Entry>,
}

/// What applying the ledger changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LedgerReport {
    /// (id the story would have had, published id it keeps).
    pub kept: Vec<(String, String)>,
    /// Published ids that no story has any more: their items disappear.
    pub vanished: Vec<String>,
    /// Ids published for the first time.
    pub added: usize,
    /// Whether the ledger differs from the file it was loaded from.
    pub changed: bool,
}

impl Ledger {
    pub fn parse(name: &str, text: &str) -> Result<Ledger, LedgerError> {
        let mut lines = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Line {
                id,
                start,
                title,
                text,
            } = serde_json::from_str(line).map_err(|e| LedgerError::Syntax {
                location: Location::new(name, i + 1, e.column()),
                message: e.to_string(),
            })?;
            let entry = Entry {
                start,
                title: title.into_owned(),
                text: text.into_owned(),
            };
            lines.push((id.into_owned(), entry));
        }
        // Built at once from lines that are (as saved) sorted: faster than
        // one insert at a time. A repeated id keeps its last line.
        Ok(Ledger {
            published: lines.into_iter().collect(),
        })
    }

    /// The ledger at `path`; an empty one if the file does not exist yet.
    pub fn load(path: &Path) -> Result<Ledger, LedgerError> {
        if !path.exists() {
            return Ok(Ledger::default());
        }
        let bytes = fs::read(path)?;
        let text = String::from_utf8_lossy(&bytes);
        Ledger::parse(&path.display().to_string(), &text)
    }

    /// Writes the ledger if it changed.
    pub fn save(&self, path: &Path) -> Result<Written, LedgerError> {
        let mut out = Vec::with_capacity(self.published.len() * 160);
        for (id, entry) in &self.published {
            let line = Line {
                id: Cow::Borrowed(id),
                start: entry.start,
                title: Cow::Borrowed(&entry.title),
                text: Cow::Borrowed(&entry.text),
            };
            // Serialising plain strings and dates cannot fail.
            if serde_json::to_writer(&mut out, &line).is_ok() {
                out.push(b'\n');
            }
        }
        Ok(fs::write_if_changed(path, &out)?)
    }

    /// Gives stories whose id is new but whose date and text match a
    /// published entry (a corrected title) their published id back, then
    /// records every story's id.
    pub fn apply(&mut self, stories: &mut [Story]) -> LedgerReport {
        let mut report = LedgerReport::default();
        let prints = prints(stories);
        let renamed: Vec<(usize, String)> = {
            let current: FxHashSet<&str> = stories.iter().map(|s| s.id.as_str()).collect();
            // Published ids no current story claims, by (date, text print).
            let mut orphans: FxHashMap<(NaiveDate, [u8; 16]), Vec<&str>> = FxHashMap::default();
            for (id, entry) in &self.published {
                // A print that is not 16 digits matches no story.
                let Ok(print) = entry.text.as_bytes().try_into() else {
                    continue;
                };
                if !current.contains(id.as_str()) {
                    orphans.entry((entry.start, print)).or_default().push(id);
                }
            }
            let mut renamed = Vec::new();
            if !orphans.is_empty() {
                for (i, story) in stories.iter().enumerate() {
                    if self.published.contains_key(story.id.as_str()) {
                        continue;
                    }
                    if let Some(ids) = orphans.get_mut(&(story.start(), hex(prints[i]))) {
                        if let Some(old) = ids.pop() {
                            renamed.push((i, old.to_owned()));
                        }
                    }
                }
            }
            renamed
        };
        for (i, old) in renamed {
            report.kept.push((stories[i].id.to_string(), old.clone()));
            stories[i].id = StoryId::from_published(old);
        }
        let now: FxHashSet<&str> = stories.iter().map(|s| s.id.as_str()).collect();
        report.vanished = self
            .published
            .keys()
            .filter(|id| !now.contains(id.as_str()))
            .cloned()
            .collect();
        for (story, print) in stories.iter().zip(prints) {
            let digits = hex(print);
            let same = |e: &Entry| {
                e.start == story.start() && e.title == story.title && e.text.as_bytes() == digits
            };
            let entry = || Entry {
                start: story.start(),
                title: story.title.clone(),
                // Hex digits are ASCII.
                text: String::from_utf8_lossy(&digits).into_owned(),
            };
            match self.published.get_mut(story.id.as_str()) {
                Some(old) if same(old) => continue,
                Some(old) => *old = entry(),
                None => {
                    let entry = entry();
                    self.published.insert(story.id.to_string(), entry);
                    report.added += 1;
                }
            }
            report.changed = true;
        }
        report
    }
}

/// The print of every story, in order, on rayon's threads: together they
/// read all the text of the corpus.
fn prints(stories: &[Story]) -> Vec<u64> {
    stories.par_iter().map(print).collect()
}

/// A print as its 16 lower-case hex digits, without allocating.
fn hex(print: u64) -> [u8; 16] {
    let mut digits = [0u8; 16];
    // 8 bytes always fit 16 digits: the error case cannot happen.
    let _ = hex::encode_to_slice(print.to_be_bytes(), &mut digits);
    digits
}

/// A 64-bit print of the paragraphs as 16 hex digits: stable across runs,
/// platforms and versions (unlike `std`'s hasher), and eight bytes a step,
/// since it reads every byte of every story on every build.
pub fn fingerprint(story: &Story) -> String {
    format!("{:016x}", print(story))
}

fn print(story: &Story) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |word: u64| h = (h.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    for p in &story.paragraphs {
        let mut chunks = p.as_bytes().chunks_exact(8);
        for chunk in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            mix(u64::from_le_bytes(w));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        mix(u64::from_le_bytes(tail) ^ ((p.len() as u64) << 8) ^ 0x0a);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_the_printed_fingerprint() {
        for print in [0, 1, 0xabc, u64::MAX, 0x0123_4567_89ab_cdef] {
            assert_eq!(hex(print).as_slice(), format!("{print:016x}").as_bytes());
        }
    }

    #[test]
    fn lines_round_trip_and_bad_lines_name_their_place() {
        let text = concat!(
            r#"{"id":"a","start":"2020-01-01","title":"Tom \"&\" Jerry","text":"00000000000000ff"}"#,
            "\n\n",
            r#"{"id":"b","start":"2021-02-03","title":"B","text":"0123456789abcdef"}"#,
            "\n",
        );
        let ledger = Ledger::parse("published.jsonl", text).unwrap();
        assert_eq!(ledger.published["a"].title, "Tom \"&\" Jerry");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("published.jsonl");
        ledger.save(&path).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text.replace("\n\n", "\n")
        );
        let bad = r#"{"id":"a","start":"2020-01-01","title":"T","text":"00","x":1}"#;
        let err = Ledger::parse("f", &format!("\n{bad}\n")).unwrap_err();
        assert!(err.to_string().starts_with("f:2:"), "{err}");
        assert!(err.to_string().contains("unknown field `x`"), "{err}");
        let missing = r#"{"id":"a","start":"2020-01-01","title":"T"}"#;
        assert!(Ledger::parse("f", missing).is_err());
    }
}
