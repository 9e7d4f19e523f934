//! Report generation and delivery: durable report jobs run by a background worker, the
//! files kept in an object store, and pre-signed download links served by confpack itself.

pub(crate) mod download;
pub mod generator;
pub mod links;
pub mod objects;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use confpack_reports::ReportFormat;

use self::links::LinkSigner;
use self::objects::ReportObjects;

/// How reports are stored and linked.
#[derive(Clone)]
pub struct ReportSettings {
    /// Where report files are kept.
    pub objects: Arc<dyn ReportObjects>,
    /// A local directory for files being written (temporary files of the XLSX writer too).
    pub work_dir: PathBuf,
    /// Signs download links.
    pub signer: LinkSigner,
    /// How long a download link stays valid.
    pub link_lifetime: Duration,
    /// The base of download links (`http://host:port`) when set; otherwise the `Host` the
    /// caller used.
    pub public_url: Option<String>,
    /// How long a claimed report job is held without renewal before another run takes it.
    pub lease: Duration,
}

impl std::fmt::Debug for ReportSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The signer's key is a secret: never printed.
        f.debug_struct("ReportSettings")
            .field("work_dir", &self.work_dir)
            .field("link_lifetime", &self.link_lifetime)
            .field("public_url", &self.public_url)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// The object key of one format of a report.
pub(crate) fn object_key(account: i64, report_id: &str, format: ReportFormat) -> String {
    format!("{account}/{report_id}/report.{}", format.extension())
}

/// The object prefix of all of a report's files.
pub(crate) fn object_prefix(account: i64, report_id: &str) -> String {
    format!("{account}/{report_id}")
}

/// The file name a report downloads as: `{account}-{subject}-report-{yyyyMMddHHmm}.{ext}`
/// (UTC), the vendor's pattern.
pub(crate) fn file_name(account: i64, subject: &str, snapshot_ms: i64, format: ReportFormat) -> String {
    let stamp = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(snapshot_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(time::macros::format_description!("[year][month][day][hour][minute]")).ok())
        .unwrap_or_default();
    format!("{account}-{subject}-report-{stamp}.{}", format.extension())
}

/// A pre-signed link to one format of a complete report, valid for the configured lifetime
/// from now. `host` is the `Host` the caller used, for when no public URL is configured.
pub(crate) fn download_url(
    settings: &ReportSettings,
    host: &str,
    job: &confpack_model::ReportJob,
    format: ReportFormat,
    now_ms: i64,
) -> String {
    let account = job.account_id.get();
    let subject = if job.subject.is_empty() { "rules" } else { job.subject.as_str() };
    let name = file_name(account, subject, job.snapshot_ms.unwrap_or(job.created_ms), format);
    let path = format!("/reports/{account}/{}/{name}", job.report_id);
    let lifetime = i64::try_from(settings.link_lifetime.as_secs()).unwrap_or(i64::MAX);
    let expires = now_ms / 1000 + lifetime;
    let base = settings.public_url.clone().unwrap_or_else(|| format!("http://{host}"));
    format!("{}{path}?{}", base.trim_end_matches('/'), settings.signer.query(&path, expires))
}
