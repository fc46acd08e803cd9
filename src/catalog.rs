//! The stories of a site, ready for any output: the one place where
//! parse → classify → ledger → corrections → order happens, for `build`,
//! `digest` and anything later.
//!
//! A [`Catalog`] holds the archives' stories classified by the taxonomy,
//! with the ids the ledger says were published, newest first, together with
//! what the user should be told: the parser's diagnostics and the ledger's
//! report. It prints nothing; the caller decides what to show.

use std::path::PathBuf;

use thiserror::Error;

use crate::cache::BuildCache;
use crate::classify::{Taxonomy, TaxonomyError};
use crate::config::Config;
use crate::corrections::{Correction, CorrectionReport, Corrections, CorrectionsError};
use crate::feed::ledger::{Ledger, LedgerError, LedgerReport};
use crate::location::Location;
use crate::parse::{self, Diagnostic, FileReport, ParseError, Severity};
use crate::story::Story;

#[derive(Debug, Error)]
pub enum CatalogError {
    #[error(transparent)]
    Taxonomy(#[from] TaxonomyError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Corrections(#[from] CorrectionsError),
}

/// Classified stories with their published ids, newest first.
#[derive(Debug)]
pub struct Catalog {
    pub taxonomy: Taxonomy,
    pub stories: Vec<Story>,
    /// Stories found per file, before duplicates were merged.
    pub files: Vec<FileReport>,
    /// What the parser had to say about the archives.
    pub diagnostics: Vec<Diagnostic>,
    /// The ledger as it stands after this catalog's ids were applied.
    pub ledger: Ledger,
    /// What applying the ledger changed (kept and vanished ids).
    pub ids: LedgerReport,
    /// What the editors' corrections did, and which found no story.
    pub corrections: CorrectionReport,
}

impl Catalog {
    /// The archives named in `config`, classified by its taxonomy, with the
    /// ids of its ledger (read, never written).
    pub fn load(config: &Config) -> Result<Catalog, CatalogError> {
        Catalog::assemble(config, taxonomy(config)?, None)
    }

    /// [`Catalog::load`] with a taxonomy already loaded (by [`taxonomy`]).
    pub fn load_with(config: &Config, taxonomy: Taxonomy) -> Result<Catalog, CatalogError> {
        Catalog::assemble(config, taxonomy, None)
    }

    /// [`Catalog::load`], taking themes and programmes from `cache` where it
    /// knows a story's text, and noting the new ones in it.
    pub fn load_cached(config: &Config, cache: &mut BuildCache) -> Result<Catalog, CatalogError> {
        Catalog::assemble(config, taxonomy(config)?, Some(cache))
    }

    fn assemble(
        config: &Config,
        taxonomy: Taxonomy,
        cache: Option<&mut BuildCache>,
    ) -> Result<Catalog, CatalogError> {
        // Checked before the archives are read: a typo fails fast.
        let corrections = corrections(config, &taxonomy)?;
        let corpus = parse::parse_paths(&config.archives)?;
        let mut stories = corpus.stories;
        match cache {
            Some(cache) => taxonomy.classify_all_cached(&mut stories, cache),
            None => taxonomy.classify_all(&mut stories),
        }
        let mut ledger = Ledger::load(&config.ledger)?;
        let ids = ledger.apply(&mut stories);
        // After the ledger, so corrections name published ids and never
        // change one.
        let corrections = corrections.apply(&mut stories, &ledger);
        parse::sort_newest_first(&mut stories);
        Ok(Catalog {
            taxonomy,
            stories,
            files: corpus.files,
            diagnostics: corpus.diagnostics,
            ledger,
            ids,
            corrections,
        })
    }

    /// The stories of `paths` as the parser gives them (no ledger: ids as
    /// the text makes them), classified by the taxonomy of `config`.
    pub fn parse(config: &Config, paths: &[PathBuf]) -> Result<Catalog, CatalogError> {
        let mut corpus = parse::parse_paths(paths)?;
        let taxonomy = taxonomy(config)?;
        taxonomy.classify_all(&mut corpus.stories);
        Ok(Catalog {
            taxonomy,
            stories: corpus.stories,
            files: corpus.files,
            diagnostics: corpus.diagnostics,
            ledger: Ledger::default(),
            ids: LedgerReport::default(),
            corrections: CorrectionReport::default(),
        })
    }

