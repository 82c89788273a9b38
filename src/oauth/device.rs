//! The device authorization grant (RFC 8628), minus HTTP: issuing codes (§3.1–3.2) and
//! recording a person's decision (§3.3). Polling is `grants::device_code`.

use serde::Serialize;

use crate::{
    config::Config,
    error::{OAuthError, StoreError, StoreResult},
    oauth::{
        code_budgets,
        live::DeviceEvent,
        pairing,
        provider::Provider,
        scope, throttle,
        user_code::{UserCode, UserCodeFormat},
    },
    protocol::GrantType,
    store::{Approval, Client, Database, Decision, DeviceAuthorization, DeviceInfo, DeviceState},
    tokens::opaque,
};

pub const GRANT_TYPE: &str = GrantType::DeviceCode.as_str();

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

/// What a device asked for at the device authorization endpoint, beyond its client.
#[derive(Debug, Clone, Default)]
pub struct DeviceRequest<'a> {
    pub scope: Option<&'a str>,
    pub device: DeviceInfo,
    /// Set for a request with a valid pairing code: only this user may decide on it.
    pub paired_user_id: Option<&'a str>,
    /// The device's push token, passed on in decision events (docs/live-handoff.md).
    pub device_token: Option<String>,
}

/// A device authorization request as the endpoint received it (RFC 8628 §3.1), from a
/// client already authenticated.
#[derive(Debug, Clone, Default)]
pub struct AuthorizationRequest<'a> {
    pub scope: Option<&'a str>,
    pub device: DeviceInfo,
    /// Usher extension (docs/linked-devices.md): a pairing code binds the request to a person.
    pub pairing_code: Option<&'a str>,
    /// The device's push token, passed on in decision events (docs/live-handoff.md).
    pub device_token: Option<String>,
    /// The requester's network as a guessing-budget key, for the pairing-code budgets.
    pub network: String,
}

/// Why a device authorization request got no codes.
#[derive(Debug)]
pub enum Refusal {
    /// An RFC 6749 §5.2 error.
    Error(OAuthError),
    /// A pairing-code guessing budget is used up: `invalid_request`, to be answered 429
    /// with `Retry-After` (RFC 6585 §4). Nothing was looked up.
    TooManyGuesses {
        error: OAuthError,
        retry_after_secs: i64,
    },
}

impl From<OAuthError> for Refusal {
    fn from(err: OAuthError) -> Self {
        Refusal::Error(err)
    }
}

impl From<StoreError> for Refusal {
    fn from(err: StoreError) -> Self {
        Refusal::Error(err.into())
    }
}

/// The device authorization endpoint's work (RFC 8628 §3.1–3.2): checks a pairing code if
/// one came, issues the codes, and uses the pairing code up for them.
pub async fn authorize(
    db: &Database,
    config: &Config,
    client: &Client,
    request: AuthorizationRequest<'_>,
    now: i64,
) -> Result<DeviceAuthorizationResponse, Refusal> {
    let pairing = match request.pairing_code {
        Some(code) => Some(check_pairing_code(db, config, code, &request.network, now).await?),
        None => None,
    };
    let asked = DeviceRequest {
        scope: request.scope,
        device: request.device,
        paired_user_id: pairing.as_ref().map(|p| p.user_id.as_str()),
        device_token: request.device_token,
    };
    let response = start(db, config, client, asked, now).await?;
    if let Some(pairing) = &pairing {
        pairing::claim(db, pairing, &response.authorization_id, now).await?;
    }
    tracing::info!(client_id = %client.id, "device authorization started");
    Ok(response)
}

