//! The rules a compliance pack is to have, from any of its sources — `ConfigRules` items, a
//! template of the library, a `TemplateContent` document — and the rules themselves as a
//! pack creates them. Shared by the pack actions and by `confpack scan`, so that a pack and
//! an offline scan of the same template evaluate the same rules.

use std::collections::BTreeMap;

use confpack_model::ids::hex_id;
use confpack_model::{AccountId, CompliancePack, ConfigRule, CreatedBy, EvaluationStatus};
use confpack_protocol::{ApiError, ErrorCode};
use confpack_rules::templates::Template;
use serde_json::{Map, Value};

use crate::evaluation::compile::ALIYUN;
use crate::handlers::rule_input::{managed_rule, validate};

/// One rule a pack is to have.
pub struct RuleRequest {
    /// An existing rule joining the pack.
    pub existing: Option<String>,
    /// The managed-rule identifier of a new rule.
    pub identifier: String,
    /// The rule's name (the pack name is put before it); the identifier when absent.
    pub name: Option<String>,
    /// The rule's description; the managed rule's when absent.
    pub description: Option<String>,
    /// 1 high, 2 medium, 3 low; the managed rule's when absent.
    pub risk_level: Option<i64>,
    /// Input parameters given (the managed rule's defaults apply to the others).
    pub parameters: BTreeMap<String, String>,
}

pub(crate) fn invalid_rules(why: impl std::fmt::Display) -> ApiError {
    ApiError::with_message(ErrorCode::InvalidConfigRulesValue, format!("The specified ConfigRules is invalid: {why}"))
}

fn text(item: &Map<String, Value>, key: &str) -> Option<String> {
    match item.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// `ConfigRules` items: `{ConfigRuleId | ManagedRuleIdentifier, ConfigRuleName, Description,
/// RiskLevel, ConfigRuleParameters[{ParameterName, ParameterValue}]}`.
pub fn rules_from_items(items: &[Map<String, Value>]) -> Result<Vec<RuleRequest>, ApiError> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let existing = text(item, "ConfigRuleId");
            let identifier = text(item, "ManagedRuleIdentifier").unwrap_or_default();
            if existing.is_none() && identifier.is_empty() {
                return Err(invalid_rules(format!("item {} needs ConfigRuleId or ManagedRuleIdentifier", i + 1)));
            }
            let risk_level = match text(item, "RiskLevel") {
                Some(r) => Some(
                    r.parse::<i64>()
                        .ok()
                        .filter(|l| (1..=3).contains(l))
                        .ok_or_else(|| invalid_rules(format!("item {}: RiskLevel must be 1, 2 or 3", i + 1)))?,
                ),
                None => None,
            };
            let mut parameters = BTreeMap::new();
            if let Some(Value::Array(list)) = item.get("ConfigRuleParameters") {
                for p in list {
                    let p = p.as_object().cloned().unwrap_or_default();
                    let name = text(&p, "ParameterName")
                        .ok_or_else(|| invalid_rules(format!("item {}: a parameter has no ParameterName", i + 1)))?;
                    parameters.insert(name, text(&p, "ParameterValue").unwrap_or_default());
                }
            }
            Ok(RuleRequest {
                existing,
                identifier,
                name: text(item, "ConfigRuleName"),
                description: text(item, "Description"),
                risk_level,
                parameters,
            })
        })
        .collect()
}

/// A template's implemented rules with their defaults, and the identifiers it lists that the
/// catalogue does not implement.
pub fn rules_from_template(template: &Template) -> (Vec<RuleRequest>, Vec<String>) {
    let (implemented, missing): (Vec<_>, Vec<_>) = template.rules.iter().partition(|r| Template::implemented(r));
    let rules = implemented
        .into_iter()
        .map(|r| RuleRequest {
            existing: None,
            identifier: r.identifier.clone(),
            name: None,
            description: None,
            risk_level: None,
            parameters: BTreeMap::new(),
        })
        .collect();
    (rules, missing.into_iter().map(|r| r.identifier.clone()).collect())
}

