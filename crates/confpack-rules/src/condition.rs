//! Condition trees, parsed from the JSON a rule's `Conditions` parameter carries.
//!
//! The vendor does not document the shape of `Conditions` (API reference §3 notes it is absent
//! from SDK text), so this is **confpack's format**:
//!
//! * group: `{"operator": "and" | "or", "children": [ <condition>, … ]}` (`and`/`or` in any case;
//!   at least one child);
//! * leaf: `{"featurePath": "$.X", "operator": "StringEquals", "desired": "v"}`, where
//!   `featurePath` may also be spelt `selectPath` (the vendor's SourceConditions wording),
//!   `operator` is an exact name from [`crate::OPERATORS`], and `desired` is a string, number or
//!   boolean (taken as its JSON text) or an array of those (joined with `,`). `desired` may be
//!   omitted only for `IsEmpty`, `NotEmpty`, `CidrNotAnyIp` and `CidrAllPrivate`. Two optional leaf fields:
//!   `"ifMissing": "COMPLIANT" | "NON_COMPLIANT" | "NOT_APPLICABLE" | "INSUFFICIENT_DATA"` is the
//!   verdict when the path selects nothing (default: the existence and count operators decide,
//!   every other operator says INSUFFICIENT_DATA), and `"optional": true` makes the leaf hold when
//!   every parameter its desired value references is empty or unset (a rule's optional filter
//!   such as "only these VPC ids");
//! * a bare JSON array at the top is an `and` of its elements.
//!
//! Paths are RFC 9535 JSONPath (serde_json_path). Besides the standard functions, filters may
//! call `re_match(value, pattern)` and `re_search(value, pattern)`, the standard `match` and
//! `search` with each pattern compiled once (the built-ins compile it on every call). Paths
//! are compiled here once, so that an invalid rule is
//! refused at CreateConfigRule time and never at evaluation time. Jayway extensions such as
//! `$.Tags.length()` are therefore refused.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use crate::compliance::ComplianceType;
use crate::desired::{Desired, DesiredError};
use crate::operators::{Operator, operator};

/// A condition tree.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Holds when every child holds (`"operator": "and"`).
    All(Vec<Condition>),
    /// Holds when some child holds (`"operator": "or"`).
    Any(Vec<Condition>),
    /// One path–operator–desired test.
    Leaf(Leaf),
}

/// A leaf test with its path already compiled.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// The JSONPath as written (reported as the annotation's `property`).
    pub select_path: String,
    /// The compiled JSONPath.
    pub path: JsonPath,
    /// The same path as plain steps, when it is a simple chain of names and indices
    /// (`$.A.B[0]`, `$['A']`): evaluated by walking, without the general JSONPath machinery.
    pub steps: Option<Vec<Step>>,
    /// The operator.
    pub operator: &'static Operator,
    /// The desired value template.
    pub desired: Desired,
    /// The verdict when the path selects nothing, when the condition fixes one.
    pub if_missing: Option<ComplianceType>,
    /// The leaf holds when every parameter the desired value references is empty or unset.
    pub optional: bool,
}

/// One step of a simple path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An object member.
    Key(String),
    /// An array element (from 0).
    Index(usize),
}

impl Step {
    /// Follows a simple path; `None` when it selects nothing.
    pub fn walk<'v>(steps: &[Step], mut value: &'v Value) -> Option<&'v Value> {
        for step in steps {
            value = match (step, value) {
                (Step::Key(k), Value::Object(map)) => map.get(k)?,
                (Step::Index(i), Value::Array(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(value)
    }

    /// The steps of `$` followed by `.name`, `['name']` and `[n]` segments only; `None` for
    /// anything else (wildcards, filters, slices, descendants, negative indices, escapes).
    pub fn parse_simple(path: &str) -> Option<Vec<Step>> {
        let mut rest = path.strip_prefix('$')?;
        let mut steps = Vec::new();
        let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('.') {
                let end = after.find(|c: char| !name_char(c)).unwrap_or(after.len());
                let name = &after[..end];
                if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                    return None;
                }
                steps.push(Step::Key(name.to_owned()));
                rest = &after[end..];
            } else if let Some(after) = rest.strip_prefix("['") {
                let end = after.find('\'')?;
                let name = &after[..end];
                if name.contains('\\') {
                    return None;
                }
                steps.push(Step::Key(name.to_owned()));
                rest = after[end + 1..].strip_prefix(']')?;
            } else if let Some(after) = rest.strip_prefix('[') {
                let end = after.find(']')?;
                let digits = &after[..end];
                if digits.is_empty()
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                    || (digits.len() > 1 && digits.starts_with('0'))
                {
                    return None;
                }
                steps.push(Step::Index(digits.parse().ok()?));
                rest = &after[end + 1..];
            } else {
                return None;
            }
        }
        Some(steps)
    }
}

