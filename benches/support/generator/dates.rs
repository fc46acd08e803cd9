//! The calendar (`Ymd`, month names) and dates as the pages write them:
//! every form `FileGen::pick_date` picks from, and plain ranges for reprints.

use std::fmt;

use super::file::FileGen;

/// A calendar day; `Display` gives `YYYY-MM-DD` like `chrono::NaiveDate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ymd {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

impl Ymd {
    pub fn new(y: i32, m: u32, d: u32) -> Self {
        debug_assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
        Ymd { y, m, d }
    }

    fn last_of_month(y: i32, m: u32) -> Self {
        Ymd::new(y, m, days_in_month(y, m))
    }

    /// The day `n` days later.
    pub fn plus_days(self, n: u32) -> Self {
        let mut t = self;
        for _ in 0..n {
            if t.d < days_in_month(t.y, t.m) {
                t.d += 1;
            } else if t.m < 12 {
                t = Ymd::new(t.y, t.m + 1, 1);
            } else {
                t = Ymd::new(t.y + 1, 1, 1);
            }
        }
        t
    }
}

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => panic!("month {m}"),
    }
}

pub(super) const MONTHS: [&str; 12] = [
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

/// Abbreviations the parser knows (`Sep`, `Sept.`, `Jan.`).
const MONTH_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

pub(super) fn month(m: u32) -> &'static str {
    MONTHS[m as usize - 1]
}

fn ordinal_suffix(d: u32) -> &'static str {
    match (d % 10, d % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// The highest year the parser accepts is 2199; stay well inside.
pub(super) const FIRST_YEAR: i32 = 1995;
pub(super) const LAST_YEAR: i32 = 2190;

/// A date as written, with the days it names.
pub(super) struct DatePick {
    pub(super) text: String,
    pub(super) start: Ymd,
    pub(super) end: Ymd,
    pub(super) year_written: bool,
}

/// Where a date is written: on a date line (also `Date: Title`), or at the
/// head of a dateline (`Date, Place: body`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum DateSite {
    Line,
    Dateline,
}

