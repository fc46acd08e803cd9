//! Why a story has its themes and programmes: every term that matched
//! (where, how often, in a list of mandates or not) and the rule that gave
//! each theme, or the reason it was not given.
//!
//! [`Taxonomy::explain`] runs the very tally and verdict that
//! [`Taxonomy::classify`] runs, watching each text as it is counted, so
//! the two cannot disagree; `classify` itself is unchanged.

use std::fmt;

use super::matcher::Evidence;
use super::rules::Scratch;
use super::{Taxonomy, Verdict};
use crate::story::Story;

/// One term's matches in a story, grouped by what they counted as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermCount {
    /// As matched: lower case, or as written for an acronym.
    pub term: String,
    pub acronym: bool,
    pub in_title: bool,
    /// It stood in a list of mandates, and so counted for nothing.
    pub in_list: bool,
    /// For a theme implied by a programme: the programme the term named.
    pub via: Option<String>,
    pub count: usize,
}

/// Why a theme was given or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThemeReason {
    /// Named in the title, outside a list.
    Title,
    /// The body dwells on it.
    Body,
    /// The body dwells on it, but only through programmes that imply it.
    Implied { programmes: Vec<String> },
    /// Not given: every match stood in a list of mandates.
    OnlyInLists,
    /// Not given: fewer body matches than `min_matches`.
    BelowMinMatches,
    /// Not given: fewer than `min_share` of the strongest theme's matches.
    BelowMinShare,
}

/// One theme that matched something in the story.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeExplanation {
    pub slug: String,
    /// The rule's answer, with the counts it compared.
    pub verdict: Verdict,
    pub reason: ThemeReason,
    pub terms: Vec<TermCount>,
    /// The taxonomy's `min_share`, for the reason's wording.
    pub min_share: f64,
    /// The body was shorter than `short_story_bytes` (one match is enough).
    pub short: bool,
}

impl ThemeExplanation {
    pub fn is_given(&self) -> bool {
        self.verdict.is_given()
    }
}

/// One programme the story names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeExplanation {
    pub slug: String,
    pub terms: Vec<TermCount>,
}

/// Why a story has its themes and programmes ([`Taxonomy::explain`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Every theme with a match, given or not: given ones first, each
    /// group by slug.
    pub themes: Vec<ThemeExplanation>,
    /// The programmes named, by slug.
    pub programmes: Vec<ProgrammeExplanation>,
    pub body_bytes: usize,
}