/// A parsed condition plus default values for the input parameters it references.
#[derive(Debug, Clone)]
pub struct CompiledCondition {
    root: Condition,
    defaults: BTreeMap<String, String>,
}

/// Why a `Conditions` document was refused. `at` locates the node, e.g. `children[1]`
/// (empty for the root).
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The text is not JSON.
    #[error("Conditions is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A node is neither an object nor (at the root) an array.
    #[error("condition at {} must be a JSON object", place(.at))]
    NotAnObject {
        /// Node location.
        at: String,
    },
    /// A required field is missing or has the wrong JSON type.
    #[error("condition at {} needs `{field}` as {expected}", place(.at))]
    Field {
        /// Node location.
        at: String,
        /// Field name.
        field: &'static str,
        /// What was expected, e.g. "a string".
        expected: &'static str,
    },
    /// A group's operator is not `and`/`or`.
    #[error("group at {} has operator {found:?}; expected \"and\" or \"or\"", place(.at))]
    GroupOperator {
        /// Node location.
        at: String,
        /// The operator found.
        found: String,
    },
    /// A group without children.
    #[error("group at {} has no children", place(.at))]
    EmptyGroup {
        /// Node location.
        at: String,
    },
    /// An operator name not in the ListConfigRuleOperators catalogue.
    #[error("condition at {} uses unknown operator {name:?}", place(.at))]
    UnknownOperator {
        /// Node location.
        at: String,
        /// The name found.
        name: String,
    },
    /// The path is not valid RFC 9535 JSONPath.
    #[error("condition at {} has invalid featurePath {path:?}: {message}", place(.at))]
    InvalidPath {
        /// Node location.
        at: String,
        /// The path found.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// The desired value is malformed, or a literal that cannot suit the operator.
    #[error("condition at {} has invalid desired value: {message}", place(.at))]
    InvalidDesired {
        /// Node location.
        at: String,
        /// What is wrong.
        message: String,
    },
}

/// Where a node is, for messages: its path, or "the root".
fn place(at: &str) -> String {
    if at.is_empty() { "the root".to_owned() } else { format!("`{at}`") }
}

impl From<(String, DesiredError)> for ParseError {
    fn from((at, e): (String, DesiredError)) -> Self {
        Self::InvalidDesired { at, message: e.to_string() }
    }
}

impl CompiledCondition {
    /// Parses and compiles a `Conditions` JSON document.
    pub fn parse(json: &str) -> Result<Self, ParseError> {
        Self::from_value(&serde_json::from_str(json)?)
    }

    /// Compiles an already-decoded `Conditions` document.
    pub fn from_value(value: &Value) -> Result<Self, ParseError> {
        let root = match value {
            Value::Array(items) => Condition::All(children(items, "")?),
            other => node(other, String::new())?,
        };
        Ok(Self { root, defaults: BTreeMap::new() })
    }

    /// Sets defaults for input parameters, used when the rule's InputParameters lack a name.
    pub fn with_defaults(mut self, defaults: BTreeMap<String, String>) -> Self {
        self.defaults = defaults;
        self
    }

    /// The condition tree.
    pub fn root(&self) -> &Condition {
        &self.root
    }

    /// The parameter defaults.
    pub fn defaults(&self) -> &BTreeMap<String, String> {
        &self.defaults
    }

