//! Hostile input at every edge, on SQLite and (with `USHER_TEST_DATABASE_URL`) PostgreSQL:
//! NUL and other control characters in identifiers, usernames and Basic credentials,
//! repeated parameters. Each gets the endpoint's usual 400/401 answer — RFC 6749 JSON or
//! the friendly page — never a 5xx (PostgreSQL refuses to store or compare NUL, so such a
//! value must never reach a query).

use base64::{Engine, engine::general_purpose::STANDARD};
use reqwest::{Method, header};

use crate::{databases, phone::Phone, support::TestServer};

struct Case {
    method: Method,
    path: &'static str,
    body: &'static str,
    basic: Option<&'static str>,
    expect: u16,
    json: bool,
}

fn case(method: Method, path: &'static str, body: &'static str, expect: u16) -> Case {
    let json = path.starts_with("/oauth2/")
        && !path.starts_with("/oauth2/authorize")
        && !path.starts_with("/oauth2/logout");
    Case {
        method,
        path,
        body,
        basic: None,
        expect,
        json,
    }
}

fn cases() -> Vec<Case> {
    use Method as M;
    const DEVICE: &str = "/oauth2/device_authorization";
    let mut cases = vec![
        case(
            M::POST,
            "/oauth2/token",
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=x&client_id=tv%00",
            400,
        ),
        case(
            M::POST,
            "/oauth2/token",
            "grant_type=refresh_token&refresh_token=a%00b&client_id=tv",
            400,
        ),
        case(
            M::POST,
            "/oauth2/token",
            "grant_type=authorization_code&code=%01&client_id=tv",
            400,
        ),
        case(
            M::POST,
            "/oauth2/token",
            "grant_type=refresh_token&grant_type=refresh_token",
            400,
        ),
        case(M::POST, DEVICE, "client_id=%00", 400),
        case(M::POST, DEVICE, "client_id=tv%0A", 400),
        case(M::POST, DEVICE, "client_id=tv&scope=openid%00", 400),
        case(M::POST, "/oauth2/revoke", "token=%00&client_id=tv", 400),
        case(M::POST, "/oauth2/introspect", "token=%00", 400),
        case(
            M::POST,
            "/oauth2/device/wait",
            "device_code=%00&client_id=tv",
            400,
        ),
        case(
            M::POST,
            "/oauth2/device/events",
            "device_code=a&client_id=%00",
            400,
        ),
        case(
            M::GET,
            "/oauth2/authorize?client_id=%00&response_type=code",
            "",
            400,
        ),
        case(
            M::GET,
            "/oauth2/authorize?client_id=tv&client_id=tv",
            "",
            400,
        ),
        case(M::GET, "/oauth2/logout?client_id=%00", "", 400),
        case(M::POST, "/oauth2/logout", "client_id=web%00", 400),
    ];
    // NUL in Basic credentials: 401 invalid_client, as for any bad credentials.
    for basic in ["tv\0:secret", "tv:sec\0ret", "tv%00:secret"] {
        cases.push(Case {
            basic: Some(basic),
            ..case(
                M::POST,
                "/oauth2/token",
                "grant_type=refresh_token&refresh_token=x",
                401,
            )
        });
        cases.push(Case {
            basic: Some(basic),
            ..case(M::POST, "/oauth2/introspect", "token=x", 401)
        });
    }
    cases
}

#[tokio::test]
async fn control_characters_get_the_usual_answer_never_a_server_error_on_both_databases() {
    for on in databases::each(|_| {}).await {
        let (database, server) = (on.name, &on.server);
        server.create_public_client("tv", "TV", "openid").await;
        for case in cases() {
            let mut request = server
                .http
                .request(case.method.clone(), server.url(case.path));
            if case.method == Method::POST {
                request = request
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(case.body);
            }
            if let Some(basic) = case.basic {
                let value = format!("Basic {}", STANDARD.encode(basic));
                request = request.header(header::AUTHORIZATION, value);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            let body = response.text().await.unwrap();
            let what = format!("{database}: {} {} {:?}", case.method, case.path, case.body);
            assert_eq!(status, case.expect, "{what}: {body}");
            if case.json {
                let json: serde_json::Value = serde_json::from_str(&body).expect(&what);
                let error = json["error"].as_str().unwrap_or_default();
                assert!(
                    ["invalid_request", "invalid_client"].contains(&error),
                    "{what}: {body}"
                );
            } else {
                assert!(
                    content_type.starts_with("text/html"),
                    "{what}: {content_type}"
                );
            }
        }
        pages_refuse_control_characters(server, database).await;
        on.finish().await;
    }
}

/// Forms on the pages: the friendly 400 page before any lookup.
async fn pages_refuse_control_characters(server: &TestServer, database: &str) {
    server.create_user("mira", "a long password").await;
    let stranger = Phone::new(&server.url);
    let csrf = stranger.csrf_from("/login").await;
    for username in ["mira\0", "mi\u{1}ra", "\0"] {
        let form = [
            ("username", username),
            ("password", "a long password"),
            ("csrf", csrf.as_str()),
        ];
        let response = stranger.post_form("/login", &form).await;
        assert_eq!(response.status(), 400, "{database}: login as {username:?}");
    }
    let phone = Phone::signed_in(&server.url, "mira", "a long password").await;
    let csrf = phone.csrf_from("/account/devices").await;
    for (path, field) in [
        ("/account/devices/sign-out", "device_id"),
        ("/account/consents/withdraw", "client_id"),
        ("/device", "user_code"),
    ] {
        let form = [("csrf", csrf.as_str()), (field, "x\0y")];
        let response = phone.post_form(path, &form).await;
        assert_eq!(response.status(), 400, "{database}: {path}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains("The form could not be read"),
            "{database}: {path}"
        );
    }
    // The person is still signed in and nothing was changed.
    assert_eq!(phone.get("/account/devices").await.status(), 200);
}
