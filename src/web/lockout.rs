//! Guessing protection for user-code entry (RFC 8628 §5.1): a budget of wrong entries per
//! client network (`web/ip.rs`) and a smaller one per browser session, a friendly 429 page
//! that says when to try again, a `usher::security` log event and metrics.
//!
//! The session budget stops one guessing browser before it uses up the budget of everyone
//! behind the same address (an office, carrier-grade NAT). It is not a bound on its own (a
//! guesser can drop the cookie); the per-IP budget is.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use crate::{metrics::names, state::AppState, tokens::opaque, web::error::PageError};

/// Session key of the random id that names this browser's budget.
const BUDGET_KEY: &str = "user_code_budget";

#[derive(Template, WebTemplate)]
#[template(path = "locked_out.html")]
pub struct LockedOutPage {
    /// "for your network" or "in this browser".
    pub scope: &'static str,
    /// "8 minutes".
    pub wait: String,
}

/// Which budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Ip,
    Session,
}

impl Budget {
    fn label(self) -> &'static str {
        match self {
            Budget::Ip => "ip",
            Budget::Session => "session",
        }
    }
}

/// The two budget keys of one request.
pub struct EntryBudgets {
    ip: String,
    session: String,
}

impl EntryBudgets {
    pub async fn of(session: &Session, ip_key: String) -> Result<EntryBudgets, PageError> {
        let id = match session.get::<String>(BUDGET_KEY).await? {
            Some(id) => id,
            None => {
                let id = opaque::generate();
                session.insert(BUDGET_KEY, &id).await?;
                id
            }
        };
        Ok(EntryBudgets {
            ip: ip_key,
            session: id,
        })
    }

    /// The lock-out page if either budget is used up.
    pub fn check(&self, state: &AppState, now: i64) -> Option<Response> {
        let ip = state.user_code_attempts.blocked_for(&self.ip, now);
        let session = state
            .user_code_session_attempts
            .blocked_for(&self.session, now);
        match (ip, session) {
            (Some(a), Some(b)) => Some(locked_out(Budget::Ip, a.max(b))),
            (Some(wait), None) => Some(locked_out(Budget::Ip, wait)),
            (None, Some(wait)) => Some(locked_out(Budget::Session, wait)),
            (None, None) => None,
        }
    }

    /// Counts a wrong code against both budgets; the lock-out page if one ran out now.
    pub fn record_wrong_code(&self, state: &AppState, now: i64) -> Option<Response> {
        state
            .metrics
            .counter(names::USER_CODE_WRONG_ENTRIES)
            .increment(1);
        let ip_blocked = state.user_code_attempts.record_failure(&self.ip, now);
        let session_blocked = state
            .user_code_session_attempts
            .record_failure(&self.session, now);
        for (blocked, budget) in [(ip_blocked, Budget::Ip), (session_blocked, Budget::Session)] {
            if blocked {
                state
                    .metrics
                    .counter_with(names::USER_CODE_LOCKOUTS, &[("scope", budget.label())])
                    .increment(1);
                // Never the typed code or the session id: the network key says who.
                tracing::warn!(
                    target: "usher::security",
                    event = "user_code_lockout",
                    budget = budget.label(),
                    network = %self.ip,
                    "user-code entry locked after too many wrong codes"
                );
            }
        }
        self.check(state, now)
    }
}

fn locked_out(budget: Budget, wait_secs: i64) -> Response {
    let page = LockedOutPage {
        scope: match budget {
            Budget::Ip => "for your network",
            Budget::Session => "in this browser",
        },
        wait: minutes_up(wait_secs),
    };
    let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs.max(1)));
    response
}

/// Rounded up, so people do not come back before the pause ends.
fn minutes_up(secs: i64) -> String {
    let minutes = (secs.max(1) + 59) / 60;
    if minutes == 1 {
        "1 minute".to_string()
    } else {
        format!("{minutes} minutes")
    }
}

#[cfg(test)]
mod tests {
    use super::minutes_up;

    #[test]
    fn waits_round_up_to_minutes() {
        assert_eq!(minutes_up(1), "1 minute");
        assert_eq!(minutes_up(60), "1 minute");
        assert_eq!(minutes_up(61), "2 minutes");
        assert_eq!(minutes_up(600), "10 minutes");
    }
}
