//! Stories in, theme and programme slugs out.
//!
//! This module is responsible for deciding which themes a [`Story`] is
//! about and which programmes it names, by the rules of a [`Taxonomy`]: the
//! shipped `data/taxonomy.toml` (compiled in, [`Taxonomy::builtin`]) or a
//! user's file ([`Taxonomy::load`]). The file's own comments document its
//! format for users. This module reads and checks a taxonomy (every error
//! names `file:line:column`) and fills `Story::themes` and
//! `Story::programmes`. It writes nothing and never panics on any story or
//! any taxonomy text.
//!
//! # Matching
//!
//! Every term, alias and acronym, every ignore phrase and every list word
//! is compiled once, in [`Taxonomy::parse`], into one Aho-Corasick
//! automaton (ASCII case-insensitive; an acronym is then checked for its
//! exact case). The title and each body paragraph are scanned once: a pass
//! over the bytes finds word starts (eight ASCII bytes at a time), a small
//! prefix table rejects most of them, and at the others the automaton runs
//! anchored until nothing more can match. Starting only at word
//! starts gives the word boundary before a match; the one after it is
//! checked at the match's end ("drug" does not match in "drugstore", "CCP"
//! not in "CCPs"; a hyphen, apostrophe or bracket is a boundary). Of the
//! matches starting at one place the longest wins, and a match hides any
//! that start inside it: "United Nations Office on Drugs and Crime" (an
//! ignore phrase) hides "Drugs", "Global Firearms Programme" (a programme
//! alias) hides "firearms".
//!
//! # Programmes
//!
//! A story gets every programme it names, in the title or the body, even in
//! passing.
//!
//! # Themes: what a story is about
//!
//! A theme is given when the story is about it, not when its word appears
//! only in a passing list of mandates ("drugs, organized crime, corruption
//! and terrorism"). The rule, with its numbers in the taxonomy's
//! `[settings]`:
//!
//! 1. **Lists of mandates count for nothing.** In one paragraph (or the
//!    title), matches follow one another as list items when each gap holds
//!    a separator (`,` `/` `&` "and" "or" "as well as"), at most
//!    `list_max_gap_words` other words, and no `.` `!` `?` `:` `;`
//!    (matches separated only by spaces or brackets, as in "Container
//!    Control Programme (CCP)", are one item). `list_words` ("crime", "rule
//!    of law", "civil society", …) can be items without naming a theme. A
//!    run of items naming at least `list_min_items` different things
//!    (themes and list words) is a list: none of its matches counts.
//!    "drugs, crime, corruption, and terrorism" is such a list; "the drug
//!    supply chain and migrant smuggling and trafficking in persons" (three
//!    things) is not.
//! 2. **A theme named in the title is given** (outside a list).
//! 3. **Otherwise the body must dwell on it.** Every match outside a list
//!    counts once for each theme it is a term of; a programme named counts
//!    once per paragraph for each theme it `implies`. A theme is given when
//!    its count reaches its `min_matches` (the theme's own, or the default;
//!    1 when the body is shorter than `short_story_bytes`, as in a
//!    one-paragraph summary) and is at least `min_share` of the largest
//!    count of any theme in the story. So a theme named twice in a long
//!    story about something else is not given.
//!
//! [`Taxonomy::classify`] gives the slugs; [`Taxonomy::classify_all`] fills
//! a corpus on rayon's threads, each reusing its buffers from story to
//! story.
//!
//! # Modules
//!
//! - `taxonomy`: the file's format, reading and checking it, [`TaxonomyError`].
//! - `matcher`: compiling the patterns and finding them in a text (its
//!   `scan` submodule is the word-start scan and the prefix table).
//! - `rules`: from the matches to the themes and programmes given.
//! - `explain`: why a story gets what it gets ([`Taxonomy::explain`]), by
//!   the same counting and rule (`storyfeed explain STORY_ID`).

mod explain;
mod matcher;
mod rules;
mod taxonomy;
#[cfg(test)]
mod tests;

use std::path::Path;

use rayon::prelude::*;

use crate::cache::{self, BuildCache, Classes, Key};
use crate::story::Story;

pub use crate::location::Location;
pub use explain::{Explanation, ProgrammeExplanation, TermCount, ThemeExplanation, ThemeReason};
use matcher::Matcher;
use rules::Scratch;
pub use rules::Verdict;
pub use taxonomy::TaxonomyError;

/// The shipped taxonomy, compiled in.
const BUILTIN: &str = include_str!("../../data/taxonomy.toml");

/// A theme or a programme: what readers see, and what it is matched by.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub slug: String,
    pub name: String,
    pub description: String,
    terms: Vec<String>,
    acronyms: Vec<String>,
    implies: Vec<String>,
    min_matches: Option<usize>,
}

impl Category {
    /// Case-insensitive words and phrases (a theme's `terms`, a
    /// programme's `aliases`).
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// Case-sensitive words.
    pub fn acronyms(&self) -> &[String] {
        &self.acronyms
    }

    /// Theme slugs a programme counts for; empty for themes.
    pub fn implies(&self) -> &[String] {
        &self.implies
    }

    /// A theme's own minimum of body matches, if it overrides the default.
    pub fn min_matches(&self) -> Option<usize> {
        self.min_matches
    }
}

