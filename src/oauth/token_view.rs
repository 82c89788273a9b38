//! Access tokens answered from memory: userinfo is asked with the same token again and again
//! (every page load of an app, every poll of a profile), and each answer otherwise costs an
//! RS256 signature check and three database reads (revoked `jti`, revoked family, the user's
//! standing and claims). The first good answer for a token is kept here, keyed by the
//! token's SHA-256, until the token expires or anything that could change an answer happens.
//!
//! Only good tokens are kept (a signature no one forged, checked by `access_token::validate`),
//! so made-up tokens cannot fill memory; the map is also capped ([`CAPACITY`]).
//!
//! The view is dropped as a whole whenever an access token may have stopped anywhere (a
//! revoked `jti`, a revoked refresh family, a device signed out, a user changed, disabled or
//! deleted):
//! - a write made through this process: at the next lookup (`store::local_revocation_writes`,
//!   one atomic load per lookup), so the instance that revoked refuses the token at once;
//! - on PostgreSQL, another process or instance: by the NOTIFY the triggers of migration 0017
//!   send in the write's transaction (`store::REVOCATIONS_CHANNEL`, heard by `oauth::live`'s
//!   listener); and whenever that listener (re)connects. While it is away nothing is
//!   answered from memory or kept (a revocation sent then would go unheard);
//! - on SQLite, another process (`usher user disable` on the server's file): within
//!   [`SQLITE_CHECK`], by comparing `revocations_version`, which the triggers bump;
//! - a reload of the signing keys (the token was verified with the previous set).
//!
//! A read that overlapped a drop is not kept (a generation stamp taken before it).

use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock, RwLockReadGuard, RwLockWriteGuard,
        atomic::{AtomicBool, Ordering::SeqCst},
    },
    time::Duration,
};

use aws_lc_rs::digest::{SHA256, digest};
use tokio::sync::watch;

use crate::{
    store::{Database, local_revocation_writes},
    tokens::keys::{KeySet, Keys},
};

/// How often a server on SQLite compares `revocations_version` (one single-row read): a
/// change made by another process is seen within this time (plus the read).
pub const SQLITE_CHECK: Duration = Duration::from_secs(1);

/// Most tokens kept (about 300 bytes each with their answer): past it, expired ones go, and
/// if that is not enough, all. Refilling costs one ordinary request per token.
pub const CAPACITY: usize = 100_000;

/// What userinfo answers for a good access token, built once per token.
#[derive(Debug)]
pub struct UserinfoAnswer {
    /// The token's `exp`: the answer is not given at or after it.
    pub exp: i64,
    /// The token's client (which origins may read the answer).
    pub client_id: Arc<str>,
    /// The claims JSON (OIDC Core §5.3.2), or `None` when the token lacks `openid`.
    pub claims: Option<Arc<[u8]>>,
}

/// The key of a token in the view: its SHA-256. Finding another string with the same digest
/// is infeasible, so equal keys mean the same token without keeping the ~800-byte token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenKey([u8; 32]);

impl TokenKey {
    pub fn of(token: &str) -> TokenKey {
        let mut key = [0; 32];
        key.copy_from_slice(digest(&SHA256, token.as_bytes()).as_ref());
        TokenKey(key)
    }
}

/// The view's state when a lookup missed: what is read after it is kept only if nothing was
/// dropped meanwhile.
#[derive(Debug)]
pub struct Stamp {
    generation: u64,
    local_writes: u64,
    keys: Arc<KeySet>,
}

#[derive(Debug)]
pub struct TokenView {
    db: Database,
    cache: RwLock<Cache>,
    /// Whether changes made elsewhere reach this instance now: always on SQLite (compared
    /// by version); on PostgreSQL only while the listener runs.
    live: AtomicBool,
}

#[derive(Debug, Default)]
struct Cache {
    /// Bumped at every drop: a read that started before a drop is not kept.
    generation: u64,
    /// `local_revocation_writes()` when the view was last brought up to date with it.
    local_writes: u64,
    /// The key set the kept tokens were verified with.
    keys: Option<Arc<KeySet>>,
    answers: HashMap<TokenKey, Arc<UserinfoAnswer>>,
}

impl Cache {
    fn clear(&mut self) {
        self.generation += 1;
        self.answers.clear();
    }

    fn up_to_date(&self, local_writes: u64, keys: &Arc<KeySet>) -> bool {
        self.local_writes == local_writes
            && self.keys.as_ref().is_some_and(|k| Arc::ptr_eq(k, keys))
    }

    /// Drops everything if this process wrote a revocation, or the keys changed, since the
    /// last look.
    fn catch_up(&mut self, local_writes: u64, keys: &Arc<KeySet>) {
        if !self.up_to_date(local_writes, keys) {
            self.local_writes = local_writes;
            self.keys = Some(Arc::clone(keys));
            self.clear();
        }
    }
}

