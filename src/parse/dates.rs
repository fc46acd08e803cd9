//! Date text as the archives write it, turned into calendar days.
//!
//! The grammar is small and hand-written because the forms are few but
//! irregular: `16- 17 January 2020`, `28 September-2 October 2020`,
//! `28-29 December, 2020`, `03.03.2020`, `April 2021`, `July/September 2020`,
//! `2 December` (the year comes from elsewhere); month first
//! (`December 4th, 2012`, `Dec. 4, 2012`, `June 30-July 2, 2020`), ISO
//! (`2012-12-04`) and slashes (`25/12/2019`, whose order the page decides).
//! Parsing happens in two steps: [`parse_date_prefix`] reads what is written
//! ([`DateText`], with blanks where no year or day was written) and
//! [`DateText::resolve`] turns it into a [`DateRange`] once a year is known.
//! What needs the whole page — which way round `04/05/2019` is, which year a
//! `29 December` belongs to — is [`PageDates`]'s job.

use chrono::NaiveDate;
use thiserror::Error;

use crate::story::DateRange;

mod page;
pub use page::{OrderNote, PageDates};

/// One end of a written date: a day is optional (`April 2021`), so is the
/// year (`2 December`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatePoint {
    pub day: Option<u32>,
    pub month: u32,
    pub year: Option<i32>,
    /// Which number was read as the day, for dates written in numbers.
    pub order: Order,
}

/// How the day and the month of a written date were told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Words, `03.03.2020` (always day first) or ISO `2012-12-04`: no doubt.
    #[default]
    Fixed,
    /// `25/12/2019`: only day first names a day.
    DayFirst,
    /// `12/25/2019`: only month first names a day.
    MonthFirst,
    /// `04/05/2019`: either; read day first (as the UN writes dates) unless
    /// the page's other dates show month first ([`PageDates`]).
    Either,
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
    /// year before when the range crosses New Year (see `crosses_new_year`:
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

