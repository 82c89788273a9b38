//! `POST /oauth2/token` (RFC 6749 §3.2): the one token endpoint for every grant.

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::post,
};

use crate::{
    error::OAuthError, http::form::OAuthRequest, oauth::token, state::AppState, web::ip::ClientAddr,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth2/token", post(token_endpoint))
}

async fn token_endpoint(
    State(state): State<AppState>,
    ClientAddr(client_addr): ClientAddr,
    request: OAuthRequest,
) -> Result<Response, OAuthError> {
    // Behind trusted proxies, the forwarded client address (web/ip.rs), as elsewhere.
    let ip = client_addr.map(|addr| addr.to_string());
    let tokens = token::exchange(&state, request.basic, &request.params, ip.as_deref()).await?;
    let mut response = Json(tokens).into_response();
    // RFC 6749 §5.1: responses carrying tokens must not be cached.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}
