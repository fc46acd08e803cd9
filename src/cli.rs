//! Command-line types and the thin commands over the library. Nothing in
//! the library sees these types.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use std::io::IsTerminal;

use storyfeed::cache::{self, BuildCache};
use storyfeed::classify::Taxonomy;
use storyfeed::config::Config;
use storyfeed::feed::ledger::Ledger;
use storyfeed::feed::{build_site_cached, file_count, Site};
use storyfeed::fs::OutputDir;
use storyfeed::parse::{parse_paths, sort_newest_first, Corpus, Severity};

/// The shipped default corpus.
const DEFAULT_ARCHIVES: &str = "data/archives";

#[derive(Debug, Parser)]
#[command(
    name = "storyfeed",
    version,
    about = "Turns UNODC news-story archives into feeds and email digests",
    after_help = "Example:\n  storyfeed parse data/archives > stories.jsonl\n  storyfeed check data/archives"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the stories of the archives as JSON Lines, newest first.
    ///
    /// Reads archive files and directories (searched for *.txt), merges the
    /// same story found on two pages, and writes one JSON object per story
    /// to stdout. Diagnostics go to stderr; the exit code is 1 if any is an
    /// error.
    #[command(
        after_help = "Example:\n  storyfeed parse data/archives/unodc-stories-2020.txt | head -n 1"
    )]
    Parse {
        /// Archive files or directories [default: data/archives]
        paths: Vec<PathBuf>,
    },
    /// Report what the parser makes of the archives: diagnostics and story counts.
    ///
    /// Prints every diagnostic (file:line: severity: message), the number of
    /// stories per file, and a total. Exits 1 if any diagnostic is an error.
    #[command(after_help = "Example:\n  storyfeed check data/archives")]
    Check {
        /// Archive files or directories [default: data/archives]
        paths: Vec<PathBuf>,
    },
    /// Build the static site: feeds per theme and programme, story pages, index, OPML.
    ///
    /// Reads the archives named in the config (default: data/archives),
    /// classifies the stories, and writes RSS, Atom and JSON feeds, HTML
    /// pages and feeds.opml. Files whose content has not changed are not
    /// rewritten; files of themes that no longer exist are removed. Ids
    /// already published are kept (see `ledger` in storyfeed.example.toml).
    #[command(
        after_help = "Example:\n  storyfeed build --base-url https://example.org/unodc/ --out public"
    )]
    Build {
        /// Output directory [default: public, or out_dir in the config]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Config file [default: ./storyfeed.toml if present, else built-in defaults]
        #[arg(long)]
        config: Option<PathBuf>,
        /// Absolute URL the site is served from (overrides base_url)
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Serve a built site on 127.0.0.1 for a local feed reader.
    ///
    /// Answers with the right Content-Type per feed format, ETag and
    /// Last-Modified, and 304 on conditional requests. Nothing outside the
    /// directory is reachable.
    #[command(after_help = "Example:\n  storyfeed build && storyfeed serve --port 8000")]
    Serve {
        /// Directory to serve [default: public, or out_dir in the config]
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Port on 127.0.0.1; 0 picks a free one
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Config file [default: ./storyfeed.toml if present]
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { paths } => parse(&paths),
        Command::Check { paths } => check(&paths),
        Command::Build {
            out,
            config,
            base_url,
        } => build(out, config.as_deref(), base_url.as_deref()),
        Command::Serve { dir, port, config } => serve(dir, port, config.as_deref()),
    }
}

fn load_config(path: Option<&Path>, base_url: Option<&str>) -> Result<Config> {
    let config = Config::discover(path)?;
    Ok(match base_url {
        Some(url) => config.with_base_url(url)?,
        None => config,
    })
}

/// The taxonomy file from the config; the built-in one when the default
/// path is absent (running outside a checkout).
fn load_taxonomy(config: &Config) -> Result<Taxonomy> {
    if config.taxonomy.exists() || config.taxonomy != Config::default().taxonomy {
        Ok(Taxonomy::load(&config.taxonomy)?)
    } else {
        Ok(Taxonomy::builtin())
    }
}

