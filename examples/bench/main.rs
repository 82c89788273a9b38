//! One benchmark command for the hot paths of issue 12: Usher on SQLite and on PostgreSQL
//! against a bare axum baseline, each a separate child process, measured side by side.
//!
//! ```sh
//! cargo run --release --example bench -- all
//! cargo run --release --example bench -- on-time-poll,too-early-poll --seconds 5
//! cargo run --release --example bench -- all --connections 64 --seconds 20 --warmup 3
//! ```
//!
//! Scenarios: `on-time-poll`, `too-early-poll` (1,000 pending codes), `on-time-poll-1m`,
//! `too-early-poll-1m` (1,000,000), `device-authorization`, `refresh-rs256`,
//! `refresh-es256`, `refresh-eddsa`, `userinfo`; `all` runs them all. Options:
//! `--connections N` (32), `--seconds S` counted per scenario (10), `--warmup S` (2),
//! `--databases sqlite,postgres` (both; PostgreSQL is skipped with a note when unreachable),
//! `--small-codes N` (1000), `--large-codes N` (1000000), `--memory-polls N` (every code),
//! `--rate R` (an open load of R requests/s in all, paced per connection; default: closed
//! loop, each connection sends again at once).
//!
//! Each server is the bench binary re-executed (`serve-usher`, `serve-baseline`), so the
//! CPU time per request comes from the server's own /proc/<pid>/stat. Before the scenarios,
//! every seeded code is polled once (the memory pass): RSS after that minus RSS before, per
//! code, is the memory a pending code that has polled costs. docs/benchmarks.md records
//! the figures.

mod child;
mod codes;
mod flow;
mod load;
mod sys;

use std::{fmt::Write as _, net::SocketAddr, process::Stdio, time::Duration};

use anyhow::{Context, bail};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use load::{Job, Outcome, Window};

const SMALL: &[&str] = &[
    "on-time-poll",
    "too-early-poll",
    "device-authorization",
    "userinfo",
    "refresh-rs256",
    "refresh-es256",
    "refresh-eddsa",
];
const LARGE: &[&str] = &["on-time-poll-1m", "too-early-poll-1m"];

struct Options {
    scenarios: Vec<String>,
    connections: u64,
    seconds: u64,
    warmup: u64,
    databases: Vec<String>,
    small_codes: u64,
    large_codes: u64,
    memory_polls: Option<u64>,
    rate: Option<f64>,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve-usher") => {
            let url = args.get(1).context("serve-usher DATABASE_URL CODES")?;
            let codes = args
                .get(2)
                .context("serve-usher DATABASE_URL CODES")?
                .parse()?;
            return child::serve_usher(url, codes);
        }
        Some("serve-baseline") => return child::serve_baseline(),
        _ => {}
    }
    let options = parse(&args)?;
    // One descriptor per connection on each side, plus the servers' database files and
    // sockets: `--connections 1000` needs more than a default soft limit of 1024. The
    // server children inherit the raised limit.
    let needed = 2 * options.connections + 256;
    match sys::raise_open_files_limit(needed) {
        Ok(limit) if limit < needed => eprintln!(
            "open files limited to {limit} (hard limit); {} connections may fail",
            options.connections
        ),
        Ok(_) => {}
        Err(err) => eprintln!("could not raise the open files limit: {err}"),
    }
    tokio::runtime::Runtime::new()?.block_on(run(options, &args))
}

