//! `GET/POST /login` (password sign-in) and `POST /logout`.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State, rejection::QueryRejection},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    client_addr::{ClientAddr, ClientIp},
    http::device_metadata,
    oauth::accounts::{self, PasswordCheck, totp},
    oauth::audit::{self, AuditEvent, Origin, SignInMethod},
    state::AppState,
    web::login_otp::{self, PendingSecondStep},
    web::session::PendingDevice,
    web::{authorize, csp, csrf, error::PageError, session::SignedIn},
};

/// Where to go after sign-in when no (acceptable) `next` is given. There is no account
/// page yet; entering a device code is what people come for.
const DEFAULT_NEXT: &str = "/device";
/// Catalogue id (`locales/*/signin.ftl`).
const WRONG_CREDENTIALS: &str = "signin-wrong-credentials";

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub csrf: String,
    pub next: String,
    pub username: String,
    /// A catalogue id (signin.ftl).
    pub error: Option<&'static str>,
    /// Offer "Sign in with QR code" (the code flow's login, `web/qr_login.rs`).
    pub qr_login: bool,
    /// Lead with it (`screen_hint=qr` on the authorization request).
    pub qr_first: bool,
    /// Offer "Sign in with a passkey" and passkey autofill (`static/webauthn.js`, shown
    /// first when the browser supports it): the issuer can be a WebAuthn relying party.
    pub passkeys: bool,
    /// The app asks for a stronger sign-in (`acr_values`, `require_mfa`; docs/factors.md).
    pub step_up: bool,
    /// What this sign-in is for, named in the page's first sentence.
    pub purpose: SignInFor,
}

/// What a sign-in continues to, so the page can say it (as Google's "to continue to
/// <app>"). Names come from the client registration, which the operator controls, never
/// from what a device says about itself (a device could call itself anything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInFor {
    /// A web app's authorization request (the code flow): the client's name.
    App(String),
    /// Approving a device's request (RFC 8628): the client's name.
    Device(String),
    /// Approving another browser's "Sign in with QR code" for this app.
    OtherBrowser(String),
    /// The account pages (`/account/...`).
    Account,
    /// Entering a device code, no request yet.
    DeviceCode,
}

