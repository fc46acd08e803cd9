//! Signed, expiring links: HMAC-SHA256 under the digest secret over the
//! address key, the purpose and the expiry, so a confirmation token cannot
//! open the preference page, a token for one address fits no other, and
//! an old link stops working without any state kept.

use hmac::{Hmac, Mac};
use percent_encoding::utf8_percent_encode;
use sha2::Sha256;

use crate::digest::message::{Secret, NOT_UNRESERVED};
use crate::digest::state::address_key;

/// How long a confirmation link works.
pub const CONFIRM_DAYS: i64 = 7;
/// How long a "Manage your subscription" link works (from the mail's date).
pub const MANAGE_DAYS: i64 = 90;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Confirm,
    Manage,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Confirm => "confirm",
            Purpose::Manage => "manage",
        }
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Signed by us, but too old: `400`.
    Expired,
    /// Not ours (changed, cut, another address or purpose): `403`.
    Forged,
}

/// A link's three values, as the query or a form carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub address: String,
    /// Unix seconds.
    pub expires: i64,
    /// Hex HMAC.
    pub mac: String,
}

fn mac(secret: &Secret, address: &str, purpose: Purpose, expires: i64) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&secret.0)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    // Separated by NUL, which none of the three can hold.
    mac.update(address_key(address).as_bytes());
    mac.update(b"\0");
    mac.update(purpose.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(expires.to_string().as_bytes());
    mac
}

/// The token for `address` and `purpose`, valid until `expires`.
pub fn sign(secret: &Secret, address: &str, purpose: Purpose, expires: i64) -> Token {
    Token {
        address: address.to_owned(),
        expires,
        mac: hex::encode(
            mac(secret, address, purpose, expires)
                .finalize()
                .into_bytes(),
        ),
    }
}

impl Token {
    /// Checks the signature (in constant time), then the expiry against
    /// `now` (unix seconds): a forged token is forged whatever its date.
    pub fn verify(&self, secret: &Secret, purpose: Purpose, now: i64) -> Result<(), TokenError> {
        if self.mac.len() != 64 || self.address.len() > 320 {
            return Err(TokenError::Forged);
        }
        let bytes = hex::decode(&self.mac).map_err(|_| TokenError::Forged)?;
        mac(secret, &self.address, purpose, self.expires)
            .verify_slice(&bytes)
            .map_err(|_| TokenError::Forged)?;
        if now > self.expires {
            return Err(TokenError::Expired);
        }
        Ok(())
    }

    /// `a=…&e=…&t=…`, every value percent-encoded.
    pub fn query(&self) -> String {
        format!(
            "a={}&e={}&t={}",
            utf8_percent_encode(&self.address, NOT_UNRESERVED),
            self.expires,
            self.mac
        )
    }

    /// From the `a`, `e`, `t` values of a query or a form (already decoded).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Token> {
        let (mut address, mut expires, mut mac) = (None, None, None);
        for (key, value) in pairs {
            match key {
                "a" => address = Some(value.to_owned()),
                "e" => expires = value.parse().ok(),
                "t" => mac = Some(value.to_owned()),
                _ => {}
            }
        }
        Some(Token {
            address: address?,
            expires: expires?,
            mac: mac?,
        })
    }
}

/// `{app_url}{route}?a=…&e=…&t=…`.
pub fn link(app_url: &str, route: &str, token: &Token) -> String {
    format!("{app_url}{route}?{}", token.query())
}

/// The "Manage your subscription" link of a mail dated `date` (unix
/// seconds): the preference page, for [`MANAGE_DAYS`].
pub fn manage_url(app_url: &str, secret: &Secret, address: &str, date: i64) -> String {
    let token = sign(
        secret,
        address,
        Purpose::Manage,
        date + MANAGE_DAYS * 86_400,
    );
    link(app_url, "preferences", &token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret(b"test secret".to_vec())
    }

    #[test]
    fn tokens_fit_their_address_purpose_and_time_only() {
        let token = sign(&secret(), "Ana@Example.org", Purpose::Confirm, 1_000);
        assert_eq!(token.verify(&secret(), Purpose::Confirm, 1_000), Ok(()));
        assert_eq!(
            token.verify(&secret(), Purpose::Confirm, 1_001),
            Err(TokenError::Expired)
        );
        assert_eq!(
            token.verify(&secret(), Purpose::Manage, 0),
            Err(TokenError::Forged)
        );
        assert_eq!(
            token.verify(&Secret(b"other".to_vec()), Purpose::Confirm, 0),
            Err(TokenError::Forged)
        );
        let later = Token {
            expires: 2_000,
            ..token.clone()
        };
        assert_eq!(
            later.verify(&secret(), Purpose::Confirm, 0),
            Err(TokenError::Forged)
        );
        let other = Token {
            address: "bob@example.org".to_owned(),
            ..token.clone()
        };
        assert_eq!(
            other.verify(&secret(), Purpose::Confirm, 0),
            Err(TokenError::Forged)
        );
        let cut = Token {
            mac: token.mac[..62].to_owned(),
            ..token
        };
        assert_eq!(
            cut.verify(&secret(), Purpose::Confirm, 0),
            Err(TokenError::Forged)
        );
    }

    #[test]
    fn queries_round_trip() {
        let token = sign(&secret(), "a+b@x.org", Purpose::Manage, 42);
        let query = token.query();
        assert!(query.starts_with("a=a%2Bb%40x.org&e=42&t="), "{query}");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let back = Token::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(back, Some(token));
    }
}
