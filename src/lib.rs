//! Usher: an OpenID Connect provider for signing in devices (RFC 8628).
//!
//! `main.rs` only parses the command line; everything else lives here so that the
//! integration tests boot exactly what production boots (`serve`).

pub mod cli;
pub mod client_addr;
pub mod clock;
pub mod config;
pub mod error;
pub mod http;
pub mod i18n;
pub mod metrics;
pub mod oauth;
pub mod protocol;
pub mod server;
pub mod state;
pub mod store;
pub mod tokens;
pub mod web;

pub use server::{build_router, build_state, serve};

/// Makes aws-lc-rs rustls's process-wide crypto provider. reqwest is built without its
/// ring default (one crypto backend: docs/architecture.md), so a client built before this
/// panics. Idempotent: a provider already installed (the same one) is kept.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
