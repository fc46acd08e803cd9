//! Date text as the archives write it, turned into calendar days.
//!
//! The grammar is small and hand-written because the forms are few but
//! irregular: `16- 17 January 2020`, `28 September-2 October 2020`,
//! `28-29 December, 2020`, `03.03.2020`, `April 2021`, `July/September 2020`,
//! `2 December` (the year comes from elsewhere). Parsing happens in two
//! steps: [`parse_date_prefix`] reads what is written ([`DateText`], with
//! blanks where no year or day was written) and [`DateText::resolve`] turns
//! it into a [`DateRange`] once a year is known.

use chrono::NaiveDate;
use thiserror::Error;

use crate::story::DateRange;

/// One end of a written date: a day is optional (`April 2021`), so is the
/// year (`2 December`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatePoint {
    pub day: Option<u32>,
    pub month: u32,
    pub year: Option<i32>,
}

/// A date or date range exactly as written, before a missing year is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateText {
    pub from: DatePoint,
    pub to: DatePoint,
}

/// Why written date text names no real day.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("no such day: {day} {name} {year}", name = month_name(*.month))]
    NoSuchDay { day: u32, month: u32, year: i32 },
    #[error("the range ends before it starts")]
    Reversed,
    #[error("no year written and none known from the page")]
    NoYear,
}

impl DateText {
    /// The year written last in the text, if any.
    pub fn written_year(&self) -> Option<i32> {
        self.to.year.or(self.from.year)
    }

    /// The calendar days this text names, taking `default_year` where no
    /// year is written. A start with no year takes the end's year, or the
    /// year before when the range crosses New Year (see [`crosses_new_year`]:
    /// `30 December - 2 January 2024`); any other range whose end comes
    /// before its start (`2 October - 28 September 2020`) is an error, not
    /// a year earlier.
    pub fn resolve(&self, default_year: Option<i32>) -> Result<DateRange, DateError> {
        let to_year = self
            .to
            .year
            .or(self.from.year)
            .or(default_year)
            .ok_or(DateError::NoYear)?;
        let from_year = match self.from.year {
            Some(y) => y,
            None if crosses_new_year(self.from.month, self.to.month) => to_year - 1,
            None => to_year,
        };
        let start = first_day(self.from, from_year)?;
        let end = last_day(self.to, to_year)?;
        DateRange::new(start, end).ok_or(DateError::Reversed)
    }
}

/// Whether a range from month `from` to an earlier month `to`, written
/// without the start's year, is read as crossing New Year: only from the
/// last quarter (October–December) into the first (January–March). A wider
/// gap is far likelier a typo in a month than an event of most of a year,
/// and a guessed year would publish the story under the wrong date.
fn crosses_new_year(from: u32, to: u32) -> bool {
    from > to && (10..=12).contains(&from) && (1..=3).contains(&to)
}

fn first_day(p: DatePoint, year: i32) -> Result<NaiveDate, DateError> {
    let day = p.day.unwrap_or(1);
    NaiveDate::from_ymd_opt(year, p.month, day).ok_or(DateError::NoSuchDay {
        day,
        month: p.month,
        year,
    })
}

