//! `usher device`, the terminal device client, against a live server while a phone approves.

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::{phone, support::TestServer};

#[tokio::test]
async fn usher_device_prints_code_and_receives_tokens_after_approval() {
    let server = TestServer::start_real_time(|c| c.device_poll_interval_secs = 1).await;
    server.create_user("erin", "erin's password").await;
    server
        .create_public_client("cli", "Terminal", "openid profile offline_access")
        .await;

    let (mut child, mut lines, mut output, user_code) = spawn_until_user_code(&[
        "device",
        "--issuer",
        &server.url,
        "--client-id",
        "cli",
        "--scope",
        "openid profile",
    ])
    .await;
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

#[tokio::test]
async fn usher_device_fits_an_80_by_24_terminal_with_code_url_and_qr_code() {
    let server = TestServer::start_real_time(|c| c.device_poll_interval_secs = 5).await;
    server
        .create_public_client("cli", "Terminal", "openid profile")
        .await;
    let output = instructions(&server, &[], (80, 24)).await;
    // One row stays for the typed command (and one for the spinner on a terminal).
    assert!(output.lines().count() <= 23, "{output}");
    assert!(output.lines().all(|l| l.chars().count() <= 80), "{output}");
    let user_code = output
        .lines()
        .find_map(find_user_code)
        .expect("a user code");
    assert!(
        output.contains(&format!("{}/device\n", server.url)),
        "{output}"
    );
    assert_eq!(
        crate::cli::decode_terminal_qr(&output),
        format!("{}/device?user_code={user_code}", server.url)
    );
    // Too small for the QR code: the URL and the code alone.
    let output = instructions(&server, &[], (60, 12)).await;
    assert!(output.lines().count() <= 11, "{output}");
    assert!(!output.contains('▀') && !output.contains('▄'), "{output}");
    assert!(
        output.lines().find_map(find_user_code).is_some(),
        "{output}"
    );
    assert!(
        output.contains(&format!("open {}/device", server.url)),
        "{output}"
    );
}

const LIVE_PASSWORD: &str = "correct horse battery";

/// `usher device --live` against `server` (client `cli`), once it printed its user code
/// and opened its live channel: (process, stdout lines, output so far, user code).
async fn start_usher_device_live(
    server: &TestServer,
) -> (
    tokio::process::Child,
    tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    String,
    String,
) {
    server.create_user("tess", LIVE_PASSWORD).await;
    server
        .create_public_client("cli", "Terminal", "openid profile")
        .await;
    let (child, lines, output, user_code) = spawn_until_user_code(&[
        "device",
        "--live",
        "--qr",
        "off",
        "--issuer",
        &server.url,
        "--client-id",
        "cli",
        "--scope",
        "openid profile",
    ])
    .await;
    // Wait until the device has its stream open, so the decision is heard live.
    let started = Instant::now();
    while server.state.device_events.waiting() == 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "no live wait");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (child, lines, output, user_code)
}

#[tokio::test]
async fn usher_device_live_redeems_as_soon_as_the_phone_approves() {
    // A long polling interval: only the live channel can make this quick.
    let server = TestServer::start_real_time(|c| c.device_poll_interval_secs = 30).await;
    let (mut child, mut lines, mut output, user_code) = start_usher_device_live(&server).await;
    phone::approve_device(&server.url, &user_code, "tess", LIVE_PASSWORD).await;
    let approved = Instant::now();
    let status = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            output.push_str(&line);
            output.push('\n');
        }
        child.wait().await.unwrap()
    })
    .await
    .expect("usher device finished");
    assert!(status.success(), "usher device failed:\n{output}");
    assert!(output.contains("Signed in"), "{output}");
    assert!(
        approved.elapsed() < Duration::from_secs(10),
        "redeemed without waiting the 30 s interval"
    );
}

#[tokio::test]
async fn usher_device_live_stops_as_soon_as_the_phone_denies() {
    let server = TestServer::start_real_time(|c| c.device_poll_interval_secs = 30).await;
    // Stdout stays open (`_stdout`), so the process never meets a closed pipe.
    let (child, _stdout, _, user_code) = start_usher_device_live(&server).await;
    phone::deny_device(&server.url, &user_code, "tess", LIVE_PASSWORD).await;
    let finished = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("usher device finished at once, not at its next poll")
        .unwrap();
    let stderr = String::from_utf8_lossy(&finished.stderr);
    assert!(!finished.status.success());
    assert!(stderr.contains("denied on the phone"), "{stderr}");
}

