//! The account pages of a signed-in person: linked devices (with "Add a device" pairing)
//! and the apps they allowed.

pub mod activity;
pub mod consents;
pub mod devices;
pub mod pair_link;
pub mod pairing;
pub mod security;
pub mod totp;
pub mod totp_pages;

use axum::{
    Router,
    response::Redirect,
    routing::{get, post},
};

use crate::{
    config::Features,
    state::AppState,
    web::duration_words::{ago, date_time},
    web::lang::escape_html,
};

/// Which page of the account navigation is shown (`templates/account_nav.html`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountNav {
    Devices,
    Apps,
    /// Passkeys and the authenticator app (`security.rs`).
    Security,
}

impl AccountNav {
    pub fn is_devices(&self) -> bool {
        *self == AccountNav::Devices
    }
    pub fn is_apps(&self) -> bool {
        *self == AccountNav::Apps
    }
    pub fn is_security(&self) -> bool {
        *self == AccountNav::Security
    }
}

/// A past moment on the account pages: "3 hours ago" in the page's language, with the
/// exact date and time as a tooltip and machine-readable (`<time datetime title>`).
/// Written as HTML: `{{ moment|safe }}` in templates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moment {
    pub ago: String,
    /// RFC 3339, UTC.
    pub datetime: String,
    /// "7 Dec 2026, 14:05 UTC" in the page's language.
    pub exact: String,
}

impl Moment {
    /// The moment `at`, seen at `now` (both Unix seconds).
    pub fn new(at: i64, now: i64) -> Moment {
        let datetime = time::OffsetDateTime::from_unix_timestamp(at)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
        Moment {
            ago: ago(now - at),
            datetime,
            exact: date_time(at),
        }
    }
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            r#"<time datetime="{}" title="{}">{}</time>"#,
            escape_html(&self.datetime),
            escape_html(&self.exact),
            escape_html(&self.ago)
        )
    }
}

/// Pairing ("Add a device") is mounted only with `features.pairing`.
pub fn routes(features: &Features) -> Router<AppState> {
    let routes = Router::new()
        .route("/account", get(|| async { Redirect::to(devices::PAGE) }))
        .route("/account/consents", get(consents::show))
        .route("/account/consents/withdraw", post(consents::withdraw))
        .route(devices::PAGE, get(devices::show))
        .route(
            "/account/devices/sign-out",
            get(devices::confirm_sign_out).post(devices::sign_out),
        )
        .route(security::PAGE, get(security::show))
        .route("/account/security/confirm", post(security::confirm))
        .route(
            "/account/security/passkeys/remove",
            post(security::remove_passkey),
        )
        .route(totp::PAGE, get(totp_pages::show).post(totp_pages::confirm))
        .route(
            totp::DISABLE,
            get(totp_pages::ask_disable).post(totp_pages::disable),
        )
        .route(
            totp::RECOVERY_CODES,
            get(totp_pages::ask_recovery_codes).post(totp_pages::recovery_codes),
        );
    match features.pairing {
        true => routes
            .route(pairing::PAGE, get(pairing::show).post(pairing::add_device))
            .route("/account/pairing/decide", post(pairing::decide))
            .route("/device/pair", get(pair_link::explain_pairing_link)),
        false => routes,
    }
}
