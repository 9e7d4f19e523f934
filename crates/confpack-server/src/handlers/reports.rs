//! Report actions: `GenerateCompliancePackReport` / `GetCompliancePackReport` and
//! `GenerateConfigRulesReport` / `GetConfigRulesReport`.
//!
//! Generating records a durable report job and returns at once; the report worker
//! (`crate::reporting::generator`) writes the files. At most one report per pack (and one
//! rules report per account) is created at a time: another Generate meanwhile is refused
//! with `CompliancePackReportCreating` / `ConfigRuleReportCreating`. A report replaces the
//! previous one when it completes; until then the previous one stays downloadable, and Get
//! returns its link along with the status `CREATING`.
//!
//! Extension: `ReportFormat` (`xlsx`, the default, `html`, `csv` or `json`) on the Get
//! actions selects which file `ReportUrl` links to; `ReportError` in the answer says why
//! the newest report failed, when it did.

use confpack_model::ids::hex_id;
use confpack_model::{ReportJob, ReportKind};
use confpack_protocol::{ApiError, ErrorCode};
use confpack_reports::ReportFormat;
use confpack_store::StoreError;
use serde_json::{Value, json};

use super::{ActionResult, CallContext, idempotency, now_ms, reply, store_failure};
use crate::reporting::download_url;

/// Looks the pack up in the caller's account; unknown → `Invalid.CompliancePackId.Value`.
async fn existing_pack<'p>(ctx: &'p CallContext<'_>) -> Result<&'p str, ApiError> {
    let pack_id = ctx.params.required("CompliancePackId")?;
    let exists = ctx.store().compliance_pack_exists(ctx.account(), pack_id).await.map_err(store_failure)?;
    // The vendor's message exactly: clients match on it.
    if exists { Ok(pack_id) } else { Err(ApiError::new(ErrorCode::InvalidCompliancePackIdValue)) }
}

/// The `ReportFormat` extension parameter.
fn requested_format(ctx: &CallContext<'_>) -> Result<ReportFormat, ApiError> {
    match ctx.params.optional("ReportFormat") {
        None | Some("") => Ok(ReportFormat::Xlsx),
        Some(text) => ReportFormat::from_extension(text).ok_or_else(|| {
            ApiError::with_message(
                ErrorCode::InvalidParameter,
                format!(
                    "The specified parameter ReportFormat is not valid: {text:?} is none of xlsx, html, csv, json."
                ),
            )
        }),
    }
}

/// Records a new report job; `busy` when its subject has one being created.
async fn begin(
    ctx: &CallContext<'_>,
    kind: ReportKind,
    subject: &str,
    rule_ids: Vec<String>,
    busy: ApiError,
) -> Result<String, ApiError> {
    let prefix = match kind {
        ReportKind::Pack => "cpr",
        ReportKind::Rules => "crp",
    };
    let job = ReportJob {
        report_id: hex_id(prefix, 20),
        account_id: ctx.account(),
        kind,
        subject: subject.to_owned(),
        rule_ids,
        state: "CREATING".to_owned(),
        created_ms: now_ms(),
        snapshot_ms: None,
        attempts: 0,
        error: String::new(),
    };
    match ctx.store().begin_report(&job).await {
        Ok(()) => {
            ctx.state.notify_report_jobs();
            Ok(job.report_id)
        }
        Err(StoreError::Conflict(_)) => Err(busy),
        Err(e) => Err(store_failure(e)),
    }
}

/// `GenerateCompliancePackReport`.
pub(crate) async fn generate_compliance_pack_report(ctx: &CallContext<'_>) -> ActionResult {
    idempotency::once(ctx, "GenerateCompliancePackReport", async || {
        let pack_id = existing_pack(ctx).await?;
        let busy = ApiError::with_message(
            ErrorCode::CompliancePackReportCreating,
            format!("The compliance pack report is being created: a report of {pack_id} is in progress; poll GetCompliancePackReport."),
        );
        begin(ctx, ReportKind::Pack, pack_id, Vec::new(), busy).await?;
        reply(&json!({ "CompliancePackId": pack_id }))
    })
    .await
}

/// What Get answers for a subject: the status, its time, the link, and a failure.
struct Status {
    status: &'static str,
    timestamp: i64,
    url: String,
    report_id: String,
    error: Option<String>,
}

