//! Evaluation-result actions: listing results by rule and by resource, counters by rule,
//! by account and by risk level, ignoring and reverting results, the compliance timeline,
//! and PutEvaluations for CUSTOM_FC rules.

use std::collections::BTreeMap;

use confpack_model::{ResultWrite, StoredResult};
use confpack_protocol::{ApiError, ErrorCode};
use confpack_store::ResultQuery;
use serde_json::{Map, Value, json};

use super::packs::{load_pack, pack_rules};
use super::paging::{decode, encode, max_results};
use super::rule_view::rule_arn;
use super::rules::{load_rule, schedule_evaluation};
use super::{ActionResult, CallContext, now_ms, reply, store_failure};
use crate::evaluation::compile::CUSTOM_FC;

const COMPLIANCE_TYPES: &[&str] = &["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA", "IGNORED"];

fn compliance_filter(ctx: &CallContext<'_>) -> Result<Option<String>, ApiError> {
    match ctx.params.optional("ComplianceType") {
        Some(t) if !COMPLIANCE_TYPES.contains(&t) => {
            Err(ApiError::invalid_parameter("ComplianceType", format!("use one of {COMPLIANCE_TYPES:?}")))
        }
        other => Ok(other.map(str::to_owned)),
    }
}

/// Drops the fields of an object that are null (timestamps of events that did not happen).
fn without_nulls(mut value: Value) -> Value {
    if let Some(obj) = value.as_object_mut() {
        obj.retain(|_, v| !v.is_null());
    }
    value
}

fn result_item(account: i64, r: &StoredResult, rule_arn_of: &BTreeMap<String, String>) -> Value {
    let w = &r.write;
    without_nulls(json!({
        "Annotation": w.annotation,
        "ComplianceType": r.effective_type,
        "ConfigRuleInvokedTimestamp": w.invoked_ms,
        "EvaluationId": format!("{}-{}", w.rule_id, w.resource_id),
        "EvaluationResultIdentifier": {
            "EvaluationResultQualifier": {
                "CompliancePackId": "",
                "ConfigRuleArn": rule_arn_of.get(&w.rule_id).cloned().unwrap_or_default(),
                "ConfigRuleId": w.rule_id,
                "ConfigRuleName": w.rule_name,
                "IgnoreDate": r.ignore_date,
                "RegionId": w.region,
                "ResourceGroupId": w.resource_group_id,
                "ResourceId": w.resource_id,
                "ResourceName": w.resource_name,
                "ResourceOwnerId": account,
                "ResourceType": w.resource_type,
            },
            "OrderingTimestamp": w.ordering_ms,
        },
        "InvokingEventMessageType": w.message_type,
        "LastCompliantFixedTimestamp": r.last_compliant_fixed_ms,
        "LastNonCompliantRecordTimestamp": r.last_non_compliant_ms,
        "RemediationEnabled": false,
        "ResultRecordedTimestamp": r.recorded_ms,
        "RiskLevel": w.risk_level,
    }))
}

async fn arns(ctx: &CallContext<'_>) -> Result<BTreeMap<String, String>, ApiError> {
    let rules = ctx.store().list_rules(ctx.account()).await.map_err(store_failure)?;
    Ok(rules.iter().map(|r| (r.rule_id.clone(), rule_arn(r))).collect())
}

async fn page_of_results(ctx: &CallContext<'_>, mut query: ResultQuery) -> ActionResult {
    let limit = max_results(ctx.params, Some(10))?;
    query.limit = limit + 1;
    query.after = decode(ctx.params)?;
    let mut rows = ctx.store().list_results(ctx.account(), &query, now_ms()).await.map_err(store_failure)?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|r| encode(&(&r.write.rule_id, &r.write.resource_type, &r.write.resource_id)))
    } else {
        None
    };
    let arn_of = arns(ctx).await?;
    let list: Vec<Value> = rows.iter().map(|r| result_item(ctx.account().get(), r, &arn_of)).collect();
    let mut page = json!({"EvaluationResultList": list, "MaxResults": limit});
    if let (Some(token), Some(obj)) = (next, page.as_object_mut()) {
        obj.insert("NextToken".to_owned(), Value::String(token));
    }
    reply(&json!({ "EvaluationResults": page }))
}

