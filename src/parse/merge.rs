//! The same story published on two pages becomes one story; a different
//! story never does.
//!
//! Pages reword titles (`During European Development Days, UNODC and
//! partners call for…` / `UNODC and partners call for…`), so a match needs
//! the same dates and either titles that share nearly all the words of the
//! shorter one, or bodies that do. Overlap alone is not enough: a regional
//! programme runs the same event in several countries on one day (`…
//! trains border officers in Serbia` / `… in Albania`), titles that share
//! all words but one. So two titles that are mostly the same words but
//! each have one the other lacks (a substitution, not an addition: another
//! country, place, number, programme or topic) are different stories,
//! whatever their overlap; only words that carry no meaning of their own
//! (`the`, `of`, `and`) are left out of that test. Likewise bodies: pages
//! of one programme share their boilerplate sentences, so the body rule
//! also wants the names and numbers of the two openings (places, people,
//! counts, years) to agree, and the titles to share some distinctive words;
//! and matching titles over openings that name different things (fewer
//! than half their names and numbers in common) are two stories.
//! Only stories from different files are compared: two stories on one page
//! are two stories. Every merge is reported ([`Merge`]), so none is silent.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::story::{DateRange, Source, Story, StoryId};

/// Share of the shorter title's words that the longer title must contain.
const TITLE_OVERLAP: f64 = 0.8;
/// Share of the distinct opening words of the shorter body that the other
/// must contain.
const BODY_OVERLAP: f64 = 0.45;
/// Bodies with fewer distinct words than this are not compared.
const MIN_BODY_WORDS: usize = 20;
/// Share of the names and numbers of the opening with fewer of them that
/// the other opening must contain.
const NAMES_OVERLAP: f64 = 0.75;
/// Names and numbers two openings must share for the body rule: a one-line
/// summary naming a country or two is too little to tell its story from
/// another of the same programme on the same day.
const MIN_SHARED_NAMES: usize = 8;
/// Names and numbers in both openings from which sharing fewer than half
/// of them outweighs matching titles.
const MIN_NAMES_TO_DIFFER: usize = 2;
/// Share of the distinctive words of the title with fewer of them that the
/// other title must contain for the body rule.
const TITLE_SHARE_FOR_BODY: f64 = 0.5;

/// Why two stories were taken for one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "lowercase")]
pub enum MergeRule {
    /// Same dates; `overlap` of the shorter title's words are in the other
    /// title, and neither title has a distinctive word the other lacks.
    Title { overlap: f64 },
    /// Same dates; `overlap` of the shorter body's opening words are in
    /// the other body, `names` of the names and numbers of the opening
    /// with fewer of them are in the other's, and the titles name nothing
    /// different.
    Body {
        overlap: f64,
        names: f64,
        /// Names and numbers shared, of those of the opening with fewer.
        names_shared: usize,
        names_compared: usize,
        /// Share of the distinctive words of the title with fewer of them
        /// that the other title has.
        title: f64,
    },
}

/// Two stories found on different pages and published as one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merge {
    /// Where the story whose text was kept was found (its first source).
    pub kept: Source,
    /// Where the story folded into it was found (its first source).
    pub merged: Source,
    #[serde(flatten)]
    pub rule: MergeRule,
}

impl fmt::Display for Merge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} merged into {}:{}: same dates, ",
            self.merged.file, self.merged.line, self.kept.file, self.kept.line,
        )?;
        match self.rule {
            MergeRule::Title { overlap } => write!(
                f,
                "title rule: {:.0}% of the shorter title's words shared",
                overlap * 100.0
            ),
            MergeRule::Body {
                overlap,
                names,
                names_shared,
                names_compared,
                title,
            } => write!(
                f,
                "body rule: {:.0}% of the shorter opening's words, {:.0}% ({names_shared} of {names_compared}) of its names and numbers, {:.0}% of the title's distinctive words shared",
                overlap * 100.0,
                names * 100.0,
                title * 100.0
            ),
        }
    }
}

