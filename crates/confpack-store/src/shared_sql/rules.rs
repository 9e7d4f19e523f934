//! Rule-store queries, identical on both backends (upserts use `ON CONFLICT … DO UPDATE`
//! with `excluded.`, which SQLite ≥ 3.24 and PostgreSQL share).

use confpack_model::{ComplianceChange, ConfigRule, ResultWrite, StoredResult};
use sqlx::Row;

use crate::{StoreError, StoreResult};

/// Columns `result_from_row` reads (plus `effective`).
pub(crate) const RESULT_COLUMNS: &str = "rule_id, rule_name, risk_level, resource_type, resource_id, region, resource_name, \
     resource_group_id, compliance_type, annotation, message_type, invoked_ms, ordering_ms, recorded_ms, \
     last_non_compliant_ms, last_compliant_fixed_ms, ignore_date, ignore_reason";

pub(crate) fn rule_from_document(text: &str) -> StoreResult<ConfigRule> {
    serde_json::from_str(text).map_err(|e| StoreError::Internal(format!("stored rule is not a rule document: {e}")))
}

pub(crate) fn rule_document(rule: &ConfigRule) -> StoreResult<String> {
    serde_json::to_string(rule).map_err(|e| StoreError::Internal(format!("rule does not serialise: {e}")))
}

/// Decodes an `evaluation_results` row selected with [`RESULT_COLUMNS`] and `effective`.
pub(crate) fn result_from_row<R: Row>(row: &R) -> StoreResult<StoredResult>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    Ok(StoredResult {
        write: ResultWrite {
            rule_id: row.try_get("rule_id")?,
            // Not stored: a stored result is by construction of the revision current when
            // it was written.
            rule_revision: 0,
            rule_name: row.try_get("rule_name")?,
            risk_level: row.try_get("risk_level")?,
            resource_type: row.try_get("resource_type")?,
            resource_id: row.try_get("resource_id")?,
            region: row.try_get("region")?,
            resource_name: row.try_get("resource_name")?,
            resource_group_id: row.try_get("resource_group_id")?,
            compliance_type: row.try_get("compliance_type")?,
            annotation: row.try_get("annotation")?,
            message_type: row.try_get("message_type")?,
            invoked_ms: row.try_get("invoked_ms")?,
            ordering_ms: row.try_get("ordering_ms")?,
        },
        effective_type: row.try_get("effective")?,
        recorded_ms: row.try_get("recorded_ms")?,
        last_non_compliant_ms: row.try_get("last_non_compliant_ms")?,
        last_compliant_fixed_ms: row.try_get("last_compliant_fixed_ms")?,
        ignore_date: row.try_get("ignore_date")?,
        ignore_reason: row.try_get("ignore_reason")?,
    })
}

/// The columns a results snapshot reads (what reports show), then `effective`.
pub(crate) const SNAPSHOT_COLUMNS: &str = "rule_id, rule_name, risk_level, resource_type, resource_id, region, \
     resource_name, resource_group_id, compliance_type, annotation, invoked_ms, ignore_reason";

/// Decodes a row selected with [`SNAPSHOT_COLUMNS`] and `effective`, by position (millions
/// of rows: no lookups by name). Fields a snapshot does not read are left empty.
pub(crate) fn snapshot_result_from_row<R: Row>(row: &R) -> StoreResult<StoredResult>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(StoredResult {
        write: ResultWrite {
            rule_id: row.try_get(0)?,
            rule_revision: 0,
            rule_name: row.try_get(1)?,
            risk_level: row.try_get(2)?,
            resource_type: row.try_get(3)?,
            resource_id: row.try_get(4)?,
            region: row.try_get(5)?,
            resource_name: row.try_get(6)?,
            resource_group_id: row.try_get(7)?,
            compliance_type: row.try_get(8)?,
            annotation: row.try_get(9)?,
            message_type: String::new(),
            invoked_ms: row.try_get(10)?,
            ordering_ms: 0,
        },
        ignore_reason: row.try_get(11)?,
        effective_type: row.try_get(12)?,
        recorded_ms: 0,
        last_non_compliant_ms: None,
        last_compliant_fixed_ms: None,
        ignore_date: String::new(),
    })
}

/// Decodes a `compliance_changes` row.
pub(crate) fn change_from_row<R: Row>(row: &R) -> StoreResult<ComplianceChange>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    Ok(ComplianceChange {
        seq: row.try_get("seq")?,
        resource_type: row.try_get("resource_type")?,
        resource_id: row.try_get("resource_id")?,
        region: row.try_get("region")?,
        rule_id: row.try_get("rule_id")?,
        rule_name: row.try_get("rule_name")?,
        captured_ms: row.try_get("captured_ms")?,
        old_type: row.try_get("old_type")?,
        new_type: row.try_get("new_type")?,
    })
}

