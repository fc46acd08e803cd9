//! What digest runs plan from, in memory: the arrival day of each story,
//! the newest status of each digest, the suppressed addresses. It is read
//! from the database ([`crate::store::Store::load_state`]), where the
//! journal, the claims and the run lock live.
//!
//! A story present at the first run arrives on its own date; a story that
//! turns up later with an old date arrives the day after the newest period
//! already sent, so it still goes out, once.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::period::Period;
use crate::store::StoreError;

/// The errors of state: the database's.
pub type StateError = StoreError;

/// Where a digest stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Known and not sent: free to claim (a deferred digest, or a
    /// `pending` line imported from the JSON Lines journal).
    Pending,
    /// Claimed by a run, which is about to hand it to the server.
    Claimed,
    /// Accepted by the server.
    Sent,
    /// Refused for good (5xx, or an address that cannot be sent to); the
    /// stories stay due for the next period.
    Failed,
}

/// The key of an address in state: trimmed, lower case.
pub fn address_key(address: &str) -> String {
    address.trim().to_ascii_lowercase()
}

/// Everything a run plans from, read at its start.
#[derive(Debug, Default)]
pub struct State {
    /// Story id → day it became due.
    pub arrivals: HashMap<String, NaiveDate>,
    /// (address key, period) → newest status.
    pub deliveries: HashMap<(String, Period), Status>,
    /// Address key → last day of the newest period sent.
    pub sent_through: HashMap<String, NaiveDate>,
    /// Last day of the newest period any digest was sent or refused for.
    pub watermark: Option<NaiveDate>,
    pub unsubscribed: HashSet<String>,
}

impl State {
    pub fn status(&self, address_key: &str, period: Period) -> Option<Status> {
        self.deliveries
            .get(&(address_key.to_owned(), period))
            .copied()
    }

    pub fn is_unsubscribed(&self, address: &str) -> bool {
        self.unsubscribed.contains(&address_key(address))
    }

    /// Records in memory what the journal says of one digest.
    pub fn note(&mut self, to: &str, period: Period, status: Status) {
        self.deliveries.insert((to.to_owned(), period), status);
        if matches!(status, Status::Sent | Status::Failed) {
            self.watermark = self.watermark.max(Some(period.last));
        }
        if status == Status::Sent {
            let through = self
                .sent_through
                .entry(to.to_owned())
                .or_insert(period.last);
            *through = (*through).max(period.last);
        }
    }

    /// The arrival day of each story not seen before (`stories`: id and
    /// start date, only those already published by `today`). Returns the
    /// new arrivals, already added to `self`.
    pub fn arrive<'a>(
        &mut self,
        stories: impl IntoIterator<Item = (&'a str, NaiveDate)>,
    ) -> Vec<(String, NaiveDate)> {
        let first_run = self.arrivals.is_empty();
        let mut new = Vec::new();
        for (id, start) in stories {
            if self.arrivals.contains_key(id) {
                continue;
            }
            let arrived = match self.watermark {
                // Late: every digest through the watermark went out without
                // it, so it is due in the next one.
                Some(w) if !first_run && start <= w => w.succ_opt().unwrap_or(w),
                _ => start,
            };
            self.arrivals.insert(id.to_owned(), arrived);
            new.push((id.to_owned(), arrived));
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn late_stories_arrive_after_the_watermark() {
        let mut state = State::default();
        let first = state.arrive([("a", day("2020-01-10")), ("b", day("2020-01-20"))]);
        assert_eq!(first.len(), 2);
        assert_eq!(state.arrivals["a"], day("2020-01-10"));
        let week = Period {
            first: day("2020-01-13"),
            last: day("2020-01-19"),
        };
        state.note("x@y.org", week, Status::Sent);
        // Seen before: unchanged. New with an old date: due after the watermark.
        // New and newer than the watermark: its own date.
        let new = state.arrive([
            ("a", day("2020-01-10")),
            ("old", day("2019-05-01")),
            ("new", day("2020-01-21")),
        ]);
        assert_eq!(
            new,
            vec![
                ("old".to_owned(), day("2020-01-20")),
                ("new".to_owned(), day("2020-01-21"))
            ]
        );
    }

    #[test]
    fn claims_and_pending_digests_move_no_watermark() {
        let mut state = State::default();
        let week = Period {
            first: day("2020-01-13"),
            last: day("2020-01-19"),
        };
        state.note("x@y.org", week, Status::Claimed);
        state.note("y@y.org", week, Status::Pending);
        assert_eq!(state.watermark, None);
        assert!(state.sent_through.is_empty());
        state.note("z@y.org", week, Status::Failed);
        assert_eq!(state.watermark, Some(day("2020-01-19")));
        assert!(state.sent_through.is_empty());
    }
}
