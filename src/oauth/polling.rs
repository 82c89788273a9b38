//! Polling policy for the device-code grant (RFC 8628 §3.5), kept in memory so that a poll
//! costs one hash-map lookup and no database write, however many codes are pending.
//! Each server instance tracks the devices that poll it; the state is small (one entry per
//! pending code that has polled) and is swept when codes expire.

use std::{
    collections::HashMap,
    hash::{BuildHasher, RandomState},
    sync::Mutex,
};

const SHARDS: usize = 64;

#[derive(Debug, Clone, Copy)]
struct PollState {
    last_poll_ms: i64,
    interval_secs: i64,
    expires_at: i64,
}

/// Outcome of a poll as far as its timing goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollTiming {
    /// Polled no faster than the interval.
    OnTime,
    /// Polled too fast; the interval is now this many seconds (grown by 5, §3.5).
    SlowDown { interval_secs: i64 },
}

#[derive(Debug)]
pub struct PollTracker {
    shards: Vec<Mutex<HashMap<String, PollState>>>,
    hasher: RandomState,
}

impl Default for PollTracker {
    fn default() -> Self {
        PollTracker {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
        }
    }
}

impl PollTracker {
    fn shard(&self, key: &str) -> std::sync::MutexGuard<'_, HashMap<String, PollState>> {
        let index = (self.hasher.hash_one(key) as usize) % SHARDS;
        self.shards[index].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Current interval for a code: the granted one, or larger after `slow_down`.
    pub fn interval(&self, code_hash: &str) -> Option<i64> {
        self.shard(code_hash)
            .get(code_hash)
            .map(|s| s.interval_secs)
    }

    /// Whether a poll of a code already known to the tracker is too early. Does not record
    /// anything; lets the token endpoint answer `slow_down` before touching the database.
    pub fn is_too_early(&self, code_hash: &str, now_ms: i64) -> bool {
        self.shard(code_hash)
            .get(code_hash)
            .is_some_and(|s| too_early(s, now_ms))
    }

    /// Records a poll of a code that exists and is still pending. `granted_interval` is the
    /// interval handed out at device authorization. A poll earlier than the current interval
    /// (with a little slack for network jitter) grows the interval by 5 seconds.
    pub fn record(
        &self,
        code_hash: &str,
        granted_interval: i64,
        expires_at: i64,
        now_ms: i64,
    ) -> PollTiming {
        let mut shard = self.shard(code_hash);
        match shard.get_mut(code_hash) {
            None => {
                shard.insert(
                    code_hash.to_string(),
                    PollState {
                        last_poll_ms: now_ms,
                        interval_secs: granted_interval,
                        expires_at,
                    },
                );
                PollTiming::OnTime
            }
            Some(state) => {
                let early = too_early(state, now_ms);
                state.last_poll_ms = now_ms;
                if early {
                    state.interval_secs += 5;
                    PollTiming::SlowDown {
                        interval_secs: state.interval_secs,
                    }
                } else {
                    PollTiming::OnTime
                }
            }
        }
    }

    /// Forgets a code (redeemed, denied, expired).
    pub fn forget(&self, code_hash: &str) {
        self.shard(code_hash).remove(code_hash);
    }

    /// Drops codes that expired before `now`. Returns how many entries remain.
    pub fn sweep(&self, now: i64) -> usize {
        self.shards
            .iter()
            .map(|shard| {
                let mut shard = shard.lock().unwrap_or_else(|e| e.into_inner());
                shard.retain(|_, s| s.expires_at > now);
                shard.len()
            })
            .sum()
    }
}

fn too_early(state: &PollState, now_ms: i64) -> bool {
    let interval_ms = state.interval_secs * 1000;
    // Slack for jitter: a client that sleeps exactly `interval` may arrive a little early.
    let slack_ms = (interval_ms / 5).min(500);
    now_ms - state.last_poll_ms < interval_ms - slack_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_poll_is_on_time_and_fast_polls_grow_the_interval() {
        let tracker = PollTracker::default();
        assert_eq!(tracker.record("c", 5, 1000, 0), PollTiming::OnTime);
        assert!(tracker.is_too_early("c", 1_000));
        assert_eq!(
            tracker.record("c", 5, 1000, 1_000),
            PollTiming::SlowDown { interval_secs: 10 }
        );
        // The new interval is enforced: 6 s after the last poll is still too early.
        assert_eq!(
            tracker.record("c", 5, 1000, 7_000),
            PollTiming::SlowDown { interval_secs: 15 }
        );
        assert_eq!(tracker.record("c", 5, 1000, 22_000), PollTiming::OnTime);
        assert_eq!(tracker.interval("c"), Some(15));
    }

    #[test]
    fn slightly_early_poll_within_slack_is_on_time() {
        let tracker = PollTracker::default();
        tracker.record("c", 5, 1000, 0);
        assert_eq!(tracker.record("c", 5, 1000, 4_600), PollTiming::OnTime);
    }

    #[test]
    fn sweep_drops_expired_codes() {
        let tracker = PollTracker::default();
        tracker.record("old", 5, 10, 0);
        tracker.record("new", 5, 100, 0);
        assert_eq!(tracker.sweep(50), 1);
        assert_eq!(tracker.interval("old"), None);
    }
}
