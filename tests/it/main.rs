//! One integration-test binary (one link step): every module starts its own real server on
//! 127.0.0.1:0 with its own database.

mod browser;
mod cli;
mod code_flow;
mod device_cli;
mod device_flow;
mod device_metadata;
mod discovery;
mod interop;
mod keys;
mod linked_devices;
mod live;
mod notifications;
mod pages;
mod pairing;
mod phone;
mod refresh;
mod store;
mod support;
mod token_errors;
mod user_codes;
