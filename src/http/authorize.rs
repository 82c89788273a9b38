//! `/oauth2/authorize`. OIDC Discovery requires `authorization_endpoint`, and relying-party
//! libraries refuse metadata without it, so the endpoint exists; until the authorization
//! code flow is built it answers every request with `unsupported_response_type` as a page
//! (RFC 6749 §4.1.2.1 forbids redirecting to a redirect URI we have not verified).

use axum::{Router, http::StatusCode, response::Html, routing::get};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth2/authorize", get(authorize).post(authorize))
}

async fn authorize() -> (StatusCode, Html<&'static str>) {
    (
        StatusCode::BAD_REQUEST,
        Html(
            "<!doctype html><title>Not supported</title><h1>Sign-in with a redirect is not \
             available</h1><p>This server signs in devices with the device authorization grant \
             (<code>unsupported_response_type</code>).</p>",
        ),
    )
}
