//! The managed-rule catalogue's own test: generated from the data, so that no rule can skip it.
//!
//! For every entry: the logic compiles, the resource types are registered, parameters are
//! well-formed, at least one COMPLIANT and one NON_COMPLIANT case exist and every case gives its
//! expected verdict, and the registry's sample configuration for each resource type is decided
//! (not INSUFFICIENT_DATA), which keeps the rule's paths in step with the inventory's field names.
//!
//! The data files and the registry are read from disk, so that editing them needs no rebuild;
//! `CATALOGUE_FILES=a.json,b.json` restricts the per-rule tests to those files (the coverage
//! test always reads them all), and a test checks the embedded catalogue matches the files.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::LazyLock;

use confpack_rules::catalogue::TestCase;
use confpack_rules::{Catalogue, ComplianceType, ManagedRule, RuleInput};
use serde_json::{Value, json};

fn load(filter: Option<&str>) -> Catalogue {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/managed_rules");
    let wanted: Option<Vec<&str>> = filter.map(|f| f.split(',').map(str::trim).collect());
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .filter(|(name, _)| wanted.as_ref().is_none_or(|w| w.contains(&name.as_str())))
        .collect();
    files.sort();
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    Catalogue::load(&borrowed).unwrap_or_else(|e| panic!("catalogue does not load: {e}"))
}

/// The rules under test (all files, or those named by `CATALOGUE_FILES`).
fn catalogue() -> &'static Catalogue {
    static UNDER_TEST: LazyLock<Catalogue> = LazyLock::new(|| load(std::env::var("CATALOGUE_FILES").ok().as_deref()));
    &UNDER_TEST
}

/// Every rule in the data files.
fn whole_catalogue() -> &'static Catalogue {
    static ALL: LazyLock<Catalogue> = LazyLock::new(|| load(None));
    &ALL
}

/// The registry's sample configurations, read from disk.
fn samples() -> &'static BTreeMap<String, Value> {
    static SAMPLES: LazyLock<BTreeMap<String, Value>> = LazyLock::new(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../confpack-inventory/data/resource_types.json");
        let types: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        types
            .into_iter()
            .map(|t| (t["ResourceType"].as_str().unwrap().to_owned(), t["SampleConfiguration"].clone()))
            .collect()
    });
    &SAMPLES
}

/// 2026-01-01T00:00:00Z, the default evaluation time of test cases.
const DEFAULT_NOW_MS: i64 = 1_767_225_600_000;

fn now_of(case: &TestCase) -> i64 {
    case.now.as_deref().map_or(DEFAULT_NOW_MS, |t| {
        confpack_rules::time::instant_ms(&json!(t)).unwrap_or_else(|| panic!("case {:?}: bad `now` {t:?}", case.name))
    })
}

fn run_case(rule: &ManagedRule, case: &TestCase) -> Option<String> {
    let e = rule.evaluate(RuleInput {
        configuration: &case.configuration,
        params: &case.parameters,
        related: &case.related,
        now_ms: now_of(case),
    });
    if e.compliance_type == case.expected {
        if e.compliance_type != ComplianceType::Compliant && e.annotation.is_none() {
            return Some(format!(
                "{} / {:?}: {:?} without an annotation",
                rule.spec.identifier, case.name, e.compliance_type
            ));
        }
        return None;
    }
    Some(format!(
        "{} / {:?}: expected {:?}, got {:?} ({})",
        rule.spec.identifier,
        case.name,
        case.expected,
        e.compliance_type,
        e.annotation.map(|a| a.reason).unwrap_or_default()
    ))
}

#[test]
fn every_rule_passes_its_own_cases() {
    let mut failures = String::new();
    for rule in catalogue().iter() {
        let has = |t: ComplianceType| rule.spec.tests.iter().any(|c| c.expected == t);
        if !has(ComplianceType::Compliant) || !has(ComplianceType::NonCompliant) {
            writeln!(failures, "{}: needs a COMPLIANT and a NON_COMPLIANT case", rule.spec.identifier).unwrap();
        }
        for case in &rule.spec.tests {
            if let Some(f) = run_case(rule, case) {
                writeln!(failures, "{f}").unwrap();
            }
        }
    }
    assert!(failures.is_empty(), "catalogue cases failed:\n{failures}");
}

