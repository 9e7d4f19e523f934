//! The operator catalogue of ListConfigRuleOperators, as data, and each operator's semantics.
//!
//! Names, grouping by data type and the short descriptions follow the vendor's operator list
//! (ListConfigRuleOperators, help.aliyun.com document_detail/2950024, and the `Operator` field
//! docs of the 2020-09-07 SDK models for ListConfigRuleOperators and DescribeConfigRule's
//! `SourceConditions`). The vendor lists 23 operators in four data types; it lists no Boolean,
//! IP/CIDR or `Exists` operator, so none is invented here. `IsEmpty` is the only operator that
//! holds on a missing value (the "existence" operator).
//!
//! The vendor documents only one-word meanings ("contains", "is in"); the precise semantics below
//! are confpack's and each is stated on its [`OperatorKind`] variant.
//!
//! After the vendor's 23 come confpack's **extension operators** (flagged by
//! [`Operator::extension`] and described as such), which the managed-rule catalogue needs and the
//! vendor's list cannot express: existence, counting, date ages, port ranges and CIDR checks.
//! Custom condition rules may use them too; ListConfigRuleOperators lists them after the vendor's.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Serialize;
use serde_json::Value;

use crate::desired::Prepared;

/// The data type an operator expects the rule's path to select (the `DataType` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DataType {
    /// A JSON string (numbers and booleans are compared through their JSON text).
    String,
    /// A JSON number.
    Number,
    /// A JSON string holding Base64; operators look at the decoded text. The vendor's docs spell
    /// this type both "Base64 String" and "Base64String"; the latter is used on the wire.
    Base64String,
    /// A JSON array (or several selected values, taken together as one array).
    Array,
}

impl DataType {
    /// The wire spelling of the data type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Number => "Number",
            Self::Base64String => "Base64String",
            Self::Array => "Array",
        }
    }
}

/// The operators, one variant each. "Desired items" means the desired value split on `,`,
/// each item trimmed and empty items dropped; comparisons are case-sensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorKind {
    /// The actual text equals the whole desired text.
    StringEquals,
    /// Negation of `StringEquals`.
    NotStringEquals,
    /// The actual text equals one of the desired items.
    StringIn,
    /// Negation of `StringIn`.
    NotStringIn,
    /// The actual text contains the whole desired text as a substring.
    StringContains,
    /// Negation of `StringContains`.
    NotStringContains,
    /// actual == desired, compared as `f64` (a numeric string counts as its number).
    Equals,
    /// actual != desired, compared as `f64`.
    NotEquals,
    /// actual < desired.
    Less,
    /// actual <= desired.
    LessOrEquals,
    /// actual > desired.
    Greater,
    /// actual >= desired.
    GreaterOrEquals,
    /// The decoded text contains the whole desired text.
    Base64Contains,
    /// Negation of `Base64Contains`.
    NotBase64Contains,
    /// The decoded text contains every desired item.
    Base64ContainsAll,
    /// The decoded text contains none of the desired items.
    Base64ExcludeAll,
    /// Some element equals the whole desired text.
    Contains,
    /// Negation of `Contains`.
    NotContains,
    /// Every element equals one of the desired items (actual ⊆ desired; an empty array holds).
    In,
    /// Negation of `In`: some element is not among the desired items.
    NotIn,
    /// Every desired item equals some element (desired ⊆ actual).
    ContainsAll,
    /// No element equals any desired item (actual ∩ desired = ∅).
    ExcludeAll,
    /// The path selects nothing, or null, `""`, `[]` or `{}`.
    IsEmpty,
    /// Extension. Negation of `IsEmpty`: the path selects some value that is not empty.
    NotEmpty,
    /// Extension. The number of selected values (the elements, when one array is selected) is
    /// at most the desired number; nothing selected counts 0.
    CountLessOrEquals,
    /// Extension. The number of selected values is at least the desired number.
    CountGreaterOrEquals,
    /// Extension. The actual time (RFC 3339 text, `YYYY-MM-DD[ hh:mm[:ss]]`, or epoch
    /// milliseconds) lies at most the desired number of days before the evaluation time.
    DaysSinceLessOrEquals,
    /// Extension. The actual time lies at least the desired number of days after the evaluation
    /// time (an expiry far enough away).
    DaysUntilGreaterOrEquals,
    /// Extension. The actual port range `from/to` (`-1/-1` = every port) contains none of the
    /// desired ports.
    PortRangeExcludeAll,
    /// Extension. The actual address list (comma- or space-separated IPs/CIDRs, or an array of
    /// them) has no catch-all entry: `0.0.0.0`, `0.0.0.0/0`, `::/0` or any other `/0`.
    CidrNotAnyIp,
    /// Extension. Every entry of the actual address list lies in a private, loopback,
    /// link-local or shared (100.64/10) range, IPv4 or IPv6.
    CidrAllPrivate,
}

