//! The classify stage: real stories labelled by reading them, the rule that
//! a passing list of mandates gives no theme, matching details (case,
//! word boundaries) and the errors a broken taxonomy file gives.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use storyfeed::classify::{Taxonomy, TaxonomyError};
use storyfeed::parse::{parse_file, parse_str, FileParse};
use storyfeed::story::Story;

use crate::classify_labels::{Labelled, AIRCOP, CCP, GFP, GMCP, LABELLED, PAGES_LABELLED, RPSEE};

/// The built-in taxonomy, built once for all tests.
fn builtin() -> &'static Taxonomy {
    static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
    TAXONOMY.get_or_init(Taxonomy::builtin)
}

fn archives() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/archives")
}

fn parse_archive(file: &str) -> FileParse {
    parse_file(&archives().join(file)).expect("archive is readable")
}

/// One story from a small archive in the brochure layout (`date: title`).
fn story(title: &str, paragraphs: &[&str]) -> Story {
    let text = format!("1 March 2021: {title}\n\n{}\n", paragraphs.join("\n\n"));
    let parsed = parse_str("test.txt", &text);
    assert_eq!(parsed.stories.len(), 1, "{:?}", parsed.diagnostics);
    let story = parsed.stories.into_iter().next().unwrap();
    assert_eq!(story.title, title);
    story
}

fn themes(tax: &Taxonomy, title: &str, paragraphs: &[&str]) -> Vec<String> {
    tax.classify(&story(title, paragraphs)).0
}

fn programmes(tax: &Taxonomy, title: &str, paragraphs: &[&str]) -> Vec<String> {
    tax.classify(&story(title, paragraphs)).1
}

