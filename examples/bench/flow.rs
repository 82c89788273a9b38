//! Real device flows over HTTP, to get the tokens the refresh and userinfo scenarios start
//! from: the device asks for a code, a phone (one signed-in browser session) enters and
//! approves it on the pages, the device polls once. As examples/crash_kit.rs does.

use anyhow::{Context, bail};
use reqwest::{StatusCode, redirect::Policy};
use serde_json::Value;

use crate::{child::PASSWORD, codes::DEVICE_GRANT};

pub struct Endpoints {
    pub base: String,
    pub token: String,
    pub device_authorization: String,
    pub userinfo: String,
}

impl Endpoints {
    /// From discovery (OIDC Discovery §4; RFC 8628 §4 for the device endpoint).
    pub async fn discover(base: &str) -> anyhow::Result<Endpoints> {
        let doc: Value = reqwest::get(format!("{base}/.well-known/openid-configuration"))
            .await?
            .json()
            .await?;
        let path = |key: &str| -> anyhow::Result<String> {
            let url = doc[key]
                .as_str()
                .with_context(|| format!("discovery has no {key}"))?;
            Ok(url::Url::parse(url)?.path().to_string())
        };
        Ok(Endpoints {
            base: base.to_string(),
            token: path("token_endpoint")?,
            device_authorization: path("device_authorization_endpoint")?,
            userinfo: path("userinfo_endpoint")?,
        })
    }
}

pub struct Phone {
    http: reqwest::Client,
    base: String,
    signed_in: bool,
}

impl Phone {
    pub fn new(base: &str) -> anyhow::Result<Phone> {
        Ok(Phone {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()?,
            base: base.to_string(),
            signed_in: false,
        })
    }

    async fn page(&self, path: &str) -> anyhow::Result<String> {
        Ok(self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await?
            .text()
            .await?)
    }

    /// Enters the user code (signing in the first time) and approves.
    async fn approve(&mut self, user_code: &str) -> anyhow::Result<()> {
        let html = self.page("/device").await?;
        let csrf = field(&html, "csrf").context("no csrf on /device")?;
        let entered = self
            .http
            .post(format!("{}/device", self.base))
            .form(&[("user_code", user_code), ("csrf", &csrf)])
            .send()
            .await?;
        let location = entered
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if location.starts_with("/login") {
            if self.signed_in {
                bail!("asked to sign in again");
            }
            let html = self.page(&location).await?;
            let csrf = field(&html, "csrf").context("no csrf on /login")?;
            let next = field(&html, "next").unwrap_or_default();
            let signed_in = self
                .http
                .post(format!("{}/login", self.base))
                .form(&[
                    ("username", "bench"),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                    ("next", &next),
                ])
                .send()
                .await?;
            if signed_in.status() != StatusCode::SEE_OTHER {
                bail!("sign-in answered {}", signed_in.status());
            }
            self.signed_in = true;
        } else if location != "/device/consent" {
            bail!("code entry went to {location:?}");
        }
        let html = self.page("/device/consent").await?;
        let csrf = field(&html, "csrf").context("no csrf on the consent page")?;
        let decided = self
            .http
            .post(format!("{}/device/consent", self.base))
            .form(&[("decision", "approve"), ("csrf", &csrf)])
            .send()
            .await?;
        if decided.status() != StatusCode::OK {
            bail!("approval answered {}", decided.status());
        }
        Ok(())
    }
}

/// One device flow to the end: the token response (access, refresh and ID token).
pub async fn tokens(
    endpoints: &Endpoints,
    phone: &mut Phone,
    client_id: &str,
) -> anyhow::Result<Value> {
    let device = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", endpoints.base);
    let authorization: Value = device
        .post(url(&endpoints.device_authorization))
        .form(&[
            ("client_id", client_id),
            ("scope", "openid profile email offline_access"),
        ])
        .send()
        .await?
        .json()
        .await?;
    let device_code = authorization["device_code"]
        .as_str()
        .context("no device_code")?;
    let user_code = authorization["user_code"]
        .as_str()
        .context("no user_code")?;
    phone.approve(user_code).await?;
    let response = device
        .post(url(&endpoints.token))
        .form(&[
            ("grant_type", DEVICE_GRANT),
            ("device_code", device_code),
            ("client_id", client_id),
        ])
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    if status != StatusCode::OK || !body["refresh_token"].is_string() {
        bail!("the approved code answered {status}: {body}");
    }
    Ok(body)
}

/// The `value` of `<input name="NAME" value="...">` (askama escapes `&<>"'`).
fn field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(
        html[start..end]
            .replace("&#x2f;", "/")
            .replace("&#47;", "/")
            .replace("&amp;", "&"),
    )
}
