//! Form parameters of an OAuth request. RFC 6749 §3.1/§3.2: parameters sent without a value
//! are treated as omitted, and a parameter must not be sent more than once.

use std::collections::HashMap;

use crate::error::OAuthError;

/// What a device says about itself (`http/device_metadata.rs`): cleaned of control
/// characters there rather than refused, so a clumsy name never fails a sign-in.
const FREE_TEXT: &[&str] = &[
    "device_name",
    "device_model",
    "device_os",
    "device_app_version",
];

/// RFC 6749 Appendix A: protocol values are printable (VSCHAR, NQCHAR, URI-reference), so a
/// control character is never part of a valid one. NUL is refused everywhere: PostgreSQL
/// cannot store it and would answer a lookup with an error instead of "not found".
fn is_clean(name: &str, value: &str) -> bool {
    let printable = |s: &str| !s.chars().any(char::is_control);
    printable(name)
        && match FREE_TEXT.contains(&name) {
            true => !value.contains('\0'),
            false => printable(value),
        }
}

#[derive(Debug, Default, Clone)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Builds the parameter map, rejecting any repeated name and any control character with
    /// `invalid_request`.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Params, OAuthError> {
        let mut map = HashMap::with_capacity(pairs.len());
        for (name, value) in pairs {
            if !is_clean(&name, &value) {
                return Err(OAuthError::invalid_request(
                    "A parameter contains a control character.",
                ));
            }
            if map.contains_key(&name) {
                return Err(OAuthError::invalid_request(format!(
                    "The parameter '{name}' was sent more than once."
                )));
            }
            map.insert(name, value);
        }
        Ok(Params(map))
    }

    /// A parameter's value; empty values count as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A parameter that must be present.
    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| {
            OAuthError::invalid_request(format!("The parameter '{name}' is missing."))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn control_characters_and_repeats_are_invalid_requests() {
        assert!(
            Params::from_pairs(pairs(&[("client_id", "tv"), ("scope", "openid email")])).is_ok()
        );
        for bad in [
            &[("client_id", "tv\0")][..],
            &[("client_id", "tv\n")],
            &[("redirect_uri", "https://a.example/\u{7f}")],
            &[("cli\0ent_id", "tv")],
            &[("device_name", "TV\0")],
            &[("client_id", "a"), ("client_id", "b")],
        ] {
            let err = Params::from_pairs(pairs(bad)).unwrap_err();
            assert_eq!(err.kind.code(), "invalid_request", "{bad:?}");
        }
        // A device's own name is cleaned later, not refused.
        assert!(Params::from_pairs(pairs(&[("device_name", "Living\troom")])).is_ok());
    }
}
