//! The TOTP pages of the account security page: enrol (QR code of the `otpauth://` URI,
//! confirmed by one code), turn off, and new recovery codes (`oauth::accounts::totp`,
//! docs/factors.md).
//!
//! Every change asks the person to have confirmed it's them recently (the rule of the
//! security page, `security::reconfirmed`): a stolen unlocked phone must not be able to
//! add the thief's authenticator, or turn the second step off.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Deserialize;
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    client_addr::ClientAddr,
    http::{device_metadata, qr},
    oauth::{
        accounts::totp::{self, Confirmed, Enrolment},
        audit::{self, AuditEvent, Origin},
    },
    state::AppState,
    store::User,
    web::{
        account::{
            AccountNav, security,
            totp::{DISABLE, PAGE, RECOVERY_CODES},
        },
        csrf,
        error::PageError,
        session::SignedIn,
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "account_totp.html")]
struct EnrolPage {
    nav: AccountNav,
    csrf: String,
    /// `data:` URI of the QR code's SVG: the secret never appears in a URL we serve.
    qr_data_uri: String,
    /// The secret in groups of four, for typing it in by hand.
    secret: String,
    /// The key URI itself ("Open in an authenticator app" on the phone that shows the page).
    otpauth_uri: String,
    /// Catalogue id of what went wrong with the code.
    error: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "account_totp_codes.html")]
struct CodesPage {
    nav: AccountNav,
    /// Just enrolled (else: new codes for an existing factor).
    enrolled_now: bool,
    codes: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "account_totp_action.html")]
struct ActionPage {
    nav: AccountNav,
    csrf: String,
    title: &'static str,
    text: &'static str,
    action: &'static str,
    button: &'static str,
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// The signed-in person, if they confirmed it's them recently; else where to send them.
async fn reconfirmed_user(
    state: &AppState,
    session: &Session,
    here: &str,
) -> Result<Result<User, Response>, PageError> {
    let Some((signed_in, user)) = SignedIn::current_user(state, session).await? else {
        let login = Redirect::to(&format!("/login?next={here}")).into_response();
        return Ok(Err(login));
    };
    let now = state.clock.now();
    if !security::reconfirmed(session, &signed_in, now).await? {
        // The security page asks for the password or a passkey first.
        let confirm = Redirect::to(&format!("{}#confirm", security::PAGE)).into_response();
        return Ok(Err(confirm));
    }
    Ok(Ok(user))
}

async fn enrol_page(
    state: &AppState,
    session: &Session,
    user: &User,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let secret = match totp::enrolment(state, user, now).await? {
        Enrolment::Pending(secret) => secret,
        Enrolment::Confirmed => return Ok(Redirect::to(security::PAGE).into_response()),
    };
    let uri = secret.otpauth_uri(&user.username);
    let svg = qr::qr_svg(&uri)
        .ok_or_else(|| PageError::internal("drawing the TOTP QR code", "qrcode failed"))?;
    let page = EnrolPage {
        nav: AccountNav::Security,
        csrf: csrf::csrf_token(session).await?,
        qr_data_uri: format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg)),
        secret: secret.grouped(),
        otpauth_uri: uri,
        error,
    };
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    // The page shows a secret: never cached (RFC 9111 §5.2.2.5).
    Ok((
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        page,
    )
        .into_response())
}

/// `GET /account/security/totp`: the QR code to scan and a field for the first code.
pub async fn show(State(state): State<AppState>, session: Session) -> Result<Response, PageError> {
    let user = match reconfirmed_user(&state, &session, PAGE).await? {
        Ok(user) => user,
        Err(elsewhere) => return Ok(elsewhere),
    };
    enrol_page(&state, &session, &user, None).await
}

