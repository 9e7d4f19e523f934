//! The registry of supported resource types, checked in as data
//! (`data/resource_types.json`): for each type, whether it is global, which product API
//! its configuration mirrors, and a documented sample configuration (what
//! `GetResourceConfigurationSample` returns).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

/// One registered resource type.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceType {
    /// `ACS::Product::Type`.
    pub resource_type: String,
    /// True when resources of this type live in region `global` (RAM, CDN, …).
    #[serde(default)]
    pub global: bool,
    /// What the configuration is: which product API's item it mirrors.
    pub source: String,
    /// A representative configuration, in the product API's own field names.
    pub sample_configuration: Value,
}

/// The registry, parsed once from the embedded data file.
pub struct Registry {
    types: Vec<ResourceType>,
    by_name: HashMap<String, usize>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let types: Vec<ResourceType> = serde_json::from_str(include_str!("../data/resource_types.json"))
        .expect("data/resource_types.json is valid (checked by the registry's tests)");
    let by_name = types.iter().enumerate().map(|(i, t)| (t.resource_type.clone(), i)).collect();
    Registry { types, by_name }
});

/// The registry.
pub fn registry() -> &'static Registry {
    &REGISTRY
}

impl Registry {
    /// A type by its exact name.
    pub fn get(&self, resource_type: &str) -> Option<&ResourceType> {
        self.by_name.get(resource_type).map(|&i| &self.types[i])
    }

    /// Every registered type, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &ResourceType> {
        self.types.iter()
    }
}

