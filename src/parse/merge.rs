//! The same story published on two pages becomes one story.
//!
//! Pages reword titles (`During European Development Days, UNODC and
//! partners call for…` / `UNODC and partners call for…`), so a match needs
//! the same dates and either titles that share nearly all the words of the
//! shorter one, or bodies that do. Only stories from different files are
//! compared: two stories on one page are two stories.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::story::{DateRange, Story, StoryId};

/// Share of the shorter title's words that the longer title must contain.
const TITLE_OVERLAP: f64 = 0.8;
/// Share of the shorter body's distinct words that the longer must contain.
const BODY_OVERLAP: f64 = 0.6;
/// Bodies shorter than this many distinct words are not compared.
const MIN_BODY_WORDS: usize = 25;

/// Merges stories that are the same across files. The fuller text is kept;
/// sources and links are the union of both.
pub fn merge_duplicates(stories: Vec<Story>) -> Vec<Story> {
    let mut by_dates: BTreeMap<DateRange, Vec<usize>> = BTreeMap::new();
    for (i, s) in stories.iter().enumerate() {
        by_dates.entry(s.dates).or_default().push(i);
    }
    let mut slots: Vec<Option<Story>> = stories.into_iter().map(Some).collect();
    for group in by_dates.values().filter(|g| g.len() > 1) {
        for (gi, &i) in group.iter().enumerate() {
            for &j in &group[gi + 1..] {
                let (Some(a), Some(b)) = (&slots[i], &slots[j]) else {
                    continue;
                };
                if share_a_file(a, b) || !same_story(a, b) {
                    continue;
                }
                let b = slots[j].take().expect("checked above");
                let a = slots[i].take().expect("checked above");
                slots[i] = Some(merge(a, b));
            }
        }
    }
    slots.into_iter().flatten().collect()
}

fn share_a_file(a: &Story, b: &Story) -> bool {
    a.sources
        .iter()
        .any(|sa| b.sources.iter().any(|sb| sa.file == sb.file))
}

fn same_story(a: &Story, b: &Story) -> bool {
    let (ta, tb) = (words(&a.title), words(&b.title));
    if ta.len().min(tb.len()) >= 3 && overlap(&ta, &tb) >= TITLE_OVERLAP {
        return true;
    }
    let body = |s: &Story| words(&s.paragraphs.join(" "));
    let (ba, bb) = (body(a), body(b));
    ba.len().min(bb.len()) >= MIN_BODY_WORDS && overlap(&ba, &bb) >= BODY_OVERLAP
}

/// Lower-case words of two letters or more.
fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect()
}

/// |A ∩ B| / min(|A|, |B|).
fn overlap(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.is_empty() {
        return 0.0;
    }
    let common = small.iter().filter(|w| large.contains(*w)).count();
    common as f64 / small.len() as f64
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
