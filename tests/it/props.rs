//! Property tests: whatever the input, the parser does not panic and what
//! it returns keeps its invariants; on generated archives it returns
//! exactly what was generated.
//!
//! (a) arbitrary bytes and arbitrary date-ish lines;
//! (b) the real archives mutated: lines deleted, duplicated, swapped,
//!     characters inserted (unicode, controls, BOM, CR, NBSP, date text),
//!     CRLF line ends, raw bytes inserted, truncation at any byte;
//! (c) generated corpora (`benches/support/generator/`), field by field.
//!
//! Case counts are small so that `cargo test` stays quick in debug builds.

#[path = "../../benches/support/generator/mod.rs"]
mod generator;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;
use storyfeed::parse::rules::Role;
use storyfeed::parse::{explain_str, parse_bytes, parse_paths, parse_str, FileParse, Severity};

/// `n` cases, or `PROPTEST_CASES` when set (for a longer run).
fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    ProptestConfig::with_cases(n)
}

fn archives() -> &'static [(String, Vec<u8>)] {
    static ARCHIVES: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    ARCHIVES.get_or_init(|| {
        // The shipped archives and the pages written in the other forms.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("data/archives");
        let mut files: Vec<PathBuf> = [dir.clone(), root.join("tests/fixtures/pages")]
            .iter()
            .flat_map(|d| std::fs::read_dir(d).expect("archive directory"))
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no archives in {}", dir.display());
        files
            .into_iter()
            .map(|p| {
                let name = p
                    .file_name()
                    .expect("file name")
                    .to_string_lossy()
                    .into_owned();
                (name, std::fs::read(&p).expect("read archive"))
            })
            .collect()
    })
}

/// True for text as `normalize_space` leaves it: no control characters,
/// no spacing but single spaces between words.
fn is_normalized(s: &str) -> bool {
    let odd_space = |c: char| {
        c != ' ' && (c.is_whitespace() || c.is_control() || c == '\u{feff}' || c == '\u{200b}')
    };
    !s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  ") && !s.chars().any(odd_space)
}

/// What must hold of any parse of `bytes` named `name`.
fn check_invariants(name: &str, bytes: &[u8], p: &FileParse) -> Result<(), TestCaseError> {
    // `\n`, `\r` and `\r\n` each end one line.
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    let lines = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() - crlf + 1;
    prop_assert_eq!(&p.file, name);
    let mut ids = HashSet::new();
    for s in &p.stories {
        let id = s.id.as_str();
        prop_assert!(s.start() <= s.end(), "{id}: start after end");
        prop_assert!(!id.is_empty(), "empty id");
        prop_assert!(ids.insert(id.to_owned()), "id {id} twice in one file");
        let day = s.start().format("%Y-%m-%d").to_string();
        prop_assert!(
            id.starts_with(&day),
            "{id}: id does not start with the start date {day}"
        );
        prop_assert!(!s.sources.is_empty(), "{id}: no source");
        for src in &s.sources {
            prop_assert_eq!(&src.file, name);
            prop_assert!(
                (1..=lines).contains(&src.line),
                "{}: source line {} outside 1..={}",
                id,
                src.line,
                lines
            );
        }
        prop_assert!(!s.title.is_empty(), "{id}: empty title");
        prop_assert!(
            is_normalized(&s.title),
            "{id}: title not normalized: {:?}",
            s.title
        );
        for para in &s.paragraphs {
            prop_assert!(!para.is_empty(), "{id}: empty paragraph");
            prop_assert!(
                is_normalized(para),
                "{id}: paragraph not normalized: {:?}",
                para
            );
        }
        for place in &s.places {
            prop_assert!(
                is_normalized(place),
                "{id}: place not normalized: {:?}",
                place
            );
        }
        prop_assert_eq!(
            s.summary.as_str(),
            s.paragraphs.first().map_or("", String::as_str)
        );
        for link in &s.links {
            prop_assert!(
                link.starts_with("http://") || link.starts_with("https://"),
                "{id}: link {link:?}"
            );
            prop_assert!(
                !link.chars().any(char::is_whitespace),
                "{id}: link {link:?}"
            );
        }
    }
    for d in &p.diagnostics {
        prop_assert_eq!(&d.file, name);
        if let Some(line) = d.line {
            prop_assert!(
                (1..=lines).contains(&line),
                "diagnostic line {line} outside 1..={lines}: {d}"
            );
        }
    }
    // A file without a story says why.
    if p.stories.is_empty() {
        prop_assert!(
            p.diagnostics.iter().any(|d| d.severity == Severity::Error),
            "no stories and no error"
        );
    }
    Ok(())
}

