//! Compliance-pack actions: create (from `ConfigRules`, a template id or `TemplateContent`),
//! read, list, delete, and the pack-level compliance counters.
//!
//! A pack's rules are the account's rules whose `CreateBy` names the pack; the rules a pack
//! creates are named `{pack name}-{rule name}`, take the pack's scope, and cannot be deleted
//! on their own. Deleting a pack deletes its rules unless `DeleteRule=false`, which keeps them
//! as ordinary rules.

use std::collections::{BTreeMap, BTreeSet};

use confpack_model::ids::hex_id;
use confpack_model::rule::{VERDICT_ORDER, active_pack_rule_ids};
use confpack_model::{CompliancePack, ConfigRule, CreatedBy, ReportKind, RuleScope};
use confpack_protocol::{ApiError, ErrorCode};
use confpack_rules::templates::templates;
use confpack_store::{ResultCount, StoreError};
use serde_json::{Value, json};

use super::paging::PageRequest;
use super::rule_input::{apply_scope, request_tags, validate};
use super::rule_view::{csv, scope_fields, tag_pairs};
use super::rules::{ensure_rule_room, item, operate_result, rule_ids, schedule_evaluation};
use super::{ActionResult, CallContext, idempotency, now_ms, reply, store_failure};
use crate::evaluation::compile::{ALIYUN, resource_types};
use crate::evaluation::worker::{CHANGE_TRIGGER, next_due};
use crate::pack_plan::{
    RuleRequest, invalid_rules, new_pack_rule, rules_from_content, rules_from_items, rules_from_template,
};

/// A pack's scope from the request (resource types stay each rule's own).
fn pack_scope(ctx: &CallContext<'_>) -> Result<RuleScope, ApiError> {
    let mut scope = RuleScope::default();
    apply_scope(ctx.params, &mut scope)?;
    scope.resource_types.clear();
    Ok(scope)
}

fn pack_not_found() -> ApiError {
    ApiError::new(ErrorCode::InvalidCompliancePackIdValue)
}

/// The caller's pack, or `Invalid.CompliancePackId.Value`.
pub(crate) async fn load_pack(ctx: &CallContext<'_>, pack_id: &str) -> Result<CompliancePack, ApiError> {
    ctx.store().get_pack(ctx.account(), pack_id).await.map_err(store_failure)?.ok_or_else(pack_not_found)
}

/// The rules of a pack.
pub(crate) async fn pack_rules(ctx: &CallContext<'_>, pack_id: &str) -> Result<Vec<ConfigRule>, ApiError> {
    let rules = ctx.store().list_rules(ctx.account()).await.map_err(store_failure)?;
    Ok(rules.into_iter().filter(|r| r.pack_id() == Some(pack_id)).collect())
}

/// Creates the pack's new rules (or adopts existing ones); on failure, removes what it made.
async fn create_rules(
    ctx: &CallContext<'_>,
    pack: &CompliancePack,
    requests: Vec<RuleRequest>,
    enabled: bool,
) -> Result<(), ApiError> {
    let mut made: Vec<String> = Vec::new();
    let outcome = async {
        for request in requests {
            let created_by =
                CreatedBy { compliance_pack_id: pack.pack_id.clone(), compliance_pack_name: pack.name.clone() };
            if let Some(id) = request.existing {
                let mut rule = ctx
                    .store()
                    .get_rule(ctx.account(), &id)
                    .await
                    .map_err(store_failure)?
                    .ok_or_else(|| invalid_rules(format!("rule {id} does not exist")))?;
                if rule.created_by.is_some() {
                    return Err(invalid_rules(format!("rule {id} belongs to a compliance pack already")));
                }
                rule.created_by = Some(created_by);
                let due = next_due(&rule.trigger_types, &rule.maximum_execution_frequency, now_ms());
                ctx.store().update_rule(&rule, due).await.map_err(store_failure)?;
                continue;
            }
            let now = now_ms();
            let rule = new_pack_rule(ctx.account(), pack, request, enabled, now)?;
            let due =
                if enabled { next_due(&rule.trigger_types, &rule.maximum_execution_frequency, now) } else { None };
            ctx.store().create_rule(&rule, due).await.map_err(|e| match e {
                StoreError::Conflict(_) => {
                    invalid_rules(format!("your account has a rule named {:?} already", rule.name))
                }
                other => store_failure(other),
            })?;
            made.push(rule.rule_id.clone());
            if enabled {
                schedule_evaluation(ctx, &rule.rule_id, CHANGE_TRIGGER, false).await?;
            }
        }
        Ok(())
    }
    .await;
    if outcome.is_err() {
        for id in &made {
            let _ = ctx.store().delete_rule(ctx.account(), id).await;
        }
    }
    outcome
}

