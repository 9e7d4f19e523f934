//! Times the report writers alone (no store): `cargo run --release --example report_speed
//! -- ROWS [FORMAT…]`, rows shaped like evaluation results, 30 % non-compliant.

use std::collections::BTreeMap;
use std::time::Instant;

use confpack_model::{AccountId, ConfigRule, EvaluationStatus, ResultWrite, RuleScope, StoredResult};
use confpack_reports::{ReportBuilder, ReportFormat, ReportSubject};

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500_000);
    let formats: Vec<ReportFormat> = args.filter_map(|a| ReportFormat::from_extension(&a)).collect();
    let formats = if formats.is_empty() { ReportFormat::ALL.to_vec() } else { formats };
    let rules: Vec<ConfigRule> = (0..86)
        .map(|i| ConfigRule {
            account_id: AccountId::new(1),
            rule_id: format!("cr-{i:020}"),
            name: format!("mlps-rule-{i}"),
            description: String::new(),
            source_owner: "ALIYUN".into(),
            source_identifier: format!("managed-rule-{i}"),
            input_parameters: BTreeMap::new(),
            conditions: None,
            trigger_types: Vec::new(),
            maximum_execution_frequency: String::new(),
            extend_content: String::new(),
            risk_level: 1 + i % 3,
            state: "ACTIVE".into(),
            scope: RuleScope::default(),
            tags: Vec::new(),
            created_by: None,
            result_token: String::new(),
            created_ms: 0,
            modified_ms: 0,
            status: EvaluationStatus::default(),
            revision: 0,
        })
        .collect();
    let subject = ReportSubject {
        title: "speed".into(),
        pack: None,
        account_id: 1,
        report_id: "cpr-1".into(),
        generated_ms: 1_764_000_000_000,
        rules,
        unimplemented_rules: Vec::new(),
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let started = Instant::now();
    let mut builder = ReportBuilder::new(subject, dir.path(), &formats).expect("builder");
    for i in 0..rows {
        let rule = i % 86;
        let compliance = if i % 10 < 3 { "NON_COMPLIANT" } else { "COMPLIANT" };
        let result = StoredResult {
            write: ResultWrite {
                rule_id: format!("cr-{rule:020}"),
                rule_revision: 0,
                rule_name: format!("mlps-rule-{rule}"),
                risk_level: 1 + (rule as i64) % 3,
                resource_type: "ACS::ECS::Instance".into(),
                resource_id: format!("i-{:012}", i / 3),
                region: "cn-hangzhou".into(),
                resource_name: format!("instance-{}", i / 3),
                resource_group_id: "rg-acfmxyz".into(),
                compliance_type: compliance.into(),
                annotation: r#"{"configuration":"true","desiredValue":"false","operator":"StringEquals","property":"$.InternetMaxBandwidthOut","reason":"$.InternetMaxBandwidthOut is \"5\", which does not satisfy LessOrEquals 0"}"#.into(),
                message_type: "Manual".into(),
                invoked_ms: 1_764_000_000_000 + i as i64,
                ordering_ms: 0,
            },
            effective_type: compliance.into(),
            recorded_ms: 0,
            last_non_compliant_ms: None,
            last_compliant_fixed_ms: None,
            ignore_date: String::new(),
            ignore_reason: String::new(),
        };
        builder.push(&result).expect("row");
    }
    let pushed = started.elapsed();
    let (files, _) = builder.finish().expect("finish");
    let total = started.elapsed();
    for f in files {
        let size = std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0);
        println!("{:?}: {:.1} MiB", f.format, size as f64 / 1048576.0);
    }
    println!(
        "{rows} rows, formats {formats:?}: rows {:.2} s, finish {:.2} s, total {:.2} s",
        pushed.as_secs_f64(),
        (total - pushed).as_secs_f64(),
        total.as_secs_f64()
    );
}
