//! Validating one incoming resource (an item of `PutDiscoveredResources`, a line of an
//! import file) into a [`ResourceRecord`]. Field names are those of GetDiscoveredResource's
//! detail; `Configuration` and `Tags` may be JSON objects or JSON strings. Every error
//! names the field.

use std::collections::BTreeMap;

use confpack_model::{ResourceRecord, Tags};
use serde_json::{Map, Value};

use crate::registry::{is_well_formed, registry};

/// Longest accepted `ResourceId`, `ResourceName` and other identifiers.
const MAX_ID_LEN: usize = 512;

/// Fields the discovery actions return that an export may carry back in; accepted and ignored.
const OUTPUT_ONLY_FIELDS: &[&str] = &["AccountId", "ResourceDeleted", "ComplianceType", "Version", "UpdateTime"];

/// Why an item was refused: the field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("field {field}: {message}")]
pub struct InputError {
    /// The offending field (`ResourceId`, `Tags`, …), or `(item)` for the item itself.
    pub field: String,
    /// What to fix.
    pub message: String,
}

fn error(field: &str, message: impl Into<String>) -> InputError {
    InputError { field: field.to_owned(), message: message.into() }
}

fn optional_string(item: &Map<String, Value>, field: &str) -> Result<String, InputError> {
    match item.get(field) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) if s.len() <= MAX_ID_LEN && !s.chars().any(char::is_control) => Ok(s.clone()),
        Some(Value::String(_)) => {
            Err(error(field, format!("must be at most {MAX_ID_LEN} characters without control characters")))
        }
        Some(other) => Err(error(field, format!("must be a string, got {}", kind(other)))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An object given as itself or as a JSON string of one.
/// Takes the field out of the item, so large configurations are moved, never copied.
fn object_or_json_string(item: &mut Map<String, Value>, field: &str) -> Result<Option<Value>, InputError> {
    match item.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(object @ Value::Object(_)) => Ok(Some(object)),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(parsed @ Value::Object(_)) => Ok(Some(parsed)),
            Ok(other) => Err(error(field, format!("the JSON string holds {}, not an object", kind(&other)))),
            Err(e) => Err(error(field, format!("not valid JSON: {e}"))),
        },
        Some(other) => Err(error(field, format!("must be an object or a JSON string of one, got {}", kind(&other)))),
    }
}

fn parse_tags(item: &mut Map<String, Value>) -> Result<Tags, InputError> {
    let Some(Value::Object(map)) = object_or_json_string(item, "Tags")? else {
        return Ok(BTreeMap::new());
    };
    let mut tags = Tags::new();
    for (key, values) in map {
        let values = match values {
            Value::String(v) => vec![v],
            Value::Array(items) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => {
                        Err(error("Tags", format!("the values of tag {key:?} must be strings, got {}", kind(&other))))
                    }
                })
                .collect::<Result<_, _>>()?,
            other => {
                return Err(error("Tags", format!("tag {key:?} must map to a list of strings, got {}", kind(&other))));
            }
        };
        tags.insert(key, values);
    }
    Ok(tags)
}

fn parse_creation_time(item: &Map<String, Value>) -> Result<Option<i64>, InputError> {
    const FIELD: &str = "ResourceCreationTime";
    match item.get(FIELD) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .filter(|v| *v >= 0)
            .map(Some)
            .ok_or_else(|| error(FIELD, "must be epoch milliseconds, a whole number ≥ 0")),
        Some(Value::String(s)) => s
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
            .map(Some)
            .ok_or_else(|| error(FIELD, format!("must be epoch milliseconds, got {s:?}"))),
        Some(other) => Err(error(FIELD, format!("must be epoch milliseconds, got {}", kind(other)))),
    }
}

/// Validates one item given by reference (it is copied; see [`parse_owned_resource`]).
pub fn parse_resource(value: &Value) -> Result<ResourceRecord, InputError> {
    parse_owned_resource(value.clone())
}

