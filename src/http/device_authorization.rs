//! `POST /oauth2/device_authorization` (RFC 8628 §3.1–3.2).

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};

use crate::{
    client_addr::{ClientAddr, budget_key},
    http::{device_metadata, form::OAuthRequest},
    oauth::{
        client_auth::authenticate_client,
        device::{self, Refusal},
    },
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth2/device_authorization", post(device_authorization))
}

// `Cache-Control: no-store` (the body carries a device code, RFC 8628 §3.2) comes from the
// machine-endpoint layer in `http/mod.rs`.
async fn device_authorization(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    request: OAuthRequest,
) -> Response {
    let client = match authenticate_client(&state, request.basic, &request.params).await {
        Ok(client) => client,
        Err(err) => return err.into_response(),
    };
    let asked = device::AuthorizationRequest {
        scope: request.params.get("scope"),
        device: device_metadata::from_request(&request.headers, &request.params, ip),
        // Without pairing (`features.pairing`) the parameter is not recognized, so it is
        // ignored (RFC 6749 §3.1) and the device gets an ordinary user code.
        pairing_code: request
            .params
            .get("pairing_code")
            .filter(|_| state.config.features.pairing),
        device_token: device_token(&request.headers, &request.params),
        network: ip.map_or_else(|| "unknown".to_string(), budget_key),
    };
    let now = state.clock.now();
    match device::authorize(&state.db, &state.config, &client, asked, now).await {
        Ok(response) => {
            state
                .metrics
                .counter(crate::metrics::names::DEVICE_AUTHORIZATIONS)
                .increment(1);
            Json(response).into_response()
        }
        Err(Refusal::Error(err)) => err.into_response(),
        Err(Refusal::TooManyGuesses {
            error,
            retry_after_secs,
        }) => {
            let mut response = error.into_response();
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
    }
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
