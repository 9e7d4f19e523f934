//! The evaluation loops every server runs: durable whole-scope jobs, change-triggered
//! evaluation from the store's change feed, and schedules. All state lives in the store
//! (jobs with leases, the feed cursor, each rule's next due time), so a restart or a crash
//! loses nothing, and several nodes sharing one PostgreSQL split the work.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use confpack_model::rule::{active_pack_rule_ids, frequency_ms};
use confpack_model::{AccountId, EvaluationJob, ResourceEventType, ResultWrite, StoredResource};
use confpack_store::{Store, StoreResult};

use super::compile::{CompiledRule, compile, compile_evaluable};
use crate::handlers::now_ms;
use crate::state::AppState;

/// Resources read per page of a whole-scope evaluation.
const SCAN_PAGE: u32 = 1000;
/// Results written per transaction.
const WRITE_BATCH: usize = 2000;
/// Jobs claimed at once (one per rule: a pack's rules are evaluated together).
const JOB_BATCH: usize = 256;
/// Changes read from the feed per round.
const FEED_BATCH: u32 = 1000;
/// How often the loops look at the store when nothing woke them.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// How often schedules are checked.
const SCHEDULE_TICK: Duration = Duration::from_secs(10);

/// The trigger type of configuration-change evaluation.
pub(crate) const CHANGE_TRIGGER: &str = "ConfigurationItemChangeNotification";
/// The trigger type of periodic evaluation.
pub(crate) const SCHEDULE_TRIGGER: &str = "ScheduledNotification";

/// Starts the three loops on the current runtime. `lease` is how long a claimed job stays
/// ours without renewal; a crashed node's job is taken over after it.
pub fn spawn(state: &AppState, lease: Duration) {
    let s = state.clone();
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
    tokio::spawn(async move { job_loop(s, lease_ms).await });
    let s = state.clone();
    tokio::spawn(async move { feed_loop(s).await });
    let s = state.clone();
    tokio::spawn(async move { schedule_loop(s).await });
}

/// When a rule with these triggers is next due, counted from `now_ms`.
pub(crate) fn next_due(trigger_types: &[String], frequency: &str, now_ms: i64) -> Option<i64> {
    trigger_types.iter().any(|t| t == SCHEDULE_TRIGGER).then(|| now_ms + frequency_ms(frequency).unwrap_or(86_400_000))
}

async fn job_loop(state: AppState, lease_ms: i64) {
    let wake = state.job_notifier();
    loop {
        let store = state.store();
        let mut claimed = Vec::new();
        // Claim what is waiting (a new pack enqueues one job per rule) so that jobs of one
        // account are evaluated together, reading each resource type once.
        while claimed.len() < JOB_BATCH {
            match store.claim_evaluation(now_ms(), lease_ms).await {
                Ok(Some(job)) => claimed.push(job),
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim evaluation jobs");
                    break;
                }
            }
        }
        if claimed.is_empty() {
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
            }
            continue;
        }
        let mut groups: BTreeMap<(AccountId, String, bool), Vec<EvaluationJob>> = BTreeMap::new();
        for job in claimed {
            groups.entry((job.account_id, job.message_type.clone(), job.revert_ignored)).or_default().push(job);
        }
        for jobs in groups.into_values() {
            let started = std::time::Instant::now();
            match run_jobs(store, &jobs, lease_ms).await {
                Ok(()) => {
                    tracing::info!(
                        rules = jobs.len(),
                        elapsed_ms = started.elapsed().as_millis(),
                        "evaluation finished"
                    );
                    for job in &jobs {
                        if let Err(e) = store.finish_evaluation(job.job_id).await {
                            tracing::warn!(error = %e, "could not remove a finished evaluation job; it will run again");
                        }
                    }
                }
                // The jobs stay leased and are retried once the lease runs out.
                Err(e) => tracing::warn!(rules = jobs.len(), error = %e, "evaluation failed; it will be retried"),
            }
        }
    }
}

