//! Guessing budgets (docs/security.md): how many attempts a key (an account on a network, a
//! network, a browser, the whole server) may make, and how long it waits after that. The
//! counters live in the database (`store/attempts.rs`), so every instance enforces the
//! same budget: N instances do not give a guesser N budgets.
//!
//! An attempt is counted *before* it is checked (a password verified, a code looked up)
//! and taken back if it was right. Counting afterwards would let a burst of parallel
//! requests all pass the gate before the first failure was written.

use crate::{
    error::StoreResult,
    store::{AttemptCounter, Database},
    tokens::opaque,
};

/// Writes tried per key before giving up on a busy counter (and refusing for a second).
const SWAP_TRIES: usize = 8;

/// When a counter starts again from zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// `window_secs` after its first attempt: a budget per period.
    Fixed,
    /// `window_secs` after the wait that followed its latest attempt ended: a key is
    /// forgiven only after it stayed quiet that long.
    Sliding,
}

/// What happens once the free attempts are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// No more attempts until the window ends.
    UntilWindowEnd,
    /// Each further attempt waits `base_secs` after the previous one, doubling per
    /// attempt up to `max_secs` (a constant spacing when the two are equal).
    Backoff { base_secs: i64, max_secs: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Attempts allowed at once, with no wait.
    pub free: u32,
    pub window_secs: i64,
    pub window: Window,
    pub after: After,
}

impl Rule {
    /// The wait before the next attempt after the `count`-th (0 while attempts are free).
    pub fn delay(&self, count: i64) -> i64 {
        let over = count - i64::from(self.free);
        match self.after {
            _ if over < 0 => 0,
            After::UntilWindowEnd => self.window_secs,
            After::Backoff {
                base_secs,
                max_secs,
            } => backoff(base_secs, max_secs, over),
        }
    }

    /// When the next attempt may go ahead, if not now.
    pub fn open_at(&self, counter: &AttemptCounter, now: i64) -> Option<i64> {
        if counter.expires_at <= now || counter.count < i64::from(self.free) {
            return None;
        }
        let at = match self.after {
            After::UntilWindowEnd => counter.window_start + self.window_secs,
            After::Backoff { .. } => counter.last_at + self.delay(counter.count),
        };
        (at > now).then_some(at)
    }

    /// The counter with one more attempt at `now` (a new window if it had expired).
    pub fn counted(&self, key: &str, counter: Option<&AttemptCounter>, now: i64) -> AttemptCounter {
        let (window_start, count) = match counter.filter(|c| c.expires_at > now) {
            Some(c) => (c.window_start, c.count + 1),
            None => (now, 1),
        };
        AttemptCounter {
            key: key.to_string(),
            window_start,
            count,
            last_at: now,
            expires_at: self.expiry(window_start, count, now),
        }
    }

    /// The counter with one attempt taken back (it was right after all).
    pub fn uncounted(&self, counter: &AttemptCounter) -> AttemptCounter {
        AttemptCounter {
            count: (counter.count - 1).max(0),
            ..counter.clone()
        }
    }

    fn expiry(&self, window_start: i64, count: i64, last_at: i64) -> i64 {
        match self.window {
            Window::Fixed => window_start + self.window_secs,
            Window::Sliding => last_at + self.delay(count) + self.window_secs,
        }
    }
}

/// `base × 2^over`, at most `max`.
pub fn backoff(base_secs: i64, max_secs: i64, over: i64) -> i64 {
    let doublings = over.clamp(0, 40) as u32;
    base_secs
        .saturating_mul(1i64 << doublings)
        .min(max_secs)
        .max(0)
}

/// One budget applied to one attempt.
#[derive(Debug, Clone)]
pub struct Check {
    /// What the budget is named by in logs and metrics ("network", "session", ...).
    pub label: &'static str,
    pub key: String,
    pub rule: Rule,
    /// Whether a used-up budget refuses the attempt (false: only counted).
    pub gated: bool,
    /// Also wait this long after this key's latest attempt, if it has any (the account-wide
    /// ceiling of `accounts::sign_in`).
    pub spacing_secs: Option<i64>,
}

