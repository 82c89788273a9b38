//! `GET /device/display?user_code=...`: a device's pending authorization as a page, for
//! browser-based TV apps and kiosks that would rather show a page than draw the QR code
//! themselves. Keyed by the user code, which the screen shows anyway; the device code stays
//! with the device, which still polls (or uses the live channel) to get its tokens.
//!
//! The page reloads itself every few seconds to show the outcome. Unknown codes count
//! against the same per-network and server-wide guessing budgets as typed codes (RFC 8628
//! §5.1), so the page cannot be used to find live codes.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State, rejection::QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{
    client_addr::ClientIp,
    oauth::user_code::UserCode,
    state::AppState,
    store::DeviceState,
    web::{countdown::Countdown, error::PageError, lockout::EntryBudgets},
};

/// Seconds between reloads while the code waits.
pub const REFRESH_SECS: u64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Waiting,
    Approved,
    Denied,
    Expired,
}

#[derive(Template, WebTemplate)]
#[template(path = "device_display.html")]
pub struct DisplayPage {
    pub shown: Shown,
    pub countdown: Option<Countdown>,
    pub refresh_secs: u64,
}

#[derive(Debug, Deserialize)]
pub struct DisplayQuery {
    user_code: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    query: Result<Query<DisplayQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    // Same network and server-wide budgets as `/device` (a kiosk page has no session
    // budget), counted before the lookup like there.
    let budgets = EntryBudgets::without_session(&state, ip);
    let Ok(entry) = budgets.admit(&state, now).await? else {
        return Err(PageError::too_many_attempts());
    };
    let code = query
        .ok()
        .and_then(|Query(q)| q.user_code)
        .and_then(|typed| UserCode::parse(&typed));
    let authorization = match &code {
        Some(code) => state.db.get_by_user_code(code.as_str()).await?,
        None => None,
    };
    let (Some(code), Some(authorization)) = (code, authorization) else {
        // The lock-out, if any, shows from the next request on.
        let _ = entry.wrong_code(&state, now);
        return Err(PageError::not_found());
    };
    entry.right_code(&state).await?;
    let shown = match authorization.state {
        DeviceState::Approved(_) | DeviceState::Redeemed(_) => Shown::Approved,
        DeviceState::Denied { .. } => Shown::Denied,
        DeviceState::Pending if authorization.expires_at <= now => Shown::Expired,
        DeviceState::Pending => Shown::Waiting,
    };
    let countdown = (shown == Shown::Waiting).then(|| {
        Countdown::new(
            &state.config,
            &code,
            authorization.created_at,
            authorization.expires_at,
            now,
        )
    });
    let page = DisplayPage {
        shown,
        countdown,
        refresh_secs: REFRESH_SECS,
    };
    let status = match shown {
        Shown::Expired => StatusCode::GONE,
        _ => StatusCode::OK,
    };
    Ok((status, page).into_response())
}