impl SignInFor {
    /// From where the sign-in continues (`next`) and what waits in the session.
    async fn of(
        state: &AppState,
        session: &Session,
        next: &str,
        request: Option<&crate::oauth::authorize::AuthorizationRequest>,
    ) -> Result<SignInFor, PageError> {
        let client_name = |id: String| async move {
            Ok::<_, PageError>(state.db.get_client(&id).await?.map(|c| c.name))
        };
        if let Some(request) = request {
            if let Some(name) = client_name(request.client_id.clone()).await? {
                return Ok(SignInFor::App(name));
            }
        }
        if next.starts_with("/account") {
            return Ok(SignInFor::Account);
        }
        if next.starts_with("/device/consent") {
            if let Some(pending) = PendingDevice::load(session).await? {
                if let Some(auth) = state.db.get_device_authorization(&pending.auth_id).await? {
                    let browser = crate::oauth::qr_login::is_browser_sign_in(&auth);
                    if let Some(name) = client_name(auth.client_id).await? {
                        return Ok(match browser {
                            true => SignInFor::OtherBrowser(name),
                            false => SignInFor::Device(name),
                        });
                    }
                }
            }
        }
        Ok(SignInFor::DeviceCode)
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    /// OIDC `login_hint`: the username to suggest.
    login_hint: Option<String>,
    /// Show the form even to a signed-in person (OIDC `prompt=login`, `max_age`).
    force: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

impl CsrfForm {
    pub fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let query = query.ok().map(|Query(q)| q);
    let requested = query.as_ref().and_then(|q| q.next.as_deref());
    let next = safe_next(requested);
    let force = query.as_ref().is_some_and(|q| q.force.is_some());
    if !force && SignedIn::load(&session).await?.is_some() {
        return Ok(Redirect::to(next).into_response());
    }
    let hint = query
        .as_ref()
        .and_then(|q| q.login_hint.as_deref())
        .unwrap_or_default();
    login_page(&state, &session, next, hint, None).await
}

/// The sign-in form. When it signs in for a code-flow request, its submission ends at the
/// client's redirect URI, which the page's CSP must then allow (`web/csp.rs`).
async fn login_page(
    state: &AppState,
    session: &Session,
    next: &str,
    username: &str,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let request = match next == authorize::CONTINUE {
        true => authorize::pending(session).await?,
        false => None,
    };
    let page = LoginPage {
        csrf: csrf::csrf_token(session).await?,
        next: next.to_string(),
        username: username.chars().take(200).collect(),
        error,
        qr_login: state.config.features.qr_sign_in && next == authorize::CONTINUE,
        qr_first: state.config.features.qr_sign_in && request.as_ref().is_some_and(|r| r.qr_first),
        passkeys: state.passkeys.available(),
        step_up: request.as_ref().is_some_and(|r| r.step_up_at.is_some()),
        purpose: SignInFor::of(state, session, next, request.as_ref()).await?,
    };
    let status = match error {
        Some(_) => StatusCode::UNAUTHORIZED,
        None => StatusCode::OK,
    };
    let response = (status, page).into_response();
    Ok(match request {
        Some(request) => csp::allow_form_target(response, &request.redirect_uri),
        None => response,
    })
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    session: Session,
    PageForm(form): PageForm<LoginForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let username = form.username.trim();
    let now = state.clock.now();
    let account = state.db.get_user_by_username(username).await?;
    let account_id = account.as_ref().map(|user| user.id.clone());
    let from = Origin::new(addr, device_metadata::user_agent(&headers));
    // Password guessing is bounded per account and network, per network, and per account
    // without locking the owner out (`oauth/accounts/sign_in.rs`, docs/security.md). A
    // disabled account is checked like an unknown one: same work, same answer.
    let checked =
        accounts::check_password(&state, username, account, form.password, &ip, now).await?;
    let user = match checked {
        PasswordCheck::Right(user) => user,
        PasswordCheck::Wait(wait_secs) => return Ok(too_many_attempts(wait_secs)),
        PasswordCheck::Wrong => {
            tracing::info!("sign-in failed");
            let failed = AuditEvent::SignInFailed {
                user_id: account_id,
                from,
            };
            audit::record(&state.db, failed, now).await;
            let next = safe_next(Some(&form.next));
            return login_page(&state, &session, next, username, Some(WRONG_CREDENTIALS)).await;
        }
    };
    // An account with an authenticator app is not signed in yet: the code comes first
    // (`web/login_otp.rs`, docs/factors.md).
    if totp::is_enrolled(&state.db, &user.id).await? {
        let pending = PendingSecondStep {
            user_id: user.id.clone(),
            password_at: now,
            next: safe_next(Some(&form.next)).to_string(),
        };
        pending.begin(&session).await?;
        return Ok(Redirect::to(login_otp::PAGE).into_response());
    }
    let signed_in = SignedIn {
        user_id: user.id.clone(),
        auth_time: state.clock.now(),
        amr: "pwd".to_string(),
    };
    signed_in.establish(&session).await?;
    tracing::info!(user_id = %user.id, "signed in");
    let method = SignInMethod::Password;
    let event = AuditEvent::SignIn {
        user_id: user.id.clone(),
        method,
        from,
    };
    audit::record(&state.db, event, now).await;
    Ok(Redirect::to(safe_next(Some(&form.next))).into_response())
}

/// The "too many attempts" page, saying when to come back (`Retry-After`, RFC 9110 §10.2.3).
pub fn too_many_attempts(wait_secs: i64) -> Response {
    let mut response = PageError::too_many_attempts()
        .with_wait(wait_secs)
        .into_response();
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(wait_secs.max(1)),
    );
    response
}

pub async fn logout(
    session: Session,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    session.flush().await?;
    Ok(Redirect::to("/device").into_response())
}

/// `next` only if it is a path on this server: an open redirect would let a phishing link
/// borrow our address. `//host` and `\` are read as other hosts by browsers, and browsers
/// drop tabs and newlines from URLs (`/\t/host` becomes `//host`).
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.contains('\\')
                && !next.chars().any(|c| c.is_control() || c.is_whitespace())
                && next.len() <= 512 =>
        {
            next
        }
        _ => DEFAULT_NEXT,
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/device/consent")), "/device/consent");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil",
            "",
            "evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/device", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/device");
    }
}
