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
//! a corpus, one thread per core, each reusing its buffers from story to
//! story.

use std::ops::Range;
use std::path::{Path, PathBuf};

use aho_corasick::automaton::Automaton;
use aho_corasick::MatchKind;
use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::cache::{self, BuildCache, Classes, Key};
use crate::story::Story;

/// The shipped taxonomy, compiled in.
const BUILTIN: &str = include_str!("../data/taxonomy.toml");

pub use crate::location::Location;

/// Why a taxonomy could not be read.
#[derive(Debug, Error)]
pub enum TaxonomyError {
    #[error("cannot read taxonomy {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not TOML, or not the shape of a taxonomy (a missing or unknown key,
    /// a value of the wrong type).
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },
    /// Well-formed, but wrong: a duplicate or malformed slug, a category
    /// with nothing to match, an unknown theme in `implies`, …
    #[error("{location}: {message}")]
    Invalid { location: Location, message: String },
    /// The patterns could not be compiled (far beyond any real taxonomy).
    #[error("{name}: cannot compile the taxonomy's patterns: {message}")]
    Matcher { name: String, message: String },
}

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
        let raw: RawFile = toml::from_str(text).map_err(|e| TaxonomyError::Syntax {
            location: Location::at(name, text, e.span().map_or(0, |s| s.start)),
            message: e.message().trim_end().to_owned(),
        })?;
        Builder { name, text }.build(raw)
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
        let m = &self.matcher;
        scratch
            .tally
            .reset(m.theme_slugs.len(), m.programme_slugs.len());
        m.scan(&story.title, &mut scratch.hits, &mut scratch.anchors);
        m.count(&story.title, true, &self.settings, scratch);
        let mut body_bytes = 0;
        for p in &story.paragraphs {
            body_bytes += p.len();
            m.scan(p, &mut scratch.hits, &mut scratch.anchors);
            m.count(p, false, &self.settings, scratch);
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
        // Stories are independent: one thread per core, each with its scratch.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let chunk = stories.len().div_ceil(threads).max(1);
        let parts: Vec<Vec<(Key, Classes)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = stories
                .chunks_mut(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let mut scratch = Scratch::default();
                        let mut seen = Vec::new();
                        for story in part {
                            let key = salt.map(|salt| cache::text_key(salt, story));
                            let classes = match key.and_then(|k| known.get(&k)) {
                                Some(classes) => classes.clone(),
                                None => {
                                    let (themes, programmes) =
                                        self.classify_with(story, &mut scratch);
                                    Classes { themes, programmes }
                                }
                            };
                            story.themes.clone_from(&classes.themes);
                            story.programmes.clone_from(&classes.programmes);
                            if let Some(key) = key {
                                seen.push((key, classes));
                            }
                        }
                        seen
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        cache.classes = parts.into_iter().flatten().collect();
    }
}

// ------------------------------------------------------------------ file

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    settings: RawSettings,
    #[serde(default)]
    list_words: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default, rename = "theme")]
    themes: Vec<RawTheme>,
    #[serde(default, rename = "programme")]
    programmes: Vec<RawProgramme>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    min_matches: Option<Spanned<i64>>,
    min_share: Option<Spanned<f64>>,
    short_story_bytes: Option<Spanned<i64>>,
    list_min_items: Option<Spanned<i64>>,
    list_max_gap_words: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    slug: Spanned<String>,
    name: Spanned<String>,
    description: Spanned<String>,
    terms: Option<Spanned<Vec<Spanned<String>>>>,
    acronyms: Option<Spanned<Vec<Spanned<String>>>>,
    min_matches: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProgramme {
    slug: Spanned<String>,
    name: Spanned<String>,
    description: Spanned<String>,
    aliases: Option<Spanned<Vec<Spanned<String>>>>,
    acronyms: Option<Spanned<Vec<Spanned<String>>>>,
    implies: Option<Spanned<Vec<Spanned<String>>>>,
}

