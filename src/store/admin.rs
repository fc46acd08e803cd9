//! What `storyfeed subscribers` does: list, add, remove, import (TOML or
//! CSV), export (CSV), stats. Imported and added subscribers are confirmed
//! (the operator vouches for them) and marked with their source; a
//! suppressed address stays suppressed.
//!
//! CSV has the header `email,name,themes,programmes,frequency,format`
//! (further columns, as `export` writes, are ignored). Themes and
//! programmes are slugs separated by spaces or `;`; both empty, or `all`,
//! means every story; frequency defaults to weekly, format to html.

use std::collections::BTreeMap;
use std::path::Path;

use thiserror::Error;

use super::bounces::MonthCounts;
use super::db::vals;
use super::subscribers::{format_str, SubscriberRow};
use super::{now, Database, Store, StoreError};
use crate::classify::{Category, Taxonomy};
use crate::config::Config;
use crate::digest::period::Frequency;
use crate::digest::state::address_key;
use crate::digest::subscribers::{self, parse_address, Follows, MailFormat, Subscriber};
use crate::location::Location;

/// The header `import` wants and `export` starts with.
pub const CSV_HEADER: [&str; 6] = [
    "email",
    "name",
    "themes",
    "programmes",
    "frequency",
    "format",
];

#[derive(Debug, Error)]
pub enum AdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Subscribers(#[from] subscribers::SubscribersError),
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

/// Opens the config's database (importing the JSON Lines state of an
/// earlier version first, once).
pub fn open(config: &Config) -> Result<Store, StoreError> {
    let database = config.digest.store().map_err(StoreError::Invalid)?;
    open_paths(&database, &config.digest.state_dir)
}

/// [`open`] for a database and the state directory whose JSON Lines
/// files an earlier version wrote.
pub fn open_paths(database: &Database, state_dir: &Path) -> Result<Store, StoreError> {
    let store = Store::connect(database)?;
    store.import_jsonl(state_dir, true)?;
    Ok(store)
}

/// A bad row of an import: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub location: Location,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    /// Bad rows; with any, nothing is imported unless `partial`.
    pub errors: Vec<RowError>,
    /// Whether anything was written.
    pub imported: bool,
}

/// Imports a subscribers file: `.toml` (the subscribers file format) or
/// CSV. With bad rows, imports nothing, unless `partial` (then the good
/// rows). One transaction.
pub fn import(
    store: &Store,
    taxonomy: &Taxonomy,
    path: &Path,
    partial: bool,
) -> Result<ImportReport, AdminError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| AdminError::Read {
        path: name.clone(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        AdminError::Invalid(format!(
            "{name}: not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let (subscribers, errors) = if path.extension().is_some_and(|e| e == "toml") {
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for entry in subscribers::parse_entries(&name, &text, taxonomy)? {
            match entry {
                Ok(s) => good.push(s),
                Err(subscribers::SubscribersError::Invalid { location, message }) => {
                    bad.push(RowError { location, message })
                }
                Err(e) => return Err(e.into()),
            }
        }
        (good, bad)
    } else {
        parse_csv(&name, &text, taxonomy)?
    };
    let mut report = ImportReport {
        errors,
        ..ImportReport::default()
    };
    if !report.errors.is_empty() && !partial {
        return Ok(report);
    }
    let source = format!(
        "import:{}",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    let (added, updated) = store.upsert_subscribers(&source, &subscribers)?;
    report.added = added;
    report.updated = updated;
    report.imported = true;
    Ok(report)
}

/// Reads CSV subscribers: the good rows, and each bad one with its line.
pub fn parse_csv(
    name: &str,
    text: &str,
    taxonomy: &Taxonomy,
) -> Result<(Vec<Subscriber>, Vec<RowError>), AdminError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| AdminError::Invalid(format!("{name}:1: {e}")))?;
    let got: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    if got.len() < CSV_HEADER.len() || got[..CSV_HEADER.len()] != CSV_HEADER {
        return Err(AdminError::Invalid(format!(
            "{name}:1: the header must start with `{}`, not `{}`",
            CSV_HEADER.join(","),
            got.join(",")
        )));
    }
    let mut subscribers = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for record in reader.records() {
        let (line, result) = match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                (line, csv_row(&r, taxonomy))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                (line, Err(e.to_string()))
            }
        };
        let location = Location::new(name, line, 1);
        match result {
            Ok(s) if !seen.insert(address_key(s.address.as_ref())) => errors.push(RowError {
                location,
                message: format!("{}: the address is listed twice", s.address),
            }),
            Ok(s) => subscribers.push(Subscriber { line, ..s }),
            Err(message) => errors.push(RowError { location, message }),
        }
    }
    Ok((subscribers, errors))
}

