//! `storyfeed build --changes FILE`: the list of files a build wrote and
//! removed, checked against the files that really changed on disk, and the
//! README's rclone recipe run on a real list.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::harness::{root, Output, Project};
use crate::site::files;

pub(crate) const FIRST: &str = "\
14 February 2017 - Seizure of cocaine in the port of Guayaquil

Port control units of the Container Control Programme seized two tonnes of cocaine in Guayaquil, Ecuador. The drugs were hidden in a shipment of bananas bound for Europe.

3 March 2018 - Training on anti-corruption for judges

Judges from ten countries attended a course on corruption cases and asset recovery, organised by UNODC in Vienna.
";

pub(crate) const ADDED: &str = "
5 May 2019 - Human trafficking victims rescued in Nigeria

Police rescued forty victims of trafficking in persons, women and children, with support from UNODC in Lagos, Nigeria.
";

const ADDED_PAGE: &str = "stories/2019-05-05-human-trafficking-victims-rescued-in-nigeria.html";

/// A project with one archive and the shipped taxonomy, built into `public/`.
pub(crate) fn project(archive: &str) -> Project {
    let taxonomy = root().join("data/taxonomy.toml");
    Project::new()
        .config(&format!(
            "base_url = \"https://example.org/\"\narchives = [\"archives\"]\n\
             ledger = \"published.jsonl\"\ntaxonomy = {:?}\n",
            taxonomy.display().to_string()
        ))
        .archive("a.txt", archive)
}

fn build(project: &Project, list: &str) -> Output {
    project.run(["build", "--changes", list]).assert_success()
}

/// The site's files without the build cache.
fn site(project: &Project) -> BTreeMap<String, Vec<u8>> {
    let mut files = files(&project.join("public"));
    files.retain(|rel, _| !rel.starts_with(".storyfeed"));
    files
}

/// The lines of a change list, checked to be sorted by path.
fn lines(project: &Project, list: &str) -> Vec<String> {
    let text = project.read(list);
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let paths: Vec<&str> = lines.iter().map(|l| &l[2..]).collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted, "not sorted by path:\n{text}");
    assert!(text.is_empty() || text.ends_with('\n'));
    lines
}

/// What differs between two snapshots of the site, as a change list would say.
fn diff(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let paths: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    paths
        .into_iter()
        .filter_map(|p| match (before.get(p), after.get(p)) {
            (_, Some(new)) if before.get(p) != Some(new) => Some(format!("+ {p}")),
            (Some(_), None) => Some(format!("- {p}")),
            _ => None,
        })
        .collect()
}

#[test]
fn the_list_is_what_changed_on_disk_and_empty_for_an_unchanged_rebuild() {
    let project = project(FIRST);
    build(&project, "first.txt");
    let first = lines(&project, "first.txt");
    let built = site(&project);
    assert_eq!(first, diff(&BTreeMap::new(), &built));
    assert!(first.contains(&"+ index.html".to_owned()), "{first:?}");
    assert!(!first.iter().any(|l| l.contains(".storyfeed")), "{first:?}");

    build(&project, "again.txt");
    assert_eq!(
        project.read("again.txt"),
        "",
        "an unchanged rebuild changes nothing"
    );
    assert_eq!(site(&project), built);
}

