//! The streaming report builder: rows in, every requested format out.

use std::path::{Path, PathBuf};

use confpack_model::StoredResult;

use crate::summary::Summary;
use crate::{
    ReportFormat, ReportResult, ReportRow, ReportSubject, annotation_reason, csv_report, format_ms, html, json_report,
    xlsx,
};

/// One format's writer, fed row by row and finished with the summary.
pub(crate) trait FormatWriter: Send {
    /// Writes one result.
    fn row(&mut self, row: &ReportRow<'_>) -> ReportResult<()>;
    /// Writes what needs the totals and closes the file.
    fn finish(self: Box<Self>, subject: &ReportSubject, summary: &Summary) -> ReportResult<()>;
}

/// A finished report file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFile {
    /// Its format.
    pub format: ReportFormat,
    /// Where it was written.
    pub path: PathBuf,
}

/// Writes a report in several formats in one pass over results, in any order; the resource
/// counters come from the caller ([`ReportBuilder::set_resources`]).
pub struct ReportBuilder {
    subject: ReportSubject,
    summary: Summary,
    writers: Vec<Box<dyn FormatWriter>>,
    files: Vec<ReportFile>,
}

impl ReportBuilder {
    /// Starts `report.{ext}` files in `dir` for each of `formats`.
    pub fn new(subject: ReportSubject, dir: &Path, formats: &[ReportFormat]) -> ReportResult<Self> {
        let mut writers: Vec<Box<dyn FormatWriter>> = Vec::new();
        let mut files = Vec::new();
        for &format in formats {
            let path = dir.join(format!("report.{}", format.extension()));
            writers.push(match format {
                ReportFormat::Xlsx => Box::new(xlsx::XlsxWriter::create(&path, &subject)?),
                ReportFormat::Html => Box::new(html::HtmlWriter::create(&path, &subject)?),
                ReportFormat::Csv => Box::new(csv_report::CsvWriter::create(&path)?),
                ReportFormat::Json => Box::new(json_report::JsonWriter::create(&path)?),
            });
            files.push(ReportFile { format, path });
        }
        Ok(Self { summary: Summary::new(&subject.rules), subject, writers, files })
    }

    /// Sets the resource counters (resources per worst compliance type).
    pub fn set_resources(&mut self, counts: &[(String, i64)]) {
        self.summary.set_resources(counts);
    }

    /// Adds one result.
    pub fn push(&mut self, result: &StoredResult) -> ReportResult<()> {
        let rule = self.summary.rule_index(&result.write.rule_id);
        let identifier = rule.map_or("", |i| self.subject.rules[i].source_identifier.as_str());
        let reason = annotation_reason(&result.write.annotation);
        let evaluated = format_ms(result.write.invoked_ms);
        let row = ReportRow { result, identifier, reason: &reason, evaluated: &evaluated };
        self.summary.add(&row, rule)?;
        for writer in &mut self.writers {
            writer.row(&row)?;
        }
        Ok(())
    }

    /// Finishes every file; returns them with the summary they show.
    pub fn finish(self) -> ReportResult<(Vec<ReportFile>, Summary)> {
        for writer in self.writers {
            writer.finish(&self.subject, &self.summary)?;
        }
        Ok((self.files, self.summary))
    }
}
