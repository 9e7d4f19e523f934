//! The tallies a report's overview prints, kept while the rows stream by.

use std::collections::{BTreeMap, HashMap};

use confpack_model::ConfigRule;

use crate::{ReportResult, ReportRow};

/// The compliance types in the order a resource's worst verdict is chosen (and the order
/// the vendor's counters list them).
pub use confpack_model::rule::VERDICT_ORDER as VERDICTS;

/// The worse of two compliance types, by [`VERDICTS`] order (unknown types rank last).
pub fn worst_of<'a>(a: &'a str, b: &'a str) -> &'a str {
    let rank = |t: &str| VERDICTS.iter().position(|v| *v == t).unwrap_or(VERDICTS.len());
    if rank(b) < rank(a) { b } else { a }
}

/// The index of a compliance type in [`VERDICTS`] (unknown types count with the last).
fn verdict_index(compliance: &str) -> usize {
    VERDICTS.iter().position(|v| *v == compliance).unwrap_or(VERDICTS.len() - 1)
}

/// Counts per compliance type, in [`VERDICTS`] order.
pub type VerdictCounts = [i64; VERDICTS.len()];

/// One rule's results by compliance type.
#[derive(Clone, Debug)]
pub struct RuleTally {
    /// The rule.
    pub rule: ConfigRule,
    /// Results per compliance type.
    pub counts: VerdictCounts,
}

impl RuleTally {
    /// Results of one compliance type.
    pub fn count(&self, compliance: &str) -> i64 {
        VERDICTS.iter().position(|v| *v == compliance).map_or(0, |i| self.counts[i])
    }

    /// All of the rule's results.
    pub fn total(&self) -> i64 {
        self.counts.iter().sum()
    }

    /// The rule's compliance as `GetConfigRuleComplianceByPack` reports it
    /// ([`confpack_model::rule::rule_verdict`]).
    pub fn compliance(&self) -> &'static str {
        confpack_model::rule::rule_verdict(|t| self.count(t))
    }
}

/// Everything the overview of a report shows.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Per rule, in the subject's order.
    pub rules: Vec<RuleTally>,
    /// Rule-resource pairs per compliance type.
    pub pairs: VerdictCounts,
    /// Resources per worst compliance type.
    pub resources: VerdictCounts,
    /// Rule-resource pairs per risk level (1 high, 2 medium, 3 low) and compliance type.
    pub by_risk: BTreeMap<i64, VerdictCounts>,
    index: HashMap<String, usize>,
}

impl Summary {
    /// An empty summary over `rules`.
    pub fn new(rules: &[ConfigRule]) -> Self {
        Self {
            rules: rules.iter().map(|r| RuleTally { rule: r.clone(), counts: VerdictCounts::default() }).collect(),
            index: rules.iter().enumerate().map(|(i, r)| (r.rule_id.clone(), i)).collect(),
            pairs: VerdictCounts::default(),
            resources: VerdictCounts::default(),
            by_risk: BTreeMap::new(),
        }
    }

    /// Sets the resource counters: resources per worst compliance type, as the store
    /// counted them in the same snapshot as the rows.
    pub fn set_resources(&mut self, counts: &[(String, i64)]) {
        self.resources = VerdictCounts::default();
        for (compliance, n) in counts {
            self.resources[verdict_index(compliance)] += n;
        }
    }

    /// The position in [`Summary::rules`] of a rule.
    pub fn rule_index(&self, rule_id: &str) -> Option<usize> {
        self.index.get(rule_id).copied()
    }

    /// Counts one row of the rule at `rule` (see [`Summary::rule_index`]).
    pub fn add(&mut self, row: &ReportRow<'_>, rule: Option<usize>) -> ReportResult<()> {
        let w = &row.result.write;
        let verdict = verdict_index(row.compliance());
        if let Some(i) = rule {
            self.rules[i].counts[verdict] += 1;
        }
        self.pairs[verdict] += 1;
        self.by_risk.entry(w.risk_level).or_default()[verdict] += 1;
        Ok(())
    }

    /// Rule-resource pairs of one compliance type.
    pub fn pairs_of(&self, compliance: &str) -> i64 {
        VERDICTS.iter().position(|v| *v == compliance).map_or(0, |i| self.pairs[i])
    }

    /// All rule-resource pairs.
    pub fn pair_total(&self) -> i64 {
        self.pairs.iter().sum()
    }

    /// Pairs of one risk level and compliance type.
    pub fn risk_pairs_of(&self, level: i64, compliance: &str) -> i64 {
        let i = VERDICTS.iter().position(|v| *v == compliance);
        self.by_risk.get(&level).zip(i).map_or(0, |(counts, i)| counts[i])
    }

    /// Resources whose worst compliance type is `compliance`.
    pub fn resources_of(&self, compliance: &str) -> i64 {
        VERDICTS.iter().position(|v| *v == compliance).map_or(0, |i| self.resources[i])
    }

    /// All resources evaluated.
    pub fn resource_total(&self) -> i64 {
        self.resources.iter().sum()
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
