//! `confpack import`: streams JSON-array or NDJSON resource files into the store in
//! batches, one transaction each, with bounded memory whatever the input size.
//!
//! A reader thread parses, validates and hashes items and hands full batches to the
//! writer over a bounded channel. An invalid item is rejected on its own (reported with
//! file and line) and never enters a batch, so every batch is written whole or not at all.
//! A syntax error ends that file, since nothing after it can be trusted.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use confpack_inventory::diff::prepare;
use confpack_inventory::input::parse_owned_resource;
use confpack_inventory::reader::{ReadError, read_items};
use confpack_model::{AccountId, PreparedResource, PutOutcome, ResourceRecord};
use confpack_store::Store;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use tokio::sync::mpsc;

use crate::admin::{now_ms, open_store};
use crate::args::ImportArgs;

/// Rejections printed in full; past this, only counted.
const MAX_REPORTED: u64 = 100;

/// What an import did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    /// New resources.
    pub created: u64,
    /// Resources with a new version.
    pub changed: u64,
    /// Resources identical to their stored version.
    pub unchanged: u64,
    /// Items refused (invalid, or unreadable).
    pub rejected: u64,
    /// Time spent in store writes, which tells whether the store or parsing bounds the rate.
    pub write_seconds: f64,
}

/// The files an input names: itself, every `.json`/`.ndjson`/`.jsonl` file of a directory
/// (sorted), or `-` for standard input.
pub fn expand_inputs(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" || input.is_file() {
            files.push(input.clone());
        } else if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .with_context(|| format!("reading directory {}", input.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "ndjson" | "jsonl"))
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            bail!("{}: no such file or directory", input.display());
        }
    }
    Ok(files)
}

fn open_input(path: &Path) -> anyhow::Result<Box<dyn Read + Send>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    Ok(Box::new(File::open(path).with_context(|| format!("opening {}", path.display()))?))
}

/// The inputs' total size, when every one is a file.
pub fn input_bytes(files: &[PathBuf]) -> Option<u64> {
    files.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).ok()).sum()
}

/// The template of a progress bar over an input's bytes.
pub const BYTES_BAR: &str = "{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta} {msg}";

/// A progress bar drawn with `template` towards `total` (a spinner when it is unknown), on
/// a terminal only.
pub fn progress_bar(total: Option<u64>, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    match total {
        Some(total) => ProgressBar::new(total)
            .with_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())),
        None => ProgressBar::new_spinner(),
    }
}

/// Counts bytes as they are read, for the progress bar.
struct Counted<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

/// Reads every file on the current (blocking) thread, sending full batches of what `make`
/// makes of each valid item to `batches`. Returns how many items were rejected.
pub fn read_batches<T: Send>(
    files: &[PathBuf],
    batch_size: usize,
    batches: &mpsc::Sender<Vec<T>>,
    bar: &ProgressBar,
    mut make: impl FnMut(ResourceRecord) -> T,
) -> u64 {
    let mut rejected = 0u64;
    let mut batch = Vec::with_capacity(batch_size);
    let report = |message: String, rejected: &mut u64| {
        *rejected += 1;
        if *rejected <= MAX_REPORTED {
            bar.suspend(|| eprintln!("{message}"));
        } else if *rejected == MAX_REPORTED + 1 {
            bar.suspend(|| eprintln!("… further rejections are counted, not shown"));
        }
    };
    for path in files {
        let name = path.display().to_string();
        let input = match open_input(path) {
            Ok(opened) => opened,
            Err(e) => {
                report(format!("{name}: {e:#}"), &mut rejected);
                continue;
            }
        };
        let reader = BufReader::with_capacity(1 << 20, Counted { inner: input, bar: bar.clone() });
        let result = read_items(reader, |value, location| {
            match parse_owned_resource(value) {
                Ok(record) => {
                    batch.push(make(record));
                    if batch.len() >= batch_size {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
                        batches.blocking_send(full).map_err(|_| "the writer stopped".to_owned())?;
                    }
                }
                Err(e) => report(format!("{name}:{}: item {}: {e}", location.line, location.index), &mut rejected),
            }
            Ok(())
        });
        match result {
            Ok(()) => {}
            Err(ReadError::Stopped(_)) => return rejected,
            Err(e @ (ReadError::Syntax { .. } | ReadError::NotUtf8 { .. })) => {
                report(format!("{name}:{e}; the rest of this file was not read"), &mut rejected);
            }
            Err(e) => report(format!("{name}: {e}; the rest of this file was not read"), &mut rejected),
        }
    }
    if !batch.is_empty() {
        let _ = batches.blocking_send(batch);
    }
    rejected
}

