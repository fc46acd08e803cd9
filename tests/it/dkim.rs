//! DKIM checked by an independent verifier: `storyfeed dkim keygen` makes
//! the key and prints the DNS record, a dry run signs every digest, and
//! mail-auth (not lettre, which signs) verifies them with that record given
//! as the DNS answer, offline. A message changed after signing fails.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mail_auth::common::parse::TxtRecordParser as _;
use mail_auth::common::verify::DomainKey;
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters};
use mail_auth::{ResolverCache, Txt};

use crate::harness::{root, Project};

/// A DNS answer given by hand: the verifier's TXT cache, filled before
/// it asks, so it never goes to the network.
struct Answers(Mutex<HashMap<String, Txt>>);

impl ResolverCache<String, Txt> for Answers {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        String: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().get(name).cloned()
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        String: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().remove(name)
    }

    fn insert(&self, key: String, value: Txt, _: Instant) {
        self.0.lock().unwrap().insert(key, value);
    }
}

/// The record `dkim keygen` printed: `name. IN TXT "part" "part"`.
pub(crate) fn parse_record(line: &str) -> (String, String) {
    let (name, rest) = line.split_once(" IN TXT ").expect("a TXT line");
    let text: String = rest
        .split('"')
        .skip(1)
        .step_by(2)
        .collect::<Vec<_>>()
        .concat();
    (name.to_owned(), text)
}

/// Verifies `message` against the record; one result per signature.
fn verify(record: &(String, String), message: &[u8]) -> Vec<DkimResult> {
    let answers = Answers(Mutex::new(HashMap::new()));
    let key = DomainKey::parse(record.1.as_bytes()).expect("the printed record parses");
    // Keys in the cache are fully qualified names.
    answers.insert(record.0.clone(), Txt::from(key), Instant::now());
    let authenticator = MessageAuthenticator::new_cloudflare().unwrap();
    let message = AuthenticatedMessage::parse(message).expect("a message");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let results = runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(30),
            authenticator.verify_dkim(Parameters::new(&message).with_txt_cache(&answers)),
        )
        .await
        .expect("no DNS query: the answer is in the cache")
    });
    results.iter().map(|r| r.result().clone()).collect()
}

pub(crate) fn passes(record: &(String, String), message: &[u8]) -> bool {
    matches!(verify(record, message).as_slice(), [DkimResult::Pass])
}

/// The config: the shipped archives, and a DKIM key when given
/// (`selector`, key file).
fn config(dkim: Option<(&str, &str)>) -> String {
    let root = root();
    let mut text = format!(
        "base_url = \"https://example.org/unodc/\"\narchives = [{:?}]\ntaxonomy = {:?}\n\
         ledger = {:?}\n[digest]\nfrom = \"UNODC stories <digest@example.org>\"\n\
         subscribers = \"subscribers.toml\"\n",
        root.join("data/archives"),
        root.join("data/taxonomy.toml"),
        root.join("data/published.jsonl"),
    );
    if let Some((selector, key_file)) = dkim {
        text.push_str(&format!(
            "dkim_selector = \"{selector}\"\ndkim_domain = \"example.org\"\n\
             dkim_key_file = \"{key_file}\"\n"
        ));
    }
    text
}

/// A project with a few subscribers, unsigned.
fn project() -> Project {
    let subscribers = "[[subscriber]]\naddress = \"all.weekly@example.org\"\nall = true\n\
        frequency = \"weekly\"\n\n[[subscriber]]\naddress = \"text@example.org\"\n\
        themes = [\"drugs\"]\nformat = \"text\"\nfrequency = \"monthly\"\nname = \"Zoë Ünal\"\n";
    Project::new()
        .subscribers(subscribers)
        .env("STORYFEED_SECRET", "test-secret-not-for-production")
        .config(&config(None))
}

fn with_dkim(project: &Project, selector: &str, key_file: &str) {
    project.write("storyfeed.toml", config(Some((selector, key_file))));
}

fn outbox(project: &Project) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for period in std::fs::read_dir(project.join("outbox")).unwrap() {
        for f in std::fs::read_dir(period.unwrap().path()).unwrap() {
            let path = f.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            files.push((path, bytes));
        }
    }
    files.sort();
    files
}

/// Replaces the first `from` in the message's bytes.
fn replace(message: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(message.to_vec()).unwrap();
    assert!(text.contains(from), "{from:?} not in the message");
    text.replacen(from, to, 1).into_bytes()
}

