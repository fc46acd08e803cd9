//! The date grammar and page rules, form by form.

use super::*;

fn range(text: &str, default_year: Option<i32>) -> (String, String, usize) {
    let (t, n) = parse_date_prefix(text).unwrap_or_else(|| panic!("no date in {text:?}"));
    let r = t.resolve(default_year).unwrap();
    (r.start().to_string(), r.end().to_string(), n)
}

#[test]
fn forms_from_the_archives() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "31 March 2020: x",
            "2020-03-31",
            "2020-03-31",
            "31 March 2020",
        ),
        ("03.03.2020: x", "2020-03-03", "2020-03-03", "03.03.2020"),
        (
            "16- 17 January 2020: x",
            "2020-01-16",
            "2020-01-17",
            "16- 17 January 2020",
        ),
        (
            "7 - 9 June 2021: x",
            "2021-06-07",
            "2021-06-09",
            "7 - 9 June 2021",
        ),
        (
            "28 September-2 October 2020, Tirana",
            "2020-09-28",
            "2020-10-02",
            "28 September-2 October 2020",
        ),
        (
            "27 August - 3 September 2020, online",
            "2020-08-27",
            "2020-09-03",
            "27 August - 3 September 2020",
        ),
        (
            "30 December 2023 - 2 January 2024",
            "2023-12-30",
            "2024-01-02",
            "30 December 2023 - 2 January 2024",
        ),
        (
            "28-29 December, 2020, Korce",
            "2020-12-28",
            "2020-12-29",
            "28-29 December, 2020",
        ),
        ("April 2021: x", "2021-04-01", "2021-04-30", "April 2021"),
        (
            "29 April–8 May 2020, B",
            "2020-04-29",
            "2020-05-08",
            "29 April–8 May 2020",
        ),
        (
            "July-October 2020, S",
            "2020-07-01",
            "2020-10-31",
            "July-October 2020",
        ),
        (
            "November/December 2020, online",
            "2020-11-01",
            "2020-12-31",
            "November/December 2020",
        ),
        (
            "1st Sept. 2021 - x",
            "2021-09-01",
            "2021-09-01",
            "1st Sept. 2021",
        ),
        ("22nd Sep 2021", "2021-09-22", "2021-09-22", "22nd Sep 2021"),
        (
            "29 February 2020",
            "2020-02-29",
            "2020-02-29",
            "29 February 2020",
        ),
        (
            "16\u{a0}June\u{a0}2021",
            "2021-06-16",
            "2021-06-16",
            "16\u{a0}June\u{a0}2021",
        ),
        (
            "7 — 9 June 2021",
            "2021-06-07",
            "2021-06-09",
            "7 — 9 June 2021",
        ),
    ];
    for (text, start, end, consumed) in cases {
        let (s, e, n) = range(text, None);
        assert_eq!((s.as_str(), e.as_str()), (*start, *end), "{text}");
        assert_eq!(&text[..n], *consumed, "{text}");
    }
}

#[test]
fn missing_year_comes_from_default() {
    let (t, n) = parse_date_prefix("2 December, Belgrade").unwrap();
    assert_eq!(n, "2 December".len());
    assert_eq!(t.written_year(), None);
    assert_eq!(
        t.resolve(Some(2020)).unwrap().start().to_string(),
        "2020-12-02"
    );
    assert_eq!(t.resolve(None), Err(DateError::NoYear));
    let (t, _) = parse_date_prefix("30 December - 2 January 2024").unwrap();
    assert_eq!(t.resolve(None).unwrap().start().to_string(), "2023-12-30");
}

#[test]
fn impossible_days_are_errors_not_guesses() {
    let (t, _) = parse_date_prefix("31 February 2020: x").unwrap();
    assert!(matches!(
        t.resolve(None),
        Err(DateError::NoSuchDay {
            day: 31,
            month: 2,
            year: 2020
        })
    ));
    let (t, _) = parse_date_prefix("29 February 2021").unwrap();
    assert!(t.resolve(None).is_err());
    let (t, _) = parse_date_prefix("9 - 7 June 2021").unwrap();
    assert_eq!(t.resolve(None), Err(DateError::Reversed));
}

#[test]
fn a_range_ending_before_it_starts_is_an_error_not_a_year_earlier() {
    for (text, default_year) in [
        ("2 October - 28 September 2020", None),
        ("2 October - 28 September", Some(2020)),
        ("2 December - 28 November 2020", None),
        ("15 January - 3 January 2020", None),
        ("October-September 2020", None),
        ("5 April - 2 March 2020", None),
        // Across New Year only from October–December into January–March.
        ("30 September - 2 January 2021", None),
        ("30 December - 2 April 2021", None),
    ] {
        let (t, _) = parse_date_prefix(text).unwrap();
        assert_eq!(t.resolve(default_year), Err(DateError::Reversed), "{text}");
    }
}

