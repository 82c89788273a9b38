//! Polling policy for the device-code grant (RFC 8628 §3.5), and the pending view: what an
//! on-time poll needs to answer `authorization_pending` without the database.
//!
//! One entry per code that has polled this instance, keyed by the first 128 bits of the
//! code's SHA-256: the last poll, the interval (grown by `slow_down`), the expiry and, once
//! a poll read the row as pending, which client may poll it and an invalidation stamp. A
//! too-early poll is answered from the entry (`slow_down`); so is an on-time poll of a
//! cached pending code by its client before its expiry (`authorization_pending`). Anything
//! else (first poll, approved, denied, redeemed, expired, another client) reads the row.
//!
//! A cached pending state must not outlive the decision. Decisions are events by
//! authorization id (`oauth/live.rs`: in process, and on PostgreSQL by NOTIFY from every
//! instance); an entry keeps the id's bucket among [`BUCKETS`] and the bucket's epoch when
//! it was filled, and an event bumps its bucket's epoch: the entry then no longer answers
//! and the next poll reads the row. A decision thus costs at most one read to the few other
//! codes sharing its bucket (pending / 2^18), and no id→code map is kept. When events may
//! have been lost (the PostgreSQL listener reconnects) every cached state is dropped, and
//! nothing is answered from memory while the listener is away.

use std::{
    collections::{HashMap, hash_map::Entry},
    hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState},
    sync::{
        Mutex, MutexGuard, RwLock,
        atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::SeqCst},
    },
};

use crate::store::{Client, DeviceAuthorization};

const SHARDS: usize = 64;
/// Decision buckets (1 MiB of epochs): a decision makes the codes of its bucket re-read
/// their row once, so more buckets mean fewer needless reads.
pub const BUCKETS: usize = 1 << 18;

/// 32 bytes; with its 16-byte key an entry is 48 bytes of table.
#[derive(Debug, Clone, Copy)]
struct PollState {
    last_poll_ms: i64,
    expires_at: i64,
    interval_secs: u32,
    /// The client (an index of [`PollTracker::clients`]) that may be answered
    /// `authorization_pending` from memory; 0: nothing cached, read the row.
    client: u32,
    /// The authorization's decision bucket and that bucket's epoch when this was cached.
    bucket: u32,
    epoch: u32,
}

/// Outcome of a poll as far as its timing goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollTiming {
    /// Polled no faster than the interval.
    OnTime,
    /// Polled too fast; the interval is now this many seconds (grown by 5, §3.5).
    SlowDown { interval_secs: i64 },
}

/// What memory alone says about a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// Too early: `slow_down` with this interval (recorded; no database).
    SlowDown { interval_secs: i64 },
    /// On time, still pending, this client's: `authorization_pending` (recorded; no
    /// database).
    Pending,
    /// Read the row; pass the stamp to [`PollTracker::record_pending`] if it is pending.
    Read(ReadStamp),
}

/// Taken before a poll reads its row: a pending state read while an event arrived is not
/// cached (the event may be about it and have come before the entry existed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadStamp(u64);

/// Key of a code hash: its first 128 bits. Code hashes are hex SHA-256 (`opaque::hash`),
/// uniformly distributed, so the key needs no further hashing (see [`KeyHasher`]).
fn key(code_hash: &str) -> u128 {
    debug_assert!(code_hash.len() >= 32 && code_hash.bytes().all(|b| b.is_ascii_hexdigit()));
    code_hash
        .bytes()
        .take(32)
        .fold(0u128, |k, b| (k << 4) | u128::from(hex_value(b)))
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        // Never in a hash from `opaque::hash`; any fixed value keeps `key` total.
        _ => b & 0x0f,
    }
}

/// Hashes a [`key`] to its low 64 bits (already random; the shard takes the high ones).
/// Only codes that exist are stored, so a crafted code cannot crowd a bucket.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u128(&mut self, k: u128) {
        self.0 = k as u64;
    }
}

type Shard = HashMap<u128, PollState, BuildHasherDefault<KeyHasher>>;

/// Interned clients, so an entry holds 4 bytes for who may poll it. A client is known by
/// its id and creation time: a client deleted (which deletes its codes) and created again
/// is another client.
#[derive(Debug, Default)]
struct Clients {
    /// id -> (created_at, index).
    index: HashMap<Box<str>, (i64, u32)>,
    /// Never reused, so an entry of a dropped client matches no client.
    next: u32,
}

#[derive(Debug)]
pub struct PollTracker {
    shards: Box<[Mutex<Shard>]>,
    epochs: Box<[AtomicU32]>,
    /// Bumped by every event and reset, before it takes effect ([`ReadStamp`]).
    generation: AtomicU64,
    /// Whether decisions reach this instance now (`oauth/live.rs` sets it): false until the
    /// PostgreSQL listener runs and while it is away.
    caching: AtomicBool,
    clients: RwLock<Clients>,
    ids: RandomState,
}

