//! Used client-assertion `jti`s on SQLite or PostgreSQL.

use super::{Database, pools::on_writer, unique_violation};
use crate::error::{StoreError, StoreResult};

impl Database {
    /// Remembers an accepted assertion's jti; false if it was seen before (a replay).
    pub async fn record_assertion_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let sql =
            "INSERT INTO client_assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, $3)";
        let inserted = on_writer!(self, |pool| sqlx::query(sql)
            .bind(client_id)
            .bind(jti)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ()));
        match inserted.map_err(|e| unique_violation(e, "assertion jti")) {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(err) => Err(err),
        }
    }

    pub async fn delete_expired_assertion_jtis(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM client_assertion_jtis WHERE expires_at < $1";
        Ok(on_writer!(self, |pool| sqlx::query(sql)
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
