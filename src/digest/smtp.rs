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

use std::error::Error as _;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::extension::{MailBodyParameter, MailParameter};
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

use super::state::StateError;
use crate::config::Config;

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
            .field("connections", &self.connections)
            .field("rate_limit", &self.rate_limit)
            .field("attempts", &self.attempts)
            .field("backoff", &self.backoff)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SmtpSettings {
    /// From `url` (`--smtp`, else `digest.smtp_url`), the config and the
    /// environment; `None` when no server is configured.
    pub fn from_config(
        config: &Config,
        url: Option<&str>,
    ) -> Result<Option<SmtpSettings>, SmtpError> {
        Self::resolve(config, url, |name| std::env::var(name).ok())
    }

    /// `from_config` with the environment passed in, so tests need not
    /// change the process environment.
    fn resolve(
        config: &Config,
        url: Option<&str>,
        getenv: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<SmtpSettings>, SmtpError> {
        let d = &config.digest;
        let Some(url) = url.or(d.smtp_url.as_deref()) else {
            return Ok(None);
        };
        let url = parse_url(url)?;
        let tls = if url.implicit_tls {
            TlsMode::Implicit
        } else if is_loopback(&url.host) || d.smtp_allow_plaintext {
            TlsMode::None
        } else {
            TlsMode::StartTls
        };
        let user = match (url.user, &d.smtp_user) {
            (Some(a), Some(b)) if a != *b => {
                return Err(SmtpError::Settings(format!(
                    "two SMTP users: `{a}` in the URL and `{b}` in digest.smtp_user"
                )))
            }
            (Some(a), _) => Some(a),
            (None, b) => b.clone(),
        };
        let password = match &user {
            // An unrelated variable in the environment is no reason to
            // fail, but a configured file with nobody to log in is.
            None if d.smtp_password_file.is_some() => {
                return Err(SmtpError::Settings(
                    "digest.smtp_password_file is set but there is no SMTP user \
                     (digest.smtp_user or user@ in the URL)"
                        .to_owned(),
                ))
            }
            None => None,
            Some(user) => Some(read_password(config, &getenv)?.ok_or_else(|| {
                SmtpError::Settings(format!(
                    "no password for SMTP user `{user}`: set the environment variable {} \
                     or digest.smtp_password_file",
                    d.smtp_password_env
                ))
            })?),
        };
        let rate_limit = Some(d.rate_limit).filter(|r| *r > 0.0 && r.is_finite());
        let hello_name = d
            .from
            .parse::<Mailbox>()
            .map(|m| m.email.domain().to_owned())
            .unwrap_or_else(|_| "localhost".to_owned());
        Ok(Some(SmtpSettings {
            host: url.host,
            port: url.port,
            tls,
            user,
            password,
            hello_name,
            connections: d.smtp_connections.max(1),
            rate_limit,
            attempts: 4,
            backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(60),
        }))
    }

    /// `host:port`, for messages.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// The variable named by `smtp_password_env`, else `smtp_password_file`
/// without its trailing newline.
fn read_password(
    config: &Config,
    getenv: &impl Fn(&str) -> Option<String>,
) -> Result<Option<String>, SmtpError> {
    let d = &config.digest;
    if let Some(p) = getenv(&d.smtp_password_env).filter(|p| !p.is_empty()) {
        return Ok(Some(p));
    }
    let Some(path) = &d.smtp_password_file else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        SmtpError::Settings(format!(
            "cannot read SMTP password file {}: {e}",
            path.display()
        ))
    })?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        return Err(SmtpError::Settings(format!(
            "SMTP password file {} is empty",
            path.display()
        )));
    }
    Ok(Some(text.to_owned()))
}

#[derive(Debug, PartialEq, Eq)]
struct SmtpUrl {
    implicit_tls: bool,
    user: Option<String>,
    host: String,
    port: u16,
}

