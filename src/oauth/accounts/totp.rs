//! Two-step verification: TOTP (RFC 6238) and one-time recovery codes (docs/factors.md).
//!
//! Parameters are the ones every authenticator app assumes from an `otpauth://` URI without
//! options: HMAC-SHA-1, 6 digits, 30-second steps, a 160-bit secret (RFC 4226 §4 R6
//! recommends 160 bits). RFC 6238 is implemented here on aws-lc-rs (a truncated HMAC,
//! RFC 4226 §5.3) rather than with a crate: it is twenty lines, and a crate would bring a
//! second HMAC/SHA-1 implementation (docs/architecture.md).
//!
//! A code is accepted for the current step and one step either side (RFC 6238 §5.2 allows a
//! step of network delay / clock skew), and never for a step at or before the last accepted
//! one: the store's conditional UPDATE makes that atomic across instances.
//!
//! Every code typed at sign-in or before an approval ([`check_code`]) is an attempt of the
//! sign-in budgets (`sign_in.rs`): a wrong one counts like a wrong password, so the second
//! step gives a guesser no fresh budget.

use aws_lc_rs::hmac;

use crate::{
    error::{StoreError, StoreResult},
    oauth::{
        accounts::sign_in::{self, SignInError},
        provider::Provider,
    },
    store::{Database, TotpFactor, User},
    tokens::{
        key_encryption::{self, KeyEncryptionKey},
        opaque,
    },
};

/// Digits of a code (RFC 4226 §5.3, the apps' default).
pub const DIGITS: usize = 6;
/// Seconds of a time step (RFC 6238 §4.1 `X`, the default).
pub const STEP_SECS: i64 = 30;
/// Steps either side of the current one that are still accepted (RFC 6238 §5.2).
const SKEW_STEPS: i64 = 1;
/// Bytes of a secret: 160 bits (RFC 4226 §4 R6).
const SECRET_LEN: usize = 20;
/// Issuer shown by authenticator apps (the `otpauth://` label prefix and `issuer`).
pub const ISSUER: &str = "Usher";
/// Recovery codes made at once.
pub const RECOVERY_CODES: usize = 10;
/// Recovery code alphabet: base32 without the look-alikes 0/O, 1/I (and no L ambiguity as
/// only upper case is shown): 5 bits a character, 10 characters, 50 bits a code.
const RECOVERY_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const RECOVERY_LEN: usize = 10;
/// RFC 4648 base32, the encoding of secrets in `otpauth://` URIs.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A TOTP shared secret. Never logged: `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret")
    }
}

