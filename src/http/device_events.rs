//! The live channel of a waiting device (Usher extension, docs/live-handoff.md):
//! `POST /oauth2/device/events` (Server-Sent Events) and `POST /oauth2/device/wait` (long
//! poll). The device code is a secret, so it travels in the body with the same client
//! authentication as at the token endpoint, never in the URL. Answers about the secret code
//! are not cached: `no-store` from the machine-endpoint layer in `http/mod.rs`.

use std::{convert::Infallible, time::Duration};

use axum::{
    Json, Router,
    extract::State,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::post,
};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};

use crate::{
    error::OAuthError,
    http::form::OAuthRequest,
    oauth::{client_auth::authenticate_client, live::DeviceEvent, live_channel},
    state::AppState,
    store::DeviceAuthorization,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth2/device/events", post(events))
        .route("/oauth2/device/wait", post(wait))
}

/// Authenticates the client and finds the authorization of the posted `device_code`.
async fn authorization(
    state: &AppState,
    request: OAuthRequest,
) -> Result<DeviceAuthorization, OAuthError> {
    let client = authenticate_client(state, request.basic, &request.params).await?;
    let device_code = request.params.require("device_code")?;
    live_channel::authorization_for(state, &client, device_code).await
}

/// An SSE stream: `pending` (while undecided), then one of `approved`, `denied`, `expired`,
/// then the end of the stream. Comments keep idle connections open.
async fn events(
    State(state): State<AppState>,
    request: OAuthRequest,
) -> Result<Response, OAuthError> {
    let authorization = authorization(&state, request).await?;
    let now = state.clock.now();
    let keep_alive = Duration::from_secs(state.config.device_events_keep_alive_secs);
    let pending = DeviceEvent::from_stored(&authorization, now)
        .is_none()
        .then(|| status_event("pending", &authorization, now));
    let outcome = stream::once(async move {
        match live_channel::wait(&state, &authorization, None).await {
            Ok(Some(event)) => Some(status_event(event.as_str(), &authorization, now)),
            // Shutting down: the stream just ends; the device reconnects or polls.
            Ok(None) => None,
            Err(err) => {
                tracing::warn!(device_authorization = %authorization.id, error = %err.description, "live channel failed");
                None
            }
        }
    })
    .filter_map(|event| async move { event });
    let stream = stream::iter(pending)
        .chain(outcome)
        .map(Ok::<_, Infallible>);
    let sse = Sse::new(stream).keep_alive(KeepAlive::new().interval(keep_alive));
    Ok(sse.into_response())
}

/// One answer: `{"status":"approved"}` as soon as the outcome is known, or
/// `{"status":"pending"}` after at most `device_wait_secs`; then ask again.
async fn wait(
    State(state): State<AppState>,
    request: OAuthRequest,
) -> Result<Response, OAuthError> {
    let authorization = authorization(&state, request).await?;
    // `device_wait_secs` is below the request timeout (`Config::validate`). In milliseconds:
    // a deadline in whole seconds would cut a 1 s wait to anything between 0 and 1 s.
    let deadline_ms = state.clock.now_ms() + state.config.device_wait_secs as i64 * 1000;
    let status = match live_channel::wait(&state, &authorization, Some(deadline_ms)).await? {
        Some(event) => event.as_str(),
        None => "pending",
    };
    let body = status_body(status, &authorization, state.clock.now());
    Ok(Json(body).into_response())
}

/// An SSE event named after the status, with the same JSON as the long-poll answer.
fn status_event(status: &str, authorization: &DeviceAuthorization, now: i64) -> Event {
    let data = status_body(status, authorization, now);
    Event::default().event(status).data(data.to_string())
}

/// `{"status": ...}`, with the seconds left while still pending.
fn status_body(status: &str, authorization: &DeviceAuthorization, now: i64) -> Value {
    let mut body = json!({ "status": status });
    if status == "pending" {
        body["expires_in"] = json!((authorization.expires_at - now).max(0));
    }
    body
}
