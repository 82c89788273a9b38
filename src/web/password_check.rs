//! The one password check of the pages: the sign-in form (`web/login.rs`) and the password
//! asked again before an approval (`web/fresh_proof.rs`), under the same sign-in budgets
//! (`oauth/sign_in_throttle.rs`, docs/security.md).

use crate::{
    oauth::{password::verify_password, sign_in_throttle},
    state::AppState,
    web::error::PageError,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Right,
    Wrong,
    /// Not checked: this network must wait this many seconds (a budget is used up).
    Wait(i64),
}

/// Checks `password` for the account typed as `username` from `network`. `stored_hash` is
/// `None` for an unknown (or disabled) account: a dummy hash is verified instead, equal
/// work, so the answer's timing does not tell which usernames exist.
pub async fn check_password(
    state: &AppState,
    username: &str,
    stored_hash: Option<String>,
    password: String,
    network: &str,
    now: i64,
) -> Result<PasswordCheck, PageError> {
    let attempt =
        match sign_in_throttle::begin(&state.db, &state.config, username, network, now).await? {
            Ok(attempt) => attempt,
            Err(refused) => {
                // Never the username: people type passwords there by mistake.
                tracing::warn!(
                    target: "usher::security",
                    event = "sign_in_throttled",
                    budget = refused.label,
                    network = %network,
                    wait_secs = refused.wait_secs,
                    "password attempt refused: too many failed attempts"
                );
                return Ok(PasswordCheck::Wait(refused.wait_secs));
            }
        };
    // argon2 is CPU-bound: keep it off the async workers.
    let verified =
        tokio::task::spawn_blocking(move || verify_password(stored_hash.as_deref(), &password))
            .await
            .map_err(|err| PageError::internal("password verification task failed", err))?;
    if verified {
        attempt.succeeded(&state.db).await?;
        return Ok(PasswordCheck::Right);
    }
    for budget in attempt.failed(now) {
        tracing::warn!(
            target: "usher::security",
            event = "sign_in_budget_used_up",
            budget,
            network = %network,
            "failed passwords: a sign-in budget is used up, further attempts wait"
        );
    }
    Ok(PasswordCheck::Wrong)
}
