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
use crate::corrections::{CorrectionReport, Corrections, CorrectionsError};
use crate::feed::ledger::{Ledger, LedgerError, LedgerReport};
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

    /// Whether any diagnostic is an error (the exit code says so).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
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
