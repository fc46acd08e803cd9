//! Sending over SMTP with lettre: one connection (or a few in parallel)
//! reused for the whole run, TCP_NODELAY set on sockets we open ourselves
//! (lettre 0.11.23 leaves Nagle on), STARTTLS required off loopback,
//! 4xx retried with backoff, 5xx reported for that message only.
//!
//! Threads: a producer pulls jobs from the caller's iterator (which renders)
//! into a small bounded channel, so rendering overlaps sending and memory
//! stays flat; each connection is a thread with its own current-thread tokio
//! runtime, so the caller's iterator and `record` need not be `'static`, and
//! `record` (a durable write) only ever blocks its own connection.
//!
//! [`SmtpSettings`] come from the config and the URL (`settings`); each
//! connection is a socket with TCP_NODELAY, TLS for `smtps` (`socket`);
//! `sender` runs the transactions with their retries, spaced by `rate`.

use std::io;
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use lettre::address::Envelope;
use thiserror::Error;
use tokio_rustls::rustls::pki_types::CertificateDer;

use super::state::StateError;
use sender::Run;

mod rate;
mod sender;
mod settings;
mod socket;

#[derive(Debug, Error)]
pub enum SmtpError {
    #[error("invalid SMTP settings: {0}")]
    Settings(String),
    #[error("cannot reach SMTP server {server}: {message}")]
    Unreachable { server: String, message: String },
    /// Reached, but no usable session: STARTTLS missing, TLS handshake or
    /// authentication failed. Retrying would not help.
    #[error("SMTP server {server}: {message}")]
    Session { server: String, message: String },
    #[error("cannot start the SMTP client")]
    Runtime(#[source] io::Error),
    #[error("recording a delivery failed")]
    Record(#[source] StateError),
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
    /// Name given in EHLO: the domain of `digest.from`.
    pub hello_name: String,
    /// CA certificates trusted besides the public roots (`smtp_ca_file`).
    pub ca_roots: Vec<CertificateDer<'static>>,
    pub connections: usize,
    /// Messages per second over all connections; `None`: no limit.
    pub rate_limit: Option<f64>,
    /// Attempts for a message answered with 4xx or cut off by a lost
    /// connection (first try included); also connection attempts when
    /// reconnecting mid-run.
    pub attempts: u32,
    /// Wait before the first retry; doubled after each.
    pub backoff: Duration,
    /// For connecting and for each SMTP exchange.
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
            .field("hello_name", &self.hello_name)
            .field("ca_roots", &self.ca_roots.len())
            .field("connections", &self.connections)
            .field("rate_limit", &self.rate_limit)
            .field("attempts", &self.attempts)
            .field("backoff", &self.backoff)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SmtpSettings {
    /// `host:port`, for messages.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn unreachable(&self, message: String) -> SmtpError {
        SmtpError::Unreachable {
            server: self.server(),
            message,
        }
    }

    fn session(&self, message: String) -> SmtpError {
        SmtpError::Session {
            server: self.server(),
            message,
        }
    }

    /// Why a connection gave up waiting.
    fn late(&self) -> String {
        format!("no answer within {:?}", self.timeout)
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
    /// was lost and could not be re-established, or the run stopped
    /// before it went out: try again next run.
    Deferred(String),
}

/// Sends every job, over `settings.connections` connections, calling
/// `record` with each outcome as soon as it is known (before the next
/// message goes out on that connection). Jobs are pulled lazily, so memory
/// stays flat however many there are.
///
/// Every job taken from the iterator gets exactly one `record` call (until
/// a `record` call fails: then nothing more is recorded or sent). No job is
/// taken before every connection is up, so a server that cannot be reached
/// at the start fails the run with `Unreachable` (or `Session`) having
/// taken none. When the server goes away mid-run and cannot be reached
/// again, the message in flight and any already taken are recorded
/// `Deferred`, the run stops with `Unreachable`, and jobs not yet taken are
/// left in the iterator: the caller counts them as deferred.
pub fn send_all<I, F>(settings: &SmtpSettings, jobs: I, record: F) -> Result<(), SmtpError>
where
    I: Iterator<Item = Job> + Send,
    F: Fn(&Job, Outcome) -> Result<(), StateError> + Sync,
{
    send_all_to(settings, jobs, &Recorder(record))
}

/// Where a run's messages are claimed and their outcomes recorded (the
/// delivery journal); called on the connections' threads.
pub trait Ledger: Sync {
    /// Right before `job` goes out: `false` means another run has it, or
    /// its address was unsubscribed since; the job is dropped (no `record`
    /// call; the ledger accounts for it). A failed claim stops the run as a
    /// failed `record` does.
    fn claim(&self, job: &Job) -> Result<bool, StateError>;

    /// What became of `job`, durable on return.
    fn record(&self, job: &Job, outcome: Outcome) -> Result<(), StateError>;

    /// `record(job, outcome)`, then `claim(next)`: what a connection does
    /// between two messages. A ledger that can make both one durable
    /// write overrides it.
    fn record_then_claim(
        &self,
        job: &Job,
        outcome: Outcome,
        next: &Job,
    ) -> Result<bool, StateError> {
        self.record(job, outcome)?;
        self.claim(next)
    }
}

/// A ledger that only records: every job is sent.
struct Recorder<F>(F);

impl<F> Ledger for Recorder<F>
where
    F: Fn(&Job, Outcome) -> Result<(), StateError> + Sync,
{
    fn claim(&self, _: &Job) -> Result<bool, StateError> {
        Ok(true)
    }

    fn record(&self, job: &Job, outcome: Outcome) -> Result<(), StateError> {
        (self.0)(job, outcome)
    }
}

/// As [`send_all`], with each job claimed in `ledger` on the connection's
/// thread right before it goes out, and recorded there.
pub fn send_all_to<I, L>(settings: &SmtpSettings, mut jobs: I, ledger: &L) -> Result<(), SmtpError>
where
    I: Iterator<Item = Job> + Send,
    L: Ledger,
{
    let connections = settings.connections.max(1);
    let run = Run::new(settings, ledger)?;
    // Enough queued for every connection to find its next message ready,
    // and no more: memory does not grow with the number of jobs.
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(2 * connections);
    let job_rx = Mutex::new(job_rx);
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), SmtpError>>();
    std::thread::scope(|scope| {
        for _ in 0..connections {
            let ready_tx = ready_tx.clone();
            let (run, job_rx) = (&run, &job_rx);
            scope.spawn(move || run.connection(job_rx, ready_tx));
        }
        drop(ready_tx);
        // Every connection reports once, then drops its sender.
        let mut ready = Ok(());
        for result in ready_rx.iter() {
            if let (Err(e), true) = (result, ready.is_ok()) {
                ready = Err(e);
            }
        }
        match ready {
            // The connections that did open see the channel close and quit.
            Err(e) => run.fail(e),
            Ok(()) => {
                while !run.stopped() {
                    let Some(job) = jobs.next() else { break };
                    if let Err(mpsc::SendError(job)) = job_tx.send(job) {
                        // Every connection is gone (none should be while we run).
                        run.skip(&job);
                        break;
                    }
                }
            }
        }
        drop(job_tx);
    });
    match run.into_error() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// What [`probe`] found: the session that would carry the digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub tls: TlsMode,
    /// The user logged in as, if any.
    pub user: Option<String>,
}

/// Opens one session as a run would (TCP, TLS or STARTTLS, EHLO, AUTH),
/// then QUIT: sends nothing. For `storyfeed doctor`.
pub fn probe(settings: &SmtpSettings) -> Result<Probe, SmtpError> {
    let run = Run::new(settings, &Recorder(|_: &Job, _: Outcome| Ok(())))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(SmtpError::Runtime)?;
    runtime.block_on(async {
        let mut conn = run.connect().await?;
        let _ = tokio::time::timeout(settings.timeout, conn.quit()).await;
        Ok(Probe {
            tls: settings.tls,
            user: settings
                .user
                .clone()
                .filter(|_| settings.password.is_some()),
        })
    })
}
