//! Signing keys encrypted at rest (`key_encryption_key`): rows are sealed, the server still
//! signs and serves its JWKS, a wrong key stops the start with a clear error, and
//! `usher keys encrypt` seals keys stored in plain text.

use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};
use usher::protocol::{GrantType, SigningAlg};

use base64::{Engine, engine::general_purpose::STANDARD};
use usher::{
    clock::SystemClock,
    config::Config,
    store::{Client, Database, SigningKey},
    tokens::key_encryption::{KeyEncryptionKeySetting, SEALED_PREFIX},
};

use crate::{
    device_flow::jwt_part,
    support::{TestServer, field},
};

const PASSWORD: &str = "key encryption password";

fn kek(byte: u8) -> String {
    STANDARD.encode([byte; 32])
}

fn with_kek(byte: u8) -> impl FnOnce(&mut Config) {
    move |c| c.key_encryption_key = Some(KeyEncryptionKeySetting(kek(byte)))
}

async fn stored_keys(database_url: &str) -> Vec<SigningKey> {
    let db = Database::connect(database_url, 1).await.unwrap();
    db.list_keys().await.unwrap()
}

fn assert_sealed(keys: &[SigningKey]) {
    assert!(!keys.is_empty());
    for key in keys {
        assert!(
            key.private_pem.starts_with(SEALED_PREFIX),
            "{} is stored in plain text",
            key.kid
        );
        assert!(!key.private_pem.contains("PRIVATE KEY"));
    }
}

/// The published kids, sorted (the tests compare sets, not publication order).
async fn jwks_kids(server: &TestServer) -> Vec<String> {
    let mut kids = server.jwks_kids().await;
    kids.sort();
    kids
}

/// A device sign-in for `client_id`; returns the access token after checking userinfo
/// accepts it.
async fn sign_in(server: &TestServer, client_id: &str) -> String {
    let tokens = server.device_sign_in(client_id, "kim", PASSWORD).await;
    let access_token = field(&tokens, "access_token");
    assert_eq!(server.userinfo_status(access_token).await, 200);
    access_token.to_string()
}

async fn add_clients(server: &TestServer) {
    server.create_user("kim", PASSWORD).await;
    server.create_public_client("tv", "TV", "openid").await;
    let es = Client {
        id: "tv-es".into(),
        name: "ES TV".into(),
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::DeviceCode],
        signing_alg: SigningAlg::ES256,
        ..Client::default()
    };
    server.state.db.create_client(&es).await.unwrap();
}

#[tokio::test]
async fn with_a_key_encryption_key_keys_are_stored_sealed_and_still_sign() {
    let server = TestServer::start_with(with_kek(7)).await;
    add_clients(&server).await;
    let url = server.state.config.database_url.clone();
    assert_sealed(&stored_keys(&url).await);

    sign_in(&server, "tv").await;
    // The ES256 key (made at start, like every algorithm's) is sealed too.
    let token = sign_in(&server, "tv-es").await;
    assert_eq!(jwt_part(&token, 0)["alg"], "ES256");
    let keys = stored_keys(&url).await;
    assert_eq!(keys.len(), 3);
    assert_sealed(&keys);
    let mut kids: Vec<String> = keys.iter().map(|k| k.kid.clone()).collect();
    kids.sort();
    assert_eq!(jwks_kids(&server).await, kids);
}

#[tokio::test]
async fn a_server_started_with_the_key_seals_plain_keys_and_keeps_their_ids() {
    let plain = TestServer::start().await;
    let url = plain.state.config.database_url.clone();
    let before = stored_keys(&url).await;
    assert!(!before[0].private_pem.starts_with(SEALED_PREFIX));

    let sealed = TestServer::start_with({
        let url = url.clone();
        move |c| {
            with_kek(7)(c);
            c.database_url = url;
        }
    })
    .await;
    let after = stored_keys(&url).await;
    assert_sealed(&after);
    assert_eq!(after[0].kid, before[0].kid);
    let mut kids: Vec<String> = before.iter().map(|k| k.kid.clone()).collect();
    kids.sort();
    assert_eq!(jwks_kids(&sealed).await, kids);
}

