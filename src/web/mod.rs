//! HTML pages for people (RFC 8628 §3.3 "user interaction"): entering a user code, signing
//! in, and approving or denying a device. Server-rendered, no JavaScript, escaped by askama.
//!
//! Session keys (tower-sessions, cookie `usher_session` set up in `server.rs`):
//! `csrf`, `user_id`, `auth_time`, `amr`, `device_auth_id`, `device_user_code`.

pub mod account;
pub mod approval;
pub mod authorization_response;
pub mod authorize;
pub mod consent;
pub mod countdown;
pub mod csp;
pub mod csrf;
pub mod decision_events;
pub mod device;
pub mod display;
pub mod duration_words;
pub mod error;
pub mod form;
pub mod fresh_proof;
pub mod lang;
pub mod lockout;
pub mod login;
pub mod login_otp;
pub mod logout;
pub mod message;
pub mod passkey;
pub mod qr_login;
pub mod session;

use axum::{
    Router,
    http::{HeaderValue, header},
    response::IntoResponse,
    routing::{get, post},
};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{config::Features, state::AppState};

const STYLESHEET: &str = include_str!("../../static/usher.css");
const QR_COUNTDOWN_SCRIPT: &str = include_str!("../../static/qr-countdown.js");
const FORM_POST_SCRIPT: &str = include_str!("../../static/form-post.js");
const WEBAUTHN_SCRIPT: &str = include_str!("../../static/webauthn.js");
const APPROVE_SCRIPT: &str = include_str!("../../static/approve.js");
const FAVICON: &str = include_str!("../../static/favicon.svg");

/// The pages; those of an extension that is off (`features`) are not mounted (404).
/// `secure_cookies`: whether cookies get `Secure` (`Config::cookie_secure`).
pub fn routes(features: &Features, secure_cookies: bool) -> Router<AppState> {
    let mut pages = Router::new();
    if features.qr_sign_in {
        pages = pages
            .route("/login/qr", get(qr_login::show).post(qr_login::start))
            .route("/login/qr/events", get(qr_login::events));
    }
    pages
        .route("/device", get(device::show_entry).post(device::submit_code))
        .route("/device/consent", get(consent::show).post(consent::submit))
        .route("/login", get(login::show).post(login::submit))
        .route(
            login_otp::PAGE,
            get(login_otp::show).post(login_otp::submit),
        )
        .merge(display::routes())
        .route(
            "/oauth2/authorize",
            get(authorize::start_get).post(authorize::start_post),
        )
        .route("/oauth2/authorize/continue", get(authorize::resume))
        .route("/oauth2/authorize/decide", post(authorize::decide))
        .route(
            "/oauth2/logout",
            get(logout::start_get).post(logout::start_post),
        )
        .route("/oauth2/logout/confirm", post(logout::confirm))
        .merge(account::routes(features))
        .route("/logout", post(login::logout))
        .route(
            "/webauthn/register/options",
            post(passkey::register_options),
        )
        .route("/webauthn/register", post(passkey::register))
        .route("/webauthn/login/options", post(passkey::login_options))
        .route("/webauthn/login", post(passkey::login))
        .route("/webauthn/assert/options", post(passkey::assert_options))
        .route("/webauthn/assert", post(passkey::assert))
        .route(lang::SWITCH_PATH, get(lang::switch))
        // Every page in the person's language (`lang::choose`).
        .layer(axum::middleware::from_fn_with_state(
            secure_cookies,
            lang::choose,
        ))
        // Pages carry CSRF tokens and personal details: never store them in any cache.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .route("/static/usher.css", get(stylesheet))
        .route(
            "/static/qr-countdown.js",
            get(|| script(QR_COUNTDOWN_SCRIPT)),
        )
        .route("/static/form-post.js", get(|| script(FORM_POST_SCRIPT)))
        .route("/static/webauthn.js", get(|| script(WEBAUTHN_SCRIPT)))
        .route("/static/approve.js", get(|| script(APPROVE_SCRIPT)))
        .route("/static/favicon.svg", get(favicon))
        // Browsers ask for it whatever the page says; the same mark rather than a 404.
        .route("/favicon.ico", get(favicon))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            // Not fingerprinted, so cached for a day rather than forever.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        STYLESHEET,
    )
}

/// The brand mark as an SVG icon (`<link rel="icon">` in `base.html`).
async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
}

async fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
}
