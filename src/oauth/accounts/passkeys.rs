//! Passkeys (WebAuthn Level 3, with webauthn-rs): registration, discoverable sign-in and
//! the fresh assertion asked before an approval or a change of factors. No HTTP types here:
//! the pages (`web::passkey`, `web::account::security`) keep a [`Ceremony`] in the browser
//! session between the two halves and pass "now" in.
//!
//! Every ceremony requires user verification (fingerprint, face, PIN: WebAuthn §5.8.6
//! `required`), so one assertion is two factors (RFC 8176 `user` + `hwk`/`swk` = `mfa`).
//! Registration asks for a discoverable credential (client-side discoverable, WebAuthn
//! §6.2.2) so sign-in needs no username.
//!
//! The relying party id is the issuer's host and the only accepted origin the issuer's
//! origin (WebAuthn §5.1.4.1, §7.2 step 9): an assertion made for another site, such as a
//! page relaying our login, is refused by the browser before it reaches us and by this
//! check if it did.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::{Host, Url};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey as Credential, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Uuid, Webauthn, WebauthnBuilder,
    WebauthnError,
};

use crate::{
    error::StoreError,
    oauth::accounts,
    protocol::{self, Amr},
    store::{Database, Passkey, User},
};

/// How long a started ceremony may be finished (the authenticator's own timeout too,
/// WebAuthn §5.4 `timeout`).
pub const CEREMONY_SECS: i64 = 300;

/// The longest passkey name kept.
pub const NAME_MAX_CHARS: usize = 64;

/// The relying party, built once from the issuer. `None` inside when the issuer cannot be
/// a WebAuthn relying party: its host is an IP address (not a valid RP ID, WebAuthn §5.1.4.1)
/// or it is plain http on a host other than `localhost` (not a secure context).
pub struct Passkeys {
    webauthn: Option<Webauthn>,
}

impl std::fmt::Debug for Passkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passkeys")
            .field("available", &self.available())
            .finish()
    }
}

/// A ceremony begun and not finished yet, kept in the browser session (one at a time: a
/// new one replaces it), with its expiry in clock seconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ceremony {
    pub expires_at: i64,
    pub step: CeremonyStep,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum CeremonyStep {
    /// Adding a passkey named `name` to `user_id`'s account.
    Register {
        user_id: String,
        name: String,
        state: PasskeyRegistration,
    },
    /// Signing in with whichever passkey the authenticator offers.
    SignIn { state: DiscoverableAuthentication },
    /// `user_id` proving presence again with one of their passkeys.
    Proof {
        user_id: String,
        state: PasskeyAuthentication,
    },
}

