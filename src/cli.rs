//! Command-line types and the thin commands over the library. Nothing in
//! the library sees these types.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use std::io::IsTerminal;

use storyfeed::cache::{self, BuildCache};
use storyfeed::classify::Taxonomy;
use storyfeed::config::Config;
use storyfeed::digest::period::Frequency;
use storyfeed::digest::run::{Destination, RunOptions};
use storyfeed::digest::state::StateDir;
use storyfeed::digest::{self as digests, message::Secret, subscribers};
use storyfeed::feed::ledger::Ledger;
use storyfeed::feed::{build_site_cached, file_count, Site};
use storyfeed::fs::OutputDir;
use storyfeed::parse::{parse_paths, sort_newest_first, Corpus, Severity};

/// The shipped default corpus.
const DEFAULT_ARCHIVES: &str = "data/archives";

#[derive(Debug, Parser)]
#[command(
    name = "storyfeed",
    version,
    about = "Turns UNODC news-story archives into feeds and email digests",
    after_help = "Example:\n  storyfeed parse data/archives > stories.jsonl\n  storyfeed check data/archives"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the stories of the archives as JSON Lines, newest first.
    ///
    /// Reads archive files and directories (searched for *.txt), merges the
    /// same story found on two pages, and writes one JSON object per story
    /// to stdout. Diagnostics go to stderr; the exit code is 1 if any is an
    /// error.
    #[command(
        after_help = "Example:\n  storyfeed parse data/archives/unodc-stories-2020.txt | head -n 1"
    )]
    Parse {
        /// Archive files or directories [default: data/archives]
        paths: Vec<PathBuf>,
    },
    /// Report what the parser makes of the archives: diagnostics and story counts.
    ///
    /// Prints every diagnostic (file:line: severity: message), the number of
    /// stories per file, and a total. Exits 1 if any diagnostic is an error.
    #[command(after_help = "Example:\n  storyfeed check data/archives")]
    Check {
        /// Archive files or directories [default: data/archives]
        paths: Vec<PathBuf>,
    },
    /// Build the static site: feeds per theme and programme, story pages, index, OPML.
    ///
    /// Reads the archives named in the config (default: data/archives),
    /// classifies the stories, and writes RSS, Atom and JSON feeds, HTML
    /// pages and feeds.opml. Files whose content has not changed are not
    /// rewritten; files of themes that no longer exist are removed. Ids
    /// already published are kept (see `ledger` in storyfeed.example.toml).
    #[command(
        after_help = "Example:\n  storyfeed build --base-url https://example.org/unodc/ --out public"
    )]
    Build {
        /// Output directory [default: public, or out_dir in the config]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Config file [default: ./storyfeed.toml if present, else built-in defaults]
        #[arg(long)]
        config: Option<PathBuf>,
        /// Absolute URL the site is served from (overrides base_url)
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Serve a built site on 127.0.0.1 for a local feed reader.
    ///
    /// Answers with the right Content-Type per feed format, ETag and
    /// Last-Modified, and 304 on conditional requests. Nothing outside the
    /// directory is reachable.
    #[command(after_help = "Example:\n  storyfeed build && storyfeed serve --port 8000")]
    Serve {
        /// Directory to serve [default: public, or out_dir in the config]
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Port on 127.0.0.1; 0 picks a free one
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Config file [default: ./storyfeed.toml if present]
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Email each subscriber a digest of the new stories they follow.
    ///
    /// For every subscriber (data/subscribers.toml) whose period (daily,
    /// weekly, monthly) has ended, sends one digest of the stories in the
    /// followed themes and programmes that arrived since their last digest;
    /// each story reaches a subscriber once. Safe to run from cron: a run
    /// records each digest as soon as the server accepts it, so a killed
    /// run resumes without duplicates, and a lock keeps runs apart. With no
    /// SMTP server configured, or with --dry-run, digests are written as
    /// .eml files to the outbox and state is not touched.
    ///
    /// Exit codes: 0 all sent; 75 some digests left for the next run
    /// (server unreachable, 4xx, another run in progress); 1 some digests
    /// refused for good (5xx) or input errors; 2 cannot run.
    #[command(
        after_help = "Examples:\n  storyfeed digest --dry-run --as-of 2020-02-10\n  STORYFEED_SMTP_PASSWORD=... storyfeed digest --smtp smtp://mail.example.org:587\n  storyfeed digest --preview ana@example.org --as-of 2020-02-10"
    )]
    Digest(DigestArgs),
    /// Stop all digests to an address (as its one-click unsubscribe link does).
    #[command(after_help = "Example:\n  storyfeed unsubscribe ana@example.org")]
    Unsubscribe {
        /// The address
        address: String,
        /// Config file [default: ./storyfeed.toml if present]
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { paths } => parse(&paths),
        Command::Check { paths } => check(&paths),
        Command::Build {
            out,
            config,
            base_url,
        } => build(out, config.as_deref(), base_url.as_deref()),
        Command::Serve { dir, port, config } => serve(dir, port, config.as_deref()),
        Command::Digest(args) => digest(args),
        Command::Unsubscribe { address, config } => unsubscribe(&address, config.as_deref()),
    }
}

