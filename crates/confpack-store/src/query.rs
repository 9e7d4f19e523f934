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
