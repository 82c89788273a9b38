//! `GET /device/display?user_code=...`: a device's pending authorization as a page, for
//! browser-based TV apps and kiosks that would rather show a page than draw the QR code
//! themselves. Keyed by the user code, which the screen shows anyway; the device code stays
//! with the device, which still polls (or uses the live channel) to get its tokens.
//!
//! The page is laid out for a screen read from across the room (`static/display.css`) and
//! changes state in place (`static/display.js`) when `GET /device/display/events` — a
//! Server-Sent Events stream keyed by the same user code — says the code was approved,
//! denied or expired. No `<meta http-equiv="refresh">` (WCAG 2.2.1, axe `meta-refresh`):
//! without scripts a "Check again" link reloads on request.
//!
//! Unknown codes, on the page and on the stream, count against the same per-network and
//! server-wide guessing budgets as typed codes (RFC 8628 §5.1), so neither can be used to
//! find live codes.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Query, State, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

use crate::{
    client_addr::ClientIp,
    oauth::user_code::UserCode,
    state::AppState,
    store::{DeviceAuthorization, DeviceState},
    web::{countdown::Countdown, error::PageError, lockout::EntryBudgets},
};

const DISPLAY_STYLESHEET: &str = include_str!("../../static/display.css");
const DISPLAY_SCRIPT: &str = include_str!("../../static/display.js");

/// The page, its live channel and its static files.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/device/display", get(show))
        .route("/device/display/events", get(events))
        .route(
            "/static/display.css",
            get(|| static_file("text/css; charset=utf-8", DISPLAY_STYLESHEET)),
        )
        .route(
            "/static/display.js",
            get(|| static_file("text/javascript; charset=utf-8", DISPLAY_SCRIPT)),
        )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Waiting,
    Approved,
    Denied,
    Expired,
    /// No authorization has this code (mistyped, or expired and since cleared away).
    Unknown,
}

#[derive(Template, WebTemplate)]
#[template(path = "device_display.html")]
pub struct DisplayPage {
    pub shown: Shown,
    pub countdown: Option<Countdown>,
    /// The page's own address, for the "Check again" link without scripts.
    pub again: String,
    /// The live channel of this code, for `static/display.js`.
    pub events: String,
}

#[derive(Debug, Deserialize)]
pub struct DisplayQuery {
    user_code: Option<String>,
}

/// Finds the authorization of the queried code under the guessing budgets: `Ok(Err(_))` is
/// the response to give instead (lock-out, or unknown code).
async fn lookup(
    state: &AppState,
    ip: String,
    query: Result<Query<DisplayQuery>, QueryRejection>,
    now: i64,
) -> Result<Result<(UserCode, DeviceAuthorization), Lookup>, PageError> {
    // Same network and server-wide budgets as `/device` (a kiosk page has no session
    // budget), counted before the lookup like there.
    let budgets = EntryBudgets::without_session(state, ip);
    let Ok(entry) = budgets.admit(state, now).await? else {
        return Ok(Err(Lookup::LockedOut));
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
        let _ = entry.wrong_code(state, now);
        return Ok(Err(Lookup::Unknown));
    };
    entry.right_code(state).await?;
    Ok(Ok((code, authorization)))
}

enum Lookup {
    LockedOut,
    Unknown,
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    query: Result<Query<DisplayQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let (code, authorization) = match lookup(&state, ip, query, now).await? {
        Ok(found) => found,
        Err(Lookup::LockedOut) => return Err(PageError::too_many_attempts()),
        Err(Lookup::Unknown) => {
            let page = DisplayPage {
                shown: Shown::Unknown,
                countdown: None,
                again: String::new(),
                events: String::new(),
            };
            return Ok((StatusCode::NOT_FOUND, page).into_response());
        }
    };
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
    // The code is only letters and a dash (`UserCode::display`): safe in a query as is.
    let page = DisplayPage {
        shown,
        countdown,
        again: format!("/device/display?user_code={}", code.display()),
        events: format!("/device/display/events?user_code={}", code.display()),
    };
    let status = match shown {
        Shown::Expired => StatusCode::GONE,
        _ => StatusCode::OK,
    };
    Ok((status, page).into_response())
}

/// `GET /device/display/events?user_code=...`: one event `approved`, `denied` or `expired`
/// (data: the same word) once the code's authorization is decided or runs out, then the end
/// of the stream. An unknown code is `404` (`EventSource` then stops trying).
pub async fn events(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    query: Result<Query<DisplayQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let authorization = match lookup(&state, ip, query, now).await? {
        Ok((_, authorization)) => authorization,
        Err(Lookup::LockedOut) => return Ok(StatusCode::TOO_MANY_REQUESTS.into_response()),
        Err(Lookup::Unknown) => return Ok(StatusCode::NOT_FOUND.into_response()),
    };
    let mut response = crate::web::decision_events::response(state, authorization);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn static_file(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Not fingerprinted, so cached for a day rather than forever (as `usher.css`).
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
}
