//! `GET /reports/{account}/{report id}/{file name}?Expires=…&Signature=…`: report downloads
//! by pre-signed link, without an AccessKey. Expired or altered links get 403, links to a
//! report that was replaced or never completed 404, each with a JSON body that says why.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use confpack_model::AccountId;
use confpack_reports::ReportFormat;
use tokio_util::io::ReaderStream;

use super::links::LinkError;
use super::object_key;
use crate::handlers::now_ms;
use crate::state::AppState;

fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "Code": code, "Message": message });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn query_value<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|pair| pair.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
}

/// Serves one report file.
pub(crate) async fn download(
    State(state): State<AppState>,
    Path((account, report_id, name)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    uri: Uri,
) -> Response {
    let query = query.unwrap_or_default();
    let settings = state.reports();
    let checked = settings.signer.verify(
        uri.path(),
        query_value(&query, "Expires"),
        query_value(&query, "Signature"),
        now_ms() / 1000,
    );
    match checked {
        Ok(()) => {}
        Err(LinkError::Expired) => {
            return refusal(
                StatusCode::FORBIDDEN,
                "ReportUrl.Expired",
                "This report link has expired: call GetCompliancePackReport (or GetConfigRulesReport) for a fresh one.",
            );
        }
        Err(LinkError::Tampered | LinkError::Malformed) => {
            return refusal(
                StatusCode::FORBIDDEN,
                "ReportUrl.SignatureDoesNotMatch",
                "This report link is not valid: its signature does not match its path and expiry. Use the ReportUrl exactly as returned.",
            );
        }
    }
    let gone = || {
        refusal(
            StatusCode::NOT_FOUND,
            "ReportNotFound",
            "This report no longer exists (a newer report replaced it): call GetCompliancePackReport (or GetConfigRulesReport) for the current one.",
        )
    };
    let (Ok(account), Some(format)) =
        (account.parse::<i64>(), name.rsplit_once('.').and_then(|(_, ext)| ReportFormat::from_extension(ext)))
    else {
        return gone();
    };
    let job = match state.store().get_report(AccountId::new(account), &report_id).await {
        Ok(Some(job)) if job.state == "COMPLETE" => job,
        Ok(_) => return gone(),
        Err(e) => {
            tracing::error!(error = %e, "report download: store failure");
            return refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The report store is unavailable; try again.",
            );
        }
    };
    let body = match settings.objects.get(&object_key(account, &job.report_id, format)).await {
        Ok(Some(body)) => body,
        Ok(None) => return gone(),
        Err(e) => {
            tracing::error!(error = %e, "report download: cannot read the report file");
            return refusal(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "The report file cannot be read.");
        }
    };
    let disposition = format!("attachment; filename=\"{}\"", name.replace(['"', '\\', '\r', '\n'], "_"));
    let mut response = Response::new(Body::from_stream(ReaderStream::new(body.reader)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.length));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}
