//! `ListCompliancePackTemplates`: the template library with each template's managed rules
//! and their parameter defaults. A rule the catalogue does not implement is listed all the
//! same, with `DefaultEnable: false` and the extension field `Implemented: false`; each
//! template carries the extension fields `ImplementedRuleCount` and `TotalRuleCount`.

use confpack_protocol::ApiError;
use confpack_rules::catalogue;
use confpack_rules::templates::{Template, TemplateRule, templates};
use serde_json::{Value, json};

use super::paging::PageRequest;
use super::{ActionResult, CallContext, reply};

/// When the template library was last revised (2026-11-28T00:00:00Z).
const LAST_UPDATE_MS: i64 = 1_795_824_000_000;

fn rule_view(rule: &TemplateRule) -> Value {
    match catalogue().get(&rule.identifier) {
        Some(managed) => {
            let s = &managed.spec;
            let parameters: Vec<Value> = s
                .parameters
                .iter()
                .map(|p| json!({"ParameterName": p.name, "ParameterValue": p.default.clone().unwrap_or_default(), "Required": p.required}))
                .collect();
            json!({
                "ConfigRuleParameters": parameters,
                "ControlDescription": "",
                "ControlId": "",
                "DefaultEnable": true,
                "Description": s.description,
                "Implemented": true,
                "ManagedRuleIdentifier": s.identifier,
                "ManagedRuleName": s.name,
                "ResourceTypesScope": s.resource_types.join(","),
                "RiskLevel": s.risk_level,
            })
        }
        None => json!({
            "ConfigRuleParameters": [],
            "ControlDescription": "",
            "ControlId": "",
            "DefaultEnable": false,
            "Description": "Not implemented by this confpack server: the rule is listed so that the template's coverage shows.",
            "Implemented": false,
            "ManagedRuleIdentifier": rule.identifier,
            "ManagedRuleName": rule.reference_name.clone().unwrap_or_else(|| rule.identifier.clone()),
            "ResourceTypesScope": rule.reference_resource_types.join(","),
            "RiskLevel": rule.reference_risk_level.unwrap_or(2),
        }),
    }
}

fn rule_types(rule: &TemplateRule) -> Vec<String> {
    catalogue()
        .get(&rule.identifier)
        .map_or_else(|| rule.reference_resource_types.clone(), |m| m.spec.resource_types.clone())
}

fn rule_risk(rule: &TemplateRule) -> u8 {
    catalogue().get(&rule.identifier).map_or(rule.reference_risk_level.unwrap_or(2), |m| m.spec.risk_level)
}

fn template_view(t: &Template, rules: &[&TemplateRule]) -> Value {
    let (implemented, total) = t.coverage();
    json!({
        "CompliancePackTemplateId": t.id,
        "CompliancePackTemplateName": t.name,
        "ConfigRules": rules.iter().map(|r| rule_view(r)).collect::<Vec<_>>(),
        "Description": t.description,
        "ImplementedRuleCount": implemented,
        "Labels": t.labels,
        "LastUpdate": LAST_UPDATE_MS,
        "RiskLevel": t.risk_level,
        "TotalRuleCount": total,
    })
}

/// `ListCompliancePackTemplates`: filters `CompliancePackTemplateId`, `FilterType`
/// (`LAW`: regulation templates; `ALL`), `ResourceTypes` (rules covering one of the types;
/// templates without such a rule are left out), `RuleRiskLevel` (rules of that level);
/// PageNumber/PageSize paging.
pub(crate) async fn list_compliance_pack_templates(ctx: &CallContext<'_>) -> ActionResult {
    let p = ctx.params;
    let paging = PageRequest::from_params(p)?;
    let id = p.optional("CompliancePackTemplateId");
    let regulation_only = match p.optional("FilterType") {
        None | Some("ALL") => false,
        Some("LAW") => true,
        Some(other) => return Err(ApiError::invalid_parameter("FilterType", format!("{other:?} is not LAW or ALL"))),
    };
    let types = p.string_list("ResourceTypes")?;
    let risk = p.int_in("RuleRiskLevel", 1, 3)?;
    let mut matching = Vec::new();
    for t in templates().iter() {
        if id.is_some_and(|id| id != t.id) || (regulation_only && !t.regulation) {
            continue;
        }
        let rules: Vec<&TemplateRule> = t
            .rules
            .iter()
            .filter(|r| types.is_empty() || rule_types(r).iter().any(|x| types.contains(x)))
            .filter(|r| risk.is_none_or(|level| i64::from(rule_risk(r)) == level))
            .collect();
        if (!types.is_empty() || risk.is_some()) && rules.is_empty() {
            continue;
        }
        matching.push((t, rules));
    }
    let page: Vec<Value> =
        paging.slice(matching.iter()).into_iter().map(|(t, rules)| template_view(t, rules)).collect();
    reply(&json!({"CompliancePackTemplatesResult": {
        "CompliancePackTemplates": page, "PageNumber": paging.number, "PageSize": paging.size, "TotalCount": matching.len()
    }}))
}
