//! `POST /oauth2/device_authorization` (RFC 8628 §3.1–3.2).

use std::net::SocketAddr;

use axum::{
    Json, Router,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
    routing::post,
};

use crate::{
    error::OAuthError,
    http::form::OAuthRequest,
    oauth::{client_auth::authenticate_client, device},
    state::AppState,
    store::DeviceInfo,
};

/// Longest device metadata value kept; longer values are cut (they are only displayed).
const MAX_METADATA_LEN: usize = 200;

pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth2/device_authorization", post(device_authorization))
}

async fn device_authorization(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: OAuthRequest,
) -> Result<Response, OAuthError> {
    let client = authenticate_client(&state, request.basic, &request.params).await?;
    let device = device_info(&request.headers, &request.params, peer);
    let now = state.clock.now();
    let response = device::start(
        &state.db,
        &state.config,
        &client,
        request.params.get("scope"),
        device,
        now,
    )
    .await?;
    tracing::info!(client_id = %client.id, "device authorization started");
    let mut response = Json(response).into_response();
    // The body carries a device code: a secret for the device alone (RFC 8628 §3.2).
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Device metadata from `X-Device-*` headers or the same names as form parameters
/// (`device_name`, `device_model`), plus the caller's address and User-Agent.
fn device_info(
    headers: &HeaderMap,
    params: &crate::oauth::params::Params,
    peer: SocketAddr,
) -> DeviceInfo {
    let pick = |header: &str, param: &str| {
        headers
            .get(header)
            .and_then(|v| v.to_str().ok())
            .or_else(|| params.get(param))
            .map(clean)
            .filter(|v| !v.is_empty())
    };
    DeviceInfo {
        name: pick("x-device-name", "device_name"),
        model: pick("x-device-model", "device_model"),
        ip: Some(peer.ip().to_string()),
        user_agent: pick("user-agent", "\0"),
    }
}

/// Keeps printable characters only and bounds the length.
fn clean(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_METADATA_LEN)
        .collect::<String>()
        .trim()
        .to_string()
}
