//! Report-store queries, identical on both backends.

use confpack_model::{AccountId, ReportJob, ReportKind};
use sqlx::Row;

use crate::{StoreError, StoreResult};

pub(crate) const REPORT_COLUMNS: &str =
    "report_id, account_id, kind, subject, rule_ids, state, created_ms, snapshot_ms, attempts, error";

pub(crate) fn report_from_row<R: Row>(row: &R) -> StoreResult<ReportJob>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    let kind: String = row.try_get("kind")?;
    let rule_ids: String = row.try_get("rule_ids")?;
    Ok(ReportJob {
        report_id: row.try_get("report_id")?,
        account_id: AccountId::new(row.try_get("account_id")?),
        kind: ReportKind::from_stored(&kind)
            .ok_or_else(|| StoreError::Internal(format!("unknown report kind {kind:?}")))?,
        subject: row.try_get("subject")?,
        rule_ids: serde_json::from_str(&rule_ids)
            .map_err(|e| StoreError::Internal(format!("stored report rule ids are not a list: {e}")))?,
        state: row.try_get("state")?,
        created_ms: row.try_get("created_ms")?,
        snapshot_ms: row.try_get("snapshot_ms")?,
        attempts: row.try_get("attempts")?,
        error: row.try_get("error")?,
    })
}

/// Implements [`crate::ReportStore`] for a backend struct with a `pool` field.
macro_rules! portable_report_store {
    ($store:ty) => {
        mod report_store_impl {
            use confpack_model::{AccountId, ReportJob, ReportKind};
            use sqlx::Row;

            use super::*;
            use $crate::shared_sql::reports::{REPORT_COLUMNS, report_from_row};
            use $crate::{StoreError, StoreResult};

            #[async_trait::async_trait]
            impl $crate::ReportStore for $store {
                async fn begin_report(&self, job: &ReportJob) -> StoreResult<()> {
                    let rule_ids = serde_json::to_string(&job.rule_ids).map_err(|e| StoreError::Internal(e.to_string()))?;
                    let done = sqlx::query(
                        "INSERT INTO reports (report_id, account_id, kind, subject, rule_ids, state, created_ms, snapshot_ms, lease_until_ms, attempts, error) \
                         VALUES ($1, $2, $3, $4, $5, 'CREATING', $6, NULL, 0, 0, '') ON CONFLICT DO NOTHING")
                        .bind(&job.report_id).bind(job.account_id.get()).bind(job.kind.as_str()).bind(&job.subject).bind(rule_ids).bind(job.created_ms)
                        .execute(&self.pool).await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Conflict(format!("a report of {} is being created", job.subject)));
                    }
                    Ok(())
                }

                async fn claim_report(&self, now_ms: i64, lease_ms: i64) -> StoreResult<Option<ReportJob>> {
                    // Idle workers ask often: a read first, which needs no write lock and so
                    // never waits behind an evaluation's large writes.
                    let waiting = sqlx::query("SELECT 1 AS one FROM reports WHERE state = 'CREATING' AND lease_until_ms < $1 LIMIT 1")
                        .bind(now_ms).fetch_optional(&self.pool).await?;
                    if waiting.is_none() {
                        return Ok(None);
                    }
                    // The state and lease tests are repeated outside the subquery so that two
                    // nodes racing for one job cannot both claim it.
                    let sql = format!(
                        "UPDATE reports SET lease_until_ms = $1, attempts = attempts + 1 \
                         WHERE report_id = (SELECT report_id FROM reports WHERE state = 'CREATING' AND lease_until_ms < $2 ORDER BY created_ms LIMIT 1) \
                         AND state = 'CREATING' AND lease_until_ms < $2 RETURNING {REPORT_COLUMNS}");
                    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now_ms + lease_ms).bind(now_ms).fetch_optional(&self.pool).await?;
                    row.map(|r| report_from_row(&r)).transpose()
                }

                async fn renew_report(&self, report_id: &str, lease_until_ms: i64) -> StoreResult<bool> {
                    let done = sqlx::query("UPDATE reports SET lease_until_ms = $1 WHERE report_id = $2 AND state = 'CREATING'")
                        .bind(lease_until_ms).bind(report_id).execute(&self.pool).await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn complete_report(&self, report_id: &str, snapshot_ms: i64) -> StoreResult<Option<Vec<String>>> {
                    let mut tx = self.pool.begin_with(<$store as $crate::shared_sql::Backend>::BEGIN_WRITE).await?;
                    let row = sqlx::query("UPDATE reports SET state = 'COMPLETE', snapshot_ms = $1 WHERE report_id = $2 AND state = 'CREATING' \
                                           RETURNING account_id, kind, subject")
                        .bind(snapshot_ms).bind(report_id).fetch_optional(&mut *tx).await?;
                    let Some(row) = row else { return Ok(None) };
                    let (account, kind, subject): (i64, String, String) = (row.try_get("account_id")?, row.try_get("kind")?, row.try_get("subject")?);
                    let gone = sqlx::query("DELETE FROM reports WHERE account_id = $1 AND kind = $2 AND subject = $3 AND state <> 'CREATING' AND report_id <> $4 RETURNING report_id")
                        .bind(account).bind(kind).bind(subject).bind(report_id).fetch_all(&mut *tx).await?;
                    tx.commit().await?;
                    gone.iter().map(|r| Ok(r.try_get("report_id")?)).collect::<StoreResult<Vec<String>>>().map(Some)
                }

                async fn fail_report(&self, report_id: &str, error: &str) -> StoreResult<()> {
                    sqlx::query("UPDATE reports SET state = 'FAILED', error = $1 WHERE report_id = $2 AND state = 'CREATING'")
                        .bind(error).bind(report_id).execute(&self.pool).await?;
                    Ok(())
                }

                async fn delete_reports_of(&self, account: AccountId, kind: ReportKind, subject: &str) -> StoreResult<Vec<String>> {
                    let rows = sqlx::query("DELETE FROM reports WHERE account_id = $1 AND kind = $2 AND subject = $3 RETURNING report_id")
                        .bind(account.get()).bind(kind.as_str()).bind(subject).fetch_all(&self.pool).await?;
                    rows.iter().map(|r| Ok(r.try_get("report_id")?)).collect()
                }

                async fn reports_of(&self, account: AccountId, kind: ReportKind, subject: &str) -> StoreResult<Vec<ReportJob>> {
                    let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE account_id = $1 AND kind = $2 AND subject = $3 ORDER BY created_ms DESC, report_id DESC");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.get()).bind(kind.as_str()).bind(subject).fetch_all(&self.pool).await?;
                    rows.iter().map(report_from_row).collect()
                }

                async fn get_report(&self, account: AccountId, report_id: &str) -> StoreResult<Option<ReportJob>> {
                    let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE account_id = $1 AND report_id = $2");
                    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.get()).bind(report_id).fetch_optional(&self.pool).await?;
                    row.map(|r| report_from_row(&r)).transpose()
                }

                async fn service_secret(&self, name: &str, candidate: &str) -> StoreResult<String> {
                    sqlx::query("INSERT INTO service_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                        .bind(name).bind(candidate).execute(&self.pool).await?;
                    let row = sqlx::query("SELECT secret FROM service_secrets WHERE name = $1").bind(name).fetch_one(&self.pool).await?;
                    Ok(row.try_get("secret")?)
                }
            }
        }
    };
}

pub(crate) use portable_report_store;
