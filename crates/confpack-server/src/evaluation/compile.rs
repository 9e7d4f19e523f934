//! From a stored [`ConfigRule`] to something that evaluates resources.

use std::collections::BTreeMap;
use std::sync::Arc;

use confpack_model::{ConfigRule, ResultWrite, ScopeSubject, StoredResource};
use confpack_rules::{CompiledCondition, ComplianceType, RuleInput, RuleLogic, catalogue};
use confpack_store::{Store, StoreResult};

/// `SourceOwner` of managed rules.
pub(crate) const ALIYUN: &str = "ALIYUN";
/// `SourceOwner` of Function Compute rules, whose results arrive through PutEvaluations.
pub(crate) const CUSTOM_FC: &str = "CUSTOM_FC";
/// `SourceOwner` of condition rules (confpack's name; the vendor documents none).
pub(crate) const CUSTOM_CONFIGURATION: &str = "CUSTOM_CONFIGURATION";

/// A rule ready to evaluate.
pub(crate) struct CompiledRule {
    /// The stored rule.
    pub(crate) rule: ConfigRule,
    /// Its logic; `None` for CUSTOM_FC rules, which confpack does not evaluate itself.
    logic: Option<Arc<RuleLogic>>,
    /// The resource types it evaluates.
    pub(crate) resource_types: Vec<String>,
}

/// Why a stored rule does not compile (a catalogue entry removed, a corrupt condition).
pub(crate) type CompileError = String;

/// The resource types a rule evaluates: a managed rule its own types, narrowed by
/// ResourceTypesScope when that names some of them; any other rule the types of its scope.
/// Cheap (no compilation), for listings.
pub(crate) fn resource_types(rule: &ConfigRule) -> Vec<String> {
    let scoped = &rule.scope.resource_types;
    let managed = (rule.source_owner == ALIYUN).then(|| catalogue().get(&rule.source_identifier)).flatten();
    match managed {
        Some(m) if scoped.is_empty() => m.spec.resource_types.clone(),
        Some(m) => m.spec.resource_types.iter().filter(|t| scoped.contains(t)).cloned().collect(),
        None => scoped.clone(),
    }
}

/// Compiles a stored rule.
pub(crate) fn compile(rule: &ConfigRule) -> Result<CompiledRule, CompileError> {
    let logic = match rule.source_owner.as_str() {
        ALIYUN => {
            let managed = catalogue()
                .get(&rule.source_identifier)
                .ok_or_else(|| format!("managed rule {} is not in the catalogue", rule.source_identifier))?;
            Some(Arc::new(managed.logic.clone()))
        }
        CUSTOM_CONFIGURATION => {
            let text = rule.conditions.as_deref().unwrap_or_default();
            let condition = CompiledCondition::parse(text).map_err(|e| e.to_string())?;
            Some(Arc::new(RuleLogic::from_condition(condition)))
        }
        _ => None,
    };
    Ok(CompiledRule { rule: rule.clone(), logic, resource_types: resource_types(rule) })
}

/// Compiles the rules confpack evaluates itself among `rules`: a rule that does not compile
/// (logged by the jobs that record it on the rule) or a CUSTOM_FC rule is left out.
pub(crate) fn compile_evaluable<'r>(rules: impl IntoIterator<Item = &'r ConfigRule>) -> Vec<CompiledRule> {
    rules.into_iter().filter_map(|r| compile(r).ok()).filter(CompiledRule::evaluates).collect()
}

impl CompiledRule {
    /// Whether confpack evaluates this rule itself (everything but CUSTOM_FC).
    pub(crate) fn evaluates(&self) -> bool {
        self.logic.is_some()
    }

    /// Whether the rule's scope covers a resource.
    pub(crate) fn covers(&self, resource: &StoredResource) -> bool {
        let r = &resource.record;
        self.resource_types.contains(&r.resource_type)
            && self.rule.scope.covers(&ScopeSubject {
                resource_type: &r.resource_type,
                resource_id: &r.resource_id,
                region: &r.region,
                resource_group_id: &r.resource_group_id,
                resource_name: &r.resource_name,
                tags: &r.tags,
            })
    }

    /// Whether the rule reads related resources (which must be in the store first).
    pub(crate) fn reads_related(&self) -> bool {
        self.logic.as_ref().is_some_and(|logic| logic.related().next().is_some())
    }

    /// The related resources the rule reads for `resource`: (name, resource type, id).
    pub(crate) fn related_ids<'r>(&'r self, resource: &'r StoredResource) -> Vec<(&'r str, &'r str, String)> {
        self.logic.as_ref().map(|logic| logic.related_ids(&resource.record.configuration)).unwrap_or_default()
    }

    /// Evaluates one resource (the caller checked [`Self::covers`]), reading related
    /// resources from the store one by one when the rule needs them.
    pub(crate) async fn evaluate(
        &self,
        store: &dyn Store,
        resource: &StoredResource,
        message_type: &str,
        now_ms: i64,
    ) -> StoreResult<Option<ResultWrite>> {
        let Some(logic) = &self.logic else { return Ok(None) };
        let mut related: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
        for (name, resource_type, id) in logic.related_ids(&resource.record.configuration) {
            let found = store.get_resource(self.rule.account_id, resource_type, &id).await?;
            if let Some(found) = found.filter(|f| !f.deleted) {
                related.entry(name.to_owned()).or_default().push(found.record.configuration);
            }
        }
        Ok(self.evaluate_with(resource, &related, message_type, now_ms))
    }

    /// Evaluates one resource with its related resources already read (none for a rule
    /// that does not [read any](Self::reads_related)).
    pub(crate) fn evaluate_with(
        &self,
        resource: &StoredResource,
        related: &BTreeMap<String, Vec<serde_json::Value>>,
        message_type: &str,
        now_ms: i64,
    ) -> Option<ResultWrite> {
        let logic = self.logic.as_ref()?;
        let evaluation = logic.evaluate(RuleInput {
            configuration: &resource.record.configuration,
            params: &self.rule.input_parameters,
            related,
            now_ms,
        });
        Some(self.result(resource, evaluation.compliance_type, evaluation.annotation, message_type, now_ms))
    }

    fn result(
        &self,
        resource: &StoredResource,
        compliance: ComplianceType,
        annotation: Option<confpack_rules::Annotation>,
        message_type: &str,
        now_ms: i64,
    ) -> ResultWrite {
        let r = &resource.record;
        ResultWrite {
            rule_id: self.rule.rule_id.clone(),
            rule_revision: self.rule.revision,
            rule_name: self.rule.name.clone(),
            risk_level: self.rule.risk_level,
            resource_type: r.resource_type.clone(),
            resource_id: r.resource_id.clone(),
            region: r.region.clone(),
            resource_name: r.resource_name.clone(),
            resource_group_id: r.resource_group_id.clone(),
            compliance_type: compliance.as_str().to_owned(),
            annotation: annotation.map(|a| a.to_json_string()).unwrap_or_default(),
            message_type: message_type.to_owned(),
            invoked_ms: now_ms,
            ordering_ms: resource.update_time,
        }
    }
}
