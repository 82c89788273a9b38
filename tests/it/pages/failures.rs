//! Every way a person can go wrong on the hosted pages ends on a friendly page with the
//! right status: wrong credentials, stale forms, bad codes, guessing, unreadable bodies.

use reqwest::{StatusCode, header};

use super::{PASSWORD, new_code, read, server, server_with, signed_in_phone};
use crate::phone::{self, Phone, location, page_text};

#[tokio::test]
async fn wrong_password_unknown_and_disabled_users_get_one_generic_answer() {
    let server = server().await;
    let bob = server.create_user("bob", PASSWORD).await;
    server.state.db.set_disabled(&bob.id, true).await.unwrap();
    for (username, password) in [("alice", "wrong"), ("nobody", PASSWORD), ("bob", PASSWORD)] {
        let phone = Phone::new(&server.url);
        let (status, text) = read(phone.login(username, password).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{username}");
        assert!(
            text.contains("Wrong username or password."),
            "{username}: {text}"
        );
        // Not signed in: consent still asks to sign in.
        let consent = phone.get("/device/consent").await;
        assert_eq!(location(&consent), "/login?next=/device/consent");
    }
}

#[tokio::test]
async fn missing_or_wrong_csrf_token_is_a_403_page() {
    let server = server().await;
    let (_, user_code) = new_code(&server).await;
    let phone = Phone::new(&server.url);
    phone.get("/device").await; // a session with a token exists, but is not sent back
    let attempts: [(&str, Vec<(&str, &str)>); 5] = [
        ("/device", vec![("user_code", user_code.as_str())]),
        (
            "/device",
            vec![("user_code", user_code.as_str()), ("csrf", "forged")],
        ),
        (
            "/login",
            vec![("username", "alice"), ("password", PASSWORD), ("csrf", "")],
        ),
        (
            "/device/consent",
            vec![("decision", "approve"), ("csrf", "forged")],
        ),
        ("/logout", vec![("csrf", "forged")]),
    ];
    for (path, form) in attempts {
        let (status, text) = read(phone.post_form(path, &form).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            text.contains("Your form expired") && text.contains("Start again"),
            "{path}: {text}"
        );
    }
    // A browser with no session at all is refused too.
    let fresh = Phone::new(&server.url);
    let (status, _) = read(
        fresh
            .post_form("/device", &[("user_code", &user_code), ("csrf", "x")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn expired_code_has_its_own_page() {
    let server = server_with(|c| c.device_code_lifetime_secs = 30).await;
    let (_, user_code) = new_code(&server).await;
    server.clock.advance_secs(31);
    let (status, text) = read(Phone::new(&server.url).enter_code(&user_code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        text.contains("This code has expired") && text.contains("start signing in again"),
        "{text}"
    );
}

#[tokio::test]
async fn used_code_has_its_own_page() {
    let server = server().await;
    let (_, user_code) = new_code(&server).await;
    phone::approve_device(&server.url, &user_code, "alice", PASSWORD).await;
    let (status, text) = read(Phone::new(&server.url).enter_code(&user_code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("This code was already used"), "{text}");
    // A next step, not only what went wrong (issue 14 point 12).
    assert!(
        text.contains("check the device") && text.contains("Enter a new code"),
        "{text}"
    );
}

#[tokio::test]
async fn unknown_or_malformed_code_shows_the_form_again() {
    let server = server().await;
    let phone = Phone::new(&server.url);
    for typed in ["BCDF-GHJK", "hello"] {
        let response = phone.enter_code(typed).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let html = response.text().await.unwrap();
        assert!(
            page_text(&html).contains("That code is not valid. Check the code on your device.")
        );
        assert!(
            phone::csrf_token(&html).is_some(),
            "the entry form is shown again"
        );
    }
}

#[tokio::test]
async fn too_many_wrong_codes_are_refused_for_a_while() {
    let server = server_with(|c| c.user_code_attempts_per_ip = 3).await;
    let (_, user_code) = new_code(&server).await;
    let phone = Phone::new(&server.url);
    for _ in 0..2 {
        assert_eq!(
            phone.enter_code("BCDF-GHJK").await.status(),
            StatusCode::BAD_REQUEST
        );
    }
    let (status, text) = read(phone.enter_code("BCDF-GHJK").await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(text.contains("Too many wrong codes"), "{text}");
    assert!(text.contains("try again in 10 minutes"), "{text}");
    // Even the right code waits until the window is over (RFC 8628 §5.1).
    assert_eq!(
        phone.enter_code(&user_code).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    server.clock.advance_secs(601);
    let (_, user_code) = new_code(&server).await;
    assert_eq!(
        phone.enter_code(&user_code).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn unreadable_form_bodies_get_a_400_page_not_a_500() {
    let server = server().await;
    let phone = Phone::new(&server.url);
    let csrf = phone.csrf_from("/device").await;
    let repeated = format!("user_code=BCDF-GHJK&user_code=BCDF-GHJL&csrf={csrf}");
    let requests = [
        phone
            .http
            .post(phone.url("/device"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(repeated),
        phone
            .http
            .post(phone.url("/login"))
            .header(header::CONTENT_TYPE, "application/json")
            .body("{}"),
        phone
            .http
            .post(phone.url("/device/consent"))
            .form(&[("decision", "maybe"), ("csrf", &csrf)]),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let (_, text) = read(response).await;
        assert!(text.contains("The form could not be read"), "{text}");
    }
}

#[tokio::test]
async fn request_expiring_on_the_consent_page_says_it_expired() {
    let server = server_with(|c| c.device_code_lifetime_secs = 60).await;
    let (_, user_code) = new_code(&server).await;
    let phone = signed_in_phone(&server).await;
    phone.enter_code(&user_code).await;
    let csrf = phone.csrf_from("/device/consent").await;
    server.clock.advance_secs(61);
    let (status, text) = read(
        phone
            .post_form(
                "/device/consent",
                &[("decision", "approve"), ("csrf", &csrf)],
            )
            .await,
    )
    .await;
    // Expired, not "no longer waiting": distinct from a request already decided (issue 14).
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("Code expired"), "{text}");
    assert!(!text.contains("no longer waiting"), "{text}");
}

/// (status, href and label of the way back) of an error page.
async fn way_back(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    let html = response.text().await.unwrap();
    let document = scraper::Html::parse_document(&html);
    let link = document
        .select(&scraper::Selector::parse("a.button").unwrap())
        .next()
        .expect("a way back");
    let href = link.value().attr("href").unwrap_or_default().to_string();
    (status, href, link.text().collect::<String>())
}

#[tokio::test]
async fn errors_on_the_account_pages_lead_back_to_your_devices() {
    let server = server().await;
    let phone = signed_in_phone(&server).await;
    let csrf = phone.csrf_from("/account/devices").await;
    let unknown = &[("csrf", csrf.as_str()), ("device_id", "no-such-device")];
    let sign_out = phone.post_form("/account/devices/sign-out", unknown).await;
    assert_eq!(
        way_back(sign_out).await,
        (
            StatusCode::NOT_FOUND,
            "/account/devices".to_string(),
            "Your devices".to_string()
        )
    );
    // No pairing in this browser: nothing to approve on the pairing page.
    let decide = &[("csrf", csrf.as_str()), ("decision", "approve")];
    let nothing = phone.post_form("/account/pairing/decide", decide).await;
    assert_eq!(
        way_back(nothing).await,
        (
            StatusCode::CONFLICT,
            "/account/devices".to_string(),
            "Your devices".to_string()
        )
    );
    // The same error on the device consent page still leads to entering a code.
    let stale = phone.post_form("/device/consent", decide).await;
    let (status, href, _) = way_back(stale).await;
    assert_eq!((status, href.as_str()), (StatusCode::CONFLICT, "/device"));
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_for_a_while() {
    let server = server_with(|c| c.login_attempts = 3).await;
    let phone = Phone::new(&server.url);
    for _ in 0..3 {
        let (status, _) = read(phone.login("alice", "wrong").await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now from this network until its wait is over
    // (another network would still get in: tests/it/throttle.rs).
    let (status, text) = read(Phone::new(&server.url).login("ALICE", PASSWORD).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(text.contains("Too many attempts"), "{text}");
    server.clock.advance_secs(901);
    let (status, _) = read(Phone::new(&server.url).login("alice", PASSWORD).await).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