/// A user-verified assertion that passed every check.
#[derive(Debug, Clone)]
pub struct Asserted {
    pub user: User,
    pub passkey: Passkey,
    /// The sign-in's `amr` (RFC 8176): `hwk user mfa`, or `swk user mfa` for a synced one.
    pub amr: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error("passkeys are not available with this issuer")]
    Unavailable,
    /// No ceremony of that kind in the session, or it expired.
    #[error("no passkey ceremony is waiting")]
    NoCeremony,
    /// The credential is not registered here (or no longer: removed), or belongs to
    /// someone else than the user handle says.
    #[error("unknown passkey")]
    UnknownCredential,
    /// The authenticator's response failed verification: wrong origin or challenge, bad
    /// signature, user not verified.
    #[error("passkey verification failed: {0}")]
    Refused(WebauthnError),
    /// The signature counter did not grow: a possibly cloned authenticator (WebAuthn §6.1.1).
    #[error("passkey counter went backwards")]
    CounterWentBack,
    /// Registering a credential id already registered (WebAuthn §7.1 step 22).
    #[error("passkey already registered")]
    AlreadyRegistered,
    /// The account may not sign in (disabled, deleted).
    #[error("account may not sign in")]
    Inactive,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Passkeys {
    /// The relying party of `issuer`: RP ID its host, origin its scheme, host and port.
    pub fn for_issuer(issuer: &str) -> Passkeys {
        let webauthn = match relying_party(issuer) {
            Ok(webauthn) => Some(webauthn),
            Err(why) => {
                tracing::info!(issuer, why, "passkeys are not offered");
                None
            }
        };
        Passkeys { webauthn }
    }

    pub fn available(&self) -> bool {
        self.webauthn.is_some()
    }

    fn webauthn(&self) -> Result<&Webauthn, PasskeyError> {
        self.webauthn.as_ref().ok_or(PasskeyError::Unavailable)
    }

    /// Begins adding a passkey to `user`'s account: the options for
    /// `navigator.credentials.create` (JSON) and the ceremony to keep. The account's
    /// passkeys are excluded (WebAuthn §5.4.3 `excludeCredentials`) so the same
    /// authenticator is not registered twice.
    pub fn start_registration(
        &self,
        user: &User,
        existing: &[Passkey],
        name: String,
        now: i64,
    ) -> Result<(Value, Ceremony), PasskeyError> {
        let exclude = existing
            .iter()
            .filter_map(|p| credential(p).ok())
            .map(|c| c.cred_id().clone())
            .collect::<Vec<_>>();
        let display = user.name.as_deref().unwrap_or(&user.username);
        let (options, state) = self
            .webauthn()?
            .start_passkey_registration(
                user_handle(&user.id),
                &user.username,
                display,
                Some(exclude).filter(|e| !e.is_empty()),
            )
            .map_err(PasskeyError::Refused)?;
        let mut options = serde_json::to_value(options).map_err(json_failure)?;
        // A discoverable credential, so sign-in needs no username (WebAuthn §5.4.4
        // `residentKey`). webauthn-rs leaves it "discouraged" for security keys with little
        // storage; passkeys on phones and laptops all hold one.
        if let Some(selection) = options
            .pointer_mut("/publicKey/authenticatorSelection")
            .and_then(Value::as_object_mut)
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        let step = CeremonyStep::Register {
            user_id: user.id.clone(),
            name,
            state,
        };
        Ok((options, ceremony(step, now)))
    }

    /// Finishes a registration begun by [`Passkeys::start_registration`] and stores the
    /// passkey. The caller checked that `ceremony` was for the signed-in user.
    pub async fn finish_registration(
        &self,
        db: &Database,
        ceremony: Ceremony,
        response: &RegisterPublicKeyCredential,
        now: i64,
    ) -> Result<Passkey, PasskeyError> {
        let CeremonyStep::Register {
            user_id,
            name,
            state,
        } = live(ceremony, now)?
        else {
            return Err(PasskeyError::NoCeremony);
        };
        let credential = self
            .webauthn()?
            .finish_passkey_registration(response, &state)
            .map_err(PasskeyError::Refused)?;
        let stored = serde_json::to_value(&credential).map_err(json_failure)?;
        let passkey = Passkey {
            id: URL_SAFE_NO_PAD.encode(credential.cred_id().as_slice()),
            user_id,
            name,
            credential: stored.to_string(),
            backup_eligible: flag(&stored, "backup_eligible"),
            sign_count: counter(&stored),
            created_at: now,
            last_used_at: None,
        };
        match db.insert_passkey(&passkey).await {
            Ok(()) => Ok(passkey),
            Err(StoreError::Conflict(_)) => Err(PasskeyError::AlreadyRegistered),
            Err(e) => Err(e.into()),
        }
    }

    /// Begins a sign-in with a discoverable credential: no username, the authenticator
    /// offers the account's passkeys (in a dialog, or in the username field's autofill).
    pub fn start_sign_in(&self, now: i64) -> Result<(Value, Ceremony), PasskeyError> {
        let (options, state) = self
            .webauthn()?
            .start_discoverable_authentication()
            .map_err(PasskeyError::Refused)?;
        let options = serde_json::to_value(options).map_err(json_failure)?;
        Ok((options, ceremony(CeremonyStep::SignIn { state }, now)))
    }

    /// Finishes a sign-in: the credential is ours, the user handle names its owner, the
    /// assertion verifies with user verification, the counter grew, and the account may
    /// sign in. Records the use.
    pub async fn finish_sign_in(
        &self,
        db: &Database,
        ceremony: Ceremony,
        response: &PublicKeyCredential,
        now: i64,
    ) -> Result<Asserted, PasskeyError> {
        let CeremonyStep::SignIn { state } = live(ceremony, now)? else {
            return Err(PasskeyError::NoCeremony);
        };
        let webauthn = self.webauthn()?;
        let (handle, credential_id) = webauthn
            .identify_discoverable_authentication(response)
            .map_err(|_| PasskeyError::UnknownCredential)?;
        let id = URL_SAFE_NO_PAD.encode(credential_id);
        let passkey = db
            .get_passkey(&id)
            .await?
            .filter(|p| user_handle(&p.user_id) == handle)
            .ok_or(PasskeyError::UnknownCredential)?;
        let mut credential = credential(&passkey)?;
        let result = webauthn
            .finish_discoverable_authentication_v2(response, state, &credential)
            .map_err(refused)?;
        let user = db
            .get_user(&passkey.user_id)
            .await?
            .filter(|user| accounts::standing(user).is_ok())
            .ok_or(PasskeyError::Inactive)?;
        self.used(db, passkey, &mut credential, &result, now)
            .await
            .map(|passkey| asserted(user, passkey))
    }

    /// Begins a fresh assertion by `user` (signed in), limited to their passkeys.
    pub fn start_proof(
        &self,
        user: &User,
        passkeys: &[Passkey],
        now: i64,
    ) -> Result<(Value, Ceremony), PasskeyError> {
        let credentials = passkeys
            .iter()
            .filter_map(|p| credential(p).ok())
            .collect::<Vec<_>>();
        if credentials.is_empty() {
            return Err(PasskeyError::UnknownCredential);
        }
        let (options, state) = self
            .webauthn()?
            .start_passkey_authentication(&credentials)
            .map_err(PasskeyError::Refused)?;
        let options = serde_json::to_value(options).map_err(json_failure)?;
        let step = CeremonyStep::Proof {
            user_id: user.id.clone(),
            state,
        };
        Ok((options, ceremony(step, now)))
    }

    /// Finishes a fresh assertion begun for `user`.
    pub async fn finish_proof(
        &self,
        db: &Database,
        user: &User,
        ceremony: Ceremony,
        response: &PublicKeyCredential,
        now: i64,
    ) -> Result<Asserted, PasskeyError> {
        let CeremonyStep::Proof { user_id, state } = live(ceremony, now)? else {
            return Err(PasskeyError::NoCeremony);
        };
        if user_id != user.id {
            return Err(PasskeyError::NoCeremony);
        }
        let id = URL_SAFE_NO_PAD.encode(response.get_credential_id());
        let passkey = db
            .get_passkey(&id)
            .await?
            .filter(|p| p.user_id == user.id)
            .ok_or(PasskeyError::UnknownCredential)?;
        let mut credential = credential(&passkey)?;
        let result = self
            .webauthn()?
            .finish_passkey_authentication(response, &state)
            .map_err(refused)?;
        if result.cred_id() != credential.cred_id() {
            return Err(PasskeyError::UnknownCredential);
        }
        self.used(db, passkey, &mut credential, &result, now)
            .await
            .map(|passkey| asserted(user.clone(), passkey))
    }

    /// Records a verified use, refusing a counter that went backwards (webauthn-rs checks
    /// it against the stored credential; the conditional UPDATE closes the race of two
    /// uses at once).
    async fn used(
        &self,
        db: &Database,
        mut passkey: Passkey,
        credential: &mut Credential,
        result: &webauthn_rs::prelude::AuthenticationResult,
        now: i64,
    ) -> Result<Passkey, PasskeyError> {
        if !result.user_verified() {
            return Err(PasskeyError::Refused(WebauthnError::UserNotVerified));
        }
        credential.update_credential(result);
        let stored = serde_json::to_value(&*credential).map_err(json_failure)?;
        let sign_count = i64::from(result.counter());
        let backup_eligible = passkey.backup_eligible || result.backup_eligible();
        let recorded = db
            .record_passkey_use(
                &passkey.id,
                &stored.to_string(),
                sign_count,
                backup_eligible,
                now,
            )
            .await?;
        if !recorded {
            return Err(PasskeyError::CounterWentBack);
        }
        passkey.credential = stored.to_string();
        passkey.sign_count = sign_count;
        passkey.backup_eligible = backup_eligible;
        passkey.last_used_at = Some(now);
        Ok(passkey)
    }
}

