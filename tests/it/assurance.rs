//! How strong a sign-in was, and what a client may demand of it (issue 13,
//! docs/factors.md): `amr` and `acr` in ID tokens checked by the `openidconnect` relying
//! party, `acr_values` step-up in the code flow, a client requiring two factors, the
//! approval proof policy, discovery, and `usher user factors`.

use openidconnect::{
    AuthenticationContextClass, AuthenticationFlow, AuthorizationCode, ClientId, CsrfToken,
    IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    core::{CoreClient, CoreIdTokenClaims, CoreProviderMetadata, CoreResponseType},
};
use reqwest::StatusCode;
use serde_json::Value;
use usher::{
    clock::Clock,
    config::ApprovalProof,
    protocol::{Acr, GrantType},
    store::Client,
};

use crate::{
    cli::Usher,
    databases,
    phone::{Phone, csrf_token, input_value, location, page_text},
    support::TestServer,
    totp::{enrol, totp_code},
};

/// `totp::enrol` enrols the account of this name.
const USERNAME: &str = "nora";
const PASSWORD: &str = "nora's long password";
const REDIRECT: &str = "https://app.example/callback";
const ONE_FACTOR: &str = "urn:usher:acr:1fa";
const TWO_FACTORS: &str = "urn:usher:acr:mfa";

async fn web_client(server: &TestServer, id: &str, require_mfa: bool) {
    let client = Client {
        id: id.into(),
        name: "Photo Web App".into(),
        allowed_scopes: "openid profile".into(),
        grant_types: vec![GrantType::AuthorizationCode],
        redirect_uris: REDIRECT.into(),
        require_mfa,
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
}

async fn device_client(server: &TestServer, id: &str, require_mfa: bool) {
    let client = Client {
        id: id.into(),
        name: "Living Room TV".into(),
        allowed_scopes: "openid profile".into(),
        grant_types: vec![GrantType::DeviceCode],
        require_mfa,
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
}

fn rp_http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

type Rp = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

async fn relying_party(server: &TestServer, client_id: &str) -> Rp {
    let metadata = CoreProviderMetadata::discover_async(
        IssuerUrl::new(server.url.clone()).unwrap(),
        &rp_http(),
    )
    .await
    .expect("discovery");
    CoreClient::from_provider_metadata(metadata, ClientId::new(client_id.into()), None)
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap())
}

/// An authorization request of `rp`, asking for `acr_values` if any: the path and query to
/// open on the phone, the nonce and the PKCE verifier.
fn authorization(rp: &Rp, server: &TestServer, acr: &[&str]) -> (String, Nonce, PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = rp
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    for value in acr {
        request =
            request.add_auth_context_value(AuthenticationContextClass::new(value.to_string()));
    }
    let (url, _, nonce) = request.url();
    let path = url
        .as_str()
        .strip_prefix(server.url.trim_end_matches('/'))
        .unwrap();
    (path.to_string(), nonce, verifier)
}

/// Redeems the code at the end of `back` and verifies the ID token like a relying party.
async fn id_token_claims(
    rp: &Rp,
    back: &str,
    nonce: &Nonce,
    verifier: PkceCodeVerifier,
) -> CoreIdTokenClaims {
    let url = url::Url::parse(back).unwrap();
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("a code in {back}"));
    let http = rp_http();
    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token exchange");
    tokens
        .id_token()
        .expect("an ID token")
        .claims(&rp.id_token_verifier(), nonce)
        .expect("the ID token verifies")
        .clone()
}

fn acr_of(claims: &CoreIdTokenClaims) -> String {
    claims
        .auth_context_ref()
        .expect("an acr claim")
        .as_str()
        .to_string()
}

fn amr_of(claims: &CoreIdTokenClaims) -> Vec<String> {
    claims
        .auth_method_refs()
        .expect("an amr claim")
        .iter()
        .map(|m| m.as_str().to_string())
        .collect()
}

/// Follows redirects on the phone from `path` until a page or a URL outside Usher; the
/// consent page of the code flow is approved on the way.
async fn follow(
    phone: &Phone,
    server: &TestServer,
    path: &str,
) -> Result<String, (StatusCode, String)> {
    let base = server.url.trim_end_matches('/').to_string();
    let mut next = path.to_string();
    for _ in 0..10 {
        if next.starts_with("http") && !next.starts_with(&base) {
            return Ok(next);
        }
        let relative = next.strip_prefix(&base).unwrap_or(&next).to_string();
        let response = phone.get(&relative).await;
        if response.status().is_redirection() {
            next = location(&response);
            continue;
        }
        let status = response.status();
        let html = response.text().await.unwrap();
        if html.contains("/oauth2/authorize/decide") {
            let csrf = csrf_token(&html).unwrap();
            let decided = phone
                .post_form(
                    "/oauth2/authorize/decide",
                    &[("csrf", &csrf), ("decision", "approve")],
                )
                .await;
            assert!(decided.status().is_redirection(), "{}", decided.status());
            next = location(&decided);
            continue;
        }
        return Err((status, html));
    }
    panic!("too many steps");
}

