//! Doctor's verdicts on the DNS records found (`dns` looks them up): the
//! From domain's SPF record, the DKIM key's TXT record against the loaded
//! key, and the DMARC record with its policy and alignment. Plain data in,
//! a [`Check`] out, so each rule is tested without a server.

use std::collections::BTreeMap;

use super::{Check, Level};
use crate::config::Config;
use crate::dkim::Signer;

/// What one TXT lookup gave.
#[derive(Debug, Clone)]
pub(super) enum Answer {
    /// The records' texts (none: no such name or no TXT there).
    Records(Vec<String>),
    /// No answer; `unreachable` when no server answered at all.
    Failed { unreachable: bool, message: String },
}

impl Answer {
    pub(super) fn unreachable(&self) -> bool {
        matches!(
            self,
            Answer::Failed {
                unreachable: true,
                ..
            }
        )
    }
}
/// `_dmarc.` names from the From domain up to its last two labels: a
/// receiver without a record at the From domain uses the organizational
/// domain's (RFC 7489 §6.6.3). Two labels stand in for the Public Suffix
/// List here: at worst a name too many is asked.
pub(super) fn dmarc_names(from: &str) -> Vec<String> {
    let labels: Vec<&str> = from.split('.').collect();
    (0..labels.len().saturating_sub(1).max(1))
        .map(|i| format!("_dmarc.{}", labels[i..].join(".")))
        .collect()
}

/// `tag=value` pairs of a DKIM or DMARC record; names lowercase, values
/// trimmed (RFC 6376 §3.2).
fn tags(record: &str) -> BTreeMap<String, String> {
    record
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect()
}

fn failed(name: &'static str, what: &str, message: &str) -> Check {
    Check::new(
        Level::Warning,
        name,
        format!(
            "could not look up {what}: {message}; try again, or look it up with `dig TXT {what}`"
        ),
    )
}

pub(super) fn spf(from: &str, answer: &Answer) -> Check {
    let records = match answer {
        Answer::Records(r) => r,
        Answer::Failed { message, .. } => return failed("spf", from, message),
    };
    let spf: Vec<&String> = records
        .iter()
        .filter(|r| {
            r.split_whitespace()
                .next()
                .is_some_and(|v| v.eq_ignore_ascii_case("v=spf1"))
        })
        .collect();
    match spf.as_slice() {
        [] => Check::new(
            Level::Warning,
            "spf",
            format!(
                "no SPF record at {from}: publish a TXT record naming the servers that send for \
                 it, e.g. `v=spf1 include:<your relay's SPF domain> -all` (Gmail and Yahoo want \
                 SPF and DKIM from bulk senders)"
            ),
        ),
        [one] if one.split_whitespace().any(|t| t == "+all" || t == "all") => Check::new(
            Level::Warning,
            "spf",
            format!("`{one}` at {from} lets any server send as {from}: end it with -all or ~all"),
        ),
        [one] => Check::new(
            Level::Ok,
            "spf",
            format!(
                "`{one}` at {from}; whether it covers your relay depends on the address mail \
                 leaves from, which can't be evaluated from here: check that it names your relay"
            ),
        ),
        many => Check::new(
            Level::Error,
            "spf",
            format!(
                "{} SPF records at {from}: receivers treat that as an error (RFC 7208 §4.5); \
                 merge them into one",
                many.len()
            ),
        ),
    }
}

pub(super) fn dkim_record(config: &Config, signer: &Signer, answer: &Answer) -> Check {
    let name = "dkim_record";
    let at = signer.record_name();
    let records = match answer {
        Answer::Records(r) => r,
        Answer::Failed { message, .. } => return failed(name, &at, message),
    };
    let key_file = config
        .digest
        .dkim_key_file
        .as_ref()
        .map_or_else(String::new, |p| format!(" in {}", p.display()));
    let publish = format!("publish `{}`", signer.record_text());
    // Key records only (other TXT may share the name); a missing v= is
    // allowed, when present it must be DKIM1.
    let keys: Vec<BTreeMap<String, String>> = records
        .iter()
        .map(|r| tags(r))
        .filter(|t| t.contains_key("p") && t.get("v").is_none_or(|v| v == "DKIM1"))
        .collect();
    let ours = tags(&signer.record_text());
    // Base64 may be folded with spaces in the record.
    let key = |t: &BTreeMap<String, String>| -> String {
        let p = t.get("p").map_or("", String::as_str);
        p.split_whitespace().collect()
    };
    let kind = |t: &BTreeMap<String, String>| t.get("k").map_or("rsa", String::as_str).to_owned();
    let matching = keys
        .iter()
        .any(|t| key(t) == key(&ours) && kind(t).eq_ignore_ascii_case(&kind(&ours)));
    if matching && keys.len() == 1 {
        Check::new(
            Level::Ok,
            name,
            format!("{at} holds the {} key{key_file}", signer.algorithm().tag()),
        )
    } else if matching {
        Check::new(
            Level::Warning,
            name,
            format!(
                "{at} has {} DKIM records, one of them this key: receivers may read any; keep one",
                keys.len()
            ),
        )
    } else if keys.is_empty() {
        Check::new(
            Level::Error,
            name,
            format!("no DKIM record at {at}: signed mail fails DKIM until you {publish}"),
        )
    } else if keys.iter().all(|t| key(t).is_empty()) {
        Check::new(
            Level::Error,
            name,
            format!("the record at {at} revokes its key (empty p=): {publish}"),
        )
    } else {
        Check::new(
            Level::Error,
            name,
            format!("the record at {at} doesn't match the key{key_file}: {publish}"),
        )
    }
}

