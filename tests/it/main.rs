//! One integration-test binary (one link step): every module starts its own real server on
//! 127.0.0.1:0 with its own database.

mod cli;
mod code_flow;
mod device_cli;
mod device_flow;
mod discovery;
mod keys;
mod pages;
mod phone;
mod refresh;
mod store;
mod support;
mod token_errors;
