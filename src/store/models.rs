//! Records as stored. Timestamps are Unix seconds (`i64`) so SQLite and PostgreSQL share SQL.
//! Lists (scopes, redirect URIs, grant types) are stored space-separated.

use serde::Serialize;

use crate::{
    config::ApprovalProof,
    protocol::{self, ClientAuthMethod, GrantType, SigningAlg},
};

/// A registered OAuth client (relying party or device app). Its protocol words are parsed
/// when the row is loaded (`store/clients.rs`); they are stored as their protocol strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    pub id: String,
    /// Shown on the consent page.
    pub name: String,
    /// `None` for public clients (token endpoint auth method `none`).
    #[serde(skip)]
    pub secret_hash: Option<String>,
    /// Space-separated scopes this client may request.
    pub allowed_scopes: String,
    /// Grant types this client may use (stored space-separated).
    pub grant_types: Vec<GrantType>,
    /// Space-separated redirect URIs (authorization code flow).
    pub redirect_uris: String,
    /// Space-separated URIs allowed after RP-initiated logout.
    pub post_logout_redirect_uris: String,
    /// Overrides the server's device-code lifetime for this client.
    pub device_code_lifetime_secs: Option<i64>,
    pub created_at: i64,
    /// JWS algorithm of this client's ID and access tokens.
    pub signing_alg: SigningAlg,
    pub access_token_lifetime_secs: Option<i64>,
    pub id_token_lifetime_secs: Option<i64>,
    pub refresh_token_lifetime_secs: Option<i64>,
    /// Shown on the consent page.
    pub logo_uri: Option<String>,
    /// Registered authentication method; `None` derives it from whether there is a secret.
    pub token_endpoint_auth_method: Option<ClientAuthMethod>,
    /// JWKS document with the client's public keys, for `private_key_jwt`.
    #[serde(skip)]
    pub jwks: Option<String>,
    /// Where decision events (signed SETs, docs/live-handoff.md) are POSTed, if anywhere.
    pub notification_endpoint: Option<String>,
    /// User codes of this client's devices: `letters` (default) or `digits`
    /// (`oauth::user_code::UserCodeFormat`).
    pub user_code_format: String,
    /// Number of digits when `user_code_format` is `digits`; `None` means the default.
    pub user_code_length: Option<i64>,
    /// Space-separated origins (`scheme://host[:port]`) whose pages may call the token,
    /// userinfo and revocation endpoints (CORS). `None`: those of the redirect URIs.
    pub web_origins: Option<String>,
    /// The secret `usher client rotate-secret` replaced (its hash), still accepted before
    /// `previous_secret_expires_at` so deployments can switch without an outage.
    #[serde(skip)]
    pub previous_secret_hash: Option<String>,
    /// Unix seconds: from then on the previous secret fails.
    pub previous_secret_expires_at: Option<i64>,
    /// Sign-ins and approvals for this client need two factors (docs/factors.md).
    pub require_mfa: bool,
    /// Overrides the server's `approval_proof` for this client's approvals.
    pub approval_proof: Option<ApprovalProof>,
}

impl Default for Client {
    /// A public client with nothing allowed yet; RS256 as OIDC's default algorithm.
    fn default() -> Client {
        Client {
            id: String::new(),
            name: String::new(),
            secret_hash: None,
            allowed_scopes: String::new(),
            grant_types: Vec::new(),
            redirect_uris: String::new(),
            post_logout_redirect_uris: String::new(),
            device_code_lifetime_secs: None,
            created_at: 0,
            signing_alg: SigningAlg::RS256,
            access_token_lifetime_secs: None,
            id_token_lifetime_secs: None,
            refresh_token_lifetime_secs: None,
            logo_uri: None,
            token_endpoint_auth_method: None,
            jwks: None,
            notification_endpoint: None,
            user_code_format: "letters".into(),
            user_code_length: None,
            web_origins: None,
            previous_secret_hash: None,
            previous_secret_expires_at: None,
            require_mfa: false,
            approval_proof: None,
        }
    }
}

