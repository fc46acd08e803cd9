//! Delivering one run's digests: plan, render, send (or write to the
//! outbox), record. The order of effects is what makes a run safe to kill:
//! arrivals are on disk before any digest that uses them; a digest is
//! recorded `sent` (flushed to disk) right after the server accepts it and
//! before the next one goes out on that connection.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use thiserror::Error;

use super::message::{self, MessageError, Secret};
use super::observer::{Notice, Observer};
use super::period::{Frequency, Period};
use super::render::{self, Links, RenderError};
use super::smtp::{self, Job, Outcome, SmtpError, SmtpSettings};
use super::state::{address_key, Delivery, State, StateDir, StateError, Status};
use super::subscribers::Subscriber;
use super::{plan, Digest, Plan, Skip};
use crate::classify::Taxonomy;
use crate::config::Config;
use crate::fs::FsError;
use crate::story::Story;

#[derive(Debug, Error)]
pub enum RunError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error(transparent)]
    Outbox(#[from] FsError),
    #[error(transparent)]
    Smtp(#[from] SmtpError),
    #[error("no subscriber {0} in the subscribers file")]
    UnknownSubscriber(String),
    #[error("{0}")]
    Secret(String),
}

/// Where the digests go.
#[derive(Debug)]
pub enum Destination {
    /// Sent over SMTP; state is recorded.
    Smtp(SmtpSettings),
    /// Written as `.eml` files; state is not touched.
    Outbox(PathBuf),
}

/// What one run is asked to do.
#[derive(Debug)]
pub struct RunOptions {
    /// The day the run acts as (today, or `--as-of`).
    pub today: NaiveDate,
    /// The `Date:` of the digests.
    pub date: DateTime<Utc>,
    pub destination: Destination,
    /// Signs the unsubscribe links.
    pub secret: Secret,
}

/// What a run did, for the summary line and the exit code.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub sent: usize,
    /// Written to the outbox instead of sent.
    pub written: usize,
    /// Digests refused for good (5xx).
    pub failed: usize,
    /// Digests left for the next run (4xx after retries, server gone).
    pub deferred: usize,
    pub nothing_new: usize,
    pub already_sent: usize,
    pub unsubscribed: usize,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
}

impl RunSummary {
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} sent, {} skipped (nothing new), {} failed, {} deferred",
            self.sent, self.nothing_new, self.failed, self.deferred
        );
        if self.written > 0 {
            line.push_str(&format!("; {} written to the outbox", self.written));
        }
        line.push_str(&format!(
            "; {} already sent this period, {} unsubscribed",
            self.already_sent, self.unsubscribed
        ));
        line
    }
}

/// The secret signing unsubscribe links: the variable named by
/// `digest.secret_env`, else `digest.secret_file`.
pub fn load_secret(config: &Config) -> Result<Option<Secret>, RunError> {
    let d = &config.digest;
    if let Ok(value) = std::env::var(&d.secret_env) {
        if !value.is_empty() {
            return Ok(Some(Secret(value.into_bytes())));
        }
    }
    match &d.secret_file {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                RunError::Secret(format!(
                    "cannot read digest.secret_file {}: {e}",
                    path.display()
                ))
            })?;
            let trimmed = bytes.trim_ascii_end();
            if trimmed.is_empty() {
                return Err(RunError::Secret(format!(
                    "digest.secret_file {} is empty",
                    path.display()
                )));
            }
            Ok(Some(Secret(trimmed.to_vec())))
        }
        None => Ok(None),
    }
}

/// The subscribers this run is about (`--period`, `--subscriber`).
pub fn select(
    subscribers: &[Subscriber],
    frequency: Option<Frequency>,
    address: Option<&str>,
) -> Result<Vec<Subscriber>, RunError> {
    let chosen: Vec<Subscriber> = subscribers
        .iter()
        .filter(|s| frequency.is_none_or(|f| s.frequency == f))
        .filter(|s| address.is_none_or(|a| address_key(a) == address_key(s.address.as_ref())))
        .cloned()
        .collect();
    if let Some(a) = address {
        if !subscribers
            .iter()
            .any(|s| address_key(a) == address_key(s.address.as_ref()))
        {
            return Err(RunError::UnknownSubscriber(a.to_owned()));
        }
    }
    Ok(chosen)
}

