//! Deterministic generator of synthetic UNODC news archives, for benchmarks,
//! fuzz seeds and property tests.
//!
//! The output imitates the five real pages in `data/archives/` (see
//! `/work/shared/archives/README.md`): brochure stories (`14 February 2017 -
//! Title`, `31 March 2020: Title`, `03.03.2020: Title`, body paragraphs, image
//! credits glued to text, `Further information:` prompts and URL lines),
//! Latest News items (date line, title line, one-line summary ending in
//! `more`) and Archive-of-Stories items (title line, then a dateline paragraph
//! `17 June 2020, Tirana, Albania; 24 June 2020, Pristina, …: body`), with
//! the date forms of the real files. Every file has one main layout and
//! mixes the others in; a page heading, intro sentence and footer frame it.
//!
//! Output is a pure function of the seed and the target (a PRNG written
//! here, no `rand`), so a corpus is byte-identical from run to run.
//!
//! Every story is generated together with what the parser should make of it
//! ([`ExpectedStory`]), and [`check_file`] compares the two. Files cover
//! disjoint spans of years, so two stories in different files share dates
//! only where a story is deliberately reprinted on a later page (a Latest
//! News copy of a brochure story, as on the real pages); those are the only
//! merges `parse_paths` should make.
//!
//! The parts, a file each: `rng.rs` (the PRNG), `dates.rs` (the calendar
//! and the date forms), `words.rs` (the word lists), `file.rs` (one archive
//! page: heading, stories in page order, footer), `datelines.rs`, `text.rs`
//! (titles, sentences, paragraphs, spacing, URLs), `stories.rs` (one story
//! in each layout, reprints, credits, link residue) and `check.rs` (what the
//! parser should find, and the comparison).
//!
//! This is a plain module: include it with
//! `#[path = "…/benches/support/generator/mod.rs"] mod generator;` (its
//! submodules are found next to it).

#![allow(dead_code)]
// `*rng.pick(LIST)` picks the `&str` type for `pick`; without the `*`
// inference fails, whatever this lint says.
#![allow(clippy::explicit_auto_deref)]

mod check;
mod datelines;
mod dates;
mod file;
mod rng;
mod stories;
mod text;
mod words;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

// The public API, at the paths it had as one file; each includer uses a
// different part of it.
#[allow(unused_imports)]
pub use check::{check_file, ExpectedStory, FileCheck, Layout};
#[allow(unused_imports)]
pub use dates::{days_in_month, is_leap, Ymd};
#[allow(unused_imports)]
pub use rng::Rng;

use dates::{FIRST_YEAR, LAST_YEAR};
use file::{FileGen, Reprintable, Style};

// ---------------------------------------------------------------------------
// What a corpus is made of.
// ---------------------------------------------------------------------------

/// One generated archive, with what it contains.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// File name, e.g. `003-archive-of-stories-2001-2002.txt`.
    pub name: String,
    /// The file's main layout: `archive-of-stories`, `brochure-colon`
    /// (`31 March 2020: Title`), `brochure-dash` (`14 February 2017 - Title`)
    /// or `latest-news`; about a fifth of its stories use the others.
    pub style: &'static str,
    pub text: String,
    pub stories: Vec<ExpectedStory>,
}

impl GeneratedFile {
    /// Stories that repeat a story of an earlier file (merged by `parse_paths`).
    pub fn duplicates(&self) -> usize {
        self.stories
            .iter()
            .filter(|s| s.duplicate_of.is_some())
            .count()
    }
}

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// At least this many bytes in all (the last story may go over).
    Bytes(u64),
    /// Exactly this many stories in all files, reprints included.
    Stories(usize),
}

/// What [`write_corpus`] wrote.
#[derive(Debug, Clone, Default)]
pub struct GeneratedCorpus {
    /// Path, size in bytes and story count of each file, in name order.
    pub files: Vec<(PathBuf, u64, usize)>,
    pub total_bytes: u64,
    /// Stories in all files, reprints included (`check`'s "stories found").
    pub stories: usize,
    /// Reprints of a story of an earlier file: `stories - duplicates` is
    /// the count after merging.
    pub duplicates: usize,
}

impl GeneratedCorpus {
    pub fn largest_file_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.1).max().unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------
// Public entry points.
// ---------------------------------------------------------------------------

/// The files of a corpus of at least `target_bytes` bytes, in memory.
pub fn generate_bytes(target_bytes: u64, seed: u64) -> Vec<GeneratedFile> {
    Generator::new(Target::Bytes(target_bytes), seed).collect()
}

/// The files of a corpus of exactly `n_stories` stories, in memory.
pub fn generate_stories(n_stories: usize, seed: u64) -> Vec<GeneratedFile> {
    Generator::new(Target::Stories(n_stories), seed).collect()
}

/// Writes a corpus of at least `target_bytes` bytes into `dir` (created if
/// missing), one file at a time.
pub fn write_corpus(dir: &Path, target_bytes: u64, seed: u64) -> io::Result<GeneratedCorpus> {
    write_corpus_with(dir, Target::Bytes(target_bytes), seed)
}

