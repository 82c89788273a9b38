//! The refresh-token grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700
//! §4.14.2): each refresh returns a new token of the same family and uses up the presented
//! one; presenting a used token again means it leaked, so the whole family is revoked —
//! except the same client's retry within `refresh_token_retry_secs` (`retry.rs`), which
//! gets the answer it lost.

use super::retry::{self, Presented};
use crate::{
    error::{OAuthError, StoreResult},
    oauth::audit::{self, AuditEvent, RevokedBecause},
    oauth::provider::Provider,
    oauth::{
        accounts,
        issue::{self, Grant, RefreshIssue, TokenResponse},
        params::Params,
        scope,
    },
    store::{Client, LinkWrite, RedemptionOutcome, RefreshRead, RefreshToken, Rotation},
    tokens::{opaque, sealed::Purpose},
};

pub const GRANT_TYPE: &str = "refresh_token";

fn invalid() -> OAuthError {
    OAuthError::invalid_grant("The refresh token is invalid, expired or revoked.")
}

pub async fn refresh(
    state: &Provider,
    client: &Client,
    params: &Params,
    ip: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let secret = params.require("refresh_token")?;
    let hash = opaque::hash(secret);
    let now = state.clock.now();
    let presented = Presented {
        purpose: Purpose::RefreshToken,
        secret,
        hash: &hash,
        client_id: &client.id,
    };

    // One read: the token, whether its family ended, and its account.
    let Some(RefreshRead {
        token,
        family_ended,
        user,
    }) = state.db.read_refresh_token(&hash).await?
    else {
        return Err(invalid());
    };
    // RFC 6749 §6: the token is bound to the client it was issued to.
    if token.client_id != client.id || token.revoked_at.is_some() || token.expires_at <= now {
        return Err(invalid());
    }
    if token.used_at.is_some() {
        return retried_or_reused(state, &presented, &token, now).await;
    }
    // RFC 9700 §4.14.2: once any member of the family is revoked, no member refreshes. A
    // token minted by a rotation that raced with the revocation is revoked now too.
    if family_ended {
        state.db.revoke_family(&token.family_id, now).await?;
        return Err(invalid());
    }
    // A narrower scope is allowed for the new access token, a wider one never (§6).
    let granted = match params.get("scope") {
        None => token.scope.clone(),
        Some(requested) => narrow(&token.scope, requested)?,
    };
    let Ok(user) = accounts::check_active(user, token.auth_time) else {
        state.db.revoke_family(&token.family_id, now).await?;
        tracing::warn!(target: "usher::security", family = %token.family_id,
            "refresh for an account that can no longer sign in; family revoked");
        audit::record(
            &state.db,
            family_revoked(&token, RevokedBecause::AccountInactive),
            now,
        )
        .await;
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
    let issue::Minted {
        response,
        refresh_token,
        link,
    } = issue::mint(&state.config, &state.keys, &grant, now)?;
    // `RefreshIssue::Rotate` always mints a successor and a use of the family.
    let (Some(successor), LinkWrite::Use { ip, expires_at, .. }) = (refresh_token, link) else {
        tracing::error!("a refresh minted no successor token");
        return Err(OAuthError::server_error());
    };
    let sealed = retry::seal(
        &presented,
        &response,
        now,
        state.config.refresh_token_retry_secs,
    )?;
    let rotation = Rotation {
        token_hash: hash.clone(),
        sealed,
        successor,
        ip,
        family_expires_at: expires_at,
    };
    // Only one of concurrent refreshes with the same token wins; the others are retries
    // within the window, or reuse.
    match state.db.rotate_refresh_token(rotation, now).await? {
        RedemptionOutcome::Redeemed => Ok(response),
        RedemptionOutcome::Lost => match state.db.get_refresh_token(&hash).await? {
            Some(token) if token.used_at.is_some() && token.revoked_at.is_none() => {
                retried_or_reused(state, &presented, &token, now).await
            }
            _ => Err(invalid()),
        },
        // The device was signed out meanwhile: the family ends (with anything written).
        RedemptionOutcome::SignedOut => {
            state.db.revoke_family(&token.family_id, now).await?;
            Err(invalid())
        }
    }
}

/// A rotated-out token presented again: within `refresh_token_retry_secs`, by the same
/// client, before the new token was used, it gets the same answer (a retry after a lost
/// response); otherwise it is reuse (RFC 9700 §4.14.2).
async fn retried_or_reused(
    state: &Provider,
    presented: &Presented<'_>,
    token: &RefreshToken,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    if let Some(answer) =
        retry::reopen(&state.db, presented, &token.user_id, token.auth_time, now).await?
    {
        return Ok(answer);
    }
    revoke_for_reuse(state, token, now).await?;
    Err(invalid())
}

async fn revoke_for_reuse(state: &Provider, token: &RefreshToken, now: i64) -> StoreResult<()> {
    let revoked = state.db.revoke_family(&token.family_id, now).await?;
    tracing::warn!(
        target: "usher::security",
        family = %token.family_id,
        client_id = %token.client_id,
        user_id = %token.user_id,
        revoked,
        "refresh token reused: the whole token family is revoked"
    );
    audit::record(
        &state.db,
        family_revoked(token, RevokedBecause::RefreshTokenReused),
        now,
    )
    .await;
    Ok(())
}

/// The audit event of a family revoked by this grant.
fn family_revoked(token: &RefreshToken, reason: RevokedBecause) -> AuditEvent {
    AuditEvent::TokenFamilyRevoked {
        family_id: token.family_id.clone(),
        user_id: token.user_id.clone(),
        client_id: token.client_id.clone(),
        reason,
    }
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
