//! Guessing protection for user-code entry (RFC 8628 §5.1): budgets of wrong entries per
//! client network (`web/ip.rs`), per browser session and server-wide
//! (`oauth/code_budgets.rs`, in the database so instances share them), a friendly 429 page
//! that says when to try again, `usher::security` log events and metrics.
//!
//! The session budget stops one guessing browser before it uses up the budget of everyone
//! behind the same address (an office, carrier-grade NAT). It is not a bound on its own (a
//! guesser can drop the cookie); the per-network budget is for one network, and the
//! server-wide budget for any number of them.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use crate::{
    metrics::names,
    oauth::{
        code_budgets,
        throttle::{self, Admitted, Check, Refused},
    },
    state::AppState,
    tokens::opaque,
    web::{duration_words::minutes_up, error::PageError},
};

/// Session key of the random id that names this browser's budget.
const BUDGET_KEY: &str = "user_code_budget";

#[derive(Template, WebTemplate)]
#[template(path = "locked_out.html")]
pub struct LockedOutPage {
    /// Whose code entry is paused: `network`, `session` (this browser) or `server`
    /// (everyone), the selector of `signin-locked-out-text`.
    pub scope: &'static str,
    /// "8 minutes", in the page's language.
    pub wait: String,
}

/// The budgets of one code entry.
pub struct EntryBudgets {
    network: String,
    checks: Vec<Check>,
}

impl EntryBudgets {
    /// The entry page's budgets: network, this browser, server.
    pub async fn of(
        state: &AppState,
        session: &Session,
        network: String,
    ) -> Result<EntryBudgets, PageError> {
        let id = match session.get::<String>(BUDGET_KEY).await? {
            Some(id) => id,
            None => {
                let id = opaque::generate();
                session.insert(BUDGET_KEY, &id).await?;
                id
            }
        };
        let checks = code_budgets::user_code_checks(&state.config, &network, Some(&id));
        Ok(EntryBudgets { network, checks })
    }

    /// A page without a session (the kiosk display): network and server.
    pub fn without_session(state: &AppState, network: String) -> EntryBudgets {
        let checks = code_budgets::user_code_checks(&state.config, &network, None);
        EntryBudgets { network, checks }
    }

    /// Counts this entry before the code is looked up, or the lock-out page if a budget is
    /// used up (then nothing is looked up, right code or not).
    pub async fn admit(
        &self,
        state: &AppState,
        now: i64,
    ) -> Result<Result<CodeEntry<'_>, Response>, PageError> {
        Ok(match throttle::admit(&state.db, &self.checks, now).await? {
            Ok(admitted) => Ok(CodeEntry {
                budgets: self,
                admitted,
            }),
            Err(Refused { label, wait_secs }) => Err(locked_out(label, wait_secs)),
        })
    }
}

/// An entry counted as a wrong code until it turns out right.
pub struct CodeEntry<'a> {
    budgets: &'a EntryBudgets,
    admitted: Admitted,
}

impl CodeEntry<'_> {
    /// The code exists: the entry was no guess, take it back.
    pub async fn right_code(self, state: &AppState) -> Result<(), PageError> {
        Ok(throttle::release(&state.db, &self.admitted).await?)
    }

    /// A wrong code (already counted); the lock-out page if a budget ran out now.
    pub fn wrong_code(self, state: &AppState, now: i64) -> Option<Response> {
        state
            .metrics
            .counter(names::USER_CODE_WRONG_ENTRIES)
            .increment(1);
        let network = &self.budgets.network;
        if self.admitted.reached_limit("server") {
            // Many wrong codes from anywhere: someone may be guessing from many addresses.
            tracing::warn!(
                target: "usher::security",
                event = "user_code_server_budget_exhausted",
                budget = state.config.user_code_server_budget,
                window_secs = state.config.user_code_attempt_window_secs,
                "user-code entry slowed down for everyone: too many wrong codes server-wide"
            );
        }
        let exhausted = self.admitted.exhausted(now);
        for (check, _) in &exhausted {
            state
                .metrics
                .counter_with(names::USER_CODE_LOCKOUTS, &[("scope", check.label)])
                .increment(1);
            // Never the typed code or the session id: the network key says who.
            tracing::warn!(
                target: "usher::security",
                event = "user_code_lockout",
                budget = check.label,
                network = %network,
                "user-code entry locked after too many wrong codes"
            );
        }
        exhausted
            .into_iter()
            .max_by_key(|(_, wait)| *wait)
            .map(|(check, wait)| locked_out(check.label, wait))
    }
}

fn locked_out(label: &str, wait_secs: i64) -> Response {
    let page = LockedOutPage {
        scope: match label {
            "session" => "session",
            "server" => "server",
            _ => "network",
        },
        wait: minutes_up(wait_secs),
    };
    let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs.max(1)));
    response
}

#[cfg(test)]
mod tests {
    use crate::web::duration_words::minutes_up;

    #[test]
    fn waits_round_up_to_minutes() {
        assert_eq!(minutes_up(1), "1 minute");
        assert_eq!(minutes_up(60), "1 minute");
        assert_eq!(minutes_up(61), "2 minutes");
        assert_eq!(minutes_up(600), "10 minutes");
    }
}