impl Explanation {
    /// The themes given, sorted: what `classify` gives.
    pub fn given_themes(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .themes
            .iter()
            .filter(|t| t.is_given())
            .map(|t| t.slug.clone())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The programmes named, sorted: what `classify` gives.
    pub fn given_programmes(&self) -> Vec<String> {
        let mut out: Vec<String> = self.programmes.iter().map(|p| p.slug.clone()).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Taxonomy {
    /// Why `story` gets the themes and programmes `classify` gives it.
    pub fn explain(&self, story: &Story) -> Explanation {
        let m = &self.matcher;
        let mut theme_terms: Vec<Vec<TermCount>> = vec![Vec::new(); m.theme_slugs.len()];
        let mut programme_terms: Vec<Vec<TermCount>> = vec![Vec::new(); m.programme_slugs.len()];
        let mut scratch = Scratch::default();
        let body_bytes = self.tally_seeing(story, &mut scratch, |text, in_title, s| {
            for (h, &in_list) in s.hits.iter().zip(&s.in_list) {
                let Evidence::Names {
                    themes,
                    implied,
                    programmes,
                } = m.evidence(h)
                else {
                    continue;
                };
                let acronym = m.is_acronym(h);
                let matched = text.get(h.start..h.end).unwrap_or_default();
                let term = if acronym {
                    matched.to_owned()
                } else {
                    matched.to_lowercase()
                };
                let found = |via: Option<String>| TermCount {
                    term: term.clone(),
                    acronym,
                    in_title,
                    in_list,
                    via,
                    count: 1,
                };
                for &p in programmes {
                    if let Some(terms) = programme_terms.get_mut(p) {
                        add(terms, found(None));
                    }
                }
                for &t in themes {
                    if let Some(terms) = theme_terms.get_mut(t) {
                        add(terms, found(None));
                    }
                }
                for &t in implied {
                    let via = self.implier(programmes, t);
                    if let Some(terms) = theme_terms.get_mut(t) {
                        add(terms, found(via));
                    }
                }
            }
        });
        let tally = &scratch.tally;
        let strongest = tally.body.iter().copied().max().unwrap_or(0);
        let short = body_bytes < self.settings.short_story_bytes;
        let mut themes: Vec<ThemeExplanation> = Vec::new();
        for (t, terms) in theme_terms.into_iter().enumerate() {
            let in_title = tally.title.get(t).copied().unwrap_or(false);
            let count = tally.body.get(t).copied().unwrap_or(0);
            let verdict = m.verdict(t, tally, short, strongest, &self.settings);
            if terms.is_empty() && !in_title && count == 0 && !verdict.is_given() {
                continue;
            }
            let counted = || terms.iter().filter(|c| !c.in_list && !c.in_title);
            let reason = match verdict {
                Verdict::Title => ThemeReason::Title,
                Verdict::Body { .. } if counted().all(|c| c.via.is_some()) => {
                    let mut programmes: Vec<String> =
                        counted().filter_map(|c| c.via.clone()).collect();
                    programmes.sort_unstable();
                    programmes.dedup();
                    ThemeReason::Implied { programmes }
                }
                Verdict::Body { .. } => ThemeReason::Body,
                _ if terms.iter().all(|c| c.in_list) => ThemeReason::OnlyInLists,
                Verdict::TooFew { .. } => ThemeReason::BelowMinMatches,
                Verdict::SmallShare { .. } => ThemeReason::BelowMinShare,
            };
            themes.push(ThemeExplanation {
                slug: m.theme_slugs.get(t).cloned().unwrap_or_default(),
                verdict,
                reason,
                terms,
                min_share: self.settings.min_share,
                short,
            });
        }
        themes.sort_by(|a, b| (!a.is_given(), &a.slug).cmp(&(!b.is_given(), &b.slug)));
        let mut programmes: Vec<ProgrammeExplanation> = programme_terms
            .into_iter()
            .zip(&tally.programmes)
            .enumerate()
            .filter(|(_, (_, named))| **named)
            .map(|(p, (terms, _))| ProgrammeExplanation {
                slug: m.programme_slugs.get(p).cloned().unwrap_or_default(),
                terms,
            })
            .collect();
        programmes.sort_by(|a, b| a.slug.cmp(&b.slug));
        Explanation {
            themes,
            programmes,
            body_bytes,
        }
    }

    /// The first of the matcher's `programmes` whose entry implies theme
    /// `t` (by the shown categories: see [`Taxonomy`]).
    fn implier(&self, programmes: &[usize], t: usize) -> Option<String> {
        let m = &self.matcher;
        let theme = m.theme_slugs.get(t)?;
        let slugs = programmes.iter().filter_map(|&p| m.programme_slugs.get(p));
        let mut first = None;
        for slug in slugs {
            first.get_or_insert(slug);
            let implies = self
                .programmes
                .iter()
                .find(|c| &c.slug == slug)
                .is_some_and(|c| c.implies.contains(theme));
            if implies {
                return Some(slug.clone());
            }
        }
        first.cloned()
    }
}

/// Adds one match to the term's group, or starts the group.
fn add(terms: &mut Vec<TermCount>, found: TermCount) {
    let same = |c: &&mut TermCount| {
        c.term == found.term
            && c.acronym == found.acronym
            && c.in_title == found.in_title
            && c.in_list == found.in_list
            && c.via == found.via
    };
    match terms.iter_mut().find(same) {
        Some(c) => c.count += 1,
        None => terms.push(found),
    }
}

impl fmt::Display for TermCount {
    /// `'cocaine' 2× in the body`, `'CCP' (acronym) 1× in the title, in a
    /// list`, `'CCP' (acronym) 1× in the body, via programme …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}'", self.term)?;
        if self.acronym {
            f.write_str(" (acronym)")?;
        }
        let place = if self.in_title { "title" } else { "body" };
        write!(f, " {}× in the {place}", self.count)?;
        if self.in_list {
            f.write_str(", in a list")?;
        }
        if let Some(p) = &self.via {
            write!(f, ", via programme {p}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ThemeExplanation {
    /// One line: the verdict, the rule or the reason, the terms (with
    /// `{:#}`, a line each).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "theme {}: ", self.slug)?;
        let needed = |min: usize| {
            if self.short {
                format!("{min} needed in a short story")
            } else {
                format!("{min} needed")
            }
        };
        match (&self.reason, self.verdict) {
            (ThemeReason::Title, _) => {
                f.write_str("given by rule `title` (named in the title, outside a list)")?
            }
            (ThemeReason::Implied { programmes }, Verdict::Body { count, min }) => write!(
                f,
                "given by rule `body`, implied by programme {} ({count} counted, {})",
                programmes.join(", programme "),
                needed(min)
            )?,
            (_, Verdict::Body { count, min }) => write!(
                f,
                "given by rule `body` ({count} counted in the body, {})",
                needed(min)
            )?,
            (ThemeReason::OnlyInLists, _) => {
                f.write_str("not given, mentioned only in a list of mandates")?
            }
            (_, Verdict::TooFew { count, min }) => write!(
                f,
                "not given, below min_matches ({count} counted in the body, {})",
                needed(min)
            )?,
            (_, Verdict::SmallShare { count, strongest }) => write!(
                f,
                "not given, below min_share ({count} counted in the body, under {}% of the {strongest} of the strongest theme)",
                (self.min_share * 100.0).round()
            )?,
            (_, Verdict::Title) => f.write_str("given by rule `title`")?,
        }
        write_terms(f, &self.terms)
    }
}

impl fmt::Display for ProgrammeExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "programme {}: named", self.slug)?;
        write_terms(f, &self.terms)
    }
}

/// The terms after the verdict: `: a; b` on one line, or with `{:#}` one
/// a line below it, indented.
fn write_terms(f: &mut fmt::Formatter<'_>, terms: &[TermCount]) -> fmt::Result {
    for (i, t) in terms.iter().enumerate() {
        let sep = match (f.alternate(), i) {
            (true, _) => "\n    ",
            (false, 0) => ": ",
            (false, _) => "; ",
        };
        f.write_str(sep)?;
        write!(f, "{t}")?;
    }
    Ok(())
}
