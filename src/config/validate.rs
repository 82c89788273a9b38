//! The rules a configuration must meet beyond its types: durations where zero (or a huge
//! value) makes no sense, and the limits between settings. `Config::load` applies them, and
//! `build_state` again for a `Config` built in code (tests, embedding), so a running server
//! never clamps a setting silently.

use super::{Config, ConfigError, Problem};

/// Longest duration of any `*_secs` setting: 100 years. Timestamps are `i64` seconds (and
/// milliseconds); this keeps `now + duration` far from overflowing.
const MAX_SECS: u64 = 100 * 365 * 24 * 3600;

impl Config {
    /// Every problem of this configuration, or `Ok` when it may be served.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let problems = self.problems();
        match problems.is_empty() {
            true => Ok(()),
            false => Err(ConfigError { problems }),
        }
    }

    /// The rules, each naming its key.
    pub(super) fn problems(&self) -> Vec<Problem> {
        let f = &self.features;
        let mut problems = Vec::new();
        // (key, value, whether it must be at least 1): seconds, unless the key says `_ms`.
        let durations: &[(&str, u64, bool)] = &[
            (
                "device_code_lifetime_secs",
                self.device_code_lifetime_secs,
                true,
            ),
            // RFC 8628 §3.2: the device waits `interval` between polls.
            (
                "device_poll_interval_secs",
                self.device_poll_interval_secs,
                true,
            ),
            (
                "user_code_attempt_window_secs",
                self.user_code_attempt_window_secs,
                true,
            ),
            (
                "approval_max_session_age_secs",
                self.approval_max_session_age_secs,
                false,
            ),
            (
                "qr_login_lifetime_secs",
                self.qr_login_lifetime_secs,
                f.qr_sign_in,
            ),
            (
                "user_code_slow_interval_secs",
                self.user_code_slow_interval_secs,
                false,
            ),
            (
                "login_attempt_window_secs",
                self.login_attempt_window_secs,
                true,
            ),
            ("login_delay_base_secs", self.login_delay_base_secs, false),
            ("login_delay_max_secs", self.login_delay_max_secs, false),
            (
                "login_account_delay_max_secs",
                self.login_account_delay_max_secs,
                false,
            ),
            (
                "access_token_lifetime_secs",
                self.access_token_lifetime_secs,
                true,
            ),
            ("id_token_lifetime_secs", self.id_token_lifetime_secs, true),
            (
                "refresh_token_lifetime_secs",
                self.refresh_token_lifetime_secs,
                true,
            ),
            // 0 switches these off (documented).
            ("redemption_retry_secs", self.redemption_retry_secs, false),
            (
                "refresh_token_retry_secs",
                self.refresh_token_retry_secs,
                false,
            ),
            (
                "client_secret_overlap_secs",
                self.client_secret_overlap_secs,
                false,
            ),
            (
                "key_publication_delay_secs",
                self.key_publication_delay_secs,
                false,
            ),
            ("session_lifetime_secs", self.session_lifetime_secs, true),
            // 0 would answer every request 408, or close every connection at once.
            ("request_timeout_secs", self.request_timeout_secs, true),
            ("keep_alive_idle_secs", self.keep_alive_idle_secs, true),
            // 0 exits at once, cutting in-flight requests (documented).
            ("shutdown_drain_secs", self.shutdown_drain_secs, false),
            (
                "pairing_code_lifetime_secs",
                self.pairing_code_lifetime_secs,
                f.pairing,
            ),
            // Also the keep-alive of the QR sign-in page's event stream.
            (
                "device_events_keep_alive_secs",
                self.device_events_keep_alive_secs,
                f.live_channel || f.qr_sign_in,
            ),
            (
                "notification_timeout_secs",
                self.notification_timeout_secs,
                f.notifications,
            ),
            (
                "notification_retry_base_ms",
                self.notification_retry_base_ms,
                false,
            ),
            (
                "notification_retry_max_secs",
                self.notification_retry_max_secs,
                false,
            ),
            (
                "notification_worker_interval_ms",
                self.notification_worker_interval_ms,
                f.notifications,
            ),
        ];
        for &(key, value, at_least_one) in durations {
            let max = match key.ends_with("_ms") {
                true => MAX_SECS * 1000,
                false => MAX_SECS,
            };
            if at_least_one && value == 0 {
                problems.push(Problem::new(key, "must be at least 1"));
            } else if value > max {
                problems.push(Problem::new(
                    key,
                    format!("{value} is more than 100 years ({max})"),
                ));
            }
        }
        // Answered `pending` before the request timeout would cut the request off; no
        // silent clamp at request time.
        if f.live_channel
            && (self.device_wait_secs == 0 || self.device_wait_secs >= self.request_timeout_secs)
        {
            problems.push(Problem::new(
                "device_wait_secs",
                format!(
                    "{} must be at least 1 and less than request_timeout_secs ({})",
                    self.device_wait_secs, self.request_timeout_secs
                ),
            ));
        }
        if self.database_max_connections == 0 {
            problems.push(Problem::new(
                "database_max_connections",
                "must be at least 1",
            ));
        }
        // In days; 0 keeps audit events forever.
        if self.audit_retention_days > MAX_SECS / 86_400 {
            problems.push(Problem::new(
                "audit_retention_days",
                format!(
                    "{} is more than 100 years ({} days)",
                    self.audit_retention_days,
                    MAX_SECS / 86_400
                ),
            ));
        }
        if self.max_body_bytes == 0 {
            problems.push(Problem::new("max_body_bytes", "must be at least 1"));
        }
        if let Some(management) = self.management_listen.address()
            && shares_port(management, self.listen)
        {
            problems.push(Problem::new(
                "management_listen",
                format!(
                    "{management} is the public port ({}); choose another port or \"off\" \
                     (management_on_public_port serves the routes there)",
                    self.listen
                ),
            ));
        }
        if f.notifications && self.notification_max_attempts == 0 {
            problems.push(Problem::new(
                "notification_max_attempts",
                "must be at least 1",
            ));
        }
        if let Some(kek) = &self.key_encryption_key
            && !kek.is_empty()
            && let Err(why) = kek.check()
        {
            problems.push(Problem::new("key_encryption_key", why));
        }
        problems
    }
}

