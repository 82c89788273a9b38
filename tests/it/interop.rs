//! Third-party relying-party libraries against a live server: Node's `openid-client` and
//! Python's Authlib each discover Usher, run the device grant while a phone approves,
//! validate the ID token against the JWKS, call userinfo, refresh (rotation) and revoke.
//! The scripts are in `tests/interop/`; their packages are installed by `.ci/run`.
//! `USHER_SKIP_INTEROP=1` skips these tests.

use std::{path::PathBuf, process::Stdio, time::Duration};

use serde_json::Value;
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, BufReader},
    process::Command,
};

use crate::{phone, support::TestServer};

const SCOPES: &str = "openid profile email offline_access";
/// The whole run of one script: discovery, polling at 1 s, refresh, revocation.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the person takes to approve: longer than two polling intervals.
const APPROVAL_DELAY: Duration = Duration::from_millis(2_500);

struct Library {
    name: &'static str,
    program: &'static str,
    script: &'static str,
    /// Exits 0 when the library's packages are installed.
    installed_check: &'static [&'static str],
    install: &'static str,
}

const OPENID_CLIENT: Library = Library {
    name: "openid-client (Node.js)",
    program: "node",
    script: "tests/interop/node/device_flow.mjs",
    installed_check: &[
        "--input-type=module",
        "-e",
        "await import('./tests/interop/node/node_modules/openid-client/build/index.js')",
    ],
    install: "npm ci --prefix tests/interop/node",
};

const AUTHLIB: Library = Library {
    name: "Authlib (Python)",
    program: "python3",
    script: "tests/interop/python/device_flow.py",
    installed_check: &["-c", "import authlib, joserfc, requests"],
    install: "python3 -m pip install -r tests/interop/python/requirements.txt",
};

#[tokio::test]
async fn openid_client_public_client_completes_device_grant_refresh_and_revocation() {
    run_library(&OPENID_CLIENT, false).await;
}

#[tokio::test]
async fn authlib_confidential_client_completes_device_grant_refresh_and_revocation() {
    run_library(&AUTHLIB, true).await;
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Skips when asked to; fails (never skips silently) when the library is not installed.
async fn ready(library: &Library) -> bool {
    if std::env::var("USHER_SKIP_INTEROP").is_ok_and(|v| v == "1") {
        eprintln!(
            "USHER_SKIP_INTEROP=1: skipping the {} interop test",
            library.name
        );
        return false;
    }
    let check = Command::new(library.program)
        .args(library.installed_check)
        .current_dir(repo_root())
        .output()
        .await;
    match check {
        Ok(output) if output.status.success() => true,
        Ok(output) => panic!(
            "{} is not installed; run `{}` once (as .ci/run does), or set USHER_SKIP_INTEROP=1.\n{}",
            library.name,
            library.install,
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => panic!(
            "cannot run `{}` for the {} interop test ({error}); install it, then run `{}`",
            library.program, library.name, library.install
        ),
    }
}

async fn run_library(library: &Library, confidential: bool) {
    if !ready(library).await {
        return;
    }
    let server = TestServer::start_real_time(|c| c.device_poll_interval_secs = 1).await;
    let user = server.create_user("rita", "rita's password").await;
    let client_id = "interop-rp";
    let mut command = Command::new(library.program);
    command
        .arg(library.script)
        .args([&server.url, client_id])
        .current_dir(repo_root())
        .env_remove("CLIENT_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if confidential {
        // The secret goes through the environment, not the (visible) command line.
        let (_, secret) = server.create_confidential_client(client_id, SCOPES).await;
        command.env("CLIENT_SECRET", secret);
    } else {
        server
            .create_public_client(client_id, "Interop RP", SCOPES)
            .await;
    }
    let mut child = command.spawn().expect("start the interop script");
    let mut stderr = child.stderr.take().expect("stderr");
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();

    let run = async {
        let mut output = Vec::new();
        while let Some(line) = lines.next_line().await.expect("script stdout") {
            if let Some(rest) = line.strip_prefix("USER_CODE ") {
                let (user_code, link) = rest.split_once(' ').expect("USER_CODE <code> <uri>");
                assert_eq!(
                    link,
                    format!("{}/device?user_code={user_code}", server.url),
                    "verification_uri_complete as the library saw it"
                );
                // Approve only after a couple of polls at the 1 s interval, so the library
                // also meets `authorization_pending` (RFC 8628 §3.5) before the tokens.
                tokio::time::sleep(APPROVAL_DELAY).await;
                phone::approve_device(&server.url, user_code, "rita", "rita's password").await;
            }
            output.push(line);
        }
        let status = child.wait().await.expect("script exit");
        (status, output)
    };
    let Ok((status, output)) = tokio::time::timeout(SCRIPT_TIMEOUT, run).await else {
        let _ = child.start_kill();
        panic!(
            "{} did not finish within {SCRIPT_TIMEOUT:?}; stderr:\n{}",
            library.name,
            stderr_text(stderr).await
        );
    };
    let output = output.join("\n");
    assert!(
        status.success(),
        "{} failed ({status}).\nstdout:\n{output}\nstderr:\n{}",
        library.name,
        stderr_text(stderr).await
    );
    let summary: Value = output
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("{} printed no JSON summary:\n{output}", library.name));
    println!("{}: {summary}", library.name);

    let expected_auth = if confidential {
        "client_secret_basic"
    } else {
        "none"
    };
    assert_eq!(summary["client_auth"], expected_auth, "{summary}");
    assert_eq!(summary["issuer"], server.url, "{summary}");
    assert_eq!(
        summary["sub"],
        user.id.as_str(),
        "ID token subject: {summary}"
    );
    assert_eq!(summary["id_token_aud"], client_id, "{summary}");
    assert_eq!(summary["id_token_alg"], "RS256", "{summary}");
    assert_eq!(summary["access_token_sub"], user.id.as_str(), "{summary}");
    assert_eq!(summary["access_token_client_id"], client_id, "{summary}");
    assert_eq!(summary["userinfo_sub"], user.id.as_str(), "{summary}");
    assert_eq!(summary["userinfo_email"], "rita@example.com", "{summary}");
    assert_eq!(summary["refreshed_sub"], user.id.as_str(), "{summary}");
    assert_eq!(summary["refresh_token_rotated"], true, "{summary}");
    assert_eq!(summary["access_token_changed"], true, "{summary}");
    assert_eq!(
        summary["revoked_refresh_error"], "invalid_grant",
        "{summary}"
    );
    assert!(
        summary["token_requests_until_approved"].as_u64() >= Some(2),
        "polled while pending: {summary}"
    );
}

async fn stderr_text(task: tokio::task::JoinHandle<String>) -> String {
    task.await.unwrap_or_default()
}
