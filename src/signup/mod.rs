//! The web app's sign-up, mounted by `storyfeed serve` beside the site
//! when a secret is set: a sign-up form, double opt-in by a signed,
//! expiring link, a preference page, and the limits that keep it from
//! being abused.
//!
//! - [`routes`]: `GET|POST /subscribe`, `GET|POST /confirm`,
//!   `GET|POST /preferences`, and their pages (askama, `templates/app-*`).
//!   A `GET` never changes anything (link scanners follow links).
//! - [`tokens`] (in `digest`, whose mails carry the preference link):
//!   HMAC-SHA256 under the digest secret over address, purpose and expiry.
//! - [`mail`]: the confirmation mail and the mailer that sends the queue
//!   (claimed in the database, sent once, through the digest's SMTP
//!   settings or to the outbox).
//! - [`limits`]: per-IP and per-address counters, kept in the database.
//!
//! Every write goes through [`Store`] (`store::signup`). The answer to a
//! sign-up is the same whether the address is new, pending, confirmed,
//! unsubscribed, over its limit or caught by the honeypot: the form tells
//! nobody who subscribes.

pub mod limits;
pub mod mail;
pub mod routes;

/// The links' tokens live with the digest, which signs them too.
pub use crate::digest::tokens;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use thiserror::Error;

use crate::classify::{Taxonomy, TaxonomyError};
use crate::config::Config;
use crate::digest::deliver::{load_secret, RunError};
use crate::digest::message::Secret;
use crate::digest::smtp::{SmtpError, SmtpSettings};
use crate::serve::Endpoint;
use crate::store::{Store, StoreError};

pub use limits::RateLimits;
pub use mail::Destination;

#[derive(Debug, Error)]
pub enum SignupError {
    #[error(transparent)]
    Secret(#[from] RunError),
    #[error(transparent)]
    Taxonomy(#[from] TaxonomyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Smtp(#[from] SmtpError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// What `serve` may change of the sign-up beyond the config.
#[derive(Debug, Clone, Default)]
pub struct SignupOptions {
    /// Write the mails here as `.eml` even if an SMTP server is configured.
    pub outbox: Option<PathBuf>,
    pub limits: RateLimits,
}

/// A theme or programme offered on the forms.
#[derive(Debug, Clone)]
pub struct Topic {
    pub slug: String,
    pub name: String,
}

/// What every route and the mailer share.
#[derive(Debug)]
pub struct App {
    pub store: Store,
    pub secret: Secret,
    pub site_title: String,
    /// The site (`base_url`), linked from the pages.
    pub site_url: String,
    /// Where the app's links point (`Config::app_url`).
    pub app_url: String,
    /// From: of the mails (`digest.from`).
    pub from: String,
    pub themes: Vec<Topic>,
    pub programmes: Vec<Topic>,
    pub limits: RateLimits,
    pub destination: Destination,
    /// Signs every mail, as digests are signed (`digest.dkim_*`).
    pub dkim: Option<crate::dkim::Signer>,
    /// The VERP envelope sender's base (`digest.bounce_address`).
    pub bounce_address: Option<String>,
    /// Wakes the mailer when a mail is queued.
    wake: Mutex<Option<mpsc::Sender<()>>>,
}

impl App {
    /// Tells the mailer there is mail (if one runs; otherwise it stays
    /// queued in the database).
    fn wake_mailer(&self) {
        if let Some(wake) = &*self.wake.lock().unwrap_or_else(|p| p.into_inner()) {
            let _ = wake.send(());
        }
    }
}

/// The sign-up of one site: its routes and its mailer.
#[derive(Debug, Clone)]
pub struct Signup {
    app: Arc<App>,
}

impl Signup {
    /// The sign-up for `config`; none without a secret to sign links with.
    /// Opens (creating it if need be) the database.
    pub fn from_config(
        config: &Config,
        options: SignupOptions,
    ) -> Result<Option<Signup>, SignupError> {
        let Some(secret) = load_secret(config)? else {
            return Ok(None);
        };
        // The app sends mail: a DKIM key that cannot sign stops it here.
        config.digest.check_keys()?;
        let taxonomy = crate::catalog::taxonomy(config)?;
        let destination = match &options.outbox {
            Some(dir) => Destination::Outbox(dir.clone()),
            None => match SmtpSettings::from_config(config, None)? {
                Some(settings) => Destination::Smtp(settings),
                None => Destination::Outbox(config.digest.outbox.clone()),
            },
        };
        let store = crate::store::admin::open(config)?;
        Ok(Some(Signup::new(
            config,
            &taxonomy,
            store,
            secret,
            destination,
            options.limits,
        )))
    }

    /// The sign-up from its parts (tests give their own store and limits).
    pub fn new(
        config: &Config,
        taxonomy: &Taxonomy,
        store: Store,
        secret: Secret,
        destination: Destination,
        limits: RateLimits,
    ) -> Signup {
        let topics = |list: &[crate::classify::Category]| {
            list.iter()
                .map(|c| Topic {
                    slug: c.slug.clone(),
                    name: c.name.clone(),
                })
                .collect()
        };
        Signup {
            app: Arc::new(App {
                store,
                secret,
                site_title: config.title.clone(),
                site_url: config.base_url.clone(),
                app_url: config.app_url(),
                from: config.digest.from.clone(),
                themes: topics(&taxonomy.themes),
                programmes: topics(&taxonomy.programmes),
                limits,
                destination,
                dkim: config.digest.dkim.clone(),
                bounce_address: config.digest.bounce_address.clone(),
                wake: Mutex::new(None),
            }),
        }
    }

    /// Where the mails go.
    pub fn destination(&self) -> &Destination {
        &self.app.destination
    }

    /// The routes, to [mount](crate::serve::Server::mount) on the server.
    pub fn endpoints(&self) -> Vec<Box<dyn Endpoint>> {
        routes::endpoints(&self.app)
    }

    /// Sends the queue now (the mailer does this on its own); how many
    /// mails were handled.
    pub fn send_queued(&self, log: &dyn Fn(String)) -> Result<usize, StoreError> {
        mail::send_queued(&self.app, log)
    }

    /// Starts the mailer: a thread that sends the queue when a sign-up
    /// wakes it, and every few seconds (mail left by a restart or a failed
    /// attempt). It stops when the handle is dropped.
    pub fn start_mailer(&self, log: impl Fn(String) + Send + 'static) -> Mailer {
        let (wake, wakes) = mpsc::channel();
        *self.app.wake.lock().unwrap_or_else(|p| p.into_inner()) = Some(wake.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let app = Arc::clone(&self.app);
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                if let Err(e) = mail::send_queued(&app, &log) {
                    log(format!("signup mail: {e}"));
                }
                match wakes.recv_timeout(POLL) {
                    Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
        });
        Mailer {
            stop,
            wake,
            thread: Some(thread),
        }
    }
}

/// How often the mailer looks at the queue unwoken.
const POLL: Duration = Duration::from_secs(5);

/// The running mailer; dropping it stops it (after the mail in hand).
pub struct Mailer {
    stop: Arc<AtomicBool>,
    wake: mpsc::Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Mailer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.wake.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