/// `CreateCompliancePack`.
pub(crate) async fn create_compliance_pack(ctx: &CallContext<'_>) -> ActionResult {
    idempotency::once(ctx, "CreateCompliancePack", async || {
        let p = ctx.params;
        let mut name = p.optional("CompliancePackName").map(str::to_owned);
        let mut description = p.optional("Description").unwrap_or_default().to_owned();
        let mut risk_level = p.int_in("RiskLevel", 1, 3)?;
        let template_id = p.optional("CompliancePackTemplateId").unwrap_or_default().to_owned();
        let mut unimplemented = Vec::new();
        // SDKs send an empty `ConfigRules` list along with a template id: only a non-empty one
        // counts as the pack's rules.
        let items = p.object_list("ConfigRules")?;
        let requests = if let Some(content) = p.optional("TemplateContent") {
            let file = rules_from_content(content)?;
            name = file.name.or(name);
            if let Some(d) = file.description {
                description = d;
            }
            risk_level = file.risk_level.or(risk_level);
            file.rules
        } else if !items.is_empty() {
            rules_from_items(&items)?
        } else if !template_id.is_empty() {
            let template = templates().get(&template_id).ok_or_else(|| {
                ApiError::with_message(
                    ErrorCode::InvalidCompliancePackTemplateIdValue,
                    format!("The specified CompliancePackTemplateId does not exist: {template_id:?} (see ListCompliancePackTemplates)."),
                )
            })?;
            let (rules, missing) = rules_from_template(template);
            unimplemented = missing;
            if description.is_empty() {
                description.clone_from(&template.description);
            }
            rules
        } else {
            return Err(ApiError::new(ErrorCode::InvalidConfigRulesEmpty));
        };
        if requests.is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidConfigRulesEmpty));
        }
        let name = name.ok_or_else(|| ApiError::missing_parameter("CompliancePackName"))?;
        if name.trim().is_empty() || name.chars().count() > 128 {
            return Err(ApiError::with_message(
                ErrorCode::InvalidCompliancePackNameValue,
                "The specified CompliancePackName is invalid: it must have 1 to 128 characters.",
            ));
        }
        let enabled = p.bool("DefaultEnable")?.unwrap_or(true);
        let limit = ctx.limits().packs_per_account;
        if ctx.store().list_packs(ctx.account()).await.map_err(store_failure)?.len() >= limit {
            return Err(ApiError::with_message(
                ErrorCode::CompliancePackExceedMaxCount,
                format!("The maximum number of compliance pack is exceeded: your account may have at most {limit}."),
            ));
        }
        let adding = requests.iter().filter(|r| r.existing.is_none()).count();
        ensure_rule_room(ctx, adding, 0, ErrorCode::ConfigRuleExceedMaxRuleCount).await?;
        let mut pack = CompliancePack {
            account_id: ctx.account(),
            pack_id: hex_id("cp", 20),
            name,
            description,
            risk_level: risk_level.unwrap_or(2),
            template_id,
            status: "CREATING".to_owned(),
            scope: pack_scope(ctx)?,
            tags: request_tags(ctx.params)?.unwrap_or_default(),
            created_ms: now_ms(),
            unimplemented_rules: unimplemented,
        };
        ctx.store().create_pack(&pack).await.map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::with_message(
                ErrorCode::CompliancePackExists,
                format!("The compliance pack already exists: your account has a pack named {:?}.", pack.name),
            ),
            other => store_failure(other),
        })?;
        if let Err(e) = create_rules(ctx, &pack, requests, enabled).await {
            let _ = ctx.store().delete_pack(ctx.account(), &pack.pack_id).await;
            return Err(e);
        }
        // Its rules exist and their first evaluations are scheduled.
        "ACTIVE".clone_into(&mut pack.status);
        ctx.store().update_pack(&pack).await.map_err(store_failure)?;
        reply(&json!({"CompliancePackId": pack.pack_id}))
    })
    .await
}

