//! `/oauth2/authorize` for web apps (RFC 6749 §4.1, OIDC Core §3.1.2): the request is
//! validated, kept in the session, and walks the same sign-in page as the device flow, then
//! a consent that is remembered per user and client.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawForm, RawQuery, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    oauth::{
        authorize::{self, Assurance, AuthorizationRequest, AuthorizeError, ErrorRedirect},
        params::Params,
        scope,
    },
    protocol::ResponseMode,
    state::AppState,
    store::{Consent, User},
    web::{authorization_response, csp, csrf, error::PageError, session::SignedIn},
};

const REQUEST: &str = "authorize_request";
/// Where sign-in pages send the person back to, to go on with the pending request.
pub const CONTINUE: &str = "/oauth2/authorize/continue";

#[derive(Template, WebTemplate)]
#[template(path = "authorize_consent.html")]
pub struct AuthorizeConsentPage {
    csrf: String,
    client_name: String,
    logo_uri: Option<String>,
    username: String,
    redirect_host: String,
    /// Catalogue ids, one line per distinct description.
    scopes: Vec<&'static str>,
}

impl AuthorizeConsentPage {
    /// "<app> wants to sign you in as <user>", both names escaped (the words are ours).
    fn heading(&self) -> String {
        let args = crate::i18n::Args::new()
            .with("app", crate::web::lang::isolated(&self.client_name))
            .with("user", crate::web::lang::isolated(&self.username));
        crate::web::lang::text_with("signin-consent-heading", &args)
    }
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
}

