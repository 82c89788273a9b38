//! Refresh tokens on SQLite or PostgreSQL.

use std::sync::LazyLock;

use super::{
    Database, RefreshRead, RefreshToken, User,
    pools::{on_pool, on_writer},
};
use crate::error::StoreResult;

const COLUMNS: &str = "token_hash, family_id, client_id, user_id, scope, device_authorization_id, \
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
fn family_ended(f: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM refresh_tokens x WHERE x.family_id = {f} \
         AND x.revoked_at IS NOT NULL) \
         OR EXISTS (SELECT 1 FROM linked_devices l WHERE l.id = {f} \
         AND l.signed_out_at IS NOT NULL))"
    )
}

/// The refresh grant's one read (`read_refresh_token`): the token, whether its family
/// ended, and its account (LEFT JOIN: NULL columns when the account is gone).
static READ_FOR_REFRESH: LazyLock<String> = LazyLock::new(|| {
    let token = COLUMNS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {token}, {} AS family_ended, u.username AS user_username, \
         u.password_hash AS user_password_hash, u.name AS user_name, u.email AS user_email, \
         u.email_verified AS user_email_verified, u.disabled AS user_disabled, \
         u.created_at AS user_created_at, u.password_changed_at AS user_password_changed_at \
         FROM refresh_tokens r LEFT JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1",
        family_ended("r.family_id")
    )
});

static IS_FAMILY_REVOKED: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {}", family_ended("$1")));

/// A row of `READ_FOR_REFRESH`.
#[derive(sqlx::FromRow)]
struct RefreshReadRow {
    #[sqlx(flatten)]
    token: RefreshToken,
    family_ended: bool,
    user_username: Option<String>,
    user_password_hash: Option<String>,
    user_name: Option<String>,
    user_email: Option<String>,
    user_email_verified: Option<bool>,
    user_disabled: Option<bool>,
    user_created_at: Option<i64>,
    user_password_changed_at: Option<i64>,
}

impl From<RefreshReadRow> for RefreshRead {
    fn from(row: RefreshReadRow) -> RefreshRead {
        // Every column of `users` is NOT NULL but `name` and `email`: these are all set
        // when the join found the account.
        let user = match (
            row.user_username,
            row.user_password_hash,
            row.user_email_verified,
            row.user_disabled,
            row.user_created_at,
            row.user_password_changed_at,
        ) {
            (
                Some(username),
                Some(password_hash),
                Some(email_verified),
                Some(disabled),
                Some(created_at),
                Some(password_changed_at),
            ) => Some(User {
                id: row.token.user_id.clone(),
                username,
                password_hash,
                name: row.user_name,
                email: row.user_email,
                email_verified,
                disabled,
                created_at,
                password_changed_at,
            }),
            _ => None,
        };
        RefreshRead {
            token: row.token,
            family_ended: row.family_ended,
            user,
        }
    }
}

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

    /// The token with whether its family ended and its account, in one statement: the
    /// refresh grant's only read before its transaction (it was three).
    pub async fn read_refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshRead>> {
        let row: Option<RefreshReadRow> =
            on_pool!(self, |pool| sqlx::query_as(READ_FOR_REFRESH.as_str())
                .bind(token_hash)
                .fetch_optional(pool)
                .await)?;
        Ok(row.map(RefreshRead::from))
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
