//! Linked devices: every sign-in (device grant or code flow) shows on `/account/devices`
//! with what is known of it, and "Sign out this device" (or `usher devices revoke`) stops
//! its refresh and access tokens at once.

use std::process::{Command, Output, Stdio};
use usher::protocol::GrantType;

use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::Value;
use usher::{store::Client, tokens::opaque};

use crate::{
    phone::{Phone, csrf_token, location, page_text},
    support::{TestServer, field},
};

const PASSWORD: &str = "linked devices password";
const REDIRECT: &str = "https://photos.example/callback";

/// A server with users `lena` and `omar`, the device client `tv` (public), the web app
/// `photos` (confidential, code flow) and the resource server `rs`.
struct Setup {
    server: TestServer,
    rs_secret: String,
    photos_secret: String,
}

async fn setup() -> Setup {
    let server = TestServer::start().await;
    server.create_user("lena", PASSWORD).await;
    server.create_user("omar", PASSWORD).await;
    server
        .create_public_client("tv", "Living Room TV App", "openid profile offline_access")
        .await;
    let (_, rs_secret) = server.create_confidential_client("rs", "openid").await;
    let photos_secret = opaque::generate();
    let photos = Client {
        id: "photos".into(),
        name: "Photos".into(),
        secret_hash: Some(opaque::hash(&photos_secret)),
        allowed_scopes: "openid profile offline_access".into(),
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        redirect_uris: REDIRECT.into(),
        ..Client::default()
    };
    server.state.db.create_client(&photos).await.unwrap();
    Setup {
        server,
        rs_secret,
        photos_secret,
    }
}

