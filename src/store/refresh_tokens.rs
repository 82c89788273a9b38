//! `RefreshTokenStore` on SQLite or PostgreSQL.

use async_trait::async_trait;

use super::{Database, RefreshToken, RefreshTokenStore, database::on_pool};
use crate::error::StoreResult;

const COLUMNS: &str = "token_hash, family_id, client_id, user_id, scope, device_authorization_id, \
auth_time, created_at, expires_at, revoked_at";

#[async_trait]
impl RefreshTokenStore for Database {
    async fn create_refresh_token(&self, t: &RefreshToken) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO refresh_tokens ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        on_pool!(self, |pool| sqlx::query(&sql)
            .bind(&t.token_hash)
            .bind(&t.family_id)
            .bind(&t.client_id)
            .bind(&t.user_id)
            .bind(&t.scope)
            .bind(&t.device_authorization_id)
            .bind(t.auth_time)
            .bind(t.created_at)
            .bind(t.expires_at)
            .bind(t.revoked_at)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    async fn get_refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshToken>> {
        let sql = format!("SELECT {COLUMNS} FROM refresh_tokens WHERE token_hash = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(token_hash)
            .fetch_optional(pool)
            .await)?)
    }

    async fn revoke_family(&self, family_id: &str, now: i64) -> StoreResult<u64> {
        let sql =
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL";
        Ok(on_pool!(self, |pool| sqlx::query(sql)
            .bind(now)
            .bind(family_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
