//! The audit log (docs/audit.md): security events as a typed [`AuditEvent`], each written
//! as one row of `audit_events` and as one structured log event (target `audit`).
//!
//! When: [`record`] is called after the action has committed, never inside its
//! transaction, so an audit failure cannot undo or fail the action (a failure is logged at
//! `error`, and the page or answer goes on as if it had been written). The log event is
//! emitted first, then the row is inserted: a crash between the action's commit and the
//! insert loses the row, but the log line is already out.
//!
//! Never in a row or the log: passwords, codes, tokens, secrets, or a username someone
//! typed (it may be a password typed in the wrong field); only ids, names the operator or
//! the device chose, addresses and User-Agents.

use std::net::IpAddr;

use serde_json::{Map, Value, json};

use crate::store::{
    AuthorizationPurpose, Database, DeviceAuthorization, DeviceInfo, NewAuditEvent,
};

/// Where an action came from: the address of the browser or device, and its User-Agent.
/// Empty for the operator's commands (`usher ...`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Origin {
    pub fn new(ip: Option<IpAddr>, user_agent: Option<String>) -> Origin {
        Origin {
            ip: ip.map(|ip| ip.to_string()),
            user_agent,
        }
    }

    /// The operator at the command line.
    pub fn operator() -> Origin {
        Origin::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMethod {
    Password,
    /// "Sign in with QR code", approved on a phone (`oauth::qr_login`).
    QrCode,
    /// A user-verified passkey (`oauth::accounts::passkeys`).
    Passkey,
    /// The password, then a TOTP code (`oauth::accounts::totp`).
    PasswordAndTotp,
    /// The password, then a recovery code.
    PasswordAndRecoveryCode,
}

/// Why a token family was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokedBecause {
    /// A rotated-out refresh token was presented again (RFC 9700 §4.14.2).
    RefreshTokenReused,
    /// The client revoked its refresh token (RFC 7009).
    RevokedByClient,
    /// A used authorization code was presented again (RFC 6749 §4.1.2).
    CodeReplayed,
    /// A refresh for an account that was disabled, deleted or changed its password.
    AccountInactive,
}

/// Who signed a device out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOutBy {
    /// The person, on `/account/devices`.
    Owner,
    /// The operator, with `usher devices revoke`.
    Operator,
}

/// A person's decision on a device authorization, with what the consent page showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub user_id: String,
    pub client_id: String,
    pub authorization_id: String,
    /// The device's metadata as shown on the consent page (its IP among it).
    pub device: DeviceInfo,
    /// The approving browser.
    pub from: Origin,
}

/// A security event. More kinds will come (second factors and passkeys, issue 13): add a
/// variant and its `kind` name; stored rows are plain text, so no migration is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditEvent {
    SignIn {
        user_id: String,
        method: SignInMethod,
        from: Origin,
    },
    /// A wrong password (or an unknown or disabled account: `user_id` then names the
    /// account only when it exists). Attempts refused by the guessing budgets are not
    /// recorded: they cost an attacker nothing and would fill the table.
    SignInFailed {
        user_id: Option<String>,
        from: Origin,
    },
    /// The password asked again before an approval (`web/fresh_proof.rs`).
    Reauthenticated {
        user_id: String,
        from: Origin,
    },
    ReauthenticationFailed {
        user_id: String,
        from: Origin,
    },
    DeviceApproved(Decided),
    DeviceDenied(Decided),
    /// A waiting browser's QR sign-in approved (or denied) on a phone.
    QrSignInApproved(Decided),
    QrSignInDenied(Decided),
    /// "Add a device": a pairing code made.
    PairingCodeCreated {
        user_id: String,
        from: Origin,
    },
    /// Two-step verification (TOTP) confirmed on the account security page.
    TotpEnrolled {
        user_id: String,
        from: Origin,
    },
    /// TOTP and recovery codes removed by their owner.
    TotpDisabled {
        user_id: String,
        from: Origin,
    },
    /// New recovery codes made (the old ones no longer work).
    RecoveryCodesRegenerated {
        user_id: String,
        from: Origin,
    },
    /// A recovery code used (at sign-in or before an approval).
    RecoveryCodeUsed {
        user_id: String,
        from: Origin,
    },
    /// A wrong one-time code (TOTP or recovery code) after a right password.
    OtpFailed {
        user_id: String,
        from: Origin,
    },
    /// A device that came with a pairing code, approved (or denied) on the pairing page.
    PairingApproved(Decided),
    PairingDenied(Decided),
    TokenFamilyRevoked {
        family_id: String,
        user_id: String,
        client_id: String,
        reason: RevokedBecause,
    },
    DeviceSignedOut {
        family_id: String,
        user_id: String,
        client_id: String,
        by: SignedOutBy,
        from: Origin,
    },
    ClientCreated {
        client_id: String,
    },
    ClientUpdated {
        client_id: String,
    },
    ClientSecretRotated {
        client_id: String,
    },
    ClientDeleted {
        client_id: String,
    },
    KeyRotated {
        kid: String,
        alg: String,
        activates_at: i64,
    },
    UserCreated {
        user_id: String,
        username: String,
    },
    UserDisabled {
        user_id: String,
    },
    UserEnabled {
        user_id: String,
    },
    PasswordChanged {
        user_id: String,
    },
    UserDeleted {
        user_id: String,
        username: String,
    },
    /// `usher user factors reset`: every passkey, the TOTP authenticator and the recovery
    /// codes of the account removed (a lost phone); the counts of what was removed.
    FactorsReset {
        user_id: String,
        passkeys: u64,
        second_factors: u64,
    },
    /// A passkey added on the account security page (`passkey_id`: its credential id).
    PasskeyRegistered {
        user_id: String,
        passkey_id: String,
        name: String,
        from: Origin,
    },
    PasskeyRemoved {
        user_id: String,
        passkey_id: String,
        name: String,
        from: Origin,
    },
    /// A passkey sign-in refused (unknown credential, failed verification or user
    /// verification, counter gone backwards); `user_id` when the credential is ours.
    PasskeySignInFailed {
        user_id: Option<String>,
        from: Origin,
    },
}

