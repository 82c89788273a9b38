//! Accounts: whether an account may act, its password, and the sign-in attempt. Pages and
//! grants ask the same questions here, so "may this account act?" has one answer.
//!
//! - [`active_account`]: the one rule, applied at every token redemption, to every access
//!   token shown to userinfo and introspection, and on every page of a signed-in person;
//! - [`password`]: argon2id hashing and verification;
//! - [`sign_in`]: a password attempt under the sign-in budgets (the sign-in page and the
//!   password asked again before an approval).
//! - [`totp`]: the second step, TOTP codes and recovery codes, under the same budgets.

pub mod passkeys;
pub mod password;
pub mod sign_in;
pub mod totp;

pub use password::{hash_password, verify_password};
pub use sign_in::{PasswordCheck, SignInError, check_password};

use crate::{
    error::StoreResult,
    store::{Database, User},
};

/// Why an account may not act. Every caller answers alike (no tokens, sign in again), so
/// nothing outside learns which it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inactive {
    /// Deleted, or never existed.
    Unknown,
    Disabled,
    /// The password changed after this authentication: whoever authenticated with the old
    /// one (a stolen password, a lost device) must not keep acting.
    PasswordChanged,
}

/// The account's own standing, whatever the authentication: not disabled. A sign-in checks
/// this before the password; an existing authentication is checked by [`active_account`].
pub fn standing(user: &User) -> Result<(), Inactive> {
    if user.disabled {
        return Err(Inactive::Disabled);
    }
    Ok(())
}

/// The account `user_id` authenticated at `auth_time`, if it may still act: it exists, is
/// not disabled, and its password has not changed since. Checked at every use, not only at
/// approval: an account taken back must stop getting tokens and pages at once.
pub async fn active_account(
    db: &Database,
    user_id: &str,
    auth_time: i64,
) -> StoreResult<Result<User, Inactive>> {
    Ok(check_active(db.get_user(user_id).await?, auth_time))
}

/// [`active_account`]'s rule on an account already read (`None`: deleted), for callers that
/// read it with something else in one statement (the refresh grant).
pub fn check_active(user: Option<User>, auth_time: i64) -> Result<User, Inactive> {
    let user = user.ok_or(Inactive::Unknown)?;
    standing(&user)?;
    if user.password_changed_at > auth_time {
        return Err(Inactive::PasswordChanged);
    }
    Ok(user)
}