/// One digest ready to go out.
struct Prepared {
    to: String,
    period: Period,
    message_id: String,
    stories: usize,
    bytes: Vec<u8>,
    envelope: lettre::address::Envelope,
}

struct Context<'a> {
    config: &'a Config,
    taxonomy: &'a Taxonomy,
    secret: &'a Secret,
    date: DateTime<Utc>,
}

impl Context<'_> {
    fn prepare(&self, digest: &Digest<'_>) -> Result<Prepared, RunError> {
        let sub = digest.subscriber;
        let address = sub.address.to_string();
        let unsubscribe = message::unsubscribe_url(&self.config.base_url, self.secret, &address);
        let rendered = render::render(
            self.config,
            digest,
            &Links::new(unsubscribe.clone(), sub, self.taxonomy),
        )?;
        let msg = message::build(
            self.config,
            sub,
            &digest.period,
            &rendered,
            &unsubscribe,
            self.date,
        )?;
        Ok(Prepared {
            to: address_key(&address),
            period: digest.period,
            message_id: message::message_id(self.config, &address, &digest.period),
            stories: digest.story_count(),
            envelope: msg.envelope().clone(),
            bytes: msg.formatted(),
        })
    }
}

/// Notes in `state` the arrival of the stories out by `today` (a story
/// dated later is not out yet: a backfill runs as of then); returns the new
/// arrivals.
pub fn arrive(state: &mut State, stories: &[Story], today: NaiveDate) -> Vec<(String, NaiveDate)> {
    state.arrive(
        stories
            .iter()
            .filter(|s| s.start() <= today)
            .map(|s| (s.id.as_str(), s.start())),
    )
}

