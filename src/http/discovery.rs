//! OpenID Provider metadata (OIDC Discovery 1.0 §3, RFC 8414 §2) and the JWKS.
//! Lists only what this server really does.

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};

use crate::{
    oauth::{client_assertion, scope, token::SUPPORTED_GRANT_TYPES},
    state::AppState,
};

/// Client authentication methods at the token, revocation and introspection endpoints.
const AUTH_METHODS: &[&str] = &[
    "none",
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
];

/// The algorithms Usher signs tokens with, RS256 (the OIDC default) first.
pub const SIGNING_ALGS: &[&str] = &["RS256", "ES256", "EdDSA"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(metadata))
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route("/oauth2/jwks", get(jwks))
}

async fn metadata(State(state): State<AppState>) -> Json<Value> {
    let c = &state.config;
    Json(json!({
        "issuer": c.issuer,
        "authorization_endpoint": c.url("/oauth2/authorize"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent"],
        // RFC 9207: `iss` is added to every authorization response.
        "authorization_response_iss_parameter_supported": true,
        "end_session_endpoint": c.url("/oauth2/logout"),
        "device_authorization_endpoint": c.url("/oauth2/device_authorization"),
        "token_endpoint": c.url("/oauth2/token"),
        "userinfo_endpoint": c.url("/oauth2/userinfo"),
        "jwks_uri": c.url("/oauth2/jwks"),
        "revocation_endpoint": c.url("/oauth2/revoke"),
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        // RFC 8414 §2: required wherever private_key_jwt is listed.
        "revocation_endpoint_auth_signing_alg_values_supported": client_assertion::ALGORITHMS,
        "introspection_endpoint": c.url("/oauth2/introspect"),
        "introspection_endpoint_auth_methods_supported": &AUTH_METHODS[1..],
        "introspection_endpoint_auth_signing_alg_values_supported": client_assertion::ALGORITHMS,
        "scopes_supported": scope::SUPPORTED,
        "grant_types_supported": SUPPORTED_GRANT_TYPES,
        "subject_types_supported": ["public"],
        // Per client; a key for ES256/EdDSA is made when a client first needs it.
        "id_token_signing_alg_values_supported": SIGNING_ALGS,
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": client_assertion::ALGORITHMS,
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "azp", "amr",
            "preferred_username", "name", "email", "email_verified"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        // Usher extension: a QR image of `verification_uri_complete` per user code.
        "usher_qr_endpoint_template": c.url("/device/qr/{user_code}.svg"),
        // Usher extension: the live channel of waiting devices (docs/live-handoff.md).
        "usher_device_events_endpoint": c.url("/oauth2/device/events"),
        "usher_device_wait_endpoint": c.url("/oauth2/device/wait"),
    }))
}

async fn jwks(State(state): State<AppState>) -> Response {
    let mut response = Json(state.keys.current().jwks().clone()).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