#[test]
fn adding_a_story_lists_its_page_its_feeds_its_theme_page_and_the_index() {
    let project = project(FIRST);
    build(&project, "first.txt");
    let before = site(&project);
    project.write("archives/a.txt", format!("{FIRST}{ADDED}"));
    build(&project, "added.txt");
    let after = site(&project);
    let listed = lines(&project, "added.txt");
    assert_eq!(listed, diff(&before, &after));

    // The new story is about trafficking in persons and names no programme.
    let mut expected: BTreeSet<String> = [
        "index.html",
        ADDED_PAGE,
        "themes/trafficking-in-persons.html",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    for group in ["feeds/all", "feeds/themes/trafficking-in-persons"] {
        for ext in ["rss", "atom", "json"] {
            expected.insert(format!("{group}.{ext}"));
        }
    }
    // Feeds with no items are dated by the oldest story: a newer story
    // leaves them alone.
    let empty = before
        .iter()
        .filter(|(rel, bytes)| {
            rel.ends_with(".json")
                && serde_json::from_slice::<serde_json::Value>(bytes).unwrap()["items"]
                    .as_array()
                    .unwrap()
                    .is_empty()
        })
        .count();
    assert!(empty > 0, "the test site has empty feeds");
    let expected: Vec<String> = expected.into_iter().map(|p| format!("+ {p}")).collect();
    assert_eq!(listed, expected);
}

#[test]
fn removing_a_story_lists_its_page_as_removed() {
    let project = project(&format!("{FIRST}{ADDED}"));
    build(&project, "first.txt");
    let before = site(&project);
    project.write("archives/a.txt", FIRST);
    build(&project, "removed.txt");
    let listed = lines(&project, "removed.txt");
    assert_eq!(listed, diff(&before, &site(&project)));
    let removed: Vec<&String> = listed.iter().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(removed, [&format!("- {ADDED_PAGE}")]);
    assert!(listed.contains(&"+ feeds/all.rss".to_owned()), "{listed:?}");
}

/// The README's `sed` lines of the rclone recipe, in order.
fn recipe() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let (_, rest) = readme
        .split_once("<!-- rclone recipe -->")
        .expect("README has the rclone recipe");
    let block = rest.split("```").nth(1).expect("a code block");
    block
        .lines()
        .filter(|l| l.starts_with("sed "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readme_rclone_recipe_splits_a_real_change_list() {
    let project = project(&format!("{FIRST}{ADDED}"));
    // Archives of one story: the corrected story's archive is rewritten,
    // the newest archive goes with the story that is gone.
    let config = project.read("storyfeed.toml");
    project.write("storyfeed.toml", format!("{config}feed_item_limit = 1\n"));
    build(&project, "first.txt");
    // One story's text corrected, another gone.
    project.write(
        "archives/a.txt",
        FIRST.replace("two tonnes", "three tonnes"),
    );
    build(&project, "changes.txt");
    let listed = lines(&project, "changes.txt");
    let sed = recipe();
    assert_eq!(sed.len(), 3, "{sed:?}");
    let status = std::process::Command::new("sh")
        .args(["-euc", &sed.join("\n")])
        .current_dir(project.path())
        .status()
        .unwrap();
    assert!(status.success());
    let read =
        |name: &str| -> Vec<String> { project.read(name).lines().map(str::to_owned).collect() };
    let (pages, rest) = (read("upload-pages.txt"), read("upload-rest.txt"));
    let deleted = read("delete.txt");
    // Every `+` path in exactly one upload list, story pages apart.
    let mut uploads: Vec<String> = pages.iter().chain(&rest).cloned().collect();
    uploads.sort();
    let plus: Vec<String> = listed
        .iter()
        .filter_map(|l| l.strip_prefix("+ "))
        .map(str::to_owned)
        .collect();
    assert_eq!(uploads, plus);
    // Story pages and feed archives get the long cache headers.
    let long_lived = |p: &String| p.starts_with("stories/") || p.contains("/archive-");
    assert!(pages.iter().all(long_lived), "{pages:?}");
    assert!(!rest.iter().any(long_lived), "{rest:?}");
    assert!(pages.iter().any(|p| p.contains("cocaine")), "{pages:?}");
    assert!(
        pages.contains(&"feeds/all/archive-1.rss".to_owned()),
        "{pages:?}"
    );
    assert!(rest.contains(&"feeds/all.rss".to_owned()), "{rest:?}");
    assert!(
        deleted.contains(&"feeds/all/archive-2.rss".to_owned()),
        "{deleted:?}"
    );
    let not_archives: Vec<&String> = deleted
        .iter()
        .filter(|p| !p.contains("/archive-"))
        .collect();
    assert_eq!(not_archives, [ADDED_PAGE]);
    assert!(!Path::new(&project.join("public").join(ADDED_PAGE)).exists());
}
