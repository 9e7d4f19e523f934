//! Config-rule actions: create, read, list, update, delete, (de)activate, evaluate, and the
//! operator catalogue that condition rules are built from.

use std::collections::BTreeMap;

use confpack_model::ids::hex_id;
use confpack_model::{ConfigRule, EvaluationStatus, RuleScope, TagPair};
use confpack_protocol::{ApiError, ErrorCode};
use confpack_rules::{OPERATORS, Operator};
use confpack_store::StoreError;
use serde::Serialize;
use serde_json::{Value, json};

use super::packs::{load_pack, pack_rules};
use super::paging::PageRequest;
use super::rule_input::{apply_common, managed_rule, validate};
use super::rule_view::{compliance_of, rule_detail, rule_summary};
use super::{ActionResult, CallContext, idempotency, now_ms, reply, store_failure};
use crate::evaluation::compile::{ALIYUN, CUSTOM_CONFIGURATION, resource_types};
use crate::evaluation::worker::{CHANGE_TRIGGER, next_due};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListConfigRuleOperatorsResponse {
    operators: &'static [Operator],
}

/// `ListConfigRuleOperators`: every operator the condition evaluator implements.
pub(crate) async fn list_config_rule_operators(_ctx: &CallContext<'_>) -> ActionResult {
    reply(&ListConfigRuleOperatorsResponse { operators: OPERATORS })
}

/// `ConfigRuleNotExists` naming the id.
pub(crate) fn rule_not_found(rule_id: &str) -> ApiError {
    ApiError::with_message(
        ErrorCode::ConfigRuleNotExists,
        format!("The ConfigRule does not exist: no rule {rule_id:?} in your account."),
    )
}

/// The caller's rule, or `ConfigRuleNotExists`.
pub(crate) async fn load_rule(ctx: &CallContext<'_>, rule_id: &str) -> Result<ConfigRule, ApiError> {
    ctx.store().get_rule(ctx.account(), rule_id).await.map_err(store_failure)?.ok_or_else(|| rule_not_found(rule_id))
}

fn name_taken(e: StoreError, name: &str) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::with_message(
            ErrorCode::ConfigRuleExists,
            format!("The ConfigRule already exists: your account has a rule named {name:?}."),
        ),
        other => store_failure(other),
    }
}

/// Enqueues a whole-scope evaluation and wakes the worker.
pub(crate) async fn schedule_evaluation(
    ctx: &CallContext<'_>,
    rule_id: &str,
    message_type: &str,
    revert: bool,
) -> Result<(), ApiError> {
    ctx.store()
        .enqueue_evaluation(ctx.account(), rule_id, message_type, revert, now_ms())
        .await
        .map_err(store_failure)?;
    ctx.state.notify_jobs();
    Ok(())
}

/// `CreateConfigRule`.
pub(crate) async fn create_config_rule(ctx: &CallContext<'_>) -> ActionResult {
    idempotency::once(ctx, "CreateConfigRule", async || {
        let p = ctx.params;
        let owner = p.required("SourceOwner")?.to_owned();
        let identifier = p.optional("SourceIdentifier").unwrap_or_default().to_owned();
        let name = p.required("ConfigRuleName")?.to_owned();
        let now = now_ms();
        let mut rule = ConfigRule {
            account_id: ctx.account(),
            rule_id: hex_id("cr", 20),
            name,
            description: String::new(),
            source_owner: owner.clone(),
            source_identifier: identifier.clone(),
            input_parameters: BTreeMap::new(),
            conditions: None,
            trigger_types: Vec::new(),
            maximum_execution_frequency: String::new(),
            extend_content: String::new(),
            risk_level: 0,
            state: "ACTIVE".to_owned(),
            scope: RuleScope::default(),
            tags: Vec::new(),
            created_by: None,
            result_token: hex_id("rt", 32),
            created_ms: now,
            modified_ms: now,
            status: EvaluationStatus { first_activated_ms: Some(now), ..EvaluationStatus::default() },
            revision: 0,
        };
        apply_common(p, &mut rule)?;
        ensure_rule_room(ctx, 1, 0, ErrorCode::ExceedMaxRuleCount).await?;
        if owner == ALIYUN {
            if identifier.is_empty() {
                return Err(ApiError::missing_parameter("SourceIdentifier"));
            }
            let managed = managed_rule(&identifier)?;
            if rule.risk_level == 0 {
                rule.risk_level = i64::from(managed.spec.risk_level);
            }
            if rule.trigger_types.is_empty() {
                rule.trigger_types = managed.spec.trigger_types.iter().map(|t| t.as_str().to_owned()).collect();
            }
            if rule.maximum_execution_frequency.is_empty() {
                rule.maximum_execution_frequency =
                    managed.spec.maximum_execution_frequency.clone().unwrap_or_else(|| "TwentyFour_Hours".to_owned());
            }
        } else {
            if owner == CUSTOM_CONFIGURATION && rule.conditions.is_none() {
                return Err(ApiError::missing_parameter("Conditions"));
            }
            if rule.source_identifier.is_empty() {
                rule.source_identifier.clone_from(&rule.name);
            }
            if rule.trigger_types.is_empty() {
                rule.trigger_types = vec![CHANGE_TRIGGER.to_owned()];
            }
            if rule.maximum_execution_frequency.is_empty() {
                "TwentyFour_Hours".clone_into(&mut rule.maximum_execution_frequency);
            }
        }
        if rule.risk_level == 0 {
            rule.risk_level = 2;
        }
        validate(&rule)?;
        let due = next_due(&rule.trigger_types, &rule.maximum_execution_frequency, now);
        ctx.store().create_rule(&rule, due).await.map_err(|e| name_taken(e, &rule.name))?;
        schedule_evaluation(ctx, &rule.rule_id, first_message_type(&rule), false).await?;
        reply(&json!({"ConfigRuleId": rule.rule_id}))
    })
    .await
}

