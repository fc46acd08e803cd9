//! Archives in, normalised [`Story`] values out.
//!
//! The layout of a page is recognised line by line from the text itself
//! (`lines`), so a page that mixes layouts parses too. A story starts at a
//! date line (`30 July 2023`, then a title line), at a date-and-title line
//! (`31 March 2020: Title`), or at a title line followed by a dateline
//! paragraph (`17 June 2020, Tirana, Albania: …`). Everything else is body,
//! known page furniture, or a diagnostic: nothing is dropped unreported.
//!
//! `parse_str` does the work on text (the per-file state machine is in
//! `parser`, spacing in `text`, page residue in `clean`); `files` reads
//! archives, several at once; `parse_paths` expands directories, parses
//! every file and merges the same story found on two pages (`merge`).

mod clean;
pub mod dates;
mod files;
mod lines;
mod merge;
mod parser;
mod text;

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use thiserror::Error;

use crate::story::Story;
use files::parse_files_in_parallel;
use parser::Parser;

pub use files::{collect_inputs, parse_file, parse_file_with};
pub use merge::{assign_unique_ids, merge_duplicates};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Something in the input worth a person's attention, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line; `None` for a problem with the file as a whole.
    pub line: Option<usize>,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.line {
            Some(line) => write!(f, "{}:{line}: {severity}: {}", self.file, self.message),
            None => write!(f, "{}: {severity}: {}", self.file, self.message),
        }
    }
}

/// What could not be read at all; everything else is a [`Diagnostic`].
#[derive(Debug, Error)]
pub enum ParseError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no archives (*.txt) in directory {path}")]
    NoArchives { path: PathBuf },
}

/// The stories and diagnostics of one file.
#[derive(Debug, Clone, Default)]
pub struct FileParse {
    pub file: String,
    pub stories: Vec<Story>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Per-file figures for `storyfeed check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    pub file: String,
    /// Stories found in the file, before merging duplicates across files.
    pub stories: usize,
}

/// Every story of a set of archives, duplicates merged, newest first.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub stories: Vec<Story>,
    pub files: Vec<FileReport>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Corpus {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Parses every archive under `paths` (files, or directories searched for
/// `*.txt`), merges duplicates and sorts newest first.
pub fn parse_paths(paths: &[PathBuf]) -> Result<Corpus, ParseError> {
    let files = collect_inputs(paths)?;
    let mut corpus = Corpus::default();
    let mut stories = Vec::new();
    for parsed in parse_files_in_parallel(&files) {
        let parsed = parsed?;
        corpus.files.push(FileReport {
            file: parsed.file.clone(),
            stories: parsed.stories.len(),
        });
        corpus.diagnostics.extend(parsed.diagnostics);
        stories.extend(parsed.stories);
    }
    let mut stories = merge_duplicates(stories);
    assign_unique_ids(&mut stories);
    sort_newest_first(&mut stories);
    corpus.stories = stories;
    Ok(corpus)
}

/// Newest first; the id breaks ties, so the order is total.
pub fn sort_newest_first(stories: &mut [Story]) {
    stories.sort_unstable_by(|a, b| {
        b.start()
            .cmp(&a.start())
            .then(b.end().cmp(&a.end()))
            .then(a.id.cmp(&b.id))
    });
}

/// Parses raw bytes: text that is not UTF-8 is an error naming the byte
/// offset (and its line), and yields no stories.
pub fn parse_bytes(name: &str, bytes: &[u8]) -> FileParse {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_str(name, text),
        Err(e) => {
            let offset = e.valid_up_to();
            let line = memchr::memchr_iter(b'\n', &bytes[..offset]).count() + 1;
            FileParse {
                file: name.to_owned(),
                stories: Vec::new(),
                diagnostics: vec![Diagnostic {
                    file: name.to_owned(),
                    line: Some(line),
                    severity: Severity::Error,
                    message: format!(
                        "not UTF-8 text: invalid byte 0x{:02x} at byte offset {offset}",
                        bytes[offset]
                    ),
                }],
            }
        }
    }
}

/// Parses the text of one archive named `name` (used in sources and
/// diagnostics).
pub fn parse_str(name: &str, text: &str) -> FileParse {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser::new(name);
    let mut start = 0;
    let mut n = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]) {
        n += 1;
        parser.line(n, &text[start..end]);
        start = end + 1;
    }
    parser.finish()
}