impl Status {
    /// `base` (the report's ids) with the status fields, and `ReportError` when the newest
    /// report failed.
    fn fields(&self, mut base: Value) -> Value {
        if let Some(obj) = base.as_object_mut() {
            obj.insert("ReportCreateTimestamp".to_owned(), json!(self.timestamp));
            obj.insert("ReportStatus".to_owned(), json!(self.status));
            obj.insert("ReportUrl".to_owned(), json!(self.url));
            if let Some(error) = &self.error {
                obj.insert("ReportError".to_owned(), json!(error));
            }
        }
        base
    }
}

fn status_of(ctx: &CallContext<'_>, jobs: &[ReportJob], format: ReportFormat) -> Status {
    let creating = jobs.iter().find(|j| j.state == "CREATING");
    let complete = jobs.iter().find(|j| j.state == "COMPLETE");
    let url = complete.map(|j| download_url(ctx.state.reports(), ctx.host, j, format, now_ms())).unwrap_or_default();
    let error = jobs.first().filter(|j| j.state == "FAILED").map(|j| j.error.clone());
    match (creating, complete) {
        (Some(job), _) => {
            Status { status: "CREATING", timestamp: job.created_ms, url, report_id: job.report_id.clone(), error: None }
        }
        (None, Some(job)) => Status {
            status: "COMPLETE",
            timestamp: job.snapshot_ms.unwrap_or(job.created_ms),
            url,
            report_id: job.report_id.clone(),
            error,
        },
        (None, None) => Status { status: "NONE", timestamp: 0, url, report_id: String::new(), error },
    }
}

/// `GetCompliancePackReport`.
pub(crate) async fn get_compliance_pack_report(ctx: &CallContext<'_>) -> ActionResult {
    let pack_id = existing_pack(ctx).await?;
    let format = requested_format(ctx)?;
    let jobs = ctx.store().reports_of(ctx.account(), ReportKind::Pack, pack_id).await.map_err(store_failure)?;
    let s = status_of(ctx, &jobs, format);
    let report = s.fields(json!({ "AccountId": ctx.account().get(), "CompliancePackId": pack_id }));
    reply(&json!({ "CompliancePackReport": report }))
}

/// `GenerateConfigRulesReport`: a report of the rules `ConfigRuleIds` (every rule of the
/// account when omitted).
pub(crate) async fn generate_config_rules_report(ctx: &CallContext<'_>) -> ActionResult {
    idempotency::once(ctx, "GenerateConfigRulesReport", async || {
        let ids = ctx.params.string_list("ConfigRuleIds")?;
        for id in &ids {
            if ctx.store().get_rule(ctx.account(), id).await.map_err(store_failure)?.is_none() {
                return Err(ApiError::with_message(
                    ErrorCode::ConfigRuleNotExists,
                    format!("The ConfigRule does not exist: no rule {id:?} in your account."),
                ));
            }
        }
        let busy = ApiError::with_message(
            ErrorCode::ConfigRuleReportCreating,
            "The config rule report is being created: your account has a rules report in progress; poll GetConfigRulesReport.",
        );
        let report_id = begin(ctx, ReportKind::Rules, "", ids, busy).await?;
        reply(&json!({ "ReportId": report_id }))
    })
    .await
}

/// `GetConfigRulesReport`: the report `ReportId`, or the account's latest when omitted.
pub(crate) async fn get_config_rules_report(ctx: &CallContext<'_>) -> ActionResult {
    let format = requested_format(ctx)?;
    let mut jobs = ctx.store().reports_of(ctx.account(), ReportKind::Rules, "").await.map_err(store_failure)?;
    if let Some(id) = ctx.params.optional("ReportId").filter(|id| !id.is_empty()) {
        jobs.retain(|j| j.report_id == id);
        if jobs.is_empty() {
            return Err(ApiError::with_message(
                ErrorCode::InvalidReportIdValue,
                format!(
                    "The specified ReportId does not exist: no rules report {id:?} in your account (a newer report replaces an older one)."
                ),
            ));
        }
    }
    let s = status_of(ctx, &jobs, format);
    let report = s.fields(json!({ "AccountId": ctx.account().get(), "ReportId": s.report_id }));
    reply(&json!({ "ConfigRulesReport": report }))
}
