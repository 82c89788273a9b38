//! The error of key handling, shared by `keys` (signing, loading) and `key_encryption`
//! (sealing at rest), so neither has to import the other for it.

use crate::error::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("key generation failed")]
    Generate,
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    #[error("stored key {0} is unusable")]
    BadKey(String),
    #[error("token rejected: {0}")]
    Invalid(&'static str),
    /// The token names a key this set does not hold (maybe one another instance just added).
    #[error("token rejected: unknown key")]
    UnknownKey,
    #[error("signing failed")]
    Sign,
    #[error("{0}")]
    Encryption(String),
}
