//! The token endpoint's dispatch (RFC 6749 §3.2). Checks run in a fixed order before any
//! grant logic: grant type present and supported, client authenticated, grant allowed for
//! this client; then the grant's own handler.

use crate::{
    error::{ErrorKind, OAuthError},
    oauth::provider::Provider,
    oauth::{
        client_auth::{BasicCredentials, authenticate_client},
        grants,
        issue::TokenResponse,
        params::Params,
    },
    protocol::GrantType,
};

pub async fn exchange(
    state: &Provider,
    basic: Option<BasicCredentials>,
    params: &Params,
    // The caller's address, recorded on linked devices.
    ip: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let grant_type = params.require("grant_type")?;
    // Every `GrantType` is served (discovery lists them all); any other is refused before
    // the client is looked at.
    let Some(grant_type) = GrantType::parse(grant_type) else {
        return Err(OAuthError::new(
            ErrorKind::UnsupportedGrantType,
            format!("The grant type '{grant_type}' is not supported."),
        ));
    };
    let client = authenticate_client(state, basic, params).await?;
    if !client.allows_grant(grant_type) {
        return Err(OAuthError::new(
            ErrorKind::UnauthorizedClient,
            "This client may not use this grant type.",
        ));
    }
    match grant_type {
        GrantType::DeviceCode => {
            grants::device_code::poll_device_token(state, &client, params, ip).await
        }
        GrantType::AuthorizationCode => {
            grants::authorization_code::redeem_code(state, &client, params, ip).await
        }
        GrantType::RefreshToken => grants::refresh_token::refresh(state, &client, params, ip).await,
    }
}
