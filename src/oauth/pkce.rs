//! PKCE (RFC 7636): only `S256`; `plain` would let an interceptor redeem the code.

use aws_lc_rs::{
    constant_time::verify_slices_are_equal,
    digest::{SHA256, digest},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

/// Whether a challenge has the form §4.2 produces: 43 base64url characters (SHA-256).
pub fn is_valid_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// §4.6: BASE64URL(SHA256(verifier)) == challenge, compared in constant time. The verifier
/// must be 43–128 characters of the unreserved set (§4.1).
pub fn verify(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    let computed = URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes()));
    well_formed && verify_slices_are_equal(computed.as_bytes(), challenge.as_bytes()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_challenge_matches_only_its_verifier() {
        // Challenge computed independently: base64url(sha256(verifier)) without padding.
        let verifier = "dBjftJeZ4CVP-mJ92K9qLWB5SdAtZbLHS6mH8p6rLKE";
        let challenge = "wS0Au8kfd_Q2f6aHjxs6ml7QQpJwfDk4bFNPmLPwem8";
        assert!(is_valid_challenge(challenge));
        assert!(verify(verifier, challenge));
        assert!(!verify(
            "dBjftJeZ4CVP-mJ92K9qLWB5SdAtZbLHS6mH8p6rLKF",
            challenge
        ));
        assert!(!verify("short", challenge));
    }
}
