//! The token endpoint's dispatch (RFC 6749 §3.2). Checks run in a fixed order before any
//! grant logic: grant type present and supported, client authenticated, grant allowed for
//! this client; then the grant's own handler.

use crate::{
    error::{ErrorKind, OAuthError},
    oauth::{
        client_auth::{BasicCredentials, authenticate_client},
        device, grants,
        issue::TokenResponse,
        params::Params,
    },
    state::AppState,
};

/// Grant types this server serves at the token endpoint (listed in discovery).
pub const SUPPORTED_GRANT_TYPES: &[&str] = &[
    device::GRANT_TYPE,
    grants::authorization_code::GRANT_TYPE,
    grants::refresh_token::GRANT_TYPE,
];

pub async fn exchange(
    state: &AppState,
    basic: Option<BasicCredentials>,
    params: &Params,
    // The caller's address, recorded on linked devices.
    ip: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let grant_type = params.require("grant_type")?;
    if !SUPPORTED_GRANT_TYPES.contains(&grant_type) {
        return Err(OAuthError::new(
            ErrorKind::UnsupportedGrantType,
            format!("The grant type '{grant_type}' is not supported."),
        ));
    }
    let client = authenticate_client(state, basic, params).await?;
    if !client.allows_grant(grant_type) {
        return Err(OAuthError::new(
            ErrorKind::UnauthorizedClient,
            "This client may not use this grant type.",
        ));
    }
    match grant_type {
        device::GRANT_TYPE => {
            grants::device_code::poll_device_token(state, &client, params, ip).await
        }
        grants::authorization_code::GRANT_TYPE => {
            grants::authorization_code::redeem_code(state, &client, params, ip).await
        }
        grants::refresh_token::GRANT_TYPE => {
            grants::refresh_token::refresh(state, &client, params, ip).await
        }
        _ => Err(OAuthError::new(
            ErrorKind::UnsupportedGrantType,
            "Unsupported grant type.",
        )),
    }
}
