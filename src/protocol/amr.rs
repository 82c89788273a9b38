//! Authentication method references (OIDC Core §2 `amr`, values registered by RFC 8176 §2).

super::vocabulary! {
    /// How the person proved who they are, as the ID token's `amr` lists it (RFC 8176 §2).
    /// A sign-in keeps its methods as one space-separated list (`SignedIn.amr`, the `amr`
    /// columns), written from the sets below.
    Amr, "authentication method" {
        /// Password (RFC 8176 §2 `pwd`).
        Pwd = "pwd",
        /// One-time password: a TOTP code (RFC 6238) or a recovery code (`otp`).
        Otp = "otp",
        /// Proof of possession of a hardware-secured key: a device-bound passkey (`hwk`).
        Hwk = "hwk",
        /// Proof of possession of a software-secured key: a synced (backup-eligible)
        /// passkey, whose private key leaves the device (`swk`).
        Swk = "swk",
        /// User presence and verification on the authenticator (fingerprint, face, PIN)
        /// (`user`; WebAuthn "user verified" flag).
        User = "user",
        /// Multiple factors of different kinds (`mfa`, RFC 8176 §2).
        Mfa = "mfa",
        /// Usher's own: signed in by approving a QR code on a phone that was signed in
        /// (`oauth::qr_login`; RFC 8176 has no value for it).
        Qr = "qr",
    }
}

impl Amr {
    /// Password sign-in.
    pub const PASSWORD: &[Amr] = &[Amr::Pwd];
    /// Password, then a TOTP code or a recovery code.
    pub const PASSWORD_AND_OTP: &[Amr] = &[Amr::Pwd, Amr::Otp, Amr::Mfa];
    /// Device-bound passkey with user verification: something held and something known or
    /// inherent (the authenticator's PIN or biometric), hence `mfa`.
    pub const DEVICE_PASSKEY: &[Amr] = &[Amr::Hwk, Amr::User, Amr::Mfa];
    /// Synced passkey (backup-eligible credential) with user verification.
    pub const SYNCED_PASSKEY: &[Amr] = &[Amr::Swk, Amr::User, Amr::Mfa];
    /// QR sign-in (`oauth::qr_login`).
    pub const QR: &[Amr] = &[Amr::Qr];

    /// The set of a user-verified passkey assertion; `backup_eligible` is the credential's
    /// BE flag (WebAuthn §6.1, "backup eligibility").
    pub const fn passkey(backup_eligible: bool) -> &'static [Amr] {
        if backup_eligible {
            Amr::SYNCED_PASSKEY
        } else {
            Amr::DEVICE_PASSKEY
        }
    }

    /// Whether the space-separated list `amr` holds `self` (unknown words are skipped).
    pub fn is_in(self, amr: &str) -> bool {
        amr.split_whitespace().any(|word| word == self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::join;

    #[test]
    fn the_agreed_sets_are_written_as_agreed() {
        assert_eq!(join(Amr::PASSWORD), "pwd");
        assert_eq!(join(Amr::PASSWORD_AND_OTP), "pwd otp mfa");
        assert_eq!(join(Amr::passkey(false)), "hwk user mfa");
        assert_eq!(join(Amr::passkey(true)), "swk user mfa");
        assert_eq!(join(Amr::QR), "qr");
    }

    #[test]
    fn membership_is_by_whole_word() {
        assert!(Amr::Mfa.is_in("pwd otp mfa"));
        assert!(!Amr::Mfa.is_in("pwd"));
        assert!(!Amr::User.is_in("users"));
        assert!(!Amr::Pwd.is_in(""));
    }
}
