//! Subscriber rows: the subscribers file synced in at each run, the
//! subscribers a run sends to, and what the admin commands read and write.

use std::collections::{BTreeMap, HashSet};

use super::db::{vals, DbError, Handle, Row};
use super::{now, Store, StoreError};
use crate::classify::Taxonomy;
use crate::digest::period::Frequency;
use crate::digest::state::address_key;
use crate::digest::subscribers::{parse_address, Follows, MailFormat, Subscriber};

/// Where a subscriber came from, as stored in `source`.
pub fn file_source(path: &std::path::Path) -> String {
    format!("file:{}", path.display())
}

/// What a sync of the subscribers file changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    /// In the file but already in the database from another source (left
    /// as they are).
    pub other_source: usize,
}

/// A stored subscriber a run cannot send to (its address does not parse
/// any more): reported and recorded `failed`, the others go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable {
    pub address: String,
    pub frequency: Frequency,
    pub reason: String,
}

/// One subscriber row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberRow {
    pub address: String,
    pub display: String,
    pub name: Option<String>,
    pub follows_all: bool,
    pub themes: Vec<String>,
    pub programmes: Vec<String>,
    pub frequency: Frequency,
    pub format: MailFormat,
    pub status: String,
    pub source: String,
    pub created_at: String,
    /// Paused from the preference page: kept, sent nothing.
    pub paused: bool,
}

pub fn format_str(format: MailFormat) -> &'static str {
    match format {
        MailFormat::Html => "html",
        MailFormat::Text => "text",
    }
}

fn parse_format(s: &str) -> MailFormat {
    if s == "text" {
        MailFormat::Text
    } else {
        MailFormat::Html
    }
}

fn split(list: &str) -> Vec<String> {
    list.split_whitespace().map(str::to_owned).collect()
}

const COLUMNS: &str = "address, display, name, follows_all, themes, programmes, frequency, format, status, source, created_at, paused_at IS NOT NULL";

fn read_row(r: &Row) -> Result<SubscriberRow, DbError> {
    Ok(SubscriberRow {
        address: r.text(0)?,
        display: r.text(1)?,
        name: r.opt_text(2)?,
        follows_all: r.flag(3)?,
        themes: split(&r.text(4)?),
        programmes: split(&r.text(5)?),
        frequency: r.text(6)?.parse().unwrap_or(Frequency::Weekly),
        format: parse_format(&r.text(7)?),
        status: r.text(8)?,
        source: r.text(9)?,
        created_at: r.text(10)?,
        paused: r.flag(11)?,
    })
}

impl Store {
    /// Makes the subscribers from source `source` (`file:<path>`) exactly
    /// `subscribers`, confirmed: new ones added, changed ones updated, the
    /// ones that left the file removed. Subscribers from other sources are
    /// not touched; a suppressed address stays suppressed. One transaction.
    pub fn sync_file(
        &self,
        source: &str,
        subscribers: &[Subscriber],
    ) -> Result<SyncReport, StoreError> {
        let at = now();
        self.write(|tx| {
            let mut report = SyncReport::default();
            let mut existing: BTreeMap<String, String> = BTreeMap::new();
            for row in tx.query("SELECT address, source FROM subscribers", &[])? {
                existing.insert(row.text(0)?, row.text(1)?);
            }
            let mut listed = HashSet::new();
            for s in subscribers {
                let key = address_key(s.address.as_ref());
                match existing.get(&key) {
                    Some(from) if from != source => {
                        report.other_source += 1;
                        continue;
                    }
                    Some(_) => report.updated += 1,
                    None => report.added += 1,
                }
                upsert_row(tx, SYNC_UPSERT, &key, s, source, &at)?;
                if !existing.contains_key(&key) {
                    tx.execute(
                        "INSERT INTO consents (address, at, source, ip) VALUES (?1, ?2, ?3, NULL)",
                        vals![&key, &at, source],
                    )?;
                }
                listed.insert(key);
            }
            for (address, from) in &existing {
                if from == source && !listed.contains(address) {
                    tx.execute("DELETE FROM subscribers WHERE address = ?1", vals![address])?;
                    report.removed += 1;
                }
            }
            Ok(report)
        })
    }

