//! Signing keys on SQLite or PostgreSQL.

use super::{
    Database, SigningKey,
    pools::{on_pool, on_writer},
    unique_violation,
};
use crate::error::{StoreError, StoreResult};

impl Database {
    pub async fn create_key(&self, k: &SigningKey) -> StoreResult<()> {
        insert(self, k, false).await.map(|_| ())
    }

    /// Stores the first key of its algorithm; false if another instance stored one first.
    pub async fn create_first_key(&self, k: &SigningKey) -> StoreResult<bool> {
        // The partial unique index on (alg) WHERE first_of_alg = 1 lets one insert win
        // (migration 0010); the other sees a unique violation.
        match insert(self, k, true).await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// All keys, newest first.
    pub async fn list_keys(&self) -> StoreResult<Vec<SigningKey>> {
        let sql = "SELECT kid, alg, private_pem, created_at, activates_at FROM signing_keys \
                   ORDER BY created_at DESC, kid";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .fetch_all(pool)
            .await)?)
    }

    /// Returns whether a key was deleted.
    pub async fn delete_key(&self, kid: &str) -> StoreResult<bool> {
        let n = on_writer!(self, |pool| sqlx::query(
            "DELETE FROM signing_keys WHERE kid = $1"
        )
        .bind(kid)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Replaces the stored private key of `kid` if it is still `from` (sealing it at rest).
    /// Returns whether the row changed.
    pub async fn replace_private_pem(&self, kid: &str, from: &str, to: &str) -> StoreResult<bool> {
        // Conditional, so two instances sealing at once cannot overwrite each other's row.
        let sql = "UPDATE signing_keys SET private_pem = $3 WHERE kid = $1 AND private_pem = $2";
        let n = on_writer!(self, |pool| sqlx::query(sql)
            .bind(kid)
            .bind(from)
            .bind(to)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

async fn insert(db: &Database, k: &SigningKey, first_of_alg: bool) -> StoreResult<()> {
    let sql = "INSERT INTO signing_keys (kid, alg, private_pem, created_at, activates_at, \
               first_of_alg) VALUES ($1, $2, $3, $4, $5, $6)";
    on_writer!(db, |pool| sqlx::query(sql)
        .bind(&k.kid)
        .bind(&k.alg)
        .bind(&k.private_pem)
        .bind(k.created_at)
        .bind(k.activates_at)
        .bind(i32::from(first_of_alg))
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(|e| unique_violation(e, "signing key"))
}