fn csv_row(r: &csv::StringRecord, taxonomy: &Taxonomy) -> Result<Subscriber, String> {
    let field = |i: usize| r.get(i).unwrap_or("").trim();
    let email = field(0);
    let address = parse_address(email).map_err(|e| format!("`{email}`: {e}"))?;
    let slugs = |text: &str, kind: &str, known: &[Category]| -> Result<Vec<String>, String> {
        let mut out: Vec<String> = Vec::new();
        for slug in text.split(|c: char| c == ';' || c.is_whitespace()) {
            if slug.is_empty() {
                continue;
            }
            if !known.iter().any(|c| c.slug == slug) {
                return Err(format!("{email}: unknown {kind} `{slug}`"));
            }
            out.push(slug.to_owned());
        }
        out.sort_by_key(|s| known.iter().position(|c| c.slug == *s));
        out.dedup();
        Ok(out)
    };
    let (themes, programmes) = (field(2), field(3));
    let follows =
        if themes.eq_ignore_ascii_case("all") || (themes.is_empty() && programmes.is_empty()) {
            Follows::All
        } else {
            Follows::Some {
                themes: slugs(themes, "theme", &taxonomy.themes)?,
                programmes: slugs(programmes, "programme", &taxonomy.programmes)?,
            }
        };
    let frequency = match field(4) {
        "" => Frequency::Weekly,
        f => f.parse().map_err(|e| format!("{email}: {e}"))?,
    };
    let format = match field(5) {
        "" | "html" => MailFormat::Html,
        "text" => MailFormat::Text,
        f => return Err(format!("{email}: `{f}` is not a format (html, text)")),
    };
    let name = Some(field(1).to_owned()).filter(|n| !n.is_empty());
    Ok(Subscriber {
        address,
        name,
        follows,
        frequency,
        format,
        line: 0,
    })
}

/// Writes every subscriber as CSV: the import header, then status, source
/// and creation time.
pub fn export_csv(store: &Store, out: impl std::io::Write) -> Result<usize, AdminError> {
    let rows = store.subscriber_rows(None)?;
    let mut writer = csv::Writer::from_writer(out);
    let io = |e: csv::Error| AdminError::Invalid(format!("cannot write the CSV: {e}"));
    let mut header: Vec<&str> = CSV_HEADER.to_vec();
    header.extend(["status", "source", "created_at"]);
    writer.write_record(&header).map_err(io)?;
    for row in &rows {
        let themes = if row.follows_all {
            "all".to_owned()
        } else {
            row.themes.join(" ")
        };
        writer
            .write_record([
                row.display.as_str(),
                row.name.as_deref().unwrap_or(""),
                &themes,
                &row.programmes.join(" "),
                row.frequency.as_str(),
                format_str(row.format),
                &row.status,
                &row.source,
                &row.created_at,
            ])
            .map_err(io)?;
    }
    writer
        .flush()
        .map_err(|e| AdminError::Invalid(format!("cannot write the CSV: {e}")))?;
    Ok(rows.len())
}

/// Subscriber counts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub total: usize,
    pub by_status: BTreeMap<String, usize>,
    pub by_frequency: BTreeMap<String, usize>,
    /// Subscribers following every story.
    pub all_stories: usize,
    /// By slug (confirmed subscribers that follow it).
    pub by_theme: BTreeMap<String, usize>,
    pub by_programme: BTreeMap<String, usize>,
    /// Per month (`2026-11`): mail sent, bounces and complaints.
    pub months: BTreeMap<String, MonthCounts>,
}

