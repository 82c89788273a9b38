//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): `/oauth2/logout`, the
//! `end_session_endpoint`. A redirect back is only ever to a URI the client registered.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawForm, RawQuery, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    oauth::params::Params,
    state::AppState,
    tokens::jwt::IdTokenClaims,
    web::{csp, csrf, error::PageError, login::CsrfForm, message::MessagePage, session::SignedIn},
};

const PENDING: &str = "logout_request";

#[derive(Template, WebTemplate)]
#[template(path = "logout_confirm.html")]
struct ConfirmPage {
    csrf: String,
    client_name: Option<String>,
}

/// Where to go after signing out, once validated.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LogoutRequest {
    redirect: Option<String>,
}

pub async fn start_get(
    state: State<AppState>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Response {
    start(state, session, query.unwrap_or_default().into_bytes()).await
}

pub async fn start_post(
    state: State<AppState>,
    session: Session,
    RawForm(body): RawForm,
) -> Response {
    start(state, session, body.to_vec()).await
}

async fn start(State(state): State<AppState>, session: Session, raw: Vec<u8>) -> Response {
    logout(&state, &session, &raw)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn logout(state: &AppState, session: &Session, raw: &[u8]) -> Result<Response, PageError> {
    let bad = || PageError::bad_authorization_request("signin-error-bad-logout-link");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).map_err(|_| bad())?;
    let params = Params::from_pairs(pairs).map_err(|_| bad())?;
    let keys = state.keys.current();
    let hint = match params.get("id_token_hint") {
        None => None,
        Some(token) => Some(
            keys.verify_ignoring_expiry::<IdTokenClaims>(token, "JWT", &state.config.issuer)
                .map_err(|_| bad())?,
        ),
    };
    // §2: the client is the hint's audience, or client_id; both must agree.
    let client_id = match (
        hint.as_ref().map(|h| h.aud.as_str()),
        params.get("client_id"),
    ) {
        (Some(aud), Some(id)) if aud != id => return Err(bad()),
        (Some(aud), _) => Some(aud),
        (None, id) => id,
    };
    let client = match client_id {
        Some(id) => state.db.get_client(id).await?,
        None => None,
    };
    let redirect = match params.get("post_logout_redirect_uri") {
        None => None,
        Some(uri)
            if client
                .as_ref()
                .is_some_and(|c| c.has_post_logout_redirect_uri(uri)) =>
        {
            Some(with_state(uri, params.get("state")))
        }
        Some(_) => {
            return Err(PageError::bad_authorization_request(
                "signin-error-unregistered-redirect",
            ));
        }
    };
    let signed_in = SignedIn::load(session).await?;
    let hint_matches = match (&signed_in, &hint) {
        (None, _) => true,
        (Some(current), Some(hint)) => current.user_id == hint.sub,
        (Some(_), None) => false,
    };
    if hint_matches {
        session.flush().await?;
        return Ok(done(redirect));
    }
    // Without proof the request comes from the signed-in person's app, ask (§2, §6).
    let page = ConfirmPage {
        csrf: csrf::csrf_token(session).await?,
        client_name: client.map(|c| c.name),
    }
    .into_response();
    // Confirming ends at the post-logout redirect URI (`web/csp.rs`).
    let page = match &redirect {
        Some(uri) => csp::allow_form_target(page, uri),
        None => page,
    };
    session.insert(PENDING, LogoutRequest { redirect }).await?;
    Ok(page)
}

pub async fn confirm(
    session: Session,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, form.csrf()).await?;
    let pending = session.get::<LogoutRequest>(PENDING).await?;
    session.flush().await?;
    Ok(done(pending.and_then(|p| p.redirect)))
}

fn done(redirect: Option<String>) -> Response {
    match redirect {
        Some(url) => Redirect::to(&url).into_response(),
        None => MessagePage::signed_out().into_response(),
    }
}

fn with_state(uri: &str, state: Option<&str>) -> String {
    match (url::Url::parse(uri), state) {
        (Ok(mut url), Some(state)) => {
            url.query_pairs_mut().append_pair("state", state);
            url.into()
        }
        _ => uri.to_string(),
    }
}
