//! The pack store: compliance packs of an account.

use async_trait::async_trait;
use confpack_model::{AccountId, CompliancePack};

use crate::StoreResult;

/// Compliance packs.
#[async_trait]
pub trait PackStore: Send + Sync + 'static {
    /// Stores a new pack; `Conflict` when the account has a pack of that name.
    async fn create_pack(&self, pack: &CompliancePack) -> StoreResult<()>;

    /// One pack of an account.
    async fn get_pack(&self, account: AccountId, pack_id: &str) -> StoreResult<Option<CompliancePack>>;

    /// Every pack of an account, oldest first.
    async fn list_packs(&self, account: AccountId) -> StoreResult<Vec<CompliancePack>>;

    /// Replaces a pack; `NotFound` when it does not exist, `Conflict` on a taken name.
    async fn update_pack(&self, pack: &CompliancePack) -> StoreResult<()>;

    /// Deletes a pack (not its rules); `NotFound` when it does not exist.
    async fn delete_pack(&self, account: AccountId, pack_id: &str) -> StoreResult<()>;

    /// How many resources have each worst verdict among the results of the pack's
    /// `rule_ids` (as [`crate::RuleStore::worst_verdict_counts`] counts them). Served from the
    /// pack's snapshot while no result of those rules has changed and no timed ignore among
    /// them has expired since it was taken; otherwise counted again and kept as the snapshot.
    async fn pack_resource_counts(
        &self,
        account: AccountId,
        pack_id: &str,
        rule_ids: &[String],
        now_ms: i64,
    ) -> StoreResult<Vec<(String, i64)>>;
}
