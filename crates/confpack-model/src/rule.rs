//! Config rules as stored, their scope, evaluation results and evaluation jobs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{AccountId, Tags};

/// A `{TagKey, TagValue}` pair of a scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagPair {
    /// The tag key.
    pub tag_key: String,
    /// The tag value; empty matches any value of the key.
    pub tag_value: String,
}

/// Which resources a rule evaluates (API reference §4.1). Include lists that are empty do not
/// restrict; exclude lists win over include lists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RuleScope {
    /// `ResourceTypesScope`.
    pub resource_types: Vec<String>,
    /// `RegionIdsScope`.
    pub region_ids: Vec<String>,
    /// `ResourceGroupIdsScope`.
    pub resource_group_ids: Vec<String>,
    /// `ResourceIdsScope`.
    pub resource_ids: Vec<String>,
    /// `ResourceNameScope`: a resource whose name contains this text.
    pub resource_name: String,
    /// `ExcludeRegionIdsScope`.
    pub exclude_region_ids: Vec<String>,
    /// `ExcludeResourceGroupIdsScope`.
    pub exclude_resource_group_ids: Vec<String>,
    /// `ExcludeResourceIdsScope`.
    pub exclude_resource_ids: Vec<String>,
    /// The legacy single pair `TagKeyScope` / `TagValueScope`.
    pub tag_key: String,
    /// See `tag_key`.
    pub tag_value: String,
    /// `TagsScope`.
    pub tags: Vec<TagPair>,
    /// `TagKeyLogicScope`: `AND` or `OR` (default) over `tags`.
    pub tag_key_logic: String,
    /// `ExcludeTagsScope`: a resource carrying any of these is out of scope.
    pub exclude_tags: Vec<TagPair>,
}

/// What [`RuleScope::covers`] looks at.
#[derive(Clone, Copy, Debug)]
pub struct ScopeSubject<'a> {
    /// Resource type.
    pub resource_type: &'a str,
    /// Resource id.
    pub resource_id: &'a str,
    /// Region.
    pub region: &'a str,
    /// Resource group.
    pub resource_group_id: &'a str,
    /// Resource name.
    pub resource_name: &'a str,
    /// Tags.
    pub tags: &'a Tags,
}

fn has_tag(tags: &Tags, pair: &TagPair) -> bool {
    tags.get(&pair.tag_key).is_some_and(|values| pair.tag_value.is_empty() || values.contains(&pair.tag_value))
}

impl RuleScope {
    /// Whether the scope covers a resource.
    pub fn covers(&self, r: &ScopeSubject<'_>) -> bool {
        let included = |list: &[String], value: &str| list.is_empty() || list.iter().any(|v| v == value);
        let excluded = |list: &[String], value: &str| list.iter().any(|v| v == value);
        if !included(&self.resource_types, r.resource_type)
            || !included(&self.region_ids, r.region)
            || !included(&self.resource_group_ids, r.resource_group_id)
            || !included(&self.resource_ids, r.resource_id)
            || excluded(&self.exclude_region_ids, r.region)
            || excluded(&self.exclude_resource_group_ids, r.resource_group_id)
            || excluded(&self.exclude_resource_ids, r.resource_id)
            || self.exclude_tags.iter().any(|t| has_tag(r.tags, t))
        {
            return false;
        }
        if !self.resource_name.is_empty() && !r.resource_name.contains(&self.resource_name) {
            return false;
        }
        if !self.tag_key.is_empty()
            && !has_tag(r.tags, &TagPair { tag_key: self.tag_key.clone(), tag_value: self.tag_value.clone() })
        {
            return false;
        }
        if self.tags.is_empty() {
            return true;
        }
        if self.tag_key_logic.eq_ignore_ascii_case("AND") {
            self.tags.iter().all(|t| has_tag(r.tags, t))
        } else {
            self.tags.iter().any(|t| has_tag(r.tags, t))
        }
    }
}

/// Who created a rule, when a compliance pack did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreatedBy {
    /// The pack id.
    pub compliance_pack_id: String,
    /// The pack name.
    pub compliance_pack_name: String,
}

/// How the last evaluation of a rule went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EvaluationStatus {
    /// When the rule was first activated, epoch ms.
    pub first_activated_ms: Option<i64>,
    /// Whether an evaluation has started.
    pub first_evaluation_started: bool,
    /// The last successful whole-scope evaluation, epoch ms.
    pub last_success_ms: Option<i64>,
    /// The last failed evaluation, epoch ms.
    pub last_failed_ms: Option<i64>,
    /// The last failure's code.
    pub last_error_code: String,
    /// The last failure's message.
    pub last_error_message: String,
}

