//! DKIM (RFC 6376): the signing key of `digest.dkim_key_file`, checked and
//! loaded once with the config; every mail storyfeed builds is signed with
//! it ([`sign`], from `digest::message`), relaxed/relaxed, by lettre.
//! Depends on nothing of ours (`config` holds a [`Signer`]). Also `storyfeed dkim keygen`:
//! a new key (Ed25519, RFC 8463, or RSA 2048) and the DNS record to publish.
//!
//! Key files are PEM: PKCS#8 (`BEGIN PRIVATE KEY`, Ed25519 or RSA) or
//! PKCS#1 (`BEGIN RSA PRIVATE KEY`). lettre takes RSA as PKCS#1 and Ed25519
//! as the base64 of its 32-byte seed, so keys are converted here.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use lettre::Message;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};
use rsa::pkcs8::{EncodePublicKey as _, LineEnding};
use rsa::traits::PublicKeyParts as _;
use thiserror::Error;

/// The headers every signature covers, in this order. RFC 8058 §4: the
/// `List-Unsubscribe` pair must be signed for one-click unsubscription.
pub const SIGNED_HEADERS: [&str; 8] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// Smallest RSA key accepted (RFC 8301 §3.2: verifiers refuse shorter).
const MIN_RSA_BITS: usize = 1024;

/// A DNS name of LDH labels (`s2026`, `mail.example.org`): a DKIM selector
/// or signing domain. `dotted`: at least two labels (a domain).
pub fn dns_name(value: &str, dotted: bool) -> Result<(), String> {
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let labels: Vec<&str> = value.split('.').collect();
    if value.len() > 253 || !labels.iter().all(|l| label(l)) || (dotted && labels.len() < 2) {
        return Err(format!(
            "`{}` is not a DNS name such as {}: dot-separated labels of letters, digits, - and _",
            value.escape_debug(),
            if dotted { "example.org" } else { "s2026" }
        ));
    }
    Ok(())
}

#[derive(Debug, Error)]
pub enum DkimError {
    #[error("cannot read DKIM key file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The message says what is wrong, never what the key holds.
    #[error("DKIM key file {path}: {message}")]
    Key { path: PathBuf, message: String },
    #[error("{path} already exists; not overwriting a key (remove it or choose --out)")]
    Exists { path: PathBuf },
    #[error("cannot write DKIM key file {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("--{0}: {1}")]
    Name(&'static str, String),
    #[error("cannot generate a key: {0}")]
    Generate(String),
}

/// Which kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Ed25519,
    Rsa,
}

impl Algorithm {
    /// The `k=` tag of the DNS record.
    pub fn tag(self) -> &'static str {
        match self {
            Algorithm::Ed25519 => "ed25519",
            Algorithm::Rsa => "rsa",
        }
    }
}

/// A private key read from PEM.
enum PrivateKey {
    Ed25519(ed25519_dalek::SigningKey),
    Rsa(rsa::RsaPrivateKey),
}

impl PrivateKey {
    fn from_pem(pem: &str) -> Result<PrivateKey, String> {
        if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            let key = rsa::RsaPrivateKey::from_pkcs1_pem(pem)
                .map_err(|e| format!("not a PKCS#1 RSA private key ({e})"))?;
            return PrivateKey::rsa(key);
        }
        if !pem.contains("-----BEGIN PRIVATE KEY-----") {
            return Err(
                "not a PEM private key (expected `-----BEGIN PRIVATE KEY-----` \
                        or `-----BEGIN RSA PRIVATE KEY-----`; encrypted keys are not supported)"
                    .to_owned(),
            );
        }
        if let Ok(key) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
            return Ok(PrivateKey::Ed25519(key));
        }
        match rsa::RsaPrivateKey::from_pkcs8_pem(pem) {
            Ok(key) => PrivateKey::rsa(key),
            Err(e) => Err(format!("not an Ed25519 or RSA PKCS#8 private key ({e})")),
        }
    }

    fn rsa(key: rsa::RsaPrivateKey) -> Result<PrivateKey, String> {
        let bits = key.size() * 8;
        if bits < MIN_RSA_BITS {
            return Err(format!(
                "an RSA key of {bits} bits is too short: receivers refuse under \
                 {MIN_RSA_BITS}; make a new one with `storyfeed dkim keygen` (2048 bits)"
            ));
        }
        Ok(PrivateKey::Rsa(key))
    }

    fn algorithm(&self) -> Algorithm {
        match self {
            PrivateKey::Ed25519(_) => Algorithm::Ed25519,
            PrivateKey::Rsa(_) => Algorithm::Rsa,
        }
    }

    /// The `p=` tag: the raw key for Ed25519 (RFC 8463 §4.2), the DER
    /// SubjectPublicKeyInfo for RSA.
    fn public_tag(&self) -> Result<String, String> {
        Ok(match self {
            PrivateKey::Ed25519(key) => BASE64.encode(key.verifying_key().as_bytes()),
            PrivateKey::Rsa(key) => BASE64.encode(
                key.to_public_key()
                    .to_public_key_der()
                    .map_err(|e| e.to_string())?
                    .as_bytes(),
            ),
        })
    }

    /// What lettre's `DkimSigningKey::new` takes.
    fn for_lettre(&self) -> Result<DkimSigningKey, String> {
        let (text, algorithm) = match self {
            PrivateKey::Ed25519(key) => (
                zeroize::Zeroizing::new(BASE64.encode(key.to_bytes())),
                DkimSigningAlgorithm::Ed25519,
            ),
            PrivateKey::Rsa(key) => (
                zeroize::Zeroizing::new(
                    key.to_pkcs1_pem(LineEnding::LF)
                        .map_err(|e| e.to_string())?
                        .to_string(),
                ),
                DkimSigningAlgorithm::Rsa,
            ),
        };
        DkimSigningKey::new(&text, algorithm).map_err(|e| e.to_string())
    }
}

