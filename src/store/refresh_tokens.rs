//! Refresh tokens on SQLite or PostgreSQL.

use std::sync::LazyLock;

use super::{
    Database, RefreshToken,
    pools::{on_pool, on_writer},
};
use crate::error::StoreResult;

pub(super) const COLUMNS: &str = "token_hash, family_id, client_id, user_id, scope, device_authorization_id, \
auth_time, created_at, expires_at, revoked_at, used_at, amr";

/// Inserts a refresh token (bind it with `bind_refresh_token!`). A token of a family that is
/// already revoked is born revoked: a rotation that raced with reuse detection answers, but
/// adds no live token (RFC 9700 §4.14.2). A revocation that still slips past this insert on
/// PostgreSQL is caught when the token is presented: a family with any revoked member no
/// longer refreshes (`grants/refresh_token.rs`).
pub(super) fn insert_sql() -> String {
    insert_sql_at(1, "TRUE")
}

/// `insert_sql()` with its twelve placeholders numbered from `$first`, inserting only
/// `when` (an SQL condition) holds: a part of a larger statement (`rotations.rs`).
pub(super) fn insert_sql_at(first: usize, when: &str) -> String {
    let p: Vec<String> = (first..first + 12).map(|n| format!("${n}")).collect();
    format!(
        "INSERT INTO refresh_tokens ({COLUMNS}) \
         SELECT {}, {}, {}, {}, {}, {}, {}, {}, {}, \
         CASE WHEN EXISTS (SELECT 1 FROM refresh_tokens \
         WHERE family_id = {} AND revoked_at IS NOT NULL) THEN {} ELSE {} END, {}, {} \
         WHERE {when}",
        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[1], p[7], p[9], p[10], p[11]
    )
}

/// Binds a `RefreshToken` to `insert_sql()` or `insert_sql_at` (also in `redemptions.rs` and `rotations.rs`).
macro_rules! bind_refresh_token {
    ($query:expr, $t:expr) => {
        $query
            .bind(&$t.token_hash)
            .bind(&$t.family_id)
            .bind(&$t.client_id)
            .bind(&$t.user_id)
            .bind(&$t.scope)
            .bind(&$t.device_authorization_id)
            .bind($t.auth_time)
            .bind($t.created_at)
            .bind($t.expires_at)
            .bind($t.revoked_at)
            .bind($t.used_at)
            .bind(&$t.amr)
    };
}
pub(super) use bind_refresh_token;

/// Whether the family `f` (a column or a placeholder) ended: any of its refresh tokens
/// revoked (then all are; the partial index of migration 0016 finds one in a lookup), or
/// its linked device signed out.
pub(super) fn family_ended(f: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM refresh_tokens x WHERE x.family_id = {f} \
         AND x.revoked_at IS NOT NULL) \
         OR EXISTS (SELECT 1 FROM linked_devices l WHERE l.id = {f} \
         AND l.signed_out_at IS NOT NULL))"
    )
}

static IS_FAMILY_REVOKED: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {}", family_ended("$1")));

impl Database {
    /// Adds a token; revoked from the start when its family already is.
    pub async fn create_refresh_token(&self, t: &RefreshToken) -> StoreResult<()> {
        let sql = insert_sql();
        on_writer!(self, |pool| bind_refresh_token!(sqlx::query(&sql), t)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn get_refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshToken>> {
        let sql = format!("SELECT {COLUMNS} FROM refresh_tokens WHERE token_hash = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(token_hash)
            .fetch_optional(pool)
            .await)?)
    }

    /// Marks an unused, unrevoked, unexpired token used and returns it. Exactly one of any
    /// number of concurrent callers gets `Some` (rotation, RFC 9700 §4.14.2).
    pub async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<RefreshToken>> {
        // One conditional UPDATE: of racing refreshes with the same token only one wins.
        let sql = format!(
            "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $2 RETURNING {COLUMNS}"
        );
        Ok(on_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await)?)
    }

    /// Whether the family ended: any of its refresh tokens revoked (then all are), or its
    /// linked device signed out.
    pub async fn is_family_revoked(&self, family_id: &str) -> StoreResult<bool> {
        // One round trip for both ways a family ends: a revoked refresh token (revocation,
        // reuse detection) or its linked device signed out (also sign-ins without refresh).
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            IS_FAMILY_REVOKED.as_str()
        )
        .bind(family_id)
        .fetch_one(pool)
        .await)?)
    }

    /// Revokes every token of a family. Returns how many were newly revoked.
    pub async fn revoke_family(&self, family_id: &str, now: i64) -> StoreResult<u64> {
        // A revoked family's sealed answers (kept for a retry) go with it.
        let sql = "UPDATE refresh_tokens SET revoked_at = $1, sealed_response = NULL, \
                   sealed_until = NULL WHERE family_id = $2 AND revoked_at IS NULL";
        let revoked = on_writer!(self, |pool| sqlx::query(sql)
            .bind(now)
            .bind(family_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        // Its access tokens stop too (`oauth::token_view`).
        super::revoked_access_tokens::revocation_written();
        Ok(revoked?)
    }
}