#[test]
fn a_range_from_the_last_months_into_the_first_crosses_new_year() {
    for (text, default_year, start, end) in [
        (
            "30 December - 2 January 2024",
            None,
            "2023-12-30",
            "2024-01-02",
        ),
        (
            "30 December - 2 January",
            Some(2024),
            "2023-12-30",
            "2024-01-02",
        ),
        (
            "1 October - 31 March 2021",
            None,
            "2020-10-01",
            "2021-03-31",
        ),
        ("November-February 2021", None, "2020-11-01", "2021-02-28"),
        ("December/January 2021", None, "2020-12-01", "2021-01-31"),
        // A first year written is taken as written.
        (
            "2 October 2019 - 28 September 2020",
            None,
            "2019-10-02",
            "2020-09-28",
        ),
    ] {
        let (t, _) = parse_date_prefix(text).unwrap();
        let r = t.resolve(default_year).unwrap();
        assert_eq!(
            (r.start().to_string(), r.end().to_string()),
            (start.to_owned(), end.to_owned()),
            "{text}"
        );
    }
}

#[test]
fn month_first_ordinals_abbreviations_iso_and_slashes() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "December 4th, 2012: x",
            "2012-12-04",
            "2012-12-04",
            "December 4th, 2012",
        ),
        (
            "December 4, 2012 - x",
            "2012-12-04",
            "2012-12-04",
            "December 4, 2012",
        ),
        (
            "Dec. 4, 2012, Vienna",
            "2012-12-04",
            "2012-12-04",
            "Dec. 4, 2012",
        ),
        (
            "4th December 2012",
            "2012-12-04",
            "2012-12-04",
            "4th December 2012",
        ),
        ("Jan 15 2021: x", "2021-01-15", "2021-01-15", "Jan 15 2021"),
        ("Sept 3, 2019", "2019-09-03", "2019-09-03", "Sept 3, 2019"),
        ("3 Sep. 2019", "2019-09-03", "2019-09-03", "3 Sep. 2019"),
        (
            "December 4-6, 2012: x",
            "2012-12-04",
            "2012-12-06",
            "December 4-6, 2012",
        ),
        (
            "June 30 - July 2, 2020",
            "2020-06-30",
            "2020-07-02",
            "June 30 - July 2, 2020",
        ),
        (
            "December 2018: x",
            "2018-12-01",
            "2018-12-31",
            "December 2018",
        ),
        ("Feb 2020", "2020-02-01", "2020-02-29", "Feb 2020"),
        ("2012-12-04: x", "2012-12-04", "2012-12-04", "2012-12-04"),
        (
            "2012-12-04 - 2012-12-06",
            "2012-12-04",
            "2012-12-06",
            "2012-12-04 - 2012-12-06",
        ),
        ("25/12/2019: x", "2019-12-25", "2019-12-25", "25/12/2019"),
        ("12/25/2019: x", "2019-12-25", "2019-12-25", "12/25/2019"),
        ("04/05/2019: x", "2019-05-04", "2019-05-04", "04/05/2019"),
        (
            "3/5/2019 - 6/5/2019",
            "2019-05-03",
            "2019-05-06",
            "3/5/2019 - 6/5/2019",
        ),
    ];
    for (text, start, end, consumed) in cases {
        let (s, e, n) = range(text, None);
        assert_eq!((s.as_str(), e.as_str()), (*start, *end), "{text}");
        assert_eq!(&text[..n], *consumed, "{text}");
    }
    let (t, _) = parse_date_prefix("25/12/2019").unwrap();
    assert_eq!(t.from.order, Order::DayFirst);
    let (t, _) = parse_date_prefix("12/25/2019").unwrap();
    assert_eq!(t.from.order, Order::MonthFirst);
    let (t, _) = parse_date_prefix("04/05/2019").unwrap();
    assert_eq!(t.from.order, Order::Either);
    let (t, _) = parse_date_prefix("2012-12-04").unwrap();
    assert_eq!(t.from.order, Order::Fixed);
}

#[test]
fn month_first_without_a_year_takes_the_default() {
    let (t, n) = parse_date_prefix("December 4: x").unwrap();
    assert_eq!(n, "December 4".len());
    assert_eq!(t.written_year(), None);
    assert_eq!(
        t.resolve(Some(2012)).unwrap().start().to_string(),
        "2012-12-04"
    );
}

#[test]
fn numbers_that_are_not_dates() {
    for text in [
        "2012-13-04",
        "2012-12-32",
        "2012-1-04",
        "13/13/2019",
        "32/01/2019",
        "04/05/19",
        "04/05/2019a",
        "2012-12-04x",
        "1850-01-01",
        "0/5/2019",
        "25.13.2019",
        "2020-style",
    ] {
        assert!(parse_date_prefix(text).is_none(), "{text}");
    }
}

fn page(heading: Option<i32>, texts: &[&str]) -> (PageDates, Option<OrderNote>) {
    let parsed: Vec<DateText> = texts
        .iter()
        .map(|t| parse_date_prefix(t).unwrap().0)
        .collect();
    PageDates::new(
        heading,
        parsed
            .iter()
            .zip(texts)
            .enumerate()
            .map(|(i, (d, t))| (d, *t, i + 1)),
    )
}

