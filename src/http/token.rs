//! `POST /oauth2/token` (RFC 6749 §3.2): the one token endpoint for every grant.

use axum::{
    Json, Router,
    extract::State,
    middleware::map_response,
    response::{IntoResponse, Response},
    routing::post,
};

use crate::{
    client_addr::ClientAddr,
    http::{cors, form::OAuthRequest},
    oauth::token,
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/oauth2/token",
        post(token_endpoint)
            .options(cors::preflight_post)
            .layer(map_response(cors::vary_origin)),
    )
}

async fn token_endpoint(
    State(state): State<AppState>,
    ClientAddr(client_addr): ClientAddr,
    request: OAuthRequest,
) -> Response {
    let client_id = cors::named_client(&request);
    // Behind trusted proxies, the forwarded client address (web/ip.rs), as elsewhere.
    let ip = client_addr.map(|addr| addr.to_string());
    let response =
        match token::exchange(&state, request.basic, &request.params, ip.as_deref()).await {
            // RFC 6749 §5.1 `no-store`: the machine-endpoint layer in `http/mod.rs`.
            Ok(tokens) => Json(tokens).into_response(),
            Err(err) => err.into_response(),
        };
    cors::for_client(&state, &request.headers, client_id.as_deref(), response).await
}
