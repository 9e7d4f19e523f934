//! How rules and managed rules look on the wire (GetConfigRule, ListConfigRules,
//! GetManagedRule, ListManagedRules).

use confpack_model::ConfigRule;
use confpack_rules::ManagedRule;
use confpack_store::ResultCount;
use serde_json::{Map, Value, json};

use super::rules::key_value_tags;
use crate::evaluation::compile::{ALIYUN, CUSTOM_FC, resource_types};

/// A rule's compliance from its result counts: NON_COMPLIANT with the number of
/// non-compliant resources when there are any; else COMPLIANT with the compliant ones; else
/// the most telling of INSUFFICIENT_DATA and NOT_APPLICABLE; INSUFFICIENT_DATA with 0 before
/// anything was evaluated. Ignored results do not count.
pub(crate) fn compliance_of(counts: &[ResultCount]) -> (String, i64) {
    let n = |t: &str| counts.iter().filter(|c| c.compliance_type == t).map(|c| c.count).sum::<i64>();
    for t in ["NON_COMPLIANT", "COMPLIANT", "INSUFFICIENT_DATA", "NOT_APPLICABLE"] {
        if n(t) > 0 {
            return (t.to_owned(), n(t));
        }
    }
    ("INSUFFICIENT_DATA".to_owned(), 0)
}

/// `acs:config::{AccountId}:rule/{id}`.
pub(crate) fn rule_arn(rule: &ConfigRule) -> String {
    format!("acs:config::{}:rule/{}", rule.account_id.get(), rule.rule_id)
}

fn state(rule: &ConfigRule, evaluating: bool) -> &str {
    if evaluating && rule.state == "ACTIVE" { "EVALUATING" } else { &rule.state }
}

/// A list as the comma-joined string the API uses.
pub(crate) fn csv(list: &[String]) -> String {
    list.join(",")
}

/// Tags as `[{TagKey, TagValue}]`.
pub(crate) fn tag_pairs(tags: &[confpack_model::TagPair]) -> Vec<Value> {
    tags.iter().map(|t| json!({"TagKey": t.tag_key, "TagValue": t.tag_value})).collect()
}

