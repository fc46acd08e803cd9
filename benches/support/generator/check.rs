//! What the parser should find in a generated file (`ExpectedStory`), and
//! `check_file`, which parses the file and compares.

use super::dates::Ymd;
use super::GeneratedFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Date line, title line, one-line summary ending in `more` (Latest News).
    Summary,
    /// `Date: Title` or `Date - Title`, then paragraphs (brochures).
    DateTitle,
    /// Title line, then a dateline paragraph (Archive of Stories).
    Dateline,
}

/// One story as the parser should report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedStory {
    /// 1-based line where the story starts (its date line or title line).
    pub line: usize,
    pub layout: Layout,
    pub title: String,
    pub start: Ymd,
    pub end: Ymd,
    pub year_inferred: bool,
    pub places: Vec<String>,
    pub paragraphs: Vec<String>,
    pub links: Vec<String>,
    /// For a reprint: the file and line of the story it repeats.
    pub duplicate_of: Option<(String, usize)>,
}

/// What the parser made of one generated file, against what it should have.
#[derive(Debug, Clone, Default)]
pub struct FileCheck {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// Differences between parsed and expected stories (at most 20 listed).
    pub mismatches: Vec<String>,
    pub mismatch_count: usize,
    pub stories: usize,
}

impl FileCheck {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.warnings.is_empty() && self.mismatch_count == 0
    }
}

/// Parses `file` with `storyfeed::parse::parse_str` and compares every
/// story field by field with what was generated.
pub fn check_file(file: &GeneratedFile) -> FileCheck {
    use storyfeed::parse::{parse_str, Severity};
    let parsed = parse_str(&file.name, &file.text);
    let mut check = FileCheck {
        stories: parsed.stories.len(),
        ..FileCheck::default()
    };
    for d in &parsed.diagnostics {
        match d.severity {
            Severity::Error => check.errors.push(d.to_string()),
            Severity::Warning => check.warnings.push(d.to_string()),
        }
    }
    let mut note = |msg: String| {
        check.mismatch_count += 1;
        if check.mismatches.len() < 20 {
            check.mismatches.push(msg);
        }
    };
    if parsed.stories.len() != file.stories.len() {
        note(format!(
            "{}: {} stories parsed, {} generated",
            file.name,
            parsed.stories.len(),
            file.stories.len()
        ));
    }
    // Pair stories by start line, so one lost story does not shift the rest.
    let mut by_line = std::collections::HashMap::new();
    for s in &parsed.stories {
        by_line.insert(s.sources[0].line, s);
    }
    for e in &file.stories {
        let at = format!("{}:{}", file.name, e.line);
        let Some(s) = by_line.get(&e.line) else {
            note(format!(
                "{at}: no story parsed here ({:?} `{}`)",
                e.layout, e.title
            ));
            continue;
        };
        let mut field = |name: &str, got: String, want: String| {
            if got != want {
                note(format!("{at}: {name}: parsed {got:?}, expected {want:?}"));
            }
        };
        field("title", s.title.clone(), e.title.clone());
        field("start", s.start().to_string(), e.start.to_string());
        field("end", s.end().to_string(), e.end.to_string());
        field(
            "year_inferred",
            s.year_inferred.to_string(),
            e.year_inferred.to_string(),
        );
        field(
            "places",
            format!("{:?}", s.places),
            format!("{:?}", e.places),
        );
        field("links", format!("{:?}", s.links), format!("{:?}", e.links));
        if s.paragraphs != e.paragraphs {
            let i = s
                .paragraphs
                .iter()
                .zip(&e.paragraphs)
                .position(|(a, b)| a != b)
                .unwrap_or(s.paragraphs.len().min(e.paragraphs.len()));
            note(format!(
                "{at}: paragraphs differ at #{i} ({} parsed, {} expected): parsed {:?}, expected {:?}",
                s.paragraphs.len(),
                e.paragraphs.len(),
                s.paragraphs.get(i),
                e.paragraphs.get(i)
            ));
        }
    }
    check
}