/// Checks a pairing code under the guessing budgets of its network and of the server
/// (`oauth/code_budgets.rs`), counted before the lookup and taken back for a known code.
async fn check_pairing_code(
    db: &Database,
    config: &Config,
    code: &str,
    network: &str,
    now: i64,
) -> Result<pairing::CheckedPairing, Refusal> {
    let checks = code_budgets::pairing_checks(config, network);
    let admitted = match throttle::admit(db, &checks, now).await? {
        Ok(admitted) => admitted,
        Err(refused) => {
            let wait_secs = refused.wait_secs.max(1);
            return Err(Refusal::TooManyGuesses {
                error: OAuthError::invalid_request(format!(
                    "Too many wrong pairing codes. Try again in {wait_secs} seconds."
                )),
                retry_after_secs: wait_secs,
            });
        }
    };
    let checked = pairing::check(db, code, now).await;
    let unknown = matches!(&checked, Err(e) if e.description == pairing::UNKNOWN);
    if !unknown {
        throttle::release(db, &admitted).await?;
    } else {
        if admitted.reached_limit("server") {
            tracing::warn!(
                target: "usher::security",
                event = "pairing_code_server_budget_exhausted",
                "pairing slowed down for everyone: too many wrong pairing codes server-wide"
            );
        }
        for (check, _) in admitted.exhausted(now) {
            tracing::warn!(
                target: "usher::security",
                event = "pairing_code_lockout",
                budget = check.label,
                network = %network,
                "pairing codes locked after too many wrong codes"
            );
        }
    }
    Ok(checked?)
}

/// Starts a device authorization: draws a device code (kept only as a hash) and a user code
/// unique among pending authorizations. The endpoint goes through [`authorize`]; the load
/// examples call this directly.
pub async fn start(
    store: &Database,
    config: &Config,
    client: &Client,
    request: DeviceRequest<'_>,
    now: i64,
) -> Result<DeviceAuthorizationResponse, OAuthError> {
    if !client.allows_grant(GrantType::DeviceCode) {
        return Err(OAuthError::new(
            crate::error::ErrorKind::UnauthorizedClient,
            "This client may not use the device authorization grant.",
        ));
    }
    let scope = scope::grant(client, request.scope)?;
    let lifetime = client
        .device_code_lifetime_secs
        .unwrap_or(config.device_code_lifetime_secs as i64);
    let interval = config.device_poll_interval_secs as i64;
    let device_code = opaque::generate();
    let record = DeviceAuthorization {
        device_code_hash: opaque::hash(&device_code),
        client_id: client.id.clone(),
        scope,
        created_at: now,
        expires_at: now + lifetime,
        interval_secs: interval,
        device: request.device,
        paired_user_id: request.paired_user_id.map(str::to_string),
        device_token: request.device_token,
        ..DeviceAuthorization::default()
    };
    let format = UserCodeFormat::of_client(client);
    let (auth, user_code) = match insert_with_free_user_code(store, record, format).await {
        Ok(stored) => stored,
        Err(StoreError::Conflict(_)) => {
            tracing::warn!(client_id = %client.id, "no free user code: the client's code space is nearly full");
            return Err(OAuthError::new(
                crate::error::ErrorKind::TemporarilyUnavailable,
                "Too many sign-ins are waiting right now; try again in a minute.",
            ));
        }
        Err(err) => return Err(err.into()),
    };
    Ok(DeviceAuthorizationResponse {
        device_code,
        user_code: user_code.display(),
        verification_uri: config.url("/device"),
        verification_uri_complete: verification_uri_complete(config, &user_code),
        verification_uri_complete_qr: config
            .url(&format!("/device/qr/{}.png", user_code.display())),
        expires_in: lifetime,
        interval,
        authorization_id: auth.id,
    })
}

/// Stores a new pending authorization under a freshly drawn user code. A code collides with
/// a pending one with probability pending/(codes of the format); the unique index makes the
/// insert fail and a new code is drawn. Only a nearly full code space (short digit codes
/// with very many pending) exhausts the draws: `StoreError::Conflict`.
pub async fn insert_with_free_user_code(
    store: &Database,
    mut record: DeviceAuthorization,
    format: UserCodeFormat,
) -> StoreResult<(DeviceAuthorization, UserCode)> {
    record.state = DeviceState::Pending;
    for _ in 0..8 {
        let user_code = UserCode::generate_in(format);
        // Time-ordered (UUIDv7): new rows go to the end of the primary-key index instead
        // of a random page of it, one page written fewer per authorization (issue 12). The
        // id is no secret (codes are), so its creation time showing does not matter.
        record.id = uuid::Uuid::now_v7().to_string();
        record.user_code = user_code.as_str().to_string();
        match store.create_device_authorization(&record).await {
            Ok(()) => return Ok((record, user_code)),
            Err(StoreError::Conflict(_)) => continue,
            Err(err) => return Err(err),
        }
    }
    Err(StoreError::Conflict("user code"))
}