/// Writes batches as they arrive, one transaction each.
pub async fn write_batches(
    store: &dyn Store,
    account: AccountId,
    mut batches: mpsc::Receiver<Vec<PreparedResource>>,
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    while let Some(batch) = batches.recv().await {
        let started = Instant::now();
        let outcomes = store.put_resources(account, &batch, now_ms()).await.context("writing a batch")?;
        summary.write_seconds += started.elapsed().as_secs_f64();
        for (outcome, _) in outcomes {
            match outcome {
                PutOutcome::Created => summary.created += 1,
                PutOutcome::Changed => summary.changed += 1,
                PutOutcome::Unchanged => summary.unchanged += 1,
            }
        }
    }
    Ok(summary)
}

/// Streams `files` into `account` in batches of `batch_size` (a progress bar on a
/// terminal); rejected items are reported on stderr with file and line, and counted.
pub async fn import_files(
    store: &dyn Store,
    account: AccountId,
    files: Vec<PathBuf>,
    batch_size: usize,
) -> anyhow::Result<Summary> {
    let bar = progress_bar(input_bytes(&files), BYTES_BAR);
    let (sender, receiver) = mpsc::channel(4);
    let reader_bar = bar.clone();
    let reader = tokio::task::spawn_blocking(move || read_batches(&files, batch_size, &sender, &reader_bar, prepare));
    let written = write_batches(store, account, receiver).await;
    let rejected = reader.await.context("the reader thread failed")?;
    bar.finish_and_clear();
    let mut summary = written?;
    summary.rejected = rejected;
    Ok(summary)
}

/// Runs `confpack import`.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let account: AccountId = args.account.parse()?;
    if args.batch_size == 0 || args.batch_size > 10_000 {
        bail!("--batch-size must be between 1 and 10000");
    }
    let files = expand_inputs(&args.inputs)?;
    if files.is_empty() {
        bail!("no input files (give files, directories with .json/.ndjson/.jsonl files, or - for standard input)");
    }
    let store = open_store(&args.store).await?;
    if store.get_account(account).await?.is_none() {
        bail!("account {account} not found (see `confpack accounts list`)");
    }
    let started = Instant::now();
    let summary = import_files(store.as_ref(), account, files, args.batch_size).await?;
    let seconds = started.elapsed().as_secs_f64();
    let stored = summary.created + summary.changed + summary.unchanged;
    eprintln!(
        "imported {stored} resources in {seconds:.2} s ({:.0}/s, {:.2} s of it in store writes): created {}, changed {}, unchanged {}, rejected {}",
        stored as f64 / seconds.max(1e-9),
        summary.write_seconds,
        summary.created,
        summary.changed,
        summary.unchanged,
        summary.rejected
    );
    println!(
        "{}",
        json!({"Created": summary.created, "Changed": summary.changed, "Unchanged": summary.unchanged, "Rejected": summary.rejected, "Seconds": (seconds * 1000.0).round() / 1000.0, "WriteSeconds": (summary.write_seconds * 1000.0).round() / 1000.0})
    );
    if summary.rejected > 0 {
        bail!("{} item(s) rejected; everything else was imported", summary.rejected);
    }
    Ok(())
}
