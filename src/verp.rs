//! VERP (variable envelope return path): every mail goes out with the
//! envelope sender `local+<token>@domain`, made from `digest.bounce_address`,
//! so a bounce that names no recipient (or the wrong one, after a
//! forward) still tells whose mail it was.
//!
//! The token is the first 10 bytes of HMAC-SHA256 under the digest secret
//! over `verp`, NUL and the address key, in lower-case base32: 16
//! characters of `a-z2-7`, safe in a local part and unchanged by an MTA
//! that lower-cases it. It shows nothing of the address and cannot be made
//! without the secret; it is read back by computing the tokens of the
//! addresses the database knows ([`Index`]), so nothing is stored for it.

use std::collections::HashMap;

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use lettre::address::{Address, Envelope};
use sha2::Sha256;

/// Characters in a token.
pub const TOKEN_LEN: usize = 16;
/// MAC bytes a token carries (80 bits: no two of a list's addresses share one).
const MAC_BYTES: usize = 10;

fn mac(secret: &[u8], address: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    // Its own purpose, so a token is no part of any other signature.
    mac.update(b"verp\0");
    mac.update(address.trim().to_ascii_lowercase().as_bytes());
    mac
}

/// The token of `address` (any case: the address key is signed).
pub fn token(secret: &[u8], address: &str) -> String {
    let full = mac(secret, address).finalize().into_bytes();
    BASE32_NOPAD.encode(&full[..MAC_BYTES]).to_ascii_lowercase()
}

/// Whether `token` (any case) is `address`'s, compared in constant time.
pub fn verify(secret: &[u8], address: &str, token: &str) -> bool {
    let Some(bytes) = decode(token) else {
        return false;
    };
    mac(secret, address).verify_truncated_left(&bytes).is_ok()
}

fn decode(token: &str) -> Option<Vec<u8>> {
    if token.len() != TOKEN_LEN {
        return None;
    }
    BASE32_NOPAD
        .decode(token.to_ascii_uppercase().as_bytes())
        .ok()
        .filter(|b| b.len() == MAC_BYTES)
}

/// `local+<token>@domain` for `address`, from the bounce address
/// `local@domain` (checked by the config: plain, short enough).
pub fn sender(bounce: &Address, secret: &[u8], address: &str) -> Option<Address> {
    Address::new(
        format!("{}+{}", bounce.user(), token(secret, address)),
        bounce.domain(),
    )
    .ok()
}

/// The envelope a mail to `address` goes out with: lettre's (From: as
/// sender) when there is no bounce address, else the same recipients
/// from the VERP sender.
pub fn envelope(
    bounce_address: Option<&str>,
    secret: &[u8],
    plain: &Envelope,
    address: &str,
) -> Envelope {
    let Some(bounce) = bounce_address.and_then(|b| b.parse::<Address>().ok()) else {
        return plain.clone();
    };
    sender(&bounce, secret, address)
        .and_then(|from| Envelope::new(Some(from), plain.to().to_vec()).ok())
        .unwrap_or_else(|| plain.clone())
}

/// The token of a VERP address `local+<token>@domain` made from `bounce`
/// (local part and domain compared without case; some MTAs lower-case
/// them), lower case; `None` for any other address or a malformed token.
pub fn token_in(candidate: &str, bounce: &Address) -> Option<String> {
    let candidate = candidate
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let (local, domain) = candidate.rsplit_once('@')?;
    if !domain.eq_ignore_ascii_case(bounce.domain()) {
        return None;
    }
    let (base, token) = local.split_once('+')?;
    if !base.eq_ignore_ascii_case(bounce.user()) {
        return None;
    }
    decode(token).map(|_| token.to_ascii_lowercase())
}

/// Tokens back to addresses: the token of every address given.
#[derive(Debug, Default)]
pub struct Index {
    by_token: HashMap<String, String>,
}

