//! Encryption of signing keys at rest: with `key_encryption_key` set, the private key of every
//! stored signing key is AES-256-GCM ciphertext (random 96-bit nonce, the key id as
//! associated data so a ciphertext cannot be moved to another row). Stored form:
//! `enc:v1:` + base64url(nonce ‖ ciphertext ‖ tag). Rows without the prefix are plain PEM,
//! so plain and encrypted rows coexist until they are sealed (at start or `usher keys encrypt`).

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};

use crate::{
    store::{Database, SigningKey},
    tokens::error::KeyError,
};

// The setting is part of `Config` (the bottom layer); re-exported for its readers here.
pub use crate::config::KeyEncryptionKeySetting;

/// Marker of an encrypted `private_pem` column, with the format version.
pub const SEALED_PREFIX: &str = "enc:v1:";
const KEY_LEN: usize = 32;

/// The key that encrypts signing keys at rest.
pub struct KeyEncryptionKey(RandomizedNonceKey);

impl std::fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyEncryptionKey")
    }
}

impl KeyEncryptionKey {
    /// From the configured text: standard or URL-safe base64 of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<KeyEncryptionKey, KeyError> {
        let text = text.trim();
        let bytes = STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
            .map_err(|_| KeyError::Encryption("key_encryption_key is not base64".into()))?;
        if bytes.len() != KEY_LEN {
            return Err(KeyError::Encryption(format!(
                "key_encryption_key must be 32 bytes (base64), not {}",
                bytes.len()
            )));
        }
        RandomizedNonceKey::new(&AES_256_GCM, &bytes)
            .map(KeyEncryptionKey)
            .map_err(|_| KeyError::Encryption("key_encryption_key is unusable".into()))
    }

    /// The configured key, if any.
    pub fn from_setting(
        setting: Option<&KeyEncryptionKeySetting>,
    ) -> Result<Option<KeyEncryptionKey>, KeyError> {
        setting
            .filter(|s| !s.0.trim().is_empty())
            .map(|s| KeyEncryptionKey::from_base64(&s.0))
            .transpose()
    }

    /// Encrypts a PEM for the row of `kid`.
    pub fn seal(&self, kid: &str, pem: &str) -> Result<String, KeyError> {
        let mut in_out = pem.as_bytes().to_vec();
        let nonce = self
            .0
            .seal_in_place_append_tag(Aad::from(kid.as_bytes()), &mut in_out)
            .map_err(|_| KeyError::Encryption(format!("could not encrypt key {kid}")))?;
        let mut sealed = nonce.as_ref().to_vec();
        sealed.extend_from_slice(&in_out);
        Ok(format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)))
    }

    /// Decrypts a sealed column of `kid`; fails on a wrong key or an altered row.
    pub fn open(&self, kid: &str, stored: &str) -> Result<String, KeyError> {
        let wrong = || {
            KeyError::Encryption(format!(
                "signing key {kid} cannot be decrypted: key_encryption_key is wrong or the \
                 stored key was altered"
            ))
        };
        let encoded = stored.strip_prefix(SEALED_PREFIX).ok_or_else(wrong)?;
        let mut bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| wrong())?;
        if bytes.len() < NONCE_LEN {
            return Err(wrong());
        }
        let nonce = Nonce::try_assume_unique_for_key(&bytes[..NONCE_LEN]).map_err(|_| wrong())?;
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut bytes[NONCE_LEN..])
            .map_err(|_| wrong())?;
        String::from_utf8(plain.to_vec()).map_err(|_| wrong())
    }
}

pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

/// The row to store for a new key: sealed when a key-encryption key is configured.
pub fn protect(kek: Option<&KeyEncryptionKey>, key: &SigningKey) -> Result<SigningKey, KeyError> {
    let mut stored = key.clone();
    if let Some(kek) = kek {
        stored.private_pem = kek.seal(&key.kid, &key.private_pem)?;
    }
    Ok(stored)
}

