//! The authorization-code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.5–4.6).
//! A code is used once; a code presented again means it leaked, so what was issued for it
//! is revoked (§4.1.2).

use crate::{
    error::{OAuthError, StoreResult},
    oauth::{
        issue::{self, Grant, RefreshIssue, TokenResponse},
        linked_devices,
        params::Params,
        pkce,
    },
    state::AppState,
    store::{AccessTokenRevocationStore, AuthorizationCode, AuthorizationCodeStore, Client},
    tokens::opaque,
};

pub use crate::oauth::authorize::GRANT_TYPE;

pub async fn redeem_code(
    state: &AppState,
    client: &Client,
    params: &Params,
    ip: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let code_hash = opaque::hash(params.require("code")?);
    let now = state.clock.now();
    let invalid =
        || OAuthError::invalid_grant("The authorization code is invalid, expired or used.");

    let Some(code) = state.db.use_authorization_code(&code_hash, now).await? else {
        if let Some(replayed) = state.db.get_authorization_code(&code_hash).await?
            && replayed.used_at.is_some()
        {
            revoke_issued(state, &replayed, now).await?;
        }
        return Err(invalid());
    };
    // §4.1.3: issued to this client, for this redirect URI.
    if code.client_id != client.id || params.get("redirect_uri") != Some(code.redirect_uri.as_str())
    {
        return Err(invalid());
    }
    match (&code.code_challenge, params.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if pkce::verify(verifier, challenge) => {}
        (None, None) => {}
        _ => {
            return Err(OAuthError::invalid_grant(
                "The PKCE code_verifier does not match.",
            ));
        }
    }
    let Some(user) = super::active_user(&state.db, &code.user_id, code.auth_time).await? else {
        return Err(OAuthError::invalid_grant(
            "The account can no longer sign in.",
        ));
    };
    let grant = Grant {
        client,
        user: &user,
        scope: &code.scope,
        auth_time: code.auth_time,
        amr: &code.amr,
        device_authorization_id: None,
        nonce: code.nonce.as_deref(),
        refresh: RefreshIssue::NewFamily,
        ip,
        device: None,
    };
    let tokens = issue::issue_tokens(state, &grant, now).await?;
    let issued = &tokens.issued;
    state
        .db
        .record_issued(
            &code_hash,
            Some(issued.family_id.as_str()),
            &issued.access_token_jti,
            issued.access_token_expires_at,
        )
        .await?;
    Ok(tokens)
}

async fn revoke_issued(state: &AppState, code: &AuthorizationCode, now: i64) -> StoreResult<()> {
    if let Some(family) = &code.refresh_family_id {
        // Signs the linked device out: its refresh tokens and access tokens stop.
        linked_devices::sign_out(&state.db, family, now).await?;
    }
    if let (Some(jti), Some(exp)) = (&code.access_token_jti, code.access_token_expires_at) {
        state.db.revoke_access_token(jti, exp).await?;
    }
    tracing::warn!(target: "usher::security", client_id = %code.client_id,
        "authorization code replayed: the tokens issued for it are revoked");
    Ok(())
}
