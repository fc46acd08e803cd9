//! Archived feeds (RFC 5005 §4) as a client reads them: from each current
//! document, `prev-archive` (RSS, Atom, read with feed-rs) or `next_url`
//! (JSON Feed) leads through archives that together with it hold every
//! story of the feed once; a new story leaves full archives alone, a
//! corrected one changes only the archive that holds it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use storyfeed::catalog::Catalog;
use storyfeed::config::Config;

use crate::harness::Project;
use crate::pages::archive;
use crate::site::{build, files};

const BASE: &str = "https://example.org/unodc/";
const LIMIT: usize = 3;

/// One document as read: its entries' ids and its RFC 5005 links.
struct Doc {
    ids: Vec<String>,
    prev: Option<String>,
    next: Option<String>,
    current: Option<String>,
    archive: bool,
    complete: bool,
}

/// A path under the site for an absolute URL of it.
fn path_of(url: &str) -> String {
    url.strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{url} is not under {BASE}"))
        .to_owned()
}

fn read_doc(site: &Path, path: &str) -> Doc {
    let bytes = std::fs::read(site.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    if path.ends_with(".json") {
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let ids = json["items"].as_array().unwrap().iter();
        return Doc {
            ids: ids.map(|i| i["id"].as_str().unwrap().to_owned()).collect(),
            prev: json["next_url"].as_str().map(path_of),
            next: None,
            current: None,
            archive: false,
            complete: false,
        };
    }
    let feed = feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{path}: {e}"));
    let link = |rel: &str| {
        let mut found = feed.links.iter().filter(|l| l.rel.as_deref() == Some(rel));
        let first = found.next().map(|l| path_of(&l.href));
        assert!(found.next().is_none(), "{path}: two {rel} links");
        first
    };
    let text = String::from_utf8(bytes.clone()).unwrap();
    let fh = text.contains("xmlns:fh=\"http://purl.org/syndication/history/1.0\"");
    Doc {
        ids: feed.entries.iter().map(|e| e.id.clone()).collect(),
        prev: link("prev-archive"),
        next: link("next-archive"),
        current: link("current"),
        archive: fh && text.contains("<fh:archive/>"),
        complete: fh && text.contains("<fh:complete/>"),
    }
}

/// The permalinks a client collects walking from `stem.ext` (checking
/// the links back on the way), and the documents it read.
fn walk(site: &Path, stem: &str, ext: &str) -> (Vec<String>, Vec<String>) {
    let start = format!("{stem}.{ext}");
    let mut ids = Vec::new();
    let mut seen = vec![start.clone()];
    let first = read_doc(site, &start);
    assert!(!first.archive && first.current.is_none(), "{start}");
    assert!(first.next.is_none(), "{start}");
    assert_eq!(
        first.complete,
        ext != "json" && first.prev.is_none(),
        "{start}"
    );
    ids.extend(first.ids);
    let mut newer: Option<String> = None;
    let mut prev = first.prev;
    while let Some(path) = prev {
        assert!(
            !seen.contains(&path),
            "{path} twice in the chain of {start}"
        );
        let doc = read_doc(site, &path);
        assert_eq!(doc.ids.len(), LIMIT, "{path}: an archive is a full page");
        if ext != "json" {
            assert!(doc.archive && !doc.complete, "{path}: fh:archive");
            assert_eq!(doc.current.as_deref(), Some(start.as_str()), "{path}");
            assert_eq!(doc.next, newer, "{path}: next-archive");
        }
        newer = Some(path.clone());
        seen.push(path);
        ids.extend(doc.ids);
        prev = doc.prev;
    }
    (ids, seen)
}

/// The stem of each feed (`feeds/themes/drugs`) and its stories'
/// permalinks, newest first, as the library loads them.
fn expected(project: &Project) -> Vec<(String, Vec<String>)> {
    let config = Config::load(&project.join("storyfeed.toml")).unwrap();
    let catalog = Catalog::load(&config).unwrap();
    let link = |s: &storyfeed::story::Story| format!("{BASE}stories/{}.html", s.id);
    let mut feeds = vec![(
        "feeds/all".to_owned(),
        catalog.stories.iter().map(link).collect(),
    )];
    for theme in &catalog.taxonomy.themes {
        let of = catalog
            .stories
            .iter()
            .filter(|s| s.themes.contains(&theme.slug));
        feeds.push((
            format!("feeds/themes/{}", theme.slug),
            of.map(link).collect(),
        ));
    }
    for programme in &catalog.taxonomy.programmes {
        let of = catalog
            .stories
            .iter()
            .filter(|s| s.programmes.contains(&programme.slug));
        feeds.push((
            format!("feeds/programmes/{}", programme.slug),
            of.map(link).collect(),
        ));
    }
    feeds
}

#[test]
fn walking_from_each_current_document_collects_every_story_of_the_feed_once() {
    let project = Project::new().shipped_data().config(&format!(
        "base_url = \"{BASE}\"\nfeed_item_limit = {LIMIT}\n"
    ));
    project.run(["build"]).assert_success();
    let site = project.join("public");
    let feeds = expected(&project);
    let mut walked = BTreeSet::new();
    let mut with_archives = 0;
    for (stem, stories) in &feeds {
        for ext in ["rss", "atom", "json"] {
            let (ids, docs) = walk(&site, stem, ext);
            assert_eq!(
                &ids, stories,
                "{stem}.{ext}: every story once, newest first"
            );
            // The current document: the newest LIMIT, at most 2*LIMIT - 1.
            let current = read_doc(&site, &format!("{stem}.{ext}")).ids.len();
            assert!(current >= LIMIT.min(stories.len()) && current < 2 * LIMIT);
            with_archives += usize::from(docs.len() > 1);
            walked.extend(docs);
        }
    }
    // All stories, and many themes and programmes, have archives.
    assert!(with_archives > 3 * 20, "{with_archives}");
    // No archive outside the chains (stale or unlinked).
    let on_disk: BTreeSet<String> = files(&site)
        .into_keys()
        .filter(|p| p.starts_with("feeds/"))
        .collect();
    assert_eq!(on_disk, walked);
}

const TAXONOMY: &str = "[[theme]]\nslug = \"drugs\"\nname = \"Drugs\"\n\
    description = \"Drug stories.\"\nterms = [\"drugs\"]\n\n\
    [[theme]]\nslug = \"crime\"\nname = \"Crime\"\n\
    description = \"Crime stories.\"\nterms = [\"crime\"]\n";

/// `count` made-up stories (`pages::archive`: all about drugs, every
/// third also about crime), archives of LIMIT stories.
pub(crate) fn small(count: usize) -> Project {
    Project::new()
        .config(&format!(
            "title = \"Archives\"\nbase_url = \"{BASE}\"\nfeed_item_limit = {LIMIT}\n\
             archives = [\"archives\"]\nledger = \"published.jsonl\"\nout_dir = \"public\"\n\
             taxonomy = \"taxonomy.toml\"\n"
        ))
        .file("taxonomy.toml", TAXONOMY)
        .archive("stories.txt", &archive(count))
}

/// An archive file with story `i` of `pages::archive` alone.
pub(crate) fn new_story(i: usize) -> String {
    let all = archive(i);
    let older = archive(i - 1);
    let at = all.find(&format!(": Story number {i} on")).unwrap();
    let start = all[..at].rfind('\n').unwrap() + 1;
    let end = start + all.len() - older.len();
    format!("{}{}", &all[..start], &all[start..end])
}

/// Feed files whose bytes differ between two builds, new ones included,
/// and those removed.
fn feed_changes(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> (Vec<String>, Vec<String>) {
    let feeds = |m: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        m.iter()
            .filter(|(p, _)| p.starts_with("feeds/"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect()
    };
    let (before, after) = (feeds(before), feeds(after));
    let changed = after
        .iter()
        .filter(|(p, b)| before.get(*p) != Some(*b))
        .map(|(p, _)| p.clone())
        .collect();
    let removed = before
        .keys()
        .filter(|p| !after.contains_key(*p))
        .cloned()
        .collect();
    (changed, removed)
}

#[test]
fn a_new_story_changes_the_current_document_and_at_most_one_archive_per_feed() {
    let project = small(10);
    build(&project);
    for count in 11..=17 {
        let before = files(&project.join("public"));
        project.write("archives/stories.txt", archive(count));
        build(&project);
        let after = files(&project.join("public"));
        let (changed, removed) = feed_changes(&before, &after);
        assert!(removed.is_empty(), "{count}: {removed:?}");
        for stem in ["feeds/all", "feeds/themes/drugs", "feeds/themes/crime"] {
            for ext in ["rss", "atom", "json"] {
                let archives: Vec<&String> = changed
                    .iter()
                    .filter(|p| p.starts_with(&format!("{stem}/")) && p.ends_with(ext))
                    .collect();
                let old: Vec<&&String> = archives
                    .iter()
                    .filter(|p| before.contains_key(**p))
                    .collect();
                let new = archives.len() - old.len();
                // A new archive is made when the current document reaches
                // 2*LIMIT; the one before it then gains its next-archive
                // link, and keeps its entries.
                assert!(
                    new <= 1 && old.len() <= new,
                    "{count} {stem}.{ext}: {archives:?}"
                );
                for path in old {
                    let site = project.join("public");
                    let was = std::str::from_utf8(&before[*path]).unwrap();
                    assert!(!was.contains("next-archive"), "{path}");
                    assert_eq!(read_doc(&site, path).ids.len(), LIMIT);
                }
                // Walking still finds each story once.
                let (ids, _) = walk(&project.join("public"), stem, ext);
                let unique: BTreeSet<_> = ids.iter().collect();
                assert_eq!(unique.len(), ids.len(), "{count} {stem}.{ext}");
            }
        }
        let (all, _) = walk(&project.join("public"), "feeds/all", "atom");
        assert_eq!(all.len(), count);
    }
}

#[test]
fn a_corrected_story_rewrites_only_the_archive_that_holds_it() {
    let project = small(14);
    build(&project);
    let before = files(&project.join("public"));
    // Story 2 is in archive 1 of all stories and of drugs (not about crime).
    let text = archive(14).replace(
        "drugs were seized in Town 2.",
        "drugs were burnt in Town 2.",
    );
    project.write("archives/stories.txt", text);
    build(&project);
    let after = files(&project.join("public"));
    let (changed, removed) = feed_changes(&before, &after);
    assert!(removed.is_empty());
    let expected: Vec<String> = ["feeds/all", "feeds/themes/drugs"]
        .into_iter()
        .flat_map(|stem| ["atom", "json", "rss"].map(|ext| format!("{stem}/archive-1.{ext}")))
        .collect();
    assert_eq!(changed, expected);
    assert!(String::from_utf8_lossy(&after["feeds/all/archive-1.atom"]).contains("burnt"));
}

#[test]
fn a_feed_that_shrinks_loses_its_stale_archives() {
    let project = small(12);
    build(&project);
    assert!(project.join("public/feeds/all/archive-3.rss").exists());
    project.write("archives/stories.txt", archive(5));
    build(&project);
    assert!(!project.join("public/feeds/all").exists());
    assert!(!project.join("public/feeds/themes/drugs").exists());
    let (ids, docs) = walk(&project.join("public"), "feeds/all", "rss");
    assert_eq!((ids.len(), docs.len()), (5, 1));
}
