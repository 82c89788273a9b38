//! Pairing codes on SQLite or PostgreSQL.

use super::{
    Database, PairingCode,
    pools::{on_pool, on_writer},
    unique_violation,
};
use crate::error::StoreResult;

const COLUMNS: &str =
    "id, code_hash, user_id, created_at, expires_at, used_at, device_authorization_id";

impl Database {
    pub async fn create_pairing_code(&self, c: &PairingCode) -> StoreResult<()> {
        let sql =
            format!("INSERT INTO pairing_codes ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        on_writer!(self, |pool| sqlx::query(&sql)
            .bind(&c.id)
            .bind(&c.code_hash)
            .bind(&c.user_id)
            .bind(c.created_at)
            .bind(c.expires_at)
            .bind(c.used_at)
            .bind(&c.device_authorization_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(|e| unique_violation(e, "pairing code"))
    }

    pub async fn get_pairing_code(&self, id: &str) -> StoreResult<Option<PairingCode>> {
        let sql = format!("SELECT {COLUMNS} FROM pairing_codes WHERE id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn get_pairing_code_by_hash(
        &self,
        code_hash: &str,
    ) -> StoreResult<Option<PairingCode>> {
        let sql = format!("SELECT {COLUMNS} FROM pairing_codes WHERE code_hash = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(code_hash)
            .fetch_optional(pool)
            .await)?)
    }

    /// Uses an unused, unexpired code for `device_authorization_id` and returns it; exactly
    /// one concurrent caller gets `Some` (a pairing code is used once).
    pub async fn use_pairing_code(
        &self,
        code_hash: &str,
        device_authorization_id: &str,
        now: i64,
    ) -> StoreResult<Option<PairingCode>> {
        // One conditional UPDATE: of racing devices with the same code only one wins.
        let sql = format!(
            "UPDATE pairing_codes SET used_at = $2, device_authorization_id = $3 \
             WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING {COLUMNS}"
        );
        Ok(on_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(code_hash)
            .bind(now)
            .bind(device_authorization_id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn delete_expired_pairing_codes(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM pairing_codes WHERE expires_at < $1";
        Ok(on_writer!(self, |pool| sqlx::query(sql)
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
