//! The XLSX report. The sheets of rows are written in constant memory (each row goes to a
//! temporary file in the report's directory as it comes); a sheet that would pass Excel's
//! 1,048,576 rows continues on a numbered sheet ("Results 2", …). The overview and the
//! rules, which need the totals, are written at the end and the overview placed first.

use std::path::{Path, PathBuf};

use confpack_model::ConfigRule;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};

use crate::builder::FormatWriter;
use crate::csv_report::{RESULT_COLUMNS, result_cells};
use crate::row::format_ms;
use crate::summary::{Summary, VERDICTS, risk_name};
use crate::{ReportResult, ReportRow, ReportSubject};

/// Data rows per sheet: Excel's row limit less the header row (a handful in unit tests, so
/// that continuing on a new sheet is exercised).
#[cfg(not(test))]
const ROWS_PER_SHEET: u32 = 1_048_575;
#[cfg(test)]
const ROWS_PER_SHEET: u32 = 3;

/// Column widths (characters) of the result columns, in [`RESULT_COLUMNS`] order.
const RESULT_WIDTHS: [f64; 13] = [36.0, 36.0, 26.0, 10.0, 18.0, 30.0, 26.0, 26.0, 14.0, 22.0, 60.0, 24.0, 24.0];

/// Columns of the non-compliant sheet: the result columns without compliance and ignore.
const NON_COMPLIANT_COLUMNS: [usize; 11] = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11];

/// A run of sheets with the same columns, continued on a new sheet when one is full.
struct SheetSeries {
    title: &'static str,
    columns: Vec<(&'static str, f64)>,
    sheets: Vec<usize>,
    row: u32,
}

pub(crate) struct XlsxWriter {
    workbook: Workbook,
    path: PathBuf,
    header: Format,
    non_compliant: SheetSeries,
    results: SheetSeries,
}

impl XlsxWriter {
    pub(crate) fn create(path: &Path, _subject: &ReportSubject) -> ReportResult<Self> {
        let mut workbook = Workbook::new();
        if let Some(dir) = path.parent() {
            workbook.set_tempdir(dir)?;
        }
        // Deflating the sheets' XML is most of the cost of a large workbook; level 1 is
        // several times faster than the default for files a little larger.
        workbook.set_zip_compression_level(1);
        workbook.use_zip_large_file(true);
        let overview = workbook.add_worksheet();
        overview.set_name("Overview")?;
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0x00D9_E1F2))
            .set_border_bottom(FormatBorder::Thin);
        let non_compliant = SheetSeries {
            title: "Non-compliant resources",
            columns: NON_COMPLIANT_COLUMNS.iter().map(|&i| (RESULT_COLUMNS[i], RESULT_WIDTHS[i])).collect(),
            sheets: Vec::new(),
            row: 0,
        };
        let results = SheetSeries {
            title: "Evaluation results",
            columns: RESULT_COLUMNS.iter().copied().zip(RESULT_WIDTHS).collect(),
            sheets: Vec::new(),
            row: 0,
        };
        let mut writer = Self { workbook, path: path.to_owned(), header, non_compliant, results };
        writer.non_compliant.start_sheet(&mut writer.workbook, &writer.header)?;
        writer.results.start_sheet(&mut writer.workbook, &writer.header)?;
        Ok(writer)
    }
}

impl SheetSeries {
    fn start_sheet(&mut self, workbook: &mut Workbook, header: &Format) -> ReportResult<()> {
        let index = workbook.worksheets_mut().len();
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        let name = if self.sheets.is_empty() {
            self.title.to_owned()
        } else {
            format!("{} {}", self.title, self.sheets.len() + 1)
        };
        sheet.set_name(name)?;
        for (col, (title, width)) in self.columns.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            sheet.set_column_width(col, *width)?;
            sheet.write_string_with_format(0, col, *title, header)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        self.sheets.push(index);
        self.row = 0;
        Ok(())
    }

    fn write(&mut self, workbook: &mut Workbook, header: &Format, cells: &[&str]) -> ReportResult<()> {
        if self.row == ROWS_PER_SHEET {
            self.close_sheet(workbook)?;
            self.start_sheet(workbook, header)?;
        }
        self.row += 1;
        let index = *self.sheets.last().unwrap_or(&0);
        let sheet = workbook.worksheet_from_index(index)?;
        for (col, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(self.row, u16::try_from(col).unwrap_or(u16::MAX), *text)?;
            }
        }
        Ok(())
    }

    /// Puts the filter on the current sheet's header row over its rows.
    fn close_sheet(&self, workbook: &mut Workbook) -> ReportResult<()> {
        let index = *self.sheets.last().unwrap_or(&0);
        let last_col = u16::try_from(self.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
        workbook.worksheet_from_index(index)?.autofilter(0, 0, self.row.max(1), last_col)?;
        Ok(())
    }
}

