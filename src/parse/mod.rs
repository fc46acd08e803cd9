//! Archives in, normalised [`Story`] values out.
//!
//! The layout of a page is recognised line by line from the text itself
//! (`lines`), so a page that mixes layouts parses too. A story starts at a
//! date line (`30 July 2023`, then a title line), at a date-and-title line
//! (`31 March 2020: Title`), or at a title line followed by a dateline
//! paragraph (`17 June 2020, Tirana, Albania: …`). Everything else is body,
//! known page furniture, or a diagnostic: nothing is dropped unreported.
//!
//! `parse_str` does the work on text; `parse_file` only reads; `parse_paths`
//! expands directories, parses every file and merges the same story found
//! on two pages (`merge`).

mod clean;
pub mod dates;
mod lines;
mod merge;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::story::{DateRange, Source, Story, StoryId};
use clean::{
    collect_links, is_furniture, is_link_prompt, is_url_line, normalize_space, strip_credit,
    strip_more, strip_more_after_sentence,
};
use dates::{DateError, DateText};
use lines::{classify, is_space, trim_space, DatelinePart, LineKind};

pub use merge::{assign_unique_ids, merge_duplicates};

/// The longest line after a link prompt that is taken for a link text.
const MAX_LINK_TEXT: usize = 200;

/// The longest first line that is still taken for the page's heading.
const MAX_HEADING: usize = 160;

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

/// Parses files on one thread per core (files are independent); results
/// come back in the order of `files`, so output does not depend on timing.
fn parse_files_in_parallel(files: &[PathBuf]) -> Vec<Result<FileParse, ParseError>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len())
        .max(1);
    if threads == 1 {
        let mut buf = Vec::new();
        return files.iter().map(|f| parse_file_with(f, &mut buf)).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<FileParse, ParseError>>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut buf = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let parsed = parse_file_with(path, &mut buf);
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(parsed);
                    }
                }
            });
        }
    });
    let slots = results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    slots
        .into_iter()
        .zip(files)
        .map(|(slot, path)| {
            // A slot is empty only if its worker died; say so, never skip the file.
            slot.unwrap_or_else(|| {
                Err(ParseError::Read {
                    path: path.clone(),
                    source: std::io::Error::other("parser thread failed"),
                })
            })
        })
        .collect()
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

