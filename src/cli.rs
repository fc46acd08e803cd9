//! Command-line types and the thin commands over the library. Nothing in
//! the library sees these types.

use std::io::{self, IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use storyfeed::build::SiteBuild;
use storyfeed::catalog::Catalog;
use storyfeed::config::Config;
use storyfeed::digest::endpoint::Unsubscribe;
use storyfeed::digest::period::Frequency;
use storyfeed::digest::{self as digests, DigestOptions, Notice, Preview};
use storyfeed::dkim;
use storyfeed::doctor;
use storyfeed::parse::{self, Severity};
use storyfeed::serve::{Limits, Server, DEFAULT_MAX_CONNECTIONS};
use storyfeed::signup::{Destination, Signup, SignupOptions};

mod bounces;
mod subscribers;

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
    /// Report what the parser makes of the archives: diagnostics, story counts, merges.
    ///
    /// Prints every diagnostic (file:line: severity: message), the number of
    /// stories per file, each story of one page merged into the same story
    /// of another (both file:line and the rule's score), and a total. Exits
    /// 1 if any diagnostic is an error.
    /// With --explain FILE, prints each line of one page with what the parser
    /// took it for (title, date line, dateline, body, caption, furniture,
    /// teaser link, …) and the rule that decided, then the stories found; a
    /// page with no story lists the forms tried.
    #[command(
        after_help = "Example:\n  storyfeed check data/archives\n  storyfeed check --explain data/archives/unodc-stories-2020.txt | less"
    )]
    Check {
        /// Archive files or directories [default: data/archives]
        #[arg(conflicts_with = "explain")]
        paths: Vec<PathBuf>,
        /// Explain one page line by line instead
        #[arg(long, value_name = "FILE")]
        explain: Option<PathBuf>,
    },
    /// Show why one story has its themes and programmes.
    ///
    /// Finds the story by its published id (as in the feeds and story
    /// pages; the archives, ledger and corrections of the config), and
    /// prints each theme that matched something, given or not, with the
    /// rule that gave it (`title`: named in the title; `body`: the body
    /// dwells on it, directly or through a programme that implies it) or
    /// the reason it was not given (only in a list of mandates, below
    /// min_matches, below min_share), each programme named, the terms that
    /// matched (how often, title or body, in a list), and the correction
    /// applied to the story, if any. An unknown id exits 2 and names the
    /// closest ids.
    #[command(
        after_help = "Example:\n  storyfeed explain 2020-03-03-example-story\n  storyfeed explain 2020-03-03-example-story --config site.toml"
    )]
    Explain {
        /// The story's published id
        id: String,
        /// Config file [default: ./storyfeed.toml if present, else built-in defaults]
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Build the static site: feeds per theme and programme, story pages, index, OPML.
    ///
    /// Reads the archives given (files or directories), else those named in
    /// the config (default: data/archives),
    /// classifies the stories, and writes RSS, Atom and JSON feeds, HTML
    /// pages and feeds.opml. Files whose content has not changed are not
    /// rewritten; files of themes that no longer exist are removed (none
    /// while the input has errors: the exit code is then 1). Ids
    /// already published are kept (see `ledger` in storyfeed.example.toml).
    #[command(
        after_help = "Examples:\n  storyfeed build --base-url https://example.org/unodc/ --out public\n  storyfeed build ~/archives --out site --changes changes.txt --ping"
    )]
    Build(BuildArgs),
    /// Ping the WebSub hub for the feeds an earlier `build --ping` could not.
    ///
    /// Exit codes: 0 nothing left pending; 75 some feeds are still pending
    /// (hub unreachable or refusing); 2 cannot run (no websub_hub).
    #[command(after_help = "Example:\n  storyfeed ping --out public")]
    Ping {
        /// Output directory [default: public, or out_dir in the config]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Config file [default: ./storyfeed.toml if present]
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Serve a built site on 127.0.0.1 for a local feed reader.
    ///
    /// Answers with the right Content-Type per feed format, ETag and
    /// Last-Modified, and 304 on conditional requests. Nothing outside the
    /// directory is reachable. Text is compressed (gzip, br) for clients
    /// that ask; slow or stalled clients are cut off after a timeout.
    #[command(
        after_help = "Examples:\n  storyfeed build && storyfeed serve --port 8000\n  storyfeed serve --listen 0.0.0.0:8080   (in a container, behind a proxy)"
    )]
    Serve {
        /// Directory to serve [default: public, or out_dir in the config]
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Port on 127.0.0.1; 0 picks a free one
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Address to listen on instead, e.g. 0.0.0.0:8080 or [::]:8080
        #[arg(long, value_name = "ADDR", conflicts_with = "port")]
        listen: Option<SocketAddr>,
        /// Connections served at once; more wait until one closes
        #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS,
              value_parser = clap::value_parser!(u32).range(1..))]
        max_connections: u32,
        /// Write the sign-up's confirmation mails to DIR/signup/ as .eml
        /// instead of sending them
        #[arg(long, value_name = "DIR")]
        outbox: Option<PathBuf>,
        /// Config file [default: ./storyfeed.toml if present]
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Email each subscriber a digest of the new stories they follow.
    ///
    /// For every subscriber in the database (data/subscribers.toml is
    /// synced into it first) whose period (daily, weekly, monthly) has
    /// ended, sends one digest of the stories in the followed themes and
    /// programmes that arrived since their last digest; each story reaches
    /// a subscriber once. Safe to run from cron: each digest is claimed in
    /// the database before it is sent and recorded as soon as the server
    /// accepts it, so a killed run resumes with none lost and two runs never
    /// send the same one. With no SMTP server configured, or with
    /// --dry-run, digests are written as .eml files to the outbox and the
    /// database is not touched.
    ///
    /// Exit codes: 0 all sent; 75 some digests left for the next run
    /// (server unreachable, 4xx, another run in progress); 1 some digests
    /// refused for good (5xx) or input errors; 2 cannot run.
    #[command(
        after_help = "Examples:\n  storyfeed digest --dry-run --as-of 2020-02-10\n  STORYFEED_SMTP_PASSWORD=... storyfeed digest --smtp smtp://mail.example.org:587\n  storyfeed digest --preview ana@example.org --as-of 2020-02-10"
    )]
    Digest(DigestArgs),
    /// DKIM keys for signing digests.
    #[command(subcommand)]
    Dkim(DkimCommand),
    /// Stop all digests to an address (as its one-click unsubscribe link does).
    #[command(after_help = "Example:\n  storyfeed unsubscribe ana@example.org")]
    Unsubscribe {
        /// The address
        address: String,
        /// Config file [default: ./storyfeed.toml if present]
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Check the setup before the first real send: URLs, secret, DKIM, sender, SMTP, DNS.
    ///
    /// One line a check: ok, warning or error, what was found and what to
    /// do. Sends nothing unless --send-test is given. Looks up the From
    /// domain's SPF and DMARC records and the DKIM key's record (skipped
    /// when no DNS server answers). Exit 1 on any error.
    #[command(
        after_help = "Examples:\n  storyfeed doctor\n  storyfeed doctor --dns-server 192.0.2.53:53\n  STORYFEED_SMTP_PASSWORD=... storyfeed doctor --send-test me@example.org"
    )]
    Doctor {
        /// Config file [default: ./storyfeed.toml if present]
        #[arg(long)]
        config: Option<PathBuf>,
        /// Also send one test digest (the newest stories) to this address
        #[arg(long, value_name = "ADDRESS")]
        send_test: Option<String>,
        /// Ask this DNS server (e.g. your zone's primary) instead of the
        /// system's resolvers
        #[arg(long, value_name = "ADDR:PORT", conflicts_with = "no_dns")]
        dns_server: Option<SocketAddr>,
        /// Look nothing up in DNS
        #[arg(long)]
        no_dns: bool,
    },
    /// Read bounces and complaint reports; suppress the addresses they call for.
    ///
    /// Reads delivery status notifications (RFC 3464) and complaint
    /// reports (ARF) from a maildir, an mbox file or standard input. A
    /// permanent failure (5.x.x) or a complaint suppresses the address at
    /// once; temporary failures (4.x.x) after digest.soft_bounce_limit
    /// within digest.soft_bounce_window_days. Other mail is reported and
    /// left alone; a report read twice counts once. One line a message and
    /// a summary; exit 1 if a file could not be read.
    #[command(
        after_help = "Examples:\n  storyfeed bounces --maildir /var/mail/bounces\n  storyfeed bounces --mbox bounces.mbox\n  storyfeed bounces - < message.eml   (e.g. from a Postfix pipe alias)"
    )]
    Bounces(bounces::BouncesArgs),
    /// Manage the subscribers in the database: list, add, remove, import, export, stats.
    #[command(
        subcommand,
        after_help = "Examples:\n  storyfeed subscribers import partners.csv\n  storyfeed subscribers stats\n  storyfeed subscribers export -o subscribers.csv"
    )]
    Subscribers(subscribers::SubscribersCommand),
}

