//! HTTP handlers for machines (devices, relying parties, resource servers): one thin module
//! per endpoint family that extracts the request, calls `oauth/`, and maps the result.

pub mod cors;
pub mod deadline;
pub mod device_authorization;
pub mod device_events;
pub mod device_metadata;
pub mod discovery;
pub mod form;
pub mod health;
pub mod metrics;
pub mod qr;
pub mod request_id;
pub mod revocation;
pub mod token;
pub mod userinfo;

use axum::{
    Router,
    http::{HeaderValue, header},
};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{config::Features, state::AppState};

/// The machine endpoints; an extension that is off (`features`) is not mounted (404).
/// Health and metrics are not among them: they are the management routes.
pub fn routes(features: &Features) -> Router<AppState> {
    Router::new()
        .merge(machine_routes(features))
        // Nothing secret: each sets the caching it wants (public metadata, QR images).
        .merge(discovery::routes())
        .merge(qr::routes())
}

/// What operators' tools ask (`management_listen`, or the public port with
/// `management_on_public_port`): health for load balancers and orchestrators, and the
/// counters unless `features.metrics` is off.
pub fn management_routes(features: &Features) -> Router<AppState> {
    let routes = Router::new().merge(health::routes());
    match features.metrics {
        true => routes.merge(metrics::routes()),
        false => routes,
    }
}

/// Endpoints whose answers carry or concern secrets (tokens, device codes, claims): never
/// cached, errors included (RFC 6749 §5.1, RFC 8628 §3.2, RFC 7662 §4, OIDC Core §5.3.2).
/// `Pragma` is for HTTP/1.0 caches, as §5.1 asks of the token endpoint.
fn machine_routes(features: &Features) -> Router<AppState> {
    let mut routes = Router::new().merge(device_authorization::routes());
    if features.live_channel {
        routes = routes.merge(device_events::routes());
    }
    routes
        .merge(revocation::routes())
        .merge(token::routes())
        .merge(userinfo::routes())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::PRAGMA,
            HeaderValue::from_static("no-cache"),
        ))
}