fn last_day(p: DatePoint, year: i32) -> Result<NaiveDate, DateError> {
    match p.day {
        Some(_) => first_day(p, year),
        None => {
            let (y, m) = if p.month == 12 {
                (year + 1, 1)
            } else {
                (year, p.month + 1)
            };
            // Month-only dates are whole months: the day before the next month.
            let next = NaiveDate::from_ymd_opt(y, m, 1).ok_or(DateError::NoSuchDay {
                day: 1,
                month: m,
                year: y,
            })?;
            Ok(next.pred_opt().unwrap_or(next))
        }
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `January` for 1 … `December` for 12; `?` otherwise.
pub fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
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
    NAMES
        .get(month.wrapping_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

/// A byte cursor over one line of text.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    /// Skips spaces, tabs and no-break spaces; true if any were skipped.
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        loop {
            let r = self.rest();
            if r.starts_with([' ', '\t']) {
                self.pos += 1;
            } else if r.starts_with('\u{a0}') || r.starts_with('\u{202f}') {
                self.pos += r.chars().next().map_or(1, char::len_utf8);
            } else {
                break;
            }
        }
        self.pos > start
    }

    /// Up to `max` ASCII digits as a number; none if there are none or more.
    fn digits(&mut self, max: usize) -> Option<u32> {
        let bytes = self.rest().as_bytes();
        let n = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 || n > max {
            return None;
        }
        let v = bytes[..n]
            .iter()
            .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
        self.pos += n;
        Some(v)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// A hyphen, en dash or em dash.
    fn eat_dash(&mut self) -> bool {
        self.eat('-') || self.eat('–') || self.eat('—')
    }

    /// A month name or its abbreviation (`Sep`, `Sept.`), capitalised,
    /// not followed by another letter.
    fn month(&mut self) -> Option<u32> {
        let r = self.rest();
        let first = r.as_bytes().first()?;
        if !first.is_ascii_uppercase() {
            return None;
        }
        let word_len = r.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        if word_len < 3 {
            return None;
        }
        let word = &r.as_bytes()[..word_len];
        // Only months with this first letter can match.
        let first = first.to_ascii_lowercase();
        let idx = MONTHS.iter().position(|m| {
            if m.as_bytes()[0] != first {
                return false;
            }
            let m = m.as_bytes();
            let full = m.eq_ignore_ascii_case(word);
            // `Sep`, `Sept`, `Dec`: three letters, or four for September.
            let abbrev = (word.len() == 3 || (word.len() == 4 && m.starts_with(b"sept")))
                && m[..word.len()].eq_ignore_ascii_case(word);
            full || abbrev
        })?;
        self.pos += word_len;
        self.eat('.');
        Some(idx as u32 + 1)
    }

    /// A day number with an optional ordinal suffix (`1st`, `22nd`).
    fn day(&mut self) -> Option<u32> {
        let save = self.pos;
        let d = self.digits(2)?;
        for suffix in ["st", "nd", "rd", "th"] {
            if self.rest().starts_with(suffix) {
                self.pos += 2;
                break;
            }
        }
        if (1..=31).contains(&d) && !self.rest().starts_with(|c: char| c.is_alphanumeric()) {
            Some(d)
        } else {
            self.pos = save;
            None
        }
    }

    /// A four-digit year, optionally after a comma: ` 2020`, `, 2020`.
    fn year(&mut self) -> Option<i32> {
        let save = self.pos;
        self.skip_ws();
        if self.eat(',') {
            self.skip_ws();
        }
        let start = self.pos;
        match self.digits(4) {
            Some(y)
                if self.pos - start == 4
                    && (1900..=2199).contains(&y)
                    && !self.rest().starts_with(|c: char| c.is_alphanumeric()) =>
            {
                Some(y as i32)
            }
            _ => {
                self.pos = save;
                None
            }
        }
    }

    /// `DD.MM.YYYY`, day first.
    fn numeric(&mut self) -> Option<DatePoint> {
        let save = self.pos;
        let parsed = (|| {
            let day = self.digits(2)?;
            self.eat('.').then_some(())?;
            let month = self.digits(2)?;
            self.eat('.').then_some(())?;
            let start = self.pos;
            let year = self.digits(4)?;
            (self.pos - start == 4 && (1..=12).contains(&month) && (1..=31).contains(&day))
                .then_some(DatePoint {
                    day: Some(day),
                    month,
                    year: Some(year as i32),
                })
        })();
        if parsed.is_none() {
            self.pos = save;
        }
        parsed
    }

    /// `D Month [Year]` or `Month [Year]`; a bare day when `bare_day`.
    fn point(&mut self, bare_day: bool) -> Option<DatePoint> {
        if let Some(p) = self.numeric() {
            return Some(p);
        }
        let save = self.pos;
        let day = self.day();
        if day.is_some() {
            self.skip_ws();
        }
        match self.month() {
            Some(month) => Some(DatePoint {
                day,
                month,
                year: self.year(),
            }),
            None if bare_day && day.is_some() => {
                // Leave the cursor after the digits; the caller expects a dash next.
                self.pos = save;
                let d = self.day();
                Some(DatePoint {
                    day: d,
                    month: 0,
                    year: None,
                })
            }
            None => {
                self.pos = save;
                None
            }
        }
    }
}

/// Reads a date or date range at the start of `text` (after leading
/// whitespace). Returns what was written and the byte length consumed.
/// Text that only looks like a date (`May I`, `3 rd`) gives `None`.
pub fn parse_date_prefix(text: &str) -> Option<(DateText, usize)> {
    let mut c = Cursor { s: text, pos: 0 };
    c.skip_ws();
    let first = c.point(true)?;
    let after_first = c.pos;

    // A range: `-`/`–`/`—`, or `/` between month names.
    c.skip_ws();
    let slash = c.rest().starts_with('/');
    let ranged = if slash { c.eat('/') } else { c.eat_dash() };
    if ranged {
        c.skip_ws();
        if let Some(second) = c.point(false) {
            let ok = if slash {
                first.day.is_none() && second.day.is_none() && first.month != 0
            } else {
                first.month != 0 || second.day.is_some()
            };
            if ok {
                let mut from = first;
                if from.month == 0 {
                    from.month = second.month;
                }
                let text = DateText { from, to: second };
                return has_anchor(&text).then_some((text, c.pos));
            }
        }
    }
    if first.month == 0 {
        return None;
    }
    let text = DateText {
        from: first,
        to: first,
    };
    has_anchor(&text).then_some((text, after_first))
}

/// A month alone (`May`) is too often an ordinary word: a date needs a day
/// or a year written.
fn has_anchor(t: &DateText) -> bool {
    t.from.day.is_some() || t.to.day.is_some() || t.from.year.is_some() || t.to.year.is_some()
}

#[cfg(test)]
mod tests {
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
}
