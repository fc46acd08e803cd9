//! `storyfeed explain STORY_ID`: the explanation agrees with the
//! classification on every shipped story, and the command prints the rule
//! behind each theme, the programmes, the correction, and names the
//! closest ids of an unknown one.

use std::path::{Path, PathBuf};

use storyfeed::classify::{Taxonomy, ThemeReason};
use storyfeed::parse::parse_paths;

use crate::changes::{project, ADDED, FIRST};
use crate::harness::{root, Project};

const SEIZURE: &str = "2017-02-14-seizure-of-cocaine-in-the-port-of-guayaquil";
const TRAINING: &str = "2018-03-03-training-on-anti-corruption-for-judges";

/// Every `.txt` under `dir`.
fn pages(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    out.sort();
    out
}

#[test]
fn the_explanation_gives_what_classify_gives_for_every_shipped_story() {
    let tax = Taxonomy::builtin();
    let mut paths = vec![root().join("data/archives")];
    paths.extend(pages(&root().join("tests/fixtures/pages")));
    let corpus = parse_paths(&paths).unwrap();
    assert!(corpus.stories.len() > 150, "{}", corpus.stories.len());
    let (mut given, mut only_in_lists) = (0, 0);
    for story in &corpus.stories {
        let (themes, programmes) = tax.classify(story);
        let e = tax.explain(story);
        assert_eq!(e.given_themes(), themes, "{}", story.id.as_str());
        assert_eq!(e.given_programmes(), programmes, "{}", story.id.as_str());
        for t in &e.themes {
            // Every theme shown matched something, and its reason fits.
            assert!(!t.terms.is_empty(), "{}: {t}", story.id.as_str());
            match &t.reason {
                ThemeReason::Title => assert!(t.terms.iter().any(|c| c.in_title && !c.in_list)),
                ThemeReason::OnlyInLists => assert!(t.terms.iter().all(|c| c.in_list)),
                ThemeReason::Implied { programmes } => {
                    for p in programmes {
                        assert!(e.given_programmes().contains(p), "{t}");
                    }
                }
                _ => {}
            }
            given += usize::from(t.is_given());
            only_in_lists += usize::from(t.reason == ThemeReason::OnlyInLists);
        }
        for p in &e.programmes {
            assert!(!p.terms.is_empty(), "{}: {p}", story.id.as_str());
        }
    }
    // The corpus exercises the rules the command explains (no shipped story
    // gets a theme through a programme alone: the unit tests cover that).
    assert!(given > 150, "{given}");
    assert!(only_in_lists > 0);
}

/// The small project of `changes`, with a correction to each story.
fn corrected() -> Project {
    let p = project(&format!("{FIRST}{ADDED}"));
    let config = p.read("storyfeed.toml");
    p.file(
        "storyfeed.toml",
        format!("{config}corrections = \"corrections.toml\"\n"),
    )
    .file(
        "corrections.toml",
        format!(
            "[[story]]\nid = \"{SEIZURE}\"\nadd_themes = [\"organized-crime\"]\n\n\
             [[story]]\nid = \"{TRAINING}\"\ndrop = true\n"
        ),
    )
}

#[test]
fn explain_prints_each_theme_with_its_rule_the_programmes_and_the_correction() {
    let p = corrected();
    let out = p.run(["explain", SEIZURE]).assert_success();
    let text = &out.stdout;
    let expected = format!(
        "{SEIZURE}
  title: Seizure of cocaine in the port of Guayaquil
  from: archives/a.txt:1
  themes: border-control, drugs, organized-crime
  programmes: container-control-programme
why:
  theme border-control: given by rule `body` (2 counted in the body, 1 needed in a short story)
    'port control units' 1× in the body
    'container control programme' 1× in the body, via programme container-control-programme
  theme drugs: given by rule `title` (named in the title, outside a list)
    'cocaine' 1× in the title
    'cocaine' 1× in the body
    'drugs' 1× in the body
  programme container-control-programme: named
    'container control programme' 1× in the body
correction at corrections.toml:2:6:
  adds theme organized-crime
"
    );
    assert_eq!(text, &expected);
    assert!(out.stderr.is_empty(), "{out}");

    // A story without a correction, whose list of mandates gives nothing.
    let p = p.file(
        "archives/b.txt",
        "1 June 2021 - A new office opens in the capital\n\n\
         The office will work on drugs, corruption, organized crime and terrorism.\n",
    );
    let out = p
        .run(["explain", "2021-06-01-a-new-office-opens-in-the-capital"])
        .assert_success();
    assert!(out.stdout.contains("  themes: none\n"), "{out}");
    assert!(
        out.stdout.contains(
            "  theme corruption: not given, mentioned only in a list of mandates\n    \
             'corruption' 1× in the body, in a list\n"
        ),
        "{out}"
    );
    assert!(!out.stdout.contains("correction"), "{out}");
}

#[test]
fn an_unknown_id_exits_2_and_names_the_closest_or_the_dropping_correction() {
    let p = corrected();
    let out = p
        .run(["explain", "2017-02-14-seizure-of-cocaine"])
        .assert_code(2);
    assert!(out.stdout.is_empty(), "{out}");
    assert!(
        out.stderr.contains(&format!(
            "no story has the id `2017-02-14-seizure-of-cocaine`; the closest ids are `{SEIZURE}`"
        )),
        "{out}"
    );
    // No story that day: the nearest of all.
    let out = p
        .run(["explain", "2019-05-06-human-trafficking-victims-rescued"])
        .assert_code(2);
    assert!(
        out.stderr.contains(
            "the closest ids are `2019-05-05-human-trafficking-victims-rescued-in-nigeria`"
        ),
        "{out}"
    );
    let out = p.run(["explain", TRAINING]).assert_code(2);
    assert!(
        out.stderr.contains(&format!(
            "no story has the id `{TRAINING}`; the correction at corrections.toml:6:6 drops it"
        )),
        "{out}"
    );
    // Published (the build records it in the ledger), then gone.
    p.run(["build"]).assert_success();
    p.write("archives/a.txt", FIRST);
    let added = "2019-05-05-human-trafficking-victims-rescued-in-nigeria";
    let out = p.run(["explain", added]).assert_code(2);
    assert!(
        out.stderr.contains(&format!(
            "no story has the id `{added}` any more: it was published, and has vanished from the archives; \
             the closest ids are `{SEIZURE}`"
        )),
        "{out}"
    );
}

#[test]
fn explain_has_help_with_an_example() {
    let out = Project::new().run(["explain", "--help"]).assert_success();
    assert!(out.stdout.contains("Example:"), "{out}");
    assert!(out.stdout.contains("min_share"), "{out}");
    let out = Project::new().run(["--help"]).assert_success();
    assert!(out.stdout.contains("explain"), "{out}");
}
