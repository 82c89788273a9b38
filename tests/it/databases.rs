//! Running one HTTP-level test on each database: SQLite, and PostgreSQL on a fresh schema
//! when `USHER_TEST_DATABASE_URL` is set (as `.ci/run` sets it).

use usher::config::Config;

use crate::support::TestServer;

pub struct OnDatabase {
    pub name: &'static str,
    pub server: TestServer,
    postgres: Option<(sqlx::PgPool, String)>,
}

impl OnDatabase {
    /// Stops the server and drops its PostgreSQL schema.
    pub async fn finish(self) {
        drop(self.server);
        if let Some((admin, schema)) = self.postgres {
            let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&admin)
                .await;
        }
    }
}

/// A server on SQLite, then one on PostgreSQL (with a note when it is not configured).
pub async fn each(configure: impl Fn(&mut Config)) -> Vec<OnDatabase> {
    let sqlite = TestServer::start_with(&configure).await;
    let mut servers = vec![OnDatabase {
        name: "sqlite",
        server: sqlite,
        postgres: None,
    }];
    let Some((admin, schema, on_schema)) = postgres_schema("usher_it").await else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: the PostgreSQL half is skipped");
        return servers;
    };
    let server = TestServer::start_with(|c| {
        configure(c);
        c.database_url = on_schema;
    })
    .await;
    servers.push(OnDatabase {
        name: "postgres",
        server,
        postgres: Some((admin, schema)),
    });
    servers
}

/// A fresh schema on `USHER_TEST_DATABASE_URL`: the admin pool, the schema's name and a
/// database URL whose connections use it. `None` when the variable is not set.
pub async fn postgres_schema(prefix: &str) -> Option<(sqlx::PgPool, String, String)> {
    let url = std::env::var("USHER_TEST_DATABASE_URL").ok()?;
    let schema = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url).await.expect("postgres");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    let on_schema = format!("{url}{separator}options[search_path]={schema}");
    Some((admin, schema, on_schema))
}

/// Ends the LISTEN connection of the server whose connections carry `application_name`
/// (tests set it to their schema's name), as a network failure would. One `true` per
/// connection cut.
pub async fn cut_listener(admin: &sqlx::PgPool, application_name: &str) -> Vec<bool> {
    sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = $1 AND query LIKE 'LISTEN%'",
    )
    .bind(application_name)
    .fetch_all(admin)
    .await
    .unwrap()
}
