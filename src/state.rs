//! Shared state handed to every handler: the protocol's [`Provider`] plus what only the
//! HTTP side uses (browser sessions, trusted proxies).

use std::{ops::Deref, sync::Arc};

use axum::extract::FromRef;

use crate::{client_addr::TrustedProxies, oauth::provider::Provider, store::SessionStore};

#[derive(Clone)]
pub struct AppState {
    /// Storage, keys, clock and in-memory views; `state.db` etc. reach it through `Deref`.
    pub provider: Provider,
    /// Browser sessions of the hosted pages, in the same database.
    pub sessions: SessionStore,
    /// Proxies whose `X-Forwarded-For` is believed (`client_addr.rs`).
    pub trusted_proxies: Arc<TrustedProxies>,
}

impl Deref for AppState {
    type Target = Provider;
    fn deref(&self) -> &Provider {
        &self.provider
    }
}

/// What the client-address extractors (`client_addr.rs`) take from the state.
impl FromRef<AppState> for Arc<TrustedProxies> {
    fn from_ref(state: &AppState) -> Self {
        state.trusted_proxies.clone()
    }
}
