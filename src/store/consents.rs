//! Consents on SQLite or PostgreSQL.

use super::{
    Consent, Database,
    pools::{on_pool, on_writer},
};
use crate::error::StoreResult;

impl Database {
    pub async fn get_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<Consent>> {
        let sql = "SELECT user_id, client_id, scope, granted_at FROM consents \
                   WHERE user_id = $1 AND client_id = $2";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(user_id)
            .bind(client_id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Remembers (or replaces) the scope a user granted a client.
    pub async fn save_consent(&self, c: &Consent) -> StoreResult<()> {
        let sql = "INSERT INTO consents (user_id, client_id, scope, granted_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (user_id, client_id) DO UPDATE SET scope = $3, granted_at = $4";
        on_writer!(self, |pool| sqlx::query(sql)
            .bind(&c.user_id)
            .bind(&c.client_id)
            .bind(&c.scope)
            .bind(c.granted_at)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn list_consents(&self, user_id: &str) -> StoreResult<Vec<Consent>> {
        let sql = "SELECT user_id, client_id, scope, granted_at FROM consents \
                   WHERE user_id = $1 ORDER BY client_id";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(user_id)
            .fetch_all(pool)
            .await)?)
    }

    /// Returns whether a consent was withdrawn.
    pub async fn withdraw_consent(&self, user_id: &str, client_id: &str) -> StoreResult<bool> {
        let sql = "DELETE FROM consents WHERE user_id = $1 AND client_id = $2";
        let n = on_writer!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(client_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