/// How often an update is re-applied when the rule changed under it (an evaluation saving
/// its status, another update).
const UPDATE_ATTEMPTS: u32 = 3;

/// The message type of the evaluation a new or re-activated rule gets at once.
fn first_message_type(rule: &ConfigRule) -> &str {
    rule.trigger_types.first().map_or(CHANGE_TRIGGER, String::as_str)
}

/// `UpdateConfigRule`: the fields given replace the rule's; a change re-evaluates it.
pub(crate) async fn update_config_rule(ctx: &CallContext<'_>) -> ActionResult {
    idempotency::once(ctx, "UpdateConfigRule", async || {
        let rule_id = ctx.params.required("ConfigRuleId")?;
        for attempt in 1..=UPDATE_ATTEMPTS {
            let before = load_rule(ctx, rule_id).await?;
            let mut rule = before.clone();
            apply_common(ctx.params, &mut rule)?;
            validate(&rule)?;
            if rule == before {
                break;
            }
            rule.modified_ms = now_ms();
            let due = next_due(&rule.trigger_types, &rule.maximum_execution_frequency, rule.modified_ms);
            match ctx.store().update_rule(&rule, due).await {
                Ok(()) => {}
                Err(StoreError::Changed(_)) if attempt < UPDATE_ATTEMPTS => continue,
                Err(e) => return Err(name_taken(e, &rule.name)),
            }
            if rule.state == "ACTIVE" {
                schedule_evaluation(ctx, rule_id, first_message_type(&rule), false).await?;
            }
            break;
        }
        reply(&json!({"ConfigRuleId": rule_id}))
    })
    .await
}

/// `GetConfigRule`.
pub(crate) async fn get_config_rule(ctx: &CallContext<'_>) -> ActionResult {
    let rule = load_rule(ctx, ctx.params.required("ConfigRuleId")?).await?;
    let store = ctx.store();
    let evaluating = store.rules_evaluating(ctx.account()).await.map_err(store_failure)?;
    let counts = store
        .count_results(ctx.account(), std::slice::from_ref(&rule.rule_id), now_ms())
        .await
        .map_err(store_failure)?;
    let detail = rule_detail(&rule, evaluating.contains(&rule.rule_id), compliance_of(&counts));
    reply(&json!({ "ConfigRule": detail }))
}

