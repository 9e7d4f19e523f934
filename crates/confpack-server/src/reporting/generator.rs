//! The report worker: claims report jobs from the store, reads a snapshot of the results,
//! writes every format in one pass (on a blocking thread, fed through a bounded channel, so
//! memory stays flat), publishes the files and only then marks the job `COMPLETE`.
//!
//! A job is leased while it runs and the lease renewed; after a crash the job is claimed
//! again once its lease ran out and generated anew (files of an unfinished run are never
//! published: the report's state flips to `COMPLETE` after every file is in place). After
//! [`MAX_ATTEMPTS`] starts, or when its pack is gone, a job is marked `FAILED`, so no
//! report stays `CREATING` for ever.

use std::time::Duration;

use confpack_model::rule::active_pack_rule_ids;
use confpack_model::{AccountId, ReportJob, ReportKind};
use confpack_reports::{PackInfo, ReportBuilder, ReportFile, ReportFormat, ReportSubject};
use confpack_store::SnapshotItem;

use super::{object_key, object_prefix};
use crate::handlers::now_ms;
use crate::state::AppState;

/// Starts of one job before it is given up as `FAILED`.
pub const MAX_ATTEMPTS: i64 = 3;

/// Batches of results buffered between the store and the file writers.
const CHANNEL_BATCHES: usize = 4;

/// How often an idle worker looks for jobs other nodes (or a crash) left.
const IDLE_POLL: Duration = Duration::from_secs(1);

/// Why a run ended without a report.
enum Failure {
    /// Worth another attempt (store or disk trouble).
    Retry(String),
    /// Will not get better (the pack was deleted).
    Final(String),
}

/// Starts the report worker.
pub fn spawn(state: &AppState) {
    tokio::spawn(report_loop(state.clone()));
}

