//! The Content-Security-Policy of the pages.
//!
//! Every response gets [`DEFAULT`] (set in `server.rs`). A page whose form ends in a
//! redirect to a relying party gets the same policy with that one origin added to
//! `form-action`: Chromium applies `form-action` to every redirect that follows a form
//! submission (CSP Level 3 §6.3.3), so `POST /login → /oauth2/authorize/continue →
//! redirect_uri` is blocked on the last hop unless the page allowed the client's origin.
//! Why this and not a same-origin page that navigates onwards: docs/architecture.md.

use axum::{
    http::{HeaderValue, header},
    response::Response,
};

/// Scripts and styles only from our own static files (none inline), live updates only from
/// ourselves, forms only to ourselves, never framed (clickjacking on the consent page).
/// Images also from any https: origin, for client logos (`logo_uri`, https only).
pub const DEFAULT: &str = "default-src 'none'; style-src 'self'; img-src 'self' data: https:; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'; script-src 'self'; connect-src 'self'";

/// The CSP source expression that allows sending the browser to `redirect_uri`: its origin
/// for http(s) URIs, its scheme for a native app's private-use scheme (RFC 8252 §7.1).
/// `None` for anything that cannot be expressed safely (never widens the policy then).
pub fn source_of(redirect_uri: &str) -> Option<String> {
    let url = url::Url::parse(redirect_uri).ok()?;
    match url.scheme() {
        "http" | "https" => {
            let origin = url.origin();
            origin.is_tuple().then(|| origin.ascii_serialization())
        }
        // `url` guarantees a scheme of ASCII letters, digits, `+`, `-` and `.`.
        "javascript" | "data" | "blob" | "file" | "filesystem" => None,
        scheme => Some(format!("{scheme}:")),
    }
}

/// [`DEFAULT`] with `redirect_uri`'s origin allowed as a form target (and redirect target
/// after a form).
pub fn allowing_form_target(redirect_uri: &str) -> Option<HeaderValue> {
    let source = source_of(redirect_uri)?;
    let policy = DEFAULT.replace(
        "form-action 'self'",
        &format!("form-action 'self' {source}"),
    );
    HeaderValue::from_str(&policy).ok()
}

/// Sets the page's policy so its forms may end at `redirect_uri`.
pub fn allow_form_target(mut response: Response, redirect_uri: &str) -> Response {
    if let Some(policy) = allowing_form_target(redirect_uri) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_schemes() {
        assert_eq!(
            source_of("https://app.example:8443/cb?x=1").as_deref(),
            Some("https://app.example:8443")
        );
        assert_eq!(
            source_of("http://127.0.0.1:4000/callback").as_deref(),
            Some("http://127.0.0.1:4000")
        );
        assert_eq!(
            source_of("com.example.app:/oauth2redirect").as_deref(),
            Some("com.example.app:")
        );
        assert_eq!(source_of("javascript:alert(1)"), None);
        assert_eq!(source_of("not a url"), None);
        let policy = allowing_form_target("https://app.example/cb").unwrap();
        let policy = policy.to_str().unwrap();
        assert!(policy.contains("form-action 'self' https://app.example;"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
    }
}
