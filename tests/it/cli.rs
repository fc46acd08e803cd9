//! The `storyfeed` executable, run the way a user runs it.

use crate::harness::Project;

/// A directory laid out like a checkout: `data/` and nothing else.
fn checkout() -> Project {
    Project::new().shipped_data()
}

#[test]
fn parse_prints_json_lines_of_the_default_corpus_deterministically() {
    let project = checkout();
    let a = project.run(["parse"]).assert_success();
    let b = project.run(["parse", "data/archives"]);
    assert_eq!(a.stdout, b.stdout);
    let lines: Vec<&str> = a.stdout.lines().collect();
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
    let out = checkout().run(["check"]).assert_success();
    assert!(
        out.stdout
            .contains("data/archives/unodc-stories-2020.txt: 110 stories"),
        "{out}"
    );
    assert!(out.stdout.contains("0 errors, 0 warnings"), "{out}");
    // Every merge is printed with both sources and the rule's figures.
    assert_eq!(out.stdout.matches(" merged into ").count(), 8, "{out}");
    assert!(
        out.stdout.contains(
            "data/archives/brussels-liaison-office-latest-news.txt:155 merged into \
             data/archives/eu-unodc-brochure-2021.txt:118: same dates, title rule: 100% of the shorter title's words shared\n"
        ),
        "{out}"
    );
    assert!(
        out.stdout.contains(
            "data/archives/unodc-stories-2020.txt:1242 merged into data/archives/eu-unodc-brochure-2020.txt:113: \
             same dates, body rule: 64% of the shorter opening's words, 80% (12 of 15) of its names and numbers, \
             50% of the title's distinctive words shared\n"
        ),
        "{out}"
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    let project = Project::new();
    for cmd in [&["--help"][..], &["parse", "--help"], &["check", "--help"]] {
        let out = project.run(cmd).assert_success();
        assert!(out.stdout.contains("Example:"), "{cmd:?}: {out}");
    }
}

#[test]
fn bad_input_gets_a_clear_message_and_a_nonzero_exit() {
    let project = Project::new()
        .file("latin1.txt", b"10 May 2021\nCaf\xe9 title\nBody\n")
        .file("empty.txt", b"")
        .file("garbage.txt", [0u8, 159, 146, 150, 255, 0, 1, 2])
        .file("feb31.txt", "31 February 2020: No such day\n\nBody.\n");
    std::fs::create_dir(project.join("nothing-here")).unwrap();

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
            let out = project.run([cmd, arg]).assert_failure();
            let all = out.stdout.clone() + &out.stderr;
            assert!(all.contains(message), "{cmd} {arg}: {all}");
            assert!(!all.contains("panicked"), "{cmd} {arg}: {all}");
        }
    }
}

#[test]
fn check_explain_prints_each_line_with_its_verdict_and_rule() {
    let page = crate::harness::root().join("tests/fixtures/pages/captions.txt");
    let project = Project::new().file("prose.txt", "Just prose.\n\nMore prose.\n");
    let out = project
        .run(["check", "--explain", page.to_str().unwrap()])
        .assert_success();
    let line = |n: usize| {
        out.stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{n} ")))
            .unwrap_or_else(|| panic!("no line {n}: {out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        line(1).starts_with("1 furniture menu Home > News"),
        "{}",
        line(1)
    );
    assert!(
        line(7).starts_with("7 title title-then-place-dateline Port authorities"),
        "{}",
        line(7)
    );
    assert!(
        line(8).starts_with("8 caption caption Dock workers"),
        "{}",
        line(8)
    );
    assert!(
        line(11).starts_with("11 furniture separator ____"),
        "{}",
        line(11)
    );
    assert!(
        line(20).starts_with("20 dateline caption-glued+title-then-place-dateline Image ©"),
        "{}",
        line(20)
    );
    assert!(
        line(31).starts_with("31 date line title-then-date-line 10 February 2020"),
        "{}",
        line(31)
    );
    assert!(out.stdout.contains("7 stories\n"), "{out}");
    assert!(
        out.stdout
            .contains("  line 19: Mobile court hearings reach remote villages in Guinea (2020-01-27; Conakry)"),
        "{out}"
    );

    // A page with no story: every line reported, the forms tried listed, exit 1.
    let out = project
        .run(["check", "--explain", "prose.txt"])
        .assert_failure();
    assert!(out.stdout.contains("no story found; forms tried:"), "{out}");
    assert!(out.stdout.contains("  title-then-date-line: "), "{out}");
    assert!(out.stdout.contains("outside-story"), "{out}");
    let help = project.run(["check", "--help"]).assert_success();
    assert!(help.stdout.contains("--explain <FILE>"), "{help}");
}
