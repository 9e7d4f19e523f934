//! Reading a rule's fields from CreateConfigRule / UpdateConfigRule parameters, with the
//! validation both share.

use std::collections::BTreeMap;

use confpack_model::rule::frequency_ms;
use confpack_model::{ConfigRule, RuleScope, TagPair};
use confpack_protocol::{ApiError, ErrorCode, Params};
use confpack_rules::{CompiledCondition, ManagedRule, TriggerType, catalogue};
use serde_json::Value;

use crate::evaluation::compile::{ALIYUN, CUSTOM_CONFIGURATION, CUSTOM_FC};

/// The managed rule named by `identifier`, or `ManagedRuleNotExists` saying where to look.
pub(crate) fn managed_rule(identifier: &str) -> Result<&'static ManagedRule, ApiError> {
    catalogue().get(identifier).ok_or_else(|| {
        ApiError::with_message(
            ErrorCode::ManagedRuleNotExists,
            format!("The specified managed rule does not exist: no managed rule has the identifier {identifier:?}. ListManagedRules lists them."),
        )
    })
}

/// Whether the request carries `name`, whole or flat (`Name.1`, `Name.1.Field`).
fn present(params: &Params, name: &str) -> bool {
    params.pairs().iter().any(|(k, _)| k == name || k.strip_prefix(name).is_some_and(|rest| rest.starts_with('.')))
}