/// Runs whole-scope evaluation jobs of one account (same message type): every resource in
/// each rule's scope is evaluated, reading each resource type once for all the rules;
/// results of resources no longer in a scope are removed, and each rule's status updated.
pub(crate) async fn run_jobs(store: &dyn Store, jobs: &[EvaluationJob], lease_ms: i64) -> StoreResult<()> {
    let Some(first) = jobs.first() else { return Ok(()) };
    let account = first.account_id;
    let started = now_ms();
    let mut compiled = Vec::new();
    let mut statuses = Vec::new();
    for job in jobs {
        let Some(rule) = store.get_rule(account, &job.rule_id).await? else { continue };
        if rule.state != "ACTIVE" {
            continue;
        }
        let mut status = rule.status.clone();
        status.first_evaluation_started = true;
        match compile(&rule) {
            Ok(c) => {
                if c.evaluates() {
                    compiled.push(c);
                }
                statuses.push((rule.rule_id.clone(), status, true));
            }
            Err(message) => {
                tracing::warn!(rule_id = %rule.rule_id, %message, "rule does not compile");
                status.last_failed_ms = Some(now_ms());
                status.last_error_code = "RuleCompileError".to_owned();
                status.last_error_message = message;
                statuses.push((rule.rule_id.clone(), status, false));
            }
        }
    }
    let ids: Vec<i64> = jobs.iter().map(|j| j.job_id).collect();
    let mut evaluation = ScopeEvaluation::new(store, account, compiled, &first.message_type);
    write_scope(&mut evaluation, first.revert_ignored, Some((&ids, lease_ms))).await?;
    let compiled = evaluation.rules();
    for rule in compiled {
        store.delete_results(account, &rule.rule.rule_id, Some(started), now_ms()).await?;
    }
    for (rule_id, mut status, succeeded) in statuses {
        if succeeded {
            status.last_success_ms = Some(now_ms());
        }
        // Saved on the rule as it is now, so that an update made while evaluating is kept;
        // a concurrent update makes the save fail and it is tried again on the fresh rule.
        for _ in 0..5 {
            let Some(mut current) = store.get_rule(account, &rule_id).await? else { break };
            current.status = status.clone();
            if store.save_rule_status(&current).await? {
                break;
            }
        }
    }
    refresh_pack_counters(store, account, compiled).await;
    Ok(())
}

/// Takes the resource-counter snapshot of every pack among `evaluated`'s, so that
/// `GetResourceComplianceByPack` answers from it rather than counting every result. The
/// jobs are still pending meanwhile, so a pack is reported evaluated only once its snapshot
/// is ready. A failure is only logged: the next read counts again.
async fn refresh_pack_counters(store: &dyn Store, account: AccountId, evaluated: &[CompiledRule]) {
    let packs: BTreeSet<&str> = evaluated.iter().filter_map(|c| c.rule.pack_id()).collect();
    if packs.is_empty() {
        return;
    }
    let refreshed = async {
        let rules = store.list_rules(account).await?;
        for pack in packs {
            let ids = active_pack_rule_ids(&rules, pack);
            store.pack_resource_counts(account, pack, &ids, now_ms()).await?;
        }
        StoreResult::Ok(())
    };
    if let Err(e) = refreshed.await {
        tracing::warn!(error = %e, "could not refresh pack resource counters");
    }
}

/// Evaluates stored rules over their whole scope and writes the results: what evaluation
/// jobs do, offered for benchmarks and tools. Rules that do not compile or that confpack
/// does not evaluate itself (CUSTOM_FC) are skipped. Returns how many results were written.
pub async fn evaluate_rules(
    store: &dyn Store,
    account: AccountId,
    rules: &[confpack_model::ConfigRule],
    message_type: &str,
) -> StoreResult<u64> {
    let mut evaluation = ScopeEvaluation::of_rules(store, account, rules, message_type);
    write_scope(&mut evaluation, false, None).await
}

/// One page of a whole-scope evaluation.
pub struct EvaluatedPage {
    /// Resources read (each evaluated by the rules covering it).
    pub resources: usize,
    /// Their results, a resource's results next to each other.
    pub results: Vec<ResultWrite>,
}

/// A whole-scope evaluation of some rules, a page of resources at a time: every live
/// resource of the rules' types is read once whatever the number of rules, in
/// (type, id) order, and evaluated by the rules covering it. The server writes the pages'
/// results to the store; `confpack scan` hands them straight to the report writer.
pub struct ScopeEvaluation<'a> {
    store: &'a dyn Store,
    account: AccountId,
    rules: Vec<CompiledRule>,
    types: Vec<String>,
    message_type: &'a str,
    /// Where the next page starts; `None` before the first.
    after: Option<(String, String)>,
    finished: bool,
}

/// One rule's evaluation of one resource of a page, with the related resources it reads:
/// (name, resource type, id).
type Evaluation<'p> = (&'p StoredResource, &'p CompiledRule, Vec<(&'p str, &'p str, String)>);