/// Parses twice: no panic, invariants hold, same result both times.
fn parse_checked(name: &str, bytes: &[u8]) -> Result<FileParse, TestCaseError> {
    let p = parse_bytes(name, bytes);
    check_invariants(name, bytes, &p)?;
    let again = parse_bytes(name, bytes);
    prop_assert_eq!(&p.stories, &again.stories, "parse is not deterministic");
    prop_assert_eq!(
        &p.diagnostics,
        &again.diagnostics,
        "parse is not deterministic"
    );
    Ok(p)
}

// ---------------------------------------------------------------------------
// (a) Arbitrary input.
// ---------------------------------------------------------------------------

/// Lines that look like the archives' lines: dates in many forms, titles,
/// datelines, credits, link prompts, furniture.
fn archive_like_line() -> impl Strategy<Value = String> {
    prop_oneof![
        // Dates, date ranges, date-and-title lines, datelines.
        "[0-3]?[0-9](st|nd|rd|th| rd)?( ?[-–—/] ?[0-3]?[0-9])? ?(January|February|Feb|March|May|June|Jun|Sept\\.|Sep|October|December|Decem|Marc)?(,? ?(19|20|21|99|00)[0-9]{2})?( - [A-Z][a-z]+ [a-z]+|: [A-Z][a-z ]*|, [A-Z][a-z]+(, [A-Z][a-z]+)?(; [0-9]{1,2} [A-Z][a-z]+ 20[0-9]{2}, [A-Z][a-z]+)?(/[0-9]{1,2} [A-Z][a-z]+ 20[0-9]{2})?: [A-Za-z ]*)?",
        "(January|May|December|July|Sept)([-/](March|August|November))? (19|20)[0-9]{2}(: .*)?",
        "[0-3][0-9]\\.[0-1][0-9]\\.(19|20|21)[0-9]{2}(: [A-Za-z ]+| - [a-z]+)?",
        // Month first, ISO, slashes (either order), month-only datelines.
        "(Dec\\.|December|Sept|Sep\\.|Jan|June) [0-3]?[0-9](st|nd|rd|th)?(-[0-3]?[0-9])?(,? (19|20|21)[0-9]{2})?(: [A-Za-z ]+| - [a-z]+)?",
        "(19|20|21)[0-9]{2}-[0-1][0-9]-[0-3][0-9]( - (19|20)[0-9]{2}-[0-1][0-9]-[0-3][0-9])?(: [A-Za-z ]+)?",
        "[0-3]?[0-9]/[0-3]?[0-9]/(19|20|21)[0-9]{2}(: [A-Za-z ]+| - [a-z]+)?",
        "[A-Z][a-z]+ - (December|May|Sept) (19|20)[0-9]{2}: [A-Za-z ]+",
        // Plain text, titles, body.
        "[A-Z][a-z]{2,8}( [a-zA-Z]{1,9}){0,12}\\.?( more|more)?",
        // Page residue.
        "(Image|Images|Photo) ?© ?(UNODC|EU|WHO|UNODC Brussels|[A-Z]{2,5})?[A-Za-z ]{0,30}",
        "(Photo credit|[A-Za-z ]{1,20} - Image ©) ?[A-Z]{0,6}[A-Za-z ]{0,20}",
        "(Further information|For more information|More info|Follow the latest news on)(:)? ?(https?://[a-z./]{0,20})?",
        "https?://[a-z]{1,10}\\.[a-z]{2,3}/[a-z/.-]{0,20}[.,;)]?",
        "(Read our [0-9]{4} stories here\\.|Please see below a non-exhaustive selection of news items)",
        // The title-first forms: a place and a date, alone or opening a
        // paragraph; captions; separators, menus and teaser links.
        "(\\(?[A-Z][a-z]{2,8}(, [A-Z][a-z]{2,8})?\\)?,? )?[0-3]?[0-9] (January|May|Sept\\.|December)( 20[0-9]{2})?(, [A-Z][a-z]{2,8})?( - [A-Za-z ]{0,30}\\.?|: [A-Za-z ]{0,30}\\.?)?",
        "[A-Z][a-z]{2,8} (-|–) (March|December) 20[0-9]{2}: [A-Za-z ]{0,30}",
        "([A-Za-z ]{0,20}\\. )?(Photo: |Photo credit |© |Image © |Credit: )(UNODC|EU|[A-Z]{2,5})(/[A-Z][a-z]+ [A-Z][a-z]+)?([A-Z][a-z]+, [0-9]{1,2} May 2020 - [a-z ]{0,20})?",
        "(____|----|\\* \\* \\*|Home > News|Share \\| Print \\| Email|Back to top|\\[ Read More\\]|Read more|more)",
        "[A-Z][a-z]{2,8}( [a-z]{1,9}){0,8}(…|\\.\\.\\.)?( Read more| \\[ Read More\\]| more)?",
        // Spacing and odd characters.
        "[ \\t\\u{a0}\\u{202f}\\u{2009}\\u{feff}\\u{200b}\\r\\x00-\\x1f]{0,4}",
        any::<String>(),
    ]
}

