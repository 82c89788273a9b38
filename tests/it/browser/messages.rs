//! Message and error pages at phone size (390×844), light and dark: screenshots as
//! artifacts (`target/screenshots/messages-*`), and the dark badge's mark is dark.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Chrome, Size};
use crate::pages::{PASSWORD, new_code, server};

/// A DevTools-protocol command sent through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
struct DevToolsCommand {
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevToolsCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": "Emulation.setEmulatedMedia", "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

#[tokio::test]
async fn message_and_error_pages_at_phone_size_light_and_dark() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = server().await;
    let (_, used) = new_code(&server).await;
    crate::phone::approve_device(&server.url, &used, "alice", PASSWORD).await;
    let phone = chrome.browser(Size::Phone, true).await;
    for scheme in ["light", "dark"] {
        let params = json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] });
        phone
            .client
            .issue_cmd(DevToolsCommand { params })
            .await
            .expect("emulated colour scheme");
        phone.goto(&server.url("/no-such-page")).await;
        phone
            .wait_for_heading("Page not found", Duration::from_secs(5))
            .await;
        let mark = phone
            .client
            .execute(
                "return getComputedStyle(document.querySelector('.badge')).color;",
                vec![],
            )
            .await
            .unwrap();
        let expected = if scheme == "dark" {
            "rgb(15, 17, 21)"
        } else {
            "rgb(255, 255, 255)"
        };
        assert_eq!(mark, json!(expected), "{scheme} badge mark");
        phone
            .screenshots(&format!("messages-not-found-{scheme}"))
            .await;
        phone.goto(&server.url("/device")).await;
        phone
            .client
            .find(fantoccini::Locator::Css("input[name=user_code]"))
            .await
            .unwrap()
            .send_keys(&used)
            .await
            .unwrap();
        phone
            .client
            .find(fantoccini::Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        phone
            .wait_for_heading("Code already used", Duration::from_secs(5))
            .await;
        phone
            .screenshots(&format!("messages-code-used-{scheme}"))
            .await;
    }
}
