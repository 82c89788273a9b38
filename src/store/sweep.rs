//! The store's own clean-up: every table whose rows expire, with how long each is kept past
//! its expiry. The maintenance task (`server.rs`) calls [`sweep`] once a minute; a table
//! that fails is logged and the others are still swept.

use std::fmt::Display;

use tower_sessions::session_store::ExpiredDeletion;

use super::{Database, SessionStore};
use crate::config::Config;

/// Expired device authorizations are kept a day, so a late device still hears
/// `expired_token` (RFC 8628 §3.5) rather than `invalid_grant`.
const DEVICE_AUTHORIZATIONS_KEPT_SECS: i64 = 86_400;
/// Used authorization codes are kept an hour: a code presented again in that time revokes
/// what it gave (RFC 6749 §4.1.2).
const AUTHORIZATION_CODES_KEPT_SECS: i64 = 3600;
/// Expired pairing codes are kept an hour, so a late device is told the code expired
/// rather than that it is unknown (`oauth/pairing.rs`).
const PAIRING_CODES_KEPT_SECS: i64 = 3600;
/// Delivered and given-up decision events are kept a week (docs/live-handoff.md).
const NOTIFICATIONS_KEPT_SECS: i64 = 7 * 86_400;

/// Deletes what expired before `now` (minus each table's keeping time) and wipes sealed
/// token responses whose retry window ended; audit events are kept `audit_retention_days`
/// (0: forever). Never fails: each table logs its own error.
pub async fn sweep(db: &Database, config: &Config, now: i64) {
    let before = |kept_secs: i64| now - kept_secs;
    logged(
        "delete expired device authorizations",
        db.delete_expired(before(DEVICE_AUTHORIZATIONS_KEPT_SECS))
            .await,
    );
    logged(
        "delete expired authorization codes",
        db.delete_expired_codes(before(AUTHORIZATION_CODES_KEPT_SECS))
            .await,
    );
    // Token responses kept for a retry (docs/integration.md) live only for their window.
    logged(
        "wipe sealed token responses",
        db.wipe_sealed_responses(now).await,
    );
    logged(
        "delete expired linked devices",
        db.delete_expired_linked_devices(now).await,
    );
    logged(
        "delete expired pairing codes",
        db.delete_expired_pairing_codes(before(PAIRING_CODES_KEPT_SECS))
            .await,
    );
    logged(
        "delete expired guessing counters",
        db.delete_expired_attempt_counters(now).await,
    );
    logged(
        "delete expired client-assertion ids",
        db.delete_expired_assertion_jtis(now).await,
    );
    logged(
        "delete expired access-token revocations",
        db.delete_expired_revocations(now).await,
    );
    logged(
        "delete old decision events",
        db.delete_finished_notifications(before(NOTIFICATIONS_KEPT_SECS))
            .await,
    );
    if let Some(kept_secs) = audit_kept_secs(config) {
        logged(
            "delete old audit events",
            db.delete_audit_events_before(before(kept_secs)).await,
        );
    }
    // Browser sessions expire by the wall clock (`sessions.rs`), not by `now`.
    logged(
        "delete expired sessions",
        SessionStore::new(db.clone())
            .delete_expired()
            .await
            .map(|()| 0),
    );
}

/// How long audit events are kept, or `None` to keep them forever.
fn audit_kept_secs(config: &Config) -> Option<i64> {
    match config.audit_retention_days {
        0 => None,
        days => Some(
            i64::try_from(days)
                .unwrap_or(i64::MAX)
                .saturating_mul(86_400),
        ),
    }
}

/// Logs a clean-up's failure (and, at debug level, what it deleted).
fn logged(what: &str, result: Result<u64, impl Display>) {
    match result {
        Ok(0) => {}
        Ok(deleted) => tracing::debug!(deleted, "{what}"),
        Err(err) => tracing::warn!(error = %err, "could not {what}"),
    }
}
