//! "Sign in with QR code" on the login page of the code flow (`oauth::qr_login`):
//!
//! - `POST /login/qr` (CSRF) creates the waiting browser's authorization and keeps its id in
//!   this browser's server-side session (never in the page or a URL);
//! - `GET /login/qr` shows the QR code, the user code and the time left, and is also where
//!   the browser goes once the phone decided: it then signs the browser in and continues the
//!   code flow. Without JavaScript a `<meta http-equiv="refresh">` re-checks every few
//!   seconds, and a `<noscript>` note links to the page to check again;
//! - `GET /login/qr/events` is the live channel of the page (Server-Sent Events, keyed by
//!   the session): one event `approved`, `denied` or `expired`, then the stream ends.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    client_addr::ClientAddr,
    http::device_metadata,
    oauth::audit::{self, AuditEvent, Origin, SignInMethod},
    oauth::{
        accounts,
        qr_login::{self, QrLoginState},
        scope,
        user_code::UserCode,
    },
    state::AppState,
    store::{Consent, DeviceInfo},
    web::{
        authorize::{CONTINUE, pending_request},
        countdown::Countdown,
        csrf,
        error::PageError,
        login::CsrfForm,
        session::SignedIn,
    },
};

/// Session key of the waiting sign-in.
const WAITING: &str = "qr_login";
/// Seconds between re-checks of the page without JavaScript.
pub const REFRESH_SECS: u64 = 3;
const PAGE: &str = "/login/qr";

/// What the waiting browser's session remembers of its QR sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Waiting {
    authorization_id: String,
    /// Normalized user code.
    user_code: String,
    created_at: i64,
    expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Waiting,
    Expired,
    Denied,
}

#[derive(Template, WebTemplate)]
#[template(path = "login_qr.html")]
pub struct QrLoginPage {
    pub csrf: String,
    pub shown: Shown,
    pub countdown: Option<Countdown>,
    pub client_name: String,
    pub refresh_secs: u64,
}

/// Starts a QR sign-in for the pending code-flow request, or keeps the current one while it
/// is still waiting (a double click does not make two).
pub async fn start(
    State(state): State<AppState>,
    ClientAddr(browser_ip): ClientAddr,
    headers: HeaderMap,
    session: Session,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, form.csrf()).await?;
    let request = pending_request(&session).await?;
    let now = state.clock.now();
    if let Some(waiting) = session.get::<Waiting>(WAITING).await?
        && waiting.expires_at > now
        && let Some(current) = state
            .db
            .get_device_authorization(&waiting.authorization_id)
            .await?
        && current.state.is_pending()
        && current.client_id == request.client_id
    {
        return Ok(Redirect::to(PAGE).into_response());
    }
    let browser = DeviceInfo {
        name: Some("Web browser".to_string()),
        ip: browser_ip.map(|ip| ip.to_string()),
        user_agent: device_metadata::user_agent(&headers),
        ..DeviceInfo::default()
    };
    let authorization = qr_login::start(
        &state.db,
        &request.client_id,
        &request.scope,
        browser,
        state.config.qr_login_lifetime_secs as i64,
        now,
    )
    .await?;
    let waiting = Waiting {
        authorization_id: authorization.id,
        user_code: authorization.user_code,
        created_at: authorization.created_at,
        expires_at: authorization.expires_at,
    };
    session.insert(WAITING, &waiting).await?;
    tracing::info!(client_id = %request.client_id, "QR sign-in started");
    Ok(Redirect::to(PAGE).into_response())
}

/// The waiting page; signs the browser in once the phone approved.
pub async fn show(State(state): State<AppState>, session: Session) -> Result<Response, PageError> {
    let Some(waiting) = session.get::<Waiting>(WAITING).await? else {
        return Ok(Redirect::to(&format!("/login?next={CONTINUE}")).into_response());
    };
    let request = pending_request(&session).await?;
    let now = state.clock.now();
    let shown = match qr_login::check_and_consume(&state.db, &waiting.authorization_id, now).await?
    {
        QrLoginState::Pending(_) => Shown::Waiting,
        QrLoginState::Expired => Shown::Expired,
        QrLoginState::Denied => {
            session.remove::<Waiting>(WAITING).await?;
            Shown::Denied
        }
        QrLoginState::Gone => {
            session.remove::<Waiting>(WAITING).await?;
            return Ok(Redirect::to(&format!("/login?next={CONTINUE}")).into_response());
        }
        QrLoginState::Approved {
            authorization,
            approval,
        } => {
            // The same account check as at every token redemption (disabled, deleted,
            // password changed since the approval).
            let auth_time = approval.auth_time;
            let Ok(user) =
                accounts::active_account(&state.db, &approval.user_id, auth_time).await?
            else {
                session.remove::<Waiting>(WAITING).await?;
                return Err(PageError::no_longer_waiting());
            };
            // Like a password sign-in: a new session id and CSRF token (session fixation).
            session.remove::<Waiting>(WAITING).await?;
            // auth_time is the approving person's last real authentication, so `max_age`
            // and `prompt=login` are not satisfied by an old phone session.
            let signed_in = SignedIn {
                user_id: user.id.clone(),
                auth_time,
                amr: qr_login::AMR.to_string(),
            };
            signed_in.establish(&session).await?;
            // The phone was shown this relying party and these scopes, and approved: that
            // is the consent of the code flow, remembered like one given on its own page.
            if request.client_id == authorization.client_id
                && request
                    .scope
                    .split_whitespace()
                    .all(|s| scope::contains(&authorization.scope, s))
            {
                let consent = Consent {
                    user_id: user.id.clone(),
                    client_id: authorization.client_id.clone(),
                    scope: authorization.scope.clone(),
                    granted_at: now,
                };
                state.db.save_consent(&consent).await?;
            }
            tracing::info!(user_id = %user.id, "signed in by QR code");
            // This browser, as recorded when its QR sign-in started.
            let browser = &authorization.device;
            let from = Origin {
                ip: browser.ip.clone(),
                user_agent: browser.user_agent.clone(),
            };
            let method = SignInMethod::QrCode;
            let event = AuditEvent::SignIn {
                user_id: user.id.clone(),
                method,
                from,
            };
            audit::record(&state.db, event, now).await;
            return Ok(Redirect::to(CONTINUE).into_response());
        }
    };
    let client_name = state
        .db
        .get_client(&request.client_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let countdown = (shown == Shown::Waiting)
        .then(|| UserCode::parse(&waiting.user_code))
        .flatten()
        .map(|code| {
            Countdown::new(
                &state.config,
                &code,
                waiting.created_at,
                waiting.expires_at,
                now,
            )
        });
    let page = QrLoginPage {
        csrf: csrf::csrf_token(&session).await?,
        shown,
        countdown,
        client_name,
        refresh_secs: REFRESH_SECS,
    };
    let status = match shown {
        Shown::Waiting => StatusCode::OK,
        // The code is gone for good; the page offers a new one.
        Shown::Expired | Shown::Denied => StatusCode::GONE,
    };
    Ok((status, page).into_response())
}

/// The page's live channel: waits for the phone's decision on this session's QR sign-in.
/// 204 (which tells `EventSource` not to reconnect) when there is nothing to wait for.
pub async fn events(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, PageError> {
    let Some(waiting) = session.get::<Waiting>(WAITING).await? else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let Some(authorization) = state
        .db
        .get_device_authorization(&waiting.authorization_id)
        .await?
        .filter(qr_login::is_browser_sign_in)
    else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    Ok(crate::web::decision_events::response(state, authorization))
}