/// `ListConfigRuleEvaluationResults`.
pub(crate) async fn list_config_rule_evaluation_results(ctx: &CallContext<'_>) -> ActionResult {
    let p = ctx.params;
    let mut rule_ids = Vec::new();
    if let Some(id) = p.optional("ConfigRuleId") {
        load_rule(ctx, id).await?;
        rule_ids.push(id.to_owned());
    }
    if let Some(pack) = p.optional("CompliancePackId") {
        load_pack(ctx, pack).await?;
        let of_pack: Vec<String> = pack_rules(ctx, pack).await?.into_iter().map(|r| r.rule_id).collect();
        rule_ids =
            if rule_ids.is_empty() { of_pack } else { rule_ids.into_iter().filter(|r| of_pack.contains(r)).collect() };
        if rule_ids.is_empty() {
            return reply(
                &json!({"EvaluationResults": {"EvaluationResultList": [], "MaxResults": max_results(p, Some(10))?}}),
            );
        }
    }
    let query = ResultQuery {
        rule_ids,
        compliance_type: compliance_filter(ctx)?,
        resource_types: p.string_list("ResourceTypes")?,
        regions: p.string_list("Regions")?,
        resource_group_ids: p.string_list("ResourceGroupIds")?,
        ..ResultQuery::default()
    };
    page_of_results(ctx, query).await
}

/// `ListResourceEvaluationResults`: every rule's result for one resource.
pub(crate) async fn list_resource_evaluation_results(ctx: &CallContext<'_>) -> ActionResult {
    let p = ctx.params;
    let query = ResultQuery {
        resource_id: Some(p.required("ResourceId")?.to_owned()),
        resource_types: p.optional("ResourceType").map(|t| vec![t.to_owned()]).unwrap_or_default(),
        regions: p.optional("Region").map(|r| vec![r.to_owned()]).unwrap_or_default(),
        compliance_type: compliance_filter(ctx)?,
        risk_level: p.int_in("RiskLevel", 1, 3)?,
        ..ResultQuery::default()
    };
    page_of_results(ctx, query).await
}

/// `GetResourceComplianceByConfigRule`: counts per compliance type for one rule.
pub(crate) async fn get_resource_compliance_by_config_rule(ctx: &CallContext<'_>) -> ActionResult {
    let rule = load_rule(ctx, ctx.params.required("ConfigRuleId")?).await?;
    let only = compliance_filter(ctx)?;
    let counts = ctx.store().count_results(ctx.account(), &[rule.rule_id], now_ms()).await.map_err(store_failure)?;
    let items: Vec<Value> = counts
        .iter()
        .filter(|c| only.as_ref().is_none_or(|t| *t == c.compliance_type))
        .map(|c| json!({"ComplianceType": c.compliance_type, "Count": c.count}))
        .collect();
    let total: i64 =
        counts.iter().filter(|c| only.as_ref().is_none_or(|t| *t == c.compliance_type)).map(|c| c.count).sum();
    reply(&json!({"ComplianceResult": {"Compliances": items, "TotalCount": total}}))
}

/// Per active rule: its id, its risk level, whether it has a NON_COMPLIANT result, and
/// whether it has a COMPLIANT one.
async fn rule_states(ctx: &CallContext<'_>) -> Result<Vec<(String, i64, bool, bool)>, ApiError> {
    let store = ctx.store();
    let rules = store.list_rules(ctx.account()).await.map_err(store_failure)?;
    let counts = store.count_results(ctx.account(), &[], now_ms()).await.map_err(store_failure)?;
    Ok(rules
        .iter()
        .filter(|r| r.state == "ACTIVE")
        .map(|r| {
            let has = |t: &str| counts.iter().any(|c| c.rule_id == r.rule_id && c.compliance_type == t && c.count > 0);
            (r.rule_id.clone(), r.risk_level, has("NON_COMPLIANT"), has("COMPLIANT"))
        })
        .collect())
}