impl AuditEvent {
    /// The event of a decision on `auth`, by its kind: a device, a QR sign-in, a pairing.
    pub fn decision(
        auth: &DeviceAuthorization,
        approved: bool,
        user_id: &str,
        from: Origin,
    ) -> AuditEvent {
        let decided = Decided {
            user_id: user_id.to_string(),
            client_id: auth.client_id.clone(),
            authorization_id: auth.id.clone(),
            device: auth.device.clone(),
            from,
        };
        let qr = auth.purpose == AuthorizationPurpose::BrowserSignIn;
        let paired = auth.paired_user_id.is_some();
        match (qr, paired, approved) {
            (true, _, true) => AuditEvent::QrSignInApproved(decided),
            (true, _, false) => AuditEvent::QrSignInDenied(decided),
            (false, true, true) => AuditEvent::PairingApproved(decided),
            (false, true, false) => AuditEvent::PairingDenied(decided),
            (false, false, true) => AuditEvent::DeviceApproved(decided),
            (false, false, false) => AuditEvent::DeviceDenied(decided),
        }
    }

    /// The stored name of the kind (`audit_events.kind`, the log's `kind` field).
    pub fn kind(&self) -> &'static str {
        use AuditEvent::*;
        match self {
            SignIn { .. } => "sign_in",
            SignInFailed { .. } => "sign_in_failed",
            Reauthenticated { .. } => "reauthenticated",
            ReauthenticationFailed { .. } => "reauthentication_failed",
            DeviceApproved(_) => "device_approved",
            DeviceDenied(_) => "device_denied",
            QrSignInApproved(_) => "qr_sign_in_approved",
            QrSignInDenied(_) => "qr_sign_in_denied",
            PairingCodeCreated { .. } => "pairing_code_created",
            TotpEnrolled { .. } => "totp_enrolled",
            TotpDisabled { .. } => "totp_disabled",
            RecoveryCodesRegenerated { .. } => "recovery_codes_regenerated",
            RecoveryCodeUsed { .. } => "recovery_code_used",
            OtpFailed { .. } => "otp_failed",
            PairingApproved(_) => "pairing_approved",
            PairingDenied(_) => "pairing_denied",
            TokenFamilyRevoked { .. } => "token_family_revoked",
            DeviceSignedOut { .. } => "device_signed_out",
            ClientCreated { .. } => "client_created",
            ClientUpdated { .. } => "client_updated",
            ClientSecretRotated { .. } => "client_secret_rotated",
            ClientDeleted { .. } => "client_deleted",
            KeyRotated { .. } => "key_rotated",
            UserCreated { .. } => "user_created",
            UserDisabled { .. } => "user_disabled",
            UserEnabled { .. } => "user_enabled",
            PasswordChanged { .. } => "password_changed",
            UserDeleted { .. } => "user_deleted",
            FactorsReset { .. } => "factors_reset",
            PasskeyRegistered { .. } => "passkey_registered",
            PasskeyRemoved { .. } => "passkey_removed",
            PasskeySignInFailed { .. } => "passkey_sign_in_failed",
        }
    }

    /// The row this event is stored as, at `now`.
    pub fn row(&self, now: i64) -> NewAuditEvent {
        use AuditEvent::*;
        let failed = matches!(
            self,
            SignInFailed { .. }
                | ReauthenticationFailed { .. }
                | OtpFailed { .. }
                | PasskeySignInFailed { .. }
        );
        let mut row = NewAuditEvent {
            at: now,
            kind: self.kind().to_string(),
            outcome: if failed { "failure" } else { "success" }.to_string(),
            ..NewAuditEvent::default()
        };
        let mut detail = Map::new();
        let from_origin = |row: &mut NewAuditEvent, from: &Origin| {
            row.ip = from.ip.clone();
            row.device = from
                .user_agent
                .as_ref()
                .map(|ua| json!({ "user_agent": ua }).to_string());
        };
        match self {
            SignIn {
                user_id,
                method,
                from,
            } => {
                row.user_id = Some(user_id.clone());
                let method = match method {
                    SignInMethod::Password => "password",
                    SignInMethod::QrCode => "qr_code",
                    SignInMethod::Passkey => "passkey",
                    SignInMethod::PasswordAndTotp => "password_totp",
                    SignInMethod::PasswordAndRecoveryCode => "password_recovery_code",
                };
                detail.insert("method".into(), method.into());
                from_origin(&mut row, from);
            }
            PasskeyRegistered {
                user_id,
                passkey_id,
                name,
                from,
            }
            | PasskeyRemoved {
                user_id,
                passkey_id,
                name,
                from,
            } => {
                row.user_id = Some(user_id.clone());
                detail.insert("passkey_id".into(), passkey_id.clone().into());
                detail.insert("name".into(), name.clone().into());
                from_origin(&mut row, from);
            }
            PasskeySignInFailed { user_id, from } => {
                row.user_id = user_id.clone();
                detail.insert("method".into(), "passkey".into());
                from_origin(&mut row, from);
            }
            SignInFailed { user_id, from } => {
                row.user_id = user_id.clone();
                detail.insert("method".into(), "password".into());
                from_origin(&mut row, from);
            }
            Reauthenticated { user_id, from } | ReauthenticationFailed { user_id, from } => {
                row.user_id = Some(user_id.clone());
                detail.insert("method".into(), "password".into());
                from_origin(&mut row, from);
            }
            DeviceApproved(d) | DeviceDenied(d) | QrSignInApproved(d) | QrSignInDenied(d)
            | PairingApproved(d) | PairingDenied(d) => {
                row.user_id = Some(d.user_id.clone());
                row.client_id = Some(d.client_id.clone());
                row.ip = d.from.ip.clone();
                row.device = Some(device_json(&d.device));
                detail.insert("authorization_id".into(), d.authorization_id.clone().into());
                if let Some(ua) = &d.from.user_agent {
                    detail.insert("approver_user_agent".into(), ua.clone().into());
                }
            }
            PairingCodeCreated { user_id, from } => {
                row.user_id = Some(user_id.clone());
                from_origin(&mut row, from);
            }
            TotpEnrolled { user_id, from }
            | TotpDisabled { user_id, from }
            | RecoveryCodesRegenerated { user_id, from }
            | RecoveryCodeUsed { user_id, from }
            | OtpFailed { user_id, from } => {
                row.user_id = Some(user_id.clone());
                from_origin(&mut row, from);
            }
            TokenFamilyRevoked {
                family_id,
                user_id,
                client_id,
                reason,
            } => {
                row.user_id = Some(user_id.clone());
                row.client_id = Some(client_id.clone());
                detail.insert("family_id".into(), family_id.clone().into());
                let reason = match reason {
                    RevokedBecause::RefreshTokenReused => "refresh_token_reused",
                    RevokedBecause::RevokedByClient => "revoked_by_client",
                    RevokedBecause::CodeReplayed => "authorization_code_replayed",
                    RevokedBecause::AccountInactive => "account_inactive",
                };
                detail.insert("reason".into(), reason.into());
            }
            DeviceSignedOut {
                family_id,
                user_id,
                client_id,
                by,
                from,
            } => {
                row.user_id = Some(user_id.clone());
                row.client_id = Some(client_id.clone());
                detail.insert("family_id".into(), family_id.clone().into());
                let by = match by {
                    SignedOutBy::Owner => "owner",
                    SignedOutBy::Operator => "operator",
                };
                detail.insert("by".into(), by.into());
                from_origin(&mut row, from);
            }
            ClientCreated { client_id }
            | ClientUpdated { client_id }
            | ClientSecretRotated { client_id }
            | ClientDeleted { client_id } => {
                row.client_id = Some(client_id.clone());
                detail.insert("by".into(), "operator".into());
            }
            KeyRotated {
                kid,
                alg,
                activates_at,
            } => {
                detail.insert("kid".into(), kid.clone().into());
                detail.insert("alg".into(), alg.clone().into());
                detail.insert("activates_at".into(), (*activates_at).into());
            }
            UserCreated { user_id, username } | UserDeleted { user_id, username } => {
                row.user_id = Some(user_id.clone());
                // The username an operator chose (not typed at a sign-in): kept so the row
                // still says whose account it was once the account is gone.
                detail.insert("username".into(), username.clone().into());
                detail.insert("by".into(), "operator".into());
            }
            UserDisabled { user_id } | UserEnabled { user_id } | PasswordChanged { user_id } => {
                row.user_id = Some(user_id.clone());
                detail.insert("by".into(), "operator".into());
            }
            FactorsReset {
                user_id,
                passkeys,
                second_factors,
            } => {
                row.user_id = Some(user_id.clone());
                detail.insert("passkeys".into(), (*passkeys).into());
                detail.insert("second_factors".into(), (*second_factors).into());
                detail.insert("by".into(), "operator".into());
            }
        }
        row.detail = (!detail.is_empty()).then(|| Value::Object(detail).to_string());
        row
    }
}

