//! The tallies a report's overview prints, kept while the rows stream by.

use std::collections::BTreeMap;

use confpack_model::ConfigRule;

use crate::{ReportError, ReportResult, ReportRow};

/// The compliance types in the order a resource's worst verdict is chosen (and the order
/// the vendor's counters list them).
pub use confpack_model::rule::VERDICT_ORDER as VERDICTS;

/// The worse of two compliance types, by [`VERDICTS`] order (unknown types rank last).
pub fn worst_of<'a>(a: &'a str, b: &'a str) -> &'a str {
    let rank = |t: &str| VERDICTS.iter().position(|v| *v == t).unwrap_or(VERDICTS.len());
    if rank(b) < rank(a) { b } else { a }
}

/// One rule's results by compliance type.
#[derive(Clone, Debug)]
pub struct RuleTally {
    /// The rule.
    pub rule: ConfigRule,
    /// Results per compliance type.
    pub counts: BTreeMap<String, i64>,
}

impl RuleTally {
    /// Results of one compliance type.
    pub fn count(&self, compliance: &str) -> i64 {
        self.counts.get(compliance).copied().unwrap_or(0)
    }

    /// All of the rule's results.
    pub fn total(&self) -> i64 {
        self.counts.values().sum()
    }

    /// The rule's compliance as `GetConfigRuleComplianceByPack` reports it: non-compliant
    /// when any result is, else compliant when any is, else insufficient data or not
    /// applicable; `INSUFFICIENT_DATA` for a rule without results.
    pub fn compliance(&self) -> &'static str {
        VERDICTS[..4].iter().copied().find(|t| self.count(t) > 0).unwrap_or("INSUFFICIENT_DATA")
    }
}

/// Everything the overview of a report shows.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Per rule, in the subject's order.
    pub rules: Vec<RuleTally>,
    /// Rule-resource pairs per compliance type.
    pub pairs: BTreeMap<String, i64>,
    /// Resources per worst compliance type.
    pub resources: BTreeMap<String, i64>,
    /// Rule-resource pairs per risk level (1 high, 2 medium, 3 low) and compliance type.
    pub by_risk: BTreeMap<i64, BTreeMap<String, i64>>,
    index: BTreeMap<String, usize>,
    current: Option<(String, String, String)>,
}

impl Summary {
    /// An empty summary over `rules`.
    pub fn new(rules: &[ConfigRule]) -> Self {
        Self {
            rules: rules.iter().map(|r| RuleTally { rule: r.clone(), counts: BTreeMap::new() }).collect(),
            index: rules.iter().enumerate().map(|(i, r)| (r.rule_id.clone(), i)).collect(),
            pairs: BTreeMap::new(),
            resources: BTreeMap::new(),
            by_risk: BTreeMap::new(),
            current: None,
        }
    }

    /// Counts one row. Rows must come grouped by resource, in `(type, id)` order.
    pub fn add(&mut self, row: &ReportRow<'_>) -> ReportResult<()> {
        let w = &row.result.write;
        let compliance = row.compliance();
        if let Some(&i) = self.index.get(&w.rule_id) {
            *self.rules[i].counts.entry(compliance.to_owned()).or_insert(0) += 1;
        }
        *self.pairs.entry(compliance.to_owned()).or_insert(0) += 1;
        *self.by_risk.entry(w.risk_level).or_default().entry(compliance.to_owned()).or_insert(0) += 1;
        match &mut self.current {
            Some((t, id, worst)) if *t == w.resource_type && *id == w.resource_id => {
                *worst = worst_of(worst, compliance).to_owned();
            }
            current => {
                if let Some((t, id, worst)) = current.take() {
                    if (t.as_str(), id.as_str()) > (w.resource_type.as_str(), w.resource_id.as_str()) {
                        return Err(ReportError::OutOfOrder(
                            format!("{} {}", w.resource_type, w.resource_id),
                            format!("{t} {id}"),
                        ));
                    }
                    *self.resources.entry(worst).or_insert(0) += 1;
                }
                *current = Some((w.resource_type.clone(), w.resource_id.clone(), compliance.to_owned()));
            }
        }
        Ok(())
    }

    /// Closes the last resource's group; call once after the last row.
    pub fn close(&mut self) {
        if let Some((_, _, worst)) = self.current.take() {
            *self.resources.entry(worst).or_insert(0) += 1;
        }
    }

    /// Rule-resource pairs of one compliance type.
    pub fn pairs_of(&self, compliance: &str) -> i64 {
        self.pairs.get(compliance).copied().unwrap_or(0)
    }

    /// Resources whose worst compliance type is `compliance`.
    pub fn resources_of(&self, compliance: &str) -> i64 {
        self.resources.get(compliance).copied().unwrap_or(0)
    }

    /// All resources evaluated.
    pub fn resource_total(&self) -> i64 {
        self.resources.values().sum()
    }

    /// Rules whose compliance is `compliance`.
    pub fn rules_of(&self, compliance: &str) -> i64 {
        self.rules.iter().filter(|r| r.compliance() == compliance).count() as i64
    }

    /// The compliance score: compliant / (compliant + non-compliant) rule-resource pairs,
    /// as a percentage; `None` when no pair is either.
    pub fn score(&self) -> Option<f64> {
        let (c, n) = (self.pairs_of("COMPLIANT"), self.pairs_of("NON_COMPLIANT"));
        (c + n > 0).then(|| (c as f64) * 100.0 / ((c + n) as f64))
    }
}

/// A risk level's name.
pub(crate) fn risk_name(level: i64) -> &'static str {
    match level {
        1 => "High",
        2 => "Medium",
        3 => "Low",
        _ => "Unknown",
    }
}
