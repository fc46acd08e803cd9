//! `storyfeed build` and `serve` as a user runs them: feeds read back with
//! an independent parser (feed-rs), rebuilds, escaping, the id ledger.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;

use chrono::{TimeZone, Utc};
use storyfeed::classify::Taxonomy;
use storyfeed::parse::parse_paths;

use crate::harness::{root, Output, Project};

const BASE: &str = "https://example.org/unodc/";
const LIMIT: usize = 20;

/// A project with a site config: `archives/` in, `public/` out, the
/// ledger in `published.jsonl`, the shipped taxonomy.
pub(crate) fn project() -> Project {
    let taxonomy = root().join("data/taxonomy.toml");
    Project::new().config(&format!(
        "title = \"Test site\"\nbase_url = \"{BASE}\"\nfeed_item_limit = {LIMIT}\n\
         archives = [\"archives\"]\nledger = \"published.jsonl\"\nout_dir = \"public\"\n\
         taxonomy = {:?}\n",
        taxonomy.display().to_string()
    ))
}

/// `project()` with three of the shipped archives.
pub(crate) fn shipped() -> Project {
    [
        "brussels-liaison-office-latest-news.txt",
        "eu-unodc-brochure-2021.txt",
        "unodc-stories-2020.txt",
    ]
    .into_iter()
    .fold(project(), Project::shipped_archive)
}

pub(crate) fn build(project: &Project) -> Output {
    project
        .run(["build", "--config", "storyfeed.toml"])
        .assert_success()
}

/// Every file of a built site, by relative path.
pub(crate) fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn every_feed_reads_back_with_ids_links_dates_and_counts_of_its_stories() {
    let project = shipped();
    build(&project);
    let site = project.join("public");

    // The stories as the library sees them, to check the feeds against.
    let mut stories = parse_paths(&[project.join("archives")]).unwrap().stories;
    let taxonomy = Taxonomy::load(&root().join("data/taxonomy.toml")).unwrap();
    taxonomy.classify_all(&mut stories);
    let mut groups: Vec<(String, Vec<&storyfeed::story::Story>)> =
        vec![("feeds/all".to_owned(), stories.iter().collect())];
    for t in &taxonomy.themes {
        groups.push((
            format!("feeds/themes/{}", t.slug),
            stories
                .iter()
                .filter(|s| s.themes.contains(&t.slug))
                .collect(),
        ));
    }
    for p in &taxonomy.programmes {
        groups.push((
            format!("feeds/programmes/{}", p.slug),
            stories
                .iter()
                .filter(|s| s.programmes.contains(&p.slug))
                .collect(),
        ));
    }
    assert!(groups.iter().filter(|(_, s)| !s.is_empty()).count() > 10);

    for (stem, group) in &groups {
        // The current document: the newest LIMIT and those newer than the
        // newest full archive (`archives.rs` walks the rest).
        let archived = (group.len() / LIMIT).saturating_sub(1) * LIMIT;
        let current = group.len() - archived;
        let expected: Vec<&storyfeed::story::Story> = group.iter().take(current).copied().collect();
        for ext in ["rss", "atom", "json"] {
            let path = site.join(format!("{stem}.{ext}"));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let feed =
                feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{stem}.{ext}: {e}"));
            assert_eq!(feed.entries.len(), expected.len(), "{stem}.{ext}");
            for (entry, story) in feed.entries.iter().zip(&expected) {
                let permalink = format!("{BASE}stories/{}.html", story.id);
                // RSS guids and Atom/JSON ids are the permalink.
                assert_eq!(entry.id, permalink, "{stem}.{ext}");
                assert_eq!(entry.links[0].href, permalink, "{stem}.{ext}");
                assert_eq!(
                    entry.title.as_ref().unwrap().content,
                    story.title,
                    "{stem}.{ext}"
                );
                let date = Utc.from_utc_datetime(&story.start().and_hms_opt(0, 0, 0).unwrap());
                assert_eq!(
                    entry.published.or(entry.updated),
                    Some(date),
                    "{stem}.{ext}"
                );
            }
            let ids: std::collections::HashSet<_> = feed.entries.iter().map(|e| &e.id).collect();
            assert_eq!(ids.len(), feed.entries.len(), "unique ids in {stem}.{ext}");
            if let Some(first) = expected.first() {
                if ext != "json" {
                    let newest =
                        Utc.from_utc_datetime(&first.start().and_hms_opt(0, 0, 0).unwrap());
                    assert_eq!(feed.updated, Some(newest), "{stem}.{ext}");
                }
            }
            let text = String::from_utf8(bytes).unwrap();
            for link in text.split("href=\"").skip(1) {
                assert!(
                    link.starts_with(BASE) || link.starts_with("http"),
                    "relative link in {stem}.{ext}: {link:.60}"
                );
            }
        }
    }
    // Atom: author and a self link; RSS: atom:link rel="self".
    let atom = std::fs::read_to_string(site.join("feeds/all.atom")).unwrap();
    assert!(
        atom.contains("<author>")
            && atom.contains(&format!("href=\"{BASE}feeds/all.atom\" rel=\"self\""))
    );
    let rss = std::fs::read_to_string(site.join("feeds/all.rss")).unwrap();
    assert!(rss.contains(&format!(
        "<atom:link href=\"{BASE}feeds/all.rss\" rel=\"self\""
    )));
    // Every story has its page, and the OPML lists every RSS feed.
    for s in &stories {
        assert!(
            site.join(format!("stories/{}.html", s.id)).is_file(),
            "{}",
            s.id
        );
    }
    let opml = std::fs::read_to_string(site.join("feeds.opml")).unwrap();
    assert_eq!(opml.matches("xmlUrl=").count(), groups.len());
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains(&format!("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Test site (RSS)\" href=\"{BASE}feeds/all.rss\">")));
}