fn signs_and_verifies(algorithm: &str) {
    let project = project();
    let keygen = project
        .run([
            "dkim",
            "keygen",
            "--selector",
            "s1",
            "--domain",
            "example.org",
            "--algorithm",
            algorithm,
            "--out",
            "dkim.pem",
        ])
        .assert_success();
    let record = parse_record(keygen.stdout.trim());
    assert_eq!(record.0, "s1._domainkey.example.org.");
    assert!(
        record.1.starts_with(&format!("v=DKIM1; k={algorithm}; p=")),
        "{}",
        record.1
    );
    with_dkim(&project, "s1", "dkim.pem");
    project
        .run(["digest", "--dry-run", "--as-of", "2020-03-02"])
        .assert_success();
    let files = outbox(&project);
    assert_eq!(files.len(), 2, "{files:?}");
    for (path, message) in &files {
        assert!(
            passes(&record, message),
            "{} does not verify",
            path.display()
        );
        let parsed = mail_parser::MessageParser::default()
            .parse(message)
            .unwrap();
        let signature = parsed
            .header_raw("DKIM-Signature")
            .expect("signed")
            .split_whitespace()
            .collect::<String>();
        assert!(
            signature.contains(&format!("a={algorithm}-sha256;")),
            "{signature}"
        );
        assert!(signature.contains("c=relaxed/relaxed;"), "{signature}");
        assert!(
            signature.contains(
                "h=from:to:subject:date:message-id:list-id:list-unsubscribe:list-unsubscribe-post;"
            ),
            "{signature}"
        );
        // Changed after signing: each fails.
        let list_unsubscribe = parsed.header_raw("List-Unsubscribe").unwrap();
        let subject = parsed.header_raw("Subject").unwrap();
        let body_start = message.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let mut body_byte = message.clone();
        let at = body_start + (message.len() - body_start) / 2;
        body_byte[at] = if body_byte[at] == b'x' { b'y' } else { b'x' };
        let altered = [
            ("a body byte", body_byte),
            (
                "the subject",
                replace(message, subject, &subject.replacen("UNODC", "UNODK", 1)),
            ),
            (
                "List-Unsubscribe",
                replace(
                    message,
                    list_unsubscribe,
                    &list_unsubscribe.replacen("https://example.org/", "https://evil.example/", 1),
                ),
            ),
            (
                "List-Unsubscribe-Post",
                replace(
                    message,
                    "List-Unsubscribe=One-Click",
                    "List-Unsubscribe=One-Clack",
                ),
            ),
        ];
        for (what, bytes) in altered {
            assert_ne!(&bytes, message);
            let results = verify(&record, &bytes);
            assert_eq!(results.len(), 1, "{what}");
            assert!(
                // mail-auth calls a body hash mismatch neutral.
                matches!(
                    results[0],
                    DkimResult::Fail(_)
                        | DkimResult::Neutral(mail_auth::Error::FailedBodyHashMatch)
                ),
                "{what} changed, yet {:?}",
                results[0]
            );
        }
        // And a key that is not the one published fails too.
        let other = (record.0.clone(), other_record(algorithm));
        assert!(!passes(&other, message));
    }
}

/// The record of a key that did not sign.
fn other_record(algorithm: &str) -> String {
    let project = Project::new();
    let out = project
        .run([
            "dkim",
            "keygen",
            "--selector",
            "s1",
            "--domain",
            "example.org",
            "--algorithm",
            algorithm,
            "--out",
            "other.pem",
        ])
        .assert_success();
    parse_record(out.stdout.trim()).1
}

#[test]
fn every_digest_verifies_with_ed25519() {
    signs_and_verifies("ed25519");
}

#[test]
fn every_digest_verifies_with_rsa() {
    signs_and_verifies("rsa");
}

#[test]
fn without_dkim_settings_nothing_is_signed() {
    let project = project();
    project
        .run(["digest", "--dry-run", "--as-of", "2020-03-02"])
        .assert_success();
    for (path, message) in outbox(&project) {
        let text = String::from_utf8_lossy(&message);
        assert!(!text.contains("DKIM-Signature"), "{}", path.display());
    }
}

#[test]
fn keygen_writes_an_owner_only_key_and_never_overwrites() {
    let project = Project::new();
    let args = [
        "dkim",
        "keygen",
        "--selector",
        "s",
        "--domain",
        "example.org",
    ];
    let first = project.run(args).assert_success();
    let path = project.join("s.example.org.dkim.pem");
    let key = std::fs::read_to_string(&path).unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{key}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The key is in the file only, not in what was printed.
    let body = key.lines().nth(1).unwrap();
    assert!(!first.stdout.contains(body) && !first.stderr.contains(body));
    let again = project.run(args).assert_code(2);
    assert!(again.stderr.contains("already exists"), "{again}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), key);
    // A bad selector or domain is refused before anything is written.
    for (flag, value) in [("--selector", "a b"), ("--domain", "localhost")] {
        let mut args = vec![
            "dkim",
            "keygen",
            "--selector",
            "t",
            "--domain",
            "example.org",
        ];
        let at = args.iter().position(|a| *a == flag).unwrap() + 1;
        args[at] = value;
        let out = project.run(&args).assert_code(2);
        assert!(out.stderr.contains(flag), "{out}");
    }
    assert!(!project.join("t.example.org.dkim.pem").exists());
}

#[test]
fn a_bad_key_file_stops_the_run_naming_the_file() {
    let project = project();
    // A certificate is not a key; the file's text is never echoed.
    project.write(
        "dkim.pem",
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n",
    );
    with_dkim(&project, "s1", "dkim.pem");
    let out = project
        .run(["digest", "--dry-run", "--as-of", "2020-03-02"])
        .assert_code(2);
    assert!(out.stderr.contains("dkim.pem"), "{out}");
    assert!(out.stderr.contains("digest.dkim_key_file"), "{out}");
    assert!(!out.stderr.contains("c2VjcmV0"), "{out}");
    assert!(!project.join("outbox").exists());
    // Only the commands that sign need the key: a site still builds.
    project.run(["build"]).assert_success();
    // Missing file, and a setting missing its partners.
    with_dkim(&project, "s1", "nowhere.pem");
    let out = project
        .run(["digest", "--dry-run", "--as-of", "2020-03-02"])
        .assert_code(2);
    assert!(out.stderr.contains("nowhere.pem"), "{out}");
    project.write(
        "storyfeed.toml",
        "[digest]\ndkim_selector = \"s1\"\ndkim_domain = \"example.org\"\n",
    );
    let out = project
        .run(["digest", "--dry-run", "--as-of", "2020-03-02"])
        .assert_code(2);
    assert!(out.stderr.contains("digest.dkim_key_file"), "{out}");
}
