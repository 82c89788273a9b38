//! Code entry, the consent page, the TV display and the approval's password re-check in
//! people's languages (issue 14): words from `locales/*/device.ftl` and `display.ftl`,
//! durations in words of the page's language, device-supplied values as sent.

use reqwest::{StatusCode, header};

use super::{PASSWORD, new_code, server, server_with};
use crate::phone::{Phone, page_text};

/// A phone whose person chose `tag` in the language switcher (the `usher_lang` cookie).
async fn phone_in(server: &crate::support::TestServer, tag: &str) -> Phone {
    let phone = Phone::new(&server.url);
    let switched = phone
        .get(&format!("/language?set={tag}&return=/device"))
        .await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    phone
}

#[tokio::test]
async fn the_code_entry_page_speaks_japanese() {
    let server = server().await;
    let response = server
        .http
        .get(server.url("/device"))
        .header(header::ACCEPT_LANGUAGE, "ja-JP,ja;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ja" dir="ltr">"#), "{html}");
    let text = page_text(&html);
    for expected in [
        "デバイスを接続",
        "テレビやデバイスに表示されているコードを入力してください。",
        "続行",
        "他人から送られてきたコードは絶対に入力しないでください。",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(!text.contains("Enter the code shown"), "{text}");

    // A wrong code is refused in Japanese too.
    let phone = Phone::new(&server.url);
    let csrf = phone.csrf_from("/device").await;
    let refused = phone
        .http
        .post(phone.url("/device"))
        .header(header::ACCEPT_LANGUAGE, "ja")
        .form(&[("user_code", "BCDF-GHJK"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let text = page_text(&refused.text().await.unwrap());
    assert!(text.contains("このコードは無効です。"), "{text}");
}

#[tokio::test]
async fn the_consent_page_in_german_keeps_the_device_name_as_sent() {
    let server = server().await;
    let headers = [
        ("X-Device-Name", "Living-room TV"),
        ("X-Device-Model", "Bravia X90"),
    ];
    let auth = server.device_authorization("tv", None, &headers).await;
    let user_code = auth["user_code"].as_str().unwrap();
    server.clock.advance_secs(125);
    let phone = phone_in(&server, "de").await;
    assert_eq!(
        phone.login("alice", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        phone.enter_code(user_code).await.status(),
        StatusCode::SEE_OTHER
    );
    let consent = phone.get("/device/consent").await;
    assert_eq!(consent.status(), StatusCode::OK);
    let html = consent.text().await.unwrap();
    assert!(html.contains(r#"<html lang="de" dir="ltr">"#), "{html}");
    let text = page_text(&html);
    for expected in [
        "Living Room TV app möchte sich als alice anmelden",
        "Bestätigen, dass Sie es sind (Ihre Konto-ID)",
        "Vom Gerät angegeben",
        "Name Living-room TV",
        "Modell Bravia X90",
        "IP-Adresse 127.0.0.1 dasselbe Netzwerk wie Ihres",
        // Durations in German words, with German plurals.
        "Angefragt vor 2 Minuten",
        "Läuft ab in",
        "Zulassen",
        "Ablehnen",
        user_code,
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(!text.contains("minutes"), "{text}");
    // The device's own words are isolated, never translated.
    assert!(html.contains("<bdi>Living-room TV</bdi>"), "{html}");
    assert!(
        html.contains("<strong><bdi>Living Room TV app</bdi></strong>"),
        "{html}"
    );
}

#[tokio::test]
async fn the_tv_display_in_arabic_reads_right_to_left() {
    let server = server().await;
    let (_, code) = new_code(&server).await;
    let response = server
        .http
        .get(server.url(&format!("/device/display?user_code={code}")))
        .header(header::ACCEPT_LANGUAGE, "ar")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#), "{html}");
    for expected in [
        "سجّل الدخول على هذا الجهاز",
        "امسح رمز QR بكاميرا هاتفك، أو افتح",
        "ينتهي خلال",
        // The outcomes the live script swaps in are rendered in Arabic too.
        "تمت الموافقة",
        "رُفض تسجيل الدخول",
        "انتهت صلاحية هذا الرمز",
        &format!("رمز QR لرابط تسجيل الدخول للرمز {code}"),
    ] {
        assert!(html.contains(expected), "{expected:?} in {html}");
    }
    assert!(
        html.contains(&format!(r#"id="qr-user-code">{code}</p>"#)),
        "{html}"
    );
    assert!(!html.contains("Sign in this device"), "{html}");
    // The live script writes no words of its own.
    let script = reqwest::get(server.url("/static/display.js"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let code: String = script
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect();
    for english in [
        "Approved",
        "declined",
        "expired</",
        "Check again",
        "Expires",
    ] {
        assert!(!code.contains(english), "{english} in display.js");
    }
}

/// Too many wrong passwords on the approval's re-check: the page stays (Deny still works)
/// and says how long the pause lasts, in the page's language.
#[tokio::test]
async fn the_password_recheck_lockout_says_how_long_to_wait() {
    let server = server_with(|c| {
        c.login_attempts = 3;
        c.approval_max_session_age_secs = 60;
    })
    .await;
    let phone = phone_in(&server, "de").await;
    assert_eq!(
        phone.login("alice", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    server.clock.advance_secs(61);
    let (device_code, user_code) = new_code(&server).await;
    assert_eq!(
        phone.enter_code(&user_code).await.status(),
        StatusCode::SEE_OTHER
    );
    let csrf = phone.csrf_from("/device/consent").await;
    let approve = |password| {
        [
            ("decision", "approve"),
            ("csrf", csrf.as_str()),
            ("password", password),
        ]
    };
    let mut locked = None;
    for _ in 0..6 {
        let response = phone.post_form("/device/consent", &approve("wrong")).await;
        match response.status() {
            StatusCode::UNAUTHORIZED => {
                let text = page_text(&response.text().await.unwrap());
                assert!(
                    text.contains("Dieses Passwort ist nicht richtig."),
                    "{text}"
                );
            }
            StatusCode::TOO_MANY_REQUESTS => {
                locked = Some(response);
                break;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let locked = locked.expect("locked after a few wrong passwords");
    let retry_after: i64 = locked.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let wait = match (retry_after + 59) / 60 {
        1 => "1 Minute".to_string(),
        minutes => format!("{minutes} Minuten"),
    };
    let text = page_text(&locked.text().await.unwrap());
    assert!(text.contains("Zu viele falsche Passwörter."), "{text}");
    assert!(
        text.contains(&format!("Versuchen Sie es in {wait} erneut.")),
        "{text}"
    );
    // Still the approval page: Deny works meanwhile, nothing was approved.
    assert!(text.contains("Ablehnen"), "{text}");
    let (status, body) = server.poll("tv", &device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );

    // Even the right password waits; in English the same page says so in English.
    phone.get("/language?set=en&return=/device").await;
    let response = phone.post_form("/device/consent", &approve(PASSWORD)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let text = page_text(&response.text().await.unwrap());
    assert!(text.contains("Too many wrong passwords."), "{text}");
    assert!(
        text.contains("try again in 1 minute. You can still deny."),
        "{text}"
    );
}
