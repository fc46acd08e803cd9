//! Reading and writing files so that every error names its path and no
//! reader ever sees a half-written file.
//!
//! Output goes to a temporary file in the target's directory and is renamed
//! over the target. A file whose bytes would not change is left alone, so
//! its modification time stays and servers and rsync see no change.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
#[error("{action} {path}")]
pub struct FsError {
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

fn err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> FsError + 'a {
    move |source| FsError {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a whole file.
pub fn read(path: &Path) -> Result<Vec<u8>, FsError> {
    std::fs::read(path).map_err(err("cannot read", path))
}

/// What `write_if_changed` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Written,
    Unchanged,
}

/// Writes `bytes` to `path` atomically (temporary file, then rename),
/// unless the file already holds exactly these bytes.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<Written, FsError> {
    write_if_changed_with(path, bytes, &mut Vec::new())
}

/// `write_if_changed` reading the old file into `scratch`, a buffer the
/// caller reuses across many files.
pub fn write_if_changed_with(
    path: &Path,
    bytes: &[u8],
    scratch: &mut Vec<u8>,
) -> Result<Written, FsError> {
    if same_content(path, bytes, scratch) {
        return Ok(Written::Unchanged);
    }
    write_atomic(path, bytes)?;
    Ok(Written::Written)
}

fn same_content(path: &Path, bytes: &[u8], scratch: &mut Vec<u8>) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    scratch.clear();
    // Read one byte more than expected: a longer file differs.
    let limit = bytes.len() as u64 + 1;
    (&mut file).take(limit).read_to_end(scratch).is_ok() && scratch.as_slice() == bytes
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, creating the directory if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir).map_err(err("cannot create directory", dir))?;
    write_atomic_in(dir, path, bytes)
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `write_atomic` into a directory known to exist.
fn write_atomic_in(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".storyfeed-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err("cannot create a temporary file in", dir))?;
    tmp.write_all(bytes).map_err(err("cannot write", path))?;
    make_readable(tmp.as_file(), path)?;
    // No fsync: after a crash a reader finds the old file or the new one,
    // never a mix, and the next build rewrites it; syncing 100,000 pages
    // would cost more than the build.
    tmp.persist(path)
        .map_err(|e| err("cannot replace", path)(e.error))?;
    Ok(())
}

/// A temporary file is private (0600), but the site is for a web server
/// to read: the new file keeps the old file's mode, or gets rw-r--r--.
#[cfg(unix)]
fn make_readable(file: &std::fs::File, path: &Path) -> Result<(), FsError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions())
        .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
    file.set_permissions(mode)
        .map_err(err("cannot set permissions of", path))
}

#[cfg(not(unix))]
fn make_readable(_file: &std::fs::File, _path: &Path) -> Result<(), FsError> {
    Ok(())
}

/// A directory of generated files: remembers what this run produced so
/// that files left from earlier runs (a theme since removed) can go.
#[derive(Debug)]
pub struct OutputDir {
    root: PathBuf,
    /// Relative paths (`/`-separated) written or confirmed by this run.
    produced: HashSet<String>,
    /// Directories this run has made sure exist: one `mkdir` each, not one per file.
    dirs: HashSet<PathBuf>,
    scratch: Vec<u8>,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

impl OutputDir {
    pub fn new(root: &Path) -> Self {
        OutputDir {
            root: root.to_path_buf(),
            produced: HashSet::new(),
            dirs: HashSet::new(),
            scratch: Vec::new(),
            written: 0,
            unchanged: 0,
            removed: 0,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `rel` (a path relative to the root, `/`-separated) if changed.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<Written, FsError> {
        let path = self.root.join(rel);
        let outcome = if same_content(&path, bytes, &mut self.scratch) {
            Written::Unchanged
        } else {
            let dir = parent_dir(&path);
            if !self.dirs.contains(dir) {
                std::fs::create_dir_all(dir).map_err(err("cannot create directory", dir))?;
                self.dirs.insert(dir.to_path_buf());
            }
            write_atomic_in(dir, &path, bytes)?;
            Written::Written
        };
        match outcome {
            Written::Written => self.written += 1,
            Written::Unchanged => self.unchanged += 1,
        }
        self.produced.insert(rel.to_owned());
        Ok(outcome)
    }

    /// Removes files under the managed sub-directories `dirs` (relative to
    /// the root) with one of `extensions` that this run did not produce.
    /// Other files (a hand-written `robots.txt`) are never touched.
    pub fn remove_stale(&mut self, dirs: &[&str], extensions: &[&str]) -> Result<(), FsError> {
        for dir in dirs {
            let full = self.root.join(dir);
            let entries = match std::fs::read_dir(&full) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(err("cannot list", &full)(e)),
            };
            let mut stale = Vec::new();
            for entry in entries {
                let entry = entry.map_err(err("cannot list", &full))?;
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                let managed = name
                    .rsplit_once('.')
                    .is_some_and(|(_, ext)| extensions.contains(&ext));
                // `file_type` comes with the directory entry: no stat per file.
                let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                if managed && is_file && !self.produced.contains(&format!("{dir}/{name}")) {
                    stale.push(entry.path());
                }
            }
            stale.sort();
            for path in stale {
                std::fs::remove_file(&path).map_err(err("cannot remove", &path))?;
                self.removed += 1;
            }
        }
        Ok(())
    }

    /// Takes in what another `OutputDir` over the same root did (a worker
    /// thread's share of the pages).
    pub fn absorb(&mut self, other: OutputDir) {
        self.produced.extend(other.produced);
        self.written += other.written;
        self.unchanged += other.unchanged;
        self.removed += other.removed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_files_keep_their_mtime_and_stale_ones_go() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = OutputDir::new(dir.path());
        assert_eq!(out.write("feeds/a.rss", b"one").unwrap(), Written::Written);
        out.write("feeds/old.rss", b"old").unwrap();
        let a = dir.path().join("feeds/a.rss");
        let old_time =
            std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        std::fs::File::options()
            .write(true)
            .open(&a)
            .unwrap()
            .set_modified(old_time)
            .unwrap();

        let mut again = OutputDir::new(dir.path());
        assert_eq!(
            again.write("feeds/a.rss", b"one").unwrap(),
            Written::Unchanged
        );
        std::fs::write(dir.path().join("feeds/notes.txt"), b"mine").unwrap();
        again.remove_stale(&["feeds"], &["rss"]).unwrap();
        assert_eq!(std::fs::metadata(&a).unwrap().modified().unwrap(), old_time);
        assert!(!dir.path().join("feeds/old.rss").exists());
        assert!(dir.path().join("feeds/notes.txt").exists());
        assert_eq!((again.written, again.unchanged, again.removed), (0, 1, 1));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&a).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o777,
                0o644,
                "a web server must be able to read the site"
            );
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("feeds"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
