//! The rule store: config rules, evaluation results, the compliance timeline, evaluation
//! jobs, the change-feed cursor and remembered ClientTokens.

use async_trait::async_trait;
use confpack_model::{AccountId, ComplianceChange, ConfigRule, EvaluationJob, ResultWrite, StoredResult};

use crate::{ResultCount, ResultQuery, StoreResult};

/// One item of a results snapshot: the rules first, then their results one by one.
#[derive(Debug)]
pub enum SnapshotItem {
    /// The rules of the snapshot, as they were at its instant.
    Rules(Vec<ConfigRule>),
    /// Resources per worst verdict among the results (as `worst_verdict_counts`).
    ResourceCounts(Vec<(String, i64)>),
    /// Results, a batch at a time (one hand-over per batch, not per row, between the
    /// store's thread and the reader's). They carry what reports show: the rule, the
    /// resource, the stored and effective compliance types, the annotation, the evaluation
    /// time and the ignore reason; the other fields are left empty.
    Results(Vec<StoredResult>),
}

/// A request made with a ClientToken, as remembered for replays.
#[derive(Clone, Copy, Debug)]
pub struct TokenedRequest<'a> {
    /// The action.
    pub action: &'a str,
    /// The ClientToken.
    pub token: &'a str,
    /// A hash of the request's parameters.
    pub fingerprint: &'a str,
    /// The response's fields as JSON text.
    pub response: &'a str,
}

