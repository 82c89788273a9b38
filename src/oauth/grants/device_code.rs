//! The device-code grant at the token endpoint (RFC 8628 §3.4–3.5).
//!
//! Hot path: a device polls every few seconds until a person decides. A poll that comes too
//! early, and an on-time poll of a code this instance already read as pending (until a
//! decision event, expiry or a listener reconnect), are answered from memory
//! (`PollTracker`) without touching the database; any other poll costs one primary-key
//! read. Nothing is written per poll. Only the single redeeming
//! poll writes: one transaction whose conditional UPDATE redeems the code exactly once and
//! which also stores the tokens' rows and the response sealed for a retry (`retry.rs`), so a
//! device that loses the answer can fetch the same one again for `redemption_retry_secs`.

use super::retry::{self, Presented};
use crate::{
    error::{ErrorKind, OAuthError},
    oauth::{
        accounts,
        device::{self, DeviceCodeLookup},
        issue::{self, Grant, RefreshIssue, TokenResponse},
        params::Params,
        polling::{Poll, PollTiming},
        provider::Provider,
    },
    store::{Approval, Client, DeviceAuthorization, Redeemed, Redemption, RedemptionOutcome},
    tokens::{opaque, sealed::Purpose},
};

pub async fn poll_device_token(
    state: &Provider,
    client: &Client,
    params: &Params,
    ip: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let device_code = params.require("device_code")?;
    let code_hash = opaque::hash(device_code);
    let now_ms = state.clock.now_ms();
    let now = now_ms.div_euclid(1000);

    // Memory first: too early, or cached pending (`oauth/polling.rs`); else read the row.
    let stamp = match state.polls.poll(&code_hash, client, now_ms) {
        Poll::SlowDown { interval_secs } => return Err(slow_down_error(interval_secs)),
        Poll::Pending => return Err(authorization_pending()),
        Poll::Read(stamp) => stamp,
    };
    let found = device::find_device_code(&state.db, client, &code_hash, now).await?;
    let presented = Presented {
        purpose: Purpose::DeviceCode,
        secret: device_code,
        hash: &code_hash,
        client_id: &client.id,
    };
    match found {
        DeviceCodeLookup::Pending(auth) => {
            match state
                .polls
                .record_pending(&code_hash, client, &auth, now_ms, stamp)
            {
                PollTiming::OnTime => Err(authorization_pending()),
                PollTiming::SlowDown { interval_secs } => Err(slow_down_error(interval_secs)),
            }
        }
        DeviceCodeLookup::Expired(_) => {
            state.polls.forget(&code_hash);
            Err(OAuthError::new(
                ErrorKind::ExpiredToken,
                "The device code has expired. Start a new device authorization.",
            ))
        }
        DeviceCodeLookup::Denied(_) => {
            state.polls.forget(&code_hash);
            Err(OAuthError::new(
                ErrorKind::AccessDenied,
                "The user denied the request.",
            ))
        }
        DeviceCodeLookup::Approved(auth, approval) => {
            redeem(state, client, &presented, &auth, &approval, now, ip).await
        }
        DeviceCodeLookup::Redeemed(_, approval) => retried(state, &presented, &approval, now).await,
    }
}

async fn redeem(
    state: &Provider,
    client: &Client,
    presented: &Presented<'_>,
    auth: &DeviceAuthorization,
    approval: &Approval,
    now: i64,
    ip: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let code_hash = presented.hash;
    // Checked at redemption, not only at approval: the account may have been disabled,
    // deleted or its password reset in between. The approval is spent all the same.
    let Ok(user) =
        accounts::active_account(&state.db, &approval.user_id, approval.auth_time).await?
    else {
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
        auth_time: approval.auth_time,
        amr: &approval.amr,
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
            retried(state, presented, approval, now).await
        }
    }
}

/// A redeemed code presented again: the same answer within the retry window, else
/// `invalid_grant` (RFC 8628 §3.5).
async fn retried(
    state: &Provider,
    presented: &Presented<'_>,
    approval: &Approval,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    retry::reopen(
        &state.db,
        presented,
        &approval.user_id,
        approval.auth_time,
        now,
    )
    .await?
    .ok_or_else(|| OAuthError::invalid_grant("The device code was already used."))
}

fn authorization_pending() -> OAuthError {
    OAuthError::new(
        ErrorKind::AuthorizationPending,
        "The user has not yet approved or denied the request.",
    )
}

fn slow_down_error(interval_secs: i64) -> OAuthError {
    OAuthError::new(
        ErrorKind::SlowDown,
        format!("Polling too fast. Wait at least {interval_secs} seconds between requests."),
    )
}
