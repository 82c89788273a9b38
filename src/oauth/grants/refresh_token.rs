//! The refresh-token grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700
//! §4.14.2): each refresh returns a new token of the same family and uses up the presented
//! one; presenting a used token again means it leaked, so the whole family is revoked.

use crate::{
    error::{OAuthError, StoreResult},
    oauth::{
        issue::{self, Grant, RefreshIssue, TokenResponse},
        params::Params,
        scope,
    },
    state::AppState,
    store::{Client, RefreshToken, RefreshTokenStore},
    tokens::opaque,
};

pub const GRANT_TYPE: &str = "refresh_token";

pub async fn refresh(
    state: &AppState,
    client: &Client,
    params: &Params,
    ip: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let presented = params.require("refresh_token")?;
    let hash = opaque::hash(presented);
    let now = state.clock.now();
    let invalid = || OAuthError::invalid_grant("The refresh token is invalid, expired or revoked.");

    let token = state
        .db
        .get_refresh_token(&hash)
        .await?
        .ok_or_else(invalid)?;
    // RFC 6749 §6: the token is bound to the client it was issued to.
    if token.client_id != client.id || token.revoked_at.is_some() || token.expires_at <= now {
        return Err(invalid());
    }
    if token.used_at.is_some() {
        revoke_for_reuse(state, &token, now).await?;
        return Err(invalid());
    }
    // RFC 9700 §4.14.2: once any member of the family is revoked, no member refreshes. A
    // token minted by a rotation that raced with the revocation is revoked now too.
    if state.db.is_family_revoked(&token.family_id).await? {
        state.db.revoke_family(&token.family_id, now).await?;
        return Err(invalid());
    }
    // A narrower scope is allowed for the new access token, a wider one never (§6).
    let granted = match params.get("scope") {
        None => token.scope.clone(),
        Some(requested) => narrow(&token.scope, requested)?,
    };
    // Only one of concurrent refreshes with the same token wins; the others are reuse.
    let Some(token) = state.db.use_refresh_token(&hash, now).await? else {
        revoke_for_reuse(state, &token, now).await?;
        return Err(invalid());
    };
    let Some(user) = super::active_user(&state.db, &token.user_id, token.auth_time).await? else {
        state.db.revoke_family(&token.family_id, now).await?;
        tracing::warn!(target: "usher::security", family = %token.family_id,
            "refresh for an account that can no longer sign in; family revoked");
        return Err(invalid());
    };
    let grant = Grant {
        client,
        user: &user,
        scope: &granted,
        auth_time: token.auth_time,
        // The sign-in's own methods; rows from before `amr` was kept were password sign-ins.
        amr: token.amr.as_deref().unwrap_or("pwd"),
        device_authorization_id: token.device_authorization_id.as_deref(),
        nonce: None,
        refresh: RefreshIssue::Rotate {
            family_id: &token.family_id,
            scope: &token.scope,
        },
        ip,
        device: None,
    };
    issue::issue_tokens(state, &grant, now).await
}

async fn revoke_for_reuse(state: &AppState, token: &RefreshToken, now: i64) -> StoreResult<()> {
    let revoked = state.db.revoke_family(&token.family_id, now).await?;
    tracing::warn!(
        target: "usher::security",
        family = %token.family_id,
        client_id = %token.client_id,
        user_id = %token.user_id,
        revoked,
        "refresh token reused: the whole token family is revoked"
    );
    Ok(())
}

fn narrow(original: &str, requested: &str) -> Result<String, OAuthError> {
    let requested: Vec<&str> = requested.split(' ').filter(|s| !s.is_empty()).collect();
    if let Some(extra) = requested.iter().find(|s| !scope::contains(original, s)) {
        return Err(OAuthError::invalid_scope(format!(
            "The scope '{extra}' was not granted originally; a refresh cannot widen the scope."
        )));
    }
    Ok(original
        .split_whitespace()
        .filter(|s| requested.contains(s))
        .collect::<Vec<_>>()
        .join(" "))
}
