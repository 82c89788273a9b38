//! `usher client update` and `usher client rotate-secret` (issue 15), run as the real binary
//! beside a running server on the same database, as an operator would: a change reaches the
//! server without a restart (`oauth::clients::ClientView`), an invalid change changes
//! nothing, and a rotated secret's predecessor works for the overlap only.

use std::time::Duration;

use reqwest::{header::LOCATION, redirect::Policy};
use serde_json::Value;

use usher::clock::Clock;

use crate::{databases, support::TestServer};

const OLD: &str = "https://old.example/callback";
const NEW: &str = "https://new.example/callback";

/// `usher ARGS` as its own process on the server's database: (success, stdout, stderr).
async fn usher(server: &TestServer, args: &[&str]) -> (bool, String, String) {
    usher_with(server, args, &[]).await
}

async fn usher_with(
    server: &TestServer,
    args: &[&str],
    env: &[(&str, &str)],
) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(args)
        .current_dir(dir.path())
        .env("USHER_DATABASE_URL", &server.state.config.database_url)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run usher");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn usher_ok(server: &TestServer, args: &[&str]) -> String {
    let (ok, out, err) = usher(server, args).await;
    assert!(ok, "usher {args:?} failed:\n{out}\n{err}");
    out
}

/// A command that must fail with a message (exit 1); returns stderr.
async fn usher_fails(server: &TestServer, args: &[&str]) -> String {
    let (ok, out, err) = usher(server, args).await;
    assert!(!ok, "usher {args:?} should fail:\n{out}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

/// The value after `label` on the line that starts with it.
fn line(output: &str, label: &str) -> String {
    output
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no '{label}' in:\n{output}"))
        .trim()
        .to_string()
}

/// Asks `check` again until it holds: a server on SQLite sees another process's change
/// within about a second, one on PostgreSQL when the NOTIFY arrives.
async fn within_seconds<F: Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether the authorize endpoint takes `redirect_uri` for `photos`: a registered one goes
/// on to the sign-in page; an unregistered one gets an error page, never a redirect.
async fn authorize_accepts(server: &TestServer, redirect_uri: &str) -> bool {
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let mut url = url::Url::parse(&server.url("/oauth2/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", "photos")
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", "openid")
        .append_pair("state", "s1")
        .append_pair(
            "code_challenge",
            "wS0Au8kfd_Q2f6aHjxs6ml7QQpJwfDk4bFNPmLPwem8",
        )
        .append_pair("code_challenge_method", "S256");
    let response = http.get(url).send().await.unwrap();
    match response.status().as_u16() {
        400 => {
            assert!(response.headers().get(LOCATION).is_none());
            false
        }
        303 | 302 => {
            let to = response.headers()[LOCATION].to_str().unwrap();
            assert!(to.starts_with("/login"), "{to}");
            true
        }
        other => panic!("authorize answered {other}"),
    }
}

/// A token request by `backend` with `secret` (Basic): the bogus refresh token is
/// `invalid_grant` once the client authenticated, `invalid_client` (401) otherwise.
async fn secret_works(server: &TestServer, secret: &str) -> bool {
    let response = server
        .http
        .post(server.url("/oauth2/token"))
        .basic_auth("backend", Some(secret))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "nope")])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    match (status, body["error"].as_str()) {
        (400, Some("invalid_grant")) => true,
        (401, Some("invalid_client")) => false,
        other => panic!("unexpected answer {other:?}: {body}"),
    }
}

async fn create_backend(server: &TestServer) -> String {
    let out = usher_ok(
        server,
        &[
            "client",
            "create",
            "--name",
            "Backend",
            "--id",
            "backend",
            "--confidential",
        ],
    )
    .await;
    line(&out, "Client secret:")
}

async fn rotate(server: &TestServer, extra: &[&str]) -> String {
    let mut args = vec!["client", "rotate-secret", "backend"];
    args.extend_from_slice(extra);
    let out = usher_ok(server, &args).await;
    assert!(out.contains("cannot be shown again"), "{out}");
    line(&out, "Client secret:")
}

