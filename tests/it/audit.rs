//! The audit log (docs/audit.md), on SQLite and PostgreSQL: a real device approval and a
//! failed sign-in leave rows (with the device's metadata, without the password), `usher
//! audit list` (the real binary, on the server's database) prints them, the account page
//! shows them to their owner, and the sweep forgets rows past `audit_retention_days`.

use std::process::Command;

use serde_json::Value;
use usher::store::{AuditFilter, AuditRecord, NewAuditEvent};

use crate::{
    databases,
    phone::{self, Phone, page_text},
    support::{TestServer, field},
};

const PASSWORD: &str = "correct horse battery";
const WRONG: &str = "not-the-password-7731";

async fn events_of(server: &TestServer, user_id: &str) -> Vec<AuditRecord> {
    let filter = AuditFilter {
        user_id: Some(user_id),
        client_id: None,
        since: None,
        limit: 50,
    };
    server.state.db.list_audit_events(&filter).await.unwrap()
}

/// `usher audit list ARGS` on the server's database: (stdout, success).
fn audit_list(server: &TestServer, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(["audit", "list"])
        .args(args)
        .current_dir(dir.path())
        .env("USHER_DATABASE_URL", &server.state.config.database_url)
        .output()
        .expect("run usher audit list");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "usher audit list {args:?}: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn a_device_approval_and_a_failed_sign_in_are_audited_and_shown() {
    for db in databases::each(|_| {}).await {
        let server = &db.server;
        let alice = server.create_user("alice", PASSWORD).await;
        server
            .create_public_client("tv-app", "Films at Home", "openid profile")
            .await;

        // A wrong password first, then a real device approval on a phone.
        let stranger = Phone::new(&server.url);
        let refused = stranger.login("alice", WRONG).await;
        assert_eq!(refused.status(), 401, "{}", db.name);
        let headers = [
            ("X-Device-Name", "Living room TV"),
            ("X-Device-Model", "Bravia XR"),
            ("User-Agent", "FilmsTV/2.1"),
        ];
        let auth = server.device_authorization("tv-app", None, &headers).await;
        phone::approve_device(&server.url, field(&auth, "user_code"), "alice", PASSWORD).await;

        // The rows, newest first.
        let events = events_of(server, &alice.id).await;
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["device_approved", "sign_in", "sign_in_failed"],
            "{}",
            db.name
        );
        let approved = &events[0];
        assert_eq!(approved.client_id.as_deref(), Some("tv-app"));
        assert_eq!(approved.username.as_deref(), Some("alice"));
        assert_eq!(approved.ip.as_deref(), Some("127.0.0.1"), "the approver");
        let device: Value = serde_json::from_str(approved.device.as_deref().unwrap()).unwrap();
        assert_eq!(device["name"], "Living room TV");
        assert_eq!(device["model"], "Bravia XR");
        assert_eq!(device["ip"], "127.0.0.1");
        assert_eq!(device["user_agent"], "FilmsTV/2.1");
        let failed = &events[2];
        assert_eq!(failed.outcome, "failure");
        assert_eq!(failed.user_id.as_deref(), Some(alice.id.as_str()));
        let all = format!("{events:?}");
        assert!(!all.contains(WRONG) && !all.contains(PASSWORD), "{all}");
        let sign_in: Value = serde_json::from_str(events[1].device.as_deref().unwrap()).unwrap();
        assert!(sign_in["user_agent"].as_str().unwrap().contains("Phone"));

        // The CLI, as an operator runs it against the same database.
        let lines = audit_list(server, &["--user", "alice", "--json"]);
        let printed: Vec<Value> = lines
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
            .collect();
        let kinds: Vec<&str> = printed
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["device_approved", "sign_in", "sign_in_failed"]);
        assert_eq!(printed[0]["device"]["name"], "Living room TV");
        assert_eq!(printed[0]["username"], "alice");
        assert!(!lines.contains(WRONG));
        let table = audit_list(server, &["--client", "tv-app", "--since", "24h"]);
        assert!(table.starts_with("TIME"), "{table}");
        assert!(table.contains("device_approved") && table.contains("Living room TV"));
        assert!(
            !table.contains("sign_in_failed"),
            "only tv-app's events: {table}"
        );
        let none = audit_list(server, &["--user", "nobody-at-all", "--json"]);
        assert!(none.is_empty(), "{none}");

        // The owner's account page, under the pages' CSP.
        let owner = Phone::signed_in(&server.url, "alice", PASSWORD).await;
        let page = owner.get("/account/devices").await;
        assert_eq!(page.status(), 200);
        let csp = page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        let text = page_text(&page.text().await.unwrap());
        assert!(text.contains("Recent sign-ins and approvals"), "{text}");
        assert!(
            text.contains("Approved a device for Films at Home"),
            "{text}"
        );
        assert!(
            text.contains("Living room TV, Bravia XR (from 127.0.0.1)"),
            "{text}"
        );
        assert!(text.contains("Sign-in failed: wrong password"), "{text}");
        assert!(text.contains("Signed in with your password"), "{text}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_person_sees_only_their_own_events() {
    let server = TestServer::start().await;
    server.create_user("alice", PASSWORD).await;
    server.create_user("bob", PASSWORD).await;
    let bob = Phone::new(&server.url);
    assert_eq!(bob.login("bob", WRONG).await.status(), 401);
    let alice = Phone::signed_in(&server.url, "alice", PASSWORD).await;
    let text = page_text(&alice.get("/account/devices").await.text().await.unwrap());
    assert!(text.contains("Signed in with your password"), "{text}");
    assert!(
        !text.contains("wrong password"),
        "bob's failure is not alice's: {text}"
    );
}

