//! Compliance reports: the files `GenerateCompliancePackReport`, `GenerateConfigRulesReport`
//! and `confpack scan` produce. One pass over a snapshot of evaluation results, delivered in
//! any order (with the resource counters the store took in the same snapshot), feeds every
//! requested format at once:
//!
//! - **XLSX** (the vendor ships Excel): an overview sheet (subject, account, generation time,
//!   score, counts by compliance type and by risk level, a per-rule summary), the
//!   non-compliant resources, every evaluation result, and the rules with their parameters
//!   and scope; frozen header rows, filters, readable widths; streamed, in constant memory.
//! - **HTML**: one self-contained page (inline CSS and SVG charts, no external asset).
//! - **CSV**: every evaluation result, one per line.
//! - **JSON**: the overview, the per-rule summary, the rules and every result.
//!
//! Memory stays bounded whatever the number of results: rows are written as they come, and
//! only per-rule and per-compliance-type tallies are kept.

mod builder;
mod csv_report;
mod html;
mod json_report;
mod row;
mod summary;
mod xlsx;

#[cfg(test)]
mod tests;

pub use builder::{ReportBuilder, ReportFile};
pub use row::{ReportRow, annotation_reason, format_ms};
pub use summary::{RuleTally, Summary, VERDICTS, worst_of};

use confpack_model::ConfigRule;

/// A file format of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReportFormat {
    /// Excel workbook.
    Xlsx,
    /// Self-contained HTML page.
    Html,
    /// Comma-separated results.
    Csv,
    /// JSON document.
    Json,
}

impl ReportFormat {
    /// Every format, the default first.
    pub const ALL: [Self; 4] = [Self::Xlsx, Self::Html, Self::Csv, Self::Json];

    /// The file extension and the `ReportFormat` parameter's spelling.
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Html => "html",
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    /// The `Content-Type` a download of this format carries.
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Html => "text/html; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
        }
    }

    /// The format of an extension (any case), if it is one.
    pub fn from_extension(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.extension().eq_ignore_ascii_case(text))
    }
}

/// What a report is about.
#[derive(Clone, Debug)]
pub struct ReportSubject {
    /// The report's title (the pack's name, or "Config rules").
    pub title: String,
    /// The compliance pack, for a pack report.
    pub pack: Option<PackInfo>,
    /// The account evaluated.
    pub account_id: i64,
    /// The report's id (`cpr-…` or `crp-…`), or a run id for offline scans.
    pub report_id: String,
    /// The instant the snapshot of results was taken, epoch ms.
    pub generated_ms: i64,
    /// The rules the report covers, in the order the overview lists them.
    pub rules: Vec<ConfigRule>,
    /// Rules of the pack's template that confpack does not implement (listed, not evaluated).
    pub unimplemented_rules: Vec<String>,
}

/// The pack a pack report is about.
#[derive(Clone, Debug)]
pub struct PackInfo {
    /// `cp-…`.
    pub pack_id: String,
    /// The pack's description.
    pub description: String,
    /// The template it came from, if any.
    pub template_id: String,
    /// The pack's risk level (1 high, 2 medium, 3 low).
    pub risk_level: i64,
}

/// A failure while writing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be written.
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV writer refused.
    #[error("cannot write the CSV report: {0}")]
    Csv(#[from] csv::Error),
}

/// Result of report writing.
pub type ReportResult<T> = Result<T, ReportError>;
