//! The HTML report: one self-contained page (inline CSS, inline SVG charts, no script and
//! no external asset), readable in any browser and printable. It lists at most
//! [`HTML_ROW_LIMIT`] non-compliant results; the XLSX, CSV and JSON files hold them all.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::builder::FormatWriter;
use crate::row::format_ms;
use crate::summary::{Summary, VERDICTS, risk_name};
use crate::xlsx::scope_text;
use crate::{ReportResult, ReportRow, ReportSubject};

/// Non-compliant results the page lists before it refers to the other formats.
pub const HTML_ROW_LIMIT: usize = 10_000;

/// The colour of each compliance type in charts and badges.
fn colour(compliance: &str) -> &'static str {
    match compliance {
        "NON_COMPLIANT" => "#d9363e",
        "COMPLIANT" => "#2e9d4f",
        "INSUFFICIENT_DATA" => "#e3a008",
        "NOT_APPLICABLE" => "#8c8c8c",
        _ => "#5b7bd5",
    }
}

pub(crate) struct HtmlWriter {
    path: PathBuf,
    non_compliant: Vec<[String; 8]>,
    non_compliant_total: u64,
}

impl HtmlWriter {
    pub(crate) fn create(path: &Path, _: &ReportSubject) -> ReportResult<Self> {
        Ok(Self { path: path.to_owned(), non_compliant: Vec::new(), non_compliant_total: 0 })
    }
}