fn arbitrary_text() -> impl Strategy<Value = String> {
    prop::collection::vec(archive_like_line(), 0..40).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        parse_checked("fuzz.txt", &bytes)?;
    }

    #[test]
    fn arbitrary_archive_like_text_never_panics(text in arbitrary_text()) {
        parse_checked("fuzz.txt", text.as_bytes())?;
        // `parse_str` and `parse_bytes` agree on UTF-8 text.
        let a = parse_str("fuzz.txt", &text);
        let b = parse_bytes("fuzz.txt", text.as_bytes());
        prop_assert_eq!(&a.stories, &b.stories);
        every_line_accounted_for(&text, &a)?;
    }
}

/// Every non-blank line has a verdict (story text, furniture or residue,
/// or reported), a reported line has a diagnostic naming it, and the
/// explanation's parse is the parse.
fn every_line_accounted_for(text: &str, parsed: &FileParse) -> Result<(), TestCaseError> {
    let e = explain_str("fuzz.txt", text);
    prop_assert_eq!(&e.parse.stories, &parsed.stories);
    prop_assert_eq!(&e.parse.diagnostics, &parsed.diagnostics);
    for line in &e.lines {
        let v = &line.verdict;
        prop_assert_eq!(
            line.text.is_empty(),
            v.role == Role::Blank,
            "line {}: {:?} {:?}",
            v.line,
            line.text,
            v
        );
        if v.role == Role::Reported {
            prop_assert!(
                parsed.diagnostics.iter().any(|d| d.line == Some(v.line)),
                "line {} reported without a diagnostic: {:?}",
                v.line,
                line.text
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// (b) The real archives, mutated.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum LineEdit {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    /// Insert text in a line at a character position.
    Insert(Index, Index, String),
    /// Join a line with the next one (a lost line break).
    Join(Index),
    /// Split a line at a character position.
    Split(Index, Index),
}

#[derive(Debug, Clone)]
enum ByteEdit {
    None,
    Crlf,
    Truncate(Index),
    /// A raw byte anywhere: may make the text invalid UTF-8.
    InsertByte(Index, u8),
}

fn inserted_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<char>().prop_map(String::from),
        prop::sample::select(vec![
            "\u{feff}",
            "\r",
            "\r\n",
            "\u{a0}",
            "\u{a0}\u{a0}",
            "\u{202f}",
            "\u{2009}",
            "\u{200b}",
            "\u{2028}",
            "\u{85}",
            "\0",
            "\t",
            "\u{1b}",
            "\u{301}",
            "\u{1F600}",
            "©",
            "Image © UNODC",
            "Photo credit ",
            " - Image ©",
            ":",
            ";",
            "/",
            " - ",
            "–",
            "—",
            ",",
            "more",
            " more",
            "Further information:",
            "http://",
            "https://x.org/a.",
            "31 February 2020: ",
            "29 February 2021",
            "2 December",
            "2 December, ",
            "28-29 December, 2020, ",
            "30 December - 2 January 2024: ",
            "April 2021",
            "July/September 2020, ",
            "1st Sept. 2021 - ",
            "9 - 7 June 2021: ",
            "00.13.2020: ",
            "03.03.2020",
            "7 — 9 June 2021",
            "16- 17 January",
            "2199",
            "1899",
            "12 monkeys",
            "May I",
            "Read our 2019 stories here.",
            "Please see below a non-exhaustive selection of news items",
        ])
        .prop_map(str::to_owned),
        "[0-9]{1,3}[ .-]?(May|June|Dec|Sept\\.)?[ ,]?[0-9]{0,5}[:,;/ -]{0,2}",
    ]
}

fn line_edit() -> impl Strategy<Value = LineEdit> {
    prop_oneof![
        1 => any::<Index>().prop_map(LineEdit::Delete),
        1 => any::<Index>().prop_map(LineEdit::Duplicate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| LineEdit::Swap(a, b)),
        3 => (any::<Index>(), any::<Index>(), inserted_text()).prop_map(|(l, c, t)| LineEdit::Insert(l, c, t)),
        1 => any::<Index>().prop_map(LineEdit::Join),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(l, c)| LineEdit::Split(l, c)),
    ]
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        3 => Just(ByteEdit::None),
        1 => Just(ByteEdit::Crlf),
        1 => any::<Index>().prop_map(ByteEdit::Truncate),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::InsertByte(i, b)),
    ]
}

