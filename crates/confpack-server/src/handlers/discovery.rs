//! The discovery actions: listing, reading and counting resources, their configuration
//! timelines, and sample configurations from the registry.

use confpack_inventory::registry::registry;
use confpack_model::{ResourceVersion, StoredResource};
use confpack_protocol::{ApiError, ErrorCode, Params};
use confpack_store::{CountGroup, ResourceQuery, TimelineQuery};
use serde::Serialize;

use super::paging::{decode, encode, max_results};
use super::{ActionResult, CallContext, reply, store_failure};

/// The longest `StartUpdateTimestamp`..`EndUpdateTimestamp` window the vendor allows.
const MAX_UPDATE_WINDOW_MS: i64 = 30 * 24 * 3600 * 1000;

fn tags_text(resource: &StoredResource) -> String {
    serde_json::to_string(&resource.record.tags).unwrap_or_else(|_| "{}".to_owned())
}

/// `ResourceDeleted` on the wire: 1 while the resource exists, 0 once deleted.
fn deleted_flag(resource: &StoredResource) -> i64 {
    if resource.deleted { 0 } else { 1 }
}

fn resource_not_found(resource_type: &str, resource_id: &str) -> ApiError {
    ApiError::with_message(
        ErrorCode::ResourceNotExists,
        format!(
            "The specified resource does not exist: no {resource_type} with ResourceId {resource_id:?} in your account."
        ),
    )
}

/// The fields a resource's profile (list) and detail (get) share.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope<'a> {
    account_id: i64,
    availability_zone: &'a str,
    region: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_creation_time: Option<i64>,
    resource_deleted: i64,
    resource_group_id: &'a str,
    resource_id: &'a str,
    resource_name: &'a str,
    resource_status: &'a str,
    resource_type: &'a str,
    tags: String,
    #[serde(rename = "VSwitchId")]
    vswitch_id: &'a str,
    vpc_id: &'a str,
}