/// Merges stories that are the same across files. The fuller text is kept;
/// sources and links are the union of both. Returns the stories and each
/// merge made, in the order made (by dates, then input order).
pub fn merge_duplicates(stories: Vec<Story>) -> (Vec<Story>, Vec<Merge>) {
    // Candidates share their dates; sorting indices by dates puts them side
    // by side without hashing every story.
    let dates: Vec<DateRange> = stories.iter().map(|s| s.dates).collect();
    let mut order: Vec<usize> = (0..stories.len()).collect();
    order.sort_unstable_by_key(|&i| (dates[i], i));
    // Where each merged story's text was found: it has several sources,
    // and a report names the one whose text was kept. `None`: not merged,
    // its only source (kept apart so that no source is copied for nothing).
    let mut origin: Vec<Option<Source>> = vec![None; stories.len()];
    let mut slots: Vec<Option<Story>> = stories.into_iter().map(Some).collect();
    let mut merges = Vec::new();
    for group in order.chunk_by(|&a, &b| dates[a] == dates[b]) {
        if group.len() < 2 || !spans_files(&slots, group) {
            continue;
        }
        let mut sigs: Vec<Signature> = group
            .iter()
            .map(|&i| Signature::of(slots[i].as_ref().expect("not merged yet")))
            .collect();
        for gi in 0..group.len() {
            for gj in gi + 1..group.len() {
                let (i, j) = (group[gi], group[gj]);
                let (Some(a), Some(b)) = (&slots[i], &slots[j]) else {
                    continue;
                };
                if share_a_file(a, b) {
                    continue;
                }
                let Some(rule) = sigs[gi].same_story(&sigs[gj], a, b) else {
                    continue;
                };
                let a_origin = origin[i].take().unwrap_or_else(|| a.sources[0].clone());
                let b_origin = origin[j].take().unwrap_or_else(|| b.sources[0].clone());
                let b = slots[j].take().expect("checked above");
                let a = slots[i].take().expect("checked above");
                let (merged, a_kept) = merge(a, b);
                let (kept, other) = if a_kept {
                    (a_origin, b_origin)
                } else {
                    (b_origin, a_origin)
                };
                merges.push(Merge {
                    kept: kept.clone(),
                    merged: other,
                    rule,
                });
                origin[i] = Some(kept);
                sigs[gi] = Signature::of(&merged);
                slots[i] = Some(merged);
            }
        }
    }
    (slots.into_iter().flatten().collect(), merges)
}

fn spans_files(slots: &[Option<Story>], group: &[usize]) -> bool {
    let file = |i: usize| slots[i].as_ref().map(|s| s.sources[0].file.as_str());
    group.iter().any(|&i| file(i) != file(group[0]))
}

fn share_a_file(a: &Story, b: &Story) -> bool {
    a.sources
        .iter()
        .any(|sa| b.sources.iter().any(|sb| sa.file == sb.file))
}

/// What two stories are compared on: hashed lower-case words of the title
/// and of the opening of the body, sorted and without repeats; and the
/// title's distinctive words (all but [`PLAIN_WORDS`]).
struct Signature {
    title: Vec<u64>,
    distinctive: Vec<u64>,
    body: Vec<u64>,
}

/// How many body words are compared; enough to recognise an opening
/// paragraph, few enough to stay cheap when many stories share a date.
const BODY_WORDS: usize = 120;

/// Words that name nothing: a title that swaps one of these for another
/// (`in`/`for`) still names the same things.
const PLAIN_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "its", "of", "on", "or",
    "the", "their", "to", "with",
];

impl Signature {
    fn of(s: &Story) -> Self {
        let body = s.paragraphs.iter().flat_map(|p| words(p)).take(BODY_WORDS);
        let title = sorted_set(words(&s.title));
        let plain = plain_words();
        let distinctive = title
            .iter()
            .copied()
            .filter(|w| plain.binary_search(w).is_err())
            .collect();
        Signature {
            title,
            distinctive,
            body: sorted_set(body),
        }
    }

