//! Corrections by hand: `data/corrections.toml` lets an editor fix what the
//! parser or the classifier got wrong in one story, by its published id:
//! title, dates, places, themes and programmes added or removed, or the
//! whole story dropped.
//!
//! Corrections are applied after parsing, classifying and the ledger (so
//! ids are the published ones and stay stable whatever the correction
//! changes), on every build and digest run. The file is checked as a whole
//! before anything is applied: an unknown theme or programme slug, a bad
//! date or an id given twice is an error naming its line. An id that no
//! story has is reported, not an error: the ledger tells a story that
//! vanished from the archives (the correction is simply stale) from an id
//! that was never published (most likely a typo, reported as such).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::classify::Taxonomy;
use crate::feed::ledger::Ledger;
use crate::location::Location;
use crate::story::{DateRange, Story};

#[derive(Debug, Error)]
pub enum CorrectionsError {
    #[error("cannot read corrections {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not TOML, or not the shape of a corrections file.
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },
    /// Well-formed, but wrong: an unknown slug, a bad date, a repeated id.
    #[error("{location}: {message}")]
    Invalid { location: Location, message: String },
}

/// One story's correction, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub id: String,
    /// Where the correction starts in the file (its `id` line).
    pub location: Location,
    pub drop: bool,
    pub title: Option<String>,
    pub dates: Option<DateRange>,
    pub places: Option<Vec<String>>,
    pub add_themes: Vec<String>,
    pub remove_themes: Vec<String>,
    pub add_programmes: Vec<String>,
    pub remove_programmes: Vec<String>,
}

/// A checked corrections file (empty when there is none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Corrections {
    pub entries: Vec<Correction>,
}

/// What applying the corrections did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorrectionReport {
    /// Stories changed (dropped ones included).
    pub applied: usize,
    /// Stories dropped.
    pub dropped: usize,
    /// Corrections whose story is not there.
    pub unmatched: Vec<Unmatched>,
    /// Corrections that found their story (drops included), in file order.
    pub corrected: Vec<Correction>,
}

/// A correction that found no story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub location: Location,
    pub id: String,
    /// The ledger knows the id: the story was published and has since
    /// vanished from the archives. Otherwise the id was never published.
    pub vanished: bool,
}

impl std::fmt::Display for Unmatched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.vanished {
            write!(
                f,
                "{}: the story {} has vanished from the archives; its correction does nothing",
                self.location, self.id
            )
        } else {
            write!(
                f,
                "{}: no story has the id {}, which was never published; check it against the story pages",
                self.location, self.id
            )
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default, rename = "story")]
    stories: Vec<RawCorrection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCorrection {
    id: Spanned<String>,
    #[serde(default)]
    drop: bool,
    title: Option<Spanned<String>>,
    dates: Option<Spanned<String>>,
    places: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    add_themes: Vec<Spanned<String>>,
    #[serde(default)]
    remove_themes: Vec<Spanned<String>>,
    #[serde(default)]
    add_programmes: Vec<Spanned<String>>,
    #[serde(default)]
    remove_programmes: Vec<Spanned<String>>,
    /// Why the correction was made: for the editors, never shown.
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

impl Corrections {
    /// The corrections file at `path`. A missing file is no corrections
    /// when `optional` (the default path, which a checkout may lack).
    pub fn load(
        path: &Path,
        optional: bool,
        taxonomy: &Taxonomy,
    ) -> Result<Corrections, CorrectionsError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Corrections::parse(&path.display().to_string(), &text, taxonomy),
            Err(e) if optional && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Corrections::default())
            }
            Err(source) => Err(CorrectionsError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Reads and checks corrections from TOML `text`; `name` prefixes every
    /// error's `line:column`.
    pub fn parse(
        name: &str,
        text: &str,
        taxonomy: &Taxonomy,
    ) -> Result<Corrections, CorrectionsError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| CorrectionsError::Syntax {
            location: Location::at(name, text, e.span().map_or(0, |s| s.start)),
            message: e.message().trim_end().to_owned(),
        })?;
        let check = Checker {
            name,
            text,
            taxonomy,
        };
        let mut seen: HashMap<String, Location> = HashMap::new();
        let mut entries = Vec::with_capacity(raw.stories.len());
        for r in raw.stories {
            let c = check.correction(r)?;
            if let Some(first) = seen.get(&c.id) {
                return Err(CorrectionsError::Invalid {
                    location: c.location,
                    message: format!(
                        "story {} is corrected twice (first at line {}); merge the two",
                        c.id, first.line
                    ),
                });
            }
            seen.insert(c.id.clone(), c.location.clone());
            entries.push(c);
        }
        Ok(Corrections { entries })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Applies every correction to `stories` (published ids); `ledger`
    /// tells a vanished story from an id never published.
    pub fn apply(&self, stories: &mut Vec<Story>, ledger: &Ledger) -> CorrectionReport {
        let mut report = CorrectionReport::default();
        if self.entries.is_empty() {
            return report;
        }
        let index: HashMap<&str, usize> = stories
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut drop = vec![false; stories.len()];
        let mut found = Vec::with_capacity(self.entries.len());
        for c in &self.entries {
            match index.get(c.id.as_str()) {
                Some(&i) => found.push((i, c)),
                None => report.unmatched.push(Unmatched {
                    location: c.location.clone(),
                    id: c.id.clone(),
                    vanished: ledger.published.contains_key(&c.id),
                }),
            }
        }
        for (i, c) in found {
            report.applied += 1;
            report.corrected.push(c.clone());
            if c.drop {
                drop[i] = true;
                report.dropped += 1;
            } else {
                c.apply_to(&mut stories[i]);
            }
        }
        if report.dropped > 0 {
            let mut i = 0;
            stories.retain(|_| {
                i += 1;
                !drop[i - 1]
            });
        }
        report
    }
}

