//! Archives in, normalised [`Story`] values out.
//!
//! Stories are recognised line by line from the text itself (`lines`
//! classifies a line, `parser` decides from the sequence), so a page that
//! mixes forms parses too, and a page nobody wrote rules for: a story
//! starts at a date line (`30 July 2023`, then a title line), at a
//! date-and-title line (`31 March 2020: Title`), or at a title line followed
//! by a date line (`Nairobi, 14 January 2020`) or a dateline paragraph
//! (`17 June 2020, Tirana, Albania: …`, `Nairobi, 14 January 2020 - …`).
//! Everything else is body, known page residue, or a diagnostic: nothing is
//! dropped unreported. Each decision names a [`rules::Rule`];
//! [`explain_str`] returns them line by line.
//!
//! `parse_str` does the work on text (the per-file state machine is in
//! `parser`, spacing in `text`, page residue in `clean`); `files` reads
//! archives, several at once; `parse_paths` expands directories, parses
//! every file and merges the same story found on two pages (`merge`).

mod clean;
pub mod dates;
mod explain;
mod files;
mod lines;
mod merge;
mod parser;
mod places;
pub mod rules;
mod shape;
mod text;

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use thiserror::Error;

use crate::story::Story;
use files::parse_files_in_parallel;
use lines::{classify_after, may_precede_dateline, LineKind};
use parser::Parser;

pub use explain::{explain_file, explain_str, ExplainedLine, Explanation};
pub use files::{collect_inputs, parse_file, parse_file_with};
pub use merge::{assign_unique_ids, merge_duplicates, Merge, MergeRule};

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
    /// Each story of one page taken for the same story of another page.
    pub merges: Vec<Merge>,
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
    let (mut stories, merges) = merge_duplicates(stories);
    assign_unique_ids(&mut stories);
    sort_newest_first(&mut stories);
    corpus.stories = stories;
    corpus.merges = merges;
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

/// Parses raw bytes. Text that is not UTF-8 is read with U+FFFD for each
/// invalid sequence (as `String::from_utf8_lossy` does), each reported as
/// an error with its line and byte offset: one bad byte must not cost the
/// file's other stories.
pub fn parse_bytes(name: &str, bytes: &[u8]) -> FileParse {
    // The check reads every byte once; simdutf8's vector code does it in a
    // fraction of `std::str::from_utf8`'s time, with the same answer.
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return parse_str(name, text);
    }
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut bad = Vec::new();
    let mut counter = LineCounter::default();
    let mut offset = 0;
    let mut unreported = 0usize;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        offset += chunk.valid().len();
        let invalid = chunk.invalid();
        if invalid.is_empty() {
            continue;
        }
        text.push(char::REPLACEMENT_CHARACTER);
        if bad.len() < MAX_BAD_BYTE_REPORTS {
            let line = counter.line_at(bytes, offset);
            bad.push(Diagnostic {
                file: name.to_owned(),
                line: Some(line),
                severity: Severity::Error,
                message: invalid_message(invalid, offset),
            });
        } else {
            unreported += 1;
        }
        offset += invalid.len();
    }
    if unreported > 0 {
        // A file in another encoding (Latin-1) would otherwise give a line
        // per accented letter: the first few say what is wrong.
        bad.push(Diagnostic {
            file: name.to_owned(),
            line: None,
            severity: Severity::Error,
            message: format!(
                "not UTF-8 text: {unreported} more invalid sequences, each read as U+FFFD (is the file in another encoding?)"
            ),
        });
    }
    let mut parsed = parse_str(name, &text);
    bad.append(&mut parsed.diagnostics);
    parsed.diagnostics = bad;
    parsed
}

/// Invalid sequences reported one by one in a file; the rest are counted.
const MAX_BAD_BYTE_REPORTS: usize = 20;

/// `not UTF-8 text: invalid byte 0xff at byte offset 27, read as U+FFFD`.
fn invalid_message(invalid: &[u8], offset: usize) -> String {
    let hex: Vec<String> = invalid.iter().map(|b| format!("0x{b:02x}")).collect();
    let noun = if invalid.len() == 1 { "byte" } else { "bytes" };
    format!(
        "not UTF-8 text: invalid {noun} {} at byte offset {offset}, read as U+FFFD",
        hex.join(" ")
    )
}

/// Line numbers of increasing byte offsets, counted as `parse_str` counts
/// them, without rescanning from the start for each one.
#[derive(Default)]
struct LineCounter {
    /// Bytes before `pos` are counted.
    pos: usize,
    /// Line ends before `pos`.
    ends: usize,
}

