//! Retries of a redemption (docs/integration.md, "Retries"). A client that redeemed a code
//! or refresh token and lost the answer (a dropped connection, a crash, a timeout) presents
//! it again within a short window and receives the same answer — the same tokens, not new
//! ones, so a code still yields exactly one set of tokens and one token family.
//!
//! The answer is sealed (`tokens::sealed`) under a key derived from the presented secret,
//! and stored in the same transaction that uses the secret up; the database holds only the
//! ciphertext and the secret's SHA-256, neither of which opens it.

use serde::{Deserialize, Serialize};

use crate::{
    error::OAuthError,
    oauth::{
        accounts,
        issue::{Issued, TokenResponse},
    },
    store::{Database, SealedResponse, SealedTable},
    tokens::{
        opaque,
        sealed::{self, Purpose},
    },
};

/// The secret a client presented, and where its row is.
#[derive(Debug, Clone, Copy)]
pub struct Presented<'a> {
    pub purpose: Purpose,
    pub secret: &'a str,
    /// The secret's stored hash: the row's key.
    pub hash: &'a str,
    pub client_id: &'a str,
}

impl Presented<'_> {
    fn table(&self) -> SealedTable {
        match self.purpose {
            Purpose::DeviceCode => SealedTable::DeviceAuthorizations,
            Purpose::AuthorizationCode => SealedTable::AuthorizationCodes,
            Purpose::RefreshToken => SealedTable::RefreshTokens,
        }
    }
}

/// The sealed plaintext: the response body and what a retry must check.
#[derive(Deserialize)]
struct Answer {
    access_token: String,
    expires_in: i64,
    scope: String,
    refresh_token: Option<String>,
    id_token: Option<String>,
    issued_at: i64,
    family_id: String,
    access_token_jti: String,
    access_token_expires_at: i64,
    refresh_family_id: Option<String>,
}

/// [`Answer`] as sealed on every redemption, borrowed from the response (the same JSON:
/// no copy of the tokens just to serialize them).
#[derive(Serialize)]
struct AnswerRef<'a> {
    access_token: &'a str,
    expires_in: i64,
    scope: &'a str,
    refresh_token: Option<&'a str>,
    id_token: Option<&'a str>,
    issued_at: i64,
    family_id: &'a str,
    access_token_jti: &'a str,
    access_token_expires_at: i64,
    refresh_family_id: Option<&'a str>,
}

/// The response sealed for `window_secs` from `now`; `None` when retries are off.
pub fn seal(
    presented: &Presented<'_>,
    response: &TokenResponse,
    now: i64,
    window_secs: u64,
) -> Result<Option<SealedResponse>, OAuthError> {
    if window_secs == 0 {
        return Ok(None);
    }
    let issued = &response.issued;
    let answer = AnswerRef {
        access_token: &response.access_token,
        expires_in: response.expires_in,
        scope: &response.scope,
        refresh_token: response.refresh_token.as_deref(),
        id_token: response.id_token.as_deref(),
        issued_at: now,
        family_id: &issued.family_id,
        access_token_jti: &issued.access_token_jti,
        access_token_expires_at: issued.access_token_expires_at,
        refresh_family_id: issued.refresh_family_id.as_deref(),
    };
    let plain = serde_json::to_vec(&answer).map_err(|_| OAuthError::server_error())?;
    let ciphertext = sealed::seal(
        presented.purpose,
        presented.secret,
        presented.hash,
        presented.client_id,
        &plain,
    )
    .ok_or_else(|| {
        tracing::error!("sealing a token response failed");
        OAuthError::server_error()
    })?;
    Ok(Some(SealedResponse {
        ciphertext,
        until: now.saturating_add(i64::try_from(window_secs).unwrap_or(i64::MAX)),
    }))
}

/// The answer sealed for `presented`, if its window is still open and its tokens still
/// stand: the family not revoked or signed out, the refresh token it carries not yet used
/// (once used, the client evidently received the answer) and the account still allowed
/// to sign in. `expires_in` counts from now.
pub async fn reopen(
    db: &Database,
    presented: &Presented<'_>,
    user_id: &str,
    auth_time: i64,
    now: i64,
) -> Result<Option<TokenResponse>, OAuthError> {
    let Some(stored) = db
        .sealed_response(presented.table(), presented.hash)
        .await?
    else {
        return Ok(None);
    };
    if stored.until <= now {
        return Ok(None);
    }
    let Some(answer) = sealed::open(
        presented.purpose,
        presented.secret,
        presented.hash,
        presented.client_id,
        &stored.ciphertext,
    )
    .and_then(|plain| serde_json::from_slice::<Answer>(&plain).ok()) else {
        return Ok(None);
    };
    if db.is_family_revoked(&answer.family_id).await?
        || accounts::active_account(db, user_id, auth_time)
            .await?
            .is_err()
    {
        return Ok(None);
    }
    if let Some(token) = &answer.refresh_token {
        let row = db.get_refresh_token(&opaque::hash(token)).await?;
        if !row.is_some_and(|r| r.used_at.is_none() && r.revoked_at.is_none()) {
            return Ok(None);
        }
    }
    tracing::info!(client_id = %presented.client_id, family = %answer.family_id,
        "redemption retried: the same token response is returned again");
    Ok(Some(TokenResponse {
        access_token: answer.access_token,
        token_type: "Bearer",
        expires_in: (answer.expires_in - (now - answer.issued_at)).max(0),
        scope: answer.scope,
        refresh_token: answer.refresh_token,
        id_token: answer.id_token,
        issued: Issued {
            access_token_jti: answer.access_token_jti,
            access_token_expires_at: answer.access_token_expires_at,
            refresh_family_id: answer.refresh_family_id,
            family_id: answer.family_id,
        },
    }))
}
