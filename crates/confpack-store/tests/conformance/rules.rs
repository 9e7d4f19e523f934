//! Rule-store conformance cases: rules, results with ignores and the timeline, jobs with
//! leases, the feed cursor, ClientTokens, and account isolation.

use std::collections::BTreeMap;

use confpack_model::{AccountId, ConfigRule, EvaluationStatus, ResultWrite, RuleScope};
use confpack_store::{ResultQuery, Store, StoreError, TokenedRequest};

use crate::cases::Reopen;

pub(crate) const NOW: i64 = 1_764_000_000_000;

pub(crate) async fn account(store: &dyn Store, name: &str) -> AccountId {
    store.create_account(name, NOW).await.expect("account").0.id
}

fn rule(account: AccountId, id: &str, name: &str) -> ConfigRule {
    ConfigRule {
        account_id: account,
        rule_id: id.into(),
        name: name.into(),
        description: String::new(),
        source_owner: "ALIYUN".into(),
        source_identifier: "oss-bucket-public-read-prohibited".into(),
        input_parameters: BTreeMap::from([("a".into(), "1".into())]),
        conditions: None,
        trigger_types: vec!["ConfigurationItemChangeNotification".into()],
        maximum_execution_frequency: String::new(),
        extend_content: String::new(),
        risk_level: 1,
        state: "ACTIVE".into(),
        scope: RuleScope { resource_types: vec!["ACS::OSS::Bucket".into()], ..Default::default() },
        tags: Vec::new(),
        created_by: None,
        result_token: "rt-1".into(),
        created_ms: NOW,
        modified_ms: NOW,
        status: EvaluationStatus::default(),
        revision: 0,
    }
}

/// Creates the active rules results are written for (the store keeps results only of
/// existing, active rules at the revision they were computed from).
pub(crate) async fn rules(store: &dyn Store, account: AccountId, ids: &[&str]) {
    for id in ids {
        store.create_rule(&rule(account, id, &format!("name-{id}")), None).await.expect("create rule");
    }
}

pub(crate) fn result(rule_id: &str, id: &str, compliance: &str) -> ResultWrite {
    ResultWrite {
        rule_id: rule_id.into(),
        rule_revision: 0,
        rule_name: format!("name-{rule_id}"),
        risk_level: 1,
        resource_type: "ACS::OSS::Bucket".into(),
        resource_id: id.into(),
        region: "cn-hangzhou".into(),
        resource_name: id.into(),
        resource_group_id: "rg-1".into(),
        compliance_type: compliance.into(),
        annotation: String::new(),
        message_type: "Manual".into(),
        invoked_ms: NOW,
        ordering_ms: NOW,
    }
}

fn all(limit: u32) -> ResultQuery {
    ResultQuery { limit, ..Default::default() }
}

pub async fn rules_round_trip_and_names_are_unique(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "a").await;
    let r = rule(a, "cr-1", "first");
    store.create_rule(&r, None).await.expect("create");
    assert_eq!(store.get_rule(a, "cr-1").await.expect("get"), Some(r.clone()));
    let clash = store.create_rule(&rule(a, "cr-2", "first"), None).await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    let mut changed = r.clone();
    changed.description = "now described".into();
    store.update_rule(&changed, Some(NOW + 10)).await.expect("update");
    changed.revision = 1;
    assert_eq!(store.list_rules(a).await.expect("list"), vec![changed], "stored as the next revision");
    let missing = store.update_rule(&rule(a, "cr-9", "x"), None).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    store.delete_rule(a, "cr-1").await.expect("delete");
    assert!(store.get_rule(a, "cr-1").await.expect("get").is_none());
    assert!(matches!(store.delete_rule(a, "cr-1").await, Err(StoreError::NotFound(_))));
}