/// Writes a corpus into `dir`, one file at a time (memory stays at one file).
pub fn write_corpus_with(dir: &Path, target: Target, seed: u64) -> io::Result<GeneratedCorpus> {
    fs::create_dir_all(dir)?;
    let mut out = GeneratedCorpus::default();
    for file in Generator::new(target, seed) {
        let path = dir.join(&file.name);
        fs::write(&path, file.text.as_bytes())?;
        let bytes = file.text.len() as u64;
        out.total_bytes += bytes;
        out.stories += file.stories.len();
        out.duplicates += file.duplicates();
        out.files.push((path, bytes, file.stories.len()));
    }
    Ok(out)
}

/// Files of about 4–20 MB; smaller targets give one smaller file.
const MIN_FILE_BYTES: u64 = 4_000_000;
const MAX_FILE_BYTES: u64 = 20_000_000;

/// Yields the files of a corpus one by one.
pub struct Generator {
    rng: Rng,
    target: Target,
    bytes_done: u64,
    stories_done: usize,
    file_index: usize,
    next_year: i32,
    /// Stories of the previous file that a later page may reprint.
    reprint_pool: Vec<Reprintable>,
    min_file: u64,
    max_file: u64,
    /// Files cover years from `first_year`; past `last_year` they start again.
    first_year: i32,
    last_year: i32,
}

impl Generator {
    pub fn new(target: Target, seed: u64) -> Self {
        Generator {
            rng: Rng::new(seed),
            target,
            bytes_done: 0,
            stories_done: 0,
            file_index: 0,
            next_year: FIRST_YEAR,
            reprint_pool: Vec::new(),
            min_file: MIN_FILE_BYTES,
            max_file: MAX_FILE_BYTES,
            first_year: FIRST_YEAR,
            last_year: LAST_YEAR,
        }
    }

    /// Files within `first..=last` years (inside 1995–2190), so that years
    /// repeat across files sooner: stories of different files then share
    /// dates without being reprints, as in a corpus of a gigabyte or more.
    pub fn with_years(mut self, first: i32, last: i32) -> Self {
        assert!(FIRST_YEAR <= first && first + 3 <= last && last <= LAST_YEAR);
        self.first_year = first;
        self.last_year = last;
        self.next_year = first;
        self
    }

    /// Other file sizes than 4–20 MB, e.g. small files for tests.
    pub fn with_file_sizes(mut self, min: u64, max: u64) -> Self {
        assert!(0 < min && min <= max);
        self.min_file = min;
        self.max_file = max;
        self
    }

    fn done(&self) -> bool {
        match self.target {
            Target::Bytes(n) => self.bytes_done >= n,
            Target::Stories(n) => self.stories_done >= n,
        }
    }
}

impl Iterator for Generator {
    type Item = GeneratedFile;

    fn next(&mut self) -> Option<GeneratedFile> {
        if self.done() {
            return None;
        }
        let rng = &mut self.rng;
        let (min_file, max_file) = (self.min_file, self.max_file);
        let mut size = rng.range(min_file as usize, max_file as usize) as u64;
        let mut max_stories = usize::MAX;
        match self.target {
            Target::Bytes(n) => {
                let left = n - self.bytes_done;
                // Do not leave a runt file behind: the last two files
                // share what is left so that both have at least the minimum.
                if left < size + min_file {
                    size = if left <= max_file {
                        left
                    } else {
                        left - min_file
                    };
                }
            }
            Target::Stories(n) => {
                max_stories = n - self.stories_done;
                // Likewise: estimate what the stories left would take.
                let per_story = if self.stories_done == 0 {
                    1500
                } else {
                    self.bytes_done / self.stories_done as u64
                };
                let left = (max_stories as u64).saturating_mul(per_story);
                if left < size + min_file {
                    size = if left <= max_file {
                        u64::MAX
                    } else {
                        left - min_file
                    };
                }
            }
        }
        let span = rng.range(1, 3) as i32;
        if self.next_year + span > self.last_year {
            // Only for corpora of a gigabyte or more (or `with_years`):
            // years repeat from here.
            self.next_year = self.first_year;
        }
        let years = (self.next_year, self.next_year + span - 1);
        self.next_year += span;
        let style = match self.file_index % 4 {
            0 => Style::Archive,
            1 => Style::BrochureColon,
            2 => Style::LatestNews,
            _ => Style::BrochureDash,
        };
        let pool = std::mem::take(&mut self.reprint_pool);
        let mut fg = FileGen::new(&mut self.rng, self.file_index, style, years, pool);
        let file = fg.build(size, max_stories);
        self.reprint_pool = fg.reprintable(&file);
        self.file_index += 1;
        self.bytes_done += file.text.len() as u64;
        self.stories_done += file.stories.len();
        Some(file)
    }
}
