//! One integration-test binary (one link step): every module starts its own real server on
//! 127.0.0.1:0 with its own database.

mod bad_input;
mod browser;
mod cli;
mod client_auth;
mod code_flow;
mod connections;
mod cors;
mod databases;
mod device_cli;
mod device_flow;
mod device_metadata;
mod discovery;
mod hostile_input;
mod interop;
mod key_encryption;
mod key_reload;
mod keys;
mod linked_devices;
mod live;
mod live_latency;
mod notifications;
mod pages;
mod pairing;
mod phone;
mod properties;
mod refresh;
mod signing;
mod sessions;
mod sqlite_wal;
mod store;
mod support;
mod throttle;
mod token_errors;
mod user_codes;
mod userinfo;
