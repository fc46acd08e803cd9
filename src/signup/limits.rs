//! How often one client or one address may use the sign-up: counters in
//! the database (`Store::rate_hit`, `Store::sign_up`), so servers sharing
//! it share them. Body sizes and timeouts are the server's
//! (`crate::serve::Limits`).

/// The numbers; the defaults suit a newsletter's sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// POSTs (sign-up, confirm, preferences) one client IP may make per
    /// window; beyond, `429`.
    pub per_ip: u32,
    /// The window of `per_ip`, in seconds.
    pub ip_window_secs: i64,
    /// Mails (confirmation or "already subscribed") one address may be sent
    /// per day; beyond, the same answer and no mail, so nobody can use the
    /// form to mail-bomb a stranger.
    pub mails_per_address_per_day: u32,
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            per_ip: 30,
            ip_window_secs: 3600,
            mails_per_address_per_day: 3,
        }
    }
}