/// The device's metadata as a JSON object, without the fields it did not send.
fn device_json(device: &DeviceInfo) -> String {
    let fields = [
        ("name", &device.name),
        ("model", &device.model),
        ("os", &device.os),
        ("app_version", &device.app_version),
        ("ip", &device.ip),
        ("user_agent", &device.user_agent),
    ];
    let object: Map<String, Value> = fields
        .into_iter()
        .filter_map(|(key, value)| value.clone().map(|v| (key.to_string(), Value::String(v))))
        .collect();
    Value::Object(object).to_string()
}

/// Logs `event` (target `audit`) and stores it. Never fails: a row that cannot be written
/// is logged at `error` with the event's kind, and the caller goes on.
pub async fn record(db: &Database, event: AuditEvent, now: i64) {
    let row = event.row(now);
    tracing::info!(
        target: "audit",
        kind = %row.kind,
        outcome = %row.outcome,
        user_id = row.user_id.as_deref(),
        client_id = row.client_id.as_deref(),
        ip = row.ip.as_deref(),
        device = row.device.as_deref(),
        detail = row.detail.as_deref(),
        "audit event"
    );
    if let Err(err) = db.insert_audit_event(&row).await {
        tracing::error!(target: "audit", kind = %row.kind, error = %err,
            "could not store the audit event (it is in the log above)");
    }
}