/// One entry of the catalogue, serialised as ListConfigRuleOperators returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Operator {
    /// The operator's data type.
    #[serde(serialize_with = "ser_data_type")]
    pub data_type: DataType,
    /// A short description in the vendor's wording.
    pub description: &'static str,
    /// The operator name (the vendor's sample shows `Name` and `Operator` identical).
    pub name: &'static str,
    /// The value a condition's `operator` field carries.
    pub operator: &'static str,
    /// The semantics.
    #[serde(skip)]
    pub kind: OperatorKind,
    /// True for confpack's extension operators (absent from the vendor's list).
    #[serde(skip)]
    pub extension: bool,
}

fn ser_data_type<S: serde::Serializer>(d: &DataType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(d.as_str())
}

macro_rules! catalogue {
    (vendor { $($kind:ident, $ty:ident, $desc:literal;)* } extensions { $($ext:ident, $ext_ty:ident, $ext_desc:literal;)* }) => {
        /// Every operator: the vendor's in the vendor's order, then confpack's extensions.
        pub static OPERATORS: &[Operator] = &[$(Operator {
            data_type: DataType::$ty,
            description: $desc,
            name: stringify!($kind),
            operator: stringify!($kind),
            kind: OperatorKind::$kind,
            extension: false,
        },)* $(Operator {
            data_type: DataType::$ext_ty,
            description: $ext_desc,
            name: stringify!($ext),
            operator: stringify!($ext),
            kind: OperatorKind::$ext,
            extension: true,
        }),*];
    };
}

catalogue! {
    vendor {
    StringEquals, String, "equals";
    NotStringEquals, String, "does not equal";
    StringIn, String, "is in";
    NotStringIn, String, "is not in";
    StringContains, String, "contains";
    NotStringContains, String, "does not contain";
    Equals, Number, "equals";
    NotEquals, Number, "does not equal";
    Less, Number, "is less than";
    LessOrEquals, Number, "is less than or equal to";
    Greater, Number, "is greater than";
    GreaterOrEquals, Number, "is greater than or equal to";
    Base64Contains, Base64String, "contains";
    NotBase64Contains, Base64String, "does not contain";
    Base64ContainsAll, Base64String, "contains all";
    Base64ExcludeAll, Base64String, "excludes all";
    Contains, Array, "contains";
    NotContains, Array, "does not contain";
    In, Array, "is in";
    NotIn, Array, "is not in";
    ContainsAll, Array, "contains all";
    ExcludeAll, Array, "excludes all";
    IsEmpty, Array, "is empty";
    }
    extensions {
    NotEmpty, Array, "is not empty (confpack extension)";
    CountLessOrEquals, Array, "has at most this many values (confpack extension)";
    CountGreaterOrEquals, Array, "has at least this many values (confpack extension)";
    DaysSinceLessOrEquals, String, "is at most this many days ago (confpack extension)";
    DaysUntilGreaterOrEquals, String, "is at least this many days ahead (confpack extension)";
    PortRangeExcludeAll, String, "port range includes none of these ports (confpack extension)";
    CidrNotAnyIp, String, "address list has no catch-all entry such as 0.0.0.0/0 (confpack extension)";
    CidrAllPrivate, String, "address list has only private addresses (confpack extension)";
    }
}

/// Looks an operator up by its exact (case-sensitive) name.
pub fn operator(name: &str) -> Option<&'static Operator> {
    OPERATORS.iter().find(|o| o.name == name)
}

/// The result of applying an operator to one actual value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The operator holds.
    Holds,
    /// The operator does not hold.
    Violated,
    /// The actual or desired value has the wrong type or form; the reason says which.
    Mismatch(String),
}

impl Outcome {
    fn from_bool(b: bool) -> Self {
        if b { Self::Holds } else { Self::Violated }
    }
}

