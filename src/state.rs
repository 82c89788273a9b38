//! Shared state handed to every handler.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::{
    client_addr::TrustedProxies,
    clock::Clock,
    config::Config,
    oauth::{live::DeviceEvents, polling::PollTracker},
    store::{Database, SessionStore},
    tokens::keys::Keys,
};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Database,
    /// Browser sessions of the hosted pages, in the same database.
    pub sessions: SessionStore,
    /// Signing keys; swapped when a rotation is picked up.
    pub keys: Arc<Keys>,
    pub clock: Arc<dyn Clock>,
    /// In-memory polling timestamps per pending device code (no database write per poll).
    pub polls: Arc<PollTracker>,
    /// Proxies whose `X-Forwarded-For` is believed (`client_addr.rs`).
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Waiters for device decisions (live hand-off), shared across instances via PostgreSQL.
    pub device_events: Arc<DeviceEvents>,
    /// Wakes this instance's notification worker when an event is queued, so delivery does
    /// not wait for the worker's next round (`oauth/notify.rs`).
    pub notifications_queued: Arc<tokio::sync::Notify>,
    /// This instance's Prometheus recorder (`GET /metrics`); see `metrics.rs`.
    pub metrics: crate::metrics::Metrics,
}

/// What the client-address extractors (`client_addr.rs`) take from the state.
impl FromRef<AppState> for Arc<TrustedProxies> {
    fn from_ref(state: &AppState) -> Self {
        state.trusted_proxies.clone()
    }
}
