//! One module per grant type the token endpoint serves.

pub mod device_code;