/// Types the password on the login page `html` came from (its `next` kept).
async fn sign_in_on(phone: &Phone, html: &str) -> reqwest::Response {
    let csrf = csrf_token(html).expect("a login form");
    let next = input_value(html, "next").unwrap_or_default();
    phone
        .post_form(
            "/login",
            &[
                ("username", USERNAME),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", &next),
            ],
        )
        .await
}

#[tokio::test]
async fn discovery_lists_the_acr_values_and_the_acr_claim() {
    let server = TestServer::start().await;
    let discovery = server.discovery().await;
    assert_eq!(
        discovery["acr_values_supported"],
        serde_json::json!([ONE_FACTOR, TWO_FACTORS, "phr"])
    );
    let claims = discovery["claims_supported"].as_array().unwrap();
    assert!(claims.contains(&Value::from("acr")), "{claims:?}");
    assert!(claims.contains(&Value::from("amr")), "{claims:?}");
    // The published values are the ones the server derives.
    assert_eq!(
        Acr::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        [ONE_FACTOR, TWO_FACTORS, "phr"]
    );
}

/// A password sign-in: `amr` `pwd` and the one-factor class, in the code flow and in the
/// device flow, on both databases.
#[tokio::test]
async fn a_password_sign_in_is_pwd_and_one_factor_in_both_flows() {
    for db in databases::each(|_| {}).await {
        let server = &db.server;
        server.create_user(USERNAME, PASSWORD).await;
        web_client(server, "web", false).await;
        server
            .create_public_client("tv", "TV", "openid profile")
            .await;

        let rp = relying_party(server, "web").await;
        let (path, nonce, verifier) = authorization(&rp, server, &[]);
        let phone = Phone::new(&server.url);
        let Err((_, login)) = follow(&phone, server, &path).await else {
            panic!("the login page first");
        };
        assert!(!login.contains("id=\"step-up\""), "no step-up asked");
        let signed_in = sign_in_on(&phone, &login).await;
        let back = follow(&phone, server, &location(&signed_in))
            .await
            .expect("back at the app");
        let claims = id_token_claims(&rp, &back, &nonce, verifier).await;
        assert_eq!(amr_of(&claims), ["pwd"], "{}", db.name);
        assert_eq!(acr_of(&claims), ONE_FACTOR, "{}", db.name);

        let tokens = server.device_sign_in("tv", USERNAME, PASSWORD).await;
        let claims = decode_claims(tokens["id_token"].as_str().expect("an ID token"));
        assert_eq!(claims["amr"], serde_json::json!(["pwd"]));
        assert_eq!(claims["acr"], ONE_FACTOR);
        db.finish().await;
    }
}

