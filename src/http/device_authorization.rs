//! `POST /oauth2/device_authorization` (RFC 8628 §3.1–3.2).

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
    routing::post,
};

use crate::{
    error::OAuthError,
    http::{device_metadata, form::OAuthRequest},
    oauth::{client_auth::authenticate_client, device, pairing},
    state::AppState,
    web::ip::ClientAddr,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth2/device_authorization", post(device_authorization))
}

async fn device_authorization(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    request: OAuthRequest,
) -> Result<Response, OAuthError> {
    let client = authenticate_client(&state, request.basic, &request.params).await?;
    let device = device_metadata::from_request(&request.headers, &request.params, ip);
    let now = state.clock.now();
    // Usher extension (docs/linked-devices.md): a pairing code binds the request to a person.
    let pairing = match request.params.get("pairing_code") {
        Some(code) => Some(pairing::check(&state.db, code, now).await?),
        None => None,
    };
    let asked = device::DeviceRequest {
        scope: request.params.get("scope"),
        device,
        paired_user_id: pairing.as_ref().map(|p| p.user_id.as_str()),
        device_token: device_token(&request.headers, &request.params),
    };
    let response = device::start(&state.db, &state.config, &client, asked, now).await?;
    if let Some(pairing) = &pairing {
        pairing::claim(&state.db, pairing, &response.authorization_id, now).await?;
    }
    tracing::info!(client_id = %client.id, "device authorization started");
    state
        .metrics
        .counter(crate::metrics::names::DEVICE_AUTHORIZATIONS)
        .increment(1);
    let mut response = Json(response).into_response();
    // The body carries a device code: a secret for the device alone (RFC 8628 §3.2).
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Longest push token kept (APNs tokens are 64 hex digits, FCM ones about 160 characters).
const MAX_DEVICE_TOKEN_LEN: usize = 4096;

/// The device's push token from `X-Device-Token` or the `device_token` form parameter
/// (docs/live-handoff.md). Opaque to Usher: only passed on to the client's backend.
fn device_token(headers: &HeaderMap, params: &crate::oauth::params::Params) -> Option<String> {
    headers
        .get("x-device-token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| params.get("device_token"))
        .map(|v| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= MAX_DEVICE_TOKEN_LEN)
        .filter(|v| v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_string)
}
