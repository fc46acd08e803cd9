//! The one-time import of the JSON Lines state of earlier versions
//! (`deliveries.jsonl`, `arrivals.jsonl`, `unsubscribed.jsonl` in the state
//! directory): read in full, written in one transaction together with a row
//! in `imports` saying it was done, then each file renamed to `*.imported`.
//! The row, not the rename, is what makes it once: a crash between the
//! commit and the renames, or a rename that fails, imports nothing twice;
//! the rename shows the operator the files are no longer read (and keeps
//! them for reference).
//!
//! A line cut short by a crash (the last line, without its newline) is
//! ignored, as the old reader did; any other unreadable line is an error
//! naming file and line, and nothing is imported.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::db::vals;
use super::{now, Store, StoreError};
use crate::digest::period::Period;
use crate::digest::state::address_key;

pub const ARRIVALS: &str = "arrivals.jsonl";
pub const DELIVERIES: &str = "deliveries.jsonl";
pub const UNSUBSCRIBED: &str = "unsubscribed.jsonl";

/// The name of this import in `imports`.
const IMPORT: &str = "jsonl-state";

#[derive(Debug, Deserialize)]
struct Delivery {
    to: String,
    #[serde(flatten)]
    period: Period,
    status: String,
    message_id: String,
    stories: usize,
    #[serde(default)]
    detail: Option<String>,
    at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct Arrival {
    id: String,
    arrived: NaiveDate,
}

#[derive(Debug, Deserialize)]
struct Unsubscription {
    address: String,
    at: DateTime<Utc>,
    via: String,
}

/// What an import brought in.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Imported {
    pub deliveries: usize,
    pub arrivals: usize,
    pub unsubscriptions: usize,
}

impl Store {
    /// Imports the JSON Lines state in `state_dir`, once. `rename`: rename
    /// the files afterwards (a dry run's in-memory copy leaves them).
    /// `None` when there was nothing to import or it was done before.
    pub fn import_jsonl(
        &self,
        state_dir: &Path,
        rename: bool,
    ) -> Result<Option<Imported>, StoreError> {
        let files: Vec<PathBuf> = [DELIVERIES, ARRIVALS, UNSUBSCRIBED]
            .iter()
            .map(|name| state_dir.join(name))
            .collect();
        if !files.iter().any(|f| f.exists()) {
            return Ok(None);
        }
        let done =
            self.read(|c| c.exists("SELECT 1 FROM imports WHERE name = ?1", vals![IMPORT]))?;
        if done {
            return Ok(None);
        }
        // The newest line per digest wins, as the old reader's did.
        let mut deliveries: HashMap<(String, Period), Delivery> = HashMap::new();
        read_lines(&files[0], |d: Delivery| {
            deliveries.insert((address_key(&d.to), d.period), d);
        })?;
        let mut arrivals = Vec::new();
        read_lines(&files[1], |a: Arrival| arrivals.push(a))?;
        let mut unsubscriptions = Vec::new();
        read_lines(&files[2], |u: Unsubscription| unsubscriptions.push(u))?;
        let imported = Imported {
            deliveries: deliveries.len(),
            arrivals: arrivals.len(),
            unsubscriptions: unsubscriptions.len(),
        };
        let detail = format!(
            "{} deliveries, {} arrivals, {} unsubscriptions from {}",
            imported.deliveries,
            imported.arrivals,
            imported.unsubscriptions,
            state_dir.display()
        );
        self.write(|tx| {
            for ((to, period), d) in &deliveries {
                // An old `pending` line is a digest never confirmed sent.
                let status = match d.status.as_str() {
                    "sent" => "sent",
                    "failed" => "failed",
                    _ => "pending",
                };
                tx.execute(
                    "INSERT INTO deliveries (address, period_first, period_last, status, message_id, stories, detail, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT DO NOTHING",
                    vals![
                        to,
                        period.first,
                        period.last,
                        status,
                        &d.message_id,
                        d.stories,
                        d.detail.as_deref(),
                        d.at.to_rfc3339()
                    ],
                )?;
            }
            for a in &arrivals {
                tx.execute(
                    "INSERT INTO arrivals (story_id, day) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    vals![&a.id, a.arrived],
                )?;
            }
            for u in &unsubscriptions {
                tx.execute(
                    "INSERT INTO suppressions (address, reason, via, at) VALUES (?1, 'unsubscribed', ?2, ?3)
                     ON CONFLICT DO NOTHING",
                    vals![address_key(&u.address), &u.via, u.at.to_rfc3339()],
                )?;
            }
            tx.execute(
                "INSERT INTO imports (name, at, detail) VALUES (?1, ?2, ?3)",
                vals![IMPORT, now(), &detail],
            )?;
            Ok(())
        })?;
        if rename {
            for file in files.iter().filter(|f| f.exists()) {
                let mut to = file.clone().into_os_string();
                to.push(".imported");
                std::fs::rename(file, &to).map_err(|source| StoreError::Io {
                    path: file.clone(),
                    source,
                })?;
            }
        }
        Ok(Some(imported))
    }
}

fn read_lines<T: serde::de::DeserializeOwned>(
    path: &Path,
    mut each: impl FnMut(T),
) -> Result<(), StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(value) => each(value),
            // A crash while appending leaves the last line cut short.
            Err(_) if n + 1 == lines.len() && !complete => {}
            Err(e) => {
                return Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    line: n + 1,
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(())
}
