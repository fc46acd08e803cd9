//! The build cache: what a rebuild may skip because its inputs have not
//! changed. It lives in the output directory as `.storyfeed-cache` (a
//! dotfile: `serve` does not serve it, and no build removes it).
//!
//! Two tables, each keyed by a 128-bit xxh3 of everything its values
//! depend on, so that any change to an input simply misses:
//!
//! - **classes**: a story's themes and programmes, keyed by its title and
//!   paragraphs (all that classification reads), the taxonomy file and the
//!   program;
//! - **files**: the [`Stamp`] (length, modification time, inode) a story
//!   page, feed or theme page had when a build last wrote or confirmed it,
//!   keyed by what its bytes are made of: the program, the settings, the
//!   taxonomy, and the stories it shows (every field of a story for its
//!   page and the feeds; id, title and dates for a theme's list). A file
//!   whose key is in the table and which still has that stamp is neither
//!   rendered nor read. A file edited, replaced or deleted since has
//!   another stamp and is rendered and compared as without a cache.
//!
//! "The program" is [`code_key`]: the package version, the templates and
//! the bytes of the running executable, so a change to the code that
//! renders or classifies invalidates everything.
//!
//! The cache is only a shortcut: a missing, truncated, corrupt or foreign
//! file reads as empty, and a build with it writes the same bytes as a
//! build without it.

use std::hash::Hash;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use rustc_hash::{FxHashMap, FxHashSet};
use xxhash_rust::xxh3::{xxh3_64, Xxh3Default};

use crate::fs::{self, FsError, Stamp, Written};
use crate::story::Story;

/// The cache's name in the output directory.
pub const FILE_NAME: &str = ".storyfeed-cache";

/// First bytes of a cache file; the digit is the format version.
const MAGIC: &[u8; 16] = b"storyfeed-cache1";

/// A 128-bit xxh3 of a value's inputs: equal inputs, equal key, in every run.
pub type Key = u128;

/// A story's themes and programmes, as classification left them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classes {
    pub themes: Vec<String>,
    pub programmes: Vec<String>,
}

/// The program's key: package version, templates and the running
/// executable's bytes, read once. `None` when the executable cannot be
/// read; the cache is then not used.
pub fn code_key() -> Option<Key> {
    static KEY: OnceLock<Option<Key>> = OnceLock::new();
    *KEY.get_or_init(|| {
        let exe = std::fs::read(std::env::current_exe().ok()?).ok()?;
        let mut h = Xxh3Default::new();
        env!("CARGO_PKG_VERSION").hash(&mut h);
        for template in TEMPLATES {
            template.hash(&mut h);
        }
        h.update(&exe);
        Some(h.digest128())
    })
}

/// The templates are compiled into the executable; hashing them as well
/// keeps the key honest if the executable is ever not readable as itself.
const TEMPLATES: [&str; 5] = [
    include_str!("../templates/base.html"),
    include_str!("../templates/story.html"),
    include_str!("../templates/group.html"),
    include_str!("../templates/index.html"),
    include_str!("../templates/style.css"),
];

/// The key of `parts` (any hashable values), for salts.
pub fn key_of(parts: &impl Hash) -> Key {
    let mut h = Xxh3Default::new();
    parts.hash(&mut h);
    h.digest128()
}

/// The classification key of a story: `salt` (taxonomy and program), its
/// title and its paragraphs.
pub fn text_key(salt: Key, story: &Story) -> Key {
    let mut h = Xxh3Default::new();
    salt.hash(&mut h);
    story.title.hash(&mut h);
    story.paragraphs.hash(&mut h);
    h.digest128()
}

/// The page key of a story: `salt` (site settings, taxonomy, program) and
/// every field of the story, so a new field is covered without a change here.
pub fn page_key(salt: Key, story: &Story) -> Key {
    let mut h = Xxh3Default::new();
    salt.hash(&mut h);
    story.hash(&mut h);
    h.digest128()
}

/// The two tables of the cache, as loaded, then as this build leaves them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BuildCache {
    /// `code_key()`; `None` turns the cache off (every look-up misses).
    pub code: Option<Key>,
    pub classes: FxHashMap<Key, Classes>,
    pub files: FxHashMap<Key, Stamp>,
    /// The tables as loaded: an unchanged rebuild skips serialising and
    /// comparing them again (about a tenth of its time).
    loaded: Option<Box<Tables>>,
}

/// Both tables, as loaded.
type Tables = (FxHashMap<Key, Classes>, FxHashMap<Key, Stamp>);

