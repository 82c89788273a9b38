//! Minting the token response (RFC 6749 §5.1, OIDC Core §3.1.3.3): a JWT access token
//! (RFC 9068), an ID token when `openid` was granted, and a refresh token when
//! `offline_access` was granted (OIDC Core §11).

use serde::Serialize;

use crate::{
    config::Config,
    error::OAuthError,
    oauth::{linked_devices, scope},
    protocol::Acr,
    store::{Client, DeviceInfo, LinkWrite, RefreshToken, User},
    tokens::{
        jwt::{AccessTokenClaims, IdTokenClaims},
        keys::Keys,
        opaque,
    },
};

/// What a grant hands over to be turned into tokens.
#[derive(Debug)]
pub struct Grant<'a> {
    pub client: &'a Client,
    pub user: &'a User,
    pub scope: &'a str,
    pub auth_time: i64,
    /// Space-separated authentication methods (OIDC `amr`).
    pub amr: &'a str,
    pub device_authorization_id: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub refresh: RefreshIssue<'a>,
    /// Address of the token request, and what the device said about itself: recorded on
    /// the linked device (docs/linked-devices.md).
    pub ip: Option<&'a str>,
    pub device: Option<&'a DeviceInfo>,
}

/// Whether and how a refresh token comes with the response.
#[derive(Debug, Clone, Copy)]
pub enum RefreshIssue<'a> {
    /// A new family (a new linked device); a refresh token only if `offline_access` was
    /// granted (OIDC Core §11), but the access token carries the family id either way.
    NewFamily,
    /// Rotation: the next token of `family_id`, with the family's original scope even when
    /// the access token's scope was narrowed (RFC 6749 §6).
    Rotate { family_id: &'a str, scope: &'a str },
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// What was issued, for grants that must be able to revoke it later (code replay).
    #[serde(skip)]
    pub issued: Issued,
}

#[derive(Debug, Clone, Default)]
pub struct Issued {
    pub access_token_jti: String,
    pub access_token_expires_at: i64,
    /// Set when a refresh token was issued.
    pub refresh_family_id: Option<String>,
    /// The token family (`fam`), i.e. the linked device.
    pub family_id: String,
}

/// A token response with the rows it needs, not yet written: the grant stores them in one
/// transaction with the redemption (`store/redemptions.rs`), so a crash cannot separate
/// issuing from marking the code used.
#[derive(Debug)]
pub struct Minted {
    pub response: TokenResponse,
    pub refresh_token: Option<RefreshToken>,
    pub link: LinkWrite,
}

