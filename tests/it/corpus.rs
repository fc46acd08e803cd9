//! The parser on the shipped archives, checked against stories labelled by
//! reading the files by hand (`expected_corpus`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use storyfeed::parse::{parse_file, parse_paths, FileParse, Severity};
use storyfeed::story::Story;

use crate::expected_corpus::{COUNTS, DUPLICATES, STORIES};

fn archives() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/archives")
}

fn parse_archive(file: &str) -> FileParse {
    parse_file(&archives().join(file)).expect("archive is readable")
}

#[test]
fn story_counts_per_archive_match_a_reading_of_the_files() {
    for (file, count) in COUNTS {
        let parsed = parse_archive(file);
        assert_eq!(parsed.stories.len(), *count, "{file}");
        let errors: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
}

#[test]
fn labelled_stories_have_the_right_title_dates_places_and_text() {
    let mut failures = Vec::new();
    for e in STORIES {
        let parsed = parse_archive(e.file);
        let Some(s) = parsed.stories.iter().find(|s| s.sources[0].line == e.line) else {
            failures.push(format!("{}:{}: no story starts here", e.file, e.line));
            continue;
        };
        let first: String = s
            .paragraphs
            .first()
            .map(|p| p.chars().take(60).collect())
            .unwrap_or_default();
        let got = (
            s.title.as_str(),
            s.start().to_string(),
            s.end().to_string(),
            s.year_inferred,
            s.places.iter().map(String::as_str).collect::<Vec<_>>(),
            first.as_str(),
        );
        let want = (
            e.title,
            e.start.to_owned(),
            e.end.to_owned(),
            e.year_inferred,
            e.places.to_vec(),
            e.first_paragraph,
        );
        if got != want {
            failures.push(format!(
                "{}:{}:\n  got  {got:?}\n  want {want:?}",
                e.file, e.line
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn duplicates_across_pages_become_one_story_with_both_sources() {
    let corpus = parse_paths(&[archives()]).unwrap();
    let found: usize = corpus.files.iter().map(|f| f.stories).sum();
    assert_eq!(corpus.stories.len(), found - DUPLICATES.len());
    let ends_with = |s: &Story, file: &str, line: usize| {
        s.sources
            .iter()
            .any(|src| src.file.ends_with(file) && src.line == line)
    };
    for (fa, la, fb, lb) in DUPLICATES {
        let merged: Vec<_> = corpus
            .stories
            .iter()
            .filter(|s| ends_with(s, fa, *la) || ends_with(s, fb, *lb))
            .collect();
        assert_eq!(
            merged.len(),
            1,
            "{fa}:{la} and {fb}:{lb} should be one story"
        );
        let s = merged[0];
        assert_eq!(s.sources.len(), 2, "{:?}", s.sources);
        // The fuller text is kept: at least as long as either page's own text.
        for (file, line) in [(fa, la), (fb, lb)] {
            let own = parse_archive(file);
            let own = own
                .stories
                .iter()
                .find(|x| x.sources[0].line == *line)
                .unwrap();
            assert!(s.text_len() >= own.text_len(), "{file}:{line}");
        }
    }
}

#[test]
fn the_shipped_corpus_parses_without_diagnostics() {
    let corpus = parse_paths(&[archives()]).unwrap();
    assert!(corpus.diagnostics.is_empty(), "{:#?}", corpus.diagnostics);
}

#[test]
fn ids_are_unique_slugs_and_output_is_newest_first() {
    let corpus = parse_paths(&[archives()]).unwrap();
    let ids: HashSet<_> = corpus.stories.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), corpus.stories.len());
    for s in &corpus.stories {
        let id = s.id.as_str();
        assert!(id.starts_with(&s.start().to_string()), "{id}");
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{id}"
        );
    }
    for w in corpus.stories.windows(2) {
        assert!(w[0].start() >= w[1].start());
    }
}

#[test]
fn body_text_carries_no_page_residue() {
    let corpus = parse_paths(&[archives()]).unwrap();
    for s in &corpus.stories {
        for p in &s.paragraphs {
            for residue in ["Image ©", "Images ©", "Photo credit", "http://", "https://"] {
                assert!(!p.contains(residue), "{}: {residue} in {p:?}", s.id);
            }
            assert!(
                !p.ends_with(" more") && !p.ends_with("Campaignmore"),
                "{}: {p:?}",
                s.id
            );
            let lower = p.to_lowercase();
            for prompt in [
                "further information",
                "for more information",
                "follow the latest news on",
            ] {
                assert!(!lower.starts_with(prompt), "{}: {p:?}", s.id);
            }
            assert_eq!(p.trim(), p, "{}", s.id);
            assert!(
                !p.contains("  ") && !p.contains('\u{a0}'),
                "{}: {p:?}",
                s.id
            );
        }
        assert_eq!(s.summary, s.paragraphs.first().cloned().unwrap_or_default());
    }
}

#[test]
fn links_are_collected_from_link_lines() {
    let parsed = parse_archive("unodc-stories-2020.txt");
    let s = parsed
        .stories
        .iter()
        .find(|s| s.sources[0].line == 163)
        .unwrap();
    assert_eq!(
        s.links,
        ["https://www.unodc.org/unodc/firearms-protocol/news-and-events.html"]
    );
    let s = parsed
        .stories
        .iter()
        .find(|s| s.sources[0].line == 507)
        .unwrap();
    assert_eq!(s.links.len(), 4, "{:?}", s.links);
    // A bare URL in the middle of a story is a link, not a paragraph, and
    // the body goes on after it.
    let s = parsed
        .stories
        .iter()
        .find(|s| s.sources[0].line == 976)
        .unwrap();
    assert!(s.links.iter().any(|l| l.ends_with("covid_parents.html")));
    assert!(s
        .paragraphs
        .iter()
        .any(|p| p.starts_with("Similarly, UNODC distributed")));
}

#[test]
fn prose_after_a_link_prompt_is_kept_but_link_texts_are_not() {
    let long = "This paragraph after the links is real prose that a reader would miss, ".repeat(4);
    let text = format!(
        "Title of the story\n\n3 March 2020, Vienna, Austria: First paragraph.\n\nFor more information:\n\nLions Quest Skills for Adolescence - UNODC\n\nhttps://lqsfa-see.net/en/\n\n{long}\n"
    );
    let parsed = storyfeed::parse::parse_str("t.txt", &text);
    let s = &parsed.stories[0];
    assert_eq!(s.paragraphs.len(), 2, "{:?}", s.paragraphs);
    assert_eq!(s.paragraphs[1], long.trim());
    assert_eq!(s.links, ["https://lqsfa-see.net/en/"]);
}
