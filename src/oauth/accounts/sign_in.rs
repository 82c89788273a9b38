//! A password attempt: the sign-in page (`web/login.rs`) and the password asked again
//! before an approval (`web/fresh_proof.rs`) both call [`check_password`], which applies the
//! guessing limits (docs/security.md), verifies the password and logs the outcome.
//!
//! Three budgets, in the database (`oauth/throttle.rs`):
//!
//! - per account *and* network: a few free failures, then each attempt from that network
//!   waits, doubling (`login_delay_base_secs` .. `login_delay_max_secs`);
//! - per network across accounts: the same, with a larger allowance (one network trying
//!   many accounts);
//! - per account across networks: only counted. Above `login_account_ceiling` the account
//!   is under attack, and every network that has failed on it waits up to
//!   `login_account_delay_max_secs` between attempts. A network that has not failed on it,
//!   the owner's at home, is never held back: failures elsewhere cannot lock the owner out.
//!
//! A failure is counted before the password is checked (`throttle::admit`); a right
//! password takes it back and forgets the account's failures on that network.

use crate::{
    config::Config,
    error::{StoreError, StoreResult},
    oauth::{
        accounts::{password::verify_password, standing},
        provider::Provider,
        throttle::{self, Admitted, After, Check, Refused, Rule, Window},
    },
    store::{Database, User},
};

/// How a password attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The right password of this account, which may sign in.
    Right(User),
    Wrong,
    /// Not checked: this network must wait this many seconds (a budget is used up).
    Wait(i64),
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The blocking task verifying the password did not finish (it panicked).
    #[error("password verification task failed: {0}")]
    Verification(#[from] tokio::task::JoinError),
}

