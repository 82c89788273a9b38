//! One module per grant type the token endpoint serves.

pub mod authorization_code;
pub mod device_code;
pub mod refresh_token;
pub mod retry;

use crate::{
    error::StoreResult,
    store::{User, UserStore},
};

/// The user behind a grant, if they may still receive tokens: not deleted, not disabled,
/// and no password change since they authenticated (checked at every redemption, not only
/// at approval — an account taken back must stop getting tokens at once).
pub async fn active_user(
    store: &dyn UserStore,
    user_id: &str,
    auth_time: i64,
) -> StoreResult<Option<User>> {
    Ok(store
        .get_user(user_id)
        .await?
        .filter(|user| !user.disabled && user.password_changed_at <= auth_time))
}
