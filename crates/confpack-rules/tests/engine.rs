//! Engine tests: every operator, type mismatches, JSONPath filters, AND/OR, parameters, parse errors.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use confpack_rules::{CompiledCondition, ComplianceType, OPERATORS, ParseError, evaluate, operator};
use serde_json::{Value, json};

use ComplianceType::{Compliant as C, InsufficientData as I, NonCompliant as N};

fn leaf(path: &str, op: &str, desired: Value) -> CompiledCondition {
    CompiledCondition::from_value(&json!({"featurePath": path, "operator": op, "desired": desired})).unwrap()
}

fn run(c: &CompiledCondition, config: &Value) -> ComplianceType {
    evaluate(c, config, &BTreeMap::new()).compliance_type
}

/// (operator, desired, value under `$.X`, expected verdict)
fn check(cases: &[(&str, Value, Value, ComplianceType)]) {
    for (op, desired, actual, want) in cases {
        let c = leaf("$.X", op, desired.clone());
        let got = run(&c, &json!({ "X": actual }));
        assert_eq!(got, *want, "{op} desired={desired} actual={actual}");
    }
}

#[test]
fn catalogue_matches_vendor_list() {
    let vendor: Vec<_> = OPERATORS.iter().filter(|o| !o.extension).map(|o| o.name).collect();
    assert_eq!(vendor.len(), 23);
    assert_eq!(vendor.last(), Some(&"IsEmpty"), "extensions come after the vendor's list");
    assert!(OPERATORS.iter().filter(|o| o.extension).all(|o| o.description.ends_with("(confpack extension)")));
    assert_eq!(operator("StringEquals").unwrap().data_type.as_str(), "String");
    assert_eq!(operator("IsEmpty").unwrap().data_type.as_str(), "Array");
    assert!(operator("stringequals").is_none());
    let wire = serde_json::to_value(operator("GreaterOrEquals").unwrap()).unwrap();
    assert_eq!(
        wire,
        json!({"DataType":"Number","Description":"is greater than or equal to","Name":"GreaterOrEquals","Operator":"GreaterOrEquals"})
    );
}

#[test]
fn string_operators() {
    check(&[
        ("StringEquals", json!("Running"), json!("Running"), C),
        ("StringEquals", json!("Running"), json!("Stopped"), N),
        ("NotStringEquals", json!("Running"), json!("Stopped"), C),
        ("NotStringEquals", json!("Running"), json!("Running"), N),
        ("StringIn", json!("a, b,c"), json!("b"), C),
        ("StringIn", json!(["a", "b"]), json!("x"), N),
        ("NotStringIn", json!("a,b"), json!("x"), C),
        ("NotStringIn", json!("a,b"), json!("a"), N),
        ("StringContains", json!("prod"), json!("my-prod-1"), C),
        ("StringContains", json!("prod"), json!("dev"), N),
        ("NotStringContains", json!("prod"), json!("dev"), C),
        ("NotStringContains", json!("prod"), json!("prod"), N),
        ("StringEquals", json!(true), json!(true), C),
        ("StringEquals", json!("x"), json!({"a": 1}), I),
    ]);
}

#[test]
fn number_operators() {
    check(&[
        ("Equals", json!(2), json!(2), C),
        ("Equals", json!("2"), json!(2.5), N),
        ("NotEquals", json!(2), json!(3), C),
        ("NotEquals", json!(2), json!(2.0), N),
        ("Less", json!(10), json!(9), C),
        ("Less", json!(10), json!(10), N),
        ("LessOrEquals", json!(10), json!(10), C),
        ("LessOrEquals", json!(10), json!(11), N),
        ("Greater", json!(1), json!(2), C),
        ("Greater", json!(1), json!(1), N),
        ("GreaterOrEquals", json!(1.5), json!(1.5), C),
        ("GreaterOrEquals", json!(1.5), json!(-3), N),
    ]);
}

