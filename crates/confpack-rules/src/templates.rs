//! The compliance-pack template library, as data (`data/compliance_pack_templates.json`,
//! built by `tools/extract_templates.py`): each template's id, name, description, labels,
//! whether it is a regulation template (ListCompliancePackTemplates `FilterType=LAW`), and
//! the vendor's managed rules for it. A rule the catalogue does not implement stays listed;
//! [`Template::coverage`] tells how much of a template confpack evaluates.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::catalogue::catalogue;

/// One rule of a template.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateRule {
    /// The managed-rule identifier.
    pub identifier: String,
    /// True when the rule's place in the template is inferred (Alibaba's infraguard lists it
    /// as not checkable on templates) rather than listed outright.
    pub inferred: bool,
    /// The rule's name in the reference list, when it has one (shown for rules the catalogue
    /// does not implement).
    #[serde(default)]
    pub reference_name: Option<String>,
    /// The reference's risk level.
    #[serde(default)]
    pub reference_risk_level: Option<u8>,
    /// The reference's resource types (a mechanical mapping of infraguard's).
    #[serde(default)]
    pub reference_resource_types: Vec<String>,
}

/// A compliance-pack template.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Template {
    /// `ct-` + 20 hex digits.
    pub id: String,
    /// `vendor` when the id is the vendor's, `confpack` when it is confpack's own (stable).
    pub id_source: String,
    /// The vendor's code name of the template.
    pub key: String,
    /// English name.
    pub name: String,
    /// What the template checks.
    pub description: String,
    /// Labels (e.g. `MLPS`).
    pub labels: String,
    /// A regulation template (`FilterType=LAW`).
    pub regulation: bool,
    /// The template's risk level.
    pub risk_level: u8,
    /// `reference` when the rule list is the vendor's, `confpack` when reconstructed.
    pub rules_source: String,
    /// The rules, in the vendor's order.
    pub rules: Vec<TemplateRule>,
}

impl Template {
    /// Whether the catalogue implements a rule of the template.
    pub fn implemented(rule: &TemplateRule) -> bool {
        catalogue().get(&rule.identifier).is_some()
    }

    /// `(implemented, listed)` rule counts.
    pub fn coverage(&self) -> (usize, usize) {
        (self.rules.iter().filter(|r| Self::implemented(r)).count(), self.rules.len())
    }
}

/// The template library.
pub struct Templates {
    items: Vec<Template>,
    by_id: HashMap<String, usize>,
}

static TEMPLATES: LazyLock<Templates> = LazyLock::new(|| {
    let items: Vec<Template> = serde_json::from_str(include_str!("../data/compliance_pack_templates.json"))
        .expect("data/compliance_pack_templates.json is valid (checked by the template tests)");
    let by_id = items.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
    Templates { items, by_id }
});

/// The embedded template library.
pub fn templates() -> &'static Templates {
    &TEMPLATES
}

impl Templates {
    /// A template by id.
    pub fn get(&self, id: &str) -> Option<&Template> {
        self.by_id.get(id).map(|&i| &self.items[i])
    }

    /// Every template: the vendor's ids first, then by name.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Template> {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_library_is_well_formed() {
        let all = templates();
        assert!(all.iter().len() >= 20, "{} templates", all.iter().len());
        let mut ids = HashSet::new();
        for t in all.iter() {
            assert!(ids.insert(t.id.as_str()), "{} twice", t.id);
            let hex = t.id.strip_prefix("ct-").unwrap_or_default();
            assert!(hex.len() == 20 && hex.bytes().all(|b| b.is_ascii_hexdigit()), "{}", t.id);
            assert!(["vendor", "confpack"].contains(&t.id_source.as_str()), "{}", t.id);
            assert!(!t.name.is_empty() && !t.description.is_empty());
            assert!((1..=3).contains(&t.risk_level));
            let mut rules = HashSet::new();
            for r in &t.rules {
                assert!(rules.insert(r.identifier.as_str()), "{}: {} twice", t.name, r.identifier);
            }
            assert!(std::ptr::eq(all.get(&t.id).expect("by id"), t));
        }
    }

    #[test]
    fn the_vendors_template_ids_are_kept() {
        let mlps = templates().get("ct-5f26ff4e06a300c49609").expect("MLPS Level 3");
        assert_eq!((mlps.id_source.as_str(), mlps.regulation), ("vendor", true));
        for id in [
            "ct-5f99ff4e06a3006c54d2",
            "ct-a5edff4e06a3004a5e15",
            "ct-d254ff4e06a300cfc654",
            "ct-d264ff4e06a300a9c2d0",
            "ct-a292ff4e06a300b2db8b",
            "ct-3d20ff4e06a30027f76e",
            "ct-81ceff4e06a3008583ca",
            "ct-a292ff4e06a300b2db8c",
            "ct-484cff4e06a300621b5b",
            "ct-484cff4e06a300621b5c",
            "ct-484cff4e06a300621b5e",
        ] {
            assert!(templates().get(id).is_some(), "{id}");
        }
    }

    #[test]
    fn the_issue_templates_are_present_and_every_listed_rule_is_either_implemented_or_visible() {
        for name in [
            "Quick Start",
            "ISO-27001",
            "PCI-DSS",
            "NIST 800-53",
            "SOC 2",
            "GxP",
            "China GMP",
            "Well-Architected Security",
            "Public Access Detection",
        ] {
            assert!(templates().iter().any(|t| t.name.contains(name)), "{name}");
        }
        // The regulation templates the catalogue was extended for: at least 80 % implemented.
        for name in ["MLPS Level 3", "ISO-27001", "PCI-DSS", "SOC 2"] {
            let t = templates().iter().find(|t| t.name.contains(name)).expect("listed");
            let (implemented, listed) = t.coverage();
            assert!(implemented * 5 >= listed * 4, "{name}: {implemented} of {listed} implemented");
        }
        let quick = templates().iter().find(|t| t.name.starts_with("Quick Start")).expect("quick start");
        let (implemented, listed) = quick.coverage();
        assert!(implemented >= 4 && listed == 7, "{implemented}/{listed}");
    }
}
