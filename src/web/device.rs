//! `GET /device` and `POST /device`: the verification URI where a person types the user code
//! (RFC 8628 §3.3), or arrives with it pre-filled from `verification_uri_complete` (§3.3.1).

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State, rejection::QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    client_addr::ClientIp,
    oauth::{
        device::{UserCodeLookup, lookup_user_code},
        user_code::UserCode,
    },
    state::AppState,
    web::{
        csrf,
        error::PageError,
        lockout::EntryBudgets,
        session::{PendingDevice, SignedIn},
    },
};

/// Longest typed value echoed back into the form.
const MAX_ECHO_LEN: usize = 24;

#[derive(Template, WebTemplate)]
#[template(path = "device.html")]
pub struct EntryPage {
    pub csrf: String,
    pub user_code: String,
    /// Arrived via `verification_uri_complete` (a scanned QR code or a link).
    pub from_link: bool,
    /// Why the code was refused (an id of `locales/*/device.ftl`).
    pub error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct EntryQuery {
    user_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    user_code: String,
    #[serde(default)]
    csrf: String,
}

pub async fn show_entry(
    session: Session,
    query: Result<Query<EntryQuery>, QueryRejection>,
) -> Result<EntryPage, PageError> {
    // An unreadable query string just shows the empty form.
    let linked = query.ok().and_then(|Query(q)| q.user_code);
    let user_code = linked
        .map(|typed| UserCode::parse(&typed).map_or_else(|| echo(&typed), |code| code.display()))
        .unwrap_or_default();
    Ok(EntryPage {
        csrf: csrf::csrf_token(&session).await?,
        from_link: !user_code.is_empty(),
        user_code,
        error: None,
    })
}

pub async fn submit_code(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    PageForm(form): PageForm<EntryForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let now = state.clock.now();
    // RFC 8628 §5.1: user codes are short, so entries are rate limited per network and
    // per browser session (`web/lockout.rs`).
    // Shared by all instances, and counted before the lookup (taken back for a real code).
    let budgets = EntryBudgets::of(&state, &session, ip).await?;
    let entry = match budgets.admit(&state, now).await? {
        Ok(entry) => entry,
        Err(locked_out) => return Ok(locked_out),
    };
    let lookup = match UserCode::parse(&form.user_code) {
        Some(code) => lookup_user_code(&state.db, &code, now).await?,
        None => UserCodeLookup::Unknown,
    };
    if matches!(lookup, UserCodeLookup::Unknown) {
        if let Some(locked_out) = entry.wrong_code(&state, now) {
            return Ok(locked_out);
        }
    } else {
        entry.right_code(&state).await?;
    }
    match lookup {
        UserCodeLookup::Pending(auth) => {
            let pending = PendingDevice {
                auth_id: auth.id,
                user_code: auth.user_code,
            };
            pending.store(&session).await?;
            if SignedIn::load(&session).await?.is_some() {
                Ok(Redirect::to("/device/consent").into_response())
            } else {
                Ok(Redirect::to("/login?next=/device/consent").into_response())
            }
        }
        UserCodeLookup::Expired => Err(PageError::expired_code()),
        UserCodeLookup::AlreadyUsed => Err(PageError::code_already_used()),
        UserCodeLookup::PairingBound => Err(PageError::pairing_bound()),
        UserCodeLookup::Unknown => {
            let page = EntryPage {
                csrf: csrf::csrf_token(&session).await?,
                user_code: echo(&form.user_code),
                from_link: false,
                error: Some("device-code-invalid"),
            };
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
    }
}

/// What the person typed, bounded, to show it again for correction.
fn echo(typed: &str) -> String {
    typed
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_ECHO_LEN)
        .collect()
}