impl<'a> ScopeEvaluation<'a> {
    /// Evaluates `rules`, compiled already.
    pub(crate) fn new(
        store: &'a dyn Store,
        account: AccountId,
        rules: Vec<CompiledRule>,
        message_type: &'a str,
    ) -> Self {
        let mut types: Vec<String> = rules.iter().flat_map(|r| r.resource_types.iter().cloned()).collect();
        types.sort_unstable();
        types.dedup();
        Self { store, account, rules, types, message_type, after: None, finished: false }
    }

    /// Evaluates stored rules; those that do not compile or that confpack does not evaluate
    /// itself (CUSTOM_FC) are skipped.
    pub fn of_rules(
        store: &'a dyn Store,
        account: AccountId,
        rules: &[confpack_model::ConfigRule],
        message_type: &'a str,
    ) -> Self {
        Self::new(store, account, compile_evaluable(rules), message_type)
    }

    /// Evaluates only resources of `types` (among the rules' types).
    pub fn restricted_to(mut self, types: &[String]) -> Self {
        self.types.retain(|t| types.contains(t));
        self
    }

    /// The resource types evaluated.
    pub fn resource_types(&self) -> &[String] {
        &self.types
    }

    /// The rules evaluated.
    pub(crate) fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// Reads and evaluates the next page; `None` once every resource was.
    pub async fn next_page(&mut self) -> StoreResult<Option<EvaluatedPage>> {
        if self.finished || self.types.is_empty() {
            return Ok(None);
        }
        let page = self.store.scan_resources(self.account, &self.types, self.after.take(), SCAN_PAGE).await?;
        self.finished = page.len() < SCAN_PAGE as usize;
        let Some(last) = page.last() else { return Ok(None) };
        self.after = Some((last.record.resource_type.clone(), last.record.resource_id.clone()));
        let evaluations: Vec<Evaluation<'_>> = page
            .iter()
            .flat_map(|resource| {
                self.rules
                    .iter()
                    .filter(|r| r.covers(resource))
                    .map(move |rule| (resource, rule, rule.related_ids(resource)))
            })
            .collect();
        let related = self.read_related(&evaluations).await?;
        let now = now_ms();
        let mut results = Vec::with_capacity(evaluations.len());
        for (resource, rule, ids) in evaluations {
            let mut found: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
            for (name, resource_type, id) in ids {
                if let Some(configuration) = related.get(&(resource_type.to_owned(), id)) {
                    found.entry(name.to_owned()).or_default().push(configuration.clone());
                }
            }
            results.extend(rule.evaluate_with(resource, &found, self.message_type, now));
        }
        Ok(Some(EvaluatedPage { resources: page.len(), results }))
    }

    /// The live related resources a page's evaluations read, by (type, id): one query per
    /// type and page rather than one per related resource.
    async fn read_related(
        &self,
        evaluations: &[Evaluation<'_>],
    ) -> StoreResult<HashMap<(String, String), serde_json::Value>> {
        let mut wanted: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (_, resource_type, id) in evaluations.iter().flat_map(|(_, _, ids)| ids) {
            wanted.entry(resource_type).or_default().insert(id);
        }
        let mut related = HashMap::new();
        for (resource_type, ids) in wanted {
            let ids: Vec<String> = ids.into_iter().map(str::to_owned).collect();
            for found in self.store.get_resources(self.account, resource_type, &ids).await? {
                if !found.deleted {
                    related.insert((found.record.resource_type, found.record.resource_id), found.record.configuration);
                }
            }
        }
        Ok(related)
    }
}

/// Runs an evaluation to its end, writing the results in batches; renews the leases of
/// `jobs` (ids, lease length) as batches go by. Returns how many results were written.
pub(crate) async fn write_scope(
    evaluation: &mut ScopeEvaluation<'_>,
    revert_ignored: bool,
    jobs: Option<(&[i64], i64)>,
) -> StoreResult<u64> {
    let (store, account) = (evaluation.store, evaluation.account);
    let mut batch: Vec<ResultWrite> = Vec::with_capacity(WRITE_BATCH);
    let mut written = 0_u64;
    while let Some(page) = evaluation.next_page().await? {
        batch.extend(page.results);
        if batch.len() >= WRITE_BATCH {
            written += flush(store, account, &mut batch, revert_ignored).await?;
            if let Some((job_ids, lease_ms)) = jobs {
                store.renew_evaluations(job_ids, now_ms() + lease_ms).await?;
            }
        }
    }
    written += flush(store, account, &mut batch, revert_ignored).await?;
    Ok(written)
}

async fn flush(store: &dyn Store, account: AccountId, batch: &mut Vec<ResultWrite>, revert: bool) -> StoreResult<u64> {
    if batch.is_empty() {
        return Ok(0);
    }
    store.put_results(account, batch, revert, now_ms()).await?;
    let n = batch.len() as u64;
    batch.clear();
    Ok(n)
}

async fn feed_loop(state: AppState) {
    let wake = state.change_notifier();
    loop {
        match follow_feed(state.store()).await {
            // A full batch means more is waiting: go on at once.
            Ok(n) if n >= FEED_BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "change-triggered evaluation failed; retrying"),
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(IDLE_POLL) => {}
        }
    }
}

