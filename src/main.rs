//! The `storyfeed` binary: parse arguments, run, print the error chain once.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("storyfeed: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