/// The cleaned name of a new passkey: trimmed, no control characters, at most
/// [`NAME_MAX_CHARS`]; "Passkey" when empty.
pub fn clean_name(name: &str) -> String {
    let name: String = name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_MAX_CHARS)
        .collect();
    match name.trim() {
        "" => "Passkey".to_string(),
        name => name.to_string(),
    }
}

/// The WebAuthn user handle of an account (WebAuthn §5.4.3 `user.id`: opaque, no personal
/// data). Account ids are UUIDs; any other id is hashed into one.
pub fn user_handle(user_id: &str) -> Uuid {
    Uuid::parse_str(user_id).unwrap_or_else(|_| {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, user_id.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest.as_ref()[..16]);
        Uuid::from_bytes(bytes)
    })
}

fn relying_party(issuer: &str) -> Result<Webauthn, &'static str> {
    let url = Url::parse(issuer).map_err(|_| "the issuer is not a URL")?;
    let host = match url.host() {
        Some(Host::Domain(host)) => host.to_string(),
        Some(_) => return Err("an IP address cannot be a WebAuthn relying party id"),
        None => return Err("the issuer has no host"),
    };
    let local = host == "localhost" || host.ends_with(".localhost");
    if url.scheme() != "https" && !local {
        return Err("WebAuthn needs https (or http://localhost)");
    }
    let origin =
        Url::parse(&url.origin().ascii_serialization()).map_err(|_| "the issuer has no origin")?;
    WebauthnBuilder::new(&host, &origin)
        .map_err(|_| "webauthn-rs refused the relying party")?
        .rp_name("Usher")
        .timeout(Duration::from_secs(CEREMONY_SECS as u64))
        .build()
        .map_err(|_| "webauthn-rs refused the relying party")
}

