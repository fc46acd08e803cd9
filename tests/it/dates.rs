//! Pages written for the date forms beyond the shipped archives' own:
//! month first, ISO, slashes whose order the page shows, and dates without
//! a year placed by the stories around them. Expected days pinned by hand.

use storyfeed::parse::{parse_str, FileParse, Severity};

/// (title, start, end, year inferred) of each story, in page order.
fn outline(p: &FileParse) -> Vec<(String, String, String, bool)> {
    p.stories
        .iter()
        .map(|s| {
            (
                s.title.clone(),
                s.start().to_string(),
                s.end().to_string(),
                s.year_inferred,
            )
        })
        .collect()
}

fn row(title: &str, start: &str, end: &str, inferred: bool) -> (String, String, String, bool) {
    (title.into(), start.into(), end.into(), inferred)
}

fn warnings(p: &FileParse) -> Vec<String> {
    p.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(ToString::to_string)
        .collect()
}

#[test]
fn month_first_ordinals_and_abbreviations() {
    let page = "Regional office news\n\n\
        December 4th, 2012: Mock trial for prosecutors of the coastal provinces\n\n\
        Forty prosecutors argued a made-up wildlife case.\n\n\
        Dec. 3, 2012 - Port officers finish a container profiling course\n\n\
        The course ran for a week.\n\n\
        November 28-30, 2012: Three days on evidence handling\n\n\
        Judges and police met.\n\n\
        Sept 1, 2012: A new office opens\n\nThe office opened.\n\n\
        4th August 2012 - Summer school on drug prevention\n\nStudents came.\n";
    let p = parse_str("month-first.txt", page);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(
        outline(&p),
        [
            row(
                "Mock trial for prosecutors of the coastal provinces",
                "2012-12-04",
                "2012-12-04",
                false
            ),
            row(
                "Port officers finish a container profiling course",
                "2012-12-03",
                "2012-12-03",
                false
            ),
            row(
                "Three days on evidence handling",
                "2012-11-28",
                "2012-11-30",
                false
            ),
            row("A new office opens", "2012-09-01", "2012-09-01", false),
            row(
                "Summer school on drug prevention",
                "2012-08-04",
                "2012-08-04",
                false
            ),
        ]
    );
}

#[test]
fn iso_dates_and_whole_months() {
    let page = "Programme page\n\n\
        2019-03-14: Border liaison offices meet in the north\n\nOfficers met.\n\n\
        2019-03-01 - 2019-03-02: Two days of training\n\nThey trained.\n\n\
        February 2019: A month of campaigns in schools\n\nSchools took part.\n";
    let p = parse_str("iso.txt", page);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(
        outline(&p),
        [
            row(
                "Border liaison offices meet in the north",
                "2019-03-14",
                "2019-03-14",
                false
            ),
            row("Two days of training", "2019-03-01", "2019-03-02", false),
            row(
                "A month of campaigns in schools",
                "2019-02-01",
                "2019-02-28",
                false
            ),
        ]
    );
}

#[test]
fn slashed_dates_follow_the_order_the_page_shows() {
    let stories = "04/05/2019: Workshop A\n\nA.\n\n03/05/2019: Workshop B\n\nB.\n";
    // `25/12/2019` can only be day first: so is the rest of the page.
    let day_first = parse_str(
        "d.txt",
        &format!("Page\n\n25/12/2019: Workshop C\n\nC.\n\n{stories}"),
    );
    assert!(
        day_first.diagnostics.is_empty(),
        "{:?}",
        day_first.diagnostics
    );
    let starts: Vec<String> = outline(&day_first).into_iter().map(|r| r.1).collect();
    assert_eq!(starts, ["2019-12-25", "2019-05-04", "2019-05-03"]);
    // `12/25/2019` can only be month first.
    let month_first = parse_str(
        "m.txt",
        &format!("Page\n\n12/25/2019: Workshop C\n\nC.\n\n{stories}"),
    );
    assert!(
        month_first.diagnostics.is_empty(),
        "{:?}",
        month_first.diagnostics
    );
    let starts: Vec<String> = outline(&month_first).into_iter().map(|r| r.1).collect();
    assert_eq!(starts, ["2019-12-25", "2019-04-05", "2019-03-05"]);
    // Nothing shows the order: day first, and a warning says so.
    let unknown = parse_str("u.txt", &format!("Page\n\n{stories}"));
    let starts: Vec<String> = outline(&unknown).into_iter().map(|r| r.1).collect();
    assert_eq!(starts, ["2019-05-04", "2019-05-03"]);
    assert_eq!(
        warnings(&unknown),
        ["u.txt:3: warning: date `04/05/2019` read day first: no date on the page shows whether the day or the month comes first"]
    );
}

#[test]
fn a_date_without_a_year_goes_next_to_the_stories_around_it() {
    // No year in the heading: the neighbours decide, across New Year.
    let page = "Latest News\n\n\
        5 January 2025\nCourse for customs officers\nOfficers trained. more\n\n\
        29 December\nYear-end meeting of the steering committee\nThey met. more\n\n\
        2 January 2025\nNew year, new partnership\nA partnership began. more\n";
    let p = parse_str("news.txt", page);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(
        outline(&p),
        [
            row(
                "Course for customs officers",
                "2025-01-05",
                "2025-01-05",
                false
            ),
            row(
                "Year-end meeting of the steering committee",
                "2024-12-29",
                "2024-12-29",
                true
            ),
            row(
                "New year, new partnership",
                "2025-01-02",
                "2025-01-02",
                false
            ),
        ]
    );
    // A heading's year is the year of its stories, as before.
    let headed = page.replace("Latest News", "Stories 2024");
    let p = parse_str("headed.txt", &headed);
    assert_eq!(outline(&p)[1].1, "2024-12-29");
    // A month-first date without a year, after December stories.
    let page = "News\n\n30 December 2020: Last one of the year\n\nx\n\nJanuary 4: First one of the next\n\ny\n";
    let p = parse_str("jan.txt", page);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(outline(&p)[1].1, "2021-01-04");
}

#[test]
fn a_neighbour_with_an_impossible_date_still_gives_its_year() {
    let page = "News\n\n31 February 2021: Impossible day\n\nx\n\n2 December: Year from the story before\n\ny\n";
    let p = parse_str("bad.txt", page);
    assert_eq!(
        outline(&p),
        [row(
            "Year from the story before",
            "2021-12-02",
            "2021-12-02",
            true
        )]
    );
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    assert_eq!(
        p.diagnostics[0].to_string(),
        "bad.txt:3: error: unrecognised date `31 February 2021`: no such day: 31 February 2021"
    );
}
