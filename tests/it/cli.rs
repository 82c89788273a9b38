//! The `usher` binary's admin commands against a fresh SQLite file, and `usher device`'s QR
//! code and denial handling against a live server.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use tokio::io::{AsyncBufReadExt, BufReader};
use usher::store::Decision;

use crate::support::TestServer;

/// A scratch directory with its own database; commands run inside it (so no stray
/// `usher.toml` is read).
pub(crate) struct Usher {
    dir: tempfile::TempDir,
}

impl Usher {
    pub(crate) fn new() -> Usher {
        Usher {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The scratch directory, for files a command reads.
    pub(crate) fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Runs a command that may fail: (success, stdout, stderr).
    pub(crate) fn outcome(&self, args: &[&str]) -> (bool, String, String) {
        let output = self.run(args);
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    pub(crate) fn database_url(&self) -> String {
        format!("sqlite://{}/usher.db?mode=rwc", self.dir.path().display())
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_usher"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("USHER_DATABASE_URL", self.database_url())
            // `serve` in parallel tests: each its own management port, never 9090.
            .env("USHER_MANAGEMENT_LISTEN", "127.0.0.1:0")
            .stdin(Stdio::null());
        command
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run usher")
    }

    pub(crate) fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run usher");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().expect("usher output")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        check_ok(args, self.run(args))
    }

    pub(crate) fn ok_with_stdin(&self, args: &[&str], stdin: &str) -> String {
        check_ok(args, self.run_with_stdin(args, stdin))
    }

    /// Runs a command that must fail with exit code 1; returns its stderr.
    pub(crate) fn fails(&self, args: &[&str]) -> String {
        check_fails(args, self.run(args))
    }

    pub(crate) fn fails_with_stdin(&self, args: &[&str], stdin: &str) -> String {
        check_fails(args, self.run_with_stdin(args, stdin))
    }
}

fn check_ok(args: &[&str], output: Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "usher {args:?} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

fn check_fails(args: &[&str], output: Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(1),
        "usher {args:?} should fail:\n{stderr}"
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

/// The value after `label` on the line that starts with it.
fn field(output: &str, label: &str) -> String {
    output
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no '{label}' in:\n{output}"))
        .trim()
        .to_string()
}

#[test]
fn clients_are_created_listed_shown_and_deleted() {
    let usher = Usher::new();
    let public = usher.ok(&["client", "create", "--name", "Living Room TV", "--id", "tv"]);
    assert_eq!(field(&public, "Client id:"), "tv");
    assert!(public.contains("public"), "{public}");
    assert!(!public.contains("secret"), "{public}");

    let confidential = usher.ok(&[
        "client",
        "create",
        "--name",
        "Backend",
        "--confidential",
        "--scope",
        "openid email",
    ]);
    let id = field(&confidential, "Client id:");
    assert_eq!(id.len(), 32, "a random id is generated: {id}");
    let secret = field(&confidential, "Client secret:");
    assert_eq!(secret.len(), 43);
    assert!(
        confidential.contains("cannot be shown again"),
        "{confidential}"
    );

    let list = usher.ok(&["client", "list"]);
    assert!(
        !list.contains(&secret),
        "the secret never shows again:\n{list}"
    );
    let tv_row = list
        .lines()
        .find(|l| l.starts_with("tv "))
        .expect("tv listed");
    assert!(
        tv_row.contains("Living Room TV") && tv_row.contains("public"),
        "{tv_row}"
    );
    assert!(
        tv_row.contains("openid profile email offline_access"),
        "{tv_row}"
    );
    let backend_row = list
        .lines()
        .find(|l| l.starts_with(&id))
        .expect("backend listed");
    assert!(backend_row.contains("confidential") && backend_row.contains("openid email"));

    let show = usher.ok(&["client", "show", &id]);
    assert!(!show.contains(&secret) && !show.contains(&usher::tokens::opaque::hash(&secret)));
    assert_eq!(field(&show, "Type:"), "confidential");
    assert_eq!(
        field(&show, "Grant types:"),
        "urn:ietf:params:oauth:grant-type:device_code refresh_token"
    );

    assert!(usher.ok(&["client", "delete", "tv"]).contains("Deleted"));
    assert!(
        usher
            .fails(&["client", "show", "tv"])
            .contains("no client with id 'tv'")
    );
    assert!(
        usher
            .fails(&["client", "delete", "tv"])
            .contains("no client with id 'tv'")
    );
}

#[test]
fn client_create_rejects_duplicates_and_bad_input() {
    let usher = Usher::new();
    usher.ok(&["client", "create", "--name", "TV", "--id", "tv"]);
    let duplicate = usher.fails(&["client", "create", "--name", "Other", "--id", "tv"]);
    assert!(
        duplicate.contains("a client with id 'tv' already exists"),
        "{duplicate}"
    );

    let scope = usher.fails(&["client", "create", "--name", "X", "--scope", "openid admin"]);
    assert!(scope.contains("unknown scope 'admin'"), "{scope}");
    let grant = usher.fails(&[
        "client",
        "create",
        "--name",
        "X",
        "--grant-type",
        "password",
    ]);
    assert!(grant.contains("unknown grant type 'password'"), "{grant}");
    let list = usher.ok(&["client", "list"]);
    assert_eq!(list.lines().count(), 2, "only the header and tv:\n{list}");
}

#[tokio::test]
async fn users_are_created_listed_changed_disabled_and_deleted() {
    let usher = Usher::new();
    let created = usher.ok_with_stdin(
        &[
            "user",
            "create",
            "alice",
            "--name",
            "Alice Liddell",
            "--email",
            "alice@example.com",
            "--email-verified",
            "--password-stdin",
        ],
        " first password \n",
    );
    assert!(created.contains("Created user 'alice'"), "{created}");
    usher.ok_with_stdin(
        &["user", "create", "bob", "--password-stdin"],
        "bob's password\n",
    );

    let list = usher.ok(&["user", "list"]);
    let alice = list
        .lines()
        .find(|l| l.starts_with("alice "))
        .expect("alice listed");
    assert!(alice.contains("Alice Liddell") && alice.contains("alice@example.com (verified)"));
    assert!(alice.contains("active"), "{alice}");
    assert!(list.lines().any(|l| l.starts_with("bob ")), "{list}");

    let db = usher::store::Database::connect(&usher.database_url(), 1)
        .await
        .unwrap();
    let stored = db.get_user_by_username("alice").await.unwrap().unwrap();
    assert!(
        usher::oauth::accounts::verify_password(Some(&stored.password_hash), " first password "),
        "only the newline is trimmed from stdin"
    );
    usher.ok_with_stdin(
        &["user", "set-password", "alice", "--password-stdin"],
        "second password\n",
    );
    let changed = db.get_user_by_username("alice").await.unwrap().unwrap();
    assert!(usher::oauth::accounts::verify_password(
        Some(&changed.password_hash),
        "second password"
    ));
    assert!(!usher::oauth::accounts::verify_password(
        Some(&changed.password_hash),
        " first password "
    ));

    assert!(usher.ok(&["user", "disable", "alice"]).contains("disabled"));
    let list = usher.ok(&["user", "list"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with("alice ") && l.contains("disabled")),
        "{list}"
    );
    assert!(
        db.get_user_by_username("alice")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    usher.ok(&["user", "enable", "alice"]);
    assert!(
        !db.get_user_by_username("alice")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );

    assert!(
        usher
            .ok(&["user", "delete", "alice"])
            .contains("Deleted user 'alice'")
    );
    assert!(db.get_user_by_username("alice").await.unwrap().is_none());
    assert!(
        usher
            .fails(&["user", "delete", "alice"])
            .contains("no user named 'alice'")
    );
    let missing = usher.fails_with_stdin(
        &["user", "set-password", "alice", "--password-stdin"],
        "x\n",
    );
    assert!(missing.contains("no user named 'alice'"), "{missing}");
}

#[test]
fn user_create_rejects_duplicates_and_weak_passwords() {
    let usher = Usher::new();
    usher.ok_with_stdin(
        &["user", "create", "carol", "--password-stdin"],
        "long enough\n",
    );
    let duplicate = usher.fails_with_stdin(
        &["user", "create", "carol", "--password-stdin"],
        "another one\n",
    );
    assert!(
        duplicate.contains("a user named 'carol' already exists"),
        "{duplicate}"
    );

    let short = usher.fails_with_stdin(&["user", "create", "dave", "--password-stdin"], "short\n");
    assert!(short.contains("at least 8 characters"), "{short}");
    let empty = usher.fails_with_stdin(&["user", "create", "dave", "--password-stdin"], "\n");
    assert!(empty.contains("must not be empty"), "{empty}");
    let list = usher.ok(&["user", "list"]);
    assert!(!list.contains("dave"), "{list}");
}

#[test]
fn a_missing_config_file_is_an_error() {
    let usher = Usher::new();
    let err = usher.fails(&["--config", "nope.toml", "client", "list"]);
    assert!(err.contains("nope.toml does not exist"), "{err}");
}

/// Runs `usher device` until it has printed its instructions; returns the child, the user
/// code, the output so far, and the lines still to come.
async fn start_device(
    server: &TestServer,
    client_id: &str,
    extra_args: &[&str],
) -> (
    tokio::process::Child,
    String,
    String,
    tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        // English whatever the machine's locale: the terminal client speaks LANG's language.
        .env("LANG", "C.UTF-8")
        .env_remove("LANGUAGE")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .args(["device", "--issuer", &server.url, "--client-id", client_id])
        .args(["--device-name", "Test Terminal"])
        .args(extra_args)
        .env_remove("USHER_CLIENT_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run usher device");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut output = String::new();
    let mut user_code = None;
    while let Some(line) = lines.next_line().await.unwrap() {
        output.push_str(&line);
        output.push('\n');
        if let Some(code) = line.split_once("enter ").map(|(_, rest)| rest) {
            user_code = code.split_whitespace().next().map(str::to_string);
        }
        if line.starts_with("The code expires") {
            break;
        }
    }
    let Some(user_code) = user_code else {
        let failed = child.wait_with_output().await.unwrap();
        let stderr = String::from_utf8_lossy(&failed.stderr);
        panic!("no user code in:\n{output}\n{stderr}");
    };
    (child, user_code, output, lines)
}

/// Decodes the block-character QR code (dark-terminal style: glyphs are light) in `output`,
/// with or without words beside it: the quiet zone's first row, all glyphs, gives its width.
pub(crate) fn decode_terminal_qr(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.chars().take_while(|&c| c == '█').count() >= 20)
        .unwrap_or_else(|| panic!("no QR code in:\n{output}"));
    let width = lines[first].chars().take_while(|&c| c == '█').count();
    let rows: Vec<Vec<char>> = lines[first..]
        .iter()
        .map(|l| l.chars().take(width).collect::<Vec<char>>())
        .take_while(|row| !row.is_empty() && row.iter().all(|c| " ▀▄█".contains(*c)))
        .collect();
    assert!(rows.len() > 10, "no QR code in:\n{output}");
    let (width, height, scale) = (rows[0].len(), rows.len() * 2, 4);
    let light = |x: usize, y: usize| {
        let c = rows[y / 2].get(x).copied().unwrap_or(' ');
        match (c, y % 2) {
            ('█', _) | ('▀', 0) | ('▄', 1) => 255,
            _ => 0,
        }
    };
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width * scale, height * scale, |x, y| {
            light(x / scale, y / scale)
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in:\n{output}");
    grids[0].decode().expect("QR code decodes").1
}

#[tokio::test]
async fn usher_device_shows_a_scannable_qr_code_and_reports_denial() {
    let server = TestServer::start_real_time(|c| c.device_poll_interval_secs = 1).await;
    let user = server.create_user("frank", "frank's password").await;
    server
        .create_public_client("cli", "Terminal", "openid profile offline_access")
        .await;

    let (child, user_code, mut output, mut lines) = start_device(&server, "cli", &[]).await;
    assert!(
        output.contains(&format!("  {}/device\n", server.url)),
        "{output}"
    );
    let scanned = decode_terminal_qr(&output);
    assert_eq!(
        scanned,
        format!("{}/device?user_code={user_code}", server.url)
    );

    let normalized = user_code.replace('-', "");
    let auth = server
        .state
        .db
        .get_by_user_code(&normalized)
        .await
        .unwrap()
        .expect("pending");
    assert_eq!(auth.device.name.as_deref(), Some("Test Terminal"));
    assert_eq!(auth.device.model.as_deref(), Some("usher-cli"));
    let now = usher::clock::Clock::now(&usher::clock::SystemClock);
    let decision = Decision {
        approved: false,
        user_id: user.id,
        auth_time: now,
        amr: "pwd".into(),
        notify_client: true,
    };
    assert!(
        server
            .state
            .db
            .decide(&auth.id, &decision, now)
            .await
            .unwrap()
    );

    while let Some(line) = lines.next_line().await.unwrap() {
        output.push_str(&line);
        output.push('\n');
    }
    let result = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{output}\n{stderr}");
    assert!(
        stderr.contains("The request was denied on the phone."),
        "{stderr}"
    );
    assert!(!output.contains("Signed in"), "{output}");
}

#[tokio::test]
async fn usher_device_explains_an_unknown_client() {
    let server = TestServer::start().await;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        // English whatever the machine's locale: the terminal client speaks LANG's language.
        .env("LANG", "C.UTF-8")
        .env_remove("LANGUAGE")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .args(["device", "--issuer", &server.url, "--client-id", "nobody"])
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: the device authorization was refused: invalid_client"),
        "{stderr}"
    );
}

#[tokio::test]
async fn usher_device_signs_in_a_confidential_client_without_printing_tokens() {
    let server = TestServer::start_real_time(|c| c.device_poll_interval_secs = 1).await;
    server.create_user("grace", "grace's password").await;
    let (_, secret) = server
        .create_confidential_client("box", "openid profile")
        .await;

    let args = [
        "--client-secret",
        secret.as_str(),
        "--scope",
        "openid profile",
    ];
    let (child, user_code, mut output, mut lines) = start_device(&server, "box", &args).await;
    crate::phone::approve_device(&server.url, &user_code, "grace", "grace's password").await;
    while let Some(line) = lines.next_line().await.unwrap() {
        output.push_str(&line);
        output.push('\n');
    }
    let result = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{output}\n{stderr}");
    assert!(output.contains("Signed in."), "{output}");
    assert!(
        output.contains("ID token claims (signature verified)"),
        "{output}"
    );
    assert!(
        output.contains("\"preferred_username\": \"grace\""),
        "{output}"
    );
    assert!(output.contains("Refresh token: not issued"), "{output}");
    assert!(
        !output.contains("eyJ") && !output.contains(&secret),
        "no raw tokens:\n{output}"
    );
}

#[tokio::test]
async fn usher_device_reports_an_expired_code() {
    let server = TestServer::start_real_time(|c| {
        c.device_poll_interval_secs = 1;
        c.device_code_lifetime_secs = 2;
    })
    .await;
    server
        .create_public_client("cli", "Terminal", "openid")
        .await;
    let (child, _, _, mut lines) =
        start_device(&server, "cli", &["--qr", "off", "--scope", "openid"]).await;
    // Keep reading stdout: a closed pipe would make the client fail for another reason.
    while let Ok(Some(_)) = lines.next_line().await {}
    let result = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("The code expired; run the command again."),
        "{stderr}"
    );
}

/// `usher serve --demo` in `usher`'s directory until it listens: its stdout so far.
async fn demo_start(usher: &Usher) -> String {
    let mut command = usher.command(&["serve", "--demo"]);
    command
        .env("USHER_LISTEN", "127.0.0.1:0")
        .env("USHER_MANAGEMENT_LISTEN", "off")
        .env("USHER_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = tokio::process::Command::from(command)
        .kill_on_drop(true)
        .spawn()
        .expect("usher serve --demo");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut output = String::new();
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("usher is listening") {
                return;
            }
            output.push_str(&line);
            output.push('\n');
        }
        panic!("usher serve --demo ended before listening:\n{output}");
    })
    .await
    .expect("usher serve --demo listens within 60 s");
    child.kill().await.unwrap();
    output
}

#[tokio::test]
async fn serve_demo_sets_and_prints_the_demo_password_only_once() {
    // Issue 14 point 11: the README's "printed once" holds.
    let usher = Usher::new();
    let first = demo_start(&usher).await;
    assert!(first.contains("(shown only now)"), "{first}");
    let second = demo_start(&usher).await;
    assert!(!second.contains("(shown only now)"), "{second}");
    assert!(
        second.contains("as printed when the demo user was created")
            && second.contains("usher user set-password demo"),
        "{second}"
    );
    let password = first
        .lines()
        .find_map(|l| l.split("Password: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap();
    assert!(!second.contains(password), "{second}");
}
