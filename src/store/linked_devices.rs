//! Linked devices on SQLite or PostgreSQL.

use super::{
    Database, LinkedDevice, LinkedDeviceListing,
    pools::{on_pool, on_writer},
    unique_violation,
};
use crate::error::StoreResult;

const COLUMNS: &str = "id, user_id, client_id, grant_type, device_authorization_id, device_name, \
device_model, device_os, device_app_version, user_agent, scope, linked_at, last_used_at, \
first_ip, last_ip, expires_at, signed_out_at";

/// Still signed in: not signed out, not expired, and its refresh family not revoked (by
/// the client at `/oauth2/revoke`, or by reuse detection).
const ACTIVE: &str = "l.signed_out_at IS NULL AND l.expires_at > $1 AND NOT EXISTS \
(SELECT 1 FROM refresh_tokens r WHERE r.family_id = l.id AND r.revoked_at IS NOT NULL)";

pub(super) fn insert_sql() -> String {
    format!(
        "INSERT INTO linked_devices ({COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
    )
}

/// Binds a `LinkedDevice` to `insert_sql()` (also used in `redemptions.rs`'s transaction).
macro_rules! bind_linked_device {
    ($query:expr, $d:expr) => {
        $query
            .bind(&$d.id)
            .bind(&$d.user_id)
            .bind(&$d.client_id)
            .bind(&$d.grant_type)
            .bind(&$d.device_authorization_id)
            .bind(&$d.device_name)
            .bind(&$d.device_model)
            .bind(&$d.device_os)
            .bind(&$d.device_app_version)
            .bind(&$d.user_agent)
            .bind(&$d.scope)
            .bind($d.linked_at)
            .bind($d.last_used_at)
            .bind(&$d.first_ip)
            .bind(&$d.last_ip)
            .bind($d.expires_at)
            .bind($d.signed_out_at)
    };
}
pub(super) use bind_linked_device;

/// A use of the family (a refresh); `$1` now, `$2` ip, `$3` expiry, `$4` id. Conditional on
/// not signed out: a refresh racing a sign-out learns it lost.
pub(super) const RECORD_USE: &str = "UPDATE linked_devices SET last_used_at = $1, \
last_ip = COALESCE($2, last_ip), \
expires_at = CASE WHEN expires_at > $3 THEN expires_at ELSE $3 END \
WHERE id = $4 AND signed_out_at IS NULL";

fn prefixed_columns() -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("l.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Database {
    /// Records a new sign-in (a token family). Fails with `Conflict` if the id exists.
    pub async fn record_link(&self, d: &LinkedDevice) -> StoreResult<()> {
        let sql = insert_sql();
        on_writer!(self, |pool| bind_linked_device!(sqlx::query(&sql), d)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(|e| unique_violation(e, "linked device"))
    }

    /// Notes a use of the family (a refresh): last used, last IP, and the new expiry.
    /// Returns false when the device was signed out (or is unknown).
    pub async fn record_use(
        &self,
        id: &str,
        now: i64,
        ip: Option<&str>,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let n = on_writer!(self, |pool| sqlx::query(RECORD_USE)
            .bind(now)
            .bind(ip)
            .bind(expires_at)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Devices still signed in at `now` (not signed out, not expired, family not revoked),
    /// of one user or of everyone, most recently used first.
    pub async fn list_linked_devices(
        &self,
        user_id: Option<&str>,
        now: i64,
    ) -> StoreResult<Vec<LinkedDeviceListing>> {
        let mut sql = format!(
            "SELECT {}, c.name AS client_name, u.username AS username FROM linked_devices l \
             JOIN clients c ON c.id = l.client_id JOIN users u ON u.id = l.user_id \
             WHERE {ACTIVE}",
            prefixed_columns()
        );
        if user_id.is_some() {
            sql.push_str(" AND l.user_id = $2");
        }
        sql.push_str(" ORDER BY l.last_used_at DESC, l.linked_at DESC, l.id");
        Ok(on_pool!(self, |pool| {
            let query = sqlx::query_as(&sql).bind(now);
            match user_id {
                Some(user_id) => query.bind(user_id).fetch_all(pool).await,
                None => query.fetch_all(pool).await,
            }
        })?)
    }

    pub async fn get_linked_device(&self, id: &str) -> StoreResult<Option<LinkedDevice>> {
        let sql = format!("SELECT {COLUMNS} FROM linked_devices WHERE id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Marks the device signed out. Returns false if it was already (or is unknown).
    pub async fn sign_out_linked_device(&self, id: &str, now: i64) -> StoreResult<bool> {
        let sql = "UPDATE linked_devices SET signed_out_at = $1 \
                   WHERE id = $2 AND signed_out_at IS NULL";
        let n = on_writer!(self, |pool| sqlx::query(sql)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        // Its access tokens stop too (`oauth::token_view`).
        super::revoked_access_tokens::revocation_written();
        Ok(n? == 1)
    }

    /// Deletes rows whose credentials all expired before `before`.
    pub async fn delete_expired_linked_devices(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM linked_devices WHERE expires_at < $1";
        Ok(on_writer!(self, |pool| sqlx::query(sql)
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
