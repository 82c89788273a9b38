//! "Sign in with QR code" (browser to browser), minus HTTP. A browser waiting on the login
//! page of the code flow gets a device authorization of its own; a person approves it on a
//! phone that is already signed in, through the normal device consent page, and the waiting
//! browser is then signed in (docs/device-experience.md).
//!
//! Such an authorization only ever signs a browser in. Its purpose is
//! `AuthorizationPurpose::BrowserSignIn`, and the store finds a presented device code among
//! devices' authorizations only, so the token endpoint and the device live channel can never
//! reach it; nobody is given its device code anyway. The waiting browser refers to it by id,
//! kept in its server-side session.

use crate::{
    error::StoreResult,
    oauth::{device, user_code::UserCodeFormat},
    store::{
        Approval, AuthorizationPurpose, Database, DeviceAuthorization, DeviceInfo, DeviceState,
    },
    tokens::opaque,
};

/// `amr` of a session established by QR sign-in (an Usher value; RFC 8176 has none for it).
pub const AMR: &str = "qr";

/// Whether this authorization stands for a waiting browser rather than a device.
pub fn is_browser_sign_in(authorization: &DeviceAuthorization) -> bool {
    authorization.purpose == AuthorizationPurpose::BrowserSignIn
}

/// Creates the authorization of a waiting browser for the relying party `client_id`, which
/// need not allow the device grant: nothing is ever issued to it from this record. `scope`
/// is what the relying party asked for, shown on the consent page.
pub async fn start(
    store: &Database,
    client_id: &str,
    scope: &str,
    browser: DeviceInfo,
    lifetime_secs: i64,
    now: i64,
) -> StoreResult<DeviceAuthorization> {
    let record = DeviceAuthorization {
        // The column is unique and required; this is the hash of a code nobody is given.
        device_code_hash: opaque::hash(&opaque::generate()),
        purpose: AuthorizationPurpose::BrowserSignIn,
        client_id: client_id.to_string(),
        scope: scope.to_string(),
        created_at: now,
        expires_at: now + lifetime_secs,
        // Nobody polls it; the field only matters to devices.
        interval_secs: 0,
        device: browser,
        ..DeviceAuthorization::default()
    };
    let (authorization, _) =
        device::insert_with_free_user_code(store, record, UserCodeFormat::Letters).await?;
    Ok(authorization)
}

/// What the waiting browser's authorization has come to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrLoginState {
    Pending(DeviceAuthorization),
    /// Approved and now used up by this call: sign the browser in as the approving person.
    Approved {
        authorization: DeviceAuthorization,
        approval: Approval,
    },
    Denied,
    Expired,
    /// Already used to sign in, or not a browser sign-in at all.
    Gone,
}

/// Reads the authorization; an approved one is consumed here, atomically, so exactly one
/// request signs the browser in (the conditional `redeem` update).
pub async fn check_and_consume(
    store: &Database,
    authorization_id: &str,
    now: i64,
) -> StoreResult<QrLoginState> {
    let Some(authorization) = store.get_device_authorization(authorization_id).await? else {
        return Ok(QrLoginState::Expired);
    };
    if !is_browser_sign_in(&authorization) {
        return Ok(QrLoginState::Gone);
    }
    Ok(match &authorization.state {
        // A decision is taken once, so the approval read is the one redeemed.
        DeviceState::Approved(approval) => {
            match store.redeem(&authorization.device_code_hash, now).await? {
                Some(redeemed) => QrLoginState::Approved {
                    authorization: redeemed,
                    approval: approval.clone(),
                },
                None if authorization.expires_at <= now => QrLoginState::Expired,
                None => QrLoginState::Gone,
            }
        }
        DeviceState::Denied { .. } => QrLoginState::Denied,
        DeviceState::Redeemed(_) => QrLoginState::Gone,
        DeviceState::Pending if authorization.expires_at <= now => QrLoginState::Expired,
        DeviceState::Pending => QrLoginState::Pending(authorization.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_sign_in_is_told_apart_by_its_purpose() {
        let browser = DeviceAuthorization {
            purpose: AuthorizationPurpose::BrowserSignIn,
            ..DeviceAuthorization::default()
        };
        assert!(is_browser_sign_in(&browser));
        let device = DeviceAuthorization {
            device_code_hash: opaque::hash(&opaque::generate()),
            ..DeviceAuthorization::default()
        };
        assert!(!is_browser_sign_in(&device));
    }
}
