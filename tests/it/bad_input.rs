//! A build over input with errors: a bad byte costs the story it is in a
//! replacement character, not the file's stories, and nothing an earlier
//! build published is removed until the input is clean again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

const ARCHIVE: &str = "unodc-stories-2020.txt";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A project directory with a copy of the shipped archives, its own ledger
/// and output directory.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let archives = dir.path().join("archives");
    std::fs::create_dir(&archives).unwrap();
    for entry in std::fs::read_dir(root().join("data/archives")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            std::fs::copy(&path, archives.join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        dir.path().join("storyfeed.toml"),
        format!(
            "base_url = \"https://example.org/unodc/\"\narchives = [\"archives\"]\n\
             ledger = \"published.jsonl\"\nout_dir = \"public\"\ntaxonomy = {:?}\n",
            root().join("data/taxonomy.toml").display().to_string()
        ),
    )
    .unwrap();
    dir
}

fn build(dir: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_storyfeed"))
        .args(["build", "--config", "storyfeed.toml"])
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The names of the story pages of a built site.
fn story_pages(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir.join("public/stories"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// No page of `before` is missing from `after`, and no other is there.
fn assert_same_pages(before: &BTreeSet<String>, after: &BTreeSet<String>) {
    let missing: Vec<_> = before.difference(after).collect();
    let added: Vec<_> = after.difference(before).collect();
    assert!(
        missing.is_empty() && added.is_empty(),
        "{} pages removed: {missing:?}; added: {added:?}",
        missing.len()
    );
}

/// Replaces the first `find` in the project's copy of the archive with
/// `with`; returns the 1-based line and byte offset where it was.
fn edit_archive(dir: &Path, find: &[u8], with: &[u8]) -> (usize, usize) {
    let path = dir.join("archives").join(ARCHIVE);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(find.len())
        .position(|w| w == find)
        .unwrap_or_else(|| panic!("{:?} not in {ARCHIVE}", text(find)));
    bytes.splice(at..at + find.len(), with.iter().copied());
    std::fs::write(&path, &bytes).unwrap();
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    (line, at)
}

#[test]
fn one_bad_byte_costs_a_replacement_character_not_the_files_stories() {
    let dir = project();
    let first = build(dir.path());
    assert!(first.status.success(), "{}", text(&first.stderr));
    let pages = story_pages(dir.path());
    assert!(pages.len() > 150, "{} pages", pages.len());

    // A space in a body paragraph becomes 0xFF.
    let (line, offset) = edit_archive(dir.path(), b"co-chaired by", b"co-chaired\xffby");
    let offset = offset + "co-chaired".len();
    let again = build(dir.path());
    let stderr = text(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{stderr}");
    let message = format!(
        "{ARCHIVE}:{line}: error: not UTF-8 text: invalid byte 0xff at byte offset {offset}"
    );
    assert!(stderr.contains(&message), "{message}\n{stderr}");
    assert!(!stderr.contains("stale file"), "nothing is stale: {stderr}");
    assert_same_pages(&pages, &story_pages(dir.path()));
    assert!(
        text(&again.stdout).contains(" 0 removed;"),
        "{}",
        text(&again.stdout)
    );

    // The story shows the replacement character; the others are as before.
    let page = dir.path().join(
        "public/stories/2020-12-28-unodc-wco-container-control-programme-in-albania-holds-its.html",
    );
    let page = std::fs::read_to_string(page).unwrap();
    assert!(page.contains("co-chaired\u{fffd}by"), "{page}");
}

#[test]
fn a_build_with_input_errors_keeps_what_was_published() {
    let dir = project();
    let first = build(dir.path());
    assert!(first.status.success(), "{}", text(&first.stderr));
    let pages = story_pages(dir.path());
    let gone = pages
        .iter()
        .find(|p| p.starts_with("2020-12-22-unodc-held-consultations"))
        .expect("the Montenegro story's page")
        .clone();

    // A day that does not exist: the story is not in this build.
    let (line, _) = edit_archive(
        dir.path(),
        b"22 December 2020, online:",
        b"31 November 2020, online:",
    );
    let again = build(dir.path());
    let stderr = text(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{ARCHIVE}:{line}: error: unrecognised date `31 November 2020`"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: 1 stale file kept because of input errors"),
        "{stderr}"
    );
    assert_same_pages(&pages, &story_pages(dir.path()));
    assert!(
        text(&again.stdout).contains(" 0 removed;"),
        "{}",
        text(&again.stdout)
    );

    // Once the input is clean (the story taken out), the page goes.
    let path = dir.path().join("archives").join(ARCHIVE);
    let archive = std::fs::read_to_string(&path).unwrap();
    let start = archive
        .find("UNODC held consultations with the authorities in Montenegro")
        .unwrap();
    let end = archive
        .find("joins the UN Resident Coordinator in Serbia")
        .and_then(|at| archive[..at].rfind('\n'))
        .unwrap();
    std::fs::write(
        &path,
        format!("{}{}", &archive[..start], &archive[end + 1..]),
    )
    .unwrap();
    let clean = build(dir.path());
    let stderr = text(&clean.stderr);
    assert!(clean.status.success(), "{stderr}");
    assert!(!stderr.contains("stale file"), "{stderr}");
    assert!(
        text(&clean.stdout).contains(" 1 removed;"),
        "{}",
        text(&clean.stdout)
    );
    let mut expected = pages;
    expected.remove(&gone);
    assert_same_pages(&expected, &story_pages(dir.path()));
}
