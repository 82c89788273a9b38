//! Passkeys without a browser (docs/factors.md): the stored rows on both databases, and the
//! JSON endpoints' refusals (no CSRF token, not signed in, unreadable JSON, no
//! re-confirmation), always a 4xx JSON answer, never a 500. The ceremonies themselves run
//! in Chromium with a virtual authenticator (`browser/passkeys.rs`).

use reqwest::StatusCode;
use serde_json::{Value, json};
use usher::{error::StoreError, store::Passkey};

use crate::{databases, phone::Phone, support::TestServer};

const PASSWORD: &str = "passkeys test password";

fn passkey(id: &str, user_id: &str, now: i64) -> Passkey {
    Passkey {
        id: id.to_string(),
        user_id: user_id.to_string(),
        name: "Phone".to_string(),
        credential: r#"{"cred":{}}"#.to_string(),
        backup_eligible: true,
        sign_count: 0,
        created_at: now,
        last_used_at: None,
    }
}

#[tokio::test]
async fn passkey_rows_round_trip_and_refuse_a_counter_going_back_on_both_databases() {
    for on in databases::each(|_| {}).await {
        let (db, name) = (&on.server.state.db, on.name);
        let mira = on.server.create_user("mira", PASSWORD).await;
        let ada = on.server.create_user("ada", PASSWORD).await;
        let stored = passkey("cred-1", &mira.id, 1000);
        db.insert_passkey(&stored).await.expect(name);
        db.insert_passkey(&passkey("cred-2", &mira.id, 1001))
            .await
            .expect(name);
        // A credential id is registered once, to anyone (WebAuthn §7.1 step 22).
        let again = db.insert_passkey(&passkey("cred-1", &ada.id, 1002)).await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{name}: {again:?}"
        );

        assert_eq!(
            db.get_passkey("cred-1").await.unwrap(),
            Some(stored.clone()),
            "{name}"
        );
        let listed = db.list_passkeys(&mira.id).await.unwrap();
        let ids: Vec<_> = listed.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["cred-1", "cred-2"], "{name}");
        assert!(
            db.list_passkeys(&ada.id).await.unwrap().is_empty(),
            "{name}"
        );

        // Counters: 0 → 0 (a synced passkey without one) passes, then 5, then not 5 again
        // nor 3 (WebAuthn §6.1.1).
        assert!(
            db.record_passkey_use("cred-1", "{}", 0, true, 1100)
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            db.record_passkey_use("cred-1", "{}", 5, true, 1200)
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            !db.record_passkey_use("cred-1", "{}", 5, true, 1300)
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            !db.record_passkey_use("cred-1", "{}", 3, true, 1300)
                .await
                .unwrap(),
            "{name}"
        );
        let used = db.get_passkey("cred-1").await.unwrap().unwrap();
        assert_eq!(
            (used.sign_count, used.last_used_at),
            (5, Some(1200)),
            "{name}"
        );

        // Removing needs the owner.
        assert!(
            !db.delete_passkey("cred-1", &ada.id).await.unwrap(),
            "{name}"
        );
        assert!(
            db.delete_passkey("cred-1", &mira.id).await.unwrap(),
            "{name}"
        );
        assert_eq!(db.get_passkey("cred-1").await.unwrap(), None, "{name}");
        assert_eq!(db.delete_passkeys_of(&mira.id).await.unwrap(), 1, "{name}");
        assert!(
            db.list_passkeys(&mira.id).await.unwrap().is_empty(),
            "{name}"
        );

        // Deleting the account deletes its passkeys.
        db.insert_passkey(&passkey("cred-3", &ada.id, 1400))
            .await
            .unwrap();
        assert!(db.delete_user(&ada.id).await.unwrap(), "{name}");
        assert_eq!(db.get_passkey("cred-3").await.unwrap(), None, "{name}");
        on.finish().await;
    }
}

/// A server whose issuer is `http://localhost:PORT`, a valid WebAuthn relying party.
async fn on_localhost() -> TestServer {
    TestServer::start_with(|c| {
        c.issuer = format!("http://localhost:{}", c.listen.port())
            .parse()
            .expect("issuer");
    })
    .await
}

async fn post_json(
    phone: &Phone,
    path: &str,
    csrf: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut request = phone
        .http
        .post(phone.url(path))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(csrf) = csrf {
        request = request.header("x-csrf-token", csrf);
    }
    let response = request.send().await.expect("POST");
    let status = response.status();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}"));
    (status, json)
}