/// The byte offset of the `i`th character boundary of `s` (end included).
fn char_boundary(s: &str, i: &Index) -> usize {
    let n = s.chars().count();
    let k = i.index(n + 1);
    s.char_indices().nth(k).map_or(s.len(), |(at, _)| at)
}

fn mutate(original: &[u8], edits: &[LineEdit], bytes_edit: &ByteEdit) -> Vec<u8> {
    let text = String::from_utf8_lossy(original);
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    for e in edits {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        match e {
            LineEdit::Delete(i) => {
                lines.remove(i.index(n));
            }
            LineEdit::Duplicate(i) => {
                let at = i.index(n);
                let l = lines[at].clone();
                lines.insert(at, l);
            }
            LineEdit::Swap(a, b) => lines.swap(a.index(n), b.index(n)),
            LineEdit::Insert(l, c, t) => {
                let line = &mut lines[l.index(n)];
                let at = char_boundary(line, c);
                line.insert_str(at, t);
            }
            LineEdit::Join(i) => {
                let at = i.index(n);
                if at + 1 < n {
                    let next = lines.remove(at + 1);
                    lines[at].push_str(&next);
                }
            }
            LineEdit::Split(l, c) => {
                let at_line = l.index(n);
                let at = char_boundary(&lines[at_line], c);
                let tail = lines[at_line].split_off(at);
                lines.insert(at_line + 1, tail);
            }
        }
    }
    let mut bytes = lines.join("\n").into_bytes();
    match bytes_edit {
        ByteEdit::None => {}
        ByteEdit::Crlf => {
            bytes = String::from_utf8(bytes)
                .expect("utf-8")
                .replace('\n', "\r\n")
                .into_bytes();
        }
        ByteEdit::Truncate(i) => {
            let at = i.index(bytes.len() + 1);
            bytes.truncate(at);
        }
        ByteEdit::InsertByte(i, b) => {
            let at = i.index(bytes.len() + 1);
            bytes.insert(at, *b);
        }
    }
    bytes
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn mutated_archives_never_panic(
        which in any::<Index>(),
        edits in prop::collection::vec(line_edit(), 1..12),
        bytes_edit in byte_edit(),
    ) {
        let (name, original) = &archives()[which.index(archives().len())];
        let bytes = mutate(original, &edits, &bytes_edit);
        parse_checked(name, &bytes)?;
        let text = String::from_utf8_lossy(&bytes);
        every_line_accounted_for(&text, &parse_str("fuzz.txt", &text))?;
    }

    #[test]
    fn truncated_archives_never_panic(which in any::<Index>(), at in any::<Index>()) {
        let (name, original) = &archives()[which.index(archives().len())];
        let bytes = &original[..at.index(original.len() + 1)];
        parse_checked(name, bytes)?;
    }
}

