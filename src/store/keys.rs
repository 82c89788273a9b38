//! `KeyStore` on SQLite or PostgreSQL.

use async_trait::async_trait;

use super::{Database, KeyStore, SigningKey, database::on_pool, unique_violation};
use crate::error::StoreResult;

#[async_trait]
impl KeyStore for Database {
    async fn create_key(&self, k: &SigningKey) -> StoreResult<()> {
        let sql =
            "INSERT INTO signing_keys (kid, alg, private_pem, created_at) VALUES ($1, $2, $3, $4)";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(&k.kid)
            .bind(&k.alg)
            .bind(&k.private_pem)
            .bind(k.created_at)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(|e| unique_violation(e, "key id"))
    }

    async fn list_keys(&self) -> StoreResult<Vec<SigningKey>> {
        let sql = "SELECT kid, alg, private_pem, created_at FROM signing_keys \
                   ORDER BY created_at DESC, kid";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .fetch_all(pool)
            .await)?)
    }

    async fn delete_key(&self, kid: &str) -> StoreResult<bool> {
        let n = on_pool!(self, |pool| sqlx::query(
            "DELETE FROM signing_keys WHERE kid = $1"
        )
        .bind(kid)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn replace_private_pem(&self, kid: &str, from: &str, to: &str) -> StoreResult<bool> {
        // Conditional, so two instances sealing at once cannot overwrite each other's row.
        let sql = "UPDATE signing_keys SET private_pem = $3 WHERE kid = $1 AND private_pem = $2";
        let n = on_pool!(self, |pool| sqlx::query(sql)
            .bind(kid)
            .bind(from)
            .bind(to)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
