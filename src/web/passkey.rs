//! The JSON endpoints of the WebAuthn ceremonies, called by `static/webauthn.js`:
//!
//! - `POST /webauthn/register/options` + `/webauthn/register`: add a passkey (signed in,
//!   re-confirmed: `web::account::security::reconfirmed`);
//! - `POST /webauthn/login/options` + `/webauthn/login`: sign in with a discoverable passkey
//!   (no username; the sign-in page's button and autofill);
//! - `POST /webauthn/assert/options` + `/webauthn/assert`: a fresh user-verified assertion
//!   by the signed-in person ([`FreshPasskey`]), asked before approvals and factor changes.
//!
//! Every POST carries the session's CSRF token in `X-CSRF-Token`. Failures are JSON
//! `{"error", "error_description"}` with a 4xx status (RFC 6749 §5.2 style); the description
//! is written for the person, in the page's language (`locales/*/signin.ftl`), and shown by
//! the script.

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::json;
use tower_sessions::Session;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use crate::{
    client_addr::ClientAddr,
    http::device_metadata,
    oauth::accounts::passkeys::{self, Ceremony, PasskeyError},
    oauth::audit::{self, AuditEvent, Origin, SignInMethod},
    state::AppState,
    store::User,
    web::{
        account::security,
        csrf,
        error::PageError,
        lang, login,
        session::{FreshPasskey, SignedIn},
    },
};

/// The header carrying the CSRF token of a JSON POST.
pub const CSRF_HEADER: &str = "x-csrf-token";
const CEREMONY: &str = "webauthn_ceremony";

/// A refusal as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl ApiError {
    /// `description`: a catalogue id, said in the request's language.
    fn new(status: StatusCode, error: &'static str, description: &str) -> ApiError {
        ApiError {
            status,
            error,
            description: lang::text(description),
        }
    }

    fn bad_request(description: &str) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn not_signed_in() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "login_required",
            "signin-passkey-signed-out",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "error_description": self.description });
        (self.status, Json(body)).into_response()
    }
}

impl From<PageError> for ApiError {
    fn from(error: PageError) -> ApiError {
        let code = match error.status {
            StatusCode::FORBIDDEN => "invalid_request",
            StatusCode::TOO_MANY_REQUESTS => "slow_down",
            s if s.is_server_error() => "server_error",
            _ => "invalid_request",
        };
        // The page's text is a catalogue id (of messages.ftl).
        ApiError::new(error.status, code, error.page.text)
    }
}

impl From<PasskeyError> for ApiError {
    fn from(error: PasskeyError) -> ApiError {
        use PasskeyError::*;
        let (status, code, text) = match &error {
            Unavailable => (
                StatusCode::NOT_FOUND,
                "not_available",
                "signin-passkey-unavailable",
            ),
            NoCeremony => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "signin-passkey-too-slow",
            ),
            UnknownCredential => (
                StatusCode::UNAUTHORIZED,
                "access_denied",
                "signin-passkey-unknown",
            ),
            Refused(_) | CounterWentBack => (
                StatusCode::UNAUTHORIZED,
                "access_denied",
                "signin-passkey-not-verified",
            ),
            AlreadyRegistered => (
                StatusCode::CONFLICT,
                "invalid_request",
                "signin-passkey-already-registered",
            ),
            Inactive => (
                StatusCode::UNAUTHORIZED,
                "access_denied",
                "signin-passkey-inactive",
            ),
            Store(e) => {
                tracing::error!(error = %e, "storage failure in a passkey ceremony");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "signin-passkey-server-error",
                )
            }
        };
        if !matches!(error, Store(_)) {
            tracing::info!(reason = %error, "passkey ceremony refused");
        }
        ApiError::new(status, code, text)
    }
}

type ApiResult = Result<Response, ApiError>;

#[derive(Debug, Default, Deserialize)]
struct RegisterOptions {
    #[serde(default)]
    name: String,
}

#[derive(Debug, Deserialize)]
struct Registered {
    credential: RegisterPublicKeyCredential,
}

#[derive(Debug, Deserialize)]
struct Asserted {
    credential: PublicKeyCredential,
    #[serde(default)]
    next: String,
}

/// `POST /webauthn/register/options`.
pub async fn register_options(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    checked_csrf(&session, &headers).await?;
    let request: RegisterOptions = parse(&body)?;
    let (signed_in, user) = signed_in(&state, &session).await?;
    let now = state.clock.now();
    if !security::reconfirmed(&session, &signed_in, now).await? {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "reconfirm",
            "signin-passkey-reconfirm",
        ));
    }
    let existing = state
        .db
        .list_passkeys(&user.id)
        .await
        .map_err(PasskeyError::from)?;
    let name = passkeys::clean_name(&request.name);
    let (options, ceremony) = state
        .passkeys
        .start_registration(&user, &existing, name, now)?;
    keep(&session, &ceremony).await?;
    Ok(Json(options).into_response())
}

