//! `POST /oauth2/revoke` (RFC 7009) and `POST /oauth2/introspect` (RFC 7662): both take
//! client authentication like the token endpoint and answer uncacheable JSON (`no-store`
//! from the machine-endpoint layer in `http/mod.rs`).

use axum::{
    Json, Router,
    extract::State,
    middleware::map_response,
    response::{IntoResponse, Response},
    routing::post,
};

use crate::{
    error::OAuthError,
    http::{cors, form::OAuthRequest},
    oauth::{
        client_auth::{BasicCredentials, authenticate_client},
        introspection, revocation,
    },
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/oauth2/revoke",
            post(revoke)
                .options(cors::preflight_post)
                .layer(map_response(cors::vary_origin)),
        )
        // Introspection is for resource servers, not pages: no CORS.
        .route("/oauth2/introspect", post(introspect))
}

async fn revoke(State(state): State<AppState>, request: OAuthRequest) -> Response {
    let client_id = cors::named_client(&request);
    let response = match revoke_token(&state, request.basic.clone(), &request).await {
        Ok(()) => ().into_response(),
        Err(err) => err.into_response(),
    };
    cors::for_client(&state, &request.headers, client_id.as_deref(), response).await
}

async fn revoke_token(
    state: &AppState,
    basic: Option<BasicCredentials>,
    request: &OAuthRequest,
) -> Result<(), OAuthError> {
    let client = authenticate_client(state, basic, &request.params).await?;
    // RFC 7009 §2.2: 200 with an empty body, whether or not the token was known.
    revocation::revoke(state, &client, &request.params).await
}

async fn introspect(
    State(state): State<AppState>,
    request: OAuthRequest,
) -> Result<Response, OAuthError> {
    let client = authenticate_client(&state, request.basic, &request.params).await?;
    let answer = introspection::introspect(&state, &client, &request.params).await?;
    Ok(Json(answer).into_response())
}
