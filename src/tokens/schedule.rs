//! Which key signs when (OIDC Core §10.1.1). A key is published (and verifies) from the
//! moment it is stored, signs from its `activates_at`, and is retired when a later key of
//! its algorithm activates. Every instance decides by `now`, so a pre-published key takes
//! over everywhere at its time without a restart.

use crate::store::SigningKey;

/// What a key does at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// In the JWKS, not signing yet: relying parties fetch it before they meet it.
    Published { signs_from: i64 },
    /// The key that signs new tokens of its algorithm.
    Signing { since: i64 },
    /// A later key took over; still verifies until its tokens have expired.
    Retired { since: i64 },
}

/// Succession order within one algorithm: later activation wins, then later creation.
fn rank(key: &SigningKey) -> (i64, i64, &str) {
    (key.activates_at, key.created_at, &key.kid)
}

/// The key of `alg` that has activated most recently by `now`, if any.
pub fn latest_active<'a>(keys: &'a [SigningKey], alg: &str, now: i64) -> Option<&'a SigningKey> {
    keys.iter()
        .filter(|key| key.alg == alg && key.activates_at <= now)
        .max_by(|a, b| rank(a).cmp(&rank(b)))
}

/// The key of `alg` that signs at `now`. If none has activated yet (only a pre-published
/// key exists, e.g. rotated before any start), the first to activate signs rather than none.
pub fn signing_key_at<'a>(keys: &'a [SigningKey], alg: &str, now: i64) -> Option<&'a SigningKey> {
    latest_active(keys, alg, now).or_else(|| {
        keys.iter()
            .filter(|key| key.alg == alg)
            .min_by(|a, b| rank(a).cmp(&rank(b)))
    })
}

/// When `key` stopped signing: the activation of the first later key of its algorithm,
/// if one has activated by `now`.
pub fn retired_at(keys: &[SigningKey], key: &SigningKey, now: i64) -> Option<i64> {
    keys.iter()
        .filter(|other| {
            other.alg == key.alg && rank(other) > rank(key) && other.activates_at <= now
        })
        .map(|other| other.activates_at)
        .min()
}

pub fn state(keys: &[SigningKey], key: &SigningKey, now: i64) -> KeyState {
    if signing_key_at(keys, &key.alg, now).is_some_and(|signer| signer.kid == key.kid) {
        return KeyState::Signing {
            since: key.activates_at.min(now),
        };
    }
    match retired_at(keys, key, now) {
        Some(since) => KeyState::Retired { since },
        None => KeyState::Published {
            signs_from: key.activates_at,
        },
    }
}

/// Keys that no longer sign and whose every token has expired: retired more than
/// `keep_secs` ago. A signing or pre-published key is never prunable.
pub fn prunable(keys: &[SigningKey], now: i64, keep_secs: i64) -> Vec<String> {
    keys.iter()
        .filter(|key| retired_at(keys, key, now).is_some_and(|at| at + keep_secs < now))
        .map(|key| key.kid.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: &str, alg: &str, created_at: i64, activates_at: i64) -> SigningKey {
        SigningKey {
            kid: kid.into(),
            alg: alg.into(),
            private_pem: String::new(),
            created_at,
            activates_at,
        }
    }

    #[test]
    fn a_pre_published_key_signs_from_its_time_and_retires_the_old_one() {
        let keys = [key("new", "RS256", 100, 1000), key("old", "RS256", 0, 0)];
        let signer = |now| signing_key_at(&keys, "RS256", now).unwrap().kid.as_str();
        assert_eq!(signer(999), "old");
        assert_eq!(signer(1000), "new");
        assert_eq!(
            state(&keys, &keys[0], 500),
            KeyState::Published { signs_from: 1000 }
        );
        assert_eq!(state(&keys, &keys[1], 500), KeyState::Signing { since: 0 });
        assert_eq!(
            state(&keys, &keys[1], 1000),
            KeyState::Retired { since: 1000 }
        );
        assert_eq!(signing_key_at(&keys, "ES256", 0), None);
    }

    #[test]
    fn with_only_a_pending_key_the_first_to_activate_signs() {
        let keys = [key("b", "RS256", 0, 200), key("a", "RS256", 0, 100)];
        assert_eq!(signing_key_at(&keys, "RS256", 0).unwrap().kid, "a");
        assert_eq!(latest_active(&keys, "RS256", 0), None);
    }

    #[test]
    fn only_keys_retired_longer_than_keep_are_prunable() {
        let keys = [
            key("rs-1", "RS256", 0, 0),
            key("rs-2", "RS256", 50, 100),
            key("rs-3", "RS256", 150, 200),
            key("rs-4", "RS256", 10_000, 20_000),
            key("es-1", "ES256", 0, 0),
        ];
        assert_eq!(prunable(&keys, 150, 60), Vec::<String>::new());
        assert_eq!(prunable(&keys, 161, 60), ["rs-1"]);
        assert_eq!(prunable(&keys, 10_000, 60), ["rs-1", "rs-2"]);
        // rs-3 keeps signing until rs-4 activates, however old rs-4's creation is.
        assert_eq!(prunable(&keys, 20_060, 60), ["rs-1", "rs-2"]);
        assert_eq!(prunable(&keys, 20_061, 60), ["rs-1", "rs-2", "rs-3"]);
    }
}
