//! Evaluation of resources as they stream in, before they reach a store: what `confpack
//! scan` does while it loads its input. Only rules that read no related resources can
//! evaluate a resource on its own; a resource of a type such a rule covers waits until
//! everything is loaded and is evaluated from the store ([`super::worker::ScopeEvaluation`]
//! restricted to [`StreamingRules::deferred_types`]), so that each resource is evaluated
//! by all its rules in one place.

use std::collections::BTreeMap;

use confpack_model::{ConfigRule, ResultWrite, StoredResource};

use super::compile::{CompiledRule, compile_evaluable};

/// A set of rules split between what evaluates a lone resource and what needs the store.
pub struct StreamingRules {
    rules: Vec<CompiledRule>,
    deferred_types: Vec<String>,
}

impl StreamingRules {
    /// Compiles `rules` (as [`super::worker::ScopeEvaluation::of_rules`] does: those that do
    /// not compile or that confpack does not evaluate itself are left out).
    pub fn of_rules(rules: &[ConfigRule]) -> Self {
        let rules = compile_evaluable(rules);
        let mut deferred_types: Vec<String> =
            rules.iter().filter(|r| r.reads_related()).flat_map(|r| r.resource_types.iter().cloned()).collect();
        deferred_types.sort_unstable();
        deferred_types.dedup();
        Self { rules, deferred_types }
    }

    /// The types whose resources are evaluated from the store once everything is loaded.
    pub fn deferred_types(&self) -> &[String] {
        &self.deferred_types
    }

    /// Evaluates `resource` with every rule covering it, appending the results to `out`;
    /// does nothing for a resource of a [deferred type](Self::deferred_types).
    pub fn evaluate(&self, resource: &StoredResource, message_type: &str, now_ms: i64, out: &mut Vec<ResultWrite>) {
        if self.deferred_types.contains(&resource.record.resource_type) {
            return;
        }
        let none = BTreeMap::new();
        for rule in self.rules.iter().filter(|r| r.covers(resource)) {
            out.extend(rule.evaluate_with(resource, &none, message_type, now_ms));
        }
    }
}
