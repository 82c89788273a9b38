//! "Add a device" (docs/linked-devices.md): the signed-in browser makes a pairing code and
//! shows it as a QR code and as text; the new device starts a device authorization with it;
//! this page then asks "Pixel 8 wants to sign in as you — approve?" and decides through
//! `web::approval`, the same question, rules and records as the consent page: the
//! different-network warning, and the password again when the sign-in is old. Without
//! JavaScript: the waiting page has a "Check again" link; with it, `static/display.js` checks
//! every 2 seconds in the background and shows the question when it comes (no
//! `<meta http-equiv="refresh">`: WCAG 2.2.1, axe `meta-refresh`).
//!
//! The pairing's id lives only in the creating browser's session, so only that browser
//! (and only while signed in as the same person) sees the request and can decide on it.

use crate::web::lang::{Tr as _, isolated};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    client_addr::ClientAddr,
    http::qr::qr_png,
    i18n::Args,
    oauth::audit::{self, AuditEvent, Origin},
    oauth::pairing::{self, PairingCodeText},
    state::AppState,
    store::{DeviceAuthorization, DeviceInfo, PairingCode, User},
    web::{
        account::{AccountNav, devices},
        approval::{self, ApprovalForm, Approver, Question},
        csrf,
        duration_words::remaining,
        error::PageError,
        lang,
        login::CsrfForm,
        session::SignedIn,
    },
};

pub const PAGE: &str = "/account/pairing";
/// The pairing code is shown once, on this browser; it is kept in clear in the server-side
/// session only so the page can redraw it while it reloads itself.
const PAIRING_ID: &str = "pairing_id";
const PAIRING_CODE: &str = "pairing_code";

#[derive(Template, WebTemplate)]
#[template(path = "account_pairing.html")]
struct PairingPage {
    nav: AccountNav,
    csrf: String,
    username: String,
    /// Waiting for the device: load the script that checks for it (`static/display.js`).
    refresh: bool,
    waiting: Option<Waiting>,
    asking: Option<Asking>,
    outcome: Option<Outcome>,
}

impl PairingPage {
    async fn new(session: &Session, username: String) -> Result<PairingPage, PageError> {
        Ok(PairingPage {
            nav: AccountNav::Devices,
            csrf: csrf::csrf_token(session).await?,
            username,
            refresh: false,
            waiting: None,
            asking: None,
            outcome: None,
        })
    }
}

/// The pairing code is out, no device has used it yet.
struct Waiting {
    qr_data_uri: String,
    code: String,
    uri: String,
    time_left: String,
    seconds_left: i64,
    lifetime: i64,
}

/// A device used the code and waits for the decision.
struct Asking {
    /// "<strong>Pixel 8</strong> wants to sign in as <strong>mira</strong> — approve?"
    /// (HTML: the names are escaped).
    heading: String,
    question: Question,
}

/// How the pairing ended. `title` and `text` are HTML (a device's name in them escaped).
struct Outcome {
    title: String,
    text: String,
    success: bool,
    /// Offer "Add a device" again right here (the code expired, or its request is gone).
    new_code: bool,
}

fn login_first() -> Response {
    Redirect::to(&format!("/login?next={}", devices::PAGE)).into_response()
}

/// `POST /account/pairing`: "Add a device" makes a fresh pairing code for this browser.
pub async fn add_device(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    session: Session,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, form.csrf()).await?;
    let Some((_, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(login_first());
    };
    let now = state.clock.now();
    let (record, code) = pairing::create(&state.db, &state.config, &user.id, now).await?;
    session.insert(PAIRING_ID, &record.id).await?;
    session.insert(PAIRING_CODE, code.display()).await?;
    tracing::info!(user_id = %user.id, "pairing code made");
    let from = Origin::new(browser, None);
    let made = AuditEvent::PairingCodeCreated {
        user_id: user.id.clone(),
        from,
    };
    audit::record(&state.db, made, now).await;
    Ok(Redirect::to(PAGE).into_response())
}

/// `GET /account/pairing`: the QR code while waiting, then the approval question.
pub async fn show(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    session: Session,
) -> Result<Response, PageError> {
    let Some(approver) = Approver::current(&state, &session, browser).await? else {
        return Ok(login_first());
    };
    let Some(record) = current_pairing(&state, &session, &approver.user).await? else {
        return Ok(Redirect::to(devices::PAGE).into_response());
    };
    let now = state.clock.now();
    let mut page = PairingPage::new(&session, approver.user.username.clone()).await?;
    let Some(authorization_id) = record.device_authorization_id.as_deref() else {
        if record.expires_at <= now {
            forget(&session).await?;
            page.outcome = Some(Outcome {
                title: lang::text("account-pairing-expired-title"),
                text: lang::text("account-pairing-expired-text"),
                success: false,
                new_code: true,
            });
            return Ok(page.into_response());
        }
        let code = session.get::<String>(PAIRING_CODE).await?;
        let Some(code) = code.as_deref().and_then(PairingCodeText::parse) else {
            forget(&session).await?;
            return Ok(Redirect::to(devices::PAGE).into_response());
        };
        page.refresh = true;
        page.waiting = Some(waiting(&state, &record, &code, now)?);
        return Ok(page.into_response());
    };
    let authorization = state.db.get_device_authorization(authorization_id).await?;
    match authorization {
        Some(auth) if is_waiting(&auth, &approver.user, now) => {
            page.asking = Some(asking(&state, &session, &auth, &approver, now).await?);
        }
        _ => {
            forget(&session).await?;
            page.outcome = Some(Outcome {
                title: lang::text("account-pairing-gone-title"),
                text: lang::text("account-pairing-gone-text"),
                success: false,
                new_code: true,
            });
        }
    }
    Ok(page.into_response())
}

