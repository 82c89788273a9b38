//! What the protocol logic needs from the running server: storage, keys, the clock and the
//! in-memory views shared by the instance. `AppState` (the handlers' state) holds one and
//! derefs to it, so handlers pass `&state` where these functions take `&Provider`.

use std::sync::Arc;

use crate::{
    clock::Clock,
    config::Config,
    metrics::Metrics,
    oauth::{clients::ClientView, live::DeviceEvents, polling::PollTracker, token_view::TokenView},
    store::Database,
    tokens::keys::Keys,
};

#[derive(Clone)]
pub struct Provider {
    pub config: Arc<Config>,
    pub db: Database,
    /// Signing keys; swapped when a rotation is picked up.
    pub keys: Arc<Keys>,
    pub clock: Arc<dyn Clock>,
    /// The registered clients, read once and dropped when any changes (`oauth/clients.rs`).
    pub clients: Arc<ClientView>,
    /// Access tokens answered from memory at userinfo, dropped when any revocation or user
    /// change may stop one (`oauth/token_view.rs`).
    pub token_view: Arc<TokenView>,
    /// In-memory polling timestamps per pending device code (no database write per poll).
    pub polls: Arc<PollTracker>,
    /// Waiters for device decisions (live hand-off), shared across instances via PostgreSQL.
    pub device_events: Arc<DeviceEvents>,
    /// Wakes this instance's notification worker when an event is queued, so delivery does
    /// not wait for the worker's next round (`oauth/notify.rs`).
    pub notifications_queued: Arc<tokio::sync::Notify>,
    /// This instance's Prometheus recorder (`GET /metrics`); see `metrics.rs`.
    pub metrics: Metrics,
    /// The WebAuthn relying party of the issuer (`oauth::accounts::passkeys`).
    pub passkeys: Arc<crate::oauth::accounts::passkeys::Passkeys>,
}