pub async fn results_upsert_page_and_record_the_timeline(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "a").await;
    rules(store, a, &["cr-1"]).await;
    let writes: Vec<_> = (0..5).map(|i| result("cr-1", &format!("b{i}"), "COMPLIANT")).collect();
    store.put_results(a, &writes, false, NOW).await.expect("put");
    store.put_results(a, &[result("cr-1", "b1", "NON_COMPLIANT")], false, NOW + 1).await.expect("put");
    store.put_results(a, &[result("cr-1", "b1", "COMPLIANT")], false, NOW + 2).await.expect("put");

    let first = store.list_results(a, &all(2), NOW).await.expect("page");
    assert_eq!(first.iter().map(|r| r.write.resource_id.as_str()).collect::<Vec<_>>(), ["b0", "b1"]);
    let b1 = &first[1];
    assert_eq!((b1.last_non_compliant_ms, b1.last_compliant_fixed_ms), (Some(NOW + 1), Some(NOW + 2)));
    let last = first.last().expect("row");
    let after = (last.write.rule_id.clone(), last.write.resource_type.clone(), last.write.resource_id.clone());
    let rest = store.list_results(a, &ResultQuery { after: Some(after), ..all(10) }, NOW).await.expect("page");
    assert_eq!(rest.len(), 3);

    let changes =
        store.compliance_changes(a, "ACS::OSS::Bucket", "b1", (0, i64::MAX), None, 10).await.expect("timeline");
    let kinds: Vec<_> = changes.iter().map(|c| (c.old_type.as_str(), c.new_type.as_str())).collect();
    assert_eq!(kinds, [("NON_COMPLIANT", "COMPLIANT"), ("COMPLIANT", "NON_COMPLIANT"), ("", "COMPLIANT")]);

    let counts = store.count_results(a, &[], NOW).await.expect("counts");
    assert_eq!(counts.len(), 1);
    assert_eq!((counts[0].compliance_type.as_str(), counts[0].count), ("COMPLIANT", 5));

    // A whole-scope evaluation drops what it did not refresh.
    store.put_results(a, &[result("cr-1", "b0", "COMPLIANT")], false, NOW + 100).await.expect("put");
    assert_eq!(store.delete_results(a, "cr-1", Some(NOW + 100), NOW + 100).await.expect("prune"), 4);
    assert_eq!(store.list_results(a, &all(10), NOW).await.expect("page").len(), 1);
    let counts = store.count_results(a, &[], NOW).await.expect("counts");
    assert_eq!(counts.iter().map(|c| (c.compliance_type.as_str(), c.count)).collect::<Vec<_>>(), [("COMPLIANT", 1)]);
    assert_eq!(store.delete_resource_results(a, "ACS::OSS::Bucket", "b0", NOW + 101).await.expect("drop"), 1);
    assert!(store.list_results(a, &all(10), NOW).await.expect("page").is_empty());
    assert!(store.count_results(a, &[], NOW).await.expect("counts").is_empty(), "counts follow deletions");
}

pub async fn ignores_hold_until_their_date_and_survive_re_evaluation(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "a").await;
    rules(store, a, &["cr-1"]).await;
    store
        .put_results(a, &[result("cr-1", "b0", "NON_COMPLIANT"), result("cr-1", "b1", "NON_COMPLIANT")], false, NOW)
        .await
        .expect("put");
    let keys = |ids: &[&str]| ids.iter().map(|i| ("ACS::OSS::Bucket".to_owned(), (*i).to_owned())).collect::<Vec<_>>();
    let n = store
        .set_ignored(a, "cr-1", &keys(&["b0"]), Some(("known".into(), "2026-01-01".into(), Some(NOW + 1000))))
        .await
        .expect("ignore");
    assert_eq!(n, 1);
    let ignored = ResultQuery { compliance_type: Some("IGNORED".into()), ..all(10) };
    let counted = |now| async move {
        let counts = store.count_results(a, &[], now).await.expect("counts");
        counts.iter().map(|c| (c.compliance_type.clone(), c.count)).collect::<Vec<_>>()
    };
    assert_eq!(counted(NOW).await, [("IGNORED".to_owned(), 1), ("NON_COMPLIANT".to_owned(), 1)]);
    assert_eq!(counted(NOW + 1000).await, [("NON_COMPLIANT".to_owned(), 2)], "the ignore ended");
    let found = store.list_results(a, &ignored, NOW).await.expect("page");
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].ignore_reason.as_str(), found[0].ignore_date.as_str()), ("known", "2026-01-01"));
    // Re-evaluation keeps the ignore; once the date passes, the result shows again.
    store.put_results(a, &[result("cr-1", "b0", "NON_COMPLIANT")], false, NOW + 1).await.expect("put");
    assert_eq!(store.list_results(a, &ignored, NOW + 2).await.expect("page").len(), 1);
    assert!(store.list_results(a, &ignored, NOW + 1001).await.expect("page").is_empty());
    // RevertEvaluation clears it; so does an explicit revert.
    store.put_results(a, &[result("cr-1", "b0", "NON_COMPLIANT")], true, NOW + 3).await.expect("put");
    assert!(store.list_results(a, &ignored, NOW + 4).await.expect("page").is_empty());
    store.set_ignored(a, "cr-1", &keys(&["b1"]), Some(("r".into(), String::new(), None))).await.expect("ignore");
    assert_eq!(store.list_results(a, &ignored, i64::MAX - 1).await.expect("page").len(), 1, "no date: until reverted");
    store.set_ignored(a, "cr-1", &keys(&["b1"]), None).await.expect("revert");
    assert!(store.list_results(a, &ignored, NOW).await.expect("page").is_empty());
}