/// Checks `password` for the account typed as `username` from `network`; `account` is what
/// that name found (`None`: unknown). An unknown or disabled account verifies a dummy hash
/// instead, equal work, so the answer's timing does not tell which usernames exist.
pub async fn check_password(
    provider: &Provider,
    username: &str,
    account: Option<User>,
    password: String,
    network: &str,
    now: i64,
) -> Result<PasswordCheck, SignInError> {
    let attempt = match begin(&provider.db, &provider.config, username, network, now).await? {
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
    // A disabled account is checked like an unknown one: same work, same answer.
    let account = account.filter(|user| standing(user).is_ok());
    let stored_hash = account.as_ref().map(|user| user.password_hash.clone());
    // argon2 is CPU-bound: keep it off the async workers.
    let verified =
        tokio::task::spawn_blocking(move || verify_password(stored_hash.as_deref(), &password))
            .await?;
    if let (true, Some(user)) = (verified, account) {
        // With a second factor the password is half a sign-in: it takes its own attempt
        // back but does not forget the network's failures, which may be wrong codes
        // (`totp::check_code`): else typing the known password again would reset them.
        let second_factor = provider.db.get_totp(&user.id).await?;
        match second_factor.is_some_and(|factor| factor.is_confirmed()) {
            true => attempt.released(&provider.db).await?,
            false => attempt.succeeded(&provider.db).await?,
        }
        return Ok(PasswordCheck::Right(user));
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

/// Admits a one-time code attempt of `username` (`totp::check_code`) under the same
/// budgets as a password, or says how many seconds this network must wait.
pub(super) async fn begin_attempt(
    provider: &Provider,
    username: &str,
    network: &str,
    now: i64,
) -> StoreResult<Result<SignInAttempt, i64>> {
    Ok(
        match begin(&provider.db, &provider.config, username, network, now).await? {
            Ok(attempt) => Ok(attempt),
            Err(refused) => {
                tracing::warn!(
                    target: "usher::security",
                    event = "sign_in_throttled",
                    budget = refused.label,
                    network = %network,
                    wait_secs = refused.wait_secs,
                    "one-time code attempt refused: too many failed attempts"
                );
                Err(refused.wait_secs)
            }
        },
    )
}

/// An admitted sign-in attempt (a password or a one-time code); tell it how it ended.
#[derive(Debug)]
pub(super) struct SignInAttempt {
    admitted: Admitted,
}

fn rule(config: &Config, free: u32, max_secs: u64) -> Rule {
    Rule {
        free,
        window_secs: config.login_attempt_window_secs as i64,
        window: Window::Sliding,
        after: After::Backoff {
            base_secs: config.login_delay_base_secs as i64,
            max_secs: max_secs as i64,
        },
    }
}

/// The three budgets of `username` (as typed, case-insensitive: unknown names are limited
/// alike, so the answer does not tell which exist) from `network`.
fn checks(config: &Config, username: &str, network: &str) -> [Check; 3] {
    let account = username.trim().to_lowercase();
    let per_account = rule(config, config.login_account_ceiling, 0);
    [
        Check::new(
            "account_network",
            "login-account-network",
            &format!("{account}\n{network}"),
            rule(config, config.login_attempts, config.login_delay_max_secs),
        ),
        Check::new(
            "network",
            "login-network",
            network,
            rule(
                config,
                config.login_attempts_per_network,
                config.login_delay_max_secs,
            ),
        ),
        Check {
            gated: false,
            ..Check::new("account", "login-account", &account, per_account)
        },
    ]
}

/// Counts a sign-in attempt, or says how long this network must wait.
async fn begin(
    db: &Database,
    config: &Config,
    username: &str,
    network: &str,
    now: i64,
) -> StoreResult<Result<SignInAttempt, Refused>> {
    let [mut own, per_network, per_account] = checks(config, username, network);
    // Under attack: a network that failed on this account waits after its last failure.
    let ceiling = i64::from(config.login_account_ceiling);
    let account = db
        .get_attempt_counters(std::slice::from_ref(&per_account.key))
        .await?;
    if let Some(counter) = account.first().filter(|c| c.expires_at > now)
        && counter.count >= ceiling
    {
        own.spacing_secs = Some(throttle::backoff(
            config.login_delay_base_secs as i64,
            config.login_account_delay_max_secs as i64,
            counter.count - ceiling,
        ));
    }
    let admitted = throttle::admit(db, &[own, per_network, per_account], now).await?;
    Ok(admitted.map(|admitted| SignInAttempt { admitted }))
}

impl SignInAttempt {
    /// The right password: the attempt was no failure, and this network's failures on the
    /// account are forgotten (the owner's typos before).
    pub(super) async fn succeeded(self, db: &Database) -> StoreResult<()> {
        let (own, others): (Vec<_>, Vec<_>) = self
            .admitted
            .counters
            .into_iter()
            .partition(|(check, _)| check.label == "account_network");
        for (check, _) in &own {
            throttle::forget(db, check).await?;
        }
        throttle::release(db, &Admitted { counters: others }).await
    }

    /// A right first factor of an account with a second one: only this attempt is taken
    /// back.
    async fn released(self, db: &Database) -> StoreResult<()> {
        throttle::release(db, &self.admitted).await
    }

    /// A wrong password (already counted). Returns the budgets it used up, for the log.
    fn failed(self, now: i64) -> Vec<&'static str> {
        let mut used_up: Vec<&'static str> = self
            .admitted
            .exhausted(now)
            .into_iter()
            .map(|(check, _)| check.label)
            .collect();
        if self.admitted.reached_limit("account") {
            used_up.push("account");
        }
        used_up
    }

    /// A wrong one-time code (already counted): logged like a wrong password.
    pub(super) fn failed_otp(self, network: &str, now: i64) {
        for budget in self.failed(now) {
            tracing::warn!(
                target: "usher::security",
                event = "sign_in_budget_used_up",
                budget,
                network = %network,
                "failed one-time codes: a sign-in budget is used up, further attempts wait"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guesses in the first hour and per hour afterwards of one guesser on one network
    /// against one account, with the defaults (docs/security.md quotes these).
    #[test]
    fn one_network_gets_a_dozen_guesses_in_the_first_hour() {
        let config = Config::default();
        let [own, per_network, per_account] = checks(&config, "Alice", "192.0.2.7");
        let ceiling = i64::from(config.login_account_ceiling);
        let (mut counters, mut at, mut times) = (vec![None, None, None], 0i64, vec![]);
        while at < 6 * 3600 {
            let spacing = counters[2]
                .as_ref()
                .filter(|c: &&crate::store::AttemptCounter| c.count >= ceiling)
                .map(|c| {
                    throttle::backoff(
                        config.login_delay_base_secs as i64,
                        config.login_account_delay_max_secs as i64,
                        c.count - ceiling,
                    )
                });
            let own = Check {
                spacing_secs: spacing,
                ..own.clone()
            };
            let checks = [&own, &per_network, &per_account];
            let wait = checks
                .iter()
                .zip(&counters)
                .filter_map(|(check, c)| check.open_at(c.as_ref(), at))
                .max();
            if let Some(open) = wait {
                at = open;
                continue;
            }
            times.push(at);
            for (check, c) in checks.iter().zip(counters.iter_mut()) {
                *c = Some(check.rule.counted(&check.key, c.as_ref(), at));
            }
        }
        let in_hour = |h: i64| times.iter().filter(|t| **t / 3600 == h).count();
        assert_eq!(in_hour(0), 12, "{times:?}");
        assert!(in_hour(5) <= 4, "{times:?}");
    }
}
