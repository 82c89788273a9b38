//! Sending the authorization response to the client in the request's response mode:
//! a redirect (`query`) or a page whose form the browser POSTs to the client (`form_post`,
//! OAuth 2.0 Form Post Response Mode §2: auto-submitted by a static script, a button
//! without JavaScript; no inline script, so the CSP stays strict).

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Redirect, Response};

use crate::{oauth::authorize::AuthorizationResponse, protocol::ResponseMode, web::csp};

#[derive(Template, WebTemplate)]
#[template(path = "form_post.html")]
struct FormPostPage<'a> {
    /// `None` on error responses: "the application".
    client_name: Option<&'a str>,
    action: &'a str,
    fields: &'a [(&'static str, String)],
}

pub fn deliver(response: &AuthorizationResponse, client_name: Option<&str>) -> Response {
    match response.mode {
        ResponseMode::Query => Redirect::to(&response.query_url()).into_response(),
        ResponseMode::FormPost => {
            let page = FormPostPage {
                client_name,
                action: &response.redirect_uri,
                fields: &response.params,
            };
            csp::allow_form_target(page.into_response(), &response.redirect_uri)
        }
    }
}