#[derive(Debug, Subcommand)]
enum DkimCommand {
    /// Make a private key and print the DNS record to publish.
    ///
    /// Writes the key as PEM, readable by its owner only (mode 0600), and
    /// never over an existing file. Point digest.dkim_key_file at it, set
    /// digest.dkim_selector and digest.dkim_domain, and publish the printed
    /// TXT record before the first signed digest goes out.
    #[command(
        after_help = "Example:\n  storyfeed dkim keygen --selector s2026 --domain example.org --out /etc/storyfeed/dkim.pem"
    )]
    Keygen {
        /// Selector: the record is published at SELECTOR._domainkey.DOMAIN
        #[arg(long)]
        selector: String,
        /// Signing domain (normally the domain of digest.from)
        #[arg(long)]
        domain: String,
        /// Key type: ed25519 (small, fast) or rsa (2048 bits, what every
        /// receiver checks)
        #[arg(long, value_enum, default_value_t = KeyAlgorithm::Ed25519)]
        algorithm: KeyAlgorithm,
        /// Where to write the key [default: SELECTOR.DOMAIN.dkim.pem]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum KeyAlgorithm {
    Ed25519,
    Rsa,
}

pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { paths } => parse(&paths),
        Command::Check {
            explain: Some(file),
            ..
        } => explain(&file),
        Command::Check { paths, .. } => check(&paths),
        Command::Explain { id, config } => explain_story(&id, config.as_deref()),
        Command::Build(args) => build(args),
        Command::Ping { out, config } => ping(out, config.as_deref()),
        Command::Serve {
            dir,
            port,
            listen,
            max_connections,
            outbox,
            config,
        } => {
            let addr = listen.unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
            let limits = Limits {
                max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
                ..Limits::default()
            };
            serve(dir, addr, limits, outbox, config.as_deref())
        }
        Command::Digest(args) => digest(args),
        Command::Unsubscribe { address, config } => unsubscribe(&address, config.as_deref()),
        Command::Subscribers(command) => subscribers::run(command),
        Command::Bounces(args) => bounces::run(args),
        Command::Doctor {
            config,
            send_test,
            dns_server,
            no_dns,
        } => {
            let dns = match (dns_server, no_dns) {
                (_, true) => doctor::Dns::Off,
                (Some(addr), false) => doctor::Dns::Server(addr),
                (None, false) => doctor::Dns::System,
            };
            let options = doctor::Options {
                send_test: send_test.as_deref(),
                dns,
            };
            run_doctor(config.as_deref(), options)
        }
        Command::Dkim(DkimCommand::Keygen {
            selector,
            domain,
            algorithm,
            out,
        }) => dkim_keygen(&selector, &domain, algorithm, out),
    }
}

