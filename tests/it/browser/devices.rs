//! The account pages in a real browser: `/account/devices` lists a device signed in with
//! the device grant and signs it out; "Add a device" pairs a phone app by its pairing QR
//! code (docs/linked-devices.md).

use std::time::Duration;

use serde_json::Value;

use super::{Browser, Chrome, Size, read_qr};
use crate::{pairing::pair_device, support::TestServer};

const PASSWORD: &str = "account pages password";

/// A server on the manual clock (so "Linked 2 minutes ago" is exact) with the person
/// `mira`, the device client `tv` and the resource server `rs` (introspection).
async fn setup() -> (TestServer, String) {
    let server = TestServer::start().await;
    server.create_user("mira", PASSWORD).await;
    server
        .create_public_client("tv", "Living Room TV App", "openid profile offline_access")
        .await;
    server
        .create_public_client("app", "Photos for Android", "openid profile offline_access")
        .await;
    let (_, rs_secret) = server.create_confidential_client("rs", "openid").await;
    (server, rs_secret)
}

/// A TV asks for a code; the person approves it in `browser` (already signed in) by
/// opening the QR link; the TV's first poll gets the tokens.
async fn sign_in_tv(server: &TestServer, browser: &Browser, name: &str) -> Value {
    let auth = server
        .device_authorization(
            "tv",
            Some("openid profile offline_access"),
            &[("X-Device-Name", name), ("X-Device-Model", "Bravia XR-55")],
        )
        .await;
    browser
        .goto(auth["verification_uri_complete"].as_str().unwrap())
        .await;
    browser
        .click("form[action='/device'] button[type=submit]")
        .await;
    browser
        .wait_for_url(&server.url("/device/consent"), Duration::from_secs(5))
        .await;
    browser.click("button[value=approve]").await;
    browser
        .wait_for_heading("Device signed in", Duration::from_secs(5))
        .await;
    let (status, tokens) = server
        .poll("tv", auth["device_code"].as_str().unwrap())
        .await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

/// The entries of `/account/devices` as the browser shows them, whitespace collapsed.
async fn listed(browser: &Browser) -> Vec<String> {
    let mut entries = Vec::new();
    for li in browser
        .client
        .find_all(fantoccini::Locator::Css("li.linked-device"))
        .await
        .unwrap()
    {
        let text = li.text().await.unwrap();
        entries.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    entries
}

/// Nothing sticks out sideways: the page fits the window without horizontal scrolling.
async fn assert_fits_width(browser: &Browser, page: &str) {
    let widths = browser
        .client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    let (content, window): (u64, u64) = serde_json::from_value(widths).unwrap();
    assert!(
        content <= window,
        "{page} is {content} px wide in a {window} px window"
    );
}

/// The device of `name` on the devices page: its "Sign out this device" button.
async fn sign_out_button(browser: &Browser, name: &str) -> fantoccini::elements::Element {
    for li in browser
        .client
        .find_all(fantoccini::Locator::Css("li.linked-device"))
        .await
        .unwrap()
    {
        if li.text().await.unwrap().contains(name) {
            return li
                .find(fantoccini::Locator::Css("button[type=submit]"))
                .await
                .unwrap();
        }
    }
    panic!("{name} is not listed: {:?}", listed(browser).await);
}

#[tokio::test]
async fn the_devices_page_lists_a_tv_and_signing_it_out_stops_its_tokens() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let (server, rs_secret) = setup().await;
    let phone = chrome.browser(Size::Phone, true).await;
    phone.sign_in(&server.url, "mira", PASSWORD).await;
    let tv = sign_in_tv(&server, &phone, "Living room TV").await;
    let tablet = sign_in_tv(&server, &phone, "Kitchen tablet").await;

    // Two minutes later the TV refreshes its tokens: that is when it was last used.
    server.clock.advance_secs(125);
    let (status, refreshed) = server
        .refresh("tv", tv["refresh_token"].as_str().unwrap(), None)
        .await;
    assert_eq!(status, 200, "{refreshed}");
    let access = refreshed["access_token"].as_str().unwrap();
    let refresh_token = refreshed["refresh_token"].as_str().unwrap();

    phone.goto(&server.url("/account/devices")).await;
    phone
        .wait_for_heading("Your devices", Duration::from_secs(5))
        .await;
    let entries = listed(&phone).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    let entry = entries
        .iter()
        .find(|e| e.contains("Living room TV"))
        .unwrap_or_else(|| panic!("the TV is not listed: {entries:?}"));
    for words in [
        "Model Bravia XR-55",
        "App Living Room TV App",
        "Linked 2 minutes ago",
        "Last used less than a minute ago",
        "IP address 127.0.0.1",
        "Sign out this device",
    ] {
        assert!(entry.contains(words), "{words:?} not in {entry:?}");
    }
    assert_fits_width(&phone, "/account/devices").await;
    phone.screenshots("account-devices").await;

    sign_out_button(&phone, "Living room TV")
        .await
        .click()
        .await
        .unwrap();
    // One tap only asks: the second step signs out.
    phone
        .wait_for_heading("Sign out Living room TV?", Duration::from_secs(5))
        .await;
    phone
        .client
        .find(fantoccini::Locator::Css("button[type=submit].primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    phone
        .wait_for_heading("Your devices", Duration::from_secs(5))
        .await;
    let entries = listed(&phone).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0].contains("Kitchen tablet"), "{entries:?}");
    phone.screenshots("account-devices-after-sign-out").await;

    // The TV is signed out at once; the tablet is not.
    let (status, body) = server.refresh("tv", refresh_token, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(
        server.introspect(&rs_secret, access).await,
        serde_json::json!({"active": false})
    );
    let tablet_access = tablet["access_token"].as_str().unwrap();
    assert_eq!(
        server.introspect(&rs_secret, tablet_access).await["active"],
        true
    );
    phone.close().await;
}

/// Clicks "Add a device" on the devices page; returns the code read from the QR code.
async fn add_a_device(browser: &Browser, server: &TestServer) -> String {
    browser.goto(&server.url("/account/devices")).await;
    browser
        .click("form[action='/account/pairing'] button[type=submit]")
        .await;
    shown_pairing_code(browser, server).await
}

/// The pairing page's code, read from its QR code as a phone camera would.
async fn shown_pairing_code(browser: &Browser, server: &TestServer) -> String {
    browser
        .wait_for_heading("Add a device", Duration::from_secs(5))
        .await;
    // The phone's camera: the QR code as drawn on the screen.
    let link = read_qr(browser, "img.qr").await;
    let prefix = server.url("/device/pair?code=");
    let code = link
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{link} is not a pairing link"))
        .to_string();
    assert_eq!(
        browser.text("#pairing-code").await,
        code,
        "QR and text agree"
    );
    code
}

#[tokio::test]
async fn a_phone_app_paired_by_qr_code_is_approved_in_the_browser() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let (server, _) = setup().await;
    let laptop = chrome.browser(Size::Desktop, true).await;
    laptop.sign_in(&server.url, "mira", PASSWORD).await;
    let code = add_a_device(&laptop, &server).await;
    assert_fits_width(&laptop, "/account/pairing").await;
    laptop.screenshots("account-pairing").await;

    let (status, auth) = pair_device(&server, &code, "Pixel 8").await;
    assert_eq!(status, 200, "{auth}");
    let device_code = auth["device_code"].as_str().unwrap();
    let (status, pending) = server.poll("app", device_code).await;
    assert_eq!(
        (status, pending["error"].as_str()),
        (400, Some("authorization_pending"))
    );

    // Nobody reloads: the waiting page refreshes itself and then asks.
    laptop
        .wait_for_heading("Pixel 8 wants to sign in as mira", Duration::from_secs(10))
        .await;
    let page = laptop.text("main").await;
    assert!(
        page.contains("Google Pixel 8") && page.contains("Photos for Android"),
        "{page}"
    );
    assert_fits_width(&laptop, "the pairing question").await;
    laptop.screenshots("account-pairing-approve").await;
    laptop.click("button[value=approve]").await;
    laptop
        .wait_for_heading("Pixel 8 is signed in", Duration::from_secs(5))
        .await;
    laptop.screenshots("account-pairing-approved").await;

    server.clock.advance_secs(5);
    let (status, tokens) = server.poll("app", device_code).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["refresh_token"].is_string(), "{tokens}");

    // The same code again, from another device: refused, in words.
    let (status, body) = pair_device(&server, &code, "Someone else").await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (400, Some("The pairing code was already used."))
    );

    laptop.click("a[href='/account/devices']").await;
    laptop
        .wait_for_heading("Your devices", Duration::from_secs(5))
        .await;
    let entries = listed(&laptop).await;
    assert!(
        entries
            .iter()
            .any(|e| e.contains("Pixel 8") && e.contains("Photos for Android")),
        "{entries:?}"
    );
    laptop.close().await;
}

#[tokio::test]
async fn an_expired_pairing_code_is_refused_and_the_page_says_so() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let (server, _) = setup().await;
    let phone = chrome.browser(Size::Phone, true).await;
    phone.sign_in(&server.url, "mira", PASSWORD).await;
    let code = add_a_device(&phone, &server).await;
    assert_fits_width(&phone, "/account/pairing").await;

    let lifetime = server.state.config.pairing_code_lifetime_secs;
    server.clock.advance_secs(lifetime as i64 + 1);
    let (status, body) = pair_device(&server, &code, "Pixel 8").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    assert_eq!(
        body["error_description"].as_str(),
        Some("The pairing code has expired. Make a new one with \"Add a device\".")
    );
    phone
        .wait_for_heading("The pairing code expired", Duration::from_secs(10))
        .await;
    phone.screenshots("account-pairing-expired").await;

    // A new code, right from there, works again.
    phone.click("button[name=add_device]").await;
    let new_code = shown_pairing_code(&phone, &server).await;
    assert_ne!(new_code, code);
    let (status, _) = pair_device(&server, &new_code, "Pixel 8").await;
    assert_eq!(status, 200);
    phone.close().await;
}
