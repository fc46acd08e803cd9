//! Renders sample digests from the shipped archives as `.eml` files (and
//! their HTML parts as `.html`, for a browser), then times rendering.
//!
//! ```text
//! cargo run --release --example render_digest -- OUT_DIR [STORIES]
//! scripts/check-digest.sh OUT_DIR
//! ```
//!
//! The stories (40 by default, newest first) all arrive in the week of
//! 16–22 Nov 2026; one title is made hostile (markup characters, control
//! characters, CR/LF) to show it is escaped and cannot break a header.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use storyfeed::classify::Taxonomy;
use storyfeed::config::Config;
use storyfeed::digest::message::{build, unsubscribe_url, Secret};
use storyfeed::digest::render::{inline_with_css_inline, render, Links};
use storyfeed::digest::state::State;
use storyfeed::digest::{outbox, plan, subscribers, Plan};
use storyfeed::parse::parse_paths;

const SUBSCRIBERS: &str = r#"
[[subscriber]]
address = "desk@example.org"
name = "News desk"
all = true

[[subscriber]]
address = "ana@example.org"
name = "Ana Pérez"
themes = ["trafficking-in-persons", "drugs", "corruption"]
programmes = ["glo-act"]

[[subscriber]]
address = "text-only@example.org"
all = true
format = "text"
"#;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "outbox-sample".to_owned()));
    let count: usize = args.next().map_or(Ok(40), |n| n.parse())?;

    let mut config = Config::default().with_base_url("https://example.org/unodc/")?;
    config.digest.from = "UNODC stories <digest@example.org>".to_owned();
    let taxonomy = Taxonomy::builtin();
    let mut corpus = parse_paths(&[PathBuf::from("data/archives")])?;
    taxonomy.classify_all(&mut corpus.stories);
    let mut stories: Vec<_> = corpus.stories.into_iter().take(count).collect();
    if let Some(first) = stories.first_mut() {
        first.title = format!(
            "{} & <b>\"quoted\"</b> 'it's' \u{1}\u{7}\r\nBcc: evil@example.org",
            first.title
        );
    }
    let subs = subscribers::parse("sample", SUBSCRIBERS, &taxonomy)?;
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
    let mut state = State::default();
    for story in &stories {
        state.arrivals.insert(
            story.id.as_str().to_owned(),
            NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date"),
        );
    }
    let secret = Secret(b"sample secret, not for production".to_vec());
    let date = Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap();
    let plans = plan(&subs, &stories, &taxonomy, &state, today);
    let mut biggest = None;
    for p in &plans {
        let Plan::Send(digest) = p else { continue };
        let address = digest.subscriber.address.to_string();
        let url = unsubscribe_url(&config.base_url, &secret, &address);
        let links = Links::new(url.clone(), digest.subscriber, &taxonomy);
        let rendered = render(&config, digest, &links)?;
        let message = build(
            &config,
            digest.subscriber,
            &digest.period,
            &rendered,
            &url,
            date,
        )?;
        let path = outbox::write_eml(&out, &digest.period, &address, &message.formatted())?;
        println!("{} ({} stories)", path.display(), digest.story_count());
        if let Some(html) = &rendered.html {
            std::fs::write(path.with_extension("html"), html)?;
            let size = html.len();
            if biggest.as_ref().is_none_or(|(s, _, _)| *s < size) {
                biggest = Some((size, digest, links));
            }
        }
        std::fs::write(path.with_extension("txt"), &rendered.text)?;
    }

    // Timing on the biggest HTML digest: the whole render (text and HTML,
    // styles applied) against css-inline run on the same HTML.
    let Some((size, digest, links)) = biggest else {
        return Ok(());
    };
    let rounds = 2000;
    let start = Instant::now();
    let mut html = String::new();
    for _ in 0..rounds {
        html = render(&config, digest, &links)?.html.unwrap_or_default();
    }
    let render_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
    let rounds = 200;
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(inline_with_css_inline(&html).map_err(anyhow::Error::msg)?);
    }
    let inline_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
    println!(
        "{} stories, HTML {size} bytes: render (text + HTML + styles) {render_us:.0} µs; css-inline on it {inline_us:.0} µs",
        digest.story_count()
    );
    Ok(())
}
