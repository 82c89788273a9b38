//! Opaque secrets (device codes, refresh tokens, client secrets, CSRF tokens): drawn from
//! the OS CSPRNG, handed out once, stored only as a SHA-256 hash.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::{TryRngCore, rngs::OsRng};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A new random secret of 256 bits, base64url without padding (43 characters).
/// RFC 8628 §5.2 asks for device codes that cannot be guessed; 256 bits is well above 128.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the OS random number generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a secret: hex SHA-256. High-entropy secrets need no salt or slow hash.
pub fn hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Whether `secret` hashes to `stored_hash`, compared in constant time.
pub fn verify(secret: &str, stored_hash: &str) -> bool {
    hash(secret).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_long_and_distinct() {
        let a = generate();
        assert_eq!(a.len(), 43);
        assert_ne!(a, generate());
    }

    #[test]
    fn verify_matches_only_the_right_secret() {
        let secret = generate();
        let stored = hash(&secret);
        assert!(verify(&secret, &stored));
        assert!(!verify("something else", &stored));
    }
}