/// The month (0 for January) that `word`, of three letters or more, names
/// in full or by its abbreviation (`Sep`, `Sept`), in any case. The first
/// three letters tell the months apart.
fn month_index(word: &[u8]) -> Option<usize> {
    let key = [
        word[0].to_ascii_lowercase(),
        word[1].to_ascii_lowercase(),
        word[2].to_ascii_lowercase(),
    ];
    let idx = match &key {
        b"jan" => 0,
        b"feb" => 1,
        b"mar" => 2,
        b"apr" => 3,
        b"may" => 4,
        b"jun" => 5,
        b"jul" => 6,
        b"aug" => 7,
        b"sep" => 8,
        b"oct" => 9,
        b"nov" => 10,
        b"dec" => 11,
        _ => return None,
    };
    let full = MONTHS[idx].as_bytes().eq_ignore_ascii_case(word);
    let abbrev =
        word.len() == 3 || (idx == 8 && word.len() == 4 && word[3].eq_ignore_ascii_case(&b't'));
    (full || abbrev).then_some(idx)
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
        let b = self.s.as_bytes();
        loop {
            match b.get(self.pos..self.pos + 3).unwrap_or(&b[self.pos..]) {
                [b' ' | b'\t', ..] => self.pos += 1,
                // U+00A0 and U+202F, no-break spaces.
                [0xc2, 0xa0, ..] => self.pos += 2,
                [0xe2, 0x80, 0xaf] => self.pos += 3,
                _ => break,
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
        let idx = month_index(&r.as_bytes()[..word_len])?;
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

    /// A date in numbers: `DD.MM.YYYY` (day first), ISO `YYYY-MM-DD`, or
    /// `DD/MM/YYYY` / `MM/DD/YYYY` (see [`Order`]).
    fn numeric(&mut self) -> Option<DatePoint> {
        // Only digits then `-` (ISO, after four), `.` or `/` (after one or
        // two) can start one: most points are words, or a day and a month.
        let b = self.rest().as_bytes();
        let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let may = match b.get(n) {
            Some(b'-') => n == 4,
            Some(b'.' | b'/') => n == 1 || n == 2,
            _ => false,
        };
        if !may {
            return None;
        }
        let save = self.pos;
        let parsed = self.iso().or_else(|| {
            self.pos = save;
            self.day_month_year()
        });
        if parsed.is_none() || self.rest().starts_with(|c: char| c.is_alphanumeric()) {
            self.pos = save;
            return None;
        }
        parsed
    }

    /// Exactly `n` digits.
    fn digits_exactly(&mut self, n: usize) -> Option<u32> {
        let start = self.pos;
        let v = self.digits(n)?;
        (self.pos - start == n).then_some(v)
    }

    /// `2012-12-04`: four, two and two digits.
    fn iso(&mut self) -> Option<DatePoint> {
        let year = self.digits_exactly(4)?;
        self.eat('-').then_some(())?;
        let month = self.digits_exactly(2)?;
        self.eat('-').then_some(())?;
        let day = self.digits_exactly(2)?;
        ((1900..=2199).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day))
            .then_some(DatePoint {
                day: Some(day),
                month,
                year: Some(year as i32),
                order: Order::Fixed,
            })
    }

    /// `03.03.2020` (day first, as the brochures write it) or `25/12/2019`.
    fn day_month_year(&mut self) -> Option<DatePoint> {
        let a = self.digits(2)?;
        let sep = if self.eat('.') {
            '.'
        } else if self.eat('/') {
            '/'
        } else {
            return None;
        };
        let b = self.digits(2)?;
        self.eat(sep).then_some(())?;
        let year = self.digits_exactly(4)?;
        if !(1900..=2199).contains(&year) || !(1..=31).contains(&a) || !(1..=31).contains(&b) {
            return None;
        }
        let (day, month, order) = match (sep, a > 12, b > 12) {
            ('.', _, false) => (a, b, Order::Fixed),
            ('/', true, false) => (a, b, Order::DayFirst),
            ('/', false, true) => (b, a, Order::MonthFirst),
            ('/', false, false) => (a, b, Order::Either),
            _ => return None,
        };
        Some(DatePoint {
            day: Some(day),
            month,
            year: Some(year as i32),
            order,
        })
    }

    /// `D Month [Year]`, `Month [D][,] [Year]` or `Month [Year]`; a bare day
    /// when `bare_day`.
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
            Some(month) => {
                // Month first: `December 4th, 2012`, `Dec. 4, 2012`.
                let day = day.or_else(|| {
                    let before = self.pos;
                    self.skip_ws();
                    let d = self.day();
                    if d.is_none() {
                        self.pos = before;
                    }
                    d
                });
                Some(DatePoint {
                    day,
                    month,
                    year: self.year(),
                    order: Order::Fixed,
                })
            }
            None if bare_day && day.is_some() => {
                // Leave the cursor after the digits; the caller expects a dash next.
                self.pos = save;
                let d = self.day();
                Some(DatePoint {
                    day: d,
                    month: 0,
                    year: None,
                    order: Order::Fixed,
                })
            }
            None => {
                self.pos = save;
                None
            }
        }
    }

    /// The end of a month-first range within one month: `6, 2012` in
    /// `December 4-6, 2012`.
    fn day_then_year(&mut self, month: u32) -> Option<DatePoint> {
        let save = self.pos;
        let day = self.day();
        let year = day.and_then(|_| self.year());
        if year.is_none()
            && self
                .rest()
                .trim_start()
                .starts_with(|c: char| c.is_alphanumeric())
        {
            // `June 30 - 2 July`: the second part is not a bare day.
            self.pos = save;
            return None;
        }
        day.map(|day| DatePoint {
            day: Some(day),
            month,
            year,
            order: Order::Fixed,
        })
    }
}

/// Reads a date or date range at the start of `text` (after leading
/// whitespace). Returns what was written and the byte length consumed.
/// Text that only looks like a date (`May I`, `3 rd`) gives `None`.
pub fn parse_date_prefix(text: &str) -> Option<(DateText, usize)> {
    let mut c = Cursor { s: text, pos: 0 };
    c.skip_ws();
    let starts_with_day = c.rest().starts_with(|ch: char| ch.is_ascii_digit());
    let first = c.point(true)?;
    let after_first = c.pos;
    // `December 4-6, 2012`: a month-first day may be followed by a bare day.
    let month_first = !starts_with_day && first.day.is_some();

    // A range: `-`/`–`/`—`, or `/` between month names.
    c.skip_ws();
    let slash = c.rest().starts_with('/');
    let ranged = if slash { c.eat('/') } else { c.eat_dash() };
    if ranged {
        c.skip_ws();
        let second = c.point(false).or_else(|| {
            (month_first && first.year.is_none())
                .then(|| c.day_then_year(first.month))
                .flatten()
        });
        if let Some(second) = second {
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
mod tests;
