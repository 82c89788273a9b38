//! The sign-in pages in people's languages (issue 14), on SQLite: the language the
//! browser asks for (`Accept-Language`) on the sign-in page, its errors, the lock-out pages
//! with their wait in words, a sign-in link that cannot be followed, the QR sign-in page
//! and the passkey endpoints' JSON refusals (shown by `static/webauthn.js`).

use reqwest::{
    StatusCode,
    header::{self, HeaderMap, HeaderValue},
    redirect::Policy,
};
use serde_json::Value;
use usher::{
    clock::Clock,
    i18n::{self, Args, Locale},
    protocol::GrantType,
    store::Client,
};

use super::{new_code, read, server, server_with};
use crate::{
    phone::{Phone, location, page_text},
    support::TestServer,
    totp::{enrol, totp_code},
};

/// A phone whose browser asks for `language` (its own cookie jar, no redirects followed).
fn phone_in(server: &TestServer, language: &'static str) -> Phone {
    let mut phone = Phone::new(&server.url);
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static(language));
    phone.http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .default_headers(headers)
        .build()
        .expect("HTTP client");
    phone
}

/// `n` minutes in `locale`'s words, as the pages say a wait.
fn minutes(locale: Locale, n: i64) -> String {
    i18n::text_with(locale, "remaining-minutes", &Args::new().with("n", n))
}

#[tokio::test]
async fn the_sign_in_page_speaks_german_and_arabic_reads_right_to_left() {
    let server = server().await;
    let response = phone_in(&server, "de-DE,de;q=0.9,en;q=0.5")
        .get("/login?next=/device/consent")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_LANGUAGE], "de");
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="de" dir="ltr">"#), "{html}");
    let text = page_text(&html);
    for german in [
        "Anmelden",
        "Benutzername",
        "Passwort",
        "Melden Sie sich an, um ein Gerät zu verbinden.",
    ] {
        assert!(text.contains(german), "{german:?} in {text}");
    }
    assert!(!text.contains("Username"), "{text}");

    let html = phone_in(&server, "ar")
        .get("/login")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#), "{html}");
    assert!(page_text(&html).contains("اسم المستخدم"), "{html}");

    // English stays as it was for everyone else.
    let html = phone_in(&server, "zh-CN")
        .get("/login")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#), "{html}");
    assert!(
        page_text(&html).contains("Sign in to connect a device."),
        "{html}"
    );
}