/// The page's `<meta name="csrf-token">` (what `static/webauthn.js` sends).
fn meta_csrf(html: &str) -> String {
    let start = html
        .find(r#"name="csrf-token" content=""#)
        .expect("csrf meta")
        + 27;
    let end = html[start..].find('"').expect("end of csrf meta");
    html[start..start + end].to_string()
}

fn fake_assertion() -> String {
    json!({ "credential": {
        "id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": { "authenticatorData": "AAAA", "clientDataJSON": "AAAA",
                      "signature": "AAAA", "userHandle": null }
    }, "next": "/device" })
    .to_string()
}

#[tokio::test]
async fn the_passkey_endpoints_refuse_without_csrf_sign_in_or_readable_json() {
    let server = on_localhost().await;
    server.create_user("mira", PASSWORD).await;
    let visitor = Phone::new(&server.url);
    let login = visitor.get("/login").await.text().await.unwrap();
    assert!(login.contains("data-passkey-sign-in"), "{login}");
    assert!(
        login.contains(r#"autocomplete="username webauthn""#),
        "{login}"
    );
    let csrf = visitor.csrf_from("/login").await;

    // No (or a wrong) CSRF token.
    for token in [None, Some("wrong")] {
        let (status, body) = post_json(&visitor, "/webauthn/login/options", token, "{}").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body["error_description"].is_string(), "{body}");
    }
    // Options: a challenge, user verification required.
    let (status, options) = post_json(&visitor, "/webauthn/login/options", Some(&csrf), "{}").await;
    assert_eq!(status, StatusCode::OK, "{options}");
    assert!(options["publicKey"]["challenge"].is_string(), "{options}");
    assert_eq!(
        options["publicKey"]["userVerification"], "required",
        "{options}"
    );
    assert_eq!(options["publicKey"]["rpId"], "localhost", "{options}");

    // Garbage, then a well-formed answer from no authenticator of ours.
    for garbage in ["", "{", "[]", r#"{"credential": 5}"#, "\u{0}"] {
        let (status, body) = post_json(&visitor, "/webauthn/login", Some(&csrf), garbage).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{garbage:?}: {body}");
    }
    let (status, body) =
        post_json(&visitor, "/webauthn/login", Some(&csrf), &fake_assertion()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // The ceremony was spent: the same answer again finds none waiting.
    let (status, body) =
        post_json(&visitor, "/webauthn/login", Some(&csrf), &fake_assertion()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Registration and fresh assertions need a signed-in person.
    for path in [
        "/webauthn/register/options",
        "/webauthn/assert/options",
        "/webauthn/register",
        "/webauthn/assert",
    ] {
        let (status, body) = post_json(&visitor, path, Some(&csrf), r#"{"name":"x"}"#).await;
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::BAD_REQUEST,
            "{path}: {status} {body}"
        );
    }
    let (status, _) = post_json(&visitor, "/webauthn/assert/options", Some(&csrf), "{}").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server
        .state
        .db
        .list_passkeys(&server.user("mira").await.id)
        .await
        .map(|p| assert!(p.is_empty()))
        .unwrap();
}

#[tokio::test]
async fn registration_asks_to_confirm_an_old_sign_in_first() {
    let server = on_localhost().await;
    server.create_user("mira", PASSWORD).await;
    let phone = Phone::signed_in(&server.url, "mira", PASSWORD).await;
    let page = phone.get("/account/security").await.text().await.unwrap();
    assert!(
        page.contains("data-passkey-register"),
        "a fresh sign-in may add one: {page}"
    );
    let csrf = meta_csrf(&page);
    let (status, options) = post_json(
        &phone,
        "/webauthn/register/options",
        Some(&csrf),
        r#"{"name":"My phone"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    let selection = &options["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "{options}");
    assert_eq!(selection["userVerification"], "required", "{options}");
    // The account has no passkey: a fresh assertion has nothing to ask for.
    let (status, _) = post_json(&phone, "/webauthn/assert/options", Some(&csrf), "{}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Five minutes later the page asks to confirm, and the endpoint refuses.
    server.clock.advance_secs(301);
    let page = phone.get("/account/security").await.text().await.unwrap();
    assert!(
        page.contains("Confirm it&#x27;s you") || page.contains("Confirm it's you"),
        "{page}"
    );
    assert!(!page.contains("data-passkey-register"), "{page}");
    let (status, body) = post_json(
        &phone,
        "/webauthn/register/options",
        Some(&csrf),
        r#"{"name":"My phone"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "reconfirm", "{body}");

    // A wrong password does not confirm; the right one does.
    let wrong = phone
        .post_form(
            "/account/security/confirm",
            &[("csrf", &csrf), ("password", "not it")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::SEE_OTHER);
    let page = phone
        .get("/account/security?wrong=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("That password is not right"), "{page}");
    let right = phone
        .post_form(
            "/account/security/confirm",
            &[("csrf", &csrf), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    let (status, body) = post_json(
        &phone,
        "/webauthn/register/options",
        Some(&csrf),
        r#"{"name":"My phone"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A garbage registration answer is a 400, and spends the ceremony.
    let (status, body) = post_json(
        &phone,
        "/webauthn/register",
        Some(&csrf),
        r#"{"credential":{}}"#,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn an_ip_address_issuer_offers_no_passkeys() {
    let server = TestServer::start().await;
    let visitor = Phone::new(&server.url);
    let login = visitor.get("/login").await.text().await.unwrap();
    assert!(!login.contains("data-passkey-sign-in"), "{login}");
    assert!(!login.contains("webauthn.js"), "{login}");
    let csrf = visitor.csrf_from("/login").await;
    let (status, body) = post_json(&visitor, "/webauthn/login/options", Some(&csrf), "{}").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}