    /// The story whose published id is `id`, or why there is none: the
    /// ids closest to it, or the correction that dropped it.
    pub fn story(&self, id: &str) -> Result<&Story, UnknownStory> {
        let id = id.trim();
        if let Some(story) = self.stories.iter().find(|s| s.id.as_str() == id) {
            return Ok(story);
        }
        let dropped = self
            .corrections
            .corrected
            .iter()
            .find(|c| c.drop && c.id == id)
            .map(|c| c.location.clone());
        let closest = match dropped {
            Some(_) => Vec::new(),
            None => closest_ids(id, self.stories.iter().map(|s| s.id.as_str())),
        };
        Err(UnknownStory {
            id: id.to_owned(),
            vanished: self.ledger.published.contains_key(id),
            dropped,
            closest,
        })
    }

    /// The correction applied to the story with published id `id`, if any.
    pub fn correction(&self, id: &str) -> Option<&Correction> {
        self.corrections.corrected.iter().find(|c| c.id == id)
    }

    /// Whether any diagnostic is an error (the exit code says so).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// No story has the id asked for.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct UnknownStory {
    pub id: String,
    /// The ledger knows the id: the story was published and has since
    /// vanished from the archives (or was dropped).
    pub vanished: bool,
    /// The correction that dropped the story, if one did.
    pub dropped: Option<Location>,
    /// The published ids most like it: those of the same day, else the
    /// nearest by edit distance.
    pub closest: Vec<String>,
}

impl std::fmt::Display for UnknownStory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no story has the id `{}`", self.id)?;
        if let Some(at) = &self.dropped {
            return write!(f, "; the correction at {at} drops it");
        }
        if self.vanished {
            f.write_str(" any more: it was published, and has vanished from the archives")?;
        }
        if !self.closest.is_empty() {
            let ids: Vec<String> = self.closest.iter().map(|id| format!("`{id}`")).collect();
            write!(f, "; the closest ids are {}", ids.join(", "))?;
        }
        Ok(())
    }
}

/// Ids of the same day as `id` (its `YYYY-MM-DD` prefix), nearest first,
/// at most five; when there are none, the three nearest of all. Nearest is
/// by edit distance, then the longer common prefix, then the id.
fn closest_ids<'a>(id: &str, ids: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
    let day = id
        .get(..10)
        .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
    let same_day: Vec<&str> = match day {
        Some(day) => ids.clone().filter(|other| other.starts_with(day)).collect(),
        None => Vec::new(),
    };
    let (pool, keep) = if same_day.is_empty() {
        (ids.collect::<Vec<_>>(), 3)
    } else {
        (same_day, 5)
    };
    let mut ranked: Vec<(usize, std::cmp::Reverse<usize>, &str)> = pool
        .into_iter()
        .map(|other| {
            let common = id
                .bytes()
                .zip(other.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            (
                strsim::levenshtein(id, other),
                std::cmp::Reverse(common),
                other,
            )
        })
        .collect();
    ranked.sort_unstable();
    ranked.dedup_by(|a, b| a.2 == b.2);
    ranked
        .into_iter()
        .take(keep)
        .map(|(_, _, other)| other.to_owned())
        .collect()
}

/// The corrections file of `config`; none when it is not set and the
/// default file is absent.
pub fn corrections(config: &Config, taxonomy: &Taxonomy) -> Result<Corrections, CorrectionsError> {
    let (path, optional) = config.corrections_file();
    Corrections::load(path, optional, taxonomy)
}

/// The taxonomy file of `config`; the built-in one when the default path is
/// absent (running outside a checkout).
pub fn taxonomy(config: &Config) -> Result<Taxonomy, TaxonomyError> {
    if config.taxonomy.exists() || config.taxonomy != Config::default().taxonomy {
        Taxonomy::load(&config.taxonomy)
    } else {
        Ok(Taxonomy::builtin())
    }
}

#[cfg(test)]
mod tests {
    use super::closest_ids;

    const IDS: [&str; 4] = [
        "2020-03-03-port-officers-trained-in-lome",
        "2020-03-03-judges-meet-in-vienna",
        "2020-03-04-port-officers-trained-in-accra",
        "2019-11-20-a-report-on-wildlife-crime",
    ];

    #[test]
    fn unknown_ids_get_the_ids_of_their_day_else_the_nearest() {
        // Same day: both of that day, the nearer first.
        assert_eq!(
            closest_ids("2020-03-03-port-officers-trained", IDS.into_iter()),
            [IDS[0], IDS[1]]
        );
        // No story that day: the three nearest of all.
        assert_eq!(
            closest_ids("2020-03-05-port-officers-trained-in-accra", IDS.into_iter()),
            [IDS[2], IDS[0], IDS[1]]
        );
        // Not an id at all: still the nearest.
        assert_eq!(closest_ids("wildlife", IDS.into_iter()).len(), 3);
        assert!(closest_ids("x", std::iter::empty()).is_empty());
    }
}
