//! The guessing budgets of user codes (RFC 8628 §5.1) and pairing codes, and the odds they
//! leave a guesser (docs/security.md). Three budgets, all in the database
//! (`oauth/throttle.rs`), so instances share them:
//!
//! - per network (IPv4 address, IPv6 /64) and per browser session: a guesser stops
//!   before the people behind the same address do;
//! - server-wide: wrong codes from *anyone*. This is the bound that holds against many
//!   addresses: once used up, code entry slows down for everyone to one entry per
//!   `user_code_slow_interval_secs`, and `usher::security` logs an alert.

use crate::{
    config::Config,
    oauth::throttle::{After, Check, Rule, Window},
};

/// Letter codes: 20^8 (`user_code::ALPHABET`, `LENGTH`).
pub const LETTER_CODE_SPACE: f64 = 25_600_000_000.0;
/// Pairing codes: 20^12.
pub const PAIRING_CODE_SPACE: f64 = 4_096_000_000_000_000.0;

fn per_period(config: &Config, free: u32) -> Rule {
    Rule {
        free,
        window_secs: config.user_code_attempt_window_secs as i64,
        window: Window::Fixed,
        after: After::UntilWindowEnd,
    }
}

fn server_wide(config: &Config, free: u32) -> Rule {
    let spacing = config.user_code_slow_interval_secs as i64;
    Rule {
        free,
        window_secs: config.user_code_attempt_window_secs as i64,
        window: Window::Fixed,
        after: After::Backoff {
            base_secs: spacing,
            max_secs: spacing,
        },
    }
}

/// The budgets of one user-code entry: its network's, its browser's (none on the kiosk
/// display page) and the server's.
pub fn user_code_checks(config: &Config, network: &str, session: Option<&str>) -> Vec<Check> {
    let mut checks = vec![Check::new(
        "ip",
        "user-code-network",
        network,
        per_period(config, config.user_code_attempts_per_ip),
    )];
    if let Some(session) = session {
        checks.push(Check::new(
            "session",
            "user-code-session",
            session,
            per_period(config, config.user_code_attempts_per_session),
        ));
    }
    checks.push(Check::new(
        "server",
        "user-code",
        "server",
        server_wide(config, config.user_code_server_budget),
    ));
    checks
}

/// The budgets of one `pairing_code` at device authorization: its network's and the server's.
pub fn pairing_checks(config: &Config, network: &str) -> Vec<Check> {
    vec![
        Check::new(
            "ip",
            "pairing-network",
            network,
            per_period(config, config.user_code_attempts_per_ip),
        ),
        Check::new(
            "server",
            "pairing",
            "server",
            server_wide(config, config.pairing_code_server_budget),
        ),
    ]
}

/// The most wrong codes the server lets through while one code is valid (`lifetime_secs`),
/// however many addresses guess: a lifetime touches at most ⌈lifetime / window⌉ + 1 windows,
/// and each window lets `budget` through at once and then one per slow interval.
pub fn guesses_per_lifetime(config: &Config, budget: u32, lifetime_secs: u64) -> u64 {
    let window = config.user_code_attempt_window_secs.max(1);
    let windows = lifetime_secs.div_ceil(window) + 1;
    let slow = window / config.user_code_slow_interval_secs.max(1);
    windows * (u64::from(budget) + slow)
}

/// P(some pending code is hit) by `guesses` uniform guesses among `space` codes of which
/// `pending` are live: 1 − (1 − pending/space)^guesses.
pub fn p_any_guessed(guesses: u64, pending: f64, space: f64) -> f64 {
    1.0 - (1.0 - pending / space).powf(guesses as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_budgets_keep_the_odds_below_one_in_a_million() {
        // Target (issue 10): letter codes, 1,000 addresses, 1,000 codes pending. The
        // number of addresses does not enter: the server-wide budget is the bound.
        let config = Config::default();
        let guesses = guesses_per_lifetime(
            &config,
            config.user_code_server_budget,
            config.device_code_lifetime_secs,
        );
        assert_eq!(guesses, 24);
        let p = p_any_guessed(guesses, 1000.0, LETTER_CODE_SPACE);
        assert!(p < 1e-6, "P = {p:e}");
        // The per-network budgets alone would not do: 1,000 networks × 20 per window.
        let per_network = 1000 * 2 * u64::from(config.user_code_attempts_per_ip);
        assert!(p_any_guessed(per_network, 1000.0, LETTER_CODE_SPACE) > 1e-6);

        let pairing = guesses_per_lifetime(
            &config,
            config.pairing_code_server_budget,
            config.pairing_code_lifetime_secs,
        );
        assert!(p_any_guessed(pairing, 1000.0, PAIRING_CODE_SPACE) < 1e-6);
        // The spaces are the generators' own.
        assert_eq!(20f64.powi(8), LETTER_CODE_SPACE);
        assert_eq!(20f64.powi(12), PAIRING_CODE_SPACE);
    }
}
