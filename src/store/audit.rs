//! The audit log's rows (migration 0019, docs/audit.md) on SQLite or PostgreSQL. What goes
//! in a row, and that nothing secret does, is `oauth::audit`'s concern; this file only
//! stores, lists and forgets rows.

use serde::Serialize;

use super::{
    Database,
    pools::{on_pool, on_writer},
};
use crate::error::StoreResult;

/// A row to write. `device` and `detail` are JSON objects as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub at: i64,
    pub kind: String,
    /// `success` or `failure`.
    pub outcome: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    /// The address the action came from (a browser, a device), when there was one.
    pub ip: Option<String>,
    pub device: Option<String>,
    pub detail: Option<String>,
}

/// A stored row, with the username of `user_id` if that account still exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditRecord {
    /// Increasing: orders events of the same second.
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub outcome: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub client_id: Option<String>,
    pub ip: Option<String>,
    pub device: Option<String>,
    pub detail: Option<String>,
}

/// Which rows to list, newest first. Each filter is optional; `limit` is required so a
/// listing never reads the whole table by accident.
#[derive(Debug, Clone, Copy)]
pub struct AuditFilter<'a> {
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    /// Only rows at or after this time.
    pub since: Option<i64>,
    pub limit: i64,
}

const SELECT: &str = "SELECT a.id, a.at, a.kind, a.outcome, a.user_id, u.username, \
a.client_id, a.ip, a.device, a.detail FROM audit_events a LEFT JOIN users u ON u.id = a.user_id";

impl Database {
    pub async fn insert_audit_event(&self, e: &NewAuditEvent) -> StoreResult<()> {
        let sql = "INSERT INTO audit_events \
                   (at, kind, outcome, user_id, client_id, ip, device, detail) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        on_writer!(self, |pool| sqlx::query(sql)
            .bind(e.at)
            .bind(&e.kind)
            .bind(&e.outcome)
            .bind(&e.user_id)
            .bind(&e.client_id)
            .bind(&e.ip)
            .bind(&e.device)
            .bind(&e.detail)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Rows matching `filter`, newest first. Only the filters given are in the SQL, so each
    /// query can use its index (`at`; `user_id, at`; `client_id, at`).
    pub async fn list_audit_events(
        &self,
        filter: &AuditFilter<'_>,
    ) -> StoreResult<Vec<AuditRecord>> {
        let mut conditions = Vec::new();
        let mut next = 0;
        let mut placeholder = |condition: &str| {
            next += 1;
            conditions.push(format!("{condition} ${next}"));
        };
        if filter.user_id.is_some() {
            placeholder("a.user_id =");
        }
        if filter.client_id.is_some() {
            placeholder("a.client_id =");
        }
        if filter.since.is_some() {
            placeholder("a.at >=");
        }
        let limit = next + 1;
        let sql = match conditions.is_empty() {
            true => format!("{SELECT} ORDER BY a.at DESC, a.id DESC LIMIT ${limit}"),
            false => format!(
                "{SELECT} WHERE {} ORDER BY a.at DESC, a.id DESC LIMIT ${limit}",
                conditions.join(" AND ")
            ),
        };
        Ok(on_pool!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            if let Some(user_id) = filter.user_id {
                query = query.bind(user_id);
            }
            if let Some(client_id) = filter.client_id {
                query = query.bind(client_id);
            }
            if let Some(since) = filter.since {
                query = query.bind(since);
            }
            query.bind(filter.limit.max(0)).fetch_all(pool).await
        })?)
    }

    /// Deletes rows older than `before` (the retention sweep). Returns how many.
    pub async fn delete_audit_events_before(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM audit_events WHERE at < $1";
        Ok(on_writer!(self, |pool| sqlx::query(sql)
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