fn ceremony(step: CeremonyStep, now: i64) -> Ceremony {
    Ceremony {
        expires_at: now + CEREMONY_SECS,
        step,
    }
}

fn live(ceremony: Ceremony, now: i64) -> Result<CeremonyStep, PasskeyError> {
    match now < ceremony.expires_at {
        true => Ok(ceremony.step),
        false => Err(PasskeyError::NoCeremony),
    }
}

fn asserted(user: User, passkey: Passkey) -> Asserted {
    let amr = protocol::join(Amr::passkey(passkey.backup_eligible));
    Asserted { user, passkey, amr }
}

fn refused(error: WebauthnError) -> PasskeyError {
    match error {
        WebauthnError::CredentialPossibleCompromise => PasskeyError::CounterWentBack,
        error => PasskeyError::Refused(error),
    }
}

fn credential(passkey: &Passkey) -> Result<Credential, PasskeyError> {
    serde_json::from_str(&passkey.credential).map_err(json_failure)
}

/// A stored credential that does not parse, or one that does not serialise: ours, not the
/// browser's, so a storage-class failure.
fn json_failure(error: serde_json::Error) -> PasskeyError {
    PasskeyError::Store(StoreError::Corrupt(format!("passkey credential: {error}")))
}

/// A boolean of webauthn-rs's serialised credential (`{"cred": {...}}`), whose fields
/// the crate keeps private.
fn flag(stored: &Value, name: &str) -> bool {
    stored
        .pointer(&format!("/cred/{name}"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn counter(stored: &Value) -> i64 {
    stored
        .pointer("/cred/counter")
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_issuers_host_over_a_secure_origin() {
        assert!(Passkeys::for_issuer("https://id.example.com").available());
        assert!(Passkeys::for_issuer("https://id.example.com/usher").available());
        assert!(Passkeys::for_issuer("http://localhost:8080").available());
        assert!(!Passkeys::for_issuer("http://127.0.0.1:8080").available());
        assert!(!Passkeys::for_issuer("https://[::1]:8443").available());
        assert!(!Passkeys::for_issuer("http://id.example.com").available());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Phone \n"), "Phone");
        assert_eq!(clean_name(""), "Passkey");
        assert_eq!(clean_name(&"x".repeat(100)).chars().count(), NAME_MAX_CHARS);
    }

    #[test]
    fn user_handles_are_the_account_uuid() {
        let id = "0b6c0c1e-8d2a-4a57-9d7c-2d0f0e9b8a11";
        assert_eq!(user_handle(id).to_string(), id);
        assert_eq!(user_handle("admin"), user_handle("admin"));
        assert_ne!(user_handle("admin"), user_handle("root"));
    }
}
