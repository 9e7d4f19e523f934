//! The queries both backends run verbatim: portable SQL (`$n` placeholders, no dialect
//! features). Each backend expands the `portable_*_store!` macros for its own pool type
//! and adds whatever it must do differently in its own module.

pub(crate) mod accounts;
pub(crate) mod packs;
pub(crate) mod reports;
pub(crate) mod resources;
pub(crate) mod rules;

use confpack_model::{AccessKey, AccessKeyId, AccessKeySecret, Account, AccountId, AccountStatus, KeyStatus};
use sqlx::Row;

use crate::StoreResult;

/// Appends `(v1, v2, …)`, each value bound: the list of an `IN`. `values` must not be
/// empty (`IN ()` is not SQL).
pub(crate) fn push_list<'v, DB, T>(q: &mut sqlx::QueryBuilder<DB>, values: impl IntoIterator<Item = T>)
where
    DB: sqlx::Database,
    T: 'v + sqlx::Encode<'v, DB> + sqlx::Type<DB>,
{
    q.push("(");
    let mut list = q.separated(", ");
    for value in values {
        list.push_bind(value);
    }
    q.push(")");
}

/// `NotFound(what)` when a write that names one row touched none.
pub(crate) fn found_one(rows_affected: u64, what: impl FnOnce() -> String) -> StoreResult<()> {
    if rows_affected == 0 { Err(crate::StoreError::NotFound(what())) } else { Ok(()) }
}

/// Decodes an `accounts` row.
pub(crate) fn account_from_row<R: Row>(row: &R) -> StoreResult<Account>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    Ok(Account {
        id: AccountId::new(row.try_get("account_id")?),
        name: row.try_get("name")?,
        status: AccountStatus::from_stored(&row.try_get::<String, _>("status")?),
        created_ms: row.try_get("created_ms")?,
    })
}

/// Decodes an `access_keys` row.
pub(crate) fn key_from_row<R: Row>(row: &R) -> StoreResult<AccessKey>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    Ok(AccessKey {
        id: AccessKeyId::new(row.try_get::<String, _>("key_id")?),
        secret: AccessKeySecret::new(row.try_get("secret")?),
        account_id: AccountId::new(row.try_get("account_id")?),
        status: KeyStatus::from_stored(&row.try_get::<String, _>("status")?),
        created_ms: row.try_get("created_ms")?,
    })
}

/// Names the sqlx database type a store struct runs on.
pub(crate) trait Backend {
    /// The sqlx database.
    type Database: sqlx::Database;

    /// The statement that opens a transaction which will write. SQLite needs `BEGIN
    /// IMMEDIATE`: a deferred transaction that reads and then writes fails at once with
    /// "database is locked" when another writer got there first, instead of waiting.
    const BEGIN_WRITE: &'static str;

    /// The statement that opens a read-only transaction seeing one consistent snapshot of
    /// the database for all its statements.
    const BEGIN_SNAPSHOT: &'static str;

    /// Put before a column in a condition to keep the planner from using an index for it
    /// (SQLite's unary `+`), so that a large read scans the table in its own order.
    const UNINDEXED: &'static str;

    /// Whether a write transaction (`BEGIN_WRITE`) excludes every other writer until it
    /// ends (SQLite's `BEGIN IMMEDIATE`). Then what a transaction reads stays true until it
    /// writes, and result writes read the stored compliance types first instead of having
    /// every written row handed back, which costs more than the write.
    const EXCLUSIVE_WRITES: bool;

    /// The row source of a bulk write: the elements of the JSON array bound as `$1`, each
    /// visible as `value` (one bound parameter per batch instead of one per column, which
    /// is what makes bulk writes fast).
    const JSON_ROWS: &'static str;

    /// The expression reading element `index` of `value` as text, or as a 64-bit integer.
    fn json_element(index: usize, integer: bool) -> String;
}