/// A category's rules, whichever kind it is.
struct Rules {
    terms: Option<Spanned<Vec<Spanned<String>>>>,
    acronyms: Option<Spanned<Vec<Spanned<String>>>>,
    implies: Option<Spanned<Vec<Spanned<String>>>>,
    min_matches: Option<Spanned<i64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Theme,
    Programme,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Theme => "theme",
            Kind::Programme => "programme",
        }
    }

    fn term_noun(self) -> &'static str {
        match self {
            Kind::Theme => "term",
            Kind::Programme => "alias",
        }
    }

    fn terms_key(self) -> &'static str {
        match self {
            Kind::Theme => "terms",
            Kind::Programme => "aliases",
        }
    }
}

struct Builder<'a> {
    name: &'a str,
    text: &'a str,
}

impl Builder<'_> {
    fn invalid(&self, span: Range<usize>, message: String) -> TaxonomyError {
        TaxonomyError::Invalid {
            location: Location::at(self.name, self.text, span.start),
            message,
        }
    }

    fn build(&self, raw: RawFile) -> Result<Taxonomy, TaxonomyError> {
        let settings = self.settings(&raw.settings)?;
        let mut patterns = PatternSet::default();
        for w in &raw.ignore {
            self.check_word(w, "ignore phrase")?;
            patterns.add(self, w, false, Role::Ignore)?;
        }
        for (i, w) in raw.list_words.iter().enumerate() {
            self.check_word(w, "list word")?;
            patterns.add(self, w, false, Role::ListWord(i))?;
        }

        let themes = raw
            .themes
            .into_iter()
            .map(|c| {
                let rules = Rules {
                    terms: c.terms,
                    acronyms: c.acronyms,
                    implies: None,
                    min_matches: c.min_matches,
                };
                (c.slug, c.name, c.description, rules)
            })
            .collect::<Vec<_>>();
        let programmes = raw
            .programmes
            .into_iter()
            .map(|c| {
                let rules = Rules {
                    terms: c.aliases,
                    acronyms: c.acronyms,
                    implies: c.implies,
                    min_matches: None,
                };
                (c.slug, c.name, c.description, rules)
            })
            .collect::<Vec<_>>();

        // Slugs first, so `implies` can name a theme defined further down.
        let mut seen: Vec<&str> = Vec::new();
        for (slug, ..) in themes.iter().chain(&programmes) {
            self.check_slug(slug)?;
            if seen.contains(&slug.get_ref().as_str()) {
                return Err(
                    self.invalid(slug.span(), format!("duplicate slug `{}`", slug.get_ref()))
                );
            }
            seen.push(slug.get_ref());
        }
        let theme_slugs: Vec<String> = themes.iter().map(|t| t.0.get_ref().clone()).collect();
        let programme_slugs: Vec<String> =
            programmes.iter().map(|p| p.0.get_ref().clone()).collect();

        let mut out_themes = Vec::new();
        for (i, (slug, name, description, rules)) in themes.into_iter().enumerate() {
            let category =
                self.category(Kind::Theme, slug, name, description, rules, &theme_slugs)?;
            for (t, span) in category.0.terms.iter().zip(&category.1) {
                patterns.add_text(self, t, span.clone(), false, Role::theme(i))?;
            }
            for (a, span) in category.0.acronyms.iter().zip(&category.2) {
                patterns.add_text(self, a, span.clone(), true, Role::theme(i))?;
            }
            out_themes.push(category.0);
        }
        let mut out_programmes = Vec::new();
        let mut implied: Vec<Vec<usize>> = Vec::new();
        for (i, (slug, name, description, rules)) in programmes.into_iter().enumerate() {
            let category = self.category(
                Kind::Programme,
                slug,
                name,
                description,
                rules,
                &theme_slugs,
            )?;
            for (t, span) in category.0.terms.iter().zip(&category.1) {
                patterns.add_text(self, t, span.clone(), false, Role::programme(i))?;
            }
            for (a, span) in category.0.acronyms.iter().zip(&category.2) {
                patterns.add_text(self, a, span.clone(), true, Role::programme(i))?;
            }
            implied.push(
                category
                    .0
                    .implies
                    .iter()
                    .filter_map(|s| theme_slugs.iter().position(|t| t == s))
                    .collect(),
            );
            out_programmes.push(category.0);
        }

        let theme_min = out_themes
            .iter()
            .map(|t| t.min_matches.unwrap_or(settings.min_matches))
            .collect();
        let matcher = patterns
            .compile(&implied, settings.list_max_gap_words)
            .map_err(|message| TaxonomyError::Matcher {
                name: self.name.to_owned(),
                message,
            })?;
        Ok(Taxonomy {
            themes: out_themes,
            programmes: out_programmes,
            source: xxhash_rust::xxh3::xxh3_128(self.text.as_bytes()),
            settings,
            matcher: Matcher {
                theme_slugs,
                programme_slugs,
                theme_min,
                ..matcher
            },
        })
    }

    fn settings(&self, raw: &RawSettings) -> Result<Settings, TaxonomyError> {
        let d = Settings::default();
        let int = |v: &Option<Spanned<i64>>, min: i64, default: usize| match v {
            None => Ok(default),
            Some(v) => usize::try_from(*v.get_ref())
                .ok()
                .filter(|n| *n as i64 >= min && *n <= 1_000_000_000)
                .ok_or_else(|| {
                    self.invalid(
                        v.span(),
                        format!("must be a whole number of at least {min}"),
                    )
                }),
        };
        let min_share = match &raw.min_share {
            None => d.min_share,
            Some(v) if (0.0..=1.0).contains(v.get_ref()) => *v.get_ref(),
            Some(v) => return Err(self.invalid(v.span(), "must be between 0.0 and 1.0".to_owned())),
        };
        Ok(Settings {
            min_matches: int(&raw.min_matches, 1, d.min_matches)?,
            min_share,
            short_story_bytes: int(&raw.short_story_bytes, 0, d.short_story_bytes)?,
            list_min_items: int(&raw.list_min_items, 2, d.list_min_items)?,
            list_max_gap_words: int(&raw.list_max_gap_words, 0, d.list_max_gap_words)?,
        })
    }

    fn check_slug(&self, slug: &Spanned<String>) -> Result<(), TaxonomyError> {
        let s = slug.get_ref();
        let ok = !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(())
        } else {
            Err(self.invalid(
                slug.span(),
                format!(
                    "bad slug {s:?}: use lower-case ASCII letters, digits and single hyphens \
                     inside (e.g. \"wildlife-forest-crime\")"
                ),
            ))
        }
    }

    fn check_word(&self, w: &Spanned<String>, what: &str) -> Result<(), TaxonomyError> {
        let s = w.get_ref();
        if s.trim().is_empty() {
            return Err(self.invalid(w.span(), format!("empty {what}")));
        }
        if s.trim() != s {
            return Err(self.invalid(
                w.span(),
                format!("{what} {s:?} starts or ends with a space"),
            ));
        }
        Ok(())
    }

    fn check_text(&self, v: &Spanned<String>, what: &str) -> Result<String, TaxonomyError> {
        let s = v.get_ref().trim();
        if s.is_empty() {
            return Err(self.invalid(v.span(), format!("empty {what}")));
        }
        Ok(s.to_owned())
    }

    /// Checks one category; returns it with the spans of its terms and
    /// acronyms (for errors found later, such as a clash with another
    /// category's pattern).
    #[allow(clippy::type_complexity)]
    fn category(
        &self,
        kind: Kind,
        slug: Spanned<String>,
        name: Spanned<String>,
        description: Spanned<String>,
        rules: Rules,
        theme_slugs: &[String],
    ) -> Result<(Category, Vec<Range<usize>>, Vec<Range<usize>>), TaxonomyError> {
        let name = self.check_text(&name, "name")?;
        let description = self.check_text(&description, "description")?;
        let list = |v: &Option<Spanned<Vec<Spanned<String>>>>,
                    what: &str|
         -> Result<(Vec<String>, Vec<Range<usize>>), TaxonomyError> {
            let mut words = Vec::new();
            let mut spans = Vec::new();
            for w in v.iter().flat_map(|l| l.get_ref()) {
                self.check_word(w, what)?;
                if !words.contains(w.get_ref()) {
                    words.push(w.get_ref().clone());
                    spans.push(w.span());
                }
            }
            Ok((words, spans))
        };
        let (terms, term_spans) = list(&rules.terms, kind.term_noun())?;
        let (acronyms, acronym_spans) = list(&rules.acronyms, "acronym")?;
        if terms.is_empty() && acronyms.is_empty() {
            let span = rules
                .terms
                .as_ref()
                .or(rules.acronyms.as_ref())
                .map_or(slug.span(), Spanned::span);
            return Err(self.invalid(
                span,
                format!(
                    "{} `{}` has no {} or acronyms to match",
                    kind.noun(),
                    slug.get_ref(),
                    kind.terms_key()
                ),
            ));
        }
        let mut implies = Vec::new();
        for s in rules.implies.iter().flat_map(|l| l.get_ref()) {
            if !theme_slugs.contains(s.get_ref()) {
                return Err(self.invalid(
                    s.span(),
                    format!("unknown theme `{}` in implies", s.get_ref()),
                ));
            }
            if !implies.contains(s.get_ref()) {
                implies.push(s.get_ref().clone());
            }
        }
        let min_matches = match &rules.min_matches {
            None => None,
            Some(v) => Some(
                usize::try_from(*v.get_ref())
                    .ok()
                    .filter(|n| (1..=1_000_000_000).contains(n))
                    .ok_or_else(|| {
                        self.invalid(v.span(), "must be a whole number of at least 1".to_owned())
                    })?,
            ),
        };
        Ok((
            Category {
                slug: slug.into_inner(),
                name,
                description,
                terms,
                acronyms,
                implies,
                min_matches,
            },
            term_spans,
            acronym_spans,
        ))
    }
}

