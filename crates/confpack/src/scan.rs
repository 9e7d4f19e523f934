//! `confpack scan`: an offline compliance scan of resource files against a pack, with no
//! server. It runs the server's own parts end to end — the importer into a throw-away
//! SQLite store, the evaluation of the pack's rules, the report writer over a snapshot — so
//! a scan and `GenerateCompliancePackReport` of the same data and pack give the same report.
//!
//! Exit codes (for CI gates): 0 when nothing at or above `--fail-on` is non-compliant, 1
//! when something is, 2 for usage or input errors (an unreadable or invalid item is reported
//! with its file and line, and fails the scan: a report must not silently miss resources).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use confpack_model::ids::hex_id;
use confpack_model::{CompliancePack, RuleScope};
use confpack_reports::{PackInfo, ReportFormat, ReportSubject, Summary, VERDICTS};
use confpack_rules::templates::templates;
use confpack_server::evaluation::worker::evaluate_rules;
use confpack_server::pack_plan::{RuleRequest, new_pack_rule, rules_from_content, rules_from_template};
use confpack_server::reporting::generator::write_snapshot_report;
use confpack_store::{AccountStore, RuleStore, SqliteStore};

use crate::admin::now_ms;
use crate::args::{FailOn, ScanArgs};
use crate::import::{expand_inputs, import_files};

/// Resources per store transaction while loading the inputs.
const BATCH: usize = 5000;

/// What the scan evaluates: a pack's name, description and rules.
struct Plan {
    name: String,
    description: String,
    template_id: String,
    risk_level: i64,
    rules: Vec<RuleRequest>,
    unimplemented: Vec<String>,
}

/// The pack `--pack` names: a template id, a template name (any case), or a file in the
/// console's `TemplateContent` export format.
fn pack_plan(pack: Option<&str>) -> anyhow::Result<Plan> {
    let Some(pack) = pack else {
        return Ok(Plan {
            name: "confpack scan".to_owned(),
            description: String::new(),
            template_id: String::new(),
            risk_level: 2,
            rules: Vec::new(),
            unimplemented: Vec::new(),
        });
    };
    let library = templates();
    let template = library.get(pack).or_else(|| library.iter().find(|t| t.name.eq_ignore_ascii_case(pack)));
    if let Some(t) = template {
        let (rules, unimplemented) = rules_from_template(t);
        return Ok(Plan {
            name: t.name.clone(),
            description: t.description.clone(),
            template_id: t.id.clone(),
            risk_level: i64::from(t.risk_level),
            rules,
            unimplemented,
        });
    }
    let path = Path::new(pack);
    if path.is_file() {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let content = rules_from_content(&text).map_err(|e| anyhow!("{}: {}", path.display(), e.message))?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("pack").to_owned();
        return Ok(Plan {
            name: content.name.unwrap_or(stem),
            description: content.description.unwrap_or_default(),
            template_id: String::new(),
            risk_level: content.risk_level.unwrap_or(2),
            rules: content.rules,
            unimplemented: Vec::new(),
        });
    }
    bail!(
        "--pack {pack:?} is neither a template id or name nor a file (ListCompliancePackTemplates lists the templates)"
    )
}

/// `--rule IDENTIFIER[=param=value,…]`: adds a rule, or sets the parameters of the pack's
/// rule of that identifier.
fn apply_rule_option(plan: &mut Plan, option: &str) -> anyhow::Result<()> {
    let (identifier, params) = option.split_once('=').unwrap_or((option, ""));
    if identifier.is_empty() {
        bail!("--rule {option:?}: the managed-rule identifier is missing");
    }
    let mut parameters = BTreeMap::new();
    for pair in params.split(',').filter(|p| !p.is_empty()) {
        let (name, value) =
            pair.split_once('=').ok_or_else(|| anyhow!("--rule {option:?}: {pair:?} is not param=value"))?;
        parameters.insert(name.to_owned(), value.to_owned());
    }
    match plan.rules.iter_mut().find(|r| r.identifier == identifier) {
        Some(rule) => rule.parameters.extend(parameters),
        None => plan.rules.push(RuleRequest {
            existing: None,
            identifier: identifier.to_owned(),
            name: None,
            description: None,
            risk_level: None,
            parameters,
        }),
    }
    Ok(())
}