/// Whether two listeners would fight over one port: the same port (not 0, which picks a
/// free one) on the same address, or on the wildcard address of the same family.
fn shares_port(a: std::net::SocketAddr, b: std::net::SocketAddr) -> bool {
    a.port() == b.port()
        && a.port() != 0
        && a.is_ipv4() == b.is_ipv4()
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(configure: impl FnOnce(&mut Config)) -> Vec<String> {
        let mut config = Config::default();
        configure(&mut config);
        config.problems().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    #[test]
    fn zero_lifetimes_are_refused_where_zero_makes_no_sense() {
        assert_eq!(
            problems(|c| {
                c.access_token_lifetime_secs = 0;
                c.device_poll_interval_secs = 0;
                c.request_timeout_secs = 0;
            }),
            [
                "device_poll_interval_secs: must be at least 1",
                "access_token_lifetime_secs: must be at least 1",
                "request_timeout_secs: must be at least 1",
                // Follows from the timeout.
                "device_wait_secs: 25 must be at least 1 and less than request_timeout_secs (0)",
            ]
        );
        // 0 switches the retry windows off.
        assert!(problems(|c| c.redemption_retry_secs = 0).is_empty());
        assert!(problems(|c| c.key_publication_delay_secs = 0).is_empty());
    }

    #[test]
    fn a_zero_setting_of_a_feature_that_is_off_does_not_matter() {
        assert_eq!(
            problems(|c| c.pairing_code_lifetime_secs = 0),
            ["pairing_code_lifetime_secs: must be at least 1"]
        );
        assert!(
            problems(|c| {
                c.pairing_code_lifetime_secs = 0;
                c.features.pairing = false;
            })
            .is_empty()
        );
        assert!(
            problems(|c| {
                c.notification_worker_interval_ms = 0;
                c.notification_max_attempts = 0;
                c.features.notifications = false;
            })
            .is_empty()
        );
    }

    #[test]
    fn device_wait_must_end_before_the_request_timeout() {
        assert!(problems(|c| c.device_wait_secs = 29).is_empty());
        assert_eq!(
            problems(|c| c.device_wait_secs = 30),
            ["device_wait_secs: 30 must be at least 1 and less than request_timeout_secs (30)"]
        );
        assert_eq!(problems(|c| c.device_wait_secs = 0).len(), 1);
        // Without the live channel nobody waits.
        assert!(
            problems(|c| {
                c.device_wait_secs = 0;
                c.features.live_channel = false;
            })
            .is_empty()
        );
    }

    #[test]
    fn the_management_listener_needs_its_own_port() {
        use crate::config::ManagementListen;
        let on = |address: &str| ManagementListen::On(address.parse().unwrap());
        assert_eq!(
            problems(|c| c.management_listen = on("127.0.0.1:8080")),
            [
                "management_listen: 127.0.0.1:8080 is the public port (127.0.0.1:8080); \
              choose another port or \"off\" (management_on_public_port serves the routes there)"
            ]
        );
        assert_eq!(
            problems(|c| {
                c.listen = "0.0.0.0:8080".parse().unwrap();
                c.management_listen = on("10.0.0.5:8080");
            })
            .len(),
            1
        );
        assert!(problems(|c| c.management_listen = on("10.0.0.5:9090")).is_empty());
        assert!(problems(|c| c.management_listen = ManagementListen::Off).is_empty());
        // Tests bind both on port 0.
        assert!(
            problems(|c| {
                c.listen = "127.0.0.1:0".parse().unwrap();
                c.management_listen = on("127.0.0.1:0");
            })
            .is_empty()
        );
    }

    #[test]
    fn durations_are_bounded() {
        assert_eq!(
            problems(|c| c.session_lifetime_secs = u64::MAX),
            [format!(
                "session_lifetime_secs: {} is more than 100 years ({MAX_SECS})",
                u64::MAX
            )]
        );
        assert!(problems(|c| c.refresh_token_lifetime_secs = MAX_SECS).is_empty());
    }

    #[test]
    fn a_bad_key_encryption_key_is_named_but_never_shown() {
        use crate::config::KeyEncryptionKeySetting;
        let secretish = "c2hvcnQ="; // "short"
        let found = problems(|c| {
            c.key_encryption_key = Some(KeyEncryptionKeySetting(secretish.into()));
        });
        assert_eq!(
            found,
            ["key_encryption_key: must be 32 bytes (base64), not 5"]
        );
        assert!(
            problems(|c| c.key_encryption_key = Some(KeyEncryptionKeySetting(String::new())))
                .is_empty()
        );
    }

    #[test]
    fn every_problem_is_listed() {
        let mut config = Config::default();
        config.database_max_connections = 0;
        config.max_body_bytes = 0;
        let err = config.validate().unwrap_err();
        assert!(err.mentions("database_max_connections"));
        assert!(err.mentions("max_body_bytes"));
        assert_eq!(
            err.to_string(),
            "invalid configuration (2 problems):\n  \
             database_max_connections: must be at least 1\n  \
             max_body_bytes: must be at least 1"
        );
    }
}
