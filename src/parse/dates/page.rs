//! What needs a whole page to read its dates: which way round its slashed
//! dates are (`04/05/2019`), and the year of a date written without one.

use chrono::Datelike;

use super::{DateError, DatePoint, DateText, Order};
use crate::story::DateRange;

/// What a page's dates tell about each other: which way round its
/// slashed dates are, and the year of a date written without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageDates {
    heading_year: Option<i32>,
    month_first: bool,
}

/// Why a page's slashed dates were read the way they were, for a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderNote {
    /// The line of the first date read by the default.
    pub line: usize,
    pub message: String,
}

impl PageDates {
    /// Reads the page's written dates (text, what was written, line). A page
    /// is month first only when a date on it can only be month first
    /// (`12/25/2019`) and none can only be day first; otherwise `04/05/2019`
    /// is read day first, as the UN writes dates, and a note says so.
    pub fn new<'t>(
        heading_year: Option<i32>,
        dates: impl IntoIterator<Item = (&'t DateText, &'t str, usize)>,
    ) -> (Self, Option<OrderNote>) {
        let mut day_first: Option<(&str, usize)> = None;
        let mut month_first: Option<(&str, usize)> = None;
        let mut either: Option<(&str, usize)> = None;
        for (date, text, line) in dates {
            for order in [date.from.order, date.to.order] {
                let slot = match order {
                    Order::Fixed => continue,
                    Order::DayFirst => &mut day_first,
                    Order::MonthFirst => &mut month_first,
                    Order::Either => &mut either,
                };
                slot.get_or_insert((text, line));
            }
        }
        let page = PageDates {
            heading_year,
            month_first: month_first.is_some() && day_first.is_none(),
        };
        let note = match (either, day_first, month_first) {
            (Some((text, line)), None, None) => Some(OrderNote {
                line,
                message: format!(
                    "date `{text}` read day first: no date on the page shows whether the day or the month comes first"
                ),
            }),
            (_, Some((d, dl)), Some((m, ml))) => Some(OrderNote {
                line: ml,
                message: format!(
                    "the page writes dates day first (`{d}`, line {dl}) and month first (`{m}`); dates that could be either are read day first"
                ),
            }),
            _ => None,
        };
        (page, note)
    }

    /// [`DateText::resolve`] with the page's order of day and month.
    pub fn resolve(
        &self,
        text: &DateText,
        default_year: Option<i32>,
    ) -> Result<DateRange, DateError> {
        if !self.month_first {
            return text.resolve(default_year);
        }
        let swap = |mut p: DatePoint| {
            if p.order == Order::Either {
                if let Some(day) = p.day {
                    p.day = Some(p.month);
                    p.month = day;
                }
            }
            p
        };
        DateText {
            from: swap(text.from),
            to: swap(text.to),
        }
        .resolve(default_year)
    }

    /// The year for `text`, written without one, on a page whose nearest
    /// stories with a year written are `before` and `after` it (either may
    /// be missing). A page heading's year (`Archive of UNODC Stories 2020`)
    /// is the year of the page's stories, as it always was. Without one, of
    /// the years around the neighbours', the one that puts the date nearest
    /// one of them, within a quarter of a year, wins (`29 December` among
    /// January 2025 stories is 29 December 2024, not a year in the future
    /// of the page); ties go to the story before's year, then to the
    /// earlier year. With no neighbour that near, the story before's year
    /// (or after's), as before.
    pub fn year_for(
        &self,
        text: &DateText,
        before: Option<DateRange>,
        after: Option<DateRange>,
    ) -> Option<i32> {
        if self.heading_year.is_some() {
            return self.heading_year;
        }
        let anchors: Vec<DateRange> = before.into_iter().chain(after).collect();
        let usual = anchors.first().map(|a| a.start().year());
        let mut candidates: Vec<i32> = anchors
            .iter()
            .flat_map(|a| [a.start().year(), a.end().year()])
            .flat_map(|y| [y - 1, y, y + 1])
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|y| {
                let range = self.resolve(text, Some(y)).ok()?;
                let distance = anchors.iter().map(|a| gap_days(&range, a)).min()?;
                (distance <= MAX_GAP_DAYS).then_some(((distance, Some(y) != usual, y), y))
            })
            .min()
            .map(|(_, y)| y)
            .or(usual)
    }
}

/// The furthest a year-less date is put from its nearest neighbour: a
/// quarter (as a range crosses New Year only between the outer quarters).
/// Further than that, no year is nearer than another and the story
/// before's year stands (so `29 February` next to March 2021 is an error,
/// not 2020, and `2 December` after May 2019 stays 2019).
const MAX_GAP_DAYS: i64 = 92;

/// Days between two ranges; 0 when they overlap.
fn gap_days(a: &DateRange, b: &DateRange) -> i64 {
    if a.end() < b.start() {
        (b.start() - a.end()).num_days()
    } else if b.end() < a.start() {
        (a.start() - b.end()).num_days()
    } else {
        0
    }
}
