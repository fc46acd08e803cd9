//! One run's connections: each takes jobs from the shared channel and
//! sends them one transaction at a time, retrying 4xx replies with backoff
//! and reconnecting after a lost connection; the first fatal error stops
//! the run.

use std::error::Error as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex, PoisonError};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension};
use lettre::transport::smtp::extension::{MailBodyParameter, MailParameter};

use super::rate::RateLimiter;
use super::socket;
use super::{Job, Ledger, Outcome, SmtpError, SmtpSettings, TlsMode};

/// What the connections of one run share.
pub(super) struct Run<'a, L> {
    settings: &'a SmtpSettings,
    ledger: &'a L,
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

impl<'a, L: Ledger> Run<'a, L> {
    pub(super) fn new(settings: &'a SmtpSettings, ledger: &'a L) -> Result<Self, SmtpError> {
        let tls = match settings.tls {
            TlsMode::Implicit => {
                Some(socket::tls_connector(settings).map_err(|m| settings.session(m))?)
            }
            TlsMode::StartTls | TlsMode::None => None,
        };
        Ok(Run {
            settings,
            ledger,
            hello: ClientId::Domain(settings.hello_name.clone()),
            tls,
            limiter: settings.rate_limit.and_then(RateLimiter::new),
            stop: AtomicBool::new(false),
            record_failed: AtomicBool::new(false),
            error: Mutex::new(None),
        })
    }

    pub(super) fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// The error that stopped the run, if any.
    pub(super) fn into_error(self) -> Option<SmtpError> {
        self.error
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops the run; the first error is the one returned, except that a
    /// failed `record` wins (the caller must know the journal is behind).
    pub(super) fn fail(&self, error: SmtpError) {
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
        if let Err(e) = self.ledger.record(job, outcome) {
            self.record_failed.store(true, Ordering::SeqCst);
            self.fail(SmtpError::Record(e));
        }
    }

    /// Claims `next` (after recording `done`, in the same write, if
    /// given): whether it may go out.
    fn claim(&self, done: Option<(Job, Outcome)>, next: &Job) -> bool {
        let claimed = match done {
            Some((job, outcome)) => self.ledger.record_then_claim(&job, outcome, next),
            None => self.ledger.claim(next),
        };
        claimed.unwrap_or_else(|e| {
            self.record_failed.store(true, Ordering::SeqCst);
            self.fail(SmtpError::Record(e));
            false
        })
    }

    /// A job taken from the iterator that will not go out this run.
    pub(super) fn skip(&self, job: &Job) {
        self.report(
            job,
            Outcome::Deferred("not sent: the run stopped before this message".to_owned()),
        );
    }

    /// One connection's thread: connect, report readiness, then send jobs
    /// until the channel closes.
    pub(super) fn connection(
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
            // The message last handed to the server, not yet recorded: its
            // record shares a write with the next claim when the next job
            // is ready at once (it is recorded alone otherwise), and always
            // comes before the next message goes out.
            let mut done: Option<(Job, Outcome)> = None;
            loop {
                let next = {
                    let jobs = jobs.lock().unwrap_or_else(PoisonError::into_inner);
                    if done.is_some() {
                        jobs.try_recv().ok()
                    } else {
                        // Blocking is fine: this thread has nothing else to do.
                        match jobs.recv() {
                            Ok(job) => Some(job),
                            Err(_) => break,
                        }
                    }
                };
                let Some(next) = next else {
                    if let Some((job, outcome)) = done.take() {
                        self.report(&job, outcome);
                    }
                    continue;
                };
                if self.stopped() {
                    if let Some((job, outcome)) = done.take() {
                        self.report(&job, outcome);
                    }
                    self.skip(&next);
                    continue;
                }
                // Claimed right before it goes out, so that an unsubscribe
                // or another run's send until now is seen.
                if !self.claim(done.take(), &next) {
                    continue;
                }
                let (outcome, fatal) = self.deliver(&mut conn, &next).await;
                done = Some((next, outcome));
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
            if needs_smtputf8(&job.envelope)
                && !c.server_info().supports_feature(Extension::SmtpUtfEight)
            {
                // Refused before it leaves: this address only.
                let reply =
                    "not sent: the address is not ASCII and the server does not offer SMTPUTF8";
                return (Outcome::Rejected(reply.to_owned()), None);
            }
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
    pub(super) async fn connect(&self) -> Result<AsyncSmtpConnection, SmtpError> {
        let s = self.settings;
        let stream = socket::open(s, self.tls.as_ref()).await?;
        let mut conn = tokio::time::timeout(
            s.timeout,
            AsyncSmtpConnection::connect_with_transport(stream, &self.hello),
        )
        .await
        .map_err(|_| s.unreachable(s.late()))?
        .map_err(|e| match classify(&e) {
            Failure::Permanent => s.session(format!("refused the session: {}", describe(&e))),
            Failure::Transient | Failure::Connection => s.unreachable(describe(&e)),
        })?;
        if s.tls == TlsMode::StartTls {
            if !conn.can_starttls() {
                return Err(s.session(
                    "does not offer STARTTLS, required for a server that is not loopback \
                     (use smtps://, or set digest.smtp_allow_plaintext = true to send in clear)"
                        .to_owned(),
                ));
            }
            let params = starttls_parameters(s)
                .map_err(|e| s.session(format!("TLS setup failed: {}", describe(&e))))?;
            tokio::time::timeout(s.timeout, conn.starttls(params, &self.hello))
                .await
                .map_err(|_| s.unreachable(s.late()))?
                .map_err(|e| s.session(format!("STARTTLS failed: {}", describe(&e))))?;
        }
        if let (Some(user), Some(password)) = (&s.user, &s.password) {
            let credentials = Credentials::new(user.clone(), password.clone());
            tokio::time::timeout(
                s.timeout,
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials),
            )
            .await
            .map_err(|_| s.unreachable(s.late()))?
            .map_err(|e| s.session(format!("login as `{user}` failed: {}", describe(&e))))?;
        }
        Ok(conn)
    }
}

/// lettre's rustls setup (public roots) with the CAs of `smtp_ca_file`.
fn starttls_parameters(s: &SmtpSettings) -> Result<TlsParameters, lettre::transport::smtp::Error> {
    let mut builder = TlsParameters::builder(s.host.clone());
    for cert in &s.ca_roots {
        builder = builder.add_root_certificate(Certificate::from_der(cert.to_vec())?);
    }
    builder.build_rustls()
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
    if needs_smtputf8(envelope) {
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

/// A non-ASCII address in the envelope needs the server's SMTPUTF8.
fn needs_smtputf8(envelope: &Envelope) -> bool {
    let non_ascii = |a: &lettre::Address| !AsRef::<str>::as_ref(a).is_ascii();
    envelope.from().is_some_and(non_ascii) || envelope.to().iter().any(non_ascii)
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
