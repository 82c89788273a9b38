//! What approving a device, a QR sign-in or a pairing asks of the signed-in person, in one
//! place for the consent and the pairing page (`web::approval`, docs/factors.md#approval-proof).
//!
//! Two rules combine. The approval proof (server `approval_proof`, a client may override
//! it): `none` asks nothing; `password` asks for the password again once the sign-in is
//! older than `approval_max_session_age_secs` (a fresh passkey also does); `passkey` asks for
//! a fresh user-verified passkey assertion for every approval, so the person holding the
//! phone proves it now, not an hour ago; `any` is `passkey` for an account that has one,
//! else `password`. And a client with `require_mfa` needs two factors behind the approval:
//! a sign-in that already had them (`mfa` in its amr), a fresh passkey, or a one-time code
//! typed on the page. [`demand`] decides from plain facts (a pure function, unit-tested);
//! [`facts`] gathers them.

use tower_sessions::Session;

use crate::{
    config::ApprovalProof,
    oauth::accounts::{self, PasswordCheck},
    protocol::{self, Amr},
    state::AppState,
    store::{Client, User},
    web::{
        error::PageError,
        session::{FreshPasskey, SignedIn},
    },
};

/// How old a passkey assertion may be to count for an approval: the time to tap "Approve
/// with passkey" and answer the authenticator, not a standing permission.
pub const FRESH_PASSKEY_SECS: i64 = 120;

/// What is known when an approval is shown or submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The approval proof in force: the client's override, else the server's.
    pub policy: ApprovalProof,
    /// The client requires two factors (`usher client ... --require-mfa`).
    pub require_mfa: bool,
    /// The account has a passkey.
    pub has_passkey: bool,
    /// The account has a confirmed TOTP authenticator (recovery codes come with it).
    pub has_otp: bool,
    /// Seconds since the sign-in of this session.
    pub session_age: i64,
    /// The sign-in already had two factors (`mfa` in its amr, RFC 8176 §2).
    pub session_mfa: bool,
    /// A user-verified passkey assertion of this person in this session, young enough.
    pub fresh_passkey: bool,
}

/// What the approval still needs before Approve is accepted. Denying never needs anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demand {
    /// Approve as is.
    Ready,
    /// Ask on the page; each flag is one thing that must come with the Approve.
    Ask(Ask),
    /// This account cannot approve for this client until it adds a factor.
    Refused(Refusal),
}

/// The proofs asked for on the page. A fresh passkey satisfies all of them (it is checked
/// before any is asked), so the page always offers one when the account has a passkey.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ask {
    /// The password again.
    pub password: bool,
    /// Only a passkey does (`passkey` policy).
    pub passkey: bool,
    /// A one-time code (TOTP or recovery code): the second factor of `require_mfa`.
    pub otp: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The policy is `passkey` and the account has none.
    NoPasskey,
    /// The client requires two factors and the account has neither a passkey nor TOTP.
    NoSecondFactor,
}

impl Refusal {
    /// Why, as an id of `locales/*/device.ftl`.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NoPasskey => "device-refused-no-passkey",
            Refusal::NoSecondFactor => "device-refused-no-second-factor",
        }
    }
}

/// What an approval needs, given the facts; `max_session_age` is
/// `approval_max_session_age_secs`.
pub fn demand(facts: &Facts, max_session_age: i64) -> Demand {
    if facts.fresh_passkey {
        // User-verified and origin-bound, made just now: the strongest proof there is,
        // two factors by itself (RFC 8176 `hwk`/`swk` + `user`).
        return Demand::Ready;
    }
    let policy = match facts.policy {
        ApprovalProof::Any if facts.has_passkey => ApprovalProof::Passkey,
        ApprovalProof::Any => ApprovalProof::Password,
        other => other,
    };
    let mut ask = Ask::default();
    match policy {
        ApprovalProof::None | ApprovalProof::Any => {}
        ApprovalProof::Password => ask.password = facts.session_age > max_session_age,
        ApprovalProof::Passkey if facts.has_passkey => ask.passkey = true,
        ApprovalProof::Passkey => return Demand::Refused(Refusal::NoPasskey),
    }
    if facts.require_mfa && !facts.session_mfa {
        if facts.has_otp {
            ask.otp = true;
        } else if facts.has_passkey {
            ask.passkey = true;
        } else {
            return Demand::Refused(Refusal::NoSecondFactor);
        }
    }
    if ask.passkey {
        // A passkey is asked anyway, and it stands for every other proof.
        ask.password = false;
        ask.otp = false;
    }
    if ask == Ask::default() {
        Demand::Ready
    } else {
        Demand::Ask(ask)
    }
}