fn load_config(path: Option<&Path>, base_url: Option<&str>) -> Result<Config> {
    let config = Config::discover(path)?;
    Ok(match base_url {
        Some(url) => config.with_base_url(url)?,
        None => config,
    })
}

/// The taxonomy file from the config; the built-in one when the default
/// path is absent (running outside a checkout).
fn load_taxonomy(config: &Config) -> Result<Taxonomy> {
    if config.taxonomy.exists() || config.taxonomy != Config::default().taxonomy {
        Ok(Taxonomy::load(&config.taxonomy)?)
    } else {
        Ok(Taxonomy::builtin())
    }
}

fn build(out: Option<PathBuf>, config: Option<&Path>, base_url: Option<&str>) -> Result<ExitCode> {
    let config = load_config(config, base_url)?;
    let taxonomy = load_taxonomy(&config)?;
    let corpus = parse_paths(&config.archives)?;
    for d in &corpus.diagnostics {
        eprintln!("{d}");
    }
    let diagnostics_failed = corpus.has_errors();
    let mut stories = corpus.stories;
    let out_dir = out.unwrap_or_else(|| config.out_dir.clone());
    let cache_path = out_dir.join(cache::FILE_NAME);
    let mut cache = BuildCache::load(&cache_path);
    taxonomy.classify_all_cached(&mut stories, &mut cache);
    let mut ledger = Ledger::load(&config.ledger)?;
    let kept = ledger.apply(&mut stories);
    sort_newest_first(&mut stories);
    for (new, old) in &kept.kept {
        eprintln!("note: story `{new}` keeps its published id `{old}`");
    }
    for id in &kept.vanished {
        eprintln!("warning: published story `{id}` is no longer in the archives; its feed items and page are gone");
    }
    let site = Site {
        config: &config,
        taxonomy: &taxonomy,
        stories: &stories,
    };
    let bar = progress_bar(file_count(&site), "files");
    let mut output = OutputDir::new(&out_dir);
    let report = build_site_cached(&site, &mut output, &mut cache, &|| bar.inc(1))?;
    bar.finish_and_clear();
    // The cache only saves time: a build that cannot keep it still succeeded.
    if let Err(e) = cache.save(&cache_path) {
        eprintln!("warning: {:#}", anyhow::Error::new(e));
    }
    if kept.changed || !config.ledger.exists() {
        ledger.save(&config.ledger)?;
    }
    println!(
        "{} stories; {} feeds; {} files written, {} unchanged ({} per the build cache), {} removed; site in {}",
        report.stories,
        report.feeds,
        report.written,
        report.unchanged,
        report.reused,
        report.removed,
        out_dir.display()
    );
    // The process ends here: freeing 100,000 stories (and the ledger and
    // cache entries) one by one is wasted work.
    std::mem::forget(stories);
    std::mem::forget(ledger);
    std::mem::forget(cache);
    Ok(if diagnostics_failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The digest run's progress on a bar.
struct Bar(indicatif::ProgressBar);

impl digests::run::Progress for Bar {
    fn start(&self, digests: u64) {
        self.0.set_length(digests);
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
fn progress_bar(len: u64, unit: &str) -> indicatif::ProgressBar {
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {unit} {{elapsed}}"
    )) {
        bar.set_style(style);
    }
    bar
}

fn serve(dir: Option<PathBuf>, port: u16, config: Option<&Path>) -> Result<ExitCode> {
    let config = load_config(config, None)?;
    let dir = dir.unwrap_or_else(|| config.out_dir.clone());
    let mut server = storyfeed::serve::Server::bind(&dir, port)?;
    // The one-click unsubscribe links of digests need the signing secret.
    match digests::run::load_secret(&config)? {
        Some(secret) => {
            server.mount(Box::new(digests::unsubscribe::Unsubscribe {
                secret,
                state: StateDir::new(&config.digest.state_dir),
            }));
        }
        None => eprintln!(
            "note: no {} (or digest.secret_file): unsubscribe links are not answered",
            config.digest.secret_env
        ),
    }
    println!(
        "serving {} at http://{}/",
        dir.display(),
        server.local_addr()
    );
    io::stdout().flush()?;
    server.run(&|line| eprintln!("{line}"))?;
    Ok(ExitCode::SUCCESS)
}

fn load(paths: &[PathBuf]) -> Result<Corpus> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_ARCHIVES)]
    } else {
        paths.to_vec()
    };
    Ok(parse_paths(&paths)?)
}