#[test]
fn entries_are_well_formed() {
    let mut failures = String::new();
    for rule in catalogue().iter() {
        let s = &rule.spec;
        let id = &s.identifier;
        let mut fail = |m: String| writeln!(failures, "{id}: {m}").unwrap();
        if !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            fail("identifier must be lower-case words joined by '-'".into());
        }
        if s.name.trim().is_empty() || s.description.trim().len() < 20 || s.decision.trim().len() < 20 {
            fail("name, description and decision must say something".into());
        }
        if !(1..=3).contains(&s.risk_level) {
            fail(format!("risk level {} is not 1, 2 or 3", s.risk_level));
        }
        if s.trigger_types.is_empty() || s.resource_types.is_empty() {
            fail("needs trigger types and resource types".into());
        }
        let periodic = s.trigger_types.contains(&confpack_rules::TriggerType::ScheduledNotification);
        let frequencies = ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"];
        match &s.maximum_execution_frequency {
            Some(f) if !frequencies.contains(&f.as_str()) => fail(format!("unknown frequency {f}")),
            None if periodic => fail("a scheduled rule needs maximumExecutionFrequency".into()),
            _ => {}
        }
        for t in &s.resource_types {
            if !samples().contains_key(t) {
                fail(format!("resource type {t} is not in the inventory registry"));
            }
        }
        for p in &s.parameters {
            if !["String", "Integer", "Boolean", "List"].contains(&p.kind.as_str()) {
                fail(format!("parameter {} has unknown type {}", p.name, p.kind));
            }
            if p.required && p.default.is_none() {
                fail(format!("required parameter {} needs a default", p.name));
            }
        }
        let declared: Vec<_> = s.parameters.iter().map(|p| p.name.as_str()).collect();
        for used in rule.logic.condition().params() {
            if !declared.contains(&used) {
                fail(format!("condition references undeclared parameter {used}"));
            }
        }
    }
    assert!(failures.is_empty(), "malformed catalogue entries:\n{failures}");
}

#[test]
fn registry_samples_are_decided() {
    let mut failures = String::new();
    for rule in catalogue().iter() {
        for t in &rule.spec.resource_types {
            let Some(sample) = samples().get(t) else { continue };
            let e = rule.evaluate(RuleInput {
                configuration: sample,
                params: &BTreeMap::new(),
                related: &BTreeMap::new(),
                now_ms: DEFAULT_NOW_MS,
            });
            // Rules reading related resources may lack them here; everything else must find its fields.
            if e.compliance_type == ComplianceType::InsufficientData && rule.logic.related().next().is_none() {
                let reason = e.annotation.map(|a| a.reason).unwrap_or_default();
                writeln!(failures, "{} on the {t} sample: INSUFFICIENT_DATA ({reason})", rule.spec.identifier).unwrap();
            }
        }
    }
    assert!(failures.is_empty(), "rules that cannot read the registry samples:\n{failures}");
}

#[test]
fn the_embedded_catalogue_is_the_data_files() {
    let embedded = confpack_rules::catalogue();
    let ids = |c: &Catalogue| c.iter().map(|r| r.spec.identifier.clone()).collect::<Vec<_>>();
    assert_eq!(ids(embedded), ids(whole_catalogue()), "rebuild: the embedded catalogue is stale");
    let registry = confpack_inventory::registry::registry();
    for rule in embedded.iter() {
        for t in &rule.spec.resource_types {
            assert!(registry.get(t).is_some(), "{}: {t} is not registered", rule.spec.identifier);
        }
    }
}

#[test]
fn identifiers_look_up() {
    let c = whole_catalogue();
    let first = c.iter().next().unwrap();
    assert!(std::ptr::eq(c.get(&first.spec.identifier).unwrap(), first));
    assert!(c.get("no-such-rule").is_none());
    let _: Value = serde_json::to_value(&first.spec).unwrap();
}

