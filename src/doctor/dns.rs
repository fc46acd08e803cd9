//! Doctor's DNS checks: the SPF record of the From domain, the DKIM key's
//! TXT record and the DMARC record, looked up with hickory-resolver (the
//! system's resolvers, or one server given with `--dns-server`). Lookups
//! are few and short (one attempt, a few seconds, all at once) so that a
//! machine without network gets one `skipped` line at once, not a hang.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{
    NameServerConfig, NameServerConfigGroup, ProtocolConfig, ResolveHosts, ResolverConfig,
    ResolverOpts,
};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::RecordType;
use hickory_resolver::proto::{ProtoError, ProtoErrorKind};
use hickory_resolver::{Name, TokioResolver};

use super::{from_domain, is_placeholder, Check, Level};
use crate::config::Config;
use crate::dkim::Signer;

/// The resolver's wait for one answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(2);
/// A lookup's limit whatever the resolver does (TCP after a truncated
/// answer, several servers).
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

/// Where doctor's DNS checks ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dns {
    /// The system's resolvers (`/etc/resolv.conf`).
    System,
    /// This server alone, over UDP (and TCP for long answers).
    Server(SocketAddr),
    /// No lookups: one `skipped` line.
    Off,
}

/// What one TXT lookup gave.
#[derive(Debug, Clone)]
enum Answer {
    /// The records' texts (none: no such name or no TXT there).
    Records(Vec<String>),
    /// No answer; `unreachable` when no server answered at all.
    Failed { unreachable: bool, message: String },
}

impl Answer {
    fn unreachable(&self) -> bool {
        matches!(
            self,
            Answer::Failed {
                unreachable: true,
                ..
            }
        )
    }
}

/// The SPF, DKIM TXT and DMARC checks, or one `skipped dns` line.
pub(super) fn checks(config: &Config, dns: Dns) -> Vec<Check> {
    let skipped = |message: String| vec![Check::new(Level::Skipped, "dns", message)];
    let look_up_by_hand = "look up the SPF, DKIM and DMARC TXT records with `dig TXT` before \
                           the first send";
    if dns == Dns::Off {
        return skipped(format!("not checked (--no-dns): {look_up_by_hand}"));
    }
    let Some(from) = from_domain(config) else {
        return skipped("no From domain to look up (see `from`)".to_owned());
    };
    if is_placeholder(&from) {
        return skipped(format!(
            "{from} is a placeholder: set digest.from, then run doctor again to look up its \
             SPF, DKIM and DMARC records"
        ));
    }
    let signer = config.digest.dkim.as_ref();
    let Found {
        servers,
        root_exists,
        answers,
    } = match look_up(dns, &from, signer) {
        Ok(found) => found,
        Err(e) => return skipped(format!("no resolver ({e}): {look_up_by_hand}")),
    };
    if answers.values().all(Answer::unreachable) {
        let why = answers
            .values()
            .find_map(|a| match a {
                Answer::Failed { message, .. } => Some(message.as_str()),
                Answer::Records(_) => None,
            })
            .unwrap_or("no lookup");
        return skipped(format!(
            "no DNS server answered ({servers}: {why}); this machine may have no network: \
             {look_up_by_hand}, or run doctor where the network allows (--dns-server ADDR:PORT \
             picks the server)"
        ));
    }
    if !root_exists {
        return skipped(format!(
            "{servers} answers that no name exists, not even the root zone: it reaches no \
             real DNS (no network here?): {look_up_by_hand}, or pick a server with \
             --dns-server ADDR:PORT"
        ));
    }
    let mut checks = vec![spf(&from, &answers[&from])];
    if let Some(signer) = signer {
        checks.push(dkim_record(config, signer, &answers[&fqdn_of(signer)]));
    }
    checks.push(dmarc(&from, signer, &answers));
    checks
}

fn fqdn_of(signer: &Signer) -> String {
    signer
        .record_name()
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// `_dmarc.` names from the From domain up to its last two labels: a
/// receiver without a record at the From domain uses the organizational
/// domain's (RFC 7489 §6.6.3). Two labels stand in for the Public Suffix
/// List here: at worst a name too many is asked.
fn dmarc_names(from: &str) -> Vec<String> {
    let labels: Vec<&str> = from.split('.').collect();
    (0..labels.len().saturating_sub(1).max(1))
        .map(|i| format!("_dmarc.{}", labels[i..].join(".")))
        .collect()
}

/// What the lookups found.
struct Found {
    /// The servers asked, for messages.
    servers: String,
    /// False when the server says even the root zone does not exist: a
    /// resolver with no way out may answer NXDOMAIN to every name, which
    /// would read as "no record" everywhere.
    root_exists: bool,
    /// Every TXT answer doctor needs, by name (lowercase, no final dot).
    answers: BTreeMap<String, Answer>,
}

fn look_up(dns: Dns, from: &str, signer: Option<&Signer>) -> Result<Found, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let resolver = resolver(dns)?;
        let mut servers: Vec<String> = resolver
            .config()
            .name_servers()
            .iter()
            .map(|s| s.socket_addr.to_string())
            .collect();
        servers.dedup();
        let servers = servers.join(", ");
        let dmarc_names = dmarc_names(from);
        let dkim_name = signer.map(fqdn_of);
        let (root_exists, spf, dkim, first_dmarc) = tokio::join!(
            root_exists(&resolver),
            txt(&resolver, from),
            async {
                match &dkim_name {
                    Some(name) => Some(txt(&resolver, name).await),
                    None => None,
                }
            },
            txt(&resolver, &dmarc_names[0]),
        );
        let mut answers = BTreeMap::new();
        answers.insert(from.to_owned(), spf);
        if let (Some(name), Some(answer)) = (dkim_name, dkim) {
            answers.insert(name, answer);
        }
        // The parents only when the From domain has no record.
        let mut previous = first_dmarc;
        for (i, name) in dmarc_names.iter().enumerate() {
            let found = !matches!(&previous, Answer::Records(r) if dmarc_records(r).is_empty());
            answers.insert(name.clone(), previous);
            match dmarc_names.get(i + 1) {
                Some(next) if !found => previous = txt(&resolver, next).await,
                _ => break,
            }
        }
        Ok(Found {
            servers,
            root_exists,
            answers,
        })
    })
}

