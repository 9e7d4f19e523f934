//! Canonical JSON and content hashes, so that re-putting an unchanged resource, even with
//! its keys in another order, records nothing; and [`prepare`], which turns a record into
//! what the store writes.

use confpack_model::{PreparedResource, ResourceRecord};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Where canonical JSON goes: a string, or straight into a hash.
trait Sink {
    fn put(&mut self, text: &str);
}

impl Sink for String {
    fn put(&mut self, text: &str) {
        self.push_str(text);
    }
}

impl Sink for Sha256 {
    fn put(&mut self, text: &str) {
        self.update(text.as_bytes());
    }
}

/// Writes `value` as JSON with object keys sorted, recursively.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(&mut out, value);
    out
}

/// Writes a JSON string literal; plain text (the usual case) needs no allocation.
fn write_string(out: &mut impl Sink, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.put("\"");
        out.put(text);
        out.put("\"");
    } else {
        out.put(&Value::String(text.to_owned()).to_string());
    }
}

fn write_canonical(out: &mut impl Sink, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.put("{");
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.put(",");
                }
                write_string(out, key);
                out.put(":");
                write_canonical(out, &map[key]);
            }
            out.put("}");
        }
        Value::Array(items) => {
            out.put("[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.put(",");
                }
                write_canonical(out, item);
            }
            out.put("]");
        }
        Value::String(text) => write_string(out, text),
        Value::Null => out.put("null"),
        Value::Bool(true) => out.put("true"),
        Value::Bool(false) => out.put("false"),
        Value::Number(n) => out.put(&n.to_string()),
    }
}

/// Serialises and hashes a record once, outside any store transaction.
pub fn prepare(mut record: ResourceRecord) -> PreparedResource {
    let content_hash = content_hash(&record);
    let configuration_json = std::mem::take(&mut record.configuration).to_string();
    PreparedResource {
        content_hash,
        configuration_json,
        tags_json: serde_json::to_string(&record.tags).unwrap_or_else(|_| "{}".to_owned()),
        record,
    }
}

/// A hex SHA-256 over everything a new version would record: the envelope, the tags and
/// the configuration, each in canonical form.
pub fn content_hash(record: &ResourceRecord) -> String {
    let mut hasher = Sha256::new();
    let envelope = [
        record.region.as_str(),
        record.resource_name.as_str(),
        record.resource_group_id.as_str(),
        record.availability_zone.as_str(),
        record.resource_status.as_str(),
        record.vpc_id.as_str(),
        record.vswitch_id.as_str(),
    ];
    for field in envelope {
        hasher.update(field.as_bytes());
        hasher.update([0]);
    }
    hasher.update(record.resource_creation_time.unwrap_or(-1).to_le_bytes());
    hasher.update(serde_json::to_string(&record.tags).unwrap_or_default().as_bytes());
    hasher.update([0]);
    write_canonical(&mut hasher, &record.configuration);
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_form_ignores_key_order() {
        let a = json!({"b": 1, "a": {"y": [1, {"d": 2, "c": 3}], "x": null}});
        let b = json!({"a": {"x": null, "y": [1, {"c": 3, "d": 2}]}, "b": 1});
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(canonical_json(&a), r#"{"a":{"x":null,"y":[1,{"c":3,"d":2}]},"b":1}"#);
    }

    #[test]
    fn canonical_form_escapes_like_serde_json() {
        let value = json!({"q\"k": "line\nbreak", "t": true, "f": 1.5, "n": null, "u": "é"});
        let canonical = canonical_json(&value);
        assert_eq!(canonical, r#"{"f":1.5,"n":null,"q\"k":"line\nbreak","t":true,"u":"é"}"#);
        assert_eq!(serde_json::from_str::<Value>(&canonical).ok(), Some(value));
    }
}
