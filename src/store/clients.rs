//! Clients on SQLite or PostgreSQL.
//!
//! Servers keep clients in memory (`oauth::clients::ClientView`), so every change must be
//! seen. Triggers (migration 0015) bump `clients_version` in the transaction of every insert,
//! update and delete, and on PostgreSQL send a NOTIFY on [`CLIENTS_CHANNEL`]: that covers
//! other processes (`usher client` beside a running server) and other instances. Writes made
//! through this process also count in [`local_client_writes`], so a view in this process
//! sees them as soon as the write returns. A new write method must call `wrote()`.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{
    Client, Database,
    pools::{on_pool, on_writer},
    unique_violation,
};
use crate::{
    config::ApprovalProof,
    error::{StoreError, StoreResult},
    protocol,
};

const COLUMNS: &str = "id, name, secret_hash, allowed_scopes, grant_types, redirect_uris, \
post_logout_redirect_uris, device_code_lifetime_secs, created_at, signing_alg, \
access_token_lifetime_secs, id_token_lifetime_secs, refresh_token_lifetime_secs, logo_uri, \
token_endpoint_auth_method, jwks, user_code_format, user_code_length, notification_endpoint, web_origins, \
previous_secret_hash, previous_secret_expires_at, require_mfa, approval_proof";

/// Every column but `id` (the key) and `created_at` (a client keeps its first registration
/// time: the poll tracker tells a re-created client from the old one by it).
const UPDATE: &str = "UPDATE clients SET name = $2, secret_hash = $3, allowed_scopes = $4, \
grant_types = $5, redirect_uris = $6, post_logout_redirect_uris = $7, \
device_code_lifetime_secs = $8, signing_alg = $9, access_token_lifetime_secs = $10, \
id_token_lifetime_secs = $11, refresh_token_lifetime_secs = $12, logo_uri = $13, \
token_endpoint_auth_method = $14, jwks = $15, user_code_format = $16, user_code_length = $17, \
notification_endpoint = $18, web_origins = $19, previous_secret_hash = $20, \
previous_secret_expires_at = $21, require_mfa = $22, approval_proof = $23 WHERE id = $1";

/// The INSERT: the columns in [`UPDATE`]'s parameter order, then `created_at` as `$24`, so
/// both statements bind through [`bind_client!`].
const INSERT: &str = "INSERT INTO clients (id, name, secret_hash, allowed_scopes, grant_types, \
redirect_uris, post_logout_redirect_uris, device_code_lifetime_secs, signing_alg, \
access_token_lifetime_secs, id_token_lifetime_secs, refresh_token_lifetime_secs, logo_uri, \
token_endpoint_auth_method, jwks, user_code_format, user_code_length, notification_endpoint, \
web_origins, previous_secret_hash, previous_secret_expires_at, require_mfa, approval_proof, \
created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
$18, $19, $20, $21, $22, $23, $24)";

/// `sql` ([`UPDATE`] or [`INSERT`]) bound to a client's values `$1`..`$23` (a macro: the
/// query type differs per database).
macro_rules! bind_client {
    ($sql:expr, $c:expr) => {{
        let c: &Client = $c;
        sqlx::query($sql)
            .bind(&c.id)
            .bind(&c.name)
            .bind(&c.secret_hash)
            .bind(&c.allowed_scopes)
            .bind(c.grant_types_text())
            .bind(&c.redirect_uris)
            .bind(&c.post_logout_redirect_uris)
            .bind(c.device_code_lifetime_secs)
            .bind(c.signing_alg.as_str())
            .bind(c.access_token_lifetime_secs)
            .bind(c.id_token_lifetime_secs)
            .bind(c.refresh_token_lifetime_secs)
            .bind(&c.logo_uri)
            .bind(c.token_endpoint_auth_method.map(|m| m.as_str()))
            .bind(&c.jwks)
            .bind(&c.user_code_format)
            .bind(c.user_code_length)
            .bind(&c.notification_endpoint)
            .bind(&c.web_origins)
            .bind(&c.previous_secret_hash)
            .bind(c.previous_secret_expires_at)
            .bind(c.require_mfa)
            .bind(c.approval_proof.map(|p| p.as_str()))
    }};
}

/// The PostgreSQL channel the `clients` trigger notifies on (migration 0015; empty payload).
pub const CLIENTS_CHANNEL: &str = "usher_clients";

/// Client writes made by this process since it started.
static LOCAL_WRITES: AtomicU64 = AtomicU64::new(0);

