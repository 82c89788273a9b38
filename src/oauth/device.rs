//! The device authorization grant (RFC 8628), minus HTTP: issuing codes (§3.1–3.2) and
//! recording a person's decision (§3.3). Polling is `grants::device_code`.

use serde::Serialize;

use crate::{
    config::Config,
    error::{OAuthError, StoreError, StoreResult},
    oauth::{live::DeviceEvent, notify, scope, user_code::{UserCode, UserCodeFormat}},
    state::AppState,
    store::{
        Client, Decision, DeviceAuthorization, DeviceAuthorizationStore, DeviceInfo, DeviceStatus,
    },
    tokens::opaque,
};

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The JSON answer of the device authorization endpoint (RFC 8628 §3.2).
#[derive(Debug, Clone, Serialize)]
pub struct DeviceAuthorizationResponse {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    /// Usher extension: a PNG QR code of `verification_uri_complete` (`.svg` also served).
    pub verification_uri_complete_qr: String,
    pub expires_in: i64,
    pub interval: i64,
    /// The stored record's id (not sent), e.g. to bind a pairing code to it.
    #[serde(skip)]
    pub authorization_id: String,
}

/// Starts a device authorization: draws a device code (kept only as a hash) and a user code
/// unique among pending authorizations.
pub async fn start(
    store: &dyn DeviceAuthorizationStore,
    config: &Config,
    client: &Client,
    requested_scope: Option<&str>,
    device: DeviceInfo,
    // Set for a request with a valid pairing code: only this user may decide on it.
    paired_user_id: Option<&str>,
    // The device's push token, passed on in decision events (docs/live-handoff.md).
    device_token: Option<String>,
    now: i64,
) -> Result<DeviceAuthorizationResponse, OAuthError> {
    if !client.allows_grant(GRANT_TYPE) {
        return Err(OAuthError::new(
            crate::error::ErrorKind::UnauthorizedClient,
            "This client may not use the device authorization grant.",
        ));
    }
    let scope = scope::grant(client, requested_scope)?;
    let lifetime = client
        .device_code_lifetime_secs
        .unwrap_or(config.device_code_lifetime_secs as i64);
    let interval = config.device_poll_interval_secs as i64;
    let device_code = opaque::generate();
    // A user code collides with a pending one with probability pending/(codes of the
    // client's format); retry a few times. Only a nearly full code space (short digit codes
    // with very many pending) exhausts the retries.
    let format = UserCodeFormat::of_client(client);
    for _ in 0..8 {
        let user_code = UserCode::generate_in(format);
        let auth = DeviceAuthorization {
            id: uuid::Uuid::new_v4().to_string(),
            device_code_hash: opaque::hash(&device_code),
            user_code: user_code.as_str().to_string(),
            client_id: client.id.clone(),
            scope: scope.clone(),
            status: DeviceStatus::Pending,
            created_at: now,
            expires_at: now + lifetime,
            interval_secs: interval,
            device: device.clone(),
            user_id: None,
            auth_time: None,
            amr: None,
            decided_at: None,
            paired_user_id: paired_user_id.map(str::to_string),
            device_token: device_token.clone(),
        };
        match store.create_device_authorization(&auth).await {
            Ok(()) => {
                let complete = verification_uri_complete(config, &user_code);
                return Ok(DeviceAuthorizationResponse {
                    device_code,
                    user_code: user_code.display(),
                    verification_uri: config.url("/device"),
                    verification_uri_complete: complete,
                    verification_uri_complete_qr: config
                        .url(&format!("/device/qr/{}.png", user_code.display())),
                    expires_in: lifetime,
                    interval,
                    authorization_id: auth.id,
                });
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    tracing::warn!(client_id = %client.id, "no free user code in 8 draws: the client's code space is nearly full");
    Err(OAuthError::new(
        crate::error::ErrorKind::TemporarilyUnavailable,
        "Too many sign-ins are waiting right now; try again in a minute.",
    ))
}

/// `verification_uri_complete` (RFC 8628 §3.3.1): the verification URI with the user code.
pub fn verification_uri_complete(config: &Config, code: &UserCode) -> String {
    format!("{}?user_code={}", config.url("/device"), code.display())
}

/// What a typed or scanned user code leads to.
#[derive(Debug, Clone)]
pub enum UserCodeLookup {
    /// Waiting for a decision: show the consent page.
    Pending(DeviceAuthorization),
    Expired,
    /// Already approved, denied or redeemed.
    AlreadyUsed,
    /// Started with a pairing code: it is approved on the pairing page only.
    PairingBound,
    Unknown,
}

pub async fn lookup_user_code(
    store: &dyn DeviceAuthorizationStore,
    code: &UserCode,
    now: i64,
) -> StoreResult<UserCodeLookup> {
    Ok(match store.get_by_user_code(code.as_str()).await? {
        None => UserCodeLookup::Unknown,
        Some(auth) if auth.status != DeviceStatus::Pending => UserCodeLookup::AlreadyUsed,
        Some(auth) if auth.expires_at <= now => UserCodeLookup::Expired,
        Some(auth) if auth.paired_user_id.is_some() => UserCodeLookup::PairingBound,
        Some(auth) => UserCodeLookup::Pending(auth),
    })
}

/// Records the decision of a signed-in person and tells whoever waits for it (live
/// hand-off). Returns false when the authorization was no longer pending (someone else
/// decided, or it expired meanwhile). Every approval path goes through here.
pub async fn decide(
    state: &AppState,
    auth_id: &str,
    decision: &Decision,
    now: i64,
) -> StoreResult<bool> {
    let decided = state.db.decide(auth_id, decision, now).await?;
    if decided {
        let event = if decision.approved {
            DeviceEvent::Approved
        } else {
            DeviceEvent::Denied
        };
        state.device_events.publish(auth_id, event);
        // The decision stands even if queueing its event fails; the device still learns of
        // it by polling or the live channel.
        if let Err(err) = notify::enqueue_decision(state, auth_id, decision, now).await {
            tracing::error!(device_authorization = %auth_id, error = %err, "could not queue the decision event");
        }
    }
    Ok(decided)
}