impl<'a> Envelope<'a> {
    fn of(account_id: i64, r: &'a StoredResource) -> Self {
        Self {
            account_id,
            availability_zone: &r.record.availability_zone,
            region: &r.record.region,
            resource_creation_time: r.record.resource_creation_time,
            resource_deleted: deleted_flag(r),
            resource_group_id: &r.record.resource_group_id,
            resource_id: &r.record.resource_id,
            resource_name: &r.record.resource_name,
            resource_status: &r.record.resource_status,
            resource_type: &r.record.resource_type,
            tags: tags_text(r),
            vswitch_id: &r.record.vswitch_id,
            vpc_id: &r.record.vpc_id,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Profile<'a> {
    #[serde(flatten)]
    envelope: Envelope<'a>,
    update_time: i64,
    version: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Profiles<'a> {
    discovered_resource_profile_list: Vec<Profile<'a>>,
    max_results: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    total_count: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListDiscoveredResourcesResponse<'a> {
    discovered_resource_profiles: Profiles<'a>,
}

fn resource_deleted_filter(params: &Params) -> Result<bool, ApiError> {
    match params.int_in("ResourceDeleted", 0, 1)? {
        None | Some(1) => Ok(false),
        Some(_) => Ok(true),
    }
}

fn update_window(params: &Params) -> Result<Option<(i64, i64)>, ApiError> {
    let start = params.int_in("StartUpdateTimestamp", 0, i64::MAX)?;
    let end = params.int_in("EndUpdateTimestamp", 0, i64::MAX)?;
    match (start, end) {
        (None, None) => Ok(None),
        (Some(start), Some(end)) if start <= end && end - start <= MAX_UPDATE_WINDOW_MS => Ok(Some((start, end))),
        (Some(_), Some(_)) => Err(ApiError::invalid_parameter(
            "EndUpdateTimestamp",
            "it must not be before StartUpdateTimestamp, and the window may span at most 30 days",
        )),
        (Some(_), None) => Err(ApiError::missing_parameter("EndUpdateTimestamp")),
        (None, Some(_)) => Err(ApiError::missing_parameter("StartUpdateTimestamp")),
    }
}

/// `ListDiscoveredResources`: filters, keyset pages in (ResourceType, ResourceId) order.
pub(crate) async fn list_discovered_resources(ctx: &CallContext<'_>) -> ActionResult {
    let p = ctx.params;
    let limit = max_results(p, None)?;
    let query = ResourceQuery {
        resource_types: p.string_list("ResourceTypes")?,
        exclude_resource_types: p.string_list("ExcludeResourceTypes")?,
        regions: p.string_list("Regions")?,
        resource_id: p.optional("ResourceId").map(str::to_owned),
        resource_name: p.optional("ResourceName").map(str::to_owned),
        deleted: resource_deleted_filter(p)?,
        update_time: update_window(p)?,
        after: decode(p)?,
        limit,
    };
    let page = ctx.store().list_resources(ctx.account(), &query).await.map_err(store_failure)?;
    let account_id = ctx.account().get();
    let list = page
        .items
        .iter()
        .map(|r| Profile { envelope: Envelope::of(account_id, r), update_time: r.update_time, version: r.version })
        .collect();
    reply(&ListDiscoveredResourcesResponse {
        discovered_resource_profiles: Profiles {
            discovered_resource_profile_list: list,
            max_results: limit,
            next_token: page.next.as_ref().map(encode),
            total_count: page.total,
        },
    })
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Detail<'a> {
    #[serde(flatten)]
    envelope: Envelope<'a>,
    configuration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    compliance_type: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetDiscoveredResourceResponse<'a> {
    discovered_resource_detail: Detail<'a>,
}

/// Reads one resource of the caller's account; a `Region` that does not match is a miss.
async fn find_resource(ctx: &CallContext<'_>) -> Result<StoredResource, ApiError> {
    let p = ctx.params;
    let resource_id = p.required("ResourceId")?;
    let resource_type = p.required("ResourceType")?;
    let found = ctx.store().get_resource(ctx.account(), resource_type, resource_id).await.map_err(store_failure)?;
    match (found, p.optional("Region")) {
        (Some(r), Some(region)) if r.record.region != region => Err(resource_not_found(resource_type, resource_id)),
        (Some(r), _) => Ok(r),
        (None, _) => Err(resource_not_found(resource_type, resource_id)),
    }
}

/// `GetDiscoveredResource`. With `ComplianceOption=1` the detail carries the resource's
/// `ComplianceType` over every rule that evaluated it: NON_COMPLIANT when some rule finds it
/// so, else COMPLIANT when some rule does, else INSUFFICIENT_DATA or NOT_APPLICABLE as the
/// results say (ignored results do not count); nothing evaluated it yet: INSUFFICIENT_DATA.
pub(crate) async fn get_discovered_resource(ctx: &CallContext<'_>) -> ActionResult {
    let with_compliance = ctx.params.int_in("ComplianceOption", 0, 1)? == Some(1);
    let r = find_resource(ctx).await?;
    let compliance_type = if with_compliance { Some(resource_compliance(ctx, &r).await?) } else { None };
    reply(&GetDiscoveredResourceResponse {
        discovered_resource_detail: Detail {
            envelope: Envelope::of(ctx.account().get(), &r),
            configuration: r.record.configuration.to_string(),
            compliance_type,
        },
    })
}

async fn resource_compliance(ctx: &CallContext<'_>, r: &StoredResource) -> Result<&'static str, ApiError> {
    let query = confpack_store::ResultQuery {
        resource_types: vec![r.record.resource_type.clone()],
        resource_id: Some(r.record.resource_id.clone()),
        limit: u32::MAX,
        ..confpack_store::ResultQuery::default()
    };
    let results = ctx.store().list_results(ctx.account(), &query, super::now_ms()).await.map_err(store_failure)?;
    let has = |t: &str| results.iter().any(|x| x.effective_type == t);
    Ok(["NON_COMPLIANT", "COMPLIANT", "INSUFFICIENT_DATA", "NOT_APPLICABLE"]
        .into_iter()
        .find(|t| has(t))
        .unwrap_or("INSUFFICIENT_DATA"))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TimelineItem<'a> {
    account_id: i64,
    availability_zone: &'a str,
    capture_time: String,
    configuration_diff: String,
    region: &'a str,
    relationship: &'static str,
    relationship_diff: &'static str,
    resource_create_time: String,
    resource_event_type: &'static str,
    resource_id: &'a str,
    resource_name: &'a str,
    resource_type: &'a str,
    tags: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Timeline<'a> {
    configuration_list: Vec<TimelineItem<'a>>,
    max_results: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetResourceConfigurationTimelineResponse<'a> {
    resource_configuration_timeline: Timeline<'a>,
}

/// `GetResourceConfigurationTimeline`: newest first; the window defaults to the last 30
/// days. `Relationship`/`RelationshipDiff` are empty: confpack records no relationships.
pub(crate) async fn get_resource_configuration_timeline(ctx: &CallContext<'_>) -> ActionResult {
    let p = ctx.params;
    p.required("Region")?;
    let resource = find_resource(ctx).await?;
    let now = super::now_ms();
    let end = p.int_in("EndTime", 0, i64::MAX)?.unwrap_or(now);
    let start = p.int_in("StartTime", 0, i64::MAX)?.unwrap_or(end - MAX_UPDATE_WINDOW_MS);
    if start > end {
        return Err(ApiError::invalid_parameter("StartTime", "it must not be after EndTime"));
    }
    let limit = max_results(p, Some(10))?;
    let query = TimelineQuery { start_ms: start, end_ms: end, before_version: decode(p)?, limit: limit + 1 };
    let record = &resource.record;
    let mut versions = ctx
        .store()
        .resource_timeline(ctx.account(), &record.resource_type, &record.resource_id, &query)
        .await
        .map_err(store_failure)?;
    let next_token = if versions.len() > limit as usize {
        versions.truncate(limit as usize);
        versions.last().map(|v| encode(&v.version))
    } else {
        None
    };
    let account_id = ctx.account().get();
    let list = versions
        .iter()
        .map(|v: &ResourceVersion| TimelineItem {
            account_id,
            availability_zone: &v.availability_zone,
            capture_time: v.capture_time.to_string(),
            configuration_diff: v.configuration_diff.to_string(),
            region: &v.region,
            relationship: "",
            relationship_diff: "",
            resource_create_time: v.resource_creation_time.map(|t| t.to_string()).unwrap_or_default(),
            resource_event_type: v.event_type.as_str(),
            resource_id: &record.resource_id,
            resource_name: &v.resource_name,
            resource_type: &record.resource_type,
            tags: serde_json::to_string(&v.tags).unwrap_or_else(|_| "{}".to_owned()),
        })
        .collect();
    reply(&GetResourceConfigurationTimelineResponse {
        resource_configuration_timeline: Timeline { configuration_list: list, max_results: limit, next_token },
    })
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RegionCount {
    group_name: String,
    region: String,
    resource_count: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TypeCount {
    group_name: String,
    resource_count: i64,
    resource_type: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CountsResponse<T> {
    discovered_resource_counts_summary: Vec<T>,
}

/// `GetDiscoveredResourceCountsGroupByRegion` (optionally of one `ResourceType`).
pub(crate) async fn get_discovered_resource_counts_group_by_region(ctx: &CallContext<'_>) -> ActionResult {
    let group = CountGroup::ByRegion { resource_type: ctx.params.optional("ResourceType").map(str::to_owned) };
    let counts = ctx.store().count_resources(ctx.account(), &group).await.map_err(store_failure)?;
    let summary = counts
        .into_iter()
        .map(|(region, n)| RegionCount { group_name: region.clone(), region, resource_count: n })
        .collect();
    reply(&CountsResponse { discovered_resource_counts_summary: summary })
}

/// `GetDiscoveredResourceCountsGroupByResourceType` (optionally in one `Region`).
pub(crate) async fn get_discovered_resource_counts_group_by_resource_type(ctx: &CallContext<'_>) -> ActionResult {
    let group = CountGroup::ByType { region: ctx.params.optional("Region").map(str::to_owned) };
    let counts = ctx.store().count_resources(ctx.account(), &group).await.map_err(store_failure)?;
    let summary = counts
        .into_iter()
        .map(|(resource_type, n)| TypeCount { group_name: resource_type.clone(), resource_type, resource_count: n })
        .collect();
    reply(&CountsResponse { discovered_resource_counts_summary: summary })
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Sample<'a> {
    account_id: i64,
    availability_zone: &'static str,
    configuration: String,
    region: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_creation_time: Option<i64>,
    resource_deleted: i64,
    resource_id: &'static str,
    resource_name: &'static str,
    resource_status: &'static str,
    resource_type: &'a str,
    tags: &'static str,
    version: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SampleResponse<'a> {
    sample: Sample<'a>,
}

/// `GetResourceConfigurationSample`: the registry's documented sample for a type.
pub(crate) async fn get_resource_configuration_sample(ctx: &CallContext<'_>) -> ActionResult {
    ctx.params.bool("MockOnly")?;
    let resource_type = ctx.params.required("ResourceType")?;
    let entry = registry().get(resource_type).ok_or_else(|| {
        ApiError::invalid_parameter(
            "ResourceType",
            format!(
                "{resource_type:?} is not a registered resource type; ListDiscoveredResources shows the types you have"
            ),
        )
    })?;
    reply(&SampleResponse {
        sample: Sample {
            account_id: ctx.account().get(),
            availability_zone: "",
            configuration: entry.sample_configuration.to_string(),
            region: if entry.global { "global" } else { "" },
            resource_creation_time: None,
            resource_deleted: 1,
            resource_id: "",
            resource_name: "",
            resource_status: "",
            resource_type: &entry.resource_type,
            tags: "{}",
            version: 0,
        },
    })
}
