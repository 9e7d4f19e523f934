//! confpack's ingestion extensions: `PutDiscoveredResources` and `DeleteDiscoveredResources`.
//! Each call is all-or-nothing: one bad item fails it with an error naming the item's
//! index and field, and nothing is written. Stored changes wake the change feed's
//! subscribers.

use confpack_inventory::diff::prepare;
use confpack_inventory::input::parse_owned_resource;
use confpack_model::PutOutcome;
use confpack_protocol::{ApiError, ErrorCode};
use confpack_store::StoreError;
use serde::Serialize;
use serde_json::Value;

use super::{ActionResult, CallContext, now_ms, reply, store_failure};

/// Most items one call may carry.
pub(crate) const MAX_BATCH: usize = 1000;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ItemResult<'a> {
    resource_id: &'a str,
    resource_type: &'a str,
    outcome: &'static str,
    version: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PutResponse<'a> {
    created_count: usize,
    changed_count: usize,
    unchanged_count: usize,
    results: Vec<ItemResult<'a>>,
}

fn outcome_name(outcome: PutOutcome) -> &'static str {
    match outcome {
        PutOutcome::Created => "CREATED",
        PutOutcome::Changed => "CHANGED",
        PutOutcome::Unchanged => "UNCHANGED",
    }
}

/// `PutDiscoveredResources`: `Resources` is a JSON array of up to 1000 resource objects.
pub(crate) async fn put_discovered_resources(ctx: &CallContext<'_>) -> ActionResult {
    let text = ctx.params.required("Resources")?;
    let items: Vec<Value> = match serde_json::from_str(text) {
        Ok(Value::Array(items)) => items,
        Ok(_) => {
            return Err(ApiError::invalid_parameter("Resources", "expected a JSON array of resource objects"));
        }
        Err(e) => {
            return Err(ApiError::invalid_parameter("Resources", format!("not valid JSON: {e}")));
        }
    };
    if items.is_empty() {
        return Err(ApiError::invalid_parameter("Resources", "the array is empty"));
    }
    if items.len() > MAX_BATCH {
        return Err(ApiError::invalid_parameter(
            "Resources",
            format!("{} items; one call takes at most {MAX_BATCH}", items.len()),
        ));
    }
    let prepared = items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            parse_owned_resource(item).map(prepare).map_err(|e| {
                ApiError::invalid_parameter("Resources", format!("item {index} (from 0): {e}; nothing was stored"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let outcomes = ctx.store().put_resources(ctx.account(), &prepared, now_ms()).await.map_err(store_failure)?;
    let count = |wanted: PutOutcome| outcomes.iter().filter(|(o, _)| *o == wanted).count();
    if outcomes.iter().any(|(o, _)| *o != PutOutcome::Unchanged) {
        ctx.state.notify_changes();
    }
    let results = prepared
        .iter()
        .zip(&outcomes)
        .map(|(item, (outcome, version))| ItemResult {
            resource_id: &item.record.resource_id,
            resource_type: &item.record.resource_type,
            outcome: outcome_name(*outcome),
            version: *version,
        })
        .collect();
    reply(&PutResponse {
        created_count: count(PutOutcome::Created),
        changed_count: count(PutOutcome::Changed),
        unchanged_count: count(PutOutcome::Unchanged),
        results,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteResponse {
    deleted_count: u64,
}

/// `DeleteDiscoveredResources`: marks `ResourceIds` of `ResourceType` deleted (kept in
/// history, `ResourceDeleted` = 0). An unknown id fails the whole call.
pub(crate) async fn delete_discovered_resources(ctx: &CallContext<'_>) -> ActionResult {
    let resource_type = ctx.params.required("ResourceType")?;
    let ids = ctx.params.string_list("ResourceIds")?;
    if ids.is_empty() {
        return Err(ApiError::missing_parameter("ResourceIds"));
    }
    if ids.len() > MAX_BATCH {
        return Err(ApiError::invalid_parameter(
            "ResourceIds",
            format!("{} ids; one call takes at most {MAX_BATCH}", ids.len()),
        ));
    }
    match ctx.store().delete_resources(ctx.account(), resource_type, &ids, now_ms()).await {
        Ok(deleted_count) => {
            if deleted_count > 0 {
                ctx.state.notify_changes();
            }
            reply(&DeleteResponse { deleted_count })
        }
        Err(StoreError::NotFound(what)) => Err(ApiError::with_message(
            ErrorCode::ResourceNotExists,
            format!("The specified resource does not exist: {what}. Nothing was deleted."),
        )),
        Err(e) => Err(store_failure(e)),
    }
}
