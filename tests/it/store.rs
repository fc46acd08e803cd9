//! The database under `storyfeed digest`, against a real SMTP server: the
//! regressions of issue 10 (a deleted lock file, an unsubscribe during a
//! run, an address the server cannot take) and the import of the JSON
//! Lines state of earlier versions.

use std::sync::{Arc, Mutex};

use storyfeed::digest::period::Frequency;
use storyfeed::digest::state::Status;
use storyfeed::digest::subscribers::{Follows, MailFormat, Subscriber};
use storyfeed::store::Store;

use super::digest::{
    assert_once_each, deliveries, digest, expected_first_digests, project, smtp_url, SUBSCRIBERS,
};
use super::smtp_server::{Cutter, Script, SmtpServer};
use crate::backends::each;
use crate::harness::Output;

const AS_OF: &str = "2020-03-02";

#[test]
fn deleting_the_lock_file_mid_run_sends_no_digest_twice() {
    each(
        "deleting_the_lock_file_mid_run_sends_no_digest_twice",
        |backend| {
            let want = expected_first_digests();
            let server = SmtpServer::start(Script::default());
            let project = project().on(backend);
            let direct = smtp_url(server.addr);
            let second: Arc<Mutex<Option<Output>>> = Arc::default();
            // While the first run waits for the answer to its second message's
            // MAIL FROM: delete its lock file and run a whole second run.
            let (p2, slot) = (project.clone(), Arc::clone(&second));
            let cutter = Cutter::start_with(
                server.addr,
                1,
                false,
                Some(Box::new(move || {
                    std::fs::remove_file(p2.join("state/lock")).unwrap();
                    let out = digest(&p2, &["--smtp", &direct, "--as-of", AS_OF]);
                    *slot.lock().unwrap() = Some(out);
                })),
            );
            let first = digest(
                &project,
                &["--smtp", &smtp_url(cutter.addr), "--as-of", AS_OF],
            )
            .assert_success();
            // The second run left the first's claim alone, and says so (75: a
            // digest is left to another run).
            let second = second.lock().unwrap().take().expect("the second run ran");
            let second = second.assert_code(75);
            let line = &second.stdout;
            assert!(
                line.contains(&format!("{} sent,", want.len() - 2))
                    && line.contains("1 already sent this period")
                    && line.contains("1 held by another run"),
                "{second}"
            );
            // The first found the rest sent. Each digest once.
            let line = &first.stdout;
            assert!(
                line.contains(" 2 sent,")
                    && line.contains(&format!("{} already sent this period", want.len() - 2))
                    && !line.contains("held by another run"),
                "{first}"
            );
            assert_once_each(&server.received(), &want);
        },
    );
}

#[test]
fn an_unsubscribe_during_a_run_stops_every_digest_not_yet_claimed() {
    each(
        "an_unsubscribe_during_a_run_stops_every_digest_not_yet_claimed",
        |backend| {
            let want = expected_first_digests();
            let server = SmtpServer::start(Script::default());
            let project = project().on(backend);
            // At the second message, everybody unsubscribes (as the one-click
            // endpoint would): the message in flight is already claimed and goes;
            // no later one does.
            let p2 = project.clone();
            let cutter = Cutter::start_with(
                server.addr,
                1,
                false,
                Some(Box::new(move || {
                    for (address, _) in SUBSCRIBERS {
                        p2.run(["unsubscribe", address]).assert_success();
                    }
                })),
            );
            let out = digest(
                &project,
                &["--smtp", &smtp_url(cutter.addr), "--as-of", AS_OF],
            )
            .assert_success();
            let received = server.received();
            assert_eq!(received.len(), 2, "{out}");
            assert_ne!(received[0].to, received[1].to);
            assert!(
                out.stdout
                    .contains(&format!("{} unsubscribed", want.len() - 2)),
                "{out}"
            );
            let journal = deliveries(&project);
            assert_eq!(
                journal.iter().filter(|d| d.status == Status::Sent).count(),
                2
            );
        },
    );
}

