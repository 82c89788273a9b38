//! Browser sessions (docs/architecture.md, Security): the database keeps only a hash of each
//! session id; a password change or a disabled account ends the account's sessions, and
//! pages let an account act only under the rule token redemption uses
//! (`accounts::active_account`).

use std::str::FromStr;

use reqwest::StatusCode;
use tower_sessions::session::Id;
use usher::{
    clock::{Clock, SystemClock},
    store::{Database, session_id_hash},
};

use crate::{
    databases,
    phone::{Phone, location},
    support::TestServer,
};

const PASSWORD: &str = "nora's password";

/// Every stored session: (id hash, user id, data).
async fn stored_sessions(db: &Database) -> Vec<(String, Option<String>, String)> {
    let sql = "SELECT id_hash, user_id, data FROM browser_sessions";
    match db {
        Database::Sqlite(sqlite) => sqlx::query_as(sql).fetch_all(&sqlite.read).await,
        Database::Postgres(pg) => sqlx::query_as(sql).fetch_all(&pg.pool).await,
    }
    .expect("read sessions")
}

async fn execute(db: &Database, sql: &str) {
    match db {
        Database::Sqlite(sqlite) => sqlx::query(sql).execute(&sqlite.write).await.map(|_| ()),
        Database::Postgres(pg) => sqlx::query(sql).execute(&pg.pool).await.map(|_| ()),
    }
    .expect(sql);
}

/// The phone's session cookie; panics without one.
fn cookie(phone: &Phone) -> String {
    phone.session_cookie().expect("a session cookie")
}

/// Asserts that no stored row holds `cookie` in clear, and returns whether a row is keyed
/// by its hash.
async fn stored_as_hash_only(db: &Database, cookie: &str) -> bool {
    let id = Id::from_str(cookie).expect("the cookie is a session id");
    let rows = stored_sessions(db).await;
    for (id_hash, _, data) in &rows {
        assert_ne!(id_hash, cookie, "a session id stored in clear");
        assert!(!data.contains(cookie), "a session id in the session data");
    }
    rows.iter().any(|(h, _, _)| *h == session_id_hash(&id))
}

/// A phone signed in as nora (with `password`) on the consent page of a fresh device
/// authorization.
struct OnConsent {
    phone: Phone,
    device_code: String,
    /// The consent form's CSRF token, read while the session could still act.
    csrf: String,
}

async fn on_consent(server: &TestServer) -> OnConsent {
    on_consent_with(server, PASSWORD).await
}

async fn on_consent_with(server: &TestServer, password: &str) -> OnConsent {
    let auth = server.device_authorization("tv", None, &[]).await;
    let phone = Phone::signed_in(&server.url, "nora", password).await;
    let entered = phone.enter_code(auth["user_code"].as_str().unwrap()).await;
    assert_eq!(
        location(&entered),
        "/device/consent",
        "signed in: straight on"
    );
    let csrf = phone.csrf_from("/device/consent").await;
    OnConsent {
        phone,
        device_code: auth["device_code"].as_str().unwrap().to_string(),
        csrf,
    }
}

/// The phone may neither approve nor open the consent or account pages (they send it to
/// sign in), and the device is still waiting.
async fn assert_signed_out(server: &TestServer, on: &OnConsent, what: &str) {
    let phone = &on.phone;
    let approve = phone
        .post_form(
            "/device/consent",
            &[("decision", "approve"), ("csrf", &on.csrf)],
        )
        .await;
    assert_ne!(approve.status(), StatusCode::OK, "{what}: approving");
    let consent = phone.get("/device/consent").await;
    assert_eq!(
        consent.status(),
        StatusCode::SEE_OTHER,
        "{what}: consent page"
    );
    assert!(location(&consent).starts_with("/login"), "{what}");
    let account = phone.get("/account/devices").await;
    assert_eq!(
        account.status(),
        StatusCode::SEE_OTHER,
        "{what}: account page"
    );
    assert_eq!(location(&account), "/login?next=/account/devices", "{what}");
    let (status, body) = server.poll("tv", &on.device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending")),
        "{what}: the device was not approved"
    );
}

async fn setup(server: &TestServer) -> String {
    server
        .create_public_client("tv", "Living-room TV", "openid profile")
        .await;
    server.create_user("nora", PASSWORD).await.id
}

async fn sessions_of(db: &Database, user_id: &str) -> usize {
    stored_sessions(db)
        .await
        .iter()
        .filter(|(_, user, _)| user.as_deref() == Some(user_id))
        .count()
}

