//! One module per grant type the token endpoint serves.

pub mod authorization_code;
pub mod device_code;
pub mod refresh_token;
pub mod retry;
