//! Merging: near-duplicates built by hand, and ids.

use super::*;
use chrono::NaiveDate;

fn story(title: &str, line: usize) -> Story {
    let d = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    Story {
        id: StoryId::new(d, title),
        title: title.to_owned(),
        dates: DateRange::day(d),
        year_inferred: false,
        places: vec![],
        paragraphs: vec![],
        summary: String::new(),
        links: vec![],
        sources: vec![Source {
            file: "f".to_owned(),
            line,
        }],
        themes: vec![],
        programmes: vec![],
    }
}

#[test]
fn clashing_ids_get_suffixes_in_source_order_without_new_clashes() {
    let mut s = vec![
        story("A", 30),
        story("A 2", 5),
        story("A", 10),
        story("A", 20),
    ];
    assign_unique_ids(&mut s);
    let ids: Vec<&str> = s.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "2020-01-01-a-4",
            "2020-01-01-a-2",
            "2020-01-01-a",
            "2020-01-01-a-3"
        ]
    );
}
fn on_page(file: &str, line: usize, title: &str, body: &str) -> Story {
    let mut s = story(title, line);
    s.sources[0].file = file.to_owned();
    s.paragraphs = vec![body.to_owned()];
    s.summary = body.to_owned();
    s
}

/// (files of each story's sources) after merging, and the merges' rules.
fn merged(stories: Vec<Story>) -> (Vec<Vec<String>>, Vec<Merge>) {
    let (stories, merges) = merge_duplicates(stories);
    let files = stories
        .iter()
        .map(|s| s.sources.iter().map(|x| x.file.clone()).collect())
        .collect();
    (files, merges)
}

const BOILERPLATE: &str =
    "With the financial support of the European Union, the Container Control \
    Programme continues to strengthen the capacities of the customs and police. Participants \
    discussed recent trends in trafficking, including the use of containers by organized \
    criminal groups, and agreed on a roadmap identifying immediate and medium priorities.";

#[test]
fn same_template_in_another_country_is_another_story() {
    for (a, b) in [
        (
            "UNODC trains border officers in Serbia",
            "UNODC trains border officers in Albania",
        ),
        (
            "Second meeting of the working group on firearms in Skopje",
            "Third meeting of the working group on firearms in Skopje",
        ),
        (
            "Container Control Programme holds its 2020 steering committee",
            "Container Control Programme holds its 2021 steering committee",
        ),
        (
            "AIRCOP trains airport officers in Dakar",
            "SEACOP trains airport officers in Dakar",
        ),
    ] {
        let x = on_page(
            "a.txt",
            1,
            a,
            &format!("In Belgrade, Serbia: {BOILERPLATE}"),
        );
        let y = on_page("b.txt", 9, b, &format!("In Tirana, Albania: {BOILERPLATE}"));
        let (files, merges) = merged(vec![x, y]);
        assert_eq!(files.len(), 2, "{a} / {b}: {merges:?}");
    }
}

#[test]
fn a_title_with_words_added_is_the_same_story() {
    let x = on_page(
        "brochure.txt",
        40,
        "UNODC and partners call for stronger action against wildlife crime",
        BOILERPLATE,
    );
    let y = on_page(
        "latest.txt",
        7,
        "During European Development Days, UNODC and partners call for stronger action against wildlife crime",
        "With the financial support of the European Union, the Container Control Programme continues.",
    );
    let (files, merges) = merged(vec![y, x]);
    assert_eq!(
        files,
        [vec!["brochure.txt".to_owned(), "latest.txt".to_owned()]]
    );
    assert_eq!(merges.len(), 1);
    assert_eq!(
        (merges[0].kept.file.as_str(), merges[0].kept.line),
        ("brochure.txt", 40)
    );
    assert_eq!(
        (merges[0].merged.file.as_str(), merges[0].merged.line),
        ("latest.txt", 7)
    );
    assert!(matches!(merges[0].rule, MergeRule::Title { overlap } if overlap == 1.0));
    assert_eq!(
        merges[0].to_string(),
        "latest.txt:7 merged into brochure.txt:40: same dates, title rule: 100% of the shorter title's words shared"
    );
}

