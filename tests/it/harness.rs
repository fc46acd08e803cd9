//! The `storyfeed` executable run as a user runs it, in a fresh directory:
//! `Project` sets the directory up (archives, config, subscribers, any
//! file, environment) and runs commands in it; `Output` holds what a run
//! printed and asserts on it, printing both streams when an assertion fails.
//!
//! ```ignore
//! let project = Project::new().archive("a.txt", text).config("title = \"T\"\n");
//! let out = project.run(["build"]).assert_success();
//! assert!(out.read("public/feeds/all.rss").contains("<rss"));
//! ```

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::Arc;

use tempfile::TempDir;

/// The checkout: where `data/` is.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Secrets the program reads from the environment: a developer's shell
/// must not leak them into a test run.
const CLEARED_ENV: [&str; 3] = [
    "STORYFEED_SECRET",
    "STORYFEED_SMTP_PASSWORD",
    "STORYFEED_DATABASE_URL",
];

/// A fresh project directory, removed when dropped (and no `Output` of
/// it is left).
#[derive(Clone)]
pub struct Project {
    dir: Arc<TempDir>,
    env: Vec<(OsString, OsString)>,
    /// What must live as long as the project (a test database).
    kept: Vec<Arc<dyn std::any::Any + Send + Sync>>,
}

impl Project {
    pub fn new() -> Project {
        Project {
            dir: Arc::new(tempfile::tempdir().expect("a temporary directory")),
            env: Vec::new(),
            kept: Vec::new(),
        }
    }

    /// Keeps `value` alive as long as the project.
    pub fn keep(mut self, value: Arc<dyn std::any::Any + Send + Sync>) -> Project {
        self.kept.push(value);
        self
    }

    /// The project's store: PostgreSQL when its environment selects it,
    /// else the SQLite file of the default config.
    pub fn database(&self) -> storyfeed::store::Database {
        let url = self
            .env
            .iter()
            .find(|(k, _)| k == "STORYFEED_DATABASE_URL")
            .map(|(_, v)| v.to_string_lossy().into_owned());
        storyfeed::store::Database::select(url.as_deref(), self.join("state/storyfeed.db")).unwrap()
    }

    /// Writes an archive file, `archives/<name>`.
    pub fn archive(self, name: &str, text: &str) -> Project {
        self.file(Path::new("archives").join(name), text)
    }

    /// Copies one shipped archive, `data/archives/<name>`, to `archives/<name>`.
    pub fn shipped_archive(self, name: &str) -> Project {
        let from = Path::new("data/archives").join(name);
        let to = Path::new("archives").join(name);
        copy_tree(&root().join(from), &self.join(to));
        self
    }

    /// Copies the checkout's `data/` (archives, taxonomy, ledger,
    /// subscribers) to `data/`, where the default config looks: commands
    /// run here as they run in a checkout, without writing to it.
    pub fn shipped_data(self) -> Project {
        copy_tree(&root().join("data"), &self.join("data"));
        self
    }

    /// Writes `storyfeed.toml`, which every command reads when present.
    pub fn config(self, toml: &str) -> Project {
        self.file("storyfeed.toml", toml)
    }

    /// Writes `subscribers.toml` (point the config's `digest.subscribers`
    /// or `--subscribers` at it).
    pub fn subscribers(self, toml: &str) -> Project {
        self.file("subscribers.toml", toml)
    }

    /// Writes a file, creating its directory.
    pub fn file(self, path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> Project {
        self.write(path, bytes);
        self
    }

    /// Sets an environment variable for every command run here.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Project {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// The project directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path in the project directory.
    pub fn join(&self, path: impl AsRef<Path>) -> PathBuf {
        self.path().join(path)
    }

    /// Writes (or overwrites) a file between runs, creating its directory.
    pub fn write(&self, path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) {
        let path = self.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// A file of the project as text.
    pub fn read(&self, path: impl AsRef<Path>) -> String {
        read(self.path(), path.as_ref())
    }

    /// The command, ready to run in the project directory with the
    /// project's environment: for runs that need more than `run` does
    /// (a child killed mid-run, a server in the background).
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(env!("CARGO_BIN_EXE_storyfeed"));
        command.args(args).current_dir(self.path());
        for key in CLEARED_ENV {
            command.env_remove(key);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    /// Runs `storyfeed ARGS` to the end.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = self.command(args);
        let line = std::iter::once(std::borrow::Cow::Borrowed("storyfeed"))
            .chain(command.get_args().map(OsStr::to_string_lossy))
            .collect::<Vec<_>>()
            .join(" ");
        let out = command.output().expect("storyfeed runs");
        self.output(out, line)
    }

    /// Waits for a child started from `command` with piped output.
    pub fn wait(&self, child: Child) -> Output {
        let out = child.wait_with_output().expect("storyfeed runs");
        self.output(out, "storyfeed (spawned)".to_owned())
    }

    fn output(&self, out: std::process::Output, command: String) -> Output {
        Output {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir: Arc::clone(&self.dir),
            command,
        }
    }
}

/// What a run printed, how it ended, and where it ran.
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// The project directory, kept while the output is.
    dir: Arc<TempDir>,
    command: String,
}

impl Output {
    /// The exit code; `None` when a signal ended the run.
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn assert_success(self) -> Output {
        assert!(self.status.success(), "expected success\n{self}");
        self
    }

    pub fn assert_failure(self) -> Output {
        assert!(!self.status.success(), "expected failure\n{self}");
        self
    }

    pub fn assert_code(self, code: i32) -> Output {
        assert_eq!(self.code(), Some(code), "expected exit code {code}\n{self}");
        self
    }

    /// The project directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A file of the project as text.
    pub fn read(&self, path: impl AsRef<Path>) -> String {
        read(self.path(), path.as_ref())
    }
}

/// The command, its exit status and both streams, for failure messages.
impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} in {}: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.path().display(),
            self.status,
            self.stdout,
            self.stderr
        )
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn read(dir: &Path, path: &Path) -> String {
    let path = dir.join(path);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Copies a file, or a directory with everything in it.
fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::copy(from, to).unwrap_or_else(|e| panic!("copying {}: {e}", from.display()));
    }
}

/// A library `Server` answering on a background thread until stopped or
/// dropped, its log lines kept.
pub struct ServerThread {
    server: std::sync::Arc<storyfeed::serve::Server>,
    thread: Option<std::thread::JoinHandle<Result<(), storyfeed::serve::ServeError>>>,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl ServerThread {
    pub fn start(server: storyfeed::serve::Server) -> ServerThread {
        let server = std::sync::Arc::new(server);
        let running = std::sync::Arc::clone(&server);
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let lines = std::sync::Arc::clone(&log);
        let thread = Some(std::thread::spawn(move || {
            running.run(&|line| lines.lock().unwrap().push(line.to_owned()))
        }));
        ServerThread {
            server,
            thread,
            log,
        }
    }

    /// Stops the server and gives its log: every request answered so far.
    pub fn stop(mut self) -> Vec<String> {
        self.server.stop();
        let thread = self.thread.take().unwrap();
        thread.join().unwrap().unwrap();
        self.log.lock().unwrap().clone()
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.server.local_addr()
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        self.server.stop();
        if let Some(thread) = self.thread.take() {
            let result = thread.join().expect("server thread did not panic");
            if !std::thread::panicking() {
                result.expect("server stopped cleanly");
            }
        }
    }
}
