//! Form parameters of an OAuth request. RFC 6749 §3.1/§3.2: parameters sent without a value
//! are treated as omitted, and a parameter must not be sent more than once.

use std::collections::HashMap;

use crate::error::OAuthError;

#[derive(Debug, Default, Clone)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Builds the parameter map, rejecting any repeated name with `invalid_request`.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Params, OAuthError> {
        let mut map = HashMap::with_capacity(pairs.len());
        for (name, value) in pairs {
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
