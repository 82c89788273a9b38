//! Authentication context class references (OIDC Core §2 `acr`, requested with
//! `acr_values`, §3.1.2.1). docs/factors.md and docs/integration.md list what each means.

use super::Amr;

super::vocabulary! {
    /// How strong the sign-in was, weakest first (the derived order compares them). No
    /// registry names single- and two-factor classes without also demanding an identity
    /// proofing or password policy Usher cannot vouch for (NIST AAL, REFEDS profiles), so
    /// those two are Usher URNs; the phishing-resistant one is `phr` of OpenID "EAP ACR
    /// Values 1.0" §2.
    #[derive(PartialOrd, Ord)]
    Acr, "authentication context class" {
        /// One factor: a password, or a QR sign-in approved from a signed-in phone.
        OneFactor = "urn:usher:acr:1fa",
        /// Two factors: a password and a TOTP or recovery code.
        TwoFactors = "urn:usher:acr:mfa",
        /// Phishing-resistant: a passkey (origin-bound) with user verification.
        PhishingResistant = "phr",
    }
}

impl Acr {
    /// The class of a sign-in with the methods `amr` (space-separated), so no column is
    /// needed for it: codes, refresh tokens and approvals keep the amr already.
    pub fn of(amr: &str) -> Acr {
        let passkey = Amr::Hwk.is_in(amr) || Amr::Swk.is_in(amr);
        if passkey && Amr::User.is_in(amr) {
            Acr::PhishingResistant
        } else if Amr::Mfa.is_in(amr) {
            Acr::TwoFactors
        } else {
            Acr::OneFactor
        }
    }

    /// The known values of an `acr_values` parameter (space-separated, in order of
    /// preference; OIDC Core §3.1.2.1). Unknown values are ignored: the request is
    /// voluntary, and an RP may list classes of other providers.
    pub fn requested(acr_values: &str) -> Vec<Acr> {
        acr_values
            .split_whitespace()
            .filter_map(Acr::parse)
            .collect()
    }

    /// Whether a sign-in of class `self` meets a request for `requested`: nothing known
    /// requested is always met; otherwise reaching the weakest requested class is enough
    /// (the RP accepts any of the classes it listed).
    pub fn meets(self, requested: &[Acr]) -> bool {
        requested
            .iter()
            .min()
            .is_none_or(|&weakest| self >= weakest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_methods() {
        assert_eq!(Acr::of("pwd"), Acr::OneFactor);
        assert_eq!(Acr::of("qr"), Acr::OneFactor);
        assert_eq!(Acr::of(""), Acr::OneFactor);
        assert_eq!(Acr::of("pwd otp mfa"), Acr::TwoFactors);
        assert_eq!(Acr::of("hwk user mfa"), Acr::PhishingResistant);
        assert_eq!(Acr::of("swk user mfa"), Acr::PhishingResistant);
        // A passkey without user verification is one factor held, not phishing-resistant MFA.
        assert_eq!(Acr::of("hwk"), Acr::OneFactor);
    }

    #[test]
    fn classes_are_ordered_weakest_first() {
        assert!(Acr::OneFactor < Acr::TwoFactors);
        assert!(Acr::TwoFactors < Acr::PhishingResistant);
    }

    #[test]
    fn requests_ignore_unknown_values_and_accept_the_weakest_listed() {
        let requested = Acr::requested("urn:other:gold phr urn:usher:acr:mfa");
        assert_eq!(requested, vec![Acr::PhishingResistant, Acr::TwoFactors]);
        assert!(!Acr::OneFactor.meets(&requested));
        assert!(Acr::TwoFactors.meets(&requested));
        assert!(Acr::PhishingResistant.meets(&requested));
        assert!(Acr::OneFactor.meets(&Acr::requested("urn:other:gold")));
        assert!(Acr::OneFactor.meets(&[]));
    }
}
