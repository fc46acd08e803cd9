//! Compiling the patterns of a taxonomy ([`PatternSet`]) into a
//! [`Matcher`], and finding them in a text ([`Matcher::scan`]): on word
//! boundaries, leftmost-longest, without overlaps. Where searches start
//! and which starts are worth a search is `scan`'s job.

mod scan;

use std::ops::Range;

use aho_corasick::automaton::Automaton;
use aho_corasick::MatchKind;

pub(super) use scan::ASCII_WORD;
use scan::{char_at, is_word_char, Prefixes, WordStarts};

/// What a pattern is evidence of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Role {
    /// Evidence of nothing; hides what it overlaps.
    Ignore,
    /// May stand in a list of mandates (index into `list_words`).
    ListWord(usize),
    /// Names themes and programmes (indices).
    Names {
        themes: Vec<usize>,
        programmes: Vec<usize>,
    },
}

impl Role {
    pub(super) fn theme(i: usize) -> Self {
        Role::Names {
            themes: vec![i],
            programmes: Vec::new(),
        }
    }

    pub(super) fn programme(i: usize) -> Self {
        Role::Names {
            themes: Vec::new(),
            programmes: vec![i],
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct PatternSet {
    /// (text, role, span of its first definition), case-insensitive.
    pub(super) insensitive: Vec<(String, Role, Range<usize>)>,
    pub(super) sensitive: Vec<(String, Role, Range<usize>)>,
}

impl PatternSet {
    /// One automaton for everything: patterns are grouped by their ASCII
    /// lower-case text; an acronym is a variant that also checks case.
    pub(super) fn compile(
        self,
        implied: &[Vec<usize>],
        max_gap_words: usize,
    ) -> Result<Matcher, String> {
        let mut folded: Vec<String> = Vec::new();
        let mut variants: Vec<Vec<Variant>> = Vec::new();
        let all = self
            .insensitive
            .into_iter()
            .map(|p| (p, false))
            .chain(self.sensitive.into_iter().map(|p| (p, true)));
        for ((text, role, _), case_sensitive) in all {
            let evidence = match role {
                Role::Ignore => Evidence::Ignore,
                Role::ListWord(w) => Evidence::ListWord(w),
                Role::Names { themes, programmes } => {
                    let mut direct = themes;
                    direct.sort_unstable();
                    let mut via = Vec::new();
                    for t in programmes.iter().filter_map(|p| implied.get(*p)).flatten() {
                        if !direct.contains(t) && !via.contains(t) {
                            via.push(*t);
                        }
                    }
                    via.sort_unstable();
                    Evidence::Names {
                        themes: direct,
                        implied: via,
                        programmes,
                    }
                }
            };
            let variant = Variant {
                exact: case_sensitive.then(|| text.clone()),
                evidence,
                right: text.chars().next_back().is_some_and(is_word_char),
            };
            let key = text.to_ascii_lowercase();
            match folded.iter().position(|k| *k == key) {
                Some(i) => variants[i].push(variant),
                None => {
                    folded.push(key);
                    variants.push(vec![variant]);
                }
            }
        }
        // Searches start at word starts, and at bytes that can begin a
        // pattern that does not begin with a letter or digit.
        let mut other_starts = [false; 256];
        for key in &folded {
            if let Some(c) = key.chars().next().filter(|c| !is_word_char(*c)) {
                let mut buf = [0; 4];
                let first = c.encode_utf8(&mut buf).as_bytes()[0];
                other_starts[usize::from(first)] = true;
                other_starts[usize::from(first.to_ascii_uppercase())] = true;
            }
        }
        let automaton = if folded.is_empty() {
            None
        } else {
            let nfa = aho_corasick::nfa::contiguous::NFA::builder()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .prefilter(false)
                .build(&folded)
                .map_err(|e| e.to_string())?;
            let start = nfa
                .start_state(aho_corasick::Anchored::Yes)
                .map_err(|e| e.to_string())?;
            Some((nfa, start))
        };
        let mut prefixes = Prefixes::default();
        for key in &folded {
            prefixes.add(key.as_bytes());
        }
        Ok(Matcher {
            automaton,
            variants,
            word_starts: WordStarts::new(&other_starts),
            prefixes,
            max_gap_words,
            theme_slugs: Vec::new(),
            programme_slugs: Vec::new(),
            theme_min: Vec::new(),
        })
    }
}

/// What a match is evidence of, as the matcher uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Evidence {
    Ignore,
    ListWord(usize),
    Names {
        /// Themes the pattern is a term of.
        themes: Vec<usize>,
        /// Themes its programmes imply (not in `themes`).
        implied: Vec<usize>,
        programmes: Vec<usize>,
    },
}

/// One pattern: the automaton finds its text in any ASCII case.
#[derive(Debug, Clone)]
struct Variant {
    /// For an acronym, the text as written, which the match must equal.
    exact: Option<String>,
    evidence: Evidence,
    /// Check the word boundary after a match (the pattern ends with a
    /// letter or digit). The boundary before is given by where searches
    /// start.
    right: bool,
}

/// The compiled patterns of a taxonomy, and the slugs and minimums the
/// rules need.
#[derive(Debug, Clone)]
pub(super) struct Matcher {
    /// The automaton (ASCII case-insensitive, searched anchored) and its
    /// anchored start state. A contiguous NFA: compact, so the states a
    /// search visits stay in cache.
    automaton: Option<(
        aho_corasick::nfa::contiguous::NFA,
        aho_corasick::automaton::StateID,
    )>,
    /// By pattern id.
    variants: Vec<Vec<Variant>>,
    /// Where searches start.
    word_starts: WordStarts,
    /// Which first bytes a pattern can begin with: most words are
    /// rejected here, in a table small enough to stay in cache.
    prefixes: Prefixes,
    pub(super) max_gap_words: usize,
    pub(super) theme_slugs: Vec<String>,
    pub(super) programme_slugs: Vec<String>,
    pub(super) theme_min: Vec<usize>,
}

/// One match kept after boundaries and overlaps: `text[start..end]` is
/// variant `variant` of pattern `pattern`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Hit {
    pub(super) start: usize,
    pub(super) end: usize,
    pattern: usize,
    variant: usize,
}

impl Matcher {
    /// The matches of `text` on word boundaries, leftmost-longest, without
    /// overlaps; replaces the content of `hits`.
    ///
    /// One pass over the bytes finds where searches start
    /// ([`WordStarts::find`]). Then at each start that the prefix
    /// table allows, the automaton runs anchored until it can match
    /// nothing more; the longest match that ends on a word boundary (and
    /// has the case an acronym needs) is kept, and starts inside it are
    /// skipped.
    pub(super) fn scan(&self, text: &str, hits: &mut Vec<Hit>, anchors: &mut Vec<usize>) {
        hits.clear();
        let Some((aut, start_sid)) = &self.automaton else {
            return;
        };
        let bytes = text.as_bytes();
        self.word_starts.find(text, anchors);
        let mut resume = 0;
        for &i in anchors.iter() {
            if i < resume || !self.prefixes.may_start(bytes.get(i..).unwrap_or_default()) {
                continue;
            }
            let mut best: Option<(usize, usize)> = None; // (end, pattern)
            let mut sid = *start_sid;
            for (j, &b) in bytes.get(i..).unwrap_or_default().iter().enumerate() {
                sid = aut.next_state(aho_corasick::Anchored::Yes, sid, b);
                if !aut.is_special(sid) {
                    continue;
                }
                if aut.is_dead(sid) {
                    break;
                }
                if !aut.is_match(sid) {
                    continue;
                }
                let end = i + j + 1;
                for k in 0..aut.match_len(sid) {
                    let pid = aut.match_pattern(sid, k);
                    // Matches of shorter patterns ending here start later.
                    if aut.pattern_len(pid) == end - i && self.passes(text, i, end, pid.as_usize())
                    {
                        best = Some((end, pid.as_usize()));
                    }
                }
            }
            let Some((end, pattern)) = best else {
                continue;
            };
            for (variant, v) in self.variants.get(pattern).into_iter().flatten().enumerate() {
                if variant_passes(v, text, i, end) {
                    hits.push(Hit {
                        start: i,
                        end,
                        pattern,
                        variant,
                    });
                }
            }
            resume = end;
        }
    }

