//! OAuth 2.0 / OpenID Connect protocol logic. No HTTP types here: handlers in `http/` and
//! `web/` parse requests, call these functions with "now" from the clock, and map errors.

pub mod access_token;
pub mod accounts;
pub mod audit;
pub mod authorize;
pub mod claims;
pub mod client_assertion;
pub mod client_auth;
pub mod clients;
pub mod code_budgets;
pub mod device;
pub mod grants;
pub mod introspection;
pub mod issue;
pub mod linked_devices;
pub mod live;
pub mod live_channel;
pub mod notify;
pub mod pairing;
pub mod params;
pub mod pkce;
pub mod polling;
pub mod provider;
pub mod qr_login;
pub mod revocation;
pub mod scope;
pub mod throttle;
pub mod token;
pub mod token_view;
pub mod user_code;
