//! `storyfeed digest` and `storyfeed unsubscribe` as library calls: a
//! validated config and options in, a result out. Everything a run decides
//! (which subscribers, which day, where the digests go, which secret signs
//! the links) is decided here; what the user should be told goes to an
//! [`Observer`] as a [`Notice`], never to stderr.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

use super::deliver::{self, Destination, RunError, RunOptions, RunSummary};
use super::message::{self, Secret};
use super::observer::{Notice, Observer};
use super::period::Frequency;
use super::render::{self, Links, RenderError};
use super::smtp::{SmtpError, SmtpSettings};
use super::state::address_key;
use super::state::StateError;
use super::subscribers::{self, Subscriber, SubscribersError};
use super::{outbox, plan, Plan};
use crate::catalog::{self, Catalog, CatalogError};
use crate::classify::TaxonomyError;
use crate::config::Config;
use crate::fs::FsError;
use crate::parse::Severity;
use crate::store::subscribers::{file_source, Unusable};
use crate::store::{RunLock, Store, StoreError};

#[derive(Debug, Error)]
pub enum DigestError {
    #[error(transparent)]
    Taxonomy(#[from] TaxonomyError),
    #[error(transparent)]
    Subscribers(#[from] SubscribersError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Smtp(#[from] SmtpError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] FsError),
    #[error("no secret to sign unsubscribe links: set the environment variable {0} or digest.secret_file")]
    NoSecret(String),
    #[error("`{0}` is not an email address")]
    BadAddress(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

impl DigestError {
    /// Another run holds the lock: nothing was done, the next run will.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            DigestError::Run(RunError::State(StateError::Busy { .. }))
                | DigestError::State(StateError::Busy { .. })
        )
    }
}

/// What `storyfeed digest` is asked to do, beyond the config.
#[derive(Debug, Clone, Default)]
pub struct DigestOptions {
    /// The subscribers file (else `digest.subscribers`).
    pub subscribers: Option<PathBuf>,
    /// The SMTP server (else `digest.smtp_url`).
    pub smtp_url: Option<String>,
    /// Run as if today were this day (else the clock).
    pub as_of: Option<NaiveDate>,
    /// Only subscribers with this frequency.
    pub period: Option<Frequency>,
    /// Only this subscriber.
    pub subscriber: Option<String>,
    /// Write `.eml` files to the outbox instead of sending; touch no state.
    pub dry_run: bool,
    /// The outbox directory (else `digest.outbox`).
    pub outbox: Option<PathBuf>,
}

/// A run's result: the figures, and the day it ran as.
#[derive(Debug)]
pub struct DigestReport {
    pub today: NaiveDate,
    pub summary: RunSummary,
}

/// What a preview made.
#[derive(Debug)]
pub enum Preview {
    /// The subscriber's next digest as an HTML file.
    Written(PathBuf),
    /// Nothing new for the subscriber as of this day.
    NothingNew(NaiveDate),
}

/// What a run and a preview share: the store open (or, when nothing is
/// sent, an in-memory copy of it), subscribers synced and chosen, stories
/// loaded.
struct Setup {
    catalog: Catalog,
    chosen: Vec<Subscriber>,
    unusable: Vec<Unusable>,
    today: NaiveDate,
    date: DateTime<Utc>,
    outbox: PathBuf,
    store: Store,
}

impl Setup {
    /// `sending`: open the database itself (the caller holds the run
    /// lock), else an in-memory copy.
    fn load(
        config: &Config,
        options: &DigestOptions,
        address: Option<&str>,
        sending: bool,
        observer: &dyn Observer,
    ) -> Result<Setup, DigestError> {
        let taxonomy = catalog::taxonomy(config)?;
        let database = config.digest.store().map_err(StoreError::Invalid)?;
        // A run that sends nothing changes nothing: it works on a copy.
        let store = if sending {
            Store::connect(&database)?
        } else {
            Store::snapshot_of(&database)?
        };
        if let Some(imported) = store.import_jsonl(&config.digest.state_dir, sending)? {
            observer.notice(Notice::Imported {
                from: config.digest.state_dir.clone(),
                into: PathBuf::from(database.to_string()),
                detail: format!(
                    "{} deliveries, {} arrivals, {} unsubscriptions",
                    imported.deliveries, imported.arrivals, imported.unsubscriptions
                ),
                renamed: sending,
            });
        }
        let path = options
            .subscribers
            .clone()
            .unwrap_or_else(|| config.digest.subscribers.clone());
        match subscribers::load(&path, &taxonomy) {
            Ok(list) => {
                let report = store.sync_file(&file_source(&path), &list)?;
                if report.other_source > 0 {
                    observer.notice(Notice::OtherSource {
                        file: path.clone(),
                        count: report.other_source,
                    });
                }
            }
            // The database may be the only list.
            Err(SubscribersError::Read { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound
                    && store.subscriber_count()? > 0 => {}
            Err(e) => return Err(e.into()),
        }
        let (all, unusable) = store.run_subscribers(&taxonomy)?;
        let chosen = deliver::select(&all, options.period, address)?;
        let unusable = unusable
            .into_iter()
            .filter(|u| options.period.is_none_or(|f| f == u.frequency))
            .filter(|u| address.is_none_or(|a| address_key(a) == u.address))
            .collect();
        let catalog = Catalog::load_with(config, taxonomy)?;
        for d in &catalog.diagnostics {
            if d.severity == Severity::Error {
                observer.notice(Notice::Diagnostic(d.clone()));
            }
        }
        let today = options
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        // Backfills and demos carry the day they act as; real runs the clock.
        let date = match options.as_of {
            Some(day) => day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
            None => Utc::now(),
        };
        Ok(Setup {
            catalog,
            chosen,
            unusable,
            today,
            date,
            outbox: options
                .outbox
                .clone()
                .unwrap_or_else(|| config.digest.outbox.clone()),
            store,
        })
    }
}

/// The secret that signs unsubscribe links; when nothing will be sent and
/// there is none, a placeholder (and a notice saying so).
fn secret(config: &Config, sending: bool, observer: &dyn Observer) -> Result<Secret, DigestError> {
    match deliver::load_secret(config)? {
        Some(secret) => Ok(secret),
        None if !sending => {
            observer.notice(Notice::PlaceholderSecret {
                env: config.digest.secret_env.clone(),
            });
            Ok(Secret(b"storyfeed-preview-only".to_vec()))
        }
        None => Err(DigestError::NoSecret(config.digest.secret_env.clone())),
    }
}

/// Sends (or, with no SMTP server or a dry run, writes to the outbox) the
/// digests due as of today to the chosen subscribers.
pub fn run(
    config: &Config,
    options: &DigestOptions,
    observer: &dyn Observer,
) -> Result<DigestReport, DigestError> {
    config.digest.check_keys()?;
    let settings = if options.dry_run {
        None
    } else {
        SmtpSettings::from_config(config, options.smtp_url.as_deref())?
    };
    let secret = secret(config, settings.is_some(), observer)?;
    // A run that sends holds the lock from before it opens the database.
    let smtp = match settings {
        Some(settings) => Some((settings, RunLock::take(&config.digest.state_dir)?)),
        None => None,
    };
    let setup = Setup::load(
        config,
        options,
        options.subscriber.as_deref(),
        smtp.is_some(),
        observer,
    )?;
    let destination = match smtp {
        Some((settings, lock)) => {
            if !config.base_url.starts_with("https://") {
                // RFC 8058: one-click unsubscription needs an HTTPS link.
                observer.notice(Notice::NotHttps {
                    base_url: config.base_url.clone(),
                });
            }
            Destination::Smtp { settings, lock }
        }
        None => {
            if !options.dry_run {
                observer.notice(Notice::NoSmtp {
                    outbox: setup.outbox.clone(),
                });
            }
            Destination::Outbox(setup.outbox.clone())
        }
    };
    let run_options = RunOptions {
        today: setup.today,
        date: setup.date,
        destination,
        secret,
    };
    let summary = deliver::deliver(
        config,
        &setup.catalog.taxonomy,
        &setup.catalog.stories,
        &setup.chosen,
        &setup.unusable,
        &setup.store,
        &run_options,
        observer,
    )?;
    Ok(DigestReport {
        today: setup.today,
        summary,
    })
}

/// Writes the next digest of `address` (sent already or not) as HTML to the
/// outbox; sends nothing and changes no state.
pub fn preview(
    config: &Config,
    options: &DigestOptions,
    address: &str,
    observer: &dyn Observer,
) -> Result<Preview, DigestError> {
    config.digest.check_keys()?;
    let setup = Setup::load(config, options, Some(address), false, observer)?;
    let secret = secret(config, false, observer)?;
    let (taxonomy, stories, today) = (&setup.catalog.taxonomy, &setup.catalog.stories, setup.today);
    let mut state = setup.store.load_state()?;
    deliver::arrive(&mut state, stories, today);
    // Preview what the next digest would hold, sent already or not.
    state.deliveries.clear();
    state.sent_through.clear();
    let plans = plan(&setup.chosen, stories, taxonomy, &state, today);
    let Some(Plan::Send(digest)) = plans.into_iter().next() else {
        return Ok(Preview::NothingNew(today));
    };
    let links = Links::new(
        message::unsubscribe_url(&config.base_url, &secret, address),
        digest.subscriber,
        taxonomy,
    )
    .with_manage(super::tokens::manage_url(
        &config.app_url(),
        &secret,
        address,
        setup.date.timestamp(),
    ));
    let rendered = render::render(config, &digest, &links)?;
    let html = rendered.html.unwrap_or_else(|| {
        format!(
            "<!DOCTYPE html><meta charset=utf-8><title>Preview</title><pre>{}</pre>",
            crate::feed::html_escape(&rendered.text)
        )
    });
    let path = setup
        .outbox
        .join(format!("preview-{}.html", outbox::file_stem(address)));
    crate::fs::write_atomic(&path, html.as_bytes())?;
    Ok(Preview::Written(path))
}

/// Stops all digests to `address`, as its one-click link does (`via` says
/// where the request came from); returns the database it is recorded in.
pub fn unsubscribe(config: &Config, address: &str, via: &str) -> Result<PathBuf, DigestError> {
    if address.parse::<lettre::Address>().is_err() {
        return Err(DigestError::BadAddress(address.to_owned()));
    }
    let database = config.digest.store().map_err(StoreError::Invalid)?;
    let store = Store::connect(&database)?;
    // The old unsubscriptions first, so this one joins them.
    store.import_jsonl(&config.digest.state_dir, true)?;
    store.unsubscribe(address, via)?;
    Ok(store.label())
}

/// What became of a test digest (`storyfeed doctor --send-test`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestSend {
    /// The server's answer: accepted, rejected or deferred, with its reply.
    Sent(super::smtp::Outcome),
    /// No SMTP server is configured: nothing was sent.
    NoServer,
    /// No stories to put in it.
    NoStories,
}

/// Sends one digest of the newest stories (all themes, the week of the
/// newest story) to `address` through the configured server; no state is
/// read or changed and `address` need not be a subscriber.
pub fn send_test(config: &Config, address: &str) -> Result<TestSend, DigestError> {
    config.digest.check_keys()?;
    let to: lettre::Address = address
        .parse()
        .map_err(|_| DigestError::BadAddress(address.to_owned()))?;
    let Some(settings) = SmtpSettings::from_config(config, None)? else {
        return Ok(TestSend::NoServer);
    };
    let secret = deliver::load_secret(config)?
        .ok_or_else(|| DigestError::NoSecret(config.digest.secret_env.clone()))?;
    let catalog = Catalog::load_with(config, catalog::taxonomy(config)?)?;
    let (taxonomy, stories) = (&catalog.taxonomy, &catalog.stories);
    let Some(newest) = stories.iter().map(|s| s.start()).max() else {
        return Ok(TestSend::NoStories);
    };
    // The week after the newest story's: its week is the last complete one.
    let today = newest + chrono::Duration::days(7);
    let subscriber = Subscriber {
        address: to,
        name: None,
        follows: subscribers::Follows::All,
        frequency: Frequency::Weekly,
        format: subscribers::MailFormat::Html,
        line: 0,
    };
    let subscribers = [subscriber];
    let mut state = super::state::State::default();
    deliver::arrive(&mut state, stories, today);
    let plans = plan(&subscribers, stories, taxonomy, &state, today);
    let Some(Plan::Send(digest)) = plans.into_iter().next() else {
        return Ok(TestSend::NoStories);
    };
    let date = Utc::now();
    let unsubscribe = message::unsubscribe_url(&config.base_url, &secret, address);
    let links = Links::new(unsubscribe.clone(), digest.subscriber, taxonomy).with_manage(
        super::tokens::manage_url(&config.app_url(), &secret, address, date.timestamp()),
    );
    let rendered = render::render(config, &digest, &links)?;
    let msg = message::build(
        config,
        digest.subscriber,
        &digest.period,
        &rendered,
        &unsubscribe,
        date,
    )
    .map_err(RunError::from)?;
    let job = super::smtp::Job {
        key: 0,
        envelope: crate::verp::envelope(
            config.digest.bounce_address.as_deref(),
            &secret.0,
            msg.envelope(),
            address,
        ),
        bytes: msg.formatted(),
    };
    let outcome = std::sync::Mutex::new(None);
    super::smtp::send_all(&settings, std::iter::once(job), |_, o| {
        *outcome
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(o);
        Ok(())
    })?;
    let outcome = outcome
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .unwrap_or_else(|| super::smtp::Outcome::Deferred("not sent".to_owned()));
    Ok(TestSend::Sent(outcome))
}
