//! `/device/display`: the countdown QR page of a device's pending authorization, as a
//! browser-based TV app or kiosk shows it.

use std::time::Duration;
use usher::protocol::GrantType;

use usher::store::Client;

use super::{Chrome, Size, read_qr};
use crate::{
    phone::{approve_device, deny_device},
    support::TestServer,
};

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
    tv.wait_for_heading("isn't waiting", Duration::from_secs(5))
        .await;
    tv.screenshots("device-display-unknown").await;
    tv.close().await;
}

/// The TV sizes of issue 14: 720p and 1080p.
const TV_SIZES: [(u32, u32); 2] = [(1280, 720), (1920, 1080)];

#[tokio::test]
async fn the_display_page_fills_a_tv_screen_and_changes_in_place() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start_real_time(|_| {}).await;
    server.create_user("hana", PASSWORD).await;
    let client = Client {
        id: "kiosk".into(),
        name: "Lobby Kiosk".into(),
        allowed_scopes: "openid profile".into(),
        grant_types: vec![GrantType::DeviceCode],
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
    let tv = chrome.browser(Size::Desktop, true).await;
    let dir = super::screenshot_dir();
    std::fs::create_dir_all(&dir).expect("screenshot dir");

    for (outcome, approve) in [("Approved", true), ("declined", false)] {
        let started = server
            .device_authorization("kiosk", Some("openid"), &[])
            .await;
        let code = started["user_code"].as_str().unwrap().to_string();
        tv.goto(&server.url(&format!("/device/display?user_code={code}")))
            .await;
        tv.find("#qr-user-code").await;
        let html = tv.client.source().await.unwrap();
        assert!(!html.contains("http-equiv"), "no automatic refresh: {html}");

        // Readable from across the room: QR code at least 40 % of the screen's height, the
        // code at least 64 px tall, QR left of the code, all of it on screen.
        for (width, height) in TV_SIZES {
            tv.fit_viewport(width, height).await;
            let measured = tv
                .client
                .execute(
                    "var qr = document.querySelector('img.qr').getBoundingClientRect();
                     var code = document.getElementById('qr-user-code');
                     var box = code.getBoundingClientRect();
                     return [window.innerWidth, window.innerHeight, qr.height, qr.right,
                             parseFloat(getComputedStyle(code).fontSize), box.height, box.left,
                             Math.max(qr.bottom, box.bottom)];",
                    vec![],
                )
                .await
                .unwrap();
            let m: Vec<f64> = serde_json::from_value(measured).unwrap();
            let (inner_w, inner_h, qr_h, qr_right, font, code_h, code_left, bottom) =
                (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
            assert_eq!((inner_w, inner_h), (width as f64, height as f64));
            assert!(qr_h >= 0.4 * inner_h, "{width}x{height}: QR {qr_h} px");
            assert!(
                font >= 64.0 && code_h >= 64.0,
                "{width}x{height}: code {font}/{code_h} px"
            );
            assert!(
                qr_right <= code_left,
                "{width}x{height}: QR left of the code"
            );
            assert!(
                bottom <= inner_h,
                "{width}x{height}: all on screen ({bottom})"
            );
            if approve {
                let png = tv.client.screenshot().await.expect("screenshot");
                let path = dir.join(format!("device-display-tv-{width}x{height}.png"));
                std::fs::write(&path, png).expect("write screenshot");
            }
        }

        // Set at load, gone if anything reloads the page.
        tv.client
            .execute(
                "window.loadedOnce = 'still this page'; return null;",
                vec![],
            )
            .await
            .unwrap();
        if approve {
            approve_device(&server.url, &code, "hana", PASSWORD).await;
        } else {
            deny_device(&server.url, &code, "hana", PASSWORD).await;
        }
        tv.wait_for_heading(outcome, Duration::from_secs(10)).await;
        let marker = tv
            .client
            .execute("return window.loadedOnce || null;", vec![])
            .await
            .unwrap();
        assert_eq!(marker, "still this page", "changed in place, not reloaded");
        if approve {
            let (width, height) = TV_SIZES[1];
            tv.fit_viewport(width, height).await;
            let png = tv.client.screenshot().await.expect("screenshot");
            let path = dir.join(format!("device-display-tv-approved-{width}x{height}.png"));
            std::fs::write(&path, png).expect("write screenshot");
        }
    }
    tv.close().await;
}