impl Client {
    /// Confidential: it can authenticate (a secret or registered keys).
    pub fn is_confidential(&self) -> bool {
        self.secret_hash.is_some() || self.auth_method() == ClientAuthMethod::PrivateKeyJwt
    }
    /// The token endpoint authentication method this client must use (RFC 7591 §2).
    pub fn auth_method(&self) -> ClientAuthMethod {
        match (self.token_endpoint_auth_method, &self.secret_hash) {
            (Some(method), _) => method,
            (None, Some(_)) => ClientAuthMethod::ClientSecretBasic,
            (None, None) => ClientAuthMethod::None,
        }
    }
    /// The previous secret's hash while it is still accepted at `now` (Unix seconds).
    pub fn previous_secret_hash_at(&self, now: i64) -> Option<&str> {
        match (&self.previous_secret_hash, self.previous_secret_expires_at) {
            (Some(hash), Some(until)) if now < until => Some(hash),
            _ => None,
        }
    }
    pub fn allowed_scopes(&self) -> impl Iterator<Item = &str> {
        self.allowed_scopes.split_whitespace()
    }
    pub fn allows_grant(&self, grant_type: GrantType) -> bool {
        self.grant_types.contains(&grant_type)
    }
    /// The grant types as stored and shown: space-separated.
    pub fn grant_types_text(&self) -> String {
        protocol::join(&self.grant_types)
    }
    /// Exact match against the registered redirect URIs (RFC 9700 §4.1.3).
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.split_whitespace().any(|u| u == uri)
    }
    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris
            .split_whitespace()
            .any(|u| u == uri)
    }
    /// The origins whose pages may read this client's responses (CORS): the operator's
    /// list, or else the origins of the http(s) redirect URIs, as browsers serialize them
    /// in `Origin` (RFC 6454 §6.1: lowercase host, no default port).
    pub fn web_origins(&self) -> Vec<String> {
        if let Some(explicit) = &self.web_origins {
            return explicit.split_whitespace().map(str::to_owned).collect();
        }
        let mut origins: Vec<String> = Vec::new();
        for uri in self.redirect_uris.split_whitespace() {
            let Ok(url) = url::Url::parse(uri) else {
                continue;
            };
            if !matches!(url.scheme(), "http" | "https") {
                continue;
            }
            let origin = url.origin().ascii_serialization();
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        origins
    }
    /// Whether a page of `origin` (the `Origin` header, exactly) may read responses.
    pub fn allows_web_origin(&self, origin: &str) -> bool {
        self.web_origins().iter().any(|o| o == origin)
    }
}

/// A person who can sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: String,
    pub username: String,
    #[serde(skip)]
    pub password_hash: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: i64,
    pub password_changed_at: i64,
}

/// The label of a device authorization's state, as in the `status` column. The state with
/// its data is [`DeviceState`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceStatus {
    #[default]
    Pending,
    Approved,
    Denied,
    Redeemed,
}

impl DeviceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceStatus::Pending => "pending",
            DeviceStatus::Approved => "approved",
            DeviceStatus::Denied => "denied",
            DeviceStatus::Redeemed => "redeemed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => DeviceStatus::Pending,
            "approved" => DeviceStatus::Approved,
            "denied" => DeviceStatus::Denied,
            "redeemed" => DeviceStatus::Redeemed,
            _ => return None,
        })
    }
}

/// Where a device authorization stands (RFC 8628 §3.3–3.5). Each decided state carries who
/// decided and when, so an approval without a person cannot be represented.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DeviceState {
    /// Waiting for a person (or for expiry).
    #[default]
    Pending,
    /// Approved; the device code may be redeemed once.
    Approved(Approval),
    /// Denied by the person `by` (a user id) at `at`.
    Denied { by: String, at: i64 },
    /// Approved and then redeemed: the code is used up (RFC 8628 §3.5).
    Redeemed(Approval),
}

impl DeviceState {
    pub fn status(&self) -> DeviceStatus {
        match self {
            DeviceState::Pending => DeviceStatus::Pending,
            DeviceState::Approved(_) => DeviceStatus::Approved,
            DeviceState::Denied { .. } => DeviceStatus::Denied,
            DeviceState::Redeemed(_) => DeviceStatus::Redeemed,
        }
    }