#[test]
fn labelled_stories_get_the_themes_and_programmes_a_reader_gives_them() {
    assert!(LABELLED.len() >= 25);
    let tax = builtin();
    let mut files: HashMap<&str, FileParse> = HashMap::new();
    let mut failures = Vec::new();
    for e in LABELLED {
        let parsed = files.entry(e.file).or_insert_with(|| parse_archive(e.file));
        let Some(s) = parsed.stories.iter().find(|s| s.sources[0].line == e.line) else {
            failures.push(format!("{}:{}: no story starts here", e.file, e.line));
            continue;
        };
        if !s.title.starts_with(e.title) {
            failures.push(format!("{}:{}: title {:?}", e.file, e.line, s.title));
            continue;
        }
        let (got_themes, got_programmes) = tax.classify(s);
        if got_themes != e.themes || got_programmes != e.programmes {
            failures.push(format!(
                "{}:{} {}\n  got  {got_themes:?} {got_programmes:?}\n  want {:?} {:?}",
                e.file, e.line, e.title, e.themes, e.programmes
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} labelled stories differ:\n{}",
        failures.len(),
        LABELLED.len(),
        failures.join("\n")
    );
}

#[test]
fn classify_all_fills_every_story_sorted_without_repeats() {
    let tax = builtin();
    let mut corpus = storyfeed::parse::parse_paths(&[archives()]).unwrap();
    tax.classify_all(&mut corpus.stories);
    let mut with_theme = 0;
    for s in &corpus.stories {
        for list in [&s.themes, &s.programmes] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{}: {list:?}", s.id);
        }
        assert_eq!((s.themes.clone(), s.programmes.clone()), tax.classify(s));
        with_theme += usize::from(!s.themes.is_empty());
    }
    // Most stories are about something.
    assert!(with_theme * 10 >= corpus.stories.len() * 8, "{with_theme}");
}

#[test]
fn a_passing_list_of_mandates_gives_no_theme() {
    let tax = builtin();
    let passing = [
        "UNODC Executive Director Ghada Waly paid her first visit to Belgium to discuss \
         cooperation in the fight against the interconnected problems and threats of drugs, \
         organized crime, corruption and terrorism.",
        "With integrated mandates on drugs, crime, corruption, and terrorism, UNODC is well \
         positioned to help governments develop innovative responses.",
        "For over forty years, UNODC has addressed the hybrid threats related to illicit drugs, \
         transnational organized crime, corruption and terrorism.",
    ];
    for p in passing {
        assert_eq!(
            themes(tax, "A visit to Brussels", &[p]),
            Vec::<String>::new(),
            "{p}"
        );
    }
    // All three together, in a longer story, still give nothing.
    assert_eq!(
        themes(tax, "A visit to Brussels", &passing),
        Vec::<String>::new()
    );
    // A list in the title is no more than a list.
    assert_eq!(
        themes(
            tax,
            "Meeting on drugs, organized crime, corruption and terrorism",
            &["Officials met in Brussels."]
        ),
        Vec::<String>::new()
    );
}

#[test]
fn a_theme_named_in_the_title_or_repeatedly_in_the_body_is_given() {
    let tax = builtin();
    assert_eq!(
        themes(tax, "Workshop on corruption in sport", &["Officials met."]),
        ["corruption"]
    );
    let body = "The training covered the investigation of corruption cases. Participants \
                discussed asset declarations and the prosecution of corruption.";
    assert!(themes(tax, "Training in Tirana", &[body]).contains(&"corruption".to_owned()));
    // Named once in a long story about something else: not about it.
    let long = format!(
        "{} The meeting also touched on corruption.",
        "Customs officers of the Port Control Unit trained on container profiling. ".repeat(12)
    );
    let got = themes(tax, "Training at the port", &[long.as_str()]);
    assert!(!got.contains(&"corruption".to_owned()), "{got:?}");
    assert!(got.contains(&"border-control".to_owned()), "{got:?}");
}

#[test]
fn programmes_are_given_when_named_and_imply_their_themes() {
    let tax = builtin();
    let (t, p) = tax.classify(&story(
        "CCP trains customs officers",
        &["The UNODC-WCO Container Control Programme trained officers of the unit."],
    ));
    assert_eq!(p, [CCP]);
    assert_eq!(t, ["border-control"]);
    // Named in passing, a programme is still named.
    assert_eq!(
        programmes(
            tax,
            "Meeting in Vienna",
            &[
                "Officials met in Vienna. AIRCOP was mentioned among many other topics of a \
               long discussion on regional cooperation and future plans for the year."
            ]
        ),
        [AIRCOP]
    );
}

#[test]
fn acronyms_match_only_in_their_own_case() {
    let tax = builtin();
    let body = |w: &str| format!("Officials met and discussed the {w} in detail.");
    assert_eq!(programmes(tax, "Meeting", &[&body("CCP")]), [CCP]);
    assert!(programmes(tax, "Meeting", &[&body("ccp")]).is_empty());
    assert!(programmes(tax, "Meeting", &[&body("Ccp")]).is_empty());
    // "plead", "strive" and "halt" are English words, not the programmes.
    let words = "Defendants plead guilty; countries strive to halt the flows.";
    assert!(programmes(tax, "Meeting", &[words]).is_empty());
    // Phrases are case-insensitive.
    assert_eq!(
        programmes(tax, "Meeting", &[&body("container control programme")]),
        [CCP]
    );
}

#[test]
fn matches_respect_word_boundaries() {
    let tax = builtin();
    assert!(themes(
        tax,
        "The drugstore opens",
        &["The drugstore opened downtown."]
    )
    .is_empty());
    assert!(programmes(
        tax,
        "AIRCOPs",
        &["The AIRCOPs met. XCCP and CCPX are codes."]
    )
    .is_empty());
    assert_eq!(themes(tax, "Drugs seized", &["Officials met."]), ["drugs"]);
    // Punctuation is a boundary: possessives, hyphens, brackets, quotes.
    assert_eq!(
        programmes(tax, "Meeting", &["The CCP’s units (CCP) met."]),
        [CCP]
    );
    assert_eq!(
        themes(tax, "Anti-corruption day", &["Officials met."]),
        ["corruption"]
    );
    assert_eq!(
        programmes(
            tax,
            "Workshop",
            &["A workshop on “Safeguarding sport from corruption”."]
        ),
        ["safeguarding-sport-from-corruption"]
    );
    // A longer alias that fails its boundary leaves a shorter one that fits.
    assert_eq!(
        programmes(
            tax,
            "Campaigns",
            &["Belgium joined the Blue Heart Campaigns."]
        ),
        ["blue-heart-campaign"]
    );
}

#[test]
fn any_text_classifies_without_panicking() {
    let tax = builtin();
    let odd = [
        "",
        " ",
        "ß drugs\u{301} ĲCCP Ω CCP\u{200d} ,,,, and and and",
        "drugs, , , corruption, and, terrorism",
        "\u{feff}CCP",
        "CCP",
        "drugs.drugs.drugs",
    ];
    for p in odd {
        let _ = tax.classify(&story("Title", &[p, "Body."]));
    }
}

#[test]
fn the_builtin_taxonomy_holds_every_required_slug() {
    let tax = builtin();
    let themes: Vec<&str> = tax.themes.iter().map(|c| c.slug.as_str()).collect();
    let programmes: Vec<&str> = tax.programmes.iter().map(|c| c.slug.as_str()).collect();
    for slug in [
        "drugs",
        "corruption",
        "organized-crime",
        "trafficking-in-persons",
        "migrant-smuggling",
        "terrorism-prevention",
        "cybercrime",
        "wildlife-forest-crime",
        "maritime-crime",
        "firearms",
        "money-laundering",
        "criminal-justice",
        "health",
        "border-control",
    ] {
        assert!(themes.contains(&slug), "theme {slug}");
    }
    for slug in [
        CCP,
        AIRCOP,
        GFP,
        GMCP,
        "crimjust",
        "glo-act",
        "strive",
        "blue-heart-campaign",
        "plead",
        RPSEE,
    ] {
        assert!(programmes.contains(&slug), "programme {slug}");
    }
    for c in tax.themes.iter().chain(&tax.programmes) {
        assert!(
            !c.name.is_empty() && !c.description.is_empty(),
            "{}",
            c.slug
        );
    }
    // The shipped file loads from disk the same way.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/taxonomy.toml");
    let loaded = Taxonomy::load(&path).unwrap();
    assert_eq!(loaded.themes.len(), tax.themes.len());
    assert_eq!(loaded.programmes.len(), tax.programmes.len());
}

const MINIMAL: &str = r#"
[[theme]]
slug = "drugs"
name = "Drugs"
description = "Drug control."
terms = ["drugs"]

[[programme]]
slug = "ccp"
name = "Container Control Programme"
description = "Containers."
aliases = ["Container Control Programme"]
acronyms = ["CCP"]
implies = ["drugs"]
"#;

fn parse_err(text: &str) -> String {
    match Taxonomy::parse("tax.toml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_minimal_taxonomy_parses_and_classifies() {
    let tax = Taxonomy::parse("tax.toml", MINIMAL).unwrap();
    assert_eq!(
        tax.classify(&story("The CCP", &["Seized drugs were burned."])),
        (vec!["drugs".to_owned()], vec!["ccp".to_owned()])
    );
}

#[test]
fn broken_toml_is_an_error_with_name_line_and_column() {
    let text = MINIMAL.replace("terms = [\"drugs\"]", "terms = [\"drugs\"");
    let msg = parse_err(&text);
    // The error names the file and the place: `tax.toml:LINE:COL: …`.
    assert!(msg.starts_with("tax.toml:"), "{msg}");
    let mut parts = msg.splitn(4, ':');
    parts.next();
    let line: usize = parts.next().unwrap().parse().expect(&msg);
    let col: usize = parts.next().unwrap().parse().expect(&msg);
    assert!((6..=8).contains(&line), "{msg}");
    assert!(col >= 1, "{msg}");
}

#[test]
fn unknown_keys_are_errors_that_point_at_the_key() {
    let text = MINIMAL.replace("terms = [\"drugs\"]", "terms = [\"drugs\"]\nterm = [\"x\"]");
    let msg = parse_err(&text);
    assert!(msg.starts_with("tax.toml:7:"), "{msg}");
    assert!(msg.contains("term"), "{msg}");
    let msg = parse_err(&format!("colour = \"blue\"\n{MINIMAL}"));
    assert!(msg.starts_with("tax.toml:1:1:"), "{msg}");
}

#[test]
fn semantic_errors_point_at_the_offending_value() {
    // Duplicate slug: points at the second one.
    let dup = format!(
        "{MINIMAL}\n[[theme]]\nslug = \"drugs\"\nname = \"D\"\ndescription = \"D\"\nterms = [\"x\"]\n"
    );
    let msg = parse_err(&dup);
    assert!(msg.contains("duplicate slug"), "{msg}");
    assert!(msg.starts_with("tax.toml:17:8:"), "{msg}");

    let bad_slug = MINIMAL.replace("slug = \"ccp\"", "slug = \"Container Control\"");
    let msg = parse_err(&bad_slug);
    assert!(msg.contains("slug"), "{msg}");
    assert!(msg.starts_with("tax.toml:9:"), "{msg}");

    let no_rules = MINIMAL.replace("terms = [\"drugs\"]", "terms = []");
    assert!(
        parse_err(&no_rules).contains("no terms"),
        "{}",
        parse_err(&no_rules)
    );

    let empty_term = MINIMAL.replace("terms = [\"drugs\"]", "terms = [\"drugs\", \" \"]");
    let msg = parse_err(&empty_term);
    assert!(msg.starts_with("tax.toml:6:"), "{msg}");

    let unknown_theme = MINIMAL.replace("implies = [\"drugs\"]", "implies = [\"drug\"]");
    let msg = parse_err(&unknown_theme);
    assert!(msg.contains("unknown theme"), "{msg}");
    assert!(msg.starts_with("tax.toml:14:"), "{msg}");
}

#[test]
fn load_names_the_missing_file() {
    let path = Path::new("/nonexistent/dir/taxonomy.toml");
    let err = Taxonomy::load(path).unwrap_err();
    assert!(matches!(err, TaxonomyError::Read { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/nonexistent/dir/taxonomy.toml"),
        "{err}"
    );
}

#[test]
fn a_user_taxonomy_adds_a_theme_by_editing_the_file() {
    let text = format!(
        "{MINIMAL}\n[[theme]]\nslug = \"sport\"\nname = \"Sport\"\ndescription = \"Sport.\"\n\
         terms = [\"sport\", \"competition manipulation\"]\n"
    );
    let tax = Taxonomy::parse("tax.toml", &text).unwrap();
    assert_eq!(
        themes(
            &tax,
            "Corruption in sport",
            &["A workshop on competition manipulation."]
        ),
        ["sport"]
    );
}

mod props {
    use proptest::prelude::*;
    use storyfeed::classify::Taxonomy;
    use storyfeed::parse::parse_str;

    const BUILTIN: &str = include_str!("../../data/taxonomy.toml");

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_story_text_classifies_sorted_without_panic(
            title in "\\PC{0,80}",
            body in proptest::collection::vec("(\\PC|drugs|CCP|, and |corruption| ){0,60}", 0..6),
        ) {
            let tax = super::builtin();
            let text = format!("1 March 2021: T {title}\n\n{}\n", body.join("\n\n"));
            let mut parsed = parse_str("p.txt", &text);
            tax.classify_all(&mut parsed.stories);
            for s in &parsed.stories {
                prop_assert!(s.themes.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(s.programmes.windows(2).all(|w| w[0] < w[1]));
            }
        }

        #[test]
        fn any_taxonomy_text_parses_or_names_a_place(text in "\\PC{0,300}") {
            if let Err(e) = Taxonomy::parse("t.toml", &text) {
                prop_assert!(e.to_string().starts_with("t.toml"), "{e}");
            }
        }

        #[test]
        fn the_builtin_taxonomy_edited_at_random_parses_or_names_a_place(
            at in 0usize..BUILTIN.len(),
            insert in "\\PC{0,3}",
            cut in 0usize..20,
        ) {
            let mut at = at;
            while !BUILTIN.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + cut).min(BUILTIN.len());
            while !BUILTIN.is_char_boundary(end) {
                end -= 1;
            }
            let text = format!("{}{insert}{}", &BUILTIN[..at], &BUILTIN[end..]);
            match Taxonomy::parse("t.toml", &text) {
                Ok(t) => prop_assert!(!t.themes.is_empty()),
                Err(e) => {
                    let msg = e.to_string();
                    let mut parts = msg.splitn(4, ':');
                    prop_assert_eq!(parts.next(), Some("t.toml"));
                    let line: usize = parts.next().unwrap_or("").parse().unwrap_or(0);
                    prop_assert!(line >= 1 && line <= text.lines().count() + 1, "{}", msg);
                }
            }
        }
    }
}

/// Per theme and programme: stories given it that a reader gave it too
/// (precision) and stories a reader gave it that got it (recall), over
/// every story labelled by hand. The table is the one in the notes:
/// `cargo test --test it precision_and_recall -- --nocapture`.
#[test]
fn precision_and_recall_per_theme_on_every_labelled_story() {
    let tax = builtin();
    let mut files: HashMap<&str, FileParse> = HashMap::new();
    // slug → (true positives, false positives, false negatives)
    let mut counts: std::collections::BTreeMap<&str, (usize, usize, usize)> = Default::default();
    let mut stories = 0;
    let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    let mut page_files: HashMap<&str, FileParse> = HashMap::new();
    let all = LABELLED
        .iter()
        .map(|e| (e, false))
        .chain(PAGES_LABELLED.iter().map(|e| (e, true)));
    for (e, fixture) in all {
        let parsed = if fixture {
            page_files.entry(e.file).or_insert_with(|| {
                parse_file(&pages.join(e.file)).expect("fixture page is readable")
            })
        } else {
            files.entry(e.file).or_insert_with(|| parse_archive(e.file))
        };
        let s = find_labelled(parsed, e);
        let (themes, programmes) = tax.classify(s);
        stories += 1;
        for (got, want) in [(&themes, e.themes), (&programmes, e.programmes)] {
            for slug in got {
                let c = counts.entry(slug_ref(tax, slug)).or_default();
                if want.contains(&slug.as_str()) {
                    c.0 += 1;
                } else {
                    c.1 += 1;
                }
            }
            for slug in want {
                if !got.iter().any(|g| g == slug) {
                    counts.entry(slug).or_default().2 += 1;
                }
            }
        }
    }
    let mut table = format!("{stories} stories labelled by hand\nslug                                               P      R   (tp fp fn)\n");
    let mut weak = Vec::new();
    for (slug, (tp, fp, fneg)) in &counts {
        let p = *tp as f64 / (tp + fp).max(1) as f64;
        let r = *tp as f64 / (tp + fneg).max(1) as f64;
        table.push_str(&format!(
            "{slug:<48} {p:>5.2}  {r:>5.2}   ({tp} {fp} {fneg})\n"
        ));
        if tp + fp + fneg >= 3 && (p < 0.8 || r < 0.8) {
            weak.push(*slug);
        }
    }
    println!("{table}");
    assert!(counts.len() >= 10, "too few themes labelled:\n{table}");
    assert!(
        weak.is_empty(),
        "below 0.8 precision or recall: {weak:?}\n{table}"
    );
}

/// The story a label is for, checked by its title.
fn find_labelled<'p>(parsed: &'p FileParse, e: &Labelled) -> &'p Story {
    let s = parsed
        .stories
        .iter()
        .find(|s| s.sources[0].line == e.line)
        .unwrap_or_else(|| panic!("{}:{}: no story starts here", e.file, e.line));
    assert!(
        s.title.starts_with(e.title),
        "{}:{}: title {:?}",
        e.file,
        e.line,
        s.title
    );
    s
}

/// `slug` as a `'static` string of the taxonomy (the counts outlive the
/// classification's own strings).
fn slug_ref(tax: &'static Taxonomy, slug: &str) -> &'static str {
    tax.themes
        .iter()
        .chain(&tax.programmes)
        .map(|c| c.slug.as_str())
        .find(|s| *s == slug)
        .expect("a slug of the taxonomy")
}