async fn root_exists(resolver: &TokioResolver) -> bool {
    let lookup = resolver.lookup(Name::root(), RecordType::NS);
    match tokio::time::timeout(LOOKUP_TIMEOUT, lookup).await {
        Ok(Err(e)) => !matches!(
            e.kind(),
            ProtoErrorKind::NoRecordsFound(no) if no.response_code == ResponseCode::NXDomain
        ),
        // Unreachable is told apart by the other lookups.
        _ => true,
    }
}

fn resolver(dns: Dns) -> Result<TokioResolver, String> {
    let mut builder = match dns {
        Dns::Server(addr) => {
            let servers: NameServerConfigGroup = vec![
                NameServerConfig::new(addr, ProtocolConfig::Udp),
                NameServerConfig::new(addr, ProtocolConfig::Tcp),
            ]
            .into();
            TokioResolver::builder_with_config(
                ResolverConfig::from_parts(None, vec![], servers),
                TokioConnectionProvider::default(),
            )
        }
        Dns::System | Dns::Off => TokioResolver::builder_tokio().map_err(|e| e.to_string())?,
    };
    let options: &mut ResolverOpts = builder.options_mut();
    options.timeout = ANSWER_TIMEOUT;
    options.attempts = 1;
    // RSA keys make TXT answers longer than 512 bytes.
    options.edns0 = true;
    options.use_hosts_file = ResolveHosts::Never;
    Ok(builder.build())
}

/// The TXT records at `name`, each one's strings joined (RFC 7208 §3.3,
/// RFC 6376 §3.6.2.2).
async fn txt(resolver: &TokioResolver, name: &str) -> Answer {
    // Fully qualified: no search domains tried.
    let lookup = resolver.txt_lookup(format!("{name}."));
    match tokio::time::timeout(LOOKUP_TIMEOUT, lookup).await {
        Err(_) => Answer::Failed {
            unreachable: true,
            message: format!("no answer in {} s", LOOKUP_TIMEOUT.as_secs()),
        },
        Ok(Ok(lookup)) => {
            let mut records: Vec<String> = lookup
                .iter()
                .map(|txt| {
                    let bytes: Vec<u8> = txt.iter().flat_map(|s| s.iter().copied()).collect();
                    String::from_utf8_lossy(&bytes).into_owned()
                })
                .collect();
            records.sort();
            Answer::Records(records)
        }
        Ok(Err(e)) => failure(&e),
    }
}

fn failure(e: &ProtoError) -> Answer {
    match e.kind() {
        ProtoErrorKind::NoRecordsFound(no)
            if matches!(
                no.response_code,
                ResponseCode::NoError | ResponseCode::NXDomain
            ) =>
        {
            Answer::Records(Vec::new())
        }
        ProtoErrorKind::NoRecordsFound(no) => Answer::Failed {
            unreachable: false,
            message: format!("the server answered {}", no.response_code),
        },
        _ => Answer::Failed {
            unreachable: true,
            message: e.to_string(),
        },
    }
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

fn spf(from: &str, answer: &Answer) -> Check {
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

fn dkim_record(config: &Config, signer: &Signer, answer: &Answer) -> Check {
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
    // A missing v= is allowed; when present it must be DKIM1.
    let keys: Vec<BTreeMap<String, String>> = records
        .iter()
        .map(|r| tags(r))
        .filter(|t| t.get("v").is_none_or(|v| v == "DKIM1"))
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

fn dmarc_records(records: &[String]) -> Vec<&String> {
    records
        .iter()
        .filter(|r| {
            r.split(';')
                .next()
                .is_some_and(|v| v.replace(' ', "").eq_ignore_ascii_case("v=DMARC1"))
        })
        .collect()
}

fn dmarc(from: &str, signer: Option<&Signer>, answers: &BTreeMap<String, Answer>) -> Check {
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
