//! Report jobs: a compliance-pack or config-rules report being generated or ready.

use crate::AccountId;

/// What a report covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// A compliance pack's rules (`GenerateCompliancePackReport`).
    Pack,
    /// Config rules of the account (`GenerateConfigRulesReport`).
    Rules,
}

impl ReportKind {
    /// The stored spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pack => "PACK",
            Self::Rules => "RULES",
        }
    }

    /// The kind of a stored spelling.
    pub fn from_stored(text: &str) -> Option<Self> {
        match text {
            "PACK" => Some(Self::Pack),
            "RULES" => Some(Self::Rules),
            _ => None,
        }
    }
}

/// A report job and, once it completed, the report it produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportJob {
    /// `cpr-` + 20 hex digits for pack reports, `crp-` + 20 hex digits for rules reports.
    pub report_id: String,
    /// The owning account.
    pub account_id: AccountId,
    /// Pack or rules report.
    pub kind: ReportKind,
    /// The pack id of a pack report; empty for a rules report.
    pub subject: String,
    /// The rules a rules report was asked for (empty: every rule of the account).
    pub rule_ids: Vec<String>,
    /// `CREATING`, `COMPLETE` or `FAILED`.
    pub state: String,
    /// When it was asked for, epoch ms.
    pub created_ms: i64,
    /// The instant the report's snapshot of results was taken, once complete.
    pub snapshot_ms: Option<i64>,
    /// How many times generation was started.
    pub attempts: i64,
    /// Why it failed, for a `FAILED` job.
    pub error: String,
}
