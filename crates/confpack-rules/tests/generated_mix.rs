//! How the managed rules judge the synthetic inventory: generates a natural mix of resources
//! with `confpack_inventory::generate` and prints, for every rule that evaluates a generated
//! type, the share of COMPLIANT / NON_COMPLIANT / INSUFFICIENT_DATA / NOT_APPLICABLE verdicts.
//! A rule at 100% INSUFFICIENT_DATA reads a field the generator does not produce.
//!
//! Run with `cargo test -p confpack-rules --test generated_mix -- --ignored --nocapture`.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};

use confpack_inventory::generate::{Generator, GeneratorOptions, REFERENCE_TIME_MS};
use confpack_rules::{ComplianceType, RuleInput};
use serde_json::Value;

/// How many resources to generate.
const RESOURCES: u64 = 2000;

#[test]
#[ignore = "a report, not a check; run with --ignored --nocapture"]
fn generated_inventory_verdict_mix() {
    let options = GeneratorOptions { resources: RESOURCES, seed: 7, ..GeneratorOptions::default() };
    let items: Vec<Value> = Generator::new(options).unwrap().collect();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    // What a store lookup of a related resource would find: (type, id) → configuration.
    let by_id: HashMap<(String, String), &Value> =
        items.iter().map(|i| ((text(&i["ResourceType"]), text(&i["ResourceId"])), &i["Configuration"])).collect();
    let mut by_type: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for item in &items {
        by_type.entry(text(&item["ResourceType"])).or_default().push(&item["Configuration"]);
    }
    let supported = Generator::supported_types();

    println!("{} generated resources; verdicts as shares of the resources of the rule's types", items.len());
    println!(
        "{:<55} {:>5} {:>6} {:>6} {:>6} {:>6}  first INSUFFICIENT_DATA reason",
        "rule", "n", "%C", "%NC", "%ID", "%NA"
    );
    let mut all_insufficient = Vec::new();
    for rule in confpack_rules::catalogue().iter() {
        let types: Vec<&String> = rule.spec.resource_types.iter().filter(|t| supported.contains(&t.as_str())).collect();
        if types.is_empty() {
            continue;
        }
        let params = rule.defaults();
        let mut counts = [0usize; 4];
        let mut reason = None;
        for configuration in types.iter().flat_map(|t| by_type.get(t.as_str()).into_iter().flatten()) {
            let mut related: BTreeMap<String, Vec<Value>> = BTreeMap::new();
            for (name, resource_type, id) in rule.logic.related_ids(configuration) {
                if let Some(found) = by_id.get(&(resource_type.to_owned(), id)) {
                    related.entry(name.to_owned()).or_default().push((*found).clone());
                }
            }
            let e = rule.evaluate(RuleInput {
                configuration,
                params: &params,
                related: &related,
                now_ms: REFERENCE_TIME_MS,
            });
            let slot = match e.compliance_type {
                ComplianceType::Compliant => 0,
                ComplianceType::NonCompliant => 1,
                ComplianceType::InsufficientData => 2,
                ComplianceType::NotApplicable => 3,
            };
            counts[slot] += 1;
            if slot == 2 && reason.is_none() {
                reason = e.annotation.map(|a| a.reason);
            }
        }
        let n: usize = counts.iter().sum();
        let pct = |c: usize| if n == 0 { 0.0 } else { 100.0 * c as f64 / n as f64 };
        if n > 0 && counts[2] == n {
            all_insufficient.push(rule.spec.identifier.clone());
        }
        let mut reason = reason.unwrap_or_default();
        if reason.len() > 90 {
            let mut cut = 90;
            while !reason.is_char_boundary(cut) {
                cut -= 1;
            }
            reason.truncate(cut);
        }
        println!(
            "{:<55} {:>5} {:>6.1} {:>6.1} {:>6.1} {:>6.1}  {reason}",
            rule.spec.identifier,
            n,
            pct(counts[0]),
            pct(counts[1]),
            pct(counts[2]),
            pct(counts[3])
        );
    }
    println!("rules at 100% INSUFFICIENT_DATA: {}: {all_insufficient:?}", all_insufficient.len());
}
