//! The managed-rule catalogue, as data: every `data/managed_rules/*.json` file is an array of
//! [`ManagedRuleSpec`] entries, compiled once into [`ManagedRule`]s.
//!
//! An entry carries what ListManagedRules / GetManagedRule report (identifier, name,
//! description, resource types, parameters with defaults, risk level, trigger types, labels), the
//! logic (`applicable`, `condition`, `related`), a `decision` note that records how the vendor's
//! wording was turned into a condition, and test cases that the catalogue's own test runs.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::compliance::{Annotation, ComplianceType, Evaluation};
use crate::condition::{CompiledCondition, ParseError};
use crate::evaluate::evaluate_at;

mod sources {
    include!(concat!(env!("OUT_DIR"), "/managed_rule_sources.rs"));
}

/// How a rule is triggered (`ConfigRuleTriggerTypes` / `SourceDetails.MessageType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TriggerType {
    /// Re-evaluate a resource when its configuration changes.
    ConfigurationItemChangeNotification,
    /// Re-evaluate the whole scope periodically.
    ScheduledNotification,
}

impl TriggerType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfigurationItemChangeNotification => "ConfigurationItemChangeNotification",
            Self::ScheduledNotification => "ScheduledNotification",
        }
    }

    /// Parses the wire spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::ConfigurationItemChangeNotification, Self::ScheduledNotification].into_iter().find(|t| t.as_str() == s)
    }
}

/// One input parameter of a managed rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParameterSpec {
    /// The InputParameters key, e.g. `days`.
    pub name: String,
    /// `String`, `Integer`, `Boolean` or `List` (a comma-separated string).
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the rule needs a value (a required parameter always has a default here, so that
    /// a pack can enable the rule without asking).
    pub required: bool,
    /// The default value, as the string InputParameters carries.
    #[serde(default)]
    pub default: Option<String>,
    /// What the parameter means.
    pub description: String,
}

/// A related resource the rule reads: the ids selected by `idPath` in the evaluated
/// configuration name resources of `resourceType`, whose configurations the evaluator places
/// in an array at `$._related.<name>` before evaluating.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RelatedSpec {
    /// The key under `$._related`.
    pub name: String,
    /// The related resources' type.
    pub resource_type: String,
    /// A JSONPath selecting the related ids (strings) in the evaluated configuration.
    pub id_path: String,
}

/// A test case: a configuration and the verdict the rule must give.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestCase {
    /// What the case shows.
    pub name: String,
    /// The resource configuration.
    pub configuration: Value,
    /// InputParameters for the case (defaults apply to the rest).
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// Configurations of related resources, by [`RelatedSpec::name`].
    #[serde(default)]
    pub related: BTreeMap<String, Vec<Value>>,
    /// The evaluation time, for date-dependent rules (default 2026-01-01T00:00:00Z).
    #[serde(default)]
    pub now: Option<String>,
    /// The verdict the rule must give.
    pub expected: ComplianceType,
}

/// One catalogue entry as written in the data files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedRuleSpec {
    /// The vendor's managed-rule identifier, e.g. `oss-bucket-public-read-prohibited`.
    pub identifier: String,
    /// The rule's display name (ConfigRuleName in ListManagedRules).
    pub name: String,
    /// What the rule checks, including when a resource is compliant.
    pub description: String,
    /// The resource types the rule evaluates.
    pub resource_types: Vec<String>,
    /// Default risk level: 1 high, 2 medium, 3 low.
    pub risk_level: u8,
    /// Trigger types.
    pub trigger_types: Vec<TriggerType>,
    /// The period for scheduled rules (`One_Hour` … `TwentyFour_Hours`).
    #[serde(default)]
    pub maximum_execution_frequency: Option<String>,
    /// Classification labels (the product, mostly).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Input parameters.
    #[serde(default)]
    pub parameters: Vec<ParameterSpec>,
    /// How the vendor's wording was decided into the condition (fields read, edge cases).
    pub decision: String,
    /// When present, a resource for which this condition is not COMPLIANT is NOT_APPLICABLE
    /// (INSUFFICIENT_DATA stays INSUFFICIENT_DATA).
    #[serde(default)]
    pub applicable: Option<Value>,
    /// Related resources the condition reads.
    #[serde(default)]
    pub related: Vec<RelatedSpec>,
    /// The compliance condition, in the `Conditions` format of [`crate::condition`].
    pub condition: Value,
    /// Test cases.
    pub tests: Vec<TestCase>,
}

