//! `/account/devices`: every device (and web app sign-in) linked to this account, with
//! "Sign out this device", which revokes its refresh tokens at once and makes its access
//! tokens fail at userinfo and introspection (`oauth::linked_devices`). Signing out asks
//! once more on its own page (`GET /account/devices/sign-out`), like Google's and GitHub's
//! "Sign out of this device?": one stray tap must not sign out a TV, and no script is needed.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State, rejection::QueryRejection},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::web::form::PageForm;
use crate::{
    client_addr::ClientAddr,
    oauth::audit::{self, AuditEvent, Origin, SignedOutBy},
    oauth::{device, linked_devices},
    state::AppState,
    store::LinkedDeviceListing,
    web::account::activity::{self, ActivityRow},
    web::{
        account::{AccountNav, Moment},
        csrf,
        error::PageError,
        lang,
        session::SignedIn,
    },
};

pub const PAGE: &str = "/account/devices";

#[derive(Template, WebTemplate)]
#[template(path = "account_devices.html")]
struct DevicesPage {
    nav: AccountNav,
    csrf: String,
    username: String,
    devices: Vec<DeviceRow>,
    /// "Add a device" (`features.pairing`).
    pairing: bool,
    /// "Recent sign-ins and approvals" (`activity.rs`).
    activity: Vec<ActivityRow>,
}

/// One linked device, in words.
struct DeviceRow {
    id: String,
    name: String,
    model: Option<String>,
    os: Option<String>,
    app_version: Option<String>,
    client_name: String,
    linked: Moment,
    last_used: Moment,
    ip: Option<String>,
    /// The address at link time, when it differs from the last one.
    first_ip: Option<String>,
}

impl DeviceRow {
    fn from_listing(listing: LinkedDeviceListing, now: i64) -> DeviceRow {
        let d = listing.device;
        let name = d.device_name.clone().unwrap_or_else(|| {
            if d.grant_type == device::GRANT_TYPE {
                lang::text("account-unnamed-device")
            } else {
                lang::text("account-unnamed-browser")
            }
        });
        let first_ip = d
            .first_ip
            .clone()
            .filter(|first| Some(first) != d.last_ip.as_ref());
        DeviceRow {
            id: d.id,
            name,
            model: d.device_model,
            os: d.device_os,
            app_version: d.device_app_version,
            client_name: listing.client_name,
            linked: Moment::new(d.linked_at, now),
            last_used: Moment::new(d.last_used_at, now),
            ip: d.last_ip,
            first_ip,
        }
    }
}

/// "Sign out <device>?": the second step before `sign_out`.
#[derive(Template, WebTemplate)]
#[template(path = "account_device_sign_out.html")]
struct ConfirmSignOutPage {
    nav: AccountNav,
    csrf: String,
    device: DeviceRow,
}

#[derive(Debug, Deserialize)]
pub struct ConfirmQuery {
    #[serde(default)]
    device_id: String,
}

/// `GET /account/devices/sign-out?device_id=…`: asks before signing a device out. Changes
/// nothing; the page's form posts to `sign_out`.
pub async fn confirm_sign_out(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<ConfirmQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Some((_, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(&format!("/login?next={PAGE}")).into_response());
    };
    let device_id = query.map(|Query(q)| q.device_id).unwrap_or_default();
    let now = state.clock.now();
    // Someone else's device is answered exactly like an unknown one.
    let listing = state
        .db
        .list_linked_devices(Some(&user.id), now)
        .await?
        .into_iter()
        .find(|listing| listing.device.id == device_id);
    let Some(listing) = listing else {
        return Err(PageError::device_not_found());
    };
    let page = ConfirmSignOutPage {
        nav: AccountNav::Devices,
        csrf: csrf::csrf_token(&session).await?,
        device: DeviceRow::from_listing(listing, now),
    };
    Ok(page.into_response())
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    device_id: String,
}

pub async fn show(State(state): State<AppState>, session: Session) -> Result<Response, PageError> {
    let Some((_, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(&format!("/login?next={PAGE}")).into_response());
    };
    let now = state.clock.now();
    let devices = state
        .db
        .list_linked_devices(Some(&user.id), now)
        .await?
        .into_iter()
        .map(|listing| DeviceRow::from_listing(listing, now))
        .collect();
    let page = DevicesPage {
        nav: AccountNav::Devices,
        csrf: csrf::csrf_token(&session).await?,
        username: user.username,
        devices,
        pairing: state.config.features.pairing,
        activity: activity::recent(&state, &user.id, now).await?,
    };
    Ok(page.into_response())
}

pub async fn sign_out(
    State(state): State<AppState>,
    ClientAddr(browser): ClientAddr,
    session: Session,
    PageForm(form): PageForm<SignOutForm>,
) -> Result<Response, PageError> {
    csrf::verify(&session, &form.csrf).await?;
    let Some((_, user)) = SignedIn::current_user(&state, &session).await? else {
        return Ok(Redirect::to(&format!("/login?next={PAGE}")).into_response());
    };
    // Someone else's device is answered exactly like an unknown one.
    let owned = state
        .db
        .get_linked_device(&form.device_id)
        .await?
        .filter(|device| device.user_id == user.id);
    let Some(device) = owned else {
        return Err(PageError::device_not_found());
    };
    let now = state.clock.now();
    if linked_devices::sign_out(&state.db, &device.id, now).await? {
        tracing::info!(user_id = %user.id, linked_device = %device.id, "device signed out by its owner");
        let (family_id, client_id) = (device.id.clone(), device.client_id.clone());
        let (by, from) = (SignedOutBy::Owner, Origin::new(browser, None));
        let event = AuditEvent::DeviceSignedOut {
            family_id,
            user_id: user.id,
            client_id,
            by,
            from,
        };
        audit::record(&state.db, event, now).await;
    }
    Ok(Redirect::to(PAGE).into_response())
}