/// Records a decision on the authorization `auth_id` (read again for the device's metadata
/// and its kind). A failed read is logged like a failed write.
pub async fn record_decision(
    db: &Database,
    auth_id: &str,
    approved: bool,
    user_id: &str,
    from: Origin,
    now: i64,
) {
    match db.get_device_authorization(auth_id).await {
        Ok(Some(auth)) => {
            record(
                db,
                AuditEvent::decision(&auth, approved, user_id, from),
                now,
            )
            .await
        }
        Ok(None) => {}
        Err(err) => tracing::error!(target: "audit", error = %err, authorization = %auth_id,
            "could not read a decided authorization for the audit log"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_approval_keeps_the_device_metadata_and_the_approver() {
        let auth = DeviceAuthorization {
            id: "a1".into(),
            client_id: "tv".into(),
            device: DeviceInfo {
                name: Some("Living room".into()),
                model: Some("Bravia".into()),
                ip: Some("192.0.2.7".into()),
                ..DeviceInfo::default()
            },
            ..DeviceAuthorization::default()
        };
        let from = Origin::new(Some("198.51.100.1".parse().unwrap()), Some("Phone".into()));
        let row = AuditEvent::decision(&auth, true, "u1", from).row(100);
        assert_eq!(row.kind, "device_approved");
        assert_eq!(row.outcome, "success");
        assert_eq!(row.user_id.as_deref(), Some("u1"));
        assert_eq!(row.client_id.as_deref(), Some("tv"));
        assert_eq!(row.ip.as_deref(), Some("198.51.100.1"));
        let device: Value = serde_json::from_str(row.device.as_deref().unwrap()).unwrap();
        assert_eq!(
            device,
            json!({"name": "Living room", "model": "Bravia", "ip": "192.0.2.7"})
        );
        let denied = AuditEvent::decision(&auth, false, "u1", Origin::default()).row(100);
        assert_eq!(denied.kind, "device_denied");
        let qr = DeviceAuthorization {
            purpose: AuthorizationPurpose::BrowserSignIn,
            ..auth
        };
        assert_eq!(
            AuditEvent::decision(&qr, true, "u1", Origin::default()).kind(),
            "qr_sign_in_approved"
        );
    }

    #[test]
    fn a_failed_sign_in_is_a_failure_without_what_was_typed() {
        let event = AuditEvent::SignInFailed {
            user_id: None,
            from: Origin::new(None, Some("Browser".into())),
        };
        let row = event.row(5);
        assert_eq!(row.outcome, "failure");
        assert_eq!(row.user_id, None);
        assert_eq!(row.detail.as_deref(), Some(r#"{"method":"password"}"#));
        assert_eq!(row.device.as_deref(), Some(r#"{"user_agent":"Browser"}"#));
    }
}