impl BuildCache {
    /// An empty cache for this program: a first build fills it.
    pub fn new() -> BuildCache {
        BuildCache {
            code: code_key(),
            ..BuildCache::default()
        }
    }

    /// The cache at `path`, or an empty one if it is missing or unreadable
    /// in any way.
    pub fn load(path: &Path) -> BuildCache {
        let mut cache = BuildCache::new();
        if cache.code.is_none() {
            return cache;
        }
        let Ok(mut file) = std::fs::File::open(path) else {
            return cache;
        };
        let mut bytes = Vec::new();
        let written = file.metadata().and_then(|m| m.modified()).ok();
        if file.read_to_end(&mut bytes).is_err() {
            return cache;
        }
        if let Some(loaded) = BuildCache::parse(&bytes, written) {
            cache.loaded = Some(Box::new((loaded.classes.clone(), loaded.files.clone())));
            cache.classes = loaded.classes;
            cache.files = loaded.files;
        }
        cache
    }

    /// Writes the cache (through a temporary file) if it changed.
    pub fn save(&self, path: &Path) -> Result<Written, FsError> {
        if let Some(loaded) = &self.loaded {
            if loaded.0 == self.classes && loaded.1 == self.files {
                return Ok(Written::Unchanged);
            }
        }
        fs::write_if_changed(path, &self.to_bytes())
    }

    /// Reads the tables from `bytes`; `None` unless the file is whole and
    /// of this format. Page stamps not older than `written`, the cache
    /// file's own time, are left out: such a page may have been edited in
    /// the same clock tick as the build wrote it, unseen by its stamp.
    pub fn parse(bytes: &[u8], written: Option<SystemTime>) -> Option<BuildCache> {
        let body_len = bytes.len().checked_sub(8)?;
        let (body, sum) = bytes.split_at(body_len);
        if sum != xxh3_64(body).to_le_bytes() {
            return None;
        }
        let mut r = Reader(body);
        if r.take(MAGIC.len())? != MAGIC {
            return None;
        }
        let slugs = (0..r.count(4)?)
            .map(|_| {
                let len = usize::try_from(r.u32()?).ok()?;
                String::from_utf8(r.take(len)?.to_vec()).ok()
            })
            .collect::<Option<Vec<String>>>()?;
        let list = |r: &mut Reader| -> Option<Vec<String>> {
            (0..r.u16()?)
                .map(|_| slugs.get(usize::from(r.u16()?)).cloned())
                .collect()
        };
        let n = r.count(20)?;
        let mut classes = FxHashMap::with_capacity_and_hasher(n, Default::default());
        for _ in 0..n {
            let key = r.u128()?;
            let themes = list(&mut r)?;
            let programmes = list(&mut r)?;
            classes.insert(key, Classes { themes, programmes });
        }
        let trusted_before = written
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or((0, 0), |d| (d.as_secs(), d.subsec_nanos()));
        let n = r.count(44)?;
        let mut files = FxHashMap::with_capacity_and_hasher(n, Default::default());
        for _ in 0..n {
            let key = r.u128()?;
            let stamp = Stamp {
                len: r.u64()?,
                secs: r.u64()?,
                nanos: r.u32()?,
                ino: r.u64()?,
            };
            if (stamp.secs, stamp.nanos) < trusted_before {
                files.insert(key, stamp);
            }
        }
        if !r.0.is_empty() {
            return None;
        }
        Some(BuildCache {
            code: None,
            classes,
            files,
            loaded: None,
        })
    }

