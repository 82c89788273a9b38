//! Device authorizations written in batches (`store/device_batch.rs`): every answered request
//! is a committed row, and a row that cannot be written fails only its own caller.

use futures_util::future::join_all;
use serde_json::Value;
use usher::{
    error::StoreError,
    protocol::GrantType,
    store::{AuthorizationPurpose, Client, Database, DeviceAuthorization, DeviceState},
};

use crate::{databases, store::on_both, support::field};

/// Many device authorizations at once over HTTP: each 200 names a row that a poll (on
/// SQLite through another connection than the writer's) finds pending.
#[tokio::test]
async fn concurrent_device_authorizations_are_all_committed_and_pollable() {
    for on in databases::each(|_| {}).await {
        let server = &on.server;
        server.create_public_client("tv", "TV", "openid").await;
        let answers: Vec<Value> =
            join_all((0..200).map(|_| server.device_authorization("tv", Some("openid"), &[])))
                .await;
        let mut user_codes: Vec<&str> = answers.iter().map(|a| field(a, "user_code")).collect();
        user_codes.sort_unstable();
        user_codes.dedup();
        assert_eq!(user_codes.len(), 200, "{}: distinct user codes", on.name);
        let polls = join_all(
            answers
                .iter()
                .map(|a| server.poll("tv", field(a, "device_code"))),
        )
        .await;
        for (status, body) in polls {
            assert_eq!(status, 400, "{}: {body}", on.name);
            assert_eq!(body["error"], "authorization_pending", "{}", on.name);
        }
        on.finish().await;
    }
}

/// One batch (all queued before the writer task runs) holding a row whose user code is
/// already pending and two rows sharing a new one: those fail alone with the conflict the
/// caller retries on; every other row is written.
#[tokio::test]
async fn a_row_that_cannot_be_written_fails_only_its_own_caller() {
    on_both(|db| async move {
        db.create_client(&client("tv")).await.unwrap();
        db.create_device_authorization(&authorization("taken", "AAAABBBB"))
            .await
            .unwrap();
        let mut rows: Vec<DeviceAuthorization> = (0..40)
            .map(|i| authorization(&format!("h{i}"), &user_code(i)))
            .collect();
        rows[7].user_code = "AAAABBBB".into();
        rows[20].user_code = "CCCCDDDD".into();
        rows[33].user_code = "CCCCDDDD".into();
        let results = join_all(rows.iter().map(|row| db.create_device_authorization(row))).await;

        let conflict = |i: usize| matches!(results[i], Err(StoreError::Conflict("user code")));
        assert!(conflict(7), "a pending code again: {:?}", results[7]);
        assert!(
            conflict(20) != conflict(33),
            "one of two equal new codes is written: {:?} {:?}",
            results[20],
            results[33]
        );
        for (i, result) in results.iter().enumerate() {
            if i == 7 || i == 20 || i == 33 {
                continue;
            }
            assert!(result.is_ok(), "row {i}: {result:?}");
        }
        for (i, row) in rows.iter().enumerate() {
            let stored = db
                .get_by_device_code_hash(&row.device_code_hash)
                .await
                .unwrap();
            assert_eq!(stored.is_some(), results[i].is_ok(), "row {i}");
        }
        assert_eq!(
            db.get_by_user_code("AAAABBBB")
                .await
                .unwrap()
                .unwrap()
                .device_code_hash,
            "taken",
            "the earlier row keeps its code"
        );
    })
    .await;
}

/// A handle used after the runtime that started its writer task is gone still writes.
#[test]
fn a_handle_outlives_the_runtime_of_its_writer_task() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/batch.db?mode=rwc", dir.path().display());
    let runtime = || tokio::runtime::Runtime::new().unwrap();
    let db: Database = runtime().block_on(async {
        let db = Database::connect(&url, 2).await.unwrap();
        db.create_client(&client("tv")).await.unwrap();
        db.create_device_authorization(&authorization("first", "EEEEFFFF"))
            .await
            .unwrap();
        db
    });
    runtime().block_on(async {
        db.create_device_authorization(&authorization("second", "GGGGHHHH"))
            .await
            .unwrap();
        assert!(
            db.get_by_device_code_hash("second")
                .await
                .unwrap()
                .is_some()
        );
    });
}

fn user_code(i: usize) -> String {
    // Eight letters from the RFC 8628 §6.1 alphabet's spirit, distinct per row.
    let letters = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut code = String::from("KKKK");
    code.push(letters[i / 20 % 20] as char);
    code.push(letters[i % 20] as char);
    code.push_str("MM");
    code
}

fn client(id: &str) -> Client {
    Client {
        id: id.into(),
        name: format!("{id} app"),
        secret_hash: None,
        allowed_scopes: "openid".into(),
        grant_types: vec![GrantType::DeviceCode],
        ..Client::default()
    }
}

fn authorization(hash: &str, user_code: &str) -> DeviceAuthorization {
    DeviceAuthorization {
        id: uuid::Uuid::new_v4().to_string(),
        device_code_hash: hash.into(),
        user_code: user_code.into(),
        client_id: "tv".into(),
        scope: "openid".into(),
        purpose: AuthorizationPurpose::Device,
        state: DeviceState::Pending,
        created_at: 100,
        expires_at: 1_000,
        interval_secs: 5,
        ..DeviceAuthorization::default()
    }
}