fn day(page: &PageDates, text: &str) -> String {
    let (t, _) = parse_date_prefix(text).unwrap();
    page.resolve(&t, None).unwrap().start().to_string()
}

#[test]
fn the_page_decides_which_way_round_slashed_dates_are() {
    // A date only month first can read makes the page month first.
    let (p, note) = page(None, &["12/25/2019", "04/05/2019"]);
    assert_eq!(note, None);
    assert_eq!(day(&p, "04/05/2019"), "2019-04-05");
    assert_eq!(day(&p, "12/25/2019"), "2019-12-25");
    // Day first shown: day first, no note.
    let (p, note) = page(None, &["25/12/2019", "04/05/2019"]);
    assert_eq!(note, None);
    assert_eq!(day(&p, "04/05/2019"), "2019-05-04");
    // Nothing shows the order: day first, and a note says so.
    let (p, note) = page(None, &["1 March 2019", "04/05/2019", "06/07/2019"]);
    let note = note.unwrap();
    assert_eq!(note.line, 2);
    assert!(
        note.message.contains("`04/05/2019` read day first"),
        "{}",
        note.message
    );
    assert_eq!(day(&p, "04/05/2019"), "2019-05-04");
    // Both shown: day first for the doubtful ones, and a note.
    let (p, note) = page(None, &["25/12/2019", "12/25/2019", "04/05/2019"]);
    let note = note.unwrap();
    assert_eq!(note.line, 2);
    assert!(
        note.message.contains("`25/12/2019`, line 1"),
        "{}",
        note.message
    );
    assert_eq!(day(&p, "04/05/2019"), "2019-05-04");
    // Words and dots never need a note.
    assert_eq!(page(None, &["03.03.2020", "2 May 2020"]).1, None);
}

fn near(
    heading: Option<i32>,
    text: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Option<String> {
    let (p, _) = page(heading, &[]);
    let anchor = |t: &str| {
        let (d, _) = parse_date_prefix(t).unwrap();
        d.resolve(None).unwrap()
    };
    let (t, _) = parse_date_prefix(text).unwrap();
    let year = p.year_for(&t, before.map(anchor), after.map(anchor))?;
    Some(p.resolve(&t, Some(year)).ok()?.start().to_string())
}

/// Heading year, date text, story before, story after, the day expected.
type NearCase<'a> = (
    Option<i32>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

#[test]
fn a_date_without_a_year_goes_nearest_its_neighbours() {
    let cases: &[NearCase] = &[
        // Among January 2025 stories, 29 December is the one before.
        (
            None,
            "29 December",
            Some("5 January 2025"),
            Some("2 January 2025"),
            Some("2024-12-29"),
        ),
        (
            None,
            "29 December",
            None,
            Some("3 January 2025"),
            Some("2024-12-29"),
        ),
        // And 2 January after December stories is the next year's.
        (
            None,
            "2 January",
            Some("30 December 2024"),
            None,
            Some("2025-01-02"),
        ),
        (
            None,
            "12 June",
            Some("20 June 2021"),
            Some("2 June 2021"),
            Some("2021-06-12"),
        ),
        (
            None,
            "30 December - 2 January",
            Some("3 January 2021"),
            None,
            Some("2020-12-30"),
        ),
        // A heading's year is the year of the page's stories.
        (
            Some(2020),
            "2 January",
            Some("1 January 2021"),
            None,
            Some("2020-01-02"),
        ),
        (
            Some(2025),
            "29 December",
            Some("5 January 2025"),
            None,
            Some("2025-12-29"),
        ),
        // Months away, no year is nearer: the story before's, as before.
        (
            None,
            "2 December",
            Some("5 May 2019"),
            None,
            Some("2019-12-02"),
        ),
        (
            Some(2020),
            "2 December",
            Some("5 December 2020"),
            Some("1 December 2020"),
            Some("2020-12-02"),
        ),
        (Some(2020), "2 December", None, None, Some("2020-12-02")),
        (None, "2 December", None, None, None),
        // 29 February exists only in leap years.
        (None, "29 February", Some("1 March 2021"), None, None),
        (
            None,
            "29 February",
            Some("1 March 2020"),
            None,
            Some("2020-02-29"),
        ),
    ];
    for (heading, text, before, after, want) in cases {
        assert_eq!(
            near(*heading, text, *before, *after).as_deref(),
            *want,
            "{text} after {before:?}, before {after:?}, heading {heading:?}"
        );
    }
}

#[test]
fn words_that_only_look_like_dates() {
    for text in [
        "May I ask",
        "March on",
        "Marine life",
        "3 rd Berlin",
        "2020 was",
        "The 5 May",
        "Mayor",
        "12 monkeys",
    ] {
        assert!(parse_date_prefix(text).is_none(), "{text}");
    }
}
