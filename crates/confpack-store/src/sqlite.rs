//! The embedded default: one SQLite file in WAL mode, so an admin command can write
//! while a server reads and writes the same file.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::shared_sql::Backend;
use crate::shared_sql::accounts::portable_account_store;
use crate::shared_sql::packs::portable_pack_store;
use crate::shared_sql::reports::portable_report_store;
use crate::shared_sql::resources::portable_resource_store;
use crate::shared_sql::rules::portable_rule_store;
use crate::{StoreError, StoreResult};

/// The SQLite store.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl Backend for SqliteStore {
    type Database = sqlx::Sqlite;
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const BEGIN_SNAPSHOT: &'static str = "BEGIN";
    const UNINDEXED: &'static str = "+";
    const EXCLUSIVE_WRITES: bool = true;
    const JSON_ROWS: &'static str = "json_each($1)";

    fn json_element(index: usize, _integer: bool) -> String {
        // json_extract yields SQL integers for JSON integers and NULL for JSON null.
        format!("json_extract(value, '$[{index}]')")
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        Self::open_with(path, SqliteJournalMode::Wal, SqliteSynchronous::Normal).await
    }

    /// Opens a throw-away database (`confpack scan`'s): nothing in it outlives the process,
    /// so it keeps its rollback journal in memory and never waits for the disk, which spares
    /// writing every page twice (to the WAL, then to the file) during bulk loads. A crash
    /// can leave the file corrupt, which does not matter for a file nobody opens again.
    pub async fn open_scratch(path: &Path) -> StoreResult<Self> {
        Self::open_with(path, SqliteJournalMode::Memory, SqliteSynchronous::Off).await
    }

    async fn open_with(path: &Path, journal: SqliteJournalMode, synchronous: SqliteSynchronous) -> StoreResult<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Config(format!("cannot create data directory {}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(journal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            // A 64 MiB page cache per connection keeps bulk imports from spilling pages
            // mid-transaction. Temporary b-trees (large GROUP BYs) go to temporary files, not
            // memory, and the pool stays small: memory is bounded by about 4 × 64 MiB of cache.
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA cache_size = -65536").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA wal_autocheckpoint = 20000").execute(&mut *conn).await?;
                    Ok(())
                })
            })
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }
}

portable_account_store!(SqliteStore, "sqlite", {});
portable_resource_store!(SqliteStore);
portable_rule_store!(SqliteStore);
portable_pack_store!(SqliteStore);
portable_report_store!(SqliteStore);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_get_the_tuned_pragmas() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("t.db")).await.expect("open");
        let mut conn = store.pool.acquire().await.expect("connection");
        let cache: i64 = sqlx::query_scalar("PRAGMA cache_size").fetch_one(&mut *conn).await.expect("pragma");
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await.expect("pragma");
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await.expect("pragma");
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *conn).await.expect("pragma");
        assert_eq!((cache, mode.as_str(), synchronous, foreign_keys), (-65536, "wal", 1, 1));
    }
}
