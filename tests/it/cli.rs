//! The `storyfeed` executable, run the way a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn storyfeed(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storyfeed"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("storyfeed runs")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn parse_prints_json_lines_of_the_default_corpus_deterministically() {
    let a = storyfeed(&["parse"], &root());
    assert!(a.status.success(), "{}", text(&a.stderr));
    let b = storyfeed(&["parse", "data/archives"], &root());
    assert_eq!(a.stdout, b.stdout);
    let lines: Vec<&str> = std::str::from_utf8(&a.stdout).unwrap().lines().collect();
    assert!(lines.len() > 150, "{}", lines.len());
    for line in &lines {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for key in [
            "id",
            "title",
            "start",
            "end",
            "year_inferred",
            "places",
            "paragraphs",
            "summary",
            "links",
            "sources",
        ] {
            assert!(v.get(key).is_some(), "{key} missing in {line}");
        }
    }
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["start"], "2023-07-30");
    assert_eq!(
        first["sources"][0]["file"],
        "data/archives/brussels-liaison-office-latest-news.txt"
    );
    assert_eq!(first["sources"][0]["line"], 3);
}

#[test]
fn check_reports_counts_and_passes_on_the_shipped_corpus() {
    let out = storyfeed(&["check"], &root());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("data/archives/unodc-stories-2020.txt: 110 stories"),
        "{stdout}"
    );
    assert!(stdout.contains("0 errors, 0 warnings"), "{stdout}");
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in [&["--help"][..], &["parse", "--help"], &["check", "--help"]] {
        let out = storyfeed(cmd, &root());
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("Example:"), "{cmd:?}");
    }
}

#[test]
fn bad_input_gets_a_clear_message_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("latin1.txt"), b"10 May 2021\nCaf\xe9 title\nBody\n").unwrap();
    std::fs::write(d.join("empty.txt"), b"").unwrap();
    std::fs::write(d.join("garbage.txt"), [0u8, 159, 146, 150, 255, 0, 1, 2]).unwrap();
    std::fs::write(
        d.join("feb31.txt"),
        "31 February 2020: No such day\n\nBody.\n",
    )
    .unwrap();
    std::fs::create_dir(d.join("nothing-here")).unwrap();

    let cases: &[(&str, &str)] = &[
        ("missing.txt", "cannot read missing.txt"),
        (
            "nothing-here",
            "no archives (*.txt) in directory nothing-here",
        ),
        (
            "latin1.txt",
            "latin1.txt:2: error: not UTF-8 text: invalid byte 0xe9 at byte offset 15",
        ),
        ("empty.txt", "empty.txt: error: empty file"),
        ("garbage.txt", "garbage.txt:1: error: not UTF-8 text"),
        (
            "feb31.txt",
            "feb31.txt:1: error: unrecognised date `31 February 2020`",
        ),
    ];
    for (arg, message) in cases {
        for cmd in ["parse", "check"] {
            let out = storyfeed(&[cmd, arg], d);
            let all = text(&out.stdout) + &text(&out.stderr);
            assert!(!out.status.success(), "{cmd} {arg}: {all}");
            assert!(all.contains(message), "{cmd} {arg}: {all}");
            assert!(!all.contains("panicked"), "{cmd} {arg}: {all}");
        }
    }
}