// --------------------------------------------------------------- patterns

/// What a pattern is evidence of.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
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
    fn theme(i: usize) -> Self {
        Role::Names {
            themes: vec![i],
            programmes: Vec::new(),
        }
    }

    fn programme(i: usize) -> Self {
        Role::Names {
            themes: Vec::new(),
            programmes: vec![i],
        }
    }
}

#[derive(Debug, Default)]
struct PatternSet {
    /// (text, role, span of its first definition), case-insensitive.
    insensitive: Vec<(String, Role, Range<usize>)>,
    sensitive: Vec<(String, Role, Range<usize>)>,
}

impl PatternSet {
    fn add(
        &mut self,
        b: &Builder<'_>,
        w: &Spanned<String>,
        case_sensitive: bool,
        role: Role,
    ) -> Result<(), TaxonomyError> {
        self.add_text(b, w.get_ref(), w.span(), case_sensitive, role)
    }

    /// Adds `text`, defined at `span`; the same text twice (in its case
    /// sensitivity) is one pattern naming everything either names.
    fn add_text(
        &mut self,
        b: &Builder<'_>,
        text: &str,
        span: Range<usize>,
        case_sensitive: bool,
        role: Role,
    ) -> Result<(), TaxonomyError> {
        let list = if case_sensitive {
            &mut self.sensitive
        } else {
            &mut self.insensitive
        };
        let same = |a: &str| {
            if case_sensitive {
                a == text
            } else {
                a.eq_ignore_ascii_case(text)
            }
        };
        let Some(existing) = list.iter_mut().find(|(t, ..)| same(t)) else {
            list.push((text.to_owned(), role, span));
            return Ok(());
        };
        match (&mut existing.1, role) {
            (
                Role::Names { themes, programmes },
                Role::Names {
                    themes: t,
                    programmes: p,
                },
            ) => {
                for i in t {
                    if !themes.contains(&i) {
                        themes.push(i);
                    }
                }
                for i in p {
                    if !programmes.contains(&i) {
                        programmes.push(i);
                    }
                }
                Ok(())
            }
            (Role::ListWord(_), Role::ListWord(_)) | (Role::Ignore, Role::Ignore) => Ok(()),
            _ => {
                let first = Location::at(b.name, b.text, existing.2.start);
                Err(b.invalid(
                    span,
                    format!(
                        "{text:?} is already an ignore phrase or list word (at {first}); \
                         a phrase cannot be both evidence and not"
                    ),
                ))
            }
        }
    }

