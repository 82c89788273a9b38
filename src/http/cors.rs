//! CORS (Fetch standard, "CORS protocol") for pages of browser-based clients.
//!
//! Metadata and the JWKS are public: any origin may read them. The token, userinfo and
//! revocation endpoints answer only the request's own client's web origins
//! (`Client::web_origins`), on success and on error alike, so a page can read
//! `invalid_grant`. A preflight carries no body and so no client: it is allowed when the
//! origin belongs to *some* client; the actual response then decides per client. Never
//! `Access-Control-Allow-Credentials`: these endpoints take no cookies.

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{http::form::OAuthRequest, state::AppState};

/// Request headers a page may send: bearer or Basic credentials, forms, DPoP proofs.
const ALLOW_HEADERS: &str = "Authorization, Content-Type, DPoP";
/// How long a browser may cache a preflight answer (Chromium caps it at 2 hours).
const MAX_AGE_SECS: &str = "600";

/// Any origin may read the response (discovery, JWKS): they are public documents.
pub async fn any_origin(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// Preflight of the public GET endpoints (`any_origin` adds the origin).
pub async fn public_preflight() -> Response {
    preflight_headers(StatusCode::NO_CONTENT.into_response(), "GET")
}

/// The answer depends on `Origin`: caches must keep one per origin. A layer on the
/// per-client endpoints, so rejected requests carry it too.
pub async fn vary_origin(mut response: Response) -> Response {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("origin"));
    response
}

/// Preflight of a per-client endpoint that accepts only POST.
pub async fn preflight_post(state: State<AppState>, headers: HeaderMap) -> Response {
    client_preflight(state, headers, "POST").await
}

/// Preflight of a per-client endpoint that accepts GET and POST (userinfo).
pub async fn preflight_get_post(state: State<AppState>, headers: HeaderMap) -> Response {
    client_preflight(state, headers, "GET, POST").await
}

async fn client_preflight(
    State(state): State<AppState>,
    headers: HeaderMap,
    methods: &'static str,
) -> Response {
    let response = StatusCode::NO_CONTENT.into_response();
    let Some(origin) = request_origin(&headers) else {
        return response;
    };
    let known = match state.clients.all().await {
        Ok(clients) => clients.iter().any(|c| c.allows_web_origin(origin)),
        Err(err) => {
            tracing::error!(error = %err, "could not read clients for a CORS preflight");
            false
        }
    };
    if !known {
        return response;
    }
    allow(preflight_headers(response, methods), origin)
}

/// Lets `client_id`'s pages read `response` if the request came from one of its web
/// origins. `None` (client not known, e.g. a malformed request) allows no origin.
pub async fn for_client(
    state: &AppState,
    headers: &HeaderMap,
    client_id: Option<&str>,
    response: Response,
) -> Response {
    let (Some(origin), Some(client_id)) = (request_origin(headers), client_id) else {
        return response;
    };
    match state.clients.get(client_id).await {
        Ok(Some(client)) if client.allows_web_origin(origin) => allow(response, origin),
        Ok(_) => response,
        Err(err) => {
            tracing::error!(error = %err, "could not read the client for CORS");
            response
        }
    }
}

/// The client a token or revocation request names (Basic credentials or `client_id`),
/// before it is authenticated: its origins only decide who may read the answer.
pub fn named_client(request: &OAuthRequest) -> Option<String> {
    match &request.basic {
        Some(basic) => Some(basic.client_id.clone()),
        None => request.params.get("client_id").map(str::to_owned),
    }
}

/// The `Origin` header, when it is one a client could have registered (not `null`).
fn request_origin(headers: &HeaderMap) -> Option<&str> {
    let mut values = headers.get_all(header::ORIGIN).iter();
    let origin = values.next()?.to_str().ok()?;
    (values.next().is_none() && origin != "null").then_some(origin)
}

fn allow(mut response: Response, origin: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(origin) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        // Libraries read the bearer challenge (RFC 6750 §3) of userinfo errors.
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("WWW-Authenticate"),
        );
    }
    response
}

fn preflight_headers(mut response: Response, methods: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(methods),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECS),
    );
    response
}