#[test]
fn a_rebuild_is_byte_identical_and_rewrites_nothing() {
    let project = shipped();
    let first = build(&project);
    let site = project.join("public");
    let before = files(&site);
    let mtime = std::fs::metadata(site.join("feeds/all.rss"))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = build(&project);
    assert_eq!(before, files(&site));
    assert_eq!(
        std::fs::metadata(site.join("feeds/all.rss"))
            .unwrap()
            .modified()
            .unwrap(),
        mtime
    );
    assert!(second.stdout.contains(" 0 files written"), "{second}");
    assert!(first.stdout.contains(" 0 unchanged"), "{first}");
}

#[test]
fn markup_and_quotes_in_titles_survive_and_controls_are_dropped() {
    let title = "Tom & Jerry <b>\"bold\"</b> 'single' \u{1}ctl \u{fffe}x";
    let page = format!("Page\n\n30 July 2023\n{title}\nSummary with <tag> & \"quotes\". more\n");
    let project = project().archive("odd.txt", &page);
    build(&project);
    let site = project.join("public");
    let want = "Tom & Jerry <b>\"bold\"</b> 'single' ctl x";
    for ext in ["rss", "atom", "json"] {
        let bytes = std::fs::read(site.join(format!("feeds/all.{ext}"))).unwrap();
        let feed = feed_rs::parser::parse(&bytes[..]).unwrap();
        assert_eq!(
            feed.entries[0].title.as_ref().unwrap().content,
            want,
            "{ext}"
        );
        // An RSS description is HTML to readers: it carries the text escaped
        // (feed-rs hands it over as written); Atom and JSON say it is text.
        let summary = feed.entries[0].summary.as_ref().map(|s| s.content.clone());
        let want_summary = if ext == "rss" {
            "Summary with &lt;tag&gt; &amp; \"quotes\"."
        } else {
            "Summary with <tag> & \"quotes\"."
        };
        assert_eq!(summary.as_deref(), Some(want_summary), "{ext}");
    }
    let pages: Vec<_> = files(&site.join("stories")).into_values().collect();
    let html = String::from_utf8(pages[0].clone()).unwrap();
    assert!(
        html.contains("Tom &#38; Jerry &#60;b&#62;") || html.contains("Tom &amp; Jerry &lt;b&gt;"),
        "{html}"
    );
}

