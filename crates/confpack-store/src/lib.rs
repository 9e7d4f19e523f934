//! confpack's persistence. Handlers see only the [`Store`] trait; [`SqliteStore`] (the
//! embedded default, a WAL-mode file in the data directory) and [`PostgresStore`]
//! (`--database postgres://…`) implement it, each with its own embedded migrations, and
//! both pass the same conformance suite (`tests/conformance.rs`).

mod error;
mod packs;
mod postgres;
mod query;
mod reports;
mod rules;
mod shared_sql;
mod sqlite;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use confpack_model::{
    AccessKey, AccessKeyId, Account, AccountId, AccountStatus, ConfigurationChanged, KeyStatus, PreparedResource,
    PutOutcome, ResourceVersion, StoredResource,
};

pub use error::StoreError;
pub use packs::PackStore;
pub use postgres::PostgresStore;
pub use query::{CountGroup, ResourcePage, ResourceQuery, ResultCount, ResultQuery, TimelineQuery};
pub use reports::ReportStore;
pub use rules::{RuleStore, SnapshotItem, TokenedRequest};
pub use sqlite::SqliteStore;

/// The result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// The file name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "confpack.db";

/// Everything confpack persists, one trait per area. Every read and write of tenant data
/// takes the caller's [`AccountId`], so no query can cross accounts.
pub trait Store: AccountStore + ResourceStore + RuleStore + PackStore + ReportStore {}

impl<T: AccountStore + ResourceStore + RuleStore + PackStore + ReportStore> Store for T {}

/// Accounts, AccessKeys, and the lookups authentication needs.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Which backend this is, for logs (`sqlite` or `postgres`).
    fn backend(&self) -> &'static str;

    /// Checks that the store answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Creates an enabled account with one active AccessKey.
    async fn create_account(&self, name: &str, now_ms: i64) -> StoreResult<(Account, AccessKey)>;

    /// Every account, oldest first.
    async fn list_accounts(&self) -> StoreResult<Vec<Account>>;

    /// One account.
    async fn get_account(&self, id: AccountId) -> StoreResult<Option<Account>>;

    /// Enables or disables an account; `NotFound` if it does not exist.
    async fn set_account_status(&self, id: AccountId, status: AccountStatus) -> StoreResult<()>;

    /// Adds an active AccessKey to an account; `NotFound` if it does not exist.
    async fn create_access_key(&self, account: AccountId, now_ms: i64) -> StoreResult<AccessKey>;

    /// Deletes an AccessKey; `NotFound` if it does not exist.
    async fn delete_access_key(&self, id: &AccessKeyId) -> StoreResult<()>;

    /// Activates or deactivates an AccessKey; `NotFound` if it does not exist.
    async fn set_access_key_status(&self, id: &AccessKeyId, status: KeyStatus) -> StoreResult<()>;

    /// The keys of one account, oldest first.
    async fn list_access_keys(&self, account: AccountId) -> StoreResult<Vec<AccessKey>>;

    /// A key and the status of its account, for authenticating a request.
    async fn find_access_key(&self, id: &AccessKeyId) -> StoreResult<Option<(AccessKey, AccountStatus)>>;

    /// Whether `pack_id` names a compliance pack of `account`.
    async fn compliance_pack_exists(&self, account: AccountId, pack_id: &str) -> StoreResult<bool>;
}

/// The resource inventory: current configurations, their versions, and the change feed.
#[async_trait]
pub trait ResourceStore: Send + Sync + 'static {
    /// Stores a batch in one transaction: all of it or none. Returns, per item, whether it
    /// was created, changed or unchanged, and its version. An unchanged item (same content
    /// hash, not deleted) writes nothing.
    async fn put_resources(
        &self,
        account: AccountId,
        items: &[PreparedResource],
        now_ms: i64,
    ) -> StoreResult<Vec<(PutOutcome, i64)>>;

    /// Marks resources of one type deleted (a `REMOVE` version each), in one transaction.
    /// Unknown ids fail the whole call with `NotFound` naming them; already deleted ones
    /// are left as they are. Returns how many were newly deleted.
    async fn delete_resources(
        &self,
        account: AccountId,
        resource_type: &str,
        ids: &[String],
        now_ms: i64,
    ) -> StoreResult<u64>;

    /// One resource, deleted or not.
    async fn get_resource(
        &self,
        account: AccountId,
        resource_type: &str,
        resource_id: &str,
    ) -> StoreResult<Option<StoredResource>>;

    /// The resources of one type among `resource_ids` (deleted or not), in no particular
    /// order; ids not found are left out. For reading many related resources at once.
    async fn get_resources(
        &self,
        account: AccountId,
        resource_type: &str,
        resource_ids: &[String],
    ) -> StoreResult<Vec<StoredResource>>;

    /// A page of resources in `(ResourceType, ResourceId)` order, without configurations.
    async fn list_resources(&self, account: AccountId, query: &ResourceQuery) -> StoreResult<ResourcePage>;

    /// A page of one resource's versions, newest first.
    async fn resource_timeline(
        &self,
        account: AccountId,
        resource_type: &str,
        resource_id: &str,
        query: &TimelineQuery,
    ) -> StoreResult<Vec<ResourceVersion>>;

    /// Counts of resources not deleted, grouped as `group` says, in group order.
    async fn count_resources(&self, account: AccountId, group: &CountGroup) -> StoreResult<Vec<(String, i64)>>;

    /// The change feed: every version recorded after `after_seq`, oldest first, with its
    /// sequence number. Rule evaluation subscribes here.
    async fn changes_since(&self, after_seq: i64, limit: u32) -> StoreResult<Vec<(i64, ConfigurationChanged)>>;

    /// A page of live resources of the given types (all when empty) with their
    /// configurations, in `(ResourceType, ResourceId)` order after `after`: the stream a
    /// whole-scope evaluation reads.
    async fn scan_resources(
        &self,
        account: AccountId,
        resource_types: &[String],
        after: Option<(String, String)>,
        limit: u32,
    ) -> StoreResult<Vec<StoredResource>>;
}

/// Where the store lives: a PostgreSQL URL, or the embedded SQLite file in `data_dir`.
pub async fn open(database_url: Option<&str>, data_dir: &Path) -> StoreResult<Arc<dyn Store>> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(PostgresStore::connect(url).await?))
        }
        Some(url) => Err(StoreError::Config(format!(
            "unsupported database URL {:?}: use postgres://… or leave it unset for the embedded SQLite store",
            redact_url(url)
        ))),
        None => Ok(Arc::new(SqliteStore::open(&data_dir.join(SQLITE_FILE)).await?)),
    }
}

/// A database URL with any password replaced, safe to log.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:pw@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }
}
