//! Where the messages come from: a maildir (`new/` then `cur/`, each in
//! file-name order, so runs are repeatable), an mbox file (mail-parser's
//! reader, `>From ` unquoted), or one message on standard input.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use mail_parser::mailbox::mbox::MessageIterator;

/// What `storyfeed bounces` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Maildir(PathBuf),
    Mbox(PathBuf),
    /// One message (as an MTA's pipe alias hands it over).
    Stdin,
}

/// One message and where it came from (a file, `FILE #3`, `stdin`).
#[derive(Debug)]
pub struct Item {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file (or directory) that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub path: PathBuf,
    pub message: String,
}

/// Hands each message to `each`, and each read failure to `failed`;
/// reading goes on after a failure where it can.
pub fn read(input: &Input, each: &mut dyn FnMut(Item), failed: &mut dyn FnMut(Unreadable)) {
    match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut bytes) {
                Ok(_) => each(Item {
                    name: "stdin".to_owned(),
                    bytes,
                }),
                Err(e) => failed(Unreadable {
                    path: PathBuf::from("stdin"),
                    message: e.to_string(),
                }),
            }
        }
        Input::Mbox(path) => mbox(path, each, failed),
        Input::Maildir(dir) => maildir(dir, each, failed),
    }
}

fn mbox(path: &Path, each: &mut dyn FnMut(Item), failed: &mut dyn FnMut(Unreadable)) {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) => {
            return failed(Unreadable {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
        }
    };
    for (i, message) in MessageIterator::new(BufReader::new(file)).enumerate() {
        match message {
            Ok(message) => each(Item {
                name: format!("{} #{}", path.display(), i + 1),
                bytes: message.unwrap_contents(),
            }),
            Err(e) => {
                // A read error mid-file: the rest cannot be framed.
                return failed(Unreadable {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                });
            }
        }
    }
}

fn maildir(dir: &Path, each: &mut dyn FnMut(Item), failed: &mut dyn FnMut(Unreadable)) {
    for sub in ["new", "cur"] {
        let folder = dir.join(sub);
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) => {
                failed(Unreadable {
                    path: folder,
                    message: format!("{e} (a maildir has new/ and cur/)"),
                });
                continue;
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.'))
            })
            .collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) => each(Item {
                    name: path.display().to_string(),
                    bytes,
                }),
                Err(e) => failed(Unreadable {
                    path,
                    message: e.to_string(),
                }),
            }
        }
    }
}