/// A loaded signing key with its selector and domain: what signs every mail.
#[derive(Clone)]
pub struct Signer(Arc<Inner>);

struct Inner {
    selector: String,
    domain: String,
    algorithm: Algorithm,
    public: String,
    config: DkimConfig,
}

impl fmt::Debug for Signer {
    // The key never in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Signer({}._domainkey.{}, {})",
            self.0.selector,
            self.0.domain,
            self.0.algorithm.tag()
        )
    }
}

impl PartialEq for Signer {
    /// Same selector, domain and public key: the same signatures.
    fn eq(&self, other: &Self) -> bool {
        self.0.selector == other.0.selector
            && self.0.domain == other.0.domain
            && self.0.public == other.0.public
    }
}

impl Signer {
    /// Reads and checks the key in `path` for `selector._domainkey.domain`.
    pub fn load(selector: &str, domain: &str, path: &Path) -> Result<Signer, DkimError> {
        let pem = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|source| {
            DkimError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?);
        let key_error = |message: String| DkimError::Key {
            path: path.to_path_buf(),
            message,
        };
        let key = PrivateKey::from_pem(&pem).map_err(key_error)?;
        Signer::new(selector, domain, &key).map_err(key_error)
    }

    fn new(selector: &str, domain: &str, key: &PrivateKey) -> Result<Signer, String> {
        let headers = SIGNED_HEADERS
            .iter()
            .map(|h| HeaderName::new_from_ascii_str(h))
            .collect();
        let config = DkimConfig::new(
            selector.to_owned(),
            domain.to_owned(),
            key.for_lettre()?,
            headers,
            DkimCanonicalization {
                header: DkimCanonicalizationType::Relaxed,
                body: DkimCanonicalizationType::Relaxed,
            },
        );
        Ok(Signer(Arc::new(Inner {
            selector: selector.to_owned(),
            domain: domain.to_owned(),
            algorithm: key.algorithm(),
            public: key.public_tag()?,
            config,
        })))
    }

    pub fn selector(&self) -> &str {
        &self.0.selector
    }

    pub fn domain(&self) -> &str {
        &self.0.domain
    }

    pub fn algorithm(&self) -> Algorithm {
        self.0.algorithm
    }

    /// The TXT record's name: `selector._domainkey.domain`.
    pub fn record_name(&self) -> String {
        format!("{}._domainkey.{}", self.0.selector, self.0.domain)
    }

    /// The TXT record's text: `v=DKIM1; k=ed25519; p=…`.
    pub fn record_text(&self) -> String {
        format!("v=DKIM1; k={}; p={}", self.0.algorithm.tag(), self.0.public)
    }

    /// The zone file line to publish.
    pub fn dns_record(&self) -> String {
        // A TXT string holds at most 255 bytes: an RSA record is split in
        // several, which resolvers join.
        let text = self.record_text();
        let strings: Vec<String> = text
            .as_bytes()
            .chunks(255)
            .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
            .collect();
        format!("{}. IN TXT {}", self.record_name(), strings.join(" "))
    }

    /// Adds a `DKIM-Signature` to `message`.
    pub fn sign(&self, message: &mut Message) {
        message.sign(&self.0.config);
    }
}

/// Signs `message` when a key is configured: the one step every mail
/// storyfeed builds goes through (digests, and any other mail to come).
pub fn sign(signer: Option<&Signer>, message: &mut Message) {
    if let Some(signer) = signer {
        signer.sign(message);
    }
}

/// A new key made by `storyfeed dkim keygen`: its PEM and what to publish.
pub struct NewKey {
    pem: zeroize::Zeroizing<String>,
    pub signer: Signer,
}

