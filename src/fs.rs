//! Reading and writing files so that every error names its path and no
//! reader ever sees a half-written file.
//!
//! Output goes to a temporary file in the target's directory and is renamed
//! over the target. A file whose bytes would not change is left alone, so
//! its modification time stays and servers and rsync see no change.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::{Metadata, Permissions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
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

/// Prefix of the names a build keeps for itself in an output directory:
/// temporary files and the build cache.
const PRIVATE_PREFIX: &str = ".storyfeed";

/// Whether `name` is one of the build's own files, not part of the site.
pub fn is_build_private(name: &str) -> bool {
    name.starts_with(PRIVATE_PREFIX)
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

/// What a file looked like when a build last wrote or confirmed it: if
/// it looks the same now, nobody has written it since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub len: u64,
    /// Modification time: seconds and nanoseconds since the Unix epoch.
    pub secs: u64,
    pub nanos: u32,
    /// Inode number (0 where the platform has none): a file replaced by
    /// another of the same length and time is still told apart.
    pub ino: u64,
}

impl Stamp {
    /// `None` for a time before 1970, which no build writes.
    pub fn of(meta: &Metadata) -> Option<Stamp> {
        let since = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(Stamp {
            len: meta.len(),
            secs: since.as_secs(),
            nanos: since.subsec_nanos(),
            ino: inode(meta),
        })
    }
}

#[cfg(unix)]
fn inode(meta: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_meta: &Metadata) -> u64 {
    0
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
    match examine(path, bytes, scratch) {
        Existing::Same(_) => Ok(Written::Unchanged),
        Existing::Differs(mode) => {
            let dir = parent_dir(path);
            std::fs::create_dir_all(dir).map_err(err("cannot create directory", dir))?;
            write_atomic_in(dir, path, bytes, Some(mode))?;
            Ok(Written::Written)
        }
        Existing::Missing => {
            write_atomic(path, bytes)?;
            Ok(Written::Written)
        }
    }
}

/// What is at a path about to be written.
enum Existing {
    /// No file that can be opened.
    Missing,
    /// A file with other bytes; its replacement keeps its permissions.
    Differs(Permissions),
    /// A file with exactly the bytes to write.
    Same(Metadata),
}

fn examine(path: &Path, bytes: &[u8], scratch: &mut Vec<u8>) -> Existing {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Existing::Missing;
    };
    let Ok(meta) = file.metadata() else {
        return Existing::Missing;
    };
    // Another length settles it without reading.
    if meta.len() != bytes.len() as u64 {
        return Existing::Differs(meta.permissions());
    }
    scratch.clear();
    // Read one byte more than expected: a file that grew meanwhile differs.
    let limit = bytes.len() as u64 + 1;
    if (&mut file).take(limit).read_to_end(scratch).is_ok() && scratch.as_slice() == bytes {
        Existing::Same(meta)
    } else {
        Existing::Differs(meta.permissions())
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, creating the directory if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir).map_err(err("cannot create directory", dir))?;
    let mode = std::fs::metadata(path).map(|m| m.permissions()).ok();
    write_atomic_in(dir, path, bytes, mode)?;
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `write_atomic` into a directory known to exist (absolute, or tempfile
/// asks for the working directory on every file). The new file gets
/// `mode`, the replaced file's permissions, or rw-r--r--: a temporary
/// file is private (0600), but the site is for a web server to read.
/// Returns the new file's metadata, taken before the rename (which keeps
/// its length, modification time and inode).
fn write_atomic_in(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    mode: Option<Permissions>,
) -> Result<Metadata, FsError> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".storyfeed-").suffix(".tmp");
    #[cfg(unix)]
    let mode = mode.unwrap_or_else(|| std::os::unix::fs::PermissionsExt::from_mode(0o644));
    #[cfg(unix)]
    builder.permissions(mode.clone());
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(err("cannot create a temporary file in", dir))?;
    tmp.write_all(bytes).map_err(err("cannot write", path))?;
    let meta = tmp.as_file().metadata().map_err(err("cannot stat", path))?;
    set_mode(tmp.as_file(), &meta, mode, path)?;
    // No fsync: after a crash a reader finds the old file or the new one,
    // never a mix, and the next build rewrites it; syncing 100,000 pages
    // would cost more than the build.
    tmp.persist(path)
        .map_err(|e| err("cannot replace", path)(e.error))?;
    Ok(meta)
}

/// The file was created with `mode`, less the umask: set it outright only
/// if the umask took something away (no extra call per file otherwise).
#[cfg(unix)]
fn set_mode(
    file: &std::fs::File,
    meta: &Metadata,
    mode: Permissions,
    path: &Path,
) -> Result<(), FsError> {
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o7777 == mode.mode() & 0o7777 {
        return Ok(());
    }
    file.set_permissions(mode)
        .map_err(err("cannot set permissions of", path))
}

#[cfg(not(unix))]
fn set_mode(
    _file: &std::fs::File,
    _meta: &Metadata,
    _mode: Option<Permissions>,
    _path: &Path,
) -> Result<(), FsError> {
    Ok(())
}

