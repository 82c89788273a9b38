//! Usher: an OpenID Connect provider for signing in devices (RFC 8628).
//!
//! `main.rs` only parses the command line; everything else lives here so that the
//! integration tests boot exactly what production boots (`serve`).

pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
pub mod http;
pub mod metrics;
pub mod oauth;
pub mod server;
pub mod state;
pub mod store;
pub mod tokens;
pub mod web;

pub use server::{build_router, build_state, serve};
