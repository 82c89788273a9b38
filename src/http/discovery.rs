//! OpenID Provider metadata (OIDC Discovery 1.0 §3, RFC 8414 §2) and the JWKS.
//! Lists only what this server really does.

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::{MethodRouter, get},
};
use serde_json::{Value, json};

use crate::{
    config::Config,
    http::cors,
    protocol::{Acr, ClientAuthMethod, GrantType, ResponseMode, ResponseType, Scope, SigningAlg},
    state::AppState,
    tokens::rotation,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", public(get(metadata)))
        .route(
            "/.well-known/oauth-authorization-server",
            public(get(metadata)),
        )
        .route("/oauth2/jwks", public(get(jwks)))
}

/// Public documents: any page may fetch them (CORS, `http/cors.rs`).
fn public(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route
        .options(cors::public_preflight)
        .layer(axum::middleware::map_response(cors::any_origin))
}

async fn metadata(State(state): State<AppState>) -> Response {
    let c = &state.config;
    // Introspection is for confidential clients only: every method but `none`.
    let confidential_methods: Vec<ClientAuthMethod> = ClientAuthMethod::ALL
        .iter()
        .copied()
        .filter(|m| m.authenticates())
        .collect();
    let mut document = json!({
        "issuer": c.issuer,
        "authorization_endpoint": c.url("/oauth2/authorize"),
        "response_types_supported": ResponseType::ALL,
        "response_modes_supported": ResponseMode::ALL,
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
        "revocation_endpoint_auth_methods_supported": ClientAuthMethod::ALL,
        // RFC 8414 §2: required wherever private_key_jwt is listed. Client assertions may
        // use the algorithms we sign with.
        "revocation_endpoint_auth_signing_alg_values_supported": SigningAlg::ALL,
        "introspection_endpoint": c.url("/oauth2/introspect"),
        "introspection_endpoint_auth_methods_supported": confidential_methods,
        "introspection_endpoint_auth_signing_alg_values_supported": SigningAlg::ALL,
        "scopes_supported": Scope::ALL,
        "grant_types_supported": GrantType::ALL,
        "subject_types_supported": ["public"],
        // Per client; every one has a published key from the first start.
        "id_token_signing_alg_values_supported": SigningAlg::ALL,
        "token_endpoint_auth_methods_supported": ClientAuthMethod::ALL,
        "token_endpoint_auth_signing_alg_values_supported": SigningAlg::ALL,
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "azp", "amr",
            "acr", "preferred_username", "name", "email", "email_verified"],
        // OIDC Discovery §3; docs/integration.md says what each class means.
        "acr_values_supported": Acr::ALL,
        // OIDC Discovery §3: the page languages; `ui_locales` picks one (web::lang).
        "ui_locales_supported": crate::i18n::Locale::ALL.map(crate::i18n::Locale::tag),
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        // Usher extension: a QR image of `verification_uri_complete` per user code.
        "usher_qr_endpoint_template": c.url("/device/qr/{user_code}.svg"),
    });
    // Usher extension: the live channel of waiting devices (docs/live-handoff.md), listed
    // only when it is on (`features.live_channel`).
    if c.features.live_channel {
        document["usher_device_events_endpoint"] = json!(c.url("/oauth2/device/events"));
        document["usher_device_wait_endpoint"] = json!(c.url("/oauth2/device/wait"));
    }
    cacheable(c, document)
}

async fn jwks(State(state): State<AppState>) -> Response {
    cacheable(&state.config, state.keys.current().jwks().clone())
}

/// JSON that relying parties may cache, but not past the moment a pre-published key starts
/// signing (`rotation::cache_max_age`).
fn cacheable(config: &Config, body: Value) -> Response {
    let max_age = format!("public, max-age={}", rotation::cache_max_age(config));
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&max_age) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}