/// `POST /account/security/totp`: the first code from the app; only then the factor counts,
/// and the recovery codes are shown, once.
pub async fn confirm(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    headers: HeaderMap,
    session: Session,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let user = match reconfirmed_user(&state, &session, PAGE).await? {
        Ok(user) => user,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let now = state.clock.now();
    match totp::confirm(&state, &user, &form.code, now).await? {
        Confirmed::Now { recovery_codes } => {
            tracing::info!(user_id = %user.id, "two-step verification turned on");
            let from = Origin::new(browser, device_metadata::user_agent(&headers));
            let event = AuditEvent::TotpEnrolled {
                user_id: user.id.clone(),
                from,
            };
            audit::record(&state.db, event, now).await;
            Ok(codes_page(true, recovery_codes))
        }
        Confirmed::Wrong => {
            let wrong = "account-totp-wrong-code";
            enrol_page(&state, &session, &user, Some(wrong)).await
        }
        Confirmed::NothingPending => Ok(Redirect::to(security::PAGE).into_response()),
    }
}

fn codes_page(enrolled_now: bool, codes: Vec<String>) -> Response {
    let page = CodesPage {
        nav: AccountNav::Security,
        enrolled_now,
        codes,
    };
    ([(axum::http::header::CACHE_CONTROL, "no-store")], page).into_response()
}

/// `GET /account/security/totp/disable`: asks before turning the second step off.
pub async fn ask_disable(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, PageError> {
    let question = Question {
        title: "account-totp-disable-title",
        text: "account-totp-disable-text",
        action: DISABLE,
        button: "account-totp-turn-off",
    };
    ask(&state, &session, question).await
}

/// What one of the confirm-first pages asks (`templates/account_totp_action.html`);
/// `title`, `text` and `button` are catalogue ids.
struct Question {
    title: &'static str,
    text: &'static str,
    /// The path the form posts to, which is also where a re-confirmation comes back.
    action: &'static str,
    button: &'static str,
}

/// The page asking `question` of a re-confirmed person with TOTP on; else where to go.
async fn ask(
    state: &AppState,
    session: &Session,
    question: Question,
) -> Result<Response, PageError> {
    let user = match reconfirmed_user(state, session, question.action).await? {
        Ok(user) => user,
        Err(elsewhere) => return Ok(elsewhere),
    };
    if !totp::is_enrolled(&state.db, &user.id).await? {
        return Ok(Redirect::to(security::PAGE).into_response());
    }
    let page = ActionPage {
        nav: AccountNav::Security,
        csrf: csrf::csrf_token(session).await?,
        title: question.title,
        text: question.text,
        action: question.action,
        button: question.button,
    };
    Ok(page.into_response())
}

/// `POST /account/security/totp/disable`: removes the TOTP factor and recovery codes.
pub async fn disable(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    headers: HeaderMap,
    session: Session,
    PageForm(form): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let user = match reconfirmed_user(&state, &session, DISABLE).await? {
        Ok(user) => user,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let now = state.clock.now();
    if state.db.delete_second_factors_of(&user.id).await? > 0 {
        tracing::info!(user_id = %user.id, "two-step verification turned off");
        let from = Origin::new(browser, device_metadata::user_agent(&headers));
        let event = AuditEvent::TotpDisabled {
            user_id: user.id,
            from,
        };
        audit::record(&state.db, event, now).await;
    }
    Ok(Redirect::to(security::PAGE).into_response())
}

/// `GET /account/security/totp/recovery-codes`: asks before replacing the recovery codes.
pub async fn ask_recovery_codes(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, PageError> {
    let question = Question {
        title: "account-recovery-codes-new",
        text: "account-recovery-codes-new-text",
        action: RECOVERY_CODES,
        button: "account-recovery-codes-make",
    };
    ask(&state, &session, question).await
}

/// `POST /account/security/totp/recovery-codes`: ten new codes, shown once.
pub async fn recovery_codes(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    headers: HeaderMap,
    session: Session,
    PageForm(form): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let user = match reconfirmed_user(&state, &session, RECOVERY_CODES).await? {
        Ok(user) => user,
        Err(elsewhere) => return Ok(elsewhere),
    };
    if !totp::is_enrolled(&state.db, &user.id).await? {
        return Ok(Redirect::to(security::PAGE).into_response());
    }
    let now = state.clock.now();
    let codes = totp::new_recovery_codes(&state.db, &user.id, now).await?;
    let from = Origin::new(browser, device_metadata::user_agent(&headers));
    let event = AuditEvent::RecoveryCodesRegenerated {
        user_id: user.id,
        from,
    };
    audit::record(&state.db, event, now).await;
    Ok(codes_page(false, codes))
}