#[tokio::test]
async fn an_added_redirect_uri_is_accepted_by_the_running_server_and_a_removed_one_refused() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        usher_ok(
            server,
            &[
                "client",
                "create",
                "--name",
                "Photos",
                "--id",
                "photos",
                "--grant-type",
                "authorization_code",
                "--redirect-uri",
                OLD,
            ],
        )
        .await;
        assert!(authorize_accepts(server, OLD).await, "{}", on.name);
        assert!(!authorize_accepts(server, NEW).await, "{}", on.name);

        let out = usher_ok(
            server,
            &[
                "client",
                "update",
                "photos",
                "--add-redirect-uri",
                NEW,
                "--remove-redirect-uri",
                OLD,
                "--add-grant-type",
                "refresh_token",
            ],
        )
        .await;
        // The resulting client, as `client show` prints it.
        assert!(out.starts_with("Updated client 'photos'."), "{out}");
        assert_eq!(line(&out, "Redirect URIs:"), NEW);
        assert_eq!(
            line(&out, "Grant types:"),
            "authorization_code refresh_token"
        );
        within_seconds("the server takes the new redirect URI", || {
            authorize_accepts(server, NEW)
        })
        .await;
        assert!(!authorize_accepts(server, OLD).await, "{}", on.name);

        let show = usher_ok(server, &["client", "show", "photos"]).await;
        assert_eq!(line(&show, "Redirect URIs:"), NEW);
        let list = usher_ok(server, &["client", "list"]).await;
        let row = list.lines().find(|l| l.starts_with("photos ")).unwrap();
        assert!(row.contains("authorization_code refresh_token"), "{row}");
        on.finish().await;
    }
}

#[tokio::test]
async fn an_invalid_update_fails_and_changes_nothing() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        usher_ok(
            server,
            &[
                "client", "create", "--name", "TV", "--id", "tv", "--scope", "openid",
            ],
        )
        .await;
        let before = usher_ok(server, &["client", "show", "tv"]).await;
        let version = server.state.db.clients_version().await.unwrap();
        for (args, says) in [
            (
                vec!["--add-redirect-uri", "not a uri"],
                "invalid redirect URI 'not a uri': whitespace must be percent-encoded",
            ),
            (
                vec!["--add-grant-type", "password"],
                "unknown grant type 'password'",
            ),
            (vec!["--add-scope", "open\"id"], "unknown scope 'open\"id'"),
            (
                vec!["--add-redirect-uri", "/relative"],
                "invalid redirect URI '/relative'",
            ),
            (vec!["--set-scopes", ""], "give at least one scope"),
            (
                vec!["--remove-redirect-uri", NEW],
                "is not a redirect URI of client 'tv'",
            ),
            (
                vec!["--logo-uri", "http://tv.example/logo.png"],
                "https:// URL",
            ),
            (
                vec!["--token-endpoint-auth-method", "client_secret_post"],
                "has no secret",
            ),
            // A valid change beside an invalid one: neither is saved.
            (
                vec![
                    "--name",
                    "Renamed",
                    "--add-redirect-uri",
                    "https://a.example/#x",
                ],
                "must not contain a fragment",
            ),
            (vec![], "nothing to change"),
        ] {
            let mut full = vec!["client", "update", "tv"];
            full.extend(args.iter());
            let err = usher_fails(server, &full).await;
            assert!(err.contains(says), "{args:?}: {err}");
        }
        let err = usher_fails(server, &["client", "update", "nobody", "--name", "X"]).await;
        assert!(err.contains("no client with id 'nobody'"), "{err}");
        assert_eq!(usher_ok(server, &["client", "show", "tv"]).await, before);
        // Not even a rewrite of the same values: no running server dropped its view.
        assert_eq!(server.state.db.clients_version().await.unwrap(), version);
        on.finish().await;
    }
}

#[tokio::test]
async fn the_previous_secret_works_during_the_overlap_then_stops() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let first = create_backend(server).await;
        assert!(secret_works(server, &first).await);

        // The CLI dates the overlap by the wall clock; the server's manual clock starts at
        // the wall clock and is moved past the overlap below.
        let second = rotate(server, &["--overlap", "60"]).await;
        within_seconds("the new secret works", || secret_works(server, &second)).await;
        assert!(secret_works(server, &first).await, "{}: overlap", on.name);
        let show = usher_ok(server, &["client", "show", "backend"]).await;
        assert!(
            line(&show, "Previous secret:").starts_with("accepted until "),
            "{show}"
        );
        assert!(!show.contains(&first) && !show.contains(&second));

        // Up to the last second of the overlap, then past it.
        let stored = server
            .state
            .db
            .get_client("backend")
            .await
            .unwrap()
            .unwrap();
        let until = stored.previous_secret_expires_at.expect("an overlap");
        server
            .clock
            .advance_ms((until - 1) * 1000 - server.clock.now_ms());
        assert!(
            secret_works(server, &first).await,
            "{}: last second",
            on.name
        );
        server.clock.advance_secs(1);
        assert!(!secret_works(server, &first).await, "{}: expired", on.name);
        assert!(secret_works(server, &second).await);

        // Overlap 0: the previous secret fails as soon as the server sees the change.
        let third = rotate(server, &["--overlap", "0"]).await;
        within_seconds("the third secret works", || secret_works(server, &third)).await;
        assert!(
            !secret_works(server, &second).await,
            "{}: overlap 0",
            on.name
        );
        assert!(!secret_works(server, &first).await);
        on.finish().await;
    }
}

