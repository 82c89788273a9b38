//! Server configuration: one documented struct, read once from `usher.toml` (optional) and
//! `USHER_*` environment variables (`load.rs`), with defaults that make `usher serve` work
//! with no file, and checked as a whole (`validate.rs`) before anything starts.
//! docs/configuration.md lists every key; keep the two in step.

mod error;
mod load;
mod types;
mod validate;

use std::net::SocketAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

pub use error::{ConfigError, Problem};
pub use types::{
    ApprovalProof, Features, Issuer, KeyEncryptionKeySetting, LogFormat, ManagementListen,
    parse_network,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Public base URL of this server, used exactly as written (a trailing slash included) as
    /// discovery's `issuer`, every token's `iss` and RFC 9207's `iss` (OIDC Discovery §3,
    /// §4.3; RFC 8414 §2, §3.3). An absolute http(s) URL without query or fragment.
    pub issuer: Issuer,
    /// Socket address `usher serve` listens on.
    pub listen: SocketAddr,
    /// Address of the management listener (`/metrics`, `/health/live`, `/health/ready`),
    /// or `"off"`. Keep it private (loopback or an internal network): it needs no sign-in.
    pub management_listen: ManagementListen,
    /// Also serve the management routes on the public port (a platform that probes only
    /// the public port). Off by default: the public port serves none of them.
    pub management_on_public_port: bool,
    /// On SIGTERM or Ctrl-C: how long in-flight requests may take to finish once new
    /// connections are refused; then the remaining connections are closed and the process
    /// exits. 0: exit at once.
    pub shutdown_drain_secs: u64,
    /// `sqlite://path?mode=rwc` (embedded default) or `postgres://...`.
    pub database_url: String,
    /// Maximum connections in the database pool.
    pub database_max_connections: u32,

    /// Lifetime of a device authorization (`expires_in`, RFC 8628 §3.2), unless the client sets one.
    pub device_code_lifetime_secs: u64,
    /// Minimum polling interval handed to devices (`interval`, RFC 8628 §3.2).
    pub device_poll_interval_secs: u64,
    /// Wrong user-code entries allowed per IP address within `user_code_attempt_window_secs`.
    pub user_code_attempts_per_ip: u32,
    /// Window of the user-code guessing budget.
    pub user_code_attempt_window_secs: u64,
    /// Wrong user-code entries allowed per browser session in the same window (smaller than
    /// the per-IP budget, so one guessing browser is stopped before its whole network is).
    pub user_code_attempts_per_session: u32,
    /// Reverse proxies (IP addresses or CIDR networks) whose `X-Forwarded-For` gives the
    /// client address. Empty: forwarding headers are ignored.
    #[serde(with = "types::networks")]
    pub trusted_proxies: Vec<IpNet>,
    /// Approving a device needs a sign-in at most this old; an older session is asked for
    /// the password again on the consent page.
    pub approval_max_session_age_secs: u64,
    /// What approving a device, a QR sign-in or a pairing asks for on top of the sign-in:
    /// `none`, `password` (again after `approval_max_session_age_secs`), `passkey` (a fresh
    /// user-verified passkey assertion) or `any` (a passkey when the account has one, else
    /// `password`). A client may override it (`usher client update --approval-proof`).
    pub approval_proof: ApprovalProof,
    /// Validity of a "Sign in with QR code" code on the login page (its countdown).
    pub qr_login_lifetime_secs: u64,

    /// Wrong user codes (from anyone) the whole server lets through per
    /// `user_code_attempt_window_secs` before code entry slows down for everyone to one
    /// entry per `user_code_slow_interval_secs` (docs/security.md derives the default).
    pub user_code_server_budget: u32,
    /// Spacing of code entries server-wide once `user_code_server_budget` is used up.
    pub user_code_slow_interval_secs: u64,
    /// Wrong pairing codes the whole server lets through per window before pairing slows
    /// down the same way (pairing codes are 12 letters, so the budget can be much larger).
    pub pairing_code_server_budget: u32,

    /// Failed sign-ins one account may have from one network (IPv4 address, IPv6 /64)
    /// before each further attempt from there waits (`login_delay_base_secs`, doubling).
    pub login_attempts: u32,
    /// A sign-in budget is forgotten after this long without a failure (after its wait).
    pub login_attempt_window_secs: u64,
    /// Failed sign-ins one network may have across all accounts before it waits too.
    pub login_attempts_per_network: u32,
    /// First wait after a used-up sign-in budget; it doubles with every further failure.
    pub login_delay_base_secs: u64,
    /// Longest wait of the per-network budgets.
    pub login_delay_max_secs: u64,
    /// Failed sign-ins of one account from all networks before the account counts as under
    /// attack: then every network that has failed on it waits (up to
    /// `login_account_delay_max_secs`) between attempts; a network that has not failed on
    /// it is never held back, so the owner still signs in.
    pub login_account_ceiling: u32,
    /// Longest wait of a failed network on an account under attack.
    pub login_account_delay_max_secs: u64,

    /// Lifetime of JWT access tokens.
    pub access_token_lifetime_secs: u64,
    /// Lifetime of ID tokens.
    pub id_token_lifetime_secs: u64,
    /// Lifetime of refresh tokens (issued only with `offline_access`).
    pub refresh_token_lifetime_secs: u64,
    /// How long after redeeming a device code or an authorization code the same client may
    /// present it again and receive the same token response (a lost answer, a dropped
    /// connection); the response is kept sealed under a key only the code opens. 0: off, a
    /// second presentation is `invalid_grant` at once.
    pub redemption_retry_secs: u64,
    /// How long after a refresh the same client may present the rotated-out refresh token
    /// again and receive the same response instead of reuse detection revoking the family
    /// (RFC 9700 §4.14.2 after that). 0: off.
    pub refresh_token_retry_secs: u64,
    /// How long the previous secret of a client keeps working after `usher client
    /// rotate-secret` (unless `--overlap` says otherwise), so its deployments can switch.
    /// 0: it fails at once.
    pub client_secret_overlap_secs: u64,
    /// Base64 of 32 random bytes; when set, signing keys are stored AES-256-GCM encrypted
    /// (also `USHER_KEY_ENCRYPTION_KEY`). Never logged.
    pub key_encryption_key: Option<KeyEncryptionKeySetting>,
    /// How long a key made by `usher keys rotate` is published in the JWKS before it signs.
    /// Longer than the JWKS `max-age` (300 s) plus the reload interval (60 s), so relying
    /// parties' cached copies know the key before they meet it; a shorter delay shortens
    /// the `max-age` to match.
    pub key_publication_delay_secs: u64,

    /// Lifetime of a browser session on the hosted pages.
    pub session_lifetime_secs: u64,
    /// Mark cookies `Secure`. Defaults to true when the issuer is `https://`.
    pub cookie_secure: Option<bool>,

    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Per-request timeout, in seconds.
    pub request_timeout_secs: u64,
    /// How long a keep-alive connection may sit idle (or take to send a request's headers)
    /// before it is closed. Well above the polling interval, so a polling device keeps its
    /// connection; bounded, so idle or slow clients cannot hold connections forever.
    pub keep_alive_idle_secs: u64,

    /// Validity of a pairing code made with "Add a device" on the account pages.
    pub pairing_code_lifetime_secs: u64,

    /// Days an audit event (docs/audit.md) is kept before the maintenance task deletes it.
    /// 0: kept forever.
    pub audit_retention_days: u64,

    /// Longest wait of the long-poll live channel (`POST /oauth2/device/wait`) before it
    /// answers `pending`; below `request_timeout_secs`, so the answer goes out before the
    /// timeout would cut the request off.
    pub device_wait_secs: u64,
    /// Keep-alive comment interval of the SSE live channel (`POST /oauth2/device/events`).
    pub device_events_keep_alive_secs: u64,
    /// Timeout of one POST of a decision event to a client's notification endpoint.
    pub notification_timeout_secs: u64,
    /// Attempts per decision event before it is given up.
    pub notification_max_attempts: u32,
    /// Delay before the first retry; it doubles with every further attempt.
    pub notification_retry_base_ms: u64,
    /// Longest delay between two attempts.
    pub notification_retry_max_secs: u64,
    /// How often each instance's delivery worker looks for due events.
    pub notification_worker_interval_ms: u64,

    /// Log lines of `usher serve`: `text` (default) or `json` (also `USHER_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// The extensions switched on (`[features]`; all on by default).
    pub features: Features,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            issuer: Issuer::parse("http://127.0.0.1:8080").expect("valid default issuer"),
            listen: "127.0.0.1:8080".parse().expect("valid default address"),
            management_listen: ManagementListen::On(
                "127.0.0.1:9090".parse().expect("valid default address"),
            ),
            management_on_public_port: false,
            shutdown_drain_secs: 20,
            database_url: "sqlite://usher.db?mode=rwc".into(),
            database_max_connections: 16,
            device_code_lifetime_secs: 600,
            device_poll_interval_secs: 5,
            user_code_attempts_per_ip: 20,
            user_code_attempt_window_secs: 600,
            user_code_attempts_per_session: 5,
            trusted_proxies: Vec::new(),
            approval_max_session_age_secs: 3600,
            approval_proof: ApprovalProof::Any,
            qr_login_lifetime_secs: 180,
            user_code_server_budget: 7,
            user_code_slow_interval_secs: 120,
            pairing_code_server_budget: 1000,
            login_attempts: 5,
            login_attempt_window_secs: 3600,
            login_attempts_per_network: 20,
            login_delay_base_secs: 30,
            login_delay_max_secs: 900,
            login_account_ceiling: 20,
            login_account_delay_max_secs: 3600,
            access_token_lifetime_secs: 3600,
            id_token_lifetime_secs: 3600,
            refresh_token_lifetime_secs: 30 * 24 * 3600,
            redemption_retry_secs: 60,
            refresh_token_retry_secs: 10,
            client_secret_overlap_secs: 86_400,
            key_encryption_key: None,
            key_publication_delay_secs: 900,
            session_lifetime_secs: 14 * 24 * 3600,
            cookie_secure: None,
            max_body_bytes: 64 * 1024,
            request_timeout_secs: 30,
            keep_alive_idle_secs: 75,
            pairing_code_lifetime_secs: 300,
            audit_retention_days: 90,
            device_wait_secs: 25,
            device_events_keep_alive_secs: 15,
            notification_timeout_secs: 10,
            notification_max_attempts: 8,
            notification_retry_base_ms: 2000,
            notification_retry_max_secs: 3600,
            notification_worker_interval_ms: 1000,
            log_format: LogFormat::Text,
            features: Features::default(),
        }
    }
}

impl Config {
    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure
            .unwrap_or_else(|| self.issuer.starts_with("https://"))
    }

    /// Absolute URL of a path (starting with `/`) on this server, without a double slash
    /// when the issuer ends in one.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer.trim_end_matches('/'), path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_is_kept_and_urls_join_without_a_double_slash() {
        for issuer in ["https://id.example", "https://id.example/"] {
            let config = Config {
                issuer: Issuer::parse(issuer).unwrap(),
                ..Config::default()
            };
            assert_eq!(config.issuer, issuer);
            assert_eq!(
                config.url("/oauth2/token"),
                "https://id.example/oauth2/token"
            );
            assert!(config.cookie_secure());
        }
        let tenant = Config {
            issuer: Issuer::parse("https://id.example/tenant/").unwrap(),
            ..Config::default()
        };
        assert_eq!(
            tenant.url("/oauth2/jwks"),
            "https://id.example/tenant/oauth2/jwks"
        );
        assert!(!Config::default().cookie_secure());
    }
}
