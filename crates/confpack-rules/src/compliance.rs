//! The result vocabulary of an evaluation: [`ComplianceType`], [`Annotation`] and [`Evaluation`].

use serde::{Deserialize, Serialize};

/// The vendor's ComplianceType values a condition evaluation can carry (API reference §4).
///
/// `IGNORED` is deliberately absent: it is a state of a stored result, set by
/// IgnoreEvaluationResults, never something a condition decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceType {
    /// The configuration satisfies the condition.
    Compliant,
    /// The configuration violates the condition.
    NonCompliant,
    /// The rule does not apply to the resource. [`crate::evaluate()`] never returns it: scope
    /// (resource type, region, tags) is decided by the caller before a condition is run.
    NotApplicable,
    /// The configuration lacks data (or holds data of the wrong type) needed to decide.
    InsufficientData,
}

impl ComplianceType {
    /// The vendor's wire spelling, e.g. `NON_COMPLIANT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Compliant => "COMPLIANT",
            Self::NonCompliant => "NON_COMPLIANT",
            Self::NotApplicable => "NOT_APPLICABLE",
            Self::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

/// Why a resource is not compliant, serialised with the vendor's five keys
/// `{"configuration","desiredValue","operator","property","reason"}` (API reference §8.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    /// The value(s) found at `property`: a string verbatim, anything else as compact JSON.
    pub configuration: String,
    /// The desired value after `{{param}}` substitution.
    pub desired_value: String,
    /// The operator name, e.g. `StringEquals`.
    pub operator: String,
    /// The JSONPath that was queried, e.g. `$.Tags`.
    pub property: String,
    /// A human-readable explanation.
    pub reason: String,
}

impl Annotation {
    /// The annotation as the JSON string that ListConfigRuleEvaluationResults carries.
    pub fn to_json_string(&self) -> String {
        // Serialising a struct of plain strings cannot fail; fall back to an empty object anyway
        // rather than panic inside an evaluation loop.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// The outcome of evaluating a condition against one configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The compliance verdict.
    pub compliance_type: ComplianceType,
    /// Present for NON_COMPLIANT and INSUFFICIENT_DATA: the leaf that decided the verdict.
    pub annotation: Option<Annotation>,
}
