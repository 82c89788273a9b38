//! HTTP handlers for machines (devices, relying parties, resource servers): one thin module
//! per endpoint family that extracts the request, calls `oauth/`, and maps the result.

pub mod cors;
pub mod device_authorization;
pub mod device_events;
pub mod device_metadata;
pub mod discovery;
pub mod form;
pub mod health;
pub mod metrics;
pub mod qr;
pub mod revocation;
pub mod token;
pub mod userinfo;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(device_authorization::routes())
        .merge(device_events::routes())
        .merge(discovery::routes())
        .merge(health::routes())
        .merge(metrics::routes())
        .merge(qr::routes())
        .merge(revocation::routes())
        .merge(token::routes())
        .merge(userinfo::routes())
}