/// The numbers of the "about a theme" rule (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub min_matches: usize,
    pub min_share: f64,
    pub short_story_bytes: usize,
    pub list_min_items: usize,
    pub list_max_gap_words: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_matches: 2,
            min_share: 0.3,
            short_story_bytes: 600,
            list_min_items: 4,
            list_max_gap_words: 5,
        }
    }
}

/// Themes and programmes with their compiled matcher.
///
/// The matcher is built by [`Taxonomy::parse`] and keeps its own copy of
/// the slugs and rules: changing `themes` or `programmes` afterwards changes
/// what is shown, not what is matched.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub themes: Vec<Category>,
    pub programmes: Vec<Category>,
    settings: Settings,
    matcher: Matcher,
    /// xxh3 of the file's text: what the matcher was built from.
    source: Key,
}

impl Taxonomy {
    /// Reads a taxonomy from TOML `text`; `name` (usually the file's path)
    /// prefixes every error's `line:column`.
    pub fn parse(name: &str, text: &str) -> Result<Taxonomy, TaxonomyError> {
        taxonomy::read(name, text)
    }

    /// Reads the taxonomy file at `path`.
    pub fn load(path: &Path) -> Result<Taxonomy, TaxonomyError> {
        let text = std::fs::read_to_string(path).map_err(|source| TaxonomyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Taxonomy::parse(&path.display().to_string(), &text)
    }

    /// The shipped `data/taxonomy.toml`, compiled into the program.
    ///
    /// # Panics
    ///
    /// Only if the compiled-in file were invalid, which a unit test rules out.
    pub fn builtin() -> Taxonomy {
        match Taxonomy::parse("data/taxonomy.toml", BUILTIN) {
            Ok(t) => t,
            Err(e) => panic!("the built-in taxonomy is invalid: {e}"),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A key of the taxonomy file's text: equal text, equal matching.
    pub fn source_key(&self) -> Key {
        self.source
    }

    /// The theme slugs the story is about and the programme slugs it names,
    /// each sorted, without repeats.
    pub fn classify(&self, story: &Story) -> (Vec<String>, Vec<String>) {
        self.classify_with(story, &mut Scratch::default())
    }

    fn classify_with(&self, story: &Story, scratch: &mut Scratch) -> (Vec<String>, Vec<String>) {
        let m = &self.matcher;
        let body_bytes = self.tally(story, scratch);
        let tally = &scratch.tally;
        let themes = m.decide(tally, body_bytes, &self.settings);
        let mut programmes = tally
            .programmes
            .iter()
            .zip(&m.programme_slugs)
            .filter(|(named, _)| **named)
            .map(|(_, slug)| slug.clone())
            .collect::<Vec<_>>();
        programmes.sort_unstable();
        programmes.dedup();
        (themes, programmes)
    }

    /// Leaves the evidence of a story in `scratch.tally`; returns the
    /// length of its body in bytes.
    fn tally(&self, story: &Story, scratch: &mut Scratch) -> usize {
        self.tally_seeing(story, scratch, |_, _, _| {})
    }

    /// `tally`, showing `see` each text (the title, then each paragraph),
    /// whether it is the title, and the scratch holding its hits and which
    /// stood in a list. `explain` watches here; `classify` passes a no-op.
    #[inline]
    fn tally_seeing(
        &self,
        story: &Story,
        scratch: &mut Scratch,
        mut see: impl FnMut(&str, bool, &Scratch),
    ) -> usize {
        let m = &self.matcher;
        scratch
            .tally
            .reset(m.theme_slugs.len(), m.programme_slugs.len());
        m.scan(&story.title, &mut scratch.hits, &mut scratch.anchors);
        m.count(&story.title, true, &self.settings, scratch);
        see(&story.title, true, scratch);
        let mut body_bytes = 0;
        for p in &story.paragraphs {
            body_bytes += p.len();
            m.scan(p, &mut scratch.hits, &mut scratch.anchors);
            m.count(p, false, &self.settings, scratch);
            see(p, false, scratch);
        }
        body_bytes
    }

    /// Sets `themes` and `programmes` of every story.
    pub fn classify_all(&self, stories: &mut [Story]) {
        self.classify_all_cached(stories, &mut BuildCache::default());
    }

    /// `classify_all`, taking the classes of a story whose title and
    /// paragraphs were classified by an earlier build from `cache`, which
    /// is left holding the classes of exactly these stories.
    pub fn classify_all_cached(&self, stories: &mut [Story], cache: &mut BuildCache) {
        // Classification reads the text and the taxonomy, and its rules are code.
        let salt = cache
            .code
            .map(|code| cache::key_of(&("classes", code, self.source)));
        let known = &cache.classes;
        // Stories are independent: each worker reuses its scratch, and the
        // results come back in the stories' order.
        let seen: Vec<Option<(Key, Classes)>> = stories
            .par_iter_mut()
            .map_init(Scratch::default, |scratch, story| {
                let key = salt.map(|salt| cache::text_key(salt, story));
                let classes = match key.and_then(|k| known.get(&k)) {
                    Some(classes) => classes.clone(),
                    None => {
                        let (themes, programmes) = self.classify_with(story, scratch);
                        Classes { themes, programmes }
                    }
                };
                story.themes.clone_from(&classes.themes);
                story.programmes.clone_from(&classes.programmes);
                key.map(|key| (key, classes))
            })
            .collect();
        cache.classes = seen.into_iter().flatten().collect();
    }
}
