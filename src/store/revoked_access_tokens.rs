//! Revoked access tokens on SQLite or PostgreSQL, and the announcements that the state an
//! access token depends on changed. Consulted by userinfo and introspection only, never on
//! the device polling path.
//!
//! Servers answer userinfo from memory (`oauth::token_view`), so every change that can stop
//! an access token must be seen: a revoked `jti`, a revoked refresh family, a signed-out
//! device, a user changed, disabled or deleted. Triggers (migration 0017) announce each in
//! the writing transaction, whoever writes: on PostgreSQL by NOTIFY on
//! [`REVOCATIONS_CHANNEL`], on SQLite by bumping `revocations_version`. Writes made through
//! this process also count in [`local_revocation_writes`], so a view in this process sees
//! them as soon as the write returns: a store method that makes such a change must call
//! [`revocation_written`].

use std::sync::atomic::{AtomicU64, Ordering};

use super::{
    Database,
    pools::{on_pool, on_writer},
};
use crate::error::StoreResult;

/// The PostgreSQL channel the revocation triggers notify on (migration 0017; empty payload).
pub const REVOCATIONS_CHANNEL: &str = "usher_revocations";

/// Revocation-state writes made by this process since it started.
static LOCAL_WRITES: AtomicU64 = AtomicU64::new(0);

/// How many writes that may stop an access token this process has made: a view compares it
/// on every lookup (one atomic load), so a token revoked here is refused by the next request
/// after the revocation returned.
pub fn local_revocation_writes() -> u64 {
    LOCAL_WRITES.load(Ordering::Acquire)
}

/// Counts a write that may stop access tokens, once it is committed (or failed: a needless
/// drop of the view is harmless).
pub(super) fn revocation_written() {
    LOCAL_WRITES.fetch_add(1, Ordering::AcqRel);
}

impl Database {
    /// Records a revoked access token until it would have expired anyway.
    pub async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> StoreResult<()> {
        let sql = "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) \
                   ON CONFLICT (jti) DO NOTHING";
        let done = on_writer!(self, |pool| sqlx::query(sql)
            .bind(jti)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ()));
        revocation_written();
        Ok(done?)
    }

    pub async fn is_access_token_revoked(&self, jti: &str) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM revoked_access_tokens WHERE jti = $1";
        let count: i64 = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(jti)
            .fetch_one(pool)
            .await)?;
        Ok(count > 0)
    }

    /// Forgets revocations of tokens that expired before `before`.
    pub async fn delete_expired_revocations(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM revoked_access_tokens WHERE expires_at < $1";
        Ok(on_writer!(self, |pool| sqlx::query(sql)
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }

    /// The counter the revocation triggers bump on SQLite (migration 0017): a server on
    /// SQLite reads it about once a second to notice changes made by other processes.
    /// PostgreSQL has no such row (its triggers NOTIFY instead): 0 there.
    pub async fn revocations_version(&self) -> StoreResult<i64> {
        match self {
            Database::Sqlite(sqlite) => {
                let sql = "SELECT version FROM revocations_version WHERE id = 1";
                Ok(sqlx::query_scalar(sql).fetch_one(&sqlite.read).await?)
            }
            Database::Postgres(_) => Ok(0),
        }
    }
}
