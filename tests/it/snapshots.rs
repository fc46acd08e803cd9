//! Snapshots (insta) of what users get, byte for byte: one small feed in
//! each format and an archive of it, a story page, and a digest. Refresh
//! after an intended change with
//! `INSTA_UPDATE=always cargo test --locked --test it snapshots`, then
//! read the diff of `tests/it/snapshots/`.
//!
//! Built from a copy of the shipped `data/` with the default settings but
//! for the base URL, so the snapshots are what `storyfeed build` gives in
//! a checkout. insta compares text with line endings normalised, so the
//! CRLF of the `.eml` is asserted separately.

use mail_parser::MessageParser;

use crate::harness::Project;

const BASE: &str = "https://example.org/unodc/";
/// A small programme: two stories, curly quotes.
const FEED: &str = "public/feeds/programmes/safeguarding-sport-from-corruption";
/// One of its stories: a date range, a theme and a programme.
const STORY: &str =
    "public/stories/2023-05-15-safeguarding-sport-from-corruption-in-the-asean-unodc.html";

#[test]
fn a_feed_in_each_format_and_a_story_page() {
    let site = Project::new()
        .shipped_data()
        .run(["build", "--base-url", BASE])
        .assert_success();
    insta::assert_snapshot!("feed_rss", site.read(format!("{FEED}.rss")));
    insta::assert_snapshot!("feed_atom", site.read(format!("{FEED}.atom")));
    insta::assert_snapshot!("feed_json", site.read(format!("{FEED}.json")));
    insta::assert_snapshot!("story_page", site.read(STORY));
}

/// An archive document (RFC 5005) of the same feed, with archives of one
/// story: `fh:archive`, `current` and the JSON Feed `next_url` chain.
#[test]
fn an_archive_in_each_format() {
    let site = Project::new()
        .shipped_data()
        .config(&format!("base_url = \"{BASE}\"\nfeed_item_limit = 1\n"))
        .run(["build"])
        .assert_success();
    let archive = format!("{FEED}/archive-1");
    insta::assert_snapshot!("archive_rss", site.read(format!("{archive}.rss")));
    insta::assert_snapshot!("archive_atom", site.read(format!("{archive}.atom")));
    insta::assert_snapshot!("archive_json", site.read(format!("{archive}.json")));
}

#[test]
fn a_dry_run_digest() {
    let project = Project::new()
        .shipped_data()
        .config(&format!(
            "base_url = \"{BASE}\"\n[digest]\nsubscribers = \"subscribers.toml\"\n"
        ))
        .subscribers(
            "[[subscriber]]\naddress = \"desk@example.org\"\nname = \"News desk\"\n\
             themes = [\"cybercrime\"]\nprogrammes = [\"container-control-programme\"]\n\
             frequency = \"weekly\"\nformat = \"html\"\n",
        )
        .env("STORYFEED_SECRET", "snapshot-secret");
    let out = project
        .run(["digest", "--dry-run", "--as-of", "2020-03-02"])
        .assert_success();
    insta::assert_snapshot!("digest_summary", out.stdout);
    let eml = project.read("outbox/2020-02-24..2020-03-01/desk@example.org.eml");
    assert!(!eml.replace("\r\n", "").contains('\n'), "a bare LF");
    insta::assert_snapshot!("digest_eml", eml);
    let message = MessageParser::default().parse(&eml).expect("MIME");
    insta::assert_snapshot!("digest_text", message.body_text(0).expect("a text part"));
    insta::assert_snapshot!("digest_html", message.body_html(0).expect("an HTML part"));
}