/// The facts of `signed_in` approving for `client` (`None`: deleted meanwhile, so only the
/// server's policy applies).
pub async fn facts(
    state: &AppState,
    session: &Session,
    client: Option<&Client>,
    signed_in: &SignedIn,
    now: i64,
) -> Result<Facts, PageError> {
    let passkeys = state.db.list_passkeys(&signed_in.user_id).await?;
    let totp = state.db.get_totp(&signed_in.user_id).await?;
    let fresh_at = FreshPasskey::at(session).await?;
    Ok(Facts {
        policy: client
            .and_then(|c| c.approval_proof)
            .unwrap_or(state.config.approval_proof),
        require_mfa: client.is_some_and(|c| c.require_mfa),
        has_passkey: !passkeys.is_empty(),
        has_otp: totp.is_some_and(|t| t.is_confirmed()),
        session_age: now - signed_in.auth_time,
        session_mfa: Amr::Mfa.is_in(&signed_in.amr),
        fresh_passkey: fresh_at.is_some_and(|at| is_fresh(at, now)),
    })
}

/// Whether a passkey assertion made at `at` still counts at `now` (never one from the
/// future: a clock step back must not stretch it).
pub fn is_fresh(at: i64, now: i64) -> bool {
    (0..=FRESH_PASSKEY_SECS).contains(&(now - at))
}

/// The amr of a sign-in renewed by a fresh passkey: the proof does not say which of the
/// account's passkeys answered, so `swk user mfa` when any of them may sync (never
/// overclaiming a device-bound key), else `hwk user mfa`.
pub async fn passkey_amr(state: &AppState, user_id: &str) -> Result<String, PageError> {
    let passkeys = state.db.list_passkeys(user_id).await?;
    let any_synced = passkeys.iter().any(|p| p.backup_eligible);
    Ok(protocol::join(Amr::passkey(any_synced)))
}

/// `amr` with the words of `added` appended (each once).
pub fn with_methods(amr: &str, added: &[Amr]) -> String {
    let mut words: Vec<&str> = amr.split_whitespace().collect();
    for method in added {
        if !words.contains(&method.as_str()) {
            words.push(method.as_str());
        }
    }
    words.join(" ")
}

/// What came of entering the password again.
#[derive(Debug, Clone)]
pub enum PasswordProof {
    /// Right: the renewed sign-in.
    Right(SignedIn),
    Wrong,
    /// Too many wrong passwords: no password is checked for this many seconds.
    Wait(i64),
}

/// Checks the password of `user` again, under the same budgets as sign-in (one
/// implementation: `oauth::accounts::check_password`).
pub async fn check_password_again(
    state: &AppState,
    user: &User,
    password: String,
    ip_key: &str,
    now: i64,
) -> Result<PasswordProof, PageError> {
    let account = Some(user.clone());
    match accounts::check_password(state, &user.username, account, password, ip_key, now).await? {
        PasswordCheck::Right(_) => Ok(PasswordProof::Right(SignedIn {
            user_id: user.id.clone(),
            auth_time: now,
            amr: protocol::join(Amr::PASSWORD),
        })),
        PasswordCheck::Wrong => {
            tracing::info!(user_id = %user.id, "re-authentication failed");
            Ok(PasswordProof::Wrong)
        }
        PasswordCheck::Wait(wait_secs) => Ok(PasswordProof::Wait(wait_secs)),
    }
}

