//! WebSub (W3C Recommendation) publishing: after a build, the hub named by
//! `websub_hub` is told which feeds changed (`hub.mode=publish`,
//! `hub.url=<feed URL>`), so subscribers get new stories without polling.
//!
//! Only feeds whose bytes changed are pinged. Feeds whose ping failed are
//! remembered in the output directory ([`PENDING_FILE`], one URL a line)
//! and pinged on the next run, so a hub that is down loses nothing.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

use crate::fs::{self, FsError};

/// Feeds still to be pinged, in the output directory. Its name starts
/// with `.storyfeed`: `serve` does not serve it and it is no part of the site.
pub const PENDING_FILE: &str = ".storyfeed-websub-pending";

/// How long one notification may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a hub's answer is read (and shown when it refuses).
const ANSWER_LIMIT: u64 = 200;

#[derive(Debug, Error)]
pub enum WebSubError {
    #[error("no websub_hub is configured: set websub_hub in the config to ping a hub")]
    NoHub,
    #[error(transparent)]
    Pending(#[from] FsError),
}

/// One feed the hub was not told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub feed: String,
    /// `HTTP 500: <first 200 bytes of the answer>`, or the connection error.
    pub reason: String,
}

/// What a run of notifications did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PingReport {
    pub hub: String,
    /// Feeds the hub accepted (2xx), in URL order.
    pub pinged: Vec<String>,
    /// Feeds the hub refused or could not be asked about.
    pub failed: Vec<Failure>,
    /// Feeds not tried because the hub could not be reached for an
    /// earlier one (each would wait for the timeout too).
    pub not_tried: Vec<String>,
}

impl PingReport {
    /// Whether some feeds are left for the next run.
    pub fn has_failures(&self) -> bool {
        !self.failed.is_empty() || !self.not_tried.is_empty()
    }

    /// `websub: 6 feeds pinged at https://hub.example/, 0 failed, 0 left`.
    pub fn line(&self) -> String {
        format!(
            "websub: {} feeds pinged at {}, {} failed, {} not tried; {}",
            self.pinged.len(),
            self.hub,
            self.failed.len(),
            self.not_tried.len(),
            if self.has_failures() {
                format!("the rest are in {PENDING_FILE} for the next --ping")
            } else {
                "none pending".to_owned()
            }
        )
    }
}

/// The URLs of the feeds among `paths` (relative paths a build wrote).
/// Archive documents are left out: nobody subscribes to them, and the hub
/// is told of the subscription documents that link them.
pub fn feed_urls(base_url: &str, paths: &[String]) -> Vec<String> {
    paths
        .iter()
        .filter(|p| crate::feed::urls::is_current_feed(p))
        .map(|p| format!("{base_url}{p}"))
        .collect()
}

/// Tells `hub` about `feeds` and every feed still pending in `out_dir`,
/// each once; what fails is left pending (the file is removed when
/// nothing is).
pub fn publish(hub: &str, out_dir: &Path, feeds: &[String]) -> Result<PingReport, WebSubError> {
    let pending_path = out_dir.join(PENDING_FILE);
    let mut todo: BTreeSet<String> = read_pending(&pending_path)?;
    todo.extend(feeds.iter().cloned());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        // A refusal is an answer to report, not an error to unwrap.
        .http_status_as_error(false)
        // A redirect would turn the POST into a GET: report it instead.
        .max_redirects(0)
        .max_redirects_will_error(false)
        .build()
        .into();
    let mut report = PingReport {
        hub: hub.to_owned(),
        ..PingReport::default()
    };
    let mut unreachable = false;
    for feed in todo {
        if unreachable {
            report.not_tried.push(feed);
            continue;
        }
        match notify(&agent, hub, &feed) {
            Ok(()) => report.pinged.push(feed),
            Err(Refusal::Answer(reason)) => report.failed.push(Failure { feed, reason }),
            Err(Refusal::Unreachable(reason)) => {
                unreachable = true;
                report.failed.push(Failure { feed, reason });
            }
        }
    }
    let left: Vec<&str> = report
        .failed
        .iter()
        .map(|f| f.feed.as_str())
        .chain(report.not_tried.iter().map(String::as_str))
        .collect();
    save_pending(&pending_path, &left)?;
    Ok(report)
}

/// Pings only what earlier runs left pending (`storyfeed ping`).
pub fn retry(hub: &str, out_dir: &Path) -> Result<PingReport, WebSubError> {
    publish(hub, out_dir, &[])
}

enum Refusal {
    /// The hub answered, but not 2xx.
    Answer(String),
    /// No answer: connection refused, timeout, bad TLS.
    Unreachable(String),
}

fn notify(agent: &ureq::Agent, hub: &str, feed: &str) -> Result<(), Refusal> {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", "publish")
        .append_pair("hub.url", feed)
        .finish();
    let mut response = agent
        .post(hub)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(body)
        .map_err(|e| Refusal::Unreachable(e.to_string()))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    // Only the start of the answer is read: a hub cannot make us read more.
    let mut answer = Vec::new();
    let _ = response
        .body_mut()
        .as_reader()
        .take(ANSWER_LIMIT)
        .read_to_end(&mut answer);
    // Shown on a terminal: the hub's control characters become spaces.
    let answer: String = String::from_utf8_lossy(&answer)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let answer = answer.trim();
    Err(Refusal::Answer(if answer.is_empty() {
        format!("HTTP {}", status.as_u16())
    } else {
        format!("HTTP {}: {answer}", status.as_u16())
    }))
}

fn read_pending(path: &Path) -> Result<BTreeSet<String>, FsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(source) => Err(FsError {
            action: "cannot read",
            path: PathBuf::from(path),
            source,
        }),
    }
}

fn save_pending(path: &Path, feeds: &[&str]) -> Result<(), FsError> {
    if feeds.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FsError {
                action: "cannot remove",
                path: PathBuf::from(path),
                source: e,
            }),
            _ => Ok(()),
        };
    }
    let mut text = String::new();
    for feed in feeds {
        text.push_str(feed);
        text.push('\n');
    }
    fs::write_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_feeds_are_feed_urls() {
        let paths = [
            "feeds/all.rss",
            "feeds/themes/drugs.json",
            "feeds.opml",
            "index.html",
            "stories/a.html",
            "feeds/programmes/ccp.atom",
            "feeds/themes/drugs/archive-1.atom",
            "feeds/all/archive-2.rss",
        ]
        .map(str::to_owned);
        assert_eq!(
            feed_urls("https://e.org/", &paths),
            [
                "https://e.org/feeds/all.rss",
                "https://e.org/feeds/themes/drugs.json",
                "https://e.org/feeds/programmes/ccp.atom"
            ]
        );
    }

    #[test]
    fn an_unreachable_hub_leaves_every_feed_pending() {
        let dir = tempfile::tempdir().unwrap();
        // A port nobody listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let hub = format!("http://127.0.0.1:{port}/");
        let feeds = ["https://e.org/feeds/b.rss", "https://e.org/feeds/a.rss"].map(str::to_owned);
        let report = publish(&hub, dir.path(), &feeds).unwrap();
        assert!(report.pinged.is_empty());
        assert_eq!(report.failed.len(), 1);
        assert_eq!(report.not_tried, ["https://e.org/feeds/b.rss"]);
        let pending = std::fs::read_to_string(dir.path().join(PENDING_FILE)).unwrap();
        assert_eq!(
            pending,
            "https://e.org/feeds/a.rss\nhttps://e.org/feeds/b.rss\n"
        );
    }
}