impl TotpSecret {
    /// A new random secret from the OS CSPRNG.
    pub fn generate() -> TotpSecret {
        let mut bytes = vec![0u8; SECRET_LEN];
        opaque::fill(&mut bytes);
        TotpSecret(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> TotpSecret {
        TotpSecret(bytes.to_vec())
    }

    /// RFC 4648 base32 without padding (what `otpauth://` URIs and manual entry use).
    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    pub fn from_base32(text: &str) -> Option<TotpSecret> {
        base32_decode(text).map(TotpSecret)
    }

    /// The base32 secret in groups of four, for typing it into an app by hand.
    pub fn grouped(&self) -> String {
        let text = self.to_base32();
        let groups: Vec<&str> = text
            .as_bytes()
            .chunks(4)
            .map(|g| std::str::from_utf8(g).unwrap_or_default())
            .collect();
        groups.join(" ")
    }

    /// The key URI authenticator apps scan (Google Authenticator "Key Uri Format"):
    /// `otpauth://totp/Usher:{username}?secret=…&issuer=Usher`, defaults for the rest.
    pub fn otpauth_uri(&self, username: &str) -> String {
        let name: String = url::form_urlencoded::byte_serialize(username.as_bytes()).collect();
        // `byte_serialize` writes spaces as `+`, which a path does not read as a space.
        let name = name.replace('+', "%20");
        format!(
            "otpauth://totp/{ISSUER}:{name}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            self.to_base32()
        )
    }

    /// The code of time step `step` (RFC 6238 §4.2: HOTP with `T` as the counter).
    pub fn code_at_step(&self, step: i64) -> String {
        hotp(&self.0, step as u64)
    }

    /// The code at clock second `now`.
    pub fn code_at(&self, now: i64) -> String {
        self.code_at_step(step_of(now))
    }

    /// The step of `code` within the accepted skew of `now`, the latest if several match.
    /// Every candidate is compared, in constant time, so timing does not tell which was close.
    fn matching_step(&self, code: &str, now: i64) -> Option<i64> {
        let current = step_of(now);
        let mut found = None;
        for step in current - SKEW_STEPS..=current + SKEW_STEPS {
            let expected = self.code_at_step(step);
            if opaque::constant_time_eq(expected.as_bytes(), code.as_bytes()) {
                found = Some(step);
            }
        }
        found
    }
}

/// RFC 6238 §4.2: `T = floor((now - T0) / X)` with `T0 = 0`.
pub fn step_of(now: i64) -> i64 {
    now.div_euclid(STEP_SECS)
}

/// RFC 4226 §5.3: HMAC-SHA-1 of the big-endian counter, dynamically truncated.
fn hotp(key: &[u8], counter: u64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key);
    let mac = hmac::sign(&key, &counter.to_be_bytes());
    let mac = mac.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    format!(
        "{:0width$}",
        binary % 10u32.pow(DIGITS as u32),
        width = DIGITS
    )
}

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 0x1f) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 0x1f) as usize]));
    }
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !matches!(c, b' ' | b'-' | b'=')) {
        let value = BASE32.iter().position(|&b| b == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// What a typed one-time code was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpKind {
    Totp,
    RecoveryCode,
}

/// How a one-time code attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpCheck {
    /// Accepted (and used up: the step, or the recovery code).
    Right(OtpKind),
    Wrong,
    /// Not checked: this network must wait this many seconds (a sign-in budget is used up).
    Wait(i64),
}

/// What a person typed, read as a TOTP code or a recovery code.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TypedCode {
    Totp(String),
    Recovery(String),
    Neither,
}

fn read_code(typed: &str) -> TypedCode {
    let compact: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.len() == DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
        return TypedCode::Totp(compact);
    }
    if compact.len() == RECOVERY_LEN && compact.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
        return TypedCode::Recovery(compact);
    }
    TypedCode::Neither
}

/// The stored form of a recovery code: hashed with the account's id, so one table row
/// answers only for its account and equal codes of two accounts differ.
fn recovery_hash(user_id: &str, compact: &str) -> String {
    opaque::hash(&format!("usher recovery code\n{user_id}\n{compact}"))
}

/// Checks a one-time code of `user` typed from `network` (sign-in's second step, an
/// approval): a TOTP code of the confirmed factor or an unused recovery code. Counted
/// against the sign-in budgets of the account's username, like a password attempt.
pub async fn check_code(
    provider: &Provider,
    user: &User,
    code: &str,
    network: &str,
    now: i64,
) -> Result<OtpCheck, SignInError> {
    let attempt = match sign_in::begin_attempt(provider, &user.username, network, now).await? {
        Ok(attempt) => attempt,
        Err(wait_secs) => return Ok(OtpCheck::Wait(wait_secs)),
    };
    let right = match read_code(code) {
        TypedCode::Totp(code) => match confirmed_secret(provider, &user.id).await? {
            Some(secret) => match secret.matching_step(&code, now) {
                Some(step) => provider
                    .db
                    .accept_totp_step(&user.id, step, false, now)
                    .await?
                    .then_some(OtpKind::Totp),
                None => None,
            },
            None => None,
        },
        TypedCode::Recovery(code) => provider
            .db
            .use_recovery_code(&user.id, &recovery_hash(&user.id, &code), now)
            .await?
            .then_some(OtpKind::RecoveryCode),
        TypedCode::Neither => None,
    };
    match right {
        Some(kind) => {
            attempt.succeeded(&provider.db).await?;
            Ok(OtpCheck::Right(kind))
        }
        None => {
            attempt.failed_otp(network, now);
            Ok(OtpCheck::Wrong)
        }
    }
}