    /// The rule by which `a` and `b`, of these signatures, are one story,
    /// if they are.
    fn same_story(&self, other: &Signature, a: &Story, b: &Story) -> Option<MergeRule> {
        if self.names_something_else(other) {
            return None;
        }
        let min_title = self.title.len().min(other.title.len());
        let title = overlap(&self.title, &other.title);
        if min_title >= 3 && title >= TITLE_OVERLAP {
            // The same title on the same day, but openings that name other
            // places, people and figures: another story under a stock title.
            let (a_names, b_names) = (opening_names(a), opening_names(b));
            let compared = a_names.len().min(b_names.len());
            if compared >= MIN_NAMES_TO_DIFFER && common(&a_names, &b_names) * 2 < compared {
                return None;
            }
            return Some(MergeRule::Title { overlap: title });
        }
        let min_body = self.body.len().min(other.body.len());
        if min_body < MIN_BODY_WORDS {
            return None;
        }
        let body = overlap(&self.body, &other.body);
        // A page's own title for the story still names some of the same.
        let title = overlap(&self.distinctive, &other.distinctive);
        if body < BODY_OVERLAP || title < TITLE_SHARE_FOR_BODY {
            return None;
        }
        // Pages of one programme share their boilerplate; what they are
        // about is in the names and numbers. Rarely needed, so not kept.
        let (a_names, b_names) = (opening_names(a), opening_names(b));
        let names = overlap(&a_names, &b_names);
        let names_shared = common(&a_names, &b_names);
        (names >= NAMES_OVERLAP && names_shared >= MIN_SHARED_NAMES).then_some(MergeRule::Body {
            overlap: body,
            names,
            names_shared,
            names_compared: a_names.len().min(b_names.len()),
            title,
        })
    }

    /// Whether the titles are the same words with one or more swapped: each
    /// has a distinctive word the other lacks (`Serbia` / `Albania`, `2nd` /
    /// `3rd`). A title that only adds words (`During European Development
    /// Days, …`) names nothing else. Titles that share less than two thirds
    /// of their distinctive words are not a swap but a page's own wording
    /// of the story, and are left to the body test.
    fn names_something_else(&self, other: &Signature) -> bool {
        let shared = common(&self.distinctive, &other.distinctive);
        let smaller = self.distinctive.len().min(other.distinctive.len());
        shared * 3 >= smaller * 2
            && shared < self.distinctive.len()
            && shared < other.distinctive.len()
    }
}

/// Hashes of the names and numbers among the first [`BODY_WORDS`] words:
/// words with a digit, and capitalised words that do not open a sentence
/// (`Belgrade`, `FAFA`, `2020`, not `The`).
fn names(paragraphs: &[String]) -> impl Iterator<Item = u64> + '_ {
    paragraphs
        .iter()
        .flat_map(|p| {
            let mut opens = true;
            p.split(char::is_whitespace).map(move |raw| {
                let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
                let name = !word.is_empty()
                    && (word.bytes().any(|b| b.is_ascii_digit())
                        || (!opens && word.starts_with(char::is_uppercase)));
                opens = raw.ends_with(['.', '!', '?', ':', '“', '"']) || (opens && word.is_empty());
                (word, name)
            })
        })
        .filter(|(word, _)| word.len() >= 2)
        .take(BODY_WORDS)
        .filter(|(_, name)| *name)
        .flat_map(|(word, _)| words(word).take(1))
}

/// The names and numbers of a story's opening, sorted, without repeats.
fn opening_names(s: &Story) -> Vec<u64> {
    sorted_set(names(&s.paragraphs))
}

