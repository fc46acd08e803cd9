//! storyfeed: UNODC news-story archives in, feeds and email digests out.
//!
//! One module a stage, and one library call per command; the binary
//! (`main.rs`, `cli.rs`) only maps flags to options and results to output
//! and exit codes.
//!
//! - [`parse`]: archive text → [`story::Story`] values and diagnostics.
//! - [`classify`]: stories → themes and programmes, by a taxonomy file.
//! - [`catalog`]: the one place parse → classify → ledger → corrections →
//!   order happens ([`catalog::Catalog::load`]), for every command that
//!   needs the stories.
//! - [`corrections`]: editors' fixes to single stories (`data/corrections.toml`).
//! - [`feed`]: the static site (RSS, Atom, JSON Feed, pages, OPML) and the
//!   ledger of published ids.
//! - [`build`]: `storyfeed build` ([`build::SiteBuild`]): catalog, site,
//!   build cache, ledger.
//! - [`cache`]: the build cache that lets a rebuild skip unchanged work.
//! - [`digest`]: email digests: subscribers, periods, state, rendering,
//!   SMTP; [`digest::run`], [`digest::preview`], [`digest::unsubscribe`].
//! - [`bounces`]: `storyfeed bounces`: delivery status notifications and
//!   complaint reports read, addresses suppressed; [`verp`]: the envelope
//!   sender that names the subscriber.
//! - [`serve`]: a static-file server for a built site, with endpoints
//!   mounted on it (the digests' unsubscribe endpoint).
//! - [`config`]: `storyfeed.toml`; [`location`]: `file:line:column` in
//!   errors; [`fs`]: atomic writes and output directories; [`story`]: the
//!   types every stage shares.

pub mod bounces;
pub mod build;
pub mod cache;
pub mod catalog;
pub mod classify;
pub mod config;
pub mod corrections;
pub mod digest;
pub mod dkim;
pub mod doctor;
pub mod feed;
pub mod fs;
pub mod location;
pub mod parse;
pub mod serve;
pub mod signup;
pub mod store;
pub mod story;
pub mod verp;
pub mod websub;
