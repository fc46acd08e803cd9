//! What DKIM signing costs a digest: the biggest sample digest (every
//! theme, the newest STORIES shipped stories, text + HTML) is built into a
//! message ROUNDS times (or for 0.3 s) with no key, an Ed25519 key and an RSA-2048 key
//! (`digest::message::build`, which signs as a real run does), and signed
//! alone (a copy of the built message signed, the copy's cost taken off).
//! Then where Ed25519's time goes: the same key through lettre with the
//! body canonicalized `simple` instead of `relaxed` (what storyfeed uses),
//! and SHA-256 of the body alone. Each figure is the median of 5 batches.
//!
//! ```text
//! cargo run --release --example bench_dkim -- [ROUNDS] [STORIES]
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{NaiveDate, TimeZone, Utc};
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use sha2::Digest as _;
use storyfeed::classify::Taxonomy;
use storyfeed::config::Config;
use storyfeed::digest::message::{build, unsubscribe_url, Secret};
use storyfeed::digest::render::{render, Links};
use storyfeed::digest::state::State;
use storyfeed::digest::{plan, subscribers, Plan};
use storyfeed::dkim::{self, Algorithm, Signer};
use storyfeed::parse::parse_paths;

const SUBSCRIBER: &str = r#"
[[subscriber]]
address = "desk@example.org"
name = "News desk"
all = true
"#;

const BATCHES: usize = 5;

/// This thread's time on a CPU, in ns (Linux: `/proc/thread-self/schedstat`),
/// so that waiting for a core on a shared machine does not count. The
/// kernel brings it up to date at least every scheduler tick (a few ms),
/// hence batches of at least [`MIN_BATCH`].
fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

const MIN_BATCH: Duration = Duration::from_millis(300);

/// Median over batches of the mean µs per call of `f`, a batch being at
/// least `rounds` calls and [`MIN_BATCH`]: on-CPU time where the system
/// tells it, else wall time.
fn time(rounds: u32, mut f: impl FnMut()) -> f64 {
    let mut batches: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let (start, cpu) = (Instant::now(), cpu_ns());
            let mut calls = 0u32;
            while calls < rounds || start.elapsed() < MIN_BATCH {
                f();
                calls += 1;
            }
            let ns = match (cpu, cpu_ns()) {
                (Some(a), Some(b)) => (b - a) as f64,
                _ => start.elapsed().as_secs_f64() * 1e9,
            };
            ns / 1e3 / f64::from(calls)
        })
        .collect();
    batches.sort_by(f64::total_cmp);
    batches[BATCHES / 2]
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let rounds: u32 = args.next().map_or(Ok(500), |n| n.parse())?;
    let count: usize = args.next().map_or(Ok(40), |n| n.parse())?;

    let mut config = Config::default().with_base_url("https://example.org/unodc/")?;
    config.digest.from = "UNODC stories <digest@example.org>".to_owned();
    let taxonomy = Taxonomy::builtin();
    let mut corpus = parse_paths(&[PathBuf::from("data/archives")])?;
    taxonomy.classify_all(&mut corpus.stories);
    let stories: Vec<_> = corpus.stories.into_iter().take(count).collect();
    let subs = subscribers::parse("bench", SUBSCRIBER, &taxonomy)?;
    let mut state = State::default();
    let arrived = NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
    for story in &stories {
        state.arrivals.insert(story.id.as_str().to_owned(), arrived);
    }
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
    let plans = plan(&subs, &stories, &taxonomy, &state, today);
    let Some(Plan::Send(digest)) = plans.first() else {
        anyhow::bail!("no digest planned");
    };
    let secret = Secret(b"bench secret, not for production".to_vec());
    let address = digest.subscriber.address.to_string();
    let url = unsubscribe_url(&config.base_url, &secret, &address);
    let links = Links::new(url.clone(), digest.subscriber, &taxonomy);
    let rendered = render(&config, digest, &links)?;
    let date = Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap();
    let built = |config: &Config| {
        build(
            config,
            digest.subscriber,
            &digest.period,
            &rendered,
            &url,
            date,
        )
        .expect("a message")
    };
    let message = built(&config);
    println!(
        "digest of {} stories, {} bytes; {rounds} rounds x {BATCHES} batches, medians of {} time",
        digest.story_count(),
        message.formatted().len(),
        if cpu_ns().is_some() { "on-CPU" } else { "wall" }
    );
    let unsigned = time(rounds, || {
        std::hint::black_box(built(&config));
    });
    let copy = time(rounds, || {
        std::hint::black_box(message.clone());
    });
    println!("  build, no key:           {unsigned:8.1} µs/message");
    for algorithm in [Algorithm::Ed25519, Algorithm::Rsa] {
        let signer: Signer = dkim::generate("s1", "example.org", algorithm)?.signer;
        let mut signing = config.clone();
        signing.digest.dkim = Some(signer.clone());
        let with_key = time(rounds, || {
            std::hint::black_box(built(&signing));
        });
        let sign = time(rounds, || {
            let mut m = message.clone();
            signer.sign(&mut m);
            std::hint::black_box(m);
        }) - copy;
        println!(
            "  build, {:<7} key:       {with_key:8.1} µs/message (+{:.1}); signing alone {sign:.1} µs",
            algorithm.tag(),
            with_key - unsigned
        );
    }

    // The same Ed25519 signature through lettre, by body canonicalization.
    let seed = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng).to_bytes();
    let seed = base64::engine::general_purpose::STANDARD.encode(seed);
    for body in [
        DkimCanonicalizationType::Relaxed,
        DkimCanonicalizationType::Simple,
    ] {
        let config = DkimConfig::new(
            "s1".to_owned(),
            "example.org".to_owned(),
            DkimSigningKey::new(&seed, DkimSigningAlgorithm::Ed25519)?,
            dkim::SIGNED_HEADERS
                .iter()
                .map(|h| HeaderName::new_from_ascii_str(h))
                .collect(),
            DkimCanonicalization {
                header: DkimCanonicalizationType::Relaxed,
                body,
            },
        );
        let sign = time(rounds, || {
            let mut m = message.clone();
            m.sign(&config);
            std::hint::black_box(m);
        }) - copy;
        println!("  ed25519 through lettre, body {body:?}: {sign:8.1} µs");
    }
    let body = message.formatted();
    let sha = time(rounds, || {
        std::hint::black_box(sha2::Sha256::digest(&body));
    });
    println!("  SHA-256 of the whole message: {sha:.1} µs");
    Ok(())
}
