//! Unit tests of the whole stage, and two tools for tuning it.

use super::*;

#[test]
fn the_builtin_taxonomy_parses() {
    let t = Taxonomy::parse("data/taxonomy.toml", BUILTIN).unwrap();
    assert!(t.themes.len() >= 14);
    assert!(t.programmes.len() >= 10);
}

fn made_up(title: &str, paragraphs: &[&str]) -> Story {
    let day = chrono::NaiveDate::from_ymd_opt(2021, 6, 1).unwrap();
    let paragraphs: Vec<String> = paragraphs.iter().map(|p| p.to_string()).collect();
    Story {
        id: crate::story::StoryId::new(day, title),
        title: title.to_owned(),
        dates: crate::story::DateRange::day(day),
        year_inferred: false,
        places: vec![],
        summary: paragraphs.first().cloned().unwrap_or_default(),
        paragraphs,
        links: vec![],
        sources: vec![],
        themes: vec![],
        programmes: vec![],
    }
}

/// The explanation of `story` gives what `classify` gives; its theme `slug`.
fn explained(tax: &Taxonomy, story: &Story, slug: &str) -> (Explanation, ThemeExplanation) {
    let e = tax.explain(story);
    let (themes, programmes) = tax.classify(story);
    assert_eq!(e.given_themes(), themes);
    assert_eq!(e.given_programmes(), programmes);
    let theme = e
        .themes
        .iter()
        .find(|t| t.slug == slug)
        .unwrap_or_else(|| panic!("no theme {slug} in {e:#?}"))
        .clone();
    (e, theme)
}

/// Padding for a long story (over `short_story_bytes`) that names no theme.
const FILLER: &str = "The meeting took place over three days in a large hall near the \
    river, with officials from many countries who spoke about their work, their plans for \
    the coming year and the lessons of the past one, and who visited the old town together \
    in the evening before the closing dinner.";

#[test]
fn explain_a_title_match() {
    let tax = Taxonomy::builtin();
    let story = made_up(
        "Cocaine found in a shipment of bananas",
        &["Officers opened it."],
    );
    let (_, drugs) = explained(&tax, &story, "drugs");
    assert_eq!(drugs.verdict, Verdict::Title);
    assert_eq!(drugs.reason, ThemeReason::Title);
    let line = drugs.to_string();
    assert!(
        line.starts_with("theme drugs: given by rule `title`"),
        "{line}"
    );
    assert!(line.contains("'cocaine' 1× in the title"), "{line}");
}

#[test]
fn explain_a_mention_in_a_list_of_mandates() {
    let tax = Taxonomy::builtin();
    let story = made_up(
        "A new office opens in the capital",
        &["The office will work on drugs, corruption, organized crime and terrorism."],
    );
    let (e, corruption) = explained(&tax, &story, "corruption");
    assert!(!corruption.is_given());
    assert_eq!(corruption.reason, ThemeReason::OnlyInLists);
    assert!(corruption.terms.iter().all(|t| t.in_list));
    let line = corruption.to_string();
    assert_eq!(
        line,
        "theme corruption: not given, mentioned only in a list of mandates: \
         'corruption' 1× in the body, in a list"
    );
    assert!(e.given_themes().is_empty(), "{e:#?}");
}

#[test]
fn explain_a_theme_implied_by_a_programme() {
    let tax = Taxonomy::builtin();
    let story = made_up(
        "A new unit opens in the port",
        &["The unit was set up with the help of the Container Control Programme (CCP)."],
    );
    let (e, border) = explained(&tax, &story, "border-control");
    assert!(border.is_given());
    assert_eq!(
        border.reason,
        ThemeReason::Implied {
            programmes: vec!["container-control-programme".to_owned()]
        }
    );
    let line = border.to_string();
    assert!(
        line.starts_with(
            "theme border-control: given by rule `body`, implied by programme \
             container-control-programme (1 counted, 1 needed in a short story)"
        ),
        "{line}"
    );
    assert!(
        line.contains("'CCP' (acronym) 1× in the body, via programme container-control-programme"),
        "{line}"
    );
    assert_eq!(e.given_programmes(), ["container-control-programme"]);
    let programme = e.programmes[0].to_string();
    assert!(
        programme.contains("'container control programme' 1× in the body"),
        "{programme}"
    );
    assert!(
        programme.contains("'CCP' (acronym) 1× in the body"),
        "{programme}"
    );
}

#[test]
fn explain_themes_below_the_thresholds() {
    let tax = Taxonomy::builtin();
    // Long, about drugs; corruption named once, then twice.
    let drugs = "Heroin and cocaine were seized, and the drug trade was discussed.";
    let once = made_up(
        "A meeting in the hall",
        &[FILLER, drugs, "One speaker mentioned corruption.", FILLER],
    );
    let (_, corruption) = explained(&tax, &once, "corruption");
    assert_eq!(corruption.verdict, Verdict::TooFew { count: 1, min: 2 });
    assert_eq!(corruption.reason, ThemeReason::BelowMinMatches);
    assert_eq!(
        corruption.to_string(),
        "theme corruption: not given, below min_matches (1 counted in the body, 2 needed): \
         'corruption' 1× in the body"
    );
    let twice = made_up(
        "A meeting in the hall",
        &[
            FILLER,
            drugs,
            drugs,
            drugs,
            "One speaker mentioned corruption. Another spoke of bribery.",
        ],
    );
    let (e, corruption) = explained(&tax, &twice, "corruption");
    let Verdict::SmallShare { count, strongest } = corruption.verdict else {
        panic!("{corruption:#?}");
    };
    assert_eq!(count, 2);
    assert!(strongest >= 7, "{e:#?}");
    assert_eq!(corruption.reason, ThemeReason::BelowMinShare);
    assert!(
        corruption.to_string().starts_with(
            "theme corruption: not given, below min_share (2 counted in the body, under 30% of the"
        ),
        "{corruption}"
    );
    // The strongest theme is given by the body rule, listed first.
    assert_eq!(e.themes[0].slug, "drugs");
    assert_eq!(e.themes[0].reason, ThemeReason::Body);
    assert_eq!(e.given_themes(), ["drugs"]);
}

/// Why stories get what they get, for tuning the taxonomy, many at once
/// and by archive line (one story by id: `storyfeed explain`):
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
