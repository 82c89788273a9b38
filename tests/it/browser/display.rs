//! `/device/display`: the countdown QR page of a device's pending authorization, as a
//! browser-based TV app or kiosk shows it.

use std::time::Duration;
use usher::protocol::GrantType;

use usher::store::Client;

use super::{Chrome, Size, read_qr};
use crate::{phone::approve_device, support::TestServer};

const PASSWORD: &str = "display password";

#[tokio::test]
async fn the_display_page_shows_the_code_then_the_outcome_or_the_expiry() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start_real_time(|_| {}).await;
    server.create_user("hana", PASSWORD).await;
    for (id, lifetime) in [("kiosk", None), ("quick-kiosk", Some(3))] {
        let client = Client {
            id: id.into(),
            name: "Lobby Kiosk".into(),
            allowed_scopes: "openid profile".into(),
            grant_types: vec![GrantType::DeviceCode],
            device_code_lifetime_secs: lifetime,
            ..Client::default()
        };
        server.state.db.create_client(&client).await.unwrap();
    }
    let tv = chrome.browser(Size::Desktop, true).await;

    let started = server
        .device_authorization("kiosk", Some("openid"), &[])
        .await;
    let code = started["user_code"].as_str().unwrap();
    tv.goto(&server.url(&format!("/device/display?user_code={code}")))
        .await;
    assert_eq!(tv.text("#qr-user-code").await, code);
    assert_eq!(
        read_qr(&tv, "img.qr").await,
        started["verification_uri_complete"].as_str().unwrap()
    );
    tv.screenshots("device-display").await;
    approve_device(&server.url, code, "hana", PASSWORD).await;
    tv.wait_for_heading("Approved", Duration::from_secs(10))
        .await;

    let quick = server
        .device_authorization("quick-kiosk", Some("openid"), &[])
        .await;
    let code = quick["user_code"].as_str().unwrap();
    tv.goto(&server.url(&format!("/device/display?user_code={code}")))
        .await;
    tv.wait_for_heading("expired", Duration::from_secs(8)).await;
    tv.screenshots("device-display-expired").await;

    // Unknown codes are a page, not a way to probe for live codes without limit.
    tv.goto(&server.url("/device/display?user_code=BCDF-GHJK"))
        .await;
    tv.wait_for_heading("not found", Duration::from_secs(5))
        .await;
    tv.close().await;
}
