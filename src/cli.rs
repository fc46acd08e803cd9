//! Command-line types and the thin commands over the library. Nothing in
//! the library sees these types.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use storyfeed::parse::{parse_paths, Corpus, Severity};

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
}

pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { paths } => parse(&paths),
        Command::Check { paths } => check(&paths),
    }
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
    let corpus = load(paths)?;
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