/// The pack in the console's export format (the format `TemplateContent` reads back).
fn template_content(pack: &CompliancePack, rules: &[ConfigRule]) -> String {
    let prefix = format!("{}-", pack.name);
    let items: Vec<Value> = rules
        .iter()
        .filter(|r| r.source_owner == ALIYUN)
        .map(|r| {
            json!({
                "managedRuleIdentifier": r.source_identifier,
                "configRuleName": r.name.strip_prefix(&prefix).unwrap_or(&r.name),
                "description": r.description,
                "riskLevel": r.risk_level,
                "inputParameters": r.input_parameters,
            })
        })
        .collect();
    json!({
        "compliancePackTemplate": {"compliancePackName": pack.name, "description": pack.description, "riskLevel": pack.risk_level},
        "configRuleTemplates": items,
    })
    .to_string()
}

/// compliant / (compliant + non-compliant) rule-resource pairs; `None` when none decided.
fn score(counts: &[ResultCount]) -> Option<f64> {
    let n = |t: &str| counts.iter().filter(|c| c.compliance_type == t).map(|c| c.count).sum::<i64>();
    let (c, nc) = (n("COMPLIANT"), n("NON_COMPLIANT"));
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    (c + nc > 0).then(|| c as f64 / (c + nc) as f64)
}