/// `smtp[s]://[user@]host[:port][/]`; IPv6 hosts in brackets.
fn parse_url(url: &str) -> Result<SmtpUrl, SmtpError> {
    // Echo the URL only when it holds no password.
    let bad = |why: &str| {
        SmtpError::Settings(format!(
            "SMTP URL `{url}`: {why}; expected smtp://[user@]host[:port] or smtps://[user@]host[:port]"
        ))
    };
    let lower = url.to_ascii_lowercase();
    let (implicit_tls, rest) = if lower.starts_with("smtps://") {
        (true, &url["smtps://".len()..])
    } else if lower.starts_with("smtp://") {
        (false, &url["smtp://".len()..])
    } else {
        return Err(bad("unknown scheme"));
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (userinfo, hostport) = match rest.rfind('@') {
        Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
        None => (None, rest),
    };
    if userinfo.is_some_and(|u| u.contains(':')) {
        return Err(SmtpError::Settings(
            "the SMTP URL holds a password; passwords never go in the config or on the \
             command line: put it in the environment variable named by \
             digest.smtp_password_env, or in digest.smtp_password_file"
                .to_owned(),
        ));
    }
    if hostport.contains(['/', '?', '#']) {
        return Err(bad("a path, query or fragment is not allowed"));
    }
    let user = match userinfo {
        Some("") => return Err(bad("empty user name")),
        Some(u) => Some(percent_decode(u).ok_or_else(|| bad("bad %-escape in the user name"))?),
        None => None,
    };
    let (host, port) = if let Some(after) = hostport.strip_prefix('[') {
        let (host, after) = after
            .split_once(']')
            .ok_or_else(|| bad("`[` without `]`"))?;
        match after {
            "" => (host, None),
            _ => (
                host,
                Some(
                    after
                        .strip_prefix(':')
                        .ok_or_else(|| bad("junk after `]`"))?,
                ),
            ),
        }
    } else {
        match hostport.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    if host.contains(':') && host.parse::<IpAddr>().is_err() {
        return Err(bad("bad IPv6 address (write it in brackets)"));
    }
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad("bad port"))?,
        None if implicit_tls => 465,
        None => 587,
    };
    Ok(SmtpUrl {
        implicit_tls,
        user,
        host: host.to_owned(),
        port,
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `localhost`, `127.0.0.0/8`, `::1`: traffic that never leaves the machine.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
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
pub fn send_all<I, F>(settings: &SmtpSettings, mut jobs: I, record: F) -> Result<(), SmtpError>
where
    I: Iterator<Item = Job> + Send,
    F: Fn(&Job, Outcome) -> Result<(), StateError> + Sync,
{
    let connections = settings.connections.max(1);
    let run = Run::new(settings, &record)?;
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
    match run
        .error
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// What the connections of one run share.
struct Run<'a, F> {
    settings: &'a SmtpSettings,
    record: &'a F,
    hello: ClientId,
    /// For `smtps://` only.
    tls: Option<tokio_rustls::TlsConnector>,
    limiter: Option<RateLimiter>,
    /// Set on the first fatal error: send nothing more.
    stop: AtomicBool,
    /// Set when `record` failed: record nothing more either.
    record_failed: AtomicBool,
    error: Mutex<Option<SmtpError>>,
}

/// How a failed exchange is handled.
#[derive(PartialEq, Eq)]
enum Failure {
    /// 4xx: try again after a while.
    Transient,
    /// 5xx, or a message this server cannot take: give up on it.
    Permanent,
    /// The connection is gone or unusable: reconnect, then try again.
    Connection,
}

impl<'a, F> Run<'a, F>
where
    F: Fn(&Job, Outcome) -> Result<(), StateError> + Sync,
{
    fn new(settings: &'a SmtpSettings, record: &'a F) -> Result<Self, SmtpError> {
        let tls = match settings.tls {
            TlsMode::Implicit => Some(tls_connector().map_err(|message| SmtpError::Session {
                server: settings.server(),
                message,
            })?),
            TlsMode::StartTls | TlsMode::None => None,
        };
        Ok(Run {
            settings,
            record,
            hello: ClientId::Domain(settings.hello_name.clone()),
            tls,
            limiter: settings.rate_limit.and_then(RateLimiter::new),
            stop: AtomicBool::new(false),
            record_failed: AtomicBool::new(false),
            error: Mutex::new(None),
        })
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Stops the run; the first error is the one returned, except that a
    /// failed `record` wins (the caller must know the journal is behind).
    fn fail(&self, error: SmtpError) {
        let mut slot = self.error.lock().unwrap_or_else(PoisonError::into_inner);
        let replace = match (&*slot, &error) {
            (None, _) => true,
            (Some(SmtpError::Record(_)), _) => false,
            (Some(_), SmtpError::Record(_)) => true,
            (Some(_), _) => false,
        };
        if replace {
            *slot = Some(error);
        }
        self.stop.store(true, Ordering::SeqCst);
    }

    fn report(&self, job: &Job, outcome: Outcome) {
        if self.record_failed.load(Ordering::SeqCst) {
            return;
        }
        if let Err(e) = (self.record)(job, outcome) {
            self.record_failed.store(true, Ordering::SeqCst);
            self.fail(SmtpError::Record(e));
        }
    }

    /// A job taken from the iterator that will not go out this run.
    fn skip(&self, job: &Job) {
        self.report(
            job,
            Outcome::Deferred("not sent: the run stopped before this message".to_owned()),
        );
    }

    /// One connection's thread: connect, report readiness, then send jobs
    /// until the channel closes.
    fn connection(
        &self,
        jobs: &Mutex<mpsc::Receiver<Job>>,
        ready: mpsc::Sender<Result<(), SmtpError>>,
    ) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                let _ = ready.send(Err(SmtpError::Runtime(e)));
                return;
            }
        };
        runtime.block_on(async {
            let mut conn = match self.connect().await {
                Ok(c) => Some(c),
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            let _ = ready.send(Ok(()));
            drop(ready);
            loop {
                // Blocking is fine: this thread has nothing else to do.
                let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
                let Ok(job) = job else { break };
                if self.stopped() {
                    self.skip(&job);
                    continue;
                }
                let (outcome, fatal) = self.deliver(&mut conn, &job).await;
                self.report(&job, outcome);
                if let Some(e) = fatal {
                    self.fail(e);
                }
            }
            if let Some(mut c) = conn.filter(|c| !c.has_broken()) {
                let _ = tokio::time::timeout(self.settings.timeout, c.quit()).await;
            }
        });
    }

    /// Sends one job, retrying 4xx and lost connections; the error, if
    /// any, is the server being unreachable again (the run must stop).
    async fn deliver(
        &self,
        conn: &mut Option<AsyncSmtpConnection>,
        job: &Job,
    ) -> (Outcome, Option<SmtpError>) {
        let s = self.settings;
        let mut backoff = s.backoff;
        let mut attempt = 1;
        loop {
            // lettre marks a connection broken after any failed command.
            if conn.as_ref().is_some_and(AsyncSmtpConnection::has_broken) {
                *conn = None;
            }
            let c = match conn {
                Some(c) => c,
                None => match self.reconnect().await {
                    Ok(c) => conn.insert(c),
                    Err(e) => {
                        let outcome = Outcome::Deferred(format!("not sent: {e}"));
                        return (outcome, Some(e));
                    }
                },
            };
            if let Some(limiter) = &self.limiter {
                limiter.wait().await;
            }
            let (stage, failure, reply) =
                match tokio::time::timeout(s.timeout, transaction(c, &job.envelope, &job.bytes))
                    .await
                {
                    Ok(Ok(())) => return (Outcome::Accepted, None),
                    Ok(Err((stage, e))) => (stage, classify(&e), describe(&e)),
                    Err(_) => (
                        Stage::Content,
                        Failure::Connection,
                        format!("no answer from the server within {:?}", s.timeout),
                    ),
                };
            if let Failure::Connection = failure {
                // Also after a timeout, which lettre does not see: the
                // session is in an unknown state.
                *conn = None;
            } else if stage != Stage::Content {
                // A refusal mid-transaction (the reply to the message ends
                // one): start the next one clean.
                let reset = tokio::time::timeout(s.timeout, c.command(Rset)).await;
                if !matches!(reset, Ok(Ok(_))) {
                    *conn = None;
                }
            }
            if stage == Stage::Sender && failure == Failure::Permanent {
                // Refusing the sender refuses every digest: a setup error
                // (digest.from, the relay's rules), not one subscriber's.
                let e = SmtpError::Session {
                    server: s.server(),
                    message: format!("refused the sender: {reply}"),
                };
                return (Outcome::Deferred(format!("not sent: {reply}")), Some(e));
            }
            match failure {
                Failure::Permanent => return (Outcome::Rejected(reply), None),
                _ if attempt >= s.attempts => return (Outcome::Deferred(reply), None),
                Failure::Transient => {
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                }
                // `reconnect` waits between its own attempts.
                Failure::Connection => {}
            }
            attempt += 1;
        }
    }

    /// Connects again after a lost connection, `attempts` times with
    /// backoff; gives up at once on a `Session` error.
    async fn reconnect(&self) -> Result<AsyncSmtpConnection, SmtpError> {
        let mut backoff = self.settings.backoff;
        let mut attempt = 1;
        loop {
            match self.connect().await {
                Ok(c) => return Ok(c),
                Err(SmtpError::Unreachable { .. }) if attempt < self.settings.attempts => {
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// TCP (TCP_NODELAY on), TLS for `smtps`, EHLO, STARTTLS, AUTH.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SmtpError> {
        let s = self.settings;
        let unreachable = |message: String| SmtpError::Unreachable {
            server: s.server(),
            message,
        };
        let session = |message: String| SmtpError::Session {
            server: s.server(),
            message,
        };
        let late = || format!("no answer within {:?}", s.timeout);
        let tcp = tokio::time::timeout(s.timeout, TcpStream::connect((s.host.as_str(), s.port)))
            .await
            .map_err(|_| unreachable(late()))?
            .map_err(|e| unreachable(e.to_string()))?;
        // Without it each message waits for the server's delayed ACK.
        tcp.set_nodelay(true)
            .map_err(|e| unreachable(format!("cannot set TCP_NODELAY: {e}")))?;
        let stream: Box<dyn AsyncTokioStream> = match &self.tls {
            Some(connector) => {
                let name = rustls::pki_types::ServerName::try_from(s.host.clone())
                    .map_err(|e| session(format!("`{}` is not a TLS server name: {e}", s.host)))?;
                let tls = tokio::time::timeout(s.timeout, connector.connect(name, tcp))
                    .await
                    .map_err(|_| unreachable(late()))?
                    .map_err(|e| session(format!("TLS handshake failed: {e}")))?;
                Box::new(TlsSocket(tls))
            }
            None => Box::new(tcp),
        };
        let mut conn = tokio::time::timeout(
            s.timeout,
            AsyncSmtpConnection::connect_with_transport(stream, &self.hello),
        )
        .await
        .map_err(|_| unreachable(late()))?
        .map_err(|e| match classify(&e) {
            Failure::Permanent => session(format!("refused the session: {}", describe(&e))),
            Failure::Transient | Failure::Connection => unreachable(describe(&e)),
        })?;
        if s.tls == TlsMode::StartTls {
            if !conn.can_starttls() {
                return Err(session(
                    "does not offer STARTTLS, required for a server that is not loopback \
                     (use smtps://, or set digest.smtp_allow_plaintext = true to send in clear)"
                        .to_owned(),
                ));
            }
            let params = TlsParameters::new(s.host.clone())
                .map_err(|e| session(format!("TLS setup failed: {}", describe(&e))))?;
            tokio::time::timeout(s.timeout, conn.starttls(params, &self.hello))
                .await
                .map_err(|_| unreachable(late()))?
                .map_err(|e| session(format!("STARTTLS failed: {}", describe(&e))))?;
        }
        if let (Some(user), Some(password)) = (&s.user, &s.password) {
            let credentials = Credentials::new(user.clone(), password.clone());
            tokio::time::timeout(
                s.timeout,
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials),
            )
            .await
            .map_err(|_| unreachable(late()))?
            .map_err(|e| session(format!("login as `{user}` failed: {}", describe(&e))))?;
        }
        Ok(conn)
    }
}

/// Where in a mail transaction a reply came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// `MAIL FROM`
    Sender,
    /// `RCPT TO`
    Recipient,
    /// The `DATA` command.
    Data,
    /// The message, up to the reply that ends the transaction.
    Content,
}

/// One message: what lettre's `send` does, step by step, so that a
/// refused sender is told apart from a refused recipient, and the
/// connection stays usable after a refusal (lettre's `send` marks it
/// broken).
async fn transaction(
    c: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    bytes: &[u8],
) -> Result<(), (Stage, lettre::transport::smtp::Error)> {
    let mut options = Vec::new();
    let non_ascii = |a: &lettre::Address| !AsRef::<str>::as_ref(a).is_ascii();
    if envelope.from().is_some_and(non_ascii) || envelope.to().iter().any(non_ascii) {
        options.push(MailParameter::SmtpUtfEight);
    }
    if !bytes.is_ascii() {
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    c.command(Mail::new(envelope.from().cloned(), options))
        .await
        .map_err(|e| (Stage::Sender, e))?;
    for to in envelope.to() {
        c.command(Rcpt::new(to.clone(), Vec::new()))
            .await
            .map_err(|e| (Stage::Recipient, e))?;
    }
    c.command(Data).await.map_err(|e| (Stage::Data, e))?;
    c.message(bytes).await.map_err(|e| (Stage::Content, e))?;
    Ok(())
}

fn classify(e: &lettre::transport::smtp::Error) -> Failure {
    if e.is_transient() {
        Failure::Transient
    } else if e.is_permanent() || e.is_client() {
        // A client error is this message refused before it left (e.g. a
        // non-ASCII address to a server without SMTPUTF8).
        Failure::Permanent
    } else {
        // Network, timeout, TLS, an unparsable or missing reply (EOF).
        Failure::Connection
    }
}

/// `550 Mailbox unavailable`; lettre's own wording for everything else.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    match (e.status(), e.source()) {
        (Some(code), Some(text)) => format!("{code} {text}"),
        _ => e.to_string(),
    }
}

/// The same roots as lettre's own rustls setup (webpki-roots, ring).
fn tls_connector() -> Result<tokio_rustls::TlsConnector, String> {
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS setup failed: {e}"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// A TLS stream lettre accepts as its transport: `connect_with_transport`
/// takes any `AsyncTokioStream`, so implicit TLS keeps our NODELAY socket
/// (`connect_tokio1` would open its own, with Nagle on).
#[derive(Debug)]
struct TlsSocket(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncRead for TlsSocket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsSocket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for TlsSocket {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

/// Evenly spaced sends across all connections: each takes the next free
/// slot, one interval after the previous one.
struct RateLimiter {
    interval: Duration,
    next: Mutex<Instant>,
}

impl RateLimiter {
    fn new(per_second: f64) -> Option<Self> {
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

    async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let at = (*next).max(Instant::now());
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use super::{parse_url, SmtpError, SmtpSettings, SmtpUrl, TlsMode};
    use crate::config::Config;

    fn config(url: &str) -> Config {
        let mut c = Config::default();
        c.digest.smtp_url = Some(url.to_owned());
        c
    }

    fn resolve(c: &Config, env: &[(&str, &str)]) -> Result<SmtpSettings, SmtpError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        SmtpSettings::resolve(c, None, |name| env.get(name).cloned())
            .map(|s| s.expect("a URL is set"))
    }

    #[test]
    fn no_url_means_no_server() {
        let s = SmtpSettings::resolve(&Config::default(), None, |_| None).unwrap();
        assert!(s.is_none());
    }

    #[test]
    fn starttls_is_required_off_loopback() {
        let s = resolve(&config("smtp://mail.example.org"), &[]).unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.tls),
            ("mail.example.org", 587, TlsMode::StartTls)
        );
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://localhost",
            "smtp://[::1]:25",
            "smtp://127.8.9.10",
        ] {
            assert_eq!(
                resolve(&config(url), &[]).unwrap().tls,
                TlsMode::None,
                "{url}"
            );
        }
        // Not loopback, whatever it looks like.
        for url in [
            "smtp://localhost.example.org",
            "smtp://128.0.0.1",
            "smtp://10.0.0.1",
        ] {
            assert_eq!(
                resolve(&config(url), &[]).unwrap().tls,
                TlsMode::StartTls,
                "{url}"
            );
        }
        let mut c = config("smtp://mail.example.org:25");
        c.digest.smtp_allow_plaintext = true;
        assert_eq!(resolve(&c, &[]).unwrap().tls, TlsMode::None);
    }

    #[test]
    fn smtps_is_implicit_tls_on_465() {
        let s = resolve(&config("SMTPS://mail.example.org/"), &[]).unwrap();
        assert_eq!((s.port, s.tls), (465, TlsMode::Implicit));
        // Even on loopback.
        let s = resolve(&config("smtps://127.0.0.1:4650"), &[]).unwrap();
        assert_eq!((s.port, s.tls), (4650, TlsMode::Implicit));
    }

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("smtp://digest%40unodc.org@[2001:db8::1]:2525").unwrap(),
            SmtpUrl {
                implicit_tls: false,
                user: Some("digest@unodc.org".to_owned()),
                host: "2001:db8::1".to_owned(),
                port: 2525,
            }
        );
        for bad in [
            "http://mail.example.org",
            "mail.example.org",
            "smtp://",
            "smtp://host:0",
            "smtp://host:99999",
            "smtp://host:25/path",
            "smtp://@host",
            "smtp://2001:db8::1",
            "smtp://[::1",
        ] {
            assert!(
                matches!(parse_url(bad), Err(SmtpError::Settings(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_password_in_the_url_is_refused_and_not_echoed() {
        let err = resolve(&config("smtp://user:hunter2@mail.example.org"), &[]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("password"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn password_from_the_environment_first_then_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "from-file\n").unwrap();
        let mut c = config("smtp://mail.example.org");
        c.digest.smtp_user = Some("digest".to_owned());
        c.digest.smtp_password_env = "PW".to_owned();
        c.digest.smtp_password_file = Some(file.clone());
        let s = resolve(&c, &[("PW", "from-env")]).unwrap();
        assert_eq!(
            (s.user.as_deref(), s.password.as_deref()),
            (Some("digest"), Some("from-env"))
        );
        let s = resolve(&c, &[]).unwrap();
        assert_eq!(s.password.as_deref(), Some("from-file"));
        // The password never shows in Debug.
        let debug = format!("{s:?}");
        assert!(
            !debug.contains("from-file") && debug.contains("hidden"),
            "{debug}"
        );

        std::fs::write(&file, "line one\n\n").unwrap();
        assert_eq!(
            resolve(&c, &[]).unwrap().password.as_deref(),
            Some("line one\n")
        );
        c.digest.smtp_password_file = Some(PathBuf::from("/nonexistent/pw"));
        let err = resolve(&c, &[]).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/pw"), "{err}");
        c.digest.smtp_password_file = None;
        let err = resolve(&c, &[]).unwrap_err().to_string();
        assert!(err.contains("no password") && err.contains("PW"), "{err}");
    }

    #[test]
    fn users_from_url_or_config_but_not_two_different() {
        let mut c = config("smtp://alice@mail.example.org");
        c.digest.smtp_password_env = "PW".to_owned();
        assert_eq!(
            resolve(&c, &[("PW", "x")]).unwrap().user.as_deref(),
            Some("alice")
        );
        c.digest.smtp_user = Some("alice".to_owned());
        assert!(resolve(&c, &[("PW", "x")]).is_ok());
        c.digest.smtp_user = Some("bob".to_owned());
        assert!(matches!(
            resolve(&c, &[("PW", "x")]),
            Err(SmtpError::Settings(_))
        ));
        // No user: a password in the environment is simply not used.
        let s = resolve(
            &config("smtp://mail.example.org"),
            &[("STORYFEED_SMTP_PASSWORD", "x")],
        )
        .unwrap();
        assert_eq!((s.user, s.password), (None, None));
    }

    #[test]
    fn rate_limit_zero_is_none_and_hello_is_the_from_domain() {
        let mut c = config("smtp://127.0.0.1");
        c.digest.from = "UNODC stories <digest@news.example.org>".to_owned();
        c.digest.smtp_connections = 3;
        let s = resolve(&c, &[]).unwrap();
        assert_eq!(s.rate_limit, None);
        assert_eq!(s.connections, 3);
        assert_eq!(s.hello_name, "news.example.org");
        c.digest.rate_limit = 12.5;
        assert_eq!(resolve(&c, &[]).unwrap().rate_limit, Some(12.5));
    }
}