/// What a rule's evaluation needs besides its logic.
#[derive(Debug, Clone, Copy)]
pub struct RuleInput<'a> {
    /// The resource configuration.
    pub configuration: &'a Value,
    /// The rule's InputParameters (defaults fill the gaps).
    pub params: &'a BTreeMap<String, String>,
    /// Configurations of related resources, by [`RelatedSpec::name`].
    pub related: &'a BTreeMap<String, Vec<Value>>,
    /// The evaluation time, epoch milliseconds.
    pub now_ms: i64,
}

/// The compiled logic of a rule, managed or custom: applicability, condition and related reads.
#[derive(Debug, Clone)]
pub struct RuleLogic {
    applicable: Option<CompiledCondition>,
    condition: CompiledCondition,
    related: Vec<(RelatedSpec, serde_json_path::JsonPath)>,
}

/// Why a catalogue entry does not compile.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// A data file is not a JSON array of entries.
    #[error("{file}: {message}")]
    File {
        /// The data file.
        file: String,
        /// The decoder's message.
        message: String,
    },
    /// An entry's condition, applicability or related path is malformed.
    #[error("{identifier}: {what}: {message}")]
    Logic {
        /// The rule.
        identifier: String,
        /// Which part.
        what: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Two entries share an identifier.
    #[error("{0}: defined twice")]
    Duplicate(String),
}

impl RuleLogic {
    /// Compiles a condition with no applicability check and no related reads (a custom
    /// condition rule).
    pub fn from_condition(condition: CompiledCondition) -> Self {
        Self { applicable: None, condition, related: Vec::new() }
    }

    /// The compliance condition.
    pub fn condition(&self) -> &CompiledCondition {
        &self.condition
    }

    /// The related resources the rule reads.
    pub fn related(&self) -> impl Iterator<Item = &RelatedSpec> {
        self.related.iter().map(|(spec, _)| spec)
    }

    /// The related ids to fetch for `configuration`: (name, resource type, id) triples.
    pub fn related_ids<'a>(&'a self, configuration: &'a Value) -> Vec<(&'a str, &'a str, String)> {
        let mut out = Vec::new();
        for (spec, path) in &self.related {
            for id in path.query(configuration).all().into_iter().filter_map(Value::as_str) {
                if !id.is_empty() {
                    out.push((spec.name.as_str(), spec.resource_type.as_str(), id.to_owned()));
                }
            }
        }
        out
    }

    /// Evaluates the rule on one configuration.
    pub fn evaluate(&self, input: RuleInput<'_>) -> Evaluation {
        let augmented;
        let config = if self.related.is_empty() {
            input.configuration
        } else {
            // Only rules that read related resources pay for a copy of the configuration.
            let mut copy = input.configuration.clone();
            if let Value::Object(map) = &mut copy {
                let related = self
                    .related
                    .iter()
                    .map(|(spec, _)| {
                        let found = input.related.get(&spec.name).cloned().unwrap_or_default();
                        (spec.name.clone(), Value::Array(found))
                    })
                    .collect();
                map.insert("_related".to_owned(), Value::Object(related));
            }
            augmented = copy;
            &augmented
        };
        if let Some(applicable) = &self.applicable {
            let e = evaluate_at(applicable, config, input.params, input.now_ms);
            match e.compliance_type {
                ComplianceType::Compliant => {}
                ComplianceType::InsufficientData => return e,
                ComplianceType::NonCompliant | ComplianceType::NotApplicable => {
                    let annotation = e
                        .annotation
                        .map(|a| Annotation { reason: format!("the rule does not apply: {}", a.reason), ..a });
                    return Evaluation { compliance_type: ComplianceType::NotApplicable, annotation };
                }
            }
        }
        evaluate_at(&self.condition, config, input.params, input.now_ms)
    }
}

