//! `GET/POST /login/otp`: the second step of a password sign-in when the account has a
//! confirmed authenticator app (`oauth::accounts::totp`, docs/factors.md).
//!
//! The right password does not sign in such an account: `login::submit` keeps a
//! [`PendingSecondStep`] in the session (under a new session id) and sends the browser
//! here. Only a right code (or an unused recovery code) establishes the session, with
//! `amr` `pwd otp mfa` (RFC 8176 §2). Wrong codes are attempts of the sign-in budgets, the
//! same as wrong passwords, so the second step adds no fresh guesses.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State, rejection::QueryRejection},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    client_addr::{ClientAddr, ClientIp},
    http::device_metadata,
    oauth::{
        accounts::{
            self,
            totp::{self, OtpCheck, OtpKind},
        },
        audit::{self, AuditEvent, Origin, SignInMethod},
    },
    state::AppState,
    store::{USER_ID_KEY, User},
    web::{authorize, csp, csrf, error::PageError, session::SignedIn},
};

pub const PAGE: &str = "/login/otp";
/// How long after the right password the code may be typed.
pub const PENDING_SECS: i64 = 300;
/// The `amr` of a password and a one-time code (RFC 8176 §2: `otp`, and `mfa` for two
/// factors).
pub const AMR: &str = "pwd otp mfa";

const PENDING: &str = "second_step";
/// Catalogue id (`locales/*/signin.ftl`).
const WRONG_CODE: &str = "signin-otp-wrong-code";

/// A right password waiting for its second step. Not a sign-in: nothing but this page
/// reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSecondStep {
    pub user_id: String,
    /// Clock seconds of the right password.
    pub password_at: i64,
    /// Where to go once signed in (already `safe_next`).
    pub next: String,
}

impl PendingSecondStep {
    /// After the right password of an account with a second factor: a new session id (the
    /// session now vouches for a password), no sign-in of anyone else kept, then the record.
    pub async fn begin(&self, session: &Session) -> Result<(), PageError> {
        session.cycle_id().await?;
        // A person signed in before (`prompt=login`) is no longer: this browser is now
        // between two steps of another sign-in.
        session.remove_value(USER_ID_KEY).await?;
        session.insert(PENDING, self).await?;
        Ok(())
    }

    /// The pending record, if still young enough.
    async fn load(session: &Session, now: i64) -> Result<Option<PendingSecondStep>, PageError> {
        let pending = session.get::<PendingSecondStep>(PENDING).await?;
        Ok(pending.filter(|p| now - p.password_at <= PENDING_SECS))
    }

    async fn forget(session: &Session) -> Result<(), PageError> {
        session.remove_value(PENDING).await?;
        Ok(())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login_otp.html")]
struct OtpPage {
    csrf: String,
    /// Ask for a recovery code instead of the app's code.
    recovery: bool,
    /// A catalogue id (signin.ftl).
    error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct OtpQuery {
    recovery: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct OtpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    recovery: String,
}

/// The page; in a code-flow sign-in its submission ends at the client's redirect URI,
/// which the CSP must then allow (as `login::login_page`).
async fn otp_page(
    session: &Session,
    pending: &PendingSecondStep,
    recovery: bool,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let request = match pending.next == authorize::CONTINUE {
        true => authorize::pending(session).await?,
        false => None,
    };
    let page = OtpPage {
        csrf: csrf::csrf_token(session).await?,
        recovery,
        error,
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

/// The "too many attempts" page, saying how long to wait, with `Retry-After` (RFC 9110
/// §10.2.3), as
/// `login::too_many_attempts` (not imported: `login` starts this step, imports point one way).
fn too_many_attempts(wait_secs: i64) -> Response {
    let mut response = PageError::too_many_attempts()
        .with_wait(wait_secs)
        .into_response();
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(wait_secs.max(1)),
    );
    response
}

/// Back to the password: the pending sign-in expired or never was.
fn start_again() -> Response {
    Redirect::to("/login").into_response()
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<OtpQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let Some(pending) = PendingSecondStep::load(&session, now).await? else {
        return Ok(start_again());
    };
    let recovery = query.is_ok_and(|Query(q)| q.recovery.is_some());
    otp_page(&session, &pending, recovery, None).await
}

/// The account of a pending sign-in, if it may still act (not disabled, no password change
/// since the password was typed: `accounts::active_account`).
async fn pending_account(
    state: &AppState,
    pending: &PendingSecondStep,
) -> Result<Option<User>, PageError> {
    Ok(
        accounts::active_account(&state.db, &pending.user_id, pending.password_at)
            .await?
            .ok(),
    )
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    session: Session,
    PageForm(form): PageForm<OtpForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let now = state.clock.now();
    let Some(pending) = PendingSecondStep::load(&session, now).await? else {
        return Ok(start_again());
    };
    let Some(user) = pending_account(&state, &pending).await? else {
        PendingSecondStep::forget(&session).await?;
        return Ok(start_again());
    };
    let from = Origin::new(addr, device_metadata::user_agent(&headers));
    let recovery = !form.recovery.is_empty();
    let kind = match totp::check_code(&state, &user, &form.code, &ip, now).await? {
        OtpCheck::Right(kind) => kind,
        OtpCheck::Wait(wait_secs) => return Ok(too_many_attempts(wait_secs)),
        OtpCheck::Wrong => {
            tracing::info!(user_id = %user.id, "second step failed");
            let user_id = user.id.clone();
            audit::record(&state.db, AuditEvent::OtpFailed { user_id, from }, now).await;
            return otp_page(&session, &pending, recovery, Some(WRONG_CODE)).await;
        }
    };
    PendingSecondStep::forget(&session).await?;
    let signed_in = SignedIn {
        user_id: user.id.clone(),
        auth_time: now,
        amr: AMR.to_string(),
    };
    signed_in.establish(&session).await?;
    tracing::info!(user_id = %user.id, "signed in with a second factor");
    let method = match kind {
        OtpKind::Totp => SignInMethod::PasswordAndTotp,
        OtpKind::RecoveryCode => {
            let user_id = user.id.clone();
            let used = AuditEvent::RecoveryCodeUsed {
                user_id,
                from: from.clone(),
            };
            audit::record(&state.db, used, now).await;
            SignInMethod::PasswordAndRecoveryCode
        }
    };
    let event = AuditEvent::SignIn {
        user_id: user.id,
        method,
        from,
    };
    audit::record(&state.db, event, now).await;
    // `next` passed `login::safe_next` before it was stored (server-side, in the session).
    Ok(Redirect::to(&pending.next).into_response())
}
