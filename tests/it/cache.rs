//! The build cache (`public/.storyfeed-cache`): a rebuild that trusts it
//! writes the same bytes as a build from scratch, rewrites only what
//! changed, notices files changed behind its back, and a damaged cache is
//! ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use storyfeed::parse::parse_paths;

use crate::harness::{root, Output, Project};
use crate::site::{build, files, shipped};

const CACHE: &str = "public/.storyfeed-cache";

/// The site's files, without the cache.
fn site_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = files(&dir.join("public"));
    assert!(
        files.remove(".storyfeed-cache").is_some(),
        "no cache written"
    );
    files
}

fn mtimes(dir: &Path) -> BTreeMap<String, SystemTime> {
    site_files(dir)
        .into_keys()
        .map(|rel| {
            let time = fs::metadata(dir.join("public").join(&rel))
                .unwrap()
                .modified()
                .unwrap();
            (rel, time)
        })
        .collect()
}

fn set_mtime(path: &Path, time: SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

/// Makes the next build trust every stamp in the cache, as if the last
/// build were long past. (A stamp as new as the cache file itself is not
/// trusted: an edit in the same clock tick as the build would not show.)
fn age_cache(dir: &Path) {
    set_mtime(
        &dir.join(CACHE),
        SystemTime::now() + Duration::from_secs(3600),
    );
}

/// How many files the build took as unchanged on the cache's word.
fn reused(out: &Output) -> usize {
    let (before, _) = out
        .stdout
        .split_once(" per the build cache)")
        .unwrap_or_else(|| panic!("{out}"));
    before.rsplit('(').next().unwrap().parse().unwrap()
}

/// The project built again from scratch: its archives, config, taxonomy
/// and ledger copied to a new directory with no output yet.
fn from_scratch(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut fresh = Project::new();
    for entry in fs::read_dir(dir.join("archives")).unwrap() {
        let path = entry.unwrap().path();
        let name = Path::new("archives").join(path.file_name().unwrap());
        fresh = fresh.file(name, fs::read(&path).unwrap());
    }
    for name in ["storyfeed.toml", "published.jsonl", "taxonomy.toml"] {
        if dir.join(name).exists() {
            fresh = fresh.file(name, fs::read(dir.join(name)).unwrap());
        }
    }
    build(&fresh);
    site_files(fresh.path())
}

#[test]
fn a_corrected_title_rewrites_only_the_files_that_show_it() {
    let project = shipped();
    let first = build(&project);
    assert_eq!(reused(&first), 0);
    // A story whose title is written once in the archives.
    let texts: Vec<(String, String)> = fs::read_dir(project.join("archives"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let text = fs::read_to_string(&path).unwrap();
            (path.to_str().unwrap().to_owned(), text)
        })
        .collect();
    let stories = parse_paths(&[project.join("archives")]).unwrap().stories;
    let story = stories
        .iter()
        .skip(5)
        .find(|s| {
            texts
                .iter()
                .map(|(_, text)| text.matches(s.title.as_str()).count())
                .sum::<usize>()
                == 1
        })
        .expect("a story with a title written once");
    let (path, text) = texts
        .iter()
        .find(|(_, text)| text.contains(story.title.as_str()))
        .unwrap();
    let edited = format!("{} Zqxv", story.title);
    age_cache(project.path());
    let before = site_files(project.path());
    let times = mtimes(project.path());
    std::thread::sleep(Duration::from_millis(20));

    fs::write(path, text.replace(story.title.as_str(), &edited)).unwrap();
    let out = build(&project);
    let after = site_files(project.path());
    assert_eq!(after, from_scratch(project.path()));
    // The ledger keeps the story's id, so the same files exist.
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let changed: BTreeSet<&String> = before.keys().filter(|k| before[*k] != after[*k]).collect();
    let page = format!("stories/{}.html", story.id);
    assert!(changed.contains(&page), "{changed:?}");
    for rel in &changed {
        let bytes = String::from_utf8_lossy(&after[*rel]);
        assert!(
            bytes.contains("Zqxv"),
            "{rel} changed but does not show the story"
        );
    }
    // Nothing else was rewritten, and the rest was not even read (but for
    // the small files every build renders).
    let now = mtimes(project.path());
    let rewritten: BTreeSet<&String> = times.keys().filter(|k| times[*k] != now[*k]).collect();
    assert_eq!(rewritten, changed);
    let always = ["index.html", "feeds.opml", "style.css"].map(str::to_owned);
    let rendered = changed
        .iter()
        .copied()
        .chain(&always)
        .collect::<BTreeSet<_>>();
    assert_eq!(reused(&out), before.len() - rendered.len(), "{out:?}");
}

#[test]
fn new_settings_or_taxonomy_give_what_a_build_from_scratch_gives() {
    let project = shipped();
    let config_path = project.join("storyfeed.toml");
    let taxonomy_path = project.join("taxonomy.toml");
    fs::copy(root().join("data/taxonomy.toml"), &taxonomy_path).unwrap();
    let config = fs::read_to_string(&config_path).unwrap();
    let config: String = config
        .lines()
        .map(|l| {
            if l.starts_with("taxonomy = ") {
                "taxonomy = \"taxonomy.toml\"\n".to_owned()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    fs::write(&config_path, &config).unwrap();
    build(&project);

    let edit = |path: &Path, from: &str, to: &str| {
        let text = fs::read_to_string(path).unwrap();
        assert!(text.contains(from), "{from}");
        fs::write(path, text.replacen(from, to, 1)).unwrap();
    };
    let changes: [(&str, &Path, &str, &str, &str); 7] = [
        (
            "site title",
            &config_path,
            "title = \"Test site\"",
            "title = \"Renamed site\"",
            "stories/",
        ),
        (
            "base URL",
            &config_path,
            "base_url = \"https://example.org/unodc/\"",
            "base_url = \"https://example.net/news/\"",
            "themes/",
        ),
        (
            "WebSub hub",
            &config_path,
            "out_dir = \"public\"",
            "out_dir = \"public\"\nwebsub_hub = \"https://hub.example/\"",
            "feeds/",
        ),
        (
            "page size",
            &config_path,
            "feed_item_limit = 20",
            "feed_item_limit = 20\npage_size = 3",
            "themes/drugs.html",
        ),
        (
            "theme name",
            &taxonomy_path,
            "name = \"Drugs\"",
            "name = \"Narcotics\"",
            "feeds/themes/drugs.rss",
        ),
        (
            "matching rule",
            &taxonomy_path,
            "min_matches = 2",
            "min_matches = 1",
            "feeds/all.rss",
        ),
        (
            "feed item limit (archive pages)",
            &config_path,
            "feed_item_limit = 20",
            "feed_item_limit = 7",
            "feeds/all/",
        ),
    ];
    for (what, path, from, to, shown_in) in changes {
        age_cache(project.path());
        let before = site_files(project.path());
        edit(path, from, to);
        let out = build(&project);
        let after = site_files(project.path());
        assert_eq!(after, from_scratch(project.path()), "{what}");
        assert_ne!(after, before, "{what} changed nothing");
        // Every file of the kind that shows the change was rendered anew.
        // Archives do not link the hub: nobody subscribes to them.
        let shows = |k: &str| !(what == "WebSub hub" && k.contains("/archive-"));
        let stale = after
            .keys()
            .filter(|k| k.starts_with(shown_in) && shows(k) && before.get(*k) == after.get(*k))
            .count();
        assert!(
            what == "matching rule" || stale == 0,
            "{what}: {stale} stale"
        );
        assert!(reused(&out) < before.len(), "{what}");
    }
}

#[test]
fn files_deleted_or_edited_by_hand_are_restored() {
    let project = shipped();
    build(&project);
    age_cache(project.path());
    let before = site_files(project.path());
    let public = project.join("public");
    let pages: Vec<&String> = before
        .keys()
        .filter(|k| k.starts_with("stories/"))
        .take(4)
        .collect();
    std::thread::sleep(Duration::from_millis(20));

    fs::remove_file(public.join(pages[0])).unwrap();
    fs::remove_file(public.join("feeds/all.rss")).unwrap();
    fs::write(public.join(pages[1]), "defaced").unwrap();
    fs::write(public.join("themes/drugs.html"), "defaced").unwrap();
    // The same length, other bytes: told apart by the modification time.
    let mut same_length = before[pages[2]].clone();
    same_length[..7].copy_from_slice(b"DEFACED");
    fs::write(public.join(pages[2]), &same_length).unwrap();
    // The same length and time, but another file (a copy put in place):
    // told apart by the inode.
    let target = public.join(pages[3]);
    let time = fs::metadata(&target).unwrap().modified().unwrap();
    let mut copy = before[pages[3]].clone();
    copy[..7].copy_from_slice(b"DEFACED");
    let tmp = public.join("stories/copy.tmp");
    fs::write(&tmp, &copy).unwrap();
    set_mtime(&tmp, time);
    fs::rename(&tmp, &target).unwrap();

    let out = build(&project);
    assert_eq!(site_files(project.path()), before);
    assert!(out.stdout.contains(" 6 files written"), "{out}");
    assert!(reused(&out) > before.len() / 2, "{out}");
}

#[test]
fn a_damaged_cache_is_ignored() {
    let project = shipped();
    build(&project);
    let before = site_files(project.path());
    let good = fs::read(project.join(CACHE)).unwrap();
    let page = project
        .join("public")
        .join(before.keys().find(|k| k.starts_with("stories/")).unwrap());
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 1;
    // Whole, but of another format version.
    let mut other_format = good[..good.len() - 8].to_vec();
    assert_eq!(&other_format[..16], b"storyfeed-cache1");
    other_format[15] = b'0';
    let sum = xxhash_rust::xxh3::xxh3_64(&other_format);
    other_format.extend_from_slice(&sum.to_le_bytes());
    let damaged: [(&str, Vec<u8>); 5] = [
        ("empty", Vec::new()),
        ("garbage", b"not a cache at all, just words".repeat(100)),
        ("truncated", good[..good.len() - 9].to_vec()),
        ("one bit flipped", flipped),
        ("another format", other_format),
    ];
    for (what, bytes) in damaged {
        // An edit in place that keeps length, time and inode: invisible
        // to a trusted cache, so restoring it shows the cache was not used.
        let time = fs::metadata(&page).unwrap().modified().unwrap();
        let mut file = fs::File::options().write(true).open(&page).unwrap();
        std::io::Write::write_all(&mut file, b"DEFACED").unwrap();
        file.set_modified(time).unwrap();
        drop(file);
        fs::write(project.join(CACHE), &bytes).unwrap();
        age_cache(project.path());

        let out = build(&project);
        assert_eq!(site_files(project.path()), before, "{what}");
        assert_eq!(reused(&out), 0, "{what}");
        assert_ne!(fs::read(project.join(CACHE)).unwrap(), bytes, "{what}");
    }
}

#[test]
fn a_story_page_shows_its_neighbours_as_they_are_now() {
    // Story pages show "More from" their first theme: other stories'
    // titles, links and dates, which must be in the page's key.
    let project = crate::pages::project(12, 50);
    build(&project);
    age_cache(project.path());
    let before = site_files(project.path());
    std::thread::sleep(Duration::from_millis(20));

    let text = crate::pages::archive(12)
        .replace("Story number 5 on drugs", "Story number 5 on drugs Zqxv");
    project.write("archives/stories.txt", text);
    let out = build(&project);
    let after = site_files(project.path());
    assert_eq!(after, from_scratch(project.path()));
    let changed: BTreeSet<&String> = before.keys().filter(|k| before[*k] != after[*k]).collect();
    // Story 8 is not story 5, but lists it among the five before it.
    let neighbour = "stories/2020-01-08-story-number-8-on-drugs.html".to_owned();
    assert!(changed.contains(&neighbour), "{changed:?}");
    for rel in &changed {
        let bytes = String::from_utf8_lossy(&after[*rel]);
        assert!(
            bytes.contains("Zqxv"),
            "{rel} changed but does not show the story"
        );
    }
    // Pages that do not show it were taken on the cache's word.
    assert!(reused(&out) > 0, "{out}");
    assert!(
        !String::from_utf8_lossy(&after["stories/2020-01-12-story-number-12-on-drugs.html"])
            .contains("Zqxv")
    );
}

#[test]
fn archives_trusted_from_the_cache_are_what_a_build_from_scratch_gives() {
    // Archives of 3: story 12 makes archive 3, which archive 2 then links
    // to (`next-archive`); story 13 changes no archive; a corrected story
    // changes the archive that holds it. New stories come in files of
    // their own: a story's key holds its source lines.
    let project = crate::archives::small(11);
    build(&project);
    let corrected = crate::pages::archive(11).replace("seized in Town 4.", "burnt in Town 4.");
    let steps = [
        ("archives/new-12.txt", crate::archives::new_story(12)),
        ("archives/new-13.txt", crate::archives::new_story(13)),
        ("archives/stories.txt", corrected),
    ];
    for (path, text) in steps {
        age_cache(project.path());
        let before = site_files(project.path());
        std::thread::sleep(Duration::from_millis(20));
        project.write(path, text);
        let out = build(&project);
        let after = site_files(project.path());
        assert_eq!(after, from_scratch(project.path()), "{path}");
        assert_ne!(after, before, "{path}");
        // Archive 1 of all stories shows none of the changes.
        assert_eq!(
            after["feeds/all/archive-1.atom"], before["feeds/all/archive-1.atom"],
            "{path}"
        );
        assert!(reused(&out) > 0, "{path}: {out}");
    }
}