    pub fn is_pending(&self) -> bool {
        matches!(self, DeviceState::Pending)
    }
}

/// A person's approval: whom tokens are issued for, and how they had signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub user_id: String,
    /// When the approving person last authenticated (OIDC `auth_time`).
    pub auth_time: i64,
    /// Space-separated authentication methods (OIDC `amr`), e.g. `pwd`.
    pub amr: String,
    pub decided_at: i64,
}

/// What a device authorization is for. A browser sign-in ("Sign in with QR code",
/// `oauth::qr_login`) has no device code anyone was given: the token endpoint and the live
/// channel never find it, and its decision sends no event to the client's backend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthorizationPurpose {
    /// A device's request (RFC 8628), redeemed at the token endpoint.
    #[default]
    Device,
    /// A browser waiting on the login page, signed in by the approval.
    BrowserSignIn,
}

impl AuthorizationPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizationPurpose::Device => "device",
            AuthorizationPurpose::BrowserSignIn => "browser_sign_in",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "device" => AuthorizationPurpose::Device,
            "browser_sign_in" => AuthorizationPurpose::BrowserSignIn,
            _ => return None,
        })
    }
}

/// A device's request to be signed in, from `POST /oauth2/device_authorization` until its
/// code is redeemed or expires. `Default` is an empty pending record to fill in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceAuthorization {
    pub id: String,
    /// SHA-256 of the device code; the code itself is never stored.
    pub device_code_hash: String,
    /// Normalized user code, no dash: 8 letters of `BCDFGHJKLMNPQRSTVWXZ`, or digits.
    pub user_code: String,
    pub client_id: String,
    /// Space-separated granted scopes.
    pub scope: String,
    pub purpose: AuthorizationPurpose,
    pub state: DeviceState,
    pub created_at: i64,
    pub expires_at: i64,
    pub interval_secs: i64,
    /// What is known of the device, for the consent page.
    pub device: DeviceInfo,
    /// Set when the device came with a pairing code (docs/linked-devices.md): only this
    /// user may decide, on the pairing page; the user-code pages refuse it.
    pub paired_user_id: Option<String>,
    /// The device's push token (`X-Device-Token`), passed on in decision events only.
    pub device_token: Option<String>,
}

impl DeviceAuthorization {
    /// Whether it is still waiting for a decision at `now`.
    pub fn is_waiting(&self, now: i64) -> bool {
        self.state.is_pending() && self.expires_at > now
    }
}

/// Metadata about a device as sent with its authorization request. Self-described by the
/// device, so only ever displayed (sanitised and length-limited when received), except
/// `ip`, which is the address the request came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    pub name: Option<String>,
    pub model: Option<String>,
    pub os: Option<String>,
    pub app_version: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A person's decision on a pending device authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub approved: bool,
    pub user_id: String,
    pub auth_time: i64,
    pub amr: String,
    /// Queue the decision event for the client's notification endpoint, if it has one
    /// (false when `features.notifications` is off: nothing would deliver it).
    pub notify_client: bool,
}

/// A refresh token, stored by hash. Tokens of one chain of rotations share a `family_id`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RefreshToken {
    pub token_hash: String,
    pub family_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    /// The device authorization that first issued this family, if any.
    pub device_authorization_id: Option<String>,
    pub auth_time: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    /// Set when the token was exchanged for a new one (rotation); a later use is reuse.
    pub used_at: Option<i64>,
    /// OIDC `amr` of the sign-in (space-separated); `None` on rows from before it was kept.
    pub amr: Option<String>,
}

/// A refresh token as the refresh grant reads it, in one statement
/// (`Database::read_refresh_token`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRead {
    pub token: RefreshToken,
    /// Any token of its family revoked, or its linked device signed out.
    pub family_ended: bool,
    /// Its account; `None` when deleted.
    pub user: Option<User>,
}

/// A token-signing key pair. `private_pem` is PKCS#8 PEM.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SigningKey {
    pub kid: String,
    /// JWS algorithm name (`RS256`, `ES256`, `EdDSA`).
    pub alg: String,
    pub private_pem: String,
    pub created_at: i64,
    /// Signs from this time; published (and verifying) from `created_at`.
    pub activates_at: i64,
}

