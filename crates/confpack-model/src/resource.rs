//! Resource configurations: what a config rule evaluates. A resource is identified within
//! its account by `(ResourceType, ResourceId)`; every change is kept as a new version.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// Tags as Cloud Config reports them: key → values (`{"env":["prod"]}`).
pub type Tags = BTreeMap<String, Vec<String>>;

/// A validated resource configuration, ready to store.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceRecord {
    /// `ResourceId`, unique within the account and type.
    pub resource_id: String,
    /// `ResourceType`, `ACS::Product::Type`.
    pub resource_type: String,
    /// `Region`; `global` for global resources.
    pub region: String,
    /// `ResourceName`.
    pub resource_name: String,
    /// `ResourceGroupId`, empty when unknown.
    pub resource_group_id: String,
    /// `AvailabilityZone`, empty when not zonal.
    pub availability_zone: String,
    /// `ResourceCreationTime`, epoch milliseconds, when known.
    pub resource_creation_time: Option<i64>,
    /// `ResourceStatus`, the product's own status text.
    pub resource_status: String,
    /// `VpcId`, when the resource lives in a VPC.
    pub vpc_id: String,
    /// `VSwitchId`, when the resource lives in a vSwitch.
    pub vswitch_id: String,
    /// `Tags`.
    pub tags: Tags,
    /// `Configuration`: the product's Describe/Get item, a JSON object.
    pub configuration: Value,
    /// True when the type is well formed but not in confpack's registry.
    pub custom_type: bool,
}

/// The outcome of storing one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PutOutcome {
    /// First capture: version 1 (`DISCOVERED`).
    Created,
    /// A new version was recorded (`MODIFY`, or rediscovery of a deleted resource).
    Changed,
    /// Identical to the stored version; nothing written.
    Unchanged,
}

/// Kinds of configuration-timeline events (`ResourceEventType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceEventType {
    /// First capture.
    Discovered,
    /// A change.
    Modify,
    /// Deletion.
    Remove,
}

impl ResourceEventType {
    /// The vendor's spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Discovered => "DISCOVERED",
            Self::Modify => "MODIFY",
            Self::Remove => "REMOVE",
        }
    }

    /// Parses the stored spelling.
    pub fn from_stored(value: &str) -> Self {
        match value {
            "DISCOVERED" => Self::Discovered,
            "REMOVE" => Self::Remove,
            _ => Self::Modify,
        }
    }
}

/// A stored resource as the discovery actions show it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredResource {
    /// The record as last put.
    pub record: ResourceRecord,
    /// True once deleted (`ResourceDeleted` = 0 on the wire).
    pub deleted: bool,
    /// Current version, from 1.
    pub version: i64,
    /// When the current version was captured, epoch milliseconds.
    pub update_time: i64,
}

/// One entry of a resource's configuration timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceVersion {
    /// Version number, from 1.
    pub version: i64,
    /// Capture time, epoch milliseconds.
    pub capture_time: i64,
    /// What happened.
    pub event_type: ResourceEventType,
    /// `{property: [old, new]}` over the configuration's top-level properties.
    pub configuration_diff: Value,
    /// Envelope at that version.
    pub region: String,
    /// Envelope at that version.
    pub resource_name: String,
    /// Envelope at that version.
    pub availability_zone: String,
    /// Envelope at that version.
    pub resource_creation_time: Option<i64>,
    /// Envelope at that version.
    pub tags: Tags,
}

/// A "configuration changed" event: the seam rule evaluation subscribes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigurationChanged {
    /// Whose resource.
    pub account_id: crate::AccountId,
    /// Its type.
    pub resource_type: String,
    /// Its id.
    pub resource_id: String,
    /// The new version.
    pub version: i64,
    /// What happened.
    pub event_type: ResourceEventType,
}

/// The diff from `old` (none on first capture) to `new`: changed and added top-level
/// properties as `[old, new]`, removed ones as `[old, null]`.
pub fn configuration_diff(old: Option<&Value>, new: &Value) -> Value {
    let empty = Map::new();
    let old_map = old.and_then(Value::as_object).unwrap_or(&empty);
    let new_map = new.as_object().unwrap_or(&empty);
    let mut diff = Map::new();
    for (key, new_value) in new_map {
        let old_value = old_map.get(key);
        if old_value != Some(new_value) {
            diff.insert(key.clone(), Value::Array(vec![old_value.cloned().unwrap_or(Value::Null), new_value.clone()]));
        }
    }
    for (key, old_value) in old_map {
        if !new_map.contains_key(key) {
            diff.insert(key.clone(), Value::Array(vec![old_value.clone(), Value::Null]));
        }
    }
    Value::Object(diff)
}

/// A record with its serialised forms and content hash, computed once before storing.
/// The configuration lives only in `configuration_json`: `record.configuration` is left
/// null, so a batch in flight holds each configuration once, as compact text.
#[derive(Clone, Debug)]
pub struct PreparedResource {
    /// The record, its `configuration` null.
    pub record: ResourceRecord,
    /// `configuration` as JSON text.
    pub configuration_json: String,
    /// `tags` as JSON text.
    pub tags_json: String,
    /// Hash of everything a version records; equal hashes mean "unchanged".
    pub content_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_capture_diffs_from_null() {
        let config = json!({"AccessControlList": {"Grant": "private"}, "StorageClass": "Standard"});
        assert_eq!(
            configuration_diff(None, &config),
            json!({"AccessControlList": [null, {"Grant": "private"}], "StorageClass": [null, "Standard"]})
        );
    }

    #[test]
    fn later_captures_show_changed_added_and_removed_properties() {
        let old = json!({"Acl": "private", "Class": "Standard", "Gone": 1});
        let new = json!({"Acl": "public-read", "Class": "Standard", "New": true});
        assert_eq!(
            configuration_diff(Some(&old), &new),
            json!({"Acl": ["private", "public-read"], "New": [null, true], "Gone": [1, null]})
        );
    }
}
