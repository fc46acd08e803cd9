//! The JSON Lines import, the subscribers file, the mail queue.

use std::path::Path;

use super::super::legacy::{ARRIVALS, DELIVERIES, UNSUBSCRIBED};
use super::super::subscribers::file_source;
use super::super::testdb::each;
use super::{day, week};
use crate::classify::Taxonomy;
use crate::digest::period::Frequency;
use crate::digest::state::Status;
use crate::digest::subscribers::{self, Follows};

fn legacy_state(dir: &Path) {
    std::fs::write(
        dir.join(DELIVERIES),
        concat!(
            r#"{"to":"a@x.org","first":"2026-11-16","last":"2026-11-22","status":"pending","message_id":"<m>","stories":2,"at":"2026-11-23T08:00:00Z"}"#,
            "\n",
            r#"{"to":"a@x.org","first":"2026-11-16","last":"2026-11-22","status":"sent","message_id":"<m>","stories":2,"at":"2026-11-23T08:00:01Z"}"#,
            "\n",
            r#"{"to":"b@x.org","first":"2026-11-16","last":"2026-11-22","status":"pending","message_id":"<n>","stories":1,"at":"2026-11-23T08:00:02Z"}"#,
            "\n",
            r#"{"to":"c@x.org","fir"#,
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join(ARRIVALS),
        "{\"id\":\"2026-11-17-a-story\",\"arrived\":\"2026-11-17\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(UNSUBSCRIBED),
        "{\"address\":\"d@x.org\",\"at\":\"2026-11-20T10:00:00Z\",\"via\":\"one-click\"}\n",
    )
    .unwrap();
}

#[test]
fn the_jsonl_state_is_imported_once_and_the_files_renamed() {
    each("the_jsonl_state_is_imported_once", |db| {
        let dir = &db.dir;
        legacy_state(dir.path());
        let store = db.open();
        let imported = store.import_jsonl(dir.path(), true).unwrap().unwrap();
        assert_eq!(
            (
                imported.deliveries,
                imported.arrivals,
                imported.unsubscriptions
            ),
            (2, 1, 1)
        );
        let state = store.load_state().unwrap();
        assert_eq!(state.status("a@x.org", week()), Some(Status::Sent));
        // An old `pending` line: never confirmed sent, so due again.
        assert_eq!(state.status("b@x.org", week()), Some(Status::Pending));
        assert_eq!(state.arrivals["2026-11-17-a-story"], day("2026-11-17"));
        assert!(state.is_unsubscribed("d@x.org"));
        for name in [DELIVERIES, ARRIVALS, UNSUBSCRIBED] {
            assert!(!dir.path().join(name).exists(), "{name}");
            assert!(dir.path().join(format!("{name}.imported")).exists());
        }
        // Files put back (or a crash before the rename): not imported again.
        legacy_state(dir.path());
        assert_eq!(store.import_jsonl(dir.path(), true).unwrap(), None);
    });
}

#[test]
fn a_damaged_jsonl_line_names_file_and_line_and_imports_nothing() {
    each("a_damaged_jsonl_line_names_file_and_line", |db| {
        let dir = &db.dir;
        legacy_state(dir.path());
        let mut text = std::fs::read_to_string(dir.path().join(DELIVERIES)).unwrap();
        text.push_str("\n{}\n");
        std::fs::write(dir.path().join(DELIVERIES), text).unwrap();
        let store = db.open();
        let err = store
            .import_jsonl(dir.path(), true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("deliveries.jsonl:4: unreadable state line"),
            "{err}"
        );
        assert!(store.deliveries().unwrap().is_empty());
        assert!(dir.path().join(DELIVERIES).exists());
    });
}

const FILE: &str = r#"
[[subscriber]]
address = "Ana@Example.org"
name = "Ana"
themes = ["drugs"]
frequency = "daily"

[[subscriber]]
address = "bob@example.org"
all = true
"#;

#[test]
fn the_subscribers_file_is_synced_without_touching_other_sources() {
    each("the_subscribers_file_is_synced", |db| {
        let store = db.open();
        let taxonomy = Taxonomy::builtin();
        let source = file_source(Path::new("subs.toml"));
        let subs = subscribers::parse("subs.toml", FILE, &taxonomy).unwrap();
        let report = store.sync_file(&source, &subs).unwrap();
        assert_eq!((report.added, report.updated, report.removed), (2, 0, 0));
        // From elsewhere: a web sign-up, and an unsubscribed file subscriber.
        store
        .exec_raw(
            "INSERT INTO subscribers (address, display, follows_all, frequency, format, status, source, created_at)
             VALUES ('web@example.org', 'web@example.org', 1, 'weekly', 'html', 'confirmed', 'web', 'now')",
        )
        .unwrap();
        store.unsubscribe("bob@example.org", "one-click").unwrap();
        // Bob leaves the file, Ana changes; web@ is listed too but is not the file's.
        let text = FILE.replace("bob@example.org", "web@example.org");
        let text = text.replace("\"daily\"", "\"monthly\"");
        let subs = subscribers::parse("subs.toml", &text, &taxonomy).unwrap();
        let report = store.sync_file(&source, &subs).unwrap();
        assert_eq!(
            (
                report.added,
                report.updated,
                report.removed,
                report.other_source
            ),
            (0, 1, 1, 1)
        );
        let rows = store.subscriber_rows(None).unwrap();
        let addresses: Vec<&str> = rows.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(addresses, ["ana@example.org", "web@example.org"]);
        assert_eq!(rows[0].frequency, Frequency::Monthly);
        assert_eq!(rows[0].display, "Ana@Example.org");
        assert_eq!(rows[1].source, "web");
        // Bob's suppression outlives his row: back in the file, still suppressed.
        let subs = subscribers::parse("subs.toml", FILE, &taxonomy).unwrap();
        store.sync_file(&source, &subs).unwrap();
        assert_eq!(
            store.subscriber("bob@example.org").unwrap().unwrap().status,
            "unsubscribed"
        );
        let (run, unusable) = store.run_subscribers(&taxonomy).unwrap();
        assert!(unusable.is_empty());
        assert_eq!(run.len(), 3);
        assert_eq!(
            run[0].follows,
            Follows::Some {
                themes: vec!["drugs".into()],
                programmes: vec![]
            }
        );
        assert!(store
            .load_state()
            .unwrap()
            .is_unsubscribed("bob@example.org"));
    });
}

#[test]
fn a_stored_address_that_no_longer_parses_is_unusable_not_fatal() {
    each("a_stored_address_that_no_longer_parses", |db| {
        let store = db.open();
        store
        .exec_raw(
            "INSERT INTO subscribers (address, display, follows_all, frequency, format, status, source, created_at)
             VALUES ('not an address', 'not an address', 1, 'weekly', 'html', 'confirmed', 'web', 'now')",
        )
        .unwrap();
        let (run, unusable) = store.run_subscribers(&Taxonomy::builtin()).unwrap();
        assert!(run.is_empty());
        assert_eq!(unusable.len(), 1);
        assert!(
            unusable[0].reason.contains("invalid address"),
            "{unusable:?}"
        );
    });
}

#[test]
fn queued_mails_are_claimed_once_and_stale_claims_taken_again() {
    use super::super::signup::{MailOutcome, SignUp, SignUpOutcome};
    each("queued_mails_are_claimed_once", |db| {
        let store = db.open();
        let request = SignUp {
            display: "Ana@X.org".to_owned(),
            follows_all: true,
            themes: Vec::new(),
            programmes: Vec::new(),
            frequency: Frequency::Weekly,
            format: subscribers::MailFormat::Html,
            form: "web:test".to_owned(),
            ip: Some("192.0.2.1".to_owned()),
            mails_per_day: 2,
        };
        assert_eq!(
            store.sign_up(&request, 1_000).unwrap(),
            SignUpOutcome::Confirm
        );
        let claimed = store.claim_mail(1_000, 300, 10).unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].display, "Ana@X.org");
        // Claimed: nobody else takes it, until the claim is stale.
        assert!(store.claim_mail(1_100, 300, 10).unwrap().is_empty());
        let again = store.claim_mail(1_400, 300, 10).unwrap();
        assert_eq!(again.len(), 1);
        store.finish_mail(again[0].id, &MailOutcome::Sent).unwrap();
        assert!(store.claim_mail(9_999, 300, 10).unwrap().is_empty());
        // The daily limit per address: the third sign-up stores nothing.
        assert_eq!(
            store.sign_up(&request, 1_000).unwrap(),
            SignUpOutcome::Confirm
        );
        assert_eq!(
            store.sign_up(&request, 1_000).unwrap(),
            SignUpOutcome::Limited
        );
        assert_eq!(store.mail_queue().unwrap().len(), 2);
        // A deferred mail goes back to the queue.
        let next = store.claim_mail(2_000, 300, 10).unwrap();
        store
            .finish_mail(next[0].id, &MailOutcome::Deferred("451".to_owned()))
            .unwrap();
        assert_eq!(store.claim_mail(2_001, 300, 10).unwrap().len(), 1);
    });
}

