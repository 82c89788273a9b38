//! The authorization endpoint's protocol rules (RFC 6749 §4.1.1, OIDC Core §3.1.2.1,
//! RFC 7636), without HTTP: validating the request, deciding whether the person must sign
//! in or consent, and issuing the code.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{
    error::StoreResult,
    oauth::{clients::ClientView, params::Params, pkce, scope},
    protocol::{Acr, GrantType, ResponseMode, ResponseType},
    store::{AuthorizationCode, Client, Database},
    tokens::opaque,
};

pub const GRANT_TYPE: &str = GrantType::AuthorizationCode.as_str();
/// Codes live one minute (RFC 6749 §4.1.2 recommends at most ten).
const CODE_LIFETIME_SECS: i64 = 60;

/// A validated authorization request, kept in the session while the person signs in and
/// consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Vec<String>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// When the request arrived: `prompt=login` needs an authentication after this.
    pub requested_at: i64,
    #[serde(default)]
    pub response_mode: ResponseMode,
    /// `screen_hint=qr` (an Usher extension, after Auth0's `screen_hint`): the sign-in page
    /// leads with "Sign in with QR code".
    #[serde(default)]
    pub qr_first: bool,
    /// The known classes of `acr_values` (OIDC Core §3.1.2.1), in the request's order:
    /// voluntary, so a sign-in that cannot reach them still ends with a code (and the
    /// `acr` it had).
    #[serde(default)]
    pub acr_values: Vec<Acr>,
    /// The client requires two factors (`require_mfa`): a floor that is not voluntary.
    #[serde(default)]
    pub require_mfa: bool,
    /// When the person was sent to sign in again for a stronger class (step-up); asked
    /// once per request.
    #[serde(default)]
    pub step_up_at: Option<i64>,
}

/// Whether a sign-in is strong enough for a request (`acr_values`, `require_mfa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assurance {
    /// Nothing asked, or reached.
    Met,
    /// Below what was asked and not asked to sign in again yet: step up.
    StepUp,
    /// Still below after signing in again (the account has no stronger factor):
    /// `mandatory` when the client requires it, else the request goes on (voluntary).
    Unmet { mandatory: bool },
}

/// A result on its way back to the client: `code` or `error`, always with `state` (when
/// the request had one) and `iss` (RFC 9207 §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationResponse {
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub params: Vec<(&'static str, String)>,
}

impl AuthorizationResponse {
    /// The redirect URI with the parameters in its query (`ResponseMode::Query`).
    pub fn query_url(&self) -> String {
        let mut url = match url::Url::parse(&self.redirect_uri) {
            Ok(url) => url,
            // Registered URIs are absolute; this cannot happen for a validated request.
            Err(_) => return self.redirect_uri.clone(),
        };
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in &self.params {
                query.append_pair(name, value);
            }
        }
        url.into()
    }
}