/// Delivers the digests due `options.today` to `subscribers`.
/// `stories` are classified, with their final ids, newest first.
pub fn deliver(
    config: &Config,
    taxonomy: &Taxonomy,
    stories: &[Story],
    subscribers: &[Subscriber],
    state_dir: &StateDir,
    options: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunSummary, RunError> {
    let sending = matches!(options.destination, Destination::Smtp(_));
    // A dry run reads state but changes nothing, so it takes no lock.
    let _lock = if sending {
        Some(state_dir.lock()?)
    } else {
        None
    };
    let mut state = state_dir.load()?;
    let arrivals = arrive(&mut state, stories, options.today);
    if sending {
        state_dir.record_arrivals(&arrivals)?;
    }
    let plans = plan(subscribers, stories, taxonomy, &state, options.today);
    let mut summary = RunSummary::default();
    let mut digests = Vec::new();
    for p in plans {
        match p {
            Plan::Send(d) => digests.push(d),
            Plan::Skip(_, _, Skip::Done) => summary.already_sent += 1,
            Plan::Skip(_, _, Skip::NothingNew) => summary.nothing_new += 1,
            Plan::Skip(_, _, Skip::Unsubscribed) => summary.unsubscribed += 1,
        }
    }
    observer.start(digests.len() as u64);
    let ctx = Context {
        config,
        taxonomy,
        secret: &options.secret,
        date: options.date,
    };
    match &options.destination {
        Destination::Outbox(dir) => {
            for digest in &digests {
                let p = ctx.prepare(digest)?;
                super::outbox::write_eml(dir, &p.period, &p.to, &p.bytes)?;
                summary.written += 1;
                observer.advance(1);
            }
            Ok(summary)
        }
        Destination::Smtp(settings) => send(&ctx, settings, state_dir, &digests, summary, observer),
    }
}

fn send(
    ctx: &Context<'_>,
    settings: &SmtpSettings,
    state_dir: &StateDir,
    digests: &[Digest<'_>],
    mut summary: RunSummary,
    observer: &dyn Observer,
) -> Result<RunSummary, RunError> {
    if digests.is_empty() {
        return Ok(summary);
    }
    let journal = state_dir.journal()?;
    // Per job: what its journal lines say.
    let meta: Mutex<Vec<Option<Delivery>>> = Mutex::new((0..digests.len()).map(|_| None).collect());
    let prepare_error: Mutex<Option<RunError>> = Mutex::new(None);
    let (sent, failed, deferred) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    // Renders a digest into a job, its `pending` line written.
    let prepare = |key: usize| -> Result<Job, RunError> {
        let p = ctx.prepare(&digests[key])?;
        let pending = Delivery {
            to: p.to.clone(),
            period: p.period,
            status: Status::Pending,
            message_id: p.message_id.clone(),
            stories: p.stories,
            detail: None,
            at: Utc::now(),
        };
        // Not flushed: if it is lost, the digest is simply due again.
        journal.note(&pending)?;
        lock(&meta)[key] = Some(pending);
        Ok(Job {
            key,
            envelope: p.envelope,
            bytes: p.bytes,
        })
    };
    let record = |job: &Job, outcome: Outcome| -> Result<(), StateError> {
        let (status, detail) = match &outcome {
            Outcome::Accepted => (Status::Sent, None),
            Outcome::Rejected(reply) => (Status::Failed, Some(reply.clone())),
            Outcome::Deferred(reason) => {
                deferred.fetch_add(1, Ordering::Relaxed);
                observer.notice(Notice::Deferred {
                    digest: job.key,
                    reason: reason.clone(),
                });
                observer.advance(1);
                return Ok(());
            }
        };
        let Some(pending) = lock(&meta)[job.key].take() else {
            return Ok(());
        };
        let to = pending.to.clone();
        journal.record(&Delivery {
            status,
            detail: detail.clone(),
            at: Utc::now(),
            ..pending
        })?;
        match status {
            Status::Sent => sent.fetch_add(1, Ordering::Relaxed),
            _ => {
                observer.notice(Notice::Refused {
                    to,
                    reply: detail.unwrap_or_default(),
                });
                failed.fetch_add(1, Ordering::Relaxed)
            }
        };
        observer.advance(1);
        Ok(())
    };
    // Rendering takes most of the CPU: rayon's threads (one per core) feed
    // the connections through a short queue (memory stays flat), in any
    // order. A render error or a closed queue (sending stopped; the rest are
    // deferred) ends the rendering.
    let queue = 2 * rayon::current_num_threads().min(digests.len());
    let result = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(queue);
        let (prepare, prepare_error) = (&prepare, &prepare_error);
        scope.spawn(move || {
            let _ =
                (0..digests.len())
                    .into_par_iter()
                    .try_for_each_with(tx, |tx, key| match prepare(key) {
                        Ok(job) => tx.send(job).map_err(|_| ()),
                        Err(e) => {
                            lock(prepare_error).get_or_insert(e);
                            Err(())
                        }
                    });
        });
        smtp::send_all(settings, rx.into_iter(), record)
    });
    summary.sent = sent.into_inner();
    summary.failed = failed.into_inner();
    let reported = summary.sent + summary.failed + deferred.load(Ordering::Relaxed);
    // Digests never handed to the server are due again next run.
    summary.deferred = digests.len() - reported.min(digests.len()) + deferred.into_inner();
    if let Some(e) = prepare_error
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
    {
        return Err(e);
    }
    match result {
        Ok(()) => Ok(summary),
        Err(SmtpError::Unreachable { server, message }) => {
            summary.stopped = Some(format!("cannot reach SMTP server {server}: {message}"));
            Ok(summary)
        }
        Err(e) => Err(e.into()),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere does not make the journal unusable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}