#[test]
fn an_address_that_bounced_or_complained_gets_no_sign_up_mail() {
    use super::super::bounces::{BounceKind, BounceReport, SoftRule};
    use super::super::signup::{SignUp, SignUpOutcome};
    each("an_address_that_bounced_or_complained", |db| {
        let store = db.open();
        let request = |display: &str| SignUp {
            display: display.to_owned(),
            follows_all: true,
            themes: Vec::new(),
            programmes: Vec::new(),
            frequency: Frequency::Weekly,
            format: subscribers::MailFormat::Html,
            form: "web:test".to_owned(),
            ip: None,
            mails_per_day: 5,
        };
        // Queued before the bounce came in.
        assert_eq!(
            store.sign_up(&request("Ana@X.org"), 1_000).unwrap(),
            SignUpOutcome::Confirm
        );
        let report = |id: &str, address: &str, kind| BounceReport {
            id: id.to_owned(),
            complaint: kind == BounceKind::Complaint,
            at: chrono::Utc::now(),
            events: vec![(address.to_owned(), kind, "5.1.1".to_owned())],
        };
        let rule = SoftRule {
            limit: 3,
            window_days: 14,
        };
        store
            .record_bounce_report(&report("<1>", "ana@x.org", BounceKind::Hard), rule)
            .unwrap();
        store
            .record_bounce_report(&report("<2>", "bo@x.org", BounceKind::Complaint), rule)
            .unwrap();
        // The queued mail is never claimed; new sign-ups queue nothing.
        assert!(store.claim_mail(1_001, 300, 10).unwrap().is_empty());
        for display in ["ana@x.org", "Bo@X.org"] {
            assert_eq!(
                store.sign_up(&request(display), 1_002).unwrap(),
                SignUpOutcome::Suppressed
            );
        }
        let queue = store.mail_queue().unwrap();
        assert_eq!(
            queue,
            [(
                "ana@x.org".to_owned(),
                "confirm".to_owned(),
                "failed".to_owned()
            )]
        );
        // An unsubscribed address may sign up again (a new consent).
        store.unsubscribe("cy@x.org", "shell").unwrap();
        assert_eq!(
            store.sign_up(&request("cy@x.org"), 1_003).unwrap(),
            SignUpOutcome::Confirm
        );
        assert_eq!(store.claim_mail(1_004, 300, 10).unwrap().len(), 1);
    });
}