/// Why a request cannot go on, and where that is said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// The client or redirect URI cannot be trusted: tell the person, never redirect
    /// (RFC 6749 §4.1.2.1, an open redirector otherwise). The id of the words in the
    /// sign-in catalogue (`locales/*/signin.ftl`); the web layer says them.
    Page(&'static str),
    /// Everything else goes back to the verified redirect URI.
    Redirect(ErrorRedirect),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRedirect {
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub state: Option<String>,
    pub error: &'static str,
    pub description: String,
}

impl AuthorizationRequest {
    pub fn error(&self, error: &'static str, description: impl Into<String>) -> ErrorRedirect {
        ErrorRedirect {
            redirect_uri: self.redirect_uri.clone(),
            response_mode: self.response_mode,
            state: self.state.clone(),
            error,
            description: description.into(),
        }
    }

    /// The successful response carrying `code`.
    pub fn code_response(&self, issuer: &str, code: &str) -> AuthorizationResponse {
        response(
            &self.redirect_uri,
            self.response_mode,
            issuer,
            self.state.as_deref(),
            vec![("code", code.to_string())],
        )
    }

    pub fn has_prompt(&self, value: &str) -> bool {
        self.prompt.iter().any(|p| p == value)
    }

    /// The weakest class this request accepts, if it asks for one: the weakest of its
    /// known `acr_values`, raised to two factors for a client that requires them.
    pub fn wanted_acr(&self) -> Option<Acr> {
        let asked = self.acr_values.iter().min().copied();
        let floor = self.require_mfa.then_some(Acr::TwoFactors);
        asked.max(floor)
    }

    /// How a sign-in with the methods `amr` at `auth_time` stands against the class asked.
    pub fn assurance(&self, amr: &str, auth_time: i64) -> Assurance {
        let Some(wanted) = self.wanted_acr() else {
            return Assurance::Met;
        };
        if Acr::of(amr) >= wanted {
            return Assurance::Met;
        }
        match self.step_up_at {
            Some(asked) if auth_time >= asked => Assurance::Unmet {
                mandatory: self.require_mfa && Acr::of(amr) < Acr::TwoFactors,
            },
            _ => Assurance::StepUp,
        }
    }

    /// Whether an authentication at `auth_time` is good enough for this request.
    pub fn accepts_authentication(&self, auth_time: i64, now: i64) -> bool {
        let fresh_enough = self.max_age.is_none_or(|max| now - auth_time <= max);
        let after_prompt_login = !self.has_prompt("login") || auth_time >= self.requested_at;
        fresh_enough && after_prompt_login
    }
}

/// Validates an authorization request. Client and redirect URI first: until both are
/// known good, errors are pages.
pub async fn validate(
    clients: &ClientView,
    params: &Params,
    now: i64,
) -> StoreResult<Result<(AuthorizationRequest, Arc<Client>), AuthorizeError>> {
    let page = |msg: &'static str| Ok(Err(AuthorizeError::Page(msg)));
    let Some(client_id) = params.get("client_id") else {
        return page("signin-error-no-client-id");
    };
    let Some(client) = clients.get(client_id).await? else {
        return page("signin-error-unknown-client");
    };
    // OIDC Core §3.1.2.1: redirect_uri is required and must match exactly (RFC 9700 §4.1.3).
    let Some(redirect_uri) = params
        .get("redirect_uri")
        .filter(|uri| client.has_redirect_uri(uri))
    else {
        return page("signin-error-unregistered-redirect");
    };
    let mut request = AuthorizationRequest {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_string(),
        scope: String::new(),
        state: params.get("state").map(str::to_string),
        nonce: params.get("nonce").map(str::to_string),
        code_challenge: None,
        prompt: params
            .get("prompt")
            .map(|p| p.split(' ').map(str::to_string).collect())
            .unwrap_or_default(),
        max_age: None,
        login_hint: params.get("login_hint").map(str::to_string),
        requested_at: now,
        response_mode: ResponseMode::Query,
        qr_first: params.get("screen_hint") == Some("qr"),
        // Unknown classes are ignored: the parameter is voluntary (OIDC Core §3.1.2.1).
        acr_values: params
            .get("acr_values")
            .map(Acr::requested)
            .unwrap_or_default(),
        require_mfa: client.require_mfa,
        step_up_at: None,
    };
    let fail = |request: &AuthorizationRequest, error, description: &str| {
        Ok(Err(AuthorizeError::Redirect(
            request.error(error, description),
        )))
    };
    // An unknown response_mode is refused rather than ignored, so a client never waits for
    // an answer in a mode it will not get; the error itself travels in the default mode.
    if let Some(mode) = params.get("response_mode") {
        match ResponseMode::parse(mode) {
            Some(mode) => request.response_mode = mode,
            None => {
                return fail(
                    &request,
                    "invalid_request",
                    "Unsupported response_mode: use query or form_post.",
                );
            }
        }
    }
    // Only the code flow is served: any other response type, or none, is refused.
    if params.get("response_type").and_then(ResponseType::parse) != Some(ResponseType::Code) {
        return fail(
            &request,
            "unsupported_response_type",
            "Only response_type=code is supported.",
        );
    }
    if !client.allows_grant(GrantType::AuthorizationCode) {
        return fail(
            &request,
            "unauthorized_client",
            "This client may not use the authorization code flow.",
        );
    }
    if params.get("request").is_some() || params.get("request_uri").is_some() {
        return fail(
            &request,
            "request_not_supported",
            "Request objects are not supported.",
        );
    }
    request.scope = match scope::grant(&client, params.get("scope")) {
        Ok(granted) if scope::contains(&granted, "openid") => granted,
        Ok(_) => return fail(&request, "invalid_scope", "The scope must include openid."),
        Err(err) => return fail(&request, "invalid_scope", &err.description),
    };
    if request.has_prompt("none") && request.prompt.len() > 1 {
        return fail(
            &request,
            "invalid_request",
            "prompt=none cannot be combined with other values.",
        );
    }
    if let Some(max_age) = params.get("max_age") {
        match max_age.parse::<i64>() {
            Ok(seconds) if seconds >= 0 => request.max_age = Some(seconds),
            _ => {
                return fail(
                    &request,
                    "invalid_request",
                    "max_age must be a number of seconds.",
                );
            }
        }
    }
    // RFC 7636 §4.4.1; RFC 9700 §2.1.1: PKCE with S256 is required of public clients.
    match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (Some(challenge), Some("S256")) if pkce::is_valid_challenge(challenge) => {
            request.code_challenge = Some(challenge.to_string());
        }
        (Some(_), _) => {
            return fail(
                &request,
                "invalid_request",
                "code_challenge must be S256 of a verifier.",
            );
        }
        (None, _) if !client.is_confidential() => {
            return fail(
                &request,
                "invalid_request",
                "PKCE (code_challenge with S256) is required.",
            );
        }
        (None, _) => {}
    }
    Ok(Ok((request, client)))
}

