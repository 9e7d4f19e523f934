//! confpack's rule engine for Alibaba Cloud Config condition rules.
//!
//! The data flow is: a rule's `Conditions` JSON is parsed once into a [`CompiledCondition`]
//! ([`condition`]), whose leaves name an [`Operator`] from the ListConfigRuleOperators catalogue
//! ([`operators`]) and a JSONPath compiled with `serde_json_path`. [`evaluate()`] then runs it against one
//! resource configuration and yields a [`ComplianceType`] plus the vendor's [`Annotation`].

pub mod catalogue;
pub mod compliance;
pub mod condition;
pub mod desired;
pub mod evaluate;
pub mod network;
pub mod operators;
mod regex_functions;
pub mod templates;
pub mod time;

pub use catalogue::{Catalogue, ManagedRule, ManagedRuleSpec, RuleInput, RuleLogic, TriggerType, catalogue};
pub use compliance::{Annotation, ComplianceType, Evaluation};
pub use condition::{CompiledCondition, Condition, Leaf, ParseError, Step};
pub use evaluate::{evaluate, evaluate_at};
pub use operators::{DataType, OPERATORS, Operator, OperatorKind, Outcome, operator};
