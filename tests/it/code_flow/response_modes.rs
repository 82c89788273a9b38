//! Response modes (`query`, `form_post`; anything else refused) and the pages' CSP that
//! lets a form end at the app. The browser tests (tests/it/browser/web_app.rs) show the
//! same in Chromium; these pin the headers and the form exactly.

use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION};
use scraper::{Html, Selector};

use super::{Browser, REDIRECT, authorize_url, query, server};
use crate::phone::csrf_token;

fn csp(response: &reqwest::Response) -> String {
    response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string()
}

const APP_TARGET: &str = "form-action 'self' https://app.example;";

#[tokio::test]
async fn pages_whose_form_ends_at_the_app_allow_its_origin_and_no_other() {
    let server = server().await;
    let browser = Browser::new(&server);
    let start = browser
        .http
        .get(authorize_url(&server, &[]))
        .send()
        .await
        .unwrap();
    let login = browser.absolute(start.headers()[LOCATION].to_str().unwrap());
    let login = browser.http.get(login).send().await.unwrap();
    assert!(csp(&login).contains(APP_TARGET), "{}", csp(&login));
    let html = login.text().await.unwrap();
    let form = [
        ("username", "hana"),
        ("password", super::PASSWORD),
        ("csrf", &csrf_token(&html).unwrap()),
        ("next", "/oauth2/authorize/continue"),
    ];
    let signed_in = browser
        .http
        .post(server.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let consent = browser.absolute(signed_in.headers()[LOCATION].to_str().unwrap());
    let consent = browser.http.get(consent).send().await.unwrap();
    assert!(
        consent
            .text()
            .await
            .unwrap()
            .contains("/oauth2/authorize/decide"),
        "the consent page"
    );
    let consent = browser
        .http
        .get(server.url("/oauth2/authorize/continue"))
        .send()
        .await
        .unwrap();
    let policy = csp(&consent);
    assert!(policy.contains(APP_TARGET), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"));
    // Pages that do not end at an app keep forms to ourselves.
    let device = browser
        .http
        .get(server.url("/device"))
        .send()
        .await
        .unwrap();
    assert!(
        csp(&device).contains("form-action 'self';"),
        "{}",
        csp(&device)
    );
    let plain_login = browser
        .http
        .get(server.url("/login?next=/account/devices&force=1"))
        .send()
        .await
        .unwrap();
    assert!(csp(&plain_login).contains("form-action 'self';"));
}

#[tokio::test]
async fn form_post_answers_with_a_form_to_the_redirect_uri() {
    let server = server().await;
    let browser = Browser::new(&server);
    for (approve, result) in [(true, "code"), (false, "error")] {
        let extra = [("response_mode", "form_post"), ("prompt", "consent")];
        let url = authorize_url(&server, &extra);
        let (status, html) = browser.walk(&url, approve).await.unwrap_err();
        assert_eq!(status, 200);
        let page = Html::parse_document(&html);
        let form = page
            .select(&Selector::parse("form#form-post").unwrap())
            .next()
            .expect("the response form");
        assert_eq!(form.value().attr("method"), Some("post"));
        assert_eq!(form.value().attr("action"), Some(REDIRECT));
        let fields: Vec<(String, String)> = form
            .select(&Selector::parse("input[type=hidden]").unwrap())
            .map(|i| {
                let v = i.value();
                (
                    v.attr("name").unwrap().into(),
                    v.attr("value").unwrap().into(),
                )
            })
            .collect();
        let field = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        assert!(field(result).is_some_and(|v| !v.is_empty()), "{fields:?}");
        assert_eq!(field("state").as_deref(), Some("s1"));
        assert_eq!(field("iss"), Some(server.url.clone()));
        if !approve {
            assert_eq!(field("error").as_deref(), Some("access_denied"));
        }
        // Submitted by a static script (no inline script), a button without JavaScript.
        assert!(html.contains(r#"<script src="/static/form-post.js" defer></script>"#));
        assert!(!html.contains("<script>"));
        assert!(html.contains(r#"type="submit""#));
        // The page that POSTs to the app allows exactly that origin.
        let again = browser
            .http
            .get(server.url("/oauth2/authorize/continue"))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 400, "the request is used up");
    }
    let script = browser
        .http
        .get(server.url("/static/form-post.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.text().await.unwrap().contains("form.submit()"));
}

#[tokio::test]
async fn a_form_post_page_carries_the_apps_origin_in_its_policy() {
    let server = server().await;
    let browser = Browser::new(&server);
    // Signed in and consented once; the next form_post authorization answers at once.
    super::code_for(&server, &browser).await;
    let response = browser
        .http
        .get(authorize_url(&server, &[("response_mode", "form_post")]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(csp(&response).contains(APP_TARGET), "{}", csp(&response));
    assert!(response.text().await.unwrap().contains("Photo Web App"));
}

#[tokio::test]
async fn unsupported_response_modes_are_refused_in_the_query() {
    let server = server().await;
    let browser = Browser::new(&server);
    for mode in [
        "fragment",
        "query.jwt",
        "jwt",
        "form_post.jwt",
        "web_message",
        "",
    ] {
        let response = browser
            .http
            .get(authorize_url(&server, &[("response_mode", mode)]))
            .send()
            .await
            .unwrap();
        if mode.is_empty() {
            // `authorize_url` drops empty values: the default mode, sign-in first.
            assert!(
                response.headers()[LOCATION]
                    .to_str()
                    .unwrap()
                    .starts_with("/login?")
            );
            continue;
        }
        let location = url::Url::parse(response.headers()[LOCATION].to_str().unwrap()).unwrap();
        assert!(location.as_str().starts_with(REDIRECT), "{mode}");
        assert_eq!(
            query(&location, "error").as_deref(),
            Some("invalid_request"),
            "{mode}"
        );
        assert_eq!(query(&location, "state").as_deref(), Some("s1"));
        assert_eq!(query(&location, "iss"), Some(server.url.clone()));
    }
    let discovery: serde_json::Value = browser
        .http
        .get(server.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["response_modes_supported"],
        serde_json::json!(["query", "form_post"])
    );
}
