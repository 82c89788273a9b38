//! Fresh proof before approving a device: a sign-in older than
//! `approval_max_session_age_secs` is asked for the password again on the consent and the
//! pairing page (`web::approval`, docs/device-experience.md). [`needed_for_approval`] is
//! the one place that decides, so stronger factors (a passkey, a one-time code) can be
//! added here later.

use crate::{
    config::Config,
    oauth::accounts::{self, PasswordCheck},
    state::AppState,
    store::User,
    web::{error::PageError, session::SignedIn},
};

/// What the person must prove again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreshProof {
    Password,
}

/// `Some` when the session's sign-in is too old to approve a device with.
pub fn needed_for_approval(config: &Config, signed_in: &SignedIn, now: i64) -> Option<FreshProof> {
    let age = now - signed_in.auth_time;
    (age > config.approval_max_session_age_secs as i64).then_some(FreshProof::Password)
}

/// Checks the password of `user` again, under the same budgets as sign-in (one
/// implementation: `oauth::accounts::check_password`), and returns the renewed sign-in on
/// success.
pub async fn prove_password(
    state: &AppState,
    user: &User,
    password: String,
    ip_key: &str,
    now: i64,
) -> Result<Option<SignedIn>, PageError> {
    let account = Some(user.clone());
    match accounts::check_password(state, &user.username, account, password, ip_key, now).await? {
        PasswordCheck::Right(_) => Ok(Some(SignedIn {
            user_id: user.id.clone(),
            auth_time: now,
            amr: "pwd".to_string(),
        })),
        PasswordCheck::Wrong => {
            tracing::info!(user_id = %user.id, "re-authentication failed");
            Ok(None)
        }
        PasswordCheck::Wait(_) => Err(PageError::too_many_attempts()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_sign_ins_need_a_fresh_proof() {
        let config = Config {
            approval_max_session_age_secs: 3600,
            ..Config::default()
        };
        let signed_in = SignedIn {
            user_id: "u".into(),
            auth_time: 1000,
            amr: "pwd".into(),
        };
        assert_eq!(needed_for_approval(&config, &signed_in, 4600), None);
        assert_eq!(
            needed_for_approval(&config, &signed_in, 4601),
            Some(FreshProof::Password)
        );
    }
}
