//! Spacing sends to `digest.rate_limit` messages a second, over all of a
//! run's connections.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Evenly spaced sends across all connections: each takes the next free
/// slot, one interval after the previous one.
pub(super) struct RateLimiter {
    interval: Duration,
    next: Mutex<Instant>,
}

impl RateLimiter {
    pub(super) fn new(per_second: f64) -> Option<Self> {
        if !(per_second > 0.0 && per_second.is_finite()) {
            return None;
        }
        // At most one a day: keeps the arithmetic far from overflow.
        let interval = Duration::try_from_secs_f64(1.0 / per_second)
            .unwrap_or(Duration::MAX)
            .min(Duration::from_secs(86_400));
        Some(RateLimiter {
            interval,
            next: Mutex::new(Instant::now()),
        })
    }

    pub(super) async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let at = (*next).max(Instant::now());
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}
