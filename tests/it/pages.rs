//! The HTML pages as a reader sees them: the index shows the newest
//! stories, theme pages are split into pages that keep their bytes as
//! stories are added, story pages link their themes and neighbours.

use std::collections::BTreeMap;

use crate::harness::Project;
use crate::site::{build, files};

const BASE: &str = "https://example.org/news/";

/// Two themes: every story is about drugs, every third also about crime.
const TAXONOMY: &str = "[[theme]]\nslug = \"drugs\"\nname = \"Drugs\"\n\
    description = \"Drug stories.\"\nterms = [\"drugs\"]\n\n\
    [[theme]]\nslug = \"crime\"\nname = \"Crime\"\n\
    description = \"Crime stories.\"\nterms = [\"crime\"]\n";

/// Story `i` (1-based) is dated `i` days after 31 December 2019, so a
/// higher number is newer.
fn story(i: usize) -> String {
    let date = chrono::NaiveDate::from_ymd_opt(2019, 12, 31).unwrap() + chrono::Days::new(i as u64);
    let crime = if i.is_multiple_of(3) {
        " Crime was also discussed."
    } else {
        ""
    };
    format!(
        "{}: Story number {i} on drugs\n\nSummary {i}: drugs were seized in Town {i}.{crime}\n\n\n",
        date.format("%-d %B %Y")
    )
}

pub(crate) fn archive(count: usize) -> String {
    let mut text = "Made-up stories for the page tests\n\n\n".to_owned();
    for i in (1..=count).rev() {
        text.push_str(&story(i));
    }
    text
}

pub(crate) fn project(count: usize, page_size: usize) -> Project {
    Project::new()
        .config(&config(page_size))
        .file("taxonomy.toml", TAXONOMY)
        .archive("stories.txt", &archive(count))
}

fn config(page_size: usize) -> String {
    format!(
        "title = \"Pages\"\nbase_url = \"{BASE}\"\npage_size = {page_size}\n\
         archives = [\"archives\"]\nledger = \"published.jsonl\"\nout_dir = \"public\"\n\
         taxonomy = \"taxonomy.toml\"\n"
    )
}

/// The story numbers a page links to, in page order (the title link of
/// each listed story, "Story number N on drugs").
fn numbers(page: &str) -> Vec<usize> {
    page.split(">Story number ")
        .skip(1)
        .map(|rest| rest.split(' ').next().unwrap().parse().unwrap())
        .collect()
}

/// The `href` of the link with `rel`, if any.
fn rel(page: &str, rel: &str) -> Option<String> {
    let (_, rest) = page.split_once(&format!("rel=\"{rel}\" href=\"{BASE}"))?;
    Some(rest.split('"').next().unwrap().to_owned())
}

fn theme_files(project: &Project, slug: &str) -> BTreeMap<String, Vec<u8>> {
    files(&project.join("public"))
        .into_iter()
        .filter(|(path, _)| path.starts_with(&format!("themes/{slug}")))
        .collect()
}

#[test]
fn the_index_lists_the_newest_stories_above_the_themes() {
    let project = project(30, 50);
    build(&project);
    let index = project.read("public/index.html");
    // The 20 newest, newest first, then nothing older.
    assert_eq!(numbers(&index), (11..=30).rev().collect::<Vec<_>>());
    let latest = index.find("Story number 30").unwrap();
    assert!(latest < index.find("<h2>Themes</h2>").unwrap());
    // Each with its link, date, place-free summary and theme links.
    assert!(index.contains(&format!(
        "<a href=\"{BASE}stories/2020-01-30-story-number-30-on-drugs.html\">Story number 30 on drugs</a>"
    )));
    assert!(index.contains("<time datetime=\"2020-01-30\">30 January 2020</time>"));
    assert!(index
        .contains("<p>Summary 30: drugs were seized in Town 30. Crime was also discussed.</p>"));
    let item = &index[latest..index[latest..].find("</li>").unwrap() + latest];
    assert!(
        item.contains(&format!("<a href=\"{BASE}themes/drugs.html\">Drugs</a>")),
        "{item}"
    );
    assert!(
        item.contains(&format!("<a href=\"{BASE}themes/crime.html\">Crime</a>")),
        "{item}"
    );
    // The list of themes stays.
    assert!(index.contains(&format!(
        "<a href=\"{BASE}themes/crime.html\">Crime</a> <span class=\"meta\">10 stories"
    )));
}

