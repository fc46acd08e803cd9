//! A tiny DNS server for doctor's tests: UDP on loopback, TXT records from
//! a map, encoded with hickory-proto (the resolver's own crate). Like an
//! authoritative server it answers NXDOMAIN for a missing name in its zone
//! and REFUSED outside it; or, as `Mode` says, it plays a resolver that
//! says nothing exists, or one that never answers.

use std::collections::BTreeMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use hickory_resolver::proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_resolver::proto::rr::rdata::TXT;
use hickory_resolver::proto::rr::{RData, Record, RecordType};
use hickory_resolver::proto::serialize::binary::BinEncodable as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Answers from the records; the zone is every name ending in `zone`.
    Zone,
    /// NXDOMAIN to every question, the root zone's included.
    DeniesEverything,
    /// Reads and never answers.
    Silent,
}

pub struct DnsServer {
    pub addr: SocketAddr,
    /// The names asked, in order (lowercase, no final dot).
    queries: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DnsServer {
    /// `records`: name (no final dot) → its TXT records' texts.
    pub fn start(mode: Mode, zone: &str, records: &[(&str, &str)]) -> DnsServer {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, text) in records {
            map.entry(name.to_ascii_lowercase())
                .or_default()
                .push((*text).to_owned());
        }
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let queries = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let zone = zone.to_ascii_lowercase();
        let thread = {
            let (queries, stop) = (queries.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while !stop.load(Ordering::Relaxed) {
                    let Ok((n, peer)) = socket.recv_from(&mut buf) else {
                        continue;
                    };
                    let Ok(request) = Message::from_vec(&buf[..n]) else {
                        continue;
                    };
                    let Some(query) = request.queries().first() else {
                        continue;
                    };
                    let name = query.name().to_ascii();
                    let name = name.trim_end_matches('.').to_ascii_lowercase();
                    queries.lock().unwrap().push(name.clone());
                    let mut response =
                        Message::new(request.id(), MessageType::Response, OpCode::Query);
                    response.add_query(query.clone());
                    response.set_recursion_desired(request.recursion_desired());
                    let in_zone = name == zone || name.ends_with(&format!(".{zone}"));
                    match mode {
                        Mode::Silent => continue,
                        Mode::DeniesEverything => {
                            response.set_response_code(ResponseCode::NXDomain);
                        }
                        Mode::Zone if !in_zone => {
                            response.set_response_code(ResponseCode::Refused);
                        }
                        Mode::Zone => match map.get(&name) {
                            None => {
                                response.set_response_code(ResponseCode::NXDomain);
                            }
                            Some(texts) => {
                                response.set_authoritative(true);
                                if query.query_type() == RecordType::TXT {
                                    for text in texts {
                                        response.add_answer(Record::from_rdata(
                                            query.name().clone(),
                                            60,
                                            RData::TXT(TXT::new(strings(text))),
                                        ));
                                    }
                                }
                            }
                        },
                    }
                    if let Ok(bytes) = response.to_bytes() {
                        let _ = socket.send_to(&bytes, peer);
                    }
                }
            })
        };
        DnsServer {
            addr,
            queries,
            stop,
            thread: Some(thread),
        }
    }

    pub fn queries(&self) -> Vec<String> {
        self.queries.lock().unwrap().clone()
    }
}

/// A TXT string holds at most 255 bytes: longer texts (RSA keys) go in
/// several, as zone files publish them.
fn strings(text: &str) -> Vec<String> {
    text.as_bytes()
        .chunks(255)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect()
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
