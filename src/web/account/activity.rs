//! "Recent sign-ins and approvals" on `/account/devices`: the person's own latest audit
//! events (docs/audit.md) in words — when, what, the device or browser, the network — so
//! they can spot a sign-in or an approval that was not theirs.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::{
    state::AppState,
    store::{AuditFilter, AuditRecord},
    web::{duration_words::ago, error::PageError},
};

/// Events shown.
pub const SHOWN: i64 = 10;
/// Longest User-Agent shown (the whole string is in the audit log).
const USER_AGENT_CHARS: usize = 80;

/// One event, in words.
pub struct ActivityRow {
    pub when: String,
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
                .map_or("an app", String::as_str);
            ActivityRow {
                when: ago(now - event.at),
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

/// What happened, in a sentence; `app` is the client's name.
fn describe(event: &AuditRecord, app: &str) -> String {
    let detail = object(&event.detail);
    let says = |key: &str, value: &str| detail.get(key).and_then(Value::as_str) == Some(value);
    match event.kind.as_str() {
        "sign_in" if says("method", "qr_code") => "Signed in with a QR code".into(),
        "sign_in" if says("method", "password_totp") => {
            "Signed in with your password and authenticator app".into()
        }
        "sign_in" if says("method", "password_recovery_code") => {
            "Signed in with your password and a recovery code".into()
        }
        "sign_in" => "Signed in with your password".into(),
        "totp_enrolled" => "Turned on two-step verification".into(),
        "totp_disabled" => "Turned off two-step verification".into(),
        "recovery_codes_regenerated" => "Made new recovery codes".into(),
        "recovery_code_used" => "Used a recovery code".into(),
        "otp_failed" => "Wrong code from your authenticator app".into(),
        "sign_in_failed" => "Sign-in failed: wrong password".into(),
        "reauthenticated" => "Entered your password again to approve a device".into(),
        "reauthentication_failed" => "Wrong password while approving a device".into(),
        "device_approved" => format!("Approved a device for {app}"),
        "device_denied" => format!("Denied a device for {app}"),
        "qr_sign_in_approved" => format!("Approved a QR code sign-in to {app}"),
        "qr_sign_in_denied" => format!("Denied a QR code sign-in to {app}"),
        "pairing_code_created" => "Made a code to add a device".into(),
        "pairing_approved" => format!("Added a device for {app}"),
        "pairing_denied" => format!("Refused a device that used your code for {app}"),
        "device_signed_out" if says("by", "operator") => {
            format!("An administrator signed out a device of {app}")
        }
        "device_signed_out" => format!("Signed out a device of {app}"),
        "token_family_revoked" if says("reason", "refresh_token_reused") => {
            format!("A sign-in to {app} was ended: its token was used twice")
        }
        "token_family_revoked" if says("reason", "revoked_by_client") => {
            format!("{app} signed out")
        }
        "token_family_revoked" => format!("A sign-in to {app} was ended"),
        "password_changed" => "Your password was changed".into(),
        "user_created" => "Your account was created".into(),
        "user_disabled" => "Your account was disabled".into(),
        "user_enabled" => "Your account was enabled again".into(),
        other => other.replace('_', " "),
    }
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
        shown.push_str(&format!(" (from {ip})"));
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
