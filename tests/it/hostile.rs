//! Hostile input on the feed side: markup in stories, the taxonomy and the
//! settings comes back from every feed format as text, never as elements;
//! a bad setting stops the build before anything is written.
//!
//! The site is `tests/fixtures/hostile/` (made-up stories, a one-theme
//! taxonomy, a config), copied to a temporary directory and built with the
//! binary, as a user builds it; `scripts/check-hostile.sh` reads the same
//! site with Python feedparser.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use feed_rs::model::Feed;

/// What every hostile text in the fixture holds, each as written.
const HOSTILE: [&str; 5] = [
    "<img src=x>",
    "<script>alert(1)</script>",
    "<evil/>",
    "&amp;",
    "a < b > c",
];

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn storyfeed(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storyfeed"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The fixture built in a temporary directory; the site is in `public/`.
fn built() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    let out = storyfeed(dir.path(), &["build", "--config", "storyfeed.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// How a reader takes a field: as plain text, or as HTML it renders.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Text,
    Html,
}

/// The five HTML character references `html_escape` writes, decoded.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Text fields hold the hostile strings as they are; HTML fields hold no
/// element but the paragraphs we write, and give the strings back once
/// their character references are decoded.
fn check(kind: Kind, what: &str, value: &str) {
    let text = match kind {
        Kind::Text => value.to_owned(),
        Kind::Html => {
            let bare = value.replace("<p>", "").replace("</p>", "");
            assert!(!bare.contains('<'), "{what}: markup in {value:?}");
            assert!(value.contains("&lt;img src=x&gt;"), "{what}: {value:?}");
            unescape(value)
        }
    };
    for h in HOSTILE {
        assert!(
            text.contains(h),
            "{what} ({kind:?}): {h:?} not in {value:?}"
        );
    }
}

fn read_feed(path: &Path) -> Feed {
    let bytes = std::fs::read(path).unwrap();
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn markup_comes_back_from_every_feed_format_as_text() {
    let dir = built();
    let site = dir.path().join("public");
    // The fixture holds what this test looks for.
    let archive = std::fs::read_to_string(fixture().join("archives/hostile.txt")).unwrap();
    assert!(HOSTILE.iter().all(|h| archive.contains(h)));

    for feed in ["feeds/all", "feeds/themes/drugs"] {
        for ext in ["rss", "atom", "json"] {
            let what = format!("{feed}.{ext}");
            let parsed = read_feed(&site.join(&what));
            // RSS descriptions are HTML (RSS 2.0: "entity-encoded HTML is
            // allowed"); titles and categories are text (RSS Best Practices
            // Profile). Atom says `type="text"`; JSON Feed's title, summary
            // and tags are text by definition. Content is HTML everywhere.
            let description = if ext == "rss" { Kind::Html } else { Kind::Text };
            let title = parsed.title.as_ref().unwrap();
            check(Kind::Text, &format!("{what} title"), &title.content);
            let subtitle = parsed.description.as_ref().unwrap();
            check(
                description,
                &format!("{what} description"),
                &subtitle.content,
            );
            if ext != "rss" {
                check(
                    Kind::Text,
                    &format!("{what} author"),
                    parsed.authors[0].name.as_deref().unwrap(),
                );
            }
            let entry = &parsed.entries[0];
            let title = entry.title.as_ref().unwrap();
            check(Kind::Text, &format!("{what} entry title"), &title.content);
            let summary = entry.summary.as_ref().unwrap();
            check(description, &format!("{what} summary"), &summary.content);
            let content = entry.content.as_ref().unwrap().body.as_ref().unwrap();
            check(Kind::Html, &format!("{what} content"), content);
            let category = &entry.categories[0];
            let name = category.label.as_ref().unwrap_or(&category.term);
            check(Kind::Text, &format!("{what} category"), name);
        }
    }

    // Pages and the OPML file: askama and `html_escape` escape every value.
    for rel in [
        "index.html",
        "themes/drugs.html",
        "feeds.opml",
        "stories/2020-03-03-markup-img-src-x-meets-script-alert-1-script-evil-amp-and-a.html",
    ] {
        let text = std::fs::read_to_string(site.join(rel)).unwrap();
        for tag in ["<img", "<script", "<evil"] {
            assert!(!text.contains(tag), "{rel}: {tag}");
        }
    }
}

#[test]
fn a_bad_setting_stops_the_build_naming_file_line_column_and_field() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture().join("archives"), &dir.path().join("archives"));
    // A NUL made RSS that is not well-formed XML, with exit 0.
    std::fs::write(
        dir.path().join("storyfeed.toml"),
        "title = \"Test\"\narchives = [\"archives\"]\nlanguage = \"en\\u0000\"\n",
    )
    .unwrap();
    let out = storyfeed(dir.path(), &["build", "--config", "storyfeed.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("storyfeed.toml:3:12: language: \"en\\u{0}\" is not a BCP 47 language tag"),
        "{stderr}"
    );
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["archives", "storyfeed.toml"]);
}