/// A config rule of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigRule {
    /// The owning account.
    pub account_id: AccountId,
    /// `cr-` + 20 hex digits.
    pub rule_id: String,
    /// `ConfigRuleName`, unique in the account.
    pub name: String,
    /// `Description`.
    pub description: String,
    /// `ALIYUN` (managed), `CUSTOM_FC` (results via PutEvaluations) or `CUSTOM_CONFIGURATION`
    /// (a condition rule built from `Conditions`).
    pub source_owner: String,
    /// The managed-rule identifier, the function ARN, or for condition rules the rule name.
    pub source_identifier: String,
    /// `InputParameters`.
    pub input_parameters: BTreeMap<String, String>,
    /// `Conditions` of a condition rule, as given.
    pub conditions: Option<String>,
    /// Trigger types, wire spelling.
    pub trigger_types: Vec<String>,
    /// `MaximumExecutionFrequency`.
    pub maximum_execution_frequency: String,
    /// `ExtendContent`.
    pub extend_content: String,
    /// 1 high, 2 medium, 3 low.
    pub risk_level: i64,
    /// `ACTIVE` or `INACTIVE` (`EVALUATING` is derived from pending jobs).
    pub state: String,
    /// Scope.
    pub scope: RuleScope,
    /// Tags of the rule itself.
    pub tags: Vec<TagPair>,
    /// Set when a compliance pack created the rule.
    pub created_by: Option<CreatedBy>,
    /// The secret a CUSTOM_FC function quotes to PutEvaluations for this rule.
    pub result_token: String,
    /// Creation time, epoch ms.
    pub created_ms: i64,
    /// Last modification, epoch ms.
    pub modified_ms: i64,
    /// Evaluation status.
    pub status: EvaluationStatus,
    /// Bumped by every change of the rule's definition; results computed from an older
    /// revision are refused, so an evaluation racing an update cannot leave stale results.
    #[serde(default)]
    pub revision: i64,
}

impl ConfigRule {
    /// The compliance pack the rule belongs to, if any.
    pub fn pack_id(&self) -> Option<&str> {
        self.created_by.as_ref().map(|c| c.compliance_pack_id.as_str())
    }
}

/// The compliance types in the order in which one wins when results are summed up (a rule's
/// verdict over its results, a resource's over its rules), which is also the order the
/// vendor's counters list them in.
pub const VERDICT_ORDER: [&str; 5] = ["NON_COMPLIANT", "COMPLIANT", "INSUFFICIENT_DATA", "NOT_APPLICABLE", "IGNORED"];

/// A rule's verdict over its results: the first type of [`VERDICT_ORDER`] it has a result
/// of (`count` gives the results per type), `INSUFFICIENT_DATA` when it has none. The pack
/// counters and the reports both use it, so their numbers agree.
pub fn rule_verdict(count: impl Fn(&str) -> i64) -> &'static str {
    VERDICT_ORDER.into_iter().find(|t| count(t) > 0).unwrap_or("INSUFFICIENT_DATA")
}

/// The ids of the `ACTIVE` rules of pack `pack_id` among `rules`: the rules its counters
/// and reports are about.
pub fn active_pack_rule_ids(rules: &[ConfigRule], pack_id: &str) -> Vec<String> {
    rules.iter().filter(|r| r.pack_id() == Some(pack_id) && r.state == "ACTIVE").map(|r| r.rule_id.clone()).collect()
}

/// The vendor's periods for scheduled rules, in milliseconds.
pub fn frequency_ms(name: &str) -> Option<i64> {
    const HOUR: i64 = 3_600_000;
    Some(match name {
        "One_Hour" => HOUR,
        "Three_Hours" => 3 * HOUR,
        "Six_Hours" => 6 * HOUR,
        "Twelve_Hours" => 12 * HOUR,
        "TwentyFour_Hours" => 24 * HOUR,
        _ => return None,
    })
}

/// One evaluation result to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultWrite {
    /// The rule.
    pub rule_id: String,
    /// The rule's revision the result was computed from; the store keeps it only while the
    /// rule is still at that revision and active (0 when read back: it is not stored).
    pub rule_revision: i64,
    /// The rule's name (kept for the compliance timeline).
    pub rule_name: String,
    /// The rule's risk level.
    pub risk_level: i64,
    /// Resource type.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: String,
    /// Region.
    pub region: String,
    /// Resource name.
    pub resource_name: String,
    /// Resource group.
    pub resource_group_id: String,
    /// `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE` or `INSUFFICIENT_DATA`.
    pub compliance_type: String,
    /// The annotation JSON text (empty when compliant).
    pub annotation: String,
    /// `ConfigurationItemChangeNotification`, `ScheduledNotification` or `Manual`.
    pub message_type: String,
    /// When the rule was invoked, epoch ms.
    pub invoked_ms: i64,
    /// The ordering timestamp (the configuration's capture time), epoch ms.
    pub ordering_ms: i64,
}

