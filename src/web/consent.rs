//! `GET/POST /device/consent`: the signed-in person sees who asks for what, from which
//! device, and approves or denies (RFC 8628 §3.3). Showing the device's details and the
//! user code again helps people notice a request they did not start (§5.4).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{State, rejection::FormRejection},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::{
    oauth::{
        device::{UserCodeLookup, decide, lookup_user_code},
        scope,
        user_code::UserCode,
    },
    state::AppState,
    store::{ClientStore, Decision, DeviceAuthorization, DeviceInfo},
    web::{
        csrf,
        duration_words::{ago, remaining},
        error::PageError,
        message::MessagePage,
        session::{PendingDevice, SignedIn},
    },
};

const LOGIN_THEN_CONSENT: &str = "/login?next=/device/consent";

#[derive(Template, WebTemplate)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub csrf: String,
    pub client_name: String,
    pub username: String,
    /// Plain-words descriptions of the requested scopes.
    pub scopes: Vec<&'static str>,
    pub device: DeviceInfo,
    pub asked: String,
    pub user_code: String,
    pub time_left: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Choice {
    Approve,
    Deny,
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf: String,
    decision: Choice,
}

pub async fn show(State(state): State<AppState>, session: Session) -> Result<Response, PageError> {
    let Some((_, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(LOGIN_THEN_CONSENT).into_response());
    };
    let Some(pending) = PendingDevice::load(&session).await? else {
        return Ok(Redirect::to("/device").into_response());
    };
    let now = state.clock.now();
    let auth = match still_pending(&state, &pending, now).await? {
        Ok(auth) => auth,
        Err(page) => {
            PendingDevice::forget(&session).await?;
            return Err(page);
        }
    };
    let Some(client) = state.db.get_client(&auth.client_id).await? else {
        PendingDevice::forget(&session).await?;
        return Err(PageError::no_longer_waiting());
    };
    let page = ConsentPage {
        csrf: csrf::csrf_token(&session).await?,
        client_name: client.name,
        username: user.username,
        scopes: scope::describe_all(&auth.scope),
        asked: ago(now - auth.created_at),
        time_left: remaining(auth.expires_at - now),
        user_code: UserCode::parse(&auth.user_code)
            .map(|c| c.display())
            .unwrap_or(auth.user_code),
        device: auth.device,
    };
    Ok(page.into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    form: Result<Form<ConsentForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(PageError::bad_form)?;
    csrf::verify(&session, &form.csrf).await?;
    let Some((signed_in, _)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(LOGIN_THEN_CONSENT).into_response());
    };
    // Gone after a decision: a second click (or another tab) lands here.
    let Some(pending) = PendingDevice::load(&session).await? else {
        return Err(PageError::no_longer_waiting());
    };
    let approved = matches!(form.decision, Choice::Approve);
    let decision = Decision {
        approved,
        user_id: signed_in.user_id,
        auth_time: signed_in.auth_time,
        amr: signed_in.amr,
    };
    let decided = decide(&state.db, &pending.auth_id, &decision, state.clock.now()).await?;
    PendingDevice::forget(&session).await?;
    if !decided {
        return Err(PageError::no_longer_waiting());
    }
    tracing::info!(device_authorization = %pending.auth_id, approved, "device authorization decided");
    let page = if approved {
        MessagePage::approved()
    } else {
        MessagePage::denied()
    };
    Ok(page.into_response())
}

/// The authorization in the session, if it is still waiting. Otherwise the page to show.
/// A user code can be drawn again after expiry, so the id must match too.
async fn still_pending(
    state: &AppState,
    pending: &PendingDevice,
    now: i64,
) -> Result<Result<DeviceAuthorization, PageError>, PageError> {
    let Some(code) = UserCode::parse(&pending.user_code) else {
        return Ok(Err(PageError::no_longer_waiting()));
    };
    Ok(match lookup_user_code(&state.db, &code, now).await? {
        UserCodeLookup::Pending(auth) if auth.id == pending.auth_id => Ok(auth),
        UserCodeLookup::Expired => Err(PageError::expired_code()),
        _ => Err(PageError::no_longer_waiting()),
    })
}