#[tokio::test]
async fn session_ids_are_stored_only_as_hashes_and_cookies_work_across_requests_and_sign_in() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let user_id = setup(server).await;
        let phone = Phone::new(&server.url);
        // The code entry page starts a session (for its CSRF token).
        assert_eq!(phone.get("/device").await.status(), StatusCode::OK);
        let before = cookie(&phone);
        assert!(
            stored_as_hash_only(&server.state.db, &before).await,
            "{}",
            on.name
        );

        // Signing in gives the session a new id (`cycle_id`); the old one is gone.
        assert_eq!(phone.login("nora", PASSWORD).await.status(), 303);
        let after = cookie(&phone);
        assert_ne!(before, after, "{}: a new id at sign-in", on.name);
        assert!(!stored_as_hash_only(&server.state.db, &before).await);
        assert!(stored_as_hash_only(&server.state.db, &after).await);
        assert_eq!(sessions_of(&server.state.db, &user_id).await, 1);

        // The new cookie carries the sign-in from request to request.
        for _ in 0..2 {
            let page = phone.get("/account/devices").await;
            assert_eq!(page.status(), StatusCode::OK, "{}", on.name);
        }
        assert_eq!(cookie(&phone), after);
        assert!(stored_as_hash_only(&server.state.db, &after).await);
        on.finish().await;
    }
}

#[tokio::test]
async fn a_password_change_or_disabling_ends_the_accounts_sessions_at_once() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let user_id = setup(server).await;
        let db = &server.state.db;

        // What `usher user set-password` does.
        let phone = on_consent(server).await;
        let other = Phone::signed_in(&server.url, "nora", PASSWORD).await;
        assert_eq!(sessions_of(db, &user_id).await, 2);
        let hash = usher::oauth::accounts::hash_password("a new password").unwrap();
        assert!(
            db.set_password(&user_id, &hash, server.clock.now())
                .await
                .unwrap()
        );
        assert_eq!(sessions_of(db, &user_id).await, 0, "{}", on.name);
        assert_signed_out(server, &phone, "after set-password").await;
        let account = other.get("/account/devices").await;
        assert_eq!(account.status(), StatusCode::SEE_OTHER);

        // What `usher user disable` does.
        let hash = usher::oauth::accounts::hash_password(PASSWORD).unwrap();
        server.clock.advance_secs(1);
        db.set_password(&user_id, &hash, server.clock.now())
            .await
            .unwrap();
        server.clock.advance_secs(1);
        let phone = on_consent(server).await;
        assert!(db.set_disabled(&user_id, true).await.unwrap());
        assert_eq!(sessions_of(db, &user_id).await, 0, "{}", on.name);
        assert_signed_out(server, &phone, "after disable").await;
        on.finish().await;
    }
}

#[tokio::test]
async fn pages_apply_the_redemption_rule_even_to_a_session_that_was_not_deleted() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let user_id = setup(server).await;
        let db = &server.state.db;
        let phone = on_consent(server).await;
        // A password change the session rows did not hear of (an older instance, a
        // restored backup): the session is still stored, but it predates the change.
        server.clock.advance_secs(5);
        let sql = format!(
            "UPDATE users SET password_changed_at = {} WHERE id = '{user_id}'",
            server.clock.now()
        );
        execute(db, &sql).await;
        assert_eq!(sessions_of(db, &user_id).await, 1);
        assert_signed_out(server, &phone, "password changed since sign-in").await;
        // Signing in again (after the change) is a session that may act.
        server.clock.advance_secs(1);
        let fresh = Phone::signed_in(&server.url, "nora", PASSWORD).await;
        assert_eq!(fresh.get("/account/devices").await.status(), StatusCode::OK);
        on.finish().await;
    }
}

/// `usher user set-password` and `usher user disable` against the database of a running
/// server.
#[tokio::test]
async fn the_user_cli_ends_the_sessions_of_a_running_server() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        let user_id = setup(server).await;
        let url = &server.state.config.database_url;
        let phone = on_consent(server).await;
        let new_password = "another password\n";
        usher(
            url,
            &["user", "set-password", "nora", "--password-stdin"],
            Some(new_password),
        )
        .await;
        assert_eq!(sessions_of(&server.state.db, &user_id).await, 0);
        assert_signed_out(server, &phone, "usher user set-password").await;

        // The CLI stamps the change with the wall clock; sign in after it.
        let behind = SystemClock.now() - server.clock.now() + 1;
        server.clock.advance_secs(behind.max(1));
        let phone = on_consent_with(server, "another password").await;
        usher(url, &["user", "disable", "nora"], None).await;
        assert_signed_out(server, &phone, "usher user disable").await;
        on.finish().await;
    }
}

/// Runs the `usher` binary on `database_url` in a scratch directory; asserts success.
async fn usher(database_url: &str, args: &[&str], stdin: Option<&str>) {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(args)
        .current_dir(dir.path())
        .env("USHER_DATABASE_URL", database_url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run usher");
    let mut input = child.stdin.take().unwrap();
    if let Some(stdin) = stdin {
        input.write_all(stdin.as_bytes()).await.unwrap();
    }
    drop(input);
    let output = child.wait_with_output().await.unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
