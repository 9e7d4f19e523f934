//! Evaluation of a compiled condition against one resource configuration.
//!
//! Decisions (confpack's; the vendor documents none of them):
//!
//! * **Nothing selected.** A leaf whose path selects no value is INSUFFICIENT_DATA with a reason,
//!   except `IsEmpty`, which then holds.
//! * **Several selected values** (wildcards, filters). For String, Number and Base64String
//!   operators the leaf holds only when *every* selected value satisfies the operator; since the
//!   negated operators (`NotStringEquals`, `Base64ExcludeAll`, …) are themselves predicates, this
//!   reads "no selected value violates" for them. For Array operators the selected values are
//!   gathered into one array (so `$.Tags.Tag[*].TagKey` with `Contains` asks whether some tag key
//!   matches); a single selected array is used as is.
//! * **Type mismatches** (a number operator on a string, bad Base64, a non-numeric desired value
//!   after substitution, a missing input parameter) make the leaf INSUFFICIENT_DATA, never a
//!   guessed verdict. A violation found in another selected value still wins: NON_COMPLIANT is a
//!   decided answer.
//! * **AND/OR** use three-valued (Kleene) logic: AND is NON_COMPLIANT if any child is, else
//!   INSUFFICIENT_DATA if any child is, else COMPLIANT; OR is COMPLIANT if any child is, else
//!   INSUFFICIENT_DATA if any child is, else NON_COMPLIANT. INSUFFICIENT_DATA thus surfaces only
//!   when the known children cannot decide the outcome. Evaluation short-circuits on a deciding child.
//! * The annotation is that of the deciding leaf (the first one, in document order).
//! * A leaf's `ifMissing` overrides the nothing-selected verdict; an `optional` leaf whose
//!   parameters are all empty holds without looking at the configuration.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::compliance::{Annotation, ComplianceType, Evaluation};
use crate::condition::{CompiledCondition, Condition, Leaf, Step};
use crate::operators::{DataType, Outcome};

/// Evaluates `condition` against `configuration` at the current time, substituting `{{name}}`
/// in desired values from `params` (the rule's InputParameters), then from the condition's
/// defaults.
pub fn evaluate(condition: &CompiledCondition, configuration: &Value, params: &BTreeMap<String, String>) -> Evaluation {
    evaluate_at(condition, configuration, params, crate::time::now_ms())
}

/// [`evaluate`] at a given evaluation time (epoch milliseconds), which the date operators use.
pub fn evaluate_at(
    condition: &CompiledCondition,
    configuration: &Value,
    params: &BTreeMap<String, String>,
    now_ms: i64,
) -> Evaluation {
    let ctx = Ctx { params, defaults: condition.defaults(), now_ms };
    node(condition.root(), configuration, &ctx)
}

/// What every node of one evaluation shares.
struct Ctx<'a> {
    params: &'a BTreeMap<String, String>,
    defaults: &'a BTreeMap<String, String>,
    now_ms: i64,
}

const COMPLIANT: Evaluation = Evaluation { compliance_type: ComplianceType::Compliant, annotation: None };

fn node(c: &Condition, config: &Value, ctx: &Ctx<'_>) -> Evaluation {
    match c {
        Condition::Leaf(leaf) => self::leaf(leaf, config, ctx),
        Condition::All(children) => {
            let mut undecided = None;
            for child in children {
                let e = node(child, config, ctx);
                match e.compliance_type {
                    ComplianceType::NonCompliant => return e,
                    ComplianceType::InsufficientData | ComplianceType::NotApplicable => {
                        undecided.get_or_insert(e);
                    }
                    ComplianceType::Compliant => {}
                }
            }
            undecided.unwrap_or(COMPLIANT)
        }
        Condition::Any(children) => {
            let (mut undecided, mut violated) = (None, None);
            for child in children {
                let e = node(child, config, ctx);
                match e.compliance_type {
                    ComplianceType::Compliant => return e,
                    ComplianceType::InsufficientData | ComplianceType::NotApplicable => {
                        undecided.get_or_insert(e);
                    }
                    ComplianceType::NonCompliant => {
                        violated.get_or_insert(e);
                    }
                }
            }
            // Parsing refuses empty groups; should one appear anyway, refuse to guess.
            undecided
                .or(violated)
                .unwrap_or(Evaluation { compliance_type: ComplianceType::InsufficientData, annotation: None })
        }
    }
}

