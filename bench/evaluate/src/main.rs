//! Evaluates the whole managed-rule catalogue over generated resources and compares it with
//! merely parsing the same NDJSON with serde_json; then runs the server's own evaluation path
//! (resources read back from a SQLite store, evaluated, every result written to the store).
//! Everything streams, so memory stays flat whatever the number of resources.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::bail;
use clap::Parser;
use confpack_inventory::generate::{Generator, GeneratorOptions};
use confpack_model::{AccountId, ConfigRule, EvaluationStatus, RuleScope};
use confpack_rules::{ComplianceType, ManagedRule, RuleInput, catalogue};
use confpack_store::{AccountStore, ResourceStore, RuleStore, SqliteStore};
use serde_json::Value;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Command line.
#[derive(Parser)]
#[command(about = "Managed-rule catalogue evaluation benchmark")]
struct Args {
    /// How many resources to generate (ignored with --input).
    #[arg(long, default_value_t = 1_000_000)]
    resources: u64,
    /// An NDJSON inventory to use instead of generating one.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Skip the pass that writes results to the store.
    #[arg(long)]
    no_store: bool,
}

/// 2026-01-01T00:00:00Z: a fixed evaluation time keeps runs comparable.
const NOW_MS: i64 = 1_767_225_600_000;

fn lines(path: &Path) -> anyhow::Result<impl Iterator<Item = std::io::Result<String>>> {
    Ok(BufReader::with_capacity(1 << 20, File::open(path)?).lines())
}

fn rules_by_type() -> HashMap<String, Vec<&'static ManagedRule>> {
    let mut by_type: HashMap<String, Vec<&'static ManagedRule>> = HashMap::new();
    for rule in catalogue().iter() {
        for t in &rule.spec.resource_types {
            by_type.entry(t.clone()).or_default().push(rule);
        }
    }
    by_type
}

/// Verdict tallies by compliance type.
#[derive(Default)]
struct Tally {
    evaluations: u64,
    by_type: BTreeMap<&'static str, u64>,
}

impl Tally {
    fn add(&mut self, c: ComplianceType) {
        self.evaluations += 1;
        *self.by_type.entry(c.as_str()).or_default() += 1;
    }
}