#[tokio::test]
async fn the_overlap_defaults_to_the_configuration_and_a_new_rotation_ends_the_old_overlap() {
    let server = TestServer::start().await;
    let first = create_backend(&server).await;
    let second = rotate(&server, &[]).await;
    let out = usher_ok(&server, &["client", "show", "backend"]).await;
    assert!(out.contains("Previous secret:"), "{out}");
    within_seconds("the second secret works", || secret_works(&server, &second)).await;
    // Default overlap: a day.
    server.clock.advance_secs(23 * 3600);
    assert!(secret_works(&server, &first).await);

    // Configured to 0: the second one stops at once, and so does the first.
    let (ok, out, err) = usher_with(
        &server,
        &["client", "rotate-secret", "backend"],
        &[("USHER_CLIENT_SECRET_OVERLAP_SECS", "0")],
    )
    .await;
    assert!(ok, "{err}");
    assert!(
        out.contains("The previous secret no longer works."),
        "{out}"
    );
    assert!(
        out.contains("The secret before it, still in its overlap, no longer works."),
        "{out}"
    );
    let third = line(&out, "Client secret:");
    within_seconds("the third secret works", || secret_works(&server, &third)).await;
    assert!(!secret_works(&server, &second).await);
    assert!(!secret_works(&server, &first).await);
}

#[tokio::test]
async fn only_a_client_with_a_secret_can_rotate_it() {
    let server = TestServer::start().await;
    usher_ok(&server, &["client", "create", "--name", "TV", "--id", "tv"]).await;
    let err = usher_fails(&server, &["client", "rotate-secret", "tv"]).await;
    assert!(
        err.contains("client 'tv' is public: it has no secret to rotate"),
        "{err}"
    );

    // RFC 7517 Appendix A.1's example key: only its shape matters here.
    let dir = tempfile::tempdir().unwrap();
    let jwks = dir.path().join("jwks.json");
    std::fs::write(
        &jwks,
        r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"1","use":"sig",
            "x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
            "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}]}"#,
    )
    .unwrap();
    let jwks = jwks.to_str().unwrap();
    usher_ok(
        &server,
        &[
            "client",
            "create",
            "--name",
            "Jwt",
            "--id",
            "jwt",
            "--jwks-file",
            jwks,
        ],
    )
    .await;
    let err = usher_fails(&server, &["client", "rotate-secret", "jwt"]).await;
    assert!(err.contains("authenticates with private_key_jwt"), "{err}");
    // Its keys can be replaced, but it cannot become a secret client (or a public one).
    let out = usher_ok(&server, &["client", "update", "jwt", "--jwks-file", jwks]).await;
    assert!(out.contains("private_key_jwt"), "{out}");
    let err = usher_fails(
        &server,
        &[
            "client",
            "update",
            "jwt",
            "--clear-token-endpoint-auth-method",
        ],
    )
    .await;
    assert!(err.contains("has no secret"), "{err}");
    let err = usher_fails(&server, &["client", "rotate-secret", "nobody"]).await;
    assert!(err.contains("no client with id 'nobody'"), "{err}");
}

#[tokio::test]
async fn client_commands_have_help() {
    let server = TestServer::start().await;
    for command in ["show", "delete", "update", "rotate-secret"] {
        let out = usher_ok(&server, &["client", command, "--help"]).await;
        assert!(out.contains("The client id"), "{command}: {out}");
    }
    let update = usher_ok(&server, &["client", "update", "--help"]).await;
    for flag in [
        "--add-redirect-uri",
        "--remove-redirect-uri",
        "--set-redirect-uris",
        "--add-scope",
        "--set-grant-types",
        "--clear-access-token-lifetime",
        "--signing-alg",
        "--user-code-format",
        "--clear-notification-endpoint",
    ] {
        assert!(update.contains(flag), "{flag}");
    }
    let rotate = usher_ok(&server, &["client", "rotate-secret", "--help"]).await;
    assert!(rotate.contains("--overlap"), "{rotate}");
}
