//! Reports written from a handful of results and read back: the XLSX with calamine, the
//! CSV and JSON with their parsers, the HTML as text.

use std::collections::BTreeMap;

use calamine::{Data, Reader, Xlsx, open_workbook};
use confpack_model::{AccountId, ConfigRule, EvaluationStatus, ResultWrite, RuleScope, StoredResult};

use crate::{PackInfo, ReportBuilder, ReportFormat, ReportSubject};

fn rule(id: &str, identifier: &str, risk: i64) -> ConfigRule {
    ConfigRule {
        account_id: AccountId::new(7),
        rule_id: id.into(),
        name: format!("pack-{identifier}"),
        description: String::new(),
        source_owner: "ALIYUN".into(),
        source_identifier: identifier.into(),
        input_parameters: BTreeMap::from([("bandwidth".into(), "10".into())]),
        conditions: None,
        trigger_types: Vec::new(),
        maximum_execution_frequency: String::new(),
        extend_content: String::new(),
        risk_level: risk,
        state: "ACTIVE".into(),
        scope: RuleScope { resource_types: vec!["ACS::OSS::Bucket".into()], ..RuleScope::default() },
        tags: Vec::new(),
        created_by: None,
        result_token: String::new(),
        created_ms: 0,
        modified_ms: 0,
        status: EvaluationStatus::default(),
        revision: 0,
    }
}

fn result(rule_id: &str, resource: &str, compliance: &str, risk: i64) -> StoredResult {
    StoredResult {
        write: ResultWrite {
            rule_id: rule_id.into(),
            rule_revision: 0,
            rule_name: format!("name of {rule_id}"),
            risk_level: risk,
            resource_type: "ACS::OSS::Bucket".into(),
            resource_id: resource.into(),
            region: "cn-hangzhou".into(),
            resource_name: format!("{resource}-name"),
            resource_group_id: "rg-1".into(),
            compliance_type: compliance.into(),
            annotation: r#"{"reason":"because"}"#.into(),
            message_type: "Manual".into(),
            invoked_ms: 1_764_000_000_000,
            ordering_ms: 0,
        },
        effective_type: compliance.into(),
        recorded_ms: 0,
        last_non_compliant_ms: None,
        last_compliant_fixed_ms: None,
        ignore_date: String::new(),
        ignore_reason: String::new(),
    }
}

fn subject() -> ReportSubject {
    ReportSubject {
        title: "baseline".into(),
        pack: Some(PackInfo {
            pack_id: "cp-1".into(),
            description: "d".into(),
            template_id: String::new(),
            risk_level: 2,
        }),
        account_id: 7,
        report_id: "cpr-1".into(),
        generated_ms: 1_764_000_000_000,
        rules: vec![rule("cr-1", "read-check", 1), rule("cr-2", "version-check", 2)],
        unimplemented_rules: vec!["not-yet".into()],
    }
}

/// Five resources: b0 and b1 fail cr-1, b2 is ignored under cr-1, every resource passes cr-2.
fn results() -> Vec<StoredResult> {
    let mut all = Vec::new();
    for (i, first) in ["NON_COMPLIANT", "NON_COMPLIANT", "IGNORED", "COMPLIANT", "COMPLIANT"].into_iter().enumerate() {
        let id = format!("b{i}");
        all.push(result("cr-1", &id, first, 1));
        all.push(result("cr-2", &id, "COMPLIANT", 2));
    }
    all
}

