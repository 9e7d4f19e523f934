//! `confpack scan`: an offline compliance scan of resource files against a pack, with no
//! server. It runs the server's own parts: the importer loads the input into a throw-away
//! SQLite store (which related-resource lookups and repeated resources need), the server's
//! evaluator evaluates each resource on its way there ([`StreamingRules`]), and the results
//! go straight to the report writer. Resources that rules reading related resources cover
//! are evaluated from the store once everything is loaded ([`ScopeEvaluation`]), and so is
//! everything when a resource was given twice. A scan and `GenerateCompliancePackReport` of
//! the same data and pack give the same report.
//!
//! Exit codes (for CI gates): 0 when nothing at or above `--fail-on` is non-compliant, 1
//! when something is, 2 for usage or input errors (an unreadable or invalid item is reported
//! with its file and line, and fails the scan: a report must not silently miss resources).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use confpack_inventory::diff::prepare;
use confpack_model::ids::hex_id;
use confpack_model::rule::VERDICT_ORDER;
use confpack_model::{AccountId, ResourceRecord, ResultWrite, StoredResource, StoredResult};
use confpack_model::{CompliancePack, RuleScope};
use confpack_reports::{PackInfo, ReportBuilder, ReportFile, ReportFormat, ReportSubject, Summary, VERDICTS};
use confpack_rules::templates::templates;
use confpack_server::evaluation::streaming::StreamingRules;
use confpack_server::evaluation::worker::ScopeEvaluation;
use confpack_server::pack_plan::{RuleRequest, new_pack_rule, rules_from_content, rules_from_template};
use confpack_store::{AccountStore, ResourceQuery, ResourceStore, RuleStore, SqliteStore};
use tokio::sync::mpsc;

use crate::admin::now_ms;
use crate::args::{FailOn, ScanArgs};
use crate::import::{self, expand_inputs};

/// Resources per batch while loading the inputs (one store transaction each); a few batches
/// are in flight between the threads, which bounds the scan's memory.
const BATCH: usize = 2000;
/// Batches buffered between the threads of a scan (reader, evaluator, store, report).
const PAGES_IN_FLIGHT: usize = 4;
/// The template of the progress bar over the resources evaluated from the store.
const RESOURCES_BAR: &str = "evaluating {bar:40} {pos}/{len} resources {per_sec} eta {eta}";
/// The `MessageType` of a scan's results.
const MESSAGE_TYPE: &str = "Manual";

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
    let store = SqliteStore::open_scratch(&scratch.path().join("scan.db")).await?;
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
        generated_ms: now_ms(),
        rules: rules.clone(),
        unimplemented_rules: plan.unimplemented.clone(),
    };
    // Files are written in the scratch directory and moved into --out only when all of
    // them are complete.
    let staging = scratch.path().join("report");
    let mut stages = Vec::new();
    let started = std::time::Instant::now();
    let mut report = ReportRun::start(subject.clone(), &staging, &formats)?;
    let streaming = StreamingRules::of_rules(&rules);
    let deferred = streaming.deferred_types().to_vec();
    let loaded = load_and_evaluate(&store, account, files, streaming, report.results.clone()).await?;
    if loaded.rejected > 0 {
        bail!("{} input item(s) rejected (see above); fix them and scan again", loaded.rejected);
    }
    stages.push(("load and evaluate", started.elapsed()));
    let started = std::time::Instant::now();
    let mut evaluation = ScopeEvaluation::of_rules(&store, account, &rules, MESSAGE_TYPE);
    if loaded.changed + loaded.unchanged > 0 {
        // A resource given twice: its first version's results are already in the report,
        // and the last version is the one that counts. Evaluate everything from the store.
        eprintln!(
            "{} resource(s) appear more than once in the input; the last version of each counts",
            loaded.changed + loaded.unchanged
        );
        drop(report.finish().await);
        std::fs::remove_dir_all(&staging)?;
        report = ReportRun::start(subject, &staging, &formats)?;
    } else {
        evaluation = evaluation.restricted_to(&deferred);
    }
    evaluate_stored(&store, account, &mut evaluation, &report.results).await?;
    stages.push(("evaluate from the store", started.elapsed()));
    let started = std::time::Instant::now();
    let (files, summary, results) = report.finish().await?;
    let mut written = Vec::new();
    for file in files {
        let name = file.path.file_name().map(ToOwned::to_owned).unwrap_or_default();
        let path = args.out.join(name);
        std::fs::rename(&file.path, &path).with_context(|| format!("moving the report to {}", path.display()))?;
        written.push(ReportFile { path, ..file });
    }
    drop(store);
    stages.push(("finish the report", started.elapsed()));

    print_summary(&summary, results, loaded.created);
    let timing: Vec<String> = stages.iter().map(|(name, d)| format!("{name} {:.2} s", d.as_secs_f64())).collect();
    eprintln!("stages: {}", timing.join(", "));
    for file in &written {
        println!("{}", file.path.display());
    }
    Ok(verdict(&summary, args.fail_on))
}

