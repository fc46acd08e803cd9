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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::fs::{self, FsError, Written};
use crate::story::{Story, StoryId};

#[derive(Debug, Error)]
pub enum LedgerError {
    #[error(transparent)]
    Fs(#[from] FsError),
    #[error("{name}:{line}:{column}: {message}")]
    Syntax {
        name: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// One line of the ledger file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    id: String,
    #[serde(flatten)]
    entry: Entry,
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
        let mut published = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Line { id, entry } =
                serde_json::from_str(line).map_err(|e| LedgerError::Syntax {
                    name: name.to_owned(),
                    line: i + 1,
                    column: e.column(),
                    message: e.to_string(),
                })?;
            published.insert(id, entry);
        }
        Ok(Ledger { published })
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
            #[derive(Serialize)]
            struct LineRef<'a> {
                id: &'a str,
                #[serde(flatten)]
                entry: &'a Entry,
            }
            // Serialising plain strings and dates cannot fail.
            if serde_json::to_writer(&mut out, &LineRef { id, entry }).is_ok() {
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
        let current: HashSet<String> = stories.iter().map(|s| s.id.to_string()).collect();
        // Published ids no current story claims, by (date, text print).
        let mut orphans: HashMap<(NaiveDate, String), Vec<&str>> = HashMap::new();
        for (id, entry) in &self.published {
            if !current.contains(id) {
                orphans
                    .entry((entry.start, entry.text.clone()))
                    .or_default()
                    .push(id);
            }
        }
        let mut renamed: Vec<(usize, String)> = Vec::new();
        for (i, story) in stories.iter().enumerate() {
            if self.published.contains_key(story.id.as_str()) {
                continue;
            }
            if let Some(ids) = orphans.get_mut(&(story.start(), fingerprint(story))) {
                if let Some(old) = ids.pop() {
                    renamed.push((i, old.to_owned()));
                }
            }
        }
        for (i, old) in renamed {
            report.kept.push((stories[i].id.to_string(), old.clone()));
            stories[i].id = StoryId::from_published(old);
        }
        let now: HashSet<&str> = stories.iter().map(|s| s.id.as_str()).collect();
        report.vanished = self
            .published
            .keys()
            .filter(|id| !now.contains(id.as_str()))
            .cloned()
            .collect();
        for story in stories.iter() {
            let entry = Entry {
                start: story.start(),
                title: story.title.clone(),
                text: fingerprint(story),
            };
            if self.published.get(story.id.as_str()) == Some(&entry) {
                continue;
            }
            report.changed = true;
            match self.published.get_mut(story.id.as_str()) {
                Some(old) => *old = entry,
                None => {
                    self.published.insert(story.id.to_string(), entry);
                    report.added += 1;
                }
            }
        }
        report
    }
}

/// A 64-bit print of the paragraphs as 16 hex digits: stable across runs,
/// platforms and versions (unlike `std`'s hasher), and eight bytes a step,
/// since it reads every byte of every story on every build.
pub fn fingerprint(story: &Story) -> String {
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
    format!("{h:016x}")
}
