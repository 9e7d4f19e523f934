//! The XLSX report, written by confpack's own streaming writer: each sheet's XML is deflated
//! into a temporary file as its rows come (constant memory, no per-cell objects), and the
//! package is assembled by copying at the end. Sheets: Overview (first tab, written last,
//! since it needs the totals), Non-compliant resources, Evaluation results, Rules. A sheet
//! that would pass Excel's 1,048,576 rows continues on a numbered sheet ("… 2").

mod package;
mod sheet;

use std::path::{Path, PathBuf};

use confpack_model::ConfigRule;

use self::package::{STYLE_HEADER, STYLE_LABEL, STYLE_TITLE, SheetEntry, write_package};
use self::sheet::{Cell, SheetLayout, SheetXml};
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

/// Numbers the temporary sheet files of one workbook.
struct Parts {
    dir: PathBuf,
    next: usize,
}

impl Parts {
    fn start(&mut self, layout: &SheetLayout) -> std::io::Result<SheetXml> {
        self.next += 1;
        let path = self.dir.join(format!(".xlsx-sheet{}.part", self.next));
        SheetXml::create(&format!("xl/worksheets/sheet{}.xml", self.next), &path, layout)
    }
}

/// A run of sheets with the same columns, continued on a new sheet when one is full.
struct SheetSeries {
    title: &'static str,
    columns: Vec<&'static str>,
    layout: SheetLayout,
    done: Vec<SheetEntry>,
    current: Option<SheetXml>,
}

impl SheetSeries {
    fn new(title: &'static str, columns: Vec<(&'static str, f64)>) -> Self {
        let layout =
            SheetLayout { widths: columns.iter().map(|c| c.1).collect(), freeze_header: true, selected: false };
        Self { title, columns: columns.into_iter().map(|c| c.0).collect(), layout, done: Vec::new(), current: None }
    }

    fn write(&mut self, parts: &mut Parts, cells: &[Cell<'_>]) -> std::io::Result<()> {
        if self.current.as_ref().is_some_and(|s| s.rows() > ROWS_PER_SHEET) {
            self.close()?;
        }
        if self.current.is_none() {
            let mut sheet = parts.start(&self.layout)?;
            let header: Vec<Cell<'_>> = self.columns.iter().map(|c| Cell::Text(c)).collect();
            sheet.row(&header, STYLE_HEADER)?;
            self.current = Some(sheet);
        }
        match &mut self.current {
            Some(sheet) => sheet.row(cells, 0),
            None => Ok(()),
        }
    }

    fn close(&mut self) -> std::io::Result<()> {
        if let Some(mut sheet) = self.current.take() {
            let rows = sheet.rows();
            sheet.filter(1, rows, self.columns.len());
            let filter = sheet.filter_ref();
            let title = if self.done.is_empty() {
                self.title.to_owned()
            } else {
                format!("{} {}", self.title, self.done.len() + 1)
            };
            self.done.push(SheetEntry { title, part: sheet.finish()?, filter });
        }
        Ok(())
    }

    /// The finished sheets; a series without rows still has its header sheet.
    fn finish(mut self, parts: &mut Parts) -> std::io::Result<Vec<SheetEntry>> {
        if self.done.is_empty() && self.current.is_none() {
            self.write(parts, &[])?;
        }
        self.close()?;
        Ok(self.done)
    }
}

pub(crate) struct XlsxWriter {
    path: PathBuf,
    parts: Parts,
    non_compliant: SheetSeries,
    results: SheetSeries,
}

impl XlsxWriter {
    pub(crate) fn create(path: &Path, _subject: &ReportSubject) -> ReportResult<Self> {
        let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_owned);
        let non_compliant = SheetSeries::new(
            "Non-compliant resources",
            NON_COMPLIANT_COLUMNS.iter().map(|&i| (RESULT_COLUMNS[i], RESULT_WIDTHS[i])).collect(),
        );
        let results =
            SheetSeries::new("Evaluation results", RESULT_COLUMNS.iter().copied().zip(RESULT_WIDTHS).collect());
        Ok(Self { path: path.to_owned(), parts: Parts { dir, next: 0 }, non_compliant, results })
    }
}