impl Index {
    /// Computes the token of each address (about a microsecond each).
    pub fn new(secret: &[u8], addresses: impl IntoIterator<Item = String>) -> Index {
        let by_token = addresses
            .into_iter()
            .map(|a| (token(secret, &a), a))
            .collect();
        Index { by_token }
    }

    /// The address whose token this is (any case); `None` for a token of
    /// no known address, a forged or an altered one.
    pub fn address(&self, token: &str) -> Option<&str> {
        self.by_token
            .get(&token.to_ascii_lowercase())
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test secret";

    #[test]
    fn tokens_are_short_lower_case_and_local_part_safe() {
        let t = token(SECRET, "ana@example.org");
        assert_eq!(t.len(), TOKEN_LEN);
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)));
        // The address key is signed: case and space do not matter.
        assert_eq!(t, token(SECRET, " Ana@Example.ORG"));
        assert_ne!(t, token(SECRET, "bob@example.org"));
        assert_ne!(t, token(b"other secret", "ana@example.org"));
        assert!(!t.contains("ana"));
    }

    #[test]
    fn a_token_round_trips_through_the_sender_address_and_the_index() {
        let bounce: Address = "bounces@mail.example.org".parse().unwrap();
        let from = sender(&bounce, SECRET, "Ana@Example.org").unwrap();
        assert!(from.to_string().starts_with("bounces+"), "{from}");
        assert!(from.user().len() <= 64);
        // An MTA that upper- or lower-cases the whole address changes nothing.
        for seen in [
            from.to_string(),
            from.to_string().to_ascii_uppercase(),
            format!("<{from}>"),
        ] {
            let t = token_in(&seen, &bounce).unwrap();
            assert!(verify(SECRET, "ana@example.org", &t));
            let index = Index::new(
                SECRET,
                ["bob@example.org", "ana@example.org"].map(str::to_owned),
            );
            assert_eq!(index.address(&t), Some("ana@example.org"));
        }
    }

    #[test]
    fn altered_or_foreign_tokens_are_refused() {
        let bounce: Address = "bounces@example.org".parse().unwrap();
        let good = token(SECRET, "ana@example.org");
        let index = Index::new(SECRET, ["ana@example.org".to_owned()]);
        let mut altered = good.clone().into_bytes();
        altered[3] = if altered[3] == b'a' { b'b' } else { b'a' };
        let altered = String::from_utf8(altered).unwrap();
        assert!(!verify(SECRET, "ana@example.org", &altered));
        assert_eq!(index.address(&altered), None);
        assert!(!verify(SECRET, "bob@example.org", &good));
        assert!(!verify(b"other", "ana@example.org", &good));
        for bad in [
            "",
            "abc",
            &good[..15],
            &format!("{good}a"),
            "1111111111111111",
        ] {
            assert!(!verify(SECRET, "ana@example.org", bad), "{bad}");
        }
        // Another local part or domain is not ours.
        for other in [
            format!("other+{good}@example.org"),
            format!("bounces+{good}@example.net"),
            format!("bounces-{good}@example.org"),
            format!("bounces+{}@example.org", &good[..10]),
            "bounces@example.org".to_owned(),
            "no at sign".to_owned(),
        ] {
            assert_eq!(token_in(&other, &bounce), None, "{other}");
        }
    }

    #[test]
    fn the_envelope_is_unchanged_without_a_bounce_address() {
        let plain = Envelope::new(
            Some("digest@example.org".parse().unwrap()),
            vec!["ana@example.org".parse().unwrap()],
        )
        .unwrap();
        assert_eq!(envelope(None, SECRET, &plain, "ana@example.org"), plain);
        let verp = envelope(
            Some("bounces@example.org"),
            SECRET,
            &plain,
            "ana@example.org",
        );
        assert_eq!(verp.to(), plain.to());
        let from = verp.from().unwrap().to_string();
        assert_eq!(
            from,
            format!("bounces+{}@example.org", token(SECRET, "ana@example.org"))
        );
    }
}