fn load_config(path: Option<&Path>, base_url: Option<&str>) -> Result<Config> {
    let config = Config::discover(path)?;
    Ok(match base_url {
        Some(url) => config.with_base_url(url)?,
        None => config,
    })
}

/// The flags of `storyfeed build`.
#[derive(Debug, clap::Args)]
struct BuildArgs {
    /// Archive files or directories [default: archives in the config, else data/archives]
    archives: Vec<PathBuf>,
    /// Output directory [default: public, or out_dir in the config]
    #[arg(long)]
    out: Option<PathBuf>,
    /// Config file [default: ./storyfeed.toml if present, else built-in defaults]
    #[arg(long)]
    config: Option<PathBuf>,
    /// Absolute URL the site is served from (overrides base_url)
    #[arg(long)]
    base_url: Option<String>,
    /// Write what the build changed to FILE: `+ path` (written) and
    /// `- path` (removed), relative to the output directory, sorted
    #[arg(long, value_name = "FILE")]
    changes: Option<PathBuf>,
    /// Tell the WebSub hub (websub_hub) which feeds changed; exit 75 if
    /// some could not be pinged (they are pinged on the next --ping)
    #[arg(long)]
    ping: bool,
}

fn build(args: BuildArgs) -> Result<ExitCode> {
    let mut config = load_config(args.config.as_deref(), args.base_url.as_deref())?;
    // Paths given here are relative to the working directory, like `parse`'s.
    if !args.archives.is_empty() {
        config.archives = args.archives;
    }
    if args.ping && config.websub_hub.is_none() {
        return Err(storyfeed::websub::WebSubError::NoHub.into());
    }
    let out_dir = args.out.unwrap_or_else(|| config.out_dir.clone());
    let mut site = SiteBuild::load(config, out_dir)?;
    let catalog = site.catalog();
    for d in &catalog.diagnostics {
        eprintln!("{d}");
    }
    for (new, old) in &catalog.ids.kept {
        eprintln!("note: story `{new}` keeps its published id `{old}`");
    }
    // With input errors the build keeps stale pages (see `SiteBuild::build`).
    let gone = if catalog.has_errors() {
        "its feed items are gone (its page is kept while the input has errors)"
    } else {
        "its feed items and page are gone"
    };
    for id in &catalog.ids.vanished {
        eprintln!("warning: published story `{id}` is no longer in the archives; {gone}");
    }
    for unmatched in &catalog.corrections.unmatched {
        eprintln!("warning: {unmatched}");
    }
    let bar = progress_bar(site.file_count(), "files");
    let mut summary = site.build(&|| bar.inc(1))?;
    bar.finish_and_clear();
    let line = summary.line(site.out_dir());
    if let Some(note) = summary.kept_note() {
        eprintln!("note: {note}");
    }
    if let Some(e) = summary.cache_not_saved.take() {
        eprintln!("warning: {:#}", anyhow::Error::new(e));
    }
    if let Some(path) = &args.changes {
        storyfeed::fs::write_atomic(path, summary.change_list().as_bytes())?;
    }
    println!("{line}");
    let unpinged = match args.ping {
        true => print_pings(&site.ping(&summary)?),
        false => false,
    };
    let failed = site.catalog().has_errors();
    // The process ends here: freeing 100,000 stories (and the ledger and
    // cache entries) one by one is wasted work.
    std::mem::forget(site);
    // Input errors first: they need a person; unpinged feeds only a rerun.
    Ok(if failed {
        ExitCode::FAILURE
    } else if unpinged {
        ExitCode::from(EXIT_TEMPFAIL)
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints a ping run's failures and summary; whether some are left pending.
fn print_pings(report: &storyfeed::websub::PingReport) -> bool {
    for failure in &report.failed {
        eprintln!(
            "error: websub hub {} did not take {}: {}",
            report.hub, failure.feed, failure.reason
        );
    }
    println!("{}", report.line());
    report.has_failures()
}

fn ping(out: Option<PathBuf>, config: Option<&Path>) -> Result<ExitCode> {
    let config = load_config(config, None)?;
    let hub = config
        .websub_hub
        .as_deref()
        .ok_or(storyfeed::websub::WebSubError::NoHub)?;
    let out_dir = out.unwrap_or_else(|| config.out_dir.clone());
    let report = storyfeed::websub::retry(hub, &out_dir)?;
    Ok(if print_pings(&report) {
        ExitCode::from(EXIT_TEMPFAIL)
    } else {
        ExitCode::SUCCESS
    })
}

/// The digest run's progress on a bar, its notices on stderr.
struct Bar(indicatif::ProgressBar);

impl digests::Observer for Bar {
    fn start(&self, digests: u64) {
        self.0.set_length(digests);
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn notice(&self, notice: Notice) {
        self.0.suspend(|| eprintln!("{notice}"));
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

fn serve(
    dir: Option<PathBuf>,
    addr: SocketAddr,
    limits: Limits,
    outbox: Option<PathBuf>,
    config: Option<&Path>,
) -> Result<ExitCode> {
    let config = load_config(config, None)?;
    let dir = dir.unwrap_or_else(|| config.out_dir.clone());
    let mut server = Server::bind_to(&dir, addr)?.with_limits(limits);
    // The one-click unsubscribe links of digests need the signing secret.
    match Unsubscribe::from_config(&config)? {
        Some(endpoint) => server.mount(Box::new(endpoint)),
        None => eprintln!(
            "note: no {} (or digest.secret_file): unsubscribe links are not answered",
            config.digest.secret_env
        ),
    }
    // So do the sign-up's links; its mailer runs as long as the server.
    let options = SignupOptions {
        outbox,
        ..SignupOptions::default()
    };
    let _mailer = match Signup::from_config(&config, options)? {
        Some(signup) => {
            for endpoint in signup.endpoints() {
                server.mount(endpoint);
            }
            if let Destination::Outbox(dir) = signup.destination() {
                eprintln!(
                    "note: sign-up mails are written to {}",
                    dir.join("signup").display()
                );
            }
            Some(signup.start_mailer(|line| eprintln!("{line}")))
        }
        None => None,
    };
    println!(
        "serving {} at http://{}/",
        dir.display(),
        server.local_addr()
    );
    io::stdout().flush()?;
    server.run(&|line| eprintln!("{line}"))?;
    Ok(ExitCode::SUCCESS)
}

/// The paths given, or the shipped archives.
fn paths_or_default(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_ARCHIVES)]
    } else {
        paths.to_vec()
    }
}

fn exit_code(has_errors: bool) -> ExitCode {
    if has_errors {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn parse(paths: &[PathBuf]) -> Result<ExitCode> {
    let catalog = Catalog::parse(&load_config(None, None)?, &paths_or_default(paths))?;
    for d in &catalog.diagnostics {
        eprintln!("{d}");
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = catalog.stories.iter().try_for_each(|story| {
        serde_json::to_writer(&mut out, story).map_err(io::Error::from)?;
        out.write_all(b"\n")
    });
    match written.and_then(|()| out.flush()) {
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to stdout")?,
    }
    Ok(exit_code(catalog.has_errors()))
}

fn check(paths: &[PathBuf]) -> Result<ExitCode> {
    let corpus = parse::parse_paths(&paths_or_default(paths))?;
    let mut out = String::new();
    for d in &corpus.diagnostics {
        out.push_str(&format!("{d}\n"));
    }
    for f in &corpus.files {
        out.push_str(&format!("{}: {} stories\n", f.file, f.stories));
    }
    for m in &corpus.merges {
        out.push_str(&format!("{m}\n"));
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
    Ok(exit_code(corpus.has_errors()))
}

fn explain(file: &Path) -> Result<ExitCode> {
    let explanation = parse::explain_file(file)?;
    let mut out = String::new();
    for line in &explanation.lines {
        out.push_str(&format!("{line}\n"));
    }
    let parsed = &explanation.parse;
    for d in &parsed.diagnostics {
        out.push_str(&format!("{d}\n"));
    }
    out.push_str(&format!("{} stories\n", parsed.stories.len()));
    for s in &parsed.stories {
        let dates = if s.start() == s.end() {
            s.start().to_string()
        } else {
            format!("{} to {}", s.start(), s.end())
        };
        let places = if s.places.is_empty() {
            String::new()
        } else {
            format!("; {}", s.places.join("; "))
        };
        out.push_str(&format!(
            "  line {}: {} ({dates}{places})\n",
            s.sources[0].line, s.title
        ));
    }
    if parsed.stories.is_empty() {
        out.push_str("no story found; forms tried:\n");
        for rule in explanation.forms_tried() {
            out.push_str(&format!("  {rule}: {}\n", rule.describe()));
        }
    }
    print!("{out}");
    let has_errors = parsed
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    Ok(exit_code(has_errors))
}

fn explain_story(id: &str, config: Option<&Path>) -> Result<ExitCode> {
    let config = load_config(config, None)?;
    let catalog = Catalog::load(&config)?;
    let story = match catalog.story(id) {
        Ok(story) => story,
        Err(unknown) if catalog.has_errors() => {
            return Err(anyhow::Error::new(unknown)
                .context("the archives have errors (`storyfeed check` lists them)"))
        }
        Err(unknown) => return Err(unknown.into()),
    };
    let explanation = catalog.taxonomy.explain(story);
    let mut out = format!("{}\n  title: {}\n", story.id.as_str(), story.title);
    for source in &story.sources {
        out.push_str(&format!("  from: {}:{}\n", source.file, source.line));
    }
    out.push_str(&format!(
        "  themes: {}\n  programmes: {}\n",
        list_or_none(&story.themes),
        list_or_none(&story.programmes)
    ));
    out.push_str("why:\n");
    if explanation.themes.is_empty() && explanation.programmes.is_empty() {
        out.push_str("  no term of any theme or programme matched\n");
    }
    for theme in &explanation.themes {
        out.push_str(&format!("  {theme:#}\n"));
    }
    for programme in &explanation.programmes {
        out.push_str(&format!("  {programme:#}\n"));
    }
    if let Some(correction) = catalog.correction(story.id.as_str()) {
        out.push_str(&format!("correction at {}:\n", correction.location));
        for change in correction.changes() {
            out.push_str(&format!("  {change}\n"));
        }
        if correction.title.is_some() {
            out.push_str("  (the terms above are read in the corrected title)\n");
        }
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn list_or_none(slugs: &[String]) -> String {
    if slugs.is_empty() {
        "none".to_owned()
    } else {
        slugs.join(", ")
    }
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

fn digest(args: DigestArgs) -> Result<ExitCode> {
    let config = load_config(args.config.as_deref(), None)?;
    let options = DigestOptions {
        subscribers: args.subscribers,
        smtp_url: args.smtp,
        as_of: args.as_of,
        period: args.period,
        subscriber: args.subscriber,
        dry_run: args.dry_run,
        outbox: args.outbox,
    };
    let bar = Bar(progress_bar(0, "digests"));
    if let Some(address) = &args.preview {
        match digests::preview(&config, &options, address, &bar)? {
            Preview::Written(path) => println!("{}", path.display()),
            Preview::NothingNew(today) => {
                println!("{address}: nothing new to preview as of {today}")
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let result = digests::run(&config, &options, &bar);
    bar.0.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(e) if e.is_busy() => {
            eprintln!("storyfeed: {e}");
            return Ok(ExitCode::from(EXIT_TEMPFAIL));
        }
        Err(e) => return Err(e.into()),
    };
    let summary = &report.summary;
    if let Some(reason) = &summary.stopped {
        eprintln!("storyfeed: run stopped: {reason}; the digests not sent go out on the next run");
    }
    println!("digest {}: {}", report.today, summary.line());
    Ok(
        if summary.deferred > 0 || summary.claimed_elsewhere > 0 || summary.stopped.is_some() {
            ExitCode::from(EXIT_TEMPFAIL)
        } else if summary.failed > 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        },
    )
}

fn unsubscribe(address: &str, config: Option<&Path>) -> Result<ExitCode> {
    let config = load_config(config, None)?;
    let state = digests::unsubscribe(&config, address, "shell")?;
    println!(
        "{address} unsubscribed: no more digests (recorded in {})",
        state.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn dkim_keygen(
    selector: &str,
    domain: &str,
    algorithm: KeyAlgorithm,
    out: Option<PathBuf>,
) -> Result<ExitCode> {
    let algorithm = match algorithm {
        KeyAlgorithm::Ed25519 => dkim::Algorithm::Ed25519,
        KeyAlgorithm::Rsa => dkim::Algorithm::Rsa,
    };
    let key = dkim::generate(selector, domain, algorithm)?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{selector}.{domain}.dkim.pem")));
    key.write(&out)?;
    eprintln!(
        "wrote {} (keep it secret); publish this TXT record in DNS, then set in [digest]:\n  \
         dkim_selector = \"{selector}\"\n  dkim_domain = \"{domain}\"\n  dkim_key_file = \"{}\"",
        out.display(),
        out.display()
    );
    println!("{}", key.signer.dns_record());
    Ok(ExitCode::SUCCESS)
}

fn run_doctor(config: Option<&Path>, options: doctor::Options<'_>) -> Result<ExitCode> {
    let config = load_config(config, None)?;
    let checks = doctor::run(&config, options);
    for check in &checks {
        println!("{check}");
    }
    Ok(exit_code(doctor::has_errors(&checks)))
}
