//! A person's phone browser: a cookie jar, no JavaScript, and redirects NOT followed, so
//! tests can assert every step of the hosted pages.

#![allow(dead_code)]

use std::sync::Arc;

use reqwest::{
    Response, StatusCode,
    cookie::{CookieStore, Jar},
    header::LOCATION,
    redirect::Policy,
};
use scraper::{Html, Selector};

pub const SESSION_COOKIE: &str = "usher_session";

pub struct Phone {
    pub http: reqwest::Client,
    pub base_url: String,
    jar: Arc<Jar>,
}

impl Phone {
    pub fn new(base_url: &str) -> Phone {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .user_agent("Mozilla/5.0 (Phone; test) Usher-tests")
            .build()
            .expect("phone HTTP client");
        Phone {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            jar,
        }
    }

    /// A fresh phone that has signed in as `username` (the login answers 303).
    pub async fn signed_in(base_url: &str, username: &str, password: &str) -> Phone {
        let phone = Phone::new(base_url);
        let response = phone.login(username, password).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "signing in");
        phone
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("GET from the phone")
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST from the phone")
    }

    /// GETs a page and reads the CSRF token of its first form.
    pub async fn csrf_from(&self, path: &str) -> String {
        let response = self.get(path).await;
        let status = response.status();
        let html = response.text().await.expect("page body");
        csrf_token(&html).unwrap_or_else(|| panic!("no csrf field on {path} ({status}): {html}"))
    }

    /// Types the code on `/device` and submits it.
    pub async fn enter_code(&self, user_code: &str) -> Response {
        let csrf = self.csrf_from("/device").await;
        self.post_form("/device", &[("user_code", user_code), ("csrf", &csrf)])
            .await
    }

    /// Opens `verification_uri_complete` (a scanned QR code): the pre-filled entry page.
    pub async fn open_link(&self, user_code: &str) -> Response {
        let response = self
            .http
            .get(self.url("/device"))
            .query(&[("user_code", user_code)]);
        response
            .send()
            .await
            .expect("GET verification_uri_complete")
    }

    /// Opens the QR link, checks the pre-filled code, and submits the form as it is.
    pub async fn confirm_code_from_link(&self, user_code: &str) -> Response {
        let html = self
            .open_link(user_code)
            .await
            .text()
            .await
            .expect("page body");
        let prefilled = input_value(&html, "user_code").expect("a user_code field");
        assert_eq!(prefilled, user_code, "the QR link pre-fills the code");
        let csrf = csrf_token(&html).expect("csrf field");
        self.post_form("/device", &[("user_code", &prefilled), ("csrf", &csrf)])
            .await
    }

    /// Signs in on `/login?next=/device/consent` (where a code entry sends a new visitor).
    pub async fn login(&self, username: &str, password: &str) -> Response {
        let html = self
            .get("/login?next=/device/consent")
            .await
            .text()
            .await
            .expect("login page");
        let csrf = csrf_token(&html).expect("csrf field on the login page");
        let next = input_value(&html, "next").unwrap_or_default();
        let form = [
            ("username", username),
            ("password", password),
            ("csrf", &csrf),
            ("next", &next),
        ];
        self.post_form("/login", &form).await
    }

    pub async fn approve(&self) -> Response {
        self.decide("approve").await
    }

    pub async fn deny(&self) -> Response {
        self.decide("deny").await
    }

    async fn decide(&self, decision: &str) -> Response {
        let csrf = self.csrf_from("/device/consent").await;
        self.post_form(
            "/device/consent",
            &[("decision", decision), ("csrf", &csrf)],
        )
        .await
    }

    pub async fn logout(&self) -> Response {
        let csrf = self.csrf_from("/device").await;
        self.post_form("/logout", &[("csrf", &csrf)]).await
    }

    /// The value of the session cookie the phone holds, if any.
    pub fn session_cookie(&self) -> Option<String> {
        let url = self.base_url.parse().expect("base URL");
        let header = self.jar.cookies(&url)?;
        let cookies = header.to_str().ok()?.to_string();
        cookies.split("; ").find_map(|pair| {
            pair.strip_prefix(SESSION_COOKIE)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_string)
        })
    }
}

/// The `Location` of a redirect.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

pub fn csrf_token(html: &str) -> Option<String> {
    input_value(html, "csrf")
}

/// The `value` of the first `<input name=...>` of a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let selector = Selector::parse(&format!("input[name={name}]")).ok()?;
    let document = Html::parse_document(html);
    let value = document
        .select(&selector)
        .next()?
        .value()
        .attr("value")?
        .to_string();
    Some(value)
}

/// The visible text of a page, entities decoded and whitespace collapsed.
pub fn page_text(html: &str) -> String {
    let document = Html::parse_document(html);
    let body = Selector::parse("body").expect("selector");
    let text: Vec<&str> = document.select(&body).flat_map(|b| b.text()).collect();
    text.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn expect_redirect(step: &str, response: Response, to: &str) {
    let status = response.status();
    let target = location(&response);
    if status != StatusCode::SEE_OTHER || target != to {
        let body = page_text(&response.text().await.unwrap_or_default());
        panic!("{step}: expected 303 to {to}, got {status} to {target:?}: {body}");
    }
}

async fn expect_page(step: &str, response: Response, says: &str) {
    let status = response.status();
    let body = page_text(&response.text().await.unwrap_or_default());
    if status != StatusCode::OK || !body.contains(says) {
        panic!("{step}: expected 200 saying {says:?}, got {status}: {body}");
    }
}

/// Enters the code on a fresh phone and signs in, ending on the consent page.
async fn reach_consent(base_url: &str, user_code: &str, username: &str, password: &str) -> Phone {
    let phone = Phone::new(base_url);
    let entered = phone.enter_code(user_code).await;
    expect_redirect(
        "entering the user code",
        entered,
        "/login?next=/device/consent",
    )
    .await;
    let signed_in = phone.login(username, password).await;
    expect_redirect(
        &format!("signing in as {username}"),
        signed_in,
        "/device/consent",
    )
    .await;
    phone
}

/// A person approves the device showing `user_code`, from a fresh phone. Panics on any step.
pub async fn approve_device(base_url: &str, user_code: &str, username: &str, password: &str) {
    let phone = reach_consent(base_url, user_code, username, password).await;
    // The success page's heading says what was signed in (`web::message`): a device, a
    // terminal, or the other browser of a QR sign-in.
    let response = phone.approve().await;
    let status = response.status();
    let body = page_text(&response.text().await.unwrap_or_default());
    let success = [
        "Device signed in",
        "Terminal signed in",
        "The other browser is signed in",
    ];
    if status != StatusCode::OK || !success.iter().any(|heading| body.contains(heading)) {
        panic!("approving: expected 200 with a success heading, got {status}: {body}");
    }
}

/// A person denies the device showing `user_code`, from a fresh phone. Panics on any step.
pub async fn deny_device(base_url: &str, user_code: &str, username: &str, password: &str) {
    let phone = reach_consent(base_url, user_code, username, password).await;
    expect_page("denying", phone.deny().await, "Request denied").await;
}