fn tag_pairs(params: &Params, name: &str) -> Result<Option<Vec<TagPair>>, ApiError> {
    if !present(params, name) {
        return Ok(None);
    }
    let items = params.object_list(name)?;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let text = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let pair = TagPair { tag_key: text("TagKey"), tag_value: text("TagValue") };
            if pair.tag_key.is_empty() {
                return Err(ApiError::invalid_parameter(&format!("{name}.{}.TagKey", i + 1), "a tag key is required"));
            }
            Ok(pair)
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Applies the scope parameters present in the request to `scope`.
pub(crate) fn apply_scope(params: &Params, scope: &mut RuleScope) -> Result<(), ApiError> {
    let lists: [(&str, &mut Vec<String>); 7] = [
        ("ResourceTypesScope", &mut scope.resource_types),
        ("RegionIdsScope", &mut scope.region_ids),
        ("ResourceGroupIdsScope", &mut scope.resource_group_ids),
        ("ResourceIdsScope", &mut scope.resource_ids),
        ("ExcludeRegionIdsScope", &mut scope.exclude_region_ids),
        ("ExcludeResourceGroupIdsScope", &mut scope.exclude_resource_group_ids),
        ("ExcludeResourceIdsScope", &mut scope.exclude_resource_ids),
    ];
    for (name, target) in lists {
        if present(params, name) {
            *target = params.string_list(name)?;
        }
    }
    for t in &scope.resource_types {
        if !confpack_inventory::registry::is_well_formed(t) {
            return Err(ApiError::invalid_parameter(
                "ResourceTypesScope",
                format!("{t:?} is not a resource type such as ACS::ECS::Instance"),
            ));
        }
    }
    if let Some(name) = params.optional("ResourceNameScope") {
        scope.resource_name = name.to_owned();
    }
    let (key, value) = (params.optional("TagKeyScope"), params.optional("TagValueScope"));
    if value.is_some() && key.is_none() && scope.tag_key.is_empty() {
        return Err(ApiError::invalid_parameter("TagValueScope", "it needs TagKeyScope"));
    }
    if let Some(k) = key {
        scope.tag_key = k.to_owned();
    }
    if let Some(v) = value {
        scope.tag_value = v.to_owned();
    }
    if let Some(logic) = params.optional("TagKeyLogicScope") {
        let upper = logic.to_ascii_uppercase();
        if upper != "AND" && upper != "OR" {
            return Err(ApiError::invalid_parameter("TagKeyLogicScope", "use AND or OR"));
        }
        scope.tag_key_logic = upper;
    }
    if let Some(tags) = tag_pairs(params, "TagsScope")? {
        scope.tags = tags;
    }
    if let Some(tags) = tag_pairs(params, "ExcludeTagsScope")? {
        scope.exclude_tags = tags;
    }
    Ok(())
}

/// `InputParameters` as strings (numbers and booleans by their JSON text).
pub(crate) fn input_parameters(params: &Params) -> Result<Option<BTreeMap<String, String>>, ApiError> {
    let Some(map) = params.object("InputParameters")? else { return Ok(None) };
    map.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            Value::Number(_) | Value::Bool(_) => Ok((k, v.to_string())),
            Value::Array(items) => {
                let texts: Option<Vec<String>> = items
                    .iter()
                    .map(|i| match i {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(_) | Value::Bool(_) => Some(i.to_string()),
                        _ => None,
                    })
                    .collect();
                texts.map(|t| (k.clone(), t.join(","))).ok_or_else(|| {
                    ApiError::invalid_parameter("InputParameters", format!("{k} must be a string or a list of strings"))
                })
            }
            _ => {
                Err(ApiError::invalid_parameter("InputParameters", format!("{k} must be a string, number or boolean")))
            }
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

/// Checks the parts of a rule that depend on its source: a managed rule's parameters and
/// types, a condition rule's `Conditions`.
pub(crate) fn validate(rule: &ConfigRule) -> Result<(), ApiError> {
    match rule.source_owner.as_str() {
        ALIYUN => {
            let managed = managed_rule(&rule.source_identifier)?;
            for name in rule.input_parameters.keys() {
                if !managed.spec.parameters.iter().any(|p| p.name == *name) {
                    let known: Vec<_> = managed.spec.parameters.iter().map(|p| p.name.as_str()).collect();
                    return Err(ApiError::invalid_parameter(
                        "InputParameters",
                        format!("{} has no parameter {name:?}; its parameters are {known:?}", rule.source_identifier),
                    ));
                }
            }
            let foreign: Vec<_> =
                rule.scope.resource_types.iter().filter(|t| !managed.spec.resource_types.contains(t)).collect();
            if !foreign.is_empty() {
                return Err(ApiError::invalid_parameter(
                    "ResourceTypesScope",
                    format!("{} evaluates {:?}, not {foreign:?}", rule.source_identifier, managed.spec.resource_types),
                ));
            }
        }
        CUSTOM_CONFIGURATION => {
            let text = rule.conditions.as_deref().unwrap_or_default();
            CompiledCondition::parse(text).map_err(|e| {
                ApiError::with_message(
                    ErrorCode::InvalidConditionsValue,
                    format!("The specified Conditions is invalid: {e}"),
                )
            })?;
            if rule.scope.resource_types.is_empty() {
                return Err(ApiError::missing_parameter("ResourceTypesScope"));
            }
        }
        CUSTOM_FC => {
            if rule.scope.resource_types.is_empty() {
                return Err(ApiError::missing_parameter("ResourceTypesScope"));
            }
        }
        other => {
            return Err(ApiError::invalid_parameter(
                "SourceOwner",
                format!("{other:?} is not ALIYUN, CUSTOM_FC or CUSTOM_CONFIGURATION"),
            ));
        }
    }
    if rule.name.is_empty() || rule.name.chars().count() > 128 {
        return Err(ApiError::invalid_parameter("ConfigRuleName", "it must have 1 to 128 characters"));
    }
    if rule.description.chars().count() > 500 {
        return Err(ApiError::invalid_parameter("Description", "it must have at most 500 characters"));
    }
    Ok(())
}

/// Applies the fields Create and Update share to `rule`.
pub(crate) fn apply_common(params: &Params, rule: &mut ConfigRule) -> Result<(), ApiError> {
    if let Some(name) = params.optional("ConfigRuleName") {
        name.clone_into(&mut rule.name);
    }
    if let Some(d) = params.optional("Description") {
        d.clone_into(&mut rule.description);
    }
    if let Some(level) = params.int_in("RiskLevel", 1, 3)? {
        rule.risk_level = level;
    }
    if let Some(p) = input_parameters(params)? {
        rule.input_parameters = p;
    }
    if let Some(c) = params.optional("Conditions") {
        rule.conditions = Some(c.to_owned());
    }
    if present(params, "ConfigRuleTriggerTypes") {
        let types = params.string_list("ConfigRuleTriggerTypes")?;
        for t in &types {
            if TriggerType::parse(t).is_none() {
                return Err(ApiError::invalid_parameter(
                    "ConfigRuleTriggerTypes",
                    format!("{t:?} is not ConfigurationItemChangeNotification or ScheduledNotification"),
                ));
            }
        }
        if types.is_empty() {
            return Err(ApiError::invalid_parameter("ConfigRuleTriggerTypes", "name at least one trigger type"));
        }
        rule.trigger_types = types;
    }
    if let Some(f) = params.optional("MaximumExecutionFrequency") {
        if frequency_ms(f).is_none() {
            return Err(ApiError::invalid_parameter(
                "MaximumExecutionFrequency",
                "use One_Hour, Three_Hours, Six_Hours, Twelve_Hours or TwentyFour_Hours",
            ));
        }
        f.clone_into(&mut rule.maximum_execution_frequency);
    }
    if let Some(e) = params.optional("ExtendContent") {
        e.clone_into(&mut rule.extend_content);
    }
    if let Some(tags) = request_tags(params)? {
        rule.tags = tags;
    }
    apply_scope(params, &mut rule.scope)
}

/// The `Tag` parameter of rules and packs (`[{"Key","Value"}]`), when given and not empty.
pub(crate) fn request_tags(params: &Params) -> Result<Option<Vec<TagPair>>, ApiError> {
    let tags = params.object_list("Tag")?;
    if tags.is_empty() {
        return Ok(None);
    }
    let text =
        |t: &serde_json::Map<String, Value>, k: &str| t.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok(Some(tags.iter().map(|t| TagPair { tag_key: text(t, "Key"), tag_value: text(t, "Value") }).collect()))
}