/// The names in `dir`, each with whether it is a plain file; `None` if
/// the directory does not exist.
fn read_names(dir: &Path) -> Result<Option<FxHashMap<OsString, bool>>, FsError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(err("cannot list", dir)(e)),
    };
    let mut names = FxHashMap::default();
    for entry in entries {
        let entry = entry.map_err(err("cannot list", dir))?;
        // `file_type` comes with the directory entry: no stat per file.
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        names.insert(entry.file_name(), is_file);
    }
    Ok(Some(names))
}

/// A directory of generated files: remembers what this run produced so
/// that files left from earlier runs (a theme since removed) can go.
#[derive(Debug)]
pub struct OutputDir {
    root: PathBuf,
    /// Relative paths (`/`-separated) written or confirmed by this run.
    produced: FxHashSet<String>,
    /// Directories this run has made sure exist, each with its absolute
    /// path: one `mkdir` each, not one per file.
    dirs: HashMap<PathBuf, PathBuf>,
    /// The names in directories listed before writing (see `list`), each
    /// with whether it is a plain file; shared by the workers of one build.
    listed: Arc<HashMap<String, FxHashMap<OsString, bool>>>,
    scratch: Vec<u8>,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Relative paths (`/`-separated) this run wrote (new or other bytes)
    /// and removed, in the order done: the change list a deploy needs.
    pub written_paths: Vec<String>,
    pub removed_paths: Vec<String>,
}

impl OutputDir {
    pub fn new(root: &Path) -> Self {
        OutputDir {
            root: root.to_path_buf(),
            produced: FxHashSet::default(),
            dirs: HashMap::new(),
            listed: Arc::default(),
            scratch: Vec::new(),
            written: 0,
            unchanged: 0,
            removed: 0,
            written_paths: Vec::new(),
            removed_paths: Vec::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Another `OutputDir` over the same root for a worker thread, sharing
    /// what `list` found; `absorb` takes its results back.
    pub fn worker(&self) -> OutputDir {
        OutputDir {
            dirs: self.dirs.clone(),
            listed: Arc::clone(&self.listed),
            ..OutputDir::new(&self.root)
        }
    }

    /// Reads the names in `dir` (relative to the root) once, before many
    /// files are written there: a file not in the list is not opened to
    /// compare (a first build of 100,000 pages saves 200,000 look-ups that
    /// fail), and `remove_stale` looks for stale files in the list rather
    /// than reading the directory again. A file someone else creates there
    /// meanwhile is replaced if the build writes it, and left otherwise.
    pub fn list(&mut self, dir: &str) -> Result<(), FsError> {
        let names = read_names(&self.root.join(dir))?.unwrap_or_default();
        Arc::make_mut(&mut self.listed).insert(dir.to_owned(), names);
        Ok(())
    }

    /// Whether `rel` is in a listed directory but was not there.
    fn known_missing(&self, rel: &str) -> bool {
        rel.rsplit_once('/').is_some_and(|(dir, name)| {
            self.listed
                .get(dir)
                .is_some_and(|names| !names.contains_key(OsStr::new(name)))
        })
    }

    /// Writes `rel` (a path relative to the root, `/`-separated) if changed.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<Written, FsError> {
        Ok(self.write_stamped(rel, bytes)?.0)
    }

    /// `write`, also giving the file's stamp as this run leaves it.
    pub fn write_stamped(
        &mut self,
        rel: &str,
        bytes: &[u8],
    ) -> Result<(Written, Option<Stamp>), FsError> {
        let path = self.root.join(rel);
        let existing = if self.known_missing(rel) {
            Existing::Missing
        } else {
            examine(&path, bytes, &mut self.scratch)
        };
        let (outcome, meta) = match existing {
            Existing::Same(meta) => (Written::Unchanged, meta),
            Existing::Differs(mode) => (Written::Written, self.replace(&path, bytes, Some(mode))?),
            Existing::Missing => (Written::Written, self.replace(&path, bytes, None)?),
        };
        match outcome {
            Written::Written => {
                self.written += 1;
                self.written_paths.push(rel.to_owned());
            }
            Written::Unchanged => self.unchanged += 1,
        }
        self.produced.insert(rel.to_owned());
        Ok((outcome, Stamp::of(&meta)))
    }

    fn replace(
        &mut self,
        path: &Path,
        bytes: &[u8],
        mode: Option<Permissions>,
    ) -> Result<Metadata, FsError> {
        let dir = parent_dir(path);
        if !self.dirs.contains_key(dir) {
            std::fs::create_dir_all(dir).map_err(err("cannot create directory", dir))?;
            let absolute = std::path::absolute(dir).map_err(err("cannot resolve", dir))?;
            self.dirs.insert(dir.to_path_buf(), absolute);
        }
        write_atomic_in(&self.dirs[dir], path, bytes, mode)
    }

    /// Counts `rel` as produced and unchanged, without reading it, if the
    /// file still has `stamp`; false (nothing counted) otherwise.
    pub fn confirm(&mut self, rel: &str, stamp: &Stamp) -> bool {
        if self.known_missing(rel) {
            return false;
        }
        let same = std::fs::metadata(self.root.join(rel))
            .ok()
            .and_then(|meta| Stamp::of(&meta))
            .is_some_and(|now| now == *stamp);
        if same {
            self.unchanged += 1;
            self.produced.insert(rel.to_owned());
        }
        same
    }

    /// The sub-directories of `dir` (relative to the root) as relative
    /// paths, in name order; none if `dir` does not exist.
    pub fn subdirs(&self, dir: &str) -> Result<Vec<String>, FsError> {
        let names = read_names(&self.root.join(dir))?.unwrap_or_default();
        let mut subdirs: Vec<String> = names
            .into_iter()
            .filter(|&(_, is_file)| !is_file)
            .filter_map(|(name, _)| Some(format!("{dir}/{}", name.to_str()?)))
            .collect();
        subdirs.sort();
        Ok(subdirs)
    }

    /// Removes files under the managed sub-directories `dirs` (relative to
    /// the root) with one of `extensions` that this run did not produce.
    /// Other files (a hand-written `robots.txt`) are never touched.
    pub fn remove_stale(&mut self, dirs: &[&str], extensions: &[&str]) -> Result<(), FsError> {
        for path in self.stale(dirs, extensions)? {
            std::fs::remove_file(&path).map_err(err("cannot remove", &path))?;
            self.removed += 1;
            if let Some(rel) = relative(&self.root, &path) {
                self.removed_paths.push(rel);
            }
        }
        Ok(())
    }

    /// The files `remove_stale` would remove, in path order.
    pub fn stale(&self, dirs: &[&str], extensions: &[&str]) -> Result<Vec<PathBuf>, FsError> {
        let mut stale = Vec::new();
        for dir in dirs {
            let full = self.root.join(dir);
            let read;
            let names = match self.listed.get(*dir) {
                Some(names) => names,
                None => match read_names(&full)? {
                    Some(names) => {
                        read = names;
                        &read
                    }
                    None => continue,
                },
            };
            let first = stale.len();
            let mut rel = String::new();
            for (name, &is_file) in names {
                let Some(name) = name.to_str() else { continue };
                let managed = name
                    .rsplit_once('.')
                    .is_some_and(|(_, ext)| extensions.contains(&ext));
                rel.clear();
                rel.push_str(dir);
                rel.push('/');
                rel.push_str(name);
                if managed && is_file && !self.produced.contains(&rel) {
                    stale.push(full.join(name));
                }
            }
            stale[first..].sort();
        }
        Ok(stale)
    }

    /// Takes in what another `OutputDir` over the same root did (a worker
    /// thread's share of the pages).
    pub fn absorb(&mut self, other: OutputDir) {
        self.produced.extend(other.produced);
        self.dirs.extend(other.dirs);
        self.written += other.written;
        self.unchanged += other.unchanged;
        self.removed += other.removed;
        self.written_paths.extend(other.written_paths);
        self.removed_paths.extend(other.removed_paths);
    }
}

/// `path` under `root` as a `/`-separated relative path (`None` if it is
/// not under it or not UTF-8, which no generated file is).
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
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
        assert_eq!(out.written_paths, ["feeds/a.rss", "feeds/old.rss"]);
        assert!(again.written_paths.is_empty());
        assert_eq!(again.removed_paths, ["feeds/old.rss"]);
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