/// A device sign-in of `username` through the consent page; returns the token response.
async fn sign_in_device(
    server: &TestServer,
    username: &str,
    scope: &str,
    headers: &[(&str, &str)],
) -> Value {
    let auth = server
        .device_authorization("tv", Some(scope), headers)
        .await;
    crate::phone::approve_device(&server.url, field(&auth, "user_code"), username, PASSWORD).await;
    let (status, tokens) = server.poll("tv", field(&auth, "device_code")).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

/// A code-flow sign-in of `lena` at the web app `photos`; returns the token response.
async fn sign_in_web(setup: &Setup, phone: &Phone) -> Value {
    let server = &setup.server;
    let authorize = format!(
        "/oauth2/authorize?response_type=code&client_id=photos&redirect_uri={REDIRECT}\
         &scope=openid%20profile%20offline_access&state=s1"
    );
    let mut next = authorize;
    let mut code = None;
    for _ in 0..6 {
        let response = phone.get(&next).await;
        if response.status().is_redirection() {
            let to = location(&response);
            if let Some(rest) = to.strip_prefix(&format!("{REDIRECT}?")) {
                code = url::form_urlencoded::parse(rest.as_bytes())
                    .find(|(k, _)| k == "code")
                    .map(|(_, v)| v.into_owned());
                break;
            }
            next = to.trim_start_matches(&server.url).to_string();
            continue;
        }
        let html = response.text().await.unwrap();
        assert!(
            html.contains("/oauth2/authorize/decide"),
            "{}",
            page_text(&html)
        );
        let csrf = csrf_token(&html).unwrap();
        let decided = phone
            .post_form(
                "/oauth2/authorize/decide",
                &[("csrf", &csrf), ("decision", "approve")],
            )
            .await;
        next = location(&decided);
        if next.starts_with(REDIRECT) {
            let url = url::Url::parse(&next).unwrap();
            code = url
                .query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned());
            break;
        }
        next = next.trim_start_matches(&server.url).to_string();
    }
    let code = code.expect("an authorization code");
    let response = server
        .http
        .post(server.url("/oauth2/token"))
        .basic_auth("photos", Some(&setup.photos_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn signed_in_phone(server: &TestServer, username: &str) -> Phone {
    Phone::signed_in(&server.url, username, PASSWORD).await
}

/// The devices listed on `/account/devices`: (device id, visible text of its entry).
async fn listed_devices(phone: &Phone) -> Vec<(String, String)> {
    let response = phone.get("/account/devices").await;
    assert_eq!(response.status(), 200);
    let html = Html::parse_document(&response.text().await.unwrap());
    let item = Selector::parse("li.linked-device").unwrap();
    let id = Selector::parse("input[name=device_id]").unwrap();
    html.select(&item)
        .map(|li| {
            let device_id = li
                .select(&id)
                .next()
                .and_then(|input| input.value().attr("value"))
                .unwrap()
                .to_string();
            let text = li.text().collect::<Vec<_>>().join(" ");
            (
                device_id,
                text.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect()
}

async fn sign_out(phone: &Phone, device_id: &str) -> reqwest::Response {
    let csrf = phone.csrf_from("/account/devices").await;
    phone
        .post_form(
            "/account/devices/sign-out",
            &[("csrf", &csrf), ("device_id", device_id)],
        )
        .await
}

#[tokio::test]
async fn device_and_web_sign_ins_are_listed_with_what_is_known_of_them() {
    let setup = setup().await;
    let server = &setup.server;
    let tokens = sign_in_device(
        server,
        "lena",
        "openid offline_access",
        &[
            ("X-Device-Name", "Living room"),
            ("X-Device-Model", "Bravia XR-55"),
            ("X-Device-OS", "Android TV 12"),
            ("X-Device-App-Version", "3.1.4"),
        ],
    )
    .await;
    let phone = signed_in_phone(server, "lena").await;
    sign_in_web(&setup, &phone).await;
    // Another person's devices are not shown.
    sign_in_device(server, "omar", "openid", &[("X-Device-Name", "Omar's TV")]).await;

    server.clock.advance_secs(125);
    let (status, _) = server
        .refresh("tv", field(&tokens, "refresh_token"), None)
        .await;
    assert_eq!(status, 200, "a refresh counts as use");

    let devices = listed_devices(&phone).await;
    assert_eq!(devices.len(), 2, "{devices:?}");
    let tv = &devices[0].1;
    for words in [
        "Living room",
        "Bravia XR-55",
        "Android TV 12",
        "3.1.4",
        "Living Room TV App",
        "Linked 2 minutes ago",
        "Last used less than a minute ago",
        "127.0.0.1",
        "Sign out this device",
    ] {
        assert!(tv.contains(words), "{words:?} not in {tv:?}");
    }
    let web = &devices[1].1;
    assert!(
        web.contains("A web browser") && web.contains("Photos"),
        "{web}"
    );
    assert!(web.contains("Last used 2 minutes ago"), "{web}");
    assert!(!devices.iter().any(|(_, text)| text.contains("Omar")));

    // The account pages link to each other.
    let html = phone.get("/account/consents").await.text().await.unwrap();
    assert!(html.contains("href=\"/account/devices\""));
    let html = phone.get("/account/devices").await.text().await.unwrap();
    assert!(html.contains("href=\"/account/consents\""));
}

#[tokio::test]
async fn signing_out_a_device_stops_its_refresh_and_access_tokens_at_once() {
    let setup = setup().await;
    let server = &setup.server;
    let tokens = sign_in_device(
        server,
        "lena",
        "openid profile offline_access",
        &[("X-Device-Name", "Kitchen tablet")],
    )
    .await;
    let kept = sign_in_device(server, "lena", "openid", &[("X-Device-Name", "Bedroom TV")]).await;
    let access = field(&tokens, "access_token");
    assert_eq!(server.userinfo_status(access).await, 200);
    assert_eq!(
        server.introspect(&setup.rs_secret, access).await["active"],
        true
    );

    let phone = signed_in_phone(server, "lena").await;
    let devices = listed_devices(&phone).await;
    let (tablet, _) = devices
        .iter()
        .find(|(_, text)| text.contains("Kitchen tablet"))
        .expect("the tablet is listed");
    let response = sign_out(&phone, tablet).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/devices");

    let (status, body) = server
        .refresh("tv", field(&tokens, "refresh_token"), None)
        .await;
    assert_eq!((status, field(&body, "error")), (400, "invalid_grant"));
    assert_eq!(
        server.introspect(&setup.rs_secret, access).await,
        serde_json::json!({"active": false})
    );
    assert_eq!(server.userinfo_status(access).await, 401);

    let devices = listed_devices(&phone).await;
    assert_eq!(devices.len(), 1);
    assert!(devices[0].1.contains("Bedroom TV"));
    // The other device is untouched.
    assert_eq!(
        server.userinfo_status(field(&kept, "access_token")).await,
        200
    );

    // A second click (another tab) on the same button is no error.
    let response = sign_out(&phone, tablet).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_sign_in_without_refresh_token_can_be_signed_out_too() {
    let setup = setup().await;
    let server = &setup.server;
    let tokens = sign_in_device(server, "lena", "openid profile", &[]).await;
    assert!(tokens.get("refresh_token").is_none());
    let access = field(&tokens, "access_token");
    let phone = signed_in_phone(server, "lena").await;
    let devices = listed_devices(&phone).await;
    assert_eq!(devices.len(), 1);
    assert!(devices[0].1.contains("A device"), "{}", devices[0].1);
    sign_out(&phone, &devices[0].0).await;
    assert_eq!(server.userinfo_status(access).await, 401);
    assert_eq!(
        server.introspect(&setup.rs_secret, access).await["active"],
        false
    );
    assert!(listed_devices(&phone).await.is_empty());
}

#[tokio::test]
async fn another_persons_device_cannot_be_signed_out() {
    let setup = setup().await;
    let server = &setup.server;
    let tokens = sign_in_device(server, "lena", "openid offline_access", &[]).await;
    let lena = signed_in_phone(server, "lena").await;
    let (lenas_device, _) = listed_devices(&lena).await.remove(0);

    let omar = signed_in_phone(server, "omar").await;
    assert!(listed_devices(&omar).await.is_empty());
    let response = sign_out(&omar, &lenas_device).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(page_text(&response.text().await.unwrap()).contains("Device not found"));
    let response = sign_out(&omar, "no-such-device").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    assert_eq!(listed_devices(&lena).await.len(), 1);
    assert_eq!(
        server.userinfo_status(field(&tokens, "access_token")).await,
        200
    );
}

#[tokio::test]
async fn the_devices_page_needs_a_signed_in_person_and_a_csrf_token() {
    let setup = setup().await;
    let server = &setup.server;
    let stranger = Phone::new(&server.url);
    let response = stranger.get("/account/devices").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=/account/devices");
    let response = stranger.get("/account").await;
    assert_eq!(location(&response), "/account/devices");

    sign_in_device(server, "lena", "openid", &[]).await;
    let phone = signed_in_phone(server, "lena").await;
    let (device, _) = listed_devices(&phone).await.remove(0);
    let response = phone
        .post_form(
            "/account/devices/sign-out",
            &[("csrf", "forged"), ("device_id", &device)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(listed_devices(&phone).await.len(), 1);
}

fn usher(server: &TestServer, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(args)
        .current_dir(dir.path())
        .env("USHER_DATABASE_URL", &server.state.config.database_url)
        .stdin(Stdio::null())
        .output()
        .expect("run usher")
}

fn stdout_ok(args: &[&str], output: Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "usher {args:?} failed: {stderr}");
    stdout
}

#[tokio::test]
async fn operators_list_and_revoke_devices_with_the_cli() {
    let setup = setup().await;
    let server = &setup.server;
    let first = sign_in_device(
        server,
        "lena",
        "openid offline_access",
        &[("X-Device-Name", "Den TV")],
    )
    .await;
    let second = sign_in_device(server, "lena", "openid", &[("X-Device-Name", "Attic TV")]).await;
    let omars = sign_in_device(server, "omar", "openid", &[("X-Device-Name", "Omar TV")]).await;

    let all = stdout_ok(&["devices", "list"], usher(server, &["devices", "list"]));
    for words in [
        "Den TV",
        "Attic TV",
        "Omar TV",
        "lena",
        "omar",
        "Living Room TV App",
    ] {
        assert!(all.contains(words), "{words:?} not in {all}");
    }
    let args = ["devices", "list", "--user", "lena"];
    let lenas = stdout_ok(&args, usher(server, &args));
    assert!(
        lenas.contains("Den TV") && !lenas.contains("Omar TV"),
        "{lenas}"
    );
    let den_id = lenas
        .lines()
        .find(|line| line.contains("Den TV"))
        .and_then(|line| line.split_whitespace().next())
        .unwrap()
        .to_string();

    let args = ["devices", "revoke", den_id.as_str()];
    let out = stdout_ok(&args, usher(server, &args));
    assert!(out.contains("Signed out device"), "{out}");
    // The list shows the start of the id (issue 14 point 15); it names no signed-in
    // device any more.
    let again = usher(server, &args);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("is signed in"));
    // The same records as the account page: gone there too.
    let lena = signed_in_phone(server, "lena").await;
    let listed = listed_devices(&lena).await;
    assert!(
        listed
            .iter()
            .all(|(id, text)| !id.starts_with(den_id.as_str()) && !text.contains("Den TV")),
        "{listed:?}"
    );
    let (status, _) = server
        .refresh("tv", field(&first, "refresh_token"), None)
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        server.userinfo_status(field(&first, "access_token")).await,
        401
    );

    let args = ["devices", "revoke", "--all", "--user", "lena"];
    let out = stdout_ok(&args, usher(server, &args));
    assert!(out.contains("Signed out 1 device of 'lena'"), "{out}");
    assert_eq!(
        server.userinfo_status(field(&second, "access_token")).await,
        401
    );
    assert_eq!(
        server.userinfo_status(field(&omars, "access_token")).await,
        200
    );

    let args = ["devices", "list", "--user", "lena"];
    let out = stdout_ok(&args, usher(server, &args));
    assert!(out.contains("No devices are signed in."), "{out}");
    assert!(listed_devices(&lena).await.is_empty());
    let nobody = usher(server, &["devices", "list", "--user", "nobody"]);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no user named 'nobody'"));

    let unknown = usher(server, &["devices", "revoke", "nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no device with id 'nope'"));
    let usage = usher(server, &["devices", "revoke"]);
    assert_eq!(usage.status.code(), Some(2), "id or --all is required");
}

#[tokio::test]
async fn bad_input_on_the_devices_page_gets_a_page_never_a_500() {
    let setup = setup().await;
    let server = &setup.server;
    sign_in_device(server, "lena", "openid", &[("X-Device-Name", "Den TV")]).await;
    let phone = signed_in_phone(server, "lena").await;
    let csrf = phone.csrf_from("/account/devices").await;

    // Ids that name no device of hers: the same "Device not found" page as another's.
    let long = "d".repeat(10_000);
    for id in ["", "ä", "'; DROP TABLE linked_devices; --", "%00", &long] {
        let response = phone
            .post_form(
                "/account/devices/sign-out",
                &[("csrf", &csrf), ("device_id", id)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{id:?}");
        assert!(page_text(&response.text().await.unwrap()).contains("Device not found"));
    }
    let response = phone
        .post_form("/account/devices/sign-out", &[("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // No CSRF token, a repeated field, not a form: refused in words.
    let (device, _) = listed_devices(&phone).await.remove(0);
    let forms: [(&[(&str, &str)], StatusCode); 2] = [
        (&[("device_id", &device)], StatusCode::FORBIDDEN),
        (
            &[("csrf", &csrf), ("device_id", &device), ("device_id", "x")],
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (form, status) in forms {
        let response = phone.post_form("/account/devices/sign-out", form).await;
        assert_eq!(response.status(), status, "{form:?}");
        let text = page_text(&response.text().await.unwrap());
        assert!(
            text.contains("Your form expired") || text.contains("The form could not be read"),
            "{text}"
        );
    }
    let response = phone
        .http
        .post(phone.url("/account/devices/sign-out"))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"csrf\":\"{csrf}\",\"device_id\":\"{device}\"}}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // None of it signed anything out.
    assert_eq!(listed_devices(&phone).await.len(), 1);
}