/// `POST /webauthn/register`.
pub async fn register(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    checked_csrf(&session, &headers).await?;
    let request: Registered = parse(&body)?;
    let (_, user) = signed_in(&state, &session).await?;
    let ceremony = take(&session).await?;
    if !matches!(&ceremony.step, passkeys::CeremonyStep::Register { user_id, .. } if *user_id == user.id)
    {
        return Err(PasskeyError::NoCeremony.into());
    }
    let now = state.clock.now();
    let passkey = state
        .passkeys
        .finish_registration(&state.db, ceremony, &request.credential, now)
        .await?;
    tracing::info!(user_id = %user.id, passkey = %passkey.id, "passkey registered");
    let event = AuditEvent::PasskeyRegistered {
        user_id: user.id,
        passkey_id: passkey.id,
        name: passkey.name,
        from: Origin::new(addr, device_metadata::user_agent(&headers)),
    };
    audit::record(&state.db, event, now).await;
    Ok(Json(json!({ "next": security::PAGE })).into_response())
}

/// `POST /webauthn/login/options`.
pub async fn login_options(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> ApiResult {
    checked_csrf(&session, &headers).await?;
    let (options, ceremony) = state.passkeys.start_sign_in(state.clock.now())?;
    keep(&session, &ceremony).await?;
    Ok(Json(options).into_response())
}

/// `POST /webauthn/login`: signs in and answers where to go next (the same `next` rule as
/// the password form, `login::safe_next`). The script navigates there: for the code flow
/// that is `/oauth2/authorize/continue`, which redirects to the client.
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    checked_csrf(&session, &headers).await?;
    let request: Asserted = parse(&body)?;
    let ceremony = take(&session).await?;
    let now = state.clock.now();
    let from = Origin::new(addr, device_metadata::user_agent(&headers));
    let asserted = match state
        .passkeys
        .finish_sign_in(&state.db, ceremony, &request.credential, now)
        .await
    {
        Ok(asserted) => asserted,
        Err(error) => {
            if !matches!(error, PasskeyError::Store(_) | PasskeyError::NoCeremony) {
                let user_id = known_owner(&state, &request.credential).await;
                let failed = AuditEvent::PasskeySignInFailed { user_id, from };
                audit::record(&state.db, failed, now).await;
            }
            return Err(error.into());
        }
    };
    let user_id = asserted.user.id.clone();
    let signed_in = SignedIn {
        user_id: user_id.clone(),
        auth_time: now,
        amr: asserted.amr,
    };
    signed_in.establish(&session).await?;
    // The sign-in itself is a fresh user-verified assertion.
    FreshPasskey::record(&session, &user_id, now).await?;
    tracing::info!(user_id = %user_id, "signed in with a passkey");
    let method = SignInMethod::Passkey;
    let event = AuditEvent::SignIn {
        user_id,
        method,
        from,
    };
    audit::record(&state.db, event, now).await;
    let next = login::safe_next(Some(&request.next));
    Ok(Json(json!({ "next": next })).into_response())
}

/// `POST /webauthn/assert/options`: a fresh assertion by the signed-in person.
pub async fn assert_options(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> ApiResult {
    checked_csrf(&session, &headers).await?;
    let (_, user) = signed_in(&state, &session).await?;
    let existing = state
        .db
        .list_passkeys(&user.id)
        .await
        .map_err(PasskeyError::from)?;
    if existing.is_empty() {
        return Err(ApiError::bad_request("signin-passkey-none-yet"));
    }
    let (options, ceremony) = state
        .passkeys
        .start_proof(&user, &existing, state.clock.now())?;
    keep(&session, &ceremony).await?;
    Ok(Json(options).into_response())
}

/// `POST /webauthn/assert`: on success the session holds [`FreshPasskey`] for this person.
pub async fn assert(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    checked_csrf(&session, &headers).await?;
    let request: Asserted = parse(&body)?;
    let (_, user) = signed_in(&state, &session).await?;
    let ceremony = take(&session).await?;
    let now = state.clock.now();
    let asserted = state
        .passkeys
        .finish_proof(&state.db, &user, ceremony, &request.credential, now)
        .await?;
    FreshPasskey::record(&session, &asserted.user.id, now).await?;
    tracing::info!(user_id = %user.id, "fresh passkey assertion");
    Ok(Json(json!({ "ok": true })).into_response())
}

async fn checked_csrf(session: &Session, headers: &HeaderMap) -> Result<(), ApiError> {
    let submitted = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    csrf::verify(session, submitted).await.map_err(|_| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_request",
            "signin-passkey-page-expired",
        )
    })
}

async fn signed_in(state: &AppState, session: &Session) -> Result<(SignedIn, User), ApiError> {
    SignedIn::current_user(state, session)
        .await?
        .ok_or_else(ApiError::not_signed_in)
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        tracing::debug!(error = %e, "unreadable WebAuthn JSON");
        ApiError::bad_request("signin-passkey-unreadable")
    })
}

async fn keep(session: &Session, ceremony: &Ceremony) -> Result<(), ApiError> {
    session
        .insert(CEREMONY, ceremony)
        .await
        .map_err(PageError::from)?;
    Ok(())
}

/// The waiting ceremony, removed: each is finished at most once.
async fn take(session: &Session) -> Result<Ceremony, ApiError> {
    session
        .remove::<Ceremony>(CEREMONY)
        .await
        .ok()
        .flatten()
        .ok_or_else(|| PasskeyError::NoCeremony.into())
}

/// For the audit row of a failed sign-in: the owner of the credential, when it is ours.
async fn known_owner(state: &AppState, credential: &PublicKeyCredential) -> Option<String> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let id = URL_SAFE_NO_PAD.encode(credential.get_credential_id());
    state
        .db
        .get_passkey(&id)
        .await
        .ok()
        .flatten()
        .map(|p| p.user_id)
}
