use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::Instant;

use serde_json::Value;

use super::*;
use crate::input::parse_resource;
use crate::registry::registry;

fn generate(resources: u64, seed: u64) -> Vec<Value> {
    Generator::new(GeneratorOptions { resources, seed, ..GeneratorOptions::default() })
        .expect("valid options")
        .collect()
}

fn only(types: &[&str], resources: u64) -> Result<Vec<Value>, GenerateError> {
    let types = Some(types.iter().map(|t| (*t).to_owned()).collect());
    Ok(Generator::new(GeneratorOptions { resources, types, ..GeneratorOptions::default() })?.collect())
}

fn ndjson(items: &[Value]) -> String {
    items.iter().map(|i| format!("{i}\n")).collect()
}

fn of_type<'a>(items: &'a [Value], resource_type: &str) -> Vec<&'a Value> {
    items.iter().filter(|i| i["ResourceType"] == resource_type).collect()
}

#[test]
fn yields_exactly_the_requested_count() {
    for count in [0, 1, 2, 7, 3000] {
        let generator =
            Generator::new(GeneratorOptions { resources: count, ..GeneratorOptions::default() }).expect("valid");
        assert_eq!(generator.size_hint(), (count as usize, Some(count as usize)));
        assert_eq!(generator.count() as u64, count);
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let first = ndjson(&generate(3000, 42));
    assert_eq!(first, ndjson(&generate(3000, 42)));
    assert_ne!(first, ndjson(&generate(3000, 43)));
}

#[test]
fn every_item_is_a_registered_type_shaped_like_its_sample() {
    for item in generate(5000, 1) {
        let resource_type = item["ResourceType"].as_str().expect("a type");
        let registered = registry().get(resource_type).unwrap_or_else(|| panic!("{resource_type} is registered"));
        let keys = |v: &Value| v.as_object().expect("an object").keys().cloned().collect::<BTreeSet<_>>();
        assert_eq!(
            keys(&item["Configuration"]),
            keys(&registered.sample_configuration),
            "{resource_type}: the generator and the sample disagree"
        );
        assert_eq!(item["Region"] == "global", registered.global, "{resource_type}: region {}", item["Region"]);
    }
}

#[test]
fn every_item_passes_ingestion_and_ids_are_unique() {
    let mut seen = BTreeSet::new();
    for item in generate(5000, 2) {
        let record = parse_resource(&item).unwrap_or_else(|e| panic!("{item}: {e}"));
        assert!(!record.custom_type);
        assert!(seen.insert((record.resource_type, record.resource_id.clone())), "duplicate {}", record.resource_id);
    }
}

#[test]
fn every_supported_type_appears_in_a_natural_mix_and_the_weights_are_plausible() {
    let items = generate(20_000, 3);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for item in &items {
        *counts.entry(item["ResourceType"].as_str().expect("a type")).or_default() += 1;
    }
    for t in Generator::supported_types() {
        assert!(counts.contains_key(t), "{t} missing from {counts:?}");
    }
    assert_eq!(counts["ACS::::Account"], 1);
    assert!(counts["ACS::ECS::Instance"] > 10 * counts["ACS::VPC::VPC"], "{counts:?}");
    assert!(counts["ACS::ECS::Disk"] > counts["ACS::ECS::Instance"], "{counts:?}");
    assert!(counts["ACS::ECS::SecurityGroup"] > counts["ACS::VPC::VPC"], "{counts:?}");
    assert!(counts["ACS::ActionTrail::Trail"] < 20, "{counts:?}");
}

/// The ids a configuration points at, with the type they must have.
fn references(item: &Value) -> Vec<(&'static str, String)> {
    let c = &item["Configuration"];
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut refs = Vec::new();
    match item["ResourceType"].as_str().expect("a type") {
        "ACS::ECS::Instance" => {
            refs.push(("ACS::VPC::VPC", s(&c["VpcAttributes"]["VpcId"])));
            refs.push(("ACS::VPC::VSwitch", s(&c["VpcAttributes"]["VSwitchId"])));
            for sg in c["SecurityGroupIds"]["SecurityGroupId"].as_array().expect("a list") {
                refs.push(("ACS::ECS::SecurityGroup", s(sg)));
            }
            refs.push(("ACS::EIP::EipAddress", s(&c["EipAddress"]["AllocationId"])));
        }
        "ACS::ECS::Disk" => {
            refs.push(("ACS::ECS::Instance", s(&c["InstanceId"])));
            refs.push(("ACS::KMS::Key", s(&c["KMSKeyId"])));
            refs.push(("ACS::ECS::AutoSnapshotPolicy", s(&c["AutoSnapshotPolicyId"])));
        }
        "ACS::ECS::SecurityGroup" | "ACS::VPC::VSwitch" => refs.push(("ACS::VPC::VPC", s(&c["VpcId"]))),
        "ACS::EIP::EipAddress" => refs.push(("ACS::ECS::Instance", s(&c["InstanceId"]))),
        "ACS::SLB::LoadBalancer" | "ACS::RDS::DBInstance" | "ACS::Redis::DBInstance" => {
            refs.push(("ACS::VPC::VPC", s(&c["VpcId"])));
            refs.push(("ACS::VPC::VSwitch", s(&c["VSwitchId"])));
            for backend in c["BackendServers"]["BackendServer"].as_array().into_iter().flatten() {
                refs.push(("ACS::ECS::Instance", s(&backend["ServerId"])));
            }
        }
        "ACS::ActionTrail::Trail" => refs.push(("ACS::OSS::Bucket", s(&c["OssBucketName"]))),
        "ACS::OSS::Bucket" => {
            refs.push(("ACS::OSS::Bucket", s(&c["BucketPolicy"]["LogBucket"])));
            refs.push(("ACS::KMS::Key", s(&c["ServerSideEncryptionRule"]["KMSMasterKeyID"])));
        }
        "ACS::RAM::User" => {
            for policy in c["Policies"]["Policy"].as_array().expect("a list") {
                if policy["PolicyType"] == "Custom" {
                    refs.push(("ACS::RAM::Policy", s(&policy["PolicyName"])));
                }
            }
        }
        _ => {}
    }
    refs.retain(|(_, id)| !id.is_empty());
    refs
}

#[test]
fn related_resources_resolve_and_parents_come_first() {
    // Several counts, so that runs cut off in the middle of a block are covered too.
    for count in [1, 2, 3, 5, 50, 333, 4000] {
        let items = generate(count, 4);
        let all: BTreeSet<(String, String)> = items
            .iter()
            .map(|i| {
                (
                    i["ResourceType"].as_str().unwrap_or_default().to_owned(),
                    i["ResourceId"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let mut earlier = BTreeSet::new();
        for (n, item) in items.iter().enumerate() {
            for (resource_type, id) in references(item) {
                let key = (resource_type.to_owned(), id.clone());
                if resource_type == "ACS::EIP::EipAddress" {
                    // An instance's EIP is the very next item.
                    assert_eq!(
                        items.get(n + 1).map(|next| &next["ResourceId"]),
                        Some(&Value::from(id.clone())),
                        "{count}: {item}"
                    );
                } else if key.1 != item["ResourceId"] {
                    assert!(
                        earlier.contains(&key),
                        "{count}: {id} ({resource_type}) is not emitted before {}",
                        item["ResourceId"]
                    );
                }
                assert!(all.contains(&key));
            }
            earlier.insert((
                item["ResourceType"].as_str().unwrap_or_default().to_owned(),
                item["ResourceId"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
}

#[test]
fn a_run_cut_right_after_an_instance_does_not_bind_an_eip_it_never_emitted() {
    let items = generate(2000, 4);
    let cut = items
        .iter()
        .position(|i| {
            i["ResourceType"] == "ACS::ECS::Instance" && i["Configuration"]["EipAddress"]["AllocationId"] != ""
        })
        .expect("some instance has an EIP");
    let shorter = generate(cut as u64 + 1, 4);
    let last = shorter.last().expect("not empty");
    assert_eq!(last["ResourceId"], items[cut]["ResourceId"]);
    assert_eq!(last["Configuration"]["EipAddress"]["AllocationId"], "");
    assert_eq!(shorter[..cut], items[..cut], "the shorter run is a prefix of the longer one");
}

/// Share of `items` for which `pass` holds.
fn share(items: &[&Value], pass: impl Fn(&Value) -> bool) -> f64 {
    assert!(items.len() >= 30, "too few items ({}) to judge a mix", items.len());
    items.iter().filter(|i| pass(&i["Configuration"])).count() as f64 / items.len() as f64
}

#[test]
fn compliance_properties_are_mixed_around_seventy_percent() {
    let items = generate(40_000, 5);
    let near = |name: &str, value: f64, expected: f64| {
        assert!((value - expected).abs() < 0.1, "{name}: {value:.2}, expected about {expected}")
    };
    let buckets = of_type(&items, "ACS::OSS::Bucket");
    near("private buckets", share(&buckets, |c| c["AccessControlList"]["Grant"] == "private"), 0.7);
    near("encrypted buckets", share(&buckets, |c| c["ServerSideEncryptionRule"]["SSEAlgorithm"] != "None"), 0.7);
    near("logging buckets", share(&buckets, |c| c["BucketPolicy"]["LogBucket"] != ""), 0.7);
    near("versioned buckets", share(&buckets, |c| c["Versioning"] == "Enabled"), 0.7);
    let statements = |c: &Value, effect: &str| -> Vec<Value> {
        c["Policy"]["Statement"].as_array().into_iter().flatten().filter(|s| s["Effect"] == effect).cloned().collect()
    };
    near("HTTPS-only buckets", share(&buckets, |c| !statements(c, "Deny").is_empty()), 0.7);
    near(
        "buckets without anonymous grants",
        share(&buckets, |c| statements(c, "Allow").iter().all(|s| s["Principal"][0] != "*")),
        0.7,
    );
    let groups = of_type(&items, "ACS::ECS::SecurityGroup");
    let risky = |c: &Value| {
        c["Permissions"]["Permission"].as_array().expect("rules").iter().any(|p| {
            p["Direction"] == "ingress"
                && p["SourceCidrIp"] == "0.0.0.0/0"
                && (p["PortRange"] == "22/22" || p["PortRange"] == "3389/3389")
        })
    };
    near("groups without risky ports", share(&groups, |c| !risky(c)), 0.7);
    let instances = of_type(&items, "ACS::ECS::Instance");
    let public = |c: &Value| {
        c["PublicIpAddress"]["IpAddress"].as_array().is_some_and(|a| !a.is_empty())
            || c["EipAddress"]["IpAddress"] != ""
    };
    near("instances without public IPs", share(&instances, |c| !public(c)), 0.7);
    near("protected instances", share(&instances, |c| c["DeletionProtection"] == true), 0.7);
    let running: Vec<&Value> =
        instances.iter().copied().filter(|i| i["Configuration"]["Status"] == "Running").collect();
    near("Security Center agents online", share(&running, |c| c["ClientStatus"] == "online"), 0.7);
    near("encrypted disks", share(&of_type(&items, "ACS::ECS::Disk"), |c| c["Encrypted"] == true), 0.7);
    let databases = of_type(&items, "ACS::RDS::DBInstance");
    near(
        "closed whitelists",
        share(&databases, |c| !c["SecurityIPList"].as_str().unwrap_or_default().contains("0.0.0.0/0")),
        0.7,
    );
    near("SSL databases", share(&databases, |c| c["SSLEnabled"] == "on"), 0.7);
    near("encrypted database disks", share(&databases, |c| c["EncryptionKey"] != ""), 0.7);
    let users = of_type(&items, "ACS::RAM::User");
    let consoles: Vec<&Value> =
        users.iter().copied().filter(|u| u["Configuration"]["LoginProfile"].get("UserName").is_some()).collect();
    near("MFA required", share(&consoles, |c| c["LoginProfile"]["MFABindRequired"] == true), 0.7);
    let listed = |c: &Value, list: &str, item: &str| c[list][item].as_array().expect("a list").len();
    near("users in a group", share(&users, |c| listed(c, "Groups", "Group") > 0), 0.7);
    near("users without direct policies", share(&users, |c| listed(c, "Policies", "Policy") == 0), 0.7);
    near("key rotation", share(&of_type(&items, "ACS::KMS::Key"), |c| c["AutomaticRotation"] == "Enabled"), 0.7);
}

#[test]
fn a_type_filter_yields_only_those_types() {
    let items = only(&["ACS::ActionTrail::Trail", "ACS::RAM::User"], 300).expect("valid");
    assert_eq!(items.len(), 300);
    assert!(
        items.iter().all(|i| i["ResourceType"] == "ACS::ActionTrail::Trail" || i["ResourceType"] == "ACS::RAM::User")
    );
    assert!(
        only(&["ACS::EIP::EipAddress"], 200)
            .expect("valid")
            .iter()
            .all(|i| i["ResourceType"] == "ACS::EIP::EipAddress")
    );
    assert_eq!(only(&["ACS::::Account"], 1).expect("one account").len(), 1);
}

#[test]
fn bad_options_are_refused_with_the_reason() {
    assert_eq!(only(&["ACS::Acme::Widget"], 1).err(), Some(GenerateError::UnknownType("ACS::Acme::Widget".into())));
    assert_eq!(only(&["ACS::CDN::Domain"], 1).err(), Some(GenerateError::UnsupportedType("ACS::CDN::Domain".into())));
    assert_eq!(only(&[], 1).err(), Some(GenerateError::NoTypes));
    assert!(matches!(only(&["ACS::::Account"], 2), Err(GenerateError::TooFewPossible { limit: 1, .. })));
    let message = only(&["ACS::Acme::Widget"], 1).expect_err("an error").to_string();
    assert!(message.contains("ACS::Acme::Widget") && message.contains("ACS::ECS::Instance"), "{message}");
    for regions in [vec![], vec!["CN Hangzhou".to_owned()]] {
        let options = GeneratorOptions { account_regions: regions, ..GeneratorOptions::default() };
        assert!(matches!(Generator::new(options), Err(GenerateError::BadRegions(_))));
    }
}

#[test]
fn other_regions_get_their_own_id_codes() {
    let options = GeneratorOptions {
        resources: 500,
        account_regions: vec!["eu-central-1".into()],
        ..GeneratorOptions::default()
    };
    let items: Vec<Value> = Generator::new(options).expect("valid").collect();
    assert!(items.iter().all(|i| i["Region"] == "eu-central-1" || i["Region"] == "global"));
    assert!(items.iter().any(|i| i["AvailabilityZone"] == "eu-central-1-a"));
}

#[test]
fn the_ndjson_writer_matches_serialising_the_iterator() {
    for types in [None, Some(vec!["ACS::ECS::Instance".to_owned(), "ACS::RAM::User".to_owned()])] {
        let options = GeneratorOptions { resources: 3000, seed: 8, types, ..GeneratorOptions::default() };
        let from_values = ndjson(&Generator::new(options.clone()).expect("valid").collect::<Vec<_>>());
        let mut bytes = Vec::new();
        let written = Generator::new(options).expect("valid").write_ndjson(&mut bytes).expect("in memory");
        assert_eq!(written, 3000);
        assert_eq!(String::from_utf8(bytes).expect("UTF-8"), from_values);
    }
}

/// Throughput in one thread, generating and serialising to NDJSON, by both paths. Run
/// with `cargo test --release -p confpack-inventory -- --ignored throughput --nocapture`.
#[test]
#[ignore = "a measurement, not a check; run in release mode"]
fn throughput() {
    let count = 1_000_000;
    let options = GeneratorOptions { resources: count, ..GeneratorOptions::default() };
    let start = Instant::now();
    let mut sink = CountingSink(0);
    Generator::new(options.clone()).expect("valid").write_ndjson(&mut sink).expect("sink");
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "write_ndjson: {count} resources, {} bytes in {seconds:.2} s: {:.0} resources/s",
        sink.0,
        count as f64 / seconds
    );

    let start = Instant::now();
    let mut out = std::io::BufWriter::new(CountingSink(0));
    for item in Generator::new(GeneratorOptions { resources: count / 4, ..options }).expect("valid") {
        serde_json::to_writer(&mut out, &item).expect("serialisable");
        out.write_all(b"\n").expect("sink");
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "iterator + serde_json::to_writer: {} resources in {seconds:.2} s: {:.0} resources/s",
        count / 4,
        (count / 4) as f64 / seconds
    );
}

/// Discards what it is given, counting bytes.
struct CountingSink(usize);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