#[tokio::test]
async fn a_wrong_or_missing_key_stops_the_start_with_a_clear_error() {
    let server = TestServer::start_with(with_kek(7)).await;
    let url = server.state.config.database_url.clone();
    let start = |kek: Option<String>| {
        let config = Config {
            database_url: url.clone(),
            key_encryption_key: kek.map(KeyEncryptionKeySetting),
            ..Config::default()
        };
        usher::build_state(config, std::sync::Arc::new(SystemClock))
    };
    let wrong = start(Some(kek(8)))
        .await
        .err()
        .expect("the start fails")
        .to_string();
    assert!(wrong.contains("key_encryption_key is wrong"), "{wrong}");
    let missing = start(None)
        .await
        .err()
        .expect("the start fails")
        .to_string();
    assert!(missing.contains("USHER_KEY_ENCRYPTION_KEY"), "{missing}");
    let malformed = start(Some("too short".into()))
        .await
        .err()
        .expect("the start fails")
        .to_string();
    assert!(malformed.contains("key_encryption_key"), "{malformed}");

    // `usher serve` says so and exits, without a panic and without echoing the key.
    let (ok, _, stderr) = run_bounded(usher_command(&url, Some(&kek(8)), &["serve"]));
    assert!(!ok);
    assert!(stderr.contains("key_encryption_key is wrong"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains(&kek(8)), "the key must not be printed");
    // Nothing was changed by the failed start.
    assert_sealed(&stored_keys(&url).await);
}

fn usher_command(database_url: &str, kek: Option<&str>, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usher"));
    command
        .args(args)
        .env("USHER_DATABASE_URL", database_url)
        .env("USHER_LISTEN", "127.0.0.1:0")
        .env_remove("USHER_KEY_ENCRYPTION_KEY")
        .stdin(Stdio::null());
    if let Some(kek) = kek {
        command.env("USHER_KEY_ENCRYPTION_KEY", kek);
    }
    command
}

/// Runs a command that should end by itself; kills it after 60 s.
fn run_bounded(mut command: Command) -> (bool, String, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("{command:?} did not exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn usher(dir: &Path, kek: Option<&str>, args: &[&str]) -> (bool, String, String) {
    let url = format!("sqlite://{}/usher.db?mode=rwc", dir.display());
    run_bounded(usher_command(&url, kek, args))
}

#[tokio::test]
async fn usher_keys_encrypt_seals_plain_keys() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/usher.db?mode=rwc", dir.path().display());
    for args in [
        &["keys", "rotate"][..],
        &["keys", "rotate", "--alg", "EdDSA"],
    ] {
        let (ok, _, err) = usher(dir.path(), None, args);
        assert!(ok, "{err}");
    }
    let (_, list, _) = usher(dir.path(), None, &["keys", "list"]);
    assert_eq!(list.matches("plain").count(), 2, "{list}");
    let before = stored_keys(&url).await;

    let (ok, _, err) = usher(dir.path(), None, &["keys", "encrypt"]);
    assert!(!ok && err.contains("key_encryption_key"), "{err}");

    let (ok, out, err) = usher(dir.path(), Some(&kek(9)), &["keys", "encrypt"]);
    assert!(ok, "{err}");
    assert!(out.contains("Encrypted 2 signing key(s)"), "{out}");
    let (_, list, _) = usher(dir.path(), Some(&kek(9)), &["keys", "list"]);
    assert_eq!(list.matches("encrypted").count(), 2, "{list}");
    let after = stored_keys(&url).await;
    assert_sealed(&after);
    let kids = |keys: &[SigningKey]| keys.iter().map(|k| k.kid.clone()).collect::<Vec<_>>();
    assert_eq!(kids(&after), kids(&before));

    // Again: nothing left to do. With another key: refused, rows untouched.
    let (ok, out, _) = usher(dir.path(), Some(&kek(9)), &["keys", "encrypt"]);
    assert!(ok && out.contains("Encrypted 0"), "{out}");
    let (ok, _, err) = usher(dir.path(), Some(&kek(10)), &["keys", "encrypt"]);
    assert!(!ok && err.contains("key_encryption_key is wrong"), "{err}");
    assert_eq!(stored_keys(&url).await, after);

    // A server with the key signs with the sealed keys.
    let server = TestServer::start_with({
        let url = url.clone();
        move |c| {
            with_kek(9)(c);
            c.database_url = url;
        }
    })
    .await;
    add_clients(&server).await;
    let token = sign_in(&server, "tv").await;
    assert!(kids(&after).contains(&jwt_part(&token, 0)["kid"].as_str().unwrap().to_string()));
    // Published: the sealed keys, and the ES256 key the start added (no CLI key had it).
    let published = jwks_kids(&server).await;
    assert_eq!(published.len(), 3, "{published:?}");
    assert!(kids(&after).iter().all(|kid| published.contains(kid)));
}
