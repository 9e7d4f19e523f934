//! Managed-rule actions: the catalogue (ListManagedRules, GetManagedRule), and previews that
//! evaluate configurations given in the request without storing anything
//! (ListPreManagedRules, EvaluatePreConfigRules).

use std::collections::BTreeMap;

use confpack_protocol::ApiError;
use confpack_rules::{ManagedRule, RuleInput, catalogue};
use serde_json::{Value, json};

use super::paging::PageRequest;
use super::rule_input::managed_rule;
use super::rule_view::{managed_view, parameter_details};
use super::{ActionResult, CallContext, now_ms, reply};

fn covers_types(rule: &ManagedRule, types: &[String]) -> bool {
    types.is_empty() || rule.spec.resource_types.iter().any(|t| types.contains(t))
}

/// `ListManagedRules`: filtered by keyword (identifier, name, description), risk level and
/// resource types.
pub(crate) async fn list_managed_rules(ctx: &CallContext<'_>) -> ActionResult {
    let p = ctx.params;
    let paging = PageRequest::from_params(p)?;
    let keyword = p.optional("Keyword").map(str::to_lowercase);
    let risk = p.int_in("RiskLevel", 1, 3)?;
    let types = p.string_list("ResourceTypes")?;
    if let Some(f) = p.optional("FilterType").filter(|f| !["ALL", "UNCOVERED_RESOURCE"].contains(f)) {
        return Err(ApiError::invalid_parameter("FilterType", format!("{f:?} is not ALL or UNCOVERED_RESOURCE")));
    }
    let matching: Vec<&ManagedRule> = catalogue()
        .iter()
        .filter(|r| risk.is_none_or(|level| level == i64::from(r.spec.risk_level)))
        .filter(|r| covers_types(r, &types))
        .filter(|r| {
            keyword.as_ref().is_none_or(|k| {
                [&r.spec.identifier, &r.spec.name, &r.spec.description].iter().any(|f| f.to_lowercase().contains(k))
            })
        })
        .collect();
    let list: Vec<Value> =
        paging.slice(matching.iter().copied()).into_iter().map(|r| Value::Object(managed_view(r))).collect();
    reply(&json!({"ManagedRules": {
        "ManagedRuleList": list, "PageNumber": paging.number, "PageSize": paging.size, "TotalCount": matching.len()
    }}))
}

/// `GetManagedRule`.
pub(crate) async fn get_managed_rule(ctx: &CallContext<'_>) -> ActionResult {
    let rule = managed_rule(ctx.params.required("Identifier")?)?;
    reply(&json!({ "ManagedRule": managed_view(rule) }))
}

/// `ListPreManagedRules`: the managed rules EvaluatePreConfigRules can run (all of them).
pub(crate) async fn list_pre_managed_rules(ctx: &CallContext<'_>) -> ActionResult {
    let paging = PageRequest::from_params(ctx.params)?;
    let types = ctx.params.string_list("ResourceTypes")?.iter().map(|t| acs_type(t)).collect::<Vec<_>>();
    let matching: Vec<&ManagedRule> = catalogue().iter().filter(|r| covers_types(r, &types)).collect();
    let list: Vec<Value> = paging
        .slice(matching.iter().copied())
        .into_iter()
        .map(|r| {
            let (compulsory, optional) = parameter_details(r);
            json!({
                "CompulsoryInputParameterDetails": compulsory,
                "ConfigRuleName": r.spec.name,
                "Description": r.spec.description,
                "HelpUrls": "",
                "Identifier": r.spec.identifier,
                "OptionalInputParameterDetails": optional,
                "ResourceType": r.spec.resource_types,
            })
        })
        .collect();
    reply(
        &json!({"ManagedRules": list, "PageNumber": paging.number, "PageSize": paging.size, "TotalCount": matching.len()}),
    )
}

/// Resource Orchestration types (`ALIYUN::ECS::Instance`) name the same thing as Config's.
fn acs_type(t: &str) -> String {
    t.strip_prefix("ALIYUN::").map_or_else(|| t.to_owned(), |rest| format!("ACS::{rest}"))
}

fn json_field(item: &serde_json::Map<String, Value>, name: &str, at: &str) -> Result<Value, ApiError> {
    match item.get(name) {
        None | Some(Value::Null) => Ok(Value::Object(serde_json::Map::new())),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Value::Object(serde_json::Map::new())),
        Some(Value::String(s)) => serde_json::from_str(s)
            .map_err(|e| ApiError::invalid_parameter(&format!("{at}.{name}"), format!("not JSON: {e}"))),
        Some(v) => Ok(v.clone()),
    }
}

/// `EvaluatePreConfigRules`: evaluates the given resource properties with the named managed
/// rules (or every rule for the type when none is named). Nothing is stored.
/// A rule that cannot decide says INSUFFICIENT_DATA with its reason (the vendor lists only
/// three values; confpack does not guess).
pub(crate) async fn evaluate_pre_config_rules(ctx: &CallContext<'_>) -> ActionResult {
    let items = ctx.params.object_list("ResourceEvaluateItems")?;
    if items.is_empty() {
        return Err(ApiError::missing_parameter("ResourceEvaluateItems"));
    }
    let now = now_ms();
    let mut evaluations = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("ResourceEvaluateItems.{}", i + 1);
        let resource_type = item
            .get("ResourceType")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::missing_parameter(&format!("{at}.ResourceType")))?;
        let logical_id = item.get("ResourceLogicalId").and_then(Value::as_str).unwrap_or_default();
        let properties = json_field(item, "ResourceProperties", &at)?;
        let acs = acs_type(resource_type);
        let named: Vec<(String, BTreeMap<String, String>)> = match item.get("Rules") {
            Some(Value::Array(rules)) if !rules.is_empty() => rules
                .iter()
                .enumerate()
                .map(|(j, r)| {
                    let r = r.as_object().cloned().unwrap_or_default();
                    let id = r
                        .get("Identifier")
                        .and_then(Value::as_str)
                        .ok_or_else(|| ApiError::missing_parameter(&format!("{at}.Rules.{}.Identifier", j + 1)))?;
                    let params = match json_field(&r, "InputParameters", &format!("{at}.Rules.{}", j + 1))? {
                        Value::Object(m) => m
                            .into_iter()
                            .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                            .collect(),
                        _ => BTreeMap::new(),
                    };
                    Ok((id.to_owned(), params))
                })
                .collect::<Result<_, ApiError>>()?,
            _ => catalogue()
                .iter()
                .filter(|r| r.spec.resource_types.contains(&acs))
                .map(|r| (r.spec.identifier.clone(), BTreeMap::new()))
                .collect(),
        };
        let mut results = Vec::new();
        for (identifier, params) in named {
            let rule = managed_rule(&identifier)?;
            let (compliance, annotation) = if rule.spec.resource_types.contains(&acs) {
                let e = rule.evaluate(RuleInput {
                    configuration: &properties,
                    params: &params,
                    related: &BTreeMap::new(),
                    now_ms: now,
                });
                (e.compliance_type.as_str(), e.annotation.map(|a| a.to_json_string()).unwrap_or_default())
            } else {
                let reason = format!("{identifier} evaluates {:?}, not {acs}", rule.spec.resource_types);
                ("NOT_APPLICABLE", json!({ "reason": reason }).to_string())
            };
            results.push(json!({"Annotation": annotation, "ComplianceType": compliance, "HelpUrl": "", "Identifier": identifier}));
        }
        evaluations.push(json!({"ResourceLogicalId": logical_id, "ResourceType": resource_type, "Rules": results}));
    }
    reply(&json!({ "ResourceEvaluations": evaluations }))
}
