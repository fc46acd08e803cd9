//! `cargo +nightly fuzz run parse`: any bytes through `parse_bytes` and
//! `explain_str`; the parser must not panic, what it returns must keep its
//! invariants, and every non-blank line must be accounted for (story text,
//! furniture or residue, or reported with a diagnostic naming its line).
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use storyfeed::parse::rules::Role;
use storyfeed::parse::{explain_str, parse_bytes, Severity};

fuzz_target!(|data: &[u8]| {
    let parsed = parse_bytes("fuzz", data);
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut ids = HashSet::new();
    for s in &parsed.stories {
        let id = s.id.as_str();
        assert!(s.start() <= s.end(), "{id}: start after end");
        assert!(!id.is_empty(), "empty id");
        assert!(ids.insert(id.to_owned()), "id {id} twice");
        assert!(!s.sources.is_empty(), "{id}: no sources");
        for src in &s.sources {
            assert_eq!(src.file, "fuzz");
            assert!(
                (1..=lines).contains(&src.line),
                "{id}: line {} of {lines}",
                src.line
            );
        }
        assert!(!s.title.is_empty(), "{id}: empty title");
        assert_eq!(
            s.summary.as_str(),
            s.paragraphs.first().map_or("", String::as_str)
        );
    }
    for d in &parsed.diagnostics {
        if let Some(line) = d.line {
            assert!(
                (1..=lines).contains(&line),
                "diagnostic line {line} of {lines}: {d}"
            );
        }
    }
    if parsed.stories.is_empty() {
        assert!(
            parsed
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error),
            "no stories and no error"
        );
    }
    let text = String::from_utf8_lossy(data);
    let explained = explain_str("fuzz", &text);
    for line in &explained.lines {
        let v = &line.verdict;
        assert_eq!(line.text.is_empty(), v.role == Role::Blank, "line {}", v.line);
        if v.role == Role::Reported {
            assert!(
                explained.parse.diagnostics.iter().any(|d| d.line == Some(v.line)),
                "line {} reported without a diagnostic",
                v.line
            );
        }
    }
});
