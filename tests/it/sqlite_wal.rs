//! The SQLite WAL stays bounded while readers never stop (polling devices): SQLite's own
//! PASSIVE checkpoints cannot reset a WAL that some reader is always inside, so it grew to
//! gigabytes; `Database::checkpoint` (TRUNCATE, run every few seconds by the server) empties it.

use std::{sync::Arc, time::Duration};

use usher::store::Database;

#[tokio::test]
async fn a_checkpoint_empties_the_wal_while_readers_keep_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usher.db");
    let db = Database::connect(&format!("sqlite://{}?mode=rwc", path.display()), 8)
        .await
        .unwrap();
    let Database::Sqlite(sqlite) = &db else {
        unreachable!()
    };
    let pool = &sqlite.write;
    sqlx::query("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)")
        .execute(pool)
        .await
        .unwrap();
    // Readers that never pause, like devices polling.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..3 {
        let (pool, stop) = (sqlite.read.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let mut reads = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM filler")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                reads += 1;
            }
            reads
        }));
    }
    let body = "x".repeat(4000);
    for _ in 0..2000 {
        sqlx::query("INSERT INTO filler (body) VALUES ($1)")
            .bind(&body)
            .execute(pool)
            .await
            .unwrap();
    }
    let wal = dir.path().join("usher.db-wal");
    let before = std::fs::metadata(&wal).unwrap().len();
    assert!(before > 4_000_000, "the WAL grew: {before} bytes");
    let mut emptied = false;
    for _ in 0..50 {
        if db.checkpoint().await.unwrap() {
            emptied = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = std::fs::metadata(&wal).unwrap().len();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for reader in readers {
        assert!(reader.await.unwrap() > 0, "the readers were reading");
    }
    assert!(emptied, "the checkpoint never completed");
    assert_eq!(after, 0, "the WAL was {before} bytes, then {after}");
}