pub(super) fn dmarc_records(records: &[String]) -> Vec<&String> {
    records
        .iter()
        .filter(|r| {
            r.split(';')
                .next()
                .is_some_and(|v| v.replace(' ', "").eq_ignore_ascii_case("v=DMARC1"))
        })
        .collect()
}

pub(super) fn dmarc(
    from: &str,
    signer: Option<&Signer>,
    answers: &BTreeMap<String, Answer>,
) -> Check {
    let name = "dmarc";
    let mut found = None;
    for at in dmarc_names(from) {
        match answers.get(&at) {
            Some(Answer::Records(records)) => {
                let records = dmarc_records(records);
                if !records.is_empty() {
                    found = Some((at, records));
                    break;
                }
            }
            Some(Answer::Failed { message, .. }) => return failed(name, &at, message),
            None => break,
        }
    }
    let Some((at, records)) = found else {
        return Check::new(
            Level::Warning,
            name,
            format!(
                "no DMARC record at {}: publish one at _dmarc.{from}, e.g. `v=DMARC1; p=none; \
                 rua=mailto:dmarc-reports@{from}`, then move to p=quarantine or p=reject \
                 (Gmail and Yahoo require one from bulk senders)",
                dmarc_names(from).join(" nor ")
            ),
        );
    };
    if let [_, _, ..] = records.as_slice() {
        return Check::new(
            Level::Error,
            name,
            format!(
                "{} DMARC records at {at}: receivers apply none of them (RFC 7489 §6.6.3); keep one",
                records.len()
            ),
        );
    }
    let record = records[0];
    let t = tags(record);
    // A parent's record governs the From subdomain through sp= if given.
    let policy = if at == format!("_dmarc.{from}") {
        t.get("p")
    } else {
        t.get("sp").or(t.get("p"))
    };
    let policy = policy.map_or("", String::as_str).to_ascii_lowercase();
    let mut level = Level::Ok;
    let mut message = format!("`{record}` at {at}: ");
    match policy.as_str() {
        "none" => {
            level = Level::Warning;
            message.push_str(
                "p=none asks receivers to do nothing with mail that fails; fine while you read \
                 the reports, then move to p=quarantine or p=reject",
            );
        }
        "quarantine" | "reject" => message.push_str(&format!("policy {policy}")),
        _ => {
            level = Level::Warning;
            message.push_str(
                "no valid p= policy (none, quarantine or reject): receivers may ignore the record",
            );
        }
    }
    let strict = t.get("adkim").is_some_and(|a| a.eq_ignore_ascii_case("s"));
    let mode = if strict { "adkim=s" } else { "adkim=r" };
    match signer {
        Some(signer) => {
            let d = signer.domain().trim_end_matches('.').to_ascii_lowercase();
            let aligned = from == d
                || !strict
                    && (from.ends_with(&format!(".{d}")) || d.ends_with(&format!(".{from}")));
            if aligned {
                message.push_str(&format!(
                    "; DKIM d={d} is aligned with From {from} ({mode})"
                ));
            } else {
                level = Level::Warning;
                message.push_str(&format!(
                    "; DKIM d={d} is not aligned with From {from} under {mode}: DMARC passes \
                     only through SPF; sign with {from}"
                ));
            }
        }
        None => message.push_str(&format!(
            "; storyfeed signs nothing: DMARC rests on your relay's DKIM signature or SPF, \
             aligned with {from} ({mode})"
        )),
    }
    Check::new(level, name, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dmarc_names_walk_up_to_two_labels() {
        assert_eq!(
            dmarc_names("news.mail.example.org"),
            [
                "_dmarc.news.mail.example.org",
                "_dmarc.mail.example.org",
                "_dmarc.example.org"
            ]
        );
        assert_eq!(dmarc_names("example.org"), ["_dmarc.example.org"]);
        assert_eq!(dmarc_names("localhost"), ["_dmarc.localhost"]);
    }

    #[test]
    fn tags_are_trimmed_and_named_in_lowercase() {
        let t = tags("v=DKIM1; K = ed25519 ;p=ab cd;");
        assert_eq!(t["k"], "ed25519");
        assert_eq!(t["p"], "ab cd");
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn dkim_records_other_txt_is_ignored_and_an_empty_key_revokes() {
        let signer = crate::dkim::generate("s1", "example.net", crate::dkim::Algorithm::Ed25519)
            .unwrap()
            .signer;
        let check = |records: &[&str]| {
            let answer = Answer::Records(records.iter().map(|r| r.to_string()).collect());
            dkim_record(&Config::default(), &signer, &answer)
        };
        let ours = signer.record_text();
        // Base64 folded with spaces still matches.
        let folded = ours.replacen("p=", "p= ", 1);
        assert_eq!(
            check(&["some verification token", &folded]).level,
            Level::Ok
        );
        let revoked = check(&["v=DKIM1; k=ed25519; p="]);
        assert_eq!(revoked.level, Level::Error);
        assert!(revoked.message.contains("revokes"), "{}", revoked.message);
        let rsa = ours.replace("k=ed25519", "k=rsa");
        assert!(check(&[&rsa]).message.contains("doesn't match the key"));
        assert!(check(&["v=spf1 -all"]).message.contains("no DKIM record"));
    }

    #[test]
    fn spf_levels() {
        let level = |records: &[&str]| {
            let answer = Answer::Records(records.iter().map(|r| r.to_string()).collect());
            spf("example.net", &answer).level
        };
        assert_eq!(level(&["v=spf1 include:relay.example -all"]), Level::Ok);
        assert_eq!(level(&["google-site-verification=x"]), Level::Warning);
        assert_eq!(level(&["v=spf1 +all"]), Level::Warning);
        assert_eq!(level(&["v=spf1 -all", "V=SPF1 mx -all"]), Level::Error);
    }
}