fn exit_code(corpus: &Corpus) -> ExitCode {
    if corpus.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn parse(paths: &[PathBuf]) -> Result<ExitCode> {
    let mut corpus = load(paths)?;
    let taxonomy = load_taxonomy(&load_config(None, None)?)?;
    taxonomy.classify_all(&mut corpus.stories);
    for d in &corpus.diagnostics {
        eprintln!("{d}");
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = corpus.stories.iter().try_for_each(|story| {
        serde_json::to_writer(&mut out, story).map_err(io::Error::from)?;
        out.write_all(b"\n")
    });
    match written.and_then(|()| out.flush()) {
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to stdout")?,
    }
    Ok(exit_code(&corpus))
}

fn check(paths: &[PathBuf]) -> Result<ExitCode> {
    let corpus = load(paths)?;
    let mut out = String::new();
    for d in &corpus.diagnostics {
        out.push_str(&format!("{d}\n"));
    }
    for f in &corpus.files {
        out.push_str(&format!("{}: {} stories\n", f.file, f.stories));
    }
    let found: usize = corpus.files.iter().map(|f| f.stories).sum();
    let count = |s| {
        corpus
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count()
    };
    out.push_str(&format!(
        "{} files, {found} stories found, {} after merging duplicates; {} errors, {} warnings\n",
        corpus.files.len(),
        corpus.stories.len(),
        count(Severity::Error),
        count(Severity::Warning),
    ));
    print!("{out}");
    Ok(exit_code(&corpus))
}

#[derive(Debug, clap::Args)]
struct DigestArgs {
    /// Config file [default: ./storyfeed.toml if present, else built-in defaults]
    #[arg(long)]
    config: Option<PathBuf>,
    /// Subscribers file (overrides digest.subscribers)
    #[arg(long)]
    subscribers: Option<PathBuf>,
    /// SMTP server, smtp://host[:port] or smtps://host[:port] (overrides digest.smtp_url; no password here)
    #[arg(long)]
    smtp: Option<String>,
    /// Run as if today were DATE (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    as_of: Option<chrono::NaiveDate>,
    /// Only subscribers with this frequency
    #[arg(long, value_name = "daily|weekly|monthly")]
    period: Option<Frequency>,
    /// Only this subscriber
    #[arg(long, value_name = "ADDR")]
    subscriber: Option<String>,
    /// Write .eml files to the outbox instead of sending; state is not touched
    #[arg(long)]
    dry_run: bool,
    /// Outbox directory (overrides digest.outbox)
    #[arg(long)]
    outbox: Option<PathBuf>,
    /// Write this subscriber's digest as HTML to the outbox and print its path; sends nothing
    #[arg(long, value_name = "ADDR", conflicts_with_all = ["dry_run", "subscriber"])]
    preview: Option<String>,
}

/// EX_TEMPFAIL: digests are left for the next run.
const EXIT_TEMPFAIL: u8 = 75;

/// Classified stories with their published ids, newest first, as `build`
/// makes them (the ledger is read, never written).
fn site_stories(config: &Config, taxonomy: &Taxonomy) -> Result<Vec<storyfeed::story::Story>> {
    let corpus = parse_paths(&config.archives)?;
    for d in corpus
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
    {
        eprintln!("{d}");
    }
    let mut stories = corpus.stories;
    taxonomy.classify_all(&mut stories);
    Ledger::load(&config.ledger)?.apply(&mut stories);
    sort_newest_first(&mut stories);
    Ok(stories)
}

fn digest(args: DigestArgs) -> Result<ExitCode> {
    let config = load_config(args.config.as_deref(), None)?;
    let taxonomy = load_taxonomy(&config)?;
    let subscribers_path = args
        .subscribers
        .clone()
        .unwrap_or_else(|| config.digest.subscribers.clone());
    let all = subscribers::load(&subscribers_path, &taxonomy)?;
    let chosen = digests::run::select(
        &all,
        args.period,
        args.subscriber.as_deref().or(args.preview.as_deref()),
    )?;
    let stories = site_stories(&config, &taxonomy)?;
    let today = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    // Backfills and demos carry the day they act as; real runs the clock.
    let date = match args.as_of {
        Some(day) => day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
        None => chrono::Utc::now(),
    };
    let outbox = args
        .outbox
        .clone()
        .unwrap_or_else(|| config.digest.outbox.clone());
    let smtp = if args.dry_run || args.preview.is_some() {
        None
    } else {
        digests::smtp::SmtpSettings::from_config(&config, args.smtp.as_deref())?
    };
    let state_dir = StateDir::new(&config.digest.state_dir);
    let secret = match digests::run::load_secret(&config)? {
        Some(secret) => secret,
        None if smtp.is_none() => {
            eprintln!(
                "warning: no unsubscribe secret (set {} or digest.secret_file); the outbox's unsubscribe links are placeholders",
                config.digest.secret_env
            );
            Secret(b"storyfeed-preview-only".to_vec())
        }
        None => anyhow::bail!(
            "no secret to sign unsubscribe links: set the environment variable {} or digest.secret_file",
            config.digest.secret_env
        ),
    };
    if let Some(address) = &args.preview {
        return preview(
            &config, &taxonomy, &stories, &chosen, &state_dir, &secret, today, &outbox, address,
        );
    }
    let destination = match smtp {
        Some(settings) => {
            if !config.base_url.starts_with("https://") {
                // RFC 8058: one-click unsubscription needs an HTTPS link.
                eprintln!(
                    "warning: base_url {} is not https://; mail clients will not offer one-click unsubscription",
                    config.base_url
                );
            }
            Destination::Smtp(settings)
        }
        None => {
            if !args.dry_run {
                eprintln!("note: no SMTP server configured (digest.smtp_url or --smtp); writing digests to {}", outbox.display());
            }
            Destination::Outbox(outbox.clone())
        }
    };
    let options = RunOptions {
        today,
        date,
        destination,
        secret,
    };
    let bar = progress_bar(0, "digests");
    let result = digests::run::run(
        &config,
        &taxonomy,
        &stories,
        &chosen,
        &state_dir,
        &options,
        &Bar(bar.clone()),
    );
    bar.finish_and_clear();
    let summary = match result {
        Ok(summary) => summary,
        Err(digests::run::RunError::State(e @ digests::state::StateError::Busy { .. })) => {
            eprintln!("storyfeed: {e}");
            return Ok(ExitCode::from(EXIT_TEMPFAIL));
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(reason) = &summary.stopped {
        eprintln!("storyfeed: run stopped: {reason}; the digests not sent go out on the next run");
    }
    println!("digest {today}: {}", summary.line());
    std::mem::forget(stories);
    Ok(if summary.deferred > 0 || summary.stopped.is_some() {
        ExitCode::from(EXIT_TEMPFAIL)
    } else if summary.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[allow(clippy::too_many_arguments)]
fn preview(
    config: &Config,
    taxonomy: &Taxonomy,
    stories: &[storyfeed::story::Story],
    chosen: &[subscribers::Subscriber],
    state_dir: &StateDir,
    secret: &Secret,
    today: chrono::NaiveDate,
    outbox: &Path,
    address: &str,
) -> Result<ExitCode> {
    let mut state = state_dir.load()?;
    digests::run::arrive(&mut state, stories, today);
    // Preview what the next digest would hold, sent already or not.
    state.deliveries.clear();
    state.sent_through.clear();
    let plans = digests::plan(chosen, stories, taxonomy, &state, today);
    let Some(digests::Plan::Send(digest)) = plans.into_iter().next() else {
        println!("{address}: nothing new to preview as of {today}");
        return Ok(ExitCode::SUCCESS);
    };
    let links = digests::render::Links::new(
        digests::message::unsubscribe_url(&config.base_url, secret, address),
        digest.subscriber,
        taxonomy,
    );
    let rendered = digests::render::render(config, &digest, &links)?;
    let html = rendered.html.unwrap_or_else(|| {
        format!(
            "<!DOCTYPE html><meta charset=utf-8><title>Preview</title><pre>{}</pre>",
            storyfeed::feed::html_escape(&rendered.text)
        )
    });
    let name = digests::outbox::file_stem(address);
    let path = outbox.join(format!("preview-{name}.html"));
    storyfeed::fs::write_atomic(&path, html.as_bytes())?;
    println!("{}", path.display());
    Ok(ExitCode::SUCCESS)
}

fn unsubscribe(address: &str, config: Option<&Path>) -> Result<ExitCode> {
    let config = load_config(config, None)?;
    if address.parse::<lettre::Address>().is_err() {
        anyhow::bail!("`{address}` is not an email address");
    }
    let state_dir = StateDir::new(&config.digest.state_dir);
    state_dir.unsubscribe(address, "shell")?;
    println!(
        "{address} unsubscribed: no more digests (recorded in {})",
        state_dir.path().display()
    );
    Ok(ExitCode::SUCCESS)
}
