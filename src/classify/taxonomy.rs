//! The taxonomy file: its format (`RawFile`, …), reading and checking it
//! into a [`Taxonomy`], and [`TaxonomyError`]. The file's own comments
//! document the format for users.

use std::ops::Range;
use std::path::PathBuf;

use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use super::matcher::{PatternSet, Role};
use super::{Category, Location, Settings, Taxonomy};

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

/// Reads and checks a taxonomy from TOML `text`; `name` prefixes every
/// error's `line:column`.
pub(super) fn read(name: &str, text: &str) -> Result<Taxonomy, TaxonomyError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| TaxonomyError::Syntax {
        location: Location::at(name, text, e.span().map_or(0, |s| s.start)),
        message: e.message().trim_end().to_owned(),
    })?;
    Builder { name, text }.build(raw)
}

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

/// Checks a parsed file and compiles its patterns; `name` and `text` place
/// errors.
pub(super) struct Builder<'a> {
    pub(super) name: &'a str,
    pub(super) text: &'a str,
}

impl Builder<'_> {
    pub(super) fn invalid(&self, span: Range<usize>, message: String) -> TaxonomyError {
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
        let mut matcher = patterns
            .compile(&implied, settings.list_max_gap_words)
            .map_err(|message| TaxonomyError::Matcher {
                name: self.name.to_owned(),
                message,
            })?;
        matcher.theme_slugs = theme_slugs;
        matcher.programme_slugs = programme_slugs;
        matcher.theme_min = theme_min;
        Ok(Taxonomy {
            themes: out_themes,
            programmes: out_programmes,
            source: xxhash_rust::xxh3::xxh3_128(self.text.as_bytes()),
            settings,
            matcher,
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

/// Adding a taxonomy's patterns: a repeated text is one pattern, a text
/// that is both evidence and not is an error of the file.
impl PatternSet {
    pub(super) fn add(
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
    pub(super) fn add_text(
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
}