/// Whether `name` has the shape `ACS::Product::Type` (letters and digits; the product may
/// be empty only in the account pseudo-type `ACS::::Account`).
pub fn is_well_formed(name: &str) -> bool {
    let mut parts = name.split("::");
    let (Some("ACS"), Some(product), Some(kind), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let word = |s: &str| !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric());
    word(kind) && (word(product) || (product.is_empty() && kind == "Account"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_parses_and_names_are_unique_and_well_formed() {
        let registry = registry();
        assert!(registry.iter().count() >= 45, "{} types", registry.iter().count());
        for t in registry.iter() {
            assert!(is_well_formed(&t.resource_type), "{}", t.resource_type);
            assert!(t.sample_configuration.is_object(), "{}: the sample is an object", t.resource_type);
            assert!(
                !t.sample_configuration.as_object().is_some_and(serde_json::Map::is_empty),
                "{}: the sample has properties",
                t.resource_type
            );
            assert!(!t.source.is_empty(), "{}: says where its shape comes from", t.resource_type);
        }
        assert_eq!(registry.by_name.len(), registry.types.len(), "duplicate resource types");
    }

    /// The types the 2021 documentation lists as supported, plus the account pseudo-type.
    const DOCUMENTED: [&str; 54] = [
        "ACS::ECS::Instance",
        "ACS::ECS::NetworkInterface",
        "ACS::ECS::SecurityGroup",
        "ACS::ECS::Disk",
        "ACS::ECS::Snapshot",
        "ACS::ECS::AutoSnapshotPolicy",
        "ACS::ECS::Command",
        "ACS::ECS::DedicatedHost",
        "ACS::ECS::LaunchTemplate",
        "ACS::RDS::DBInstance",
        "ACS::ActionTrail::Trail",
        "ACS::VPC::VPC",
        "ACS::VPC::RouteTable",
        "ACS::VPC::VSwitch",
        "ACS::VPN::VpnGateway",
        "ACS::VPN::VpnConnection",
        "ACS::VPN::CustomerGateway",
        "ACS::EIP::EipAddress",
        "ACS::RAM::Role",
        "ACS::RAM::Policy",
        "ACS::RAM::User",
        "ACS::SLB::LoadBalancer",
        "ACS::SLB::CACertificate",
        "ACS::SLB::ServerCertificate",
        "ACS::SLB::AccessControlList",
        "ACS::CDN::Domain",
        "ACS::ESS::ScalingGroup",
        "ACS::ESS::ScalingRule",
        "ACS::ESS::ScalingConfiguration",
        "ACS::OSS::Bucket",
        "ACS::Redis::DBInstance",
        "ACS::PolarDB::DBCluster",
        "ACS::MongoDB::DBInstance",
        "ACS::CBWP::CommonBandwidthPackage",
        "ACS::CEN::CenInstance",
        "ACS::CEN::CenBandwidthPackage",
        "ACS::CEN::Flowlog",
        "ACS::ACK::Cluster",
        "ACS::WAF::Instance",
        "ACS::WAF::Domain",
        "ACS::DdosCoo::Instance",
        "ACS::NAT::NATGateway",
        "ACS::NAS::FileSystem",
        "ACS::NAS::MountTarget",
        "ACS::NAS::AccessGroup",
        "ACS::MSE::Cluster",
        "ACS::MQ::Instance",
        "ACS::HBase::Cluster",
        "ACS::DNS::Instance",
        "ACS::DNS::Domain",
        "ACS::DNS::DomainGroup",
        "ACS::RM::ResourceGroup",
        "ACS::OOS::Inventory",
        "ACS::::Account",
    ];

    #[test]
    fn every_documented_type_is_registered() {
        for name in DOCUMENTED {
            assert!(registry().get(name).is_some(), "{name} is missing");
        }
        // Types the managed rules evaluate beyond the documented list.
        for name in [
            "ACS::KMS::Key",
            "ACS::KMS::Secret",
            "ACS::SLS::Project",
            "ACS::SLS::LogStore",
            "ACS::ElasticSearch::Instance",
            "ACS::FC::Function",
            "ACS::ApiGateway::Api",
            "ACS::ALB::LoadBalancer",
            "ACS::Kafka::Instance",
        ] {
            assert!(registry().get(name).is_some(), "{name} is missing");
        }
    }

    #[test]
    fn account_wide_types_are_global_and_regional_ones_are_not() {
        let global = |name: &str| registry().get(name).unwrap_or_else(|| panic!("{name}")).global;
        for name in [
            "ACS::::Account",
            "ACS::RAM::User",
            "ACS::RAM::Role",
            "ACS::RAM::Policy",
            "ACS::CDN::Domain",
            "ACS::DNS::Domain",
            "ACS::RM::ResourceGroup",
        ] {
            assert!(global(name), "{name} is global");
        }
        for name in
            ["ACS::ECS::Instance", "ACS::OSS::Bucket", "ACS::ActionTrail::Trail", "ACS::KMS::Key", "ACS::VPC::VPC"]
        {
            assert!(!global(name), "{name} is regional");
        }
    }

    #[test]
    fn the_vendor_samples_are_kept_verbatim() {
        // The vendor's published samples come first, key for key and value for value; fields
        // that managed rules read (from other product APIs) may follow them.
        let check = |name: &str, vendor: &str| {
            let sample = registry().get(name).expect("registered").sample_configuration.as_object().expect("object");
            let vendor: serde_json::Map<String, Value> = serde_json::from_str(vendor).expect("vendor JSON");
            let leading: Vec<_> = sample.keys().take(vendor.len()).collect();
            assert_eq!(leading, vendor.keys().collect::<Vec<_>>(), "{name}: the vendor's keys lead, in order");
            for (key, value) in &vendor {
                assert_eq!(&sample[key], value, "{name}.{key} is the vendor's value");
            }
        };
        check(
            "ACS::OSS::Bucket",
            r#"{"AccessControlList":{"Grant":"private"},"ServerSideEncryptionRule":{"SSEAlgorithm":"None"},"Comment":"","CreationDate":"2021-06-29T10:05:12.000Z","Owner":{"DisplayName":"1009318965420000","ID":"1009318965420000"},"StorageClass":"Standard","DataRedundancyType":"LRS","AllowEmptyReferer":"true","Name":"new-bucket","BucketPolicy":{"LogPrefix":"","LogBucket":""},"ExtranetEndpoint":"oss-cn-hangzhou.aliyuncs.com","IntranetEndpoint":"oss-cn-hangzhou-internal.aliyuncs.com","Location":"oss-cn-hangzhou"}"#,
        );
        check(
            "ACS::RAM::User",
            r#"{"UpdateDate":"2019-10-21T08:02:58Z","UserName":"test123","AccessKeys":{"AccessKey":[]},"UserId":"2084490000000000","Comments":"","DisplayName":"test123","CreateDate":"2019-10-21T07:57:55Z","LoginProfile":{"PasswordResetRequired":false,"UserName":"test123","MFABindRequired":false,"CreateDate":"2019-10-21T07:57:55Z"}}"#,
        );
    }

    #[test]
    fn names_are_checked_for_shape() {
        assert!(is_well_formed("ACS::ECS::Instance"));
        assert!(is_well_formed("ACS::::Account"));
        assert!(!is_well_formed("ACS::ECS"));
        assert!(!is_well_formed("AWS::EC2::Instance"));
        assert!(!is_well_formed("ACS::E C S::Instance"));
        assert!(!is_well_formed("ACS::ECS::Instance::X"));
    }
}
