use super::*;
use crate::feed::ledger::Entry;
use crate::story::StoryId;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn story(date: &str, title: &str, themes: &[&str], programmes: &[&str]) -> Story {
    let d = day(date);
    Story {
        id: StoryId::new(d, title),
        title: title.to_owned(),
        dates: DateRange::day(d),
        year_inferred: true,
        places: vec!["Vienna".to_owned()],
        paragraphs: vec!["Body.".to_owned()],
        summary: "Body.".to_owned(),
        links: vec![],
        sources: vec![],
        themes: themes.iter().map(|s| s.to_string()).collect(),
        programmes: programmes.iter().map(|s| s.to_string()).collect(),
    }
}

fn parse(text: &str) -> Result<Corrections, CorrectionsError> {
    Corrections::parse("corrections.toml", text, &Taxonomy::builtin())
}

fn error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn every_field_is_applied_and_lists_stay_sorted() {
    let c = parse(
        r#"
[[story]]
id = "2020-03-03-ports-seize-cocaine"
title = "  Ports seize   cocaine in two countries "
dates = "2020-03-02/2020-03-04"
places = ["Guayaquil, Ecuador", "Antwerp, Belgium"]
add_themes = ["organized-crime"]
remove_themes = ["corruption"]
add_programmes = ["container-control-programme"]
note = "the page had the wrong day"
"#,
    )
    .unwrap();
    let mut stories = vec![story(
        "2020-03-03",
        "Ports seize cocaine",
        &["corruption", "drugs"],
        &[],
    )];
    let report = c.apply(&mut stories, &Ledger::default());
    assert_eq!(report.applied, 1);
    assert!(report.unmatched.is_empty());
    let s = &stories[0];
    assert_eq!(
        s.id.as_str(),
        "2020-03-03-ports-seize-cocaine",
        "the id is kept"
    );
    assert_eq!(s.title, "Ports seize cocaine in two countries");
    assert_eq!((s.start(), s.end()), (day("2020-03-02"), day("2020-03-04")));
    assert!(!s.year_inferred);
    assert_eq!(s.places, ["Guayaquil, Ecuador", "Antwerp, Belgium"]);
    assert_eq!(s.themes, ["drugs", "organized-crime"]);
    assert_eq!(s.programmes, ["container-control-programme"]);
}

#[test]
fn a_dropped_story_goes_and_the_others_stay_in_order() {
    let c = parse("[[story]]\nid = \"2021-01-02-b\"\ndrop = true\n").unwrap();
    let mut stories = vec![
        story("2021-01-03", "c", &[], &[]),
        story("2021-01-02", "b", &[], &[]),
        story("2021-01-01", "a", &[], &[]),
    ];
    let report = c.apply(&mut stories, &Ledger::default());
    assert_eq!((report.applied, report.dropped), (1, 1));
    let ids: Vec<&str> = stories.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["2021-01-03-c", "2021-01-01-a"]);
}

#[test]
fn an_unmatched_id_is_reported_as_vanished_or_never_published() {
    let c = parse(
        "[[story]]\nid = \"2019-05-05-gone\"\ntitle = \"x\"\n\n[[story]]\nid = \"2019-05-05-typo\"\ndrop = true\n",
    )
    .unwrap();
    let mut ledger = Ledger::default();
    ledger.published.insert(
        "2019-05-05-gone".to_owned(),
        Entry {
            start: day("2019-05-05"),
            title: "Gone".to_owned(),
            text: "0".to_owned(),
        },
    );
    let mut stories = vec![story("2019-05-06", "kept", &[], &[])];
    let report = c.apply(&mut stories, &ledger);
    assert_eq!(report.applied, 0);
    assert_eq!(stories.len(), 1);
    let lines: Vec<String> = report.unmatched.iter().map(|u| u.to_string()).collect();
    assert_eq!(report.unmatched[0].location.line, 2);
    assert!(report.unmatched[0].vanished);
    assert!(lines[0].contains("vanished"), "{}", lines[0]);
    assert_eq!(report.unmatched[1].location.line, 6);
    assert!(!report.unmatched[1].vanished);
    assert!(lines[1].contains("never published"), "{}", lines[1]);
}

#[test]
fn bad_corrections_name_their_line() {
    let e = error("[[story]]\nid = \"a\"\nadd_themes = [\"drugs\", \"narcotics\"]\n");
    assert!(e.starts_with("corrections.toml:3:"), "{e}");
    assert!(e.contains("unknown theme \"narcotics\""), "{e}");

    let e = error("[[story]]\nid = \"a\"\nremove_programmes = [\"ccp\"]\n");
    assert!(
        e.starts_with("corrections.toml:3:") && e.contains("unknown programme"),
        "{e}"
    );

    let e = error("[[story]]\nid = \"a\"\n\ndates = \"2020-02-30\"\n");
    assert!(
        e.starts_with("corrections.toml:4:") && e.contains("not a date"),
        "{e}"
    );

    let e = error("[[story]]\nid = \"a\"\ndates = \"2020-03-05/2020-03-01\"\n");
    assert!(e.contains("end is before the start"), "{e}");

    let e = error("[[story]]\nid = \"a\"\ndrop = true\n[[story]]\nid = \"a\"\ntitle = \"t\"\n");
    assert!(
        e.starts_with("corrections.toml:5:") && e.contains("corrected twice (first at line 2)"),
        "{e}"
    );

    let e = error("[[story]]\nid = \"a\"\ntitel = \"t\"\n");
    assert!(
        e.starts_with("corrections.toml:3:") && e.contains("titel"),
        "{e}"
    );

    let e = error("[[story]]\nid = \"  \"\n");
    assert!(e.contains("cannot be empty"), "{e}");

    let e = error("[[story]]\nid = \"a\"\ntitle = \" \"\n");
    assert!(e.starts_with("corrections.toml:3:"), "{e}");
}

#[test]
fn a_missing_file_is_empty_only_where_optional() {
    let taxonomy = Taxonomy::builtin();
    let path = Path::new("/nonexistent/corrections.toml");
    assert!(Corrections::load(path, true, &taxonomy).unwrap().is_empty());
    let e = Corrections::load(path, false, &taxonomy).unwrap_err();
    assert!(
        e.to_string().contains("/nonexistent/corrections.toml"),
        "{e}"
    );
}

#[test]
fn the_shipped_file_is_valid() {
    let text = include_str!("../../data/corrections.toml");
    parse(text).unwrap();
}
