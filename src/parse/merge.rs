//! The same story published on two pages becomes one story.
//!
//! Pages reword titles (`During European Development Days, UNODC and
//! partners call for…` / `UNODC and partners call for…`), so a match needs
//! the same dates and either titles that share nearly all the words of the
//! shorter one, or bodies that do. Only stories from different files are
//! compared: two stories on one page are two stories.

use std::collections::{HashMap, HashSet};

use crate::story::{DateRange, Story, StoryId};

/// Share of the shorter title's words that the longer title must contain.
const TITLE_OVERLAP: f64 = 0.8;
/// Share of the distinct opening words of the shorter body that the other
/// must contain.
const BODY_OVERLAP: f64 = 0.45;
/// Bodies with fewer distinct words than this are not compared.
const MIN_BODY_WORDS: usize = 20;

/// Merges stories that are the same across files. The fuller text is kept;
/// sources and links are the union of both.
pub fn merge_duplicates(stories: Vec<Story>) -> Vec<Story> {
    // Candidates share their dates; sorting indices by dates puts them side
    // by side without hashing every story.
    let dates: Vec<DateRange> = stories.iter().map(|s| s.dates).collect();
    let mut order: Vec<usize> = (0..stories.len()).collect();
    order.sort_unstable_by_key(|&i| (dates[i], i));
    let mut slots: Vec<Option<Story>> = stories.into_iter().map(Some).collect();
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
                if share_a_file(a, b) || !sigs[gi].same_story(&sigs[gj]) {
                    continue;
                }
                let b = slots[j].take().expect("checked above");
                let a = slots[i].take().expect("checked above");
                let merged = merge(a, b);
                sigs[gi] = Signature::of(&merged);
                slots[i] = Some(merged);
            }
        }
    }
    slots.into_iter().flatten().collect()
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
/// and of the opening of the body, sorted and without repeats.
struct Signature {
    title: Vec<u64>,
    body: Vec<u64>,
}

/// How many body words are compared; enough to recognise an opening
/// paragraph, few enough to stay cheap when many stories share a date.
const BODY_WORDS: usize = 120;

impl Signature {
    fn of(s: &Story) -> Self {
        let body = s.paragraphs.iter().flat_map(|p| words(p)).take(BODY_WORDS);
        Signature {
            title: sorted_set(words(&s.title)),
            body: sorted_set(body),
        }
    }

    fn same_story(&self, other: &Signature) -> bool {
        let min_title = self.title.len().min(other.title.len());
        if min_title >= 3 && overlap(&self.title, &other.title) >= TITLE_OVERLAP {
            return true;
        }
        let min_body = self.body.len().min(other.body.len());
        min_body >= MIN_BODY_WORDS && overlap(&self.body, &other.body) >= BODY_OVERLAP
    }
}

/// Hashes of the words of two letters or more, lower-cased.
fn words(text: &str) -> impl Iterator<Item = u64> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 2)
        .map(|w| {
            // FNV-1a over lower-cased characters: stable and cheap.
            w.chars()
                .flat_map(char::to_lowercase)
                .fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
                    (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3)
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
    common as f64 / smaller as f64
}

fn merge(a: Story, b: Story) -> Story {
    // The fuller text wins; on a tie, the story found first.
    let a_first = a.sources.first() <= b.sources.first();
    let (mut keep, other) = match a.text_len().cmp(&b.text_len()) {
        std::cmp::Ordering::Greater => (a, b),
        std::cmp::Ordering::Less => (b, a),
        std::cmp::Ordering::Equal if a_first => (a, b),
        std::cmp::Ordering::Equal => (b, a),
    };
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
    keep
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
mod tests {
    use super::*;
    use crate::story::Source;
    use chrono::NaiveDate;

    fn story(title: &str, line: usize) -> Story {
        let d = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        Story {
            id: StoryId::new(d, title),
            title: title.to_owned(),
            dates: DateRange::day(d),
            year_inferred: false,
            places: vec![],
            paragraphs: vec![],
            summary: String::new(),
            links: vec![],
            sources: vec![Source {
                file: "f".to_owned(),
                line,
            }],
            themes: vec![],
            programmes: vec![],
        }
    }

    #[test]
    fn clashing_ids_get_suffixes_in_source_order_without_new_clashes() {
        let mut s = vec![
            story("A", 30),
            story("A 2", 5),
            story("A", 10),
            story("A", 20),
        ];
        assign_unique_ids(&mut s);
        let ids: Vec<&str> = s.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "2020-01-01-a-4",
                "2020-01-01-a-2",
                "2020-01-01-a",
                "2020-01-01-a-3"
            ]
        );
    }
}
