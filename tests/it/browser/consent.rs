//! The consent page as a person sees it on a phone: what the device said about itself, its
//! address, how long ago it asked, and the different-network warning (RFC 8628 §5.4); and
//! the lock-out page after too many wrong codes (§5.1). docs/device-experience.md.

use std::time::Duration;

use fantoccini::Locator;
use reqwest::header::USER_AGENT;

use super::{Browser, Chrome, Size};
use crate::support::TestServer;

const PASSWORD: &str = "consent page password";
const WARNING: &str = "This request comes from a different network than you. Only approve a device that is in front of you.";
/// Documentation address (RFC 5737): the TV's network as the proxy reports it.
const TV_ADDRESS: &str = "203.0.113.9";

/// The `dt`/`dd` pairs of the device details, as rendered.
async fn device_details(browser: &Browser) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    for css in ["dl.meta dt", "dl.meta dd"] {
        let mut column = Vec::new();
        for element in browser.client.find_all(Locator::Css(css)).await.unwrap() {
            column.push(element.text().await.unwrap());
        }
        texts.push(column);
    }
    let values = texts.pop().unwrap();
    let labels = texts.pop().unwrap();
    assert_eq!(labels.len(), values.len());
    labels.into_iter().zip(values).collect()
}

#[tokio::test]
async fn the_phone_sees_which_device_asks_from_where_and_when_then_approves() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    // Usher behind a reverse proxy on 127.0.0.1: the TV's request carries its real
    // address in X-Forwarded-For, the phone's comes from the proxy's own network.
    let server =
        TestServer::start_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    server
        .create_public_client("tv", "Living Room TV app", "openid profile")
        .await;
    server.create_user("hana", PASSWORD).await;

    let response = server
        .http
        .post(server.url("/oauth2/device_authorization"))
        .header("X-Forwarded-For", TV_ADDRESS)
        .header("X-Device-Name", "Living-room TV")
        .header("X-Device-Model", "Bravia XR-55A80L")
        .header("X-Device-OS", "Google TV 12")
        .header("X-Device-App-Version", "4.2.0")
        .header(USER_AGENT, "LivingRoomTV/4.2")
        .form(&[("client_id", "tv"), ("scope", "openid profile")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let auth: serde_json::Value = response.json().await.unwrap();
    let user_code = auth["user_code"].as_str().unwrap();
    let device_code = auth["device_code"].as_str().unwrap();
    let (_, body) = server.poll("tv", device_code).await;
    assert_eq!(body["error"], "authorization_pending");

    // The phone scans the QR code: the link pre-fills the code and asks to compare it.
    let phone = chrome.browser(Size::Phone, true).await;
    phone
        .goto(auth["verification_uri_complete"].as_str().unwrap())
        .await;
    let entry = phone.text("main").await;
    assert!(
        entry.contains("Check that this code matches the one on your device"),
        "{entry}"
    );
    let prefilled = phone.find("#user_code").await.prop("value").await.unwrap();
    assert_eq!(prefilled.as_deref(), Some(user_code));
    phone.screenshots("device-link-compare-code").await;
    phone
        .click("form[action='/device'] button[type=submit]")
        .await;
    phone
        .wait_for_url(&server.url("/login"), Duration::from_secs(5))
        .await;
    phone.fill("#username", "hana").await;
    phone.fill("#password", PASSWORD).await;
    phone
        .click("form[action='/login'] button[type=submit]")
        .await;
    phone
        .wait_for_url(&server.url("/device/consent"), Duration::from_secs(5))
        .await;

    // Two minutes pass on the server's clock before the person looks closely.
    server.clock.advance_secs(125);
    phone.goto(&server.url("/device/consent")).await;
    let details = device_details(&phone).await;
    for (label, value) in [
        ("Name", "Living-room TV"),
        ("Model", "Bravia XR-55A80L"),
        ("System", "Google TV 12"),
        ("App version", "4.2.0"),
        ("Software", "LivingRoomTV/4.2"),
        ("Asked", "2 minutes ago"),
        ("Code", user_code),
    ] {
        assert!(
            details.contains(&(label.to_string(), value.to_string())),
            "{label}: {value} in {details:?}"
        );
    }
    // The address with what Usher observed of it (issue 14, point 6).
    let address = details.iter().find(|(label, _)| label == "IP address");
    let (_, address) = address.expect("an IP address");
    assert!(address.starts_with(TV_ADDRESS), "{address}");
    assert!(
        address.contains("a different network from yours"),
        "{address}"
    );
    let warning = phone.find("#network-warning").await;
    assert!(warning.is_displayed().await.unwrap());
    assert!(warning.text().await.unwrap().contains(WARNING));
    let heading = phone.text("h1").await;
    assert!(heading.contains("Living Room TV app"), "{heading}");
    phone.screenshots("consent-device-other-network").await;

    // From another network Approve needs the deliberate second step (issue 14, point 7).
    phone.click("#in-front").await;
    phone.click("button[value=approve]").await;
    phone
        .wait_for_heading("Device signed in", Duration::from_secs(5))
        .await;
    phone.screenshots("consent-approved").await;
    server
        .clock
        .advance_secs(auth["interval"].as_i64().unwrap());
    let (status, tokens) = server.poll("tv", device_code).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string() && tokens["id_token"].is_string());
    phone.close().await;
}

#[tokio::test]
async fn too_many_wrong_codes_show_the_lock_out_page() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start().await;
    let budget = server.state.config.user_code_attempts_per_session;
    let browser = chrome.browser(Size::Phone, true).await;
    for attempt in 1..=budget {
        browser.goto(&server.url("/device")).await;
        browser.fill("#user_code", "KKKK-KKKK").await;
        browser
            .click("form[action='/device'] button[type=submit]")
            .await;
        if attempt < budget {
            let error = browser.text("#code-error").await;
            assert!(error.contains("That code is not valid"), "{error}");
            if attempt == 1 {
                browser.screenshots("device-wrong-code").await;
            }
        }
    }
    browser
        .wait_for_heading("Too many wrong codes", Duration::from_secs(5))
        .await;
    let page = browser.text("main").await;
    assert!(page.contains("paused in this browser"), "{page}");
    assert!(page.contains("try again in 10 minutes"), "{page}");
    browser.screenshots("device-locked-out").await;

    // Still locked when coming back to the form, even with a well-formed code.
    browser.click("a[href='/device']").await;
    browser.fill("#user_code", "BCDF-GHJK").await;
    browser
        .click("form[action='/device'] button[type=submit]")
        .await;
    browser
        .wait_for_heading("Too many wrong codes", Duration::from_secs(5))
        .await;
    browser.close().await;
}
