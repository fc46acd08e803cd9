//! `data/corrections.toml`: editors' fixes applied on every build, checked
//! line by line, and reported when their story is gone.

use crate::changes::{project, ADDED, FIRST};
use crate::harness::Project;

const SEIZURE: &str = "2017-02-14-seizure-of-cocaine-in-the-port-of-guayaquil";
const TRAINING: &str = "2018-03-03-training-on-anti-corruption-for-judges";

/// The project of `changes` with a corrections file named in its config.
fn corrected(archive: &str, corrections: &str) -> Project {
    let p = project(archive);
    let config = p.read("storyfeed.toml");
    p.file(
        "storyfeed.toml",
        format!("{config}corrections = \"corrections.toml\"\n"),
    )
    .file("corrections.toml", corrections)
}

#[test]
fn corrections_change_the_site_and_keep_the_id() {
    let p = corrected(
        &format!("{FIRST}{ADDED}"),
        &format!(
            "[[story]]\nid = \"{SEIZURE}\"\ntitle = \"Two tonnes of cocaine seized in Guayaquil\"\n\
             places = [\"Guayaquil, Ecuador\"]\nadd_themes = [\"organized-crime\"]\n\n\
             [[story]]\nid = \"{TRAINING}\"\ndrop = true\n"
        ),
    );
    let out = p.run(["build"]).assert_success();
    assert!(!out.stderr.contains("warning"), "{out}");
    let page = p.read(format!("public/stories/{SEIZURE}.html"));
    assert!(
        page.contains("Two tonnes of cocaine seized in Guayaquil"),
        "{page}"
    );
    let theme = p.read("public/themes/organized-crime.html");
    assert!(theme.contains(&format!("{SEIZURE}.html")), "{theme}");
    let all = p.read("public/feeds/all.rss");
    assert!(all.contains("Two tonnes of cocaine seized in Guayaquil"));
    assert!(
        !all.contains("Training on anti-corruption"),
        "dropped story still in the feed"
    );
    assert!(!p.join(format!("public/stories/{TRAINING}.html")).exists());

    // Kept across rebuilds: nothing changes the second time.
    p.run(["build", "--changes", "changes.txt"])
        .assert_success();
    assert_eq!(p.read("changes.txt"), "");

    // Taking the correction out restores the story.
    p.write("corrections.toml", "");
    p.run(["build"]).assert_success();
    assert!(p
        .read("public/feeds/all.rss")
        .contains("Training on anti-corruption"));
    assert!(!p.read("public/feeds/all.rss").contains("Two tonnes"));
}

#[test]
fn a_correction_whose_story_vanished_is_reported() {
    let p = corrected(
        &format!("{FIRST}{ADDED}"),
        &format!("# fixes\n[[story]]\nid = \"{TRAINING}\"\ntitle = \"Judges trained\"\n\n[[story]]\nid = \"2019-01-01-no-such-story\"\ndrop = true\n"),
    );
    p.run(["build"]).assert_success();
    // The training story leaves the archives; its correction is now stale.
    p.write(
        "archives/a.txt",
        FIRST.split("3 March 2018").next().unwrap(),
    );
    let out = p.run(["build"]).assert_success();
    assert!(
        out.stderr.contains(&format!(
            "corrections.toml:3:6: the story {TRAINING} has vanished"
        )),
        "{out}"
    );
    assert!(
        out.stderr.contains("corrections.toml:7:6: no story has the id 2019-01-01-no-such-story, which was never published"),
        "{out}"
    );
}

#[test]
fn a_bad_correction_stops_the_build_naming_its_line() {
    let p = corrected(
        FIRST,
        &format!("[[story]]\nid = \"{SEIZURE}\"\nadd_themes = [\"narcotics\"]\n"),
    );
    let out = p.run(["build"]).assert_code(2);
    assert!(out.stderr.contains("corrections.toml:3:"), "{out}");
    assert!(out.stderr.contains("unknown theme \"narcotics\""), "{out}");
    assert!(!p.join("public/index.html").exists(), "nothing half-built");

    // A corrections file named in the config must exist.
    let p = corrected(FIRST, "");
    std::fs::remove_file(p.join("corrections.toml")).unwrap();
    let out = p.run(["build"]).assert_code(2);
    assert!(out.stderr.contains("cannot read corrections"), "{out}");
}
