//! Unit tests of the whole stage, and two tools for tuning it.

use super::*;

#[test]
fn the_builtin_taxonomy_parses() {
    let t = Taxonomy::parse("data/taxonomy.toml", BUILTIN).unwrap();
    assert!(t.themes.len() >= 14);
    assert!(t.programmes.len() >= 10);
}

/// Why stories get what they get, for tuning the taxonomy:
/// `STORY=unodc-stories-2020.txt:47,… cargo test --release --lib
/// classify::tests::explain -- --ignored --nocapture` (all stories
/// without `STORY`). `~` marks a match that stood in a list.
#[test]
#[ignore = "a tool, not a test"]
fn explain() {
    let tax = Taxonomy::builtin();
    let want = std::env::var("STORY").unwrap_or_default();
    let mut files: Vec<_> = std::fs::read_dir("data/archives")
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let parsed = crate::parse::parse_file(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for s in &parsed.stories {
            let id = format!("{name}:{}", s.sources[0].line);
            if !want.is_empty() && !want.split(',').any(|w| w == id) {
                continue;
            }
            let mut sc = Scratch::default();
            let bytes = tax.tally(s, &mut sc);
            let (themes, programmes) = tax.classify(s);
            println!("{id} {} ({bytes} bytes)", s.title);
            println!("  -> {themes:?} {programmes:?}");
            for (i, slug) in tax.matcher.theme_slugs.iter().enumerate() {
                let (title, body) = (sc.tally.title[i], sc.tally.body[i]);
                if title || body > 0 {
                    println!("     {slug}: title {title} body {body}");
                }
            }
            for text in std::iter::once(&s.title).chain(&s.paragraphs) {
                let mut sc = Scratch::default();
                sc.tally.reset(tax.themes.len(), tax.programmes.len());
                tax.matcher.scan(text, &mut sc.hits, &mut sc.anchors);
                tax.matcher.count(text, false, &tax.settings, &mut sc);
                let shown: Vec<String> = sc
                    .hits
                    .iter()
                    .zip(&sc.in_list)
                    .map(|(h, l)| format!("{}{}", if *l { "~" } else { "" }, &text[h.start..h.end]))
                    .collect();
                if !shown.is_empty() {
                    println!("     | {}", shown.join(" | "));
                }
            }
        }
    }
}

/// `cargo test --release --lib classify::tests::throughput -- --ignored --nocapture`
#[test]
#[ignore = "a measurement, not a test"]
fn throughput() {
    let tax = Taxonomy::builtin();
    let corpus = crate::parse::parse_paths(&[std::path::PathBuf::from("data/archives")]).unwrap();
    let reps = 300;
    let bytes: usize = corpus
        .stories
        .iter()
        .map(|s| s.title.len() + s.paragraphs.iter().map(String::len).sum::<usize>())
        .sum::<usize>()
        * reps;
    let mut stories: Vec<Story> = Vec::new();
    for _ in 0..reps {
        stories.extend(corpus.stories.iter().cloned());
    }
    for round in 0..3 {
        let t = std::time::Instant::now();
        let mut scratch = Scratch::default();
        for story in &stories {
            std::hint::black_box(tax.classify_with(story, &mut scratch));
        }
        let one = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        tax.classify_all(&mut stories);
        let all = t.elapsed().as_secs_f64();
        println!(
            "round {round}: {} stories, {:.1} MB: one thread {one:.2} s, {:.0} MB/s; \
             classify_all {all:.2} s, {:.0} MB/s",
            stories.len(),
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / one,
            bytes as f64 / 1e6 / all
        );
    }
}