/// Loads the input into the scratch store and evaluates each resource on the way with the
/// rules that need nothing else ([`StreamingRules`]), sending the results to `results`:
/// a reader thread parses, an evaluator thread evaluates and prepares, and the store
/// writes, all at once.
async fn load_and_evaluate(
    store: &SqliteStore,
    account: AccountId,
    files: Vec<PathBuf>,
    rules: StreamingRules,
    results: mpsc::Sender<Vec<ResultWrite>>,
) -> anyhow::Result<import::Summary> {
    let bar = import::progress_bar(import::input_bytes(&files), import::BYTES_BAR);
    let (records, mut to_evaluate) = mpsc::channel::<Vec<ResourceRecord>>(PAGES_IN_FLIGHT);
    let (prepared, to_write) = mpsc::channel(PAGES_IN_FLIGHT);
    let reader_bar = bar.clone();
    let reader = tokio::task::spawn_blocking(move || import::read_batches(&files, BATCH, &records, &reader_bar, |r| r));
    let evaluator = tokio::task::spawn_blocking(move || {
        while let Some(batch) = to_evaluate.blocking_recv() {
            let now = now_ms();
            let mut found = Vec::new();
            let mut ready = Vec::with_capacity(batch.len());
            for record in batch {
                let resource = StoredResource { record, deleted: false, version: 1, update_time: now };
                rules.evaluate(&resource, MESSAGE_TYPE, now, &mut found);
                ready.push(prepare(resource.record));
            }
            // A closed channel means a failure the other side reports.
            if results.blocking_send(found).is_err() || prepared.blocking_send(ready).is_err() {
                break;
            }
        }
    });
    let written = import::write_batches(store, account, to_write).await;
    let rejected = reader.await.context("the reader thread failed")?;
    evaluator.await.context("the evaluation thread failed")?;
    bar.finish_and_clear();
    let mut summary = written?;
    summary.rejected = rejected;
    Ok(summary)
}

/// Runs `evaluation` over the store to its end, sending the results to `results`, with a
/// progress bar over the resources it reads.
async fn evaluate_stored(
    store: &SqliteStore,
    account: AccountId,
    evaluation: &mut ScopeEvaluation<'_>,
    results: &mpsc::Sender<Vec<ResultWrite>>,
) -> anyhow::Result<()> {
    if evaluation.resource_types().is_empty() {
        return Ok(());
    }
    let query =
        ResourceQuery { resource_types: evaluation.resource_types().to_vec(), limit: 1, ..ResourceQuery::default() };
    let in_scope = store.list_resources(account, &query).await?.total;
    let bar = import::progress_bar(u64::try_from(in_scope).ok(), RESOURCES_BAR);
    while let Some(page) = evaluation.next_page().await? {
        bar.inc(page.resources as u64);
        if results.send(page.results).await.is_err() {
            break; // the writer stopped; its error says why
        }
    }
    bar.finish_and_clear();
    Ok(())
}

/// A report being written on a blocking thread from the results sent to it.
struct ReportRun {
    results: mpsc::Sender<Vec<ResultWrite>>,
    writer: tokio::task::JoinHandle<anyhow::Result<(Vec<ReportFile>, Summary, u64)>>,
}

impl ReportRun {
    /// Starts writing `formats` into `dir` (created).
    fn start(subject: ReportSubject, dir: &Path, formats: &[ReportFormat]) -> anyhow::Result<Self> {
        std::fs::create_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
        let (results, pages) = mpsc::channel(PAGES_IN_FLIGHT);
        let (dir, formats) = (dir.to_owned(), formats.to_vec());
        let writer = tokio::task::spawn_blocking(move || write_report(subject, &dir, &formats, pages));
        Ok(Self { results, writer })
    }

    /// Closes the results and waits for the files.
    async fn finish(self) -> anyhow::Result<(Vec<ReportFile>, Summary, u64)> {
        drop(self.results);
        self.writer.await.context("the report writer failed")?
    }
}

/// Writes the report of the results `pages` bring, as they come; the resource counters
/// come from the results themselves (a resource's results arrive together). Returns the
/// files, the summary and how many results were written.
fn write_report(
    subject: ReportSubject,
    dir: &Path,
    formats: &[ReportFormat],
    mut pages: mpsc::Receiver<Vec<ResultWrite>>,
) -> anyhow::Result<(Vec<ReportFile>, Summary, u64)> {
    let mut builder = ReportBuilder::new(subject, dir, formats).map_err(|e| anyhow!("{e}"))?;
    let mut verdicts = ResourceVerdicts::default();
    let mut results = 0_u64;
    while let Some(page) = pages.blocking_recv() {
        for write in page {
            verdicts.add(&write);
            builder.push(&StoredResult::unrecorded(write)).map_err(|e| anyhow!("{e}"))?;
            results += 1;
        }
    }
    builder.set_resources(&verdicts.finish());
    let (files, summary) = builder.finish().map_err(|e| anyhow!("{e}"))?;
    Ok((files, summary, results))
}

/// Resources per worst verdict (the first of [`VERDICT_ORDER`] among a resource's
/// results, as the store's pack counters rank them), from results that arrive a resource
/// at a time.
#[derive(Default)]
struct ResourceVerdicts {
    current: Option<(String, String)>,
    worst: usize,
    counts: [i64; VERDICT_ORDER.len()],
}

impl ResourceVerdicts {
    fn add(&mut self, write: &ResultWrite) {
        let rank = VERDICT_ORDER.iter().position(|t| *t == write.compliance_type).unwrap_or(VERDICT_ORDER.len() - 1);
        let same = self.current.as_ref().is_some_and(|(t, id)| *t == write.resource_type && *id == write.resource_id);
        if same {
            self.worst = self.worst.min(rank);
            return;
        }
        self.close();
        self.current = Some((write.resource_type.clone(), write.resource_id.clone()));
        self.worst = rank;
    }

    fn close(&mut self) {
        if self.current.take().is_some() {
            self.counts[self.worst] += 1;
        }
    }

    fn finish(mut self) -> Vec<(String, i64)> {
        self.close();
        VERDICT_ORDER.iter().zip(self.counts).map(|(t, n)| ((*t).to_owned(), n)).collect()
    }
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