/// A compiled catalogue entry.
#[derive(Debug, Clone)]
pub struct ManagedRule {
    /// The entry as written.
    pub spec: ManagedRuleSpec,
    /// Its compiled logic.
    pub logic: RuleLogic,
}

impl ManagedRule {
    fn compile(spec: ManagedRuleSpec) -> Result<Self, CatalogueError> {
        let logic_err = |what: &'static str| {
            let identifier = spec.identifier.clone();
            move |e: ParseError| CatalogueError::Logic { identifier, what, message: e.to_string() }
        };
        let defaults: BTreeMap<String, String> =
            spec.parameters.iter().filter_map(|p| Some((p.name.clone(), p.default.clone()?))).collect();
        let condition = CompiledCondition::from_value(&spec.condition)
            .map_err(logic_err("condition"))?
            .with_defaults(defaults.clone());
        let applicable = match &spec.applicable {
            Some(v) => Some(CompiledCondition::from_value(v).map_err(logic_err("applicable"))?.with_defaults(defaults)),
            None => None,
        };
        let mut related = Vec::new();
        for r in &spec.related {
            let path = serde_json_path::JsonPath::parse(&r.id_path).map_err(|e| CatalogueError::Logic {
                identifier: spec.identifier.clone(),
                what: "related idPath",
                message: e.to_string(),
            })?;
            related.push((r.clone(), path));
        }
        Ok(Self { spec, logic: RuleLogic { applicable, condition, related } })
    }

    /// The parameter defaults, by name.
    pub fn defaults(&self) -> BTreeMap<String, String> {
        self.spec.parameters.iter().filter_map(|p| Some((p.name.clone(), p.default.clone()?))).collect()
    }

    /// Evaluates the rule.
    pub fn evaluate(&self, input: RuleInput<'_>) -> Evaluation {
        self.logic.evaluate(input)
    }
}

/// The whole catalogue, sorted by identifier.
pub struct Catalogue {
    rules: Vec<ManagedRule>,
    by_id: HashMap<String, usize>,
}

impl Catalogue {
    /// Parses and compiles data files given as (name, contents).
    pub fn load(sources: &[(&str, &str)]) -> Result<Self, CatalogueError> {
        let mut rules = Vec::new();
        for (file, text) in sources {
            let specs: Vec<ManagedRuleSpec> = serde_json::from_str(text)
                .map_err(|e| CatalogueError::File { file: (*file).to_owned(), message: e.to_string() })?;
            for spec in specs {
                rules.push(ManagedRule::compile(spec)?);
            }
        }
        rules.sort_by(|a, b| a.spec.identifier.cmp(&b.spec.identifier));
        let mut by_id = HashMap::with_capacity(rules.len());
        for (i, rule) in rules.iter().enumerate() {
            if by_id.insert(rule.spec.identifier.clone(), i).is_some() {
                return Err(CatalogueError::Duplicate(rule.spec.identifier.clone()));
            }
        }
        Ok(Self { rules, by_id })
    }

    /// A rule by identifier.
    pub fn get(&self, identifier: &str) -> Option<&ManagedRule> {
        self.by_id.get(identifier).map(|&i| &self.rules[i])
    }

    /// Every rule, by identifier.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &ManagedRule> {
        self.rules.iter()
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when the catalogue has no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::load(sources::SOURCES).expect("the managed-rule data files compile (checked by tests/catalogue.rs)")
});

/// The embedded managed-rule catalogue.
pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}