impl Correction {
    /// What the correction changes, one phrase each, for people
    /// (`storyfeed explain`).
    pub fn changes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.drop {
            out.push("drops the story".to_owned());
        }
        if let Some(title) = &self.title {
            out.push(format!("sets the title to {title:?}"));
        }
        if let Some(dates) = self.dates {
            out.push(if dates.start() == dates.end() {
                format!("sets the date to {}", dates.start())
            } else {
                format!("sets the dates to {} to {}", dates.start(), dates.end())
            });
        }
        if let Some(places) = &self.places {
            out.push(format!("sets the places to {places:?}"));
        }
        let slugs = [
            ("adds theme", &self.add_themes),
            ("removes theme", &self.remove_themes),
            ("adds programme", &self.add_programmes),
            ("removes programme", &self.remove_programmes),
        ];
        for (what, slugs) in slugs {
            out.extend(slugs.iter().map(|slug| format!("{what} {slug}")));
        }
        out
    }

    fn apply_to(&self, story: &mut Story) {
        if let Some(title) = &self.title {
            story.title.clone_from(title);
        }
        if let Some(dates) = self.dates {
            story.dates = dates;
            story.year_inferred = false;
        }
        if let Some(places) = &self.places {
            story.places.clone_from(places);
        }
        edit(&mut story.themes, &self.add_themes, &self.remove_themes);
        edit(
            &mut story.programmes,
            &self.add_programmes,
            &self.remove_programmes,
        );
    }
}

/// Adds and removes slugs, keeping the list sorted without repeats (as
/// classification leaves it).
fn edit(slugs: &mut Vec<String>, add: &[String], remove: &[String]) {
    if add.is_empty() && remove.is_empty() {
        return;
    }
    slugs.retain(|s| !remove.contains(s));
    slugs.extend(add.iter().cloned());
    slugs.sort_unstable();
    slugs.dedup();
}

struct Checker<'a> {
    name: &'a str,
    text: &'a str,
    taxonomy: &'a Taxonomy,
}

impl Checker<'_> {
    fn invalid(&self, span: Range<usize>, message: String) -> CorrectionsError {
        CorrectionsError::Invalid {
            location: Location::at(self.name, self.text, span.start),
            message,
        }
    }

    fn correction(&self, r: RawCorrection) -> Result<Correction, CorrectionsError> {
        let location = Location::at(self.name, self.text, r.id.span().start);
        let id = r.id.get_ref().trim().to_owned();
        if id.is_empty() {
            return Err(self.invalid(r.id.span(), "a story id cannot be empty".to_owned()));
        }
        let title = match r.title {
            Some(t) => {
                let value = t.get_ref().split_whitespace().collect::<Vec<_>>().join(" ");
                if value.is_empty() {
                    return Err(self.invalid(t.span(), "a title cannot be empty".to_owned()));
                }
                Some(value)
            }
            None => None,
        };
        let dates = r.dates.map(|d| self.dates(&d)).transpose()?;
        let places = r
            .places
            .map(|ps| {
                ps.into_iter()
                    .map(|p| {
                        let value = p.get_ref().trim().to_owned();
                        if value.is_empty() {
                            Err(self.invalid(p.span(), "a place cannot be empty".to_owned()))
                        } else {
                            Ok(value)
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let themes: Vec<&str> = self
            .taxonomy
            .themes
            .iter()
            .map(|c| c.slug.as_str())
            .collect();
        let programmes: Vec<&str> = self
            .taxonomy
            .programmes
            .iter()
            .map(|c| c.slug.as_str())
            .collect();
        let correction = Correction {
            id,
            location,
            drop: r.drop,
            title,
            dates,
            places,
            add_themes: self.slugs(r.add_themes, &themes, "theme")?,
            remove_themes: self.slugs(r.remove_themes, &themes, "theme")?,
            add_programmes: self.slugs(r.add_programmes, &programmes, "programme")?,
            remove_programmes: self.slugs(r.remove_programmes, &programmes, "programme")?,
        };
        Ok(correction)
    }

    /// `YYYY-MM-DD`, or `YYYY-MM-DD/YYYY-MM-DD` for a range (ISO 8601).
    fn dates(&self, value: &Spanned<String>) -> Result<DateRange, CorrectionsError> {
        let text = value.get_ref().trim();
        let bad = |why: &str| {
            self.invalid(
                value.span(),
                format!("dates {text:?}: {why} (write YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD)"),
            )
        };
        let day = |s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| bad("not a date"))
        };
        match text.split_once('/') {
            None => Ok(DateRange::day(day(text)?)),
            Some((start, end)) => DateRange::new(day(start)?, day(end)?)
                .ok_or_else(|| bad("the end is before the start")),
        }
    }

    fn slugs(
        &self,
        values: Vec<Spanned<String>>,
        known: &[&str],
        what: &str,
    ) -> Result<Vec<String>, CorrectionsError> {
        values
            .into_iter()
            .map(|v| {
                let slug = v.get_ref().trim();
                if known.contains(&slug) {
                    Ok(slug.to_owned())
                } else {
                    Err(self.invalid(
                        v.span(),
                        format!(
                            "unknown {what} {slug:?}; the taxonomy's {what}s are: {}",
                            known.join(", ")
                        ),
                    ))
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