/// Signs the tokens of `grant` and prepares their rows; writes nothing.
pub fn mint(
    config: &Config,
    keys: &Keys,
    grant: &Grant<'_>,
    now: i64,
) -> Result<Minted, OAuthError> {
    let client = grant.client;
    let access_lifetime = client
        .access_token_lifetime_secs
        .unwrap_or(config.access_token_lifetime_secs as i64);
    let refresh_lifetime = client
        .refresh_token_lifetime_secs
        .unwrap_or(config.refresh_token_lifetime_secs as i64);
    // The client's algorithm (RS256 unless registered otherwise); every one has a key from start.
    let keys = keys.current();
    let (family_id, refresh) = match grant.refresh {
        RefreshIssue::NewFamily => {
            let family_id = uuid::Uuid::new_v4().to_string();
            let offline = scope::contains(grant.scope, "offline_access");
            (
                family_id.clone(),
                offline.then_some((family_id, grant.scope)),
            )
        }
        RefreshIssue::Rotate { family_id, scope } => {
            (family_id.to_string(), Some((family_id.to_string(), scope)))
        }
    };
    let (refresh_token, refresh_row) = match &refresh {
        Some((family_id, scope)) => {
            let token = opaque::generate();
            let row = RefreshToken {
                token_hash: opaque::hash(&token),
                family_id: family_id.clone(),
                client_id: grant.client.id.clone(),
                user_id: grant.user.id.clone(),
                scope: scope.to_string(),
                device_authorization_id: grant.device_authorization_id.map(str::to_string),
                auth_time: grant.auth_time,
                created_at: now,
                expires_at: now + refresh_lifetime,
                revoked_at: None,
                used_at: None,
                amr: Some(grant.amr.to_string()),
            };
            (Some(token), Some(row))
        }
        None => (None, None),
    };

    let access_claims = AccessTokenClaims {
        iss: config.issuer.to_string(),
        sub: grant.user.id.clone(),
        // RFC 9068 §3: without a resource indicator the default resource is this
        // server's own userinfo endpoint, so the audience is the issuer.
        aud: config.issuer.to_string(),
        exp: now + access_lifetime,
        iat: now,
        jti: uuid::Uuid::new_v4().to_string(),
        client_id: grant.client.id.clone(),
        scope: grant.scope.to_string(),
        auth_time: Some(grant.auth_time),
        fam: Some(family_id.clone()),
    };
    let issued = Issued {
        access_token_jti: access_claims.jti.clone(),
        access_token_expires_at: access_claims.exp,
        refresh_family_id: refresh.map(|(family_id, _)| family_id),
        family_id: family_id.clone(),
    };
    let family_expires_at = match &refresh_token {
        Some(_) => access_claims.exp.max(now + refresh_lifetime),
        None => access_claims.exp,
    };
    let link = match grant.refresh {
        RefreshIssue::NewFamily => LinkWrite::New(Box::new(linked_devices::link_row(
            &linked_devices::NewLink {
                family_id: &family_id,
                user: grant.user,
                client_id: &client.id,
                scope: grant.scope,
                device_authorization_id: grant.device_authorization_id,
                device: grant.device,
                ip: grant.ip,
                expires_at: family_expires_at,
            },
            now,
        ))),
        RefreshIssue::Rotate { .. } => LinkWrite::Use {
            id: family_id.clone(),
            ip: grant.ip.map(str::to_string),
            expires_at: family_expires_at,
        },
    };
    let access_token = keys
        .sign_with(client.signing_alg, "at+jwt", &access_claims, now)
        .map_err(signing_failed)?;

    let id_token = if scope::contains(grant.scope, "openid") {
        let claims = id_token_claims(config, grant, now);
        Some(
            keys.sign_with(client.signing_alg, "JWT", &claims, now)
                .map_err(signing_failed)?,
        )
    } else {
        None
    };

    Ok(Minted {
        response: TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: access_lifetime,
            scope: grant.scope.to_string(),
            refresh_token,
            id_token,
            issued,
        },
        refresh_token: refresh_row,
        link,
    })
}

fn id_token_claims(config: &Config, grant: &Grant<'_>, now: i64) -> IdTokenClaims {
    let user = grant.user;
    let profile = scope::contains(grant.scope, "profile");
    let email = scope::contains(grant.scope, "email");
    IdTokenClaims {
        iss: config.issuer.to_string(),
        sub: user.id.clone(),
        aud: grant.client.id.clone(),
        exp: now
            + grant
                .client
                .id_token_lifetime_secs
                .unwrap_or(config.id_token_lifetime_secs as i64),
        iat: now,
        auth_time: grant.auth_time,
        azp: grant.client.id.clone(),
        amr: grant.amr.split_whitespace().map(str::to_string).collect(),
        // OIDC Core §2: derived from the methods, so every grant (code, device, refresh)
        // reports the class of the sign-in it carries.
        acr: Some(Acr::of(grant.amr).as_str().to_string()),
        nonce: grant.nonce.map(str::to_string),
        preferred_username: profile.then(|| user.username.clone()),
        name: if profile { user.name.clone() } else { None },
        email: if email { user.email.clone() } else { None },
        email_verified: (email && user.email.is_some()).then_some(user.email_verified),
    }
}

fn signing_failed(err: impl std::fmt::Display) -> OAuthError {
    tracing::error!(error = %err, "token signing failed");
    OAuthError::server_error()
}
