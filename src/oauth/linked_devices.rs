//! Linked devices (docs/linked-devices.md): every sign-in through Usher — a device grant or
//! a code-flow sign-in — is one token family, recorded when its first tokens are issued and
//! touched at each refresh. Signing a device out revokes the family's refresh tokens and
//! marks the family, so its access tokens (which carry the family id as `fam`) fail at
//! userinfo and introspection at once. Device polling never writes here.

use crate::{
    error::StoreResult,
    oauth::{authorize, device},
    store::{Database, DeviceInfo, LinkedDevice, User},
};

/// What is recorded about a new sign-in.
#[derive(Debug)]
pub struct NewLink<'a> {
    pub family_id: &'a str,
    pub user: &'a User,
    pub client_id: &'a str,
    pub scope: &'a str,
    /// The device authorization, for device-grant sign-ins.
    pub device_authorization_id: Option<&'a str>,
    pub device: Option<&'a DeviceInfo>,
    /// Address of the token request that linked it.
    pub ip: Option<&'a str>,
    /// When the family's last credential (refresh or access token) expires.
    pub expires_at: i64,
}

/// The row of a new sign-in; written by the redemption that issues its first tokens
/// (`store/redemptions.rs`), in the same transaction.
pub fn link_row(link: &NewLink<'_>, now: i64) -> LinkedDevice {
    let device = link.device.cloned().unwrap_or_default();
    let grant_type = if link.device_authorization_id.is_some() {
        device::GRANT_TYPE
    } else {
        authorize::GRANT_TYPE
    };
    LinkedDevice {
        id: link.family_id.to_string(),
        user_id: link.user.id.clone(),
        client_id: link.client_id.to_string(),
        grant_type: grant_type.to_string(),
        device_authorization_id: link.device_authorization_id.map(str::to_string),
        device_name: device.name,
        device_model: device.model,
        device_os: device.os,
        device_app_version: device.app_version,
        user_agent: device.user_agent,
        scope: link.scope.to_string(),
        linked_at: now,
        last_used_at: now,
        first_ip: link.ip.map(str::to_string),
        last_ip: link.ip.map(str::to_string),
        expires_at: link.expires_at,
        signed_out_at: None,
    }
}

/// Signs a device out: its refresh tokens are revoked and its access tokens stop working at
/// userinfo and introspection. Returns false if it was already signed out.
pub async fn sign_out(db: &Database, id: &str, now: i64) -> StoreResult<bool> {
    // Marked first, then revoked: a refresh that slips in between finds the mark when it
    // records the use (`store/redemptions.rs`), writes nothing and revokes the family.
    let newly = db.sign_out_linked_device(id, now).await?;
    db.revoke_family(id, now).await?;
    Ok(newly)
}