/// How many client writes this process has made: a view compares it on every lookup (one
/// atomic load), so a write here is never answered from a stale copy after it returned.
pub fn local_client_writes() -> u64 {
    LOCAL_WRITES.load(Ordering::Acquire)
}

/// Counts a write, once it is committed (or failed: a spurious drop of the view is harmless).
fn wrote() {
    LOCAL_WRITES.fetch_add(1, Ordering::AcqRel);
}

impl Database {
    /// Fails with `StoreError::Conflict("client id")` when the id is taken.
    pub async fn create_client(&self, c: &Client) -> StoreResult<()> {
        let done = on_writer!(self, |pool| bind_client!(INSERT, c)
            .bind(c.created_at)
            .execute(pool)
            .await
            .map(|_| ()));
        wrote();
        done.map_err(|e| unique_violation(e, "client id"))
    }

    pub async fn get_client(&self, id: &str) -> StoreResult<Option<Client>> {
        let sql = format!("SELECT {COLUMNS} FROM clients WHERE id = $1");
        let row: Option<ClientRow> = on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        row.map(Client::try_from).transpose()
    }

    pub async fn list_clients(&self) -> StoreResult<Vec<Client>> {
        let sql = format!("SELECT {COLUMNS} FROM clients ORDER BY id");
        let rows: Vec<ClientRow> =
            on_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?;
        rows.into_iter().map(Client::try_from).collect()
    }

    /// Saves every setting of `c` (all but its id and creation time). Returns whether the
    /// client exists. `change_client` is the safe read-modify-write.
    pub async fn update_client(&self, c: &Client) -> StoreResult<bool> {
        let done = on_writer!(self, |pool| bind_client!(UPDATE, c)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        wrote();
        Ok(done? == 1)
    }

    /// Reads client `id`, lets `change` edit (or refuse) it, and saves the result, in one
    /// transaction that no other client write can enter: two operators' changes never
    /// undo each other. `None`: no such client; `Some(Err(_))`: `change` refused and
    /// nothing was written.
    pub async fn change_client<E>(
        &self,
        id: &str,
        change: impl FnOnce(Client) -> Result<Client, E>,
    ) -> StoreResult<Option<Result<Client, E>>> {
        let select = format!("SELECT {COLUMNS} FROM clients WHERE id = $1");
        let done = on_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Every client write's trigger updates this row (migration 0015), so writing it
            // first takes SQLite's write lock or the PostgreSQL row lock before the read.
            sqlx::query("UPDATE clients_version SET version = version WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            let row: Option<ClientRow> = sqlx::query_as(&select)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            match change(Client::try_from(row)?) {
                Err(refused) => Ok::<_, StoreError>(Some(Err(refused))),
                Ok(changed) => {
                    debug_assert_eq!(changed.id, id, "a change keeps the client id");
                    bind_client!(UPDATE, &changed).execute(&mut *tx).await?;
                    tx.commit().await?;
                    Ok(Some(Ok(changed)))
                }
            }
        });
        wrote();
        done
    }

    /// The counter the `clients` triggers bump (migration 0015): a server on SQLite reads it
    /// about once a second to notice changes made by other processes.
    pub async fn clients_version(&self) -> StoreResult<i64> {
        let sql = "SELECT version FROM clients_version WHERE id = 1";
        let version: i64 = on_pool!(self, |pool| sqlx::query_scalar(sql).fetch_one(pool).await)?;
        Ok(version)
    }

    /// Returns whether a client was deleted.
    pub async fn delete_client(&self, id: &str) -> StoreResult<bool> {
        let done = on_writer!(self, |pool| sqlx::query(
            "DELETE FROM clients WHERE id = $1"
        )
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()));
        wrote();
        Ok(done? == 1)
    }
}

/// A `clients` row as stored: the protocol words as text, parsed into `Client`.
#[derive(sqlx::FromRow)]
struct ClientRow {
    id: String,
    name: String,
    secret_hash: Option<String>,
    allowed_scopes: String,
    grant_types: String,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    device_code_lifetime_secs: Option<i64>,
    created_at: i64,
    signing_alg: String,
    access_token_lifetime_secs: Option<i64>,
    id_token_lifetime_secs: Option<i64>,
    refresh_token_lifetime_secs: Option<i64>,
    logo_uri: Option<String>,
    token_endpoint_auth_method: Option<String>,
    jwks: Option<String>,
    notification_endpoint: Option<String>,
    user_code_format: String,
    user_code_length: Option<i64>,
    web_origins: Option<String>,
    previous_secret_hash: Option<String>,
    previous_secret_expires_at: Option<i64>,
    require_mfa: bool,
    approval_proof: Option<String>,
}

