//! Approving or denying a waiting device authorization (RFC 8628 §3.3), one way for both
//! places a person does it: the consent page after entering a user code (`web::consent`)
//! and the pairing page of a signed-in browser (`web::account::pairing`). Both show the same
//! facts (`Question`, templates/partials/), ask for what the approval proof policy demands
//! (`web::fresh_proof`: the password again, a fresh passkey, a one-time code) and record the
//! decision, with the methods proven, through `oauth::device::decide`.

use std::net::IpAddr;

use serde::Deserialize;
use tower_sessions::Session;

use crate::{
    client_addr::{budget_key, different_network},
    config::Config,
    i18n::Args,
    oauth::accounts::totp::{self, OtpCheck},
    oauth::audit::{self, AuditEvent, Origin},
    oauth::device,
    protocol::{Amr, Scope},
    state::AppState,
    store::{Client, Decision, DeviceAuthorization, DeviceInfo, User},
    web::{
        duration_words::{self, ago, remaining},
        error::PageError,
        fresh_proof::{self, Demand, PasswordProof},
        lang,
        session::{FreshPasskey, SignedIn},
    },
};

// Why an Approve is asked again: ids of `locales/*/device.ftl`.
const WRONG_PASSWORD: Problem = Problem::new("device-wrong-password");
const PASSWORD_MISSING: Problem = Problem::new("device-password-missing");
const PASSKEY_MISSING: Problem = Problem::new("device-passkey-missing");
const OTP_MISSING: Problem = Problem::new("device-otp-missing");
const WRONG_OTP: Problem = Problem::new("device-wrong-otp");
/// The deliberate second step of an Approve from another network (issue 14, point 7).
const IN_FRONT_MISSING: Problem = Problem::new("device-in-front-missing");

/// Why the page asks again for what an approval needs: a message of `device.ftl`, and for
/// a proof paused after too many wrong tries, how long the pause lasts (said in words, so
/// the person knows when to come back; Deny still works meanwhile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Problem {
    pub id: &'static str,
    /// Seconds until the paused proof is accepted again.
    pub wait_secs: Option<i64>,
}

impl Problem {
    /// The answer that asks again with `page`: 429 with `Retry-After` while the proof is
    /// paused (Deny still works meanwhile), else 401.
    pub fn respond(self, page: impl axum::response::IntoResponse) -> axum::response::Response {
        use axum::{
            http::{HeaderValue, StatusCode, header},
            response::IntoResponse,
        };
        match self.wait_secs {
            Some(wait_secs) => {
                let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs.max(1)));
                response
            }
            None => (StatusCode::UNAUTHORIZED, page).into_response(),
        }
    }

    pub const fn new(id: &'static str) -> Problem {
        Problem {
            id,
            wait_secs: None,
        }
    }

    /// Too many wrong tries: `id` takes the wait as `$wait`.
    pub const fn paused(id: &'static str, wait_secs: i64) -> Problem {
        Problem {
            id,
            wait_secs: Some(wait_secs),
        }
    }

    /// The message in the page's language.
    pub fn text(&self) -> String {
        match self.wait_secs {
            Some(secs) => lang::text_with(
                self.id,
                &Args::new().with("wait", duration_words::minutes_up(secs)),
            ),
            None => lang::text(self.id),
        }
    }
}

