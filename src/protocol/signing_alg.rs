//! JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1) of the tokens we sign and of the client
//! assertions we accept.

use jsonwebtoken::Algorithm;

super::vocabulary! {
    /// The algorithms Usher signs tokens with, RS256 (the OIDC default, Core §15.1) first.
    /// Each has a key from the first start, so the JWKS lists them all before any token
    /// exists. Client assertions may use the same ones: no `none`, no HMAC.
    SigningAlg, "signing algorithm" {
        RS256 = "RS256",
        ES256 = "ES256",
        EdDSA = "EdDSA",
    }
}

impl SigningAlg {
    /// The algorithm a JWS header names, if it is one of ours.
    pub fn from_jws(alg: Algorithm) -> Option<SigningAlg> {
        match alg {
            Algorithm::RS256 => Some(SigningAlg::RS256),
            Algorithm::ES256 => Some(SigningAlg::ES256),
            Algorithm::EdDSA => Some(SigningAlg::EdDSA),
            _ => None,
        }
    }
}

impl From<SigningAlg> for Algorithm {
    fn from(alg: SigningAlg) -> Algorithm {
        match alg {
            SigningAlg::RS256 => Algorithm::RS256,
            SigningAlg::ES256 => Algorithm::ES256,
            SigningAlg::EdDSA => Algorithm::EdDSA,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jws_algorithms_convert_both_ways() {
        for &alg in SigningAlg::ALL {
            assert_eq!(SigningAlg::from_jws(alg.into()), Some(alg));
        }
        for other in [Algorithm::HS256, Algorithm::RS512, Algorithm::PS256] {
            assert_eq!(SigningAlg::from_jws(other), None);
        }
    }
}
