//! The CSV report: every evaluation result, one per line, under a header line.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use crate::builder::FormatWriter;
use crate::summary::{Summary, risk_name};
use crate::{ReportResult, ReportRow, ReportSubject};

/// The columns of a result, shared by the CSV file and the XLSX results sheet.
pub(crate) const RESULT_COLUMNS: [&str; 13] = [
    "Rule name",
    "Rule identifier",
    "Rule id",
    "Risk level",
    "Compliance",
    "Resource id",
    "Resource name",
    "Resource type",
    "Region",
    "Resource group",
    "Reason",
    "Last evaluated (UTC)",
    "Ignore reason",
];

/// One result's cells, in [`RESULT_COLUMNS`] order, borrowed from the row.
pub(crate) fn result_cells<'a>(row: &ReportRow<'a>) -> [&'a str; 13] {
    let w = &row.result.write;
    [
        &w.rule_name,
        row.identifier,
        &w.rule_id,
        risk_name(w.risk_level),
        &row.result.effective_type,
        &w.resource_id,
        &w.resource_name,
        &w.resource_type,
        &w.region,
        &w.resource_group_id,
        row.reason,
        row.evaluated,
        &row.result.ignore_reason,
    ]
}

pub(crate) struct CsvWriter {
    out: csv::Writer<BufWriter<File>>,
}

impl CsvWriter {
    pub(crate) fn create(path: &Path) -> ReportResult<Self> {
        let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, File::create(path)?));
        out.write_record(RESULT_COLUMNS)?;
        Ok(Self { out })
    }
}

impl FormatWriter for CsvWriter {
    fn row(&mut self, row: &ReportRow<'_>) -> ReportResult<()> {
        self.out.write_record(result_cells(row))?;
        Ok(())
    }

    fn finish(self: Box<Self>, _: &ReportSubject, _: &Summary) -> ReportResult<()> {
        let file = self.out.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(())
    }
}