/// [`check_password_again`] for pages that stop at a lock-out: the renewed sign-in on
/// success, the too-many-attempts page saying how long to wait.
pub async fn prove_password(
    state: &AppState,
    user: &User,
    password: String,
    ip_key: &str,
    now: i64,
) -> Result<Option<SignedIn>, PageError> {
    match check_password_again(state, user, password, ip_key, now).await? {
        PasswordProof::Right(renewed) => Ok(Some(renewed)),
        PasswordProof::Wrong => Ok(None),
        PasswordProof::Wait(wait_secs) => Err(PageError::too_many_attempts().with_wait(wait_secs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;

    fn facts(policy: ApprovalProof) -> Facts {
        Facts {
            policy,
            require_mfa: false,
            has_passkey: false,
            has_otp: false,
            session_age: 60,
            session_mfa: false,
            fresh_passkey: false,
        }
    }

    fn ask(password: bool, passkey: bool, otp: bool) -> Demand {
        Demand::Ask(Ask {
            password,
            passkey,
            otp,
        })
    }

    #[test]
    fn none_never_asks() {
        let old = Facts {
            session_age: 10 * HOUR,
            ..facts(ApprovalProof::None)
        };
        assert_eq!(demand(&old, HOUR), Demand::Ready);
    }

    #[test]
    fn password_is_asked_again_after_the_session_age() {
        let recent = facts(ApprovalProof::Password);
        assert_eq!(demand(&recent, HOUR), Demand::Ready);
        let edge = Facts {
            session_age: HOUR,
            ..recent
        };
        assert_eq!(demand(&edge, HOUR), Demand::Ready);
        let old = Facts {
            session_age: HOUR + 1,
            ..recent
        };
        assert_eq!(demand(&old, HOUR), ask(true, false, false));
        // A fresh passkey does instead of the password.
        let with_passkey = Facts {
            fresh_passkey: true,
            has_passkey: true,
            ..old
        };
        assert_eq!(demand(&with_passkey, HOUR), Demand::Ready);
    }

    #[test]
    fn passkey_asks_every_time_and_refuses_accounts_without_one() {
        let without = facts(ApprovalProof::Passkey);
        assert_eq!(demand(&without, HOUR), Demand::Refused(Refusal::NoPasskey));
        let with = Facts {
            has_passkey: true,
            ..without
        };
        // Even a sign-in of a second ago: the proof is for this approval.
        assert_eq!(demand(&with, HOUR), ask(false, true, false));
        let fresh = Facts {
            fresh_passkey: true,
            ..with
        };
        assert_eq!(demand(&fresh, HOUR), Demand::Ready);
    }

    #[test]
    fn any_is_passkey_with_a_passkey_else_password() {
        let old = Facts {
            session_age: 2 * HOUR,
            ..facts(ApprovalProof::Any)
        };
        assert_eq!(demand(&old, HOUR), ask(true, false, false));
        assert_eq!(demand(&facts(ApprovalProof::Any), HOUR), Demand::Ready);
        let with = Facts {
            has_passkey: true,
            ..facts(ApprovalProof::Any)
        };
        assert_eq!(demand(&with, HOUR), ask(false, true, false));
    }

    #[test]
    fn require_mfa_needs_a_second_factor_behind_the_approval() {
        let mfa = Facts {
            require_mfa: true,
            ..facts(ApprovalProof::None)
        };
        assert_eq!(demand(&mfa, HOUR), Demand::Refused(Refusal::NoSecondFactor));
        let otp = Facts {
            has_otp: true,
            ..mfa
        };
        assert_eq!(demand(&otp, HOUR), ask(false, false, true));
        let signed_in_with_two = Facts {
            session_mfa: true,
            ..otp
        };
        assert_eq!(demand(&signed_in_with_two, HOUR), Demand::Ready);
        let passkey_only = Facts {
            has_passkey: true,
            ..mfa
        };
        assert_eq!(demand(&passkey_only, HOUR), ask(false, true, false));
        // Password policy and an old sign-in: the password and a code.
        let both = Facts {
            policy: ApprovalProof::Password,
            session_age: 2 * HOUR,
            ..otp
        };
        assert_eq!(demand(&both, HOUR), ask(true, false, true));
    }

    #[test]
    fn a_passkey_proof_is_fresh_for_two_minutes() {
        assert!(is_fresh(1000, 1000));
        assert!(is_fresh(1000, 1000 + FRESH_PASSKEY_SECS));
        assert!(!is_fresh(1000, 1001 + FRESH_PASSKEY_SECS));
        assert!(!is_fresh(1000, 999));
    }

    #[test]
    fn methods_are_added_once() {
        assert_eq!(with_methods("pwd", &[Amr::Otp, Amr::Mfa]), "pwd otp mfa");
        assert_eq!(
            with_methods("pwd otp mfa", &[Amr::Otp, Amr::Mfa]),
            "pwd otp mfa"
        );
        assert_eq!(with_methods("qr", &[Amr::Otp, Amr::Mfa]), "qr otp mfa");
    }
}