/// `GetCompliancePack`, with the extension field `ComplianceScore` (see [`score`]; absent
/// before anything was decided) and `UnimplementedRules` (template rules the catalogue lacks).
pub(crate) async fn get_compliance_pack(ctx: &CallContext<'_>) -> ActionResult {
    let pack = load_pack(ctx, ctx.params.required("CompliancePackId")?).await?;
    let rules = pack_rules(ctx, &pack.pack_id).await?;
    let ids: Vec<String> = rules.iter().map(|r| r.rule_id.clone()).collect();
    let counts = counts_of(ctx, &ids).await?;
    let rule_items: Vec<Value> = rules
        .iter()
        .map(|r| {
            let managed = confpack_rules::catalogue().get(&r.source_identifier);
            let parameters: Vec<Value> = managed
                .map(|m| {
                    m.spec
                        .parameters
                        .iter()
                        .map(|p| {
                            let value = r
                                .input_parameters
                                .get(&p.name)
                                .cloned()
                                .or_else(|| p.default.clone())
                                .unwrap_or_default();
                            json!({"ParameterName": p.name, "ParameterValue": value, "Required": p.required})
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "ConfigRuleId": r.rule_id,
                "ConfigRuleName": r.name,
                "ConfigRuleParameters": parameters,
                "Description": r.description,
                "ManagedRuleIdentifier": if r.source_owner == ALIYUN { r.source_identifier.as_str() } else { "" },
                "ResourceTypesScope": csv(&resource_types(r)),
                "RiskLevel": r.risk_level,
            })
        })
        .collect();
    let mut body = json!({
        "AccountId": ctx.account().get(),
        "CompliancePackId": pack.pack_id,
        "CompliancePackName": pack.name,
        "CompliancePackTemplateId": pack.template_id,
        "ConfigRules": rule_items,
        "CreateTimestamp": pack.created_ms,
        "Description": pack.description,
        "RiskLevel": pack.risk_level,
        "Scope": scope_fields(&pack.scope),
        "Status": pack.status,
        "Tags": tag_pairs(&pack.tags),
        "TemplateContent": template_content(&pack, &rules),
        "UnimplementedRules": pack.unimplemented_rules,
    });
    if let (Some(s), Some(obj)) = (score(&counts), body.as_object_mut()) {
        obj.insert("ComplianceScore".to_owned(), json!(s));
    }
    reply(&json!({ "CompliancePack": body }))
}

/// `ListCompliancePacks`: filters `Status`, `RiskLevel`; PageNumber/PageSize paging.
pub(crate) async fn list_compliance_packs(ctx: &CallContext<'_>) -> ActionResult {
    let p = ctx.params;
    let paging = PageRequest::from_params(p)?;
    let status = p.optional("Status");
    if let Some(s) = status.filter(|s| !["ACTIVE", "CREATING"].contains(s)) {
        return Err(ApiError::invalid_parameter("Status", format!("{s:?} is not ACTIVE or CREATING")));
    }
    let risk = p.int_in("RiskLevel", 1, 3)?;
    let packs: Vec<CompliancePack> = ctx
        .store()
        .list_packs(ctx.account())
        .await
        .map_err(store_failure)?
        .into_iter()
        .filter(|pack| status.is_none_or(|s| s == pack.status) && risk.is_none_or(|r| r == pack.risk_level))
        .collect();
    let page: Vec<Value> = paging
        .slice(packs.iter())
        .into_iter()
        .map(|pack| {
            json!({
                "AccountId": pack.account_id.get(),
                "CompliancePackId": pack.pack_id,
                "CompliancePackName": pack.name,
                "CompliancePackTemplateId": pack.template_id,
                "CreateTimestamp": pack.created_ms,
                "Description": pack.description,
                "RiskLevel": pack.risk_level,
                "Status": pack.status,
                "Tags": tag_pairs(&pack.tags),
            })
        })
        .collect();
    reply(&json!({"CompliancePacksResult": {
        "CompliancePacks": page, "PageNumber": paging.number, "PageSize": paging.size, "TotalCount": packs.len()
    }}))
}

/// `DeleteCompliancePacks`: at most 5 ids; per-item results. The pack's rules are deleted
/// with it unless `DeleteRule=false`, which keeps them as ordinary rules.
pub(crate) async fn delete_compliance_packs(ctx: &CallContext<'_>) -> ActionResult {
    idempotency::once(ctx, "DeleteCompliancePacks", async || {
        let ids = ctx.params.string_list("CompliancePackIds")?;
        if ids.is_empty() {
            return Err(ApiError::missing_parameter("CompliancePackIds"));
        }
        if ids.len() > 5 {
            return Err(ApiError::new(ErrorCode::InvalidCompliancePackIdsSizeExceed));
        }
        let delete_rules = ctx.params.bool("DeleteRule")?.unwrap_or(true);
        let mut items = Vec::new();
        for id in ids {
            if ctx.store().get_pack(ctx.account(), &id).await.map_err(store_failure)?.is_none() {
                items.push(json!({"CompliancePackId": id, "ErrorCode": ErrorCode::InvalidCompliancePackIdValue.code(), "Success": false}));
                continue;
            }
            for mut rule in pack_rules(ctx, &id).await? {
                let outcome = if delete_rules {
                    ctx.store().delete_rule(ctx.account(), &rule.rule_id).await
                } else {
                    rule.created_by = None;
                    let due = next_due(&rule.trigger_types, &rule.maximum_execution_frequency, now_ms());
                    ctx.store().update_rule(&rule, due).await
                };
                match outcome {
                    Ok(()) | Err(StoreError::NotFound(_)) => {}
                    Err(e) => return Err(store_failure(e)),
                }
            }
            match ctx.store().delete_pack(ctx.account(), &id).await {
                Ok(()) | Err(StoreError::NotFound(_)) => {}
                Err(e) => return Err(store_failure(e)),
            }
            delete_pack_reports(ctx, &id).await?;
            items.push(json!({"CompliancePackId": id, "ErrorCode": "", "Success": true}));
        }
        reply(&json!({"OperateCompliancePacksResult": {"OperateCompliancePacks": items}}))
    })
    .await
}

/// Deletes a deleted pack's reports and their files (a report being generated fails, as
/// its pack is gone).
async fn delete_pack_reports(ctx: &CallContext<'_>, pack_id: &str) -> Result<(), ApiError> {
    let account = ctx.account();
    let gone = ctx.store().delete_reports_of(account, ReportKind::Pack, pack_id).await.map_err(store_failure)?;
    for report_id in gone {
        let prefix = crate::reporting::object_prefix(account.get(), &report_id);
        if let Err(e) = ctx.state.reports().objects.delete_prefix(&prefix).await {
            tracing::warn!(%report_id, error = %e, "cannot delete a deleted pack's report files");
        }
    }
    Ok(())
}

/// A rule's verdict for the pack counters: the first of [`VERDICT_ORDER`] among its results;
/// INSUFFICIENT_DATA before any.
fn rule_verdict(counts: &[ResultCount], rule_id: &str) -> &'static str {
    confpack_model::rule::rule_verdict(|t| {
        counts.iter().filter(|c| c.rule_id == rule_id && c.compliance_type == t).map(|c| c.count).sum()
    })
}

/// Result counts of the rules `ids` (none for no rule: the store reads an empty list as
/// every rule of the account).
async fn counts_of(ctx: &CallContext<'_>, ids: &[String]) -> Result<Vec<ResultCount>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    ctx.store().count_results(ctx.account(), ids, now_ms()).await.map_err(store_failure)
}

fn tally(verdicts: impl Iterator<Item = &'static str>) -> BTreeMap<&'static str, usize> {
    let mut by_type = BTreeMap::new();
    for v in verdicts {
        *by_type.entry(v).or_insert(0) += 1;
    }
    by_type
}

fn counters(by_type: &BTreeMap<&'static str, usize>, total: usize) -> Value {
    let n = |t: &str| by_type.get(t).copied().unwrap_or(0);
    json!({
        "CompliantCount": n("COMPLIANT"),
        "IgnoredCount": n("IGNORED"),
        "InsufficientDataCount": n("INSUFFICIENT_DATA"),
        "NonCompliantCount": n("NON_COMPLIANT"),
        "NotApplicableCount": n("NOT_APPLICABLE"),
        "TotalCount": total,
    })
}

/// `GetConfigRuleComplianceByPack`: the pack's active rules, each with its verdict (see
/// [`rule_verdict`]), and the counts of rules per verdict.
pub(crate) async fn get_config_rule_compliance_by_pack(ctx: &CallContext<'_>) -> ActionResult {
    let pack = load_pack(ctx, ctx.params.required("CompliancePackId")?).await?;
    let rules: Vec<ConfigRule> =
        pack_rules(ctx, &pack.pack_id).await?.into_iter().filter(|r| r.state == "ACTIVE").collect();
    let ids: Vec<String> = rules.iter().map(|r| r.rule_id.clone()).collect();
    let counts = counts_of(ctx, &ids).await?;
    let items: Vec<Value> = rules
        .iter()
        .map(|r| json!({"ComplianceType": rule_verdict(&counts, &r.rule_id), "ConfigRuleId": r.rule_id, "ConfigRuleName": r.name}))
        .collect();
    let mut result = counters(&tally(rules.iter().map(|r| rule_verdict(&counts, &r.rule_id))), rules.len());
    if let Some(obj) = result.as_object_mut() {
        obj.insert("CompliancePackId".to_owned(), json!(pack.pack_id));
        obj.insert("ConfigRuleCompliances".to_owned(), json!(items));
    }
    reply(&json!({ "ConfigRuleComplianceResult": result }))
}

/// `GetResourceComplianceByPack`: the resources the pack's active rules evaluated, each
/// counted once under its worst verdict (NON_COMPLIANT, COMPLIANT, INSUFFICIENT_DATA,
/// NOT_APPLICABLE, IGNORED in that order).
pub(crate) async fn get_resource_compliance_by_pack(ctx: &CallContext<'_>) -> ActionResult {
    let pack = load_pack(ctx, ctx.params.required("CompliancePackId")?).await?;
    let rules = ctx.store().list_rules(ctx.account()).await.map_err(store_failure)?;
    let ids = active_pack_rule_ids(&rules, &pack.pack_id);
    // The store keeps the counts as a snapshot per pack, taken again only when a result of
    // the pack's rules has changed (the evaluation worker takes it after each evaluation).
    let counts =
        ctx.store().pack_resource_counts(ctx.account(), &pack.pack_id, &ids, now_ms()).await.map_err(store_failure)?;
    let total = usize::try_from(counts.iter().map(|(_, n)| n).sum::<i64>()).unwrap_or(0);
    let by_type: BTreeMap<&'static str, usize> = counts
        .iter()
        .filter_map(|(verdict, n)| {
            let name = VERDICT_ORDER.into_iter().find(|t| t == verdict)?;
            Some((name, usize::try_from(*n).unwrap_or(0)))
        })
        .collect();
    let mut result = counters(&by_type, total);
    if let Some(obj) = result.as_object_mut() {
        obj.insert("CompliancePackId".to_owned(), json!(pack.pack_id));
    }
    reply(&json!({ "ResourceComplianceResult": result }))
}

/// Gives a pack's scope to one of its rules (the rule keeps its resource types) and saves
/// it; the rule is then evaluated again.
async fn apply_pack_to_rule(
    ctx: &CallContext<'_>,
    pack: &CompliancePack,
    mut rule: ConfigRule,
) -> Result<(), ApiError> {
    let types = std::mem::take(&mut rule.scope.resource_types);
    rule.scope = pack.scope.clone();
    rule.scope.resource_types = types;
    rule.created_by =
        Some(CreatedBy { compliance_pack_id: pack.pack_id.clone(), compliance_pack_name: pack.name.clone() });
    rule.modified_ms = now_ms();
    let due = next_due(&rule.trigger_types, &rule.maximum_execution_frequency, rule.modified_ms);
    ctx.store().update_rule(&rule, due).await.map_err(store_failure)?;
    if rule.state == "ACTIVE" {
        schedule_evaluation(ctx, &rule.rule_id, CHANGE_TRIGGER, false).await?;
    }
    Ok(())
}

/// `UpdateCompliancePack`: the fields given replace the pack's. A scope change passes to
/// every rule of the pack (which is evaluated again); `ConfigRules`, when given and not
/// empty, replaces the pack's rule set: rules named by id or by managed identifier stay
/// (with the parameters and risk level given), new identifiers get new rules, and the
/// pack's other rules are deleted.
pub(crate) async fn update_compliance_pack(ctx: &CallContext<'_>) -> ActionResult {
    idempotency::once(ctx, "UpdateCompliancePack", async || {
        let p = ctx.params;
        let mut pack = load_pack(ctx, p.required("CompliancePackId")?).await?;
        if let Some(name) = p.optional("CompliancePackName") {
            if name.trim().is_empty() || name.chars().count() > 128 {
                return Err(ApiError::with_message(
                    ErrorCode::InvalidCompliancePackNameValue,
                    "The specified CompliancePackName is invalid: it must have 1 to 128 characters.",
                ));
            }
            name.clone_into(&mut pack.name);
        }
        if let Some(d) = p.optional("Description") {
            d.clone_into(&mut pack.description);
        }
        if let Some(level) = p.int_in("RiskLevel", 1, 3)? {
            pack.risk_level = level;
        }
        let old_scope = pack.scope.clone();
        apply_scope(p, &mut pack.scope)?;
        pack.scope.resource_types.clear();
        if let Some(tags) = request_tags(ctx.params)? {
            pack.tags = tags;
        }
        let requests = rules_from_items(&p.object_list("ConfigRules")?)?;
        let current = pack_rules(ctx, &pack.pack_id).await?;
        // A new rule set is checked whole before anything changes.
        let replacing = !requests.is_empty();
        let mut fresh = Vec::new();
        let mut kept = Vec::new();
        for request in requests {
            let found = current.iter().find(|r| {
                request.existing.as_deref() == Some(r.rule_id.as_str())
                    || (request.existing.is_none() && r.source_identifier == request.identifier)
            });
            match found {
                Some(rule) => {
                    let mut rule = rule.clone();
                    if !request.parameters.is_empty() {
                        rule.input_parameters = request.parameters;
                    }
                    if let Some(level) = request.risk_level {
                        rule.risk_level = level;
                    }
                    validate(&rule).map_err(|e| invalid_rules(e.message))?;
                    kept.push(rule);
                }
                None => fresh.push(request),
            }
        }
        let kept_ids: BTreeSet<String> = kept.iter().map(|r| r.rule_id.clone()).collect();
        if replacing {
            let removing = current.len() - kept_ids.len();
            ensure_rule_room(ctx, fresh.len(), removing, ErrorCode::ConfigRuleExceedMaxRuleCount).await?;
        }
        ctx.store().update_pack(&pack).await.map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::with_message(
                ErrorCode::CompliancePackExists,
                format!("The compliance pack already exists: your account has a pack named {:?}.", pack.name),
            ),
            other => store_failure(other),
        })?;
        if replacing {
            for rule in kept {
                apply_pack_to_rule(ctx, &pack, rule).await?;
            }
            for rule in current.iter().filter(|r| !kept_ids.contains(&r.rule_id)) {
                match ctx.store().delete_rule(ctx.account(), &rule.rule_id).await {
                    Ok(()) | Err(StoreError::NotFound(_)) => {}
                    Err(e) => return Err(store_failure(e)),
                }
            }
            create_rules(ctx, &pack, fresh, true).await?;
        } else {
            for rule in current {
                let stale_name = rule.created_by.as_ref().is_some_and(|c| c.compliance_pack_name != pack.name);
                if pack.scope != old_scope || stale_name {
                    apply_pack_to_rule(ctx, &pack, rule).await?;
                }
            }
        }
        reply(&json!({"CompliancePackId": pack.pack_id}))
    })
    .await
}

