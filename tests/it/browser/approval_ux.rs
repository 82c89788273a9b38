//! The Approve/Deny moment at phone size (issue 14, points 2, 6, 7, 14): a double tap is
//! one approval and ends on success; a code that expires while the page is open says it
//! expired; a device on another network makes Deny the primary action and Approve needs
//! "The device is in front of me". docs/device-experience.md, "Approving a device".

use std::time::Duration;

use super::{Browser, Chrome, Size};
use crate::support::TestServer;

const PASSWORD: &str = "approval ux password";

async fn server_with(configure: impl FnOnce(&mut usher::config::Config)) -> TestServer {
    let server = TestServer::start_with(configure).await;
    server
        .create_public_client("tv", "Living Room TV app", "openid profile")
        .await;
    server.create_user("mia", PASSWORD).await;
    server
}

/// Signs in and opens the consent page of `user_code`.
async fn on_consent(chrome: &Chrome, server: &TestServer, user_code: &str) -> Browser {
    let phone = chrome.browser(Size::Phone, true).await;
    phone.sign_in(&server.url, "mia", PASSWORD).await;
    phone.goto(&server.url("/device")).await;
    phone.fill("#user_code", user_code).await;
    phone
        .click("form[action='/device'] button[type=submit]")
        .await;
    phone
        .wait_for_url(&server.url("/device/consent"), Duration::from_secs(5))
        .await;
    phone
}

#[tokio::test]
async fn a_double_tap_on_approve_ends_on_success() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = server_with(|_| {}).await;
    let auth = server.device_authorization("tv", None, &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    let phone = on_consent(&chrome, &server, user_code).await;
    // The countdown runs from a machine-readable value.
    let time = phone.find("time[data-expires-in]").await;
    assert!(
        time.attr("datetime")
            .await
            .unwrap()
            .unwrap()
            .starts_with("PT")
    );
    phone.screenshots("approval-same-network").await;
    // Two taps 40 ms apart, as a person's thumb does.
    phone
        .client
        .execute(
            "var b = document.querySelector('button[value=approve]');\
             b.click(); setTimeout(function () { b.click(); }, 40);",
            vec![],
        )
        .await
        .unwrap();
    phone
        .wait_for_heading("signed in", Duration::from_secs(5))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let heading = phone.text("h1").await;
    assert!(heading.contains("signed in"), "{heading}");
    phone.screenshots("approval-double-tap").await;
    let (status, body) = server
        .poll("tv", auth["device_code"].as_str().unwrap())
        .await;
    assert_eq!(status, 200, "{body}");
    phone.close().await;
}

#[tokio::test]
async fn a_code_expiring_on_an_open_page_says_it_expired() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = server_with(|c| c.device_code_lifetime_secs = 60).await;
    let auth = server.device_authorization("tv", None, &[]).await;
    let user_code = auth["user_code"].as_str().unwrap();
    let phone = on_consent(&chrome, &server, user_code).await;
    // The page counts down on its own; the server's clock decides.
    server.clock.advance_secs(61);
    phone.click("button[value=approve]").await;
    phone
        .wait_for_heading("Code expired", Duration::from_secs(5))
        .await;
    let page = phone.text("main").await;
    assert!(page.contains("new code"), "{page}");
    assert!(!page.contains("no longer waiting"), "{page}");
    phone.screenshots("approval-expired").await;
    phone.close().await;
}

#[tokio::test]
async fn another_network_makes_deny_primary_and_approve_a_second_step() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    // Behind a trusted proxy on 127.0.0.1: the device's forwarded address is elsewhere.
    let server = server_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let response = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .header("X-Forwarded-For", "203.0.113.9")
        .header("X-Device-Name", "Living-room TV")
        .form(&[("client_id", "tv"), ("scope", "openid profile")])
        .send()
        .await
        .unwrap();
    let auth: serde_json::Value = response.json().await.unwrap();
    let user_code = auth["user_code"].as_str().unwrap();
    let phone = on_consent(&chrome, &server, user_code).await;

    // The warning leads the page, with its icon.
    let first = phone
        .client
        .execute(
            "return document.querySelector('main').querySelector('*').id;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(first, "network-warning");
    phone.find("#network-warning svg").await;
    let reported = phone.text("#reported-heading").await;
    assert_eq!(reported, "Reported by the device");
    // Deny first and primary; Approve secondary and disabled until the box is ticked.
    let deny = phone
        .find("form[data-decision-form] button[value=deny]")
        .await;
    assert!(
        deny.attr("class")
            .await
            .unwrap()
            .unwrap()
            .contains("primary")
    );
    let approve = phone.find("button[value=approve]").await;
    assert!(
        approve
            .attr("class")
            .await
            .unwrap()
            .unwrap()
            .contains("secondary")
    );
    assert!(!approve.is_enabled().await.unwrap());
    phone.screenshots("approval-other-network").await;
    phone.click("#in-front").await;
    assert!(approve.is_enabled().await.unwrap());
    phone.screenshots("approval-other-network-ticked").await;
    approve.click().await.unwrap();
    phone
        .wait_for_heading("signed in", Duration::from_secs(5))
        .await;
    phone.close().await;
}