impl FormatWriter for XlsxWriter {
    fn row(&mut self, row: &ReportRow<'_>) -> ReportResult<()> {
        let cells = result_cells(row);
        let all: Vec<&str> = cells.iter().map(String::as_str).collect();
        if row.compliance() == "NON_COMPLIANT" {
            let picked: Vec<&str> = NON_COMPLIANT_COLUMNS.iter().map(|&i| all[i]).collect();
            self.non_compliant.write(&mut self.workbook, &self.header, &picked)?;
        }
        self.results.write(&mut self.workbook, &self.header, &all)?;
        Ok(())
    }

    fn finish(mut self: Box<Self>, subject: &ReportSubject, summary: &Summary) -> ReportResult<()> {
        self.non_compliant.close_sheet(&mut self.workbook)?;
        self.results.close_sheet(&mut self.workbook)?;
        write_rules(&mut self.workbook, &self.header, summary)?;
        write_overview(&mut self.workbook, &self.header, subject, summary)?;
        self.workbook.worksheet_from_index(0)?.set_active(true);
        let temporary = self.path.with_extension("xlsx.part");
        self.workbook.save(&temporary)?;
        std::fs::File::open(&temporary)?.sync_all()?;
        std::fs::rename(&temporary, &self.path)?;
        Ok(())
    }
}

/// A rule's scope in one line: types, regions, groups, tags, exclusions.
pub(crate) fn scope_text(rule: &ConfigRule) -> String {
    let s = &rule.scope;
    let mut parts = Vec::new();
    let mut list = |label: &str, values: &[String]| {
        if !values.is_empty() {
            parts.push(format!("{label}: {}", values.join(", ")));
        }
    };
    list("Resource types", &s.resource_types);
    list("Regions", &s.region_ids);
    list("Resource groups", &s.resource_group_ids);
    list("Resource ids", &s.resource_ids);
    list("Excluded regions", &s.exclude_region_ids);
    list("Excluded resource groups", &s.exclude_resource_group_ids);
    list("Excluded resource ids", &s.exclude_resource_ids);
    let tags = |pairs: &[confpack_model::TagPair]| {
        pairs.iter().map(|t| format!("{}={}", t.tag_key, t.tag_value)).collect::<Vec<_>>().join(", ")
    };
    if !s.tag_key.is_empty() {
        parts.push(format!("Tag: {}={}", s.tag_key, s.tag_value));
    }
    if !s.tags.is_empty() {
        parts.push(format!("Tags: {}", tags(&s.tags)));
    }
    if !s.exclude_tags.is_empty() {
        parts.push(format!("Excluded tags: {}", tags(&s.exclude_tags)));
    }
    if !s.resource_name.is_empty() {
        parts.push(format!("Resource name: {}", s.resource_name));
    }
    parts.join("; ")
}

