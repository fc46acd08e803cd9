//! `storyfeed subscribers`: the admin commands over the database, run as
//! the executable; and a digest run whose subscribers live only there.

use super::digest::{digest, expected_first_digests, project};
use crate::backends::each;
use crate::harness::Project;

const CSV: &str = "email,name,themes,programmes,frequency,format\n\
ana@example.org,Ana Pérez,drugs;border-control,,daily,text\n\
not an address,Bad,drugs,,weekly,html\n\
desk@example.org,,,,monthly,\n\
bob@example.org,Bob,smuggling,,weekly,html\n\
\"Ramos, Eva <x>\",Eva,,,weekly,html\n\
cyber@example.org,\"Cyber, desk\",cybercrime,glo-act,weekly,html\n";

fn subs(project: &Project, args: &[&str]) -> crate::harness::Output {
    project.run(["subscribers"].iter().chain(args))
}

#[test]
fn a_csv_with_bad_rows_imports_nothing_unless_told_and_reports_each_by_line() {
    each(
        "a_csv_with_bad_rows_imports_nothing_unless_told_and_reports_each_by_line",
        |backend| {
            let project = project().on(backend);
            project.write("partners.csv", CSV);
            let out = subs(&project, &["import", "partners.csv"]).assert_code(2);
            for want in [
                "partners.csv:3:1: `not an address`: invalid address",
                "partners.csv:5:1: bob@example.org: unknown theme `smuggling`",
                "partners.csv:6:1: `Ramos, Eva <x>`: invalid address",
                "nothing imported",
            ] {
                assert!(out.stderr.contains(want), "{want}\n{out}");
            }
            assert_eq!(subs(&project, &["list"]).assert_success().stdout, "");

            let out = subs(&project, &["import", "partners.csv", "--partial"]).assert_code(1);
            assert!(
                out.stdout
                    .contains("3 added, 0 updated, 3 bad rows skipped"),
                "{out}"
            );
            let list = subs(&project, &["list"]).assert_success().stdout;
            assert_eq!(
        list,
        "ana@example.org\tconfirmed\tdaily\ttext\timport:partners.csv\tdrugs border-control\n\
         cyber@example.org\tconfirmed\tweekly\thtml\timport:partners.csv\tcybercrime glo-act\n\
         desk@example.org\tconfirmed\tmonthly\thtml\timport:partners.csv\tall\n"
    );
        },
    );
}

#[test]
fn add_remove_export_and_stats() {
    each("add_remove_export_and_stats", |backend| {
        let project = project().on(backend);
        subs(
            &project,
            &[
                "add",
                "Ana@Example.org",
                "--name",
                "Ana",
                "--theme",
                "drugs",
                "--frequency",
                "daily",
            ],
        )
        .assert_success();
        subs(&project, &["add", "desk@example.org", "--format", "text"]).assert_success();
        subs(&project, &["add", "x@example.org", "--theme", "nope"]).assert_code(2);
        subs(&project, &["add", "\"a b\"@example.org"]).assert_code(2);
        project
            .run(["unsubscribe", "desk@example.org"])
            .assert_success();
        let stats = subs(&project, &["stats"]).assert_success().stdout;
        assert_eq!(
            stats,
            "subscribers: 2\nby status: confirmed 1, unsubscribed 1\n\
         confirmed, by frequency: daily 1\nconfirmed, every story: 0\n\
         confirmed, by theme: drugs 1\nconfirmed, by programme: \n"
        );
        subs(&project, &["export", "-o", "out.csv"]).assert_success();
        let csv = project.read("out.csv");
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("email,name,themes,programmes,frequency,format,status,source,created_at")
        );
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("Ana@Example.org,Ana,drugs,,daily,html,confirmed,shell,"),
            "{csv}"
        );
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("desk@example.org,,all,,weekly,text,unsubscribed,shell,"),
            "{csv}"
        );
        // The export imports back (extra columns ignored); a suppressed
        // address stays suppressed.
        subs(&project, &["remove", "ana@example.org"]).assert_success();
        subs(&project, &["remove", "ana@example.org"]).assert_code(2);
        let out = subs(&project, &["import", "out.csv"]).assert_success();
        assert!(out.stdout.contains("1 added, 1 updated"), "{out}");
        let list = subs(&project, &["list", "--status", "unsubscribed"]).assert_success();
        assert_eq!(
            list.stdout,
            "desk@example.org\tunsubscribed\tweekly\ttext\timport:out.csv\tall\n"
        );
    });
}