/// Runs `confpack scan`; the exit code says what was found.
pub async fn run(args: ScanArgs) -> ExitCode {
    match scan(&args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("confpack scan: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn scan(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let mut plan = pack_plan(args.pack.as_deref())?;
    for option in &args.rules {
        apply_rule_option(&mut plan, option)?;
    }
    if plan.rules.is_empty() {
        bail!("nothing to evaluate: give --pack (a template or a TemplateContent file) and/or --rule IDENTIFIER");
    }
    let formats = args
        .format
        .iter()
        .map(|f| ReportFormat::from_extension(f).ok_or_else(|| anyhow!("--format {f:?}: use xlsx, html, csv or json")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let files = expand_inputs(&args.inputs)?;
    if files.is_empty() {
        bail!("no input files (give files, directories with .json/.ndjson/.jsonl files, or - for standard input)");
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;

    // A throw-away store beside the output, removed when the scan ends.
    let scratch = tempfile::Builder::new().prefix(".confpack-scan-").tempdir_in(&args.out)?;
    let store = SqliteStore::open(&scratch.path().join("scan.db")).await?;
    let (account, _) = store.create_account("scan", now_ms()).await?;
    let account = account.id;

    let pack = CompliancePack {
        account_id: account,
        pack_id: hex_id("cp", 20),
        name: plan.name.clone(),
        description: plan.description.clone(),
        risk_level: plan.risk_level,
        template_id: plan.template_id.clone(),
        status: "ACTIVE".to_owned(),
        scope: RuleScope::default(),
        tags: Vec::new(),
        created_ms: now_ms(),
        unimplemented_rules: plan.unimplemented.clone(),
    };
    let mut rules = Vec::new();
    for request in std::mem::take(&mut plan.rules) {
        let identifier = request.identifier.clone();
        let rule = new_pack_rule(account, &pack, request, true, now_ms())
            .map_err(|e| anyhow!("rule {identifier:?}: {}", e.message))?;
        store.create_rule(&rule, None).await?;
        rules.push(rule);
    }

    let mut stages = Vec::new();
    let started = std::time::Instant::now();
    let loaded = import_files(&store, account, files, BATCH).await?;
    if loaded.rejected > 0 {
        bail!("{} input item(s) rejected (see above); fix them and scan again", loaded.rejected);
    }
    stages.push(("load", started.elapsed()));
    let started = std::time::Instant::now();
    evaluate_rules(&store, account, &rules, "Manual").await?;
    stages.push(("evaluate", started.elapsed()));
    let started = std::time::Instant::now();
    let rule_ids: Vec<String> = rules.iter().map(|r| r.rule_id.clone()).collect();
    let subject = ReportSubject {
        title: plan.name.clone(),
        pack: Some(PackInfo {
            pack_id: pack.pack_id.clone(),
            description: plan.description.clone(),
            template_id: plan.template_id.clone(),
            risk_level: plan.risk_level,
        }),
        account_id: account.get(),
        report_id: hex_id("scan", 20),
        generated_ms: 0,
        rules: Vec::new(),
        unimplemented_rules: plan.unimplemented.clone(),
    };
    let (written, summary, results) = write_snapshot_report(&store, subject, &rule_ids, now_ms(), &args.out, &formats)
        .await
        .map_err(|e| anyhow!(e))?;
    drop(store);
    stages.push(("report", started.elapsed()));

    print_summary(&summary, results, loaded.created + loaded.changed + loaded.unchanged);
    let timing: Vec<String> = stages.iter().map(|(name, d)| format!("{name} {:.2} s", d.as_secs_f64())).collect();
    eprintln!("stages: {}", timing.join(", "));
    for file in &written {
        println!("{}", file.path.display());
    }
    Ok(verdict(&summary, args.fail_on))
}

/// Exit code 1 when a non-compliant result has a risk level at or above `fail_on`.
fn verdict(summary: &Summary, fail_on: FailOn) -> ExitCode {
    let threshold = match fail_on {
        FailOn::High => 1,
        FailOn::Medium => 2,
        FailOn::Low => 3,
        FailOn::None => return ExitCode::SUCCESS,
    };
    let failing: i64 = (1..=threshold).map(|level| summary.risk_pairs_of(level, "NON_COMPLIANT")).sum();
    if failing > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn print_summary(summary: &Summary, results: u64, resources: u64) {
    let score = summary.score().map_or_else(|| "-".to_owned(), |s| format!("{s:.2}%"));
    eprintln!("scanned {resources} resources: {results} evaluation results, compliance score {score}");
    eprintln!(
        "{:<20} {:>8} {:>10}   results by risk level: {:>8} {:>8} {:>8}",
        "", "rules", "resources", "high", "medium", "low"
    );
    for t in VERDICTS {
        eprintln!(
            "{:<20} {:>8} {:>10}                          {:>8} {:>8} {:>8}",
            t,
            summary.rules_of(t),
            summary.resources_of(t),
            summary.risk_pairs_of(1, t),
            summary.risk_pairs_of(2, t),
            summary.risk_pairs_of(3, t)
        );
    }
}