#[tokio::test]
async fn a_wrong_password_is_said_in_the_persons_language() {
    let server = server().await;
    for (language, words) in [
        ("de", "Benutzername oder Passwort ist falsch."),
        ("fr", "Nom d’utilisateur ou mot de passe incorrect."),
        ("ja", "ユーザー名またはパスワードが正しくありません。"),
        ("en", "Wrong username or password."),
    ] {
        let (status, text) = read(phone_in(&server, language).login("alice", "wrong").await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{language}");
        assert!(text.contains(words), "{language}: {text}");
    }
}

/// Issue 14: the second step's too-many-attempts page says how long to wait, in words of
/// the person's language, and `Retry-After` agrees with it.
#[tokio::test]
async fn the_second_steps_lock_out_says_the_wait_in_german() {
    let server = TestServer::start().await;
    server.create_user("nora", "nora's long password").await;
    let english = Phone::signed_in(&server.url, "nora", "nora's long password").await;
    let (secret, _) = enrol(&server, &english).await;
    server.clock.advance_secs(30);

    let phone = phone_in(&server, "de");
    let response = phone.login("nora", "nora's long password").await;
    assert_eq!(location(&response), "/login/otp");
    let csrf = phone.csrf_from("/login/otp").await;
    let wrong = phone
        .post_form("/login/otp", &[("csrf", &csrf), ("code", "000000")])
        .await;
    let (status, text) = read(wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        text.contains("Dieser Code ist nicht richtig."),
        "the wrong-code error in German: {text}"
    );
    let mut locked = None;
    for _ in 0..40 {
        let response = phone
            .post_form("/login/otp", &[("csrf", &csrf), ("code", "000000")])
            .await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            locked = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = locked.expect("wrong codes end in the sign-in throttle");
    let wait: i64 = locked.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let html = locked.text().await.unwrap();
    assert!(html.contains(r#"<html lang="de" dir="ltr">"#), "{html}");
    let text = page_text(&html);
    let words = minutes(Locale::De, (wait + 59) / 60);
    assert!(words.contains("Minute"), "{words}");
    assert!(text.contains(&words), "the wait {words:?} in {text}");
    assert!(!text.contains("minute"), "no English wait: {text}");
    // The right code waits too.
    let right = totp_code(&secret, server.clock.now());
    let response = phone
        .post_form("/login/otp", &[("csrf", &csrf), ("code", &right)])
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_code_entry_lock_out_says_the_wait_in_japanese() {
    let server = server_with(|c| c.user_code_attempts_per_ip = 3).await;
    let (_, _) = new_code(&server).await;
    let phone = phone_in(&server, "ja");
    for _ in 0..2 {
        let response = phone.enter_code("BCDF-GHJK").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    let response = phone.enter_code("BCDF-GHJK").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ja" dir="ltr">"#), "{html}");
    let text = page_text(&html);
    assert!(text.contains("間違ったコードが多すぎます"), "{text}");
    assert!(
        text.contains("お使いのネットワークではコードの入力を一時停止しています"),
        "{text}"
    );
    // "<strong>10分</strong>後に…": the wait in Japanese words.
    let wait = minutes(Locale::Ja, 10);
    assert!(
        text.contains(&format!("{wait} 後にもう一度お試しください")),
        "{text}"
    );
}

#[tokio::test]
async fn a_sign_in_link_that_cannot_be_followed_is_explained_in_spanish() {
    let server = server().await;
    let response = phone_in(&server, "es")
        .get("/oauth2/authorize?response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fevil.example%2F")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(header::LOCATION).is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="es" dir="ltr">"#), "{html}");
    let text = page_text(&html);
    assert!(
        text.contains("Esta aplicación no está registrada aquí."),
        "{text}"
    );
    assert!(!text.contains("signin-error"), "no raw id: {text}");
}

#[tokio::test]
async fn the_qr_sign_in_page_in_arabic_has_a_fallback_without_script() {
    let server = server().await;
    let web = Client {
        id: "web".into(),
        name: "Photo Web App".into(),
        allowed_scopes: "openid profile".into(),
        grant_types: vec![GrantType::AuthorizationCode],
        redirect_uris: "https://app.example/callback".into(),
        ..Client::default()
    };
    server.state.db.create_client(&web).await.unwrap();
    let phone = phone_in(&server, "ar");
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", "web")
        .append_pair("redirect_uri", "https://app.example/callback")
        .append_pair("scope", "openid")
        .append_pair(
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        )
        .append_pair("code_challenge_method", "S256")
        .finish();
    let start = phone.get(&format!("/oauth2/authorize?{query}")).await;
    assert!(start.status().is_redirection(), "{}", start.status());
    let csrf = phone
        .csrf_from("/login?next=/oauth2/authorize/continue")
        .await;
    let started = phone.post_form("/login/qr", &[("csrf", &csrf)]).await;
    assert_eq!(location(&started), "/login/qr");
    let page = phone.get("/login/qr").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#), "{html}");
    assert!(
        html.contains(r#"<noscript><p class="next-step" id="qr-noscript">"#),
        "{html}"
    );
    assert!(html.contains(r#"<a href="/login/qr">"#), "{html}");
    let text = page_text(&html);
    for arabic in [
        "تسجيل الدخول باستخدام رمز QR",
        "Photo Web App",
        "تنتهي الصلاحية خلال",
    ] {
        assert!(text.contains(arabic), "{arabic:?} in {text}");
    }
    assert!(!text.contains("Expires in"), "{text}");
}

#[tokio::test]
async fn passkey_refusals_come_in_french() {
    let server = TestServer::start_with(|c| {
        c.issuer = format!("http://localhost:{}", c.listen.port())
            .parse()
            .expect("issuer");
    })
    .await;
    let phone = phone_in(&server, "fr");
    let html = phone.get("/login").await.text().await.unwrap();
    // The words the script says itself come with the page.
    assert!(
        html.contains(r#"data-not-used="La clé d’accès n’a pas été utilisée."#),
        "{html}"
    );
    let csrf = phone.csrf_from("/login").await;
    let refused = phone
        .http
        .post(phone.url("/webauthn/login/options"))
        .header("content-type", "application/json")
        .header("x-csrf-token", "wrong")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["error_description"], "Cette page a expiré. Actualisez-la et réessayez.",
        "{body}"
    );
    let unreadable = phone
        .http
        .post(phone.url("/webauthn/login"))
        .header("content-type", "application/json")
        .header("x-csrf-token", &csrf)
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(unreadable.status(), StatusCode::BAD_REQUEST);
    let body: Value = unreadable.json().await.unwrap();
    assert_eq!(
        body["error_description"],
        "La réponse de la clé d’accès n’a pas pu être lue. Veuillez réessayer.",
        "{body}"
    );
}