/// Whether `user_id` has a confirmed TOTP factor (the second step is asked at sign-in).
pub async fn is_enrolled(db: &Database, user_id: &str) -> StoreResult<bool> {
    Ok(db
        .get_totp(user_id)
        .await?
        .is_some_and(|f| f.is_confirmed()))
}

fn kek(provider: &Provider) -> StoreResult<Option<KeyEncryptionKey>> {
    KeyEncryptionKey::from_setting(provider.config.key_encryption_key.as_ref())
        .map_err(|err| StoreError::Corrupt(err.to_string()))
}

/// The associated data of a sealed secret: the purpose and the account, so a sealed value
/// moved to another row (or into `signing_keys`) does not open.
fn sealed_row(user_id: &str) -> String {
    format!("totp\0{user_id}")
}

/// The stored form of a secret: sealed with the key-encryption key when one is configured.
/// A TOTP secret cannot be hashed (codes are computed from it), so at rest it is either
/// ciphertext or, without a key, plain base32 (docs/security.md).
fn protect(provider: &Provider, user_id: &str, secret: &TotpSecret) -> StoreResult<String> {
    match kek(provider)? {
        Some(kek) => kek
            .seal(&sealed_row(user_id), &secret.to_base32())
            .map_err(|err| StoreError::Corrupt(err.to_string())),
        None => Ok(secret.to_base32()),
    }
}

fn reveal(provider: &Provider, factor: &TotpFactor) -> StoreResult<TotpSecret> {
    let corrupt =
        |why: &str| StoreError::Corrupt(format!("TOTP secret of user {}: {why}", factor.user_id));
    let text = match key_encryption::is_sealed(&factor.secret) {
        true => {
            let kek = kek(provider)?.ok_or_else(|| {
                corrupt("sealed, but no key_encryption_key (USHER_KEY_ENCRYPTION_KEY) is set")
            })?;
            kek.open(&sealed_row(&factor.user_id), &factor.secret)
                .map_err(|_| corrupt("key_encryption_key is wrong or the row was altered"))?
        }
        false => factor.secret.clone(),
    };
    TotpSecret::from_base32(&text).ok_or_else(|| corrupt("not base32"))
}

async fn confirmed_secret(provider: &Provider, user_id: &str) -> StoreResult<Option<TotpSecret>> {
    match provider.db.get_totp(user_id).await? {
        Some(factor) if factor.is_confirmed() => reveal(provider, &factor).map(Some),
        _ => Ok(None),
    }
}

/// Where an enrolment stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrolment {
    /// Not confirmed yet: the secret to show (QR code and text).
    Pending(TotpSecret),
    /// Already a factor: nothing to show (the secret is never shown again).
    Confirmed,
}

/// Starts (or resumes) the enrolment of `user`: the unconfirmed secret, created if there is
/// none. A confirmed factor is never replaced here; turn it off first.
pub async fn enrolment(provider: &Provider, user: &User, now: i64) -> StoreResult<Enrolment> {
    match provider.db.get_totp(&user.id).await? {
        Some(factor) if factor.is_confirmed() => return Ok(Enrolment::Confirmed),
        Some(factor) => return reveal(provider, &factor).map(Enrolment::Pending),
        None => {}
    }
    let secret = TotpSecret::generate();
    let stored = protect(provider, &user.id, &secret)?;
    match provider.db.begin_totp(&user.id, &stored, now).await? {
        true => Ok(Enrolment::Pending(secret)),
        // Confirmed meanwhile (another tab).
        false => Ok(Enrolment::Confirmed),
    }
}

/// How confirming an enrolment ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The factor counts from now; the recovery codes to show once.
    Now {
        recovery_codes: Vec<String>,
    },
    Wrong,
    /// No pending enrolment (confirmed already, or never started).
    NothingPending,
}