/// `TemplateContent` in the console's export format, as confpack reads it:
/// `{"compliancePackTemplate": {"compliancePackName", "description", "riskLevel"},
///   "configRuleTemplates": [{"managedRuleIdentifier" (or "sourceIdentifier"), "configRuleName",
///   "description", "riskLevel", "inputParameters": {…}}]}`. The file's name wins over the call's.
pub fn rules_from_content(text_value: &str) -> Result<ContentPack, ApiError> {
    let bad = |why: String| ApiError::invalid_parameter("TemplateContent", why);
    let doc: Value = serde_json::from_str(text_value).map_err(|e| bad(format!("not JSON: {e}")))?;
    let pack = doc.get("compliancePackTemplate").and_then(Value::as_object).cloned().unwrap_or_default();
    let Some(Value::Array(items)) = doc.get("configRuleTemplates") else {
        return Err(bad("configRuleTemplates (a list) is required".to_owned()));
    };
    let mut rules = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item = item.as_object().ok_or_else(|| bad(format!("configRuleTemplates[{i}] is not an object")))?;
        let identifier = text(item, "managedRuleIdentifier")
            .or_else(|| text(item, "sourceIdentifier"))
            .ok_or_else(|| bad(format!("configRuleTemplates[{i}] needs managedRuleIdentifier")))?;
        let parameters = match item.get("inputParameters") {
            Some(Value::Object(m)) => {
                m.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned))).collect()
            }
            _ => BTreeMap::new(),
        };
        rules.push(RuleRequest {
            existing: None,
            identifier,
            name: text(item, "configRuleName"),
            description: text(item, "description"),
            risk_level: text(item, "riskLevel").and_then(|r| r.parse().ok()),
            parameters,
        });
    }
    Ok(ContentPack {
        name: text(&pack, "compliancePackName"),
        description: text(&pack, "description"),
        risk_level: text(&pack, "riskLevel").and_then(|r| r.parse().ok()),
        rules,
    })
}

/// What a `TemplateContent` document says.
pub struct ContentPack {
    /// `compliancePackName`.
    pub name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `riskLevel`.
    pub risk_level: Option<i64>,
    /// The rules.
    pub rules: Vec<RuleRequest>,
}

/// A new rule of `pack` for a managed-rule request: named `{pack}-{rule}`, with the pack's
/// scope and the managed rule's resource types, triggers and (unless the request says
/// otherwise) risk level; `ACTIVE` when `enabled`. Checked like CreateConfigRule's rules.
pub fn new_pack_rule(
    account: AccountId,
    pack: &CompliancePack,
    request: RuleRequest,
    enabled: bool,
    now: i64,
) -> Result<ConfigRule, ApiError> {
    let managed = managed_rule(&request.identifier).map_err(|_| {
        invalid_rules(format!("{:?} is not a managed rule identifier (see ListManagedRules)", request.identifier))
    })?;
    let base_name = request.name.unwrap_or_else(|| managed.spec.identifier.clone());
    let mut scope = pack.scope.clone();
    scope.resource_types.clone_from(&managed.spec.resource_types);
    let rule = ConfigRule {
        account_id: account,
        rule_id: hex_id("cr", 20),
        name: format!("{}-{base_name}", pack.name),
        description: request.description.unwrap_or_else(|| managed.spec.description.clone()),
        source_owner: ALIYUN.to_owned(),
        source_identifier: managed.spec.identifier.clone(),
        input_parameters: request.parameters,
        conditions: None,
        trigger_types: managed.spec.trigger_types.iter().map(|t| t.as_str().to_owned()).collect(),
        maximum_execution_frequency: managed
            .spec
            .maximum_execution_frequency
            .clone()
            .unwrap_or_else(|| "TwentyFour_Hours".to_owned()),
        extend_content: String::new(),
        risk_level: request.risk_level.unwrap_or(i64::from(managed.spec.risk_level)),
        state: if enabled { "ACTIVE" } else { "INACTIVE" }.to_owned(),
        scope,
        tags: Vec::new(),
        created_by: Some(CreatedBy {
            compliance_pack_id: pack.pack_id.clone(),
            compliance_pack_name: pack.name.clone(),
        }),
        result_token: hex_id("rt", 32),
        created_ms: now,
        modified_ms: now,
        status: EvaluationStatus { first_activated_ms: enabled.then_some(now), ..EvaluationStatus::default() },
        revision: 0,
    };
    validate(&rule).map_err(|e| invalid_rules(e.message))?;
    Ok(rule)
}