impl Default for PollTracker {
    fn default() -> Self {
        PollTracker {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            epochs: (0..BUCKETS).map(|_| AtomicU32::new(0)).collect(),
            generation: AtomicU64::new(0),
            caching: AtomicBool::new(false),
            clients: RwLock::default(),
            ids: RandomState::new(),
        }
    }
}

impl PollTracker {
    fn shard(&self, key: u128) -> MutexGuard<'_, Shard> {
        let index = ((key >> 64) as usize) % SHARDS;
        self.shards[index].lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bucket(&self, authorization_id: &str) -> usize {
        (self.ids.hash_one(authorization_id) as usize) % BUCKETS
    }

    /// The index of an interned client, if it is interned.
    fn client_index(&self, client: &Client) -> Option<u32> {
        let clients = self.clients.read().unwrap_or_else(|e| e.into_inner());
        match clients.index.get(client.id.as_str()) {
            Some(&(created_at, index)) if created_at == client.created_at => Some(index),
            _ => None,
        }
    }

    fn intern(&self, client: &Client) -> u32 {
        if let Some(index) = self.client_index(client) {
            return index;
        }
        let mut clients = self.clients.write().unwrap_or_else(|e| e.into_inner());
        let Clients { index, next } = &mut *clients;
        let known = index
            .entry(client.id.as_str().into())
            .or_insert((client.created_at, 0));
        if known.1 == 0 || known.0 != client.created_at {
            *next = next.wrapping_add(1).max(1);
            *known = (client.created_at, *next);
        }
        known.1
    }

    /// A poll, answered from memory when it can be: too early (whatever the code's state,
    /// as before any read), or on time and cached pending for this client before expiry.
    pub fn poll(&self, code_hash: &str, client: &Client, now_ms: i64) -> Poll {
        let stamp = ReadStamp(self.generation.load(SeqCst));
        let key = key(code_hash);
        let cached_client = if self.caching.load(SeqCst) {
            self.client_index(client)
        } else {
            None
        };
        let mut shard = self.shard(key);
        let Some(state) = shard.get_mut(&key) else {
            return Poll::Read(stamp);
        };
        if too_early(state, now_ms) {
            state.last_poll_ms = now_ms;
            state.interval_secs = state.interval_secs.saturating_add(5);
            return Poll::SlowDown {
                interval_secs: state.interval_secs.into(),
            };
        }
        let answers = state.client != 0
            && cached_client == Some(state.client)
            // RFC 8628 §3.5: from `expires_at` on the answer is `expired_token`, read.
            && now_ms < state.expires_at.saturating_mul(1000)
            && self.epochs[state.bucket as usize].load(SeqCst) == state.epoch;
        if answers {
            state.last_poll_ms = now_ms;
            Poll::Pending
        } else {
            Poll::Read(stamp)
        }
    }

    /// Records an on-time poll whose row was read as pending for `client`, and caches that
    /// state unless an event may have come meanwhile (`stamp`, taken before the read). A
    /// poll earlier than the current interval (with a little slack for network jitter)
    /// grows the interval by 5 seconds.
    pub fn record_pending(
        &self,
        code_hash: &str,
        client: &Client,
        authorization: &DeviceAuthorization,
        now_ms: i64,
        stamp: ReadStamp,
    ) -> PollTiming {
        let key = key(code_hash);
        let bucket = self.bucket(&authorization.id);
        // Loaded before the entry is written and the generation checked again: an event
        // bumps the generation before the epoch, so an epoch that already counts an event
        // this read did not see comes with a changed generation (below).
        let epoch = self.epochs[bucket].load(SeqCst);
        let client_index = self.intern(client);
        let granted = u32::try_from(authorization.interval_secs.max(0)).unwrap_or(u32::MAX);
        let cached = PollState {
            last_poll_ms: now_ms,
            expires_at: authorization.expires_at,
            interval_secs: granted,
            client: client_index,
            bucket: bucket as u32,
            epoch,
        };
        let timing = match self.shard(key).entry(key) {
            Entry::Vacant(vacant) => {
                vacant.insert(cached);
                PollTiming::OnTime
            }
            Entry::Occupied(mut occupied) => {
                let state = occupied.get_mut();
                let early = too_early(state, now_ms);
                if early {
                    state.interval_secs = state.interval_secs.saturating_add(5);
                }
                state.last_poll_ms = now_ms;
                state.client = client_index;
                state.bucket = cached.bucket;
                state.epoch = epoch;
                match early {
                    true => PollTiming::SlowDown {
                        interval_secs: state.interval_secs.into(),
                    },
                    false => PollTiming::OnTime,
                }
            }
        };
        let missed = !self.caching.load(SeqCst) || self.generation.load(SeqCst) != stamp.0;
        if missed && let Some(state) = self.shard(key).get_mut(&key) {
            state.client = 0;
        }
        timing
    }

