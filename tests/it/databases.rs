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
    let Ok(url) = std::env::var("USHER_TEST_DATABASE_URL") else {
        eprintln!("USHER_TEST_DATABASE_URL is not set: the PostgreSQL half is skipped");
        return servers;
    };
    let schema = format!("usher_it_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url).await.expect("postgres");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    let on_schema = format!("{url}{separator}options[search_path]={schema}");
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