    /// The file's bytes: sorted by key, so the same tables give the same
    /// bytes and an unchanged rebuild leaves the file alone.
    pub fn to_bytes(&self) -> Vec<u8> {
        // A few dozen distinct slugs among a quarter of a million uses:
        // deduplicated before sorting.
        let distinct: FxHashSet<&str> = self
            .classes
            .values()
            .flat_map(|c| c.themes.iter().chain(&c.programmes))
            .map(String::as_str)
            .collect();
        let mut slugs: Vec<&str> = distinct.into_iter().collect();
        slugs.sort_unstable();
        let index: FxHashMap<&str, u16> = slugs
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((*s, u16::try_from(i).ok()?)))
            .collect();
        let mut out = Vec::with_capacity(64 + self.classes.len() * 24 + self.files.len() * 44);
        out.extend_from_slice(MAGIC);
        let mut classes: Vec<_> = self.classes.iter().collect();
        classes.sort_unstable_by_key(|(k, _)| **k);
        // A table too large for the format is dropped whole, never cut.
        let lists_fit = |c: &Classes| {
            [&c.themes, &c.programmes].iter().all(|l| {
                u16::try_from(l.len()).is_ok() && l.iter().all(|s| index.contains_key(s.as_str()))
            })
        };
        if u32::try_from(slugs.len()).is_err()
            || index.len() != slugs.len()
            || u32::try_from(classes.len()).is_err()
            || !classes.iter().all(|(_, c)| lists_fit(c))
        {
            slugs.clear();
            classes.clear();
        }
        put_u32(&mut out, slugs.len());
        for s in &slugs {
            put_u32(&mut out, s.len());
            out.extend_from_slice(s.as_bytes());
        }
        put_u32(&mut out, classes.len());
        for (key, c) in classes {
            out.extend_from_slice(&key.to_le_bytes());
            for list in [&c.themes, &c.programmes] {
                out.extend_from_slice(&(list.len() as u16).to_le_bytes());
                for s in list {
                    out.extend_from_slice(&index[s.as_str()].to_le_bytes());
                }
            }
        }
        let mut files: Vec<_> = self.files.iter().collect();
        files.sort_unstable_by_key(|(k, _)| **k);
        if u32::try_from(files.len()).is_err() {
            files.clear();
        }
        put_u32(&mut out, files.len());
        for (key, s) in files {
            out.extend_from_slice(&key.to_le_bytes());
            out.extend_from_slice(&s.len.to_le_bytes());
            out.extend_from_slice(&s.secs.to_le_bytes());
            out.extend_from_slice(&s.nanos.to_le_bytes());
            out.extend_from_slice(&s.ino.to_le_bytes());
        }
        let sum = xxh3_64(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }
}

/// Callers check that `n` fits first.
fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

/// Little-endian values from the front of a byte slice; `None` past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }

    fn u128(&mut self) -> Option<u128> {
        self.array().map(u128::from_le_bytes)
    }

    /// A count of entries of at least `min_size` bytes each; `None` if
    /// that many cannot fit in what is left (no huge allocation from a
    /// bad count).
    fn count(&mut self, min_size: usize) -> Option<usize> {
        let n = usize::try_from(self.u32()?).ok()?;
        (n.checked_mul(min_size)? <= self.0.len()).then_some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BuildCache {
        let mut cache = BuildCache::default();
        cache.classes.insert(
            7,
            Classes {
                themes: vec!["drugs".into(), "corruption".into()],
                programmes: vec!["aircop".into()],
            },
        );
        cache.classes.insert(
            3,
            Classes {
                themes: vec![],
                programmes: vec![],
            },
        );
        cache.files.insert(
            u128::MAX,
            Stamp {
                len: 2275,
                secs: 1_700_000_000,
                nanos: 5,
                ino: 42,
            },
        );
        cache
    }

    #[test]
    fn tables_round_trip_in_stable_bytes() {
        let cache = sample();
        let bytes = cache.to_bytes();
        assert_eq!(bytes, cache.clone().to_bytes());
        let later = UNIX_EPOCH + std::time::Duration::from_secs(2_000_000_000);
        let back = BuildCache::parse(&bytes, Some(later)).unwrap();
        assert_eq!(back.classes, cache.classes);
        assert_eq!(back.files, cache.files);
    }

    #[test]
    fn stamps_as_new_as_the_cache_file_are_not_trusted() {
        let bytes = sample().to_bytes();
        let at = |secs| Some(UNIX_EPOCH + std::time::Duration::from_secs(secs));
        assert_eq!(
            BuildCache::parse(&bytes, at(1_700_000_000))
                .unwrap()
                .files
                .len(),
            0
        );
        assert_eq!(
            BuildCache::parse(&bytes, at(1_700_000_001))
                .unwrap()
                .files
                .len(),
            1
        );
    }

    #[test]
    fn the_cache_is_private_to_the_build() {
        assert!(crate::fs::is_build_private(FILE_NAME));
    }

    #[test]
    fn damaged_files_read_as_nothing() {
        let bytes = sample().to_bytes();
        for cut in 0..bytes.len() {
            assert!(
                BuildCache::parse(&bytes[..cut], None).is_none(),
                "cut {cut}"
            );
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(BuildCache::parse(&bad, None).is_none(), "byte {i}");
        }
        let mut other_version = bytes[..bytes.len() - 8].to_vec();
        other_version[15] = b'9';
        let sum = xxh3_64(&other_version);
        other_version.extend_from_slice(&sum.to_le_bytes());
        assert!(BuildCache::parse(&other_version, None).is_none());
    }
}
