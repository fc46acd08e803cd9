//! Sign-up throughput: `POST /subscribe` from N concurrent clients for a
//! while, against a database given on the command line (e.g. one with
//! 100,000 subscribers imported), through the real server and app. Prints
//! requests/s, latency percentiles and the process's peak memory.
//!
//!   cargo run --release --example bench_signup -- DB [CLIENTS=50] [SECONDS=30]
//!
//! The per-IP limit is raised (every client is 127.0.0.1 here); each
//! request signs up a new address, so every one stores a pending
//! subscription, a consent and a queued mail. The mailer does not run.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use storyfeed::classify::Taxonomy;
use storyfeed::config::Config;
use storyfeed::digest::message::Secret;
use storyfeed::serve::Server;
use storyfeed::signup::{Destination, RateLimits, Signup};
use storyfeed::store::Store;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let db = args
        .get(1)
        .expect("usage: bench_signup DB [CLIENTS] [SECONDS]");
    let clients: usize = args.get(2).map_or(50, |s| s.parse().unwrap());
    let seconds: u64 = args.get(3).map_or(30, |s| s.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("public")).unwrap();
    std::fs::write(dir.path().join("public/index.html"), "<!DOCTYPE html>").unwrap();
    let config = Config::default()
        .with_base_url("https://example.org/")
        .unwrap();
    let signup = Signup::new(
        &config,
        &Taxonomy::builtin(),
        Store::open(std::path::Path::new(db)).unwrap(),
        Secret(b"bench-secret".to_vec()),
        Destination::Outbox(dir.path().join("outbox")),
        RateLimits {
            per_ip: u32::MAX,
            ..RateLimits::default()
        },
    );
    let mut server = Server::bind(&dir.path().join("public"), 0).unwrap();
    for endpoint in signup.endpoints() {
        server.mount(endpoint);
    }
    let server = Arc::new(server);
    let addr = server.local_addr();
    let running = Arc::clone(&server);
    let thread = std::thread::spawn(move || running.run(&|_| {}));

    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|c| {
            let (stop, errors) = (Arc::clone(&stop), Arc::clone(&errors));
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let body = format!(
                        "email=bench{c}x{n}%40example.org&theme=drugs&frequency=weekly&format=html&form=bench"
                    );
                    n += 1;
                    let t = Instant::now();
                    match post(addr, &body) {
                        Ok(200) => latencies.push(t.elapsed()),
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                latencies
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut all: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let elapsed = start.elapsed().as_secs_f64();
    server.stop();
    thread.join().unwrap().unwrap();
    all.sort_unstable();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!(
        "{clients} clients, {seconds} s: {} sign-ups, {:.0} requests/s, {} errors; latency p50 {:?}, p99 {:?}, max {:?}; peak RSS {}",
        all.len(),
        all.len() as f64 / elapsed,
        errors.load(Ordering::Relaxed),
        pct(0.50),
        pct(0.99),
        all.last().unwrap(),
        peak_rss()
    );
}

/// One POST on a new connection; the status code.
fn post(addr: SocketAddr, body: &str) -> std::io::Result<u16> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "POST /subscribe HTTP/1.1\r\nHost: bench\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer);
    Ok(text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_default()
}
