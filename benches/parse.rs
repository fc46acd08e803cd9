//! Parser throughput on a generated corpus of about 100 MB.
//!
//! `cargo bench --bench parse` generates the corpus once (deterministic,
//! seed 1; see `benches/support/generator/`), checks that the parser
//! reads it without an error, then measures:
//!
//! - `parse_str/corpus`: `parse_str` over every file, text already in memory;
//! - `parse_str_layout/*`: `parse_str` over one file of each main layout;
//! - `parse_paths/corpus`: `parse_paths` on the corpus directory (directory
//!   walk, reading, parsing, merging duplicates, sorting).
//!
//! Throughput is in bytes of archive text. `STORYFEED_BENCH_BYTES` changes
//! the corpus size (e.g. `STORYFEED_BENCH_BYTES=20000000` for a quick run).

#[path = "support/generator/mod.rs"]
mod generator;

// The same allocator as the `storyfeed` binary, so the figures are the tool's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use storyfeed::parse::{parse_paths, parse_str, Severity};

const DEFAULT_BYTES: u64 = 100_000_000;
const SEED: u64 = 1;

fn corpus_bytes() -> u64 {
    std::env::var("STORYFEED_BENCH_BYTES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_BYTES)
}

/// A scratch directory on tmpfs when there is one, so that `parse_paths`
/// measures the parser rather than the disk.
fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix("storyfeed-bench-");
        b
    };
    if shm.is_dir() {
        if let Ok(dir) = builder.tempdir_in(shm) {
            return dir;
        }
    }
    builder
        .tempdir()
        .expect("cannot create a temporary directory")
}

fn configure(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    secs: u64,
) {
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(secs));
}

fn benches(c: &mut Criterion) {
    let files = generator::generate_bytes(corpus_bytes(), SEED);
    let total: u64 = files.iter().map(|f| f.text.len() as u64).sum();

    // The benchmark is only meaningful on input the parser accepts.
    let mut stories = 0;
    for f in &files {
        let parsed = parse_str(&f.name, &f.text);
        let errors: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(
            errors.is_empty(),
            "generated corpus has parse errors: {errors:#?}"
        );
        assert_eq!(
            parsed.stories.len(),
            f.stories.len(),
            "{}: story count",
            f.name
        );
        stories += parsed.stories.len();
    }
    let duplicates: usize = files.iter().map(|f| f.duplicates()).sum();
    let largest = files.iter().map(|f| f.text.len()).max().unwrap_or(0);
    eprintln!(
        "corpus: {} files, {total} bytes, {stories} stories ({duplicates} reprints), largest file {largest} bytes",
        files.len()
    );

    let mut group = c.benchmark_group("parse_str");
    configure(&mut group, 15);
    group.throughput(Throughput::Bytes(total));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            let mut n = 0;
            for f in &files {
                n += black_box(parse_str(&f.name, &f.text)).stories.len();
            }
            n
        })
    });
    group.finish();

    // One file of each main layout (files rotate through the layouts).
    let mut group = c.benchmark_group("parse_str_layout");
    configure(&mut group, 5);
    for f in files.iter().take(4) {
        group.throughput(Throughput::Bytes(f.text.len() as u64));
        group.bench_function(f.style, |b| {
            b.iter(|| black_box(parse_str(&f.name, &f.text)).stories.len())
        });
    }
    group.finish();

    // The same corpus on disk (tmpfs if present), through `parse_paths`.
    let dir = scratch_dir();
    for f in &files {
        std::fs::write(dir.path().join(&f.name), f.text.as_bytes()).expect("cannot write corpus");
    }
    let expected_after_merge = stories - duplicates;
    drop(files);
    let paths = vec![PathBuf::from(dir.path())];
    let corpus = parse_paths(&paths).expect("parse_paths failed");
    assert!(!corpus.has_errors(), "parse_paths reports errors");
    if corpus.stories.len() != expected_after_merge {
        eprintln!(
            "note: parse_paths kept {} stories, the generator expected {expected_after_merge}",
            corpus.stories.len()
        );
    }
    drop(corpus);

    let mut group = c.benchmark_group("parse_paths");
    configure(&mut group, 15);
    group.throughput(Throughput::Bytes(total));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            black_box(parse_paths(&paths).expect("parse_paths failed"))
                .stories
                .len()
        })
    });
    group.finish();
}

criterion_group!(parse, benches);
criterion_main!(parse);