/// `POST /account/pairing/decide`: Approve or Deny, for the pairing of this browser only.
pub async fn decide(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    session: Session,
    PageForm(form): PageForm<ApprovalForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let Some(approver) = Approver::current(&state, &session, browser).await? else {
        return Ok(login_first());
    };
    let now = state.clock.now();
    let record = current_pairing(&state, &session, &approver.user).await?;
    let authorization = match record.and_then(|r| r.device_authorization_id) {
        Some(id) => state.db.get_device_authorization(&id).await?,
        None => None,
    };
    let Some(auth) = authorization.filter(|auth| is_waiting(auth, &approver.user, now)) else {
        forget(&session).await?;
        return Err(PageError::no_longer_waiting().back_to_devices());
    };
    // The same decision as the consent page's; the store refuses anyone but the paired user.
    let outcome = approval::decide(&state, &session, &approver, form, &auth.id, now).await?;
    let name = Args::new().with("device", isolated(&device_name(&auth.device)));
    let outcome = match outcome {
        approval::Outcome::AskAgain(error) => {
            // Nothing was decided and the pairing stays.
            let mut question = asking(&state, &session, &auth, &approver, now).await?;
            question.question.error = Some(error);
            let mut page = PairingPage::new(&session, approver.user.username).await?;
            page.asking = Some(question);
            return Ok(error.respond(page));
        }
        approval::Outcome::NotWaiting => {
            forget(&session).await?;
            return Err(PageError::no_longer_waiting().back_to_devices());
        }
        approval::Outcome::Decided { approved: true } => Outcome {
            title: lang::text_with("account-pairing-approved-title", &name),
            text: lang::text("account-pairing-approved-text"),
            success: true,
            new_code: false,
        },
        approval::Outcome::Decided { approved: false } => Outcome {
            title: lang::text("account-pairing-denied-title"),
            text: lang::text_with("account-pairing-denied-text", &name),
            success: false,
            new_code: false,
        },
    };
    forget(&session).await?;
    let mut page = PairingPage::new(&session, approver.user.username).await?;
    page.outcome = Some(outcome);
    Ok(page.into_response())
}

/// The pairing made by this browser, if it belongs to the signed-in person.
async fn current_pairing(
    state: &AppState,
    session: &Session,
    user: &User,
) -> Result<Option<PairingCode>, PageError> {
    let Some(id) = session.get::<String>(PAIRING_ID).await? else {
        return Ok(None);
    };
    let record = state.db.get_pairing_code(&id).await?;
    Ok(record.filter(|r| r.user_id == user.id))
}

fn is_waiting(auth: &DeviceAuthorization, user: &User, now: i64) -> bool {
    auth.state.is_pending()
        && auth.expires_at > now
        && auth.paired_user_id.as_deref() == Some(user.id.as_str())
}

async fn forget(session: &Session) -> Result<(), PageError> {
    session.remove::<String>(PAIRING_ID).await?;
    session.remove::<String>(PAIRING_CODE).await?;
    Ok(())
}

fn waiting(
    state: &AppState,
    record: &PairingCode,
    code: &PairingCodeText,
    now: i64,
) -> Result<Waiting, PageError> {
    let uri = pairing::pairing_uri(&state.config, code);
    // Inline (CSP allows data: images): the code is never put in a URL of ours.
    let png = qr_png(&uri)
        .ok_or_else(|| PageError::internal("could not draw the pairing QR code", "qr"))?;
    Ok(Waiting {
        qr_data_uri: format!("data:image/png;base64,{}", STANDARD.encode(png)),
        code: code.display(),
        uri,
        time_left: remaining(record.expires_at - now),
        seconds_left: record.expires_at - now,
        lifetime: record.expires_at - record.created_at,
    })
}

async fn asking(
    state: &AppState,
    session: &Session,
    auth: &DeviceAuthorization,
    approver: &Approver,
    now: i64,
) -> Result<Asking, PageError> {
    let client = state.db.get_client(&auth.client_id).await?;
    let names = Args::new()
        .with("device", isolated(&device_name(&auth.device)))
        .with("username", isolated(&approver.user.username));
    Ok(Asking {
        heading: lang::text_with("account-pairing-question", &names),
        question: Question::new(state, session, client.as_ref(), auth, approver, now).await?,
    })
}

fn device_name(device: &DeviceInfo) -> String {
    device
        .name
        .clone()
        .or_else(|| device.model.clone())
        .unwrap_or_else(|| lang::text("account-pairing-new-device"))
}
