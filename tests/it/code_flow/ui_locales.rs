//! `ui_locales` (OIDC Core §3.1.2.1): the web app's hint picks the language of the sign-in
//! pages that follow, unless the person chose one with the switcher.

use reqwest::header::{CONTENT_LANGUAGE, COOKIE, SET_COOKIE};

use super::{Browser, REDIRECT, server};

fn authorize_path(ui_locales: &str) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", "web")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "openid")
        .append_pair(
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        )
        .append_pair("code_challenge_method", "S256")
        .append_pair("ui_locales", ui_locales)
        .finish();
    format!("/oauth2/authorize?{query}")
}

#[tokio::test]
async fn ui_locales_picks_the_sign_in_language_for_the_session() {
    let server = server().await;
    let browser = Browser::new(&server);
    // Unspoken languages first: the first one we speak wins.
    let start = browser
        .http
        .get(server.url(&authorize_path("pt-BR fr-CA de")))
        .send()
        .await
        .unwrap();
    assert!(start.status().is_redirection(), "{}", start.status());
    assert_eq!(start.headers()[CONTENT_LANGUAGE], "fr");
    let hint = start
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("usher_ui_locales="))
        .expect("the hint is remembered for the browser session");
    assert!(hint.starts_with("usher_ui_locales=fr;"), "{hint}");
    assert!(
        hint.contains("HttpOnly") && hint.contains("SameSite=Lax"),
        "{hint}"
    );
    assert!(!hint.contains("Max-Age"), "a session cookie: {hint}");

    // The sign-in page the flow goes on to is French, whatever the browser asks for.
    let login = browser
        .http
        .get(server.url("/login"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(login.headers()[CONTENT_LANGUAGE], "fr");
    assert!(
        login
            .text()
            .await
            .unwrap()
            .contains(r#"<html lang="fr" dir="ltr">"#)
    );
}

#[tokio::test]
async fn the_persons_own_choice_beats_ui_locales() {
    let server = server().await;
    let browser = Browser::new(&server);
    let start = browser
        .http
        .get(server.url(&authorize_path("ar")))
        .header(COOKIE, "usher_lang=ja")
        .send()
        .await
        .unwrap();
    assert_eq!(start.headers()[CONTENT_LANGUAGE], "ja");
    // The person's choice made the hint moot: none is kept.
    assert!(
        start
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("usher_ui_locales=")),
    );
    // An earlier app's hint, then a request in nothing we speak: the browser's language,
    // and the old hint is dropped.
    let earlier = browser
        .http
        .get(server.url(&authorize_path("ar")))
        .send()
        .await
        .unwrap();
    assert_eq!(earlier.headers()[CONTENT_LANGUAGE], "ar");
    let other = browser
        .http
        .get(server.url(&authorize_path("zh-Hant xx")))
        .header("Accept-Language", "es-MX")
        .send()
        .await
        .unwrap();
    assert_eq!(other.headers()[CONTENT_LANGUAGE], "es");
    let dropped = other
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("usher_ui_locales="))
        .expect("the earlier hint is dropped");
    assert!(dropped.contains("Max-Age=0"), "{dropped}");
}

#[tokio::test]
async fn discovery_lists_the_languages() {
    let server = server().await;
    let document: serde_json::Value = reqwest::get(server.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        document["ui_locales_supported"],
        serde_json::json!(["en", "de", "fr", "es", "ja", "ar"])
    );
}
