//! Every failure a person can cause ends on a friendly page that says what happened and
//! what to do next, with a way on to `/device` (or to "Your devices" from the account
//! pages), never a raw error. Internal details are
//! logged here, never shown; the page shows the request id ("Reference: …",
//! `http::request_id`), which is in every log line of the request.

use crate::web::lang::Tr as _;
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
        let page = MessagePage {
            tone: Tone::Problem,
            title,
            text,
            action: "msg-action-enter-code",
            href: "/device",
            wait: None,
        };
        PageError { status, page }
    }

    /// The same page with its link back to "Your devices", for errors on the account pages.
    pub fn back_to_devices(mut self) -> PageError {
        self.page.action = "error-action-your-devices";
        self.page.href = "/account/devices";
        self
    }

    /// The same page with another link on (`action`: a catalogue id).
    pub fn with_action(mut self, action: &'static str, href: &'static str) -> PageError {
        self.page.action = action;
        self.page.href = href;
        self
    }

    /// A form body that could not be read (wrong content type, repeated or invalid fields,
    /// control characters; `web/form.rs`).
    pub fn unreadable_form(reason: &str) -> PageError {
        tracing::debug!(reason, "unreadable form");
        Self::new(
            StatusCode::BAD_REQUEST,
            "error-form-title",
            "error-form-text",
        )
    }

    /// Missing or wrong CSRF token: a stale page, or a form posted from another site.
    pub fn csrf() -> PageError {
        Self::new(StatusCode::FORBIDDEN, "error-csrf-title", "error-csrf-text")
    }

    /// A guessing budget is used up: wrong user codes (RFC 8628 §5.1) or failed sign-ins.
    /// The page offers no link to the form that would refuse again: it says how long to
    /// wait (`with_wait`) when that is known.
    pub fn too_many_attempts() -> PageError {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "error-too-many-title",
            "error-too-many-text",
        );
        error.page.action = "";
        error
    }

    /// The wait before the next try, rounded up to minutes ("8 minutes").
    pub fn with_wait(mut self, wait_secs: i64) -> PageError {
        self.page.wait = Some(super::duration_words::minutes_up(wait_secs));
        self
    }

    pub fn expired_code() -> PageError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "error-expired-code-title",
            "error-expired-code-text",
        )
        .with_action("error-action-enter-the-new-code", "/device")
    }

    pub fn code_already_used() -> PageError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "error-code-used-title",
            "error-code-used-text",
        )
        .with_action("error-action-enter-a-new-code", "/device")
    }

    /// A device that came with a pairing code is approved on the pairing page of the
    /// browser that made the code, never by its user code.
    pub fn pairing_bound() -> PageError {
        Self::new(
            StatusCode::FORBIDDEN,
            "error-pairing-bound-title",
            "error-pairing-bound-text",
        )
    }

    /// The authorization was decided meanwhile (another tab, another person) or expired.
    pub fn no_longer_waiting() -> PageError {
        Self::new(
            StatusCode::CONFLICT,
            "error-not-waiting-title",
            "error-not-waiting-text",
        )
    }

    /// A linked device that is not this person's (or no longer exists).
    pub fn device_not_found() -> PageError {
        Self::new(
            StatusCode::NOT_FOUND,
            "error-device-not-found-title",
            "error-device-not-found-text",
        )
        .back_to_devices()
    }

    pub fn not_found() -> PageError {
        Self::new(
            StatusCode::NOT_FOUND,
            "error-not-found-title",
            "error-not-found-text",
        )
    }

    /// An authorization request whose client or redirect URI cannot be trusted: said here,
    /// never redirected (RFC 6749 §4.1.2.1). `text`: the catalogue id of what is wrong.
    pub fn bad_authorization_request(text: &'static str) -> PageError {
        Self::new(StatusCode::BAD_REQUEST, "error-bad-link-title", text)
    }

    /// Something broke on our side. `error` is logged (it never holds codes or secrets).
    pub fn internal(what: &'static str, error: impl Display) -> PageError {
        tracing::error!(error = %error, "{what}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error-internal-title",
            "error-internal-text",
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
pub async fn not_found(headers: axum::http::HeaderMap, uri: axum::http::Uri) -> Response {
    // Outside the pages' router, so the language is chosen here.
    super::lang::within(&headers, uri.path(), async {
        PageError::not_found().into_response()
    })
    .await
}
