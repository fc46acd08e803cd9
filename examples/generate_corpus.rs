//! Writes a deterministic synthetic corpus of UNODC-style archives.
//!
//! ```text
//! cargo run --release --example generate_corpus -- --out /tmp/corpus --bytes 100000000
//! cargo run --release --example generate_corpus -- --out /tmp/corpus --stories 100000 --seed 7
//! ```
//!
//! `--check` also parses every file and compares each story with what was
//! generated (exit 1 on any error, warning or difference).

#[path = "../benches/support/generator/mod.rs"]
mod generator;

use std::path::PathBuf;
use std::process::ExitCode;

use generator::{check_file, Generator, Target};

const USAGE: &str =
    "usage: generate_corpus --out DIR (--bytes N | --stories N) [--seed S] [--check]

  --out DIR      directory to write *.txt archives into (created if missing)
  --bytes N      write at least N bytes in all (default 100000000); suffixes k, M, G (decimal)
  --stories N    write exactly N stories in all
  --seed S       PRNG seed (default 1); the same seed gives the same bytes
  --check        parse each file and compare with what was generated";

struct Args {
    out: PathBuf,
    target: Target,
    seed: u64,
    check: bool,
}

fn parse_count(flag: &str, value: Option<String>) -> Result<u64, String> {
    let v = value.ok_or_else(|| format!("{flag} needs a value"))?;
    let v = v.replace('_', "");
    let (digits, mult) = match v.chars().last() {
        Some('k' | 'K') => (&v[..v.len() - 1], 1_000),
        Some('M') => (&v[..v.len() - 1], 1_000_000),
        Some('G') => (&v[..v.len() - 1], 1_000_000_000),
        _ => (&v[..], 1),
    };
    digits
        .parse::<u64>()
        .map(|n| n * mult)
        .map_err(|_| format!("{flag}: not a number: {v}"))
}

fn parse_args() -> Result<Args, String> {
    let mut out = None;
    let mut target = None;
    let mut seed = 1;
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a value")?)),
            "--bytes" => target = Some(Target::Bytes(parse_count("--bytes", args.next())?)),
            "--stories" => {
                target = Some(Target::Stories(
                    parse_count("--stories", args.next())? as usize
                ))
            }
            "--seed" => seed = parse_count("--seed", args.next())?,
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Args {
        out: out.ok_or("--out DIR is required")?,
        target: target.unwrap_or(Target::Bytes(100_000_000)),
        seed,
        check,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("generate_corpus: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("generate_corpus: cannot create {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    let (mut files, mut bytes, mut stories, mut duplicates, mut largest) =
        (0usize, 0u64, 0usize, 0usize, 0u64);
    let mut bad = false;
    for file in Generator::new(args.target, args.seed) {
        let path = args.out.join(&file.name);
        if let Err(e) = std::fs::write(&path, file.text.as_bytes()) {
            eprintln!("generate_corpus: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        let len = file.text.len() as u64;
        println!(
            "{}\t{len} bytes\t{} stories",
            path.display(),
            file.stories.len()
        );
        if args.check {
            let c = check_file(&file);
            for line in c.errors.iter().chain(&c.warnings).chain(&c.mismatches) {
                eprintln!("  {line}");
            }
            if !c.is_clean() {
                eprintln!(
                    "  {}: {} errors, {} warnings, {} differences",
                    file.name,
                    c.errors.len(),
                    c.warnings.len(),
                    c.mismatch_count
                );
                bad = true;
            }
        }
        files += 1;
        bytes += len;
        stories += file.stories.len();
        duplicates += file.duplicates();
        largest = largest.max(len);
    }
    println!(
        "{files} files, {bytes} bytes ({:.1} MB), {stories} stories ({duplicates} reprints of earlier stories, \
         {} after merging); largest file {largest} bytes",
        bytes as f64 / 1e6,
        stories - duplicates
    );
    if bad {
        eprintln!("generate_corpus: the parser's output differs from what was generated");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
