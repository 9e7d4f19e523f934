//! Request parameters: the merged query-string and form-body pairs, and typed decoding
//! that accepts every encoding the two SDK generations send (JSON strings, comma-joined
//! lists, flat `Name.N.Field` lists, booleans in any case). A bad value names its
//! parameter in the error.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::ApiError;

/// The decoded parameters of one request, in arrival order (query first, then body).
#[derive(Clone, Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Wraps decoded pairs.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    /// Every pair, as received.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The first value of `name`, empty or not.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A non-empty value of `name`; an empty value counts as absent.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.raw(name).filter(|v| !v.is_empty())
    }

    /// A non-empty value of `name`, or `MissingParameter` naming it.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.optional(name).ok_or_else(|| ApiError::missing_parameter(name))
    }

    /// A boolean: `true`/`false` in any letter case (the V3 SDK sends `True`/`False`).
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.optional(name)
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::invalid_parameter(name, format!("expected true or false, got {v:?}"))),
            })
            .transpose()
    }

    /// An integer within `min..=max`.
    pub fn int_in(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        let Some(text) = self.optional(name) else {
            return Ok(None);
        };
        let value: i64 = text
            .trim()
            .parse()
            .map_err(|_| ApiError::invalid_parameter(name, format!("expected an integer, got {text:?}")))?;
        if !(min..=max).contains(&value) {
            return Err(ApiError::invalid_parameter(
                name,
                format!("{value} is outside the allowed range {min} to {max}"),
            ));
        }
        Ok(Some(value))
    }

    /// An ASCII token of at most `max_len` characters (ClientToken and its kin).
    pub fn ascii_token(&self, name: &str, max_len: usize) -> Result<Option<&str>, ApiError> {
        let Some(token) = self.optional(name) else {
            return Ok(None);
        };
        if !token.is_ascii() {
            return Err(ApiError::invalid_parameter(name, "it may contain only ASCII characters"));
        }
        if token.len() > max_len {
            return Err(ApiError::invalid_parameter(
                name,
                format!("it is {} characters long; the limit is {max_len}", token.len()),
            ));
        }
        Ok(Some(token))
    }

    /// A list of strings sent as a JSON array string (`["a","b"]`), a comma-joined string
    /// (`a,b`) or flat (`Name.1=a&Name.2=b`). Empty items are dropped.
    pub fn string_list(&self, name: &str) -> Result<Vec<String>, ApiError> {
        if let Some(text) = self.optional(name) {
            let trimmed = text.trim();
            if trimmed.starts_with('[') {
                let items: Vec<Value> = serde_json::from_str(trimmed)
                    .map_err(|e| ApiError::invalid_parameter(name, format!("not a JSON array: {e}")))?;
                return items
                    .into_iter()
                    .map(|item| match item {
                        Value::String(s) => Ok(s),
                        Value::Number(n) => Ok(n.to_string()),
                        other => {
                            Err(ApiError::invalid_parameter(name, format!("expected a list of strings, found {other}")))
                        }
                    })
                    .collect();
            }
            return Ok(trimmed.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect());
        }
        let flat = self.flat_indexed(name)?;
        Ok(flat.into_values().filter_map(|fields| fields.get("").cloned()).filter(|s| !s.is_empty()).collect())
    }

    /// A list of objects sent as a JSON array string (`[{"Key":"k"}]`) or flat
    /// (`Name.1.Key=k`). Flat fields arrive as strings.
    pub fn object_list(&self, name: &str) -> Result<Vec<Map<String, Value>>, ApiError> {
        if let Some(text) = self.optional(name) {
            let items: Vec<Value> = serde_json::from_str(text.trim())
                .map_err(|e| ApiError::invalid_parameter(name, format!("not a JSON array of objects: {e}")))?;
            return items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::Object(map) => Ok(map),
                    other => {
                        Err(ApiError::invalid_parameter(name, format!("item {} is {other}, not an object", i + 1)))
                    }
                })
                .collect();
        }
        let flat = self.flat_indexed(name)?;
        flat.into_iter()
            .map(|(index, fields)| {
                let mut map = Map::new();
                for (field, value) in fields {
                    if field.is_empty() {
                        return Err(ApiError::invalid_parameter(
                            &format!("{name}.{index}"),
                            "expected fields such as .Key, got a bare value",
                        ));
                    }
                    map.insert(field, Value::String(value));
                }
                Ok(map)
            })
            .collect()
    }

    /// An object sent as a JSON string (`{"k":"v"}`) or flat (`Name.k=v`).
    pub fn object(&self, name: &str) -> Result<Option<Map<String, Value>>, ApiError> {
        if let Some(text) = self.optional(name) {
            return match serde_json::from_str(text.trim()) {
                Ok(Value::Object(map)) => Ok(Some(map)),
                Ok(other) => Err(ApiError::invalid_parameter(name, format!("expected a JSON object, got {other}"))),
                Err(e) => Err(ApiError::invalid_parameter(name, format!("not a JSON object: {e}"))),
            };
        }
        let prefix = format!("{name}.");
        let map: Map<String, Value> = self
            .pairs
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|field| (field.to_owned(), Value::String(v.clone()))))
            .collect();
        Ok((!map.is_empty()).then_some(map))
    }

    /// Collects `Name.N` and `Name.N.Field` pairs by N (from 1), the field `""` standing
    /// for a bare `Name.N`.
    fn flat_indexed(&self, name: &str) -> Result<BTreeMap<u32, BTreeMap<String, String>>, ApiError> {
        let prefix = format!("{name}.");
        let mut items: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        for (key, value) in &self.pairs {
            let Some(rest) = key.strip_prefix(&prefix) else {
                continue;
            };
            let (index, field) = rest.split_once('.').unwrap_or((rest, ""));
            let index: u32 = index
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| ApiError::invalid_parameter(key, "flat list indexes are whole numbers from 1"))?;
            items.entry(index).or_default().insert(field.to_owned(), value.clone());
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn lists_decode_from_all_three_encodings() {
        let expected = vec!["ACS::ECS::Instance".to_owned(), "ACS::OSS::Bucket".to_owned()];
        let json = params(&[("T", r#"["ACS::ECS::Instance","ACS::OSS::Bucket"]"#)]);
        let csv = params(&[("T", "ACS::ECS::Instance, ACS::OSS::Bucket")]);
        let flat = params(&[("T.2", "ACS::OSS::Bucket"), ("T.1", "ACS::ECS::Instance")]);
        for p in [json, csv, flat] {
            assert_eq!(p.string_list("T").ok(), Some(expected.clone()));
        }
        assert_eq!(params(&[]).string_list("T").ok(), Some(vec![]));
    }

    #[test]
    fn object_lists_decode_from_json_and_flat() {
        let json = params(&[("TagsScope", r#"[{"TagKey":"env","TagValue":"prod"}]"#)]);
        let flat = params(&[("TagsScope.1.TagKey", "env"), ("TagsScope.1.TagValue", "prod")]);
        for p in [json, flat] {
            let items = p.object_list("TagsScope").expect("decodes");
            assert_eq!(items.len(), 1);
            assert_eq!(items[0]["TagKey"], "env");
            assert_eq!(items[0]["TagValue"], "prod");
        }
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let e = params(&[("DefaultEnable", "yes")]).bool("DefaultEnable").expect_err("rejects");
        assert!(e.message.contains("\"DefaultEnable\""), "{}", e.message);
        let e = params(&[("PageSize", "x")]).int_in("PageSize", 1, 100).expect_err("rejects");
        assert!(e.message.contains("\"PageSize\""), "{}", e.message);
        let e = params(&[("PageSize", "101")]).int_in("PageSize", 1, 100).expect_err("rejects");
        assert!(e.message.contains("1 to 100"), "{}", e.message);
        let e = params(&[("Rules", "[1]")]).object_list("Rules").expect_err("rejects");
        assert!(e.message.contains("\"Rules\""), "{}", e.message);
        let e = params(&[("T.0", "x")]).string_list("T").expect_err("rejects");
        assert!(e.message.contains("\"T.0\""), "{}", e.message);
    }

    #[test]
    fn booleans_accept_any_case() {
        for (text, value) in [("true", true), ("True", true), ("FALSE", false), ("false", false)] {
            assert_eq!(params(&[("B", text)]).bool("B").ok(), Some(Some(value)));
        }
        assert_eq!(params(&[("B", "")]).bool("B").ok(), Some(None));
    }

    #[test]
    fn tokens_must_be_short_ascii() {
        assert!(params(&[("ClientToken", "abc")]).ascii_token("ClientToken", 64).is_ok());
        let long = "a".repeat(65);
        assert!(params(&[("ClientToken", &long)]).ascii_token("ClientToken", 64).is_err());
        assert!(params(&[("ClientToken", "tökén")]).ascii_token("ClientToken", 64).is_err());
    }

    #[test]
    fn empty_values_count_as_missing() {
        let p = params(&[("CompliancePackId", "")]);
        let e = p.required("CompliancePackId").expect_err("missing");
        assert_eq!(e.code.code(), "MissingParameter");
        assert!(e.message.contains("CompliancePackId"));
    }
}