#[test]
fn a_bad_address_fails_that_subscriber_only() {
    each("a_bad_address_fails_that_subscriber_only", |backend| {
        let want = expected_first_digests();
        // The server offers no SMTPUTF8, so a non-ASCII address cannot go; a
        // quoted local part with a space is refused by one tool or another.
        let server = SmtpServer::start(Script::default());
        let project = project().on(backend);
        let mut subs = String::new();
        for (address, rest) in SUBSCRIBERS {
            subs.push_str(&format!(
                "[[subscriber]]\naddress = \"{address}\"\n{rest}\n\n"
            ));
        }
        subs.push_str("[[subscriber]]\naddress = \"josé@example.org\"\nall = true\n\n");
        project.write("subscribers.toml", subs);
        // The file refuses `"a b"@example.org` (lettre cannot send to it); a
        // row from elsewhere (an older version, another tool) can still hold it.
        let store = Store::connect(&project.database()).unwrap();
        let odd = Subscriber {
            address: "\"a b\"@example.org".parse().unwrap(),
            name: None,
            follows: Follows::All,
            frequency: Frequency::Weekly,
            format: MailFormat::Html,
            line: 0,
        };
        store.sync_file("web", &[odd]).unwrap();
        drop(store);
        let out = digest(
            &project,
            &["--smtp", &smtp_url(server.addr), "--as-of", AS_OF],
        );
        // Everybody else got theirs.
        assert_once_each(&server.received(), &want);
        assert_eq!(out.code(), Some(1), "{out}");
        assert!(
            out.stderr
                .contains("failed: digest to josé@example.org refused")
                && out.stderr.contains("SMTPUTF8"),
            "{out}"
        );
        assert!(out.stdout.contains("2 failed"), "{out}");
        let journal = deliveries(&project);
        let failed: Vec<&str> = journal
            .iter()
            .filter(|d| d.status == Status::Failed)
            .map(|d| d.to.as_str())
            .collect();
        assert_eq!(
            failed,
            ["\"a b\"@example.org", "josé@example.org"],
            "{journal:?}"
        );
        // Not retried this period; nobody else gets a second digest.
        let again = digest(
            &project,
            &["--smtp", &smtp_url(server.addr), "--as-of", AS_OF],
        )
        .assert_success();
        assert_once_each(&server.received(), &want);
        assert!(again.stdout.contains("0 sent"), "{again}");
    });
}

#[test]
fn an_address_lettre_cannot_send_to_is_refused_in_the_subscribers_file() {
    each(
        "an_address_lettre_cannot_send_to_is_refused_in_the_subscribers_file",
        |backend| {
            let project = project().on(backend);
            project.write(
                "subscribers.toml",
                "[[subscriber]]\naddress = \"ok@example.org\"\nall = true\n\n\
         [[subscriber]]\naddress = '\"a b\"@example.org'\nall = true\n",
            );
            let out = digest(&project, &["--dry-run", "--as-of", AS_OF]).assert_code(2);
            assert!(
                out.stderr.contains("subscribers.toml:6:11: subscriber 2")
                    && out.stderr.contains("lettre cannot send to it"),
                "{out}"
            );
        },
    );
}

#[test]
fn the_jsonl_state_of_an_earlier_version_is_imported_once() {
    each(
        "the_jsonl_state_of_an_earlier_version_is_imported_once",
        |backend| {
            let mut want = expected_first_digests();
            let project = project().on(backend);
            // An earlier version sent all.weekly its digest and recorded ccp's
            // unsubscription.
            project.write(
        "state/deliveries.jsonl",
        "{\"to\":\"all.weekly@example.org\",\"first\":\"2020-02-24\",\"last\":\"2020-03-01\",\
         \"status\":\"sent\",\"message_id\":\"<m@example.org>\",\"stories\":3,\
         \"at\":\"2020-03-02T07:00:00Z\"}\n",
    );
            project.write(
        "state/unsubscribed.jsonl",
        "{\"address\":\"ccp@example.org\",\"at\":\"2020-03-01T10:00:00Z\",\"via\":\"one-click\"}\n",
    );
            // A dry run imports into its copy only: the files stay.
            let dry = digest(&project, &["--dry-run", "--as-of", AS_OF]).assert_success();
            assert!(dry.stderr.contains("for this dry run only"), "{dry}");
            assert!(project.join("state/deliveries.jsonl").exists());
            assert!(!project.join("state/storyfeed.db").exists());

            let server = SmtpServer::start(Script::default());
            let url = smtp_url(server.addr);
            let out = digest(&project, &["--smtp", &url, "--as-of", AS_OF]).assert_success();
            assert!(
                out.stderr.contains("imported the JSON Lines state")
                    && out
                        .stderr
                        .contains("1 deliveries, 0 arrivals, 1 unsubscriptions"),
                "{out}"
            );
            assert!(
                out.stdout
                    .contains("1 already sent this period, 1 unsubscribed"),
                "{out}"
            );
            want.remove("all.weekly@example.org");
            want.remove("ccp@example.org");
            assert_once_each(&server.received(), &want);
            assert!(!project.join("state/deliveries.jsonl").exists());
            assert!(project.join("state/deliveries.jsonl.imported").exists());
            // Put back by hand: not imported again, nobody gets a second digest.
            std::fs::rename(
                project.join("state/deliveries.jsonl.imported"),
                project.join("state/deliveries.jsonl"),
            )
            .unwrap();
            let again = digest(&project, &["--smtp", &url, "--as-of", AS_OF]).assert_success();
            assert!(!again.stderr.contains("imported"), "{again}");
            assert_once_each(&server.received(), &want);
        },
    );
}
