//! `GET`/`POST /oauth2/userinfo` (OIDC Core §5.3): claims about the signed-in user, by scope.

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;

use crate::{
    error::{ErrorKind, OAuthError},
    oauth::{access_token, scope},
    state::AppState,
    tokens::jwt::user_claims,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth2/userinfo", get(userinfo).post(userinfo))
}

async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Response> {
    // RFC 6750 §2.1: the token comes in the Authorization header.
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        // RFC 6750 §3.1: a request without credentials gets the challenge, no error code.
        return Err((
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response());
    };
    let invalid = || {
        OAuthError::new(
            ErrorKind::InvalidToken,
            "The access token is invalid, expired or revoked.",
        )
        .into_response()
    };
    // Revoked tokens, revoked refresh families and disabled or deleted users stop here at once.
    let (claims, user) = access_token::validate(&state, token)
        .await
        .map_err(|err| OAuthError::from(err).into_response())?
        .ok_or_else(invalid)?;
    if !scope::contains(&claims.scope, "openid") {
        let challenge = r#"Bearer error="insufficient_scope", scope="openid""#;
        let body = json!({"error": "insufficient_scope", "error_description": "The token lacks the openid scope."});
        return Err((
            StatusCode::FORBIDDEN,
            [(header::WWW_AUTHENTICATE, challenge)],
            Json(body),
        )
            .into_response());
    }
    let mut response = Json(user_claims(&user, &claims.scope)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