/// `ListConfigRules`, with the vendor's filters and PageNumber/PageSize paging.
pub(crate) async fn list_config_rules(ctx: &CallContext<'_>) -> ActionResult {
    let p = ctx.params;
    let paging = PageRequest::from_params(p)?;
    let state_filter = p.optional("ConfigRuleState");
    let compliance_filter = p.optional("ComplianceType");
    let name_filter = p.optional("ConfigRuleName");
    let keyword = p.optional("Keyword").map(str::to_lowercase);
    let risk = p.int_in("RiskLevel", 1, 3)?;
    let types = p.string_list("ResourceTypes")?;
    let pack = p.optional("CompliancePackId");
    let store = ctx.store();
    let rules = store.list_rules(ctx.account()).await.map_err(store_failure)?;
    let evaluating = store.rules_evaluating(ctx.account()).await.map_err(store_failure)?;
    let counts = store.count_results(ctx.account(), &[], now_ms()).await.map_err(store_failure)?;
    let mut items = Vec::new();
    for rule in &rules {
        let own: Vec<_> = counts.iter().filter(|c| c.rule_id == rule.rule_id).cloned().collect();
        let compliance = compliance_of(&own);
        let summary = rule_summary(rule, evaluating.contains(&rule.rule_id), compliance.clone());
        let state = summary["ConfigRuleState"].as_str().unwrap_or_default();
        let keep = state_filter.is_none_or(|s| s == state)
            && compliance_filter.is_none_or(|c| c == compliance.0)
            && name_filter.is_none_or(|n| rule.name.contains(n))
            && risk.is_none_or(|r| r == rule.risk_level)
            && pack.is_none_or(|id| rule.pack_id() == Some(id))
            && (types.is_empty() || resource_types(rule).iter().any(|t| types.contains(t)))
            && keyword.as_ref().is_none_or(|k| {
                [&rule.rule_id, &rule.name, &rule.description, &rule.source_identifier]
                    .iter()
                    .any(|f| f.to_lowercase().contains(k.as_str()))
            });
        if keep {
            items.push(summary);
        }
    }
    let total = items.len();
    let page: Vec<Value> = paging.slice(items);
    reply(&json!({"ConfigRules": {
        "ConfigRuleList": page, "PageNumber": paging.number, "PageSize": paging.size, "TotalCount": total
    }}))
}

/// The ids of a batch action: `ConfigRuleIds` (comma-separated, at most 20).
pub(crate) fn rule_ids(ctx: &CallContext<'_>) -> Result<Vec<String>, ApiError> {
    let ids = ctx.params.string_list("ConfigRuleIds")?;
    if ids.is_empty() {
        return Err(ApiError::missing_parameter("ConfigRuleIds"));
    }
    if ids.len() > 20 {
        return Err(ApiError::with_message(
            ErrorCode::InvalidConfigRuleIdsSizeExceed,
            format!("The maximum number of ConfigRuleIds cannot exceed 20: {} were given.", ids.len()),
        ));
    }
    Ok(ids)
}

/// One item of an `OperateRuleResult` list.
pub(crate) fn item(rule_id: &str, error: Option<ErrorCode>) -> Value {
    json!({"ConfigRuleId": rule_id, "ErrorCode": error.map_or("", |e| e.code()), "Success": error.is_none()})
}

/// The `OperateRuleResult` answer of the batch rule actions.
pub(crate) fn operate_result(items: Vec<Value>) -> ActionResult {
    reply(&json!({"OperateRuleResult": {"OperateRuleItemList": items}}))
}

/// `DeleteConfigRules`: per-item results; rules a compliance pack created cannot be deleted
/// on their own.
pub(crate) async fn delete_config_rules(ctx: &CallContext<'_>) -> ActionResult {
    let mut items = Vec::new();
    for id in rule_ids(ctx)? {
        let outcome = match ctx.store().get_rule(ctx.account(), &id).await.map_err(store_failure)? {
            None => Some(ErrorCode::ConfigRuleNotExists),
            Some(rule) if rule.created_by.is_some() => Some(ErrorCode::ConfigRuleCanNotDelete),
            Some(_) => match ctx.store().delete_rule(ctx.account(), &id).await {
                Ok(()) => None,
                Err(StoreError::NotFound(_)) => Some(ErrorCode::ConfigRuleNotExists),
                Err(e) => return Err(store_failure(e)),
            },
        };
        items.push(item(&id, outcome));
    }
    operate_result(items)
}

/// The rules a batch state change applies to: `ConfigRuleIds`, or every rule of
/// `CompliancePackId`.
async fn target_rules(ctx: &CallContext<'_>) -> Result<Vec<String>, ApiError> {
    if let Some(pack) = ctx.params.optional("CompliancePackId") {
        load_pack(ctx, pack).await?;
        if ctx.params.raw("ConfigRuleIds").is_none() {
            return Ok(pack_rules(ctx, pack).await?.into_iter().map(|r| r.rule_id).collect());
        }
    }
    rule_ids(ctx)
}

