//! Opaque secrets (device codes, refresh tokens, client secrets, CSRF tokens): drawn from
//! the OS CSPRNG, handed out once, stored only as a SHA-256 hash.

use aws_lc_rs::{
    constant_time::verify_slices_are_equal,
    digest::{SHA256, digest},
    rand::{SecureRandom, SystemRandom},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

/// A new random secret of 256 bits, base64url without padding (43 characters).
/// RFC 8628 §5.2 asks for device codes that cannot be guessed; 256 bits is well above 128.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Fills `bytes` from the OS CSPRNG (aws-lc-rs `SystemRandom`). A failing system RNG
/// leaves nothing safe to hand out, so it panics rather than returning weak secrets.
pub fn fill(bytes: &mut [u8]) {
    SystemRandom::new()
        .fill(bytes)
        .expect("the OS random number generator failed");
}

/// The stored form of a secret: hex SHA-256. High-entropy secrets need no salt or slow hash.
pub fn hash(secret: &str) -> String {
    let digest = digest(&SHA256, secret.as_bytes());
    hex(digest.as_ref())
}

/// Lower-case hex of `bytes`, into one allocation. It runs on every poll and token request:
/// `format!` per byte cost more than the SHA-256 itself (issue 12's profile).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Whether `secret` hashes to `stored_hash`, compared in constant time (a stored hash of
/// another length is simply unequal, as before).
pub fn verify(secret: &str, stored_hash: &str) -> bool {
    constant_time_eq(hash(secret).as_bytes(), stored_hash.as_bytes())
}

/// Equality in time independent of where the inputs differ. Inputs of different lengths are
/// unequal, and only the lengths leak (as with `subtle`'s `ct_eq` on slices).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    verify_slices_are_equal(a, b).is_ok()
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
        assert!(!verify(&secret, &stored[..63]));
    }

    #[test]
    fn hash_is_hex_sha256() {
        // FIPS 180-2 test vector for "abc".
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hex_equals_the_formatted_bytes() {
        let every_byte: Vec<u8> = (0..=255).collect();
        let formatted: String = every_byte.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&every_byte), formatted);
        assert_eq!(hex(&[]), "");
        for secret in ["", "abc", &generate()] {
            let digest = digest(&SHA256, secret.as_bytes());
            let formatted: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hash(secret), formatted);
        }
    }

    #[test]
    fn constant_time_eq_needs_equal_length_and_bytes() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
