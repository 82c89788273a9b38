//! Password hashing with argon2id (OWASP's first choice), default parameters of the crate.

use std::sync::LazyLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

/// Hash of a password nobody knows. Verifying against it when the username is unknown does
/// the same work as for a real account, so response time does not reveal which accounts exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_password(&crate::tokens::opaque::generate()).expect("argon2 hashing of a fixed-size input")
});

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashError;

/// An argon2id PHC string with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|_| HashError)
}

/// Checks `password` against a stored PHC string. With `None` (unknown user) it still runs
/// a full verification against a dummy hash and returns false.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    let (phc, known) = match stored {
        Some(phc) => (phc, true),
        None => (DUMMY_HASH.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && known
}

/// Warms the dummy hash so the first unknown-user login is not faster than later ones.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_password_verifies_and_wrong_does_not() {
        let stored = hash_password("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_password(Some(&stored), "correct horse"));
        assert!(!verify_password(Some(&stored), "wrong"));
        assert!(!verify_password(None, "correct horse"));
        assert!(!verify_password(Some("not a phc string"), "x"));
    }
}