/// Counts by status (all subscribers), and by frequency, theme and
/// programme (confirmed ones: those who get digests); mail sent, bounces
/// and complaints per month.
pub fn stats(store: &Store) -> Result<Stats, StoreError> {
    let rows = store.subscriber_rows(None)?;
    let mut stats = Stats {
        total: rows.len(),
        months: store.monthly_mail_counts()?,
        ..Stats::default()
    };
    for row in &rows {
        *stats.by_status.entry(row.status.clone()).or_default() += 1;
        if row.status != "confirmed" {
            continue;
        }
        *stats
            .by_frequency
            .entry(row.frequency.as_str().to_owned())
            .or_default() += 1;
        if row.follows_all {
            stats.all_stories += 1;
        }
        for t in &row.themes {
            *stats.by_theme.entry(t.clone()).or_default() += 1;
        }
        for p in &row.programmes {
            *stats.by_programme.entry(p.clone()).or_default() += 1;
        }
    }
    Ok(stats)
}

impl MonthCounts {
    /// `count` as a share of the mail sent, `0.35%`; `-` when none was sent.
    pub fn rate(&self, count: u64) -> String {
        if self.sent == 0 {
            "-".to_owned()
        } else {
            format!("{:.2}%", count as f64 * 100.0 / self.sent as f64)
        }
    }
}

/// Adds (or updates) one subscriber from the command line, confirmed.
pub fn add(store: &Store, subscriber: &Subscriber) -> Result<bool, StoreError> {
    let (added, _) = store.upsert_subscribers("shell", std::slice::from_ref(subscriber))?;
    Ok(added == 1)
}

impl Store {
    /// Inserts or updates `subscribers` as confirmed, from `source` (which
    /// becomes theirs), in one transaction; a suppressed address stays
    /// suppressed. Returns (added, updated).
    pub fn upsert_subscribers(
        &self,
        source: &str,
        subscribers: &[Subscriber],
    ) -> Result<(usize, usize), StoreError> {
        let at = now();
        self.write(|tx| {
            let (mut added, mut updated) = (0, 0);
            for s in subscribers {
                let key = address_key(s.address.as_ref());
                if tx.exists("SELECT 1 FROM subscribers WHERE address = ?1", vals![&key])? {
                    updated += 1;
                } else {
                    added += 1;
                }
                super::subscribers::upsert_row(tx, IMPORT_UPSERT, &key, s, source, &at)?;
                tx.execute(
                    "INSERT INTO consents (address, at, source, ip) VALUES (?1, ?2, ?3, NULL)",
                    vals![&key, &at, source],
                )?;
            }
            Ok((added, updated))
        })
    }

    /// Removes a subscriber (their consent records go with them; the
    /// delivery journal and any suppression stay). Whether there was one.
    pub fn remove_subscriber(&self, address: &str) -> Result<Option<SubscriberRow>, StoreError> {
        let row = self.subscriber(address)?;
        if row.is_some() {
            self.write(|tx| {
                tx.execute(
                    "DELETE FROM subscribers WHERE address = ?1",
                    vals![address_key(address)],
                )
            })?;
        }
        Ok(row)
    }
}

/// The import's and `add`'s upsert: the row becomes the source's.
const IMPORT_UPSERT: &str =
    "INSERT INTO subscribers (address, display, name, follows_all, themes, programmes,
         frequency, format, status, source, created_at, confirmed_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
         CASE WHEN EXISTS (SELECT 1 FROM suppressions WHERE address = ?1)
              THEN 'unsubscribed' ELSE 'confirmed' END,
         ?9, ?10, ?10)
     ON CONFLICT (address) DO UPDATE SET
         display = excluded.display, name = excluded.name,
         follows_all = excluded.follows_all, themes = excluded.themes,
         programmes = excluded.programmes, frequency = excluded.frequency,
         format = excluded.format, source = excluded.source,
         status = CASE WHEN subscribers.status = 'unsubscribed' THEN 'unsubscribed'
                       ELSE 'confirmed' END,
         confirmed_at = COALESCE(subscribers.confirmed_at, excluded.confirmed_at)";
