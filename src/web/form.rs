//! The form extractor of every page: a urlencoded body whose fields hold no control
//! characters (NUL above all, which PostgreSQL cannot store and would answer with an
//! error), refused with the friendly 400 page before any query. Passwords may hold any
//! character but NUL: they are only ever hashed.

use axum::extract::{FromRequest, RawForm, Request};
use serde::de::DeserializeOwned;

use crate::web::error::PageError;

pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        let RawForm(body) = RawForm::from_request(req, state)
            .await
            .map_err(|rejection| PageError::unreadable_form(&rejection.body_text()))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|err| PageError::unreadable_form(&err.to_string()))?;
        if let Some((name, _)) = pairs.iter().find(|(name, value)| !is_clean(name, value)) {
            return Err(PageError::unreadable_form(&format!(
                "control character in field {:?}",
                name.escape_debug().to_string()
            )));
        }
        serde_urlencoded::from_bytes(&body)
            .map(PageForm)
            .map_err(|err| PageError::unreadable_form(&err.to_string()))
    }
}

fn is_clean(name: &str, value: &str) -> bool {
    let clean = |s: &str| !s.chars().any(char::is_control);
    clean(name)
        && match name {
            "password" => !value.contains('\0'),
            _ => clean(value),
        }
}

#[cfg(test)]
mod tests {
    use super::is_clean;

    #[test]
    fn control_characters_are_refused_except_in_passwords() {
        assert!(is_clean("username", "mira"));
        assert!(is_clean("user_code", "BCDF-GHJK"));
        assert!(!is_clean("username", "mira\0"));
        assert!(!is_clean("device_id", "a\nb"));
        assert!(!is_clean("client_id", "\u{7f}"));
        assert!(!is_clean("na\0me", "x"));
        assert!(is_clean("password", "tab\tand\u{1}"));
        assert!(!is_clean("password", "nul\0"));
    }
}
