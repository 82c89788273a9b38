//! Token revocation (RFC 7009). Revoking a refresh token revokes its whole family and so
//! the access tokens issued with it (§2.1 allows that); revoking an access token revokes
//! that token only. Unknown or invalid tokens are not an error (§2.2).

use crate::{
    error::OAuthError,
    oauth::audit::{self, AuditEvent, RevokedBecause},
    oauth::params::Params,
    oauth::provider::Provider,
    store::Client,
    tokens::{jwt::AccessTokenClaims, opaque},
};

pub async fn revoke(state: &Provider, client: &Client, params: &Params) -> Result<(), OAuthError> {
    let token = params.require("token")?;
    let now = state.clock.now();
    // The hint only orders the look-ups (§2.1); both kinds are tried.
    let access_first = params.get("token_type_hint") == Some("access_token");
    if access_first {
        if revoke_access_token(state, client, token).await? {
            return Ok(());
        }
        revoke_refresh_token(state, client, token, now).await?;
    } else if !revoke_refresh_token(state, client, token, now).await? {
        revoke_access_token(state, client, token).await?;
    }
    Ok(())
}

/// Returns whether `token` was one of our refresh tokens. A token of another client is
/// left alone, and the answer is the same, so a client learns nothing about others' tokens.
async fn revoke_refresh_token(
    state: &Provider,
    client: &Client,
    token: &str,
    now: i64,
) -> Result<bool, OAuthError> {
    let Some(refresh) = state.db.get_refresh_token(&opaque::hash(token)).await? else {
        return Ok(false);
    };
    if refresh.client_id == client.id {
        state.db.revoke_family(&refresh.family_id, now).await?;
        tracing::info!(client_id = %client.id, family = %refresh.family_id, "refresh token family revoked");
        let event = AuditEvent::TokenFamilyRevoked {
            family_id: refresh.family_id.clone(),
            user_id: refresh.user_id.clone(),
            client_id: client.id.clone(),
            reason: RevokedBecause::RevokedByClient,
        };
        audit::record(&state.db, event, now).await;
    }
    Ok(true)
}

async fn revoke_access_token(
    state: &Provider,
    client: &Client,
    token: &str,
) -> Result<bool, OAuthError> {
    // An already expired token needs no revocation: verifying at `iat`-time is not needed.
    let Ok(claims) = state.keys.current().verify::<AccessTokenClaims>(
        token,
        "at+jwt",
        &state.config.issuer,
        state.clock.now(),
    ) else {
        return Ok(false);
    };
    if claims.client_id == client.id {
        state
            .db
            .revoke_access_token(&claims.jti, claims.exp)
            .await?;
        tracing::info!(client_id = %client.id, jti = %claims.jti, "access token revoked");
    }
    Ok(true)
}
