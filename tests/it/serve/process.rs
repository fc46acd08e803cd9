//! `storyfeed serve` as a process: `--listen`, and accept errors under a
//! low file-descriptor limit (set with the shell's `ulimit`, as an operator
//! would), which are logged and survived.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::harness::Project;

struct Serving {
    child: Child,
    addr: SocketAddr,
    /// stderr, a line at a time.
    log: mpsc::Receiver<String>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Serving {
    /// Starts `command` (a `storyfeed serve`) and reads the address it
    /// says it serves at.
    fn start(mut command: Command) -> Serving {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .unwrap()
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|e| panic!("{line:?}: {e}"));
        let (sender, log) = mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Serving { child, addr, log }
    }

    /// Waits for a line of the log holding `text`; the lines up to it.
    fn wait_for(&self, text: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.log.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    let found = line.contains(text);
                    seen.push(line);
                    if found {
                        return seen;
                    }
                }
                Err(e) => panic!("no {text:?} in the log ({e}): {seen:?}"),
            }
        }
    }

    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    }
}

fn site() -> Project {
    Project::new().file("public/index.html", "<!DOCTYPE html><title>t</title>\n")
}

#[test]
fn listen_takes_an_address_and_conflicts_with_port() {
    let project = site();
    let serving =
        Serving::start(project.command(["serve", "--dir", "public", "--listen", "127.0.0.1:0"]));
    assert!(serving.addr.ip().is_loopback());
    assert_ne!(serving.addr.port(), 0);
    assert!(serving.get("/").starts_with("HTTP/1.1 200 OK\r\n"));
    drop(serving);
    // IPv6, where the machine has it.
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        let serving =
            Serving::start(project.command(["serve", "--dir", "public", "--listen", "[::1]:0"]));
        assert!(serving.addr.is_ipv6(), "{}", serving.addr);
        assert!(serving.get("/").starts_with("HTTP/1.1 200 OK\r\n"));
    }

    let out = project.run(["serve", "--listen", "127.0.0.1:0", "--port", "9"]);
    assert_eq!(out.status.code(), Some(2), "{out}");
    assert!(out.stderr.contains("--port"), "{out}");
    let out = project.run(["serve", "--listen", "localhost"]);
    assert_eq!(out.status.code(), Some(2), "{out}");
    assert!(out.stderr.contains("localhost"), "{out}");
}

#[test]
fn accept_errors_under_a_low_fd_limit_are_logged_and_survived() {
    let project = site();
    // `ulimit -n` in the shell that then becomes the server.
    let mut command = Command::new("sh");
    command
        .args(["-c", "ulimit -n 64 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_storyfeed"))
        .args(["serve", "--dir", "public", "--port", "0"])
        .current_dir(project.path())
        .env_remove("STORYFEED_SECRET");
    let mut serving = Serving::start(command);
    // More idle connections than descriptors: the server accepts what it
    // can, then its accepts fail.
    let idle: Vec<TcpStream> = (0..150)
        .map(|_| TcpStream::connect(serving.addr).unwrap())
        .collect();
    let log = serving.wait_for("accept failed");
    assert!(
        log.last().unwrap().contains("Too many open files"),
        "{log:?}"
    );
    assert!(serving.child.try_wait().unwrap().is_none(), "serve exited");
    drop(idle);
    // The server takes connections again and answers.
    assert!(serving.get("/").starts_with("HTTP/1.1 200 OK\r\n"));
    serving.wait_for("accepting again after");
    assert!(serving.child.try_wait().unwrap().is_none(), "serve exited");
}
