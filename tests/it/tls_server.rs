//! An SMTP server with TLS for tests: a private CA and a server
//! certificate made at test time (rcgen); STARTTLS or TLS from the first
//! byte (rustls); AUTH PLAIN and LOGIN required before MAIL. mailin-embedded
//! (`smtp_server`) has STARTTLS but neither implicit TLS nor AUTH without
//! it, hence this one: it speaks EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA,
//! RSET, NOOP and QUIT, with knobs for the failures (no STARTTLS offered,
//! no answer to the end of DATA).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, KeyUsagePurpose};
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig, ServerConnection, StreamOwned};

pub const USER: &str = "digest-sender";
pub const PASSWORD: &str = "correct horse battery staple";

/// A private CA and a certificate it issued for `names`.
pub struct Pki {
    pub ca_pem: String,
    cert: CertificateDer<'static>,
    key: Vec<u8>,
}

impl Pki {
    pub fn new(names: &[&str]) -> Pki {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "storyfeed test CA");
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();
        Pki {
            ca_pem: ca_cert.pem(),
            cert: cert.der().clone(),
            key: key.serialize_der(),
        }
    }

    /// The CA's certificate, as a settings' `ca_roots`.
    pub fn ca_roots(&self) -> Vec<CertificateDer<'static>> {
        vec![CertificateDer::from_pem_slice(self.ca_pem.as_bytes()).unwrap()]
    }

    fn server_config(&self) -> Arc<ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::try_from(self.key.clone()).unwrap();
        Arc::new(
            ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![self.cert.clone()], key)
                .unwrap(),
        )
    }
}

/// How the server behaves.
#[derive(Debug, Clone, Copy)]
pub struct Knobs {
    /// TLS from the first byte (smtps); else plain text first.
    pub implicit: bool,
    /// Offer STARTTLS (plain-text sessions only).
    pub starttls: bool,
    /// The AUTH mechanisms offered.
    pub auth: &'static str,
    /// AUTH only over TLS (as real servers do).
    pub auth_needs_tls: bool,
}

impl Default for Knobs {
    fn default() -> Knobs {
        Knobs {
            implicit: false,
            starttls: true,
            auth: "PLAIN LOGIN",
            auth_needs_tls: true,
        }
    }
}

/// A message accepted.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Default)]
struct Log {
    accepted: Mutex<Vec<Accepted>>,
    /// `PLAIN` / `LOGIN`, per successful AUTH.
    logins: Mutex<Vec<String>>,
    failed_logins: AtomicUsize,
    /// Ends of DATA still to leave unanswered.
    to_stall: AtomicUsize,
    stalled: AtomicUsize,
}

pub struct TlsServer {
    pub addr: SocketAddr,
    log: Arc<Log>,
}

impl TlsServer {
    pub fn start(pki: &Pki, knobs: Knobs) -> TlsServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Log::default());
        let config = pki.server_config();
        let log2 = Arc::clone(&log);
        thread::spawn(move || {
            for tcp in listener.incoming() {
                let Ok(tcp) = tcp else { continue };
                let (config, log) = (Arc::clone(&config), Arc::clone(&log2));
                thread::spawn(move || {
                    let _ = session(tcp, &config, knobs, &log);
                });
            }
        });
        TlsServer { addr, log }
    }

    pub fn accepted(&self) -> Vec<Accepted> {
        self.log.accepted.lock().unwrap().clone()
    }

    pub fn logins(&self) -> Vec<String> {
        self.log.logins.lock().unwrap().clone()
    }

    pub fn failed_logins(&self) -> usize {
        self.log.failed_logins.load(Ordering::SeqCst)
    }

    /// Leave the end of DATA unanswered (and the message not accepted)
    /// the next `n` times.
    pub fn stall_data(&self, n: usize) {
        self.log.to_stall.store(n, Ordering::SeqCst);
    }

    pub fn stalled(&self) -> usize {
        self.log.stalled.load(Ordering::SeqCst)
    }
}

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

struct Conn {
    reader: BufReader<Box<dyn Stream>>,
}

impl Conn {
    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        // Bounded: a test server, but no endless line.
        (&mut self.reader)
            .take(100_000)
            .read_until(b'\n', &mut line)?;
        if line.is_empty() {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_owned())
    }

    fn reply(&mut self, text: &str) -> io::Result<()> {
        let stream = self.reader.get_mut();
        stream.write_all(text.as_bytes())?;
        stream.write_all(b"\r\n")?;
        stream.flush()
    }
}

fn tls(tcp: TcpStream, config: &Arc<ServerConfig>) -> io::Result<Conn> {
    let connection = ServerConnection::new(Arc::clone(config)).map_err(io::Error::other)?;
    Ok(Conn {
        reader: BufReader::new(Box::new(StreamOwned::new(connection, tcp))),
    })
}

