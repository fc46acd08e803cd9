//! Pushes pre-rendered digests (~40 KB, multipart text + HTML, built with
//! lettre) through `send_all` to an SMTP sink and prints the throughput.
//! Rendering is not measured here: a few hundred distinct messages are
//! built up front and copied into each job, as the real iterator would
//! hand over freshly rendered bytes.
//!
//! ```text
//! cargo run --release --example bench_smtp -- --url smtp://127.0.0.1:2525 --messages 10000 --connections 4
//! ```

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use storyfeed::config::Config;
use storyfeed::digest::smtp::{send_all, Job, Outcome, SmtpSettings};

const USAGE: &str =
    "usage: bench_smtp --url smtp://HOST:PORT [--messages N] [--connections N] [--rate R]

  --url URL          SMTP server (a loopback smtp:// URL needs no TLS)
  --messages N       digests to send (default 10000)
  --connections N    connections in parallel (default 1)
  --rate R           messages per second over all connections (default: no limit)";

/// Distinct messages built up front; jobs cycle through them.
const DISTINCT: usize = 200;

struct Args {
    url: String,
    messages: usize,
    connections: usize,
    rate: f64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        url: String::new(),
        messages: 10_000,
        connections: 1,
        rate: 0.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--messages" => {
                args.messages = value()?.parse().map_err(|e| format!("--messages: {e}"))?
            }
            "--connections" => {
                args.connections = value()?
                    .parse()
                    .map_err(|e| format!("--connections: {e}"))?
            }
            "--rate" => args.rate = value()?.parse().map_err(|e| format!("--rate: {e}"))?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.url.is_empty() {
        return Err("--url is required".to_owned());
    }
    if args.connections == 0 {
        return Err("--connections must be at least 1".to_owned());
    }
    Ok(args)
}

/// A small deterministic PRNG (xorshift64*): the same messages every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const THEMES: &[&str] = &[
    "Trafficking in persons",
    "Drug prevention and treatment",
    "Corruption",
    "Cybercrime",
    "Terrorism prevention",
    "Wildlife and forest crime",
    "Criminal justice reform",
    "Money laundering",
];
const PLACES: &[&str] = &[
    "Vienna",
    "Nairobi",
    "Bogotá",
    "Dakar",
    "Bangkok",
    "Tashkent",
    "Panama City",
    "Abuja",
    "Lima",
    "Islamabad",
    "Cairo",
    "Kyiv",
];
const WORDS: &[&str] = &[
    "officials",
    "prosecutors",
    "border",
    "training",
    "community",
    "survivors",
    "justice",
    "cooperation",
    "investigations",
    "programme",
    "regional",
    "support",
    "national",
    "law",
    "enforcement",
    "capacity",
    "partners",
    "evidence",
    "victims",
    "prevention",
    "the",
    "and",
    "of",
    "to",
    "in",
    "with",
    "for",
    "new",
    "strengthened",
    "workshop",
    "judges",
    "data",
    "report",
    "network",
    "youth",
    "health",
    "treatment",
    "rights",
    "women",
    "smuggling",
];

