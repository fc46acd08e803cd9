//! How a digest run reports: progress, and what the user should know as
//! it happens. The library never prints; the command line shows these on a
//! progress bar and stderr.

use std::fmt;
use std::path::PathBuf;

use crate::parse::Diagnostic;

/// Something the user should know about a run; the `Display` is the line
/// to show.
#[derive(Debug)]
pub enum Notice {
    /// An error in the archives (the run goes on without that story).
    Diagnostic(Diagnostic),
    /// No signing secret, but nothing is sent: links are placeholders.
    PlaceholderSecret { env: String },
    /// Sending with links that are not HTTPS (RFC 8058 wants HTTPS).
    NotHttps { base_url: String },
    /// No SMTP server configured: the digests go to the outbox.
    NoSmtp { outbox: PathBuf },
    /// A digest is left for the next run (4xx after retries).
    Deferred { digest: usize, reason: String },
    /// A digest was refused for good (5xx), or cannot be sent to its
    /// address at all.
    Refused { to: String, reply: String },
    /// Entries of the subscribers file whose address the database has
    /// from another source (an import, the web): those rows win.
    OtherSource { file: PathBuf, count: usize },
    /// The JSON Lines state of an earlier version was imported (once).
    Imported {
        from: PathBuf,
        into: PathBuf,
        detail: String,
        /// The files were renamed `*.imported` (not on a dry run).
        renamed: bool,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::Diagnostic(d) => write!(f, "{d}"),
            Notice::PlaceholderSecret { env } => write!(
                f,
                "warning: no unsubscribe secret (set {env} or digest.secret_file); the outbox's unsubscribe links are placeholders"
            ),
            Notice::NotHttps { base_url } => write!(
                f,
                "warning: base_url {base_url} is not https://; mail clients will not offer one-click unsubscription"
            ),
            Notice::NoSmtp { outbox } => write!(
                f,
                "note: no SMTP server configured (digest.smtp_url or --smtp); writing digests to {}",
                outbox.display()
            ),
            Notice::Deferred { digest, reason } => {
                write!(f, "deferred: digest {digest}: {reason}")
            }
            Notice::Refused { to, reply } => write!(f, "failed: digest to {to} refused: {reply}"),
            Notice::OtherSource { file, count } => write!(
                f,
                "note: {count} entries of {} are in the database from another source; the database's rows are kept (`storyfeed subscribers list`)",
                file.display()
            ),
            Notice::Imported {
                from,
                into,
                detail,
                renamed,
            } => write!(
                f,
                "note: imported the JSON Lines state of {} into {} ({detail}){}",
                from.display(),
                into.display(),
                if *renamed {
                    "; the files are renamed *.imported"
                } else {
                    " for this dry run only"
                }
            ),
        }
    }
}

/// Where a run reports how far it is and what the user should know (a
/// progress bar and stderr, for the command line).
pub trait Observer: Sync {
    /// The run will handle `digests` digests.
    fn start(&self, digests: u64) {
        let _ = digests;
    }
    /// `n` more digests are done (sent, refused, deferred or written).
    fn advance(&self, n: u64) {
        let _ = n;
    }
    /// Something to tell the user, as it happens.
    fn notice(&self, notice: Notice) {
        let _ = notice;
    }
}

/// Reports nothing.
impl Observer for () {}