#[test]
fn number_operator_on_text_is_insufficient_with_reason() {
    let e = evaluate(&leaf("$.Cpu", "Greater", json!(2)), &json!({"Cpu": "four"}), &BTreeMap::new());
    assert_eq!(e.compliance_type, I);
    let a = e.annotation.unwrap();
    assert!(a.reason.contains("expects a number, found string"), "{}", a.reason);
    assert_eq!(a.configuration, "four");
    // A numeric string, as product APIs often return numbers, counts as its number.
    assert_eq!(run(&leaf("$.Cpu", "Greater", json!(2)), &json!({"Cpu": " 4"})), C);
    assert_eq!(run(&leaf("$.Cpu", "Greater", json!(8)), &json!({"Cpu": "4"})), N);
}

#[test]
fn base64_operators() {
    // "allow ssh; allow rdp" and "hello"
    let text = json!("YWxsb3cgc3NoOyBhbGxvdyByZHA=");
    check(&[
        ("Base64Contains", json!("ssh"), text.clone(), C),
        ("Base64Contains", json!("ftp"), text.clone(), N),
        ("NotBase64Contains", json!("ftp"), text.clone(), C),
        ("NotBase64Contains", json!("rdp"), text.clone(), N),
        ("Base64ContainsAll", json!("ssh,rdp"), text.clone(), C),
        ("Base64ContainsAll", json!("ssh,ftp"), text.clone(), N),
        ("Base64ExcludeAll", json!("ftp,telnet"), text.clone(), C),
        ("Base64ExcludeAll", json!("ftp,ssh"), text.clone(), N),
        ("Base64Contains", json!("ell"), json!("aGVsbG8"), C),
        ("Base64Contains", json!("x"), json!("not base64!"), I),
        ("Base64Contains", json!("x"), json!(5), I),
    ]);
}

#[test]
fn array_operators() {
    let arr = json!(["a", "b", 3]);
    check(&[
        ("Contains", json!("b"), arr.clone(), C),
        ("Contains", json!("z"), arr.clone(), N),
        ("Contains", json!(3), arr.clone(), C),
        ("NotContains", json!("z"), arr.clone(), C),
        ("NotContains", json!("a"), arr.clone(), N),
        ("In", json!("a,b,3,c"), arr.clone(), C),
        ("In", json!("a,b"), arr.clone(), N),
        ("NotIn", json!("a,b"), arr.clone(), C),
        ("NotIn", json!("a,b,3"), arr.clone(), N),
        ("ContainsAll", json!("a,3"), arr.clone(), C),
        ("ContainsAll", json!("a,z"), arr.clone(), N),
        ("ExcludeAll", json!("x,y"), arr.clone(), C),
        ("ExcludeAll", json!("x,a"), arr.clone(), N),
        ("IsEmpty", json!(null), json!([]), C),
        ("IsEmpty", json!(null), json!(""), C),
        ("IsEmpty", json!(null), arr.clone(), N),
        ("Contains", json!("a"), json!({"k": "a"}), I),
    ]);
}

