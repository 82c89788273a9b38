//! Every failure a person can cause ends on a friendly page with a way back to `/device`
//! (or to "Your devices" from the account pages), never a raw error. Internal details are
//! logged here, never shown; the page shows the request id ("Reference: …",
//! `http::request_id`), which is in every log line of the request.

use std::fmt::Display;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::{
    error::StoreError,
    http::request_id::RequestId,
    oauth::accounts::SignInError,
    web::message::{MessagePage, Tone},
};

#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub page: MessagePage,
}

impl PageError {
    fn new(status: StatusCode, title: &'static str, text: &'static str) -> PageError {
        let action = "Enter a code";
        let page = MessagePage {
            tone: Tone::Problem,
            title,
            text,
            action,
            href: "/device",
        };
        PageError { status, page }
    }

    /// The same page with its link back to "Your devices", for errors on the account pages.
    pub fn back_to_devices(mut self) -> PageError {
        self.page.action = "Your devices";
        self.page.href = "/account/devices";
        self
    }

    /// A form body that could not be read (wrong content type, repeated or invalid fields,
    /// control characters; `web/form.rs`).
    pub fn unreadable_form(reason: &str) -> PageError {
        tracing::debug!(reason, "unreadable form");
        Self::new(
            StatusCode::BAD_REQUEST,
            "Something went wrong with the form",
            "The form could not be read. Please go back and try again.",
        )
    }

    /// Missing or wrong CSRF token: a stale page, or a form posted from another site.
    pub fn csrf() -> PageError {
        Self::new(
            StatusCode::FORBIDDEN,
            "Your form expired",
            "Your form expired. Please try again.",
        )
    }

    /// A guessing budget is used up: wrong user codes (RFC 8628 §5.1) or failed sign-ins.
    pub fn too_many_attempts() -> PageError {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            "Too many attempts, try again in a few minutes.",
        )
    }

    pub fn expired_code() -> PageError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Code expired",
            "This code has expired. Start again on your device.",
        )
    }

    pub fn code_already_used() -> PageError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Code already used",
            "This code was already used.",
        )
    }

    /// A device that came with a pairing code is approved on the pairing page of the
    /// browser that made the code, never by its user code.
    pub fn pairing_bound() -> PageError {
        Self::new(
            StatusCode::FORBIDDEN,
            "Approve it on the other screen",
            "This device is being added from a signed-in browser. Approve it on the \"Add a device\" page where its pairing code was shown.",
        )
    }

    /// The authorization was decided meanwhile (another tab, another person) or expired.
    pub fn no_longer_waiting() -> PageError {
        Self::new(
            StatusCode::CONFLICT,
            "Nothing to approve",
            "This request is no longer waiting for approval. Start again on your device if needed.",
        )
    }

    /// A linked device that is not this person's (or no longer exists).
    pub fn device_not_found() -> PageError {
        Self::new(
            StatusCode::NOT_FOUND,
            "Device not found",
            "This device is not signed in to your account. It may have been signed out already.",
        )
        .back_to_devices()
    }

    pub fn not_found() -> PageError {
        Self::new(
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no page at this address. To sign in a device, enter its code.",
        )
    }

    /// An authorization request whose client or redirect URI cannot be trusted: said here,
    /// never redirected (RFC 6749 §4.1.2.1).
    pub fn bad_authorization_request(text: &'static str) -> PageError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "This sign-in link is not valid",
            text,
        )
    }

    /// Something broke on our side. `error` is logged (it never holds codes or secrets).
    pub fn internal(what: &'static str, error: impl Display) -> PageError {
        tracing::error!(error = %error, "{what}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Something went wrong on our side. Please try again in a moment.",
        )
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        PageError::internal("storage failure on a page", error)
    }
}

impl From<SignInError> for PageError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::Store(error) => error.into(),
            SignInError::Verification(error) => {
                PageError::internal("password verification task failed", error)
            }
        }
    }
}

impl From<tower_sessions::session::Error> for PageError {
    fn from(error: tower_sessions::session::Error) -> Self {
        PageError::internal("session failure", error)
    }
}

/// A [`PageError`]'s page: its message and the request's reference.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    page: MessagePage,
    reference: Option<RequestId>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            page: self.page,
            reference: RequestId::current(),
        };
        (self.status, page).into_response()
    }
}

/// Fallback for unknown paths.
pub async fn not_found() -> PageError {
    PageError::not_found()
}
