//! `storyfeed bounces`: flags to a [`bounces::run`] call, one line a
//! message and the summary to stdout, unreadable files to stderr.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use storyfeed::bounces::{self, Input};
use storyfeed::config::Config;

/// The flags of `storyfeed bounces`.
#[derive(Debug, clap::Args)]
pub struct BouncesArgs {
    /// A maildir (its new/ and cur/ are read; nothing is moved)
    #[arg(long, value_name = "DIR", conflicts_with_all = ["mbox", "stdin"])]
    maildir: Option<PathBuf>,
    /// An mbox file
    #[arg(long, value_name = "FILE", conflicts_with = "stdin")]
    mbox: Option<PathBuf>,
    /// `-`: one message on standard input (the default)
    #[arg(value_name = "-")]
    stdin: Option<String>,
    /// Config file [default: ./storyfeed.toml if present]
    #[arg(long)]
    config: Option<PathBuf>,
}

pub fn run(args: BouncesArgs) -> Result<ExitCode> {
    let input = match (args.maildir, args.mbox, args.stdin.as_deref()) {
        (Some(dir), _, _) => Input::Maildir(dir),
        (_, Some(file), _) => Input::Mbox(file),
        (None, None, None | Some("-")) => Input::Stdin,
        (None, None, Some(other)) => {
            bail!("unexpected argument `{other}`: give --maildir DIR, --mbox FILE or - (stdin)")
        }
    };
    let config = Config::discover(args.config.as_deref())?;
    let mut out = std::io::stdout().lock();
    let mut write_error = None;
    let summary = bounces::run(&config, &input, &mut |outcome| {
        if let Err(e) = writeln!(out, "{outcome}") {
            write_error.get_or_insert(e);
        }
    })?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    writeln!(out, "{}", summary.line())?;
    for note in &summary.notes {
        eprintln!("note: {note}");
    }
    for u in &summary.unreadable {
        eprintln!("storyfeed: cannot read {}: {}", u.path.display(), u.message);
    }
    Ok(if summary.unreadable.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
