//! Authorization codes on SQLite or PostgreSQL.

use super::{
    AuthorizationCode, Database,
    pools::{on_pool, on_writer},
};
use crate::error::StoreResult;

const COLUMNS: &str = "code_hash, client_id, user_id, redirect_uri, scope, nonce, code_challenge, \
auth_time, amr, created_at, expires_at, used_at, refresh_family_id, access_token_jti, \
access_token_expires_at";

impl Database {
    pub async fn create_authorization_code(&self, c: &AuthorizationCode) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO authorization_codes ({COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        );
        on_writer!(self, |pool| sqlx::query(&sql)
            .bind(&c.code_hash)
            .bind(&c.client_id)
            .bind(&c.user_id)
            .bind(&c.redirect_uri)
            .bind(&c.scope)
            .bind(&c.nonce)
            .bind(&c.code_challenge)
            .bind(c.auth_time)
            .bind(&c.amr)
            .bind(c.created_at)
            .bind(c.expires_at)
            .bind(c.used_at)
            .bind(&c.refresh_family_id)
            .bind(&c.access_token_jti)
            .bind(c.access_token_expires_at)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn get_authorization_code(
        &self,
        code_hash: &str,
    ) -> StoreResult<Option<AuthorizationCode>> {
        let sql = format!("SELECT {COLUMNS} FROM authorization_codes WHERE code_hash = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(code_hash)
            .fetch_optional(pool)
            .await)?)
    }

    /// Marks an unused, unexpired code used and returns it; exactly one concurrent caller
    /// gets `Some` (RFC 6749 §4.1.2: a code is used once).
    pub async fn use_authorization_code(
        &self,
        code_hash: &str,
        now: i64,
    ) -> StoreResult<Option<AuthorizationCode>> {
        let sql = format!(
            "UPDATE authorization_codes SET used_at = $2 \
             WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING {COLUMNS}"
        );
        Ok(on_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(code_hash)
            .bind(now)
            .fetch_optional(pool)
            .await)?)
    }

    /// Records what was issued for a code, so a replay can revoke it.
    pub async fn record_issued(
        &self,
        code_hash: &str,
        refresh_family_id: Option<&str>,
        access_token_jti: &str,
        access_token_expires_at: i64,
    ) -> StoreResult<()> {
        let sql = "UPDATE authorization_codes SET refresh_family_id = $2, access_token_jti = $3, \
                   access_token_expires_at = $4 WHERE code_hash = $1";
        on_writer!(self, |pool| sqlx::query(sql)
            .bind(code_hash)
            .bind(refresh_family_id)
            .bind(access_token_jti)
            .bind(access_token_expires_at)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn delete_expired_codes(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM authorization_codes WHERE expires_at < $1";
        Ok(on_writer!(self, |pool| sqlx::query(sql)
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
