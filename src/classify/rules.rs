//! When a theme or a programme is given: the evidence of a story
//! ([`Tally`]), lists of mandates that count for nothing, and the rule
//! (see the module documentation of `classify`).

use std::ops::Range;

use super::matcher::{Evidence, Hit, Matcher, ASCII_WORD};
use super::Settings;

/// A story's evidence so far.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// Named in the title, outside a list.
    pub(super) title: Vec<bool>,
    /// Body matches outside lists.
    pub(super) body: Vec<usize>,
    pub(super) programmes: Vec<bool>,
}

impl Tally {
    pub(super) fn reset(&mut self, themes: usize, programmes: usize) {
        self.title.clear();
        self.title.resize(themes, false);
        self.body.clear();
        self.body.resize(themes, 0);
        self.programmes.clear();
        self.programmes.resize(programmes, false);
    }
}

/// Buffers reused from one paragraph (and story) to the next.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    pub(super) tally: Tally,
    pub(super) hits: Vec<Hit>,
    /// Where searches start in the text being scanned.
    pub(super) anchors: Vec<usize>,
    members: Vec<Member>,
    pub(super) in_list: Vec<bool>,
    items: Vec<Item>,
    direct: Vec<usize>,
    implied: Vec<usize>,
    implied_here: Vec<usize>,
}

/// A list member: one hit, or several touching ("Programme (CCP)").
#[derive(Debug)]
struct Member {
    start: usize,
    end: usize,
    hits: Range<usize>,
}

/// What a list names: a theme, or a list word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Theme(usize),
    Word(usize),
}

impl Matcher {
    /// Adds the evidence of one scanned text (the title or a paragraph) to
    /// `tally`; leaves in `s.in_list` which hits stood in a list.
    pub(super) fn count(&self, text: &str, title: bool, settings: &Settings, s: &mut Scratch) {
        let hits = &s.hits;
        let tally = &mut s.tally;
        // Programmes: named is named.
        for h in hits {
            if let Evidence::Names { programmes, .. } = self.evidence(h) {
                for p in programmes {
                    if let Some(slot) = tally.programmes.get_mut(*p) {
                        *slot = true;
                    }
                }
            }
        }
        // Members: hits other than ignore phrases, touching ones merged.
        s.members.clear();
        for (i, h) in hits.iter().enumerate() {
            if *self.evidence(h) == Evidence::Ignore {
                continue;
            }
            if let Some(last) = s.members.last_mut() {
                if text.get(last.end..h.start).is_some_and(is_joint) {
                    last.end = h.end;
                    last.hits.end = i + 1;
                    continue;
                }
            }
            s.members.push(Member {
                start: h.start,
                end: h.end,
                hits: i..i + 1,
            });
        }
        // Runs of members separated like list items; a run naming enough
        // different themes and list words is a list: it counts for nothing.
        s.in_list.clear();
        s.in_list.resize(hits.len(), false);
        let members = &s.members;
        let mut run_start = 0;
        for i in 1..=members.len() {
            let continues = i < members.len()
                && text
                    .get(members[i - 1].end..members[i].start)
                    .is_some_and(|gap| is_list_gap(gap, self.max_gap_words));
            if continues {
                continue;
            }
            let run = members.get(run_start..i).unwrap_or_default();
            run_start = i;
            if run.len() < settings.list_min_items {
                continue;
            }
            s.items.clear();
            for m in run {
                for h in hits.get(m.hits.clone()).unwrap_or_default() {
                    match self.evidence(h) {
                        Evidence::Ignore => {}
                        Evidence::ListWord(w) => push_new(&mut s.items, Item::Word(*w)),
                        Evidence::Names {
                            themes, implied, ..
                        } => {
                            for t in themes.iter().chain(implied) {
                                push_new(&mut s.items, Item::Theme(*t));
                            }
                        }
                    }
                }
            }
            if s.items.len() >= settings.list_min_items {
                for m in run {
                    for flag in s.in_list.get_mut(m.hits.clone()).unwrap_or_default() {
                        *flag = true;
                    }
                }
            }
        }
        // Evidence outside lists. A member counts once for each theme it
        // names; programmes count once a text for each theme they imply.
        s.implied_here.clear();
        for m in members {
            s.direct.clear();
            s.implied.clear();
            let listed = s.in_list.get(m.hits.clone()).unwrap_or_default();
            for (h, listed) in hits
                .get(m.hits.clone())
                .unwrap_or_default()
                .iter()
                .zip(listed)
            {
                if let (
                    false,
                    Evidence::Names {
                        themes, implied, ..
                    },
                ) = (*listed, self.evidence(h))
                {
                    for t in themes {
                        push_new(&mut s.direct, *t);
                    }
                    for t in implied {
                        push_new(&mut s.implied, *t);
                    }
                }
            }
            let implied_here = &mut s.implied_here;
            let direct = &s.direct;
            s.implied
                .retain(|t| !direct.contains(t) && !implied_here.contains(t));
            implied_here.extend(&s.implied);
            for &t in s.direct.iter().chain(&s.implied) {
                if title {
                    if let Some(slot) = tally.title.get_mut(t) {
                        *slot = true;
                    }
                } else if let Some(slot) = tally.body.get_mut(t) {
                    *slot += 1;
                }
            }
        }
    }