fn session(tcp: TcpStream, config: &Arc<ServerConfig>, knobs: Knobs, log: &Log) -> io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let raw = tcp.try_clone()?;
    let mut secure = knobs.implicit;
    let mut conn = if secure {
        tls(tcp, config)?
    } else {
        Conn {
            reader: BufReader::new(Box::new(tcp)),
        }
    };
    conn.reply("220 tls.test.invalid ESMTP")?;
    let mut authed = false;
    let mut to = Vec::new();
    let mut raw = Some(raw);
    loop {
        let line = conn.line()?;
        let upper = line.to_ascii_uppercase();
        let verb = upper.split(' ').next().unwrap_or("");
        match verb {
            "EHLO" => {
                let mut lines = vec!["tls.test.invalid".to_owned()];
                if !secure && knobs.starttls {
                    lines.push("STARTTLS".to_owned());
                }
                if secure || !knobs.auth_needs_tls {
                    lines.push(format!("AUTH {}", knobs.auth));
                }
                lines.push("8BITMIME".to_owned());
                let last = lines.len() - 1;
                for (i, l) in lines.iter().enumerate() {
                    conn.reply(&format!("250{}{l}", if i == last { ' ' } else { '-' }))?;
                }
            }
            "HELO" | "NOOP" => conn.reply("250 OK")?,
            "STARTTLS" if !secure && knobs.starttls => {
                conn.reply("220 2.0.0 Ready to start TLS")?;
                let tcp = raw.take().expect("one STARTTLS");
                conn = tls(tcp, config)?;
                secure = true;
                authed = false;
            }
            "AUTH" if !secure && knobs.auth_needs_tls => {
                conn.reply("538 5.7.11 Encryption required")?
            }
            "AUTH" => {
                let words: Vec<&str> = line.split(' ').collect();
                let mechanism = words.get(1).map(|m| m.to_ascii_uppercase());
                let offered = |m: &str| knobs.auth.split(' ').any(|o| o == m);
                let ok = match mechanism.as_deref() {
                    Some("PLAIN") if offered("PLAIN") => {
                        let answer = match words.get(2) {
                            Some(a) => a.to_string(),
                            None => {
                                conn.reply("334 ")?;
                                conn.line()?
                            }
                        };
                        let decoded = BASE64.decode(answer.trim()).unwrap_or_default();
                        let parts: Vec<&[u8]> = decoded.split(|b| *b == 0).collect();
                        parts.len() == 3
                            && parts[1] == USER.as_bytes()
                            && parts[2] == PASSWORD.as_bytes()
                    }
                    Some("LOGIN") if offered("LOGIN") => {
                        let user = match words.get(2) {
                            Some(u) => u.to_string(),
                            None => {
                                conn.reply("334 VXNlcm5hbWU6")?;
                                conn.line()?
                            }
                        };
                        conn.reply("334 UGFzc3dvcmQ6")?;
                        let password = conn.line()?;
                        BASE64.decode(user.trim()).unwrap_or_default() == USER.as_bytes()
                            && BASE64.decode(password.trim()).unwrap_or_default()
                                == PASSWORD.as_bytes()
                    }
                    _ => {
                        conn.reply("504 5.5.4 Unrecognized authentication type")?;
                        continue;
                    }
                };
                if ok {
                    authed = true;
                    log.logins
                        .lock()
                        .unwrap()
                        .push(mechanism.unwrap_or_default());
                    conn.reply("235 2.7.0 Authentication successful")?;
                } else {
                    log.failed_logins.fetch_add(1, Ordering::SeqCst);
                    conn.reply("535 5.7.8 Authentication credentials invalid")?;
                }
            }
            "MAIL" if !authed => conn.reply("530 5.7.0 Authentication required")?,
            "MAIL" => {
                to.clear();
                conn.reply("250 2.1.0 OK")?;
            }
            "RCPT" => {
                let address = line
                    .split_once('<')
                    .and_then(|(_, rest)| rest.split_once('>'))
                    .map(|(a, _)| a.to_owned())
                    .unwrap_or_default();
                to.push(address);
                conn.reply("250 2.1.5 OK")?;
            }
            "DATA" if to.is_empty() => conn.reply("503 5.5.1 No recipients")?,
            "DATA" => {
                conn.reply("354 End data with <CR><LF>.<CR><LF>")?;
                let mut data = Vec::new();
                loop {
                    let line = conn.line()?;
                    if line == "." {
                        break;
                    }
                    let line = line.strip_prefix('.').unwrap_or(&line);
                    data.extend_from_slice(line.as_bytes());
                    data.extend_from_slice(b"\r\n");
                }
                let stall = log
                    .to_stall
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if stall {
                    log.stalled.fetch_add(1, Ordering::SeqCst);
                    // Never answered, never accepted: wait for the client
                    // to give up and hang up.
                    while conn.line().is_ok() {}
                    return Ok(());
                }
                log.accepted.lock().unwrap().push(Accepted {
                    to: std::mem::take(&mut to),
                    data,
                });
                conn.reply("250 2.0.0 Queued")?;
            }
            "RSET" => {
                to.clear();
                conn.reply("250 2.0.0 OK")?;
            }
            "QUIT" => {
                conn.reply("221 2.0.0 Bye")?;
                return Ok(());
            }
            _ => conn.reply("502 5.5.2 Command not recognized")?,
        }
    }
}
