//! `/account/consents`: the apps a person allowed (code flow), with a way to withdraw.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    state::AppState,
    web::{account::AccountNav, approval, csrf, error::PageError, session::SignedIn},
};

const PAGE: &str = "/account/consents";

#[derive(Template, WebTemplate)]
#[template(path = "account_consents.html")]
struct ConsentsPage {
    nav: AccountNav,
    csrf: String,
    username: String,
    apps: Vec<AllowedApp>,
}

struct AllowedApp {
    client_id: String,
    name: String,
    scopes: Vec<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    client_id: String,
}

pub async fn show(State(state): State<AppState>, session: Session) -> Result<Response, PageError> {
    let Some((_, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(&format!("/login?next={PAGE}")).into_response());
    };
    let mut apps = Vec::new();
    for consent in state.db.list_consents(&user.id).await? {
        let name = state
            .db
            .get_client(&consent.client_id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        apps.push(AllowedApp {
            client_id: consent.client_id,
            name,
            // Ids of the consent page's own words (`device-scope-…`).
            scopes: approval::scope_ids(&consent.scope),
        });
    }
    let page = ConsentsPage {
        nav: AccountNav::Apps,
        csrf: csrf::csrf_token(&session).await?,
        username: user.username,
        apps,
    };
    Ok(page.into_response())
}

pub async fn withdraw(
    State(state): State<AppState>,
    session: Session,
    PageForm(form): PageForm<WithdrawForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let Some((_, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(&format!("/login?next={PAGE}")).into_response());
    };
    if state.db.withdraw_consent(&user.id, &form.client_id).await? {
        tracing::info!(user_id = %user.id, client_id = %form.client_id, "consent withdrawn");
    }
    Ok(Redirect::to(PAGE).into_response())
}
