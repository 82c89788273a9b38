//! Synchronizer-token CSRF protection: one random token per session, sent back in a hidden
//! `csrf` field of every form and compared in constant time. SameSite=Lax cookies are a
//! second line of defence, not the only one.

use tower_sessions::Session;

use crate::{tokens::opaque, web::error::PageError};

const KEY: &str = "csrf";

/// The session's token, drawn on first use.
pub async fn csrf_token(session: &Session) -> Result<String, PageError> {
    if let Some(token) = session.get::<String>(KEY).await? {
        return Ok(token);
    }
    let token = opaque::generate();
    session.insert(KEY, &token).await?;
    Ok(token)
}

/// Accepts the submitted token only if the session has one and they are equal.
pub async fn verify(session: &Session, submitted: &str) -> Result<(), PageError> {
    let stored = session.get::<String>(KEY).await?;
    match stored {
        Some(stored)
            if !submitted.is_empty()
                && opaque::constant_time_eq(stored.as_bytes(), submitted.as_bytes()) =>
        {
            Ok(())
        }
        _ => {
            tracing::info!("form rejected: missing or wrong CSRF token");
            Err(PageError::csrf())
        }
    }
}

/// Drops the token so the next page draws a new one (at sign-in: a token seen before the
/// session was authenticated must not be valid after).
pub async fn rotate(session: &Session) -> Result<(), PageError> {
    session.remove::<String>(KEY).await?;
    Ok(())
}
