//! The device's side of the live hand-off (docs/live-handoff.md), minus HTTP: which
//! authorization a presented device code names, and waiting for its outcome. The channel
//! only reports; tokens still come from the token endpoint alone.

use crate::{
    error::OAuthError,
    oauth::{
        device::{self, DeviceCodeLookup},
        live::{self, DeviceEvent},
        provider::Provider,
    },
    store::{Client, DeviceAuthorization},
    tokens::opaque,
};

/// The authorization of `device_code`, found as the token endpoint finds it
/// (`device::find_device_code`): unknown, another client's and redeemed codes are all
/// `invalid_grant` (RFC 6749 §5.2). An expired one is not an error: the wait reports it.
pub async fn authorization_for(
    state: &Provider,
    client: &Client,
    device_code: &str,
) -> Result<DeviceAuthorization, OAuthError> {
    let now = state.clock.now();
    match device::find_device_code(&state.db, client, &opaque::hash(device_code), now).await? {
        DeviceCodeLookup::Redeemed(..) => Err(OAuthError::invalid_grant(
            "The device code was already used.",
        )),
        DeviceCodeLookup::Pending(a)
        | DeviceCodeLookup::Approved(a, _)
        | DeviceCodeLookup::Denied(a)
        | DeviceCodeLookup::Expired(a) => Ok(a),
    }
}

/// Waits for the outcome (`None`: still pending at `deadline_ms`, or the server is shutting
/// down). Once a decision is reported, the device may redeem at once: it is not answered
/// `slow_down` for coming sooner than its polling interval (its poll record is dropped).
pub async fn wait(
    state: &Provider,
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