impl Check {
    /// A gated check of `rule` for `subject` (e.g. "login-network", "192.0.2.7").
    pub fn new(label: &'static str, budget: &str, subject: &str, rule: Rule) -> Check {
        Check {
            label,
            key: key(budget, subject),
            rule,
            gated: true,
            spacing_secs: None,
        }
    }

    /// When this check lets the next attempt go ahead, if not now.
    pub fn open_at(&self, counter: Option<&AttemptCounter>, now: i64) -> Option<i64> {
        let counter = counter?;
        if !self.gated {
            return None;
        }
        let own = self.rule.open_at(counter, now);
        let spaced = self
            .spacing_secs
            .filter(|_| counter.expires_at > now && counter.count > 0)
            .map(|secs| counter.last_at + secs)
            .filter(|at| *at > now);
        own.max(spaced)
    }
}

/// The stored key of a budget's subject: hashed, so typed usernames (sometimes a password
/// typed in the wrong field) and addresses are not kept in clear.
pub fn key(budget: &str, subject: &str) -> String {
    opaque::hash(&format!("{budget}:{subject}"))
}

/// An attempt that was let through: its counters, to take back if it was right.
#[derive(Debug, Default)]
pub struct Admitted {
    pub counters: Vec<(Check, AttemptCounter)>,
}

impl Admitted {
    /// The checks whose budget is now used up (the next attempt waits), with the wait.
    pub fn exhausted(&self, now: i64) -> Vec<(&Check, i64)> {
        self.counters
            .iter()
            .filter_map(|(check, counter)| {
                check
                    .open_at(Some(counter), now)
                    .map(|at| (check, at - now))
            })
            .collect()
    }

    /// Whether this attempt used the last free attempt of `label`'s budget.
    pub fn reached_limit(&self, label: &str) -> bool {
        self.counters.iter().any(|(check, counter)| {
            check.label == label && counter.count == i64::from(check.rule.free)
        })
    }
}

/// A refused attempt: which budget, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub label: &'static str,
    pub wait_secs: i64,
}

/// Counts an attempt against every check, or refuses it (nothing counted) when a gated
/// budget is used up: then the longest wait and its budget.
pub async fn admit(
    db: &Database,
    checks: &[Check],
    now: i64,
) -> StoreResult<Result<Admitted, Refused>> {
    let keys: Vec<String> = checks.iter().map(|c| c.key.clone()).collect();
    let mut counters = db.get_attempt_counters(&keys).await?;
    // One read decides for a refused attempt: a guesser waiting costs no writes.
    if let Some(refused) = longest_wait(checks, &counters, now) {
        return Ok(Err(refused));
    }
    let mut admitted = Admitted::default();
    for check in checks {
        let mut current = counters.iter().position(|c| c.key == check.key);
        let mut written = None;
        for _ in 0..SWAP_TRIES {
            let prev = current.map(|i| &counters[i]);
            if let Some(at) = check.open_at(prev, now) {
                release(db, &admitted).await?;
                return Ok(Err(Refused {
                    label: check.label,
                    wait_secs: at - now,
                }));
            }
            let next = check.rule.counted(&check.key, prev, now);
            if db.swap_attempt_counter(prev, &next).await? {
                written = Some(next);
                break;
            }
            // Another attempt got there first: read again and decide again.
            let fresh = db
                .get_attempt_counters(std::slice::from_ref(&check.key))
                .await?;
            counters.retain(|c| c.key != check.key);
            counters.extend(fresh);
            current = counters.iter().position(|c| c.key == check.key);
        }
        let Some(written) = written else {
            release(db, &admitted).await?;
            return Ok(Err(Refused {
                label: check.label,
                wait_secs: 1,
            }));
        };
        admitted.counters.push((check.clone(), written));
    }
    Ok(Ok(admitted))
}