pub async fn start_get(
    state: State<AppState>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Response {
    start(state, session, query.unwrap_or_default().into_bytes()).await
}

pub async fn start_post(
    state: State<AppState>,
    session: Session,
    RawForm(body): RawForm,
) -> Response {
    start(state, session, body.to_vec()).await
}

async fn start(State(state): State<AppState>, session: Session, raw: Vec<u8>) -> Response {
    let result = async {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw)
            .map_err(|_| PageError::bad_authorization_request("signin-error-malformed-link"))?;
        let params = Params::from_pairs(pairs)
            .map_err(|_| PageError::bad_authorization_request("signin-error-repeated-parameter"))?;
        match authorize::validate(&state.clients, &params, state.clock.now()).await? {
            Ok((request, _)) => {
                session.insert(REQUEST, &request).await?;
                proceed(&state, &session, request).await
            }
            // A catalogue id of signin.ftl (the oauth layer names, the page says).
            Err(AuthorizeError::Page(id)) => Err(PageError::bad_authorization_request(id)),
            Err(AuthorizeError::Redirect(error)) => Ok(redirect_error(&state, &error)),
        }
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

/// Where the login page sends the person back to.
pub async fn resume(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, PageError> {
    let request = pending_request(&session).await?;
    proceed(&state, &session, request).await
}

/// Sign-in first, then consent (unless remembered), then the code.
async fn proceed(
    state: &AppState,
    session: &Session,
    mut request: AuthorizationRequest,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let signed_in = SignedIn::current_user(state, session).await?;
    let mut signed_in = signed_in.filter(|(s, _)| request.accepts_authentication(s.auth_time, now));
    if let Some((s, _)) = &signed_in {
        // `acr_values` and the client's `require_mfa` (docs/factors.md): sign in again,
        // once, with a stronger factor; voluntary unless the client requires two factors.
        match request.assurance(&s.amr, s.auth_time) {
            Assurance::Met | Assurance::Unmet { mandatory: false } => {}
            Assurance::StepUp if request.has_prompt("none") && !request.require_mfa => {}
            Assurance::StepUp if request.has_prompt("none") => {
                return Ok(redirect_error(
                    state,
                    &request.error("login_required", "A stronger sign-in is required."),
                ));
            }
            Assurance::StepUp => {
                request.step_up_at = Some(now);
                session.insert(REQUEST, &request).await?;
                signed_in = None;
            }
            Assurance::Unmet { mandatory: true } => {
                session.remove::<AuthorizationRequest>(REQUEST).await?;
                tracing::info!(client_id = %request.client_id, "two factors required, not met");
                return Ok(redirect_error(
                    state,
                    &request.error(
                        "access_denied",
                        "This application requires a sign-in with two factors (a passkey, or \
                         a password and a one-time code); the account has none set up.",
                    ),
                ));
            }
        }
    }
    let Some((signed_in, user)) = signed_in else {
        if request.has_prompt("none") {
            return Ok(redirect_error(
                state,
                &request.error("login_required", "The user is not signed in."),
            ));
        }
        // Signed in, but not recently enough (prompt=login, max_age): ask again.
        let force = SignedIn::load(session).await?.is_some();
        let mut login = url::form_urlencoded::Serializer::new(String::new());
        login.append_pair("next", CONTINUE);
        if let Some(hint) = &request.login_hint {
            login.append_pair("login_hint", hint);
        }
        if force {
            login.append_pair("force", "1");
        }
        let login = login.finish();
        return Ok(Redirect::to(&format!("/login?{login}")).into_response());
    };
    let remembered = state.db.get_consent(&user.id, &request.client_id).await?;
    let covers = remembered.is_some_and(|c| {
        request
            .scope
            .split_whitespace()
            .all(|s| scope::contains(&c.scope, s))
    });
    if covers && !request.has_prompt("consent") {
        return issue(state, session, &request, &signed_in, &user).await;
    }
    if request.has_prompt("none") {
        return Ok(redirect_error(
            state,
            &request.error("consent_required", "The user has not consented."),
        ));
    }
    let client = state
        .db
        .get_client(&request.client_id)
        .await?
        .ok_or_else(PageError::no_longer_waiting)?;
    let page = AuthorizeConsentPage {
        csrf: csrf::csrf_token(session).await?,
        logo_uri: crate::web::approval::shown_logo(&client),
        client_name: client.name,
        username: user.username,
        redirect_host: url::Url::parse(&request.redirect_uri)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default(),
        // The same scope lines as the device consent page (ids of device.ftl).
        scopes: crate::web::approval::scope_ids(&request.scope),
    };
    // Allow and Deny both end at the client.
    Ok(csp::allow_form_target(
        page.into_response(),
        &request.redirect_uri,
    ))
}

pub async fn decide(
    State(state): State<AppState>,
    session: Session,
    PageForm(form): PageForm<DecisionForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let request = pending_request(&session).await?;
    let now = state.clock.now();
    let Some((signed_in, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(&format!("/login?next={CONTINUE}")).into_response());
    };
    if form.decision != "approve" {
        session.remove::<AuthorizationRequest>(REQUEST).await?;
        return Ok(redirect_error(
            &state,
            &request.error("access_denied", "The user denied the request."),
        ));
    }
    let consent = Consent {
        user_id: user.id.clone(),
        client_id: request.client_id.clone(),
        scope: request.scope.clone(),
        granted_at: now,
    };
    state.db.save_consent(&consent).await?;
    issue(&state, &session, &request, &signed_in, &user).await
}

async fn issue(
    state: &AppState,
    session: &Session,
    request: &AuthorizationRequest,
    signed_in: &SignedIn,
    user: &User,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let code = authorize::issue_code(
        &state.db,
        request,
        &user.id,
        signed_in.auth_time,
        &signed_in.amr,
        now,
    )
    .await?;
    session.remove::<AuthorizationRequest>(REQUEST).await?;
    tracing::info!(client_id = %request.client_id, "authorization code issued");
    let response = request.code_response(&state.config.issuer, &code);
    let client_name = match response.mode {
        ResponseMode::Query => None,
        ResponseMode::FormPost => state
            .db
            .get_client(&request.client_id)
            .await?
            .map(|c| c.name),
    };
    Ok(authorization_response::deliver(
        &response,
        client_name.as_deref(),
    ))
}

pub async fn pending_request(session: &Session) -> Result<AuthorizationRequest, PageError> {
    pending(session)
        .await?
        .ok_or_else(|| PageError::bad_authorization_request("signin-error-request-expired"))
}

fn redirect_error(state: &AppState, error: &ErrorRedirect) -> Response {
    authorization_response::deliver(&error.response(&state.config.issuer), None)
}

/// The code-flow request this browser is signing in for, if any.
pub async fn pending(session: &Session) -> Result<Option<AuthorizationRequest>, PageError> {
    Ok(session.get::<AuthorizationRequest>(REQUEST).await?)
}