impl TryFrom<ClientRow> for Client {
    type Error = StoreError;

    /// A word that does not parse (a row written by hand or by a newer version) makes the
    /// client unusable rather than silently different.
    fn try_from(row: ClientRow) -> Result<Client, StoreError> {
        let corrupt =
            |err: protocol::UnknownWord| StoreError::Corrupt(format!("client '{}': {err}", row.id));
        let grant_types = protocol::split(&row.grant_types).map_err(corrupt)?;
        let signing_alg = row.signing_alg.parse().map_err(corrupt)?;
        let token_endpoint_auth_method = row
            .token_endpoint_auth_method
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(corrupt)?;
        let approval_proof = match row.approval_proof.as_deref() {
            None => None,
            Some(text) => Some(ApprovalProof::parse(text).ok_or_else(|| {
                StoreError::Corrupt(format!("client '{}': approval proof '{text}'", row.id))
            })?),
        };
        Ok(Client {
            id: row.id,
            name: row.name,
            secret_hash: row.secret_hash,
            allowed_scopes: row.allowed_scopes,
            grant_types,
            redirect_uris: row.redirect_uris,
            post_logout_redirect_uris: row.post_logout_redirect_uris,
            device_code_lifetime_secs: row.device_code_lifetime_secs,
            created_at: row.created_at,
            signing_alg,
            access_token_lifetime_secs: row.access_token_lifetime_secs,
            id_token_lifetime_secs: row.id_token_lifetime_secs,
            refresh_token_lifetime_secs: row.refresh_token_lifetime_secs,
            logo_uri: row.logo_uri,
            token_endpoint_auth_method,
            jwks: row.jwks,
            notification_endpoint: row.notification_endpoint,
            user_code_format: row.user_code_format,
            user_code_length: row.user_code_length,
            web_origins: row.web_origins,
            previous_secret_hash: row.previous_secret_hash,
            previous_secret_expires_at: row.previous_secret_expires_at,
            require_mfa: row.require_mfa,
            approval_proof,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ClientAuthMethod, GrantType, SigningAlg};

    fn row() -> ClientRow {
        ClientRow {
            id: "tv".into(),
            name: "TV".into(),
            secret_hash: None,
            allowed_scopes: "openid".into(),
            grant_types: "urn:ietf:params:oauth:grant-type:device_code refresh_token".into(),
            redirect_uris: String::new(),
            post_logout_redirect_uris: String::new(),
            device_code_lifetime_secs: None,
            created_at: 0,
            signing_alg: "ES256".into(),
            access_token_lifetime_secs: None,
            id_token_lifetime_secs: None,
            refresh_token_lifetime_secs: None,
            logo_uri: None,
            token_endpoint_auth_method: Some("private_key_jwt".into()),
            jwks: None,
            notification_endpoint: None,
            user_code_format: "letters".into(),
            user_code_length: None,
            web_origins: None,
            previous_secret_hash: None,
            previous_secret_expires_at: None,
            require_mfa: false,
            approval_proof: None,
        }
    }

    #[test]
    fn the_trigger_notifies_on_the_channel_servers_listen_to() {
        let migration = include_str!("../../migrations/postgres/0015_clients_version.sql");
        assert!(migration.contains(&format!("pg_notify('{CLIENTS_CHANNEL}', '')")));
    }

    #[test]
    fn stored_words_are_parsed() {
        let client = Client::try_from(row()).unwrap();
        assert_eq!(
            client.grant_types,
            [GrantType::DeviceCode, GrantType::RefreshToken]
        );
        assert_eq!(client.signing_alg, SigningAlg::ES256);
        assert_eq!(
            client.token_endpoint_auth_method,
            Some(ClientAuthMethod::PrivateKeyJwt)
        );
        assert_eq!(
            client.grant_types_text(),
            "urn:ietf:params:oauth:grant-type:device_code refresh_token"
        );
    }

    #[test]
    fn a_stored_word_that_does_not_parse_is_a_corrupt_record() {
        let bad_rows = [
            ClientRow {
                grant_types: "refresh_token password".into(),
                ..row()
            },
            ClientRow {
                signing_alg: "HS256".into(),
                ..row()
            },
            ClientRow {
                token_endpoint_auth_method: Some("tls_client_auth".into()),
                ..row()
            },
        ];
        for bad in bad_rows {
            match Client::try_from(bad) {
                Err(StoreError::Corrupt(message)) => {
                    assert!(message.starts_with("client 'tv': unknown "), "{message}")
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