/// Runs `usher` with `args` until it prints a user code: (process, stdout lines still to
/// come, output so far, user code).
async fn spawn_until_user_code(
    args: &[&str],
) -> (
    tokio::process::Child,
    tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    String,
    String,
) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(args)
        .envs(in_language("C.UTF-8"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run usher device");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut output = String::new();
    let user_code = loop {
        let line = lines.next_line().await.unwrap().expect("a user code line");
        output.push_str(&line);
        output.push('\n');
        if let Some(code) = find_user_code(&line) {
            break code;
        }
    };
    (child, lines, output, user_code)
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

/// The environment of a terminal whose language is `lang` (`LANG`), with the variables
/// that would take precedence over it (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`) emptied: the
/// English tests above do not depend on the machine's own language.
fn in_language(lang: &str) -> [(&'static str, String); 4] {
    [
        ("LANG", lang.to_string()),
        ("LANGUAGE", String::new()),
        ("LC_ALL", String::new()),
        ("LC_MESSAGES", String::new()),
    ]
}

/// `usher device` in the terminal language `env` at `columns`×`rows`: what it prints up to
/// and including the expiry line (the one naming the time in UTC).
async fn instructions(server: &TestServer, env: &[(&str, &str)], size: (u16, u16)) -> String {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"));
    command
        .args(["device", "--issuer", &server.url, "--client-id", "cli"])
        .args(["--scope", "openid profile"])
        .envs(in_language("C.UTF-8"))
        .env("COLUMNS", size.0.to_string())
        .env("LINES", size.1.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("run usher device");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut output = String::new();
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            output.push_str(&line);
            output.push('\n');
            if line.contains("UTC") {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("instructions printed");
    output
}

#[tokio::test]
async fn usher_device_speaks_the_terminals_language_and_still_fits_80_by_24() {
    let server = TestServer::start_real_time(|c| c.device_poll_interval_secs = 5).await;
    server
        .create_public_client("cli", "Terminal", "openid profile")
        .await;
    let width = |l: &str| unicode_width::UnicodeWidthStr::width(l);
    let fits = |output: &str, what: &str| {
        assert!(output.lines().count() <= 23, "{what}:\n{output}");
        for line in output.lines() {
            assert!(width(line) <= 80, "{what}: {} columns: {line}", width(line));
        }
        let code = output
            .lines()
            .find_map(find_user_code)
            .expect("a user code");
        assert_eq!(
            crate::cli::decode_terminal_qr(output),
            format!("{}/device?user_code={code}", server.url),
            "{what}: the QR code is still there and scans"
        );
        assert!(
            output.contains(&format!("  {}/device\n", server.url)),
            "{what}:\n{output}"
        );
    };

    // German, from LANG as a German desktop sets it.
    let german = instructions(&server, &[("LANG", "de_DE.UTF-8")], (80, 24)).await;
    assert!(german.contains("Scannen Sie den QR-Code"), "{german}");
    assert!(
        german.contains("Der Code läuft in 10 Minuten ab"),
        "{german}"
    );
    assert!(!german.contains("Scan the QR code"), "{german}");
    fits(&german, "de");

    // Arabic (right to left: the terminal shapes and orders it; the width is the same).
    let arabic = instructions(&server, &[("LANG", "ar")], (80, 24)).await;
    assert!(arabic.contains("امسح رمز QR"), "{arabic}");
    fits(&arabic, "ar");

    // Japanese: two columns a character, still beside the QR code.
    let japanese = instructions(&server, &[("LANG", "ja_JP.UTF-8")], (80, 24)).await;
    assert!(japanese.contains("QR コードを読み取る"), "{japanese}");
    fits(&japanese, "ja");

    // LANGUAGE (GNU) comes before LANG; LC_ALL before LC_MESSAGES and LANG.
    let french = instructions(
        &server,
        &[("LANG", "de_DE.UTF-8"), ("LANGUAGE", "fr:de")],
        (80, 24),
    )
    .await;
    assert!(french.contains("Scannez le code QR"), "{french}");
    let spanish = instructions(
        &server,
        &[("LANG", "de_DE.UTF-8"), ("LC_ALL", "es_ES.UTF-8")],
        (80, 24),
    )
    .await;
    assert!(spanish.contains("Escanea el código QR"), "{spanish}");
    // A language Usher does not speak, or the C locale: English.
    let english = instructions(&server, &[("LANG", "pt_BR.UTF-8")], (80, 24)).await;
    assert!(
        english.contains("Scan the QR code with your phone,"),
        "{english}"
    );

    // Too small for the QR code, in Arabic: the box, within the terminal's width.
    let small = instructions(&server, &[("LANG", "ar_EG.UTF-8")], (60, 12)).await;
    assert!(small.lines().count() <= 11, "{small}");
    assert!(small.lines().all(|l| width(l) <= 80), "{small}");
    assert!(
        small.contains(&format!("افتح على هاتفك {}/device", server.url)),
        "{small}"
    );
}