/// A stored evaluation result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResult {
    /// What was written last.
    pub write: ResultWrite,
    /// The compliance type clients see: `IGNORED` while an ignore is in force.
    pub effective_type: String,
    /// When the result was recorded, epoch ms.
    pub recorded_ms: i64,
    /// The last time the result was NON_COMPLIANT, epoch ms.
    pub last_non_compliant_ms: Option<i64>,
    /// When a non-compliant result last became compliant, epoch ms.
    pub last_compliant_fixed_ms: Option<i64>,
    /// The ignore's end (`IgnoreDate`), when ignored with one.
    pub ignore_date: String,
    /// The ignore's reason.
    pub ignore_reason: String,
}

impl StoredResult {
    /// A result as it reads right after its first write with no ignore: what a report of
    /// results that never went through a store (`confpack scan`) shows.
    pub fn unrecorded(write: ResultWrite) -> Self {
        Self {
            effective_type: write.compliance_type.clone(),
            recorded_ms: write.invoked_ms,
            last_non_compliant_ms: (write.compliance_type == "NON_COMPLIANT").then_some(write.invoked_ms),
            last_compliant_fixed_ms: None,
            ignore_date: String::new(),
            ignore_reason: String::new(),
            write,
        }
    }
}

/// A change of one resource's compliance under one rule (the compliance timeline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComplianceChange {
    /// Order of recording.
    pub seq: i64,
    /// Resource type.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: String,
    /// Region.
    pub region: String,
    /// The rule.
    pub rule_id: String,
    /// Its name at the time.
    pub rule_name: String,
    /// When, epoch ms.
    pub captured_ms: i64,
    /// The previous compliance type (empty on the first evaluation).
    pub old_type: String,
    /// The new compliance type (empty when the result was removed).
    pub new_type: String,
}

/// A durable evaluation job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvaluationJob {
    /// Job id, increasing.
    pub job_id: i64,
    /// The account.
    pub account_id: AccountId,
    /// The rule.
    pub rule_id: String,
    /// What triggered it: `ScheduledNotification`, `ConfigurationItemChangeNotification` or `Manual`.
    pub message_type: String,
    /// Whether ignored results are to be re-evaluated and un-ignored (`RevertEvaluation`).
    pub revert_ignored: bool,
    /// When it was enqueued, epoch ms.
    pub created_ms: i64,
    /// How many times it was claimed (more than once after a crash).
    pub attempts: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject<'a>(tags: &'a Tags) -> ScopeSubject<'a> {
        ScopeSubject {
            resource_type: "ACS::ECS::Instance",
            resource_id: "i-1",
            region: "cn-hangzhou",
            resource_group_id: "rg-1",
            resource_name: "web-01",
            tags,
        }
    }

    #[test]
    fn scopes_include_exclude_and_tags() {
        let tags: Tags = BTreeMap::from([("env".to_owned(), vec!["prod".to_owned()])]);
        let s = subject(&tags);
        let pair = |k: &str, v: &str| TagPair { tag_key: k.into(), tag_value: v.into() };
        assert!(RuleScope::default().covers(&s));
        assert!(RuleScope { resource_types: vec!["ACS::ECS::Instance".into()], ..Default::default() }.covers(&s));
        assert!(!RuleScope { resource_types: vec!["ACS::ECS::Disk".into()], ..Default::default() }.covers(&s));
        assert!(!RuleScope { region_ids: vec!["cn-beijing".into()], ..Default::default() }.covers(&s));
        assert!(!RuleScope { exclude_resource_ids: vec!["i-1".into()], ..Default::default() }.covers(&s));
        assert!(!RuleScope { exclude_tags: vec![pair("env", "")], ..Default::default() }.covers(&s));
        assert!(RuleScope { tags: vec![pair("env", "prod"), pair("team", "a")], ..Default::default() }.covers(&s));
        let and = RuleScope {
            tags: vec![pair("env", "prod"), pair("team", "a")],
            tag_key_logic: "AND".into(),
            ..Default::default()
        };
        assert!(!and.covers(&s));
        assert!(RuleScope { tag_key: "env".into(), tag_value: "prod".into(), ..Default::default() }.covers(&s));
        assert!(!RuleScope { tag_key: "env".into(), tag_value: "dev".into(), ..Default::default() }.covers(&s));
        assert!(RuleScope { resource_name: "web".into(), ..Default::default() }.covers(&s));
        assert!(!RuleScope { resource_name: "db".into(), ..Default::default() }.covers(&s));
    }

    #[test]
    fn frequencies() {
        assert_eq!(frequency_ms("One_Hour"), Some(3_600_000));
        assert_eq!(frequency_ms("TwentyFour_Hours"), Some(86_400_000));
        assert_eq!(frequency_ms("Daily"), None);
    }
}
