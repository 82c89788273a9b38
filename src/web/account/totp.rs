//! Two-step verification with TOTP (RFC 6238) on the account security page: what the page
//! shows of it ([`summary`]) and where its pages are. The pages themselves (enrol, turn off,
//! new recovery codes) are `totp_pages.rs`; the protocol is `oauth::accounts::totp`
//! (docs/factors.md).

use crate::{
    state::AppState,
    store::User,
    web::{account::Moment, error::PageError},
};

/// Enrolment (GET shows the QR code, POST confirms with a code).
pub const PAGE: &str = "/account/security/totp";
pub const DISABLE: &str = "/account/security/totp/disable";
pub const RECOVERY_CODES: &str = "/account/security/totp/recovery-codes";

/// The TOTP factor of an account, in words for the security page
/// (`templates/partials/security_totp.html`, variable `totp`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotpSummary {
    /// A confirmed authenticator app: the second step is asked at sign-in.
    pub enrolled: bool,
    /// When it was confirmed ("3 days ago").
    pub confirmed: Option<Moment>,
    /// When a code was last accepted (`None`: never).
    pub last_used: Option<Moment>,
    /// Recovery codes not used yet.
    pub unused_recovery_codes: u32,
}

/// The account's TOTP factor for the security page.
pub async fn summary(state: &AppState, user: &User) -> Result<TotpSummary, PageError> {
    let Some(factor) = state.db.get_totp(&user.id).await? else {
        return Ok(TotpSummary::default());
    };
    let Some(confirmed_at) = factor.confirmed_at else {
        return Ok(TotpSummary::default());
    };
    let now = state.clock.now();
    Ok(TotpSummary {
        enrolled: true,
        confirmed: Some(Moment::new(confirmed_at, now)),
        // The confirming code is a use too; say "never" until a sign-in used one.
        last_used: factor
            .last_used_at
            .filter(|at| *at != confirmed_at)
            .map(|at| Moment::new(at, now)),
        unused_recovery_codes: state.db.count_unused_recovery_codes(&user.id).await?,
    })
}
