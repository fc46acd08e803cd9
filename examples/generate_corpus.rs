//! Writes a deterministic synthetic corpus of UNODC-style archives.
//!
//! ```text
//! cargo run --release --example generate_corpus -- --out /tmp/corpus --bytes 100000000
//! cargo run --release --example generate_corpus -- --out /tmp/corpus --stories 100000 --seed 7
//! ```
//!
//! `--check` also parses every file and compares each story with what was
//! generated (exit 1 on any error, warning or difference). The last line
//! gives the distinct stories: all stories less the reprints of a story of
//! an earlier file, which is what `storyfeed parse` should return for the
//! whole directory; `--reprints FILE` lists each reprint with its original
//! (`file:line<TAB>file:line`), to compare with the merges `storyfeed check`
//! prints.

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
  --years A-B    files cover years A to B, then start again (default 1995-2190)
  --reprints F   write each reprint and its original to F (file:line<TAB>file:line)
  --check        parse each file and compare with what was generated";

struct Args {
    out: PathBuf,
    target: Target,
    seed: u64,
    years: Option<(i32, i32)>,
    reprints: Option<PathBuf>,
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
    let mut years = None;
    let mut reprints = None;
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
            "--years" => {
                let v = args.next().ok_or("--years needs a value")?;
                let (a, b) = v.split_once('-').ok_or("--years: expected A-B")?;
                let year = |t: &str| t.parse::<i32>().map_err(|_| format!("--years: {v}"));
                let (a, b) = (year(a)?, year(b)?);
                if !(1995 <= a && a + 3 <= b && b <= 2190) {
                    return Err(format!(
                        "--years: {v} is not within 1995-2190 (at least 4 years)"
                    ));
                }
                years = Some((a, b));
            }
            "--reprints" => {
                reprints = Some(PathBuf::from(
                    args.next().ok_or("--reprints needs a value")?,
                ))
            }
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
        years,
        reprints,
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
    let mut generator = Generator::new(args.target, args.seed);
    if let Some((a, b)) = args.years {
        generator = generator.with_years(a, b);
    }
    let mut reprints = String::new();
    for file in generator {
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
        for s in &file.stories {
            if let Some((original, line)) = &s.duplicate_of {
                let dir = args.out.display();
                reprints.push_str(&format!(
                    "{dir}/{}:{}\t{dir}/{original}:{line}\n",
                    file.name, s.line
                ));
            }
        }
        files += 1;
        bytes += len;
        stories += file.stories.len();
        duplicates += file.duplicates();
        largest = largest.max(len);
    }
    if let Some(path) = &args.reprints {
        if let Err(e) = std::fs::write(path, reprints) {
            eprintln!("generate_corpus: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    println!(
        "{files} files, {bytes} bytes ({:.1} MB), {stories} stories ({duplicates} reprints of earlier stories, \
         {} distinct: the count after merging); largest file {largest} bytes",
        bytes as f64 / 1e6,
        stories - duplicates
    );
    if bad {
        eprintln!("generate_corpus: the parser's output differs from what was generated");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
