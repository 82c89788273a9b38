//! `POST /oauth2/device_authorization` (RFC 8628 §3.1–3.2).

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};

use crate::{
    error::OAuthError,
    http::{device_metadata, form::OAuthRequest},
    oauth::{client_auth::authenticate_client, code_budgets, device, pairing, throttle},
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
        Some(code) => match check_pairing_code(&state, code, ip, now).await? {
            Ok(checked) => Some(checked),
            Err(refused) => return Ok(refused),
        },
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

/// Checks a pairing code under the guessing budgets of its network and of the server
/// (`oauth/code_budgets.rs`), counted before the lookup and taken back for a known code.
/// A used-up budget answers 429 with `Retry-After` (RFC 6585 §4) and nothing is looked up.
async fn check_pairing_code(
    state: &AppState,
    code: &str,
    ip: Option<std::net::IpAddr>,
    now: i64,
) -> Result<Result<pairing::CheckedPairing, Response>, OAuthError> {
    let network = ip.map_or_else(|| "unknown".to_string(), crate::web::ip::budget_key);
    let checks = code_budgets::pairing_checks(&state.config, &network);
    let admitted = match throttle::admit(&state.db, &checks, now).await? {
        Ok(admitted) => admitted,
        Err(refused) => {
            let description = format!(
                "Too many wrong pairing codes. Try again in {} seconds.",
                refused.wait_secs.max(1)
            );
            let mut response = OAuthError::invalid_request(description).into_response();
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(refused.wait_secs.max(1)),
            );
            return Ok(Err(response));
        }
    };
    let checked = pairing::check(&state.db, code, now).await;
    let unknown = matches!(&checked, Err(e) if e.description == pairing::UNKNOWN);
    if !unknown {
        throttle::release(&state.db, &admitted).await?;
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
    checked.map(Ok)
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
