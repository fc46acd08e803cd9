//! `storyfeed build` as one library call: the catalog of stories, the site
//! written from it with the build cache, the cache and the ledger saved.
//!
//! [`SiteBuild::load`] does the reading (config in, [`Catalog`] out, with
//! its diagnostics and ledger report for the caller to show before the
//! long part); [`SiteBuild::build`] writes the site and says what it did.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::cache::{self, BuildCache};
use crate::catalog::{Catalog, CatalogError};
use crate::config::Config;
use crate::feed::ledger::LedgerError;
use crate::feed::{self, BuildError, BuildOptions, BuildReport, Site};
use crate::fs::{FsError, OutputDir};
use crate::websub::{self, PingReport, WebSubError};

#[derive(Debug, Error)]
pub enum SiteBuildError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Site(#[from] BuildError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// A site about to be built: its settings, output directory, stories and
/// build cache.
#[derive(Debug)]
pub struct SiteBuild {
    config: Config,
    out_dir: PathBuf,
    catalog: Catalog,
    cache: BuildCache,
}

/// What a build did.
#[derive(Debug)]
pub struct BuildSummary {
    pub report: BuildReport,
    /// The cache could not be saved: the build succeeded, the next one is
    /// only slower.
    pub cache_not_saved: Option<FsError>,
}

impl SiteBuild {
    /// Reads everything the site is made of; the output directory (for
    /// the build cache in it) is `out_dir`.
    pub fn load(config: Config, out_dir: PathBuf) -> Result<SiteBuild, SiteBuildError> {
        let mut cache = BuildCache::load(&out_dir.join(cache::FILE_NAME));
        let catalog = Catalog::load_cached(&config, &mut cache)?;
        Ok(SiteBuild {
            config,
            out_dir,
            catalog,
            cache,
        })
    }

    /// The stories, with the parser's diagnostics and the ledger's report.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    /// Tells the WebSub hub about the feeds whose bytes `summary`'s build
    /// changed, and about those an earlier run could not ping.
    pub fn ping(&self, summary: &BuildSummary) -> Result<PingReport, WebSubError> {
        let hub = self
            .config
            .websub_hub
            .as_deref()
            .ok_or(WebSubError::NoHub)?;
        let feeds = websub::feed_urls(&self.config.base_url, &summary.report.written_paths);
        websub::publish(hub, &self.out_dir, &feeds)
    }

    /// How many files [`SiteBuild::build`] will write or check (for a
    /// progress bar).
    pub fn file_count(&self) -> u64 {
        feed::file_count(&self.site())
    }

    fn site(&self) -> Site<'_> {
        Site::new(&self.config, &self.catalog.taxonomy, &self.catalog.stories)
    }

    /// Writes the site (files unchanged are left alone, stale ones removed
    /// unless the catalog has errors: input that could not be read in full
    /// must not unpublish what an earlier build published), then saves the build cache and, if ids changed, the ledger. `tick` is
    /// called once per file.
    pub fn build(&mut self, tick: &(dyn Fn() + Sync)) -> Result<BuildSummary, SiteBuildError> {
        let mut output = OutputDir::new(&self.out_dir);
        let site = Site::new(&self.config, &self.catalog.taxonomy, &self.catalog.stories);
        let options = BuildOptions {
            keep_stale: self.catalog.has_errors(),
        };
        let report = feed::build_site_cached(&site, &mut output, &mut self.cache, options, tick)?;
        // The cache only saves time: a build that cannot keep it still succeeded.
        let cache_not_saved = self.cache.save(&self.out_dir.join(cache::FILE_NAME)).err();
        let ledger = &self.config.ledger;
        if self.catalog.ids.changed || !ledger.exists() {
            self.catalog.ledger.save(ledger)?;
        }
        Ok(BuildSummary {
            report,
            cache_not_saved,
        })
    }
}

impl BuildSummary {
    /// What the build changed in the output directory, for `--changes`:
    /// `+ path` for a file written (new, or other bytes than before) and
    /// `- path` for a file removed, one a line, sorted by path; empty when
    /// nothing changed. The build cache is not listed: it is not part of
    /// the site.
    pub fn change_list(&self) -> String {
        let r = &self.report;
        let mut lines: Vec<(&str, char)> =
            r.written_paths.iter().map(|p| (p.as_str(), '+')).collect();
        lines.extend(r.removed_paths.iter().map(|p| (p.as_str(), '-')));
        lines.sort_unstable();
        let mut out = String::new();
        for (path, sign) in lines {
            out.push(sign);
            out.push(' ');
            out.push_str(path);
            out.push('\n');
        }
        out
    }

    /// The one line a build prints.
    pub fn line(&self, out_dir: &Path) -> String {
        let r = &self.report;
        format!(
            "{} stories; {} feeds; {} files written, {} unchanged ({} per the build cache), {} removed; site in {}",
            r.stories,
            r.feeds,
            r.written,
            r.unchanged,
            r.reused,
            r.removed,
            out_dir.display()
        )
    }

    /// What the build left in place because the input has errors, if
    /// anything: `1 stale file kept because of input errors …`.
    pub fn kept_note(&self) -> Option<String> {
        let n = self.report.kept_stale;
        let (files, them) = if n == 1 {
            ("file", "it")
        } else {
            ("files", "them")
        };
        (n > 0).then(|| {
            format!(
                "{n} stale {files} kept because of input errors (not removed: a build without errors removes {them})"
            )
        })
    }
}
