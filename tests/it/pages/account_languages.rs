//! Issue 14: the account pages, message pages and error pages in the reader's language
//! (Accept-Language, or the switcher's `usher_lang` cookie), with right-to-left for Arabic.

use reqwest::{StatusCode, header};

use super::{read, server, signed_in_phone};
use crate::phone::{Phone, location, page_text};

/// GET `path` from `phone` asking for `language`.
async fn get_in(phone: &Phone, path: &str, language: &str) -> reqwest::Response {
    phone
        .http
        .get(phone.url(path))
        .header(header::ACCEPT_LANGUAGE, language)
        .send()
        .await
        .expect("GET")
}

#[tokio::test]
async fn the_devices_page_speaks_spanish() {
    let server = server().await;
    let phone = signed_in_phone(&server).await;
    let response = get_in(&phone, "/account/devices", "es-ES,es;q=0.9,en;q=0.5").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_LANGUAGE], "es");
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="es" dir="ltr">"#), "{html}");
    let text = page_text(&html);
    for expected in [
        "Tus dispositivos",
        "Has iniciado sesión como alice",
        "Inicios de sesión y aprobaciones recientes",
        "Inicio de sesión con tu contraseña",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    for english in ["Your devices", "Signed in as", "Recent sign-ins"] {
        assert!(!text.contains(english), "{english:?} in {text}");
    }
}

#[tokio::test]
async fn the_activity_says_how_long_ago_in_german_with_the_exact_moment() {
    let server = server().await;
    let phone = signed_in_phone(&server).await;
    server.clock.advance_secs(5 * 60 + 10);
    let html = get_in(&phone, "/account/devices", "de")
        .await
        .text()
        .await
        .unwrap();
    let text = page_text(&html);
    assert!(
        text.contains("Letzte Anmeldungen und Bestätigungen"),
        "{text}"
    );
    assert!(text.contains("Mit Ihrem Passwort angemeldet"), "{text}");
    assert!(text.contains("Wann vor 5 Minuten"), "{text}");
    // The exact moment, machine-readable and as a tooltip with a German month.
    let document = scraper::Html::parse_document(&html);
    let times = scraper::Selector::parse("section.activity time").unwrap();
    let time = document.select(&times).next().expect("a <time>").value();
    let datetime = time.attr("datetime").expect("datetime");
    // RFC 3339 in UTC: 2026-12-07T00:05:00Z.
    let shape = datetime.len() == 20
        && datetime.as_bytes()[10] == b'T'
        && datetime.ends_with('Z')
        && datetime[..4].bytes().all(|b| b.is_ascii_digit());
    assert!(shape, "{datetime}");
    let title = time.attr("title").expect("title");
    assert!(title.ends_with(" UTC") && title.contains(". "), "{title}");
}

#[tokio::test]
async fn an_unknown_page_is_french() {
    let server = server().await;
    let phone = Phone::new(&server.url);
    let response = get_in(&phone, "/no-such-page", "fr").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"lang="fr""#), "{html}");
    let text = page_text(&html);
    assert!(text.contains("Page introuvable"), "{text}");
    assert!(text.contains("Saisir un code"), "{text}");
    assert!(text.contains("Référence"), "{text}");
    assert!(!text.contains("Page not found"), "{text}");
}

#[tokio::test]
async fn an_error_page_in_arabic_reads_right_to_left() {
    let server = server().await;
    let phone = signed_in_phone(&server).await;
    let response = get_in(&phone, "/account/devices/sign-out?device_id=nope", "ar").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#), "{html}");
    let text = page_text(&html);
    assert!(text.contains("لم يتم العثور على الجهاز"), "{text}");
    assert!(text.contains("أجهزتك"), "{text}");
    assert!(!text.contains("Device not found"), "{text}");
}

#[tokio::test]
async fn english_stays_english() {
    let server = server().await;
    let phone = signed_in_phone(&server).await;
    let (status, text) = read(phone.get("/account/devices").await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("Signed in as alice"), "{text}");
    assert!(
        text.contains("These devices and apps are signed in"),
        "{text}"
    );
    let (_, text) = read(phone.get("/account/security").await).await;
    assert!(text.contains("Sign-in and security"), "{text}");
}

#[tokio::test]
async fn the_switcher_remembers_the_language_and_returns_only_here() {
    let server = server().await;
    let phone = signed_in_phone(&server).await;
    let switched = phone
        .get("/language?set=ja&return=%2Faccount%2Fdevices")
        .await;
    assert!(switched.status().is_redirection(), "{}", switched.status());
    assert_eq!(location(&switched), "/account/devices");
    let cookie = switched.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("usher_lang=ja;"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    // The cookie beats the browser's Accept-Language.
    let html = get_in(&phone, "/account/devices", "en")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"lang="ja""#), "{html}");
    assert!(page_text(&html).contains("デバイス一覧"), "{html}");

    for elsewhere in ["//evil.example", "https://evil.example/", "/\\evil.example"] {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("set", "de")
            .append_pair("return", elsewhere)
            .finish();
        let response = phone.get(&format!("/language?{query}")).await;
        assert_eq!(location(&response), "/device", "{elsewhere}");
    }
}

/// Every message of the account and message pages parses and exists in every language
/// (a message that does not parse is missing from its bundle).
#[test]
fn account_and_message_catalogues_are_complete() {
    use usher::i18n::{Locale, has};
    for area in ["account", "messages"] {
        let path = format!("{}/locales/en/{area}.ftl", env!("CARGO_MANIFEST_DIR"));
        let english = std::fs::read_to_string(path).unwrap();
        let ids: Vec<&str> = english
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" = ").map(|(id, _)| id))
            .collect();
        assert!(ids.len() > 30, "{area}: {ids:?}");
        for locale in Locale::ALL {
            let missing: Vec<_> = ids.iter().filter(|id| !has(locale, id)).collect();
            assert!(
                missing.is_empty(),
                "{}/{area}.ftl lacks {missing:?}",
                locale.tag()
            );
        }
    }
}