/// The files to read: files as given, directories searched recursively for
/// `*.txt` in name order. A path given twice is read once.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ParseError> {
    let mut out: Vec<PathBuf> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| ParseError::Read {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let before = out.len();
            walk_txt(path, &mut out)?;
            if out.len() == before {
                return Err(ParseError::NoArchives { path: path.clone() });
            }
        } else if !out.contains(path) {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk_txt(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ParseError> {
    let read_err = |source| ParseError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(read_err)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_err)?;
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk_txt(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
            && !out.contains(&path)
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads and parses one archive; the file is named as `path` displays.
pub fn parse_file(path: &Path) -> Result<FileParse, ParseError> {
    parse_file_with(path, &mut Vec::new())
}

/// `parse_file` reading into `buf`, a buffer the caller reuses from file to
/// file: fresh memory for every file costs more in page faults than the
/// parse itself.
pub fn parse_file_with(path: &Path, buf: &mut Vec<u8>) -> Result<FileParse, ParseError> {
    use std::io::Read;
    let read_err = |source| ParseError::Read {
        path: path.to_path_buf(),
        source,
    };
    buf.clear();
    std::fs::File::open(path)
        .and_then(|mut f| {
            // Exactly the file's size: the default growth would double the
            // buffer, and peak memory counts in multiples of the largest file.
            let len = f.metadata()?.len();
            buf.reserve_exact(usize::try_from(len).unwrap_or(0));
            f.read_to_end(buf)
        })
        .map_err(read_err)?;
    Ok(parse_bytes(&path.display().to_string(), buf))
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Date line, title line, summary (Latest News).
    Summary,
    /// `Date: Title` or `Date - Title`, then paragraphs (brochures).
    DateTitle,
    /// Title line, then a dateline paragraph (Archive of Stories).
    Dateline,
}

/// A story as the lines give it, before its year is known.
struct Draft<'a> {
    layout: Layout,
    line: usize,
    /// The date written on the story's date line, with that line.
    date: Option<(DateText, &'a str, usize)>,
    title: Option<&'a str>,
    dateline: Option<(Vec<DatelinePart<'a>>, usize)>,
}

/// A finished story whose dates still wait for a year.
struct Pending<'a> {
    title: String,
    line: usize,
    places: Vec<String>,
    paragraphs: Vec<String>,
    links: Vec<String>,
    /// Each date written for the story, with its text and line.
    dates: Vec<(DateText, &'a str, usize)>,
}

struct Parser<'a> {
    name: &'a str,
    heading: Option<&'a str>,
    /// Text before the first story: the page heading, intro, or leftovers.
    loose: Vec<(usize, &'a str)>,
    draft: Option<Draft<'a>>,
    /// Body lines of the current draft, kept here so that the buffer is
    /// reused from story to story.
    body: Vec<(usize, &'a str)>,
    /// The last non-blank line, when it was plain text (a title candidate).
    prev_text: Option<usize>,
    pending: Vec<Pending<'a>>,
    diagnostics: Vec<Diagnostic>,
    saw_text: bool,
}

impl<'a> Parser<'a> {
    fn new(name: &'a str) -> Self {
        Parser {
            name,
            heading: None,
            loose: Vec::new(),
            draft: None,
            body: Vec::new(),
            prev_text: None,
            pending: Vec::new(),
            diagnostics: Vec::new(),
            saw_text: false,
        }
    }

    fn diag(&mut self, line: Option<usize>, severity: Severity, message: String) {
        self.diagnostics.push(Diagnostic {
            file: self.name.to_owned(),
            line,
            severity,
            message,
        });
    }

    fn line(&mut self, n: usize, raw: &'a str) {
        let kind = classify(raw);
        if !matches!(kind, LineKind::Blank) {
            self.saw_text = true;
        }
        match kind {
            LineKind::Blank => {}
            LineKind::DateOnly { date, date_text } => {
                self.start(Draft {
                    layout: Layout::Summary,
                    line: n,
                    date: Some((date, date_text, n)),
                    title: None,
                    dateline: None,
                });
                self.prev_text = None;
            }
            LineKind::DateTitle {
                date,
                date_text,
                title,
            } => {
                self.start(Draft {
                    layout: Layout::DateTitle,
                    line: n,
                    date: Some((date, date_text, n)),
                    title: Some(title),
                    dateline: None,
                });
                self.prev_text = None;
            }
            LineKind::Dateline { parts, body } => self.dateline(n, raw, parts, body),
            LineKind::Text => self.text(n, raw),
        }
    }

    fn text(&mut self, n: usize, raw: &'a str) {
        let trimmed = trim_space(raw);
        if is_furniture(trimmed) {
            self.prev_text = None;
            return;
        }
        self.prev_text = Some(n);
        match &mut self.draft {
            Some(d) if d.title.is_none() => d.title = Some(trimmed),
            Some(_) => self.body.push((n, raw)),
            None => self.loose.push((n, trimmed)),
        }
    }

    fn dateline(&mut self, n: usize, raw: &'a str, parts: Vec<DatelinePart<'a>>, body: &'a str) {
        // The first paragraph of a dated story may carry a dateline too:
        // it gives the places; the story keeps its own date.
        if let Some(d) = &mut self.draft {
            if d.title.is_some() && self.body.is_empty() && d.dateline.is_none() {
                d.dateline = Some((parts, n));
                self.body.push((n, body));
                self.prev_text = None;
                return;
            }
        }
        // Otherwise the line before is the title of a new story.
        let Some(title_line) = self.prev_text.take() else {
            self.text(n, raw);
            return;
        };
        let title = match &self.draft {
            Some(_) if self.body.last().is_some_and(|(l, _)| *l == title_line) => {
                self.body.pop().map(|(_, t)| t)
            }
            Some(_) => None,
            None if self.loose.last().is_some_and(|(l, _)| *l == title_line) => {
                self.loose.pop().map(|(_, t)| t)
            }
            _ => None,
        };
        let Some(title) = title else {
            self.text(n, raw);
            return;
        };
        self.start(Draft {
            layout: Layout::Dateline,
            line: title_line,
            date: None,
            title: Some(title.trim_matches(is_space)),
            dateline: Some((parts, n)),
        });
        self.body.push((n, body));
    }

    fn start(&mut self, draft: Draft<'a>) {
        if let Some(done) = self.draft.take() {
            self.finish_draft(done);
            self.body.clear();
        } else {
            self.report_loose();
        }
        self.draft = Some(draft);
    }

    /// Text before the first story: the first line is the page heading,
    /// known intro sentences are furniture, anything else is reported.
    fn report_loose(&mut self) {
        let loose = std::mem::take(&mut self.loose);
        for (i, (n, text)) in loose.into_iter().enumerate() {
            if i == 0 && self.heading.is_none() && text.len() <= MAX_HEADING {
                self.heading = Some(text);
                continue;
            }
            self.diag(
                Some(n),
                Severity::Warning,
                format!("text outside any story: `{}`", excerpt(text)),
            );
        }
    }

    fn finish_draft(&mut self, d: Draft<'a>) {
        let Some(title) = d.title else {
            let date_text = d.date.map_or("", |(_, t, _)| t);
            self.diag(
                Some(d.line),
                Severity::Error,
                format!("date line `{date_text}` is not followed by a title"),
            );
            return;
        };
        let mut dates: Vec<(DateText, &'a str, usize)> = Vec::new();
        let mut places = Vec::new();
        if let Some(date) = d.date {
            dates.push(date);
        }
        if let Some((parts, line)) = &d.dateline {
            let from_dateline = dates.is_empty();
            for part in parts {
                places.push(normalize_space(part.place));
                if let (true, Some((date, text))) = (from_dateline, &part.date) {
                    dates.push((*date, text, *line));
                }
            }
            if from_dateline {
                fill_years_within(&mut dates);
            }
        }

        let mut paragraphs = Vec::new();
        let mut links = Vec::new();
        let mut in_links = false;
        for &(_, raw) in &self.body {
            collect_links(raw, &mut links);
            // After a link prompt come link texts and URLs; a paragraph of
            // prose there is body again rather than something to drop.
            if in_links && raw.len() <= MAX_LINK_TEXT {
                continue;
            }
            let text = normalize_space(raw);
            in_links = is_link_prompt(&text);
            if in_links || is_url_line(&text) {
                continue;
            }
            let kept = strip_credit(&text);
            if kept.is_empty() {
                continue;
            }
            paragraphs.push(if kept.len() == text.len() {
                text
            } else {
                kept.to_owned()
            });
        }
        if let Some(last) = paragraphs.last_mut() {
            let kept = match d.layout {
                Layout::Summary => strip_more(last),
                Layout::DateTitle | Layout::Dateline => strip_more_after_sentence(last),
            };
            if kept.len() < last.len() {
                let kept = kept.len();
                last.truncate(kept);
            }
            if last.is_empty() {
                paragraphs.pop();
            }
        }
        if paragraphs.is_empty() {
            self.diag(
                Some(d.line),
                Severity::Warning,
                format!("story `{}` has no body text", excerpt(title)),
            );
        }
        self.pending.push(Pending {
            title: normalize_space(title),
            line: d.line,
            places,
            paragraphs,
            links,
            dates,
        });
    }

    fn finish(mut self) -> FileParse {
        if let Some(d) = self.draft.take() {
            self.finish_draft(d);
        } else {
            self.report_loose();
        }
        if !self.saw_text {
            self.diag(None, Severity::Error, "empty file: no text".to_owned());
        }
        let stories = self.resolve_dates();
        if stories.is_empty() && self.saw_text {
            self.diag(
                None,
                Severity::Error,
                "no stories found: no line starts with a date such as `31 March 2020`".to_owned(),
            );
        }
        let mut stories = stories;
        assign_unique_ids(&mut stories);
        FileParse {
            file: self.name.to_owned(),
            stories,
            diagnostics: self.diagnostics,
        }
    }

    /// Gives each story its calendar dates. A date with no year takes the
    /// year of the page heading, or else of the nearest story that has one.
    fn resolve_dates(&mut self) -> Vec<Story> {
        let page_year = self.heading.and_then(year_in);
        let written: Vec<Option<i32>> = self
            .pending
            .iter()
            .map(|p| p.dates.iter().find_map(|(d, _, _)| d.written_year()))
            .collect();
        let pending = std::mem::take(&mut self.pending);
        let mut stories = Vec::with_capacity(pending.len());
        for (i, p) in pending.into_iter().enumerate() {
            let year_inferred = written[i].is_none();
            let default_year = if year_inferred {
                page_year.or_else(|| nearest_year(&written, i))
            } else {
                None
            };
            let mut range: Option<DateRange> = None;
            let mut failed = false;
            for (date, text, line) in &p.dates {
                match date.resolve(default_year) {
                    Ok(r) => range = Some(range.map_or(r, |acc| acc.union(&r))),
                    Err(e) => {
                        failed = true;
                        self.diag(Some(*line), Severity::Error, date_message(text, &e));
                    }
                }
            }
            let Some(dates) = range.filter(|_| !failed) else {
                if p.dates.is_empty() {
                    self.diag(
                        Some(p.line),
                        Severity::Error,
                        "story has no date".to_owned(),
                    );
                }
                continue;
            };
            stories.push(Story {
                id: StoryId::new(dates.start(), &p.title),
                title: p.title,
                dates,
                year_inferred,
                places: p.places,
                summary: p.paragraphs.first().cloned().unwrap_or_default(),
                paragraphs: p.paragraphs,
                links: p.links,
                sources: vec![Source {
                    file: self.name.to_owned(),
                    line: p.line,
                }],
                themes: Vec::new(),
                programmes: Vec::new(),
            });
        }
        stories
    }
}

fn date_message(text: &str, e: &DateError) -> String {
    match e {
        DateError::NoYear => format!("date `{text}` has no year and the page gives none"),
        _ => format!("unrecognised date `{text}`: {e}"),
    }
}

/// Dateline parts without a year take the year of the next part that has
/// one (`3 March, Osijek; 11 March 2020, Split`), else of the one before.
fn fill_years_within(dates: &mut [(DateText, &str, usize)]) {
    let mut next: Option<i32> = None;
    for (d, _, _) in dates.iter_mut().rev() {
        match d.written_year() {
            Some(y) => next = Some(y),
            None => {
                if let Some(y) = next {
                    d.to.year = Some(y);
                }
            }
        }
    }
    let mut prev: Option<i32> = None;
    for (d, _, _) in dates.iter_mut() {
        match d.written_year() {
            Some(y) => prev = Some(y),
            None => d.to.year = prev,
        }
    }
}

fn nearest_year(written: &[Option<i32>], i: usize) -> Option<i32> {
    let before = written[..i].iter().rev().find_map(|y| *y);
    before.or_else(|| written[i + 1..].iter().find_map(|y| *y))
}

/// A plausible year written in a page heading: `Archive of UNODC Stories 2020`.
fn year_in(text: &str) -> Option<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<i32>().ok())
        .find(|y| (1900..=2199).contains(y))
}

/// The first 80 characters of `text`, for messages.
fn excerpt(text: &str) -> String {
    let t = normalize_space(text);
    match t.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t,
    }
}
