//! Sealing a token response for a retry (docs/integration.md, "Retries"): AES-256-GCM under
//! a key derived with HKDF-SHA256 (RFC 5869) from the secret the client presented — a device
//! code, an authorization code or a refresh token. The database stores only the SHA-256 of
//! that secret (`opaque::hash`), a different function of it, so whoever reads the database
//! can neither open a sealed response nor derive its key. Only the client that holds the
//! secret can have it opened again.
//!
//! Stored form: `v1:` + base64url(nonce ‖ ciphertext ‖ tag). Associated data names the
//! purpose, the row and the client, so a ciphertext moved to another row does not open.

use aws_lc_rs::{
    aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey},
    hkdf::{HKDF_SHA256, KeyType, Salt},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

const PREFIX: &str = "v1:";
/// HKDF salt: separates these keys from every other use of the same secrets.
const SALT: &[u8] = b"usher sealed token response v1";

/// What was redeemed; part of the key derivation (HKDF `info`) and the associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    DeviceCode,
    AuthorizationCode,
    RefreshToken,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::DeviceCode => b"device_code",
            Purpose::AuthorizationCode => b"authorization_code",
            Purpose::RefreshToken => b"refresh_token",
        }
    }
}

struct KeyLen;

impl KeyType for KeyLen {
    fn len(&self) -> usize {
        AES_256_GCM.key_len()
    }
}

fn key(purpose: Purpose, secret: &str) -> Option<RandomizedNonceKey> {
    let mut bytes = [0u8; 32];
    Salt::new(HKDF_SHA256, SALT)
        .extract(secret.as_bytes())
        .expand(&[purpose.label()], KeyLen)
        .ok()?
        .fill(&mut bytes)
        .ok()?;
    RandomizedNonceKey::new(&AES_256_GCM, &bytes).ok()
}

fn aad(purpose: Purpose, row: &str, client_id: &str) -> Vec<u8> {
    [
        purpose.label(),
        b"\0",
        row.as_bytes(),
        b"\0",
        client_id.as_bytes(),
    ]
    .concat()
}

/// Encrypts `plain` for the row `row` (the stored hash of `secret`) of `client_id`.
pub fn seal(
    purpose: Purpose,
    secret: &str,
    row: &str,
    client_id: &str,
    plain: &[u8],
) -> Option<String> {
    let key = key(purpose, secret)?;
    let mut in_out = plain.to_vec();
    let nonce = key
        .seal_in_place_append_tag(Aad::from(aad(purpose, row, client_id)), &mut in_out)
        .ok()?;
    let mut sealed = nonce.as_ref().to_vec();
    sealed.extend_from_slice(&in_out);
    Some(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)))
}

/// Decrypts what `seal` made with the same arguments; `None` for anything else (another
/// secret, row or client, or an altered value).
pub fn open(
    purpose: Purpose,
    secret: &str,
    row: &str,
    client_id: &str,
    stored: &str,
) -> Option<Vec<u8>> {
    let mut bytes = URL_SAFE_NO_PAD.decode(stored.strip_prefix(PREFIX)?).ok()?;
    if bytes.len() < NONCE_LEN {
        return None;
    }
    let nonce = Nonce::try_assume_unique_for_key(&bytes[..NONCE_LEN]).ok()?;
    let key = key(purpose, secret)?;
    let plain = key
        .open_in_place(
            nonce,
            Aad::from(aad(purpose, row, client_id)),
            &mut bytes[NONCE_LEN..],
        )
        .ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::opaque;

    #[test]
    fn only_the_same_secret_row_client_and_purpose_open_it() {
        let secret = opaque::generate();
        let row = opaque::hash(&secret);
        let sealed = seal(Purpose::DeviceCode, &secret, &row, "tv", b"{\"a\":1}").unwrap();
        assert!(!sealed.contains("\"a\""));
        assert_eq!(
            open(Purpose::DeviceCode, &secret, &row, "tv", &sealed).unwrap(),
            b"{\"a\":1}"
        );
        let other = opaque::generate();
        assert!(open(Purpose::DeviceCode, &other, &row, "tv", &sealed).is_none());
        // The stored hash is not the key: it opens nothing.
        assert!(open(Purpose::DeviceCode, &row, &row, "tv", &sealed).is_none());
        assert!(open(Purpose::DeviceCode, &secret, "other-row", "tv", &sealed).is_none());
        assert!(open(Purpose::DeviceCode, &secret, &row, "other", &sealed).is_none());
        assert!(open(Purpose::RefreshToken, &secret, &row, "tv", &sealed).is_none());
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        assert!(open(Purpose::DeviceCode, &secret, &row, "tv", &altered).is_none());
        assert!(open(Purpose::DeviceCode, &secret, &row, "tv", "v1:AAAA").is_none());
        assert!(open(Purpose::DeviceCode, &secret, &row, "tv", "junk").is_none());
    }

    #[test]
    fn a_fresh_nonce_every_time() {
        let a = seal(Purpose::RefreshToken, "s", "r", "c", b"x").unwrap();
        assert_ne!(a, seal(Purpose::RefreshToken, "s", "r", "c", b"x").unwrap());
    }
}
