//! The action table: all 154 actions of API 2020-09-07 (derived from the official SDK,
//! checked in as `data/actions.tsv`) plus confpack's extensions (`data/extensions.tsv`).
//! The enum, the lookup by name and `confpack actions` all come from these rows.

use std::collections::HashMap;
use std::sync::LazyLock;

include!(concat!(env!("OUT_DIR"), "/actions.rs"));

/// The HTTP method the official SDK uses for an action. The server accepts both GET and
/// POST for every action, as the old SDK generation uses other methods for some.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SdkMethod {
    /// `GET`, every parameter in the query string.
    Get,
    /// `POST`, parameters split between query string and form body.
    Post,
}

impl SdkMethod {
    /// The method's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// Where an action comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Part of the vendor's API 2020-09-07.
    Vendor,
    /// confpack's own addition, documented in the README.
    Extension,
}

/// One row of the action table.
#[derive(Clone, Copy, Debug)]
pub struct ActionInfo {
    /// The action.
    pub action: Action,
    /// Its wire name, the value of `Action=` or `x-acs-action`.
    pub name: &'static str,
    /// The method the official SDK sends.
    pub sdk_method: SdkMethod,
    /// Vendor catalogue or extension.
    pub origin: Origin,
}

static BY_NAME: LazyLock<HashMap<&'static str, &'static ActionInfo>> =
    LazyLock::new(|| ACTIONS.iter().map(|info| (info.name, info)).collect());

impl Action {
    /// Looks an action up by its exact, case-sensitive wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        BY_NAME.get(name).map(|info| info.action)
    }

    /// The action's row in the table.
    pub fn info(self) -> &'static ActionInfo {
        // The table is generated from the same rows as the enum, in the same order.
        &ACTIONS[self as usize]
    }

    /// The action's wire name.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendor_catalogue_has_154_actions() {
        let vendor = ACTIONS.iter().filter(|a| a.origin == Origin::Vendor).count();
        assert_eq!(vendor, 154);
    }

    #[test]
    fn names_round_trip_and_rows_line_up_with_the_enum() {
        for info in ACTIONS {
            assert_eq!(Action::from_name(info.name), Some(info.action));
            assert_eq!(info.action.name(), info.name);
        }
        assert_eq!(Action::from_name("generateCompliancePackReport"), None);
        assert_eq!(Action::GenerateCompliancePackReport.info().sdk_method, SdkMethod::Post);
        assert_eq!(Action::GetCompliancePack.info().sdk_method, SdkMethod::Get);
    }
}
