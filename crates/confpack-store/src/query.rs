//! Query parameters and pages of the inventory reads.

use confpack_model::StoredResource;

/// Filters and paging of `list_resources`.
#[derive(Clone, Debug, Default)]
pub struct ResourceQuery {
    /// Only these types (empty: all).
    pub resource_types: Vec<String>,
    /// Not these types; wins over `resource_types`.
    pub exclude_resource_types: Vec<String>,
    /// Only these regions (empty: all).
    pub regions: Vec<String>,
    /// Only this id.
    pub resource_id: Option<String>,
    /// Only this name.
    pub resource_name: Option<String>,
    /// Deleted resources instead of live ones.
    pub deleted: bool,
    /// Only resources whose current version was captured in `[start, end]`, epoch ms.
    pub update_time: Option<(i64, i64)>,
    /// Resume after this `(ResourceType, ResourceId)`.
    pub after: Option<(String, String)>,
    /// Page size.
    pub limit: u32,
}

/// One page of resources.
#[derive(Clone, Debug)]
pub struct ResourcePage {
    /// The resources, configurations left null.
    pub items: Vec<StoredResource>,
    /// How many match the filters, across all pages.
    pub total: i64,
    /// Where the next page starts, when there is one.
    pub next: Option<(String, String)>,
}

/// Window and paging of `resource_timeline`.
#[derive(Clone, Debug)]
pub struct TimelineQuery {
    /// Earliest capture time, epoch ms.
    pub start_ms: i64,
    /// Latest capture time, epoch ms.
    pub end_ms: i64,
    /// Resume below this version (pages go newest first).
    pub before_version: Option<i64>,
    /// Page size.
    pub limit: u32,
}

/// How `count_resources` groups.
#[derive(Clone, Debug)]
pub enum CountGroup {
    /// By region, optionally of one resource type only.
    ByRegion {
        /// Only this type.
        resource_type: Option<String>,
    },
    /// By resource type, optionally in one region only.
    ByType {
        /// Only this region.
        region: Option<String>,
    },
}

/// Filters and paging of `list_results`. Results come in `(rule id, resource type, resource
/// id)` order.
#[derive(Clone, Debug, Default)]
pub struct ResultQuery {
    /// Only these rules (empty: all).
    pub rule_ids: Vec<String>,
    /// Only this effective compliance type (`IGNORED` included).
    pub compliance_type: Option<String>,
    /// Only these resource types (empty: all).
    pub resource_types: Vec<String>,
    /// Only these regions (empty: all).
    pub regions: Vec<String>,
    /// Only these resource groups (empty: all).
    pub resource_group_ids: Vec<String>,
    /// Only this resource id.
    pub resource_id: Option<String>,
    /// Only results of rules with this risk level.
    pub risk_level: Option<i64>,
    /// Resume after this `(rule id, resource type, resource id)`.
    pub after: Option<(String, String, String)>,
    /// Page size.
    pub limit: u32,
}

/// Counts of results by rule and effective compliance type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultCount {
    /// The rule.
    pub rule_id: String,
    /// The effective compliance type (`IGNORED` included).
    pub compliance_type: String,
    /// How many resources.
    pub count: i64,
}