/// The scopes of `granted` as ids of `device.ftl`, one line per distinct description (as
/// `oauth::scope::describe_all`: unknown scopes share one).
pub fn scope_ids(granted: &str) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = Vec::new();
    for scope in granted.split_whitespace() {
        let id = match Scope::parse(scope) {
            Some(Scope::OpenId) => "device-scope-openid",
            Some(Scope::Profile) => "device-scope-profile",
            Some(Scope::Email) => "device-scope-email",
            Some(Scope::OfflineAccess) => "device-scope-offline-access",
            None => "device-scope-other",
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
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
    /// Absent when `static/webauthn.js` submits the form after a passkey proof (a script
    /// submit carries no button): that is an Approve.
    #[serde(default)]
    decision: Option<Choice>,
    /// Only asked for when the sign-in is too old to approve with.
    #[serde(default)]
    password: String,
    /// A TOTP or recovery code, asked for when the client requires two factors.
    #[serde(default)]
    otp: String,
    /// `1` when `static/webauthn.js` has just made a passkey assertion
    /// (`web::session::FreshPasskey`); the session, not this field, is the proof.
    #[serde(default)]
    passkey_proof: String,
    /// `1`: "The device is in front of me", ticked. Required to approve a device on another
    /// network than the browser (remote phishing, RFC 8628 §5.4); the page's checkbox is
    /// only a convenience, this is where it is enforced.
    #[serde(default)]
    in_front: String,
}

impl ApprovalForm {
    /// `None`: neither a decision nor a passkey proof, a form no page of ours sends.
    pub fn choice(&self) -> Option<Choice> {
        match self.decision {
            Some(choice) => Some(choice),
            None if self.passkey_proof == "1" => Some(Choice::Approve),
            None => None,
        }
    }
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
    /// Plain-words descriptions of the requested scopes (ids of `device.ftl`).
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
    /// Both addresses are known, so `other_network` says something either way ("the same
    /// network as you" or not); otherwise the page makes no claim.
    pub network_compared: bool,
    /// Seconds until the code expires, for the live countdown (`static/approve.js`).
    pub seconds_left: i64,
    /// Approving needs the password again (`web/fresh_proof.rs`).
    pub password_needed: bool,
    /// Approving needs a fresh passkey check: Approve runs it (`static/webauthn.js`).
    pub passkey_needed: bool,
    /// Approving needs a one-time code (the client requires two factors).
    pub otp_needed: bool,
    /// The account has a passkey: offered instead of a password or a code.
    pub passkey_offered: bool,
    /// Approving is impossible until the account adds a factor: why (an id of `device.ftl`).
    pub refused: Option<&'static str>,
    /// Why the proof is asked again.
    pub error: Option<Problem>,
}

impl Question {
    /// `client` is `None` when it was deleted meanwhile: its id stands in for the name.
    pub async fn new(
        state: &AppState,
        session: &Session,
        client: Option<&Client>,
        auth: &DeviceAuthorization,
        approver: &Approver,
        now: i64,
    ) -> Result<Question, PageError> {
        let facts = fresh_proof::facts(state, session, client, &approver.signed_in, now).await?;
        let demand = fresh_proof::demand(&facts, max_session_age(&state.config));
        let mut question = Question::facts(client, auth, approver, now);
        question.passkey_offered = facts.has_passkey;
        match demand {
            Demand::Ready => {}
            Demand::Ask(ask) => {
                question.password_needed = ask.password;
                question.passkey_needed = ask.passkey;
                question.otp_needed = ask.otp;
            }
            Demand::Refused(refusal) => question.refused = Some(refusal.message()),
        }
        Ok(question)
    }

    /// The facts of the request, asking for no proof yet.
    fn facts(
        client: Option<&Client>,
        auth: &DeviceAuthorization,
        approver: &Approver,
        now: i64,
    ) -> Question {
        let other_network = is_other_network(auth, approver);
        let network_compared = auth
            .device
            .ip
            .as_deref()
            .is_some_and(|ip| ip.parse::<IpAddr>().is_ok())
            && approver.browser.is_some();
        Question {
            client_name: client.map_or_else(|| auth.client_id.clone(), |c| c.name.clone()),
            logo_uri: client.and_then(shown_logo),
            scopes: scope_ids(&auth.scope),
            device: auth.device.clone(),
            asked: ago(now - auth.created_at),
            time_left: remaining(auth.expires_at - now),
            user_code: None,
            other_network,
            network_compared,
            seconds_left: (auth.expires_at - now).max(0),
            password_needed: false,
            passkey_needed: false,
            otp_needed: false,
            passkey_offered: false,
            refused: None,
            error: None,
        }
    }
}

/// Whether the device asked from another network than the approver's browser. Unknown on
/// either side: nothing to compare, so no claim either way.
fn is_other_network(auth: &DeviceAuthorization, approver: &Approver) -> bool {
    let device_ip = auth.device.ip.as_deref().and_then(|ip| ip.parse().ok());
    match (device_ip, approver.browser) {
        (Some(device), Some(browser)) => different_network(device, browser),
        _ => false,
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
    /// Nothing was decided: ask again, saying why (the password is missing or wrong, or
    /// too many wrong ones paused it).
    AskAgain(Problem),
}

/// Decides on `auth_id` as `approver`, after the proofs the approval demands
/// (`web::fresh_proof`); a renewed sign-in is kept in the session. The caller forgets its
/// own record of the request unless the outcome is `AskAgain`.
pub async fn decide(
    state: &AppState,
    session: &Session,
    approver: &Approver,
    form: ApprovalForm,
    auth_id: &str,
    now: i64,
) -> Result<Outcome, PageError> {
    let Some(choice) = form.choice() else {
        return Err(PageError::unreadable_form("missing field `decision`"));
    };
    let approved = choice == Choice::Approve;
    // Denying needs no proof: it can only protect the account.
    let signed_in = if approved {
        match prove(state, session, approver, &form, auth_id, now).await? {
            Ok(signed_in) => signed_in,
            Err(again) => return Ok(again),
        }
    } else {
        approver.signed_in.clone()
    };
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

/// The proofs an Approve must bring, checked: the sign-in to record the decision with
/// (renewed when something was proven now), or the outcome that asks again.
async fn prove(
    state: &AppState,
    session: &Session,
    approver: &Approver,
    form: &ApprovalForm,
    auth_id: &str,
    now: i64,
) -> Result<Result<SignedIn, Outcome>, PageError> {
    let client = match state.db.get_device_authorization(auth_id).await? {
        Some(auth) if !auth.is_waiting(now) => return Ok(Err(Outcome::NotWaiting)),
        // Checked before any proof, so a passkey assertion is not spent on a refusal.
        Some(auth) if is_other_network(&auth, approver) && form.in_front != "1" => {
            return Ok(Err(Outcome::AskAgain(IN_FRONT_MISSING)));
        }
        Some(auth) => state.db.get_client(&auth.client_id).await?,
        None => return Ok(Err(Outcome::NotWaiting)),
    };
    let user_id = approver.user.id.clone();
    let from = Origin::new(approver.browser, None);
    let facts =
        fresh_proof::facts(state, session, client.as_ref(), &approver.signed_in, now).await?;
    if facts.fresh_passkey
        && let Some(at) = FreshPasskey::at(session).await?
    {
        // Spent on this approval: the next one asks again (`passkey` policy).
        FreshPasskey::clear(session).await?;
        let renewed = SignedIn {
            user_id: user_id.clone(),
            auth_time: at,
            amr: fresh_proof::passkey_amr(state, &user_id).await?,
        };
        renewed.store(session).await?;
        tracing::info!(user_id = %user_id, "approved with a fresh passkey");
        let proven = AuditEvent::Reauthenticated { user_id, from };
        audit::record(&state.db, proven, now).await;
        return Ok(Ok(renewed));
    }
    let ask = match fresh_proof::demand(&facts, max_session_age(&state.config)) {
        Demand::Ready => return Ok(Ok(approver.signed_in.clone())),
        Demand::Refused(refusal) => {
            return Ok(Err(Outcome::AskAgain(Problem::new(refusal.message()))));
        }
        Demand::Ask(ask) => ask,
    };
    if ask.passkey {
        return Ok(Err(Outcome::AskAgain(PASSKEY_MISSING)));
    }
    if (ask.password && form.password.is_empty()) || (ask.otp && form.otp.trim().is_empty()) {
        let missing = if ask.password && form.password.is_empty() {
            PASSWORD_MISSING
        } else {
            OTP_MISSING
        };
        return Ok(Err(Outcome::AskAgain(missing)));
    }
    let ip_key = approver
        .browser
        .map_or_else(|| "unknown".to_string(), budget_key);
    let mut signed_in = approver.signed_in.clone();
    if ask.password {
        let password = form.password.clone();
        let proof =
            fresh_proof::check_password_again(state, &approver.user, password, &ip_key, now)
                .await?;
        signed_in = match proof {
            PasswordProof::Right(renewed) => renewed,
            PasswordProof::Wrong => {
                let failed = AuditEvent::ReauthenticationFailed {
                    user_id: user_id.clone(),
                    from: from.clone(),
                };
                audit::record(&state.db, failed, now).await;
                return Ok(Err(Outcome::AskAgain(WRONG_PASSWORD)));
            }
            // Paused by the sign-in throttle: the page says for how long.
            PasswordProof::Wait(wait_secs) => {
                let paused = Problem::paused("device-password-locked", wait_secs);
                return Ok(Err(Outcome::AskAgain(paused)));
            }
        };
    }
    if ask.otp {
        // Under the sign-in throttle, like the second step of sign-in (`accounts::totp`).
        match totp::check_code(state, &approver.user, form.otp.trim(), &ip_key, now).await? {
            OtpCheck::Right(_) => {
                signed_in.amr = fresh_proof::with_methods(&signed_in.amr, &[Amr::Otp, Amr::Mfa]);
            }
            OtpCheck::Wrong => {
                // A right password just now is still kept: only the code is asked again.
                signed_in.store(session).await?;
                let failed = AuditEvent::ReauthenticationFailed {
                    user_id: user_id.clone(),
                    from: from.clone(),
                };
                audit::record(&state.db, failed, now).await;
                return Ok(Err(Outcome::AskAgain(WRONG_OTP)));
            }
            OtpCheck::Wait(wait_secs) => {
                // A right password just now is still kept, as for a wrong code.
                signed_in.store(session).await?;
                let paused = Problem::paused("device-otp-locked", wait_secs);
                return Ok(Err(Outcome::AskAgain(paused)));
            }
        }
    }
    signed_in.store(session).await?;
    tracing::info!(user_id = %user_id, "re-authenticated to approve a device");
    audit::record(
        &state.db,
        AuditEvent::Reauthenticated { user_id, from },
        now,
    )
    .await;
    Ok(Ok(signed_in))
}

fn max_session_age(config: &Config) -> i64 {
    i64::try_from(config.approval_max_session_age_secs).unwrap_or(i64::MAX)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, text};

    #[test]
    fn scope_lines_in_english_are_the_plain_words_of_oauth_scope() {
        let granted = "openid profile email offline_access unknown other";
        let english: Vec<String> = scope_ids(granted)
            .into_iter()
            .map(|id| text(Locale::En, id))
            .collect();
        assert_eq!(english, crate::oauth::scope::describe_all(granted));
    }

    #[test]
    fn a_paused_proof_says_the_wait_rounded_up_to_minutes() {
        let paused = Problem::paused("device-password-locked", 61);
        assert!(
            paused.text().contains("try again in 2 minutes."),
            "{}",
            paused.text()
        );
        assert_eq!(duration_words::minutes_up(1), "1 minute");
        assert_eq!(duration_words::minutes_up(900), "15 minutes");
    }
}
