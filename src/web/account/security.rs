//! `/account/security`: the person's sign-in factors (passkeys, the authenticator app of
//! `web::account::totp`), when each was last used, and adding or removing them.
//!
//! A change of factors asks the person to confirm it's them first (a stolen unlocked
//! phone must not be able to add the thief's passkey): a sign-in younger than
//! [`RECONFIRM_SECS`], or, within that time, the password again (`fresh_proof::
//! prove_password`, under the sign-in throttle) or a user-verified passkey assertion
//! ([`FreshPasskey`]).

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State, rejection::QueryRejection},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    client_addr::{ClientAddr, budget_key},
    http::device_metadata,
    oauth::audit::{self, AuditEvent, Origin},
    state::AppState,
    store::Passkey,
    web::{
        account::{AccountNav, Moment, totp},
        csrf,
        error::PageError,
        fresh_proof,
        session::{FreshPasskey, SignedIn},
    },
};

pub const PAGE: &str = "/account/security";

/// How recent a sign-in or a confirmation must be to change factors.
pub const RECONFIRM_SECS: i64 = 300;

const CONFIRMED_USER: &str = "security_confirmed_user";
const CONFIRMED_AT: &str = "security_confirmed_at";

#[derive(Template, WebTemplate)]
#[template(path = "account_security.html")]
struct SecurityPage {
    nav: AccountNav,
    csrf: String,
    username: String,
    /// Recent enough to add or remove factors.
    confirmed: bool,
    wrong_password: bool,
    /// The issuer can be a WebAuthn relying party (`oauth::accounts::passkeys`).
    passkeys_available: bool,
    passkeys: Vec<PasskeyRow>,
    totp: totp::TotpSummary,
}

/// One passkey, in words.
struct PasskeyRow {
    id: String,
    name: String,
    created: Moment,
    /// `None`: never.
    last_used: Option<Moment>,
    synced: bool,
}

impl PasskeyRow {
    fn new(p: Passkey, now: i64) -> PasskeyRow {
        PasskeyRow {
            id: p.id,
            name: p.name,
            created: Moment::new(p.created_at, now),
            last_used: p.last_used_at.map(|at| Moment::new(at, now)),
            synced: p.backup_eligible,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SecurityQuery {
    wrong: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    /// Set by `static/webauthn.js` after a fresh passkey assertion.
    #[serde(default)]
    passkey_proof: String,
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    passkey_id: String,
}

/// Whether the signed-in person may change factors now (see the module comment).
pub async fn reconfirmed(
    session: &Session,
    signed_in: &SignedIn,
    now: i64,
) -> Result<bool, PageError> {
    let recent = |at: i64| now - at < RECONFIRM_SECS;
    if recent(signed_in.auth_time) {
        return Ok(true);
    }
    if FreshPasskey::at(session).await?.is_some_and(recent) {
        return Ok(true);
    }
    let user = session.get::<String>(CONFIRMED_USER).await?;
    let at = session.get::<i64>(CONFIRMED_AT).await?;
    Ok(user.as_deref() == Some(signed_in.user_id.as_str()) && at.is_some_and(recent))
}

async fn mark_confirmed(session: &Session, user_id: &str, now: i64) -> Result<(), PageError> {
    session.insert(CONFIRMED_USER, user_id).await?;
    session.insert(CONFIRMED_AT, now).await?;
    Ok(())
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<SecurityQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Some((signed_in, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(&format!("/login?next={PAGE}")).into_response());
    };
    let now = state.clock.now();
    let passkeys = state
        .db
        .list_passkeys(&user.id)
        .await?
        .into_iter()
        .map(|p| PasskeyRow::new(p, now))
        .collect();
    let page = SecurityPage {
        nav: AccountNav::Security,
        csrf: csrf::csrf_token(&session).await?,
        confirmed: reconfirmed(&session, &signed_in, now).await?,
        wrong_password: query.is_ok_and(|Query(q)| q.wrong.is_some()),
        passkeys_available: state.passkeys.available(),
        passkeys,
        totp: totp::summary(&state, &user).await?,
        username: user.username,
    };
    Ok(page.into_response())
}

/// `POST /account/security/confirm`: the password again, or a fresh passkey assertion.
pub async fn confirm(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    headers: HeaderMap,
    session: Session,
    PageForm(form): PageForm<ConfirmForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let Some((_, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(&format!("/login?next={PAGE}")).into_response());
    };
    let now = state.clock.now();
    let passkey_fresh = FreshPasskey::at(&session)
        .await?
        .is_some_and(|at| now - at < RECONFIRM_SECS);
    if form.passkey_proof == "1" && passkey_fresh {
        mark_confirmed(&session, &user.id, now).await?;
        return Ok(Redirect::to(PAGE).into_response());
    }
    let from = Origin::new(browser, device_metadata::user_agent(&headers));
    let ip_key = browser.map_or_else(|| "unknown".to_string(), budget_key);
    let proved = match form.password.is_empty() {
        true => None,
        false => fresh_proof::prove_password(&state, &user, form.password, &ip_key, now).await?,
    };
    let user_id = user.id.clone();
    if proved.is_none() {
        let failed = AuditEvent::ReauthenticationFailed { user_id, from };
        audit::record(&state.db, failed, now).await;
        return Ok(Redirect::to(&format!("{PAGE}?wrong=1")).into_response());
    }
    mark_confirmed(&session, &user.id, now).await?;
    audit::record(
        &state.db,
        AuditEvent::Reauthenticated { user_id, from },
        now,
    )
    .await;
    Ok(Redirect::to(PAGE).into_response())
}

/// `POST /account/security/passkeys/remove`.
pub async fn remove_passkey(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    headers: HeaderMap,
    session: Session,
    PageForm(form): PageForm<RemoveForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let Some((signed_in, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(&format!("/login?next={PAGE}")).into_response());
    };
    let now = state.clock.now();
    if !reconfirmed(&session, &signed_in, now).await? {
        // The page then asks to confirm first.
        return Ok(Redirect::to(PAGE).into_response());
    }
    // Someone else's passkey is answered like an unknown one.
    let owned = state
        .db
        .get_passkey(&form.passkey_id)
        .await?
        .filter(|p| p.user_id == user.id);
    let Some(passkey) = owned else {
        return Err(PageError::not_found());
    };
    if state.db.delete_passkey(&passkey.id, &user.id).await? {
        tracing::info!(user_id = %user.id, passkey = %passkey.id, "passkey removed");
        let event = AuditEvent::PasskeyRemoved {
            user_id: user.id,
            passkey_id: passkey.id,
            name: passkey.name,
            from: Origin::new(browser, device_metadata::user_agent(&headers)),
        };
        audit::record(&state.db, event, now).await;
    }
    Ok(Redirect::to(PAGE).into_response())
}