impl LineCounter {
    /// The 1-based line of byte `offset` (not before the last one asked).
    /// An invalid sequence is never `\r` or `\n`, so a CRLF pair is never
    /// split between two calls.
    fn line_at(&mut self, bytes: &[u8], offset: usize) -> usize {
        self.ends += line_ends(&bytes[self.pos..offset]).count();
        self.pos = offset;
        self.ends + 1
    }
}

/// The line ends of `bytes`: each `\n`, `\r` or `\r\n` once, as
/// (start, length) pairs. CR-only files (old Mac text, some exports) are as
/// common as CRLF ones, and a lone CR read as a space would glue stories
/// together.
fn line_ends(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut found = memchr::memchr2_iter(b'\n', b'\r', bytes);
    std::iter::from_fn(move || {
        let at = found.next()?;
        if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            found.next();
            Some((at, 2))
        } else {
            Some((at, 1))
        }
    })
}

/// Parses the text of one archive named `name` (used in sources and
/// diagnostics).
pub fn parse_str(name: &str, text: &str) -> FileParse {
    let mut parser = Parser::new(name);
    feed(&mut parser, text);
    parser.finish()
}

/// Hands each line of `text` to `parser` with its kind. A date line is
/// held until the next non-blank line: whether it belongs to the title
/// above it or to the one below depends on how that line reads.
fn feed<'a>(parser: &mut Parser<'a>, text: &'a str) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut held: Option<(usize, &'a str, LineKind<'a>)> = None;
    let mut after_title = true;
    let mut start = 0;
    let mut n = 0;
    for (end, len) in line_ends(text.as_bytes()).chain([(text.len(), 0)]) {
        n += 1;
        let raw = &text[start..end];
        start = end + len;
        let kind = classify_after(raw, after_title);
        if matches!(kind, LineKind::Blank) {
            parser.blank(n);
            continue;
        }
        let date_line = matches!(kind, LineKind::DateOnly { .. } | LineKind::PlaceDate { .. });
        after_title = may_precede_dateline(raw, &kind, held.is_some());
        if let Some((held_n, held_raw, held_kind)) = held.take() {
            parser.line(held_n, held_raw, held_kind, reads_as_body(raw, &kind));
        }
        if date_line {
            held = Some((n, raw, kind));
        } else {
            parser.line(n, raw, kind, false);
        }
    }
    if let Some((held_n, held_raw, held_kind)) = held {
        parser.line(held_n, held_raw, held_kind, false);
    }
}

