//! "Recent sign-ins and approvals" on `/account/devices`: the person's own latest audit
//! events (docs/audit.md) in words — when, what, the device or browser, the network — so
//! they can spot a sign-in or an approval that was not theirs.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::{
    i18n::Args,
    state::AppState,
    store::{AuditFilter, AuditRecord},
    web::{account::Moment, error::PageError, lang},
};

/// Events shown.
pub const SHOWN: i64 = 10;
/// Longest User-Agent shown (the whole string is in the audit log).
const USER_AGENT_CHARS: usize = 80;

/// One event, in words.
pub struct ActivityRow {
    /// HTML (`Moment`).
    pub when: Moment,
    pub what: String,
    /// The device (for approvals) or browser (for sign-ins), when known.
    pub device: Option<String>,
    /// The address the action came from.
    pub network: Option<String>,
    /// A failed attempt (wrong password), shown as a warning.
    pub failed: bool,
}

/// The latest events of `user_id`, newest first.
pub async fn recent(
    state: &AppState,
    user_id: &str,
    now: i64,
) -> Result<Vec<ActivityRow>, PageError> {
    let filter = AuditFilter {
        user_id: Some(user_id),
        client_id: None,
        since: None,
        limit: SHOWN,
    };
    let events = state.db.list_audit_events(&filter).await?;
    // The apps' names as they are now (at most SHOWN look-ups); a deleted app keeps its id.
    let an_app = lang::text("account-event-an-app");
    let mut names: HashMap<String, String> = HashMap::new();
    for id in events.iter().filter_map(|e| e.client_id.as_ref()) {
        if !names.contains_key(id) {
            let name = state
                .db
                .get_client(id)
                .await?
                .map_or(id.clone(), |c| c.name);
            names.insert(id.clone(), name);
        }
    }
    Ok(events
        .iter()
        .map(|event| {
            let app = event
                .client_id
                .as_ref()
                .and_then(|id| names.get(id))
                .map_or(an_app.as_str(), String::as_str);
            ActivityRow {
                when: Moment::new(event.at, now),
                what: describe(event, app),
                device: device_words(event),
                network: event.ip.clone(),
                failed: event.outcome == "failure",
            }
        })
        .collect())
}

fn object(text: &Option<String>) -> Map<String, Value> {
    text.as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

/// What happened, in a sentence in the page's language; `app` is the client's name.
fn describe(event: &AuditRecord, app: &str) -> String {
    let detail = object(&event.detail);
    let says = |key: &str, value: &str| detail.get(key).and_then(Value::as_str) == Some(value);
    let id = match event.kind.as_str() {
        "sign_in" if says("method", "qr_code") => "account-event-sign-in-qr",
        "sign_in" if says("method", "password_totp") => "account-event-sign-in-totp",
        "sign_in" if says("method", "passkey") => "account-event-sign-in-passkey",
        "sign_in" if says("method", "password_recovery_code") => {
            "account-event-sign-in-recovery-code"
        }
        "sign_in" => "account-event-sign-in-password",
        "totp_enrolled" => "account-event-totp-enrolled",
        "totp_disabled" => "account-event-totp-disabled",
        "recovery_codes_regenerated" => "account-event-recovery-codes-regenerated",
        "recovery_code_used" => "account-event-recovery-code-used",
        "otp_failed" => "account-event-otp-failed",
        "sign_in_failed" => "account-event-sign-in-failed",
        "reauthenticated" => "account-event-reauthenticated",
        "reauthentication_failed" => "account-event-reauthentication-failed",
        "device_approved" => "account-event-device-approved",
        "device_denied" => "account-event-device-denied",
        "qr_sign_in_approved" => "account-event-qr-sign-in-approved",
        "qr_sign_in_denied" => "account-event-qr-sign-in-denied",
        "pairing_code_created" => "account-event-pairing-code-created",
        "pairing_approved" => "account-event-pairing-approved",
        "pairing_denied" => "account-event-pairing-denied",
        "device_signed_out" if says("by", "operator") => {
            "account-event-device-signed-out-by-operator"
        }
        "device_signed_out" => "account-event-device-signed-out",
        "token_family_revoked" if says("reason", "refresh_token_reused") => {
            "account-event-token-reused"
        }
        "token_family_revoked" if says("reason", "revoked_by_client") => {
            "account-event-revoked-by-client"
        }
        "token_family_revoked" => "account-event-token-family-revoked",
        "password_changed" => "account-event-password-changed",
        "user_created" => "account-event-user-created",
        "user_disabled" => "account-event-user-disabled",
        "user_enabled" => "account-event-user-enabled",
        "passkey_registered" => "account-event-passkey-registered",
        "passkey_removed" => "account-event-passkey-removed",
        "passkey_sign_in_failed" => "account-event-passkey-sign-in-failed",
        "factors_reset" => "account-event-factors-reset",
        other => return other.replace('_', " "),
    };
    lang::text_with(id, &Args::new().with("app", app))
}

/// The device (name, model, system and its address) or the browser (its User-Agent).
fn device_words(event: &AuditRecord) -> Option<String> {
    let device = object(&event.device);
    let text = |key: &str| device.get(key).and_then(Value::as_str);
    let words: Vec<&str> = ["name", "model", "os"]
        .into_iter()
        .filter_map(text)
        .collect();
    let mut shown = words.join(", ");
    if shown.is_empty() {
        shown = text("user_agent")?.chars().take(USER_AGENT_CHARS).collect();
    }
    if let Some(ip) = text("ip") {
        let args = Args::new().with("device", shown).with("ip", ip);
        shown = lang::text_with("account-event-device-from", &args);
    }
    Some(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, device: Option<&str>, detail: Option<&str>) -> AuditRecord {
        AuditRecord {
            id: 1,
            at: 0,
            kind: kind.into(),
            outcome: "success".into(),
            user_id: None,
            username: None,
            client_id: None,
            ip: None,
            device: device.map(str::to_string),
            detail: detail.map(str::to_string),
        }
    }

    #[test]
    fn events_are_told_in_words() {
        let approved = record(
            "device_approved",
            Some(r#"{"name":"TV","model":"X1","ip":"192.0.2.7","user_agent":"curl"}"#),
            None,
        );
        assert_eq!(describe(&approved, "Films"), "Approved a device for Films");
        assert_eq!(device_words(&approved).unwrap(), "TV, X1 (from 192.0.2.7)");
        let qr = record(
            "sign_in",
            Some(r#"{"user_agent":"Firefox"}"#),
            Some(r#"{"method":"qr_code"}"#),
        );
        assert_eq!(describe(&qr, "x"), "Signed in with a QR code");
        assert_eq!(device_words(&qr).unwrap(), "Firefox");
        assert_eq!(device_words(&record("sign_in", None, None)), None);
    }
}
