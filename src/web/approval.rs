//! Approving or denying a waiting device authorization (RFC 8628 §3.3), one way for both
//! places a person does it: the consent page after entering a user code (`web::consent`)
//! and the pairing page of a signed-in browser (`web::account::pairing`). Both show the same
//! facts (`Question`, templates/partials/), ask for the password again when the sign-in is
//! old (`web::fresh_proof`) and record the decision through `oauth::device::decide`.

use std::net::IpAddr;

use serde::Deserialize;
use tower_sessions::Session;

use crate::{
    client_addr::{budget_key, different_network},
    config::Config,
    oauth::audit::{self, AuditEvent, Origin},
    oauth::{device, scope},
    state::AppState,
    store::{Client, Decision, DeviceAuthorization, DeviceInfo, User},
    web::{
        duration_words::{ago, remaining},
        error::PageError,
        fresh_proof::{self, FreshProof},
        session::SignedIn,
    },
};

const WRONG_PASSWORD: &str = "That password is not right. Enter the password of this account.";
const PASSWORD_MISSING: &str = "Enter your password to approve.";

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Choice {
    Approve,
    Deny,
}

/// The Approve/Deny form of both pages.
#[derive(Debug, Deserialize)]
pub struct ApprovalForm {
    #[serde(default)]
    pub csrf: String,
    pub decision: Choice,
    /// Only asked for when the sign-in is too old to approve with.
    #[serde(default)]
    password: String,
}

/// The signed-in person who decides, and the address of their browser.
pub struct Approver {
    pub signed_in: SignedIn,
    pub user: User,
    pub browser: Option<IpAddr>,
}

impl Approver {
    /// `None` when nobody (or a deleted or disabled account) is signed in.
    pub async fn current(
        state: &AppState,
        session: &Session,
        browser: Option<IpAddr>,
    ) -> Result<Option<Approver>, PageError> {
        let current = SignedIn::current_user(state, session).await?;
        Ok(current.map(|(signed_in, user)| Approver {
            signed_in,
            user,
            browser,
        }))
    }
}

/// What the person is asked to approve, as templates/partials/ show it.
pub struct Question {
    pub client_name: String,
    /// The client's logo (`shown_logo`), shown with the name as its alt text.
    pub logo_uri: Option<String>,
    /// Plain-words descriptions of the requested scopes.
    pub scopes: Vec<&'static str>,
    pub device: DeviceInfo,
    pub asked: String,
    pub time_left: String,
    /// The user code the person entered, shown again to compare with the device's screen
    /// (RFC 8628 §5.4); `None` for a device that came with a pairing code.
    pub user_code: Option<String>,
    /// The device asked from another network than this browser's: remote phishing always
    /// comes from somewhere else (RFC 8628 §5.4).
    pub other_network: bool,
    /// Approving needs the password again (`web/fresh_proof.rs`).
    pub password_needed: bool,
    /// Why the password is asked again.
    pub error: Option<&'static str>,
}

impl Question {
    /// `client` is `None` when it was deleted meanwhile: its id stands in for the name.
    pub fn new(
        config: &Config,
        client: Option<&Client>,
        auth: &DeviceAuthorization,
        approver: &Approver,
        now: i64,
    ) -> Question {
        let device_ip = auth.device.ip.as_deref().and_then(|ip| ip.parse().ok());
        let other_network = match (device_ip, approver.browser) {
            (Some(device), Some(browser)) => different_network(device, browser),
            // Unknown on either side: nothing to compare, so no claim either way.
            _ => false,
        };
        Question {
            client_name: client.map_or_else(|| auth.client_id.clone(), |c| c.name.clone()),
            logo_uri: client.and_then(shown_logo),
            scopes: scope::describe_all(&auth.scope),
            device: auth.device.clone(),
            asked: ago(now - auth.created_at),
            time_left: remaining(auth.expires_at - now),
            user_code: None,
            other_network,
            password_needed: fresh_proof::needed_for_approval(config, &approver.signed_in, now)
                .is_some(),
            error: None,
        }
    }
}

/// What came of an Approve or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Decided {
        approved: bool,
    },
    /// Decided meanwhile (another tab, another person) or expired.
    NotWaiting,
    /// Nothing was decided: ask again, saying why (the password is missing or wrong).
    AskAgain(&'static str),
}

/// Decides on `auth_id` as `approver`, after a fresh proof when approving with an old
/// sign-in; a renewed sign-in is kept in the session. The caller forgets its own record of
/// the request unless the outcome is `AskAgain`.
pub async fn decide(
    state: &AppState,
    session: &Session,
    approver: &Approver,
    form: ApprovalForm,
    auth_id: &str,
    now: i64,
) -> Result<Outcome, PageError> {
    let approved = matches!(form.decision, Choice::Approve);
    let mut signed_in = approver.signed_in.clone();
    // Denying needs no proof: it can only protect the account.
    if approved
        && let Some(FreshProof::Password) =
            fresh_proof::needed_for_approval(&state.config, &signed_in, now)
    {
        if form.password.is_empty() {
            return Ok(Outcome::AskAgain(PASSWORD_MISSING));
        }
        let ip_key = approver
            .browser
            .map_or_else(|| "unknown".to_string(), budget_key);
        let proof =
            fresh_proof::prove_password(state, &approver.user, form.password, &ip_key, now).await?;
        let (user_id, from) = (
            approver.user.id.clone(),
            Origin::new(approver.browser, None),
        );
        let Some(renewed) = proof else {
            let failed = AuditEvent::ReauthenticationFailed { user_id, from };
            audit::record(&state.db, failed, now).await;
            return Ok(Outcome::AskAgain(WRONG_PASSWORD));
        };
        renewed.store(session).await?;
        tracing::info!(user_id = %renewed.user_id, "re-authenticated to approve a device");
        audit::record(
            &state.db,
            AuditEvent::Reauthenticated { user_id, from },
            now,
        )
        .await;
        signed_in = renewed;
    }
    let decision = Decision {
        approved,
        user_id: signed_in.user_id,
        auth_time: signed_in.auth_time,
        amr: signed_in.amr,
        notify_client: state.config.features.notifications,
    };
    if !device::decide(state, auth_id, &decision, now).await? {
        return Ok(Outcome::NotWaiting);
    }
    tracing::info!(device_authorization = %auth_id, approved, "device authorization decided");
    let from = Origin::new(approver.browser, None);
    audit::record_decision(&state.db, auth_id, approved, &decision.user_id, from, now).await;
    Ok(Outcome::Decided { approved })
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