fn longest_wait(checks: &[Check], counters: &[AttemptCounter], now: i64) -> Option<Refused> {
    checks
        .iter()
        .filter_map(|check| {
            let counter = counters.iter().find(|c| c.key == check.key);
            check.open_at(counter, now).map(|at| Refused {
                label: check.label,
                wait_secs: at - now,
            })
        })
        .max_by_key(|refused| refused.wait_secs)
}

/// Takes an admitted attempt back (a right code or password): each counter loses one.
pub async fn release(db: &Database, admitted: &Admitted) -> StoreResult<()> {
    for (check, _) in &admitted.counters {
        for _ in 0..SWAP_TRIES {
            let current = db
                .get_attempt_counters(std::slice::from_ref(&check.key))
                .await?;
            let Some(current) = current.first() else {
                break;
            };
            if db
                .swap_attempt_counter(Some(current), &check.rule.uncounted(current))
                .await?
            {
                break;
            }
        }
    }
    Ok(())
}

/// Forgets a key altogether (an account's own network after a right password).
pub async fn forget(db: &Database, check: &Check) -> StoreResult<()> {
    db.delete_attempt_counter(&check.key).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter(rule: &Rule, attempts: &[i64]) -> AttemptCounter {
        let mut counter: Option<AttemptCounter> = None;
        for &at in attempts {
            counter = Some(rule.counted("k", counter.as_ref(), at));
        }
        counter.unwrap()
    }

    #[test]
    fn a_fixed_budget_blocks_until_its_window_ends() {
        // The former in-memory limiter's behaviour, kept for the user-code budgets.
        let rule = Rule {
            free: 3,
            window_secs: 60,
            window: Window::Fixed,
            after: After::UntilWindowEnd,
        };
        assert_eq!(rule.open_at(&counter(&rule, &[0, 1]), 2), None);
        let used = counter(&rule, &[0, 1, 2]);
        assert_eq!(rule.open_at(&used, 3), Some(60));
        assert_eq!(rule.open_at(&used, 61), None);
        // A new window starts from one.
        assert_eq!(rule.counted("k", Some(&used), 61).count, 1);
        // A right attempt taken back frees its place.
        assert_eq!(rule.open_at(&rule.uncounted(&used), 3), None);
    }

    #[test]
    fn backoff_doubles_up_to_its_ceiling_and_a_quiet_key_is_forgiven() {
        let rule = Rule {
            free: 2,
            window_secs: 3600,
            window: Window::Sliding,
            after: After::Backoff {
                base_secs: 30,
                max_secs: 100,
            },
        };
        assert_eq!(
            (0..6).map(|n| rule.delay(n)).collect::<Vec<_>>(),
            [0, 0, 30, 60, 100, 100]
        );
        let used = counter(&rule, &[0, 0]);
        assert_eq!(rule.open_at(&used, 10), Some(30));
        let used = counter(&rule, &[0, 0, 30]);
        assert_eq!(rule.open_at(&used, 31), Some(90));
        // Forgotten an hour after its wait ended.
        assert_eq!(used.expires_at, 30 + 60 + 3600);
        assert_eq!(backoff(30, i64::MAX, 100), 30 << 40);
    }

    #[test]
    fn spacing_applies_only_to_keys_that_failed() {
        let rule = Rule {
            free: 5,
            window_secs: 3600,
            window: Window::Sliding,
            after: After::Backoff {
                base_secs: 30,
                max_secs: 900,
            },
        };
        let check = Check {
            spacing_secs: Some(600),
            ..Check::new("account", "b", "s", rule)
        };
        assert_eq!(check.open_at(None, 100), None);
        let failed = counter(&rule, &[100]);
        assert_eq!(check.open_at(Some(&failed), 101), Some(700));
        assert_eq!(check.open_at(Some(&failed), 700), None);
    }
}