/// Config rules and everything their evaluation records.
#[async_trait]
pub trait RuleStore: Send + Sync + 'static {
    /// Stores a new rule; `Conflict` when the account already has a rule of that name.
    async fn create_rule(&self, rule: &ConfigRule, next_scheduled_ms: Option<i64>) -> StoreResult<()>;

    /// One rule of an account.
    async fn get_rule(&self, account: AccountId, rule_id: &str) -> StoreResult<Option<ConfigRule>>;

    /// Every rule of an account, by id.
    async fn list_rules(&self, account: AccountId) -> StoreResult<Vec<ConfigRule>>;

    /// Replaces a rule read at `rule.revision`, storing it as the next revision;
    /// `NotFound` when it does not exist, `Conflict` on a taken name, `Changed` when the rule
    /// moved past that revision meanwhile. `next_scheduled_ms` replaces the schedule.
    async fn update_rule(&self, rule: &ConfigRule, next_scheduled_ms: Option<i64>) -> StoreResult<()>;

    /// Saves a rule's evaluation status without changing its revision, provided the rule is
    /// still at `rule.revision`; false when it is not (or is gone).
    async fn save_rule_status(&self, rule: &ConfigRule) -> StoreResult<bool>;

    /// Deletes a rule with its results and jobs; `NotFound` when it does not exist.
    async fn delete_rule(&self, account: AccountId, rule_id: &str) -> StoreResult<()>;

    /// Rules whose schedule is due at `now_ms`: (account, rule id, the due time).
    async fn due_scheduled_rules(&self, now_ms: i64) -> StoreResult<Vec<(AccountId, String, i64)>>;

    /// Moves a rule's schedule from `due_ms` to `next_ms`; false when another node did first.
    async fn advance_schedule(&self, account: AccountId, rule_id: &str, due_ms: i64, next_ms: i64)
    -> StoreResult<bool>;

    /// Enqueues a whole-scope evaluation of a rule, unless one is already pending (then its
    /// id is returned). `revert_ignored` (RevertEvaluation) sticks to the pending job.
    async fn enqueue_evaluation(
        &self,
        account: AccountId,
        rule_id: &str,
        message_type: &str,
        revert_ignored: bool,
        now_ms: i64,
    ) -> StoreResult<i64>;

    /// Claims the oldest job that is pending, or running with an expired lease, for
    /// `lease_ms`.
    async fn claim_evaluation(&self, now_ms: i64, lease_ms: i64) -> StoreResult<Option<EvaluationJob>>;

    /// Extends the leases of claimed jobs.
    async fn renew_evaluations(&self, job_ids: &[i64], lease_until_ms: i64) -> StoreResult<()>;

    /// Removes a finished job.
    async fn finish_evaluation(&self, job_id: i64) -> StoreResult<()>;

    /// Ids of an account's rules with a job pending or running (shown as EVALUATING).
    async fn rules_evaluating(&self, account: AccountId) -> StoreResult<Vec<String>>;

    /// Upserts results in one transaction, recording each change of compliance type on the
    /// timeline. An ignore in force stays in force unless `revert_ignored`. Results of rules
    /// that are gone, inactive or at another revision than `rule_revision` are dropped.
    async fn put_results(
        &self,
        account: AccountId,
        results: &[ResultWrite],
        revert_ignored: bool,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Deletes a rule's results recorded before `before_ms` (resources that left its scope
    /// or were deleted since the evaluation started), or all of them when `before_ms` is
    /// `None`. Each removal is recorded on the timeline. Returns how many were removed.
    async fn delete_results(
        &self,
        account: AccountId,
        rule_id: &str,
        before_ms: Option<i64>,
        now_ms: i64,
    ) -> StoreResult<u64>;

    /// Deletes one rule's results of the given `(type, id)` resources (they left its scope).
    async fn delete_rule_results_of(
        &self,
        account: AccountId,
        rule_id: &str,
        resources: &[(String, String)],
        now_ms: i64,
    ) -> StoreResult<u64>;

    /// Deletes every result of one resource (it was deleted).
    async fn delete_resource_results(
        &self,
        account: AccountId,
        resource_type: &str,
        resource_id: &str,
        now_ms: i64,
    ) -> StoreResult<u64>;

    /// A page of results.
    async fn list_results(
        &self,
        account: AccountId,
        query: &ResultQuery,
        now_ms: i64,
    ) -> StoreResult<Vec<StoredResult>>;

    /// Result counts by rule and effective type (all rules when `rule_ids` is empty).
    async fn count_results(
        &self,
        account: AccountId,
        rule_ids: &[String],
        now_ms: i64,
    ) -> StoreResult<Vec<ResultCount>>;

    /// Per resource, the effective types of its results with the rules' risk levels, for
    /// account- and pack-wide resource counters (rules restricted to `rule_ids` when not
    /// empty). Returns `(resource type, resource id, effective type, risk level)` rows.
    async fn resource_verdicts(
        &self,
        account: AccountId,
        rule_ids: &[String],
        now_ms: i64,
    ) -> StoreResult<Vec<(String, String, String, i64)>>;

    /// How many resources have each worst verdict among the results of `rule_ids` (the order
    /// NON_COMPLIANT, COMPLIANT, INSUFFICIENT_DATA, NOT_APPLICABLE, IGNORED), counted in the
    /// store: `(verdict, resources)` pairs.
    async fn worst_verdict_counts(
        &self,
        account: AccountId,
        rule_ids: &[String],
        now_ms: i64,
    ) -> StoreResult<Vec<(String, i64)>>;

    /// Streams into `sink`, from one consistent snapshot of the store (a read-only
    /// transaction), first the rules `rule_ids` (those that exist), then the resources per
    /// worst verdict, then every result of them (in no particular order) with its effective
    /// type as at `now_ms`. Returns how many results were sent; fails when the receiver is
    /// gone.
    async fn snapshot_results(
        &self,
        account: AccountId,
        rule_ids: &[String],
        now_ms: i64,
        sink: tokio::sync::mpsc::Sender<SnapshotItem>,
    ) -> StoreResult<u64>;

    /// Sets (`Some((reason, ignore_date, until_ms))`) or clears (`None`) the ignore of one
    /// rule's results for the given `(type, id)` resources. Returns how many results changed.
    async fn set_ignored(
        &self,
        account: AccountId,
        rule_id: &str,
        resources: &[(String, String)],
        ignore: Option<(String, String, Option<i64>)>,
    ) -> StoreResult<u64>;

    /// A page of one resource's compliance changes, newest first, in `[start, end]`,
    /// below `before_seq`.
    async fn compliance_changes(
        &self,
        account: AccountId,
        resource_type: &str,
        resource_id: &str,
        window: (i64, i64),
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<ComplianceChange>>;

    /// The change-feed position rule evaluation has processed.
    async fn feed_cursor(&self) -> StoreResult<i64>;

    /// Moves the cursor from `from` to `to`; false when another node moved it first.
    async fn advance_feed_cursor(&self, from: i64, to: i64) -> StoreResult<bool>;

    /// Remembers a ClientToken's request fingerprint and response, unless the token is
    /// already known: then returns what was remembered. Tokens older than
    /// `expire_before_ms` are forgotten first.
    async fn remember_client_token(
        &self,
        account: AccountId,
        request: &TokenedRequest<'_>,
        now_ms: i64,
        expire_before_ms: i64,
    ) -> StoreResult<Option<(String, String)>>;

    /// What a ClientToken was remembered with, if anything.
    async fn recall_client_token(
        &self,
        account: AccountId,
        action: &str,
        token: &str,
        expire_before_ms: i64,
    ) -> StoreResult<Option<(String, String)>>;
}
