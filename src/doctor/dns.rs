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

use super::records::{dkim_record, dmarc, dmarc_names, dmarc_records, spf, Answer};
use super::{from_domain, is_placeholder, Check, Level};
use crate::config::Config;
use crate::dkim::{dns_name, Signer};

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
    if dns_name(&from, true).is_err() {
        return skipped(format!(
            "{from} is not a domain name to look up (see `from`)"
        ));
    }
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
    let not_asked = Answer::Failed {
        unreachable: false,
        message: "not asked".to_owned(),
    };
    let answer = |name: &str| answers.get(name).unwrap_or(&not_asked);
    let mut checks = vec![spf(&from, answer(&from))];
    if let Some(signer) = signer {
        checks.push(dkim_record(config, signer, answer(&fqdn_of(signer))));
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
        kind => Answer::Failed {
            // Anything else is about the name or the answer, not the network.
            unreachable: matches!(
                kind,
                ProtoErrorKind::Timeout
                    | ProtoErrorKind::NoConnections
                    | ProtoErrorKind::Io(_)
                    | ProtoErrorKind::Busy
            ),
            message: e.to_string(),
        },
    }
}