#[test]
fn missing_path_is_insufficient_except_is_empty() {
    let e = evaluate(&leaf("$.Nope", "StringEquals", json!("x")), &json!({}), &BTreeMap::new());
    assert_eq!(e.compliance_type, I);
    assert_eq!(e.annotation.unwrap().reason, "$.Nope selects no value");
    let is_empty = CompiledCondition::parse(r#"{"featurePath":"$.Nope","operator":"IsEmpty"}"#).unwrap();
    assert_eq!(run(&is_empty, &json!({})), C);
}

fn tagged(env: &str) -> Value {
    json!({"Tags": {"Tag": [{"TagKey": "env", "TagValue": env}, {"TagKey": "team", "TagValue": "core"}]}})
}

#[test]
fn jsonpath_filters() {
    let c = leaf("$.Tags.Tag[?(@.TagKey=='env')].TagValue", "StringEquals", json!("prod"));
    assert_eq!(run(&c, &tagged("prod")), C);
    assert_eq!(run(&c, &tagged("dev")), N);
    let keys = leaf("$.Tags.Tag[*].TagKey", "ContainsAll", json!("env,team"));
    assert_eq!(run(&keys, &tagged("x")), C);
    let keys = leaf("$.Tags.Tag[*].TagKey", "Contains", json!("owner"));
    assert_eq!(run(&keys, &tagged("x")), N);
}

#[test]
fn multiple_selected_values_must_all_hold() {
    let cfg = json!({"P": [{"Port": 22}, {"Port": 443}]});
    assert_eq!(run(&leaf("$.P[*].Port", "NotEquals", json!(3389)), &cfg), C);
    let e = evaluate(&leaf("$.P[*].Port", "NotEquals", json!(22)), &cfg, &BTreeMap::new());
    assert_eq!(e.compliance_type, N);
    assert_eq!(e.annotation.unwrap().configuration, "22");
    // A violation anywhere decides even if another value is of the wrong type.
    let mixed = json!({"P": [{"Port": "x"}, {"Port": 22}]});
    assert_eq!(run(&leaf("$.P[*].Port", "Greater", json!(100)), &mixed), N);
    assert_eq!(run(&leaf("$.P[*].Port", "Less", json!(100)), &mixed), I);
}

#[test]
fn and_or_combinations() {
    let doc = |op: &str, a: &str, b: &str| {
        CompiledCondition::from_value(&json!({"operator": op, "children": [
            {"featurePath": a, "operator": "StringEquals", "desired": "v"},
            {"featurePath": b, "operator": "StringEquals", "desired": "v"},
        ]}))
        .unwrap()
    };
    let cfg = json!({"Good": "v", "Bad": "w"});
    assert_eq!(run(&doc("and", "$.Good", "$.Good"), &cfg), C);
    assert_eq!(run(&doc("AND", "$.Good", "$.Bad"), &cfg), N);
    assert_eq!(run(&doc("and", "$.Missing", "$.Bad"), &cfg), N);
    assert_eq!(run(&doc("and", "$.Missing", "$.Good"), &cfg), I);
    assert_eq!(run(&doc("or", "$.Bad", "$.Good"), &cfg), C);
    assert_eq!(run(&doc("or", "$.Missing", "$.Good"), &cfg), C);
    assert_eq!(run(&doc("Or", "$.Missing", "$.Bad"), &cfg), I);
    assert_eq!(run(&doc("or", "$.Bad", "$.Bad"), &cfg), N);
    let top_array = CompiledCondition::parse(
        r#"[{"featurePath":"$.Good","operator":"StringEquals","desired":"v"},
            {"operator":"or","children":[{"featurePath":"$.Bad","operator":"StringIn","desired":"v,w"}]}]"#,
    )
    .unwrap();
    assert_eq!(run(&top_array, &cfg), C);
}

#[test]
fn parameter_substitution() {
    let c =
        CompiledCondition::parse(r#"{"featurePath":"$.Cpu","operator":"GreaterOrEquals","desired":"{{cpuCount}}"}"#)
            .unwrap()
            .with_defaults(BTreeMap::from([("cpuCount".to_owned(), "2".to_owned())]));
    assert_eq!(c.params(), vec!["cpuCount"]);
    let cfg = json!({"Cpu": 4});
    assert_eq!(run(&c, &cfg), C);
    let params = BTreeMap::from([("cpuCount".to_owned(), "8".to_owned())]);
    let e = evaluate(&c, &cfg, &params);
    assert_eq!(e.compliance_type, N);
    assert_eq!(e.annotation.as_ref().unwrap().desired_value, "8");
    let bad = BTreeMap::from([("cpuCount".to_owned(), "many".to_owned())]);
    assert_eq!(evaluate(&c, &cfg, &bad).compliance_type, I);

    let no_default = leaf("$.Env", "StringIn", json!("{{envs}},staging"));
    let e = evaluate(&no_default, &json!({"Env": "prod"}), &BTreeMap::new());
    assert_eq!(e.compliance_type, I);
    assert!(e.annotation.unwrap().reason.contains("\"envs\""));
    let envs = BTreeMap::from([("envs".to_owned(), "prod,dev".to_owned())]);
    assert_eq!(evaluate(&no_default, &json!({"Env": "prod"}), &envs).compliance_type, C);
}

#[test]
fn annotation_uses_vendor_keys() {
    let e =
        evaluate(&leaf("$.Status", "StringEquals", json!("Running")), &json!({"Status": "Stopped"}), &BTreeMap::new());
    let v: Value = serde_json::from_str(&e.annotation.unwrap().to_json_string()).unwrap();
    let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["configuration", "desiredValue", "operator", "property", "reason"]);
    assert_eq!(v["configuration"], "Stopped");
    assert_eq!(v["property"], "$.Status");
    assert_eq!(serde_json::to_value(ComplianceType::NonCompliant).unwrap(), "NON_COMPLIANT");
}