/// Validates one item, moving its configuration into the record without copying it.
pub fn parse_owned_resource(value: Value) -> Result<ResourceRecord, InputError> {
    let mut item = match value {
        Value::Object(item) => item,
        other => {
            return Err(error("(item)", format!("each resource must be a JSON object, got {}", kind(&other))));
        }
    };
    let item = &mut item;
    const KNOWN: &[&str] = &[
        "ResourceId",
        "ResourceType",
        "Region",
        "ResourceName",
        "ResourceGroupId",
        "AvailabilityZone",
        "ResourceCreationTime",
        "ResourceStatus",
        "VpcId",
        "VSwitchId",
        "Tags",
        "Configuration",
    ];
    if let Some(unknown) =
        item.keys().find(|k| !KNOWN.contains(&k.as_str()) && !OUTPUT_ONLY_FIELDS.contains(&k.as_str()))
    {
        return Err(error(unknown, format!("unknown field; the fields are {}", KNOWN.join(", "))));
    }
    let resource_id = optional_string(item, "ResourceId")?;
    if resource_id.is_empty() {
        return Err(error("ResourceId", "is required"));
    }
    let resource_type = optional_string(item, "ResourceType")?;
    if resource_type.is_empty() {
        return Err(error("ResourceType", "is required"));
    }
    if !is_well_formed(&resource_type) {
        return Err(error("ResourceType", format!("{resource_type:?} is not of the form ACS::Product::Type")));
    }
    let registered = registry().get(&resource_type);
    let mut region = optional_string(item, "Region")?;
    if region.is_empty() {
        match registered {
            Some(t) if t.global => region = "global".to_owned(),
            _ => {
                return Err(error("Region", "is required (use \"global\" for global resources)"));
            }
        }
    }
    if !region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(error("Region", format!("{region:?} is not a region id such as cn-hangzhou or global")));
    }
    let mut resource_name = optional_string(item, "ResourceName")?;
    if resource_name.is_empty() {
        resource_name.clone_from(&resource_id);
    }
    let resource_group_id = optional_string(item, "ResourceGroupId")?;
    let availability_zone = optional_string(item, "AvailabilityZone")?;
    let resource_creation_time = parse_creation_time(item)?;
    let resource_status = optional_string(item, "ResourceStatus")?;
    let vpc_id = optional_string(item, "VpcId")?;
    let vswitch_id = optional_string(item, "VSwitchId")?;
    let tags = parse_tags(item)?;
    let configuration =
        object_or_json_string(item, "Configuration")?.ok_or_else(|| error("Configuration", "is required"))?;
    Ok(ResourceRecord {
        resource_id,
        custom_type: registered.is_none(),
        resource_type,
        region,
        resource_name,
        resource_group_id,
        availability_zone,
        resource_creation_time,
        resource_status,
        vpc_id,
        vswitch_id,
        tags,
        configuration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bucket() -> Value {
        json!({
            "ResourceId": "new-bucket", "ResourceType": "ACS::OSS::Bucket", "Region": "cn-hangzhou",
            "Tags": {"hc": ["value2"]}, "Configuration": {"AccessControlList": {"Grant": "private"}}
        })
    }

    #[test]
    fn a_good_item_parses_with_defaults() {
        let record = parse_resource(&bucket()).expect("valid");
        assert_eq!(record.resource_name, "new-bucket");
        assert_eq!(record.tags["hc"], vec!["value2".to_owned()]);
        assert!(!record.custom_type);
        assert_eq!(record.resource_creation_time, None);
    }

    #[test]
    fn configuration_and_tags_may_be_json_strings() {
        let mut item = bucket();
        item["Configuration"] = json!(r#"{"AccessControlList":{"Grant":"private"}}"#);
        item["Tags"] = json!(r#"{"hc":["value2"]}"#);
        assert_eq!(parse_resource(&item).expect("valid"), parse_resource(&bucket()).expect("valid"));
    }

    #[test]
    fn unknown_types_are_custom_and_global_types_default_their_region() {
        let mut item = bucket();
        item["ResourceType"] = json!("ACS::Acme::Widget");
        assert!(parse_resource(&item).expect("valid").custom_type);
        let user = json!({"ResourceId": "u-1", "ResourceType": "ACS::RAM::User", "Configuration": {}});
        assert_eq!(parse_resource(&user).expect("valid").region, "global");
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (json!({"ResourceType": "ACS::OSS::Bucket", "Region": "r", "Configuration": {}}), "ResourceId"),
            (
                json!({"ResourceId": 5, "ResourceType": "ACS::OSS::Bucket", "Region": "r", "Configuration": {}}),
                "ResourceId",
            ),
            (
                json!({"ResourceId": "x", "ResourceType": "OSS Bucket", "Region": "r", "Configuration": {}}),
                "ResourceType",
            ),
            (json!({"ResourceId": "x", "ResourceType": "ACS::OSS::Bucket", "Configuration": {}}), "Region"),
            (json!({"ResourceId": "x", "ResourceType": "ACS::OSS::Bucket", "Region": "r"}), "Configuration"),
            (
                json!({"ResourceId": "x", "ResourceType": "ACS::OSS::Bucket", "Region": "r", "Configuration": "{bad"}),
                "Configuration",
            ),
            (
                json!({"ResourceId": "x", "ResourceType": "ACS::OSS::Bucket", "Region": "r", "Configuration": [1]}),
                "Configuration",
            ),
            (
                json!({"ResourceId": "x", "ResourceType": "ACS::OSS::Bucket", "Region": "r", "Configuration": {}, "Tags": {"k": 1}}),
                "Tags",
            ),
            (
                json!({"ResourceId": "x", "ResourceType": "ACS::OSS::Bucket", "Region": "r", "Configuration": {}, "ResourceCreationTime": "soon"}),
                "ResourceCreationTime",
            ),
            (
                json!({"ResourceId": "x", "ResourceType": "ACS::OSS::Bucket", "Region": "r", "Configuration": {}, "Configration": {}}),
                "Configration",
            ),
            (json!("just a string"), "(item)"),
        ];
        for (item, field) in cases {
            let e = parse_resource(&item).expect_err("invalid");
            assert_eq!(e.field, field, "{item}: {e}");
        }
    }
}