async fn set_state(ctx: &CallContext<'_>, active: bool) -> ActionResult {
    let (from, to, wrong) = if active {
        ("INACTIVE", "ACTIVE", ErrorCode::ConfigRuleStatusNotInActive)
    } else {
        ("ACTIVE", "INACTIVE", ErrorCode::ConfigRuleStatusNotActive)
    };
    let mut items = Vec::new();
    for id in target_rules(ctx).await? {
        items.push(item(&id, set_one_state(ctx, &id, active, (from, to, wrong)).await?));
    }
    operate_result(items)
}

/// Moves one rule from `from` to `to`; the per-item error code, if any.
async fn set_one_state(
    ctx: &CallContext<'_>,
    id: &str,
    active: bool,
    (from, to, wrong): (&str, &str, ErrorCode),
) -> Result<Option<ErrorCode>, ApiError> {
    for attempt in 1..=UPDATE_ATTEMPTS {
        let Some(mut rule) = ctx.store().get_rule(ctx.account(), id).await.map_err(store_failure)? else {
            return Ok(Some(ErrorCode::ConfigRuleNotExists));
        };
        if rule.state != from {
            return Ok(Some(wrong));
        }
        let now = now_ms();
        to.clone_into(&mut rule.state);
        rule.modified_ms = now;
        if active {
            rule.status.first_activated_ms.get_or_insert(now);
        }
        let due = if active { next_due(&rule.trigger_types, &rule.maximum_execution_frequency, now) } else { None };
        match ctx.store().update_rule(&rule, due).await {
            Ok(()) => {}
            Err(StoreError::Changed(_)) if attempt < UPDATE_ATTEMPTS => continue,
            Err(StoreError::NotFound(_)) => return Ok(Some(ErrorCode::ConfigRuleNotExists)),
            Err(e) => return Err(store_failure(e)),
        }
        if active {
            schedule_evaluation(ctx, id, first_message_type(&rule), false).await?;
        }
        return Ok(None);
    }
    Err(store_failure(StoreError::Changed(format!("rule {id}"))))
}

/// `ActiveConfigRules`: INACTIVE → ACTIVE, evaluated at once.
pub(crate) async fn active_config_rules(ctx: &CallContext<'_>) -> ActionResult {
    set_state(ctx, true).await
}

/// `DeactiveConfigRules`: ACTIVE → INACTIVE; past results stay visible.
pub(crate) async fn deactive_config_rules(ctx: &CallContext<'_>) -> ActionResult {
    set_state(ctx, false).await
}

/// `StartConfigRuleEvaluation`: a whole-scope evaluation of one rule, or of every rule of a
/// pack. `RevertEvaluation=true` also lifts ignores.
pub(crate) async fn start_config_rule_evaluation(ctx: &CallContext<'_>) -> ActionResult {
    let revert = ctx.params.bool("RevertEvaluation")?.unwrap_or(false);
    let ids = match ctx.params.optional("ConfigRuleId") {
        Some(id) => {
            let rule = load_rule(ctx, id).await?;
            if rule.state == "INACTIVE" {
                return Err(ApiError::with_message(
                    ErrorCode::ConfigRuleStatusNotActive,
                    format!("The status of the config rule is not active: activate {id} before evaluating it."),
                ));
            }
            vec![rule.rule_id]
        }
        None if ctx.params.optional("CompliancePackId").is_some() => target_rules(ctx).await?,
        None => return Err(ApiError::missing_parameter("ConfigRuleId")),
    };
    for id in &ids {
        schedule_evaluation(ctx, id, "Manual", revert).await?;
    }
    reply(&json!({"Result": true}))
}

/// Tags of a rule in the `Tags[{Key, Value}]` shape ListConfigRules uses.
pub(crate) fn key_value_tags(tags: &[TagPair]) -> Vec<Value> {
    tags.iter().map(|t| json!({"Key": t.tag_key, "Value": t.tag_value})).collect()
}

/// Refuses with `code` when adding `adding` rules (and removing `removing`) would take the
/// account past its rule quota.
pub(crate) async fn ensure_rule_room(
    ctx: &CallContext<'_>,
    adding: usize,
    removing: usize,
    code: ErrorCode,
) -> Result<(), ApiError> {
    if adding == 0 {
        return Ok(());
    }
    let limit = ctx.limits().rules_per_account;
    let have = ctx.store().list_rules(ctx.account()).await.map_err(store_failure)?.len();
    if have.saturating_sub(removing) + adding > limit {
        return Err(ApiError::with_message(
            code,
            format!(
                "The maximum number of config rules is exceeded: your account has {have} of at most {limit}, and this request adds {adding}."
            ),
        ));
    }
    Ok(())
}