async fn report_loop(state: AppState) {
    let wake = state.report_notifier();
    let lease_ms = i64::try_from(state.reports().lease.as_millis()).unwrap_or(i64::MAX);
    loop {
        match state.store().claim_report(now_ms(), lease_ms).await {
            Ok(Some(job)) => run(&state, job, lease_ms).await,
            Ok(None) => {
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(IDLE_POLL) => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim report jobs");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

async fn run(state: &AppState, job: ReportJob, lease_ms: i64) {
    let store = state.store();
    if job.attempts > MAX_ATTEMPTS {
        let why = format!("gave up after {MAX_ATTEMPTS} attempts");
        tracing::warn!(report_id = %job.report_id, "{why}");
        if let Err(e) = store.fail_report(&job.report_id, &why).await {
            tracing::warn!(report_id = %job.report_id, error = %e, "cannot mark the report failed");
        }
        return;
    }
    let renewer = {
        let state = state.clone();
        let id = job.report_id.clone();
        tokio::spawn(async move {
            let every = Duration::from_millis(u64::try_from(lease_ms / 3).unwrap_or(1000).max(100));
            loop {
                tokio::time::sleep(every).await;
                match state.store().renew_report(&id, now_ms() + lease_ms).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => tracing::warn!(report_id = %id, error = %e, "cannot renew the report's lease"),
                }
            }
        })
    };
    let started = std::time::Instant::now();
    let outcome = generate(state, &job).await;
    renewer.abort();
    match outcome {
        Ok(results) => tracing::info!(
            report_id = %job.report_id,
            results,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "report complete"
        ),
        Err(Failure::Final(why)) => {
            tracing::warn!(report_id = %job.report_id, %why, "report failed");
            if let Err(e) = store.fail_report(&job.report_id, &why).await {
                tracing::warn!(report_id = %job.report_id, error = %e, "cannot mark the report failed");
            }
        }
        // The job stays leased and is claimed again when the lease runs out.
        Err(Failure::Retry(why)) => {
            tracing::warn!(report_id = %job.report_id, attempt = job.attempts, %why, "report failed; it will be retried");
        }
    }
}

fn retry(e: impl std::fmt::Display) -> Failure {
    Failure::Retry(e.to_string())
}

/// What a job reports on: its subject and the rules whose results it reads.
async fn subject_of(state: &AppState, job: &ReportJob) -> Result<(ReportSubject, Vec<String>), Failure> {
    let store = state.store();
    let account = job.account_id;
    let rules = store.list_rules(account).await.map_err(retry)?;
    let mut subject = ReportSubject {
        title: "Config rules".to_owned(),
        pack: None,
        account_id: account.get(),
        report_id: job.report_id.clone(),
        generated_ms: 0,
        rules: Vec::new(),
        unimplemented_rules: Vec::new(),
    };
    let rule_ids = match job.kind {
        ReportKind::Pack => {
            let pack = store
                .get_pack(account, &job.subject)
                .await
                .map_err(retry)?
                .ok_or_else(|| Failure::Final(format!("compliance pack {} no longer exists", job.subject)))?;
            subject.title.clone_from(&pack.name);
            subject.unimplemented_rules.clone_from(&pack.unimplemented_rules);
            subject.pack = Some(PackInfo {
                pack_id: pack.pack_id.clone(),
                description: pack.description.clone(),
                template_id: pack.template_id.clone(),
                risk_level: pack.risk_level,
            });
            // The rules the pack counters count: its active ones.
            active_pack_rule_ids(&rules, &pack.pack_id)
        }
        ReportKind::Rules if job.rule_ids.is_empty() => rules.iter().map(|r| r.rule_id.clone()).collect(),
        ReportKind::Rules => job.rule_ids.clone(),
    };
    Ok((subject, rule_ids))
}

/// Writes a report of `subject` in `formats` into `dir` from one snapshot of the results of
/// `rule_ids` taken at `snapshot_ms` (the subject's rules come from the snapshot too): the
/// store streams the results into a bounded channel, and the files are written on a
/// blocking thread as they come. Returns the files and how many results they hold.
async fn write_snapshot_report(
    store: &dyn confpack_store::Store,
    mut subject: ReportSubject,
    rule_ids: &[String],
    snapshot_ms: i64,
    dir: &std::path::Path,
    formats: &[ReportFormat],
) -> Result<(Vec<ReportFile>, u64), String> {
    let (sink, mut source) = tokio::sync::mpsc::channel(CHANNEL_BATCHES);
    let dir = dir.to_owned();
    let formats = formats.to_vec();
    let account = AccountId::new(subject.account_id);
    subject.generated_ms = snapshot_ms;
    let writer = tokio::task::spawn_blocking(move || -> Result<Vec<ReportFile>, String> {
        let Some(SnapshotItem::Rules(rules)) = source.blocking_recv() else {
            return Err("the snapshot ended before its rules".to_owned());
        };
        subject.rules = rules;
        let mut builder = ReportBuilder::new(subject, &dir, &formats).map_err(|e| e.to_string())?;
        while let Some(item) = source.blocking_recv() {
            match item {
                SnapshotItem::Results(batch) => {
                    for result in &batch {
                        builder.push(result).map_err(|e| e.to_string())?;
                    }
                }
                SnapshotItem::ResourceCounts(counts) => builder.set_resources(&counts),
                SnapshotItem::Rules(_) => return Err("the snapshot sent its rules twice".to_owned()),
            }
        }
        builder.finish().map(|(files, _)| files).map_err(|e| e.to_string())
    });
    let read = store.snapshot_results(account, rule_ids, snapshot_ms, sink).await;
    // The writer's error explains a snapshot that stopped because its reader did.
    let files = writer.await.map_err(|e| e.to_string())??;
    let results = read.map_err(|e| e.to_string())?;
    Ok((files, results))
}

/// Generates and publishes one report; returns how many results it holds.
async fn generate(state: &AppState, job: &ReportJob) -> Result<u64, Failure> {
    let settings = state.reports();
    let (subject, rule_ids) = subject_of(state, job).await?;
    let snapshot_ms = now_ms();
    let work = settings.work_dir.join(&job.report_id);
    // Whatever an interrupted run left is discarded.
    let _ = tokio::fs::remove_dir_all(&work).await;
    tokio::fs::create_dir_all(&work).await.map_err(retry)?;

    let (files, results) =
        write_snapshot_report(state.store(), subject, &rule_ids, snapshot_ms, &work, &ReportFormat::ALL)
            .await
            .map_err(Failure::Retry)?;

    let account = job.account_id.get();
    for file in &files {
        let key = object_key(account, &job.report_id, file.format);
        settings.objects.put(&key, &file.path).await.map_err(retry)?;
    }
    let _ = tokio::fs::remove_dir_all(&work).await;
    match state.store().complete_report(&job.report_id, snapshot_ms).await.map_err(retry)? {
        Some(replaced) => {
            for old in replaced {
                if let Err(e) = settings.objects.delete_prefix(&object_prefix(account, &old)).await {
                    tracing::warn!(report_id = %old, error = %e, "cannot delete a replaced report's files");
                }
            }
        }
        // Another run completed it (its files are the ones just written, as good), or the
        // pack was deleted meanwhile, with its reports: then nothing may stay behind.
        None => {
            if state.store().get_report(job.account_id, &job.report_id).await.map_err(retry)?.is_none() {
                let _ = settings.objects.delete_prefix(&object_prefix(account, &job.report_id)).await;
                return Err(Failure::Final(format!("report {} was deleted with its pack", job.report_id)));
            }
            tracing::info!(report_id = %job.report_id, "the report was completed by another run");
        }
    }
    Ok(results)
}
