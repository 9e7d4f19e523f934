//! Desired values: templates with `{{paramName}}` references to the rule's input parameters.
//!
//! A desired value is parsed once; a literal one (no references) is prepared once too, so the
//! evaluation loop neither re-splits lists nor re-parses numbers for it.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// A desired value as written in the condition, possibly referencing input parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    raw: String,
    segments: Vec<Segment>,
    literal: Option<Prepared>,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Text(String),
    Param(String),
}

/// A desired value after substitution, in the forms the operators consume.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The whole text, e.g. `a, b` (used by the equality and substring operators).
    pub text: String,
    /// The text split on `,`, each item trimmed, empty items dropped (used by the list operators).
    pub items: Vec<String>,
    /// The trimmed text as a number, when it is one (used by the number operators).
    pub number: Option<f64>,
}

impl Prepared {
    /// Prepares a substituted desired text.
    pub fn new(text: String) -> Self {
        let items = text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        let number = text.trim().parse::<f64>().ok().filter(|n| n.is_finite());
        Self { text, items, number }
    }
}

/// Why a desired template is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesiredError {
    /// A `{{` without its closing `}}`.
    #[error("unclosed `{{{{` in desired value {0:?}")]
    Unclosed(String),
    /// `{{}}` or a name with characters other than letters, digits, `_`, `-` and `.`.
    #[error("invalid parameter name {name:?} in desired value {raw:?}")]
    BadName {
        /// The offending name.
        name: String,
        /// The whole desired value.
        raw: String,
    },
}

impl Desired {
    /// Parses a desired template. `{{name}}` references an input parameter; everything else is
    /// literal text.
    pub fn parse(raw: &str) -> Result<Self, DesiredError> {
        let mut segments = Vec::new();
        let mut rest = raw;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                segments.push(Segment::Text(rest[..start].to_owned()));
            }
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or_else(|| DesiredError::Unclosed(raw.to_owned()))?;
            let name = after[..end].trim();
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !valid {
                return Err(DesiredError::BadName { name: name.to_owned(), raw: raw.to_owned() });
            }
            segments.push(Segment::Param(name.to_owned()));
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Text(rest.to_owned()));
        }
        let literal = segments.iter().all(|s| matches!(s, Segment::Text(_))).then(|| Prepared::new(raw.to_owned()));
        Ok(Self { raw: raw.to_owned(), segments, literal })
    }

    /// The template as written.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The literal value, when the template references no parameter.
    pub fn literal(&self) -> Option<&Prepared> {
        self.literal.as_ref()
    }

    /// The names of the referenced parameters, in order of appearance.
    pub fn params(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(name) => Some(name.as_str()),
            Segment::Text(_) => None,
        })
    }

    /// Substitutes parameters: `params` (the rule's InputParameters) first, then `defaults`.
    /// Returns the name of the first parameter found in neither.
    pub fn resolve<'a>(
        &'a self,
        params: &BTreeMap<String, String>,
        defaults: &BTreeMap<String, String>,
    ) -> Result<Cow<'a, Prepared>, String> {
        if let Some(prepared) = &self.literal {
            return Ok(Cow::Borrowed(prepared));
        }
        let mut text = String::with_capacity(self.raw.len());
        for segment in &self.segments {
            match segment {
                Segment::Text(t) => text.push_str(t),
                Segment::Param(name) => {
                    let value = params.get(name).or_else(|| defaults.get(name)).ok_or_else(|| name.clone())?;
                    text.push_str(value);
                }
            }
        }
        Ok(Cow::Owned(Prepared::new(text)))
    }
}
