//! `GET/POST /device/consent`: the signed-in person sees who asks for what, from which
//! device, and approves or denies (RFC 8628 §3.3). Showing the device's details and the
//! user code again helps people notice a request they did not start (§5.4); a device on
//! another network than the browser is called out plainly, since remote phishing ("enter
//! this code to claim your prize") always comes from somewhere else (§5.4, §5.5).

use crate::web::lang::Tr as _;
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
    store::{DeviceAuthorization, DeviceState},
    web::{
        approval::{self, ApprovalForm, Approver, Choice, Outcome, Problem, Question},
        csrf,
        error::PageError,
        message::{MessagePage, Tone},
        session::PendingDevice,
    },
};

const LOGIN_THEN_CONSENT: &str = "/login?next=/device/consent";
/// Session key: the authorization this session decided last, so a repeated submit (a
/// double tap, a second tab) can be answered with what became of it.
const LAST_DECIDED: &str = "consent_last_decided";

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
    let now = state.clock.now();
    let choice = form.choice();
    // Gone after a decision: a second tap (or another tab) lands here, and is answered with
    // what became of the request this session last decided.
    let Some(pending) = PendingDevice::load(&session).await? else {
        let last = session.get::<String>(LAST_DECIDED).await?;
        return match last {
            Some(auth_id) => settled(&state, &approver, &auth_id, choice, now).await,
            None => Err(PageError::no_longer_waiting()),
        };
    };
    let outcome =
        approval::decide(&state, &session, &approver, form, &pending.auth_id, now).await?;
    if let Outcome::AskAgain(error) = outcome {
        // Nothing was decided: the request stays in the session.
        let page = ask(&state, &session, &pending, approver, Some(error), now).await?;
        return Ok(error.respond(page));
    }
    PendingDevice::forget(&session).await?;
    session.insert(LAST_DECIDED, &pending.auth_id).await?;
    match outcome {
        Outcome::Decided { approved: true } => {
            let auth = state.db.get_device_authorization(&pending.auth_id).await?;
            Ok(MessagePage::approved_for(auth.as_ref()).into_response())
        }
        Outcome::Decided { approved: false } => Ok(MessagePage::denied().into_response()),
        _ => settled(&state, &approver, &pending.auth_id, choice, now).await,
    }
}

/// The page for a request that no longer waits. Two taps on Approve 40 ms apart are one
/// approval: when this same person already made this same decision, the repeat ends on
/// the same page as the first (idempotent, as a person expects of a double tap). A request
/// that expired says so, distinct from one decided by someone else or otherwise.
async fn settled(
    state: &AppState,
    approver: &Approver,
    auth_id: &str,
    choice: Option<Choice>,
    now: i64,
) -> Result<Response, PageError> {
    let Some(auth) = state.db.get_device_authorization(auth_id).await? else {
        return Err(PageError::no_longer_waiting());
    };
    let me = approver.user.id.as_str();
    let page = match (&auth.state, choice) {
        (
            DeviceState::Approved(approval) | DeviceState::Redeemed(approval),
            Some(Choice::Approve),
        ) if approval.user_id == me => {
            return Ok(MessagePage::approved_for(Some(&auth)).into_response());
        }
        (DeviceState::Approved(approval) | DeviceState::Redeemed(approval), _)
            if approval.user_id == me =>
        {
            already_approved()
        }
        (DeviceState::Denied { by, .. }, Some(Choice::Deny)) if by == me => {
            return Ok(MessagePage::denied().into_response());
        }
        (DeviceState::Denied { by, .. }, _) if by == me => already_denied(),
        (DeviceState::Pending, _) if auth.expires_at <= now => {
            return Err(PageError::expired_code());
        }
        _ => return Err(PageError::no_longer_waiting()),
    };
    Ok((StatusCode::CONFLICT, page).into_response())
}

/// A Deny after this person's own Approve: too late to deny, but the way out is one tap away.
fn already_approved() -> MessagePage {
    MessagePage {
        tone: Tone::Info,
        title: "device-already-approved-title",
        text: "device-already-approved-text",
        action: "device-your-devices",
        href: "/account/devices",
        wait: None,
    }
}

/// An Approve after this person's own Deny.
fn already_denied() -> MessagePage {
    MessagePage {
        tone: Tone::Info,
        title: "device-already-denied-title",
        text: "device-already-denied-text",
        action: "device-another-code",
        href: "/device",
        wait: None,
    }
}

/// The consent page for the request in the session, which is forgotten once the request
/// no longer waits (or its client is gone).
async fn ask(
    state: &AppState,
    session: &Session,
    pending: &PendingDevice,
    approver: Approver,
    error: Option<Problem>,
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