#[test]
fn a_story_reworded_on_another_page_is_merged_by_its_body() {
    // Titles in each page's own words; bodies that tell the same thing
    // with the same names and numbers.
    let x = on_page(
        "archive.txt",
        12,
        "UNODC further strengthens preparedness for cooperation with the EU",
        "The UNODC Brussels Liaison Office delivered a seminar in Belgrade, Serbia on how to \
         build a partnership with the EU. The audience included staff of the Regional Programme \
         for South Eastern Europe and aimed to ensure the best implementation of the 2020 EU \
         contribution agreement in the region, with the FAFA and IPA explained in detail.",
    );
    let y = on_page(
        "brochure.txt",
        5,
        "UNODC staff on a seminar on EU rules and procedures for a better cooperation",
        "The UNODC Brussels Liaison Office delivered a two days seminar in Belgrade, Serbia on \
         how to build and sustain a partnership with the EU. The audience included the staff of \
         the Regional Programme for South Eastern Europe to ensure the best implementation of \
         the 2020 EU contribution agreement in the region; the FAFA and IPA were presented.",
    );
    let (files, merges) = merged(vec![x, y]);
    assert_eq!(files.len(), 1, "{merges:?}");
    assert!(
        matches!(merges[0].rule, MergeRule::Body { .. }),
        "{merges:?}"
    );
    assert!(merges[0].to_string().contains("body rule"), "{}", merges[0]);
}

#[test]
fn shared_boilerplate_with_other_names_is_not_the_same_story() {
    // Same day, same programme's boilerplate, titles sharing a few words:
    // the names and numbers of the two openings differ.
    let x = on_page(
        "a.txt",
        1,
        "UNODC supports customs of Kenya with container profiling",
        &format!("In Mombasa, Kenya, 24 officers met. {BOILERPLATE}"),
    );
    let y = on_page(
        "b.txt",
        2,
        "UNODC supports police of Ecuador in port security",
        &format!("In Guayaquil, Ecuador, 31 officers met. {BOILERPLATE}"),
    );
    let (files, merges) = merged(vec![x, y]);
    assert_eq!(files.len(), 2, "{merges:?}");
}

#[test]
fn stories_of_one_page_are_never_merged() {
    let x = on_page("a.txt", 1, "UNODC trains border officers", BOILERPLATE);
    let y = on_page("a.txt", 9, "UNODC trains border officers", BOILERPLATE);
    let (files, merges) = merged(vec![x, y]);
    assert_eq!(files.len(), 2);
    assert!(merges.is_empty());
}

#[test]
fn the_same_title_over_openings_naming_other_things_is_another_story() {
    let title = "Improving border management in East Africa: an overview of 2020";
    let x = on_page(
        "a.txt",
        1,
        title,
        "In Mombasa, Kenya, 24 officers of the Kenya Revenue Authority completed a course in 2020.",
    );
    let y = on_page(
        "b.txt",
        2,
        title,
        "In Kampala, Uganda, 31 police instructors from Entebbe and Gulu met the IOM team.",
    );
    let (files, merges) = merged(vec![x, y]);
    assert_eq!(files.len(), 2, "{merges:?}");
    // The same opening, a name or two apart: one story.
    let x = on_page(
        "a.txt",
        1,
        title,
        "In Mombasa, Kenya, 24 officers of the Kenya Revenue Authority completed a course in 2020.",
    );
    let y = on_page(
        "b.txt",
        2,
        title,
        "In Mombasa, 24 officers of the Kenya Revenue Authority finished a course.",
    );
    let (files, merges) = merged(vec![x, y]);
    assert_eq!(files.len(), 1, "{merges:?}");
}