fn leaf(leaf: &Leaf, config: &Value, ctx: &Ctx<'_>) -> Evaluation {
    let op = leaf.operator;
    if leaf.optional
        && leaf
            .desired
            .params()
            .all(|name| ctx.params.get(name).or_else(|| ctx.defaults.get(name)).is_none_or(|v| v.trim().is_empty()))
    {
        return COMPLIANT;
    }
    let desired = match leaf.desired.resolve(ctx.params, ctx.defaults) {
        Ok(d) => d,
        Err(name) => {
            let reason = format!("input parameter {name:?} has no value and no default");
            return verdict(ComplianceType::InsufficientData, leaf, String::new(), leaf.desired.raw(), reason);
        }
    };
    let nodes: Vec<&Value> = match &leaf.steps {
        Some(steps) => Step::walk(steps, config).into_iter().collect(),
        None => leaf.path.query(config).all(),
    };
    if nodes.is_empty() {
        let reason = format!("{} selects no value", leaf.select_path);
        return match leaf.if_missing {
            Some(ComplianceType::Compliant) => COMPLIANT,
            Some(other) => verdict(other, leaf, String::new(), &desired.text, reason),
            None if op.is_existence() => {
                let outcome = op.check_elements(std::iter::empty(), &desired);
                from_outcome(outcome, leaf, String::new, &desired.text)
            }
            None => verdict(ComplianceType::InsufficientData, leaf, String::new(), &desired.text, reason),
        };
    }

    if op.data_type == DataType::Array {
        // One selected array is the array; one selected scalar is a one-element array, so that
        // `$.List[*].Field` means the same whether it selects one value or several. One
        // selected object stays a type mismatch.
        let outcome = match nodes.as_slice() {
            [single] if single.is_array() || single.is_object() || op.is_existence() => {
                op.check(single, &desired, ctx.now_ms)
            }
            many => op.check_elements(many.iter().copied(), &desired),
        };
        let shown = || match nodes.as_slice() {
            [single] => text(single),
            many => Value::Array(many.iter().map(|v| (*v).clone()).collect()).to_string(),
        };
        return from_outcome(outcome, leaf, shown, &desired.text);
    }

    let mut mismatch = None;
    for value in &nodes {
        match op.check(value, &desired, ctx.now_ms) {
            Outcome::Holds => {}
            Outcome::Violated => return from_outcome(Outcome::Violated, leaf, || text(value), &desired.text),
            Outcome::Mismatch(reason) => {
                mismatch.get_or_insert((*value, reason));
            }
        }
    }
    match mismatch {
        Some((value, reason)) => from_outcome(Outcome::Mismatch(reason), leaf, || text(value), &desired.text),
        None => COMPLIANT,
    }
}

fn from_outcome(outcome: Outcome, leaf: &Leaf, shown: impl FnOnce() -> String, desired: &str) -> Evaluation {
    match outcome {
        Outcome::Holds => COMPLIANT,
        Outcome::Violated => {
            let configuration = shown();
            let reason = format!(
                "{} is {configuration:?}, which does not satisfy {} {desired:?}",
                leaf.select_path, leaf.operator.name
            );
            verdict(ComplianceType::NonCompliant, leaf, configuration, desired, reason)
        }
        Outcome::Mismatch(reason) => verdict(ComplianceType::InsufficientData, leaf, shown(), desired, reason),
    }
}

fn verdict(
    compliance_type: ComplianceType,
    leaf: &Leaf,
    configuration: String,
    desired: &str,
    reason: String,
) -> Evaluation {
    Evaluation {
        compliance_type,
        annotation: Some(Annotation {
            configuration,
            desired_value: desired.to_owned(),
            operator: leaf.operator.name.to_owned(),
            property: leaf.select_path.clone(),
            reason,
        }),
    }
}

/// A value as the annotation shows it: strings verbatim, everything else as compact JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
