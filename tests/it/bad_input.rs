//! A small generated bad-input run on each database (the full run of 10,000 requests per
//! database is `examples/bad_input.rs`; figures in docs/reliability.md): hostile requests
//! against every endpoint never get a 5xx and never a connection closed without an answer.

#[allow(dead_code)]
#[path = "../../examples/bad_input.rs"]
mod generator;

const REQUESTS: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_never_get_a_server_error_on_either_database() {
    let mut databases = vec!["sqlite"];
    let postgres_url = std::env::var("USHER_TEST_DATABASE_URL").unwrap_or_default();
    if postgres_url.is_empty() {
        eprintln!("USHER_TEST_DATABASE_URL is not set: the PostgreSQL half is skipped");
    } else {
        databases.push("postgres");
    }
    for database in databases {
        let summary = generator::run_on(database, &postgres_url, REQUESTS, 4, 10)
            .await
            .expect("a run");
        summary.print(database);
        assert_eq!(summary.requests, REQUESTS);
        assert!(
            summary.passed(),
            "{database}: 5xx {:?}, dropped {:?}",
            summary.server_errors,
            summary.dropped
        );
    }
}