fn sentence(rng: &mut Rng) -> String {
    let n = 12 + (rng.next() % 14) as usize;
    let mut s = String::new();
    for i in 0..n {
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            if let Some(first) = c.next() {
                s.extend(first.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

/// A digest of a dozen stories under a few themes, about 40 KB encoded.
fn digest(rng: &mut Rng, n: usize) -> Message {
    let to = format!("Reader {n} <reader{n}@example.org>");
    let mut text = String::new();
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>UNODC digest</title></head>\
         <body style=\"font-family: Georgia, serif; color: #222; max-width: 40em; margin: 0 auto\">\
         <h1 style=\"font-size: 1.4em; color: #0b4f8a\">UNODC digest, 17–23 Nov 2026</h1>\n",
    );
    for t in 0..4 {
        let theme = THEMES[(n + t) % THEMES.len()];
        text.push_str(&format!("\n== {theme} ==\n\n"));
        html.push_str(&format!(
            "<h2 style=\"font-size: 1.2em; border-bottom: 1px solid #ccc\">{theme}</h2>\n"
        ));
        for s in 0..3 {
            let place = rng.pick(PLACES);
            let title = sentence(rng);
            let url = format!(
                "https://news.example.org/stories/2026/11/{}-{}-{}.html",
                place.to_lowercase().replace(' ', "-"),
                t,
                s
            );
            text.push_str(&format!("* {title}\n  {place}, 2{s} November 2026\n"));
            html.push_str(&format!(
                "<article><h3 style=\"font-size: 1.05em; margin-bottom: 0.2em\"><a href=\"{url}\" \
                 style=\"color: #0b4f8a; text-decoration: none\">{title}</a></h3>\
                 <p style=\"color: #666; margin-top: 0\">{place}, 2{s} November 2026</p>\n"
            ));
            for _ in 0..2 {
                let mut para = String::new();
                for _ in 0..4 {
                    para.push_str(&sentence(rng));
                    para.push(' ');
                }
                text.push_str(&format!("  {}\n", para.trim_end()));
                html.push_str(&format!(
                    "<p style=\"line-height: 1.5; margin: 0.6em 0\">{}</p>\n",
                    para.trim_end()
                ));
            }
            text.push_str(&format!("  Read more: {url}\n\n"));
            html.push_str(&format!(
                "<p><a href=\"{url}\" style=\"color: #0b4f8a\">Read more</a></p></article>\n"
            ));
        }
    }
    let unsubscribe = format!(
        "https://news.example.org/unsubscribe?a=reader{n}%40example.org&t=0123456789abcdef"
    );
    text.push_str(&format!("\nUnsubscribe: {unsubscribe}\n"));
    html.push_str(&format!(
        "<p style=\"font-size: 0.85em; color: #666\"><a href=\"{unsubscribe}\">Unsubscribe</a></p></body></html>\n"
    ));
    Message::builder()
        .from(
            "UNODC digest <digest@news.example.org>"
                .parse::<Mailbox>()
                .expect("from"),
        )
        .to(to.parse::<Mailbox>().expect("to"))
        .subject(format!(
            "UNODC digest, 17–23 Nov 2026: 12 new stories ({n})"
        ))
        .message_id(Some(format!("<digest.2026-W47.{n}@news.example.org>")))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )
        .expect("a valid message")
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("bench_smtp: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut config = Config::default();
    config.digest.smtp_connections = args.connections;
    config.digest.rate_limit = args.rate;
    let settings = match SmtpSettings::from_config(&config, Some(&args.url)) {
        Ok(Some(s)) => s,
        Ok(None) => unreachable!("a URL is given"),
        Err(e) => {
            eprintln!("bench_smtp: {e}");
            return ExitCode::FAILURE;
        }
    };

    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let templates: Vec<(Message, Vec<u8>)> = (0..DISTINCT.min(args.messages.max(1)))
        .map(|n| {
            let m = digest(&mut rng, n);
            let bytes = m.formatted();
            (m, bytes)
        })
        .collect();
    let bytes_per_message = templates.iter().map(|(_, b)| b.len()).sum::<usize>() / templates.len();

    let accepted = AtomicUsize::new(0);
    let other = AtomicUsize::new(0);
    let sent_bytes = AtomicUsize::new(0);
    let jobs = (0..args.messages).map(|key| {
        let (message, bytes) = &templates[key % templates.len()];
        Job {
            key,
            envelope: message.envelope().clone(),
            // A fresh buffer per job, as freshly rendered bytes would be.
            bytes: bytes.clone(),
        }
    });
    let started = Instant::now();
    let result = send_all(&settings, jobs, |job, outcome| {
        match outcome {
            Outcome::Accepted => {
                accepted.fetch_add(1, Ordering::Relaxed);
                sent_bytes.fetch_add(job.bytes.len(), Ordering::Relaxed);
            }
            Outcome::Rejected(_) | Outcome::Deferred(_) => {
                other.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    });
    let elapsed = started.elapsed().as_secs_f64();
    let accepted = accepted.into_inner();
    println!(
        "{} connection(s): {accepted} messages in {elapsed:.2} s = {:.0} msg/s, {:.1} MB/s; \
         {bytes_per_message} bytes per message; {} not accepted",
        args.connections,
        accepted as f64 / elapsed,
        sent_bytes.into_inner() as f64 / elapsed / 1e6,
        other.into_inner(),
    );
    match result {
        Ok(()) if accepted == args.messages => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench_smtp: {e}");
            ExitCode::FAILURE
        }
    }
}