fn evaluate_line(
    line: &str,
    by_type: &HashMap<String, Vec<&'static ManagedRule>>,
    mut sink: impl FnMut(&'static ManagedRule, &Value, ComplianceType, Option<String>),
) -> anyhow::Result<()> {
    let item: Value = serde_json::from_str(line)?;
    let Some(rules) = item["ResourceType"].as_str().and_then(|t| by_type.get(t)) else { return Ok(()) };
    let empty = BTreeMap::new();
    let related = BTreeMap::new();
    for rule in rules {
        let e = rule.evaluate(RuleInput {
            configuration: &item["Configuration"],
            params: &empty,
            related: &related,
            now_ms: NOW_MS,
        });
        sink(rule, &item, e.compliance_type, e.annotation.map(|a| a.to_json_string()));
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let work = tempfile::tempdir()?;
    let input = match &args.input {
        Some(path) => path.clone(),
        None => {
            let path = work.path().join("inventory.ndjson");
            let started = Instant::now();
            let mut generator =
                Generator::new(GeneratorOptions { resources: args.resources, ..GeneratorOptions::default() })?;
            generator.write_ndjson(BufWriter::new(File::create(&path)?))?;
            println!("generated {} resources in {:.2} s", args.resources, started.elapsed().as_secs_f64());
            path
        }
    };
    let bytes = std::fs::metadata(&input)?.len();
    let by_type = rules_by_type();
    println!(
        "catalogue: {} managed rules, {} resource types; input {:.0} MiB",
        catalogue().len(),
        by_type.len(),
        bytes as f64 / 1048576.0
    );

    // (1) Parsing alone.
    let started = Instant::now();
    let mut resources = 0_u64;
    for line in lines(&input)? {
        let v: Value = serde_json::from_str(&line?)?;
        std::hint::black_box(&v);
        resources += 1;
    }
    let parse_s = started.elapsed().as_secs_f64();

    // (2) Parsing and evaluating every applicable catalogue rule.
    let started = Instant::now();
    let mut tally = Tally::default();
    for line in lines(&input)? {
        evaluate_line(&line?, &by_type, |_, _, c, annotation| {
            std::hint::black_box(&annotation);
            tally.add(c);
        })?;
    }
    let eval_s = started.elapsed().as_secs_f64();
    if tally.evaluations == 0 {
        bail!("no evaluation happened: does the catalogue cover the generated types?");
    }

    println!();
    println!("| pass | seconds | resources/s | evaluations/s | × parse |");
    println!("|---|---|---|---|---|");
    let rate = |n: u64, s: f64| (n as f64 / s).round();
    println!("| parse only (serde_json) | {parse_s:.2} | {} | – | 1.00 |", rate(resources, parse_s));
    println!(
        "| parse + evaluate catalogue | {eval_s:.2} | {} | {} | {:.2} |",
        rate(resources, eval_s),
        rate(tally.evaluations, eval_s),
        eval_s / parse_s
    );

    if !args.no_store {
        let (store_s, written) = with_store(&input, work.path())?;
        println!(
            "| server path: read from SQLite + evaluate + write results | {store_s:.2} | {} | {} | {:.2} |",
            rate(resources, store_s),
            rate(written, store_s),
            store_s / parse_s
        );
        println!("({written} results written)");
    }
    println!();
    println!(
        "{resources} resources, {} evaluations ({:.1} per resource)",
        tally.evaluations,
        tally.evaluations as f64 / resources as f64
    );
    for (t, n) in &tally.by_type {
        println!("  {t}: {n} ({:.1} %)", *n as f64 * 100.0 / tally.evaluations as f64);
    }
    Ok(())
}

fn stored_rule(account: AccountId, rule: &ManagedRule) -> ConfigRule {
    ConfigRule {
        account_id: account,
        rule_id: rule.spec.identifier.clone(),
        name: rule.spec.identifier.clone(),
        description: String::new(),
        source_owner: "ALIYUN".to_owned(),
        source_identifier: rule.spec.identifier.clone(),
        input_parameters: BTreeMap::new(),
        conditions: None,
        trigger_types: vec!["ConfigurationItemChangeNotification".to_owned()],
        maximum_execution_frequency: "TwentyFour_Hours".to_owned(),
        extend_content: String::new(),
        risk_level: i64::from(rule.spec.risk_level),
        state: "ACTIVE".to_owned(),
        scope: RuleScope::default(),
        tags: Vec::new(),
        created_by: None,
        result_token: String::new(),
        created_ms: NOW_MS,
        modified_ms: NOW_MS,
        status: EvaluationStatus::default(),
        revision: 0,
    }
}

/// The server's path: imports the inventory into a fresh SQLite store (not timed), then
/// times what an evaluation job does for every catalogue rule at once: read the resources
/// back in key order, parse them, evaluate, and write the results in batches. Returns the
/// seconds and the number of results written.
fn with_store(input: &Path, dir: &Path) -> anyhow::Result<(f64, u64)> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let store = SqliteStore::open(&dir.join("confpack.db")).await?;
        let account: AccountId = store.create_account("bench", NOW_MS).await?.0.id;
        let started = Instant::now();
        let mut batch = Vec::with_capacity(5000);
        for line in lines(input)? {
            let record = confpack_inventory::input::parse_owned_resource(serde_json::from_str(&line?)?)
                .map_err(|e| anyhow::anyhow!("generated resource refused: {e}"))?;
            batch.push(confpack_inventory::diff::prepare(record));
            if batch.len() == 5000 {
                store.put_resources(account, &batch, NOW_MS).await?;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            store.put_resources(account, &batch, NOW_MS).await?;
        }
        println!("(imported the inventory in {:.1} s, not counted)", started.elapsed().as_secs_f64());
        let rules: Vec<ConfigRule> = catalogue().iter().map(|r| stored_rule(account, r)).collect();
        for rule in &rules {
            store.create_rule(rule, None).await?;
        }
        let started = Instant::now();
        let written = confpack_server::evaluation::worker::evaluate_rules(&store, account, &rules, "Manual").await?;
        Ok((started.elapsed().as_secs_f64(), written))
    })
}