fn parse(args: &[String]) -> anyhow::Result<Options> {
    let flag = |name: &str| -> Option<&String> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let number = |name: &str, default: u64| -> anyhow::Result<u64> {
        flag(name).map_or(Ok(default), |v| {
            v.parse().with_context(|| format!("{name} {v:?}"))
        })
    };
    let chosen = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .map_or("all", String::as_str);
    let scenarios: Vec<String> = if chosen == "all" {
        SMALL.iter().chain(LARGE).map(|s| s.to_string()).collect()
    } else {
        chosen.split(',').map(str::to_string).collect()
    };
    for s in &scenarios {
        if !SMALL.contains(&s.as_str()) && !LARGE.contains(&s.as_str()) {
            bail!(
                "unknown scenario {s:?}; known: all, {}",
                SMALL
                    .iter()
                    .chain(LARGE)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(Options {
        scenarios,
        connections: number("--connections", 32)?.max(1),
        seconds: number("--seconds", 10)?.max(1),
        warmup: number("--warmup", 2)?,
        databases: flag("--databases")
            .map_or("sqlite,postgres", String::as_str)
            .split(',')
            .map(str::to_string)
            .collect(),
        small_codes: number("--small-codes", 1_000)?.max(1),
        large_codes: number("--large-codes", 1_000_000)?.max(1),
        memory_polls: flag("--memory-polls").map(|v| v.parse()).transpose()?,
        rate: flag("--rate").map(|v| v.parse()).transpose()?,
    })
}

/// A server under test: a child process and its address.
struct Server {
    name: String,
    child: Child,
    pid: u32,
    addr: SocketAddr,
    seed_secs: f64,
}

impl Server {
    async fn start(name: &str, args: &[&str], log: &std::path::Path) -> anyhow::Result<Server> {
        let log = std::fs::File::create(log)?;
        // `BENCH_SERVER_WRAPPER="valgrind --tool=callgrind"` runs the servers under a
        // profiler (docs/benchmarks.md, Profiling); valgrind keeps the process id.
        let wrapper = std::env::var("BENCH_SERVER_WRAPPER").unwrap_or_default();
        let mut words = wrapper.split_whitespace();
        let exe = std::env::current_exe()?;
        let mut command = match words.next() {
            Some(program) => {
                let mut command = Command::new(program);
                command.args(words).arg(&exe);
                command
            }
            None => Command::new(&exe),
        };
        let mut child = command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()?;
        let pid = child.id().context("child has no pid")?;
        let stdout = child.stdout.take().context("child stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut seed_secs = 0.0;
        loop {
            let Some(line) = lines.next_line().await? else {
                bail!("{name} exited before listening (see its log)");
            };
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["seeded", _, secs] => seed_secs = secs.parse().unwrap_or(0.0),
                ["port", port] => {
                    let addr = SocketAddr::from(([127, 0, 0, 1], port.parse()?));
                    return Ok(Server {
                        name: name.to_string(),
                        child,
                        pid,
                        addr,
                        seed_secs,
                    });
                }
                _ => {}
            }
        }
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn rss_kib(&self) -> u64 {
        sys::rss_kib(self.pid).unwrap_or(0)
    }

    /// Closing stdin shuts the child down gracefully; a child that hangs is killed.
    async fn stop(mut self) {
        drop(self.child.stdin.take());
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

struct Row {
    scenario: String,
    server: String,
    codes: Option<u64>,
    outcome: Outcome,
}

struct MemoryRow {
    server: String,
    codes: u64,
    seed_secs: f64,
    polled: u64,
    polls_per_sec: f64,
    rss_ready_kib: u64,
    rss_warm_kib: u64,
    rss_after_kib: u64,
}

struct Report {
    rows: Vec<Row>,
    memory: Vec<MemoryRow>,
    notes: Vec<String>,
}

async fn run(options: Options, args: &[String]) -> anyhow::Result<()> {
    usher::install_crypto_provider();
    let dir = tempfile::tempdir()?;
    let mut report = Report {
        rows: Vec::new(),
        memory: Vec::new(),
        notes: Vec::new(),
    };
    let wants = |s: &str| options.scenarios.iter().any(|x| x == s);
    let window = || Window {
        warmup: Duration::from_secs(options.warmup),
        measure: Some(Duration::from_secs(options.seconds)),
        rate: options.rate,
    };

    // The baseline: polls (any code) and device authorization.
    let any_poll = options.scenarios.iter().any(|s| s.contains("poll"));
    if any_poll || wants("device-authorization") {
        let server = Server::start(
            "bare axum",
            &["serve-baseline"],
            &dir.path().join("baseline.log"),
        )
        .await?;
        if any_poll {
            let jobs = poll_jobs(
                &options,
                "/oauth2/token",
                0,
                options.small_codes,
                false,
                None,
            );
            let outcome = load::run(server.addr, server.pid, jobs, window()).await?;
            eprintln!("bare axum poll: {:.0}/s", outcome.per_sec());
            report.rows.push(Row {
                scenario: "poll".into(),
                server: server.name.clone(),
                codes: None,
                outcome,
            });
        }
        if wants("device-authorization") {
            let jobs = (0..options.connections)
                .map(|_| Job::DeviceAuthorization {
                    path: "/oauth2/device_authorization".into(),
                    client_id: codes::POLL_CLIENT.into(),
                })
                .collect();
            let outcome = load::run(server.addr, server.pid, jobs, window()).await?;
            report.rows.push(Row {
                scenario: "device-authorization".into(),
                server: server.name.clone(),
                codes: None,
                outcome,
            });
        }
        server.stop().await;
    }

    for database in &options.databases {
        for (set, codes) in [(SMALL, options.small_codes), (LARGE, options.large_codes)] {
            let selected: Vec<&str> = set.iter().copied().filter(|s| wants(s)).collect();
            if selected.is_empty() {
                continue;
            }
            let (url, schema, label) = match database.as_str() {
                "sqlite" => (
                    format!(
                        "sqlite://{}/usher-{codes}.db?mode=rwc",
                        dir.path().display()
                    ),
                    None,
                    "Usher SQLite",
                ),
                "postgres" => match postgres_schema().await {
                    Ok((admin, schema, url)) => (url, Some((admin, schema)), "Usher PostgreSQL"),
                    Err(err) => {
                        let note = format!("PostgreSQL skipped: {err:#}");
                        eprintln!("{note}");
                        if !report.notes.contains(&note) {
                            report.notes.push(note);
                        }
                        continue;
                    }
                },
                other => bail!("unknown database {other:?} (sqlite, postgres)"),
            };
            eprintln!("{label}: seeding {codes} pending codes ...");
            let log = dir.path().join(format!("usher-{database}-{codes}.log"));
            let code_arg = codes.to_string();
            let started = Server::start(label, &["serve-usher", &url, &code_arg], &log).await;
            let server = match started {
                Ok(server) => server,
                Err(err) => {
                    eprintln!("{}", std::fs::read_to_string(&log).unwrap_or_default());
                    return Err(err);
                }
            };
            eprintln!(
                "{label}: seeded in {:.1} s, listening on {}",
                server.seed_secs, server.addr
            );
            settle(
                schema
                    .as_ref()
                    .map(|(admin, schema)| (admin, schema.as_str())),
            )
            .await;
            let result = scenarios(&server, &options, &selected, codes, &mut report).await;
            server.stop().await;
            if let Some((admin, schema)) = schema {
                let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                    .execute(&admin)
                    .await;
            }
            if let Err(err) = result {
                eprintln!("{}", std::fs::read_to_string(&log).unwrap_or_default());
                return Err(err);
            }
        }
    }
    println!("{}", markdown(&report, &options, args));
    Ok(())
}

/// The scenarios of one seeded server, after the memory pass.
async fn scenarios(
    server: &Server,
    options: &Options,
    selected: &[&str],
    codes: u64,
    report: &mut Report,
) -> anyhow::Result<()> {
    let endpoints = flow::Endpoints::discover(&server.base()).await?;
    let window = || Window {
        warmup: Duration::from_secs(options.warmup),
        measure: Some(Duration::from_secs(options.seconds)),
        rate: options.rate,
    };
    let slow = codes::slow_count(codes);

    // Memory pass: each code polled once, answered `authorization_pending`. First the slow
    // tenth (the too-early scenario needs them known), which also warms the server up
    // (connections, statement caches); then the rest, whose RSS growth per code is the cost
    // of a pending code that has polled.
    let polled = options.memory_polls.unwrap_or(codes).clamp(slow, codes);
    let rss_ready_kib = server.rss_kib();
    let once = |start: u64, end: u64| {
        let jobs = poll_jobs(
            options,
            &endpoints.token,
            start,
            end,
            true,
            Some("authorization_pending"),
        );
        let window = Window {
            warmup: Duration::ZERO,
            measure: None,
            rate: None,
        };
        (jobs, window)
    };
    let (jobs, w) = once(0, slow);
    let warm = load::run(server.addr, server.pid, jobs, w).await?;
    let rss_warm_kib = server.rss_kib();
    let (jobs, w) = once(slow, polled);
    let pass = load::run(server.addr, server.pid, jobs, w).await?;
    if warm.errors + pass.errors > 0 {
        bail!(
            "{}: {} unexpected answers in the memory pass",
            server.name,
            warm.errors + pass.errors
        );
    }
    report.memory.push(MemoryRow {
        server: server.name.clone(),
        codes,
        seed_secs: server.seed_secs,
        polled: pass.requests,
        polls_per_sec: pass.per_sec(),
        rss_ready_kib,
        rss_warm_kib,
        rss_after_kib: server.rss_kib(),
    });
    eprintln!(
        "{}: memory pass {} polls at {:.0}/s",
        server.name,
        pass.requests,
        pass.per_sec()
    );

    let mut push = |scenario: &str, outcome: Outcome| {
        eprintln!(
            "{}: {scenario}: {:.0}/s, {:.0} µs CPU/req, {} errors",
            server.name,
            outcome.per_sec(),
            outcome.cpu_us_per_request(),
            outcome.errors
        );
        report.rows.push(Row {
            scenario: scenario.trim_end_matches("-1m").to_string(),
            server: server.name.clone(),
            codes: Some(codes),
            outcome,
        });
    };
    for scenario in selected.iter().copied() {
        let jobs = match scenario {
            "on-time-poll" | "on-time-poll-1m" => poll_jobs(
                options,
                &endpoints.token,
                slow,
                codes,
                false,
                Some("authorization_pending"),
            ),
            "too-early-poll" | "too-early-poll-1m" => {
                // Arm: one poll of each slow code now (pending, or slow_down if polled
                // lately), so that every counted poll comes within its interval.
                let arm = poll_jobs(options, &endpoints.token, 0, slow, true, None);
                let until_done = Window {
                    warmup: Duration::ZERO,
                    measure: None,
                    rate: None,
                };
                load::run(server.addr, server.pid, arm, until_done).await?;
                poll_jobs(options, &endpoints.token, 0, slow, false, Some("slow_down"))
            }
            "device-authorization" => (0..options.connections)
                .map(|_| Job::DeviceAuthorization {
                    path: endpoints.device_authorization.clone(),
                    client_id: codes::POLL_CLIENT.into(),
                })
                .collect(),
            _ => continue, // token scenarios below, after their device flows
        };
        let outcome = load::run(server.addr, server.pid, jobs, window()).await?;
        push(scenario, outcome);
    }

    // Userinfo and refresh start from tokens of real device flows, one chain per connection.
    let token_scenarios: Vec<&str> = selected
        .iter()
        .copied()
        .filter(|s| *s == "userinfo" || s.starts_with("refresh-"))
        .collect();
    if token_scenarios.is_empty() {
        return Ok(());
    }
    let mut phone = flow::Phone::new(&server.base())?;
    let mut rs256 = Vec::new();
    for scenario in [
        "userinfo",
        "refresh-rs256",
        "refresh-es256",
        "refresh-eddsa",
    ] {
        if !token_scenarios.contains(&scenario) {
            continue;
        }
        let client_id = match scenario {
            "refresh-es256" => "bench-es256",
            "refresh-eddsa" => "bench-eddsa",
            _ => "bench-rs256",
        };
        if rs256.is_empty() || client_id != "bench-rs256" {
            let mut responses = Vec::new();
            for _ in 0..options.connections {
                responses.push(flow::tokens(&endpoints, &mut phone, client_id).await?);
            }
            if client_id == "bench-rs256" {
                rs256 = responses.clone();
            }
            if scenario != "userinfo" && client_id != "bench-rs256" {
                let outcome = load::run(
                    server.addr,
                    server.pid,
                    refresh_jobs(&endpoints, client_id, &responses),
                    window(),
                )
                .await?;
                push(scenario, outcome);
                continue;
            }
        }
        let jobs = if scenario == "userinfo" {
            rs256
                .iter()
                .map(|t| Job::Userinfo {
                    path: endpoints.userinfo.clone(),
                    token: t["access_token"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        } else {
            refresh_jobs(&endpoints, client_id, &rs256)
        };
        let outcome = load::run(server.addr, server.pid, jobs, window()).await?;
        push(scenario, outcome);
    }
    Ok(())
}

fn refresh_jobs(
    endpoints: &flow::Endpoints,
    client_id: &str,
    responses: &[serde_json::Value],
) -> Vec<Job> {
    responses
        .iter()
        .map(|t| Job::Refresh {
            path: endpoints.token.clone(),
            client_id: client_id.to_string(),
            token: t["refresh_token"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

/// One job per connection over the codes `start..end`, connection `c` taking every
/// `connections`-th code from `start + c`: no two connections poll the same code. With
/// fewer codes than connections (`--connections 1000`: the too-early scenario has 100
/// slow codes), repeating jobs share them, code `c mod count` each, so that every
/// connection keeps polling; a once-only job (the memory pass) gets none then.
fn poll_jobs(
    options: &Options,
    path: &str,
    start: u64,
    end: u64,
    once: bool,
    expect: Option<&'static str>,
) -> Vec<Job> {
    let count = end.saturating_sub(start);
    let shared = !once && count > 0 && count < options.connections;
    (0..options.connections)
        .map(|c| {
            let (first, step) = if shared {
                (start + c % count, count)
            } else {
                (start + c, options.connections)
            };
            Job::Poll {
                path: path.to_string(),
                next: first,
                start: first,
                step,
                end,
                once,
                expect,
            }
        })
        .collect()
}

/// Puts the seeding's work behind before anything is measured, so that it does not land in
/// the next scenarios. On PostgreSQL a `VACUUM (ANALYZE)` of the seeded schema's tables:
/// a million rows inserted in seconds cross autovacuum's insert threshold, and its vacuum
/// of the table and its indexes would otherwise run during the first 1M-code scenario (a
/// one-off of bulk seeding; codes that arrive over time are vacuumed a little at a time).
/// Then a `CHECKPOINT` (skipped without the right to run it) and `sync`, so that the
/// seeding's write-back does not slow the scenarios either.
async fn settle(postgres: Option<(&sqlx::PgPool, &str)>) {
    if let Some((admin, schema)) = postgres {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) \
             FROM pg_tables WHERE schemaname = $1",
        )
        .bind(schema)
        .fetch_all(admin)
        .await
        .unwrap_or_default();
        if !tables.is_empty() {
            // One statement, outside any transaction (simple query protocol).
            let vacuum = format!("VACUUM (ANALYZE) {}", tables.join(", "));
            if let Err(err) = sqlx::raw_sql(&vacuum).execute(admin).await {
                eprintln!("settle: {vacuum}: {err}");
            }
        }
        let _ = sqlx::query("CHECKPOINT").execute(admin).await;
    }
    let _ = std::process::Command::new("sync").status();
}

/// A fresh schema on the benchmark's PostgreSQL: admin pool, schema name, URL using it.
async fn postgres_schema() -> anyhow::Result<(sqlx::PgPool, String, String)> {
    let url = std::env::var("USHER_BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("USHER_TEST_DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect(&url)
        .await
        .with_context(|| format!("{url} is unreachable"))?;
    let schema = format!("usher_bench_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await?;
    let separator = if url.contains('?') { '&' } else { '?' };
    let on_schema = format!("{url}{separator}options[search_path]={schema}");
    Ok((admin, schema, on_schema))
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

/// The tables for docs/benchmarks.md, with the date, the machine and the command.
fn markdown(report: &Report, options: &Options, args: &[String]) -> String {
    let mut out = String::new();
    let baseline = |scenario: &str| {
        let key = if scenario.contains("poll") {
            "poll"
        } else {
            scenario
        };
        report
            .rows
            .iter()
            .find(|r| r.server == "bare axum" && r.scenario == key)
            .map(|r| &r.outcome)
    };
    let _ = writeln!(
        out,
        "\n| scenario | server | pending codes | req/s | p50 ms | p99 ms | server CPU µs/req | CPU × bare | req/s ÷ bare | RSS MiB before → after | errors |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    for row in &report.rows {
        let o = &row.outcome;
        let (cpu_ratio, rate_ratio) = match baseline(&row.scenario) {
            Some(b) if row.server != "bare axum" => (
                format!(
                    "{:.1}",
                    o.cpu_us_per_request() / b.cpu_us_per_request().max(1e-9)
                ),
                format!("{:.2}", o.per_sec() / b.per_sec().max(1e-9)),
            ),
            _ => ("—".into(), "—".into()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.0} | {cpu_ratio} | {rate_ratio} | {} → {} | {} |",
            row.scenario,
            row.server,
            row.codes.map_or("—".into(), |c| c.to_string()),
            o.per_sec(),
            o.p50_ms,
            o.p99_ms,
            o.cpu_us_per_request(),
            mib(o.rss_before_kib),
            mib(o.rss_after_kib),
            o.errors,
        );
    }
    if !report.memory.is_empty() {
        let _ = writeln!(
            out,
            "\n| server | pending codes | seeded in s | RSS MiB ready | RSS MiB warm (slow codes polled) | RSS MiB after every code polled | bytes per polled code (after − warm) | first polls/s |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
        for m in &report.memory {
            let per_code = (m.rss_after_kib.saturating_sub(m.rss_warm_kib) * 1024) as f64
                / m.polled.max(1) as f64;
            let _ = writeln!(
                out,
                "| {} | {} | {:.1} | {} | {} | {} | {:.0} over {} codes | {:.0} |",
                m.server,
                m.codes,
                m.seed_secs,
                mib(m.rss_ready_kib),
                mib(m.rss_warm_kib),
                mib(m.rss_after_kib),
                per_code,
                m.polled,
                m.polls_per_sec,
            );
        }
    }
    for note in &report.notes {
        let _ = writeln!(out, "\n{note}");
    }
    let _ = writeln!(
        out,
        "\nMeasured {} on {}; {} connections, {} s warm-up, {} s counted per scenario.\nCommand: `cargo run --release --example bench -- {}`",
        sys::today(),
        sys::machine(),
        options.connections,
        options.warmup,
        options.seconds,
        args.join(" "),
    );
    out
}