#[test]
fn a_large_theme_has_pages_each_story_on_exactly_one_linked_in_order() {
    let project = project(11, 4);
    build(&project);
    let pages = theme_files(&project, "drugs");
    assert_eq!(
        pages.keys().collect::<Vec<_>>(),
        [
            "themes/drugs.html",
            "themes/drugs/page-1.html",
            "themes/drugs/page-2.html"
        ]
    );
    let read = |path: &str| String::from_utf8(pages[path].clone()).unwrap();
    // Newest first: the first page holds what the full numbered pages do not.
    assert_eq!(numbers(&read("themes/drugs.html")), [11, 10, 9]);
    assert_eq!(numbers(&read("themes/drugs/page-2.html")), [8, 7, 6, 5]);
    assert_eq!(numbers(&read("themes/drugs/page-1.html")), [4, 3, 2, 1]);
    // Walking `rel="next"` from the first page visits every page once and
    // sees every story once, newest first; `rel="prev"` walks back.
    let mut path = "themes/drugs.html".to_owned();
    let mut seen = Vec::new();
    let mut visited = vec![path.clone()];
    while let Some(older) = rel(&read(&path), "next") {
        assert_eq!(rel(&read(&older), "prev").as_deref(), Some(path.as_str()));
        seen.extend(numbers(&read(&path)));
        visited.push(older.clone());
        path = older;
    }
    seen.extend(numbers(&read(&path)));
    assert_eq!(seen, (1..=11).rev().collect::<Vec<_>>());
    assert_eq!(visited.len(), pages.len());
    assert_eq!(rel(&read("themes/drugs.html"), "prev"), None);
    // The first page says how many stories there are; numbered pages do
    // not (they would change with every story).
    assert!(read("themes/drugs.html").contains("11 stories"));
    assert!(!read("themes/drugs/page-1.html").contains("11 stories"));
    // A theme that fits on one page has no pager.
    let crime = project.read("public/themes/crime.html");
    assert_eq!(numbers(&crime), [9, 6, 3]);
    assert!(!crime.contains("rel=\"next\"") && !crime.contains("rel=\"prev\""));
}

#[test]
fn a_new_story_changes_the_first_page_and_numbered_pages_keep_their_bytes() {
    let project = project(11, 4);
    build(&project);
    let before = theme_files(&project, "drugs");

    // A 12th story fills the first page: nothing else changes.
    project.write("archives/stories.txt", archive(12));
    build(&project);
    let after = theme_files(&project, "drugs");
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let changed: Vec<&String> = after.keys().filter(|k| before[*k] != after[*k]).collect();
    assert_eq!(changed, ["themes/drugs.html"]);
    assert_eq!(
        numbers(&project.read("public/themes/drugs.html")),
        [12, 11, 10, 9]
    );

    // A 13th: the full first page becomes page 3, the new story is alone
    // on the first page; pages 1 and 2 keep their stories, and only the
    // "newer" link of page 2 (now to page 3) changes.
    project.write("archives/stories.txt", archive(13));
    build(&project);
    let last = theme_files(&project, "drugs");
    assert_eq!(numbers(&project.read("public/themes/drugs.html")), [13]);
    assert_eq!(
        numbers(&project.read("public/themes/drugs/page-3.html")),
        [12, 11, 10, 9]
    );
    assert_eq!(
        last["themes/drugs/page-1.html"],
        after["themes/drugs/page-1.html"]
    );
    let page2 = String::from_utf8(after["themes/drugs/page-2.html"].clone()).unwrap();
    let relinked = page2.replace(
        &format!("rel=\"prev\" href=\"{BASE}themes/drugs.html\""),
        &format!("rel=\"prev\" href=\"{BASE}themes/drugs/page-3.html\""),
    );
    assert_ne!(relinked, page2);
    assert_eq!(last["themes/drugs/page-2.html"], relinked.into_bytes());
    // And the build from the same input is the same.
    let fresh = self::project(13, 4);
    build(&fresh);
    assert_eq!(theme_files(&fresh, "drugs"), last);
}