    /// A decision was taken on this authorization (approved or denied): a pending state
    /// cached for it no longer answers.
    pub fn decided(&self, authorization_id: &str) {
        // Generation first: see `record_pending`.
        self.generation.fetch_add(1, SeqCst);
        self.epochs[self.bucket(authorization_id)].fetch_add(1, SeqCst);
    }

    /// Decisions reach this instance from now on, but some may have been missed: every
    /// cached pending state is dropped, then caching is allowed (the PostgreSQL listener ran
    /// `LISTEN`, or the hub is in process only).
    pub fn events_resumed(&self) {
        self.generation.fetch_add(1, SeqCst);
        self.forget_pending();
        self.caching.store(true, SeqCst);
    }

    /// Decisions may be missed from now on (the listener is away): nothing is answered from
    /// memory but `slow_down` until [`PollTracker::events_resumed`].
    pub fn events_paused(&self) {
        self.caching.store(false, SeqCst);
        self.generation.fetch_add(1, SeqCst);
    }

    /// Clients changed (updated, deleted): pending states cached for any client are no
    /// longer answered. For a client view that knows of changes.
    pub fn clients_changed(&self) {
        self.generation.fetch_add(1, SeqCst);
        self.clients
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .index
            .clear();
    }

    fn forget_pending(&self) {
        for shard in &*self.shards {
            let mut shard = shard.lock().unwrap_or_else(|e| e.into_inner());
            shard.values_mut().for_each(|s| s.client = 0);
        }
    }

    /// Number of codes a poll could be answered `authorization_pending` for from memory, as
    /// far as events go (before their expiry; for tests).
    pub fn cached_pending(&self) -> usize {
        if !self.caching.load(SeqCst) {
            return 0;
        }
        self.shards
            .iter()
            .map(|shard| {
                let shard = shard.lock().unwrap_or_else(|e| e.into_inner());
                let answers = |s: &&PollState| {
                    s.client != 0 && self.epochs[s.bucket as usize].load(SeqCst) == s.epoch
                };
                shard.values().filter(answers).count()
            })
            .sum()
    }

    /// Current interval for a code: the granted one, or larger after `slow_down`.
    pub fn interval(&self, code_hash: &str) -> Option<i64> {
        let key = key(code_hash);
        self.shard(key).get(&key).map(|s| s.interval_secs.into())
    }