    /// Every input parameter the desired values reference (sorted, without duplicates), so that a
    /// caller can check InputParameters at rule creation.
    pub fn params(&self) -> Vec<&str> {
        fn walk<'a>(c: &'a Condition, out: &mut Vec<&'a str>) {
            match c {
                Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| walk(c, out)),
                Condition::Leaf(leaf) => out.extend(leaf.desired.params()),
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn child_at(at: &str, i: usize) -> String {
    if at.is_empty() { format!("children[{i}]") } else { format!("{at}.children[{i}]") }
}

fn children(items: &[Value], at: &str) -> Result<Vec<Condition>, ParseError> {
    if items.is_empty() {
        return Err(ParseError::EmptyGroup { at: at.to_owned() });
    }
    items.iter().enumerate().map(|(i, v)| node(v, child_at(at, i))).collect()
}

fn node(value: &Value, at: String) -> Result<Condition, ParseError> {
    let Value::Object(obj) = value else {
        return Err(ParseError::NotAnObject { at });
    };
    let op = str_field(obj, "operator", &at)?;
    let is_group = op.eq_ignore_ascii_case("and") || op.eq_ignore_ascii_case("or");
    if is_group && obj.get("children").is_none() {
        return Err(ParseError::EmptyGroup { at });
    }
    if let Some(kids) = obj.get("children") {
        let Value::Array(items) = kids else {
            return Err(ParseError::Field { at, field: "children", expected: "an array" });
        };
        let kids = children(items, &at)?;
        return match op.to_ascii_lowercase().as_str() {
            "and" => Ok(Condition::All(kids)),
            "or" => Ok(Condition::Any(kids)),
            _ => Err(ParseError::GroupOperator { at, found: op.to_owned() }),
        };
    }
    leaf(obj, op, at).map(Condition::Leaf)
}

fn leaf(obj: &Map<String, Value>, op: &str, at: String) -> Result<Leaf, ParseError> {
    let operator = operator(op).ok_or_else(|| ParseError::UnknownOperator { at: at.clone(), name: op.to_owned() })?;
    let select_path = match obj.get("featurePath").or_else(|| obj.get("selectPath")) {
        Some(Value::String(p)) => p.clone(),
        _ => return Err(ParseError::Field { at, field: "featurePath", expected: "a string" }),
    };
    let path = JsonPath::parse(&select_path).map_err(|e| ParseError::InvalidPath {
        at: at.clone(),
        path: select_path.clone(),
        message: e.to_string(),
    })?;
    let raw = match obj.get("desired") {
        None | Some(Value::Null) if operator.takes_no_desired() => String::new(),
        None | Some(Value::Null) => return Err(ParseError::Field { at, field: "desired", expected: "a value" }),
        Some(v) => desired_text(v).ok_or(ParseError::Field {
            at: at.clone(),
            field: "desired",
            expected: "a scalar or array of scalars",
        })?,
    };
    let desired = Desired::parse(&raw).map_err(|e| ParseError::from((at.clone(), e)))?;
    if operator.needs_number() && desired.literal().is_some_and(|d| d.number.is_none()) {
        return Err(ParseError::InvalidDesired {
            at,
            message: format!("{} needs a number, got {raw:?}", operator.name),
        });
    }
    let if_missing = match obj.get("ifMissing") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(compliance_type(s).ok_or(ParseError::Field {
            at: at.clone(),
            field: "ifMissing",
            expected: "COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE or INSUFFICIENT_DATA",
        })?),
        Some(_) => return Err(ParseError::Field { at, field: "ifMissing", expected: "a string" }),
    };
    let optional = match obj.get("optional") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ParseError::Field { at, field: "optional", expected: "a boolean" }),
    };
    let steps = Step::parse_simple(&select_path);
    Ok(Leaf { select_path, path, operator, desired, if_missing, optional, steps })
}

fn compliance_type(s: &str) -> Option<ComplianceType> {
    use ComplianceType as C;
    [C::Compliant, C::NonCompliant, C::NotApplicable, C::InsufficientData].into_iter().find(|c| c.as_str() == s)
}

fn str_field<'a>(obj: &'a Map<String, Value>, field: &'static str, at: &str) -> Result<&'a str, ParseError> {
    obj.get(field).and_then(Value::as_str).ok_or_else(|| ParseError::Field {
        at: at.to_owned(),
        field,
        expected: "a string",
    })
}

fn desired_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => items
            .iter()
            .map(|i| if i.is_array() { None } else { desired_text(i) })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(",")),
        _ => None,
    }
}
