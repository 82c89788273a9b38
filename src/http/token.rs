//! `POST /oauth2/token` (RFC 6749 §3.2): the one token endpoint for every grant.

use std::net::SocketAddr;

use axum::{
    Json, Router,
    extract::{ConnectInfo, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::post,
};

use crate::{error::OAuthError, http::form::OAuthRequest, oauth::token, state::AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth2/token", post(token_endpoint))
}

async fn token_endpoint(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: OAuthRequest,
) -> Result<Response, OAuthError> {
    let ip = peer.ip().to_string();
    let tokens = token::exchange(&state, request.basic, &request.params, Some(&ip)).await?;
    let mut response = Json(tokens).into_response();
    // RFC 6749 §5.1: responses carrying tokens must not be cached.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}
