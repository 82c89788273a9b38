//! `on_pool!` and `on_writer!`: one query-building expression run against whichever
//! database is in use. A leaf module (it names `Database` only by path inside the macros),
//! so that every file of the store can use them without importing the database handle's
//! module, which holds the batch writers of some of them.

/// Runs the same query-building expression against whichever pool is in use, for reads
/// (SQLite's read pool). The SQL text is shared: both databases accept `$1` placeholders and
/// `RETURNING`.
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::store::Database::Sqlite(sqlite) => {
                let $pool = &sqlite.read;
                $body
            }
            $crate::store::Database::Postgres(pg) => {
                let $pool = &pg.pool;
                $body
            }
        }
    };
}
pub(crate) use on_pool;

/// Like `on_pool!`, for anything that writes (INSERT, UPDATE, DELETE, a transaction that
/// writes): SQLite's one writer connection, PostgreSQL's pool. Inside `$body` never call
/// another store method that writes: on SQLite it would wait for the connection `$body`
/// holds (until the acquire timeout).
macro_rules! on_writer {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::store::Database::Sqlite(sqlite) => {
                let $pool = &sqlite.write;
                $body
            }
            $crate::store::Database::Postgres(pg) => {
                let $pool = &pg.pool;
                $body
            }
        }
    };
}
pub(crate) use on_writer;
