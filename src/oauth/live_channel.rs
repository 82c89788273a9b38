//! The device's side of the live hand-off (docs/live-handoff.md), minus HTTP: which
//! authorization a presented device code names, and waiting for its outcome. The channel
//! only reports; tokens still come from the token endpoint alone.

use crate::{
    error::OAuthError,
    oauth::live::{self, DeviceEvent},
    state::AppState,
    store::{Client, DeviceAuthorization, DeviceAuthorizationStore, DeviceStatus},
    tokens::opaque,
};

/// The authorization of `device_code`, checked as the token endpoint checks it: unknown,
/// another client's and redeemed codes are all `invalid_grant` (RFC 6749 §5.2).
pub async fn authorization_for(
    state: &AppState,
    client: &Client,
    device_code: &str,
) -> Result<DeviceAuthorization, OAuthError> {
    let invalid = || OAuthError::invalid_grant("The device code is invalid.");
    let authorization = state
        .db
        .get_by_device_code_hash(&opaque::hash(device_code))
        .await?
        .ok_or_else(invalid)?;
    if authorization.client_id != client.id {
        return Err(invalid());
    }
    if authorization.status == DeviceStatus::Redeemed {
        return Err(OAuthError::invalid_grant(
            "The device code was already used.",
        ));
    }
    Ok(authorization)
}

/// Waits for the outcome (`None`: still pending at `deadline_ms`, or the server is shutting
/// down). Once a decision is reported, the device may redeem at once: it is not answered
/// `slow_down` for coming sooner than its polling interval (its poll record is dropped).
pub async fn wait(
    state: &AppState,
    authorization: &DeviceAuthorization,
    deadline_ms: Option<i64>,
) -> Result<Option<DeviceEvent>, OAuthError> {
    let event = live::wait_for_decision(
        &state.device_events,
        &state.db,
        state.clock.as_ref(),
        authorization,
        deadline_ms,
    )
    .await?;
    if matches!(event, Some(DeviceEvent::Approved | DeviceEvent::Denied)) {
        state.polls.forget(&authorization.device_code_hash);
    }
    Ok(event)
}
