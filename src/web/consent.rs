//! `GET/POST /device/consent`: the signed-in person sees who asks for what, from which
//! device, and approves or denies (RFC 8628 §3.3). Showing the device's details and the
//! user code again helps people notice a request they did not start (§5.4); a device on
//! another network than the browser is called out plainly, since remote phishing ("enter
//! this code to claim your prize") always comes from somewhere else (§5.4, §5.5).

use std::net::IpAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{State, rejection::FormRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::{
    oauth::{
        device::{UserCodeLookup, decide, lookup_user_code},
        scope,
        user_code::UserCode,
    },
    state::AppState,
    store::{Client, ClientStore, Decision, DeviceAuthorization, DeviceInfo, User},
    web::{
        csrf,
        duration_words::{ago, remaining},
        error::PageError,
        fresh_proof::{self, FreshProof},
        ip::{ClientAddr, budget_key, different_network},
        message::MessagePage,
        session::{PendingDevice, SignedIn},
    },
};

const LOGIN_THEN_CONSENT: &str = "/login?next=/device/consent";
const WRONG_PASSWORD: &str = "That password is not right. Enter the password of this account.";
const PASSWORD_MISSING: &str = "Enter your password to approve.";

#[derive(Template, WebTemplate)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub csrf: String,
    pub client_name: String,
    /// The client's logo (`shown_logo`), shown with the name as its alt text.
    pub logo_uri: Option<String>,
    pub username: String,
    /// Plain-words descriptions of the requested scopes.
    pub scopes: Vec<&'static str>,
    pub device: DeviceInfo,
    pub asked: String,
    pub user_code: String,
    pub time_left: String,
    /// A waiting browser's "Sign in with QR code", not a device (`oauth::qr_login`).
    pub browser_sign_in: bool,
    /// The device asked from another network than this browser's.
    pub other_network: bool,
    /// Approving needs the password again (`web/fresh_proof.rs`).
    pub password_needed: bool,
    pub error: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Choice {
    Approve,
    Deny,
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf: String,
    decision: Choice,
    /// Only asked for when the sign-in is too old to approve with.
    #[serde(default)]
    password: String,
}

pub async fn show(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    session: Session,
) -> Result<Response, PageError> {
    let Some((signed_in, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(LOGIN_THEN_CONSENT).into_response());
    };
    let Some(pending) = PendingDevice::load(&session).await? else {
        return Ok(Redirect::to("/device").into_response());
    };
    let now = state.clock.now();
    let auth = match still_pending(&state, &pending, now).await? {
        Ok(auth) => auth,
        Err(page) => {
            PendingDevice::forget(&session).await?;
            return Err(page);
        }
    };
    let view = View {
        signed_in: &signed_in,
        user,
        browser,
        error: None,
    };
    match view.render(&state, &session, auth, now).await? {
        Some(page) => Ok(page.into_response()),
        None => {
            PendingDevice::forget(&session).await?;
            Err(PageError::no_longer_waiting())
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    session: Session,
    form: Result<Form<ConsentForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(PageError::bad_form)?;
    csrf::verify(&session, &form.csrf).await?;
    let Some((mut signed_in, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(LOGIN_THEN_CONSENT).into_response());
    };
    // Gone after a decision: a second click (or another tab) lands here.
    let Some(pending) = PendingDevice::load(&session).await? else {
        return Err(PageError::no_longer_waiting());
    };
    let now = state.clock.now();
    let approved = matches!(form.decision, Choice::Approve);
    // Denying needs no proof: it can only protect the account.
    if approved
        && let Some(FreshProof::Password) =
            fresh_proof::needed_for_approval(&state.config, &signed_in, now)
    {
        let ip_key = browser.map_or_else(|| "unknown".to_string(), budget_key);
        let missing = form.password.is_empty();
        let proof = if missing {
            None
        } else {
            fresh_proof::prove_password(&state, &user, form.password, &ip_key, now).await?
        };
        let Some(renewed) = proof else {
            let auth = match still_pending(&state, &pending, now).await? {
                Ok(auth) => auth,
                Err(page) => {
                    PendingDevice::forget(&session).await?;
                    return Err(page);
                }
            };
            let view = View {
                signed_in: &signed_in,
                user,
                browser,
                error: Some(if missing {
                    PASSWORD_MISSING
                } else {
                    WRONG_PASSWORD
                }),
            };
            return match view.render(&state, &session, auth, now).await? {
                Some(page) => Ok((StatusCode::UNAUTHORIZED, page).into_response()),
                None => Err(PageError::no_longer_waiting()),
            };
        };
        renewed.store(&session).await?;
        tracing::info!(user_id = %renewed.user_id, "re-authenticated to approve a device");
        signed_in = renewed;
    }
    let decision = Decision {
        approved,
        user_id: signed_in.user_id,
        auth_time: signed_in.auth_time,
        amr: signed_in.amr,
    };
    let decided = decide(&state, &pending.auth_id, &decision, now).await?;
    PendingDevice::forget(&session).await?;
    if !decided {
        return Err(PageError::no_longer_waiting());
    }
    tracing::info!(device_authorization = %pending.auth_id, approved, "device authorization decided");
    let page = if approved {
        MessagePage::approved()
    } else {
        MessagePage::denied()
    };
    Ok(page.into_response())
}

/// The logo URL to show for a client: https only, as `usher client create` demands, so a
/// row stored some other way cannot make the page load from an insecure origin.
pub fn shown_logo(client: &Client) -> Option<String> {
    client
        .logo_uri
        .as_deref()
        .filter(|uri| uri.starts_with("https://") && url::Url::parse(uri).is_ok())
        .map(str::to_string)
}

/// What the consent page is rendered for.
struct View<'a> {
    signed_in: &'a SignedIn,
    user: User,
    browser: Option<IpAddr>,
    error: Option<&'static str>,
}

impl View<'_> {
    /// The page, or `None` when the client is gone.
    async fn render(
        self,
        state: &AppState,
        session: &Session,
        auth: DeviceAuthorization,
        now: i64,
    ) -> Result<Option<ConsentPage>, PageError> {
        let Some(client) = state.db.get_client(&auth.client_id).await? else {
            return Ok(None);
        };
        let device_ip = auth.device.ip.as_deref().and_then(|ip| ip.parse().ok());
        let other_network = match (device_ip, self.browser) {
            (Some(device), Some(browser)) => different_network(device, browser),
            // Unknown on either side: nothing to compare, so no claim either way.
            _ => false,
        };
        let password_needed =
            fresh_proof::needed_for_approval(&state.config, self.signed_in, now).is_some();
        Ok(Some(ConsentPage {
            csrf: csrf::csrf_token(session).await?,
            logo_uri: shown_logo(&client),
            client_name: client.name,
            username: self.user.username,
            scopes: scope::describe_all(&auth.scope),
            asked: ago(now - auth.created_at),
            time_left: remaining(auth.expires_at - now),
            browser_sign_in: crate::oauth::qr_login::is_browser_sign_in(&auth),
            user_code: UserCode::parse(&auth.user_code)
                .map(|c| c.display())
                .unwrap_or(auth.user_code),
            device: auth.device,
            other_network,
            password_needed,
            error: self.error,
        }))
    }
}

/// The authorization in the session, if it is still waiting. Otherwise the page to show.
/// A user code can be drawn again after expiry, so the id must match too.
async fn still_pending(
    state: &AppState,
    pending: &PendingDevice,
    now: i64,
) -> Result<Result<DeviceAuthorization, PageError>, PageError> {
    let Some(code) = UserCode::parse(&pending.user_code) else {
        return Ok(Err(PageError::no_longer_waiting()));
    };
    Ok(match lookup_user_code(&state.db, &code, now).await? {
        UserCodeLookup::Pending(auth) if auth.id == pending.auth_id => Ok(auth),
        UserCodeLookup::Expired => Err(PageError::expired_code()),
        _ => Err(PageError::no_longer_waiting()),
    })
}
