//! User codes (RFC 8628 §6.1): 8 characters from a 20-letter alphabet without vowels (no
//! accidental words) and without look-alike letters, shown as `XXXX-XXXX`.
//! 20^8 ≈ 2^34.6 codes; with a code valid for 10 minutes and the per-IP entry budget in
//! [`AttemptLimiter`], a guess hits a live code with negligible probability (§5.1).

use std::{collections::HashMap, sync::Mutex};

use rand::{Rng, TryRngCore, rngs::OsRng};

pub const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
pub const LENGTH: usize = 8;

/// A normalized user code: exactly 8 letters of [`ALPHABET`], upper case, no dash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserCode(String);

impl UserCode {
    pub fn generate() -> UserCode {
        let mut rng = OsRng.unwrap_err();
        let code = (0..LENGTH)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        UserCode(code)
    }

    /// Reads what a person typed: case-insensitive, dashes and spaces ignored (§6.1).
    pub fn parse(input: &str) -> Option<UserCode> {
        let code: String = input
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\t'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid = code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b));
        valid.then_some(UserCode(code))
    }

    /// The stored form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown to people: `BCDF-GHJK`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// Counts wrong user-code entries per key (an IP address) in a fixed window, so guessing
/// is bounded (RFC 8628 §5.1). In memory: each instance enforces its own budget.
#[derive(Debug)]
pub struct AttemptLimiter {
    max: u32,
    window_secs: i64,
    entries: Mutex<HashMap<String, (i64, u32)>>,
}

impl AttemptLimiter {
    pub fn new(max: u32, window_secs: u64) -> Self {
        AttemptLimiter {
            max,
            window_secs: window_secs as i64,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `key` has used up its budget in the current window.
    pub fn is_blocked(&self, key: &str, now: i64) -> bool {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        matches!(entries.get(key), Some(&(start, count)) if now - start < self.window_secs && count >= self.max)
    }

    /// Records a wrong entry; returns whether `key` is now blocked.
    pub fn record_failure(&self, key: &str, now: i64) -> bool {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 100_000 {
            let window = self.window_secs;
            entries.retain(|_, (start, _)| now - *start < window);
        }
        let entry = entries.entry(key.to_string()).or_insert((now, 0));
        if now - entry.0 >= self.window_secs {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 >= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_use_the_alphabet() {
        for _ in 0..100 {
            let code = UserCode::generate();
            assert_eq!(code.as_str().len(), 8);
            assert!(code.as_str().bytes().all(|b| ALPHABET.contains(&b)));
            assert_eq!(UserCode::parse(&code.display()), Some(code));
        }
    }

    #[test]
    fn entry_ignores_case_dashes_and_spaces() {
        let expected = UserCode::parse("BCDFGHJK").unwrap();
        for typed in ["bcdf-ghjk", "BCDF GHJK", " bcdfghjk ", "bc-df-gh-jk"] {
            assert_eq!(UserCode::parse(typed).as_ref(), Some(&expected), "{typed}");
        }
        assert_eq!(expected.display(), "BCDF-GHJK");
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for typed in [
            "",
            "BCDF-GHJ",
            "BCDF-GHJKL",
            "ABCD-EFGH",
            "BCDF-GHJ1",
            "ВCDF-GHJK",
        ] {
            assert_eq!(UserCode::parse(typed), None, "{typed}");
        }
    }

    #[test]
    fn limiter_blocks_after_budget_and_resets_after_window() {
        let limiter = AttemptLimiter::new(3, 60);
        assert!(!limiter.record_failure("ip", 0));
        assert!(!limiter.record_failure("ip", 1));
        assert!(!limiter.is_blocked("ip", 2));
        assert!(limiter.record_failure("ip", 2));
        assert!(limiter.is_blocked("ip", 3));
        assert!(!limiter.is_blocked("other", 3));
        assert!(!limiter.is_blocked("ip", 61));
    }
}
