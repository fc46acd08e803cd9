//! Sending over SMTP with lettre: one connection (or a few in parallel)
//! reused for the whole run, TCP_NODELAY set on sockets we open ourselves
//! (lettre 0.11.23 leaves Nagle on), STARTTLS required off loopback,
//! 4xx retried with backoff, 5xx reported for that message only.

use std::time::Duration;

use lettre::address::Envelope;
use thiserror::Error;

use crate::config::Config;

#[derive(Debug, Error)]
pub enum SmtpError {
    #[error("invalid SMTP settings: {0}")]
    Settings(String),
    #[error("cannot reach SMTP server {server}: {message}")]
    Unreachable { server: String, message: String },
    #[error("recording a delivery failed")]
    Record(#[source] super::state::StateError),
}

/// Where and how to send; built from the config, the environment and
/// `--smtp`. The password is never printed (`Debug` hides it).
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub user: Option<String>,
    pub password: Option<String>,
    pub connections: usize,
    /// Messages per second over all connections; `None`: no limit.
    pub rate_limit: Option<f64>,
    /// Attempts for a message answered with 4xx (first try included).
    pub attempts: u32,
    /// Wait before the first retry; doubled after each.
    pub backoff: Duration,
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://`: STARTTLS, required.
    StartTls,
    /// `smtp://` to loopback, or opted out with `smtp_allow_plaintext`.
    None,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "(hidden)"))
            .field("connections", &self.connections)
            .finish_non_exhaustive()
    }
}

impl SmtpSettings {
    /// From `url` (`--smtp`, else `digest.smtp_url`), the config and the
    /// environment; `None` when no server is configured.
    pub fn from_config(
        config: &Config,
        url: Option<&str>,
    ) -> Result<Option<SmtpSettings>, SmtpError> {
        let _ = (config, url);
        todo!()
    }
}

/// One message to send; `key` is the caller's, handed back with the outcome.
#[derive(Debug)]
pub struct Job {
    pub key: usize,
    pub envelope: Envelope,
    pub bytes: Vec<u8>,
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server took it (2xx after DATA).
    Accepted,
    /// Refused for good (5xx): the server's reply.
    Rejected(String),
    /// Still refused for now after every retry (4xx), or the connection
    /// was lost and could not be re-established: try again next run.
    Deferred(String),
}

/// Sends every job, over `settings.connections` connections, calling
/// `record` with each outcome as soon as it is known (before the next
/// message goes out on that connection). Jobs are pulled lazily, so memory
/// stays flat however many there are. Fails with `Unreachable` when no
/// connection can be made, at the start or after the server went away
/// mid-run (the message in flight is then reported `Deferred`, and jobs
/// not yet pulled are left in the iterator: the caller counts them as
/// deferred).
pub fn send_all<I, F>(settings: &SmtpSettings, jobs: I, record: F) -> Result<(), SmtpError>
where
    I: Iterator<Item = Job> + Send,
    F: Fn(&Job, Outcome) -> Result<(), super::state::StateError> + Sync,
{
    let _ = (settings, jobs, record);
    todo!()
}
