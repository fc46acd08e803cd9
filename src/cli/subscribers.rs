//! `storyfeed subscribers`: the admin commands over the database; flags
//! to library calls (`store::admin`), results to output and exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Subcommand;

use storyfeed::catalog;
use storyfeed::config::Config;
use storyfeed::digest::period::Frequency;
use storyfeed::digest::subscribers::{parse_address, Follows, MailFormat, Subscriber};
use storyfeed::store::admin;

#[derive(Debug, Subcommand)]
pub enum SubscribersCommand {
    /// Print the subscribers: address, status, frequency, format, source, what they follow
    List {
        /// Only those with this status (pending, confirmed, unsubscribed)
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Add (or update) a confirmed subscriber
    #[command(
        after_help = "Example:\n  storyfeed subscribers add ana@example.org --name \"Ana Pérez\" --theme drugs --frequency daily"
    )]
    Add {
        /// The address (checked: lettre must be able to send to it)
        address: String,
        #[arg(long)]
        name: Option<String>,
        /// A theme slug (repeat for more)
        #[arg(long = "theme", value_name = "SLUG")]
        themes: Vec<String>,
        /// A programme slug (repeat for more)
        #[arg(long = "programme", value_name = "SLUG")]
        programmes: Vec<String>,
        /// Every story (the default when no theme or programme is given)
        #[arg(long, conflicts_with_all = ["themes", "programmes"])]
        all: bool,
        #[arg(long, default_value = "weekly")]
        frequency: Frequency,
        /// html (HTML and plain text) or text
        #[arg(long, default_value = "html")]
        format: String,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Remove a subscriber (the delivery journal and any unsubscription stay)
    Remove {
        /// The address
        address: String,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Import subscribers from a subscribers .toml file or a CSV file
    ///
    /// CSV: header `email,name,themes,programmes,frequency,format`; themes
    /// and programmes are slugs separated by spaces or `;` (both empty, or
    /// `all`: every story). Every bad row is reported with its line; with
    /// any, nothing is imported unless --partial. Imported subscribers are
    /// confirmed and marked `import:<file name>`.
    Import {
        /// A .toml subscribers file, or CSV
        file: PathBuf,
        /// Import the good rows even if some are bad (exit 1)
        #[arg(long)]
        partial: bool,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Write every subscriber as CSV (the import columns, then status, source, created_at)
    Export {
        /// Write to FILE instead of stdout
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Count subscribers by status, frequency, theme and programme
    Stats {
        #[command(flatten)]
        config: ConfigArg,
    },
}

#[derive(Debug, clap::Args)]
pub struct ConfigArg {
    /// Config file [default: ./storyfeed.toml if present]
    #[arg(long)]
    config: Option<PathBuf>,
}

impl ConfigArg {
    fn load(&self) -> Result<Config> {
        Ok(Config::discover(self.config.as_deref())?)
    }
}

pub fn run(command: SubscribersCommand) -> Result<ExitCode> {
    match command {
        SubscribersCommand::List { status, config } => list(&config.load()?, status.as_deref()),
        SubscribersCommand::Add {
            address,
            name,
            themes,
            programmes,
            all: _,
            frequency,
            format,
            config,
        } => {
            let config = config.load()?;
            let taxonomy = catalog::taxonomy(&config)?;
            let address =
                parse_address(&address).map_err(|e| anyhow::anyhow!("`{address}`: {e}"))?;
            for (slug, kind, known) in themes.iter().map(|s| (s, "theme", &taxonomy.themes)).chain(
                programmes
                    .iter()
                    .map(|s| (s, "programme", &taxonomy.programmes)),
            ) {
                if !known.iter().any(|c| c.slug == *slug) {
                    bail!("unknown {kind} `{slug}`");
                }
            }
            let follows = if themes.is_empty() && programmes.is_empty() {
                Follows::All
            } else {
                Follows::Some { themes, programmes }
            };
            let format = match format.as_str() {
                "html" => MailFormat::Html,
                "text" => MailFormat::Text,
                other => bail!("`{other}` is not a format (html, text)"),
            };
            let subscriber = Subscriber {
                address,
                name,
                follows,
                frequency,
                format,
                line: 0,
            };
            let store = admin::open(&config)?;
            let added = admin::add(&store, &subscriber)?;
            let status = store
                .subscriber(subscriber.address.as_ref())?
                .map(|r| r.status)
                .unwrap_or_default();
            println!(
                "{} {} ({status})",
                subscriber.address,
                if added { "added" } else { "updated" }
            );
            Ok(ExitCode::SUCCESS)
        }
        SubscribersCommand::Remove { address, config } => {
            let store = admin::open(&config.load()?)?;
            match store.remove_subscriber(&address)? {
                Some(row) => {
                    println!("{address} removed");
                    if row.source.starts_with("file:") {
                        eprintln!(
                            "note: {address} is in {}; the next digest run adds it back unless it is removed there",
                            row.source.trim_start_matches("file:")
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                None => bail!("no subscriber {address}"),
            }
        }
        SubscribersCommand::Import {
            file,
            partial,
            config,
        } => import(&config.load()?, &file, partial),
        SubscribersCommand::Export { output, config } => {
            let store = admin::open(&config.load()?)?;
            let n = match &output {
                Some(path) => {
                    let mut bytes = Vec::new();
                    let n = admin::export_csv(&store, &mut bytes)?;
                    storyfeed::fs::write_atomic(path, &bytes)?;
                    n
                }
                None => {
                    let stdout = std::io::stdout();
                    let n = admin::export_csv(&store, stdout.lock())?;
                    stdout.lock().flush().context("writing to stdout")?;
                    n
                }
            };
            eprintln!("{n} subscribers exported");
            Ok(ExitCode::SUCCESS)
        }
        SubscribersCommand::Stats { config } => {
            let store = admin::open(&config.load()?)?;
            let s = admin::stats(&store)?;
            let join = |m: &std::collections::BTreeMap<String, usize>| {
                m.iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!("subscribers: {}", s.total);
            println!("by status: {}", join(&s.by_status));
            println!("confirmed, by frequency: {}", join(&s.by_frequency));
            println!("confirmed, every story: {}", s.all_stories);
            println!("confirmed, by theme: {}", join(&s.by_theme));
            println!("confirmed, by programme: {}", join(&s.by_programme));
            // Providers watch these rates: complaints well under 0.3%.
            // No mail yet: no table.
            if !s.months.is_empty() {
                println!("month    sent  hard bounces      soft bounces      complaints");
            }
            for (month, c) in &s.months {
                println!(
                    "{month} {:>6}  {:>5} {:>10}  {:>5} {:>10}  {:>5} {:>8}",
                    c.sent,
                    c.hard,
                    c.rate(c.hard),
                    c.soft,
                    c.rate(c.soft),
                    c.complaints,
                    c.rate(c.complaints)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(config: &Config, status: Option<&str>) -> Result<ExitCode> {
    let store = admin::open(config)?;
    let statuses = status.map(|s| [s]);
    let rows = store.subscriber_rows(statuses.as_ref().map(|s| &s[..]))?;
    let mut out = std::io::stdout().lock();
    for row in rows {
        let follows = if row.follows_all {
            "all".to_owned()
        } else {
            row.themes
                .iter()
                .chain(&row.programmes)
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        };
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{follows}",
            row.display,
            // Paused is shown as its own status; the stored one stays.
            if row.paused {
                "paused"
            } else {
                row.status.as_str()
            },
            row.frequency,
            storyfeed::store::subscribers::format_str(row.format),
            row.source
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn import(config: &Config, file: &Path, partial: bool) -> Result<ExitCode> {
    let taxonomy = catalog::taxonomy(config)?;
    let store = admin::open(config)?;
    let report = admin::import(&store, &taxonomy, file, partial)?;
    for e in &report.errors {
        eprintln!("{e}");
    }
    if !report.imported {
        eprintln!(
            "storyfeed: {} bad rows: nothing imported (fix them, or import the rest with --partial)",
            report.errors.len()
        );
        return Ok(ExitCode::from(2));
    }
    println!(
        "{}: {} added, {} updated, {} bad rows skipped",
        file.display(),
        report.added,
        report.updated,
        report.errors.len()
    );
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
