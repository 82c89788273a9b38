//! The device-code grant at the token endpoint (RFC 8628 §3.4–3.5).
//!
//! Hot path: a device polls every few seconds until a person decides. A poll that comes too
//! early is answered from memory (`PollTracker`) without touching the database; an on-time
//! poll costs one primary-key read. Nothing is written per poll. Only the single redeeming
//! poll writes: one transaction whose conditional UPDATE redeems the code exactly once and
//! which also stores the tokens' rows and the response sealed for a retry (`retry.rs`), so a
//! device that loses the answer can fetch the same one again for `redemption_retry_secs`.

use super::retry::{self, Presented};
use crate::{
    error::{ErrorKind, OAuthError},
    oauth::{
        accounts,
        issue::{self, Grant, RefreshIssue, TokenResponse},
        params::Params,
        polling::PollTiming,
    },
    state::AppState,
    store::{
        Client, DeviceAuthorization, DeviceAuthorizationStore, DeviceStatus, Redeemed, Redemption,
        RedemptionOutcome, RedemptionStore,
    },
    tokens::{opaque, sealed::Purpose},
};

pub async fn poll_device_token(
    state: &AppState,
    client: &Client,
    params: &Params,
    ip: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let device_code = params.require("device_code")?;
    let code_hash = opaque::hash(device_code);
    let now_ms = state.clock.now_ms();
    let now = now_ms.div_euclid(1000);

    if state.polls.is_too_early(&code_hash, now_ms) {
        return Err(slow_down(state, &code_hash, now_ms));
    }
    let auth = state
        .db
        .get_by_device_code_hash(&code_hash)
        .await?
        // RFC 8628 §3.5 / RFC 6749 §5.2: an unknown code is an invalid grant.
        .ok_or_else(|| OAuthError::invalid_grant("The device code is invalid."))?;
    if auth.client_id != client.id {
        // RFC 6749 §5.2: the grant was issued to another client.
        return Err(OAuthError::invalid_grant("The device code is invalid."));
    }
    let presented = Presented {
        purpose: Purpose::DeviceCode,
        secret: device_code,
        hash: &code_hash,
        client_id: &client.id,
    };
    if auth.status == DeviceStatus::Redeemed {
        return retried(state, &presented, &auth, now).await;
    }
    if auth.expires_at <= now {
        state.polls.forget(&code_hash);
        return Err(OAuthError::new(
            ErrorKind::ExpiredToken,
            "The device code has expired. Start a new device authorization.",
        ));
    }
    match auth.status {
        DeviceStatus::Pending => {
            match state
                .polls
                .record(&code_hash, auth.interval_secs, auth.expires_at, now_ms)
            {
                PollTiming::OnTime => Err(OAuthError::new(
                    ErrorKind::AuthorizationPending,
                    "The user has not yet approved or denied the request.",
                )),
                PollTiming::SlowDown { interval_secs } => Err(slow_down_error(interval_secs)),
            }
        }
        DeviceStatus::Denied => {
            state.polls.forget(&code_hash);
            Err(OAuthError::new(
                ErrorKind::AccessDenied,
                "The user denied the request.",
            ))
        }
        DeviceStatus::Approved => redeem(state, client, &presented, &auth, now, ip).await,
        DeviceStatus::Redeemed => retried(state, &presented, &auth, now).await,
    }
}

async fn redeem(
    state: &AppState,
    client: &Client,
    presented: &Presented<'_>,
    auth: &DeviceAuthorization,
    now: i64,
    ip: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let code_hash = presented.hash;
    let (Some(user_id), Some(auth_time)) = (auth.user_id.as_deref(), auth.auth_time) else {
        tracing::error!(device_authorization = %auth.id, "approved authorization without a user");
        return Err(OAuthError::server_error());
    };
    // Checked at redemption, not only at approval: the account may have been disabled,
    // deleted or its password reset in between. The approval is spent all the same.
    let Ok(user) = accounts::active_account(&state.db, user_id, auth_time).await? else {
        state.db.redeem(code_hash, now).await?;
        state.polls.forget(code_hash);
        tracing::warn!(device_authorization = %auth.id, "approving account no longer valid; no tokens issued");
        return Err(OAuthError::invalid_grant(
            "The account that approved this request can no longer sign in.",
        ));
    };
    let grant = Grant {
        client,
        user: &user,
        scope: &auth.scope,
        auth_time,
        amr: auth.amr.as_deref().unwrap_or("pwd"),
        device_authorization_id: Some(&auth.id),
        nonce: None,
        refresh: RefreshIssue::NewFamily,
        ip,
        device: Some(&auth.device),
    };
    let minted = issue::mint(&state.config, &state.keys, &grant, now)?;
    let sealed = retry::seal(
        presented,
        &minted.response,
        now,
        state.config.redemption_retry_secs,
    )?;
    let redemption = Redemption {
        redeemed: Redeemed::DeviceCode {
            device_code_hash: code_hash,
        },
        sealed: sealed.as_ref(),
        refresh_token: minted.refresh_token.as_ref(),
        link: &minted.link,
    };
    // Exactly one concurrent poll wins this transaction; the others lost the race and get
    // the winner's answer if it may be retried.
    match state.db.redeem_and_issue(&redemption, now).await? {
        RedemptionOutcome::Redeemed => {
            state.polls.forget(code_hash);
            tracing::info!(client_id = %client.id, device_authorization = %auth.id, "device code redeemed");
            Ok(minted.response)
        }
        RedemptionOutcome::Lost | RedemptionOutcome::SignedOut => {
            retried(state, presented, auth, now).await
        }
    }
}

/// A redeemed code presented again: the same answer within the retry window, else
/// `invalid_grant` (RFC 8628 §3.5).
async fn retried(
    state: &AppState,
    presented: &Presented<'_>,
    auth: &DeviceAuthorization,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let used = || OAuthError::invalid_grant("The device code was already used.");
    let (Some(user_id), Some(auth_time)) = (auth.user_id.as_deref(), auth.auth_time) else {
        return Err(used());
    };
    retry::reopen(&state.db, presented, user_id, auth_time, now)
        .await?
        .ok_or_else(used)
}

fn slow_down(state: &AppState, code_hash: &str, now_ms: i64) -> OAuthError {
    let interval = match state.polls.record(code_hash, 0, i64::MAX, now_ms) {
        PollTiming::SlowDown { interval_secs } => interval_secs,
        PollTiming::OnTime => state.polls.interval(code_hash).unwrap_or(5),
    };
    slow_down_error(interval)
}

fn slow_down_error(interval_secs: i64) -> OAuthError {
    OAuthError::new(
        ErrorKind::SlowDown,
        format!("Polling too fast. Wait at least {interval_secs} seconds between requests."),
    )
}