/// [`PLAIN_WORDS`] hashed as [`words`] hashes them, sorted.
fn plain_words() -> &'static [u64] {
    static PLAIN: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    PLAIN.get_or_init(|| sorted_set(PLAIN_WORDS.iter().flat_map(|w| words(w))))
}

/// Hashes of the words of two letters or more, lower-cased.
fn words(text: &str) -> impl Iterator<Item = u64> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 2)
        .map(|w| {
            // FNV-1a over lower-cased characters: stable and cheap. ASCII,
            // nearly every letter, skips the Unicode case tables.
            let step = |h: u64, c: char| (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
            w.chars().fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
                if c.is_ascii() {
                    step(h, c.to_ascii_lowercase())
                } else {
                    c.to_lowercase().fold(h, step)
                }
            })
        })
}

fn sorted_set(words: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut v: Vec<u64> = words.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// |A ∩ B| / min(|A|, |B|) of two sorted sets.
fn overlap(a: &[u64], b: &[u64]) -> f64 {
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        return 0.0;
    }
    common(a, b) as f64 / smaller as f64
}

/// |A ∩ B| of two sorted sets.
fn common(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common
}

/// One story of two, and whether `a`'s text was kept.
fn merge(a: Story, b: Story) -> (Story, bool) {
    // The fuller text wins; on a tie, the story found first.
    let a_first = a.sources.first() <= b.sources.first();
    let a_kept = match a.text_len().cmp(&b.text_len()) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => a_first,
    };
    let (mut keep, other) = if a_kept { (a, b) } else { (b, a) };
    keep.sources.extend(other.sources);
    keep.sources.sort();
    keep.sources.dedup();
    for link in other.links {
        if !keep.links.contains(&link) {
            keep.links.push(link);
        }
    }
    if keep.places.is_empty() {
        keep.places = other.places;
    }
    (keep, a_kept)
}

/// Makes ids unique: where two stories share a date and title, the one
/// found later gets `-2`, then `-3`.
pub fn assign_unique_ids(stories: &mut [Story]) {
    let mut count: HashMap<&str, usize, BuildFx> =
        HashMap::with_capacity_and_hasher(stories.len(), BuildFx);
    for s in stories.iter() {
        *count.entry(s.id.as_str()).or_insert(0) += 1;
    }
    // Only the stories whose id is shared need work; usually none.
    let mut clashing: Vec<usize> = (0..stories.len())
        .filter(|&i| count[stories[i].id.as_str()] > 1)
        .collect();
    if clashing.is_empty() {
        return;
    }
    clashing.sort_by(|&x, &y| {
        let (a, b) = (&stories[x], &stories[y]);
        a.id.cmp(&b.id).then_with(|| a.sources.cmp(&b.sources))
    });
    let mut taken: HashSet<String, BuildFx> = stories.iter().map(|s| s.id.to_string()).collect();
    let mut previous: Option<StoryId> = None;
    let mut n = 1;
    for i in clashing {
        let base = stories[i].id.clone();
        if previous.as_ref() != Some(&base) {
            previous = Some(base);
            n = 1;
            continue; // the first keeps its id
        }
        let base = previous.as_ref().expect("set above");
        let mut id = base.with_suffix(n + 1);
        while taken.contains(id.as_str()) {
            n += 1;
            id = base.with_suffix(n + 1);
        }
        n += 1;
        taken.insert(id.to_string());
        stories[i].id = id;
    }
}

/// A word-at-a-time hasher (the rustc "Fx" mix) for the id check: SipHash's
/// protection against crafted keys buys nothing in a one-shot CLI run and
/// costs a visible share of the parse.
#[derive(Default, Clone, Copy)]
struct BuildFx;

impl std::hash::BuildHasher for BuildFx {
    type Hasher = Fx;
    fn build_hasher(&self) -> Fx {
        Fx(0)
    }
}

struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.add(u64::from_le_bytes(tail) ^ bytes.len() as u64);
    }
}

#[cfg(test)]
mod tests;
