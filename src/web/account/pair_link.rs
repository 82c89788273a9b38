//! `GET /device/pair?code=...`: the pairing URI (`web::account::pairing`) opened by a camera
//! app instead of the app to be signed in. The code is not looked up (nor logged): the page
//! only says what to do.

use crate::web::lang::Tr as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, rejection::QueryRejection},
    http::StatusCode,
    response::IntoResponse,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct PairLinkQuery {
    #[allow(dead_code)]
    code: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "device_pair.html")]
struct PairLinkPage;

pub async fn explain_pairing_link(
    _query: Result<Query<PairLinkQuery>, QueryRejection>,
) -> impl IntoResponse {
    (StatusCode::OK, PairLinkPage)
}
