//! Tokens: opaque secrets, signing keys and JWT claim sets.

pub mod error;
pub mod jwt;
pub mod key_encryption;
pub mod keys;
pub mod opaque;
pub mod rotation;
pub mod schedule;
pub mod sealed;