pub async fn jobs_are_claimed_once_and_reclaimed_after_their_lease(store: &dyn Store, reopen: &Reopen<'_>) {
    let a = account(store, "a").await;
    let job = store.enqueue_evaluation(a, "cr-1", "Manual", false, NOW).await.expect("enqueue");
    assert_eq!(
        store.enqueue_evaluation(a, "cr-1", "Manual", true, NOW).await.expect("again"),
        job,
        "one pending job per rule"
    );
    assert_eq!(store.rules_evaluating(a).await.expect("evaluating"), ["cr-1"]);
    let claimed = store.claim_evaluation(NOW, 1000).await.expect("claim").expect("a job");
    assert_eq!((claimed.job_id, claimed.attempts, claimed.revert_ignored), (job, 1, true));
    assert!(store.claim_evaluation(NOW + 10, 1000).await.expect("claim").is_none(), "leased");
    // A restart (crash) leaves the job leased; it is claimed again once the lease expires.
    let store = reopen().await;
    let again = store.claim_evaluation(NOW + 2000, 1000).await.expect("claim").expect("reclaimed");
    assert_eq!((again.job_id, again.attempts), (job, 2));
    store.finish_evaluation(job).await.expect("finish");
    assert!(store.rules_evaluating(a).await.expect("evaluating").is_empty());
    assert!(store.claim_evaluation(NOW + 5000, 1000).await.expect("claim").is_none());
}

pub async fn schedules_and_the_feed_cursor_move_once(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "a").await;
    store.create_rule(&rule(a, "cr-1", "r"), Some(NOW)).await.expect("create");
    let due = store.due_scheduled_rules(NOW).await.expect("due");
    assert_eq!(due, [(a, "cr-1".to_owned(), NOW)]);
    assert!(store.advance_schedule(a, "cr-1", NOW, NOW + 10).await.expect("advance"));
    assert!(!store.advance_schedule(a, "cr-1", NOW, NOW + 10).await.expect("advance"), "second node loses");
    assert!(store.due_scheduled_rules(NOW + 5).await.expect("due").is_empty());
    let from = store.feed_cursor().await.expect("cursor");
    assert!(store.advance_feed_cursor(from, from + 3).await.expect("advance"));
    assert!(!store.advance_feed_cursor(from, from + 3).await.expect("advance"));
    assert_eq!(store.feed_cursor().await.expect("cursor"), from + 3);
}

pub async fn client_tokens_remember_the_first_request(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "a").await;
    let b = account(store, "b").await;
    let request =
        |fingerprint, response| TokenedRequest { action: "CreateConfigRule", token: "t1", fingerprint, response };
    let first = store.remember_client_token(a, &request("fp1", "{\"x\":1}"), NOW, 0).await.expect("remember");
    assert!(first.is_none());
    let again = store.remember_client_token(a, &request("fp2", "{}"), NOW, 0).await.expect("remember");
    assert_eq!(again, Some(("fp1".to_owned(), "{\"x\":1}".to_owned())));
    assert_eq!(
        store.recall_client_token(a, "CreateConfigRule", "t1", 0).await.expect("recall").map(|r| r.0),
        Some("fp1".into())
    );
    assert!(store.recall_client_token(b, "CreateConfigRule", "t1", 0).await.expect("recall").is_none(), "per account");
    assert!(store.recall_client_token(a, "UpdateConfigRule", "t1", 0).await.expect("recall").is_none(), "per action");
    assert!(
        store.recall_client_token(a, "CreateConfigRule", "t1", NOW + 1).await.expect("recall").is_none(),
        "expired"
    );
}

