//! `cargo +nightly fuzz run dates`: any text through the date grammar and
//! the page rules; nothing may panic, what is read must be a prefix of the
//! text, and a resolved range never ends before it starts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storyfeed::parse::dates::{parse_date_prefix, PageDates};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Each line is a date of one page; the first is also the heading.
    let read: Vec<_> = text
        .lines()
        .filter_map(|line| {
            let (date, n) = parse_date_prefix(line)?;
            assert!(line.is_char_boundary(n) && n <= line.len(), "{line:?}: {n}");
            Some((date, &line[..n]))
        })
        .collect();
    let heading = text.lines().next().and_then(|l| l.parse::<i32>().ok());
    let (page, note) = PageDates::new(
        heading,
        read.iter().enumerate().map(|(i, (d, t))| (d, *t, i + 1)),
    );
    if let Some(note) = note {
        assert!((1..=read.len()).contains(&note.line));
    }
    let mut before = None;
    for (date, _) in &read {
        let year = date.written_year().or_else(|| page.year_for(date, before, None));
        if let Ok(range) = page.resolve(date, year) {
            assert!(range.start() <= range.end());
            before = Some(range);
        }
    }
});