/// `AttachConfigRuleToCompliancePack`: rules join the pack (and take its scope); a rule of
/// another pack cannot (`ConfigRuleCanNotDelete`-style per-item code `Invalid.ConfigRules.Value`).
pub(crate) async fn attach_config_rule_to_compliance_pack(ctx: &CallContext<'_>) -> ActionResult {
    let pack = load_pack(ctx, ctx.params.required("CompliancePackId")?).await?;
    let mut items = Vec::new();
    for id in rule_ids(ctx)? {
        let outcome = match ctx.store().get_rule(ctx.account(), &id).await.map_err(store_failure)? {
            None => Some(ErrorCode::ConfigRuleNotExists),
            Some(rule) if rule.created_by.as_ref().is_some_and(|c| c.compliance_pack_id != pack.pack_id) => {
                Some(ErrorCode::InvalidConfigRulesValue)
            }
            Some(rule) => {
                apply_pack_to_rule(ctx, &pack, rule).await?;
                None
            }
        };
        items.push(item(&id, outcome));
    }
    operate_result(items)
}

/// `DetachConfigRuleToCompliancePack`: rules leave the pack and become ordinary rules.
pub(crate) async fn detach_config_rule_to_compliance_pack(ctx: &CallContext<'_>) -> ActionResult {
    let pack = load_pack(ctx, ctx.params.required("CompliancePackId")?).await?;
    let mut items = Vec::new();
    for id in rule_ids(ctx)? {
        let outcome = match ctx.store().get_rule(ctx.account(), &id).await.map_err(store_failure)? {
            Some(mut rule) if rule.pack_id() == Some(pack.pack_id.as_str()) => {
                rule.created_by = None;
                let due = next_due(&rule.trigger_types, &rule.maximum_execution_frequency, now_ms());
                ctx.store().update_rule(&rule, due).await.map_err(store_failure)?;
                None
            }
            _ => Some(ErrorCode::ConfigRuleNotExists),
        };
        items.push(item(&id, outcome));
    }
    operate_result(items)
}