fn write_rules(workbook: &mut Workbook, header: &Format, summary: &Summary) -> ReportResult<()> {
    let sheet = workbook.add_worksheet();
    sheet.set_name("Rules")?;
    let columns = [
        ("Rule name", 36.0),
        ("Rule id", 26.0),
        ("Rule identifier", 36.0),
        ("Risk level", 10.0),
        ("State", 10.0),
        ("Parameters", 40.0),
        ("Scope", 60.0),
        ("Description", 60.0),
    ];
    for (col, (title, width)) in (0u16..).zip(columns) {
        sheet.set_column_width(col, width)?;
        sheet.write_string_with_format(0, col, title, header)?;
    }
    for (row, tally) in (1u32..).zip(&summary.rules) {
        let r = &tally.rule;
        let parameters = r.input_parameters.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let cells = [
            r.name.clone(),
            r.rule_id.clone(),
            r.source_identifier.clone(),
            risk_name(r.risk_level).to_owned(),
            r.state.clone(),
            parameters,
            scope_text(r),
            r.description.clone(),
        ];
        for (col, text) in (0u16..).zip(cells) {
            sheet.write_string(row, col, text)?;
        }
    }
    let last = u32::try_from(summary.rules.len()).unwrap_or(u32::MAX).max(1);
    sheet.autofilter(0, 0, last, 7)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn write_overview(
    workbook: &mut Workbook,
    header: &Format,
    subject: &ReportSubject,
    summary: &Summary,
) -> ReportResult<()> {
    let title = Format::new().set_bold().set_font_size(16);
    let label = Format::new().set_bold();
    // The overview sheet was created first, in standard mode, so it can be written last.
    let sheet = workbook.worksheet_from_index(0)?;
    sheet.set_column_width(0, 34.0)?;
    for col in 1..=8 {
        sheet.set_column_width(col, 16.0)?;
    }
    sheet.write_string_with_format(0, 0, format!("Compliance report: {}", subject.title), &title)?;
    let mut row = 2u32;
    let mut pair = |sheet: &mut rust_xlsxwriter::Worksheet, name: &str, value: String| -> ReportResult<()> {
        sheet.write_string_with_format(row, 0, name, &label)?;
        sheet.write_string(row, 1, value)?;
        row += 1;
        Ok(())
    };
    if let Some(pack) = &subject.pack {
        pair(sheet, "Compliance pack", format!("{} ({})", subject.title, pack.pack_id))?;
        if !pack.template_id.is_empty() {
            pair(sheet, "Template", pack.template_id.clone())?;
        }
        pair(sheet, "Pack risk level", risk_name(pack.risk_level).to_owned())?;
        if !pack.description.is_empty() {
            pair(sheet, "Description", pack.description.clone())?;
        }
    }
    pair(sheet, "Account", subject.account_id.to_string())?;
    pair(sheet, "Report id", subject.report_id.clone())?;
    pair(sheet, "Generated", format_ms(subject.generated_ms))?;
    let score = summary.score().map_or_else(|| "no evaluated rule-resource pair".to_owned(), |s| format!("{s:.2}%"));
    pair(sheet, "Compliance score", score)?;
    pair(sheet, "Score definition", "compliant / (compliant + non-compliant) rule-resource pairs".to_owned())?;
    if !subject.unimplemented_rules.is_empty() {
        pair(sheet, "Rules not implemented (not evaluated)", subject.unimplemented_rules.join(", "))?;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, "Counts by compliance type", &label)?;
    row += 1;
    let heads = ["", "Rules", "Resources", "Rule-resource pairs"];
    for (col, h) in (0u16..).zip(heads) {
        sheet.write_string_with_format(row, col, h, header)?;
    }
    for t in VERDICTS {
        row += 1;
        sheet.write_string(row, 0, t)?;
        sheet.write_number(row, 1, summary.rules_of(t) as f64)?;
        sheet.write_number(row, 2, summary.resources_of(t) as f64)?;
        sheet.write_number(row, 3, summary.pairs_of(t) as f64)?;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "Total", &label)?;
    sheet.write_number(row, 1, summary.rules.len() as f64)?;
    sheet.write_number(row, 2, summary.resource_total() as f64)?;
    sheet.write_number(row, 3, summary.pairs.values().sum::<i64>() as f64)?;

    row += 2;
    sheet.write_string_with_format(row, 0, "Rule-resource pairs by risk level", &label)?;
    row += 1;
    sheet.write_string_with_format(row, 0, "Risk level", header)?;
    for (col, t) in (1u16..).zip(VERDICTS) {
        sheet.write_string_with_format(row, col, t, header)?;
    }
    for level in 1..=3 {
        row += 1;
        sheet.write_string(row, 0, risk_name(level))?;
        let counts = summary.by_risk.get(&level);
        for (col, t) in (1u16..).zip(VERDICTS) {
            let n = counts.and_then(|c| c.get(t)).copied().unwrap_or(0);
            sheet.write_number(row, col, n as f64)?;
        }
    }

    row += 2;
    sheet.write_string_with_format(row, 0, "Per rule", &label)?;
    row += 1;
    let first = row;
    let heads = ["Rule name", "Rule identifier", "Risk level", "Compliance"];
    for (col, h) in (0u16..).zip(heads.into_iter().chain(VERDICTS)) {
        sheet.write_string_with_format(row, col, h, header)?;
    }
    for tally in &summary.rules {
        row += 1;
        sheet.write_string(row, 0, &tally.rule.name)?;
        sheet.write_string(row, 1, &tally.rule.source_identifier)?;
        sheet.write_string(row, 2, risk_name(tally.rule.risk_level))?;
        sheet.write_string(row, 3, tally.compliance())?;
        for (col, t) in (4u16..).zip(VERDICTS) {
            sheet.write_number(row, col, tally.count(t) as f64)?;
        }
    }
    sheet.autofilter(first, 0, row.max(first + 1), 8)?;
    Ok(())
}
