//! Errors for machines (RFC 6749 §5.2 JSON) and failures of the storage layer.
//! HTML error pages for people live in `web::error`.

use axum::{
    body::{Body, Bytes},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// An error as the OAuth 2.0 endpoints report it (RFC 6749 §5.2, RFC 8628 §3.5).
/// `description` is public; anything private is logged where the error is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub kind: ErrorKind,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// RFC 6749 §5.2: missing, repeated or malformed parameter.
    InvalidRequest,
    /// RFC 6749 §5.2: client authentication failed (401 with `WWW-Authenticate`).
    InvalidClient,
    /// RFC 6749 §5.2: the grant (here: device code) is invalid, redeemed or another client's.
    InvalidGrant,
    /// RFC 6749 §5.2: the client may not use this grant type.
    UnauthorizedClient,
    /// RFC 6749 §5.2: the grant type is not supported by this server.
    UnsupportedGrantType,
    /// RFC 6749 §5.2: the requested scope is invalid or exceeds what the client may ask for.
    InvalidScope,
    /// RFC 8628 §3.5: the user has not yet completed the user interaction steps.
    AuthorizationPending,
    /// RFC 8628 §3.5: polling too fast; the interval grows by 5 seconds.
    SlowDown,
    /// RFC 8628 §3.5: the authorization request was denied.
    AccessDenied,
    /// RFC 8628 §3.5: the device code has expired.
    ExpiredToken,
    /// RFC 6750 §3.1: the access token is expired, revoked, malformed or invalid.
    InvalidToken,
    /// RFC 6749 §5.2 (via §4.1.2.1): an unexpected condition; never says what.
    ServerError,
    /// RFC 6749 §4.1.2.1: overloaded for now (e.g. no free user code); try again later.
    TemporarilyUnavailable,
}

impl ErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::InvalidClient => "invalid_client",
            ErrorKind::InvalidGrant => "invalid_grant",
            ErrorKind::UnauthorizedClient => "unauthorized_client",
            ErrorKind::UnsupportedGrantType => "unsupported_grant_type",
            ErrorKind::InvalidScope => "invalid_scope",
            ErrorKind::AuthorizationPending => "authorization_pending",
            ErrorKind::SlowDown => "slow_down",
            ErrorKind::AccessDenied => "access_denied",
            ErrorKind::ExpiredToken => "expired_token",
            ErrorKind::InvalidToken => "invalid_token",
            ErrorKind::ServerError => "server_error",
            ErrorKind::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::InvalidClient | ErrorKind::InvalidToken => StatusCode::UNAUTHORIZED,
            ErrorKind::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl OAuthError {
    pub fn new(kind: ErrorKind, description: impl Into<String>) -> Self {
        OAuthError {
            kind,
            description: description.into(),
        }
    }
    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, d)
    }
    pub fn invalid_client(d: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidClient, d)
    }
    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidGrant, d)
    }
    pub fn invalid_scope(d: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidScope, d)
    }
    pub fn server_error() -> Self {
        Self::new(
            ErrorKind::ServerError,
            "The server could not handle the request.",
        )
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.description)
    }
}

impl std::error::Error for OAuthError {}

impl From<StoreError> for OAuthError {
    fn from(err: StoreError) -> Self {
        tracing::error!(error = %err, "storage failure");
        OAuthError::server_error()
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// The answer to most polls (RFC 8628 §3.5), written once: the serialization of
/// `authorization_pending` with this description (a unit test checks it).
const PENDING_DESCRIPTION: &str = "The user has not yet approved or denied the request.";
const PENDING_BODY: &str = r#"{"error":"authorization_pending","error_description":"The user has not yet approved or denied the request."}"#;

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = match self.kind {
            ErrorKind::AuthorizationPending if self.description == PENDING_DESCRIPTION => {
                Body::from(Bytes::from_static(PENDING_BODY.as_bytes()))
            }
            kind => {
                let body = ErrorBody {
                    error: kind.code(),
                    error_description: &self.description,
                };
                // Two strings: serializing cannot fail.
                Body::from(serde_json::to_vec(&body).unwrap_or_default())
            }
        };
        let mut response = Response::new(body);
        *response.status_mut() = self.kind.status();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        // RFC 6749 §5.1/§5.2: token responses must not be cached.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        match self.kind {
            // RFC 6749 §5.2: a 401 carries the scheme the client tried (we offer Basic).
            ErrorKind::InvalidClient => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Basic realm="usher", charset="UTF-8""#),
                );
            }
            // RFC 6750 §3: resource errors are signalled in WWW-Authenticate too.
            ErrorKind::InvalidToken => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer error="invalid_token""#),
                );
            }
            _ => {}
        }
        response
    }
}

/// A failure of the storage layer. Never shown to a client; logged and mapped to
/// `server_error` (machines) or a generic error page (people).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a record with this {0} already exists")]
    Conflict(&'static str),
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_written_pending_body_is_the_serialized_one() {
        let pending = OAuthError::new(ErrorKind::AuthorizationPending, PENDING_DESCRIPTION);
        let serialized = serde_json::to_string(&ErrorBody {
            error: "authorization_pending",
            error_description: PENDING_DESCRIPTION,
        })
        .unwrap();
        assert_eq!(serialized, PENDING_BODY);
        for error in [
            pending,
            OAuthError::new(ErrorKind::AuthorizationPending, "other words"),
            OAuthError::new(ErrorKind::SlowDown, "Wait \"5\" s."),
        ] {
            let response = error.clone().into_response();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
            assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
            assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
            let body = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .unwrap();
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["error"], error.kind.code());
            assert_eq!(body["error_description"], error.description.as_str());
        }
    }
}