impl FileGen<'_> {
    pub(super) fn random_day(&mut self, year: i32) -> Ymd {
        let m = self.rng.range(1, 12) as u32;
        let d = self.rng.range(1, days_in_month(year, m) as usize) as u32;
        Ymd::new(year, m, d)
    }

    pub(super) fn dash(&mut self) -> &'static str {
        *self
            .rng
            .pick(&["-", "-", "-", "- ", " - ", "–", " – ", " — "])
    }

    /// A date for a story in `year`, in one of the forms of the real pages.
    pub(super) fn pick_date(&mut self, year: i32, site: DateSite) -> DatePick {
        let yearless_ok = self.heading_year == Some(year);
        let start = self.random_day(year);
        let Ymd { y, m, d } = start;
        let roll = self.rng.below(100);
        let sp = if self.rng.chance(1, 25) {
            "\u{a0}"
        } else {
            " "
        };
        match roll {
            // `03.03.2020`
            0..=9 if site == DateSite::Line => DatePick {
                text: format!("{d:02}.{m:02}.{y}"),
                start,
                end: start,
                year_written: true,
            },
            // `16- 17 January 2020`, `7 - 9 June 2021`, `28-29 December, 2020`
            10..=27 if d < days_in_month(y, m) => {
                let end_d = (d + self.rng.range(1, 4) as u32).min(days_in_month(y, m));
                let comma = if self.rng.chance(1, 6) { "," } else { "" };
                let dash = self.dash();
                DatePick {
                    text: format!("{d}{dash}{end_d} {}{comma} {y}", month(m)),
                    start,
                    end: Ymd::new(y, m, end_d),
                    year_written: true,
                }
            }
            // `28 September-2 October 2020`, `27 August - 3 September 2020`
            28..=33 if m < 12 => {
                let s = Ymd::new(y, m, days_in_month(y, m) - self.rng.range(0, 3) as u32);
                let e = Ymd::new(y, m + 1, self.rng.range(1, 5) as u32);
                let dash = self.dash();
                DatePick {
                    text: format!("{} {}{dash}{} {} {y}", s.d, month(s.m), e.d, month(e.m)),
                    start: s,
                    end: e,
                    year_written: true,
                }
            }
            // `30 December 2023 - 2 January 2024`
            28..=33 if y < LAST_YEAR => {
                let s = Ymd::new(y, 12, 31 - self.rng.range(0, 4) as u32);
                let e = Ymd::new(y + 1, 1, self.rng.range(1, 4) as u32);
                let dash = self.dash();
                DatePick {
                    text: format!("{} December {y}{dash}{} January {}", s.d, e.d, y + 1),
                    start: s,
                    end: e,
                    year_written: true,
                }
            }
            // `April 2021`
            34..=38 => DatePick {
                text: format!("{} {y}", month(m)),
                start: Ymd::new(y, m, 1),
                end: Ymd::last_of_month(y, m),
                year_written: true,
            },
            // `July-October 2020`, `November/December 2020`
            39..=41 if m < 12 => {
                let m2 = self.rng.range(m as usize + 1, 12) as u32;
                let sep = if self.rng.chance(1, 2) { "/" } else { "-" };
                DatePick {
                    text: format!("{}{sep}{} {y}", month(m), month(m2)),
                    start: Ymd::new(y, m, 1),
                    end: Ymd::last_of_month(y, m2),
                    year_written: true,
                }
            }
            // `1st Sept. 2021`, `22nd Sep 2021`, `3rd March 2021`
            42..=48 => {
                let name = match self.rng.below(4) {
                    0 if m == 9 => "Sept.".to_owned(),
                    0 | 1 => MONTH_ABBR[m as usize - 1].to_owned(),
                    2 => format!("{}.", MONTH_ABBR[m as usize - 1]),
                    _ => month(m).to_owned(),
                };
                DatePick {
                    text: format!("{d}{} {name} {y}", ordinal_suffix(d)),
                    start,
                    end: start,
                    year_written: true,
                }
            }
            // `2 December`, `11-14 February`: the page heading gives the year.
            49..=60 if yearless_ok => {
                if d < days_in_month(y, m) && self.rng.chance(1, 3) {
                    let end_d = (d + self.rng.range(1, 3) as u32).min(days_in_month(y, m));
                    let dash = self.dash();
                    DatePick {
                        text: format!("{d}{dash}{end_d} {}", month(m)),
                        start,
                        end: Ymd::new(y, m, end_d),
                        year_written: false,
                    }
                } else {
                    DatePick {
                        text: format!("{d} {}", month(m)),
                        start,
                        end: start,
                        year_written: false,
                    }
                }
            }
            // `5 May, 2020`
            61..=63 => DatePick {
                text: format!("{d} {}, {y}", month(m)),
                start,
                end: start,
                year_written: true,
            },
            // `31 March 2020`
            _ => DatePick {
                text: format!("{d}{sp}{}{sp}{y}", month(m)),
                start,
                end: start,
                year_written: true,
            },
        }
    }

    /// Any range of days, written plainly with its year(s).
    pub(super) fn render_range(&mut self, start: Ymd, end: Ymd) -> String {
        let dash = self.dash();
        if start == end {
            format!("{} {} {}", start.d, month(start.m), start.y)
        } else if start.y != end.y {
            format!(
                "{} {} {}{dash}{} {} {}",
                start.d,
                month(start.m),
                start.y,
                end.d,
                month(end.m),
                end.y
            )
        } else if start.m != end.m {
            format!(
                "{} {}{dash}{} {} {}",
                start.d,
                month(start.m),
                end.d,
                month(end.m),
                end.y
            )
        } else {
            format!("{}{dash}{} {} {}", start.d, end.d, month(end.m), end.y)
        }
    }
}