/// Issues the code for an approved request; returns the code to put in the redirect.
pub async fn issue_code(
    store: &Database,
    request: &AuthorizationRequest,
    user_id: &str,
    auth_time: i64,
    amr: &str,
    now: i64,
) -> StoreResult<String> {
    let code = opaque::generate();
    store
        .create_authorization_code(&AuthorizationCode {
            code_hash: opaque::hash(&code),
            client_id: request.client_id.clone(),
            user_id: user_id.to_string(),
            redirect_uri: request.redirect_uri.clone(),
            scope: request.scope.clone(),
            nonce: request.nonce.clone(),
            code_challenge: request.code_challenge.clone(),
            auth_time,
            amr: amr.to_string(),
            created_at: now,
            expires_at: now + CODE_LIFETIME_SECS,
            used_at: None,
            refresh_family_id: None,
            access_token_jti: None,
            access_token_expires_at: None,
        })
        .await?;
    Ok(code)
}

fn response(
    redirect_uri: &str,
    mode: ResponseMode,
    issuer: &str,
    state: Option<&str>,
    mut params: Vec<(&'static str, String)>,
) -> AuthorizationResponse {
    if let Some(state) = state {
        params.push(("state", state.to_string()));
    }
    params.push(("iss", issuer.to_string()));
    AuthorizationResponse {
        redirect_uri: redirect_uri.to_string(),
        mode,
        params,
    }
}

impl ErrorRedirect {
    /// The error response (RFC 6749 §4.1.2.1), in the request's response mode.
    pub fn response(&self, issuer: &str) -> AuthorizationResponse {
        response(
            &self.redirect_uri,
            self.response_mode,
            issuer,
            self.state.as_deref(),
            vec![
                ("error", self.error.to_string()),
                ("error_description", self.description.clone()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        acr_values: &[Acr],
        require_mfa: bool,
        step_up_at: Option<i64>,
    ) -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: "web".into(),
            redirect_uri: "https://app.example/cb".into(),
            scope: "openid".into(),
            state: None,
            nonce: None,
            code_challenge: None,
            prompt: Vec::new(),
            max_age: None,
            login_hint: None,
            requested_at: 100,
            response_mode: ResponseMode::Query,
            qr_first: false,
            acr_values: acr_values.to_vec(),
            require_mfa,
            step_up_at,
        }
    }

    #[test]
    fn nothing_asked_is_always_met() {
        assert_eq!(
            request(&[], false, None).assurance("pwd", 0),
            Assurance::Met
        );
        assert_eq!(request(&[], false, None).wanted_acr(), None);
    }

    #[test]
    fn a_weaker_sign_in_steps_up_once_then_goes_on_unless_mandatory() {
        let asked = [Acr::PhishingResistant, Acr::TwoFactors];
        assert_eq!(
            request(&asked, false, None).wanted_acr(),
            Some(Acr::TwoFactors)
        );
        assert_eq!(
            request(&asked, false, None).assurance("pwd", 50),
            Assurance::StepUp
        );
        assert_eq!(
            request(&asked, false, None).assurance("pwd otp mfa", 50),
            Assurance::Met
        );
        // Asked at 200; a sign-in from before that is still the old one.
        let stepped = request(&asked, false, Some(200));
        assert_eq!(stepped.assurance("pwd", 150), Assurance::StepUp);
        assert_eq!(
            stepped.assurance("pwd", 200),
            Assurance::Unmet { mandatory: false }
        );
    }

    #[test]
    fn require_mfa_is_a_floor_that_is_not_voluntary() {
        let strict = request(&[Acr::OneFactor], true, Some(200));
        assert_eq!(strict.wanted_acr(), Some(Acr::TwoFactors));
        assert_eq!(
            strict.assurance("pwd", 300),
            Assurance::Unmet { mandatory: true }
        );
        assert_eq!(strict.assurance("hwk user mfa", 300), Assurance::Met);
        // Two factors meet the floor; `phr` asked on top of it stays voluntary.
        let phr = request(&[Acr::PhishingResistant], true, Some(200));
        assert_eq!(
            phr.assurance("pwd otp mfa", 300),
            Assurance::Unmet { mandatory: false }
        );
    }
}
