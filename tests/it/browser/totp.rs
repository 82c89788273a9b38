//! Two-step verification in real Chromium at phone size (390×844): enrol an authenticator
//! app by reading the QR code the page shows (the secret from the `otpauth://` URI), confirm
//! with a code computed from it, sign out, and sign in with the password and a code
//! (docs/factors.md). Screenshots of each page.

use std::time::Duration;

use usher::clock::Clock;

use super::{Chrome, Size, read_qr};
use crate::{support::TestServer, totp::totp_code};

const PASSWORD: &str = "totp browser password";

/// The `secret` parameter of an `otpauth://` URI, decoded from base32.
fn secret_of(uri: &str) -> Vec<u8> {
    let url = url::Url::parse(uri).expect("otpauth URI");
    assert_eq!(url.scheme(), "otpauth");
    assert_eq!(url.host_str(), Some("totp"));
    let secret = url
        .query_pairs()
        .find(|(k, _)| k == "secret")
        .expect("secret")
        .1
        .to_string();
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in secret.bytes() {
        buffer = (buffer << 5) | ALPHABET.iter().position(|&a| a == c).expect("base32") as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

#[tokio::test]
async fn enrol_an_authenticator_app_and_sign_in_with_a_code_on_a_phone() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let server = TestServer::start().await;
    server.create_user("mira", PASSWORD).await;
    let phone = chrome.browser(Size::Phone, true).await;
    phone.sign_in(&server.url, "mira", PASSWORD).await;

    phone.goto(&server.url("/account/security")).await;
    phone.click("a[href='/account/security/totp']").await;
    phone
        .wait_for_heading("Set up an authenticator app", Duration::from_secs(5))
        .await;
    let uri = read_qr(&phone, "#totp-qr").await;
    assert!(uri.starts_with("otpauth://totp/Usher:mira?"), "{uri}");
    let secret = secret_of(&uri);
    let typed: String = phone
        .text("#totp-secret")
        .await
        .split_whitespace()
        .collect();
    assert!(
        uri.contains(&format!("secret={typed}&")),
        "{typed} in {uri}"
    );
    phone.screenshots("account-totp-enrol").await;

    let code = totp_code(&secret, server.clock.now());
    phone.fill("#code", &code).await;
    phone
        .click("form[action='/account/security/totp'] button[type=submit]")
        .await;
    phone
        .wait_for_heading("Two-step verification is on", Duration::from_secs(5))
        .await;
    let codes = phone.text("#recovery-codes").await;
    assert_eq!(codes.split_whitespace().count(), 10, "{codes}");
    phone.screenshots("account-totp-recovery-codes").await;

    // Sign out (the session cookie goes), half a minute later sign in again.
    phone.client.delete_all_cookies().await.expect("sign out");
    server.clock.advance_secs(30);
    phone.goto(&server.url("/login")).await;
    phone.fill("#username", "mira").await;
    phone.fill("#password", PASSWORD).await;
    phone
        .click("form[action='/login'] button[type=submit]")
        .await;
    phone
        .wait_for_url(&server.url("/login/otp"), Duration::from_secs(5))
        .await;
    phone.screenshots("login-otp").await;
    let code = totp_code(&secret, server.clock.now());
    phone.fill("#code", &code).await;
    phone
        .click("form[action='/login/otp'] button[type=submit]")
        .await;
    phone
        .wait_for_url(&server.url("/device"), Duration::from_secs(5))
        .await;
    phone.goto(&server.url("/account/security")).await;
    let page = phone.text("main").await;
    assert!(page.contains("Recovery codes left"), "{page}");
    phone.screenshots("account-security-totp-on").await;
    phone.close().await;
}
