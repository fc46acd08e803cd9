//! Delivering one run's digests: plan, render, claim, send (or write to the
//! outbox), record. The order of effects is what makes a run safe to kill:
//! arrivals are committed before any digest that uses them; a digest is
//! claimed in the database right before it goes out, and recorded `sent`
//! (committed to disk) right after the server accepts it and before the
//! next one goes out on that connection (see `store::journal`).

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use thiserror::Error;

use super::books::Books;
use super::message::{self, MessageError, Secret};
use super::observer::{Notice, Observer};
use super::period::{Frequency, Period};
use super::render::{self, Links, RenderError};
use super::smtp::{self, Job, SmtpError, SmtpSettings};
use super::state::{address_key, State, StateError, Status};
use super::subscribers::Subscriber;
use super::{plan, Digest, Plan, Skip};
use crate::classify::Taxonomy;
use crate::config::Config;
use crate::fs::FsError;
use crate::store::journal::Entry;
use crate::store::subscribers::Unusable;
use crate::store::{Journal, RunLock, Store};
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
    #[error("no subscriber {0} in the subscribers file or the database")]
    UnknownSubscriber(String),
    #[error("{0}")]
    Secret(String),
}

/// Where the digests go.
#[derive(Debug)]
pub enum Destination {
    /// Sent over SMTP, holding the run lock; the database records it.
    Smtp {
        settings: SmtpSettings,
        lock: RunLock,
    },
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
    /// Digests another live run had claimed when this one came to them:
    /// left to it (or, if it died with its lock file deleted, to the next
    /// run once its claims expire).
    pub claimed_elsewhere: usize,
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
        if self.claimed_elsewhere > 0 {
            line.push_str(&format!("; {} held by another run", self.claimed_elsewhere));
        }
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
            &Links::new(unsubscribe.clone(), sub, self.taxonomy).with_manage(
                super::tokens::manage_url(
                    &self.config.app_url(),
                    self.secret,
                    &address,
                    self.date.timestamp(),
                ),
            ),
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
            envelope: crate::verp::envelope(
                self.config.digest.bounce_address.as_deref(),
                &self.secret.0,
                msg.envelope(),
                &address,
            ),
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
/// `unusable`: stored subscribers whose address cannot be sent to (recorded
/// `failed` and reported; the others go on). A dry run (outbox) works on
/// an in-memory copy of the store.
// The inputs of a run, each from another place; a struct of them would be
// built at one call site only.
#[allow(clippy::too_many_arguments)]
pub fn deliver(
    config: &Config,
    taxonomy: &Taxonomy,
    stories: &[Story],
    subscribers: &[Subscriber],
    unusable: &[Unusable],
    store: &Store,
    options: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunSummary, RunError> {
    let mut state = store.load_state()?;
    let arrivals = arrive(&mut state, stories, options.today);
    store.record_arrivals(&arrivals)?;
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
        Destination::Smtp { settings, lock } => {
            let journal = store.begin_run(lock)?;
            let result = fail_unusable(&journal, &state, unusable, options.today, observer)
                .map_err(RunError::from)
                .and_then(|failed| {
                    summary.failed += failed;
                    send(&ctx, settings, &journal, &digests, summary, observer)
                });
            // Claims not sent are released; a run that failed already
            // reports that failure (the next run takes the claims back).
            let finished = journal.finish();
            let summary = result?;
            finished?;
            Ok(summary)
        }
        Destination::Outbox(dir) => {
            for u in unusable {
                observer.notice(Notice::Refused {
                    to: u.address.clone(),
                    reply: u.reason.clone(),
                });
            }
            for digest in &digests {
                let p = match ctx.prepare(digest) {
                    Ok(p) => p,
                    Err(RunError::Message(e @ MessageError::Build { .. })) => {
                        observer.notice(Notice::Refused {
                            to: address_key(digest.subscriber.address.as_ref()),
                            reply: e.to_string(),
                        });
                        summary.failed += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                super::outbox::write_eml(dir, &p.period, &p.to, &p.bytes)?;
                summary.written += 1;
                observer.advance(1);
            }
            Ok(summary)
        }
    }
}

/// Records `failed` the digest due to each unusable subscriber (once a
/// period) and reports it; returns how many.
fn fail_unusable(
    journal: &Journal,
    state: &State,
    unusable: &[Unusable],
    today: NaiveDate,
    observer: &dyn Observer,
) -> Result<usize, StateError> {
    let mut failed = 0;
    for u in unusable {
        let period = Period::last_complete(u.frequency, today);
        if matches!(
            state.status(&u.address, period),
            Some(Status::Sent | Status::Failed)
        ) || state.is_unsubscribed(&u.address)
        {
            continue;
        }
        let entry = Entry {
            to: u.address.clone(),
            period,
            message_id: String::new(),
            stories: 0,
        };
        journal.record(&entry, Status::Failed, Some(u.reason.clone()))?;
        observer.notice(Notice::Refused {
            to: u.address.clone(),
            reply: u.reason.clone(),
        });
        failed += 1;
    }
    Ok(failed)
}

fn send(
    ctx: &Context<'_>,
    settings: &SmtpSettings,
    journal: &Journal,
    digests: &[Digest<'_>],
    mut summary: RunSummary,
    observer: &dyn Observer,
) -> Result<RunSummary, RunError> {
    if digests.is_empty() {
        return Ok(summary);
    }
    let books = Books::new(journal, observer, digests.len());
    let prepare_error: Mutex<Option<RunError>> = Mutex::new(None);
    // Renders a digest into a job; a digest that cannot be built for its
    // address fails that subscriber only.
    let prepare = |key: usize| -> Result<Option<Job>, RunError> {
        let digest = &digests[key];
        let p = match ctx.prepare(digest) {
            Ok(p) => p,
            Err(RunError::Message(e @ MessageError::Build { .. })) => {
                let to = address_key(digest.subscriber.address.as_ref());
                let entry = Entry {
                    message_id: message::message_id(ctx.config, &to, &digest.period),
                    to,
                    period: digest.period,
                    stories: digest.story_count(),
                };
                books.unbuildable(&entry, e.to_string())?;
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        books.open(
            key,
            Entry {
                to: p.to.clone(),
                period: p.period,
                message_id: p.message_id.clone(),
                stories: p.stories,
            },
        );
        Ok(Some(Job {
            key,
            envelope: p.envelope,
            bytes: p.bytes,
        }))
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
                        Ok(Some(job)) => tx.send(job).map_err(|_| ()),
                        Ok(None) => Ok(()),
                        Err(e) => {
                            lock(prepare_error).get_or_insert(e);
                            Err(())
                        }
                    });
        });
        smtp::send_all_to(settings, rx.into_iter(), &books)
    });
    let counts = books.counts();
    summary.sent = counts.sent;
    summary.failed += counts.failed + counts.unbuildable;
    summary.unsubscribed += counts.unsubscribed;
    summary.already_sent += counts.done;
    summary.claimed_elsewhere = counts.claimed_elsewhere;
    // Digests never handed to the server are due again next run.
    summary.deferred = digests.len() - counts.reported().min(digests.len()) + counts.deferred;
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
