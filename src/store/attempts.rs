//! Attempt counters on SQLite or PostgreSQL: the guessing budgets' counters, shared by
//! every instance on the database (`oauth/throttle.rs` decides what they mean).

use super::{
    Database,
    pools::{on_pool, on_writer},
};
use crate::error::StoreResult;

const COLUMNS: &str = "key, window_start, count, last_at, expires_at";

/// One budget's counter: attempts since `window_start`, the latest at `last_at`; forgotten
/// at `expires_at`. `key` is a hash (`oauth::throttle::Budget::key`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptCounter {
    pub key: String,
    pub window_start: i64,
    pub count: i64,
    pub last_at: i64,
    pub expires_at: i64,
}

/// Counters of the guessing budgets (sign-in, user codes, pairing codes), shared by every
/// instance on the database (`oauth/throttle.rs`, docs/security.md).
impl Database {
    /// The counters of these keys that exist (expired ones included).
    pub async fn get_attempt_counters(&self, keys: &[String]) -> StoreResult<Vec<AttemptCounter>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM attempt_counters WHERE key IN ({})",
            placeholders.join(", ")
        );
        Ok(on_pool!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for key in keys {
                query = query.bind(key);
            }
            query.fetch_all(pool).await
        })?)
    }

    /// Writes `next` if the row is still `prev` (`None`: absent). Returns whether it was
    /// written; false means another attempt changed it first.
    pub async fn swap_attempt_counter(
        &self,
        prev: Option<&AttemptCounter>,
        next: &AttemptCounter,
    ) -> StoreResult<bool> {
        // A compare-and-swap rather than a blind increment: the caller decided from `prev`
        // whether the attempt may go ahead, so the write must fail if another attempt (on
        // any instance) changed the row meanwhile; the caller then reads and decides again.
        let written = match prev {
            None => {
                let sql = format!(
                    "INSERT INTO attempt_counters ({COLUMNS}) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (key) DO NOTHING"
                );
                on_writer!(self, |pool| sqlx::query(&sql)
                    .bind(&next.key)
                    .bind(next.window_start)
                    .bind(next.count)
                    .bind(next.last_at)
                    .bind(next.expires_at)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()))?
            }
            Some(prev) => {
                let sql = "UPDATE attempt_counters \
                           SET window_start = $2, count = $3, last_at = $4, expires_at = $5 \
                           WHERE key = $1 AND window_start = $6 AND count = $7 AND last_at = $8";
                on_writer!(self, |pool| sqlx::query(sql)
                    .bind(&next.key)
                    .bind(next.window_start)
                    .bind(next.count)
                    .bind(next.last_at)
                    .bind(next.expires_at)
                    .bind(prev.window_start)
                    .bind(prev.count)
                    .bind(prev.last_at)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()))?
            }
        };
        Ok(written == 1)
    }

    pub async fn delete_attempt_counter(&self, key: &str) -> StoreResult<()> {
        let sql = "DELETE FROM attempt_counters WHERE key = $1";
        on_writer!(self, |pool| sqlx::query(sql)
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Deletes counters forgotten at or before `now`. Returns how many.
    pub async fn delete_expired_attempt_counters(&self, now: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM attempt_counters WHERE expires_at <= $1";
        Ok(on_writer!(self, |pool| sqlx::query(sql)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
