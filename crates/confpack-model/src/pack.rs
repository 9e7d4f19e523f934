//! Compliance packs as stored.

use serde::{Deserialize, Serialize};

use crate::{AccountId, RuleScope, TagPair};

/// A compliance pack of an account. Its rules are the account's rules whose `created_by`
/// names the pack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompliancePack {
    /// The owning account.
    pub account_id: AccountId,
    /// `cp-` + 20 hex digits.
    pub pack_id: String,
    /// `CompliancePackName`, unique in the account.
    pub name: String,
    /// `Description`.
    pub description: String,
    /// 1 high, 2 medium (default), 3 low.
    pub risk_level: i64,
    /// The template the pack was made from, if any.
    pub template_id: String,
    /// `CREATING` or `ACTIVE`.
    pub status: String,
    /// The scope the pack gives its rules (resource types stay each rule's own).
    pub scope: RuleScope,
    /// Tags of the pack.
    pub tags: Vec<TagPair>,
    /// Creation time, epoch ms.
    pub created_ms: i64,
    /// Rules of the template the pack was made from that the catalogue does not implement:
    /// listed so that reports can show the coverage.
    #[serde(default)]
    pub unimplemented_rules: Vec<String>,
}
