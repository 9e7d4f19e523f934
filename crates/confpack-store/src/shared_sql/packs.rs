//! Pack-store queries, identical on both backends.

use confpack_model::CompliancePack;

use crate::{StoreError, StoreResult};

pub(crate) fn pack_from_document(text: &str) -> StoreResult<CompliancePack> {
    serde_json::from_str(text).map_err(|e| StoreError::Internal(format!("stored pack is not a pack document: {e}")))
}

pub(crate) fn pack_document(pack: &CompliancePack) -> StoreResult<String> {
    serde_json::to_string(pack).map_err(|e| StoreError::Internal(format!("pack does not serialise: {e}")))
}

/// Implements [`crate::PackStore`] for a backend struct with a `pool` field.
macro_rules! portable_pack_store {
    ($store:ty) => {
        mod pack_store_impl {
            use confpack_model::{AccountId, CompliancePack};
            use sqlx::Row;

            use super::*;
            use $crate::StoreResult;
            use $crate::shared_sql::found_one;
            use $crate::shared_sql::packs::{pack_document, pack_from_document};

            #[async_trait::async_trait]
            impl $crate::PackStore for $store {
                async fn create_pack(&self, pack: &CompliancePack) -> StoreResult<()> {
                    sqlx::query("INSERT INTO compliance_packs (account_id, pack_id, name, created_ms, document) VALUES ($1, $2, $3, $4, $5)")
                        .bind(pack.account_id.get()).bind(&pack.pack_id).bind(&pack.name).bind(pack.created_ms).bind(pack_document(pack)?)
                        .execute(&self.pool).await?;
                    Ok(())
                }

                async fn get_pack(&self, account: AccountId, pack_id: &str) -> StoreResult<Option<CompliancePack>> {
                    let row = sqlx::query("SELECT document FROM compliance_packs WHERE account_id = $1 AND pack_id = $2")
                        .bind(account.get()).bind(pack_id).fetch_optional(&self.pool).await?;
                    row.map(|r| pack_from_document(&r.try_get::<String, _>("document")?)).transpose()
                }

                async fn list_packs(&self, account: AccountId) -> StoreResult<Vec<CompliancePack>> {
                    let rows = sqlx::query("SELECT document FROM compliance_packs WHERE account_id = $1 ORDER BY created_ms, pack_id")
                        .bind(account.get()).fetch_all(&self.pool).await?;
                    rows.iter().map(|r| pack_from_document(&r.try_get::<String, _>("document")?)).collect()
                }

                async fn update_pack(&self, pack: &CompliancePack) -> StoreResult<()> {
                    let done = sqlx::query("UPDATE compliance_packs SET name = $1, document = $2 WHERE account_id = $3 AND pack_id = $4")
                        .bind(&pack.name).bind(pack_document(pack)?).bind(pack.account_id.get()).bind(&pack.pack_id)
                        .execute(&self.pool).await?;
                    found_one(done.rows_affected(), || format!("pack {}", pack.pack_id))
                }

                async fn delete_pack(&self, account: AccountId, pack_id: &str) -> StoreResult<()> {
                    let done = sqlx::query("DELETE FROM compliance_packs WHERE account_id = $1 AND pack_id = $2")
                        .bind(account.get()).bind(pack_id).execute(&self.pool).await?;
                    found_one(done.rows_affected(), || format!("pack {pack_id}"))
                }
            }
        }
    };
}

pub(crate) use portable_pack_store;