/// `GetComplianceSummary`: the active rules and the resources they evaluated. A rule is
/// non-compliant when some resource is, compliant when it has compliant results and no
/// non-compliant one (a rule without decided results is neither); a resource is
/// non-compliant when some active rule finds it so, and counts under the highest risk level
/// among those rules.
pub(crate) async fn get_compliance_summary(ctx: &CallContext<'_>) -> ActionResult {
    let now = now_ms();
    let states = rule_states(ctx).await?;
    let rules_total = states.len();
    let rules_non = states.iter().filter(|s| s.2).count();
    let rules_compliant = states.iter().filter(|s| !s.2 && s.3).count();
    let active: Vec<String> = states.iter().map(|s| s.0.clone()).collect();
    let verdicts = if active.is_empty() {
        Vec::new()
    } else {
        ctx.store().resource_verdicts(ctx.account(), &active, now).await.map_err(store_failure)?
    };
    let mut resources: BTreeMap<(String, String), (bool, bool, i64)> = BTreeMap::new();
    for (t, id, verdict, risk) in verdicts {
        let entry = resources.entry((t, id)).or_insert((false, false, 4));
        match verdict.as_str() {
            "NON_COMPLIANT" => {
                entry.0 = true;
                entry.2 = entry.2.min(risk);
            }
            "COMPLIANT" => entry.1 = true,
            _ => {}
        }
    }
    let non: Vec<_> = resources.values().filter(|r| r.0).collect();
    let at = |level: i64| non.iter().filter(|r| r.2 == level).count();
    reply(&json!({"ComplianceSummary": {
        "ComplianceSummaryByConfigRule": {
            "ComplianceSummaryTimestamp": now,
            "CompliantCount": rules_compliant,
            "NonCompliantCount": rules_non,
            "TotalCount": rules_total,
        },
        "ComplianceSummaryByResource": {
            "ComplianceSummaryTimestamp": now,
            "CompliantCount": resources.values().filter(|r| !r.0 && r.1).count(),
            "HighRiskRuleNonCompliantResourceCount": at(1),
            "MediumRiskRuleNonCompliantResourceCount": at(2),
            "LowRiskRuleNonCompliantResourceCount": at(3),
            "NonCompliantCount": non.len(),
            "TotalCount": resources.len(),
        },
    }}))
}

/// `GetConfigRuleSummaryByRiskLevel`: per risk level, the active rules with non-compliant
/// resources, and those with compliant results only.
pub(crate) async fn get_config_rule_summary_by_risk_level(ctx: &CallContext<'_>) -> ActionResult {
    let states = rule_states(ctx).await?;
    let items: Vec<Value> = (1..=3)
        .map(|level| {
            let of: Vec<_> = states.iter().filter(|s| s.1 == level).collect();
            let non = of.iter().filter(|s| s.2).count();
            let compliant = of.iter().filter(|s| !s.2 && s.3).count();
            json!({"RiskLevel": level, "NonCompliantCount": non, "CompliantCount": compliant})
        })
        .collect();
    reply(&json!({ "ConfigRuleSummaries": items }))
}

