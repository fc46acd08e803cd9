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
    // Almost always every id is unique already; check that cheaply first.
    let mut distinct: HashSet<&str> = HashSet::with_capacity(stories.len());
    if stories.iter().all(|s| distinct.insert(s.id.as_str())) {
        return;
    }
    let mut order: Vec<usize> = (0..stories.len()).collect();
    order.sort_by(|&x, &y| {
        let (a, b) = (&stories[x], &stories[y]);
        a.id.cmp(&b.id).then_with(|| a.sources.cmp(&b.sources))
    });
    let mut seen: HashMap<StoryId, usize> = HashMap::new();
    let mut taken: HashSet<StoryId> = stories.iter().map(|s| s.id.clone()).collect();
    for i in order {
        let base = stories[i].id.clone();
        let count = seen.entry(base.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            continue;
        }
        let mut n = *count;
        let mut id = base.with_suffix(n);
        while taken.contains(&id) {
            n += 1;
            id = base.with_suffix(n);
        }
        taken.insert(id.clone());
        stories[i].id = id;
    }
}