    /// Forgets a code (redeemed, denied, expired).
    pub fn forget(&self, code_hash: &str) {
        let key = key(code_hash);
        self.shard(key).remove(&key);
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
    let interval_ms = i64::from(state.interval_secs) * 1000;
    // Slack for jitter: a client that sleeps exactly `interval` may arrive a little early.
    let slack_ms = (interval_ms / 5).min(500);
    now_ms - state.last_poll_ms < interval_ms - slack_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    const OTHER: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    fn client(id: &str) -> Client {
        Client {
            id: id.to_string(),
            ..Client::default()
        }
    }

    fn pending(id: &str, interval_secs: i64, expires_at: i64) -> DeviceAuthorization {
        DeviceAuthorization {
            id: id.to_string(),
            interval_secs,
            expires_at,
            ..DeviceAuthorization::default()
        }
    }

    /// A tracker that caches (as `oauth/live.rs` makes it when decisions reach it).
    fn tracker() -> PollTracker {
        let tracker = PollTracker::default();
        tracker.events_resumed();
        tracker
    }

    /// A poll that reads the row and finds it pending, as the token endpoint does.
    fn read_pending(
        t: &PollTracker,
        code: &str,
        c: &Client,
        a: &DeviceAuthorization,
        now_ms: i64,
    ) -> PollTiming {
        let Poll::Read(stamp) = t.poll(code, c, now_ms) else {
            panic!("expected a read");
        };
        t.record_pending(code, c, a, now_ms, stamp)
    }

    #[test]
    fn first_poll_is_on_time_and_fast_polls_grow_the_interval() {
        let t = tracker();
        let (tv, auth) = (client("tv"), pending("a", 5, 1000));
        assert_eq!(read_pending(&t, CODE, &tv, &auth, 0), PollTiming::OnTime);
        assert_eq!(
            t.poll(CODE, &tv, 1_000),
            Poll::SlowDown { interval_secs: 10 }
        );
        // The new interval is enforced: 6 s after the last poll is still too early.
        assert_eq!(
            t.poll(CODE, &tv, 7_000),
            Poll::SlowDown { interval_secs: 15 }
        );
        assert_eq!(t.poll(CODE, &tv, 22_000), Poll::Pending);
        assert_eq!(t.interval(CODE), Some(15));
    }

    #[test]
    fn slightly_early_poll_within_slack_is_on_time() {
        let t = tracker();
        let (tv, auth) = (client("tv"), pending("a", 5, 1000));
        read_pending(&t, CODE, &tv, &auth, 0);
        assert_eq!(t.poll(CODE, &tv, 4_600), Poll::Pending);
    }

    #[test]
    fn too_early_is_answered_whoever_asks_but_pending_only_to_its_client() {
        let t = tracker();
        let (tv, auth) = (client("tv"), pending("a", 5, 1000));
        read_pending(&t, CODE, &tv, &auth, 0);
        assert!(matches!(
            t.poll(CODE, &client("other"), 1_000),
            Poll::SlowDown { .. }
        ));
        assert!(matches!(
            t.poll(CODE, &client("other"), 60_000),
            Poll::Read(_)
        ));
        // The same id created again is another client.
        let again = Client {
            created_at: 7,
            ..client("tv")
        };
        assert!(matches!(t.poll(CODE, &again, 120_000), Poll::Read(_)));
        assert_eq!(t.poll(CODE, &tv, 180_000), Poll::Pending);
    }

    #[test]
    fn a_decision_or_expiry_sends_the_next_poll_to_the_database() {
        let t = tracker();
        let tv = client("tv");
        read_pending(&t, CODE, &tv, &pending("a", 5, 100), 0);
        read_pending(&t, OTHER, &tv, &pending("b", 5, 1000), 0);
        assert_eq!(t.cached_pending(), 2);
        t.decided("a");
        assert!(matches!(t.poll(CODE, &tv, 10_000), Poll::Read(_)));
        // Codes of other buckets still answer (one in 2^18 shares "a"'s).
        if t.bucket("a") != t.bucket("b") {
            assert_eq!(t.cached_pending(), 1);
            assert_eq!(t.poll(OTHER, &tv, 10_000), Poll::Pending);
        }
        // At `expires_at` the row says `expired_token`.
        assert!(matches!(t.poll(OTHER, &tv, 1_000_000), Poll::Read(_)));
    }

    #[test]
    fn an_event_during_the_read_keeps_the_read_state_out_of_memory() {
        let t = tracker();
        let (tv, auth) = (client("tv"), pending("a", 0, 1000));
        let Poll::Read(stamp) = t.poll(CODE, &tv, 0) else {
            panic!("expected a read");
        };
        // The decision is stored after the read saw `pending`, and announced before the
        // poll records what it read.
        t.decided("a");
        t.record_pending(CODE, &tv, &auth, 0, stamp);
        assert_eq!(t.cached_pending(), 0);
        assert!(matches!(t.poll(CODE, &tv, 1), Poll::Read(_)));
    }

    #[test]
    fn nothing_is_cached_while_events_may_be_missed_and_a_resume_drops_it_all() {
        let t = PollTracker::default();
        let (tv, auth) = (client("tv"), pending("a", 0, 1000));
        read_pending(&t, CODE, &tv, &auth, 0);
        assert_eq!(t.cached_pending(), 0, "never listening: nothing cached");
        t.events_resumed();
        read_pending(&t, CODE, &tv, &auth, 1);
        assert_eq!(t.poll(CODE, &tv, 2), Poll::Pending);
        t.events_paused();
        assert!(matches!(t.poll(CODE, &tv, 3), Poll::Read(_)));
        t.events_resumed();
        assert_eq!(t.cached_pending(), 0);
        assert!(matches!(t.poll(CODE, &tv, 4), Poll::Read(_)));
        read_pending(&t, CODE, &tv, &auth, 5);
        t.clients_changed();
        assert!(matches!(t.poll(CODE, &tv, 6), Poll::Read(_)));
    }

    #[test]
    fn sweep_drops_expired_codes() {
        let t = tracker();
        let tv = client("tv");
        read_pending(&t, CODE, &tv, &pending("a", 5, 10), 0);
        read_pending(&t, OTHER, &tv, &pending("b", 5, 100), 0);
        assert_eq!(t.sweep(50), 1);
        assert_eq!(t.interval(CODE), None);
    }

    #[test]
    fn the_key_is_the_hash_prefix() {
        assert_eq!(key(CODE), 0x00112233445566778899aabbccddeeff);
        assert_eq!(key(&CODE.to_uppercase()), key(CODE));
    }
}