#[test]
fn numbered_pages_no_longer_needed_are_removed() {
    let project = project(11, 4);
    build(&project);
    assert!(project.join("public/themes/drugs/page-2.html").is_file());
    project.write("storyfeed.toml", config(50));
    let out = build(&project);
    assert_eq!(
        theme_files(&project, "drugs").keys().collect::<Vec<_>>(),
        ["themes/drugs.html"]
    );
    assert!(out.stdout.contains(" 2 removed"), "{out}");
    assert!(!project.join("public/themes/drugs").exists());
    // A theme taken out of the taxonomy loses its numbered pages too.
    project.write("storyfeed.toml", config(2));
    build(&project);
    assert!(project.join("public/themes/crime/page-1.html").is_file());
    let drugs_only = TAXONOMY.split("\n\n[[theme]]").next().unwrap().to_owned() + "\n";
    project.write("taxonomy.toml", drugs_only);
    build(&project);
    assert!(theme_files(&project, "crime").is_empty());
    assert!(!project.join("public/themes/crime").exists());
}

#[test]
fn story_pages_link_their_themes_and_more_from_their_first_theme() {
    let project = project(12, 50);
    build(&project);
    // Themes in the story's order (its first theme first), then "More
    // from" the first one.
    let page = project.read("public/stories/2020-01-09-story-number-9-on-drugs.html");
    let themes = format!(
        "Themes: <a href=\"{BASE}themes/crime.html\">Crime</a> <a href=\"{BASE}themes/drugs.html\">Drugs</a>"
    );
    assert!(page.contains(&themes), "{page}");
    let (_, more) = page.split_once("More from").expect("a More from section");
    assert!(
        more.starts_with(&format!(" <a href=\"{BASE}themes/crime.html\">Crime</a>")),
        "{more}"
    );
    assert_eq!(numbers(more), [12, 6, 3]);
    // Its neighbours, newest first: the five published just before it.
    let page = project.read("public/stories/2020-01-08-story-number-8-on-drugs.html");
    assert!(
        page.contains(&format!(
            "Themes: <a href=\"{BASE}themes/drugs.html\">Drugs</a> </p>"
        )),
        "{page}"
    );
    let (_, more) = page.split_once("More from").unwrap();
    assert!(
        more.starts_with(&format!(" <a href=\"{BASE}themes/drugs.html\">Drugs</a>")),
        "{more}"
    );
    assert_eq!(numbers(more), [7, 6, 5, 4, 3]);
    // The oldest stories have fewer older ones: the nearest newer complete them.
    let first = project.read("public/stories/2020-01-01-story-number-1-on-drugs.html");
    let (_, more) = first.split_once("More from").unwrap();
    assert_eq!(numbers(more), [6, 5, 4, 3, 2]);
    let second = project.read("public/stories/2020-01-02-story-number-2-on-drugs.html");
    let (_, more) = second.split_once("More from").unwrap();
    assert_eq!(numbers(more), [6, 5, 4, 3, 1]);

    // A newer story changes no page of the older ones (but the oldest
    // few, whose neighbours include newer stories).
    let stories = |p: &Project| -> BTreeMap<String, Vec<u8>> {
        files(&p.join("public"))
            .into_iter()
            .filter(|(k, _)| k.starts_with("stories/"))
            .collect()
    };
    let before = stories(&project);
    project.write("archives/stories.txt", archive(13));
    build(&project);
    let after = stories(&project);
    let changed: Vec<&String> = before.keys().filter(|k| before[*k] != after[*k]).collect();
    assert!(changed.is_empty(), "{changed:?}");
}