/// An authorization code (RFC 6749 §4.1.2), stored by hash, usable once within a minute.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuthorizationCode {
    pub code_hash: String,
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    /// PKCE S256 challenge (RFC 7636 §4.2).
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    pub amr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub refresh_family_id: Option<String>,
    pub access_token_jti: Option<String>,
    pub access_token_expires_at: Option<i64>,
}

/// A person's remembered consent for a client.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Consent {
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
    pub granted_at: i64,
}

/// A signed-in device or web app of a person: one token family (`fam` claim), from its
/// first tokens until it is signed out or its last credential expires.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LinkedDevice {
    /// The token family id.
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    /// The grant that linked it (`urn:ietf:params:oauth:grant-type:device_code`,
    /// `authorization_code`).
    pub grant_type: String,
    pub device_authorization_id: Option<String>,
    pub device_name: Option<String>,
    pub device_model: Option<String>,
    pub device_os: Option<String>,
    pub device_app_version: Option<String>,
    pub user_agent: Option<String>,
    pub scope: String,
    pub linked_at: i64,
    /// Updated when the family's refresh token is used (never by device polling).
    pub last_used_at: i64,
    pub first_ip: Option<String>,
    pub last_ip: Option<String>,
    pub expires_at: i64,
    pub signed_out_at: Option<i64>,
}

/// A token response sealed for a retry (`tokens::sealed`), kept until `until`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SealedResponse {
    #[sqlx(rename = "sealed_response")]
    pub ciphertext: String,
    #[sqlx(rename = "sealed_until")]
    pub until: i64,
}

/// The table whose row a sealed response is kept on, each keyed by the hash of the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedTable {
    DeviceAuthorizations,
    AuthorizationCodes,
    RefreshTokens,
}

/// The code or token a redemption uses up, by its stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redeemed<'a> {
    /// An approved device authorization becomes `redeemed` (RFC 8628 §3.5).
    DeviceCode { device_code_hash: &'a str },
    /// An authorization code is used, with what was issued for it, so that a replay can
    /// revoke it (RFC 6749 §4.1.2).
    AuthorizationCode {
        code_hash: &'a str,
        refresh_family_id: Option<&'a str>,
        access_token_jti: &'a str,
        access_token_expires_at: i64,
    },
}

/// Everything one redemption writes, in one transaction: the code marked used (with the
/// sealed response for a retry), the new refresh token, the linked device.
#[derive(Debug, Clone, Copy)]
pub struct Redemption<'a> {
    pub redeemed: Redeemed<'a>,
    /// `None` when retries are off.
    pub sealed: Option<&'a SealedResponse>,
    pub refresh_token: Option<&'a RefreshToken>,
    pub link: &'a LinkWrite,
}

/// How a redemption ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedemptionOutcome {
    /// All written.
    Redeemed,
    /// Nothing written: the code was no longer usable (another request redeemed it, or it
    /// expired or was revoked meanwhile).
    Lost,
    /// The refreshed family's linked device was signed out meanwhile: nothing written, but
    /// for a sign-out that committed while a PostgreSQL rotation ran (`rotations.rs`); the
    /// family is revoked then.
    SignedOut,
}

/// What a redemption writes about its linked device (docs/linked-devices.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkWrite {
    /// A new sign-in: a new token family.
    New(Box<LinkedDevice>),
    /// A refresh of family `id`: last use, last address and the new expiry.
    Use {
        id: String,
        ip: Option<String>,
        expires_at: i64,
    },
}

/// A linked device with the names to show, for lists.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LinkedDeviceListing {
    #[sqlx(flatten)]
    pub device: LinkedDevice,
    pub client_name: String,
    pub username: String,
}

/// A single-use pairing code made by a signed-in person ("Add a device"), stored by hash.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PairingCode {
    /// Kept in the creating browser's session; never shown.
    pub id: String,
    pub code_hash: String,
    pub user_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// The device authorization that used the code.
    pub device_authorization_id: Option<String>,
}
