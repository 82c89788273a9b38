//! `usher device`, the terminal device client, against a live server while a phone approves.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::{phone, support::TestServer};

#[tokio::test]
async fn usher_device_prints_code_and_receives_tokens_after_approval() {
    let server = TestServer::start_real_time(|c| c.device_poll_interval_secs = 1).await;
    server.create_user("erin", "erin's password").await;
    server
        .create_public_client("cli", "Terminal", "openid profile offline_access")
        .await;

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args([
            "device",
            "--issuer",
            &server.url,
            "--client-id",
            "cli",
            "--scope",
            "openid profile",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run usher device");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut output = String::new();
    let user_code = loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("usher device printed a user code");
        output.push_str(&line);
        output.push('\n');
        if let Some(code) = find_user_code(&line) {
            break code;
        }
    };
    phone::approve_device(&server.url, &user_code, "erin", "erin's password").await;
    while let Some(line) = lines.next_line().await.unwrap() {
        output.push_str(&line);
        output.push('\n');
    }
    let status = child.wait().await.unwrap();
    assert!(status.success(), "usher device failed:\n{output}");
    assert!(output.contains("Signed in"), "{output}");
    assert!(output.contains("erin"), "claims are printed:\n{output}");
}

/// A `XXXX-XXXX` token of the user-code alphabet in a line of output.
fn find_user_code(line: &str) -> Option<String> {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|word| {
            word.len() == 9
                && word.as_bytes()[4] == b'-'
                && word
                    .replace('-', "")
                    .bytes()
                    .all(|b| b"BCDFGHJKLMNPQRSTVWXZ".contains(&b))
        })
        .map(str::to_string)
}
