//! The JSON report: `{"Results": [...], "Overview": {...}, "Rules": [...]}`. Results come
//! first because they are written as they stream by; the overview needs their totals.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{Value, json};

use crate::builder::FormatWriter;
use crate::row::format_ms;
use crate::summary::{Summary, VERDICTS, risk_name};
use crate::{ReportResult, ReportRow, ReportSubject};

/// One result as the JSON report lists it (field names as the API's).
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ResultItem<'a> {
    config_rule_id: &'a str,
    config_rule_name: &'a str,
    managed_rule_identifier: &'a str,
    risk_level: i64,
    compliance_type: &'a str,
    resource_id: &'a str,
    resource_name: &'a str,
    resource_type: &'a str,
    region_id: &'a str,
    resource_group_id: &'a str,
    reason: &'a str,
    config_rule_invoked_timestamp: i64,
    ignore_reason: &'a str,
}

pub(crate) struct JsonWriter {
    out: BufWriter<File>,
    first: bool,
}

impl JsonWriter {
    pub(crate) fn create(path: &Path) -> ReportResult<Self> {
        let mut out = BufWriter::with_capacity(1 << 16, File::create(path)?);
        out.write_all(b"{\"Results\":[")?;
        Ok(Self { out, first: true })
    }
}

impl FormatWriter for JsonWriter {
    fn row(&mut self, row: &ReportRow<'_>) -> ReportResult<()> {
        let w = &row.result.write;
        let item = ResultItem {
            config_rule_id: &w.rule_id,
            config_rule_name: &w.rule_name,
            managed_rule_identifier: row.identifier,
            risk_level: w.risk_level,
            compliance_type: row.compliance(),
            resource_id: &w.resource_id,
            resource_name: &w.resource_name,
            resource_type: &w.resource_type,
            region_id: &w.region,
            resource_group_id: &w.resource_group_id,
            reason: row.reason,
            config_rule_invoked_timestamp: w.invoked_ms,
            ignore_reason: &row.result.ignore_reason,
        };
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        serde_json::to_writer(&mut self.out, &item).map_err(std::io::Error::from)?;
        Ok(())
    }

    fn finish(mut self: Box<Self>, subject: &ReportSubject, summary: &Summary) -> ReportResult<()> {
        self.out.write_all(b"],\n\"Overview\":")?;
        serde_json::to_writer(&mut self.out, &overview(subject, summary)).map_err(std::io::Error::from)?;
        self.out.write_all(b",\n\"Rules\":")?;
        serde_json::to_writer(&mut self.out, &rules(summary)).map_err(std::io::Error::from)?;
        self.out.write_all(b"}\n")?;
        self.out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(())
    }
}

fn by_type(counts: impl Fn(&str) -> i64) -> Value {
    VERDICTS.iter().map(|t| ((*t).to_owned(), json!(counts(t)))).collect::<serde_json::Map<_, _>>().into()
}

/// The overview as JSON: subject, time, score and counters.
pub(crate) fn overview(subject: &ReportSubject, summary: &Summary) -> Value {
    let by_risk: serde_json::Map<String, Value> = summary
        .by_risk
        .keys()
        .map(|level| (risk_name(*level).to_owned(), by_type(|t| summary.risk_pairs_of(*level, t))))
        .collect();
    json!({
        "Title": subject.title,
        "ReportId": subject.report_id,
        "AccountId": subject.account_id,
        "CompliancePackId": subject.pack.as_ref().map(|p| p.pack_id.clone()),
        "CompliancePackTemplateId": subject.pack.as_ref().map(|p| p.template_id.clone()),
        "ReportCreateTimestamp": subject.generated_ms,
        "GeneratedAt": format_ms(subject.generated_ms),
        "ComplianceScore": summary.score().map(|s| (s * 100.0).round() / 100.0),
        "Rules": by_type(|t| summary.rules_of(t)),
        "RuleCount": summary.rules.len(),
        "Resources": by_type(|t| summary.resources_of(t)),
        "ResourceCount": summary.resource_total(),
        "Evaluations": by_type(|t| summary.pairs_of(t)),
        "EvaluationsByRiskLevel": by_risk,
        "UnimplementedRules": subject.unimplemented_rules,
    })
}

/// The per-rule summary with each rule's parameters and scope.
pub(crate) fn rules(summary: &Summary) -> Value {
    summary
        .rules
        .iter()
        .map(|t| {
            let r = &t.rule;
            json!({
                "ConfigRuleId": r.rule_id,
                "ConfigRuleName": r.name,
                "ManagedRuleIdentifier": r.source_identifier,
                "RiskLevel": r.risk_level,
                "State": r.state,
                "ComplianceType": t.compliance(),
                "Counts": by_type(|c| t.count(c)),
                "InputParameters": r.input_parameters,
                "Scope": crate::xlsx::scope_text(r),
            })
        })
        .collect::<Vec<_>>()
        .into()
}
