//! `GET/POST /device/consent`: the signed-in person sees who asks for what, from which
//! device, and approves or denies (RFC 8628 §3.3). Showing the device's details and the
//! user code again helps people notice a request they did not start (§5.4); a device on
//! another network than the browser is called out plainly, since remote phishing ("enter
//! this code to claim your prize") always comes from somewhere else (§5.4, §5.5).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    client_addr::ClientAddr,
    oauth::{
        device::{UserCodeLookup, lookup_user_code},
        user_code::UserCode,
    },
    state::AppState,
    store::DeviceAuthorization,
    web::{
        approval::{self, ApprovalForm, Approver, Outcome, Question},
        csrf,
        error::PageError,
        message::MessagePage,
        session::PendingDevice,
    },
};

const LOGIN_THEN_CONSENT: &str = "/login?next=/device/consent";

#[derive(Template, WebTemplate)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub csrf: String,
    pub username: String,
    pub question: Question,
    /// A waiting browser's "Sign in with QR code", not a device (`oauth::qr_login`).
    pub browser_sign_in: bool,
}

pub async fn show(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    session: Session,
) -> Result<Response, PageError> {
    let Some(approver) = Approver::current(&state, &session, browser).await? else {
        return Ok(Redirect::to(LOGIN_THEN_CONSENT).into_response());
    };
    let Some(pending) = PendingDevice::load(&session).await? else {
        return Ok(Redirect::to("/device").into_response());
    };
    let now = state.clock.now();
    let page = ask(&state, &session, &pending, approver, None, now).await?;
    Ok(page.into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    session: Session,
    PageForm(form): PageForm<ApprovalForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let Some(approver) = Approver::current(&state, &session, browser).await? else {
        return Ok(Redirect::to(LOGIN_THEN_CONSENT).into_response());
    };
    // Gone after a decision: a second click (or another tab) lands here.
    let Some(pending) = PendingDevice::load(&session).await? else {
        return Err(PageError::no_longer_waiting());
    };
    let now = state.clock.now();
    let outcome =
        approval::decide(&state, &session, &approver, form, &pending.auth_id, now).await?;
    if let Outcome::AskAgain(error) = outcome {
        // Nothing was decided: the request stays in the session.
        let page = ask(&state, &session, &pending, approver, Some(error), now).await?;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    PendingDevice::forget(&session).await?;
    match outcome {
        Outcome::Decided { approved: true } => Ok(MessagePage::approved().into_response()),
        Outcome::Decided { approved: false } => Ok(MessagePage::denied().into_response()),
        _ => Err(PageError::no_longer_waiting()),
    }
}

/// The consent page for the request in the session, which is forgotten once the request
/// no longer waits (or its client is gone).
async fn ask(
    state: &AppState,
    session: &Session,
    pending: &PendingDevice,
    approver: Approver,
    error: Option<&'static str>,
    now: i64,
) -> Result<ConsentPage, PageError> {
    let auth = still_pending(state, session, pending, now).await?;
    let Some(client) = state.db.get_client(&auth.client_id).await? else {
        PendingDevice::forget(session).await?;
        return Err(PageError::no_longer_waiting());
    };
    let mut question = Question::new(state, session, Some(&client), &auth, &approver, now).await?;
    question.error = error;
    question.user_code = Some(
        UserCode::parse(&auth.user_code)
            .map(|c| c.display())
            .unwrap_or_else(|| auth.user_code.clone()),
    );
    Ok(ConsentPage {
        csrf: csrf::csrf_token(session).await?,
        username: approver.user.username,
        question,
        browser_sign_in: crate::oauth::qr_login::is_browser_sign_in(&auth),
    })
}

/// The authorization in the session, if it is still waiting; otherwise the session forgets
/// it and the page to show is the error. A user code can be drawn again after expiry, so
/// the id must match too.
async fn still_pending(
    state: &AppState,
    session: &Session,
    pending: &PendingDevice,
    now: i64,
) -> Result<DeviceAuthorization, PageError> {
    let lookup = match UserCode::parse(&pending.user_code) {
        Some(code) => Some(lookup_user_code(&state.db, &code, now).await?),
        None => None,
    };
    let gone = match lookup {
        Some(UserCodeLookup::Pending(auth)) if auth.id == pending.auth_id => return Ok(*auth),
        Some(UserCodeLookup::Expired) => PageError::expired_code(),
        _ => PageError::no_longer_waiting(),
    };
    PendingDevice::forget(session).await?;
    Err(gone)
}