/// The scope fields rules and packs share, as GetConfigRule (flat) and GetCompliancePack
/// (under `Scope`) report them.
pub(crate) fn scope_fields(s: &confpack_model::RuleScope) -> Map<String, Value> {
    let fields = json!({
        "ExcludeRegionIdsScope": csv(&s.exclude_region_ids),
        "ExcludeResourceGroupIdsScope": csv(&s.exclude_resource_group_ids),
        "ExcludeResourceIdsScope": csv(&s.exclude_resource_ids),
        "ExcludeTagsScope": tag_pairs(&s.exclude_tags),
        "RegionIdsScope": csv(&s.region_ids),
        "ResourceGroupIdsScope": csv(&s.resource_group_ids),
        "ResourceIdsScope": csv(&s.resource_ids),
        "TagKeyScope": s.tag_key,
        "TagValueScope": s.tag_value,
        "TagsScope": tag_pairs(&s.tags),
    });
    match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn create_by(rule: &ConfigRule) -> Value {
    rule.created_by.as_ref().map_or_else(
        || json!({}),
        |c| json!({"CompliancePackId": c.compliance_pack_id, "CompliancePackName": c.compliance_pack_name}),
    )
}

/// A ListConfigRules item.
pub(crate) fn rule_summary(rule: &ConfigRule, evaluating: bool, compliance: (String, i64)) -> Value {
    json!({
        "AccountId": rule.account_id.get(),
        "AutomationType": "",
        "Compliance": {"ComplianceType": compliance.0, "Count": compliance.1},
        "ConfigRuleArn": rule_arn(rule),
        "ConfigRuleId": rule.rule_id,
        "ConfigRuleName": rule.name,
        "ConfigRuleState": state(rule, evaluating),
        "CreateBy": create_by(rule),
        "CreateDate": iso_date(rule.created_ms),
        "Description": rule.description,
        "ResourceTypesScope": csv(&resource_types(rule)),
        "RiskLevel": rule.risk_level,
        "SourceIdentifier": rule.source_identifier,
        "SourceOwner": rule.source_owner,
        "Tags": key_value_tags(&rule.tags),
    })
}

fn iso_date(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

fn source_details(rule_triggers: &[String], frequency: &str) -> Vec<Value> {
    rule_triggers
        .iter()
        .map(|t| json!({"EventSource": "aliyun.config", "MaximumExecutionFrequency": frequency, "MessageType": t}))
        .collect()
}

/// GetManagedRule's parameter maps: `(compulsory, optional)`, name → `{type, defaultValue,
/// description}`.
pub(crate) fn parameter_details(managed: &ManagedRule) -> (Value, Value) {
    let (mut compulsory, mut optional) = (Map::new(), Map::new());
    for p in &managed.spec.parameters {
        let detail = json!({"type": p.kind, "defaultValue": p.default.clone().unwrap_or_default(), "description": p.description});
        if p.required { &mut compulsory } else { &mut optional }.insert(p.name.clone(), detail);
    }
    (Value::Object(compulsory), Value::Object(optional))
}

/// A managed rule as ListManagedRules / GetManagedRule show it.
pub(crate) fn managed_view(managed: &ManagedRule) -> Map<String, Value> {
    let s = &managed.spec;
    let (compulsory, optional) = parameter_details(managed);
    let triggers: Vec<String> = s.trigger_types.iter().map(|t| t.as_str().to_owned()).collect();
    let frequency = s.maximum_execution_frequency.clone().unwrap_or_default();
    let details: Vec<Value> =
        triggers.iter().map(|t| json!({"MaximumExecutionFrequency": frequency, "MessageType": t})).collect();
    let view = json!({
        "CompulsoryInputParameterDetails": compulsory,
        "ConfigRuleName": s.name,
        "Description": s.description,
        "HelpUrls": "",
        "Identifier": s.identifier,
        "Labels": s.labels,
        "OptionalInputParameterDetails": optional,
        "RiskLevel": s.risk_level,
        "Scope": {"ComplianceResourceTypes": s.resource_types},
        "SourceDetails": details,
        "SupportPreviewManagedRule": true,
    });
    match view {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// GetConfigRule's `ConfigRule`.
pub(crate) fn rule_detail(rule: &ConfigRule, evaluating: bool, compliance: (String, i64)) -> Value {
    let s = &rule.scope;
    let managed =
        (rule.source_owner == ALIYUN).then(|| confpack_rules::catalogue().get(&rule.source_identifier)).flatten();
    let managed_block = managed.map_or_else(
        || json!({}),
        |m| {
            let (compulsory, optional) = parameter_details(m);
            json!({
                "CompulsoryInputParameterDetails": compulsory,
                "Description": m.spec.description,
                "Identifier": m.spec.identifier,
                "Labels": m.spec.labels,
                "ManagedRuleName": m.spec.name,
                "OptionalInputParameterDetails": optional,
                "SourceDetails": source_details(&rule.trigger_types, &rule.maximum_execution_frequency),
            })
        },
    );
    let st = &rule.status;
    let mut evaluation_status = json!({
        "FirstEvaluationStarted": st.first_evaluation_started,
        "LastErrorCode": st.last_error_code,
        "LastErrorMessage": st.last_error_message,
    });
    // Timestamps that have not happened yet are left out rather than sent as null.
    if let Some(obj) = evaluation_status.as_object_mut() {
        for (name, value) in [
            ("FirstActivatedTimestamp", st.first_activated_ms),
            ("LastFailedEvaluationTimestamp", st.last_failed_ms),
            ("LastFailedInvocationTimestamp", st.last_failed_ms),
            ("LastSuccessfulEvaluationTimestamp", st.last_success_ms),
            ("LastSuccessfulInvocationTimestamp", st.last_success_ms),
        ] {
            if let Some(ms) = value {
                obj.insert(name.to_owned(), Value::from(ms));
            }
        }
    }
    let mut detail = json!({
        "AccountId": rule.account_id.get(),
        "Compliance": {"ComplianceType": compliance.0, "Count": compliance.1},
        "ConfigRuleArn": rule_arn(rule),
        "ConfigRuleEvaluationStatus": evaluation_status,
        "ConfigRuleId": rule.rule_id,
        "ConfigRuleName": rule.name,
        "ConfigRuleState": state(rule, evaluating),
        "ConfigRuleTriggerTypes": csv(&rule.trigger_types),
        "CreateBy": create_by(rule),
        "CreateTimestamp": rule.created_ms,
        "Description": rule.description,
        "ExtendContent": rule.extend_content,
        "InputParameters": rule.input_parameters,
        "ManagedRule": managed_block,
        "MaximumExecutionFrequency": rule.maximum_execution_frequency,
        "ModifiedTimestamp": rule.modified_ms,
        "ResourceNameScope": s.resource_name,
        "ResourceTypesScope": csv(&resource_types(rule)),
        "RiskLevel": rule.risk_level,
        "Scope": {"ComplianceResourceTypes": resource_types(rule)},
        "Source": {
            "Identifier": rule.source_identifier,
            "Owner": rule.source_owner,
            "SourceDetails": source_details(&rule.trigger_types, &rule.maximum_execution_frequency),
        },
        "TagKeyLogicScope": if s.tag_key_logic.is_empty() { "OR" } else { s.tag_key_logic.as_str() },
        "Tags": tag_pairs(&rule.tags),
    });
    // Extensions: the condition of a condition rule, and the token a CUSTOM_FC function
    // quotes to PutEvaluations (SDKs ignore fields they do not know).
    if let Some(obj) = detail.as_object_mut() {
        obj.extend(scope_fields(s));
        if let Some(c) = &rule.conditions {
            obj.insert("Conditions".to_owned(), Value::String(c.clone()));
        }
        if rule.source_owner == CUSTOM_FC {
            obj.insert("ResultToken".to_owned(), Value::String(rule.result_token.clone()));
        }
    }
    detail
}
