//! The PostgreSQL store, for several stateless confpack nodes sharing one database.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::StoreResult;
use crate::shared_sql::Backend;
use crate::shared_sql::accounts::portable_account_store;
use crate::shared_sql::packs::portable_pack_store;
use crate::shared_sql::reports::portable_report_store;
use crate::shared_sql::resources::portable_resource_store;
use crate::shared_sql::rules::portable_rule_store;

/// The PostgreSQL store.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl Backend for PostgresStore {
    type Database = sqlx::Postgres;
    const BEGIN_WRITE: &'static str = "BEGIN";
    const BEGIN_SNAPSHOT: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    const UNINDEXED: &'static str = "";
    const EXCLUSIVE_WRITES: bool = false;
    const JSON_ROWS: &'static str = "jsonb_array_elements($1::jsonb) AS rows(value)";

    fn json_element(index: usize, integer: bool) -> String {
        if integer { format!("(value->>{index})::bigint") } else { format!("(value->>{index})") }
    }
}

impl PostgresStore {
    /// Connects and applies pending migrations (serialised by sqlx's advisory lock, so
    /// nodes starting together do not race).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pool =
            PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect(url).await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }
}

portable_account_store!(PostgresStore, "postgres", {});
portable_resource_store!(PostgresStore);
portable_rule_store!(PostgresStore);
portable_pack_store!(PostgresStore);
portable_report_store!(PostgresStore);
