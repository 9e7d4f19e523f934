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
    let (Some("ACS"), Some(product), Some(kind), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
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
        assert!(registry.iter().count() >= 2);
        for t in registry.iter() {
            assert!(is_well_formed(&t.resource_type), "{}", t.resource_type);
            assert!(t.sample_configuration.is_object(), "{}: the sample is an object", t.resource_type);
            assert!(!t.source.is_empty(), "{}: says where its shape comes from", t.resource_type);
        }
        assert_eq!(registry.by_name.len(), registry.types.len(), "duplicate resource types");
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
