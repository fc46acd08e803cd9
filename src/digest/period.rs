//! Digest frequencies and the calendar periods they cover.
//!
//! Periods are calendar-aligned (a day; Monday to Sunday; a month), so every
//! run in the days after a period ends computes the same period, and the
//! state can say whether its digest went out already.

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::parse::dates::month_name;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Frequency::Daily, Frequency::Weekly, Frequency::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
        }
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Frequency {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Frequency::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a frequency (daily, weekly, monthly)"))
    }
}

/// Days `first..=last`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Period {
    /// The newest complete period of `frequency` that ended before `today`:
    /// yesterday, last Monday–Sunday, or last calendar month.
    pub fn last_complete(frequency: Frequency, today: NaiveDate) -> Period {
        let yesterday = today.pred_opt().unwrap_or(today);
        match frequency {
            Frequency::Daily => Period {
                first: yesterday,
                last: yesterday,
            },
            Frequency::Weekly => {
                let back = u64::from(today.weekday().num_days_from_monday()) + 1;
                let last = today.checked_sub_days(Days::new(back)).unwrap_or(today);
                Period {
                    first: last.checked_sub_days(Days::new(6)).unwrap_or(last),
                    last,
                }
            }
            Frequency::Monthly => {
                let this_month = today.with_day(1).unwrap_or(today);
                Period {
                    first: this_month
                        .checked_sub_months(Months::new(1))
                        .unwrap_or(this_month),
                    last: this_month.pred_opt().unwrap_or(this_month),
                }
            }
        }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }

    /// `23 Nov 2026`, `17–23 Nov 2026`, `28 Oct – 3 Nov 2026`,
    /// `29 Dec 2025 – 4 Jan 2026`: for subjects and headings.
    pub fn label(&self) -> String {
        let (a, b) = (self.first, self.last);
        let mon = |d: NaiveDate| &month_name(d.month())[..3];
        if a == b {
            format!("{} {} {}", b.day(), mon(b), b.year())
        } else if (a.year(), a.month()) == (b.year(), b.month()) {
            format!("{}–{} {} {}", a.day(), b.day(), mon(b), b.year())
        } else if a.year() == b.year() {
            format!(
                "{} {} – {} {} {}",
                a.day(),
                mon(a),
                b.day(),
                mon(b),
                b.year()
            )
        } else {
            format!(
                "{} {} {} – {} {} {}",
                a.day(),
                mon(a),
                a.year(),
                b.day(),
                mon(b),
                b.year()
            )
        }
    }
}

impl fmt::Display for Period {
    /// `2026-11-16..2026-11-22`: the key of a period in state and ids.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.first, self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_the_last_complete_ones() {
        // 2026-11-30 is a Monday.
        let monday = day("2026-11-30");
        let p = Period::last_complete(Frequency::Weekly, monday);
        assert_eq!((p.first, p.last), (day("2026-11-23"), day("2026-11-29")));
        // Any day of the following week gives the same week.
        for d in 0..7 {
            let today = monday + Days::new(d);
            assert_eq!(Period::last_complete(Frequency::Weekly, today), p);
        }
        let p = Period::last_complete(Frequency::Daily, monday);
        assert_eq!((p.first, p.last), (day("2026-11-29"), day("2026-11-29")));
        let p = Period::last_complete(Frequency::Monthly, day("2026-03-15"));
        assert_eq!((p.first, p.last), (day("2026-02-01"), day("2026-02-28")));
        let p = Period::last_complete(Frequency::Monthly, day("2026-01-01"));
        assert_eq!((p.first, p.last), (day("2025-12-01"), day("2025-12-31")));
    }

    #[test]
    fn labels_read_naturally() {
        let p = |a, b| Period {
            first: day(a),
            last: day(b),
        };
        assert_eq!(p("2026-11-17", "2026-11-23").label(), "17–23 Nov 2026");
        assert_eq!(p("2026-11-23", "2026-11-23").label(), "23 Nov 2026");
        assert_eq!(p("2026-10-28", "2026-11-03").label(), "28 Oct – 3 Nov 2026");
        assert_eq!(
            p("2025-12-29", "2026-01-04").label(),
            "29 Dec 2025 – 4 Jan 2026"
        );
        assert_eq!(
            p("2026-11-16", "2026-11-22").to_string(),
            "2026-11-16..2026-11-22"
        );
    }
}
