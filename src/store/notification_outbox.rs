//! The notification outbox on SQLite or PostgreSQL: decision events waiting to be POSTed
//! to clients' notification endpoints. Rows survive restarts; any instance's worker may
//! claim them, and a claim is a lease so a crashed worker's rows come back.

use super::{
    Database,
    pools::{on_pool, on_writer},
};
use crate::error::StoreResult;

const COLUMNS: &str = "id, client_id, endpoint, event, device_authorization_id, subject, \
device_token, created_at, attempts, next_attempt_at_ms";

/// One decision event for one client's endpoint.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxNotification {
    /// Also the SET's `jti`: the same on every retry, so receivers can drop duplicates.
    pub id: String,
    pub client_id: String,
    pub endpoint: String,
    /// `approved` or `denied`.
    pub event: String,
    pub device_authorization_id: String,
    /// The approving user (on approval only).
    pub subject: Option<String>,
    pub device_token: Option<String>,
    /// When the decision was taken (the SET's `iat` and `toe`).
    pub created_at: i64,
    /// Attempts made so far, counting the one a claim starts.
    pub attempts: i64,
    pub next_attempt_at_ms: i64,
}

/// Decision events waiting for delivery to clients' notification endpoints
/// (docs/live-handoff.md).
impl Database {
    pub async fn enqueue_notification(&self, n: &OutboxNotification) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO notification_outbox ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        on_writer!(self, |pool| sqlx::query(&sql)
            .bind(&n.id)
            .bind(&n.client_id)
            .bind(&n.endpoint)
            .bind(&n.event)
            .bind(&n.device_authorization_id)
            .bind(&n.subject)
            .bind(&n.device_token)
            .bind(n.created_at)
            .bind(n.attempts)
            .bind(n.next_attempt_at_ms)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Claims up to `limit` due notifications for `lease_ms` and counts an attempt on each.
    /// Any number of instances may call this at once; each row goes to one of them.
    pub async fn claim_notifications(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxNotification>> {
        // The claim conditions are repeated on the outer UPDATE: PostgreSQL re-checks them
        // on a row another instance updated meanwhile, so two workers never both win a row.
        // (SQLite has a single writer.) Works without `FOR UPDATE SKIP LOCKED`, which SQLite
        // lacks, so both databases run the same SQL.
        let sql = format!(
            "UPDATE notification_outbox \
             SET claimed_until_ms = $1, attempts = attempts + 1 \
             WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at_ms <= $2 \
             AND (claimed_until_ms IS NULL OR claimed_until_ms <= $2) \
             AND id IN (SELECT id FROM notification_outbox \
                 WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at_ms <= $2 \
                 AND (claimed_until_ms IS NULL OR claimed_until_ms <= $2) \
                 ORDER BY next_attempt_at_ms LIMIT $3) \
             RETURNING {COLUMNS}"
        );
        Ok(on_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(now_ms + lease_ms)
            .bind(now_ms)
            .bind(limit)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn mark_notification_delivered(&self, id: &str, now: i64) -> StoreResult<()> {
        on_writer!(self, |pool| sqlx::query(
            "UPDATE notification_outbox \
             SET delivered_at = $1, claimed_until_ms = NULL, last_error = NULL WHERE id = $2"
        )
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `retry_at_ms`, or given up when `None`.
    pub async fn mark_notification_failed(
        &self,
        id: &str,
        error: &str,
        retry_at_ms: Option<i64>,
        now: i64,
    ) -> StoreResult<()> {
        let sql = match retry_at_ms {
            Some(_) => {
                "UPDATE notification_outbox \
                 SET last_error = $1, next_attempt_at_ms = $2, claimed_until_ms = NULL \
                 WHERE id = $3"
            }
            None => {
                "UPDATE notification_outbox \
                 SET last_error = $1, failed_at = $2, claimed_until_ms = NULL WHERE id = $3"
            }
        };
        on_writer!(self, |pool| sqlx::query(sql)
            .bind(error)
            .bind(retry_at_ms.unwrap_or(now))
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn notification_state(&self, id: &str) -> StoreResult<Option<NotificationState>> {
        Ok(on_pool!(self, |pool| sqlx::query_as(
            "SELECT attempts, delivered_at, failed_at, last_error \
             FROM notification_outbox WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?)
    }

    /// Deletes notifications delivered or given up before `before`.
    pub async fn delete_finished_notifications(&self, before: i64) -> StoreResult<u64> {
        Ok(on_writer!(self, |pool| sqlx::query(
            "DELETE FROM notification_outbox WHERE delivered_at < $1 OR failed_at < $1"
        )
        .bind(before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
    }
}

/// How delivery of one notification went so far (for operators and tests).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationState {
    pub attempts: i64,
    pub delivered_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub last_error: Option<String>,
}