#[test]
fn a_run_sends_to_subscribers_in_the_database_without_a_subscribers_file() {
    each(
        "a_run_sends_to_subscribers_in_the_database_without_a_subscribers_file",
        |backend| {
            let project = project().on(backend);
            std::fs::remove_file(project.join("subscribers.toml")).unwrap();
            // No file and an empty database: the missing file is the error.
            let out = digest(&project, &["--dry-run", "--as-of", "2020-03-02"]).assert_code(2);
            assert!(out.stderr.contains("subscribers.toml"), "{out}");
            subs(&project, &["add", "all.weekly@example.org"]).assert_success();
            digest(&project, &["--dry-run", "--as-of", "2020-03-02"]).assert_success();
            let mut files: Vec<String> = Vec::new();
            for period in std::fs::read_dir(project.join("outbox")).unwrap() {
                for f in std::fs::read_dir(period.unwrap().path()).unwrap() {
                    files.push(f.unwrap().file_name().to_string_lossy().into_owned());
                }
            }
            assert_eq!(files, ["all.weekly@example.org.eml"]);
            assert!(expected_first_digests().contains_key("all.weekly@example.org"));
        },
    );
}

#[test]
fn a_toml_import_reports_every_bad_entry() {
    each("a_toml_import_reports_every_bad_entry", |backend| {
        let project = project().on(backend);
        project.write(
            "more.toml",
            "[[subscriber]]\naddress = \"a@example.org\"\nthemes = [\"nope\"]\n\n\
         [[subscriber]]\naddress = \"b@example.org\"\nall = true\n\n\
         [[subscriber]]\naddress = \"c@\"\nall = true\n",
        );
        let out = subs(&project, &["import", "more.toml"]).assert_code(2);
        assert!(
            out.stderr
                .contains("more.toml:3:11: subscriber 1 (a@example.org): unknown theme `nope`")
                && out
                    .stderr
                    .contains("more.toml:10:11: subscriber 3 (c@): invalid address"),
            "{out}"
        );
        let out = subs(&project, &["import", "more.toml", "--partial"]).assert_code(1);
        assert!(out.stdout.contains("1 added"), "{out}");
        let list = subs(&project, &["list"]).assert_success().stdout;
        assert_eq!(
            list,
            "b@example.org\tconfirmed\tweekly\thtml\timport:more.toml\tall\n"
        );
    });
}

#[test]
fn a_file_entry_never_overrides_a_subscriber_from_another_source() {
    each(
        "a_file_entry_never_overrides_a_subscriber_from_another_source",
        |backend| {
            let project = project().on(backend);
            subs(
                &project,
                &[
                    "add",
                    "all.weekly@example.org",
                    "--theme",
                    "drugs",
                    "--format",
                    "text",
                ],
            )
            .assert_success();
            let out = digest(&project, &["--dry-run", "--as-of", "2020-03-02"]).assert_success();
            assert!(
                out.stderr.contains("note: 1 entries of")
                    && out.stderr.contains("from another source"),
                "{out}"
            );
            let list = subs(&project, &["list"]).assert_success().stdout;
            assert!(
                list.contains("all.weekly@example.org\tconfirmed\tweekly\ttext\tshell\tdrugs\n"),
                "{list}"
            );
        },
    );
}
