//! How much of the server one client may hold, and for how long: the
//! numbers that keep a slow, stalled or hostile client from blocking the
//! others or from growing the server's memory.

use std::time::Duration;

/// The default cap on connections served at once.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 512;

/// The limits of a [`Server`](super::Server). The defaults suit a site and
/// its small forms; tests shorten the times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once. Further ones wait in the kernel's
    /// backlog, unaccepted, so they cost the server no file descriptor.
    /// At least 1.
    pub max_connections: usize,
    /// Largest request head (request line and header fields) in bytes;
    /// more is answered `431` and the connection closed. hyper reads no
    /// more than this, and never less than 8 KiB.
    pub max_header_bytes: usize,
    /// Largest request body in bytes; more is answered `413`.
    pub max_body_bytes: usize,
    /// Time to receive a whole request head, from when the server starts
    /// waiting for it; then the connection is closed.
    pub header_timeout: Duration,
    /// Time to answer one request, reading its body included; then `408`.
    pub request_timeout: Duration,
    /// Longest wait for a read or a write on a connection to make any
    /// progress (a stalled body, a client that never reads its answers, an
    /// idle keep-alive connection); then the connection is closed. Longer
    /// than `request_timeout`, so a request that is being answered gets
    /// its `408` first.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: DEFAULT_MAX_CONNECTIONS as usize,
            max_header_bytes: 16 * 1024,
            max_body_bytes: 8 * 1024,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(30),
        }
    }
}

impl Limits {
    /// hyper refuses a read buffer under 8 KiB (it panics).
    pub(super) fn read_buffer(&self) -> usize {
        self.max_header_bytes.max(8 * 1024)
    }
}