    /// One automaton for everything: patterns are grouped by their ASCII
    /// lower-case text; an acronym is a variant that also checks case.
    fn compile(self, implied: &[Vec<usize>], max_gap_words: usize) -> Result<Matcher, String> {
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
        let mut byte_class = [0u8; 256];
        for (b, class) in byte_class.iter_mut().enumerate() {
            if b >= 0x80 {
                *class |= NON_ASCII;
            } else if ASCII_WORD[b] {
                *class |= WORD;
            }
            if other_starts[b] {
                *class |= OTHER_START;
            }
        }
        Ok(Matcher {
            automaton,
            variants,
            byte_class,
            other_start_patterns: other_starts.contains(&true),
            prefixes,
            max_gap_words,
            theme_slugs: Vec::new(),
            programme_slugs: Vec::new(),
            theme_min: Vec::new(),
        })
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// What a match is evidence of, as the matcher uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Evidence {
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

// ---------------------------------------------------------------- matching

#[derive(Debug, Clone)]
struct Matcher {
    /// The automaton (ASCII case-insensitive, searched anchored) and its
    /// anchored start state. A contiguous NFA: compact, so the states a
    /// search visits stay in cache.
    automaton: Option<(
        aho_corasick::nfa::contiguous::NFA,
        aho_corasick::automaton::StateID,
    )>,
    /// By pattern id.
    variants: Vec<Vec<Variant>>,
    /// `WORD`, `NON_ASCII`, `OTHER_START` flags of each byte.
    byte_class: [u8; 256],
    /// Whether some pattern begins with neither a letter nor a digit.
    other_start_patterns: bool,
    /// Which first bytes a pattern can begin with: most words are
    /// rejected here, in a table small enough to stay in cache.
    prefixes: Prefixes,
    max_gap_words: usize,
    theme_slugs: Vec<String>,
    programme_slugs: Vec<String>,
    theme_min: Vec<usize>,
}

/// One match kept after boundaries and overlaps: `text[start..end]` is
/// variant `variant` of pattern `pattern`.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    pattern: usize,
    variant: usize,
}

/// A story's evidence so far.
#[derive(Debug, Default)]
struct Tally {
    /// Named in the title, outside a list.
    title: Vec<bool>,
    /// Body matches outside lists.
    body: Vec<usize>,
    programmes: Vec<bool>,
}

impl Tally {
    fn reset(&mut self, themes: usize, programmes: usize) {
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
struct Scratch {
    tally: Tally,
    hits: Vec<Hit>,
    /// Where searches start in the text being scanned.
    anchors: Vec<usize>,
    members: Vec<Member>,
    in_list: Vec<bool>,
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

/// The first bytes of every pattern, folded (`| 0x20` on each byte, which
/// maps ASCII upper case to lower case), in bit sets small enough to stay
/// in cache: most words are rejected here without running the automaton.
/// Patterns of four bytes or more are known by their first four bytes,
/// shorter ones by all their bytes; a position passes if its next bytes
/// could begin some pattern.
#[derive(Debug, Clone)]
struct Prefixes {
    /// By pattern length 1, 2, 3, and 4 or more.
    sets: [Vec<u64>; 4],
    /// Whether a position with four bytes ahead must look in the set of
    /// that length too. A three-byte pattern ending in a letter or digit
    /// needs none: it is also in the four-byte set, followed by every
    /// byte that can follow it on a word boundary.
    also: [bool; 3],
}

impl Default for Prefixes {
    fn default() -> Self {
        Prefixes {
            sets: std::array::from_fn(|_| vec![0; PREFIX_BITS / 64]),
            also: [false; 3],
        }
    }
}

const PREFIX_BITS: usize = 1 << 16;

impl Prefixes {
    /// The folded little-endian key of up to four bytes.
    fn key(bytes: &[u8]) -> u32 {
        let mut key = 0;
        for (i, b) in bytes.iter().take(4).enumerate() {
            key |= u32::from(b | 0x20) << (8 * i);
        }
        key
    }

    fn bit(key: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B1) >> 16) as usize
    }

    fn set(&mut self, len: usize, key: u32) {
        let bit = Self::bit(key);
        if let Some(w) = self.sets.get_mut(len).and_then(|s| s.get_mut(bit / 64)) {
            *w |= 1 << (bit % 64);
        }
    }

    fn add(&mut self, pattern: &[u8]) {
        let Some(len) = pattern.len().checked_sub(1) else {
            return;
        };
        let len = len.min(3);
        self.set(len, Self::key(pattern));
        match (len, pattern.last()) {
            (3, _) => {}
            (2, Some(&last)) if ASCII_WORD.get(usize::from(last)) == Some(&true) => {
                // Not a letter, digit or `_`, or the lead byte of a
                // character that may be none.
                let next = (0u8..0x80)
                    .filter(|b| !ASCII_WORD[usize::from(*b)])
                    .chain(0xC0..=0xFF);
                for b in next {
                    self.set(3, Self::key(&[pattern[0], pattern[1], pattern[2], b]));
                }
            }
            (len, _) => self.also[len] = true,
        }
    }

    fn has(&self, len: usize, key: u32) -> bool {
        let bit = Self::bit(key);
        self.sets
            .get(len)
            .and_then(|s| s.get(bit / 64))
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }

    /// Whether some pattern may start at the beginning of `text`.
    #[inline]
    fn may_start(&self, text: &[u8]) -> bool {
        if let Some(&[a, b, c, d]) = text.get(..4) {
            let key = u32::from_le_bytes([a, b, c, d]) | 0x2020_2020;
            return self.has(3, key)
                || (self.also[2] && self.has(2, key & 0x00FF_FFFF))
                || (self.also[1] && self.has(1, key & 0xFFFF))
                || (self.also[0] && self.has(0, key & 0xFF));
        }
        // Near the end of the text: every shorter length.
        let key = Self::key(text);
        (1..=text.len().min(3)).any(|n| self.has(n - 1, key & (u32::MAX >> (32 - 8 * n))))
    }
}

/// Byte classes: a letter, digit or `_`; part of a non-ASCII character;
/// the first byte of a pattern that starts with neither.
const WORD: u8 = 1;
const NON_ASCII: u8 = 2;
const OTHER_START: u8 = 4;

const ONES: u64 = 0x0101_0101_0101_0101;

/// 0x80 in each byte of `v` (all ASCII) that is in `lo..=hi`.
fn ascii_in_range(v: u64, lo: u8, hi: u8) -> u64 {
    let at_least_lo = v.wrapping_add(ONES * u64::from(0x80 - lo));
    let above_hi = v.wrapping_add(ONES * u64::from(0x7F - hi));
    at_least_lo & !above_hi & (ONES * 0x80)
}

/// Bit `i` set if byte `i` of `x` (eight ASCII bytes, little-endian) is a
/// letter, digit or `_`.
fn ascii_word_mask(x: u64) -> u32 {
    let folded = x | (ONES * 0x20);
    let w = ascii_in_range(folded, b'a', b'z')
        | ascii_in_range(x, b'0', b'9')
        | ascii_in_range(x, b'_', b'_');
    ((w >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// Whether each ASCII byte is a letter, digit or `_`.
const ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

/// Whether the character starting at byte `i` is a word character, and
/// its length; `None` past the end.
fn char_at(text: &str, i: usize) -> Option<(bool, usize)> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        return Some((ASCII_WORD[usize::from(b)], 1));
    }
    let c = text.get(i..)?.chars().next()?;
    Some((is_word_char(c), c.len_utf8()))
}

impl Matcher {
    /// The matches of `text` on word boundaries, leftmost-longest, without
    /// overlaps; replaces the content of `hits`.
    ///
    /// One pass over the bytes finds where searches start
    /// ([`Matcher::find_starts`]). Then at each start that the prefix
    /// table allows, the automaton runs anchored until it can match
    /// nothing more; the longest match that ends on a word boundary (and
    /// has the case an acronym needs) is kept, and starts inside it are
    /// skipped.
    fn scan(&self, text: &str, hits: &mut Vec<Hit>, anchors: &mut Vec<usize>) {
        hits.clear();
        let Some((aut, start_sid)) = &self.automaton else {
            return;
        };
        let bytes = text.as_bytes();
        self.find_starts(text, anchors);
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

    /// Where searches start: word starts, and (if some pattern begins
    /// with neither a letter nor a digit) every byte that can begin one.
    /// Eight ASCII bytes at a time where it can.
    fn find_starts(&self, text: &str, starts: &mut Vec<usize>) {
        starts.clear();
        let bytes = text.as_bytes();
        let mut prev: u32 = 0; // the last character seen is a word character
        let mut i = 0;
        while i < bytes.len() {
            if !self.other_start_patterns {
                if let Some(chunk) = bytes.get(i..i + 8) {
                    let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0x80; 8]));
                    if x & (ONES * 0x80) == 0 {
                        let w = ascii_word_mask(x);
                        let mut new = w & !((w << 1) | prev);
                        while new != 0 {
                            starts.push(i + new.trailing_zeros() as usize);
                            new &= new - 1;
                        }
                        prev = (w >> 7) & 1;
                        i += 8;
                        continue;
                    }
                }
            }
            let b = bytes[i];
            let class = self.byte_class[usize::from(b)];
            let word = if class & NON_ASCII == 0 {
                u32::from(class & WORD)
            } else if b < 0xC0 {
                // A continuation byte: the character's lead byte decided.
                i += 1;
                continue;
            } else {
                let c = text.get(i..).and_then(|s| s.chars().next());
                u32::from(c.is_some_and(is_word_char))
            };
            if word & !prev != 0 || class & OTHER_START != 0 {
                starts.push(i);
            }
            prev = word;
            i += 1;
        }
    }