fn build(out: Option<PathBuf>, config: Option<&Path>, base_url: Option<&str>) -> Result<ExitCode> {
    let config = load_config(config, base_url)?;
    let taxonomy = load_taxonomy(&config)?;
    let corpus = parse_paths(&config.archives)?;
    for d in &corpus.diagnostics {
        eprintln!("{d}");
    }
    let diagnostics_failed = corpus.has_errors();
    let mut stories = corpus.stories;
    let out_dir = out.unwrap_or_else(|| config.out_dir.clone());
    let cache_path = out_dir.join(cache::FILE_NAME);
    let mut cache = BuildCache::load(&cache_path);
    taxonomy.classify_all_cached(&mut stories, &mut cache);
    let mut ledger = Ledger::load(&config.ledger)?;
    let kept = ledger.apply(&mut stories);
    sort_newest_first(&mut stories);
    for (new, old) in &kept.kept {
        eprintln!("note: story `{new}` keeps its published id `{old}`");
    }
    for id in &kept.vanished {
        eprintln!("warning: published story `{id}` is no longer in the archives; its feed items and page are gone");
    }
    let site = Site {
        config: &config,
        taxonomy: &taxonomy,
        stories: &stories,
    };
    let bar = progress_bar(file_count(&site));
    let mut output = OutputDir::new(&out_dir);
    let report = build_site_cached(&site, &mut output, &mut cache, &|| bar.inc(1))?;
    bar.finish_and_clear();
    // The cache only saves time: a build that cannot keep it still succeeded.
    if let Err(e) = cache.save(&cache_path) {
        eprintln!("warning: {:#}", anyhow::Error::new(e));
    }
    if kept.changed || !config.ledger.exists() {
        ledger.save(&config.ledger)?;
    }
    println!(
        "{} stories; {} feeds; {} files written, {} unchanged ({} per the build cache), {} removed; site in {}",
        report.stories,
        report.feeds,
        report.written,
        report.unchanged,
        report.reused,
        report.removed,
        out_dir.display()
    );
    // The process ends here: freeing 100,000 stories (and the ledger and
    // cache entries) one by one is wasted work.
    std::mem::forget(stories);
    std::mem::forget(ledger);
    std::mem::forget(cache);
    Ok(if diagnostics_failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

fn serve(dir: Option<PathBuf>, port: u16, config: Option<&Path>) -> Result<ExitCode> {
    let dir = match dir {
        Some(dir) => dir,
        None => load_config(config, None)?.out_dir,
    };
    let server = storyfeed::serve::Server::bind(&dir, port)?;
    println!(
        "serving {} at http://{}/",
        dir.display(),
        server.local_addr()
    );
    io::stdout().flush()?;
    server.run()?;
    Ok(ExitCode::SUCCESS)
}

fn load(paths: &[PathBuf]) -> Result<Corpus> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_ARCHIVES)]
    } else {
        paths.to_vec()
    };
    Ok(parse_paths(&paths)?)
}

fn exit_code(corpus: &Corpus) -> ExitCode {
    if corpus.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn parse(paths: &[PathBuf]) -> Result<ExitCode> {
    let mut corpus = load(paths)?;
    let taxonomy = load_taxonomy(&load_config(None, None)?)?;
    taxonomy.classify_all(&mut corpus.stories);
    for d in &corpus.diagnostics {
        eprintln!("{d}");
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = corpus.stories.iter().try_for_each(|story| {
        serde_json::to_writer(&mut out, story).map_err(io::Error::from)?;
        out.write_all(b"\n")
    });
    match written.and_then(|()| out.flush()) {
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to stdout")?,
    }
    Ok(exit_code(&corpus))
}

fn check(paths: &[PathBuf]) -> Result<ExitCode> {
    let corpus = load(paths)?;
    let mut out = String::new();
    for d in &corpus.diagnostics {
        out.push_str(&format!("{d}\n"));
    }
    for f in &corpus.files {
        out.push_str(&format!("{}: {} stories\n", f.file, f.stories));
    }
    let found: usize = corpus.files.iter().map(|f| f.stories).sum();
    let count = |s| {
        corpus
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count()
    };
    out.push_str(&format!(
        "{} files, {found} stories found, {} after merging duplicates; {} errors, {} warnings\n",
        corpus.files.len(),
        corpus.stories.len(),
        count(Severity::Error),
        count(Severity::Warning),
    ));
    print!("{out}");
    Ok(exit_code(&corpus))
}