/// A stored row with its plain PEM. A sealed row without a configured key is an error that
/// says what to set.
pub fn reveal(kek: Option<&KeyEncryptionKey>, key: &SigningKey) -> Result<SigningKey, KeyError> {
    if !is_sealed(&key.private_pem) {
        return Ok(key.clone());
    }
    let kek = kek.ok_or_else(|| {
        KeyError::Encryption(format!(
            "signing key {} is encrypted; set key_encryption_key (USHER_KEY_ENCRYPTION_KEY)",
            key.kid
        ))
    })?;
    Ok(SigningKey {
        private_pem: kek.open(&key.kid, &key.private_pem)?,
        ..key.clone()
    })
}

/// Seals every plain row (at start with a key configured, and `usher keys encrypt`).
/// Returns how many rows were sealed.
pub async fn seal_plain_keys(store: &Database, kek: &KeyEncryptionKey) -> Result<usize, KeyError> {
    let mut sealed = 0;
    for key in store.list_keys().await? {
        if is_sealed(&key.private_pem) {
            continue;
        }
        let to = kek.seal(&key.kid, &key.private_pem)?;
        if store
            .replace_private_pem(&key.kid, &key.private_pem, &to)
            .await?
        {
            tracing::info!(kid = %key.kid, "signing key encrypted at rest");
            sealed += 1;
        }
    }
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kek(byte: u8) -> KeyEncryptionKey {
        KeyEncryptionKey::from_base64(&STANDARD.encode([byte; 32])).unwrap()
    }

    const PEM: &str =
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI...\n-----END PRIVATE KEY-----\n";

    #[test]
    fn sealed_keys_round_trip_and_do_not_contain_the_pem() {
        let kek = kek(7);
        let sealed = kek.seal("kid-1", PEM).unwrap();
        assert!(sealed.starts_with(SEALED_PREFIX));
        assert!(!sealed.contains("PRIVATE KEY"));
        assert_eq!(kek.open("kid-1", &sealed).unwrap(), PEM);
        // A fresh nonce every time: the same key never gives the same ciphertext.
        assert_ne!(kek.seal("kid-1", PEM).unwrap(), sealed);
    }

    #[test]
    fn wrong_key_altered_row_or_other_kid_fail_to_open() {
        let sealed = kek(7).seal("kid-1", PEM).unwrap();
        assert!(kek(8).open("kid-1", &sealed).is_err(), "wrong key");
        assert!(
            kek(7).open("kid-2", &sealed).is_err(),
            "moved to another row"
        );
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 5;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(kek(7).open("kid-1", &tampered).is_err(), "tampered");
        assert!(kek(7).open("kid-1", "enc:v1:AAAA").is_err(), "truncated");
    }

    #[test]
    fn plain_rows_pass_and_sealed_rows_need_the_key() {
        let plain = SigningKey {
            kid: "kid-1".into(),
            alg: "RS256".into(),
            private_pem: PEM.into(),
            created_at: 0,
            activates_at: 0,
        };
        assert_eq!(reveal(None, &plain).unwrap(), plain);
        let sealed = protect(Some(&kek(7)), &plain).unwrap();
        assert!(is_sealed(&sealed.private_pem));
        assert_eq!(reveal(Some(&kek(7)), &sealed).unwrap(), plain);
        let missing = reveal(None, &sealed).unwrap_err().to_string();
        assert!(missing.contains("USHER_KEY_ENCRYPTION_KEY"), "{missing}");
        assert_eq!(protect(None, &plain).unwrap(), plain);
    }

    #[test]
    fn the_setting_must_be_32_bytes_of_base64_and_is_not_printed() {
        assert!(KeyEncryptionKey::from_base64("not base64!").is_err());
        assert!(KeyEncryptionKey::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        assert!(KeyEncryptionKey::from_base64(&URL_SAFE_NO_PAD.encode([1u8; 32])).is_ok());
        let setting = KeyEncryptionKeySetting(STANDARD.encode([1u8; 32]));
        assert_eq!(format!("{setting:?}"), "[redacted]");
        assert!(KeyEncryptionKey::from_setting(None).unwrap().is_none());
        assert!(
            KeyEncryptionKey::from_setting(Some(&setting))
                .unwrap()
                .is_some()
        );
    }
}