fn write(dir: &std::path::Path) -> crate::Summary {
    let mut builder = ReportBuilder::new(subject(), dir, &ReportFormat::ALL).expect("builder");
    // As the store would count them: b0 and b1 non-compliant, the other three compliant.
    builder.set_resources(&[("NON_COMPLIANT".to_owned(), 2), ("COMPLIANT".to_owned(), 3)]);
    for r in &results() {
        builder.push(r).expect("row");
    }
    let (files, summary) = builder.finish().expect("finish");
    assert_eq!(files.len(), 4);
    assert!(files.iter().all(|f| f.path.exists()));
    summary
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn the_summary_counts_rules_resources_pairs_and_the_score() {
    let dir = tempfile::tempdir().expect("dir");
    let summary = write(dir.path());
    assert_eq!(
        (summary.pairs_of("NON_COMPLIANT"), summary.pairs_of("COMPLIANT"), summary.pairs_of("IGNORED")),
        (2, 7, 1)
    );
    assert_eq!((summary.resources_of("NON_COMPLIANT"), summary.resources_of("COMPLIANT")), (2, 3));
    assert_eq!(summary.resource_total(), 5);
    assert_eq!((summary.rules_of("NON_COMPLIANT"), summary.rules_of("COMPLIANT")), (1, 1));
    let score = summary.score().expect("score");
    assert!((score - 700.0 / 9.0).abs() < 1e-9, "{score}");
}

#[test]
fn the_workbook_reads_back_with_every_sheet_and_spills_long_sheets() {
    let dir = tempfile::tempdir().expect("dir");
    write(dir.path());
    let mut book: Xlsx<_> = open_workbook(dir.path().join("report.xlsx")).expect("open");
    assert_eq!(
        book.sheet_names(),
        [
            "Overview",
            "Non-compliant resources",
            "Evaluation results",
            "Evaluation results 2",
            "Evaluation results 3",
            "Evaluation results 4",
            "Rules"
        ]
    );
    let overview = book.worksheet_range("Overview").expect("overview");
    let rows: Vec<Vec<String>> = overview.rows().map(|r| r.iter().map(text).collect()).collect();
    assert!(rows.iter().any(|r| r[0] == "Compliance score" && r[1] == "77.78%"));
    let counts = rows.iter().position(|r| r[0] == "Counts by compliance type").expect("counts table") + 2;
    assert_eq!(rows[counts][..4], ["NON_COMPLIANT", "1", "2", "2"]);
    assert!(rows.iter().any(|r| r[0] == "Rules not implemented (not evaluated)" && r[1] == "not-yet"));
    let failing = book.worksheet_range("Non-compliant resources").expect("sheet");
    let failing: Vec<Vec<String>> = failing.rows().map(|r| r.iter().map(text).collect()).collect();
    assert_eq!(failing.len(), 3, "a header and two rows");
    assert_eq!(failing[1][..5], ["name of cr-1", "read-check", "cr-1", "High", "b0"]);
    assert_eq!(failing[1][9], "because");
    // Ten results at three rows a sheet: 3 + 3 + 3 + 1, each sheet with its header.
    let mut spilled = 0;
    for name in ["Evaluation results", "Evaluation results 2", "Evaluation results 3", "Evaluation results 4"] {
        let range = book.worksheet_range(name).expect("results sheet");
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
        assert_eq!(rows[0][0], "Rule name");
        spilled += rows.len() - 1;
    }
    assert_eq!(spilled, 10);
    let rules = book.worksheet_range("Rules").expect("rules");
    let rules: Vec<Vec<String>> = rules.rows().map(|r| r.iter().map(text).collect()).collect();
    assert_eq!(rules[1][5], "bandwidth=10");
    assert_eq!(rules[1][6], "Resource types: ACS::OSS::Bucket");
}

#[test]
fn csv_json_and_html_hold_the_same_results() {
    let dir = tempfile::tempdir().expect("dir");
    write(dir.path());
    let mut reader = csv::Reader::from_path(dir.path().join("report.csv")).expect("csv");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows.iter().filter(|r| &r[4] == "NON_COMPLIANT").count(), 2);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).expect("json")).expect("parses");
    assert_eq!(json["Results"].as_array().map(Vec::len), Some(10));
    assert_eq!(json["Overview"]["Resources"]["NON_COMPLIANT"], 2);
    assert_eq!(json["Overview"]["ComplianceScore"], 77.78);
    assert_eq!(json["Rules"][0]["ComplianceType"], "NON_COMPLIANT");
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
    assert!(html.contains("77.78%") && html.contains("Non-compliant resources (2)"));
    assert!(!html.contains("<script") && !html.contains("src=\"http"));
}

#[test]
fn html_escapes_what_it_shows() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = subject();
    s.title = "<script>alert(1)</script>".into();
    let mut builder = ReportBuilder::new(s, dir.path(), &[ReportFormat::Html]).expect("builder");
    builder.push(&result("cr-1", "<img src=x>", "NON_COMPLIANT", 1)).expect("row");
    builder.finish().expect("finish");
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn a_rule_with_only_ignored_results_counts_as_ignored() {
    let dir = tempfile::tempdir().expect("dir");
    let mut builder = ReportBuilder::new(subject(), dir.path(), &[ReportFormat::Json]).expect("builder");
    builder.push(&result("cr-1", "b0", "IGNORED", 1)).expect("row");
    let (_, summary) = builder.finish().expect("finish");
    assert_eq!(summary.rules[0].compliance(), "IGNORED", "as the pack counters count it");
    assert_eq!(summary.rules[1].compliance(), "INSUFFICIENT_DATA", "no result at all");
    assert_eq!((summary.rules_of("IGNORED"), summary.rules_of("INSUFFICIENT_DATA")), (1, 1));
}
