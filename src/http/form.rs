//! Extractor for OAuth endpoint requests: an `application/x-www-form-urlencoded` body
//! (RFC 6749 §3.2, RFC 8628 §3.1) with no repeated parameters, plus Basic credentials.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::header,
};

use crate::{
    error::OAuthError,
    oauth::{client_auth::BasicCredentials, params::Params},
};

pub struct OAuthRequest {
    pub params: Params,
    pub basic: Option<BasicCredentials>,
    pub headers: axum::http::HeaderMap,
}

impl<S: Send + Sync> FromRequest<S> for OAuthRequest {
    type Rejection = OAuthError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(OAuthError::invalid_request(
                "The request body must be application/x-www-form-urlencoded.",
            ));
        }
        let basic = match req.headers().get(header::AUTHORIZATION).map(|v| v.to_str()) {
            None => None,
            Some(Ok(value)) => BasicCredentials::parse(value)?,
            Some(Err(_)) => {
                return Err(OAuthError::invalid_client(
                    "The Authorization header is malformed.",
                ));
            }
        };
        // The headers are moved out, not copied: reading the body needs none of them (the
        // size limit is a layer in front).
        let (mut parts, body) = req.into_parts();
        let headers = std::mem::take(&mut parts.headers);
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|rejection| OAuthError::invalid_request(rejection.body_text()))?;
        // Decoded straight from the body (no owned pair per parameter, `Params::from_form`).
        Ok(OAuthRequest {
            params: Params::from_form(&body)?,
            basic,
            headers,
        })
    }
}