impl FormatWriter for XlsxWriter {
    fn row(&mut self, row: &ReportRow<'_>) -> ReportResult<()> {
        let cells = result_cells(row);
        let all: [Cell<'_>; 13] = cells.map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text(c) });
        if row.compliance() == "NON_COMPLIANT" {
            let picked: [Cell<'_>; 11] = NON_COMPLIANT_COLUMNS.map(|i| all[i]);
            self.non_compliant.write(&mut self.parts, &picked)?;
        }
        self.results.write(&mut self.parts, &all)?;
        Ok(())
    }

    fn finish(mut self: Box<Self>, subject: &ReportSubject, summary: &Summary) -> ReportResult<()> {
        let overview = write_overview(&mut self.parts, subject, summary)?;
        let mut sheets = vec![overview];
        sheets.extend(self.non_compliant.finish(&mut self.parts)?);
        sheets.extend(self.results.finish(&mut self.parts)?);
        sheets.push(write_rules(&mut self.parts, summary)?);
        let temporary = self.path.with_extension("xlsx.part");
        write_package(&temporary, &sheets, subject.generated_ms)?;
        std::fs::rename(&temporary, &self.path)?;
        for sheet in sheets {
            let _ = std::fs::remove_file(&sheet.part.path);
        }
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

fn write_rules(parts: &mut Parts, summary: &Summary) -> ReportResult<SheetEntry> {
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
    let layout = SheetLayout { widths: columns.iter().map(|c| c.1).collect(), freeze_header: true, selected: false };
    let mut sheet = parts.start(&layout)?;
    let header: Vec<Cell<'_>> = columns.iter().map(|c| Cell::Text(c.0)).collect();
    sheet.row(&header, STYLE_HEADER)?;
    for tally in &summary.rules {
        let r = &tally.rule;
        let parameters = r.input_parameters.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let scope = scope_text(r);
        sheet.row(
            &[
                Cell::Text(&r.name),
                Cell::Text(&r.rule_id),
                Cell::Text(&r.source_identifier),
                Cell::Text(risk_name(r.risk_level)),
                Cell::Text(&r.state),
                Cell::Text(&parameters),
                Cell::Text(&scope),
                Cell::Text(&r.description),
            ],
            0,
        )?;
    }
    let rows = sheet.rows();
    sheet.filter(1, rows, columns.len());
    let filter = sheet.filter_ref();
    Ok(SheetEntry { title: "Rules".to_owned(), part: sheet.finish()?, filter })
}

fn number(n: i64) -> Cell<'static> {
    Cell::Number(n as f64)
}

fn write_overview(parts: &mut Parts, subject: &ReportSubject, summary: &Summary) -> ReportResult<SheetEntry> {
    let mut widths = vec![34.0];
    widths.extend([16.0; 8]);
    let layout = SheetLayout { widths, freeze_header: false, selected: true };
    let mut sheet = parts.start(&layout)?;
    sheet.row(&[Cell::Text(&format!("Compliance report: {}", subject.title))], STYLE_TITLE)?;
    sheet.row(&[], 0)?;
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(pack) = &subject.pack {
        pairs.push(("Compliance pack", format!("{} ({})", subject.title, pack.pack_id)));
        if !pack.template_id.is_empty() {
            pairs.push(("Template", pack.template_id.clone()));
        }
        pairs.push(("Pack risk level", risk_name(pack.risk_level).to_owned()));
        if !pack.description.is_empty() {
            pairs.push(("Description", pack.description.clone()));
        }
    }
    pairs.push(("Account", subject.account_id.to_string()));
    pairs.push(("Report id", subject.report_id.clone()));
    pairs.push(("Generated", format_ms(subject.generated_ms)));
    let score = summary.score().map_or_else(|| "no evaluated rule-resource pair".to_owned(), |s| format!("{s:.2}%"));
    pairs.push(("Compliance score", score));
    pairs.push(("Score definition", "compliant / (compliant + non-compliant) rule-resource pairs".to_owned()));
    if !subject.unimplemented_rules.is_empty() {
        pairs.push(("Rules not implemented (not evaluated)", subject.unimplemented_rules.join(", ")));
    }
    for (name, value) in &pairs {
        sheet.styled_row(&[(Cell::Text(name), STYLE_LABEL), (Cell::Text(value), 0)])?;
    }

    sheet.row(&[], 0)?;
    sheet.row(&[Cell::Text("Counts by compliance type")], STYLE_LABEL)?;
    sheet.row(
        &[Cell::Text(""), Cell::Text("Rules"), Cell::Text("Resources"), Cell::Text("Rule-resource pairs")],
        STYLE_HEADER,
    )?;
    for t in VERDICTS {
        sheet.row(
            &[Cell::Text(t), number(summary.rules_of(t)), number(summary.resources_of(t)), number(summary.pairs_of(t))],
            0,
        )?;
    }
    let total_pairs = summary.pair_total();
    sheet.styled_row(&[
        (Cell::Text("Total"), STYLE_LABEL),
        (number(summary.rules.len() as i64), 0),
        (number(summary.resource_total()), 0),
        (number(total_pairs), 0),
    ])?;

    sheet.row(&[], 0)?;
    sheet.row(&[Cell::Text("Rule-resource pairs by risk level")], STYLE_LABEL)?;
    let mut header = vec![Cell::Text("Risk level")];
    header.extend(VERDICTS.iter().map(|t| Cell::Text(t)));
    sheet.row(&header, STYLE_HEADER)?;
    for level in 1..=3 {
        let mut cells = vec![Cell::Text(risk_name(level))];
        cells.extend(VERDICTS.iter().map(|t| number(summary.risk_pairs_of(level, t))));
        sheet.row(&cells, 0)?;
    }

    sheet.row(&[], 0)?;
    sheet.row(&[Cell::Text("Per rule")], STYLE_LABEL)?;
    let first = sheet.rows() + 1;
    let mut header: Vec<Cell<'_>> =
        ["Rule name", "Rule identifier", "Risk level", "Compliance"].into_iter().map(Cell::Text).collect();
    header.extend(VERDICTS.iter().map(|t| Cell::Text(t)));
    sheet.row(&header, STYLE_HEADER)?;
    for tally in &summary.rules {
        let mut cells = vec![
            Cell::Text(&tally.rule.name),
            Cell::Text(&tally.rule.source_identifier),
            Cell::Text(risk_name(tally.rule.risk_level)),
            Cell::Text(tally.compliance()),
        ];
        cells.extend(VERDICTS.iter().map(|t| number(tally.count(t))));
        sheet.row(&cells, 0)?;
    }
    let last = sheet.rows();
    sheet.filter(first, last, 4 + VERDICTS.len());
    let filter = sheet.filter_ref();
    Ok(SheetEntry { title: "Overview".to_owned(), part: sheet.finish()?, filter })
}