    fn variant(&self, h: &Hit) -> Option<&Variant> {
        self.variants.get(h.pattern)?.get(h.variant)
    }

    fn evidence(&self, h: &Hit) -> &Evidence {
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

    /// Adds the evidence of one scanned text (the title or a paragraph) to
    /// `tally`; leaves in `s.in_list` which hits stood in a list.
    fn count(&self, text: &str, title: bool, settings: &Settings, s: &mut Scratch) {
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
    fn decide(&self, tally: &Tally, body_bytes: usize, settings: &Settings) -> Vec<String> {
        let strongest = tally.body.iter().copied().max().unwrap_or(0);
        let short = body_bytes < settings.short_story_bytes;
        let mut out: Vec<String> = (0..self.theme_slugs.len())
            .filter(|&t| {
                let in_title = tally.title.get(t).copied().unwrap_or(false);
                let body = tally.body.get(t).copied().unwrap_or(0);
                let min = if short {
                    1
                } else {
                    self.theme_min
                        .get(t)
                        .copied()
                        .unwrap_or(settings.min_matches)
                };
                in_title || (body >= min && body as f64 >= settings.min_share * strongest as f64)
            })
            .filter_map(|t| self.theme_slugs.get(t).cloned())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
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
    fn the_builtin_taxonomy_parses() {
        let t = Taxonomy::parse("data/taxonomy.toml", BUILTIN).unwrap();
        assert!(t.themes.len() >= 14);
        assert!(t.programmes.len() >= 10);
    }

    /// Word starts the slow, obvious way.
    fn naive_starts(text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let mut prev = false;
        for (i, c) in text.char_indices() {
            let w = is_word_char(c);
            if w && !prev {
                out.push(i);
            }
            prev = w;
        }
        out
    }

    #[test]
    fn word_starts_eight_bytes_at_a_time_match_the_obvious_way() {
        let m = &Taxonomy::builtin().matcher;
        let pieces = [
            "a", "Bc", "_", " ", "-", "’", "é", "Ω", "9", "x.y", "“", "ĳ", "\u{301}", "\u{a0}",
            "AIRCOP", "  ", "z", "€", "日本",
        ];
        // A deterministic walk through many joins of the pieces.
        let mut seed: u64 = 1;
        let mut starts = Vec::new();
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(seed % 40) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            m.find_starts(&text, &mut starts);
            assert_eq!(starts, naive_starts(&text), "{text:?}");
        }
    }

    #[test]
    fn ascii_word_mask_marks_letters_digits_and_underscores() {
        for b in 0u8..0x80 {
            let x = u64::from_le_bytes([b' ', b, b' ', b' ', b' ', b' ', b' ', b]);
            let expect = ASCII_WORD[usize::from(b)];
            assert_eq!(ascii_word_mask(x), if expect { 0x82 } else { 0 }, "{b:#x}");
        }
    }

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

    /// Why stories get what they get, for tuning the taxonomy:
    /// `STORY=unodc-stories-2020.txt:47,… cargo test --release --lib
    /// classify::tests::explain -- --ignored --nocapture` (all stories
    /// without `STORY`). `~` marks a match that stood in a list.
    #[test]
    #[ignore = "a tool, not a test"]
    fn explain() {
        let tax = Taxonomy::builtin();
        let want = std::env::var("STORY").unwrap_or_default();
        let mut files: Vec<_> = std::fs::read_dir("data/archives")
            .unwrap()
            .map(|f| f.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let parsed = crate::parse::parse_file(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            for s in &parsed.stories {
                let id = format!("{name}:{}", s.sources[0].line);
                if !want.is_empty() && !want.split(',').any(|w| w == id) {
                    continue;
                }
                let mut sc = Scratch::default();
                let bytes = tax.tally(s, &mut sc);
                let (themes, programmes) = tax.classify(s);
                println!("{id} {} ({bytes} bytes)", s.title);
                println!("  -> {themes:?} {programmes:?}");
                for (i, slug) in tax.matcher.theme_slugs.iter().enumerate() {
                    let (title, body) = (sc.tally.title[i], sc.tally.body[i]);
                    if title || body > 0 {
                        println!("     {slug}: title {title} body {body}");
                    }
                }
                for text in std::iter::once(&s.title).chain(&s.paragraphs) {
                    let mut sc = Scratch::default();
                    sc.tally.reset(tax.themes.len(), tax.programmes.len());
                    tax.matcher.scan(text, &mut sc.hits, &mut sc.anchors);
                    tax.matcher.count(text, false, &tax.settings, &mut sc);
                    let shown: Vec<String> = sc
                        .hits
                        .iter()
                        .zip(&sc.in_list)
                        .map(|(h, l)| {
                            format!("{}{}", if *l { "~" } else { "" }, &text[h.start..h.end])
                        })
                        .collect();
                    if !shown.is_empty() {
                        println!("     | {}", shown.join(" | "));
                    }
                }
            }
        }
    }

    /// `cargo test --release --lib classify::tests::throughput -- --ignored --nocapture`
    #[test]
    #[ignore = "a measurement, not a test"]
    fn throughput() {
        let tax = Taxonomy::builtin();
        let corpus =
            crate::parse::parse_paths(&[std::path::PathBuf::from("data/archives")]).unwrap();
        let reps = 300;
        let bytes: usize = corpus
            .stories
            .iter()
            .map(|s| s.title.len() + s.paragraphs.iter().map(String::len).sum::<usize>())
            .sum::<usize>()
            * reps;
        let mut stories: Vec<Story> = Vec::new();
        for _ in 0..reps {
            stories.extend(corpus.stories.iter().cloned());
        }
        for round in 0..3 {
            let t = std::time::Instant::now();
            let mut scratch = Scratch::default();
            for story in &stories {
                std::hint::black_box(tax.classify_with(story, &mut scratch));
            }
            let one = t.elapsed().as_secs_f64();
            let t = std::time::Instant::now();
            tax.classify_all(&mut stories);
            let all = t.elapsed().as_secs_f64();
            println!(
                "round {round}: {} stories, {:.1} MB: one thread {one:.2} s, {:.0} MB/s; \
                 classify_all {all:.2} s, {:.0} MB/s",
                stories.len(),
                bytes as f64 / 1e6,
                bytes as f64 / 1e6 / one,
                bytes as f64 / 1e6 / all
            );
        }
    }
}