fn decode_claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// `acr_values` asking for two factors, a session signed in with the password only: the
/// login page is shown again with the reason; password and a TOTP code computed from the
/// enrolled secret give an ID token of the two-factor class.
#[tokio::test]
async fn acr_values_step_up_to_a_one_time_code_in_the_code_flow() {
    let server = TestServer::start().await;
    server.create_user(USERNAME, PASSWORD).await;
    web_client(&server, "web", false).await;
    let phone = Phone::signed_in(&server.url, USERNAME, PASSWORD).await;
    let (secret, _) = enrol(&server, &phone).await;
    server.clock.advance_secs(30);

    let rp = relying_party(&server, "web").await;
    let (path, nonce, verifier) = authorization(&rp, &server, &["urn:other:gold", TWO_FACTORS]);
    let Err((status, login)) = follow(&phone, &server, &path).await else {
        panic!("signed in with a password only: sign in again");
    };
    assert_eq!(status, StatusCode::OK);
    assert!(
        page_text(&login)
            .contains("This app asks you to confirm with a passkey or a one-time code"),
        "{}",
        page_text(&login)
    );
    let signed_in = sign_in_on(&phone, &login).await;
    assert_eq!(location(&signed_in), "/login/otp", "the second step");
    let csrf = phone.csrf_from("/login/otp").await;
    let code = totp_code(&secret, server.clock.now());
    let second = phone
        .post_form("/login/otp", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert!(second.status().is_redirection(), "{}", second.status());
    let back = follow(&phone, &server, &location(&second))
        .await
        .expect("back at the app");
    let claims = id_token_claims(&rp, &back, &nonce, verifier).await;
    assert_eq!(acr_of(&claims), TWO_FACTORS);
    let amr = amr_of(&claims);
    for method in ["pwd", "otp", "mfa"] {
        assert!(amr.iter().any(|m| m == method), "{amr:?}");
    }
}

/// `acr_values` is voluntary: an account without a second factor is asked once, then
/// signed in with what it has, and the ID token says so.
#[tokio::test]
async fn acr_values_are_voluntary_for_an_account_without_a_factor() {
    let server = TestServer::start().await;
    server.create_user(USERNAME, PASSWORD).await;
    web_client(&server, "web", false).await;
    let phone = Phone::signed_in(&server.url, USERNAME, PASSWORD).await;

    let rp = relying_party(&server, "web").await;
    let (path, nonce, verifier) = authorization(&rp, &server, &["phr"]);
    let Err((_, login)) = follow(&phone, &server, &path).await else {
        panic!("asked to sign in again once");
    };
    assert!(login.contains("id=\"step-up\""));
    let signed_in = sign_in_on(&phone, &login).await;
    let back = follow(&phone, &server, &location(&signed_in))
        .await
        .expect("the request goes on with one factor");
    let claims = id_token_claims(&rp, &back, &nonce, verifier).await;
    assert_eq!(acr_of(&claims), ONE_FACTOR);
}

/// A client requiring two factors turns the same situation into `access_denied`.
#[tokio::test]
async fn a_client_requiring_mfa_refuses_a_password_only_sign_in_in_the_code_flow() {
    let server = TestServer::start().await;
    server.create_user(USERNAME, PASSWORD).await;
    web_client(&server, "strict", true).await;
    let phone = Phone::new(&server.url);
    let rp = relying_party(&server, "strict").await;
    let (path, _, _) = authorization(&rp, &server, &[]);
    let Err((_, login)) = follow(&phone, &server, &path).await else {
        panic!("the login page first");
    };
    let signed_in = sign_in_on(&phone, &login).await;
    let Err((_, again)) = follow(&phone, &server, &location(&signed_in)).await else {
        panic!("a password is not enough: asked once more");
    };
    assert!(again.contains("id=\"step-up\""));
    let signed_in = sign_in_on(&phone, &again).await;
    let back = follow(&phone, &server, &location(&signed_in))
        .await
        .expect("an error redirect to the app");
    let url = url::Url::parse(&back).unwrap();
    let error: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(
        error.contains(&("error".into(), "access_denied".into())),
        "{error:?}"
    );
    assert!(
        error
            .iter()
            .any(|(k, v)| k == "error_description" && v.contains("two factors")),
        "{error:?}"
    );
}

/// Device flow: a client with `require_mfa` cannot be approved with a password sign-in;
/// with TOTP enrolled the consent page asks for a code, and the device's ID token then says
/// two factors. On both databases (the client's new columns).
#[tokio::test]
async fn a_client_requiring_mfa_refuses_a_password_only_approval() {
    for db in databases::each(|_| {}).await {
        let server = &db.server;
        server.create_user(USERNAME, PASSWORD).await;
        device_client(server, "tv", true).await;
        let stored = server.state.db.get_client("tv").await.unwrap().unwrap();
        assert!(stored.require_mfa, "{}: stored", db.name);

        // No second factor at all: refused with an explanation, the device still waits.
        let auth = server.device_authorization("tv", Some("openid"), &[]).await;
        let user_code = auth["user_code"].as_str().unwrap();
        let device_code = auth["device_code"].as_str().unwrap();
        let phone = Phone::signed_in(&server.url, USERNAME, PASSWORD).await;
        phone.enter_code(user_code).await;
        let page = phone.get("/device/consent").await.text().await.unwrap();
        assert!(
            page.contains("id=\"approval-refused\""),
            "{}",
            page_text(&page)
        );
        assert!(!page.contains("value=\"approve\""), "no Approve button");
        let refused = phone.approve().await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        let text = page_text(&refused.text().await.unwrap());
        assert!(text.contains("second factor"), "{text}");
        let (status, pending) = server.poll("tv", device_code).await;
        assert_eq!(
            (status, pending["error"].as_str()),
            (400, Some("authorization_pending"))
        );

        // With TOTP: a code on the consent page, then approved with two factors.
        let (secret, _) = enrol(server, &phone).await;
        server.clock.advance_secs(30);
        let page = phone.get("/device/consent").await.text().await.unwrap();
        assert!(page.contains("name=\"otp\""), "{}", page_text(&page));
        let without = phone.approve().await;
        assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
        let csrf = phone.csrf_from("/device/consent").await;
        let wrong = phone
            .post_form(
                "/device/consent",
                &[("csrf", &csrf), ("decision", "approve"), ("otp", "000000")],
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let csrf = phone.csrf_from("/device/consent").await;
        let code = totp_code(&secret, server.clock.now());
        let approved = phone
            .post_form(
                "/device/consent",
                &[("csrf", &csrf), ("decision", "approve"), ("otp", &code)],
            )
            .await;
        assert_eq!(approved.status(), StatusCode::OK, "{}", db.name);
        let (status, tokens) = server.poll("tv", device_code).await;
        assert_eq!(status, 200, "{tokens}");
        let claims = decode_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["acr"], TWO_FACTORS, "{claims}");
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
        db.finish().await;
    }
}

/// Server policy `passkey`: an account without a passkey is told to add one and cannot
/// approve; Deny still works.
#[tokio::test]
async fn policy_passkey_refuses_an_account_without_passkeys() {
    let server = TestServer::start_with(|c| c.approval_proof = ApprovalProof::Passkey).await;
    server.create_user(USERNAME, PASSWORD).await;
    device_client(&server, "tv", false).await;
    let auth = server.device_authorization("tv", Some("openid"), &[]).await;
    let phone = Phone::signed_in(&server.url, USERNAME, PASSWORD).await;
    phone.enter_code(auth["user_code"].as_str().unwrap()).await;
    let page = phone.get("/device/consent").await.text().await.unwrap();
    let text = page_text(&page);
    assert!(text.contains("needs a passkey"), "{text}");
    assert!(page.contains("href=\"/account/security\""));
    let refused = phone.approve().await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let denied = phone.deny().await;
    assert_eq!(denied.status(), StatusCode::OK, "Deny needs no proof");
    let (status, body) = server
        .poll("tv", auth["device_code"].as_str().unwrap())
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied"))
    );
}

