//! Token introspection for resource servers (RFC 7662). Only confidential clients may ask;
//! any token that is not active is answered with exactly `{"active": false}` (§2.2), so
//! nothing about expired, revoked or foreign tokens leaks.

use serde_json::{Value, json};

use crate::{
    error::OAuthError,
    oauth::provider::Provider,
    oauth::{access_token, accounts, params::Params},
    store::Client,
    tokens::opaque,
};

pub async fn introspect(
    state: &Provider,
    client: &Client,
    params: &Params,
) -> Result<Value, OAuthError> {
    if !client.is_confidential() {
        return Err(OAuthError::invalid_client(
            "Introspection is for resource servers: authenticate as a confidential client.",
        ));
    }
    let token = params.require("token")?;
    if let Some((claims, user)) = access_token::validate(state, token).await? {
        return Ok(json!({
            "active": true,
            "token_type": "Bearer",
            "scope": claims.scope,
            "client_id": claims.client_id,
            "sub": claims.sub,
            "username": user.username,
            "exp": claims.exp,
            "iat": claims.iat,
            "iss": claims.iss,
            "aud": claims.aud,
            "jti": claims.jti,
        }));
    }
    let now = state.clock.now();
    if let Some(refresh) = state.db.get_refresh_token(&opaque::hash(token)).await? {
        let usable =
            refresh.revoked_at.is_none() && refresh.used_at.is_none() && refresh.expires_at > now;
        if usable
            && let Ok(user) =
                accounts::active_account(&state.db, &refresh.user_id, refresh.auth_time).await?
        {
            return Ok(json!({
                "active": true,
                "token_type": "refresh_token",
                "scope": refresh.scope,
                "client_id": refresh.client_id,
                "sub": refresh.user_id,
                "username": user.username,
                "exp": refresh.expires_at,
                "iat": refresh.created_at,
                "iss": state.config.issuer,
            }));
        }
    }
    Ok(json!({"active": false}))
}