/// `verification_uri_complete` (RFC 8628 §3.3.1): the verification URI with the user code.
pub fn verification_uri_complete(config: &Config, code: &UserCode) -> String {
    format!("{}?user_code={}", config.url("/device"), code.display())
}

/// What a typed or scanned user code leads to.
#[derive(Debug, Clone)]
pub enum UserCodeLookup {
    /// Waiting for a decision: show the consent page. (Boxed: the record is large.)
    Pending(Box<DeviceAuthorization>),
    Expired,
    /// Already approved, denied or redeemed.
    AlreadyUsed,
    /// Started with a pairing code: it is approved on the pairing page only.
    PairingBound,
    Unknown,
}

pub async fn lookup_user_code(
    store: &Database,
    code: &UserCode,
    now: i64,
) -> StoreResult<UserCodeLookup> {
    Ok(match store.get_by_user_code(code.as_str()).await? {
        None => UserCodeLookup::Unknown,
        Some(auth) if !auth.state.is_pending() => UserCodeLookup::AlreadyUsed,
        Some(auth) if auth.expires_at <= now => UserCodeLookup::Expired,
        Some(auth) if auth.paired_user_id.is_some() => UserCodeLookup::PairingBound,
        Some(auth) => UserCodeLookup::Pending(Box::new(auth)),
    })
}

/// A presented device code, found for the client presenting it: where the token endpoint
/// (`grants::device_code`) and the live channel (`live_channel`) start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceCodeLookup {
    /// Waiting for a person (`authorization_pending`).
    Pending(DeviceAuthorization),
    /// Approved, not yet redeemed, not expired: the code may be redeemed.
    Approved(DeviceAuthorization, Approval),
    /// Denied (`access_denied`).
    Denied(DeviceAuthorization),
    /// Not redeemed before `expires_at` (`expired_token`), whether decided or not.
    Expired(DeviceAuthorization),
    /// Already redeemed: only a retry of the same answer is possible (RFC 8628 §3.5).
    Redeemed(DeviceAuthorization, Approval),
}

/// Finds the authorization of a presented device code (by its hash, `opaque::hash`) for
/// `client`. Unknown codes and another client's are `invalid_grant` (RFC 8628 §3.5, RFC
/// 6749 §5.2); the store finds devices' codes only, never a browser sign-in's. A redeemed
/// code is reported as such even after expiry, so a retry can still be answered.
pub async fn find_device_code(
    store: &Database,
    client: &Client,
    code_hash: &str,
    now: i64,
) -> Result<DeviceCodeLookup, OAuthError> {
    let invalid = || OAuthError::invalid_grant("The device code is invalid.");
    let authorization = store
        .get_by_device_code_hash(code_hash)
        .await?
        .ok_or_else(invalid)?;
    if authorization.client_id != client.id {
        return Err(invalid());
    }
    Ok(match authorization.state.clone() {
        DeviceState::Redeemed(approval) => DeviceCodeLookup::Redeemed(authorization, approval),
        _ if authorization.expires_at <= now => DeviceCodeLookup::Expired(authorization),
        DeviceState::Pending => DeviceCodeLookup::Pending(authorization),
        DeviceState::Approved(approval) => DeviceCodeLookup::Approved(authorization, approval),
        DeviceState::Denied { .. } => DeviceCodeLookup::Denied(authorization),
    })
}

/// Records the decision of a signed-in person and tells whoever waits for it (live
/// hand-off). Returns false when the authorization was no longer pending (someone else
/// decided, or it expired meanwhile). Every approval path goes through here.
pub async fn decide(
    state: &Provider,
    auth_id: &str,
    decision: &Decision,
    now: i64,
) -> StoreResult<bool> {
    // On PostgreSQL the store also announced it to every instance, in its transaction.
    let decided = state.db.decide(auth_id, decision, now).await?;
    if decided {
        let event = if decision.approved {
            DeviceEvent::Approved
        } else {
            DeviceEvent::Denied
        };
        state.device_events.publish(auth_id, event);
        state
            .metrics
            .counter_with(
                crate::metrics::names::DEVICE_DECISIONS,
                &[("decision", event.as_str())],
            )
            .increment(1);
        // Its event for the client's backend, if any, was queued with it: deliver it now.
        state.notifications_queued.notify_one();
    }
    Ok(decided)
}