/// `Resources` of Ignore/RevertEvaluationResults: `(type, id)` pairs, every field required.
fn resources(ctx: &CallContext<'_>) -> Result<Vec<(String, String)>, ApiError> {
    let items = ctx.params.object_list("Resources")?;
    if items.is_empty() {
        return Err(ApiError::missing_parameter("Resources"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |name: &str| -> Result<String, ApiError> {
                match item.get(name) {
                    Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                    Some(Value::Number(n)) => Ok(n.to_string()),
                    _ => Err(ApiError::missing_parameter(&format!("Resources.{}.{name}", i + 1))),
                }
            };
            let account = field("ResourceAccountId")?;
            if account != ctx.account().get().to_string() {
                return Err(ApiError::invalid_parameter(
                    &format!("Resources.{}.ResourceAccountId", i + 1),
                    "it must be your own account id",
                ));
            }
            field("Region")?;
            Ok((field("ResourceType")?, field("ResourceId")?))
        })
        .collect()
}

/// `IgnoreDate` as `yyyy-MM-dd`: the ignore ends when that day starts (UTC).
fn ignore_until(ctx: &CallContext<'_>) -> Result<(String, Option<i64>), ApiError> {
    let Some(date) = ctx.params.optional("IgnoreDate").filter(|d| !d.is_empty()) else {
        return Ok((String::new(), None));
    };
    let parsed =
        (date.len() == 10).then(|| confpack_rules::time::instant_ms(&Value::String(date.to_owned()))).flatten();
    match parsed {
        Some(ms) => Ok((date.to_owned(), Some(ms))),
        None => Err(ApiError::invalid_parameter("IgnoreDate", "use a date such as 2026-12-31")),
    }
}

/// `IgnoreEvaluationResults`: the results show as IGNORED until `IgnoreDate`.
pub(crate) async fn ignore_evaluation_results(ctx: &CallContext<'_>) -> ActionResult {
    let rule = load_rule(ctx, ctx.params.required("ConfigRuleId")?).await?;
    let targets = resources(ctx)?;
    let (date, until) = ignore_until(ctx)?;
    let reason = ctx.params.optional("Reason").unwrap_or_default().to_owned();
    ctx.store()
        .set_ignored(ctx.account(), &rule.rule_id, &targets, Some((reason, date, until)))
        .await
        .map_err(store_failure)?;
    Ok(Map::new())
}

/// `RevertEvaluationResults`: lifts ignores and re-evaluates the rule.
pub(crate) async fn revert_evaluation_results(ctx: &CallContext<'_>) -> ActionResult {
    let rule = load_rule(ctx, ctx.params.required("ConfigRuleId")?).await?;
    let targets = resources(ctx)?;
    ctx.store().set_ignored(ctx.account(), &rule.rule_id, &targets, None).await.map_err(store_failure)?;
    if rule.state == "ACTIVE" {
        schedule_evaluation(ctx, &rule.rule_id, "Manual", false).await?;
    }
    Ok(Map::new())
}

/// `GetResourceComplianceTimeline`: each change of the resource's compliance under a rule,
/// newest first.
pub(crate) async fn get_resource_compliance_timeline(ctx: &CallContext<'_>) -> ActionResult {
    let p = ctx.params;
    let (resource_type, resource_id, region) =
        (p.required("ResourceType")?, p.required("ResourceId")?, p.required("Region")?);
    let now = now_ms();
    let end = p.int_in("EndTime", 0, i64::MAX)?.unwrap_or(now);
    let start = p.int_in("StartTime", 0, i64::MAX)?.unwrap_or(end - 30 * 86_400_000);
    let limit = max_results(p, Some(10))?;
    let before: Option<i64> = decode(p)?;
    let changes = ctx
        .store()
        .compliance_changes(ctx.account(), resource_type, resource_id, (start, end), before, limit + 1)
        .await
        .map_err(store_failure)?;
    let resource = ctx.store().get_resource(ctx.account(), resource_type, resource_id).await.map_err(store_failure)?;
    // A resource lives in one region: asked for another, it has no timeline (and no page).
    let changes = if changes.iter().any(|c| c.region != region) { Vec::new() } else { changes };
    let shown = &changes[..changes.len().min(limit as usize)];
    let list: Vec<Value> = shown
        .iter()
        .map(|c| {
            let configuration = json!({
                "ComplianceType": c.new_type,
                "ConfigRuleList": [{"ConfigRuleId": c.rule_id, "ConfigRuleName": c.rule_name, "ComplianceType": c.new_type}],
            });
            let diff = json!({ c.rule_name.clone(): [c.old_type, c.new_type] });
            let r = resource.as_ref().map(|r| &r.record);
            without_nulls(json!({
                "AccountId": ctx.account().get().to_string(),
                "AvailabilityZone": r.map(|r| r.availability_zone.clone()).unwrap_or_default(),
                "CaptureTime": c.captured_ms,
                "Configuration": configuration.to_string(),
                "ConfigurationDiff": diff.to_string(),
                "Region": c.region,
                "ResourceCreateTime": r.and_then(|r| r.resource_creation_time),
                "ResourceId": c.resource_id,
                "ResourceName": r.map(|r| r.resource_name.clone()).unwrap_or_default(),
                "ResourceStatus": r.map(|r| r.resource_status.clone()).unwrap_or_default(),
                "ResourceType": c.resource_type,
                "Tags": r.map(|r| serde_json::to_string(&r.tags).unwrap_or_default()).unwrap_or_default(),
            }))
        })
        .collect();
    let mut timeline = json!({"ComplianceList": list, "MaxResults": limit});
    if changes.len() > limit as usize
        && let (Some(last), Some(obj)) = (shown.last(), timeline.as_object_mut())
    {
        obj.insert("NextToken".to_owned(), Value::String(encode(&last.seq)));
    }
    reply(&json!({ "ResourceComplianceTimeline": timeline }))
}

/// `PutEvaluations`: results of a CUSTOM_FC rule, addressed by the rule's ResultToken
/// (GetConfigRule returns it as the extension field `ResultToken`). `DeleteMode=true` also
/// removes the rule's results that this call does not repeat.
pub(crate) async fn put_evaluations(ctx: &CallContext<'_>) -> ActionResult {
    let token = ctx.params.required("ResultToken")?;
    let rules = ctx.store().list_rules(ctx.account()).await.map_err(store_failure)?;
    let Some(rule) = rules.into_iter().find(|r| r.source_owner == CUSTOM_FC && r.result_token == token) else {
        return Err(ApiError::with_message(
            ErrorCode::InvalidResultTokenValue,
            "The specified ResultToken is invalid: it is not the ResultToken of a CUSTOM_FC rule of your account (see GetConfigRule).",
        ));
    };
    let items: Vec<Value> = match ctx.params.optional("Evaluations") {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| ApiError::invalid_parameter("Evaluations", format!("not a JSON array: {e}")))?,
        None => Vec::new(),
    };
    let now = now_ms();
    let mut writes = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = |f: &str| format!("Evaluations[{i}].{f}");
        let text = |f: &str| item.get(f).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
        let need = |f: &str| text(f).ok_or_else(|| ApiError::invalid_parameter(&at(f), "it is required"));
        let compliance = need("complianceType")?;
        if !["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA"].contains(&compliance.as_str()) {
            return Err(ApiError::invalid_parameter(
                &at("complianceType"),
                "use COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE or INSUFFICIENT_DATA",
            ));
        }
        if let Some(account) = item.get("accountId").filter(|v| !v.is_null()) {
            let given = account.as_i64().map(|a| a.to_string()).or_else(|| account.as_str().map(str::to_owned));
            if given.as_deref() != Some(ctx.account().get().to_string().as_str()) {
                return Err(ApiError::invalid_parameter(&at("accountId"), "it must be your own account id"));
            }
        }
        let (resource_type, resource_id) = (need("complianceResourceType")?, need("complianceResourceId")?);
        let stored =
            ctx.store().get_resource(ctx.account(), &resource_type, &resource_id).await.map_err(store_failure)?;
        let annotation = match item.get("annotation") {
            Some(Value::String(s)) if serde_json::from_str::<Value>(s).is_ok_and(|v| v.is_object()) => s.clone(),
            Some(Value::String(s)) => json!({"reason": s}).to_string(),
            Some(v @ Value::Object(_)) => v.to_string(),
            _ => String::new(),
        };
        writes.push(ResultWrite {
            rule_id: rule.rule_id.clone(),
            rule_revision: rule.revision,
            rule_name: rule.name.clone(),
            risk_level: rule.risk_level,
            region: text("complianceRegionId")
                .or_else(|| stored.as_ref().map(|r| r.record.region.clone()))
                .unwrap_or_default(),
            resource_name: stored.as_ref().map(|r| r.record.resource_name.clone()).unwrap_or_default(),
            resource_group_id: stored.as_ref().map(|r| r.record.resource_group_id.clone()).unwrap_or_default(),
            resource_type,
            resource_id,
            compliance_type: compliance,
            annotation,
            message_type: "Manual".to_owned(),
            invoked_ms: now,
            ordering_ms: item.get("orderingTimestamp").and_then(Value::as_i64).unwrap_or(now),
        });
    }
    let store = ctx.store();
    store.put_results(ctx.account(), &writes, false, now).await.map_err(store_failure)?;
    if ctx.params.bool("DeleteMode")?.unwrap_or(false) {
        // Results this call wrote carry `now`; older ones were not refreshed by it.
        store.delete_results(ctx.account(), &rule.rule_id, Some(now), now).await.map_err(store_failure)?;
    }
    reply(&json!({"Result": true}))
}