/// Evaluates the resources changed since the feed cursor with the change-triggered rules
/// covering them, removes the results of rules whose scope a change moved the resource out
/// of, then moves the cursor. Returns how many changes were read.
pub(crate) async fn follow_feed(store: &dyn Store) -> StoreResult<usize> {
    let cursor = store.feed_cursor().await?;
    let changes = store.changes_since(cursor, FEED_BATCH).await?;
    let Some(&(last_seq, _)) = changes.last() else { return Ok(0) };
    let mut rules_of: HashMap<AccountId, Vec<CompiledRule>> = HashMap::new();
    let mut results: BTreeMap<AccountId, Vec<ResultWrite>> = BTreeMap::new();
    let mut left_scope: Vec<(AccountId, String, (String, String))> = Vec::new();
    for (_, change) in &changes {
        let account = change.account_id;
        if change.event_type == ResourceEventType::Remove {
            store.delete_resource_results(account, &change.resource_type, &change.resource_id, now_ms()).await?;
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = rules_of.entry(account) {
            let rules = store.list_rules(account).await?;
            let compiled = compile_evaluable(rules.iter().filter(|r| r.state == "ACTIVE"));
            slot.insert(compiled);
        }
        let rules = &rules_of[&account];
        if !rules.iter().any(|r| r.resource_types.contains(&change.resource_type)) {
            continue;
        }
        let Some(resource) = store.get_resource(account, &change.resource_type, &change.resource_id).await? else {
            continue;
        };
        // A later change of the same resource in this batch is read as it is now anyway.
        if resource.deleted {
            continue;
        }
        let now = now_ms();
        for rule in rules.iter().filter(|r| r.resource_types.contains(&change.resource_type)) {
            if !rule.covers(&resource) {
                // Only a changed resource (not a new one) can have a result to withdraw.
                if change.version > 1 {
                    let key = (change.resource_type.clone(), change.resource_id.clone());
                    left_scope.push((account, rule.rule.rule_id.clone(), key));
                }
                continue;
            }
            if !rule.rule.trigger_types.iter().any(|t| t == CHANGE_TRIGGER) {
                continue;
            }
            if let Some(result) = rule.evaluate(store, &resource, CHANGE_TRIGGER, now).await? {
                results.entry(account).or_default().push(result);
            }
        }
    }
    for (account, batch) in &results {
        store.put_results(*account, batch, false, now_ms()).await?;
    }
    for (account, rule_id, key) in left_scope {
        store.delete_rule_results_of(account, &rule_id, std::slice::from_ref(&key), now_ms()).await?;
    }
    if !store.advance_feed_cursor(cursor, last_seq).await? {
        // Another node processed this batch as well; results are idempotent upserts.
        tracing::debug!("feed cursor moved by another node");
    }
    Ok(changes.len())
}

async fn schedule_loop(state: AppState) {
    loop {
        tokio::time::sleep(SCHEDULE_TICK).await;
        if let Err(e) = fire_schedules(&state).await {
            tracing::warn!(error = %e, "checking rule schedules failed");
        }
    }
}

async fn fire_schedules(state: &AppState) -> StoreResult<()> {
    let store = state.store();
    let now = now_ms();
    for (account, rule_id, due) in store.due_scheduled_rules(now).await? {
        let Some(rule) = store.get_rule(account, &rule_id).await? else { continue };
        let period = frequency_ms(&rule.maximum_execution_frequency).unwrap_or(86_400_000);
        // A server that was down skips the missed periods rather than running them all.
        let next = if due + period > now { due + period } else { now + period };
        if store.advance_schedule(account, &rule_id, due, next).await? {
            store.enqueue_evaluation(account, &rule_id, SCHEDULE_TRIGGER, false, now).await?;
            state.notify_jobs();
        }
    }
    Ok(())
}
