//! Small pages written for one behaviour each: mixed layouts, line endings,
//! years from neighbours, and what becomes a diagnostic.

use storyfeed::parse::{parse_str, FileParse, Severity};

fn dates(p: &FileParse) -> Vec<(String, String, bool)> {
    p.stories
        .iter()
        .map(|s| (s.start().to_string(), s.end().to_string(), s.year_inferred))
        .collect()
}

fn errors(p: &FileParse) -> Vec<String> {
    p.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

#[test]
fn one_page_can_mix_all_layouts() {
    let page = "Mixed page\n\n\
        14 February 2017 - A brochure story\n\nBody one.\n\n\
        03.03.2020: A colon story\n\nImage © UNODCBody two.\n\n\
        30 July 2023\nA news story\nSummary three. more\n\n\
        An archive story\n\n17 June 2020, Tirana, Albania; 24 June 2020, Pristina: Body four.\n";
    let p = parse_str("mixed.txt", page);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let got: Vec<(&str, usize, &str)> = p
        .stories
        .iter()
        .map(|s| {
            (
                s.title.as_str(),
                s.sources[0].line,
                s.paragraphs[0].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("A brochure story", 3, "Body one."),
            ("A colon story", 7, "Body two."),
            ("A news story", 11, "Summary three."),
            ("An archive story", 15, "Body four."),
        ]
    );
    assert_eq!(p.stories[3].places, ["Tirana, Albania", "Pristina"]);
    assert_eq!(p.stories[3].start().to_string(), "2020-06-17");
    assert_eq!(p.stories[3].end().to_string(), "2020-06-24");
}

#[test]
fn bom_crlf_tabs_and_no_break_spaces_are_normal_input() {
    let page = "\u{feff}Heading\r\n\r\n16-\u{a0}17 January 2020:\tA\u{a0}\u{a0}title \r\n\r\n\tBody\u{a0}text\there. \r\n";
    let p = parse_str("crlf.txt", page);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let s = &p.stories[0];
    assert_eq!(s.title, "A title");
    assert_eq!(s.paragraphs, ["Body text here."]);
    assert_eq!(
        dates(&p),
        [("2020-01-16".into(), "2020-01-17".into(), false)]
    );
}

#[test]
fn a_missing_year_comes_from_the_heading_or_the_nearest_story() {
    let with_heading = "Archive of Stories 2020\n\nT1\n\n2 December, Belgrade, Serbia: x\n";
    let p = parse_str("a.txt", with_heading);
    assert_eq!(
        dates(&p),
        [("2020-12-02".into(), "2020-12-02".into(), true)]
    );

    let neighbours = "Stories\n\n5 May 2019: One\n\nx\n\n2 December: Two\n\ny\n";
    let p = parse_str("b.txt", neighbours);
    assert_eq!(
        dates(&p)[1],
        ("2019-12-02".into(), "2019-12-02".into(), true)
    );

    let written_later = "T\n\n3 March, Osijek; 11 March 2020, Split, Croatia: x\n";
    let p = parse_str("c.txt", written_later);
    assert_eq!(
        dates(&p),
        [("2020-03-03".into(), "2020-03-11".into(), false)]
    );
}

#[test]
fn leap_days_and_impossible_days() {
    let p = parse_str(
        "leap.txt",
        "29 February 2020: Leap\n\nx\n\n29 February 2021: Not leap\n\ny\n",
    );
    assert_eq!(p.stories.len(), 1);
    assert_eq!(p.stories[0].start().to_string(), "2020-02-29");
    assert_eq!(
        errors(&p),
        ["leap.txt:5: error: unrecognised date `29 February 2021`: no such day: 29 February 2021"]
    );
    // The impossible story's body is not glued onto the story before it.
    assert_eq!(p.stories[0].paragraphs, ["x"]);
}

#[test]
fn furniture_is_skipped_and_stray_text_is_reported_with_its_line() {
    let page = "EU-UNODC brochure\n\nPlease see below a non-exhaustive selection of news items to reflect things.\n\nSome stray sentence.\n\n31 March 2020: Title\n\nBody.\n\nRead our 2019 stories here.\n";
    let p = parse_str("f.txt", page);
    assert_eq!(p.stories.len(), 1);
    assert_eq!(p.stories[0].paragraphs, ["Body."]);
    let msgs: Vec<String> = p.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        ["f.txt:5: warning: text outside any story: `Some stray sentence.`"]
    );
}

#[test]
fn a_date_line_without_a_title_is_an_error() {
    let p = parse_str(
        "d.txt",
        "Heading\n\n30 July 2023\n\n1 June 2023\nTitle\nSummary more\n",
    );
    assert_eq!(p.stories.len(), 1);
    assert_eq!(
        errors(&p),
        ["d.txt:3: error: date line `30 July 2023` is not followed by a title"]
    );
}

#[test]
fn text_without_any_story_is_an_error_not_silence() {
    let p = parse_str("prose.txt", "Just some prose.\n\nAnd more of it.\n");
    assert!(p.stories.is_empty());
    assert!(
        errors(&p).iter().any(|e| e.contains("no stories found")),
        "{:?}",
        p.diagnostics
    );
}

#[test]
fn a_reversed_range_is_an_error_and_new_year_ranges_are_not() {
    let page = "Archive of Stories 2020\n\n\
        2 October - 28 September 2020: Reversed\n\nBody.\n\n\
        An archive story\n\n2 December - 28 November, Tirana, Albania: Body.\n\n\
        30 December - 2 January 2021: Across New Year\n\nBody.\n\n\
        Another archive story\n\n30 December - 3 January, Skopje: Body.\n";
    let p = parse_str("r.txt", page);
    assert_eq!(
        errors(&p),
        [
            "r.txt:3: error: date `2 October - 28 September 2020`: the range ends before it starts",
            "r.txt:9: error: date `2 December - 28 November`: the range ends before it starts",
        ]
    );
    let titles: Vec<&str> = p.stories.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Across New Year", "Another archive story"]);
    assert_eq!(
        dates(&p),
        [
            ("2020-12-30".into(), "2021-01-02".into(), false),
            // No year written: the heading's year is the end's.
            ("2019-12-30".into(), "2020-01-03".into(), true),
        ]
    );
}
