//! "Sign in with QR code" (browser to browser), minus HTTP. A browser waiting on the login
//! page of the code flow gets a device authorization of its own; a person approves it on a
//! phone that is already signed in, through the normal device consent page, and the waiting
//! browser is then signed in (docs/device-experience.md).
//!
//! Such an authorization only ever signs a browser in. It has no device code: the
//! `device_code_hash` column holds a random value under [`BROWSER_SIGN_IN_MARK`], which no
//! hex SHA-256 of a presented code can equal, so the token endpoint and the device live
//! channel can never find it. The waiting browser refers to it by id, kept in its
//! server-side session.

use crate::{
    error::StoreResult,
    oauth::{device, user_code::UserCodeFormat},
    store::{
        BROWSER_SIGN_IN_MARK, DeviceAuthorization, DeviceAuthorizationStore, DeviceInfo,
        DeviceStatus,
    },
    tokens::opaque,
};

/// `amr` of a session established by QR sign-in (an Usher value; RFC 8176 has none for it).
pub const AMR: &str = "qr";

/// Whether this authorization stands for a waiting browser rather than a device.
pub fn is_browser_sign_in(authorization: &DeviceAuthorization) -> bool {
    authorization
        .device_code_hash
        .starts_with(BROWSER_SIGN_IN_MARK)
}

/// Creates the authorization of a waiting browser for the relying party `client_id`, which
/// need not allow the device grant: nothing is ever issued to it from this record. `scope`
/// is what the relying party asked for, shown on the consent page.
pub async fn start(
    store: &dyn DeviceAuthorizationStore,
    client_id: &str,
    scope: &str,
    browser: DeviceInfo,
    lifetime_secs: i64,
    now: i64,
) -> StoreResult<DeviceAuthorization> {
    let record = DeviceAuthorization {
        device_code_hash: format!("{BROWSER_SIGN_IN_MARK}{}", opaque::generate()),
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
    /// Approved and now used up by this call: sign the browser in as its `user_id`.
    Approved(DeviceAuthorization),
    Denied,
    Expired,
    /// Already used to sign in, or not a browser sign-in at all.
    Gone,
}

/// Reads the authorization; an approved one is consumed here, atomically, so exactly one
/// request signs the browser in (the conditional `redeem` update).
pub async fn check_and_consume(
    store: &dyn DeviceAuthorizationStore,
    authorization_id: &str,
    now: i64,
) -> StoreResult<QrLoginState> {
    let Some(authorization) = store.get_device_authorization(authorization_id).await? else {
        return Ok(QrLoginState::Expired);
    };
    if !is_browser_sign_in(&authorization) {
        return Ok(QrLoginState::Gone);
    }
    Ok(match authorization.status {
        DeviceStatus::Approved => match store.redeem(&authorization.device_code_hash, now).await? {
            Some(redeemed) => QrLoginState::Approved(redeemed),
            None if authorization.expires_at <= now => QrLoginState::Expired,
            None => QrLoginState::Gone,
        },
        DeviceStatus::Denied => QrLoginState::Denied,
        DeviceStatus::Redeemed => QrLoginState::Gone,
        DeviceStatus::Pending if authorization.expires_at <= now => QrLoginState::Expired,
        DeviceStatus::Pending => QrLoginState::Pending(authorization),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_cannot_be_a_device_code_hash() {
        let hash = opaque::hash(&opaque::generate());
        assert!(!hash.starts_with(BROWSER_SIGN_IN_MARK));
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
        let browser = DeviceAuthorization {
            device_code_hash: format!("{BROWSER_SIGN_IN_MARK}x"),
            ..DeviceAuthorization::default()
        };
        assert!(is_browser_sign_in(&browser));
        let device = DeviceAuthorization {
            device_code_hash: hash,
            ..DeviceAuthorization::default()
        };
        assert!(!is_browser_sign_in(&device));
    }
}