#[test]
fn parse_errors_name_the_problem() {
    let err = |s: &str| CompiledCondition::parse(s).unwrap_err();
    assert!(matches!(err("{"), ParseError::Json(_)));
    match err(r#"{"featurePath":"$.A","operator":"StringEqual","desired":"x"}"#) {
        ParseError::UnknownOperator { name, .. } => assert_eq!(name, "StringEqual"),
        e => panic!("{e}"),
    }
    match err(
        r#"{"operator":"and","children":[{"featurePath":"$.A","operator":"IsEmpty"},{"featurePath":"$.Tags.length()","operator":"IsEmpty"}]}"#,
    ) {
        ParseError::InvalidPath { at, path, .. } => {
            assert_eq!(at, "children[1]");
            assert_eq!(path, "$.Tags.length()");
        }
        e => panic!("{e}"),
    }
    assert!(matches!(err(r#"{"featurePath":"A[","operator":"IsEmpty"}"#), ParseError::InvalidPath { .. }));
    assert!(matches!(err(r#"{"operator":"xor","children":[]}"#), ParseError::EmptyGroup { .. }));
    assert!(matches!(
        err(r#"{"operator":"xor","children":[{"featurePath":"$.A","operator":"IsEmpty"}]}"#),
        ParseError::GroupOperator { .. }
    ));
    assert!(matches!(
        err(r#"{"featurePath":"$.A","operator":"Less","desired":"ten"}"#),
        ParseError::InvalidDesired { .. }
    ));
    assert!(matches!(
        err(r#"{"featurePath":"$.A","operator":"Less","desired":"{{x"}"#),
        ParseError::InvalidDesired { .. }
    ));
    assert!(matches!(
        err(r#"{"featurePath":"$.A","operator":"StringEquals"}"#),
        ParseError::Field { field: "desired", .. }
    ));
    assert!(matches!(
        err(r#"{"operator":"StringEquals","desired":"x"}"#),
        ParseError::Field { field: "featurePath", .. }
    ));
    assert!(matches!(err("[1]"), ParseError::NotAnObject { .. }));
    let msg = err(r#"{"featurePath":"$.A","operator":"Nope","desired":"x"}"#).to_string();
    assert!(msg.contains("unknown operator \"Nope\""), "{msg}");
}

/// `cargo test -p confpack-rules --release -- --ignored --nocapture throughput`
#[test]
#[ignore = "benchmark; run in release"]
fn throughput() {
    let c = CompiledCondition::parse(
        r#"{"operator":"and","children":[
            {"featurePath":"$.Status","operator":"StringIn","desired":"Running,Starting"},
            {"featurePath":"$.Cpu","operator":"GreaterOrEquals","desired":"{{minCpu}}"},
            {"featurePath":"$.Tags.Tag[?(@.TagKey=='env')].TagValue","operator":"NotStringEquals","desired":"test"}]}"#,
    )
    .unwrap();
    let configs: Vec<Value> = (0..100_000)
        .map(|i| json!({"Status": if i % 3 == 0 {"Stopped"} else {"Running"}, "Cpu": i % 16,
            "Tags": {"Tag": [{"TagKey": "env", "TagValue": if i % 5 == 0 {"test"} else {"prod"}}, {"TagKey": "team", "TagValue": "x"}]}}))
        .collect();
    let params = BTreeMap::from([("minCpu".to_owned(), "4".to_owned())]);
    let start = std::time::Instant::now();
    let compliant = configs.iter().filter(|cfg| evaluate(&c, cfg, &params).compliance_type == C).count();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} evaluations in {secs:.3}s = {:.0} evaluations/s ({compliant} compliant)",
        configs.len(),
        configs.len() as f64 / secs
    );
}

fn run_at(c: &CompiledCondition, config: &Value, now_ms: i64) -> ComplianceType {
    confpack_rules::evaluate_at(c, config, &BTreeMap::new(), now_ms).compliance_type
}

#[test]
fn extension_operators() {
    check(&[
        ("NotEmpty", Value::Null, json!("x"), C),
        ("NotEmpty", Value::Null, json!([]), N),
        ("CountLessOrEquals", json!(1), json!([1]), C),
        ("CountLessOrEquals", json!(1), json!([1, 2]), N),
        ("CountGreaterOrEquals", json!(2), json!(["a", "b"]), C),
        ("CountGreaterOrEquals", json!(2), json!(["a"]), N),
        ("PortRangeExcludeAll", json!("22,3389"), json!("80/443"), C),
        ("PortRangeExcludeAll", json!("22,3389"), json!("1/65535"), N),
        ("PortRangeExcludeAll", json!("22"), json!("-1/-1"), N),
        ("PortRangeExcludeAll", json!("22"), json!("eighty"), I),
        ("CidrNotAnyIp", json!(""), json!("10.0.0.0/8,192.168.1.1"), C),
        ("CidrNotAnyIp", json!(""), json!("10.0.0.0/8,0.0.0.0/0"), N),
        ("CidrNotAnyIp", json!(""), json!(["127.0.0.1", "0.0.0.0"]), N),
        ("CidrAllPrivate", json!(""), json!("10.0.0.0/8 172.16.0.1"), C),
        ("CidrAllPrivate", json!(""), json!("10.0.0.0/8,47.96.1.1"), N),
        ("CidrAllPrivate", json!(""), json!("not-an-ip"), I),
    ]);
    // Nothing selected: the counts see zero and NotEmpty is violated.
    let none = json!({});
    assert_eq!(run(&leaf("$.X[*]", "CountLessOrEquals", json!(0)), &none), C);
    assert_eq!(run(&leaf("$.X", "NotEmpty", Value::Null), &none), N);
    // One selected scalar is a one-element array for the Array operators.
    let one = json!({"L": [{"F": "a"}]});
    assert_eq!(run(&leaf("$.L[*].F", "ExcludeAll", json!("x,y")), &one), C);
    assert_eq!(run(&leaf("$.L[*].F", "ExcludeAll", json!("a")), &one), N);
    // The address operators need no desired value.
    let no_desired = CompiledCondition::from_value(&json!({"featurePath": "$.X", "operator": "CidrNotAnyIp"})).unwrap();
    assert_eq!(run(&no_desired, &json!({"X": "0.0.0.0/0"})), N);
    // A filter counts only the matching elements.
    let keys = json!({"Keys": [{"Status": "Active"}, {"Status": "Inactive"}, {"Status": "Active"}]});
    assert_eq!(run(&leaf("$.Keys[?(@.Status=='Active')]", "CountLessOrEquals", json!(1)), &keys), N);
    assert_eq!(run(&leaf("$.Keys[?(@.Status=='Active')]", "CountLessOrEquals", json!(2)), &keys), C);
}

#[test]
fn date_operators_use_the_evaluation_time() {
    let now = 1_700_000_000_000; // 2023-11-14T22:13:20Z
    let config = json!({"Created": "2023-11-01T00:00:00Z", "Expires": "2023-12-31T00:00:00Z"});
    assert_eq!(run_at(&leaf("$.Created", "DaysSinceLessOrEquals", json!(30)), &config, now), C);
    assert_eq!(run_at(&leaf("$.Created", "DaysSinceLessOrEquals", json!(10)), &config, now), N);
    assert_eq!(run_at(&leaf("$.Expires", "DaysUntilGreaterOrEquals", json!(30)), &config, now), C);
    assert_eq!(run_at(&leaf("$.Expires", "DaysUntilGreaterOrEquals", json!(60)), &config, now), N);
    assert_eq!(run_at(&leaf("$.Created", "DaysSinceLessOrEquals", json!("{{days}}")), &config, now), I);
    assert_eq!(run_at(&leaf("$.Bad", "DaysSinceLessOrEquals", json!(1)), &json!({"Bad": "soon"}), now), I);
}

#[test]
fn if_missing_and_optional_leaves() {
    let c = |extra: Value| {
        let mut leaf = json!({"featurePath": "$.VpcId", "operator": "StringIn", "desired": "{{vpcIds}}"});
        leaf.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        CompiledCondition::from_value(&leaf).unwrap()
    };
    let params = |v: &str| BTreeMap::from([("vpcIds".to_owned(), v.to_owned())]);
    let optional = c(json!({"optional": true}));
    assert_eq!(evaluate(&optional, &json!({"VpcId": "vpc-x"}), &params("")).compliance_type, C);
    assert_eq!(evaluate(&optional, &json!({"VpcId": "vpc-x"}), &BTreeMap::new()).compliance_type, C);
    assert_eq!(evaluate(&optional, &json!({"VpcId": "vpc-x"}), &params("vpc-y")).compliance_type, N);
    assert_eq!(evaluate(&optional, &json!({"VpcId": "vpc-y"}), &params("vpc-y, vpc-z")).compliance_type, C);
    let strict = c(json!({"ifMissing": "NON_COMPLIANT"}));
    let e = evaluate(&strict, &json!({}), &params("vpc-y"));
    assert_eq!(e.compliance_type, N);
    assert!(e.annotation.unwrap().reason.contains("selects no value"));
    assert_eq!(
        evaluate(&c(json!({"ifMissing": "NOT_APPLICABLE"})), &json!({}), &params("v")).compliance_type,
        ComplianceType::NotApplicable
    );
    assert!(
        CompiledCondition::from_value(
            &json!({"featurePath": "$.A", "operator": "StringEquals", "desired": "x", "ifMissing": "MAYBE"})
        )
        .is_err()
    );
    assert!(
        CompiledCondition::from_value(
            &json!({"featurePath": "$.A", "operator": "CountLessOrEquals", "desired": "many"})
        )
        .is_err()
    );
}

#[test]
fn simple_paths_are_walked_and_agree_with_jsonpath() {
    use confpack_rules::Step;
    assert_eq!(
        Step::parse_simple("$.A.B_2[0]['c d']"),
        Some(vec![Step::Key("A".into()), Step::Key("B_2".into()), Step::Index(0), Step::Key("c d".into())])
    );
    assert_eq!(Step::parse_simple("$"), Some(vec![]));
    for complex in
        ["$.A[*]", "$..A", "$.A[?(@.x)]", "$.A[-1]", "$.A[01]", "$.A.*", "$['a\\'b']", "$.A[0:2]", "A.B", "$.1a"]
    {
        assert_eq!(Step::parse_simple(complex), None, "{complex}");
    }
    // Every simple path selects what the general JSONPath engine selects.
    let config = json!({"A": {"B": [10, {"C": null}], "D": ""}, "E": [[1]], "k y": 1});
    for path in
        ["$.A.B[0]", "$.A.B[1].C", "$.A.B[2]", "$.A.D", "$.A.X", "$.E[0][0]", "$['k y']", "$.A.B.C", "$.E[0].x", "$"]
    {
        let steps = Step::parse_simple(path).unwrap();
        let walked: Vec<&Value> = Step::walk(&steps, &config).into_iter().collect();
        let queried = serde_json_path::JsonPath::parse(path).unwrap().query(&config).all();
        assert_eq!(walked, queried, "{path}");
    }
}