impl TokenView {
    pub fn new(db: Database) -> TokenView {
        // PostgreSQL: nothing from memory until the listener runs (`follow_changes`).
        let live = matches!(db, Database::Sqlite(_));
        TokenView {
            db,
            live: AtomicBool::new(live),
            cache: RwLock::new(Cache {
                local_writes: local_revocation_writes(),
                ..Cache::default()
            }),
        }
    }

    /// The answer kept for `key` if it is still good at `now`, or the stamp to keep a fresh
    /// answer with ([`TokenView::keep`]).
    pub fn lookup(
        &self,
        key: &TokenKey,
        keys: &Keys,
        now: i64,
    ) -> Result<Arc<UserinfoAnswer>, Stamp> {
        let current = keys.current();
        let writes = local_revocation_writes();
        let generation = {
            let cache = self.read();
            if cache.up_to_date(writes, &current) {
                if let Some(answer) = cache.answers.get(key)
                    && answer.exp > now
                    && self.live.load(SeqCst)
                {
                    return Ok(Arc::clone(answer));
                }
                cache.generation
            } else {
                drop(cache);
                let mut cache = self.write();
                cache.catch_up(writes, &current);
                cache.generation
            }
        };
        Err(Stamp {
            generation,
            local_writes: writes,
            keys: current,
        })
    }

    /// Keeps `answer`, read after `stamp` was taken, unless the view was dropped (or this
    /// process wrote a revocation, or the keys changed) meanwhile: the read may predate
    /// that change.
    pub fn keep(&self, key: TokenKey, stamp: Stamp, answer: Arc<UserinfoAnswer>, now: i64) {
        if !self.live.load(SeqCst) {
            return;
        }
        let writes = local_revocation_writes();
        let mut cache = self.write();
        if cache.generation != stamp.generation
            || stamp.local_writes != writes
            || !cache.up_to_date(writes, &stamp.keys)
        {
            return;
        }
        if cache.answers.len() >= CAPACITY {
            cache.answers.retain(|_, answer| answer.exp > now);
            if cache.answers.len() >= CAPACITY * 9 / 10 {
                // Nothing to lose but reads: no generation bump needed.
                cache.answers.clear();
            }
        }
        cache.answers.insert(key, answer);
    }

    /// Forgets every token: the next requests check them against the database again.
    pub fn drop_all(&self) {
        self.write().clear();
    }

    /// Forgets tokens that expired (the maintenance task, so memory follows the live tokens).
    pub fn sweep(&self, now: i64) {
        self.write().answers.retain(|_, answer| answer.exp > now);
    }

    /// How many tokens are held (for tests).
    pub fn kept(&self) -> usize {
        self.read().answers.len()
    }

    /// Whether the token is held now, without checking anything (tests await a drop with it).
    pub fn holds(&self, token: &str) -> bool {
        self.read().answers.contains_key(&TokenKey::of(token))
    }

    /// Changes made elsewhere reach this instance (`true`) or may be missed (`false`); either
    /// way something may have changed: every kept token goes.
    fn announced(&self, listening: bool) {
        if listening {
            self.drop_all();
            self.live.store(true, SeqCst);
        } else {
            self.live.store(false, SeqCst);
            self.drop_all();
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Cache> {
        self.cache.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Cache> {
        self.cache.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// Keeps the view in step with changes made elsewhere, until the task is aborted. On
/// PostgreSQL `announced` changes at each NOTIFY on `store::REVOCATIONS_CHANNEL` and each
/// (re)connect or loss of the listener (`oauth::live`), and holds whether it runs; on
/// SQLite, which has no NOTIFY, `revocations_version` is compared every [`SQLITE_CHECK`].
pub async fn follow_changes(view: Arc<TokenView>, mut announced: watch::Receiver<bool>) {
    match &view.db {
        Database::Postgres(_) => loop {
            // The current value first: the listener may have connected before this task
            // subscribed.
            let listening = *announced.borrow_and_update();
            view.announced(listening);
            if announced.changed().await.is_err() {
                view.announced(false);
                return;
            }
        },
        Database::Sqlite(_) => {
            let mut seen = None;
            loop {
                match view.db.revocations_version().await {
                    // The first read drops too: a change may have come before it.
                    Ok(version) if seen != Some(version) => {
                        view.announced(true);
                        seen = Some(version);
                    }
                    Ok(_) => {}
                    Err(err) => {
                        // Unable to see other processes' changes: answer from the database
                        // until the next read works (which then drops and resumes).
                        view.announced(false);
                        seen = None;
                        tracing::warn!(error = %err, "could not read revocations_version");
                    }
                }
                tokio::time::sleep(SQLITE_CHECK).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_tokens_have_equal_keys_and_others_differ() {
        assert_eq!(TokenKey::of("a.b.c"), TokenKey::of("a.b.c"));
        assert_ne!(TokenKey::of("a.b.c"), TokenKey::of("a.b.d"));
    }
}