    /// The themes the evidence gives (see the module documentation).
    pub(super) fn decide(
        &self,
        tally: &Tally,
        body_bytes: usize,
        settings: &Settings,
    ) -> Vec<String> {
        let strongest = tally.body.iter().copied().max().unwrap_or(0);
        let short = body_bytes < settings.short_story_bytes;
        let mut out: Vec<String> = (0..self.theme_slugs.len())
            .filter(|&t| {
                self.verdict(t, tally, short, strongest, settings)
                    .is_given()
            })
            .filter_map(|t| self.theme_slugs.get(t).cloned())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// What the rule says of theme `t`: `decide` and `explain` both ask
    /// here, so an explanation cannot disagree with the classification.
    #[inline]
    pub(super) fn verdict(
        &self,
        t: usize,
        tally: &Tally,
        short: bool,
        strongest: usize,
        settings: &Settings,
    ) -> Verdict {
        let in_title = tally.title.get(t).copied().unwrap_or(false);
        let count = tally.body.get(t).copied().unwrap_or(0);
        let min = if short {
            1
        } else {
            self.theme_min
                .get(t)
                .copied()
                .unwrap_or(settings.min_matches)
        };
        if in_title {
            Verdict::Title
        } else if count < min {
            Verdict::TooFew { count, min }
        } else if count as f64 >= settings.min_share * strongest as f64 {
            Verdict::Body { count, min }
        } else {
            Verdict::SmallShare { count, strongest }
        }
    }
}

/// The rule's answer for one theme of one story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Given: named in the title, outside a list.
    Title,
    /// Given: `count` body matches, at least `min` and `min_share` of the
    /// strongest theme's.
    Body { count: usize, min: usize },
    /// Not given: fewer than `min` body matches outside lists.
    TooFew { count: usize, min: usize },
    /// Not given: `count` is under `min_share` of `strongest`, the count of
    /// the theme the story dwells on most.
    SmallShare { count: usize, strongest: usize },
}

impl Verdict {
    pub fn is_given(self) -> bool {
        matches!(self, Verdict::Title | Verdict::Body { .. })
    }
}

fn push_new<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// Text between two matches that makes them one member: nothing, spaces,
/// brackets or quotes ("Container Control Programme (CCP)").
fn is_joint(gap: &str) -> bool {
    gap.chars()
        .all(|c| c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"' | '“' | '”' | '\''))
}

/// Text between two list members: a separator (`,` `/` `&` "and" "or"
/// "as well as"), at most `max_words` other words, no `.` `!` `?` `:` `;`.
/// (Bytes of non-ASCII characters count as letters here.)
fn is_list_gap(gap: &str, max_words: usize) -> bool {
    if gap.len() > 80 {
        return false;
    }
    let bytes = gap.as_bytes();
    let mut separated = false;
    let mut others = 0;
    let mut word_start = None;
    for i in 0..=bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(b' ');
        if b >= 0x80 || ASCII_WORD[usize::from(b)] {
            word_start.get_or_insert(i);
            continue;
        }
        if let Some(word) = word_start.take().and_then(|s| bytes.get(s..i)) {
            let is = |w: &[u8]| word.eq_ignore_ascii_case(w);
            if is(b"and") || is(b"or") || is(b"nor") || is(b"plus") || is(b"well") {
                separated = true; // "well" as in "as well as"
            } else if !is(b"as") {
                others += 1;
            }
        }
        match b {
            b',' | b'/' | b'&' => separated = true,
            b'.' | b'!' | b'?' | b':' | b';' | b'\n' => return false,
            _ => {}
        }
    }
    separated && others <= max_words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_gaps() {
        assert!(is_list_gap(", ", 4));
        assert!(is_list_gap(" and ", 4));
        assert!(is_list_gap(", as well as ", 4));
        assert!(is_list_gap(" as well as ", 4));
        assert!(is_list_gap(" and persons, the ", 4));
        assert!(!is_list_gap(" to ", 4));
        assert!(!is_list_gap(". ", 4));
        assert!(!is_list_gap(": ", 4));
        assert!(!is_list_gap(", one two three four five ", 4));
        assert!(is_joint(" ("));
        assert!(is_joint(""));
        assert!(!is_joint(" of "));
    }
}
