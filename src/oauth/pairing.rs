//! Pairing started from a signed-in device (docs/linked-devices.md): a signed-in person
//! makes a short-lived, single-use pairing code ("Add a device"); the new device sends it as
//! `pairing_code` with an ordinary device authorization request (RFC 8628 §3.1, an Usher
//! extension parameter), and the request is then bound to that person: only they can
//! approve it, on the pairing page of the browser that made the code.

use crate::{
    config::Config,
    error::{OAuthError, StoreResult},
    oauth::user_code,
    store::{Database, PairingCode},
    tokens::opaque,
};

/// Letters of the user-code alphabet (`user_code::ALPHABET`): 20^12 ≈ 2^51.9 codes, live
/// for minutes: guessing one is hopeless, and a hit would only let a device ask the person,
/// who sees its details and must approve.
const LENGTH: usize = 12;

/// A pairing code in its normalized form: 12 letters of the alphabet, no dashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingCodeText(String);

impl PairingCodeText {
    fn generate() -> PairingCodeText {
        PairingCodeText(user_code::random_letters(LENGTH))
    }

    /// Reads a scanned or typed code: case-insensitive, dashes and spaces ignored.
    pub fn parse(input: &str) -> Option<PairingCodeText> {
        let code = user_code::normalize(input);
        user_code::is_letters(&code, LENGTH).then_some(PairingCodeText(code))
    }

    /// `BCDF-GHJK-LMNP`, as shown and as put in the pairing URI.
    pub fn display(&self) -> String {
        format!("{}-{}-{}", &self.0[..4], &self.0[4..8], &self.0[8..])
    }

    fn hash(&self) -> String {
        opaque::hash(&self.0)
    }
}

/// The content of the pairing QR code: `{issuer}/device/pair?code=BCDF-GHJK-LMNP`. An app
/// reads `code` and sends it as `pairing_code`; a phone camera app opening the URL lands on
/// a page that explains what to do instead.
pub fn pairing_uri(config: &Config, code: &PairingCodeText) -> String {
    format!("{}?code={}", config.url("/device/pair"), code.display())
}

/// Makes a pairing code for `user_id`. Returns the record (its `id` goes in the creating
/// browser's session) and the code in clear, which is never stored.
pub async fn create(
    db: &Database,
    config: &Config,
    user_id: &str,
    now: i64,
) -> StoreResult<(PairingCode, PairingCodeText)> {
    let code = PairingCodeText::generate();
    let record = PairingCode {
        id: uuid::Uuid::new_v4().to_string(),
        code_hash: code.hash(),
        user_id: user_id.to_string(),
        created_at: now,
        expires_at: now + config.pairing_code_lifetime_secs as i64,
        used_at: None,
        device_authorization_id: None,
    };
    db.create_pairing_code(&record).await?;
    Ok((record, code))
}

/// A pairing code that was valid when checked; `claim` uses it up.
#[derive(Debug, Clone)]
pub struct CheckedPairing {
    pub user_id: String,
    code_hash: String,
}

/// The description of an unknown pairing code (a guess that missed, for the budgets).
pub const UNKNOWN: &str = "The pairing code is unknown.";

/// Checks the `pairing_code` of a device authorization request before the authorization is
/// made, so a bad code gets a clear `invalid_request` (RFC 6749 §5.2) and nothing is stored.
pub async fn check(db: &Database, code: &str, now: i64) -> Result<CheckedPairing, OAuthError> {
    let unknown = || OAuthError::invalid_request(UNKNOWN);
    let code = PairingCodeText::parse(code).ok_or_else(unknown)?;
    let record = db
        .get_pairing_code_by_hash(&code.hash())
        .await?
        .ok_or_else(unknown)?;
    if record.used_at.is_some() {
        return Err(already_used());
    }
    if record.expires_at <= now {
        return Err(OAuthError::invalid_request(
            "The pairing code has expired. Make a new one with \"Add a device\".",
        ));
    }
    Ok(CheckedPairing {
        user_id: record.user_id,
        code_hash: record.code_hash,
    })
}

/// Uses the checked code up for the authorization just made. Exactly one of racing devices
/// wins; a loser's authorization stays unreachable (bound to the user, on no pairing page)
/// and expires, and the loser is told the code was used.
pub async fn claim(
    db: &Database,
    checked: &CheckedPairing,
    device_authorization_id: &str,
    now: i64,
) -> Result<(), OAuthError> {
    match db
        .use_pairing_code(&checked.code_hash, device_authorization_id, now)
        .await?
    {
        Some(_) => Ok(()),
        None => Err(already_used()),
    }
}

fn already_used() -> OAuthError {
    OAuthError::invalid_request("The pairing code was already used.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_in_any_case_with_or_without_dashes() {
        let code = PairingCodeText::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 14);
        assert_eq!(PairingCodeText::parse(&shown), Some(code.clone()));
        assert_eq!(
            PairingCodeText::parse(&shown.to_lowercase().replace('-', " ")),
            Some(code)
        );
        assert_eq!(PairingCodeText::parse("BCDF-GHJK"), None);
        assert_eq!(PairingCodeText::parse("AAAA-AAAA-AAAA"), None);
    }
}