/// Text made safe for HTML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl FormatWriter for HtmlWriter {
    fn row(&mut self, row: &ReportRow<'_>) -> ReportResult<()> {
        if row.compliance() != "NON_COMPLIANT" {
            return Ok(());
        }
        self.non_compliant_total += 1;
        if self.non_compliant.len() < HTML_ROW_LIMIT {
            let w = &row.result.write;
            self.non_compliant.push([
                w.rule_name.clone(),
                row.identifier.to_owned(),
                risk_name(w.risk_level).to_owned(),
                w.resource_id.clone(),
                w.resource_name.clone(),
                w.resource_type.clone(),
                w.region.clone(),
                row.reason.to_owned(),
            ]);
        }
        Ok(())
    }

    fn finish(self: Box<Self>, subject: &ReportSubject, summary: &Summary) -> ReportResult<()> {
        let page = render(&self, subject, summary);
        let temporary = self.path.with_extension("html.part");
        let mut out = BufWriter::new(File::create(&temporary)?);
        out.write_all(page.as_bytes())?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&temporary, &self.path)?;
        Ok(())
    }
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1f2328}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}\
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#eef2f8}td.n{text-align:right}.badge{color:#fff;border-radius:3px;padding:0 .3rem;font-size:.75rem}\
.score{font-size:2rem;font-weight:600}.note{color:#57606a}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}";

fn badge(compliance: &str) -> String {
    format!("<span class=\"badge\" style=\"background:{}\">{}</span>", colour(compliance), esc(compliance))
}

/// One horizontal stacked bar per label, scaled to the largest total.
fn stacked_bars(bars: &[(String, Vec<(&'static str, i64)>)], title: &str) -> String {
    let label_width = 260.0;
    let bar_width = 480.0;
    let row_height = 22.0;
    let height = row_height * bars.len() as f64 + 40.0;
    let max = bars.iter().map(|(_, parts)| parts.iter().map(|(_, n)| n).sum::<i64>()).max().unwrap_or(0).max(1);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\" width=\"{}\" height=\"{height}\" font-size=\"11\">",
        esc(title),
        label_width + bar_width + 80.0
    );
    for (i, (label, parts)) in bars.iter().enumerate() {
        let y = row_height * i as f64;
        let shown: String = label.chars().take(40).collect();
        let _ = write!(svg, "<text x=\"0\" y=\"{}\">{}</text>", y + 15.0, esc(&shown));
        let mut x = label_width;
        for (compliance, n) in parts {
            if *n == 0 {
                continue;
            }
            let w = bar_width * (*n as f64) / (max as f64);
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"16\" fill=\"{}\"><title>{}: {n}</title></rect>",
                y + 3.0,
                colour(compliance),
                esc(compliance)
            );
            x += w;
        }
        let total: i64 = parts.iter().map(|(_, n)| n).sum();
        let _ = write!(svg, "<text x=\"{:.1}\" y=\"{}\">{total}</text>", x + 4.0, y + 15.0);
    }
    let legend_y = row_height * bars.len() as f64 + 20.0;
    let mut x = 0.0;
    for t in VERDICTS {
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{legend_y}\">{t}</text>",
            legend_y - 9.0,
            colour(t),
            x + 14.0
        );
        x += 150.0;
    }
    svg.push_str("</svg>");
    svg
}

fn render(writer: &HtmlWriter, subject: &ReportSubject, summary: &Summary) -> String {
    let mut h = String::new();
    let title = format!("Compliance report: {}", subject.title);
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title><style>{STYLE}</style></head><body><h1>{}</h1><dl>",
        esc(&title),
        esc(&title)
    );
    let mut item = |name: &str, value: &str| {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(name), esc(value));
    };
    if let Some(pack) = &subject.pack {
        item("Compliance pack", &format!("{} ({})", subject.title, pack.pack_id));
        if !pack.template_id.is_empty() {
            item("Template", &pack.template_id);
        }
        if !pack.description.is_empty() {
            item("Description", &pack.description);
        }
    }
    item("Account", &subject.account_id.to_string());
    item("Report id", &subject.report_id);
    item("Generated", &format_ms(subject.generated_ms));
    h.push_str("</dl>");
    let score = summary.score().map_or_else(|| "—".to_owned(), |s| format!("{s:.2}%"));
    let _ = write!(
        h,
        "<h2>Compliance score</h2><p class=\"score\" id=\"score\">{}</p>\
         <p class=\"note\">Compliant / (compliant + non-compliant) rule-resource pairs; ignored, not applicable and \
         insufficient-data results are not counted.</p>",
        esc(&score)
    );
    if !subject.unimplemented_rules.is_empty() {
        let _ = write!(
            h,
            "<p class=\"note\">Rules of the template confpack does not implement (not evaluated): {}</p>",
            esc(&subject.unimplemented_rules.join(", "))
        );
    }

    h.push_str("<h2>Counts by compliance type</h2><table id=\"counts\"><tr><th></th><th>Rules</th><th>Resources</th><th>Rule-resource pairs</th></tr>");
    for t in VERDICTS {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            badge(t),
            summary.rules_of(t),
            summary.resources_of(t),
            summary.pairs_of(t)
        );
    }
    let _ = write!(
        h,
        "<tr><th>Total</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></table>",
        summary.rules.len(),
        summary.resource_total(),
        summary.pair_total()
    );

    h.push_str("<h2>Compliance by risk level</h2>");
    let risk_bars: Vec<(String, Vec<(&'static str, i64)>)> = (1..=3)
        .map(|level| {
            let parts = VERDICTS.iter().map(|t| (*t, summary.risk_pairs_of(level, t))).collect();
            (risk_name(level).to_owned(), parts)
        })
        .collect();
    h.push_str(&stacked_bars(&risk_bars, "Rule-resource pairs by risk level"));

    h.push_str("<h2>Compliance by rule</h2>");
    let rule_bars: Vec<(String, Vec<(&'static str, i64)>)> = summary
        .rules
        .iter()
        .map(|t| (t.rule.name.clone(), VERDICTS.iter().map(|v| (*v, t.count(v))).collect()))
        .collect();
    h.push_str(&stacked_bars(&rule_bars, "Results by rule"));
    h.push_str("<table id=\"rules\"><tr><th>Rule</th><th>Identifier</th><th>Risk level</th><th>Compliance</th>");
    for t in VERDICTS {
        let _ = write!(h, "<th>{t}</th>");
    }
    h.push_str("<th>Parameters</th><th>Scope</th></tr>");
    for t in &summary.rules {
        let r = &t.rule;
        let parameters = r.input_parameters.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(&r.name),
            esc(&r.source_identifier),
            risk_name(r.risk_level),
            badge(t.compliance())
        );
        for v in VERDICTS {
            let _ = write!(h, "<td class=\"n\">{}</td>", t.count(v));
        }
        let _ = write!(h, "<td>{}</td><td>{}</td></tr>", esc(&parameters), esc(&scope_text(r)));
    }
    h.push_str("</table>");

    let _ = write!(h, "<h2>Non-compliant resources ({})</h2>", writer.non_compliant_total);
    if writer.non_compliant_total as usize > writer.non_compliant.len() {
        let _ = write!(
            h,
            "<p class=\"note\">The first {} are listed; the XLSX, CSV and JSON reports list all {}.</p>",
            writer.non_compliant.len(),
            writer.non_compliant_total
        );
    }
    h.push_str(
        "<table id=\"non-compliant\"><tr><th>Rule</th><th>Identifier</th><th>Risk level</th><th>Resource id</th>\
                <th>Resource name</th><th>Resource type</th><th>Region</th><th>Reason</th></tr>",
    );
    for cells in &writer.non_compliant {
        h.push_str("<tr>");
        for c in cells {
            let _ = write!(h, "<td>{}</td>", esc(c));
        }
        h.push_str("</tr>");
    }
    h.push_str("</table></body></html>\n");
    h
}