/// Every rule (not marked `*`) of the templates the catalogue must cover: Quick Start, MLPS
/// Level 3 pre-check, OSS, ECS, network (network architecture and security group), account
/// governance (AccessKey and permission governance), database best practice, and PCI DSS, as
/// listed in the managed-rules reference.
const REQUIRED: &[&str] = &[
    "ack-cluster-encryption-enabled",
    "ack-cluster-node-multi-zone",
    "ack-cluster-public-endpoint-check",
    "ack-cluster-rrsa-enabled",
    "actiontrail-trail-intact-enabled",
    "alb-address-type-intranet",
    "alb-instance-multi-zone",
    "api-gateway-api-internet-request-https",
    "cen-instance-name-required",
    "ecs-disk-auto-snapshot-policy",
    "ecs-disk-encrypted",
    "ecs-in-use-disk-encrypted",
    "ecs-instance-attached-security-group",
    "ecs-instance-deletion-protection-enabled",
    "ecs-instance-enabled-security-protection",
    "ecs-instance-expired-check",
    "ecs-instance-ram-role-attached",
    "ecs-instances-in-vpc",
    "ecs-running-instance-no-public-ip",
    "ecs-security-group-egress-not-all-access",
    "ecs-security-group-not-internet-cidr-access",
    "ecs-security-group-not-open-all-port",
    "ecs-security-group-not-open-all-protocol",
    "ecs-security-group-risky-ports-check-with-protocol",
    "ecs-security-group-white-list-port-check",
    "ecs-snapshot-retention-days",
    "eip-bandwidth-limit",
    "eip-explicit-bandwidth-required",
    "elasticsearch-instance-multi-zone",
    "elasticsearch-public-and-any-ip-access-check",
    "fc-function-custom-domain-and-tls-enable",
    "fc-service-bind-role",
    "firewall-asset-open-protect",
    "hbase-cluster-deletion-protection",
    "hbase-cluster-expired-check",
    "hbase-cluster-in-vpc",
    "hbase-cluster-type-check",
    "kms-key-delete-protection-enabled",
    "kms-key-rotation-enabled",
    "kms-secret-rotation-enabled",
    "mongodb-cluster-expired-check",
    "mongodb-instance-log-audit",
    "mongodb-instance-multi-zone",
    "mongodb-instance-release-protection",
    "mongodb-public-access-check",
    "nas-filesystem-mount-target-access-group-check",
    "nat-gateway-vpc-required",
    "nlb-address-type-intranet",
    "oss-bucket-anonymous-prohibited",
    "oss-bucket-authorize-specified-ip",
    "oss-bucket-logging-enabled",
    "oss-bucket-only-https-enabled",
    "oss-bucket-policy-no-any-anonymous",
    "oss-bucket-policy-outside-organization-check",
    "oss-bucket-public-read-prohibited",
    "oss-bucket-public-write-prohibited",
    "oss-bucket-referer-limit",
    "oss-bucket-server-side-encryption-enabled",
    "oss-bucket-versioning-enabled",
    "oss-default-encryption-kms",
    "oss-encryption-byok-check",
    "oss-zrs-enabled",
    "polardb-cluster-enabled-ssl",
    "polardb-cluster-enabled-tde",
    "polardb-cluster-expired-check",
    "polardb-cluster-maintain-time-check",
    "polardb-cluster-multi-zone",
    "polardb-public-and-any-ip-access-check",
    "ram-group-has-member-check",
    "ram-password-policy-check",
    "ram-policy-no-statements-with-admin-access-check",
    "ram-user-activated-ak-quantity-check",
    "ram-user-ak-create-date-expired-check",
    "ram-user-ak-used-expired-check",
    "ram-user-group-membership-check",
    "ram-user-last-login-expired-check",
    "ram-user-login-check",
    "ram-user-mfa-check",
    "ram-user-no-policy-check",
    "rds-instance-enabled-auditing",
    "rds-instance-enabled-disk-encryption",
    "rds-instance-enabled-log-backup",
    "rds-instance-enabled-ssl",
    "rds-instance-expired-check",
    "rds-instance-has-guard-instance",
    "rds-instance-maintain-time-check",
    "rds-instances-in-vpc",
    "rds-multi-az-support",
    "rds-public-access-check",
    "rds-public-connection-and-any-ip-access-check",
    "redis-instance-expired-check",
    "redis-instance-multi-zone",
    "redis-instance-open-auth-mode",
    "redis-instance-release-protection",
    "redis-public-and-any-ip-access-check",
    "root-ak-check",
    "root-mfa-check",
    "security-center-version-check",
    "security-group-enterprise-type",
    "security-group-vpc-required",
    "sg-public-access-check",
    "slb-acl-public-access-check",
    "slb-address-type-intranet",
    "slb-all-listener-servers-multi-zone",
    "slb-all-listenter-tls-policy-check",
    "slb-listener-risk-ports-check",
    "slb-loadbalancer-bandwidth-limit",
    "sls-logstore-enabled-encrypt",
    "transit-router-vpc-attachment-multi-zone",
    "use-waf-instance-for-security-protection",
    "vpc-cidr-required",
    "vpc-flow-logs-enabled",
    "vpc-network-acl-risky-ports-check",
    "vpn-gateway-vpc-required",
    "vswitch-cidr-required",
    "vswitch-zone-required",
    "waf-instance-logging-enabled",
];

#[test]
fn the_catalogue_covers_the_required_templates() {
    let all = whole_catalogue();
    let missing: Vec<_> = REQUIRED.iter().filter(|id| all.get(id).is_none()).collect();
    assert!(missing.is_empty(), "{} required rules missing: {missing:?}", missing.len());
    assert!(all.len() >= 120, "{} rules; at least 120 expected", all.len());
}
