//! The columns of a refresh token's row and its INSERT, shared by the store's methods
//! (`refresh_tokens.rs`), code redemptions (`redemptions.rs`) and rotations
//! (`rotations.rs`). Imports nothing of the store, so that none of them loops back.

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

/// Binds a `RefreshToken` to `insert_sql()` (`insert_sql`, `insert_sql_at`).
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