pub async fn accounts_never_see_each_others_rules_or_results(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "a").await;
    let b = account(store, "b").await;
    store.create_rule(&rule(a, "cr-1", "same-name"), None).await.expect("create a");
    store.put_results(b, &[result("cr-1", "b0", "NON_COMPLIANT")], false, NOW).await.expect("put");
    assert!(store.list_results(b, &all(10), NOW).await.expect("page").is_empty(), "not b's rule: dropped");
    store.create_rule(&rule(b, "cr-2", "same-name"), None).await.expect("names are per account");
    store.put_results(a, &[result("cr-1", "b0", "NON_COMPLIANT")], false, NOW).await.expect("put");
    assert!(store.get_rule(b, "cr-1").await.expect("get").is_none());
    assert_eq!(store.list_rules(b).await.expect("list").len(), 1);
    assert!(store.list_results(b, &all(10), NOW).await.expect("page").is_empty());
    assert!(store.count_results(b, &[], NOW).await.expect("counts").is_empty());
    assert!(store.resource_verdicts(b, &[], NOW).await.expect("verdicts").is_empty());
    assert!(matches!(store.delete_rule(b, "cr-1").await, Err(StoreError::NotFound(_))));
    let keys = [("ACS::OSS::Bucket".to_owned(), "b0".to_owned())];
    assert_eq!(store.set_ignored(b, "cr-1", &keys, None).await.expect("ignore"), 0);
    assert!(
        store.compliance_changes(b, "ACS::OSS::Bucket", "b0", (0, i64::MAX), None, 10).await.expect("tl").is_empty()
    );
}

pub async fn results_of_stale_inactive_or_unknown_rules_are_dropped(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "a").await;
    rules(store, a, &["cr-1", "cr-2"]).await;
    store.put_results(a, &[result("cr-9", "b0", "COMPLIANT")], false, NOW).await.expect("put");
    assert!(store.list_results(a, &all(10), NOW).await.expect("page").is_empty(), "unknown rule");
    assert!(store.count_results(a, &[], NOW).await.expect("counts").is_empty(), "nothing counted");

    // An update moves the rule to revision 1: results computed from revision 0 are refused.
    let mut r1 = store.get_rule(a, "cr-1").await.expect("get").expect("rule");
    r1.description = "changed".into();
    store.update_rule(&r1, None).await.expect("update");
    let stale = store.update_rule(&r1, None).await;
    assert!(matches!(stale, Err(StoreError::Changed(_))), "an update from a stale read: {stale:?}");
    store.put_results(a, &[result("cr-1", "b0", "COMPLIANT")], false, NOW).await.expect("put");
    assert!(store.list_results(a, &all(10), NOW).await.expect("page").is_empty(), "stale revision");
    assert!(store.count_results(a, &[], NOW).await.expect("counts").is_empty(), "nothing counted");
    let fresh = ResultWrite { rule_revision: 1, ..result("cr-1", "b0", "COMPLIANT") };
    store.put_results(a, &[fresh], false, NOW).await.expect("put");
    assert_eq!(store.list_results(a, &all(10), NOW).await.expect("page").len(), 1);

    // A status save keeps the revision and fails on a stale read.
    let current = store.get_rule(a, "cr-1").await.expect("get").expect("rule");
    assert_eq!(current.revision, 1);
    assert!(store.save_rule_status(&current).await.expect("save"));
    assert!(!store.save_rule_status(&r1).await.expect("save"), "r1 is revision 0");

    // An inactive rule takes no new results; its past ones stay.
    let mut r2 = store.get_rule(a, "cr-2").await.expect("get").expect("rule");
    r2.state = "INACTIVE".into();
    store.update_rule(&r2, None).await.expect("deactivate");
    store
        .put_results(a, &[ResultWrite { rule_revision: 1, ..result("cr-2", "b0", "COMPLIANT") }], false, NOW)
        .await
        .expect("put");
    let query = ResultQuery { rule_ids: vec!["cr-2".into()], ..all(10) };
    assert!(store.list_results(a, &query, NOW).await.expect("page").is_empty(), "inactive rule");
    let counted: i64 = store.count_results(a, &[], NOW).await.expect("counts").iter().map(|c| c.count).sum();
    assert_eq!(counted, 1, "only cr-1's result is counted");

    // Withdrawing one rule's result of one resource leaves the others.
    store.delete_rule_results_of(a, "cr-1", &[("ACS::OSS::Bucket".into(), "b0".into())], NOW).await.expect("withdraw");
    assert!(store.list_results(a, &all(10), NOW).await.expect("page").is_empty());
}

