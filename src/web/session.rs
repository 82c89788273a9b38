//! Typed access to what the browser session holds: who is signed in, and which device
//! authorization the person is about to approve.

use tower_sessions::Session;

use crate::{
    oauth::accounts,
    state::AppState,
    store::{USER_ID_KEY, User},
    web::{csrf, error::PageError},
};

/// The store copies this key into its `user_id` column, to end an account's sessions.
const USER_ID: &str = USER_ID_KEY;
const AUTH_TIME: &str = "auth_time";
const AMR: &str = "amr";
const DEVICE_AUTH_ID: &str = "device_auth_id";
const DEVICE_USER_CODE: &str = "device_user_code";

/// A signed-in person, as recorded at sign-in (OIDC `auth_time` and `amr` for the ID token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user_id: String,
    /// Clock seconds at sign-in.
    pub auth_time: i64,
    /// Space-separated authentication methods, e.g. `pwd`.
    pub amr: String,
}

impl SignedIn {
    pub async fn load(session: &Session) -> Result<Option<SignedIn>, PageError> {
        let user_id = session.get::<String>(USER_ID).await?;
        let auth_time = session.get::<i64>(AUTH_TIME).await?;
        let amr = session.get::<String>(AMR).await?;
        Ok(match (user_id, auth_time, amr) {
            (Some(user_id), Some(auth_time), Some(amr)) => Some(SignedIn {
                user_id,
                auth_time,
                amr,
            }),
            _ => None,
        })
    }

    /// Begins a signed-in session (every sign-in method ends here): a new session id and
    /// CSRF token, so an id or token planted or seen before authentication is worthless
    /// afterwards (session fixation), then the sign-in itself.
    pub async fn establish(&self, session: &Session) -> Result<(), PageError> {
        session.cycle_id().await?;
        csrf::rotate(session).await?;
        self.store(session).await
    }

    /// Records the sign-in in the current session (also a renewed proof: same person).
    pub async fn store(&self, session: &Session) -> Result<(), PageError> {
        session.insert(USER_ID, &self.user_id).await?;
        session.insert(AUTH_TIME, self.auth_time).await?;
        session.insert(AMR, &self.amr).await?;
        Ok(())
    }

    /// The signed-in person and their account, if the account may still act: the same rule
    /// as every token redemption (`accounts::active_account`: not deleted, not disabled, no
    /// password change since sign-in). Any other session is ended, so a browser signed in
    /// before a password reset can no longer approve devices or open the account pages.
    pub async fn current_user(
        state: &AppState,
        session: &Session,
    ) -> Result<Option<(SignedIn, User)>, PageError> {
        let Some(signed_in) = SignedIn::load(session).await? else {
            return Ok(None);
        };
        match accounts::active_account(&state.db, &signed_in.user_id, signed_in.auth_time).await? {
            Ok(user) => Ok(Some((signed_in, user))),
            Err(_) => {
                session.flush().await?;
                Ok(None)
            }
        }
    }
}

/// The device authorization a person entered the code of and has not decided on yet.
/// The user code is kept too, to reload the authorization (`get_by_user_code`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDevice {
    pub auth_id: String,
    /// Normalized user code (no dash).
    pub user_code: String,
}

impl PendingDevice {
    pub async fn load(session: &Session) -> Result<Option<PendingDevice>, PageError> {
        let auth_id = session.get::<String>(DEVICE_AUTH_ID).await?;
        let user_code = session.get::<String>(DEVICE_USER_CODE).await?;
        Ok(auth_id
            .zip(user_code)
            .map(|(auth_id, user_code)| PendingDevice { auth_id, user_code }))
    }

    pub async fn store(&self, session: &Session) -> Result<(), PageError> {
        session.insert(DEVICE_AUTH_ID, &self.auth_id).await?;
        session.insert(DEVICE_USER_CODE, &self.user_code).await?;
        Ok(())
    }

    pub async fn forget(session: &Session) -> Result<(), PageError> {
        session.remove::<String>(DEVICE_AUTH_ID).await?;
        session.remove::<String>(DEVICE_USER_CODE).await?;
        Ok(())
    }
}

const PASSKEY_PROOF_USER: &str = "passkey_proof_user";
const PASSKEY_PROOF_AT: &str = "passkey_proof_at";

/// The last user-verified passkey assertion in this session (`POST /webauthn/assert`,
/// `web::passkey`): pages that ask for a fresh proof (an approval, a change of factors)
/// accept one younger than their limit. Kept with the user it was made by, so it never
/// counts for another account signed in later in the same browser.
pub struct FreshPasskey;

impl FreshPasskey {
    /// Clock seconds of the last assertion by the signed-in person, if any.
    pub async fn at(session: &Session) -> Result<Option<i64>, PageError> {
        let Some(signed_in) = SignedIn::load(session).await? else {
            return Ok(None);
        };
        let user = session.get::<String>(PASSKEY_PROOF_USER).await?;
        let at = session.get::<i64>(PASSKEY_PROOF_AT).await?;
        Ok(at.filter(|_| user.as_deref() == Some(signed_in.user_id.as_str())))
    }

    pub async fn record(session: &Session, user_id: &str, now: i64) -> Result<(), PageError> {
        session.insert(PASSKEY_PROOF_USER, user_id).await?;
        session.insert(PASSKEY_PROOF_AT, now).await?;
        Ok(())
    }

    /// Forgets it (a proof is used once: an approval spends it).
    pub async fn clear(session: &Session) -> Result<(), PageError> {
        session.remove::<String>(PASSKEY_PROOF_USER).await?;
        session.remove::<i64>(PASSKEY_PROOF_AT).await?;
        Ok(())
    }
}