/// Whether a line after a date line reads as the start of a body (so the
/// date line belongs to the title above it) rather than as a title.
fn reads_as_body(raw: &str, kind: &LineKind<'_>) -> bool {
    match kind {
        LineKind::Text => shape::reads_as_sentence(raw),
        LineKind::Caption
        | LineKind::Captioned { .. }
        | LineKind::Dateline { .. }
        | LineKind::PlaceDateline { .. } => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_in_another_encoding_gives_a_few_reports_and_a_count() {
        // Latin-1: every accented letter is an invalid sequence.
        let mut bytes = b"12 May 2020: Caf\xe9 story\n\n".to_vec();
        bytes.extend(b"Body \xe9t\xe9 ".repeat(30));
        let parsed = parse_bytes("latin1.txt", &bytes);
        let bad: Vec<&Diagnostic> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.message.starts_with("not UTF-8"))
            .collect();
        assert_eq!(bad.len(), MAX_BAD_BYTE_REPORTS + 1);
        assert!(
            bad[MAX_BAD_BYTE_REPORTS]
                .message
                .contains("41 more invalid sequences"),
            "{}",
            bad[MAX_BAD_BYTE_REPORTS].message
        );
        assert_eq!(parsed.stories.len(), 1);
        assert!(parsed.stories[0].title.contains('\u{FFFD}'));
    }

    fn messages(p: &FileParse) -> Vec<String> {
        p.diagnostics.iter().map(ToString::to_string).collect()
    }

    /// (title, line, first paragraph) of each story.
    fn outline(p: &FileParse) -> Vec<(String, usize, String)> {
        p.stories
            .iter()
            .map(|s| {
                let first = s.paragraphs.first().cloned().unwrap_or_default();
                (s.title.clone(), s.sources[0].line, first)
            })
            .collect()
    }

    #[test]
    fn bad_bytes_are_replaced_reported_and_the_stories_kept() {
        // Line 3: a stray 0xFF; line 5: a truncated three-byte sequence
        // (the first two bytes of `–`); line 7: an overlong `/` (C0 AF),
        // two invalid bytes; line 9: a three-byte overlong (E0 80 AF).
        let mut page = Vec::new();
        page.extend_from_slice(b"Heading\n\n31 March 2020: Caf\xff title\n\n");
        page.extend_from_slice(b"Body \xe2\x80 one.\n\n");
        page.extend_from_slice(b"1 April 2020: Second \xc0\xaf title\n\n");
        page.extend_from_slice(b"Body \xe0\x80\xaf two.\n");
        let p = parse_bytes("bad.txt", &page);
        assert_eq!(
            messages(&p),
            [
                "bad.txt:3: error: not UTF-8 text: invalid byte 0xff at byte offset 27, read as U+FFFD",
                "bad.txt:5: error: not UTF-8 text: invalid bytes 0xe2 0x80 at byte offset 41, read as U+FFFD",
                "bad.txt:7: error: not UTF-8 text: invalid byte 0xc0 at byte offset 71, read as U+FFFD",
                "bad.txt:7: error: not UTF-8 text: invalid byte 0xaf at byte offset 72, read as U+FFFD",
                "bad.txt:9: error: not UTF-8 text: invalid byte 0xe0 at byte offset 86, read as U+FFFD",
                "bad.txt:9: error: not UTF-8 text: invalid byte 0x80 at byte offset 87, read as U+FFFD",
                "bad.txt:9: error: not UTF-8 text: invalid byte 0xaf at byte offset 88, read as U+FFFD",
            ]
        );
        assert_eq!(
            outline(&p),
            [
                // Newest first is `parse_paths`'s order; a file is in page order.
                ("Caf\u{fffd} title".into(), 3, "Body \u{fffd} one.".into()),
                (
                    "Second \u{fffd}\u{fffd} title".into(),
                    7,
                    "Body \u{fffd}\u{fffd}\u{fffd} two.".into()
                ),
            ]
        );
        // The same text with the replacements written in parses the same.
        let lossy = String::from_utf8_lossy(&page);
        assert_eq!(parse_str("bad.txt", &lossy).stories, p.stories);
    }

    #[test]
    fn bad_byte_line_counts_cr_and_crlf_as_one_line_end() {
        let p = parse_bytes("cr.txt", b"31 March 2020: T\r\n\r\nBody\rmore \xff\n");
        assert_eq!(
            messages(&p),
            ["cr.txt:4: error: not UTF-8 text: invalid byte 0xff at byte offset 30, read as U+FFFD"]
        );
    }

    const PAGE: &str = "Heading 2021\n\n\
        30 July 2021: First story\n\nBody one.\n\nSecond paragraph.\n\n\
        Third paragraph.\n\n\
        31 July 2021\nSecond story\nSummary two. more\n\n\
        31 February 2021: Impossible\n\nx\n\n\
        A third story\n\n17 June 2021, Tirana, Albania: Body three.\n";

    #[test]
    fn cr_crlf_and_lf_line_ends_give_the_same_stories_and_lines() {
        let lf = parse_str("p.txt", PAGE);
        assert_eq!(lf.stories.len(), 3, "{:?}", lf.diagnostics);
        assert_eq!(
            messages(&lf),
            ["p.txt:15: error: unrecognised date `31 February 2021`: no such day: 31 February 2021"]
        );
        for ending in ["\r", "\r\n"] {
            let text = PAGE.replace('\n', ending);
            let p = parse_str("p.txt", &text);
            assert_eq!(p.stories, lf.stories, "{ending:?}");
            assert_eq!(p.diagnostics, lf.diagnostics, "{ending:?}");
            let b = parse_bytes("p.txt", text.as_bytes());
            assert_eq!(b.stories, lf.stories, "{ending:?}");
        }
    }

    #[test]
    fn mixed_line_ends_each_end_one_line() {
        // CR, LF and CRLF in one page; `\r\r\n` is two line ends (CR, CRLF).
        let page =
            "Heading\r\r\n31 July 2021: One\rBody one.\n\n1 August 2021: Two\r\n\rBody two.\r";
        let p = parse_str("m.txt", page);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(
            outline(&p),
            [
                ("One".into(), 3, "Body one.".into()),
                ("Two".into(), 6, "Body two.".into()),
            ]
        );
        // An empty last line after a final CR still counts.
        let p = parse_str(
            "m.txt",
            "31 July 2021: One\r\rBody.\r31 February 2021: Bad\r\rx\r",
        );
        assert_eq!(
            messages(&p),
            ["m.txt:4: error: unrecognised date `31 February 2021`: no such day: 31 February 2021"]
        );
    }
}