    fn variant(&self, h: &Hit) -> Option<&Variant> {
        self.variants.get(h.pattern)?.get(h.variant)
    }

    /// Whether the hit is an acronym (matched in its exact case).
    pub(super) fn is_acronym(&self, h: &Hit) -> bool {
        self.variant(h).is_some_and(|v| v.exact.is_some())
    }

    pub(super) fn evidence(&self, h: &Hit) -> &Evidence {
        self.variant(h).map_or(&Evidence::Ignore, |v| &v.evidence)
    }

    /// Whether some variant of pattern `pid` accepts `text[start..end]`.
    fn passes(&self, text: &str, start: usize, end: usize, pid: usize) -> bool {
        self.variants
            .get(pid)
            .into_iter()
            .flatten()
            .any(|v| variant_passes(v, text, start, end))
    }
}

/// Whether `variant` accepts `text[start..end]`: the case of an acronym,
/// the word boundary after a pattern that ends with a letter or digit.
fn variant_passes(variant: &Variant, text: &str, start: usize, end: usize) -> bool {
    if let Some(exact) = &variant.exact {
        if text.get(start..end) != Some(exact.as_str()) {
            return false;
        }
    }
    !variant.right || char_at(text, end).is_none_or(|(word, _)| !word)
}

#[cfg(test)]
mod tests {
    use super::super::Taxonomy;

    #[test]
    fn a_longer_pattern_failing_its_boundary_leaves_a_shorter_one() {
        let tax = Taxonomy::builtin();
        let m = &tax.matcher;
        let mut hits = Vec::new();
        let mut starts = Vec::new();
        for text in ["the Blue Heart Campaigns", "the Blue Heart Campaignmore"] {
            m.scan(text, &mut hits, &mut starts);
            let found: Vec<&str> = hits.iter().map(|h| &text[h.start..h.end]).collect();
            assert_eq!(found, ["Blue Heart"], "{text}");
        }
    }
}