pub async fn worst_verdicts_are_counted_per_resource(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "a").await;
    rules(store, a, &["cr-1", "cr-2"]).await;
    let writes = [
        result("cr-1", "b0", "NON_COMPLIANT"),
        result("cr-2", "b0", "COMPLIANT"),
        result("cr-1", "b1", "COMPLIANT"),
        result("cr-2", "b1", "NOT_APPLICABLE"),
        result("cr-1", "b2", "NON_COMPLIANT"),
    ];
    store.put_results(a, &writes, false, NOW).await.expect("put");
    let keys = [("ACS::OSS::Bucket".to_owned(), "b2".to_owned())];
    store.set_ignored(a, "cr-1", &keys, Some(("known".into(), String::new(), None))).await.expect("ignore");
    let both = ["cr-1".to_owned(), "cr-2".to_owned()];
    let counts = store.worst_verdict_counts(a, &both, NOW).await.expect("counts");
    assert_eq!(counts, [("NON_COMPLIANT".to_owned(), 1), ("COMPLIANT".to_owned(), 1), ("IGNORED".to_owned(), 1)]);
    let only_second = store.worst_verdict_counts(a, &["cr-2".to_owned()], NOW).await.expect("counts");
    assert_eq!(only_second, [("COMPLIANT".to_owned(), 1), ("NOT_APPLICABLE".to_owned(), 1)]);
    assert!(store.worst_verdict_counts(a, &[], NOW).await.expect("counts").is_empty());
}

pub async fn pack_resource_counts_follow_every_change(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "a").await;
    rules(store, a, &["cr-1", "cr-2"]).await;
    let both = ["cr-1".to_owned(), "cr-2".to_owned()];
    let pack = |ids: &'static [&'static str], now: i64| async move {
        let ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
        let kept = store.pack_resource_counts(a, "cp-1", &ids, now).await.expect("pack counts");
        assert_eq!(kept, store.worst_verdict_counts(a, &ids, now).await.expect("counted"), "snapshot equals a count");
        kept
    };
    let pair = |v: &str, n: i64| (v.to_owned(), n);
    let writes = [
        result("cr-1", "b0", "NON_COMPLIANT"),
        result("cr-1", "b1", "COMPLIANT"),
        result("cr-2", "b1", "NON_COMPLIANT"),
    ];
    store.put_results(a, &writes, false, NOW).await.expect("put");
    assert_eq!(pack(&["cr-1", "cr-2"], NOW).await, [pair("NON_COMPLIANT", 2)]);
    // A swap leaves cr-1's counts as they were but changes which resources are compliant.
    let swap = [result("cr-1", "b0", "COMPLIANT"), result("cr-1", "b1", "NON_COMPLIANT")];
    store.put_results(a, &swap, false, NOW + 1).await.expect("put");
    assert_eq!(pack(&["cr-1", "cr-2"], NOW + 2).await, [pair("NON_COMPLIANT", 1), pair("COMPLIANT", 1)]);
    // Fewer rules, a different answer.
    assert_eq!(pack(&["cr-2"], NOW + 2).await, [pair("NON_COMPLIANT", 1)]);
    // An ignore with an end date: ignored until then, counted again from then.
    let keys = [("ACS::OSS::Bucket".to_owned(), "b0".to_owned())];
    store.set_ignored(a, "cr-1", &keys, Some(("known".into(), String::new(), Some(NOW + 100)))).await.expect("ignore");
    assert_eq!(pack(&["cr-1", "cr-2"], NOW + 3).await, [pair("NON_COMPLIANT", 1), pair("IGNORED", 1)]);
    assert_eq!(pack(&["cr-1", "cr-2"], NOW + 100).await, [pair("NON_COMPLIANT", 1), pair("COMPLIANT", 1)]);
    // Results removed with their resource.
    store.delete_resource_results(a, "ACS::OSS::Bucket", "b1", NOW + 101).await.expect("drop");
    assert_eq!(pack(&["cr-1", "cr-2"], NOW + 102).await, [pair("COMPLIANT", 1)]);
    assert!(store.pack_resource_counts(a, "cp-1", &both[..0], NOW).await.expect("no rules").is_empty());
}