/// Base64 as cloud APIs emit it: standard alphabet, padding optional.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl Operator {
    /// True for the operators that decide when the path selects nothing (`IsEmpty`, `NotEmpty`
    /// and the counts); every other operator then yields INSUFFICIENT_DATA.
    pub fn is_existence(&self) -> bool {
        use OperatorKind as K;
        matches!(self.kind, K::IsEmpty | K::NotEmpty | K::CountLessOrEquals | K::CountGreaterOrEquals)
    }

    /// True for the operators whose desired value may be omitted.
    pub fn takes_no_desired(&self) -> bool {
        use OperatorKind as K;
        matches!(self.kind, K::IsEmpty | K::NotEmpty | K::CidrNotAnyIp | K::CidrAllPrivate)
    }

    /// The operators whose desired value must be a number.
    pub fn needs_number(&self) -> bool {
        use OperatorKind as K;
        self.data_type == DataType::Number
            || matches!(
                self.kind,
                K::CountLessOrEquals | K::CountGreaterOrEquals | K::DaysSinceLessOrEquals | K::DaysUntilGreaterOrEquals
            )
    }

    /// Applies the operator to one selected value; `now_ms` is the evaluation time (epoch ms).
    pub fn check(&self, actual: &Value, desired: &Prepared, now_ms: i64) -> Outcome {
        use OperatorKind as K;
        match self.kind {
            K::DaysSinceLessOrEquals | K::DaysUntilGreaterOrEquals => return self.check_days(actual, desired, now_ms),
            K::PortRangeExcludeAll => return self.check_port_range(actual, desired),
            K::CidrNotAnyIp | K::CidrAllPrivate => return self.check_addresses(actual),
            _ => {}
        }
        match self.data_type {
            DataType::String => match scalar_text(actual) {
                Some(text) => self.check_text(&text, desired),
                None => Outcome::Mismatch(format!("{} expects a string, found {}", self.name, type_name(actual))),
            },
            DataType::Number => {
                // Product APIs often return numbers as strings ("5"); a numeric string counts.
                let number = actual.as_f64().or_else(|| actual.as_str().and_then(|t| t.trim().parse::<f64>().ok()));
                let Some(a) = number.filter(|n| n.is_finite()) else {
                    return Outcome::Mismatch(format!("{} expects a number, found {}", self.name, type_name(actual)));
                };
                let Some(d) = desired.number else {
                    return Outcome::Mismatch(format!("desired value {:?} is not a number", desired.text));
                };
                Outcome::from_bool(match self.kind {
                    K::Equals => a == d,
                    K::NotEquals => a != d,
                    K::Less => a < d,
                    K::LessOrEquals => a <= d,
                    K::Greater => a > d,
                    _ => a >= d,
                })
            }
            DataType::Base64String => {
                let Value::String(encoded) = actual else {
                    return Outcome::Mismatch(format!(
                        "{} expects a Base64 string, found {}",
                        self.name,
                        type_name(actual)
                    ));
                };
                match BASE64.decode(encoded.trim()) {
                    Ok(bytes) => self.check_text(&String::from_utf8_lossy(&bytes), desired),
                    Err(e) => Outcome::Mismatch(format!("{} expects Base64, decoding failed: {e}", self.name)),
                }
            }
            DataType::Array if self.kind == K::IsEmpty => Outcome::from_bool(is_empty_value(actual)),
            DataType::Array if self.kind == K::NotEmpty => Outcome::from_bool(!is_empty_value(actual)),
            DataType::Array if self.is_existence() => match actual {
                Value::Array(items) => self.check_count(items.len(), desired),
                _ => self.check_count(1, desired),
            },
            DataType::Array => match actual {
                Value::Array(items) => self.check_elements(items.iter(), desired),
                other => Outcome::Mismatch(format!("{} expects an array, found {}", self.name, type_name(other))),
            },
        }
    }

    /// Applies an Array operator to elements gathered from several selected values.
    pub fn check_elements<'v>(&self, elements: impl Iterator<Item = &'v Value> + Clone, desired: &Prepared) -> Outcome {
        use OperatorKind as K;
        let wanted = |e: &Value| desired.items.iter().any(|item| element_text(e) == item.as_str());
        Outcome::from_bool(match self.kind {
            K::Contains => elements.clone().any(|e| element_text(e) == desired.text),
            K::NotContains => !elements.clone().any(|e| element_text(e) == desired.text),
            K::In => elements.clone().all(wanted),
            K::NotIn => !elements.clone().all(wanted),
            K::ContainsAll => {
                desired.items.iter().all(|item| elements.clone().any(|e| element_text(e) == item.as_str()))
            }
            K::ExcludeAll => !elements.clone().any(wanted),
            K::IsEmpty => elements.clone().all(is_empty_value),
            K::NotEmpty => !elements.clone().all(is_empty_value),
            K::CountLessOrEquals | K::CountGreaterOrEquals => return self.check_count(elements.count(), desired),
            _ => return Outcome::Mismatch(format!("{} is not an Array operator", self.name)),
        })
    }

    /// The count operators, given the number of selected values.
    pub fn check_count(&self, count: usize, desired: &Prepared) -> Outcome {
        let Some(limit) = desired.number else {
            return Outcome::Mismatch(format!("desired value {:?} is not a number", desired.text));
        };
        #[allow(clippy::cast_precision_loss)] // counts are far below 2^52
        let count = count as f64;
        Outcome::from_bool(if self.kind == OperatorKind::CountLessOrEquals { count <= limit } else { count >= limit })
    }

    fn check_days(&self, actual: &Value, desired: &Prepared, now_ms: i64) -> Outcome {
        let Some(days) = desired.number else {
            return Outcome::Mismatch(format!("desired value {:?} is not a number of days", desired.text));
        };
        let Some(at) = crate::time::instant_ms(actual) else {
            return Outcome::Mismatch(format!("{} expects a date or time, found {actual}", self.name));
        };
        #[allow(clippy::cast_precision_loss)] // millisecond differences fit an f64 exactly enough
        let elapsed_days = (now_ms - at) as f64 / crate::time::DAY_MS as f64;
        Outcome::from_bool(if self.kind == OperatorKind::DaysSinceLessOrEquals {
            elapsed_days <= days
        } else {
            -elapsed_days >= days
        })
    }

    fn check_port_range(&self, actual: &Value, desired: &Prepared) -> Outcome {
        let Some(text) = scalar_text(actual) else {
            return Outcome::Mismatch(format!("{} expects a port range, found {}", self.name, type_name(actual)));
        };
        let Some((from, to)) = crate::network::port_range(&text) else {
            return Outcome::Mismatch(format!("{text:?} is not a port range such as 22/22 or -1/-1"));
        };
        let mut ports = Vec::with_capacity(desired.items.len());
        for item in &desired.items {
            match item.parse::<i64>() {
                Ok(port) => ports.push(port),
                Err(_) => return Outcome::Mismatch(format!("desired port {item:?} is not a number")),
            }
        }
        Outcome::from_bool(!ports.iter().any(|p| (from..=to).contains(p)))
    }

    fn check_addresses(&self, actual: &Value) -> Outcome {
        let entries: Vec<Cow<'_, str>> = match actual {
            Value::Array(items) => match items.iter().map(scalar_text).collect::<Option<Vec<_>>>() {
                Some(texts) => texts,
                None => return Outcome::Mismatch(format!("{} expects a list of addresses", self.name)),
            },
            other => match scalar_text(other) {
                Some(text) => vec![text],
                None => {
                    return Outcome::Mismatch(format!("{} expects addresses, found {}", self.name, type_name(other)));
                }
            },
        };
        let mut all = Vec::new();
        for entry in &entries {
            all.extend(crate::network::split_list(entry));
        }
        let mut verdict = true;
        for entry in all {
            let Some(cidr) = crate::network::Cidr::parse(entry) else {
                return Outcome::Mismatch(format!("{entry:?} is not an IP address or CIDR block"));
            };
            verdict &= if self.kind == OperatorKind::CidrNotAnyIp { !cidr.is_any() } else { cidr.is_private() };
        }
        Outcome::from_bool(verdict)
    }

    fn check_text(&self, text: &str, desired: &Prepared) -> Outcome {
        use OperatorKind as K;
        let in_items = || desired.items.iter().any(|i| i == text);
        Outcome::from_bool(match self.kind {
            K::StringEquals => text == desired.text,
            K::NotStringEquals => text != desired.text,
            K::StringIn => in_items(),
            K::NotStringIn => !in_items(),
            K::StringContains | K::Base64Contains => text.contains(desired.text.as_str()),
            K::NotStringContains | K::NotBase64Contains => !text.contains(desired.text.as_str()),
            K::Base64ContainsAll => desired.items.iter().all(|i| text.contains(i.as_str())),
            K::Base64ExcludeAll => !desired.items.iter().any(|i| text.contains(i.as_str())),
            _ => return Outcome::Mismatch(format!("{} is not a text operator", self.name)),
        })
    }
}

/// The text of a scalar: strings verbatim, numbers and booleans as their JSON text.
fn scalar_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// The text an array element is compared by: scalars as [`scalar_text`], the rest as compact JSON.
fn element_text(v: &Value) -> Cow<'_, str> {
    scalar_text(v).unwrap_or_else(|| Cow::Owned(v.to_string()))
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The JSON type name used in mismatch reasons.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