/// A chunk of results as the JSON array the bulk upsert reads: one array per result,
/// `[rule_id, resource_type, resource_id, rule_name, risk_level, region, resource_name,
/// resource_group_id, compliance_type, annotation, message_type, invoked_ms, ordering_ms,
/// last_non_compliant_ms, rule_revision]`.
pub(crate) fn result_rows_json(results: &[ResultWrite], now_ms: i64) -> String {
    let rows: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let non_compliant = (r.compliance_type == "NON_COMPLIANT").then_some(now_ms);
            serde_json::json!([
                r.rule_id,
                r.resource_type,
                r.resource_id,
                r.rule_name,
                r.risk_level,
                r.region,
                r.resource_name,
                r.resource_group_id,
                r.compliance_type,
                r.annotation,
                r.message_type,
                r.invoked_ms,
                r.ordering_ms,
                non_compliant,
                r.rule_revision
            ])
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// Implements [`crate::RuleStore`] for a backend struct with a `pool` field.
macro_rules! portable_rule_store {
    ($store:ty) => {
        mod rule_store_impl {
            use confpack_model::{AccountId, ComplianceChange, ConfigRule, EvaluationJob, ResultWrite, StoredResult};
            use sqlx::{QueryBuilder, Row};

            use super::*;
            use $crate::shared_sql::found_one;
            use $crate::StoreError;
            use $crate::shared_sql::rules::{RESULT_COLUMNS, SNAPSHOT_COLUMNS, change_from_row, result_from_row, result_rows_json, rule_document, rule_from_document, snapshot_result_from_row};
            use $crate::{ResultCount, ResultQuery, StoreResult};

            type Db = <$store as $crate::shared_sql::Backend>::Database;

            /// Appends the effective compliance type, `effective`: IGNORED while an ignore is in force.
            fn push_effective(q: &mut QueryBuilder<Db>, now_ms: i64) {
                q.push("CASE WHEN ignored = 1 AND (ignore_until_ms IS NULL OR ignore_until_ms > ").push_bind(now_ms)
                    .push(") THEN 'IGNORED' ELSE compliance_type END AS effective");
            }

            /// Resources per worst verdict among the results of `rule_ids` (not empty).
            fn worst_counts_query(account: AccountId, rule_ids: &[String], now_ms: i64) -> QueryBuilder<Db> {
                let mut q = QueryBuilder::<Db>::new(
                    "SELECT CASE worst WHEN 0 THEN 'NON_COMPLIANT' WHEN 1 THEN 'COMPLIANT' WHEN 2 THEN 'INSUFFICIENT_DATA' \
                     WHEN 3 THEN 'NOT_APPLICABLE' ELSE 'IGNORED' END AS verdict, COUNT(*) AS n FROM (\
                     SELECT MIN(CASE effective WHEN 'NON_COMPLIANT' THEN 0 WHEN 'COMPLIANT' THEN 1 WHEN 'INSUFFICIENT_DATA' THEN 2 \
                     WHEN 'NOT_APPLICABLE' THEN 3 ELSE 4 END) AS worst FROM (SELECT resource_type, resource_id, ");
                push_effective(&mut q, now_ms);
                q.push(" FROM evaluation_results WHERE account_id = ").push_bind(account.get());
                push_in(&mut q, "rule_id", rule_ids);
                q.push(") AS e GROUP BY resource_type, resource_id) AS w GROUP BY worst ORDER BY worst");
                q
            }

            /// Appends ` AND column IN (…)`, unless `values` is empty (no restriction).
            fn push_in(q: &mut QueryBuilder<Db>, column: &str, values: &[String]) {
                if values.is_empty() {
                    return;
                }
                q.push(format_args!(" AND {column} IN "));
                $crate::shared_sql::push_list(q, values.iter().map(String::as_str));
            }

            /// Adds `deltas` ((rule, compliance type) → change) to the maintained result counts.
            async fn apply_count_deltas(tx: &mut sqlx::Transaction<'_, Db>, account: AccountId, deltas: &std::collections::BTreeMap<(String, String), i64>) -> StoreResult<()> {
                // Every rule with a changed result gets a new version, even when its counts
                // net to zero (one resource became compliant as another stopped being so).
                let changed: std::collections::BTreeSet<&str> = deltas.keys().map(|(rule, _)| rule.as_str()).collect();
                bump_result_versions(tx, account, changed).await?;
                let rows: Vec<serde_json::Value> = deltas.iter().filter(|(_, n)| **n != 0).map(|((rule, t), n)| serde_json::json!([rule, t, n])).collect();
                if rows.is_empty() {
                    return Ok(());
                }
                let e = |i, integer| <$store as $crate::shared_sql::Backend>::json_element(i, integer);
                let sql = format!(
                    "INSERT INTO rule_result_counts (account_id, rule_id, compliance_type, n) SELECT $2, {}, {}, {} FROM {} WHERE 1 = 1 \
                     ON CONFLICT (account_id, rule_id, compliance_type) DO UPDATE SET n = rule_result_counts.n + excluded.n",
                    e(0, false), e(1, false), e(2, true), <$store as $crate::shared_sql::Backend>::JSON_ROWS,
                );
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(serde_json::Value::Array(rows).to_string()).bind(account.get()).execute(&mut **tx).await?;
                Ok(())
            }

            /// Raises the result version of each rule given (see migration 0006).
            async fn bump_result_versions(tx: &mut sqlx::Transaction<'_, Db>, account: AccountId, rules: std::collections::BTreeSet<&str>) -> StoreResult<()> {
                if rules.is_empty() {
                    return Ok(());
                }
                let sql = format!(
                    "INSERT INTO rule_result_versions (account_id, rule_id, version) SELECT $2, {}, 1 FROM {} WHERE 1 = 1 \
                     ON CONFLICT (account_id, rule_id) DO UPDATE SET version = rule_result_versions.version + 1",
                    <$store as $crate::shared_sql::Backend>::json_element(0, false), <$store as $crate::shared_sql::Backend>::JSON_ROWS,
                );
                let rows: Vec<serde_json::Value> = rules.into_iter().map(|rule| serde_json::json!([rule])).collect();
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(serde_json::Value::Array(rows).to_string()).bind(account.get()).execute(&mut **tx).await?;
                Ok(())
            }

            /// Tallies `(rule_id, compliance_type)` rows of deleted results as negative deltas.
            fn removed<R: Row>(rows: &[R]) -> StoreResult<std::collections::BTreeMap<(String, String), i64>>
            where
                for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
                for<'a> &'a str: sqlx::ColumnIndex<R>,
            {
                let mut deltas = std::collections::BTreeMap::new();
                for row in rows {
                    *deltas.entry((row.try_get("rule_id")?, row.try_get("compliance_type")?)).or_insert(0) -= 1;
                }
                Ok(deltas)
            }

            /// Results per batch of a snapshot.
            const SNAPSHOT_BATCH: usize = 1024;

            /// Results per upsert statement.
            const WRITE_CHUNK: usize = 2000;

            /// The timeline rows of a chunk's compliance changes, given as one JSON array (`$1`)
            /// of `[type, id, region, rule_id, rule_name, old, new]`, for account `$2` at `$3`.
            fn insert_changes_sql() -> String {
                let e = |i| <$store as $crate::shared_sql::Backend>::json_element(i, false);
                format!(
                    "INSERT INTO compliance_changes (account_id, resource_type, resource_id, region, rule_id, rule_name, captured_ms, old_type, new_type) \
                     SELECT $2, {}, {}, {}, {}, {}, $3, {}, {} FROM {}",
                    e(0), e(1), e(2), e(3), e(4), e(5), e(6), <$store as $crate::shared_sql::Backend>::JSON_ROWS,
                )
            }

            /// The stored compliance types of a chunk's results that have one (`rows` as for
            /// `upsert_results_sql`), by (rule, resource type, resource id). The JSON rows
            /// drive the join (`CROSS JOIN` keeps SQLite from scanning the results table
            /// once per row).
            async fn stored_types(tx: &mut sqlx::Transaction<'_, Db>, account: AccountId, rows: &str) -> StoreResult<std::collections::HashMap<(String, String, String), String>> {
                let e = |i| <$store as $crate::shared_sql::Backend>::json_element(i, false);
                let sql = format!(
                    "SELECT r.rule_id, r.resource_type, r.resource_id, r.compliance_type FROM {} CROSS JOIN evaluation_results r \
                     WHERE r.account_id = $2 AND r.rule_id = {} AND r.resource_type = {} AND r.resource_id = {}",
                    <$store as $crate::shared_sql::Backend>::JSON_ROWS, e(0), e(1), e(2),
                );
                let mut stored = std::collections::HashMap::new();
                for row in sqlx::query(sqlx::AssertSqlSafe(sql)).bind(rows).bind(account.get()).fetch_all(&mut **tx).await? {
                    stored.insert((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?), row.try_get(3)?);
                }
                Ok(stored)
            }

            /// The revision of each `ACTIVE` rule among a chunk's: the results the upsert
            /// writes (see its `EXISTS` condition).
            async fn active_revisions(tx: &mut sqlx::Transaction<'_, Db>, account: AccountId, chunk: &[ResultWrite]) -> StoreResult<std::collections::HashMap<String, i64>> {
                let rules: std::collections::BTreeSet<&str> = chunk.iter().map(|r| r.rule_id.as_str()).collect();
                let mut q = QueryBuilder::<Db>::new("SELECT rule_id, revision FROM config_rules WHERE state = 'ACTIVE' AND account_id = ");
                q.push_bind(account.get()).push(" AND rule_id IN ");
                $crate::shared_sql::push_list(&mut q, rules);
                let mut active = std::collections::HashMap::new();
                for row in q.build().fetch_all(&mut **tx).await? {
                    active.insert(row.try_get("rule_id")?, row.try_get("revision")?);
                }
                Ok(active)
            }

            /// The compliance changes of a chunk of written results: timeline rows and count
            /// deltas.
            #[derive(Default)]
            struct ResultChanges {
                /// `[type, id, region, rule_id, rule_name, old, new]` per change.
                timeline: Vec<serde_json::Value>,
                deltas: std::collections::BTreeMap<(String, String), i64>,
            }

            impl ResultChanges {
                /// Records one written result: `key` is its type, id, region, rule id and
                /// rule name; `old` the type it replaced (`None` for a first result).
                fn add(&mut self, key: [&str; 5], new: &str, old: Option<&str>) {
                    if old == Some(new) {
                        return;
                    }
                    let [resource_type, resource_id, region, rule_id, rule_name] = key;
                    if let Some(old) = old {
                        *self.deltas.entry((rule_id.to_owned(), old.to_owned())).or_insert(0) -= 1;
                    }
                    *self.deltas.entry((rule_id.to_owned(), new.to_owned())).or_insert(0) += 1;
                    self.timeline.push(serde_json::json!([resource_type, resource_id, region, rule_id, rule_name, old.unwrap_or_default(), new]));
                }

                /// Appends the timeline rows and applies the count deltas.
                async fn write(self, tx: &mut sqlx::Transaction<'_, Db>, account: AccountId, now_ms: i64) -> StoreResult<()> {
                    if !self.timeline.is_empty() {
                        sqlx::query(sqlx::AssertSqlSafe(insert_changes_sql()))
                            .bind(serde_json::Value::Array(self.timeline).to_string()).bind(account.get()).bind(now_ms)
                            .execute(&mut **tx).await?;
                    }
                    apply_count_deltas(tx, account, &self.deltas).await
                }
            }

            /// The upsert of a chunk of results given as one JSON array (`$1`, see
            /// `result_rows_json`), for account `$2` at time `$3`.
            fn upsert_results_sql(revert_ignored: bool) -> String {
                let e = |i, integer| <$store as $crate::shared_sql::Backend>::json_element(i, integer);
                let mut sql = format!(
                    "INSERT INTO evaluation_results (account_id, rule_id, resource_type, resource_id, rule_name, risk_level, region, resource_name, resource_group_id, compliance_type, previous_type, annotation, message_type, invoked_ms, ordering_ms, recorded_ms, last_non_compliant_ms, last_compliant_fixed_ms, ignored, ignore_until_ms, ignore_date, ignore_reason) \
                     SELECT $2, {}, {}, {}, {}, {}, {}, {}, {}, {}, NULL, {}, {}, {}, {}, $3, {}, NULL, 0, NULL, '', '' FROM {} \
                     WHERE EXISTS (SELECT 1 FROM config_rules c WHERE c.account_id = $2 AND c.rule_id = {} AND c.revision = {} AND c.state = 'ACTIVE') \
                     ON CONFLICT (account_id, rule_id, resource_type, resource_id) DO UPDATE SET \
                     rule_name = excluded.rule_name, risk_level = excluded.risk_level, region = excluded.region, \
                     resource_name = excluded.resource_name, resource_group_id = excluded.resource_group_id, \
                     previous_type = evaluation_results.compliance_type, compliance_type = excluded.compliance_type, \
                     annotation = excluded.annotation, message_type = excluded.message_type, invoked_ms = excluded.invoked_ms, \
                     ordering_ms = excluded.ordering_ms, recorded_ms = excluded.recorded_ms, \
                     last_non_compliant_ms = COALESCE(excluded.last_non_compliant_ms, evaluation_results.last_non_compliant_ms), \
                     last_compliant_fixed_ms = CASE WHEN evaluation_results.compliance_type = 'NON_COMPLIANT' AND excluded.compliance_type = 'COMPLIANT' \
                         THEN excluded.recorded_ms ELSE evaluation_results.last_compliant_fixed_ms END",
                    e(0, false), e(1, false), e(2, false), e(3, false), e(4, true), e(5, false), e(6, false), e(7, false), e(8, false),
                    e(9, false), e(10, false), e(11, true), e(12, true), e(13, true),
                    <$store as $crate::shared_sql::Backend>::JSON_ROWS,
                    e(0, false), e(14, true),
                );
                if revert_ignored {
                    sql.push_str(", ignored = 0, ignore_until_ms = NULL, ignore_date = '', ignore_reason = ''");
                }
                if !<$store as $crate::shared_sql::Backend>::EXCLUSIVE_WRITES {
                    sql.push_str(" RETURNING resource_type, resource_id, region, rule_id, rule_name, compliance_type, previous_type");
                }
                sql
            }

            #[async_trait::async_trait]
            impl $crate::RuleStore for $store {
                async fn create_rule(&self, rule: &ConfigRule, next_scheduled_ms: Option<i64>) -> StoreResult<()> {
                    sqlx::query("INSERT INTO config_rules (account_id, rule_id, name, state, revision, next_scheduled_ms, document) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                        .bind(rule.account_id.get()).bind(&rule.rule_id).bind(&rule.name).bind(&rule.state).bind(rule.revision).bind(next_scheduled_ms).bind(rule_document(rule)?)
                        .execute(&self.pool).await?;
                    Ok(())
                }

                async fn get_rule(&self, account: AccountId, rule_id: &str) -> StoreResult<Option<ConfigRule>> {
                    let row = sqlx::query("SELECT document FROM config_rules WHERE account_id = $1 AND rule_id = $2")
                        .bind(account.get()).bind(rule_id).fetch_optional(&self.pool).await?;
                    row.map(|r| rule_from_document(&r.try_get::<String, _>("document")?)).transpose()
                }

                async fn list_rules(&self, account: AccountId) -> StoreResult<Vec<ConfigRule>> {
                    let rows = sqlx::query("SELECT document FROM config_rules WHERE account_id = $1 ORDER BY rule_id")
                        .bind(account.get()).fetch_all(&self.pool).await?;
                    rows.iter().map(|r| rule_from_document(&r.try_get::<String, _>("document")?)).collect()
                }

                async fn update_rule(&self, rule: &ConfigRule, next_scheduled_ms: Option<i64>) -> StoreResult<()> {
                    let mut next = rule.clone();
                    next.revision += 1;
                    let done = sqlx::query("UPDATE config_rules SET name = $1, state = $2, next_scheduled_ms = $3, document = $4, revision = $5 WHERE account_id = $6 AND rule_id = $7 AND revision = $8")
                        .bind(&next.name).bind(&next.state).bind(next_scheduled_ms).bind(rule_document(&next)?).bind(next.revision)
                        .bind(rule.account_id.get()).bind(&rule.rule_id).bind(rule.revision)
                        .execute(&self.pool).await?;
                    if done.rows_affected() == 1 {
                        return Ok(());
                    }
                    let exists = sqlx::query("SELECT 1 AS one FROM config_rules WHERE account_id = $1 AND rule_id = $2")
                        .bind(rule.account_id.get()).bind(&rule.rule_id).fetch_optional(&self.pool).await?.is_some();
                    Err(if exists { StoreError::Changed(format!("rule {}", rule.rule_id)) } else { StoreError::NotFound(format!("rule {}", rule.rule_id)) })
                }

                async fn save_rule_status(&self, rule: &ConfigRule) -> StoreResult<bool> {
                    let done = sqlx::query("UPDATE config_rules SET document = $1 WHERE account_id = $2 AND rule_id = $3 AND revision = $4")
                        .bind(rule_document(rule)?).bind(rule.account_id.get()).bind(&rule.rule_id).bind(rule.revision)
                        .execute(&self.pool).await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn delete_rule(&self, account: AccountId, rule_id: &str) -> StoreResult<()> {
                    let mut tx = self.pool.begin().await?;
                    let done = sqlx::query("DELETE FROM config_rules WHERE account_id = $1 AND rule_id = $2")
                        .bind(account.get()).bind(rule_id).execute(&mut *tx).await?;
                    found_one(done.rows_affected(), || format!("rule {rule_id}"))?;
                    for table in ["evaluation_results", "evaluation_jobs", "rule_result_counts"] {
                        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE account_id = $1 AND rule_id = $2")))
                            .bind(account.get()).bind(rule_id).execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn due_scheduled_rules(&self, now_ms: i64) -> StoreResult<Vec<(AccountId, String, i64)>> {
                    let rows = sqlx::query("SELECT account_id, rule_id, next_scheduled_ms FROM config_rules WHERE next_scheduled_ms <= $1 AND state = 'ACTIVE' ORDER BY next_scheduled_ms LIMIT 1000")
                        .bind(now_ms).fetch_all(&self.pool).await?;
                    rows.iter().map(|r| Ok((AccountId::new(r.try_get("account_id")?), r.try_get("rule_id")?, r.try_get("next_scheduled_ms")?))).collect()
                }

                async fn advance_schedule(&self, account: AccountId, rule_id: &str, due_ms: i64, next_ms: i64) -> StoreResult<bool> {
                    let done = sqlx::query("UPDATE config_rules SET next_scheduled_ms = $1 WHERE account_id = $2 AND rule_id = $3 AND next_scheduled_ms = $4")
                        .bind(next_ms).bind(account.get()).bind(rule_id).bind(due_ms).execute(&self.pool).await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn enqueue_evaluation(&self, account: AccountId, rule_id: &str, message_type: &str, revert_ignored: bool, now_ms: i64) -> StoreResult<i64> {
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    let pending = sqlx::query("SELECT job_id FROM evaluation_jobs WHERE account_id = $1 AND rule_id = $2 AND state = 'PENDING'")
                        .bind(account.get()).bind(rule_id).fetch_optional(&mut *tx).await?;
                    let job_id = if let Some(row) = pending {
                        let job_id: i64 = row.try_get("job_id")?;
                        if revert_ignored {
                            sqlx::query("UPDATE evaluation_jobs SET revert_ignored = 1 WHERE job_id = $1").bind(job_id).execute(&mut *tx).await?;
                        }
                        job_id
                    } else {
                        sqlx::query("INSERT INTO evaluation_jobs (account_id, rule_id, message_type, revert_ignored, state, lease_until_ms, attempts, created_ms) VALUES ($1, $2, $3, $4, 'PENDING', 0, 0, $5) RETURNING job_id")
                            .bind(account.get()).bind(rule_id).bind(message_type).bind(i64::from(revert_ignored)).bind(now_ms)
                            .fetch_one(&mut *tx).await?.try_get("job_id")?
                    };
                    tx.commit().await?;
                    Ok(job_id)
                }

                async fn claim_evaluation(&self, now_ms: i64, lease_ms: i64) -> StoreResult<Option<EvaluationJob>> {
                    // The state test is repeated outside the subquery so that two nodes racing for
                    // the same job cannot both claim it: the loser's UPDATE re-checks the row it
                    // waited for and matches nothing.
                    let row = sqlx::query(
                        "UPDATE evaluation_jobs SET state = 'RUNNING', lease_until_ms = $1, attempts = attempts + 1 \
                         WHERE job_id = (SELECT job_id FROM evaluation_jobs WHERE state = 'PENDING' OR lease_until_ms < $2 ORDER BY job_id LIMIT 1) \
                         AND (state = 'PENDING' OR lease_until_ms < $2) \
                         RETURNING job_id, account_id, rule_id, message_type, revert_ignored, created_ms, attempts")
                        .bind(now_ms + lease_ms).bind(now_ms).fetch_optional(&self.pool).await?;
                    row.map(|r| Ok(EvaluationJob {
                        job_id: r.try_get("job_id")?,
                        account_id: AccountId::new(r.try_get("account_id")?),
                        rule_id: r.try_get("rule_id")?,
                        message_type: r.try_get("message_type")?,
                        revert_ignored: r.try_get::<i64, _>("revert_ignored")? != 0,
                        created_ms: r.try_get("created_ms")?,
                        attempts: r.try_get("attempts")?,
                    })).transpose()
                }

                async fn renew_evaluations(&self, job_ids: &[i64], lease_until_ms: i64) -> StoreResult<()> {
                    for chunk in job_ids.chunks(500) {
                        let mut q = QueryBuilder::<Db>::new("UPDATE evaluation_jobs SET lease_until_ms = ");
                        q.push_bind(lease_until_ms).push(" WHERE job_id IN ");
                        $crate::shared_sql::push_list(&mut q, chunk.iter().copied());
                        q.build().execute(&self.pool).await?;
                    }
                    Ok(())
                }

                async fn finish_evaluation(&self, job_id: i64) -> StoreResult<()> {
                    sqlx::query("DELETE FROM evaluation_jobs WHERE job_id = $1").bind(job_id).execute(&self.pool).await?;
                    Ok(())
                }

                async fn rules_evaluating(&self, account: AccountId) -> StoreResult<Vec<String>> {
                    let rows = sqlx::query("SELECT DISTINCT rule_id FROM evaluation_jobs WHERE account_id = $1 ORDER BY rule_id")
                        .bind(account.get()).fetch_all(&self.pool).await?;
                    rows.iter().map(|r| Ok(r.try_get("rule_id")?)).collect()
                }

                async fn put_results(&self, account: AccountId, results: &[ResultWrite], revert_ignored: bool, now_ms: i64) -> StoreResult<()> {
                    let sql = upsert_results_sql(revert_ignored);
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    for chunk in results.chunks(WRITE_CHUNK) {
                        let rows = result_rows_json(chunk, now_ms);
                        let mut changes = ResultChanges::default();
                        if <$store as $crate::shared_sql::Backend>::EXCLUSIVE_WRITES {
                            // Nobody else writes until this transaction ends: what is read
                            // now is what the upsert replaces.
                            let stored = stored_types(&mut tx, account, &rows).await?;
                            let active = active_revisions(&mut tx, account, chunk).await?;
                            for r in chunk.iter().filter(|r| active.get(r.rule_id.as_str()) == Some(&r.rule_revision)) {
                                let old = stored.get(&(r.rule_id.clone(), r.resource_type.clone(), r.resource_id.clone()));
                                changes.add([&r.resource_type, &r.resource_id, &r.region, &r.rule_id, &r.rule_name], &r.compliance_type, old.map(String::as_str));
                            }
                            sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(&rows).bind(account.get()).bind(now_ms).execute(&mut *tx).await?;
                        } else {
                            // Concurrent writers: the upsert itself says what it replaced.
                            let written = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(&rows).bind(account.get()).bind(now_ms).fetch_all(&mut *tx).await?;
                            for row in &written {
                                let text = |column: &str| row.try_get::<String, _>(column);
                                let old: Option<String> = row.try_get("previous_type")?;
                                let key = [text("resource_type")?, text("resource_id")?, text("region")?, text("rule_id")?, text("rule_name")?];
                                changes.add(key.each_ref().map(String::as_str), &text("compliance_type")?, old.as_deref());
                            }
                        }
                        changes.write(&mut tx, account, now_ms).await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn delete_results(&self, account: AccountId, rule_id: &str, before_ms: Option<i64>, now_ms: i64) -> StoreResult<u64> {
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    let cutoff = before_ms.unwrap_or(i64::MAX);
                    sqlx::query("INSERT INTO compliance_changes (account_id, resource_type, resource_id, region, rule_id, rule_name, captured_ms, old_type, new_type) \
                                 SELECT account_id, resource_type, resource_id, region, rule_id, rule_name, $1, compliance_type, '' FROM evaluation_results \
                                 WHERE account_id = $2 AND rule_id = $3 AND recorded_ms < $4")
                        .bind(now_ms).bind(account.get()).bind(rule_id).bind(cutoff).execute(&mut *tx).await?;
                    let gone = sqlx::query("DELETE FROM evaluation_results WHERE account_id = $1 AND rule_id = $2 AND recorded_ms < $3 RETURNING rule_id, compliance_type")
                        .bind(account.get()).bind(rule_id).bind(cutoff).fetch_all(&mut *tx).await?;
                    apply_count_deltas(&mut tx, account, &removed(&gone)?).await?;
                    tx.commit().await?;
                    Ok(gone.len() as u64)
                }

                async fn delete_rule_results_of(&self, account: AccountId, rule_id: &str, resources: &[(String, String)], now_ms: i64) -> StoreResult<u64> {
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    let mut total = 0;
                    for (resource_type, resource_id) in resources {
                        sqlx::query("INSERT INTO compliance_changes (account_id, resource_type, resource_id, region, rule_id, rule_name, captured_ms, old_type, new_type) \
                                     SELECT account_id, resource_type, resource_id, region, rule_id, rule_name, $1, compliance_type, '' FROM evaluation_results \
                                     WHERE account_id = $2 AND rule_id = $3 AND resource_type = $4 AND resource_id = $5")
                            .bind(now_ms).bind(account.get()).bind(rule_id).bind(resource_type).bind(resource_id).execute(&mut *tx).await?;
                        let gone = sqlx::query("DELETE FROM evaluation_results WHERE account_id = $1 AND rule_id = $2 AND resource_type = $3 AND resource_id = $4 RETURNING rule_id, compliance_type")
                            .bind(account.get()).bind(rule_id).bind(resource_type).bind(resource_id).fetch_all(&mut *tx).await?;
                        apply_count_deltas(&mut tx, account, &removed(&gone)?).await?;
                        total += gone.len() as u64;
                    }
                    tx.commit().await?;
                    Ok(total)
                }

                async fn delete_resource_results(&self, account: AccountId, resource_type: &str, resource_id: &str, now_ms: i64) -> StoreResult<u64> {
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    sqlx::query("INSERT INTO compliance_changes (account_id, resource_type, resource_id, region, rule_id, rule_name, captured_ms, old_type, new_type) \
                                 SELECT account_id, resource_type, resource_id, region, rule_id, rule_name, $1, compliance_type, '' FROM evaluation_results \
                                 WHERE account_id = $2 AND resource_type = $3 AND resource_id = $4")
                        .bind(now_ms).bind(account.get()).bind(resource_type).bind(resource_id).execute(&mut *tx).await?;
                    let gone = sqlx::query("DELETE FROM evaluation_results WHERE account_id = $1 AND resource_type = $2 AND resource_id = $3 RETURNING rule_id, compliance_type")
                        .bind(account.get()).bind(resource_type).bind(resource_id).fetch_all(&mut *tx).await?;
                    apply_count_deltas(&mut tx, account, &removed(&gone)?).await?;
                    tx.commit().await?;
                    Ok(gone.len() as u64)
                }

                async fn list_results(&self, account: AccountId, query: &ResultQuery, now_ms: i64) -> StoreResult<Vec<StoredResult>> {
                    let mut q = QueryBuilder::<Db>::new(format!("SELECT {RESULT_COLUMNS}, effective FROM (SELECT {RESULT_COLUMNS}, "));
                    push_effective(&mut q, now_ms);
                    q.push(" FROM evaluation_results WHERE account_id = ").push_bind(account.get());
                    for (column, values) in [("rule_id", &query.rule_ids), ("resource_type", &query.resource_types), ("region", &query.regions), ("resource_group_id", &query.resource_group_ids)] {
                        push_in(&mut q, column, values);
                    }
                    if let Some(id) = &query.resource_id {
                        q.push(" AND resource_id = ").push_bind(id.as_str());
                    }
                    if let Some(level) = query.risk_level {
                        q.push(" AND risk_level = ").push_bind(level);
                    }
                    if let Some((rule, rtype, rid)) = &query.after {
                        q.push(" AND (rule_id > ").push_bind(rule.as_str())
                            .push(" OR (rule_id = ").push_bind(rule.as_str()).push(" AND (resource_type > ").push_bind(rtype.as_str())
                            .push(" OR (resource_type = ").push_bind(rtype.as_str()).push(" AND resource_id > ").push_bind(rid.as_str()).push("))))");
                    }
                    q.push(") AS r");
                    if let Some(t) = &query.compliance_type {
                        q.push(" WHERE effective = ").push_bind(t.as_str());
                    }
                    q.push(" ORDER BY rule_id, resource_type, resource_id LIMIT ").push_bind(i64::from(query.limit));
                    let rows = q.build().fetch_all(&self.pool).await?;
                    rows.iter().map(result_from_row).collect()
                }

                async fn count_results(&self, account: AccountId, rule_ids: &[String], now_ms: i64) -> StoreResult<Vec<ResultCount>> {
                    // The maintained counts, then the ignores in force moved to IGNORED.
                    let mut q = QueryBuilder::<Db>::new("SELECT rule_id, compliance_type, n FROM rule_result_counts WHERE n <> 0 AND account_id = ");
                    q.push_bind(account.get());
                    push_in(&mut q, "rule_id", rule_ids);
                    let mut counts = std::collections::BTreeMap::new();
                    for r in q.build().fetch_all(&self.pool).await? {
                        counts.insert((r.try_get::<String, _>("rule_id")?, r.try_get::<String, _>("compliance_type")?), r.try_get::<i64, _>("n")?);
                    }
                    let mut q = QueryBuilder::<Db>::new("SELECT rule_id, compliance_type, COUNT(*) AS n FROM evaluation_results WHERE ignored = 1 AND account_id = ");
                    q.push_bind(account.get());
                    push_in(&mut q, "rule_id", rule_ids);
                    q.push(" AND (ignore_until_ms IS NULL OR ignore_until_ms > ").push_bind(now_ms).push(") GROUP BY rule_id, compliance_type");
                    for r in q.build().fetch_all(&self.pool).await? {
                        let (rule, t, n): (String, String, i64) = (r.try_get("rule_id")?, r.try_get("compliance_type")?, r.try_get("n")?);
                        *counts.entry((rule.clone(), t)).or_insert(0) -= n;
                        *counts.entry((rule, "IGNORED".to_owned())).or_insert(0) += n;
                    }
                    Ok(counts.into_iter().filter(|(_, n)| *n > 0).map(|((rule_id, compliance_type), count)| ResultCount { rule_id, compliance_type, count }).collect())
                }

                async fn resource_verdicts(&self, account: AccountId, rule_ids: &[String], now_ms: i64) -> StoreResult<Vec<(String, String, String, i64)>> {
                    let mut q = QueryBuilder::<Db>::new("SELECT resource_type, resource_id, risk_level, ");
                    push_effective(&mut q, now_ms);
                    q.push(" FROM evaluation_results WHERE account_id = ").push_bind(account.get());
                    push_in(&mut q, "rule_id", rule_ids);
                    q.push(" ORDER BY resource_type, resource_id");
                    let rows = q.build().fetch_all(&self.pool).await?;
                    rows.iter().map(|r| Ok((r.try_get("resource_type")?, r.try_get("resource_id")?, r.try_get("effective")?, r.try_get("risk_level")?))).collect()
                }

                async fn worst_verdict_counts(&self, account: AccountId, rule_ids: &[String], now_ms: i64) -> StoreResult<Vec<(String, i64)>> {
                    if rule_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let rows = worst_counts_query(account, rule_ids, now_ms).build().fetch_all(&self.pool).await?;
                    rows.iter().map(|r| Ok((r.try_get("verdict")?, r.try_get("n")?))).collect()
                }

                async fn snapshot_results(&self, account: AccountId, rule_ids: &[String], now_ms: i64, sink: tokio::sync::mpsc::Sender<$crate::SnapshotItem>) -> StoreResult<u64> {
                    use futures_util::TryStreamExt;
                    let gone = || StoreError::Internal("the snapshot's reader stopped".to_owned());
                    if rule_ids.is_empty() {
                        sink.send($crate::SnapshotItem::Rules(Vec::new())).await.map_err(|_| gone())?;
                        sink.send($crate::SnapshotItem::ResourceCounts(Vec::new())).await.map_err(|_| gone())?;
                        return Ok(0);
                    }
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_SNAPSHOT).await?;
                    let mut q = QueryBuilder::<Db>::new("SELECT document FROM config_rules WHERE account_id = ");
                    q.push_bind(account.get());
                    push_in(&mut q, "rule_id", rule_ids);
                    q.push(" ORDER BY rule_id");
                    let mut rules = Vec::new();
                    for row in q.build().fetch_all(&mut *tx).await? {
                        rules.push(rule_from_document(&row.try_get::<String, _>("document")?)?);
                    }
                    sink.send($crate::SnapshotItem::Rules(rules)).await.map_err(|_| gone())?;
                    let rows = worst_counts_query(account, rule_ids, now_ms).build().fetch_all(&mut *tx).await?;
                    let counts = rows.iter().map(|r| Ok((r.try_get("verdict")?, r.try_get("n")?))).collect::<StoreResult<Vec<(String, i64)>>>()?;
                    sink.send($crate::SnapshotItem::ResourceCounts(counts)).await.map_err(|_| gone())?;
                    // In the table's own order: reading millions of rows through an index
                    // costs a random lookup each, several times a sequential scan.
                    let unindexed = <$store as $crate::shared_sql::Backend>::UNINDEXED;
                    let mut q = QueryBuilder::<Db>::new(format!("SELECT {SNAPSHOT_COLUMNS}, "));
                    push_effective(&mut q, now_ms);
                    q.push(format_args!(" FROM evaluation_results WHERE {unindexed}account_id = ")).push_bind(account.get());
                    q.push(format_args!(" AND {unindexed}rule_id IN "));
                    $crate::shared_sql::push_list(&mut q, rule_ids.iter().map(String::as_str));
                    let mut sent = 0;
                    {
                        let mut rows = q.build().fetch(&mut *tx);
                        let mut batch = Vec::with_capacity(SNAPSHOT_BATCH);
                        while let Some(row) = rows.try_next().await? {
                            batch.push(snapshot_result_from_row(&row)?);
                            if batch.len() == SNAPSHOT_BATCH {
                                sent += batch.len() as u64;
                                let full = std::mem::replace(&mut batch, Vec::with_capacity(SNAPSHOT_BATCH));
                                sink.send($crate::SnapshotItem::Results(full)).await.map_err(|_| gone())?;
                            }
                        }
                        if !batch.is_empty() {
                            sent += batch.len() as u64;
                            sink.send($crate::SnapshotItem::Results(batch)).await.map_err(|_| gone())?;
                        }
                    }
                    tx.commit().await?;
                    Ok(sent)
                }

                async fn set_ignored(&self, account: AccountId, rule_id: &str, resources: &[(String, String)], ignore: Option<(String, String, Option<i64>)>) -> StoreResult<u64> {
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    let mut changed = 0;
                    for (resource_type, resource_id) in resources {
                        let done = match &ignore {
                            Some((reason, date, until)) => sqlx::query("UPDATE evaluation_results SET ignored = 1, ignore_reason = $1, ignore_date = $2, ignore_until_ms = $3 WHERE account_id = $4 AND rule_id = $5 AND resource_type = $6 AND resource_id = $7")
                                .bind(reason).bind(date).bind(*until).bind(account.get()).bind(rule_id).bind(resource_type).bind(resource_id).execute(&mut *tx).await?,
                            None => sqlx::query("UPDATE evaluation_results SET ignored = 0, ignore_reason = '', ignore_date = '', ignore_until_ms = NULL WHERE account_id = $1 AND rule_id = $2 AND resource_type = $3 AND resource_id = $4")
                                .bind(account.get()).bind(rule_id).bind(resource_type).bind(resource_id).execute(&mut *tx).await?,
                        };
                        changed += done.rows_affected();
                    }
                    if changed > 0 {
                        bump_result_versions(&mut tx, account, std::iter::once(rule_id).collect()).await?;
                    }
                    tx.commit().await?;
                    Ok(changed)
                }

                async fn compliance_changes(&self, account: AccountId, resource_type: &str, resource_id: &str, window: (i64, i64), before_seq: Option<i64>, limit: u32) -> StoreResult<Vec<ComplianceChange>> {
                    let rows = sqlx::query("SELECT seq, resource_type, resource_id, region, rule_id, rule_name, captured_ms, old_type, new_type FROM compliance_changes \
                                            WHERE account_id = $1 AND resource_type = $2 AND resource_id = $3 AND captured_ms >= $4 AND captured_ms <= $5 AND seq < $6 \
                                            ORDER BY seq DESC LIMIT $7")
                        .bind(account.get()).bind(resource_type).bind(resource_id).bind(window.0).bind(window.1).bind(before_seq.unwrap_or(i64::MAX)).bind(i64::from(limit))
                        .fetch_all(&self.pool).await?;
                    rows.iter().map(change_from_row).collect()
                }

                async fn feed_cursor(&self) -> StoreResult<i64> {
                    Ok(sqlx::query("SELECT seq FROM feed_cursors WHERE name = 'rule-evaluation'").fetch_one(&self.pool).await?.try_get("seq")?)
                }

                async fn advance_feed_cursor(&self, from: i64, to: i64) -> StoreResult<bool> {
                    let done = sqlx::query("UPDATE feed_cursors SET seq = $1 WHERE name = 'rule-evaluation' AND seq = $2").bind(to).bind(from).execute(&self.pool).await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn remember_client_token(&self, account: AccountId, request: &$crate::TokenedRequest<'_>, now_ms: i64, expire_before_ms: i64) -> StoreResult<Option<(String, String)>> {
                    let $crate::TokenedRequest { action, token, fingerprint, response } = *request;
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    sqlx::query("DELETE FROM client_tokens WHERE created_ms < $1").bind(expire_before_ms).execute(&mut *tx).await?;
                    let known = sqlx::query("SELECT fingerprint, response FROM client_tokens WHERE account_id = $1 AND action = $2 AND token = $3")
                        .bind(account.get()).bind(action).bind(token).fetch_optional(&mut *tx).await?;
                    if let Some(row) = known {
                        let remembered = (row.try_get("fingerprint")?, row.try_get("response")?);
                        tx.commit().await?;
                        return Ok(Some(remembered));
                    }
                    sqlx::query("INSERT INTO client_tokens (account_id, action, token, fingerprint, response, created_ms) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(account.get()).bind(action).bind(token).bind(fingerprint).bind(response).bind(now_ms).execute(&mut *tx).await?;
                    tx.commit().await?;
                    Ok(None)
                }

                async fn recall_client_token(&self, account: AccountId, action: &str, token: &str, expire_before_ms: i64) -> StoreResult<Option<(String, String)>> {
                    let row = sqlx::query("SELECT fingerprint, response FROM client_tokens WHERE account_id = $1 AND action = $2 AND token = $3 AND created_ms >= $4")
                        .bind(account.get()).bind(action).bind(token).bind(expire_before_ms).fetch_optional(&self.pool).await?;
                    row.map(|r| Ok((r.try_get("fingerprint")?, r.try_get("response")?))).transpose()
                }
            }
        }
    };
}

pub(crate) use portable_rule_store;
