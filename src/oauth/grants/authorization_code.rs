//! The authorization-code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.5–4.6).
//! A code is used once; a code presented again means it leaked, so what was issued for it
//! is revoked (§4.1.2).

use super::retry::{self, Presented};
use crate::{
    error::{OAuthError, StoreResult},
    oauth::audit::{self, AuditEvent, RevokedBecause},
    oauth::provider::Provider,
    oauth::{
        accounts,
        issue::{self, Grant, RefreshIssue, TokenResponse},
        linked_devices,
        params::Params,
        pkce,
    },
    store::{AuthorizationCode, Client, Redeemed, Redemption, RedemptionOutcome},
    tokens::{opaque, sealed::Purpose},
};

pub use crate::oauth::authorize::GRANT_TYPE;

fn invalid() -> OAuthError {
    OAuthError::invalid_grant("The authorization code is invalid, expired or used.")
}

pub async fn redeem_code(
    state: &Provider,
    client: &Client,
    params: &Params,
    ip: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let secret = params.require("code")?;
    let code_hash = opaque::hash(secret);
    let now = state.clock.now();
    let presented = Presented {
        purpose: Purpose::AuthorizationCode,
        secret,
        hash: &code_hash,
        client_id: &client.id,
    };

    let Some(code) = state.db.get_authorization_code(&code_hash).await? else {
        return Err(invalid());
    };
    if code.used_at.is_some() {
        return retried_or_replayed(state, params, &presented, &code, now).await;
    }
    if code.expires_at <= now {
        return Err(invalid());
    }
    // A code presented wrongly is used up all the same, so it cannot be tried again.
    let refused = |err: OAuthError| async {
        state.db.use_authorization_code(&code_hash, now).await?;
        Err(err)
    };
    if let Err(err) = matches_request(&client.id, params, &code) {
        return refused(err).await;
    }
    let Ok(user) = accounts::active_account(&state.db, &code.user_id, code.auth_time).await? else {
        return refused(OAuthError::invalid_grant(
            "The account can no longer sign in.",
        ))
        .await;
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
    let minted = issue::mint(&state.config, &state.keys, &grant, now)?;
    let sealed = retry::seal(
        &presented,
        &minted.response,
        now,
        state.config.redemption_retry_secs,
    )?;
    let issued = &minted.response.issued;
    let redemption = Redemption {
        // What was issued is recorded with the code, so a replay can revoke it.
        redeemed: Redeemed::AuthorizationCode {
            code_hash: &code_hash,
            refresh_family_id: Some(issued.family_id.as_str()),
            access_token_jti: &issued.access_token_jti,
            access_token_expires_at: issued.access_token_expires_at,
        },
        sealed: sealed.as_ref(),
        refresh_token: minted.refresh_token.as_ref(),
        link: &minted.link,
    };
    match state.db.redeem_and_issue(&redemption, now).await? {
        RedemptionOutcome::Redeemed => Ok(minted.response),
        // Another request used the code first: a retry of it, or a replay.
        RedemptionOutcome::Lost | RedemptionOutcome::SignedOut => {
            match state.db.get_authorization_code(&code_hash).await? {
                Some(code) if code.used_at.is_some() => {
                    retried_or_replayed(state, params, &presented, &code, now).await
                }
                _ => Err(invalid()),
            }
        }
    }
}

/// §4.1.3: issued to this client, for this redirect URI, with the PKCE verifier (RFC 7636
/// §4.6) of its challenge.
fn matches_request(
    client_id: &str,
    params: &Params,
    code: &AuthorizationCode,
) -> Result<(), OAuthError> {
    if code.client_id != client_id || params.get("redirect_uri") != Some(code.redirect_uri.as_str())
    {
        return Err(invalid());
    }
    match (&code.code_challenge, params.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if pkce::verify(verifier, challenge) => Ok(()),
        (None, None) => Ok(()),
        _ => Err(OAuthError::invalid_grant(
            "The PKCE code_verifier does not match.",
        )),
    }
}

/// A used code presented again. The same request within the retry window gets the same
/// answer (docs/integration.md, "Retries"); anything else means the code leaked, so what
/// was issued for it is revoked (§4.1.2).
async fn retried_or_replayed(
    state: &Provider,
    params: &Params,
    presented: &Presented<'_>,
    code: &AuthorizationCode,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    if matches_request(presented.client_id, params, code).is_ok()
        && let Some(answer) =
            retry::reopen(&state.db, presented, &code.user_id, code.auth_time, now).await?
    {
        return Ok(answer);
    }
    revoke_issued(state, code, now).await?;
    Err(invalid())
}

async fn revoke_issued(state: &Provider, code: &AuthorizationCode, now: i64) -> StoreResult<()> {
    if let Some(family) = &code.refresh_family_id {
        // Signs the linked device out: its refresh tokens and access tokens stop.
        linked_devices::sign_out(&state.db, family, now).await?;
        let event = AuditEvent::TokenFamilyRevoked {
            family_id: family.clone(),
            user_id: code.user_id.clone(),
            client_id: code.client_id.clone(),
            reason: RevokedBecause::CodeReplayed,
        };
        audit::record(&state.db, event, now).await;
    }
    if let (Some(jti), Some(exp)) = (&code.access_token_jti, code.access_token_expires_at) {
        state.db.revoke_access_token(jti, exp).await?;
    }
    tracing::warn!(target: "usher::security", client_id = %code.client_id,
        "authorization code replayed: the tokens issued for it are revoked");
    Ok(())
}
