//! `GET`/`POST /oauth2/userinfo` (OIDC Core §5.3): claims about the signed-in user, by scope.
//! The access token is presented as RFC 6750 says (OIDC Core §5.3.1): in the
//! `Authorization: Bearer` header (§2.1) or, in a POST, as the form parameter `access_token`
//! (§2.2). Errors follow §3: a `WWW-Authenticate: Bearer` challenge, plus a JSON body so
//! libraries can say why.

use std::sync::Arc;

use axum::{
    Json, Router,
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    middleware::map_response,
    response::{IntoResponse, Response},
    routing::get,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::json;

use crate::{error::OAuthError, http::cors, oauth::access_token, state::AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/oauth2/userinfo",
        get(userinfo)
            .post(userinfo)
            .options(cors::preflight_get_post)
            .layer(map_response(cors::vary_origin)),
    )
}

/// A failed userinfo request as RFC 6750 §3 describes it.
enum BearerError {
    /// §3.1: the request carries no token; the challenge has no error code.
    Missing,
    /// §3.1 `invalid_request` (400): malformed, or the token sent more than once.
    InvalidRequest(&'static str),
    /// §3.1 `invalid_token` (401).
    InvalidToken,
    /// §3.1 `insufficient_scope` (403): OIDC Core §5.3 needs `openid`.
    InsufficientScope,
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let (status, error, description) = match self {
            BearerError::Missing => (
                StatusCode::UNAUTHORIZED,
                None,
                "The request carries no access token: send it as Authorization: Bearer.",
            ),
            BearerError::InvalidRequest(why) => {
                (StatusCode::BAD_REQUEST, Some("invalid_request"), why)
            }
            BearerError::InvalidToken => (
                StatusCode::UNAUTHORIZED,
                Some("invalid_token"),
                "The access token is invalid, expired or revoked.",
            ),
            BearerError::InsufficientScope => (
                StatusCode::FORBIDDEN,
                Some("insufficient_scope"),
                "The access token lacks the openid scope.",
            ),
        };
        let challenge = match error {
            None => "Bearer".to_string(),
            Some("insufficient_scope") => format!(
                r#"Bearer error="insufficient_scope", error_description="{description}", scope="openid""#
            ),
            Some(code) => format!(r#"Bearer error="{code}", error_description="{description}""#),
        };
        // Without a code in the challenge (§3.1), the body still names one for libraries.
        let body = json!({
            "error": error.unwrap_or("invalid_token"),
            "error_description": description,
        });
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

async fn userinfo(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (client_id, response) = answer(&state, &method, &uri, &headers, &body).await;
    cors::for_client(&state, &headers, client_id.as_deref(), response).await
}

/// The claims, or the error; with the token's client when it is known (for CORS).
async fn answer(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> (Option<Arc<str>>, Response) {
    let token = match presented_token(method, uri, headers, body) {
        Ok(token) => token,
        Err(err) => return (None, err.into_response()),
    };
    // Revoked tokens, revoked refresh families and disabled or deleted users stop here,
    // also when the answer comes from memory (`oauth/token_view.rs`).
    let answer = match access_token::for_userinfo(state, &token).await {
        Ok(Some(answer)) => answer,
        Ok(None) => {
            let client_id = unverified_client_id(&token).map(Arc::from);
            return (client_id, BearerError::InvalidToken.into_response());
        }
        Err(err) => return (None, OAuthError::from(err).into_response()),
    };
    let client_id = Some(Arc::clone(&answer.client_id));
    let Some(claims) = &answer.claims else {
        return (client_id, BearerError::InsufficientScope.into_response());
    };
    // The JSON built once for this token; personal claims: `no-store` from the
    // machine-endpoint layer in `http/mod.rs`.
    let mut response = Response::new(Body::from(Bytes::from_owner(Arc::clone(claims))));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (client_id, response)
}

/// The `client_id` claim of a token that did not validate, unverified. It only decides
/// which origin may read the fixed `invalid_token` answer (so a page can tell an expired
/// token from a network failure); a forged claim reveals nothing more.
fn unverified_client_id(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&json).ok()?;
    claims.get("client_id")?.as_str().map(str::to_owned)
}

/// The one access token of the request: header (§2.1) or form body of a POST (§2.2).
fn presented_token(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, BearerError> {
    // §2.3 (URI query) is not supported: such URLs end up in logs and histories.
    let in_query = uri.query().is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(name, _)| name == "access_token")
    });
    if in_query {
        return Err(BearerError::InvalidRequest(
            "Access tokens in the query string are not accepted; use the Authorization header.",
        ));
    }
    let from_header = header_token(headers)?;
    let from_body = if method == Method::POST && is_form(headers) {
        body_token(body)?
    } else {
        None
    };
    // §2: a client must not use more than one method per request.
    match (from_header, from_body) {
        (Some(_), Some(_)) => Err(BearerError::InvalidRequest(
            "The access token was sent both in the Authorization header and in the body.",
        )),
        (Some(token), None) | (None, Some(token)) => Ok(token),
        (None, None) => Err(BearerError::Missing),
    }
}

/// `Authorization: Bearer <token>` (§2.1; the scheme is case-insensitive, RFC 9110 §11.1).
/// Another scheme is no bearer token at all.
fn header_token(headers: &HeaderMap) -> Result<Option<String>, BearerError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let malformed = || BearerError::InvalidRequest("The Authorization header is malformed.");
    if values.next().is_some() {
        return Err(BearerError::InvalidRequest(
            "The request has more than one Authorization header.",
        ));
    }
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    let token = token.trim();
    if token.is_empty() || token.contains(' ') {
        return Err(malformed());
    }
    Ok(Some(token.to_string()))
}

/// The `access_token` form parameter (§2.2), which must appear at most once.
fn body_token(body: &[u8]) -> Result<Option<String>, BearerError> {
    let mut tokens = url::form_urlencoded::parse(body)
        .filter(|(name, _)| name == "access_token")
        .map(|(_, value)| value.into_owned());
    let first = tokens.next();
    if tokens.next().is_some() {
        return Err(BearerError::InvalidRequest(
            "The access_token parameter was sent more than once.",
        ));
    }
    match first {
        Some(token) if token.is_empty() => Err(BearerError::InvalidRequest(
            "The access_token parameter is empty.",
        )),
        other => Ok(other),
    }
}

/// §2.2: the body method needs `application/x-www-form-urlencoded`.
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}