/// The archives as shipped parse cleanly and keep the invariants.
#[test]
fn real_archives_keep_invariants() {
    for (name, bytes) in archives() {
        let p = parse_bytes(name, bytes);
        check_invariants(name, bytes, &p).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!p.stories.is_empty(), "{name}: no stories");
    }
}

// ---------------------------------------------------------------------------
// (c) Generated corpora: parsed exactly as generated.
// ---------------------------------------------------------------------------

fn assert_clean(file: &generator::GeneratedFile) {
    let c = generator::check_file(file);
    assert!(
        c.is_clean(),
        "{}: {} errors, {} warnings, {} differences:\n{}",
        file.name,
        c.errors.len(),
        c.warnings.len(),
        c.mismatch_count,
        c.errors
            .iter()
            .chain(&c.warnings)
            .chain(&c.mismatches)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

proptest! {
    #![proptest_config(cases(16))]

    #[test]
    fn generated_archives_parse_as_generated(seed in any::<u64>()) {
        let files: Vec<_> = generator::Generator::new(generator::Target::Stories(120), seed)
            .with_file_sizes(8_000, 40_000)
            .collect();
        prop_assert_eq!(files.iter().map(|f| f.stories.len()).sum::<usize>(), 120);
        for f in &files {
            assert_clean(f);
            parse_checked(&f.name, f.text.as_bytes())?;
        }
    }
}

#[test]
fn generator_is_deterministic() {
    let run = |seed| -> Vec<(String, String)> {
        generator::Generator::new(generator::Target::Bytes(200_000), seed)
            .with_file_sizes(30_000, 80_000)
            .map(|f| (f.name, f.text))
            .collect()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

/// The check is not vacuous: a story whose text no longer says what was
/// generated is reported.
#[test]
fn generator_check_catches_differences() {
    let mut file = generator::generate_stories(40, 5).remove(0);
    assert_clean(&file);
    let mut wrong = file.clone();
    wrong.stories[3].end = wrong.stories[3].end.plus_days(1);
    wrong.stories[7].title.push('x');
    wrong.stories[9].paragraphs.pop();
    let c = generator::check_file(&wrong);
    assert_eq!(c.mismatch_count, 3, "{:#?}", c.mismatches);
    // Lose a story's date line: its story goes, an error or a changed
    // neighbour is reported.
    let line = file.stories[5].line;
    let mut lines: Vec<&str> = file.text.split('\n').collect();
    lines[line - 1] = "Not a date";
    file.text = lines.join("\n");
    let c = generator::check_file(&file);
    assert!(!c.is_clean());
}

/// Across files, `parse_paths` merges each reprint with its original and
/// nothing else.
#[test]
fn generated_corpus_merges_only_reprints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut found = 0;
    let mut reprints = 0;
    let files: Vec<_> = generator::Generator::new(generator::Target::Stories(1500), 11)
        .with_file_sizes(100_000, 300_000)
        .collect();
    for f in &files {
        std::fs::write(dir.path().join(&f.name), &f.text).expect("write");
        found += f.stories.len();
        reprints += f.duplicates();
    }
    assert!(files.len() >= 3, "{} files", files.len());
    assert!(reprints > 0, "no reprints generated");
    let corpus = parse_paths(&[dir.path().to_path_buf()]).expect("parse_paths");
    assert!(!corpus.has_errors(), "{:#?}", corpus.diagnostics);
    assert_eq!(corpus.files.iter().map(|f| f.stories).sum::<usize>(), found);
    assert_eq!(corpus.stories.len(), found - reprints);
    let merged = corpus
        .stories
        .iter()
        .filter(|s| s.sources.len() > 1)
        .count();
    assert_eq!(merged, reprints);
}

// ---------------------------------------------------------------------------
// (d) Date forms and merging, rule by rule.
// ---------------------------------------------------------------------------

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn a_day() -> impl Strategy<Value = chrono::NaiveDate> {
    (1995i32..2190, 1u32..=12, 1u32..=31).prop_filter_map("no such day", |(y, m, d)| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
    })
}

proptest! {
    #![proptest_config(cases(256))]

    /// Every form names the day it was written from.
    #[test]
    fn each_date_form_names_its_day(day in a_day(), form in 0usize..8) {
        use chrono::Datelike;
        use storyfeed::parse::dates::parse_date_prefix;
        let (y, m, d) = (day.year(), day.month(), day.day());
        let name = MONTHS[m as usize - 1];
        let suffix = match (d % 10, d / 10) {
            (_, 1) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        };
        let text = match form {
            0 => format!("{d} {name} {y}"),
            1 => format!("{name} {d}, {y}"),
            2 => format!("{}. {d}, {y}", &name[..3]),
            3 => format!("{d}{suffix} {name} {y}"),
            4 => format!("{name} {d}{suffix}, {y}"),
            5 => format!("{y}-{m:02}-{d:02}"),
            // Slashes the order of which the day itself shows.
            6 if d > 12 => format!("{d}/{m}/{y}"),
            7 if d > 12 => format!("{m:02}/{d}/{y}"),
            _ => format!("{d:02}.{m:02}.{y}"),
        };
        let line = format!("{text}: A title");
        let (t, n) = parse_date_prefix(&line).ok_or_else(|| TestCaseError::fail(format!("no date in {line:?}")))?;
        prop_assert_eq!(&line[..n], text.as_str());
        let r = t.resolve(None).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!((r.start(), r.end()), (day, day), "{}", text);
    }

    /// A date without a year among stories of one year takes their year,
    /// or the one next to it across New Year, never one far away.
    #[test]
    fn a_date_without_a_year_lands_next_to_its_neighbours(day in a_day(), before in 0i64..60, after in 0i64..60) {
        use storyfeed::parse::dates::{parse_date_prefix, PageDates};
        use storyfeed::story::DateRange;
        let name = MONTHS[chrono::Datelike::month(&day) as usize - 1];
        let text = format!("{} {name}", chrono::Datelike::day(&day));
        let (t, _) = parse_date_prefix(&text).expect("a date");
        let newer = DateRange::day(day + chrono::Duration::days(before));
        let older = DateRange::day(day - chrono::Duration::days(after));
        let (page, _) = PageDates::new(None, std::iter::empty());
        let year = page.year_for(&t, Some(newer), Some(older));
        let got = year.and_then(|y| page.resolve(&t, Some(y)).ok()).map(|r| r.start());
        prop_assert_eq!(got, Some(day), "{}", text);
    }
}

fn a_story(file: &str, line: usize, title: &str, body: &str) -> storyfeed::story::Story {
    use storyfeed::story::{DateRange, Source, Story, StoryId};
    let d = chrono::NaiveDate::from_ymd_opt(2021, 6, 14).expect("a day");
    Story {
        id: StoryId::new(d, title),
        title: title.to_owned(),
        dates: DateRange::day(d),
        year_inferred: false,
        places: vec![],
        paragraphs: vec![body.to_owned()],
        summary: body.to_owned(),
        links: vec![],
        sources: vec![Source {
            file: file.to_owned(),
            line,
        }],
        themes: vec![],
        programmes: vec![],
    }
}

const TEMPLATES: &[&str] = &[
    "UNODC trains border officers in {}",
    "Regional workshop on firearms trafficking brings together prosecutors from {}",
    "EU-funded Container Control Programme delivers equipment to the customs of {}",
    "{}: anti-corruption training for judges in the capital",
    "UNODC supports {} in addressing money laundering and cybercrime",
];
const PLACES: &[&str] = &[
    "Serbia",
    "Albania",
    "North Macedonia",
    "Montenegro",
    "Kosovo under UNSCR 1244",
    "Bosnia and Herzegovina",
    "Kenya",
    "the Western Balkans",
    "Tirana",
    "2021",
];

proptest! {
    #![proptest_config(cases(128))]

    /// Same day, same template, another place: two stories, even with
    /// bodies written from the same sentences.
    #[test]
    fn same_template_other_place_is_not_merged(t in 0..TEMPLATES.len(), a in 0..PLACES.len(), b in 0..PLACES.len()) {
        prop_assume!(a != b);
        let body = |p: &str| format!("The activity in {p} is part of a regional programme funded by the European Union. It brought together officers, prosecutors and judges to share experience on investigations, evidence and cooperation across borders. Participants discussed cases and agreed on next steps.");
        let x = a_story("one.txt", 3, &TEMPLATES[t].replace("{}", PLACES[a]), &body(PLACES[a]));
        let y = a_story("two.txt", 9, &TEMPLATES[t].replace("{}", PLACES[b]), &body(PLACES[b]));
        let (stories, merges) = storyfeed::parse::merge_duplicates(vec![x, y]);
        prop_assert_eq!(stories.len(), 2, "{:?}", merges);
        prop_assert!(merges.is_empty());
    }

    /// The same story reprinted with a reworded title and a shorter
    /// summary is one story, and the merge is reported.
    #[test]
    fn a_reworded_reprint_is_merged(t in 0..TEMPLATES.len(), a in 0..PLACES.len(), wording in 0usize..4) {
        let title = TEMPLATES[t].replace("{}", PLACES[a]);
        let reworded = match wording {
            0 => format!("During the International Day against Drug Abuse, {title}"),
            1 => format!("{title}, as part of EU-funded project"),
            2 => format!("Looking back: {title}"),
            _ => format!("{title} - UNODC Brussels"),
        };
        let body = format!("The activity in {} is part of a regional programme funded by the European Union. It brought together officers, prosecutors and judges to share experience on investigations, evidence and cooperation across borders.", PLACES[a]);
        let x = a_story("brochure.txt", 40, &title, &format!("{body} Participants discussed cases and agreed on next steps."));
        let y = a_story("latest.txt", 7, &reworded, &body);
        let (stories, merges) = storyfeed::parse::merge_duplicates(vec![x, y]);
        prop_assert_eq!(stories.len(), 1);
        prop_assert_eq!(stories[0].title.as_str(), title.as_str());
        prop_assert_eq!(merges.len(), 1);
        prop_assert_eq!(merges[0].kept.file.as_str(), "brochure.txt");
        prop_assert_eq!(merges[0].merged.file.as_str(), "latest.txt");
    }
}

/// With years repeating across files, stories of different files share
/// dates without being reprints: `parse_paths` still merges each reprint
/// with its original and nothing else, and reports each merge.
#[test]
fn generated_corpus_with_repeating_years_merges_only_reprints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files: Vec<_> = generator::Generator::new(generator::Target::Stories(3000), 23)
        .with_file_sizes(150_000, 300_000)
        .with_years(2000, 2003)
        .collect();
    let mut reprints = HashSet::new();
    let mut found = 0;
    for f in &files {
        std::fs::write(dir.path().join(&f.name), &f.text).expect("write");
        found += f.stories.len();
        for s in &f.stories {
            if let Some((original, line)) = &s.duplicate_of {
                reprints.insert(((f.name.clone(), s.line), (original.clone(), *line)));
            }
        }
    }
    let corpus = parse_paths(&[dir.path().to_path_buf()]).expect("parse_paths");
    assert!(!corpus.has_errors(), "{:#?}", corpus.diagnostics);
    let name = |s: &storyfeed::story::Source| {
        let file = Path::new(&s.file).file_name().expect("a file name");
        (file.to_string_lossy().into_owned(), s.line)
    };
    let merged: HashSet<_> = corpus
        .merges
        .iter()
        .map(|m| {
            let (a, b) = (name(&m.merged), name(&m.kept));
            // The reprint is the Latest News copy: either side may be kept.
            if reprints.iter().any(|(r, _)| *r == a) {
                (a, b)
            } else {
                (b, a)
            }
        })
        .collect();
    let wrong: Vec<_> = merged.difference(&reprints).collect();
    let missed: Vec<_> = reprints.difference(&merged).collect();
    assert!(
        wrong.is_empty() && missed.is_empty(),
        "wrong {wrong:#?}\nmissed {missed:#?}"
    );
    assert_eq!(corpus.stories.len(), found - reprints.len());
}