fn row(at: i64, user_id: &str) -> NewAuditEvent {
    NewAuditEvent {
        at,
        kind: "sign_in".into(),
        outcome: "success".into(),
        user_id: Some(user_id.into()),
        ..NewAuditEvent::default()
    }
}

#[tokio::test]
async fn the_sweep_deletes_events_past_the_retention() {
    for db in databases::each(|c| c.audit_retention_days = 30).await {
        let server = &db.server;
        let store = &server.state.db;
        let now = server.state.clock.now();
        let day = 86_400;
        for at in [now - 31 * day, now - 30 * day - 1, now - 29 * day, now] {
            store.insert_audit_event(&row(at, "u1")).await.unwrap();
        }
        usher::store::sweep(store, &server.state.config, now).await;
        let left: Vec<i64> = events_of(server, "u1").await.iter().map(|e| e.at).collect();
        assert_eq!(left, [now, now - 29 * day], "{}", db.name);

        db.finish().await;
    }
    // 0 keeps them forever. A server of its own: the background sweep of the server above
    // (30 days) could delete an old row between the insert and the assertion.
    for db in databases::each(|c| c.audit_retention_days = 0).await {
        let server = &db.server;
        let store = &server.state.db;
        let now = server.state.clock.now();
        store.insert_audit_event(&row(0, "u1")).await.unwrap();
        usher::store::sweep(store, &server.state.config, now).await;
        assert_eq!(events_of(server, "u1").await.len(), 1, "{}", db.name);
        db.finish().await;
    }
}

/// The operator's changes through the real binary: clients, users and keys.
#[test]
fn operator_changes_are_audited() {
    let usher = crate::cli::Usher::new();
    usher.ok(&[
        "client",
        "create",
        "--name",
        "TV",
        "--id",
        "tv",
        "--confidential",
    ]);
    usher.ok(&["client", "update", "tv", "--name", "Television"]);
    usher.ok(&["client", "rotate-secret", "tv"]);
    usher.ok(&["client", "delete", "tv"]);
    usher.ok_with_stdin(
        &["user", "create", "dora", "--password-stdin"],
        "a long password\n",
    );
    usher.ok(&["user", "disable", "dora"]);
    usher.ok(&["keys", "rotate", "--alg", "ES256"]);
    let kinds = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["audit", "list", "--json"];
        all.extend_from_slice(args);
        usher
            .ok(&all)
            .lines()
            .map(|line| {
                let event: Value = serde_json::from_str(line).unwrap();
                event["kind"].as_str().unwrap().to_string()
            })
            .collect()
    };
    assert_eq!(
        kinds(&["--client", "tv"]),
        [
            "client_deleted",
            "client_secret_rotated",
            "client_updated",
            "client_created"
        ]
    );
    assert_eq!(
        kinds(&["--user", "dora"]),
        ["user_disabled", "user_created"]
    );
    assert_eq!(kinds(&["--limit", "1"]), ["key_rotated"]);
    let secretless = usher.ok(&["audit", "list", "--json"]);
    assert!(!secretless.contains("a long password"));
    assert!(usher.ok(&["audit", "list"]).contains("key_rotated"));
}
