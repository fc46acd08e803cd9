//! General story detection (issue 12): pages in forms nobody wrote rules
//! for (`tests/fixtures/pages/`, labelled in `expected_pages`), and each
//! named rule on a page of a few lines, checked through the explanation
//! the parser gives (`explain_str`).

use std::path::{Path, PathBuf};

use storyfeed::parse::rules::{Role, Rule};
use storyfeed::parse::{explain_str, parse_file, parse_str, Explanation};

use crate::expected_pages::{COUNTS, STORIES};

fn pages() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages")
}

#[test]
fn fixture_pages_give_the_stories_labelled_by_hand() {
    let total: usize = COUNTS.iter().map(|(_, n)| n).sum();
    assert!(COUNTS.len() >= 6 && total >= 40, "{total} stories");
    let mut failures = Vec::new();
    for (file, count) in COUNTS {
        let parsed = parse_file(&pages().join(file)).expect("fixture is readable");
        if parsed.stories.len() != *count {
            failures.push(format!("{file}: {} stories", parsed.stories.len()));
        }
        // Every line is a story's, furniture, or known residue: nothing reported.
        if !parsed.diagnostics.is_empty() {
            failures.push(format!("{file}: {:?}", parsed.diagnostics));
        }
    }
    for e in STORIES {
        let parsed = parse_file(&pages().join(e.file)).unwrap();
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
            s.places.iter().map(String::as_str).collect::<Vec<_>>(),
            first.as_str(),
            s.paragraphs.len(),
            s.year_inferred,
        );
        let want = (
            e.title,
            e.start.to_owned(),
            e.end.to_owned(),
            e.places.to_vec(),
            e.first_paragraph,
            e.paragraphs,
            false,
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
fn every_non_blank_line_of_the_fixtures_has_a_verdict() {
    for (file, _) in COUNTS {
        let text = std::fs::read_to_string(pages().join(file)).unwrap();
        let e = explain_str(file, &text);
        // The empty line after the last line end counts, as it does in diagnostics.
        assert_eq!(e.lines.len(), text.split('\n').count(), "{file}");
        for line in &e.lines {
            assert_eq!(
                line.text.is_empty(),
                line.verdict.role == Role::Blank,
                "{file}:{}: {line}",
                line.verdict.line
            );
            assert_ne!(line.verdict.role, Role::Reported, "{file}: {line}");
        }
    }
}

/// (role, rule) of each non-blank line.
fn verdicts(page: &str) -> (Vec<(Role, Rule)>, Explanation) {
    let e = explain_str("t.txt", page);
    let v = e
        .lines
        .iter()
        .filter(|l| l.verdict.role != Role::Blank)
        .map(|l| (l.verdict.role, l.verdict.rule))
        .collect();
    (v, e)
}

/// (title, start, places, first paragraph) of each story.
fn stories(e: &Explanation) -> Vec<(String, String, Vec<String>, String)> {
    e.parse
        .stories
        .iter()
        .map(|s| {
            (
                s.title.clone(),
                s.start().to_string(),
                s.places.clone(),
                s.paragraphs.first().cloned().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn rule_title_then_date_line_needs_body_text_after_the_date() {
    use Role::*;
    // Body text follows the date: the line above is the title.
    let (v, e) = verdicts("Heading\n\nA title\n14 January 2020, Nairobi\nThe body text.\n");
    assert_eq!(
        v[1..],
        [
            (Title, Rule::TitleThenDateLine),
            (DateLine, Rule::TitleThenDateLine),
            (Body, Rule::BodyText),
        ]
    );
    assert_eq!(
        stories(&e),
        [(
            "A title".into(),
            "2020-01-14".into(),
            vec!["Nairobi".into()],
            "The body text.".into()
        )]
    );
    // A title follows the date: the date comes first, the line above stays body.
    let (v, e) = verdicts(
        "1 May 2020: First\n\nBody one.\nA short closing line\n14 May 2020\nSecond title\nBody two.\n",
    );
    assert_eq!(
        v[2..5],
        [
            (Body, Rule::BodyText),
            (DateLine, Rule::DateThenTitle),
            (Title, Rule::DateThenTitle),
        ]
    );
    assert_eq!(
        e.parse.stories[0].paragraphs,
        ["Body one.", "A short closing line"]
    );
}

#[test]
fn rule_title_then_place_dateline_in_each_form() {
    for (line, place, start, end) in [
        (
            "Nairobi, 14 January 2020 - Text.",
            "Nairobi",
            "2020-01-14",
            "2020-01-14",
        ),
        (
            "Nairobi, Kenya, 14 January 2020: Text.",
            "Nairobi, Kenya",
            "2020-01-14",
            "2020-01-14",
        ),
        (
            "Nairobi - January 2020: Text.",
            "Nairobi",
            "2020-01-01",
            "2020-01-31",
        ),
        (
            "(Nairobi) 14 January 2020 - Text.",
            "Nairobi",
            "2020-01-14",
            "2020-01-14",
        ),
    ] {
        let (v, e) = verdicts(&format!("A title\n{line}\n"));
        assert_eq!(
            v,
            [
                (Role::Title, Rule::TitleThenPlaceDateline),
                (Role::Dateline, Rule::TitleThenPlaceDateline)
            ],
            "{line}"
        );
        let s = &e.parse.stories[0];
        assert_eq!(s.places, [place], "{line}");
        assert_eq!(s.paragraphs, ["Text."], "{line}");
        assert_eq!(
            (s.start().to_string(), s.end().to_string()),
            (start.into(), end.into())
        );
    }
}

#[test]
fn rule_title_then_dated_paragraph_and_dated_body_paragraph() {
    let page = "Heading\n\nA title\n3 July 2019 - Investigators met to plan their work.\n\n\
        4 July 2019 - the next day - they met again.\n";
    let (v, e) = verdicts(page);
    assert_eq!(
        v[1..],
        [
            (Role::Title, Rule::TitleThenDatedParagraph),
            (Role::Dateline, Rule::TitleThenDatedParagraph),
            (Role::Body, Rule::DatedBodyParagraph),
        ]
    );
    assert_eq!(e.parse.stories.len(), 1);
    assert_eq!(
        e.parse.stories[0].paragraphs,
        [
            "Investigators met to plan their work.",
            "4 July 2019 - the next day - they met again."
        ]
    );
    // A date and a title-like text is a headline, even after a short line.
    let (v, e) =
        verdicts("1 May 2020: First\n\nBody.\nSee you there\n7 May 2020: Second story\n\nBody.\n");
    assert_eq!(v[3], (Role::DatedTitle, Rule::DateTitleHeadline));
    assert_eq!(e.parse.stories.len(), 2);
}

#[test]
fn a_place_dateline_inside_a_body_is_body_text() {
    let page = "1 May 2020: First\n\nThe opening paragraph.\n\nKhujand, 2 May 2020 - On the next day, more happened.\n";
    let (v, e) = verdicts(page);
    assert_eq!(v[2], (Role::Body, Rule::BodyText));
    assert_eq!(e.parse.stories.len(), 1);
    assert_eq!(e.parse.stories[0].paragraphs.len(), 2);
}

#[test]
fn rule_caption_on_its_own_line_and_glued() {
    use Role::*;
    let page = "T1\nOfficers at work. Photo: UNODC/Jane Doe\nLomé, 13 January 2020 - One.\n\n\
        T2\n© UNODC\n20 January 2020: Two.\n\n\
        T3\nImage © UNODCConakry, 27 January 2020 - Three.\n";
    let (v, e) = verdicts(page);
    assert_eq!(v[1], (Caption, Rule::Caption));
    assert_eq!(v[4], (Caption, Rule::Caption));
    assert_eq!(v[7], (Dateline, Rule::TitleThenPlaceDateline));
    assert!(e.lines[9].verdict.caption_glued, "{}", e.lines[9]);
    assert!(
        e.lines[9].to_string().contains("caption-glued+"),
        "{}",
        e.lines[9]
    );
    let got: Vec<(String, Vec<String>, String)> = e
        .parse
        .stories
        .iter()
        .map(|s| (s.title.clone(), s.places.clone(), s.paragraphs.join("|")))
        .collect();
    assert_eq!(
        got,
        [
            ("T1".into(), vec!["Lomé".into()], "One.".into()),
            ("T2".into(), vec![], "Two.".into()),
            ("T3".into(), vec!["Conakry".into()], "Three.".into()),
        ]
    );
}

#[test]
fn rule_teaser_links_are_not_body_text() {
    let page = "Heading\n\nT1\n2 September 2019\nA summary… Read more\n\n\
        T2\n9 September 2019\nAnother summary. [ Read More]\n\n\
        T3\n16 September 2019\nA third summary...\nRead more\n";
    let (v, e) = verdicts(page);
    assert_eq!(v.last(), Some(&(Role::TeaserLink, Rule::TeaserLink)));
    let summaries: Vec<&str> = e.parse.stories.iter().map(|s| s.summary.as_str()).collect();
    assert_eq!(
        summaries,
        ["A summary…", "Another summary.", "A third summary..."]
    );
}

#[test]
fn rule_separators_and_menus_are_furniture() {
    let page = "Home > News > Stories\nNews 2020\nShare | Print | Email\n\n\
        1 May 2020: One\n\nBody.\n\n* * *\n____\n----\nBack to top\n";
    let (v, e) = verdicts(page);
    assert_eq!(
        v.iter().map(|(_, r)| *r).collect::<Vec<_>>(),
        [
            Rule::Menu,
            Rule::PageHeading,
            Rule::Menu,
            Rule::DateTitleHeadline,
            Rule::BodyText,
            Rule::Separator,
            Rule::Separator,
            Rule::Separator,
            Rule::Menu,
        ]
    );
    assert_eq!(e.parse.stories[0].paragraphs, ["Body."]);
    assert!(e.parse.diagnostics.is_empty(), "{:?}", e.parse.diagnostics);
}

#[test]
fn a_page_without_stories_reports_each_line_and_the_forms_tried() {
    let e = explain_str("p.txt", "Just prose.\n\nMore prose here.\n");
    assert!(e.parse.stories.is_empty());
    assert_eq!(e.lines[0].verdict.role, Role::Heading);
    assert_eq!(e.lines[2].verdict.rule, Rule::OutsideStory);
    assert!(e.forms_tried().contains(&Rule::TitleThenPlaceDateline));
    // The explanation parses exactly as `parse_str` does.
    let page = std::fs::read_to_string(pages().join("mixed.txt")).unwrap();
    assert_eq!(
        explain_str("mixed.txt", &page).parse.stories,
        parse_str("mixed.txt", &page).stories
    );
}
