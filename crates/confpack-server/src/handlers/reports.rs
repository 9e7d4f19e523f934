//! Compliance-pack reports (`GenerateCompliancePackReport`, `GetCompliancePackReport`).
//! The seed's error contract holds (an unknown pack is `Invalid.CompliancePackId.Value`);
//! generating the report itself arrives with the reports feature, so for an existing pack
//! GenerateCompliancePackReport answers `OperationNotSupported` and GetCompliancePackReport
//! `NONE`.

use confpack_protocol::{ApiError, ErrorCode};
use serde::Serialize;

use super::{ActionResult, CallContext, reply, store_failure};

/// The vendor's limit on `ClientToken`.
const CLIENT_TOKEN_MAX: usize = 64;

/// Looks the pack up in the caller's account; unknown → `Invalid.CompliancePackId.Value`.
async fn existing_pack<'p>(ctx: &'p CallContext<'_>) -> Result<&'p str, ApiError> {
    let pack_id = ctx.params.required("CompliancePackId")?;
    let exists = ctx.store().compliance_pack_exists(ctx.account(), pack_id).await.map_err(store_failure)?;
    if exists { Ok(pack_id) } else { Err(ApiError::new(ErrorCode::InvalidCompliancePackIdValue)) }
}

/// `GenerateCompliancePackReport`: validates `ClientToken`, then the pack.
pub(crate) async fn generate_compliance_pack_report(ctx: &CallContext<'_>) -> ActionResult {
    ctx.params.ascii_token("ClientToken", CLIENT_TOKEN_MAX)?;
    let pack_id = existing_pack(ctx).await?;
    Err(ApiError::with_message(
        ErrorCode::OperationNotSupported,
        format!("Generating a report for {pack_id} is not implemented by this server yet."),
    ))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CompliancePackReport<'a> {
    account_id: i64,
    compliance_pack_id: &'a str,
    report_create_timestamp: i64,
    report_status: &'static str,
    report_url: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetCompliancePackReportResponse<'a> {
    compliance_pack_report: CompliancePackReport<'a>,
}

/// `GetCompliancePackReport`: no report has been generated for any pack yet (`NONE`).
pub(crate) async fn get_compliance_pack_report(ctx: &CallContext<'_>) -> ActionResult {
    let pack_id = existing_pack(ctx).await?;
    reply(&GetCompliancePackReportResponse {
        compliance_pack_report: CompliancePackReport {
            account_id: ctx.account().get(),
            compliance_pack_id: pack_id,
            report_create_timestamp: 0,
            report_status: "NONE",
            report_url: "",
        },
    })
}