#[test]
fn a_corrected_title_keeps_its_published_id_and_a_removed_story_is_reported() {
    let page = |title: &str| {
        format!("Page\n\n30 July 2023\n{title}\nThe body of the story. more\n\n1 June 2023\nSecond story\nOther body. more\n")
    };
    let project = project().archive("a.txt", &page("Launch of the UNDOC report"));
    build(&project);
    let old_id = "2023-07-30-launch-of-the-undoc-report";
    assert!(project
        .join(format!("public/stories/{old_id}.html"))
        .is_file());
    let ledger = project.read("published.jsonl");
    assert!(ledger.contains(old_id), "{ledger}");

    project.write("archives/a.txt", page("Launch of the UNODC report"));
    let out = build(&project);
    assert!(project
        .join(format!("public/stories/{old_id}.html"))
        .is_file());
    assert!(!project
        .join("public/stories/2023-07-30-launch-of-the-unodc-report.html")
        .exists());
    let feed = std::fs::read(project.join("public/feeds/all.atom")).unwrap();
    let feed = feed_rs::parser::parse(&feed[..]).unwrap();
    assert_eq!(feed.entries[0].id, format!("{BASE}stories/{old_id}.html"));
    assert_eq!(
        feed.entries[0].title.as_ref().unwrap().content,
        "Launch of the UNODC report"
    );
    assert!(out.stderr.contains("keeps its published id"), "{out}");

    // Removing a story: the build says so, and its page goes.
    project.write(
        "archives/a.txt",
        "Page\n\n1 June 2023\nSecond story\nOther body. more\n",
    );
    let out = build(&project);
    assert!(
        out.stderr.contains(&format!(
            "published story `{old_id}` is no longer in the archives"
        )),
        "{out}"
    );
    assert!(!project
        .join(format!("public/stories/{old_id}.html"))
        .exists());
    assert!(out.stdout.contains(" 1 removed"), "{out}");
}

#[test]
fn a_reader_subscribes_over_http_and_gets_304_on_a_conditional_get() {
    let project = shipped();
    build(&project);
    let mut child = KillOnDrop(
        project
            .command(["serve", "--dir", "public", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let get = |path: &str, extra: &str| {
        let mut s = TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        resp
    };
    let first = get("/feeds/all.rss", "");
    assert!(first.starts_with("HTTP/1.1 200"), "{first:.200}");
    let header = |name: &str| {
        first
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
            .map(|l| l.split_once(':').unwrap().1.trim().to_owned())
    };
    assert!(header("content-type")
        .unwrap()
        .starts_with("application/rss+xml"));
    let etag = header("etag").expect("an ETag");
    assert!(header("last-modified").is_some());
    let again = get("/feeds/all.rss", &format!("If-None-Match: {etag}\r\n"));
    assert!(again.starts_with("HTTP/1.1 304"), "{again:.200}");
    let atom = get("/feeds/all.atom", "");
    assert!(atom
        .to_ascii_lowercase()
        .contains("content-type: application/atom+xml"));
}

/// Kills the server when the test ends, also when an assertion fails.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

#[test]
fn build_takes_archive_files_and_directories_without_a_config() {
    use crate::changes::{ADDED, FIRST};
    // No storyfeed.toml: archives in a directory and a file elsewhere.
    let project = Project::new()
        .file("inbox/a.txt", FIRST)
        .file("inbox/nested/notes.md", "not an archive")
        .file("more/b.txt", ADDED.trim_start());
    let out = project
        .run(["build", "inbox", "more/b.txt", "--out", "site"])
        .assert_success();
    assert!(out.stdout.starts_with("3 stories;"), "{out}");
    let feed = feed_rs::parser::parse(project.read("site/feeds/all.atom").as_bytes()).unwrap();
    let titles: Vec<_> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert_eq!(
        titles,
        [
            "Human trafficking victims rescued in Nigeria",
            "Training on anti-corruption for judges",
            "Seizure of cocaine in the port of Guayaquil"
        ]
    );
    // The paths given replace the config's archives.
    let project = project.config("archives = [\"nowhere\"]\n");
    let out = project
        .run(["build", "inbox", "--out", "site"])
        .assert_success();
    assert!(out.stdout.starts_with("2 stories;"), "{out}");
    assert!(project.join("site/stories").read_dir().unwrap().count() == 2);
    // A path that is not there cannot be built from.
    let out = project
        .run(["build", "missing", "--out", "site"])
        .assert_code(2);
    assert!(out.stderr.contains("missing"), "{out}");
}
