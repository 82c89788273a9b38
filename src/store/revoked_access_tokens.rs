//! Revoked access tokens on SQLite or PostgreSQL. Consulted by userinfo and
//! introspection only, never on the device polling path.

use super::{
    Database,
    database::{on_pool, on_writer},
};
use crate::error::StoreResult;

impl Database {
    /// Records a revoked access token until it would have expired anyway.
    pub async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> StoreResult<()> {
        let sql = "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) \
                   ON CONFLICT (jti) DO NOTHING";
        on_writer!(self, |pool| sqlx::query(sql)
            .bind(jti)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
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
}
