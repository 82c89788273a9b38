//! `ClientStore` on SQLite or PostgreSQL.

use async_trait::async_trait;

use super::{Client, ClientStore, Database, database::on_pool, unique_violation};
use crate::error::StoreResult;

const COLUMNS: &str = "id, name, secret_hash, allowed_scopes, grant_types, redirect_uris, \
post_logout_redirect_uris, device_code_lifetime_secs, created_at, signing_alg, \
access_token_lifetime_secs, id_token_lifetime_secs, refresh_token_lifetime_secs, logo_uri, \
token_endpoint_auth_method, jwks, user_code_format, user_code_length, notification_endpoint, web_origins";

#[async_trait]
impl ClientStore for Database {
    async fn create_client(&self, c: &Client) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO clients ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
        );
        on_pool!(self, |pool| sqlx::query(&sql)
            .bind(&c.id)
            .bind(&c.name)
            .bind(&c.secret_hash)
            .bind(&c.allowed_scopes)
            .bind(&c.grant_types)
            .bind(&c.redirect_uris)
            .bind(&c.post_logout_redirect_uris)
            .bind(c.device_code_lifetime_secs)
            .bind(c.created_at)
            .bind(&c.signing_alg)
            .bind(c.access_token_lifetime_secs)
            .bind(c.id_token_lifetime_secs)
            .bind(c.refresh_token_lifetime_secs)
            .bind(&c.logo_uri)
            .bind(&c.token_endpoint_auth_method)
            .bind(&c.jwks)
            .bind(&c.user_code_format)
            .bind(c.user_code_length)
            .bind(&c.notification_endpoint)
            .bind(&c.web_origins)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(|e| unique_violation(e, "client id"))
    }

    async fn get_client(&self, id: &str) -> StoreResult<Option<Client>> {
        let sql = format!("SELECT {COLUMNS} FROM clients WHERE id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    async fn list_clients(&self) -> StoreResult<Vec<Client>> {
        let sql = format!("SELECT {COLUMNS} FROM clients ORDER BY id");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .fetch_all(pool)
            .await)?)
    }

    async fn update_client(&self, c: &Client) -> StoreResult<bool> {
        // Only what `usher client update` changes; the rest stays as registered.
        let done = on_pool!(self, |pool| sqlx::query(
            "UPDATE clients SET web_origins = $2 WHERE id = $1"
        )
        .bind(&c.id)
        .bind(&c.web_origins)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    async fn delete_client(&self, id: &str) -> StoreResult<bool> {
        let done = on_pool!(self, |pool| sqlx::query(
            "DELETE FROM clients WHERE id = $1"
        )
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }
}