/// Confirms the pending enrolment of `user` with one code from the app: proof the app holds
/// the secret before the factor is asked at sign-in. Makes the first recovery codes.
pub async fn confirm(
    provider: &Provider,
    user: &User,
    code: &str,
    now: i64,
) -> StoreResult<Confirmed> {
    let factor = match provider.db.get_totp(&user.id).await? {
        Some(factor) if !factor.is_confirmed() => factor,
        _ => return Ok(Confirmed::NothingPending),
    };
    let secret = reveal(provider, &factor)?;
    let TypedCode::Totp(code) = read_code(code) else {
        return Ok(Confirmed::Wrong);
    };
    let Some(step) = secret.matching_step(&code, now) else {
        return Ok(Confirmed::Wrong);
    };
    if !provider
        .db
        .accept_totp_step(&user.id, step, true, now)
        .await?
    {
        return Ok(Confirmed::NothingPending);
    }
    let recovery_codes = new_recovery_codes(&provider.db, &user.id, now).await?;
    Ok(Confirmed::Now { recovery_codes })
}

/// Makes ten new recovery codes for `user_id`, replacing any before, and returns them to be
/// shown once (only their hashes are stored).
pub async fn new_recovery_codes(
    db: &Database,
    user_id: &str,
    now: i64,
) -> StoreResult<Vec<String>> {
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| generate_recovery_code())
        .collect();
    let hashes: Vec<String> = codes
        .iter()
        .map(|code| recovery_hash(user_id, &code.replace('-', "")))
        .collect();
    db.replace_recovery_codes(user_id, &hashes, now).await?;
    Ok(codes)
}

/// `XXXXX-XXXXX` from [`RECOVERY_ALPHABET`]: 50 random bits.
fn generate_recovery_code() -> String {
    let mut bytes = [0u8; RECOVERY_LEN];
    opaque::fill(&mut bytes);
    // 256 is a multiple of 32: taking the low five bits keeps every character uniform.
    let chars: String = bytes
        .iter()
        .map(|b| char::from(RECOVERY_ALPHABET[usize::from(b & 0x1f)]))
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 column, truncated to our six digits (the RFC lists eight;
    /// the last six digits of `hotp mod 10^8` are `hotp mod 10^6`).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890");
        for (time, eight) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(secret.code_at(time), eight[2..], "T = {time}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        let secret = TotpSecret::generate();
        assert_eq!(secret.to_base32().len(), 32);
        assert_eq!(TotpSecret::from_base32(&secret.grouped()), Some(secret));
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_only() {
        let secret = TotpSecret::generate();
        let now = 1_800_000_015;
        let step = step_of(now);
        assert_eq!(secret.matching_step(&secret.code_at(now), now), Some(step));
        assert_eq!(
            secret.matching_step(&secret.code_at(now - 30), now),
            Some(step - 1)
        );
        assert_eq!(
            secret.matching_step(&secret.code_at(now + 30), now),
            Some(step + 1)
        );
        let far = secret.code_at_step(step - 5);
        let near = [-1, 0, 1].map(|d| secret.code_at_step(step + d));
        if !near.contains(&far) {
            assert_eq!(secret.matching_step(&far, now), None);
        }
    }

    #[test]
    fn typed_codes_are_read_leniently() {
        assert_eq!(read_code(" 123 456 "), TypedCode::Totp("123456".into()));
        assert_eq!(
            read_code("abcde-fghjk"),
            TypedCode::Recovery("ABCDEFGHJK".into())
        );
        assert_eq!(read_code("12345"), TypedCode::Neither);
        assert_eq!(read_code("ABCDE-FGHIK"), TypedCode::Neither);
        let code = generate_recovery_code();
        assert_eq!(code.len(), 11);
        assert!(matches!(read_code(&code), TypedCode::Recovery(_)));
    }

    #[test]
    fn the_uri_is_what_apps_scan() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890");
        assert_eq!(
            secret.otpauth_uri("alice smith"),
            "otpauth://totp/Usher:alice%20smith?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Usher&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890");
        assert!(!format!("{secret:?}").contains("GEZDG"));
    }
}
