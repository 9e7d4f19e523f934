//! The report store: report jobs with leases, and the secrets a deployment's nodes share.

use async_trait::async_trait;
use confpack_model::{AccountId, ReportJob, ReportKind};

use crate::StoreResult;

/// Report jobs.
#[async_trait]
pub trait ReportStore: Send + Sync + 'static {
    /// Records a new `CREATING` job; `Conflict` when its subject has one in progress.
    async fn begin_report(&self, job: &ReportJob) -> StoreResult<()>;

    /// Claims a `CREATING` job nobody holds (never claimed, or its lease ran out) until
    /// `now_ms + lease_ms`.
    async fn claim_report(&self, now_ms: i64, lease_ms: i64) -> StoreResult<Option<ReportJob>>;

    /// Extends the lease of a job being generated; false when it is no longer `CREATING`.
    async fn renew_report(&self, report_id: &str, lease_until_ms: i64) -> StoreResult<bool>;

    /// Marks a job `COMPLETE` with its snapshot instant and removes the earlier complete
    /// or failed reports of its subject, returning their ids (their files can go).
    /// `None` when the job was not `CREATING` any more (another node finished it).
    async fn complete_report(&self, report_id: &str, snapshot_ms: i64) -> StoreResult<Option<Vec<String>>>;

    /// Marks a job `FAILED` with the reason.
    async fn fail_report(&self, report_id: &str, error: &str) -> StoreResult<()>;

    /// Deletes every report of one subject (its pack was deleted), returning their ids.
    async fn delete_reports_of(&self, account: AccountId, kind: ReportKind, subject: &str) -> StoreResult<Vec<String>>;

    /// The reports of one subject, newest first.
    async fn reports_of(&self, account: AccountId, kind: ReportKind, subject: &str) -> StoreResult<Vec<ReportJob>>;

    /// One report of an account.
    async fn get_report(&self, account: AccountId, report_id: &str) -> StoreResult<Option<ReportJob>>;

    /// The shared secret called `name`, made from `candidate` on first use.
    async fn service_secret(&self, name: &str, candidate: &str) -> StoreResult<String>;
}