    /// How many subscribers are stored (any status).
    pub fn subscriber_count(&self) -> Result<usize, StoreError> {
        self.read(|c| {
            let n = c
                .query_opt("SELECT COUNT(*) FROM subscribers", &[])?
                .map_or(Ok(0), |r| r.int(0))?;
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }

    /// The subscribers a run considers (confirmed, and unsubscribed ones so
    /// the summary counts them; not pending or paused ones), by address;
    /// slugs the taxonomy no longer
    /// has are dropped. Rows whose address does not parse come back apart.
    pub fn run_subscribers(
        &self,
        taxonomy: &Taxonomy,
    ) -> Result<(Vec<Subscriber>, Vec<Unusable>), StoreError> {
        let rows = self.subscriber_rows(Some(&["confirmed", "unsubscribed"]))?;
        let mut subscribers = Vec::with_capacity(rows.len());
        let mut unusable = Vec::new();
        for row in rows.into_iter().filter(|r| !r.paused) {
            let address = match parse_address(&row.display) {
                Ok(a) => a,
                Err(e) => {
                    unusable.push(Unusable {
                        address: row.address,
                        frequency: row.frequency,
                        reason: format!("`{}`: {e}", row.display),
                    });
                    continue;
                }
            };
            let known = |list: Vec<String>, slugs: &[crate::classify::Category]| {
                let mut kept: Vec<String> = list
                    .into_iter()
                    .filter(|s| slugs.iter().any(|c| c.slug == *s))
                    .collect();
                kept.sort_by_key(|s| slugs.iter().position(|c| c.slug == *s));
                kept
            };
            let follows = if row.follows_all {
                Follows::All
            } else {
                Follows::Some {
                    themes: known(row.themes, &taxonomy.themes),
                    programmes: known(row.programmes, &taxonomy.programmes),
                }
            };
            subscribers.push(Subscriber {
                address,
                name: row.name,
                follows,
                frequency: row.frequency,
                format: row.format,
                line: 0,
            });
        }
        Ok((subscribers, unusable))
    }

    /// Subscriber rows by address, of the given statuses (all if `None`).
    pub fn subscriber_rows(
        &self,
        statuses: Option<&[&str]>,
    ) -> Result<Vec<SubscriberRow>, StoreError> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {COLUMNS} FROM subscribers ORDER BY address"),
                &[],
            )?
            .iter()
            .map(read_row)
            .collect::<Result<Vec<_>, _>>()
        })?;
        Ok(rows
            .into_iter()
            .filter(|row| statuses.is_none_or(|s| s.contains(&row.status.as_str())))
            .collect())
    }

    /// One subscriber row.
    pub fn subscriber(&self, address: &str) -> Result<Option<SubscriberRow>, StoreError> {
        self.read(|c| {
            c.query_opt(
                &format!("SELECT {COLUMNS} FROM subscribers WHERE address = ?1"),
                vals![address_key(address)],
            )?
            .as_ref()
            .map(read_row)
            .transpose()
        })
    }
}

/// The file sync's upsert: a row of another source is left as it is.
const SYNC_UPSERT: &str =
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
         format = excluded.format,
         status = CASE WHEN subscribers.status = 'unsubscribed' THEN 'unsubscribed'
                       ELSE excluded.status END
     WHERE subscribers.source = excluded.source";

/// Runs an upsert of the `subscribers` table whose parameters are, in
/// order: address key, display address, name, `follows_all`, themes,
/// programmes, frequency, format, source, time (the file sync's and the
/// import's, which differ in what a conflict keeps).
pub(super) fn upsert_row(
    tx: &mut Handle<'_>,
    upsert: &str,
    key: &str,
    s: &Subscriber,
    source: &str,
    at: &str,
) -> Result<u64, DbError> {
    let (all, themes, programmes) = follows_columns(&s.follows);
    tx.execute(
        upsert,
        vals![
            key,
            s.address.to_string(),
            s.name.as_deref(),
            all,
            themes,
            programmes,
            s.frequency.as_str(),
            format_str(s.format),
            source,
            at
        ],
    )
}

/// `follows_all`, `themes`, `programmes` columns of a `Follows`.
pub fn follows_columns(follows: &Follows) -> (bool, String, String) {
    match follows {
        Follows::All => (true, String::new(), String::new()),
        Follows::Some { themes, programmes } => (false, themes.join(" "), programmes.join(" ")),
    }
}