    #[test]
    fn stamps_describe_the_file_left_and_confirm_checks_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = OutputDir::new(dir.path());
        out.list("stories").unwrap();
        let (written, stamp) = out.write_stamped("stories/a.html", b"page").unwrap();
        assert_eq!(written, Written::Written);
        let path = dir.path().join("stories/a.html");
        // Taken before the rename, which keeps length, time and inode.
        let stamp = stamp.unwrap();
        assert_eq!(Stamp::of(&std::fs::metadata(&path).unwrap()), Some(stamp));

        let mut again = OutputDir::new(dir.path());
        again.list("stories").unwrap();
        assert!(again.confirm("stories/a.html", &stamp));
        let other = Stamp { len: 5, ..stamp };
        assert!(!again.confirm("stories/a.html", &other));
        assert!(!again.confirm("stories/gone.html", &stamp));
        // Stale files are found in the listing taken before writing.
        std::fs::write(dir.path().join("stories/old.html"), "old").unwrap();
        let mut third = OutputDir::new(dir.path());
        third.list("stories").unwrap();
        std::fs::write(dir.path().join("stories/new.html"), "new").unwrap();
        let (written, _) = third.write_stamped("stories/a.html", b"page").unwrap();
        assert_eq!(written, Written::Unchanged);
        third.remove_stale(&["stories"], &["html"]).unwrap();
        assert_eq!(third.removed, 1);
        assert!(!dir.path().join("stories/old.html").exists());
        assert!(dir.path().join("stories/new.html").exists());
        assert!(path.exists());
    }
}