/// Makes a key: Ed25519, or RSA of 2048 bits.
pub fn generate(selector: &str, domain: &str, algorithm: Algorithm) -> Result<NewKey, DkimError> {
    dns_name(selector, false).map_err(|m| DkimError::Name("selector", m))?;
    dns_name(domain, true).map_err(|m| DkimError::Name("domain", m))?;
    let mut rng = rand_core::OsRng;
    let (key, pem) = match algorithm {
        Algorithm::Ed25519 => {
            let key = ed25519_dalek::SigningKey::generate(&mut rng);
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| DkimError::Generate(e.to_string()))?;
            (PrivateKey::Ed25519(key), pem.to_string())
        }
        Algorithm::Rsa => {
            let key = rsa::RsaPrivateKey::new(&mut rng, 2048)
                .map_err(|e| DkimError::Generate(e.to_string()))?;
            let pem = rsa::pkcs8::EncodePrivateKey::to_pkcs8_pem(&key, LineEnding::LF)
                .map_err(|e| DkimError::Generate(e.to_string()))?;
            (PrivateKey::Rsa(key), pem.to_string())
        }
    };
    let signer = Signer::new(selector, domain, &key).map_err(DkimError::Generate)?;
    Ok(NewKey {
        pem: zeroize::Zeroizing::new(pem),
        signer,
    })
}

impl NewKey {
    /// Writes the key to `path`, readable by its owner only; never over
    /// an existing file.
    pub fn write(&self, path: &Path) -> Result<(), DkimError> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let write_error = |source| DkimError::Write {
            path: path.to_path_buf(),
            source,
        };
        let mut file = options.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                DkimError::Exists {
                    path: path.to_path_buf(),
                }
            } else {
                write_error(e)
            }
        })?;
        file.write_all(self.pem.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(write_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_keys_load_back_with_the_same_record() {
        let dir = tempfile::tempdir().unwrap();
        for algorithm in [Algorithm::Ed25519, Algorithm::Rsa] {
            let key = generate("s1", "example.org", algorithm).unwrap();
            let path = dir.path().join(algorithm.tag());
            key.write(&path).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{algorithm:?}");
            }
            let loaded = Signer::load("s1", "example.org", &path).unwrap();
            assert_eq!(loaded, key.signer);
            assert_eq!(loaded.algorithm(), algorithm);
            let text = loaded.record_text();
            assert!(
                text.starts_with(&format!("v=DKIM1; k={}; p=", algorithm.tag())),
                "{text}"
            );
            assert!(loaded
                .dns_record()
                .starts_with("s1._domainkey.example.org. IN TXT \"v=DKIM1; "));
            // Never overwritten.
            let before = std::fs::read(&path).unwrap();
            let again = generate("s1", "example.org", algorithm).unwrap();
            assert!(matches!(again.write(&path), Err(DkimError::Exists { .. })));
            assert_eq!(std::fs::read(&path).unwrap(), before);
            // The key is not in what a log would show.
            let pem = std::fs::read_to_string(&path).unwrap();
            let body: String = pem.lines().nth(1).unwrap().to_owned();
            assert!(!format!("{loaded:?}").contains(&body));
        }
    }

    #[test]
    fn pkcs1_rsa_keys_load_too() {
        let dir = tempfile::tempdir().unwrap();
        let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        let path = dir.path().join("rsa1.pem");
        std::fs::write(&path, key.to_pkcs1_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
        let loaded = Signer::load("s", "example.org", &path).unwrap();
        assert_eq!(loaded.algorithm(), Algorithm::Rsa);
    }

    #[test]
    fn bad_key_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let short = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 512).unwrap();
        let short_pem = rsa::pkcs8::EncodePrivateKey::to_pkcs8_pem(&short, LineEnding::LF)
            .unwrap()
            .to_string();
        let cases: [(&str, &[u8], &str); 5] = [
            ("empty.pem", b"", "not a PEM private key"),
            ("junk.pem", b"\xff\x00\xfe garbage", "cannot read"),
            (
                "cert.pem",
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "not a PEM private key",
            ),
            (
                "broken.pem",
                b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "not an Ed25519 or RSA",
            ),
            ("short.pem", short_pem.as_bytes(), "too short"),
        ];
        for (name, bytes, expected) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let e = Signer::load("s", "example.org", &path)
                .unwrap_err()
                .to_string();
            assert!(e.contains(&path.display().to_string()), "{e}");
            assert!(e.contains(expected), "{name}: {e}");
        }
        let missing = dir.path().join("missing.pem");
        let e = Signer::load("s", "example.org", &missing).unwrap_err();
        assert!(e.to_string().contains("missing.pem"), "{e}");
    }
}