/// A per-client `approval_proof` overrides the server's: `none` never asks, even after the
/// session age that would ask for the password.
#[tokio::test]
async fn a_client_override_of_the_approval_proof_wins() {
    let server = TestServer::start_with(|c| c.approval_max_session_age_secs = 60).await;
    server.create_user(USERNAME, PASSWORD).await;
    let client = Client {
        id: "kiosk".into(),
        name: "Kiosk".into(),
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::DeviceCode],
        approval_proof: Some(ApprovalProof::None),
        ..Client::default()
    };
    server.state.db.create_client(&client).await.unwrap();
    let phone = Phone::signed_in(&server.url, USERNAME, PASSWORD).await;
    server.clock.advance_secs(600);
    let auth = server
        .device_authorization("kiosk", Some("openid"), &[])
        .await;
    phone.enter_code(auth["user_code"].as_str().unwrap()).await;
    let page = phone.get("/device/consent").await.text().await.unwrap();
    assert!(!page.contains("name=\"password\""), "{}", page_text(&page));
    assert_eq!(phone.approve().await.status(), StatusCode::OK);
}

/// `usher user factors list|reset`: what the account has, and the lost-phone reset.
#[tokio::test]
async fn cli_lists_and_resets_the_factors_of_an_account() {
    let usher = Usher::new();
    let created = usher.run_with_stdin(
        &["user", "create", USERNAME, "--password-stdin"],
        "a long password\n",
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let db = usher::store::Database::connect(&usher.database_url(), 1)
        .await
        .unwrap();
    let user = db.get_user_by_username(USERNAME).await.unwrap().unwrap();
    assert!(
        db.begin_totp(&user.id, "JBSWY3DPEHPK3PXP", 1_000)
            .await
            .unwrap()
    );
    assert!(
        db.accept_totp_step(&user.id, 40, true, 1_200)
            .await
            .unwrap()
    );
    db.replace_recovery_codes(&user.id, &["a".repeat(64), "b".repeat(64)], 1_200)
        .await
        .unwrap();

    let listed = usher.ok(&["user", "factors", "list", USERNAME]);
    assert!(listed.contains("Passkeys:       none"), "{listed}");
    assert!(listed.contains("TOTP:           enrolled"), "{listed}");
    assert!(listed.contains("Recovery codes: 2 left"), "{listed}");
    let json: Value =
        serde_json::from_str(&usher.ok(&["user", "factors", "list", USERNAME, "--json"])).unwrap();
    assert_eq!(json["recovery_codes_left"], 2);
    assert_eq!(json["totp"]["confirmed_at"], 1_200);

    let reset = usher.ok(&["user", "factors", "reset", USERNAME]);
    assert!(reset.contains("Removed 0 passkey(s)"), "{reset}");
    assert!(db.get_totp(&user.id).await.unwrap().is_none());
    assert_eq!(db.count_unused_recovery_codes(&user.id).await.unwrap(), 0);
    let listed = usher.ok(&["user", "factors", "list", USERNAME]);
    assert!(listed.contains("TOTP:           none"), "{listed}");
    let events = usher.ok(&["audit", "list", "--json"]);
    assert!(events.contains("factors_reset"), "{events}");

    let (ok, _, err) = usher.outcome(&["user", "factors", "list", "nobody"]);
    assert!(!ok);
    assert!(err.contains("no user named 'nobody'"), "{err}");
}
