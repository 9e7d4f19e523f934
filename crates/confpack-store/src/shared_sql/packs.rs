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
            type Db = <$store as $crate::shared_sql::Backend>::Database;

            use $crate::shared_sql::packs::{counts_from_text, counts_text, pack_document, pack_from_document};

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
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    sqlx::query("DELETE FROM pack_resource_counts WHERE account_id = $1 AND pack_id = $2")
                        .bind(account.get()).bind(pack_id).execute(&mut *tx).await?;
                    let done = sqlx::query("DELETE FROM compliance_packs WHERE account_id = $1 AND pack_id = $2")
                        .bind(account.get()).bind(pack_id).execute(&mut *tx).await?;
                    found_one(done.rows_affected(), || format!("pack {pack_id}"))?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn pack_resource_counts(&self, account: AccountId, pack_id: &str, rule_ids: &[String], now_ms: i64) -> StoreResult<Vec<(String, i64)>> {
                    // The versions are read before counting: a result written meanwhile may be
                    // counted under the older fingerprint, which only makes the next call count again.
                    let fingerprint = result_fingerprint(self, account, rule_ids).await?;
                    let kept = sqlx::query("SELECT fingerprint, valid_until_ms, counts FROM pack_resource_counts WHERE account_id = $1 AND pack_id = $2")
                        .bind(account.get()).bind(pack_id).fetch_optional(&self.pool).await?;
                    if let Some(row) = kept {
                        if row.try_get::<String, _>("fingerprint")? == fingerprint && now_ms < row.try_get::<i64, _>("valid_until_ms")? {
                            return counts_from_text(&row.try_get::<String, _>("counts")?);
                        }
                    }
                    let counts = $crate::RuleStore::worst_verdict_counts(self, account, rule_ids, now_ms).await?;
                    let valid_until = next_ignore_expiry(self, account, rule_ids, now_ms).await?;
                    sqlx::query("INSERT INTO pack_resource_counts (account_id, pack_id, fingerprint, valid_until_ms, counts) VALUES ($1, $2, $3, $4, $5) \
                                 ON CONFLICT (account_id, pack_id) DO UPDATE SET fingerprint = excluded.fingerprint, valid_until_ms = excluded.valid_until_ms, counts = excluded.counts")
                        .bind(account.get()).bind(pack_id).bind(&fingerprint).bind(valid_until).bind(counts_text(&counts))
                        .execute(&self.pool).await?;
                    Ok(counts)
                }
            }

            /// The rules with their result versions, in rule order: `rule:version,…`.
            async fn result_fingerprint(store: &$store, account: AccountId, rule_ids: &[String]) -> StoreResult<String> {
                let mut versions: std::collections::BTreeMap<&str, i64> = rule_ids.iter().map(|r| (r.as_str(), 0)).collect();
                for chunk in rule_ids.chunks(500) {
                    let mut q = sqlx::QueryBuilder::<Db>::new("SELECT rule_id, version FROM rule_result_versions WHERE account_id = ");
                    q.push_bind(account.get()).push(" AND rule_id IN ");
                    $crate::shared_sql::push_list(&mut q, chunk.iter().map(String::as_str));
                    for row in q.build().fetch_all(&store.pool).await? {
                        let rule: String = row.try_get("rule_id")?;
                        if let Some(v) = versions.get_mut(rule.as_str()) {
                            *v = row.try_get("version")?;
                        }
                    }
                }
                Ok(versions.iter().map(|(rule, v)| format!("{rule}:{v}")).collect::<Vec<_>>().join(","))
            }

            /// The first instant after `now_ms` at which a timed ignore among the rules' results
            /// ends (`i64::MAX` when none does).
            async fn next_ignore_expiry(store: &$store, account: AccountId, rule_ids: &[String], now_ms: i64) -> StoreResult<i64> {
                let mut first = i64::MAX;
                for chunk in rule_ids.chunks(500) {
                    let mut q = sqlx::QueryBuilder::<Db>::new("SELECT MIN(ignore_until_ms) AS until FROM evaluation_results WHERE ignored = 1 AND account_id = ");
                    q.push_bind(account.get()).push(" AND ignore_until_ms > ").push_bind(now_ms).push(" AND rule_id IN ");
                    $crate::shared_sql::push_list(&mut q, chunk.iter().map(String::as_str));
                    if let Some(until) = q.build().fetch_one(&store.pool).await?.try_get::<Option<i64>, _>("until")? {
                        first = first.min(until);
                    }
                }
                Ok(first)
            }
        }
    };
}

pub(crate) use portable_pack_store;

/// Snapshot counts as stored: a JSON array of `[verdict, resources]` pairs.
pub(crate) fn counts_text(counts: &[(String, i64)]) -> String {
    serde_json::to_string(counts).unwrap_or_else(|_| "[]".to_owned())
}

pub(crate) fn counts_from_text(text: &str) -> StoreResult<Vec<(String, i64)>> {
    serde_json::from_str(text).map_err(|e| StoreError::Internal(format!("stored pack counts are not counts: {e}")))
}
